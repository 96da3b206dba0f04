//! Layer 2, keys: how entities are keyed. Key parts and formats, key
//! templates, indexes over attributes, constants, schema revisions, expiry (TTL), the `Entity` traits and
//! partitions, typed sort-key conditions, and an item's keys gathered while
//! the generated decoder reads its fields.

pub(crate) mod attribute_index;
pub(crate) mod constant;
pub(crate) mod entity;
pub(crate) mod item_keys;
pub mod key_part;
pub mod projected;
pub(crate) mod revision;
pub(crate) mod scatter;
pub(crate) mod shape_errors;
pub(crate) mod sort_key;
pub(crate) mod template;
pub(crate) mod ttl;
pub(crate) mod vector_index;
