//! Decoding one partition holding many entity types.

use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::{Entity, Partition};
use crate::keys::sort_key::SortCondition;
use crate::keys::template::{Index, Template};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;

/// What a [`Query`](crate::Query) can return: an [`Entity`] (implemented by
/// `#[derive(Entity)]`) or a [`Collection`] of entities sharing a partition
/// (implemented by `#[derive(Collection)]`).
///
/// Implemented by the derives only (sealed): every entity is one, and every
/// collection.
pub trait QueryTarget: crate::foundation::sealed::Generated + Send + Sized + 'static {
    #[doc(hidden)]
    fn __name() -> &'static str;
    #[doc(hidden)]
    fn __has_sort_key() -> bool;
    #[doc(hidden)]
    fn __scope(index: Option<Index>) -> SortCondition<Self>;
    #[doc(hidden)]
    fn __matches(table: &Table, item: &Item) -> bool;
    #[doc(hidden)]
    fn __decode(table: &Table, item: Item) -> Result<Self>;
    /// The sort-key template of each entity type the target reads on the
    /// table (`None`) or index `index`: `None` for a type without one there.
    /// Types that are not in that index are left out.
    #[doc(hidden)]
    fn __sort_templates(index: Option<&'static str>) -> Vec<Option<Template>>;
    /// The expiry attributes (`#[truss(ttl)]`) of the entity types read.
    #[doc(hidden)]
    fn __expiries() -> Vec<&'static str> {
        Vec::new()
    }
    /// The index a collection declared with `#[truss(index = "...")]` is
    /// read on (its variants' table partitions differ); `None` for
    /// entities and for collections of one table partition.
    #[doc(hidden)]
    fn __index() -> Option<&'static str> {
        None
    }
    /// The adoption audit of one item ([`Scan::audit`](crate::Scan::audit)).
    #[doc(hidden)]
    fn __audit(table: &Table, item: &Item) -> crate::ops::scan::audit::Audited;
}

/// Every entity is a query target: one impl here instead of one generated
/// per entity.
impl<E: Entity> QueryTarget for E {
    fn __name() -> &'static str {
        E::NAME
    }

    fn __has_sort_key() -> bool {
        E::SK.is_some()
    }

    fn __scope(index: Option<Index>) -> SortCondition<Self> {
        SortCondition::__scope(index)
    }

    fn __matches(table: &Table, item: &Item) -> bool {
        matches::<E>(table, item)
    }

    fn __decode(table: &Table, item: Item) -> Result<Self> {
        table.inner.decode(item)
    }

    fn __sort_templates(index: Option<&'static str>) -> Vec<Option<Template>> {
        sort_template::<E>(index).into_iter().collect()
    }

    fn __expiries() -> Vec<&'static str> {
        E::TTL.map(|t| t.attribute).into_iter().collect()
    }

    fn __audit(table: &Table, item: &Item) -> crate::ops::scan::audit::Audited {
        audit::<E>(table, item).unwrap_or(crate::ops::scan::audit::Audited::Other)
    }
}

/// The audit of an item as entity `E`, or `None` when its keys are not
/// `E`'s.
pub fn audit<E: Entity>(table: &Table, item: &Item) -> Option<crate::ops::scan::audit::Audited> {
    matches::<E>(table, item).then(|| {
        crate::ops::scan::audit::Audited::Entity(
            E::NAME,
            crate::ops::scan::audit::audit_item::<E>(table, item),
        )
    })
}

/// An entity's sort-key template on the table (`index` `None`) or on a
/// template index; `None` when the entity is not in that index.
pub fn sort_template<E: Entity>(index: Option<&'static str>) -> Option<Option<Template>> {
    match index {
        None => Some(E::SK),
        Some(name) => E::INDEXES
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.sk)
            .or_else(|| {
                // An index over attributes: its conditions name attributes,
                // which mean the same on every type in it.
                E::ATTRIBUTE_INDEXES
                    .iter()
                    .any(|i| i.name == name)
                    .then_some(None)
            }),
    }
}

impl<E: Entity> SortCondition<E> {
    /// The same condition on collection `C`: a sort-key range its variants
    /// share. On the table or an index with key templates, every variant
    /// in it must write the keys the condition covers alike (the same
    /// literal text and, for each field the condition fixes or bounds, the
    /// same encoding: `CLIP#{created_at}` and `CLIP#{uploaded_at}` with two
    /// `DateTime<Utc>`s do); otherwise the query is an
    /// [`Error::InvalidQuery`] before any request.
    ///
    /// ```
    /// # #[cfg(feature = "chrono")] {
    /// # use chrono::{DateTime, Utc};
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Collection, Entity, SortCondition};
    /// #[derive(Entity, Serialize, Deserialize)]
    /// #[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{clip_id}",
    ///         index(name = "Activity", sk = "AT#{created_at}#CLIP#{clip_id}"))]
    /// struct Clip { creator_id: String, clip_id: String, created_at: DateTime<Utc> }
    /// #[derive(Entity, Serialize, Deserialize)]
    /// #[truss(pk = "CREATOR#{creator_id}", sk = "VIDEO#{video_id}",
    ///         index(name = "Activity", sk = "AT#{uploaded_at}#VIDEO#{video_id}"))]
    /// struct Video { creator_id: String, video_id: String, uploaded_at: DateTime<Utc> }
    /// #[derive(Collection)]
    /// enum Recent { Clip(Clip), Video(Video) }
    ///
    /// # fn demo(since: DateTime<Utc>) {
    /// // Everything since `since`, clips and videos alike.
    /// let since: SortCondition<Recent> = Clip::activity_sort_key().ge(since).collection();
    /// # }
    /// # }
    /// ```
    pub fn collection<C: Collection>(self) -> SortCondition<C>
    where
        E: Member<C>,
    {
        self.retarget(|condition| {
            let Some((template, fields, range)) = condition.shape else {
                return Ok(());
            };
            for theirs in C::__sort_templates(condition.index) {
                let shared = theirs.is_some_and(|t| template.shares_prefix(&t, fields, range));
                if !shared {
                    return Err(Error::InvalidQuery {
                        entity: C::__name(),
                        reason: format!(
                            "the sort-key condition on {}{} is not one every variant of {} shares: their sort-key templates{} differ in the part it covers (`{}`, {fields} field(s))",
                            E::NAME,
                            condition.index.map(|i| format!(" (index {i})")).unwrap_or_default(),
                            C::__name(),
                            condition.index.map(|i| format!(" on {i}")).unwrap_or_default(),
                            template.source(),
                        ),
                    });
                }
            }
            Ok(())
        })
    }
}

/// An enum of entities that share a partition, decoded from one Query.
///
/// Derive it on an enum with one variant per entity type:
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// use truss_model::{Collection, Entity, Item};
///
/// # #[derive(Entity, Serialize, Deserialize)]
/// # #[truss(pk = "LINK#{code}", sk = "META")]
/// # struct Link { code: String }
/// # #[derive(Entity, Serialize, Deserialize)]
/// # #[truss(pk = "LINK#{code}", sk = "STAT#{date}")]
/// # struct DailyStat { code: String, date: u32 }
/// #[derive(Collection)]
/// enum LinkItems {
///     Link(Link),
///     Stat(DailyStat),
///     /// Optional: items that match no variant land here instead of being
///     /// an error.
///     #[truss(other)]
///     Other(Item),
/// }
/// // table.query(Link::partition("aK9xQ2z").collection::<LinkItems>()).all().await?
/// ```
///
/// Each item is decoded into the variant whose key templates it matches, so
/// no type attribute is needed. The derive checks at compile time that the
/// variants share the partition-key template and that no two sort-key
/// templates can produce the same key. Without an `#[truss(other)]` variant,
/// an item that matches no variant is an [`Error::Decode`]: nothing is ever
/// dropped silently.
///
/// **On an index.** Variants whose table partitions differ can still share
/// the partitions of an index (ElectroDB's collections: an employee and
/// their tasks under `$app#employee_<id>` in one GSI). Declare the index on
/// the enum; the derive checks that every variant has it with a
/// partition-key template of one shape, and that the variants' table keys
/// tell their items apart (or checked constants do). Such a collection is
/// read from that index's partitions only (another partition is an
/// [`Error::InvalidQuery`] before any request), with pages and cursors as
/// usual:
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// use truss_model::{Collection, Entity};
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(pk = "EMPLOYEE#{employee}", sk = "META",
///         index(name = "GSI3", pk = "ASSIGNEE#{employee}", sk = "EMPLOYEE"))]
/// struct Employee { employee: String }
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(pk = "TASK#{task}", sk = "META",
///         index(name = "GSI3", pk = "ASSIGNEE#{employee}", sk = "TASK#{task}"))]
/// struct Task { task: String, employee: String }
///
/// #[derive(Collection)]
/// #[truss(index = "GSI3")]
/// enum Assignments { Employee(Employee), Task(Task) }
/// // table.query(Employee::gsi3("jlowe").collection::<Assignments>()).all().await?
/// ```
pub trait Collection: QueryTarget {}

/// Marks `Self` as a variant type of collection `C`.
pub trait Member<C: Collection>: Entity {}

impl<E: Entity> Partition<E> {
    /// The same partition, read as collection `C` (one Query decoding every
    /// variant type).
    ///
    /// A collection declared on an index (`#[truss(index = "...")]`) is
    /// read from that index's partitions only: another partition is an
    /// [`Error::InvalidQuery`] when the query is sent, before any request.
    pub fn collection<C: Collection>(self) -> Partition<C>
    where
        E: Member<C>,
    {
        match C::__index() {
            Some(name) if self.index_name() != Some(name) => {
                let reason = format!(
                    "collection {} is read on index `{name}`; this partition is {}",
                    C::__name(),
                    self.index_name()
                        .map_or_else(|| "the table's".to_owned(), |i| format!("index `{i}`'s"))
                );
                self.cast::<C, crate::keys::projected::Whole>()
                    .refused(Error::InvalidQuery {
                        entity: C::__name(),
                        reason,
                    })
            }
            _ => self.cast(),
        }
    }
}

/// Whether an item's keys match an entity's templates.
pub fn matches<E: Entity>(table: &Table, item: &Item) -> bool {
    matches_keys::<E>(&key_text(table, item), item)
}

/// An item's table keys as text (`None`: missing or not a string), looked
/// up once for all the variants a collection tries.
pub struct KeyText<'i> {
    pk: Option<&'i str>,
    sk: Option<&'i str>,
}

/// The table keys of `item`, looked up by hash. A pass over the names
/// costs fewer instructions for small items, but its branches follow the
/// order of each map's entries, which differs from item to item; with the
/// lookups the collection query went from 0.978 to 0.982 of raw SDK code
/// (medians of nine alternated runs, `BENCHMARKS.md` §2, "Keys looked up
/// by hash").
pub fn key_text<'i>(table: &Table, item: &'i Item) -> KeyText<'i> {
    let text = |value: Option<&'i AttributeValue>| match value {
        Some(AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    };
    let (pk_attr, sk_attr) = (table.inner.pk.as_str(), table.inner.sk.as_deref());
    KeyText {
        pk: text(item.get(pk_attr)),
        sk: text(sk_attr.and_then(|a| item.get(a))),
    }
}

/// [`matches`] with the item's keys looked up already.
pub fn matches_keys<E: Entity>(keys: &KeyText<'_>, item: &Item) -> bool {
    matches_of(crate::table::erased::info::<E>(), keys, item)
}

fn matches_of(e: &crate::table::erased::EntityInfo, keys: &KeyText<'_>, item: &Item) -> bool {
    // The sort key first, and each test only when the one before passed:
    // a collection's variants share the partition key, so the sort key is
    // what tells them apart, and a variant it rules out costs one literal
    // compared.
    let sk_ok = match (e.sk, keys.sk) {
        (Some(t), Some(sk)) => t.matches_key(sk),
        (None, None) => true,
        _ => false,
    };
    sk_ok
        && keys.pk.is_some_and(|pk| e.pk.matches_key(pk))
        && e.constants
            .iter()
            .filter(|c| c.check)
            .all(|c| item.get(c.name).is_some_and(|v| c.value.matches(v)))
}

/// The error for an item that matches no variant of a collection.
pub fn unmatched(table: &Table, collection: &'static str, item: &Item) -> Error {
    Error::Decode {
        entity: collection,
        key: table.inner.display_item(item),
        field: None,
        message: format!("the item matches no variant of {collection}"),
    }
}
