//! What a backfill reports: its counts, the capacity it used and where it
//! stands.

use super::backfill::MAX_UNDECODABLE_KEPT;
use super::checkpoint::Checkpoint;
use crate::foundation::error::Error;
use std::time::Duration;

/// How far a run has got: counts for this run (not earlier runs it resumed
/// from) and the checkpoint to resume from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Progress {
    /// Items read.
    pub scanned: u64,
    /// Items of the scan's target among them.
    pub matched: u64,
    /// Items written back ([`Rewrite::Put`](crate::migrate::Rewrite::Put)).
    pub put: u64,
    /// Items deleted ([`Rewrite::Delete`](crate::migrate::Rewrite::Delete)).
    pub deleted: u64,
    /// Items of the target that did not decode and were left as they are
    /// ([`Undecodable::Skip`](crate::migrate::Undecodable::Skip)).
    pub skipped: u64,
    /// The decode errors of the first
    /// [`MAX_UNDECODABLE_KEPT`](crate::migrate::MAX_UNDECODABLE_KEPT) skipped
    /// items, each naming the item's key, field and what was wrong.
    pub undecodable: Vec<Error>,
    /// Writes refused because another writer changed the item after it was
    /// read: each time, the item was read again and the function applied
    /// to what is stored now.
    pub conflicts: u64,
    /// Items deleted by another writer between the scan's read and the
    /// write: left deleted.
    pub gone: u64,
    /// Requests sent: Scan pages, writes and the reads after a conflict,
    /// including one that failed.
    pub requests: u64,
    /// Capacity units consumed, reads and writes, as DynamoDB reported them.
    pub consumed_capacity: f64,
    /// Time since the run started.
    pub elapsed: Duration,
    /// Where to resume from.
    pub checkpoint: Checkpoint,
}

impl Progress {
    /// Nothing done yet, from `checkpoint`.
    pub(crate) fn empty(checkpoint: Checkpoint) -> Progress {
        Progress {
            scanned: 0,
            matched: 0,
            put: 0,
            deleted: 0,
            skipped: 0,
            undecodable: Vec::new(),
            conflicts: 0,
            gone: 0,
            requests: 0,
            consumed_capacity: 0.0,
            elapsed: Duration::ZERO,
            checkpoint,
        }
    }

    /// Items written back or deleted.
    pub fn changed(&self) -> u64 {
        self.put + self.deleted
    }

    /// Whether every segment is done.
    pub fn is_finished(&self) -> bool {
        self.checkpoint.is_finished()
    }

    /// Capacity units consumed per second, over the run so far.
    pub fn capacity_per_second(&self) -> f64 {
        match self.elapsed.as_secs_f64() {
            secs if secs > 0.0 => self.consumed_capacity / secs,
            _ => 0.0,
        }
    }

    pub(crate) fn add(&mut self, tally: Tally) {
        self.scanned += tally.scanned;
        self.matched += tally.matched;
        self.put += tally.put;
        self.deleted += tally.deleted;
        self.skipped += tally.skipped;
        let room = MAX_UNDECODABLE_KEPT.saturating_sub(self.undecodable.len());
        self.undecodable
            .extend(tally.undecodable.into_iter().take(room));
        self.conflicts += tally.conflicts;
        self.gone += tally.gone;
        self.requests += tally.requests;
        self.consumed_capacity += tally.capacity;
    }
}

/// The counts of one page or one item.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) scanned: u64,
    pub(crate) matched: u64,
    pub(crate) put: u64,
    pub(crate) deleted: u64,
    pub(crate) skipped: u64,
    pub(crate) undecodable: Vec<Error>,
    pub(crate) conflicts: u64,
    pub(crate) gone: u64,
    pub(crate) requests: u64,
    pub(crate) capacity: f64,
}

impl Tally {
    pub(crate) fn add(&mut self, other: Tally) {
        self.scanned += other.scanned;
        self.matched += other.matched;
        self.put += other.put;
        self.deleted += other.deleted;
        self.skipped += other.skipped;
        let room = MAX_UNDECODABLE_KEPT.saturating_sub(self.undecodable.len());
        self.undecodable
            .extend(other.undecodable.into_iter().take(room));
        self.conflicts += other.conflicts;
        self.gone += other.gone;
        self.requests += other.requests;
        self.capacity += other.capacity;
    }

    /// Counts an item skipped because it did not decode.
    pub(crate) fn skip(&mut self, error: Error) {
        self.skipped += 1;
        if self.undecodable.len() < MAX_UNDECODABLE_KEPT {
            self.undecodable.push(error);
        }
    }
}
