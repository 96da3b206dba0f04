//! Items read through an upgrade and waiting to be written back at the
//! current revision (entities declared with `revision(..., write_back)`).
//!
//! Decoding is synchronous and shared by every read; the reads that write
//! back (get, query pages, batch gets) run their decoding inside
//! [`collecting`], which gathers what the upgrades asked for, then send it.

use crate::foundation::item::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use std::cell::RefCell;

/// Attributes a write requires unchanged since the read, with their values
/// as read (`None`: absent).
pub(crate) type Guards = Vec<(&'static str, Option<AttributeValue>)>;

/// An upgraded item to write back, with what its write requires.
pub(crate) struct WriteBack {
    /// The entity's name, for traces and the capacity meter.
    pub(crate) entity: &'static str,
    /// The upgraded entity, encoded (at the current revision).
    pub(crate) item: Item,
    /// The revision and version attributes as read (`None`: absent).
    pub(crate) guards: Guards,
}

thread_local! {
    static PENDING: RefCell<Option<Vec<WriteBack>>> = const { RefCell::new(None) };
}

/// Restores the enclosing collection (normally none) when `collecting`
/// ends, even by a panic.
struct Restore(Option<Vec<WriteBack>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let outer = self.0.take();
        PENDING.with(|p| *p.borrow_mut() = outer);
    }
}

/// Runs `decode` and returns, with its result, the write-backs its
/// upgrades asked for. `decode` is synchronous: no other task decodes on
/// this thread meanwhile.
pub(crate) fn collecting<R>(decode: impl FnOnce() -> R) -> (R, Vec<WriteBack>) {
    let outer = PENDING.with(|p| p.borrow_mut().replace(Vec::new()));
    let restore = Restore(outer);
    let result = decode();
    let pending = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
    drop(restore);
    (result, pending)
}

/// Whether a write-back asked for now would be sent.
pub(crate) fn is_collecting() -> bool {
    PENDING.with(|p| p.borrow().is_some())
}

pub(crate) fn push(write_back: WriteBack) {
    PENDING.with(|p| {
        if let Some(pending) = p.borrow_mut().as_mut() {
            pending.push(write_back);
        }
    });
}
