//! Entities to items and back.

use crate::foundation::attr_value::CodecError;
use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::foundation::item::{owned_name, Item};
use crate::foundation::limits::{MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::foundation::scratch::with_scratch;
use crate::keys::attribute_index::check_value;
use crate::keys::constant::Constant;
use crate::keys::entity::Entity;
use crate::keys::item_keys::{recover_fields, Declared, ItemKeys};
use crate::keys::revision::Revision;
use crate::keys::template::Template;
use crate::table::erased::{info, DynEntity, EntityInfo, KeyFields};
use crate::table::inner::{RenderedKey, TableInner};
use crate::table::upgrades::{self, Guards, WriteBack};
use aws_sdk_dynamodb::types::AttributeValue;

/// Whether decoding checks that an entity's keys are the item's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyCheck {
    Check,
    /// Only for measuring the check's cost.
    Skip,
}

impl TableInner {
    /// Encodes an entity as an item with its key attributes, and returns
    /// the rendered key (for error messages and batch bookkeeping) and the
    /// item's size by DynamoDB's rules.
    pub(crate) fn encode<E: Entity>(&self, entity: &E) -> Result<(Item, RenderedKey, usize)> {
        let (item, size) = self.encode_item(entity)?;
        let key = self.key_of(&item);
        Ok((item, key, size))
    }

    /// Encodes an entity as an item with its key attributes, and its size.
    /// The rendered keys move into the item: nothing is copied on the way.
    pub(crate) fn encode_item<E: Entity>(&self, entity: &E) -> Result<(Item, usize)> {
        if const { plain(info::<E>()) } {
            return self.encode_plain(info::<E>(), entity);
        }
        self.encode_erased(info::<E>(), entity)
    }

    /// [`encode_erased`](Self::encode_erased) for an entity that declares
    /// nothing past its table keys: no version, revision, expiry, kept
    /// timestamps, indexes or constants. Typed, so the writers are called
    /// directly and in line; errors leave through the untyped body.
    #[inline]
    fn encode_plain<E: Entity>(&self, e: &EntityInfo, entity: &E) -> Result<(Item, usize)> {
        // In line here, so the writers behind the trait object are called
        // as the type's own.
        let Ok(RenderedKey { pk, sk }) = self.render(e, entity) else {
            return self.encode_erased(e, entity);
        };
        let Ok((mut item, mut size)) = own_attributes(entity, 2) else {
            return self.encode_erased(e, entity);
        };
        size += self.pk.len() + pk.len();
        let mut clash = item
            .insert(owned_name(&self.pk), AttributeValue::S(pk))
            .is_some();
        if let (Some(attr), Some(sk)) = (&self.sk, sk) {
            size += attr.len() + sk.len();
            clash |= item
                .insert(owned_name(attr), AttributeValue::S(sk))
                .is_some();
        }
        if clash || size > MAX_ITEM_BYTES {
            return self.encode_erased(e, entity);
        }
        Ok((item, size))
    }

    /// [`encode_item`](Self::encode_item)'s body for any entity, compiled
    /// once for every entity; a plain one's writes take
    /// [`encode_plain`](Self::encode_plain) unless they fail.
    pub(crate) fn encode_erased(
        &self,
        e: &EntityInfo,
        entity: &dyn DynEntity,
    ) -> Result<(Item, usize)> {
        let key = self.render(e, entity)?;
        let encode_error = |key: &RenderedKey, message: String| Error::Encode {
            entity: e.name,
            key: self.display(key),
            message,
        };
        // Every write stores the next version.
        let version = match e.version {
            Some(attr) => match entity.version().checked_add(1) {
                Some(next) => Some((attr, next)),
                None => {
                    return Err(encode_error(
                        &key,
                        "the version field is at u64::MAX".into(),
                    ))
                }
            },
            None => None,
        };
        // Room for the table keys, the version, two attributes per index
        // and the constants.
        let extra = 2
            + usize::from(e.version.is_some())
            + usize::from(e.revision.is_some())
            + 2 * e.indexes.len()
            + e.constants.len();
        // The size is counted while serializing, then kept up to date here.
        let (mut item, mut size) = entity
            .own_attributes(extra)
            .map_err(|e| encode_error(&key, e.to_string()))?;
        // Kept timestamps: the time of this write, whatever the value holds.
        let stamps = [e.created_at, e.updated_at];
        // Read once per write, and only by entities with kept timestamps.
        let now = match stamps {
            [None, None] => std::time::UNIX_EPOCH,
            _ => std::time::SystemTime::now(),
        };
        for stamp in stamps.into_iter().flatten() {
            let now = (stamp.at)(now)
                .map_err(|m| encode_error(&key, format!("`{}`: {m}", stamp.attribute)))?;
            size += crate::foundation::size::value_size(&now);
            match item.insert(owned_name(stamp.attribute), now) {
                Some(previous) => size -= crate::foundation::size::value_size(&previous),
                None => size += stamp.attribute.len(),
            }
        }
        if let Some(ttl) = e.ttl {
            if let Some(value) = item.remove(ttl.attribute) {
                let stored = ttl
                    .store(value.clone())
                    .map_err(|m| encode_error(&key, format!("expiry `{}`: {m}", ttl.attribute)))?;
                size = size + crate::foundation::size::value_size(&stored)
                    - crate::foundation::size::value_size(&value);
                item.insert(owned_name(ttl.attribute), stored);
            }
        }
        size += self.pk.len() + key.pk.len();
        if let (Some(attr), Some(sk)) = (&self.sk, &key.sk) {
            size += attr.len() + sk.len();
        }
        // An entity attribute with a key attribute's name is refused; the
        // insert itself tells (one hash per key, not two). The names are
        // copied at a length the compiler knows (`owned_name`).
        let pk_clash = item
            .insert(owned_name(&self.pk), AttributeValue::S(key.pk))
            .is_some();
        let sk_clash = match (&self.sk, key.sk) {
            (Some(attr), Some(sk)) => item
                .insert(owned_name(attr), AttributeValue::S(sk))
                .is_some(),
            _ => false,
        };
        if pk_clash || sk_clash {
            let attr = if pk_clash {
                Some(&self.pk)
            } else {
                self.sk.as_ref()
            };
            return Err(encode_error(
                &self.key_of(&item),
                format!(
                    "the entity has an attribute named `{}`, which is the table's key attribute",
                    attr.map_or("", String::as_str)
                ),
            ));
        }
        if let Some((attr, next)) = version {
            let next = AttributeValue::N(next.to_string());
            size += attr.len() + crate::foundation::size::value_size(&next);
            if let Some(previous) = item.insert(owned_name(attr), next) {
                size -= attr.len() + crate::foundation::size::value_size(&previous);
            }
        }
        for (i, index) in e.indexes.iter().enumerate() {
            let (mut pk, mut sk) = (String::new(), String::new());
            if !entity.write_index(i, &mut pk, &mut sk)? {
                continue; // sparse: an optional field is None
            }
            self.check_len_of(e.name, index.pk_attribute, &pk, MAX_PARTITION_KEY_BYTES)?;
            let mut attrs = vec![(index.pk_attribute, pk)];
            if let Some(attr) = index.sk_attribute {
                self.check_len_of(e.name, attr, &sk, MAX_SORT_KEY_BYTES)?;
                attrs.push((attr, sk));
            }
            for (attr, value) in attrs {
                size += attr.len() + value.len();
                if item
                    .insert(owned_name(attr), AttributeValue::S(value))
                    .is_some()
                {
                    return Err(encode_error(&self.key_of(&item), format!(
                        "the entity has an attribute named `{attr}`, which is index `{}`'s key attribute",
                        index.name
                    )));
                }
            }
        }
        for index in e.attribute_indexes {
            for attribute in index.attributes() {
                match item.get(attribute.name) {
                    None => {}
                    // An optional key field that is `None`: the item stays
                    // out of the (sparse) index; DynamoDB refuses NULL keys.
                    Some(AttributeValue::Null(_)) => {
                        if let Some(null) = item.remove(attribute.name) {
                            size -=
                                attribute.name.len() + crate::foundation::size::value_size(&null);
                        }
                    }
                    Some(value) => check_value(e.name, index.name, attribute, value)?,
                }
            }
        }
        for constant in e.constants {
            let value = constant.value.to_attribute();
            size += constant.name.len() + crate::foundation::size::value_size(&value);
            if item.insert(owned_name(constant.name), value).is_some() {
                return Err(encode_error(
                    &self.key_of(&item),
                    format!(
                        "the constant attribute `{}` is also a key attribute of the table or an index",
                        constant.name
                    ),
                ));
            }
        }
        if let Some(revision) = e.revision {
            let value = AttributeValue::N(revision.current.to_string());
            size += revision.attribute.len() + crate::foundation::size::value_size(&value);
            if item.insert(owned_name(revision.attribute), value).is_some() {
                return Err(encode_error(
                    &self.key_of(&item),
                    format!(
                        "the revision attribute `{}` is also a key attribute of the table or an index",
                        revision.attribute
                    ),
                ));
            }
        }
        debug_assert_eq!(
            size,
            crate::foundation::size::item_size(&item),
            "counted size"
        );
        if size > MAX_ITEM_BYTES {
            return Err(Error::ItemTooLarge {
                entity: e.name,
                key: self.display(&self.key_of(&item)),
                size,
                max: MAX_ITEM_BYTES,
            });
        }
        Ok((item, size))
    }

    /// The key of an item this table encoded.
    fn key_of(&self, item: &Item) -> RenderedKey {
        let string = |attr: &str| match item.get(attr) {
            Some(AttributeValue::S(s)) => s.clone(),
            _ => String::new(),
        };
        RenderedKey {
            pk: string(&self.pk),
            sk: self.sk.as_deref().map(string),
        }
    }

    /// Decodes an item into an entity. Key fields missing from the item (as
    /// in items written by other tools) are recovered from its keys, and the
    /// entity's own keys must be the item's.
    pub(crate) fn decode<E: Entity>(&self, item: Item) -> Result<E> {
        self.decode_with(item, KeyCheck::Check)
    }

    /// [`decode`](Self::decode), with the key check chosen: skipping it is
    /// for the codec benchmark's measure of its cost only.
    ///
    /// A plain entity ([`plain`]) is read by the typed
    /// [`decode_plain`](Self::decode_plain); any other by the untyped body,
    /// generic only where the value is made ([`Slot`]) and compiled once
    /// for every entity.
    pub(crate) fn decode_with<E: Entity>(&self, item: Item, check: KeyCheck) -> Result<E> {
        if const { plain(info::<E>()) } {
            return self.decode_plain(item, check);
        }
        self.decode_untyped(item, check)
    }

    /// [`decode_with`](Self::decode_with) through the untyped body every
    /// entity can take (the typed path of a plain entity is held to it by
    /// a property test).
    pub(crate) fn decode_untyped<E: Entity>(&self, item: Item, check: KeyCheck) -> Result<E> {
        let mut slot: Option<E> = None;
        self.decode_into(info::<E>(), item, check, &mut slot)?;
        slot.ok_or_else(|| Error::Decode {
            entity: E::NAME,
            key: Default::default(),
            field: None,
            message: "the codec returned no value".into(),
        })
    }

    /// [`decode_with`](Self::decode_with)'s body: the value goes to `slot`.
    fn decode_into(
        &self,
        e: &EntityInfo,
        mut item: Item,
        check: KeyCheck,
        slot: &mut dyn Slot,
    ) -> Result<()> {
        if one_pass(e) {
            return self.decode_in_one_pass(e, item, check, slot);
        }
        let stored = self.read_keys(e, &mut item, check)?;
        let mut read = stored.reading(check, self.check_index_keys);
        // The revision the item was written at: this code's, or an older
        // one read as the type declared for it and converted.
        let write_back = match e.revision {
            None => {
                self.own(e, &read, item, slot)?;
                None
            }
            Some(revision) => {
                let (found, guards) = self.revision_of(e, revision, &read, &mut item)?;
                if found == revision.current {
                    self.own(e, &read, item, slot)?;
                    None
                } else {
                    slot.upgrade(found, item)
                        .ok_or_else(|| no_revision_type(e, revision, found))
                        .and_then(|upgraded| upgraded)
                        .map_err(|(f, m)| {
                            read.error(self, e, f, format!("read at revision {found}: {m}"))
                        })?;
                    read.upgraded = true;
                    guards
                }
            }
        };
        match slot.entity() {
            Some(entity) => self.after_decode(e, &read, entity, write_back),
            None => Ok(()),
        }
    }

    /// [`decode_into`](Self::decode_into) for an entity read in one pass:
    /// the generated decoder hands over the keys as it meets them.
    #[inline]
    fn decode_in_one_pass(
        &self,
        e: &EntityInfo,
        item: Item,
        check: KeyCheck,
        slot: &mut dyn Slot,
    ) -> Result<()> {
        let compare_index_keys =
            check == KeyCheck::Check && self.check_index_keys && !e.indexes.is_empty();
        let declared = self.declared(e);
        let mut keys = ItemKeys::new(&declared, compare_index_keys);
        let fields = slot.read_keyed(item, &mut keys);
        let rare = (keys.wrong_constant.take(), keys.unrecovered.take());
        // The keys stay where they were gathered; the reading borrows them.
        let read = Reading {
            pk: keys.pk.as_deref(),
            sk: self.sk.as_ref().map(|_| keys.sk.as_deref()),
            index_keys: &keys.index_keys,
            check,
            compare_index_keys,
            upgraded: false,
        };
        self.keys_met(e, &read, keys.constants, rare)?;
        fields.map_err(|err| read.error(self, e, err.path(), err.message().to_owned()))?;
        match slot.entity() {
            Some(entity) => self.after_decode(e, &read, entity, None),
            None => Ok(()),
        }
    }

    /// [`decode_in_one_pass`](Self::decode_in_one_pass) for an entity that
    /// declares nothing past its table keys ([`plain`]): typed, so the
    /// generated read and the in-place key check are called directly and
    /// in line; what fails goes to the untyped steps for its error.
    #[inline]
    fn decode_plain<E: Entity>(&self, item: Item, check: KeyCheck) -> Result<E> {
        let e = info::<E>();
        let declared = self.declared(e);
        let mut keys = ItemKeys::new(&declared, false);
        // Read straight into the value: no slot to move it through.
        let fields = read_keyed::<E>(item, &mut keys);
        // Taken apart, so that what is left is dropped field by field in
        // line, not by the gathering's whole drop (a call per item).
        let ItemKeys {
            pk,
            sk,
            unrecovered,
            index_keys,
            ..
        } = keys;
        // Not kept for a plain entity, so empty, without an allocation:
        // forgotten, as its drop is a call per item (`BENCHMARKS.md` §1,
        // "One loop, one iterator").
        if index_keys.capacity() == 0 {
            std::mem::forget(index_keys);
        }
        // No constants are declared, so none can have another value: of
        // `keys_met`'s checks, the keys present and the key fields
        // recovered are left, in that order.
        let read = Reading {
            pk: pk.as_deref(),
            sk: self.sk.as_ref().map(|_| sk.as_deref()),
            index_keys: &[],
            check,
            compare_index_keys: false,
            upgraded: false,
        };
        self.keys_present(e, &read)?;
        if let Some(failure) = unrecovered {
            let (field, message) = *failure;
            return Err(read.error(self, e, field, message));
        }
        let entity =
            fields.map_err(|err| read.error(self, e, err.path(), err.message().to_owned()))?;
        if check == KeyCheck::Check {
            let (pk, sk) = (read.pk.unwrap_or_default(), read.sk_value(e));
            let checked_sk = match (&e.sk, &self.sk) {
                (Some(_), Some(_)) => sk,
                _ => None,
            };
            if !entity.__keys_are(pk, checked_sk) {
                self.check_keys_rendered(e, &entity, pk, sk)
                    .map_err(|(f, m)| read.error(self, e, f, m))?;
            }
        }
        Ok(entity)
    }

    /// What an item of `e` in this table is keyed by.
    fn declared<'a>(&'a self, e: &'a EntityInfo) -> Declared<'a> {
        Declared {
            pk_attribute: &self.pk,
            sk_attribute: self.sk.as_deref(),
            key_names: self.key_names,
            pk: &e.pk,
            sk: e.sk.as_ref(),
            indexes: e.indexes,
            constants: e.constants,
        }
    }

    /// The keys a one-pass read met, checked as [`read_keys`](Self::read_keys)
    /// checks them: every checked constant present with its value (one
    /// bit each in `constants`, the first with another value and a key
    /// field not recovered in `rare`), the keys present (strings), the key
    /// fields recovered.
    fn keys_met(
        &self,
        e: &EntityInfo,
        read: &Reading,
        constants: u64,
        rare: RareOutcomes,
    ) -> Result<()> {
        let (wrong_constant, unrecovered) = rare;
        for (i, constant) in e.constants.iter().enumerate() {
            if !constant.check || constants & (1 << i) != 0 {
                continue;
            }
            let found = wrong_constant.filter(|found| found.0 == i);
            let message = constant_message(constant, found.as_ref().map(|found| &found.1));
            return Err(read.error(self, e, Some(constant.name.to_owned()), message));
        }
        self.keys_present(e, read)?;
        if let Some(failure) = unrecovered {
            let (field, message) = *failure;
            return Err(read.error(self, e, field, message));
        }
        Ok(())
    }

    /// The entity from its own attributes (the expiry read back from its
    /// stored form first).
    fn own(
        &self,
        e: &EntityInfo,
        read: &Reading,
        mut item: Item,
        slot: &mut dyn Slot,
    ) -> Result<()> {
        self.load_ttl(e, read, &mut item)?;
        slot.read(item)
            .map_err(|err| read.error(self, e, err.path(), err.message().to_owned()))
    }

    fn load_ttl(&self, e: &EntityInfo, read: &Reading, item: &mut Item) -> Result<()> {
        if let Some(ttl) = e.ttl {
            if let Some(value) = item.remove(ttl.attribute) {
                let value = ttl
                    .load(value)
                    .map_err(|m| read.error(self, e, Some(ttl.attribute.to_owned()), m))?;
                item.insert(owned_name(ttl.attribute), value);
            }
        }
        Ok(())
    }

    /// Takes the key attributes (table and index keys) and the constants
    /// out of an item, checks them, and puts back the key fields an item
    /// written by another tool lacks: what is left is the entity's own
    /// attributes.
    fn read_keys(&self, e: &EntityInfo, item: &mut Item, check: KeyCheck) -> Result<StoredKeys> {
        // The index keys as stored, kept only when they are compared after
        // decoding with those the decoded value renders (no allocation for
        // entities without indexes, or reads that do not compare them).
        let compare_index_keys = check == KeyCheck::Check && self.check_index_keys;
        let mut index_keys = Vec::new();
        for index in e.indexes {
            let pk = item.remove(index.pk_attribute);
            let sk = index.sk_attribute.and_then(|attr| item.remove(attr));
            if compare_index_keys {
                index_keys.push((pk, sk));
            }
        }
        let stored = StoredKeys {
            pk: take_key(item, &self.pk),
            sk: self.sk.as_ref().map(|attr| take_key(item, attr)),
            index_keys,
        };
        let read = stored.reading(check, self.check_index_keys);
        for constant in e.constants {
            let found = item.remove(constant.name);
            if constant.check && !found.as_ref().is_some_and(|v| constant.value.matches(v)) {
                let message = constant_message(constant, found.as_ref());
                return Err(read.error(self, e, Some(constant.name.to_owned()), message));
            }
        }
        self.keys_present(e, &read)?;
        let pk_value = read.pk.unwrap_or_default();
        // Items this library wrote carry every key field; only items from
        // other tools need them recovered from the keys.
        if lacks_key_fields(e, item) {
            recover_fields(&e.pk, &self.pk, pk_value, item)
                .map_err(|(f, m)| read.error(self, e, f, m))?;
            if let (Some(template), Some(attr), Some(sk)) = (&e.sk, &self.sk, read.sk_value(e)) {
                recover_fields(template, attr, sk, item)
                    .map_err(|(f, m)| read.error(self, e, f, m))?;
            }
        }
        Ok(stored)
    }

    /// Refuses an item without its keys (or with keys that are not
    /// strings).
    #[inline]
    fn keys_present(&self, e: &EntityInfo, read: &Reading) -> Result<()> {
        match (&read.pk, &e.sk, &read.sk) {
            (None, _, _) | (Some(_), Some(_), Some(None)) => Err(self.key_missing(e, read)),
            _ => Ok(()),
        }
    }

    /// [`keys_present`](Self::keys_present)'s error, out of the read's way.
    #[cold]
    fn key_missing(&self, e: &EntityInfo, read: &Reading) -> Error {
        if read.pk.is_none() {
            return read.error(
                self,
                e,
                Some(self.pk.clone()),
                "missing string key attribute".into(),
            );
        }
        read.error(
            self,
            e,
            self.sk.clone(),
            "missing string key attribute".into(),
        )
    }

    /// The revision an item of an entity with revisions was written at,
    /// refused when newer than this model's; with, when an upgrade is to
    /// be written back, the attributes that write requires unchanged.
    fn revision_of(
        &self,
        e: &EntityInfo,
        revision: Revision,
        read: &Reading,
        item: &mut Item,
    ) -> Result<(u64, Option<Guards>)> {
        let stored = item.remove(revision.attribute);
        let found = revision
            .of(stored.as_ref())
            .map_err(|m| read.error(self, e, Some(revision.attribute.to_owned()), m))?;
        if found > revision.current {
            return Err(read.error(
                self,
                e,
                Some(revision.attribute.to_owned()),
                format!(
                    "the item was written at revision {found}, newer than this model's revision {}: it is left as it is",
                    revision.current
                ),
            ));
        }
        let mut write_back = None;
        if found < revision.current && revision.write_back && upgrades::is_collecting() {
            // What the write-back requires unchanged: the attributes as
            // read, before the old shape is consumed.
            let mut guards = vec![(revision.attribute, stored)];
            if let Some(attr) = e.version {
                guards.push((attr, item.get(attr).cloned()));
            }
            write_back = Some(guards);
        }
        Ok((found, write_back))
    }

    /// After decoding: the decoded value's keys checked against the item's,
    /// and an upgraded item's write-back queued. The common case in line
    /// (the table keys match in place, no index keys to compare, nothing
    /// to write back); the rest in [`after_decode_rest`](Self::after_decode_rest).
    /// Always in line: with `#[inline]` alone a tiny item's round trip
    /// took 54 instructions more (callgrind).
    #[inline(always)]
    fn after_decode(
        &self,
        e: &EntityInfo,
        read: &Reading,
        entity: &dyn DynEntity,
        write_back: Option<Guards>,
    ) -> Result<()> {
        let checked = read.check == KeyCheck::Check;
        // An item upgraded from an older revision was written under the
        // older model's index templates: declared, and rewritten by its
        // write-back or backfill.
        let index_keys =
            checked && read.compare_index_keys && !read.upgraded && !e.indexes.is_empty();
        let keys_in_place = !checked
            || self.keys_in_place(e, entity, read.pk.unwrap_or_default(), read.sk_value(e));
        if keys_in_place && !index_keys && write_back.is_none() {
            return Ok(());
        }
        self.after_decode_rest(e, read, entity, write_back, keys_in_place, index_keys)
    }

    /// [`after_decode`](Self::after_decode) past its common case: the
    /// table keys rendered and compared (unless they matched in place),
    /// the index keys compared, the write-back queued.
    fn after_decode_rest(
        &self,
        e: &EntityInfo,
        read: &Reading,
        entity: &dyn DynEntity,
        write_back: Option<Guards>,
        keys_in_place: bool,
        index_keys: bool,
    ) -> Result<()> {
        if !keys_in_place {
            let pk = read.pk.unwrap_or_default();
            self.check_keys_rendered(e, entity, pk, read.sk_value(e))
                .map_err(|(f, m)| read.error(self, e, f, m))?;
        }
        if index_keys {
            check_index_keys(e, entity, read.index_keys)
                .map_err(|(f, m)| read.error(self, e, f, m))?;
        }
        if let Some(guards) = write_back {
            let (item, _) = self.encode_erased(e, entity)?;
            upgrades::push(WriteBack {
                entity: e.name,
                item,
                guards,
            });
        }
        Ok(())
    }

    /// Checks that the decoded entity's own keys are the keys it was read
    /// under: a key segment in another format than the field's, or a key
    /// field whose attribute disagrees with the key, would make a write of
    /// the value address another item.
    pub(crate) fn check_keys<E: Entity>(
        &self,
        entity: &E,
        pk: &str,
        sk: Option<&str>,
    ) -> std::result::Result<(), (Option<String>, String)> {
        self.check_keys_of(info::<E>(), entity, pk, sk)
    }

    #[inline]
    fn check_keys_of(
        &self,
        e: &EntityInfo,
        entity: &dyn DynEntity,
        pk: &str,
        sk: Option<&str>,
    ) -> std::result::Result<(), (Option<String>, String)> {
        if self.keys_in_place(e, entity, pk, sk) {
            return Ok(());
        }
        self.check_keys_rendered(e, entity, pk, sk)
    }

    /// [`check_keys_of`](Self::check_keys_of)'s first step: segment by
    /// segment, in place. Keys whose every field is certainly its value's
    /// segment are the keys the entity writes; `false` leaves them to the
    /// rendering, which may still find them equal.
    #[inline]
    fn keys_in_place(
        &self,
        e: &EntityInfo,
        entity: &dyn DynEntity,
        pk: &str,
        sk: Option<&str>,
    ) -> bool {
        let checked_sk = match (&e.sk, &self.sk) {
            (Some(_), Some(_)) => sk,
            _ => None,
        };
        entity.keys_are(pk, checked_sk)
    }

    /// [`check_keys_of`](Self::check_keys_of) for keys the in-place steps
    /// could not match: both rendered and compared, the difference named.
    #[cold]
    fn check_keys_rendered(
        &self,
        e: &EntityInfo,
        entity: &dyn DynEntity,
        pk: &str,
        sk: Option<&str>,
    ) -> std::result::Result<(), (Option<String>, String)> {
        // Rendered into the per-thread scratch strings, not a fresh
        // allocation per item.
        with_scratch(|rendered, _| {
            let written = entity.write_pk(rendered);
            if written.is_err() || *rendered != pk {
                return Err(key_mismatch(
                    &e.pk,
                    &self.pk,
                    pk,
                    written.map(|()| &**rendered),
                ));
            }
            if let (Some(template), Some(attr), Some(sk)) = (&e.sk, &self.sk, sk) {
                rendered.clear();
                let written = entity.write_sk(rendered);
                if written.is_err() || *rendered != sk {
                    return Err(key_mismatch(
                        template,
                        attr,
                        sk,
                        written.map(|()| &**rendered),
                    ));
                }
            }
            Ok(())
        })
    }
}

/// Checks that each index key attribute of the item is exactly what the
/// decoded value renders for it (and that an item out of a sparse index
/// carries none): a put-back of the value then leaves every index key as it
/// was. `stored` holds each index's stored (pk, sk) attributes, in
/// [`Entity::INDEXES`] order.
fn check_index_keys(
    e: &EntityInfo,
    entity: &dyn DynEntity,
    stored: &[(Option<AttributeValue>, Option<AttributeValue>)],
) -> std::result::Result<(), (Option<String>, String)> {
    // In place first, as the table keys are: every index key present and
    // certainly the value's (an index the value is out of, or a key the
    // steps cannot match, goes to the rendering, which names the
    // difference).
    fn text(value: &Option<AttributeValue>) -> Option<&str> {
        match value {
            Some(AttributeValue::S(s)) => Some(s.as_str()),
            _ => None,
        }
    }
    let in_place = e
        .indexes
        .iter()
        .zip(stored)
        .enumerate()
        .all(|(i, (index, (pk, sk)))| {
            let sk = match (index.sk_attribute, &index.sk) {
                (Some(_), Some(_)) => match text(sk) {
                    Some(sk) => Some(sk),
                    None => return false,
                },
                _ => None,
            };
            text(pk).is_some_and(|pk| entity.index_keys_are(i, pk, sk))
        });
    if in_place {
        return Ok(());
    }
    check_index_keys_rendered(e, entity, stored)
}

/// [`check_index_keys`] for keys the in-place steps could not match.
#[cold]
fn check_index_keys_rendered(
    e: &EntityInfo,
    entity: &dyn DynEntity,
    stored: &[(Option<AttributeValue>, Option<AttributeValue>)],
) -> std::result::Result<(), (Option<String>, String)> {
    // Rendered into the per-thread scratch strings: no allocation per read.
    with_scratch(|pk, sk| check_index_keys_in(e, entity, stored, pk, sk))
}

fn check_index_keys_in(
    e: &EntityInfo,
    entity: &dyn DynEntity,
    stored: &[(Option<AttributeValue>, Option<AttributeValue>)],
    pk: &mut String,
    sk: &mut String,
) -> std::result::Result<(), (Option<String>, String)> {
    for (i, (index, (stored_pk, stored_sk))) in e.indexes.iter().zip(stored).enumerate() {
        pk.clear();
        sk.clear();
        let in_index = match entity.write_index(i, pk, sk) {
            Ok(in_index) => in_index,
            Err(e) => {
                let field = match &e {
                    Error::InvalidKey { field, .. } => index
                        .pk
                        .fields()
                        .chain(index.sk.iter().flat_map(|t| t.fields()))
                        .find(|f| f.name == *field)
                        .map(|f| f.attribute.to_owned()),
                    _ => None,
                };
                return Err((
                    field,
                    format!(
                        "index `{}`: the decoded value has no index key: {e}",
                        index.name
                    ),
                ));
            }
        };
        let sk_key = index
            .sk_attribute
            .zip(index.sk.as_ref())
            .map(|(attr, template)| (attr, template, stored_sk, &*sk));
        let keys = [
            Some((index.pk_attribute, &index.pk, stored_pk, &*pk)),
            sk_key,
        ];
        for (attr, template, stored, rendered) in keys.into_iter().flatten() {
            let stored_text = match stored {
                Some(AttributeValue::S(s)) => Some(s.as_str()),
                _ => None,
            };
            match (in_index, stored, stored_text) {
                (true, _, Some(text)) if text == rendered.as_str() => {}
                (false, None, _) => {}
                (true, _, Some(text)) => {
                    let (field, message) = key_mismatch(template, attr, text, Ok(rendered.as_str()));
                    return Err((
                        field,
                        format!(
                            "index `{}`: {message}; the decoded value renders `{rendered}` (a put-back would rewrite it)",
                            index.name
                        ),
                    ));
                }
                (true, None, _) => {
                    return Err((
                        None,
                        format!(
                            "index `{}`: the item lacks key attribute `{attr}`; the decoded value renders `{rendered}` (a put-back would add it)",
                            index.name
                        ),
                    ))
                }
                (true, Some(other), None) => {
                    return Err((
                        None,
                        format!(
                            "index `{}`: key attribute `{attr}` is {other:?}, not the string `{rendered}` the decoded value renders",
                            index.name
                        ),
                    ))
                }
                (false, Some(other), _) => {
                    let fields: Vec<&str> = template.fields().map(|f| f.attribute).collect();
                    return Err((
                        None,
                        format!(
                            "index `{}`: the item has key attribute `{attr}` = {other:?}, but the decoded value is out of the index (an optional field of `{}` is absent: {}); a put-back would remove it. Name the index in `partial_indexes` if absent fields are written as partial keys",
                            index.name,
                            template.source(),
                            fields.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Why an item's stored key (`key_attr` = `stored`) is not the key its
/// decoded value renders to: the field, and a message naming the key
/// attribute, the segment and the expected format. Runs only on failure.
fn key_mismatch(
    template: &Template,
    key_attr: &str,
    stored: &str,
    rendered: Result<&str>,
) -> (Option<String>, String) {
    let rendered = match rendered {
        Ok(rendered) => rendered,
        Err(Error::InvalidKey { field, reason, .. }) => {
            let attribute = template
                .fields()
                .find(|f| f.name == field)
                .map(|f| f.attribute.to_owned());
            return (
                attribute,
                format!("field `{field}` cannot be part of key attribute `{key_attr}` = `{stored}`: {reason}"),
            );
        }
        Err(other) => return (None, other.to_string()),
    };
    let (Some(stored_values), Some(rendered_values)) =
        (template.match_key(stored), template.match_key(rendered))
    else {
        return (
            None,
            format!(
                "key attribute `{key_attr}` = `{stored}` does not match the template `{}`",
                template.source()
            ),
        );
    };
    let differing = template
        .fields()
        .zip(stored_values.into_iter().zip(rendered_values))
        .find(|(_, (s, r))| s != r);
    let Some((field, (segment, from_attribute))) = differing else {
        return (None, format!("key attribute `{key_attr}` = `{stored}` is not the key `{rendered}` of the decoded value"));
    };
    let message = match (field.decode)(segment) {
        Err(reason) => format!(
            "key attribute `{key_attr}` = `{stored}`, field `{}`: {reason}",
            field.name
        ),
        Ok(_) => format!(
            "key attribute `{key_attr}` = `{stored}` holds `{segment}` for field `{}`, but the item's attribute `{}` gives `{from_attribute}`: a write of this value would address another item",
            field.name, field.attribute
        ),
    };
    (Some(field.attribute.to_owned()), message)
}

/// The entity's own attributes, written by its codec (see
/// [`Codec`](crate::keys::entity::Codec)).
///
/// In debug builds with the `check-codec` feature (meant for
/// dev-dependencies) a generated codec's item is compared with the one the
/// type's `Serialize` writes, when it has one, and a difference is an
/// error: a type with a hand-written `Serialize` that the derive could not
/// see is never bypassed silently in tests.
pub(crate) fn own_attributes<E: Entity>(
    entity: &E,
    extra: usize,
) -> std::result::Result<(Item, usize), CodecError> {
    let written = entity.__to_item(extra);
    #[cfg(all(debug_assertions, feature = "check-codec"))]
    if let Some(serde) = by_serde::<E>() {
        let by_serde = (serde.to_item)(entity, extra);
        let same = match (&written, &by_serde) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a.to_string() == b.to_string(),
            _ => false,
        };
        if !same {
            return Err(codec_disagreement(E::NAME, "writes", &written, &by_serde));
        }
    }
    written
}

/// The entity read from its own attributes by its codec; in debug builds
/// with `check-codec` a generated codec's reading is compared with
/// serde's, as
/// [`own_attributes`] compares writing.
pub(crate) fn from_own_attributes<E: Entity>(item: Item) -> std::result::Result<E, CodecError> {
    #[cfg(all(debug_assertions, feature = "check-codec"))]
    if let Some(serde) = by_serde::<E>() {
        let by_serde = (serde.from_item)(item.clone());
        let read = E::__from_item(item);
        if let Some(disagreement) = disagreement(&serde, &read, by_serde) {
            return Err(disagreement);
        }
        return read;
    }
    E::__from_item(item)
}

/// The type's serde impls, for a generated codec to be compared with;
/// `None` for a type left to serde (nothing to compare) or without them.
#[cfg(all(debug_assertions, feature = "check-codec"))]
fn by_serde<E: Entity>() -> Option<crate::foundation::attr_value::stored::SerdeFns<E>> {
    match E::CODEC {
        crate::keys::entity::Codec::Generated => E::__serde::<()>(),
        crate::keys::entity::Codec::Serde(_) => None,
    }
}

/// A generated codec's reading that differs from serde's, as an error.
/// Compared by what serde writes of each reading, up to the order of sets
/// and lists (two readings of one set are two hash sets, each with its own
/// order).
#[cfg(all(debug_assertions, feature = "check-codec"))]
fn disagreement<E: Entity>(
    serde: &crate::foundation::attr_value::stored::SerdeFns<E>,
    read: &std::result::Result<E, CodecError>,
    by_serde: std::result::Result<E, CodecError>,
) -> Option<CodecError> {
    let written = |r: &std::result::Result<E, CodecError>| match r {
        Ok(value) => canonical((serde.to_item)(value, 0).map_err(|e| e.to_string())),
        Err(e) => Err(format!("error: {e}")),
    };
    let (a, b) = (written(read), written(&by_serde));
    (a != b).then(|| codec_disagreement(E::NAME, "reads", &a, &b))
}

/// A value's text with the members of its sets and lists in one order.
#[cfg(all(debug_assertions, feature = "check-codec"))]
fn unordered(value: AttributeValue) -> String {
    let sorted = |mut members: Vec<String>| {
        members.sort();
        members.join(", ")
    };
    match value {
        AttributeValue::L(l) => format!("L[{}]", sorted(l.into_iter().map(unordered).collect())),
        AttributeValue::M(m) => {
            let mut entries: Vec<_> = m
                .into_iter()
                .map(|(k, v)| format!("{k:?}: {}", unordered(v)))
                .collect();
            entries.sort();
            format!("M{{{}}}", entries.join(", "))
        }
        AttributeValue::Ss(s) => format!("SS[{}]", sorted(s)),
        AttributeValue::Ns(n) => format!("NS[{}]", sorted(n)),
        AttributeValue::Bs(b) => format!(
            "BS[{}]",
            sorted(b.into_iter().map(|b| format!("{:?}", b.as_ref())).collect())
        ),
        other => format!("{other:?}"),
    }
}

/// An item written by serde, its entries in name order and its values as
/// [`unordered`] text: two readings that differ only in the order of a
/// set's members give the same.
#[cfg(all(debug_assertions, feature = "check-codec"))]
#[allow(clippy::type_complexity)]
fn canonical(
    written: std::result::Result<(Item, usize), String>,
) -> std::result::Result<(Vec<(String, String)>, usize), String> {
    written.map(|(item, size)| {
        let mut entries: Vec<_> = item
            .into_iter()
            .map(|(name, value)| (name, unordered(value)))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        (entries, size)
    })
}

#[cfg(all(debug_assertions, feature = "check-codec"))]
fn codec_disagreement(
    entity: &str,
    verb: &str,
    generated: &dyn std::fmt::Debug,
    by_serde: &dyn std::fmt::Debug,
) -> CodecError {
    CodecError::new(format!(
        "the generated codec of `{entity}` {verb} {generated:?}, but the type's serde impls give {by_serde:?}: a hand-written Serialize or Deserialize is read and written only with `#[truss(codec = \"serde\")]` (this check runs in debug builds with the `check-codec` feature)"
    ))
}

/// Where a decoded entity is made: the only part of decoding that is
/// generic over the entity.
trait Slot {
    /// Reads the entity from its own attributes.
    fn read(&mut self, item: Item) -> std::result::Result<(), CodecError>;
    /// Reads the entity from a whole item in one pass, the attributes that
    /// are not its own handed to `keys`.
    fn read_keyed(
        &mut self,
        item: Item,
        keys: &mut ItemKeys<'_>,
    ) -> std::result::Result<(), CodecError>;
    /// Reads an item of an older revision as the type declared for it and
    /// converts it; `None` when no type is declared for it.
    fn upgrade(
        &mut self,
        revision: u64,
        item: Item,
    ) -> Option<std::result::Result<(), (Option<String>, String)>>;
    /// The entity read.
    fn entity(&self) -> Option<&dyn DynEntity>;
}

impl<E: Entity> Slot for Option<E> {
    fn read(&mut self, item: Item) -> std::result::Result<(), CodecError> {
        *self = Some(from_own_attributes::<E>(item)?);
        Ok(())
    }

    fn read_keyed(
        &mut self,
        item: Item,
        keys: &mut ItemKeys<'_>,
    ) -> std::result::Result<(), CodecError> {
        *self = Some(read_keyed::<E>(item, keys)?);
        Ok(())
    }

    fn upgrade(
        &mut self,
        revision: u64,
        item: Item,
    ) -> Option<std::result::Result<(), (Option<String>, String)>> {
        E::__upgrade(revision, item).map(|upgraded| upgraded.map(|entity| *self = Some(entity)))
    }

    fn entity(&self) -> Option<&dyn DynEntity> {
        self.as_ref().map(|entity| entity as &dyn DynEntity)
    }
}

/// The entity read from a whole item in one pass, the attributes that
/// are not its own handed to `keys`; in debug builds with `check-codec`
/// compared with serde's reading of the item's own attributes (the
/// two-pass split), as [`from_own_attributes`] compares, but not when the
/// keys themselves fail, which the read reports first.
#[inline]
fn read_keyed<E: Entity>(
    item: Item,
    keys: &mut ItemKeys<'_>,
) -> std::result::Result<E, CodecError> {
    #[cfg(all(debug_assertions, feature = "check-codec"))]
    let copy = by_serde::<E>().map(|serde| (serde, item.clone()));
    let read = E::__from_item_keyed(item, keys);
    #[cfg(all(debug_assertions, feature = "check-codec"))]
    if let Some((serde, copy)) = copy {
        if let Ok(own) = keys.fresh().own_attributes(copy) {
            if let Some(disagreement) = disagreement(&serde, &read, (serde.from_item)(own)) {
                return Err(disagreement);
            }
        }
    }
    read
}

/// What a one-pass read gathered beside the keys: the first checked
/// constant with another value, and why the key fields could not be
/// recovered.
type RareOutcomes = (
    Option<Box<(usize, AttributeValue)>>,
    Option<Box<(Option<String>, String)>>,
);

/// An item's keys taken out of it by the two-pass decode.
struct StoredKeys {
    /// The partition key as stored (`None`: missing or not a string).
    pk: Option<String>,
    /// The sort key as stored, for a table with one.
    sk: Option<Option<String>>,
    /// Each index's stored (pk, sk) attributes, when they are compared.
    index_keys: Vec<(Option<AttributeValue>, Option<AttributeValue>)>,
}

impl StoredKeys {
    /// What the decode checks against these keys.
    fn reading(&self, check: KeyCheck, check_index_keys: bool) -> Reading<'_> {
        Reading {
            pk: self.pk.as_deref(),
            sk: self.sk.as_ref().map(Option::as_deref),
            index_keys: &self.index_keys,
            check,
            compare_index_keys: check == KeyCheck::Check && check_index_keys,
            upgraded: false,
        }
    }
}

/// What decoding keeps of an item's keys while the entity is read,
/// borrowed from where they were gathered (nothing to move or drop per
/// item).
struct Reading<'k> {
    /// The partition key as stored (`None`: missing or not a string).
    pk: Option<&'k str>,
    /// The sort key as stored, for a table with one.
    sk: Option<Option<&'k str>>,
    /// Each index's stored (pk, sk) attributes, when they are compared.
    index_keys: &'k [(Option<AttributeValue>, Option<AttributeValue>)],
    check: KeyCheck,
    compare_index_keys: bool,
    /// Read from an older revision.
    upgraded: bool,
}

impl Reading<'_> {
    /// The sort key, for an entity with a sort-key template.
    fn sk_value(&self, e: &EntityInfo) -> Option<&str> {
        match (&e.sk, self.sk) {
            (Some(_), Some(Some(sk))) => Some(sk),
            _ => None,
        }
    }

    /// A decode error naming the item's key (built only when reported:
    /// decoding stays allocation-free beyond the entity itself).
    fn error(
        &self,
        inner: &TableInner,
        e: &EntityInfo,
        field: Option<String>,
        message: String,
    ) -> Error {
        Error::Decode {
            entity: e.name,
            key: KeyDisplay::new(
                &inner.pk,
                self.pk.unwrap_or("?"),
                inner.sk.as_deref().zip(self.sk.map(|s| s.unwrap_or("?"))),
            ),
            field,
            message,
        }
    }
}

/// Why a checked constant refuses an item: it lacks the attribute
/// (`found` is `None`) or holds another value.
fn constant_message(constant: &Constant, found: Option<&AttributeValue>) -> String {
    match found {
        None => format!(
            "the item lacks the constant attribute `{}` = `{}`",
            constant.name,
            constant.value.text()
        ),
        Some(other) => format!(
            "the constant attribute `{}` is {other:?}, not `{}`",
            constant.name,
            constant.value.text()
        ),
    }
}

/// Whether an entity's items are read in one pass ([`ItemKeys`]): not when
/// the item's revision decides the type it is read as, nor when an expiry
/// is stored in another form than its field's.
/// Whether an entity declares nothing an item holds past its table keys
/// and its own attributes ([`TableInner::encode_plain`]).
const fn plain(e: &EntityInfo) -> bool {
    e.version.is_none()
        && e.revision.is_none()
        && e.ttl.is_none()
        && e.created_at.is_none()
        && e.updated_at.is_none()
        && e.indexes.is_empty()
        && e.attribute_indexes.is_empty()
        && e.constants.is_empty()
}

fn one_pass(e: &EntityInfo) -> bool {
    e.revision.is_none() && e.ttl.is_none() && e.constants.len() <= ItemKeys::MAX_CONSTANTS
}

/// The error for an item at an older revision its entity declares no
/// type for.
fn no_revision_type(e: &EntityInfo, revision: Revision, found: u64) -> (Option<String>, String) {
    (
        Some(revision.attribute.to_owned()),
        format!(
            "the item is at revision {found} and {} declares no type for it: add `from({found} = OldType)` to its `revision(...)`",
            e.name
        ),
    )
}

fn take_key(item: &mut Item, attr: &str) -> Option<String> {
    match item.remove(attr) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

impl TableInner {
    /// Puts into a projected item the key fields it lacks, read back from
    /// its table keys (an index projecting the keys only holds no other
    /// attribute): a projection's key fields then decode as an entity's do.
    pub(crate) fn recover_key_fields<E: Entity>(&self, item: &mut Item) -> Result<()> {
        self.recover_key_fields_of(info::<E>(), item)
    }

    fn recover_key_fields_of(&self, e: &EntityInfo, item: &mut Item) -> Result<()> {
        if !lacks_key_fields(e, item) {
            return Ok(());
        }
        let text = |item: &Item, attr: &str| match item.get(attr) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let error = |(field, message): (Option<String>, String)| Error::Decode {
            entity: e.name,
            key: Default::default(),
            field,
            message,
        };
        if let Some(pk) = text(item, &self.pk) {
            recover_fields(&e.pk, &self.pk, &pk, item).map_err(error)?;
        }
        if let (Some(template), Some(attr)) = (&e.sk, &self.sk) {
            if let Some(sk) = text(item, attr) {
                recover_fields(template, attr, &sk, item).map_err(error)?;
            }
        }
        Ok(())
    }
}

/// Whether the item lacks an attribute of a key field. This runs for every
/// item read: for items of up to 32 attributes, one pass over their names
/// compared with the (few) key fields' names is cheaper than a SipHash
/// lookup per key field (callgrind: about 260 instructions less per clip);
/// larger items take the lookups. The names were gathered at compile time
/// ([`KeyFields`]).
fn lacks_key_fields(e: &EntityInfo, item: &Item) -> bool {
    let by_lookups = || {
        e.pk.fields()
            .chain(e.sk.iter().flat_map(|t| t.fields()))
            .any(|f| !item.contains_key(f.attribute))
    };
    let names = match &e.key_fields {
        Some(fields) if item.len() <= 32 => fields.names(),
        _ => return by_lookups(),
    };
    if names.is_empty() {
        return false;
    }
    // A field named in both templates matches twice and sets both bits.
    let all = u8::MAX >> (KeyFields::MAX - names.len());
    let mut seen = 0u8;
    for name in item.keys() {
        for (i, wanted) in names.iter().enumerate() {
            if *wanted == name {
                seen |= 1 << i;
            }
        }
        if seen == all {
            return false;
        }
    }
    true
}
