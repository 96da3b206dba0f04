//! The attributes of an item that are not its entity's own (the table's
//! keys, the index keys, the constants), handed to the library by the
//! generated decoder as it meets them: an item is read in one pass, with no
//! lookup by name for its keys.
//!
//! The generated code's loop matches each attribute name against the
//! entity's fields (a type of a few names by the name itself, a larger one
//! by the name's dispatch key); every other attribute goes to
//! [`ItemKeys::other`], or with its key to [`ItemKeys::other_keyed`].
//! When the pass ends with a key field unread (an item written by another
//! tool, which keeps key fields in the keys only), the loop asks
//! [`ItemKeys::recovered`] for them, parsed from the keys, and reads those
//! too. The table's codec then checks what was met as its two-pass decode
//! checks it (`table/codec.rs`).

use crate::foundation::attr_value::stored::name_key;
use crate::foundation::attr_value::CodecError;
use crate::foundation::item::Item;
use crate::keys::constant::Constant;
use crate::keys::template::{Index, Template};
use aws_sdk_dynamodb::types::AttributeValue;

/// What an item's keys are checked against: the table's key attribute
/// names and the entity's declarations.
#[derive(Clone, Copy)]
pub(crate) struct Declared<'a> {
    pub(crate) pk_attribute: &'a str,
    pub(crate) sk_attribute: Option<&'a str>,
    /// The two names' dispatch keys (`TableInner::key_names`).
    pub(crate) key_names: (u64, u64),
    pub(crate) pk: &'a Template,
    pub(crate) sk: Option<&'a Template>,
    pub(crate) indexes: &'static [Index],
    pub(crate) constants: &'static [Constant],
}

impl Declared<'_> {
    /// Whether `name`, with dispatch key `key` (`name_key`), is the
    /// table's partition key or its sort key (at most one is true). Equal
    /// keys mean equal lengths; up to seven bytes, equal names, so only
    /// longer names are compared whole.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn table_key(&self, key: u64, name: &str) -> (bool, bool) {
        let short = name.len() <= 7;
        let pk = key == self.key_names.0 && (short || name == self.pk_attribute);
        let sk = !pk && key == self.key_names.1 && (short || self.sk_attribute == Some(name));
        (pk, sk)
    }
}

/// Generated code: what an item holds beside its entity's own attributes,
/// gathered while the fields are read. Not public API.
#[doc(hidden)]
pub struct ItemKeys<'a> {
    /// `None` when reading an item's own attributes only
    /// ([`detached`](Self::detached)). Borrowed, as the rare outcomes
    /// below are boxed: the gathering is made and dropped for every item
    /// read, and a small one costs less to make, move and drop.
    of: Option<&'a Declared<'a>>,
    /// The partition key as stored (`None`: missing or not a string).
    pub(crate) pk: Option<String>,
    /// The sort key as stored (`None`: missing or not a string).
    pub(crate) sk: Option<String>,
    /// Each index's stored (pk, sk) attributes, when they are compared
    /// (empty otherwise).
    pub(crate) index_keys: Vec<(Option<AttributeValue>, Option<AttributeValue>)>,
    /// One bit per checked constant found with its value.
    pub(crate) constants: u64,
    /// The checked constant first in declaration order found with
    /// another value.
    pub(crate) wrong_constant: Option<Box<(usize, AttributeValue)>>,
    /// Why the key fields could not be recovered from the keys.
    pub(crate) unrecovered: Option<Box<(Option<String>, String)>>,
}

impl<'a> ItemKeys<'a> {
    /// The most constants one gathering tracks.
    pub(crate) const MAX_CONSTANTS: usize = 64;

    /// Generated code: for reading an item that holds its entity's own
    /// attributes only (every other attribute is dropped, nothing is
    /// recovered).
    #[inline]
    pub fn detached() -> Self {
        ItemKeys {
            of: None,
            pk: None,
            sk: None,
            index_keys: Vec::new(),
            constants: 0,
            wrong_constant: None,
            unrecovered: None,
        }
    }

    /// A gathering for an item of a table and entity; the index keys are
    /// kept when `compare_index_keys`.
    #[inline]
    pub(crate) fn new(of: &'a Declared<'a>, compare_index_keys: bool) -> Self {
        let index_keys = if compare_index_keys {
            vec![(None, None); of.indexes.len()]
        } else {
            Vec::new()
        };
        // Written out, not `..detached()`: that would make and drop a
        // second vector per item.
        ItemKeys {
            of: Some(of),
            pk: None,
            sk: None,
            index_keys,
            constants: 0,
            wrong_constant: None,
            unrecovered: None,
        }
    }

    /// An empty gathering for the same table and entity, index keys not
    /// kept (the `check-codec` comparison with serde reads the item a
    /// second time).
    #[cfg(all(debug_assertions, feature = "check-codec"))]
    pub(crate) fn fresh(&self) -> ItemKeys<'a> {
        match self.of {
            Some(of) => ItemKeys::new(of, false),
            None => ItemKeys::detached(),
        }
    }

    /// Generated code: an attribute that is none of the entity's fields:
    /// a key, an index key or a constant is kept; anything else (another
    /// tool's attributes) is dropped, as the entity's codec drops it.
    #[inline]
    pub fn other(&mut self, name: String, value: AttributeValue) {
        let key = name_key(&name);
        self.other_keyed(name, key, value);
    }

    /// Generated code: [`other`](Self::other) for a string value, taken out
    /// of its `AttributeValue` by the generated code where it met the
    /// entry. An `AttributeValue` moved whole copies the seven bytes after
    /// its tag with two overlapping loads and stores, and the next copy's
    /// load waits for both stores to land (a failed store forwarding);
    /// moved into `other`, each key of a tiny item paid two of these
    /// (`BENCHMARKS.md` §1, "Values moved whole"). A string moves as three
    /// words.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn other_string(&mut self, name: String, value: String) {
        let key = name_key(&name);
        self.string_keyed(name, key, value);
    }

    /// Generated code: [`other`](Self::other) with the name's dispatch key
    /// (`name_key`), which the generated code has computed: names of up to
    /// seven bytes are told apart by their keys alone, so the table's key
    /// attributes are found without comparing strings.
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn other_keyed(&mut self, name: String, key: u64, value: AttributeValue) {
        match value {
            AttributeValue::S(value) => self.string_keyed(name, key, value),
            value => self.other_not_string(key, &name, value),
        }
    }

    /// [`other_keyed`](Self::other_keyed) for a string value. Always in
    /// line: left to the optimizer, it stayed a call per attribute, 4 ns of
    /// an item of two fields read in 190 (`BENCHMARKS.md` §1). A call in
    /// debug builds, where in line it is compiled into every entity's read
    /// (as `put` and `set`, §9).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn string_keyed(&mut self, name: String, key: u64, value: String) {
        let Some(of) = self.of else {
            return;
        };
        let (pk, sk) = of.table_key(key, &name);
        if pk | sk {
            // One store, to the key the name is: the two keys come in an
            // order of their own in every item, which a branch and a store
            // for each followed (13.5 mispredicted branches per tiny item
            // read against 8.6 so, in callgrind's simulation;
            // `BENCHMARKS.md` §1, "The order of an item's entries").
            let place = if pk { &mut self.pk } else { &mut self.sk };
            *place = Some(value);
        } else if !of.indexes.is_empty() || !of.constants.is_empty() {
            self.other_declared(of, &name, AttributeValue::S(value));
        }
    }

    /// [`other_keyed`](Self::other_keyed) for a value that is not a
    /// string: a table key of another type is as good as missing.
    fn other_not_string(&mut self, key: u64, name: &str, value: AttributeValue) {
        let Some(of) = self.of else {
            return;
        };
        match of.table_key(key, name) {
            (true, _) => self.pk = None,
            (_, true) => self.sk = None,
            _ if !of.indexes.is_empty() || !of.constants.is_empty() => {
                self.other_declared(of, name, value);
            }
            _ => {}
        }
    }

    /// [`other`](Self::other) past the table keys: the index keys and the
    /// constants.
    fn other_declared(&mut self, of: &Declared<'_>, name: &str, value: AttributeValue) {
        let keep = !self.index_keys.is_empty();
        for (i, index) in of.indexes.iter().enumerate() {
            if name == index.pk_attribute {
                if keep {
                    self.index_keys[i].0 = Some(value);
                }
                return;
            }
            if index.sk_attribute == Some(name) {
                if keep {
                    self.index_keys[i].1 = Some(value);
                }
                return;
            }
        }
        for (i, constant) in of.constants.iter().enumerate() {
            if name != constant.name {
                continue;
            }
            // An unchecked constant is dropped, whatever its value.
            if constant.check && i < Self::MAX_CONSTANTS {
                if constant.value.matches(&value) {
                    self.constants |= 1 << i;
                } else if self.wrong_constant.as_ref().is_none_or(|found| i < found.0) {
                    self.wrong_constant = Some(Box::new((i, value)));
                }
            }
            return;
        }
    }

    /// Generated code: a field failed to read; the entries not yet met go
    /// through [`other`](Self::other), so that the error can name the
    /// item's key.
    #[cold]
    pub fn failed(
        &mut self,
        error: CodecError,
        rest: std::collections::hash_map::IntoIter<String, AttributeValue>,
    ) -> CodecError {
        for (name, value) in rest {
            self.other(name, value);
        }
        error
    }

    /// Generated code: the key fields' attributes, parsed from the keys
    /// met (an item written by another tool may hold them in its keys
    /// only). On failure the reason is kept, and the table's codec reports
    /// it as its two-pass decode does.
    pub fn recovered(&mut self) -> std::result::Result<Item, CodecError> {
        let mut item = Item::new();
        self.recover_into(&mut item)?;
        Ok(item)
    }

    /// Inserts into `item` the key fields' attributes it lacks, parsed from
    /// the keys met.
    fn recover_into(&mut self, item: &mut Item) -> std::result::Result<(), CodecError> {
        // No key: reported by the codec as missing.
        let (Some(of), Some(pk)) = (self.of, self.pk.as_deref()) else {
            return Ok(());
        };
        let mut recovered = recover_fields(of.pk, of.pk_attribute, pk, item);
        if let (Ok(()), Some(template), Some(attr), Some(sk)) =
            (&recovered, of.sk, of.sk_attribute, self.sk.as_deref())
        {
            recovered = recover_fields(template, attr, sk, item);
        }
        recovered.map_err(|failure| {
            let error = CodecError::new(failure.1.clone());
            self.unrecovered = Some(Box::new(failure));
            error
        })
    }

    /// Separates an item's own attributes from what [`other`](Self::other)
    /// keeps, with the key fields it lacks recovered from the keys: the
    /// two-pass reading, for a codec that reads a whole item (serde's).
    pub(crate) fn own_attributes(&mut self, item: Item) -> std::result::Result<Item, CodecError> {
        let mut own = Item::with_capacity(item.len());
        for (name, value) in item {
            if self.is_other(&name) {
                self.other(name, value);
            } else {
                own.insert(name, value);
            }
        }
        self.recover_into(&mut own)?;
        Ok(own)
    }

    fn is_other(&self, name: &str) -> bool {
        let Some(of) = self.of else {
            return false;
        };
        name == of.pk_attribute
            || of.sk_attribute == Some(name)
            || of
                .indexes
                .iter()
                .any(|i| name == i.pk_attribute || i.sk_attribute == Some(name))
            || of.constants.iter().any(|c| name == c.name)
    }
}

/// Inserts the attribute of every template field the item lacks, parsed
/// from the key (attribute `key_attr`).
pub(crate) fn recover_fields(
    template: &Template,
    key_attr: &str,
    key: &str,
    item: &mut Item,
) -> std::result::Result<(), (Option<String>, String)> {
    if template.fields().all(|f| item.contains_key(f.attribute)) {
        return Ok(());
    }
    let values = template.match_key(key).ok_or_else(|| {
        (
            None,
            format!(
                "key attribute `{key_attr}` = `{key}` does not match the template `{}`",
                template.source()
            ),
        )
    })?;
    for (field, value) in template.fields().zip(values) {
        if !item.contains_key(field.attribute) {
            let attr = (field.decode)(value).map_err(|e| {
                (
                    Some(field.attribute.to_owned()),
                    format!(
                        "key attribute `{key_attr}` = `{key}`, field `{}`: {e}",
                        field.name
                    ),
                )
            })?;
            item.insert(field.attribute.to_owned(), attr);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::constant::ConstantValue;
    use crate::keys::template::Segment;

    const PK: Template = Template::__new("CONFIG", &[Segment::Literal("CONFIG")]);
    const CONSTANTS: &[Constant] = &[
        Constant {
            name: "kind",
            value: ConstantValue::S("note"),
            check: true,
        },
        Constant {
            name: "shape",
            value: ConstantValue::N("2"),
            check: true,
        },
        Constant {
            name: "origin",
            value: ConstantValue::S("app"),
            check: false,
        },
    ];

    fn declared() -> &'static Declared<'static> {
        Box::leak(Box::new(Declared {
            pk_attribute: "PK",
            sk_attribute: Some("SK"),
            key_names: (name_key("PK"), name_key("SK")),
            pk: &PK,
            sk: None,
            indexes: &[],
            constants: CONSTANTS,
        }))
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn other_keeps_the_keys_and_constants_and_drops_the_rest() {
        let mut keys = ItemKeys::new(declared(), false);
        keys.other("PK".into(), s("CONFIG"));
        keys.other("SK".into(), AttributeValue::N("1".into()));
        keys.other("kind".into(), s("note"));
        keys.other("origin".into(), s("elsewhere"));
        keys.other("extra".into(), s("dropped"));
        assert_eq!(keys.pk.as_deref(), Some("CONFIG"));
        // A key that is not a string is kept as missing.
        assert_eq!(keys.sk, None);
        assert_eq!(keys.constants, 0b01);
        // An unchecked constant with another value is no error.
        assert!(keys.wrong_constant.is_none());
    }

    #[test]
    fn the_wrong_constant_kept_is_the_first_declared() {
        let mut keys = ItemKeys::new(declared(), false);
        keys.other("shape".into(), AttributeValue::N("3".into()));
        keys.other("kind".into(), s("task"));
        let (at, value) = *keys.wrong_constant.expect("a wrong constant");
        assert_eq!((at, value), (0, s("task")));
    }

    /// Names of eight bytes or more can share a dispatch key (first three
    /// and last four bytes, length): the key attributes are then compared
    /// whole.
    #[test]
    fn long_key_names_are_compared_whole() {
        let declared: &'static Declared<'static> = Box::leak(Box::new(Declared {
            pk_attribute: "partition_key_long",
            sk_attribute: Some("sort_key_name"),
            key_names: (name_key("partition_key_long"), name_key("sort_key_name")),
            pk: &PK,
            sk: None,
            indexes: &[],
            constants: &[],
        }));
        let mut keys = ItemKeys::new(declared, false);
        // The same length, first three and last four bytes as the keys.
        for (name, twin) in [
            ("partitionXkey_long", "partition_key_long"),
            ("sorXXXXXXname", "sort_key_name"),
        ] {
            assert_eq!(name_key(name), name_key(twin));
            keys.other(name.into(), s("not a key"));
        }
        assert_eq!((keys.pk.as_deref(), keys.sk.as_deref()), (None, None));
        keys.other("partition_key_long".into(), s("P"));
        keys.other("sort_key_name".into(), s("S"));
        assert_eq!(
            (keys.pk.as_deref(), keys.sk.as_deref()),
            (Some("P"), Some("S"))
        );
        // Without a sort key, no name is taken for one.
        let declared: &'static Declared<'static> = Box::leak(Box::new(Declared {
            sk_attribute: None,
            key_names: (declared.key_names.0, u64::MAX),
            ..*declared
        }));
        let mut keys = ItemKeys::new(declared, false);
        keys.other("sort_key_name".into(), s("S"));
        keys.other(String::new(), s("S"));
        assert_eq!(keys.sk, None);
    }

    /// The generated read hands a string over as a string
    /// (`other_string`), anything else whole (`other`): both find the same
    /// keys and constants, and a value that is not a string is a key
    /// missing, whoever's name it shares a dispatch key with.
    #[test]
    fn strings_and_other_values_find_the_same_places() {
        let long: &'static Declared<'static> = Box::leak(Box::new(Declared {
            pk_attribute: "partition_key_long",
            sk_attribute: Some("SK"),
            key_names: (name_key("partition_key_long"), name_key("SK")),
            ..*declared()
        }));
        let mut keys = ItemKeys::new(long, false);
        keys.other_string("partition_key_long".into(), "P".into());
        keys.other_string("SK".into(), "S".into());
        keys.other_string("kind".into(), "note".into());
        // A twin of the long key's name, not a string: no key of its own.
        keys.other("partitionXkey_long".into(), AttributeValue::N("1".into()));
        keys.other("shape".into(), AttributeValue::N("2".into()));
        assert_eq!(
            (keys.pk.as_deref(), keys.sk.as_deref()),
            (Some("P"), Some("S"))
        );
        assert_eq!(keys.constants, 0b11);
        keys.other("partition_key_long".into(), AttributeValue::N("1".into()));
        keys.other("SK".into(), AttributeValue::Bool(true));
        assert_eq!((keys.pk.as_deref(), keys.sk.as_deref()), (None, None));
        // A checked constant's value as another type is a wrong constant.
        keys.other("kind".into(), AttributeValue::N("1".into()));
        let (at, value) = *keys.wrong_constant.expect("a wrong constant");
        assert_eq!((at, value), (0, AttributeValue::N("1".into())));
        let mut detached = ItemKeys::detached();
        detached.other_string("PK".into(), "CONFIG".into());
        assert_eq!(detached.pk, None);
    }

    #[test]
    fn a_detached_gathering_keeps_nothing() {
        let mut keys = ItemKeys::detached();
        keys.other("PK".into(), s("CONFIG"));
        assert_eq!(keys.pk, None);
        assert_eq!(keys.recovered().map(|item| item.len()).ok(), Some(0));
    }

    #[test]
    fn a_failed_read_still_meets_the_keys_left() {
        let mut keys = ItemKeys::new(declared(), false);
        let rest: Item = [("PK".to_owned(), s("CONFIG")), ("title".to_owned(), s("x"))]
            .into_iter()
            .collect();
        let error = keys.failed(CodecError::new("bad field"), rest.into_iter());
        assert_eq!(error.message(), "bad field");
        assert_eq!(keys.pk.as_deref(), Some("CONFIG"));
    }

    #[test]
    fn own_attributes_splits_the_item_the_way_other_does() {
        let mut keys = ItemKeys::new(declared(), false);
        let item: Item = [
            ("PK".to_owned(), s("CONFIG")),
            ("SK".to_owned(), s("A")),
            ("kind".to_owned(), s("note")),
            ("title".to_owned(), s("x")),
        ]
        .into_iter()
        .collect();
        let own = keys.own_attributes(item).expect("split");
        assert_eq!(own.keys().collect::<Vec<_>>(), ["title"]);
        assert_eq!(keys.pk.as_deref(), Some("CONFIG"));
        assert_eq!(keys.sk.as_deref(), Some("A"));
        assert_eq!(keys.constants, 0b01);
    }
}
