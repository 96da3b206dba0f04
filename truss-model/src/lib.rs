#![doc = include_str!("lib.md")]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod attr_value;
pub mod batch;
mod codec;
mod collection;
pub mod cursor;
mod entity;
mod error;
mod expr;
pub mod key_part;
mod number;
mod ops;
mod query;
mod request_counter;
mod retry;
mod schema;
pub mod size;
mod sort_key;
mod table;
pub mod template;
pub mod transaction;
mod update;
mod validate;
mod value;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use batch::{
    BatchGet, BatchGetMany, BatchGetOutput, BatchWrite, BatchWriteSummary, UnprocessedWrite,
};
pub use codec::Item;
pub use collection::{Collection, Member, QueryTarget};
pub use cursor::Cursor;
pub use entity::{Entity, EntityKey, Partition};
pub use error::{Error, KeyDisplay, KeyPartError, Result};
pub use expr::{Attr, Condition, KeyAttr};
pub use key_part::KeyPart;
pub use number::{Number, NumberError};
pub use ops::{Delete, DeleteReturning, Get, Put};
pub use query::{Page, Query};
pub use request_counter::RequestCounter;
pub use retry::RetryPolicy;
pub use schema::TableDefinition;
pub use sort_key::{SortCondition, SortKey};
pub use table::{Table, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
pub use template::{Index, Template};
pub use transaction::{CanceledAction, Transaction};
pub use update::{Numeric, Update, UpdateReturning};
pub use value::IntoValue;

/// Derives [`Entity`] for a struct with named fields.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use serde::{Deserialize, Serialize};
/// use truss_model::Entity;
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}")]
/// struct Clip { creator_id: String, created_at: DateTime<Utc>, title: String }
/// ```
///
/// Attributes: `pk` (required) and `sk` (optional) key templates, and
/// `name = "..."` to rename the entity in errors. See the crate
/// documentation for the template rules.
pub use truss_model_derive::Entity;

/// Derives [`Collection`] for an enum of entities sharing a partition; see
/// the trait for the syntax.
pub use truss_model_derive::Collection;

// Re-exported for generated code and for users who need the SDK types.
pub use aws_sdk_dynamodb;

/// The repository README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
