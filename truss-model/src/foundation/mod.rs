//! Layer 1, foundations: what everything else is built on and that knows
//! nothing of tables or entities: the error type, DynamoDB's limits, the key
//! alphabet, items and their values (the serde codec, numbers, sizes), the
//! per-thread scratch strings of the key checks.

pub(crate) mod alphabet;
pub(crate) mod attr_value;
#[cfg(feature = "rust_decimal")]
pub mod decimal;
pub(crate) mod error;
pub(crate) mod into_field;
pub(crate) mod item;
pub mod limits;
pub(crate) mod number;
pub(crate) mod scratch;
pub(crate) mod sealed;
pub mod size;
pub mod throttling;
pub(crate) mod timestamp;
pub(crate) mod validate;
