//! Layer 2, keys: how entities are keyed. Key parts and formats, key
//! templates, constants, the `Entity` traits and partitions, and typed
//! sort-key conditions.

pub(crate) mod constant;
pub(crate) mod entity;
pub mod key_part;
pub(crate) mod sort_key;
pub mod template;
