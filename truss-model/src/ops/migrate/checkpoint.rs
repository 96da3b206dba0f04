//! Where a parallel scan stands: one state per segment, serializable, and
//! checked before a run resumes from it.

use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::ops::cursor::{invalid, Cursor};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

/// The format of checkpoints written by this version.
const FORMAT: u32 = 1;

/// Where a [`Scan`](crate::scan::Scan) stands: for each segment, not started,
/// after a given item, or done.
///
/// A segment's position moves past a page only once every write for that
/// page is done, so resuming from any checkpoint a run reported never skips
/// an item. Items of pages finished after the checkpoint was taken (a run
/// interrupted between two reports) are read again: make the function of a
/// backfill return [`Rewrite::Keep`](crate::migrate::Rewrite::Keep) for items it has
/// already changed.
///
/// Serializes with serde (for example to JSON, to store between runs).
/// Each segment's position is a checksummed [`Cursor`]; resuming checks the
/// checkpoint's table, target and cursors first and refuses a damaged or
/// foreign checkpoint with [`Error::InvalidCursor`], before any request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    format: u32,
    table: String,
    target: String,
    segments: Vec<SegmentState>,
}

/// Where one segment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SegmentState {
    /// Not started.
    Start,
    /// Every item up to this key is done.
    After(Cursor),
    /// Every item of the segment is done.
    Done,
}

impl Checkpoint {
    pub(crate) fn new(table: &Table, target: &str, segments: usize) -> Self {
        Checkpoint {
            format: FORMAT,
            table: table.name().to_owned(),
            target: target.to_owned(),
            segments: vec![SegmentState::Start; segments],
        }
    }

    /// Whether every segment is done: a run resumed from here reads
    /// nothing.
    pub fn is_finished(&self) -> bool {
        self.segments.iter().all(|s| *s == SegmentState::Done)
    }

    /// The table scanned.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The number of segments the scan was split into.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// The segments that are done.
    pub fn segments_done(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| **s == SegmentState::Done)
            .count()
    }

    pub(crate) fn set(&mut self, segment: usize, state: SegmentState) {
        if let Some(slot) = self.segments.get_mut(segment) {
            *slot = state;
        }
    }

    /// Checks that this checkpoint belongs to a scan of `target` on `table`
    /// and that every cursor is intact and holds exactly the table's key
    /// attributes; returns each segment's start (`None`: done).
    pub(crate) fn starts(&self, table: &Table, target: &str) -> Result<Vec<Option<Option<Item>>>> {
        if self.format != FORMAT {
            return Err(invalid(&format!(
                "unsupported checkpoint format {}",
                self.format
            )));
        }
        if self.table != table.name() || self.target != target {
            return Err(invalid(&format!(
                "the checkpoint belongs to a scan of {} on table `{}`, not of {target} on `{}`",
                self.target,
                self.table,
                table.name()
            )));
        }
        if !(1..=MAX_SEGMENTS).contains(&self.segments.len()) {
            return Err(invalid("the checkpoint has no segments, or too many"));
        }
        self.segments
            .iter()
            .map(|state| match state {
                SegmentState::Start => Ok(Some(None)),
                SegmentState::Done => Ok(None),
                SegmentState::After(cursor) => start_key(table, cursor).map(|k| Some(Some(k))),
            })
            .collect()
    }
}

/// DynamoDB's largest `TotalSegments`.
pub(crate) const MAX_SEGMENTS: usize = 1_000_000;

/// Fails unless `segments` is in DynamoDB's range of `TotalSegments`.
pub(crate) fn check_segments(target: &'static str, segments: usize) -> Result<()> {
    if (1..=MAX_SEGMENTS).contains(&segments) {
        Ok(())
    } else {
        Err(Error::InvalidQuery {
            entity: target,
            reason: format!("a scan has 1 to {MAX_SEGMENTS} segments, not {segments}"),
        })
    }
}

/// A segment's cursor as the `ExclusiveStartKey` of its next page: intact,
/// from no index, holding exactly the table's key attributes as strings.
fn start_key(table: &Table, cursor: &Cursor) -> Result<Item> {
    let (index, key) = cursor.decode()?;
    if index.is_some() {
        return Err(invalid("a scan checkpoint's cursor comes from an index"));
    }
    let inner = &table.inner;
    let expected: Vec<&str> = std::iter::once(inner.pk.as_str())
        .chain(inner.sk.as_deref())
        .collect();
    let fits = key.len() == expected.len()
        && expected
            .iter()
            .all(|a| matches!(key.get(*a), Some(AttributeValue::S(_))));
    if !fits {
        return Err(invalid(
            "the checkpoint's cursor does not match the table's key schema",
        ));
    }
    Ok(key)
}
