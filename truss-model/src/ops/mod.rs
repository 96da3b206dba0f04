//! Layer 5, operations: what a table does. Single-item reads and writes,
//! updates, queries with their cursors and collections, batches,
//! transactions, parallel scans and typed stream changes; `write` holds what
//! the writes share.

pub mod batch;
pub(crate) mod collection;
pub mod cursor;
pub mod migrate;
pub(crate) mod projection;
pub(crate) mod query;
pub mod scan;
pub(crate) mod single_item;
pub mod stream;
pub(crate) mod transact_get;
pub mod transaction;
pub(crate) mod update;
pub mod vector;
pub(crate) mod write;
pub(crate) mod write_back;

/// Where an operation's body, compiled once for every entity, hands each
/// item it read to the typed shell that decodes it, with how many items of
/// the response are left, this one included (a page's vector is sized
/// once from it).
pub(crate) type Decode<'a> = &'a mut (dyn FnMut(
    &crate::table::Table,
    crate::foundation::item::Item,
    usize,
) -> crate::foundation::error::Result<()>
             + Send);
