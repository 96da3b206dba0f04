//! Migrations over a parallel [`Scan`](crate::scan::Scan): backfills that
//! apply a function to every item and write what it returns
//! ([`Scan::run`](crate::scan::Scan::run)), their progress and
//! checkpoints, and the pace that holds them to a rate of consumed
//! capacity.

pub(crate) mod backfill;
pub(crate) mod checkpoint;
pub(crate) mod pace;
pub(crate) mod progress;
pub(crate) mod writes;

pub use backfill::{Rewrite, RunError, ScanWrite, Undecodable, MAX_UNDECODABLE_KEPT};
pub use checkpoint::Checkpoint;
pub use progress::Progress;
