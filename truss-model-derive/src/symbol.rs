//! Every attribute keyword the derives read, named once.

/// `#[truss(...)]`.
pub const TRUSS: &str = "truss";
/// `#[serde(...)]`, read for the names serde gives fields.
pub const SERDE: &str = "serde";

// On an entity struct.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const NAME: &str = "name";
pub const INDEX: &str = "index";
pub const CONSTANT: &str = "constant";
pub const CHECKED_CONSTANT: &str = "checked_constant";
pub const REVISION: &str = "revision";
pub const STRING_KEY_FORMAT: &str = "string_key_format";
pub const PARTIAL_INDEXES: &str = "partial_indexes";
/// `codec = "serde"`, on an entity or a nested struct.
pub const CODEC: &str = "codec";

// In `revision(...)`.
pub const FROM: &str = "from";
pub const ATTR: &str = "attr";
pub const WRITE_BACK: &str = "write_back";

// In `index(...)`, besides `name`, `pk` and `sk`.
pub const PK_ATTR: &str = "pk_attr";
pub const SK_ATTR: &str = "sk_attr";
pub const PARTITION: &str = "partition";
pub const SORT: &str = "sort";
pub const PROJECTION: &str = "projection";
pub const INCLUDE: &str = "include";

// On an entity's field.
pub const VERSION: &str = "version";
pub const TTL: &str = "ttl";
pub const KEY_FORMAT: &str = "key_format";
pub const CREATED_AT: &str = "created_at";
pub const UPDATED_AT: &str = "updated_at";
pub const VECTOR: &str = "vector";
pub const DIMENSIONS: &str = "dimensions";
pub const DISTANCE: &str = "distance";
pub const FILTERS: &str = "filters";

// On a collection's variant.
pub const OTHER: &str = "other";

// serde's, on a container or a field.
pub const RENAME: &str = "rename";
pub const RENAME_ALL: &str = "rename_all";
pub const SERIALIZE: &str = "serialize";
pub const DESERIALIZE: &str = "deserialize";
pub const SKIP: &str = "skip";
pub const SKIP_SERIALIZING: &str = "skip_serializing";
pub const SKIP_DESERIALIZING: &str = "skip_deserializing";
pub const FLATTEN: &str = "flatten";
pub const WITH: &str = "with";
pub const SERIALIZE_WITH: &str = "serialize_with";
pub const DESERIALIZE_WITH: &str = "deserialize_with";
pub const SKIP_SERIALIZING_IF: &str = "skip_serializing_if";
pub const DEFAULT: &str = "default";
pub const ALIAS: &str = "alias";
