#![doc = include_str!("lib.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The layers, each a folder, each importing only from those before it (the
// table in the crate documentation; `layers::tests` checks every import).
mod expr;
mod foundation;
mod keys;
mod ops;
mod table;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "local")]
pub mod local;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(test)]
mod layers;

// Public modules; each item has one public path: its module's, or the
// crate root's for the items of a first day (and the traits the derives
// implement).
#[cfg(feature = "rust_decimal")]
#[doc(inline)]
pub use foundation::decimal;
#[doc(inline)]
pub use foundation::limits;
#[doc(inline)]
pub use foundation::size;
#[doc(inline)]
pub use foundation::throttling;
#[doc(inline)]
pub use keys::key_part;
#[doc(inline)]
pub use keys::projected;
#[doc(inline)]
pub use ops::batch;
#[doc(inline)]
pub use ops::migrate;
#[doc(inline)]
pub use ops::scan;
#[doc(inline)]
pub use ops::stream;
#[doc(inline)]
pub use ops::transaction;
#[doc(inline)]
pub use ops::vector;

pub use expr::{storage, Attr, Condition, KeyAttr, Updatable};

/// Inside the item: typed paths into nested structs, lists and maps, and
/// the types and bounds of DynamoDB's expression functions (`size`,
/// `contains`, `attribute_type`, set members, arithmetic). Made from field
/// handles; the guide's "Inside the item" shows each form.
pub mod expression {
    pub use crate::expr::{
        AttributeType, Contains, DocPath, HasSize, Holds, List, NestedAttr, NestedFields, Operand,
        Path, Size, StringMap,
    };
    pub use crate::ops::update::{Computed, SetOf};
}
pub use foundation::error::{Error, KeyDisplay, Result};
pub use foundation::into_field::IntoField;
pub use foundation::item::Item;
pub use foundation::number::{Number, NumberError};
pub use foundation::timestamp::Timestamp;
pub use keys::attribute_index::{
    AttributeSortKey, IndexKeyType, OrderedIndexKey, ScalarType, TextIndexKey,
};
pub use keys::entity::{Codec, Entity, EntityKey, Partition};
pub use keys::key_part::part::KeyPart;
pub use keys::sort_key::{SortCondition, SortKey};
pub use keys::ttl::TtlValue;
pub use ops::collection::{Collection, Member, QueryTarget};
pub use ops::cursor::Cursor;
pub use ops::projection::{Projection, ProjectionOf};
pub use ops::query::{Hydrate, Hydrated, HydratedPage, Page, ProjectedQuery, Query};
pub use ops::single_item::{Delete, DeleteReturning, Get, GetProjected, Put};
pub use ops::update::{IndexSet, Numeric, Update, UpdateReturning};
pub use table::capacity::{CapacityMeter, Consumed};
pub use table::infra::Drift;
pub use table::request_counter::RequestCounter;
pub use table::retry::RetryPolicy;
pub use table::schema::TableDefinition;
pub use table::Table;

/// Derives [`Entity`] for a struct with named fields.
///
/// ```
/// # #[cfg(feature = "chrono")] {
/// use chrono::{DateTime, Utc};
/// use serde::{Deserialize, Serialize};
/// use truss_model::Entity;
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(
///     pk = "CREATOR#{creator_id}",
///     sk = "CLIP#{created_at}",
///     index(name = "GSI1", pk = "VIDEO#{video_id}", sk = "CLIP#{created_at}")
/// )]
/// struct Clip {
///     creator_id: String,
///     created_at: DateTime<Utc>,
///     video_id: String,
///     title: String,
/// }
///
/// // Keys are values: compared, hashed, kept in sets.
/// let seen: std::collections::HashSet<ClipKey> =
///     [Clip::key("c1", Utc::now())].into_iter().collect();
/// let clips_of_a_video = Clip::gsi1("v1");
/// # let _ = (seen, clips_of_a_video);
/// # }
/// ```
///
/// On the struct, `#[truss(...)]` takes:
///
/// | attribute | meaning |
/// |---|---|
/// | `pk = "..."` | the partition-key template (required) |
/// | `sk = "..."` | the sort-key template |
/// | `name = "..."` | the entity's name in errors (default: the type name) |
/// | `index(name = "...", pk = "...", sk = "...", pk_attr = "...", sk_attr = "...")` | a global secondary index; generates `Type::<name in lower case>(...)` and `Type::<name>_sort_key()` |
/// | `index(name = "...", partition = [field, ...], sort = [field, ...])` | a global secondary index over the entity's own attributes (up to four each) |
/// | `partial_indexes = ["name", ...]` | indexes written with ElectroDB's partial keys: a template whose fields are all absent is written up to its first field (`$app#manager_`), one with some absent and some present is refused, an item with every field of the index absent is left out (without it, any absent field leaves the item out: a sparse index) |
/// | `string_key_format = "..."` | the [key format](key_part) of every `String` key field without its own `key_format` (`"verbatim"` for DynamoDB-Toolbox's keys, `"verbatim_lowercase"` for ElectroDB's) |
/// | `constant(attribute = value, ...)` | constant attributes (an entity type marker such as `__edb_e = "employee"`) written on every put and creating update |
/// | `checked_constant(attribute = value, ...)` | the same, also required on read |
/// | `revision(N, from(1 = OldType, ...), attr = "...", write_back)` | the schema revision `N` (stored in the attribute `attr`, default `_revision`); an item of an older revision listed in `from` is deserialized as that type (which implements `serde::Deserialize`) and converted with `From` (the entity implements `From<OldType>`); `write_back` puts upgraded items back on read (see the guide's "Changing a model") |
///
/// On a field:
///
/// | attribute | meaning |
/// |---|---|
/// | `version` | the optimistic-locking version (a `u64`) |
/// | `ttl` | the item's expiry for DynamoDB's TTL: `DateTime<Utc>`, `u64` / `i64` epoch seconds or an `Option` of one, stored as `N` epoch seconds (see the guide's "Expiry (TTL)") |
/// | `key_format = "..."` or `key_format = Type` | how the field is written in keys (see [`key_part`]) |
///
/// serde's own field attributes are followed: `rename` and `rename_all`
/// name the attributes; a field with `#[serde(with = ...)]` or
/// `serialize_with` gets a handle ([`storage::With`]) that writes values
/// through that function, as a put does.
///
/// It generates, for the `Clip` above (key fields `creator_id` and
/// `created_at`, an index `GSI1` over `video_id`):
///
/// | item | what it is | naming rule |
/// |---|---|---|
/// | `ClipKey` | the typed primary key, one public field per key field; `Debug`, `Clone`, `PartialEq`, `Eq`, `Hash` (so key field types implement `Eq` and `Hash`, as every built-in key part does) | the type's name + `Key` |
/// | `Clip::key(creator_id, created_at)` | builds it | key fields in order of first appearance in `pk`, then `sk` |
/// | `Clip::partition(creator_id)` | the partition to query | the `pk` template's fields |
/// | `Clip::sort_key()` | the typed sort-key condition builder (with an `sk`) | |
/// | `Clip::gsi1(video_id)` | the index's partition to query | the index name in lower case, other characters than ASCII letters and digits as `_`: `ByStatus` → `bystatus()`, `by-note` → `by_note()` |
/// | `Clip::gsi1_sort_key()` | the index's sort-key condition builder | the same + `_sort_key` |
/// | `Clip::set_gsi1(video_id)` | new values for the fields of the index's templates that are not primary-key fields, with its recomputed keys, for [`Update::set_index`] (an index over primary-key fields only has none) | `set_` + the accessor; indexes whose templates share a field share one setter taking the fields of all of them, named by joining their accessors with `_and_` (`set_gsi1_and_gsi2`) |
/// | `Clip::TITLE`, `Clip::CREATED_AT`, ... | a typed handle per stored field: [`Attr`] (conditions and updates) or, for key, index and version fields, [`KeyAttr`] (conditions only) | the field name in upper case |
/// | `impl Entity`, `impl EntityKey for ClipKey` | the traits | |
///
/// Entities are also [`QueryTarget`]s, so [`Table::query`] reads them.
/// See the crate documentation for the template rules.
pub use truss_model_derive::Entity;

/// Derives [`Collection`] for an enum of entities sharing a partition; see
/// the trait for the syntax.
pub use truss_model_derive::Collection;

/// Derives handles on the fields of a struct stored inside an entity (an
/// `M` attribute), so that paths reach into it: one associated constant per
/// stored field, named like the entity's (`Address::CITY`), joined to the
/// attribute holding the struct with `get`
/// (`Order::ADDRESS.get(Address::CITY)`, see [`expression::Path`]). Names
/// follow serde's `rename` and `rename_all` at every level, and a field with
/// `#[serde(with = ...)]` is written through that function, as a put
/// writes it. It also generates the struct's part of the item codec (see
/// the guide, "The generated codec"), which needs the struct's `Serialize`
/// and `Deserialize`; `#[truss(codec = "serde")]` leaves the struct to
/// them.
pub use truss_model_derive::Nested;

/// Derives [`Projection`] for a struct of some of an entity's fields; see
/// the trait for the syntax.
pub use truss_model_derive::Projection;

/// Derives [`KeyPart`](trait@KeyPart) for a unit enum or a single-field
/// struct, so it can be part of a key without hand-written code.
///
/// A unit enum is written as its serde names, escaped like a `String`: the
/// text in the key is exactly the text serde stores in the attribute
/// (`rename`, `rename_all` included), so the two can never disagree. Only
/// the name serde writes reads back (not an `alias`). Keys of such a field
/// sort by name, so range conditions compare names.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use truss_model::{Entity, KeyPart};
///
/// #[derive(KeyPart, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
/// #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
/// enum Status { Placed, InTransit, Delivered }
///
/// /// A newtype is written as its field (a key field: `Eq` and `Hash` too).
/// #[derive(KeyPart, Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
/// struct OrderId(String);
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(pk = "ORDER#{id}", sk = "META", index(name = "ByStatus", pk = "STATUS#{status}"))]
/// struct Order { id: OrderId, status: Status }
///
/// let mut key = String::new();
/// Status::InTransit.encode_key(&mut key)?;
/// assert_eq!(key, "IN_TRANSIT");
/// assert_eq!(Status::decode_key("IN_TRANSIT")?, Status::InTransit);
/// assert!(Status::decode_key("InTransit").is_err());
/// # Ok::<(), truss_model::key_part::KeyPartError>(())
/// ```
pub use truss_model_derive::KeyPart;

// Re-exported for generated code and for users who need the SDK types.
pub use aws_sdk_dynamodb;

/// The repository README's code blocks, compiled as doctests (the first
/// example uses chrono, a default feature).
#[cfg(all(doctest, feature = "chrono"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
