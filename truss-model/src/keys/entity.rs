//! The traits the derive implements, and the partition handle it generates.

use crate::foundation::error::{Error, Result};
use crate::keys::attribute_index::{check_value, AttributeIndex};
use crate::keys::template::{Index, Template};
use aws_sdk_dynamodb::types::AttributeValue;
use std::fmt;
use std::marker::PhantomData;

/// A type stored as items of a DynamoDB table, with key templates.
///
/// Implement it with `#[derive(Entity)]`; see the [crate documentation](crate)
/// for the attribute syntax. The derive also generates, on the type:
///
/// - `Type::key(field, ...)`: its typed primary key ([`EntityKey`]), taking
///   exactly the template fields in order of appearance;
/// - `Type::partition(pk_field, ...)`: its partition, to [`query`](crate::Table::query);
/// - `Type::sort_key()`: a typed [`SortKey`](crate::SortKey) builder for
///   sort-key conditions (entities with a sort-key template only).
///
/// An entity needs no `Serialize` or `Deserialize` of its own: the derive
/// generates its codec (see the guide, "The generated codec"). Only an
/// entity left to serde ([`Codec::Serde`]) needs both.
pub trait Entity: Send + Sync + Sized + 'static {
    /// The entity's name, used in errors (the type name unless renamed).
    const NAME: &'static str;
    /// The partition-key template.
    const PK: Template;
    /// The sort-key template, if the entity has one.
    const SK: Option<Template>;
    /// The generated key struct.
    type Key: EntityKey<Entity = Self>;
    /// The sort-key field types as a nested tuple, `(A, (B, ()))`, which
    /// drives the typed [`SortKey`](crate::SortKey) builder.
    type SortFields;

    /// The global secondary indexes declared on the entity with key
    /// templates (`index(name = "...", pk = "...", sk = "...")`).
    const INDEXES: &'static [Index] = &[];

    /// The global secondary indexes declared on the entity over its own
    /// attributes (`index(name = "...", partition = [...], sort = [...])`).
    const ATTRIBUTE_INDEXES: &'static [AttributeIndex] = &[];

    /// The vector indexes declared on the entity's fields
    /// (`#[truss(vector(...))]`).
    const VECTOR_INDEXES: &'static [crate::keys::vector_index::VectorIndex] = &[];

    /// The constant attributes declared on the entity
    /// (`#[truss(constant(...))]`).
    const CONSTANTS: &'static [crate::keys::constant::Constant] = &[];

    /// The attribute of the optimistic-locking version field
    /// (`#[truss(version)]`), if any.
    const VERSION: Option<&'static str> = None;

    /// The schema revision (`#[truss(revision(...))]`), if declared.
    const REVISION: Option<crate::keys::revision::Revision> = None;

    /// The expiry field (`#[truss(ttl)]`), if declared: stored as epoch
    /// seconds, the attribute the table's TTL is enabled on.
    const TTL: Option<crate::keys::ttl::Ttl> = None;

    /// The creation time the library keeps (`#[truss(created_at)]`).
    #[doc(hidden)]
    const CREATED_AT: Option<crate::foundation::timestamp::Stamp> = None;

    /// The time of the last write the library keeps
    /// (`#[truss(updated_at)]`).
    #[doc(hidden)]
    const UPDATED_AT: Option<crate::foundation::timestamp::Stamp> = None;

    /// Decodes an item of an older `revision` as the type declared for it
    /// and converts it; `None` when no type is declared for it.
    #[doc(hidden)]
    fn __upgrade(
        revision: u64,
        item: crate::foundation::item::Item,
    ) -> Option<crate::keys::revision::Upgraded<Self>> {
        let _ = (revision, item);
        None
    }

    /// Who writes and reads this entity's items: the codec the derive
    /// generated, or the type's serde impls and why (see the guide, "The
    /// generated codec").
    const CODEC: Codec = Codec::Serde("the Entity impl was not derived");

    /// Writes the entity's own attributes into an item with room for
    /// `extra` more, and the item's size. The derive writes it; the
    /// default (an impl not derived) has no codec and fails.
    #[doc(hidden)]
    fn __to_item(
        &self,
        extra: usize,
    ) -> std::result::Result<
        (crate::foundation::item::Item, usize),
        crate::foundation::attr_value::CodecError,
    > {
        let _ = extra;
        Err(crate::foundation::attr_value::CodecError::new(NOT_DERIVED))
    }

    /// Reads the entity from an item holding its own attributes. The
    /// derive writes it; the default (an impl not derived) fails.
    #[doc(hidden)]
    fn __from_item(
        item: crate::foundation::item::Item,
    ) -> std::result::Result<Self, crate::foundation::attr_value::CodecError> {
        let _ = item;
        Err(crate::foundation::attr_value::CodecError::new(NOT_DERIVED))
    }

    /// The type's serde impls, when it has both, as plain functions: what
    /// the `check-codec` feature compares a generated codec with. Generic
    /// over `M` (any type) only so that serde's code for the type is
    /// compiled where this is called, not in every build.
    #[doc(hidden)]
    fn __serde<M>() -> Option<crate::foundation::attr_value::stored::SerdeFns<Self>> {
        None
    }

    /// Reads the entity from a whole item in one pass, handing every
    /// attribute that is none of its fields to `keys`; the default splits
    /// the item first and reads its own attributes with
    /// [`__from_item`](Self::__from_item).
    #[doc(hidden)]
    fn __from_item_keyed(
        item: crate::foundation::item::Item,
        keys: &mut crate::keys::item_keys::ItemKeys<'_>,
    ) -> std::result::Result<Self, crate::foundation::attr_value::CodecError> {
        Self::__from_item(keys.own_attributes(item)?)
    }

    /// This item's version (0 for an item never written).
    fn version(&self) -> u64 {
        0
    }

    /// This item's primary key.
    fn to_key(&self) -> Self::Key;

    /// Appends this item's keys for index number `index` (in
    /// [`INDEXES`](Entity::INDEXES)) and returns `true`, or returns `false`
    /// when an optional field of the index templates is `None`: the item is
    /// then left out of that (sparse) index.
    #[doc(hidden)]
    fn __write_index(&self, index: usize, pk: &mut String, sk: &mut String) -> Result<bool> {
        let _ = (index, pk, sk);
        Ok(false)
    }

    /// Appends this item's rendered partition key.
    #[doc(hidden)]
    fn __write_pk(&self, out: &mut String) -> Result<()>;

    /// Appends this item's rendered sort key (nothing if it has none).
    #[doc(hidden)]
    fn __write_sk(&self, out: &mut String) -> Result<()>;

    /// Whether `pk` (and `sk`, when given) are certainly this item's
    /// rendered keys, found segment by segment without writing them
    /// (`false`: not known; the keys are then written and compared).
    #[doc(hidden)]
    fn __keys_are(&self, pk: &str, sk: Option<&str>) -> bool {
        let _ = (pk, sk);
        false
    }

    /// [`__keys_are`](Entity::__keys_are) for the keys of index number
    /// `index` (in [`INDEXES`](Entity::INDEXES)); `false` also when a field
    /// of the index's templates is `None`.
    #[doc(hidden)]
    fn __index_keys_are(&self, index: usize, pk: &str, sk: Option<&str>) -> bool {
        let _ = (index, pk, sk);
        false
    }
}

impl<E: Entity> crate::foundation::sealed::Generated for E {}

/// The codec error of an `Entity` impl that was not derived.
const NOT_DERIVED: &str = "the Entity impl was not derived: it has no codec";

/// Who writes and reads an entity's items ([`Entity::CODEC`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Code the derive generated from the fields and their serde
    /// attributes: the same attributes serde writes, read as serde reads
    /// them.
    Generated,
    /// The type's `Serialize` and `Deserialize`, for the reason given (the
    /// attribute that chose it).
    Serde(&'static str),
}

/// A typed primary key, generated by the derive as `<Type>Key`.
pub trait EntityKey: Clone + fmt::Debug + Send + Sync + 'static {
    /// The entity this key addresses.
    type Entity: Entity;

    /// Appends the rendered partition key.
    #[doc(hidden)]
    fn __write_pk(&self, out: &mut String) -> Result<()>;

    /// Appends the rendered sort key (nothing if the entity has none).
    #[doc(hidden)]
    fn __write_sk(&self, out: &mut String) -> Result<()>;

    /// The key fields as attributes (name, value), written by upserts so
    /// the item they create decodes.
    #[doc(hidden)]
    fn __attributes(&self) -> Result<Vec<(&'static str, aws_sdk_dynamodb::types::AttributeValue)>>;

    /// The key from its fields' attributes (as parsed from the key
    /// attributes), or the failing attribute and why.
    #[doc(hidden)]
    fn __from_attributes(
        item: &mut crate::foundation::item::Item,
    ) -> std::result::Result<Self, (Option<String>, String)>;
}

/// The partition of an entity: its rendered partition key (or, on an
/// index over attributes, its partition attributes' values), ready to
/// query.
///
/// Built by the generated `Type::partition(...)` and index accessors. A
/// value that cannot be part of a key is kept as an error and reported by
/// the query before any request is sent.
///
/// `R` says what a query of it can read: [`Whole`](crate::projected::Whole)
/// items (the table, and indexes projecting every attribute), or, on an
/// index declared `projection = "keys_only"` or `include = [...]`,
/// [`Partial`](crate::projected::Partial) ones: a query of those reads a
/// projection or hydrates, and decoding the whole entity from it does not
/// compile.
pub struct Partition<E, R = crate::keys::projected::Whole> {
    pub(crate) key: PartitionKey,
    _entity: PhantomData<fn() -> (E, R)>,
}

/// Where a partition is and what identifies it.
#[derive(Debug, Clone)]
pub(crate) enum PartitionKey {
    /// The table's partition key, or a template index's, rendered.
    Rendered {
        index: Option<Index>,
        pk: Result<String>,
    },
    /// The values of an attribute index's partition attributes, in order.
    Attributes {
        index: AttributeIndex,
        values: Result<Vec<AttributeValue>>,
    },
}

impl<E: Entity> Partition<E> {
    #[doc(hidden)]
    pub fn __render(write: impl FnOnce(&mut String) -> Result<()>) -> Self {
        Self::rendered(None, write)
    }

    #[doc(hidden)]
    pub fn __render_index(index: Index, write: impl FnOnce(&mut String) -> Result<()>) -> Self {
        Self::rendered(Some(index), write)
    }

    /// The partition of an index that does not hold whole items.
    #[doc(hidden)]
    pub fn __render_partial_index(
        index: Index,
        write: impl FnOnce(&mut String) -> Result<()>,
    ) -> Partition<E, crate::keys::projected::Partial> {
        Self::rendered(Some(index), write).cast()
    }

    fn rendered(index: Option<Index>, write: impl FnOnce(&mut String) -> Result<()>) -> Self {
        let mut pk = String::new();
        let pk = write(&mut pk).map(|()| pk);
        Partition {
            key: PartitionKey::Rendered { index, pk },
            _entity: PhantomData,
        }
    }

    /// The partition of an index over attributes, from the values of its
    /// partition attributes in order (each checked: of the attribute's
    /// type, not empty).
    #[doc(hidden)]
    pub fn __attributes(
        index: AttributeIndex,
        values: impl IntoIterator<Item = Result<AttributeValue>>,
    ) -> Self {
        let values = values
            .into_iter()
            .zip(index.partition)
            .map(|(value, attribute)| {
                let value = value?;
                check_value(E::NAME, index.name, attribute, &value).map(|()| value)
            })
            .collect::<Result<Vec<_>>>();
        Partition {
            key: PartitionKey::Attributes { index, values },
            _entity: PhantomData,
        }
    }
}

impl<E, R> Partition<E, R> {
    /// The name of the index this partition belongs to, or `None` for the
    /// table.
    pub fn index_name(&self) -> Option<&'static str> {
        match &self.key {
            PartitionKey::Rendered { index, .. } => index.map(|i| i.name),
            PartitionKey::Attributes { index, .. } => Some(index.name),
        }
    }

    /// The template index this partition belongs to (`None` for the table
    /// and for an index over attributes).
    pub fn index(&self) -> Option<&Index> {
        match &self.key {
            PartitionKey::Rendered { index, .. } => index.as_ref(),
            PartitionKey::Attributes { .. } => None,
        }
    }

    /// The rendered partition key, or why it could not be rendered; `None`
    /// for an index over attributes, whose partition is several values.
    pub fn pk(&self) -> Option<Result<&str, &Error>> {
        match &self.key {
            PartitionKey::Rendered { pk, .. } => Some(pk.as_deref()),
            PartitionKey::Attributes { .. } => None,
        }
    }

    /// The same partition, failing with `error` when queried.
    pub(crate) fn refused(mut self, error: Error) -> Self {
        match &mut self.key {
            PartitionKey::Rendered { pk, .. } => *pk = Err(error),
            PartitionKey::Attributes { values, .. } => *values = Err(error),
        }
        self
    }

    pub(crate) fn cast<T, S>(self) -> Partition<T, S> {
        Partition {
            key: self.key,
            _entity: PhantomData,
        }
    }
}

impl<E, R> Clone for Partition<E, R> {
    fn clone(&self) -> Self {
        Partition {
            key: self.key.clone(),
            _entity: PhantomData,
        }
    }
}

impl<E, R> fmt::Debug for Partition<E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Partition").field(&self.key).finish()
    }
}
