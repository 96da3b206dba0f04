//! Backfills and migrations: a function applied to each item a parallel
//! scan reads, segment by segment, page by page, its changes written by
//! `writes`.

use super::checkpoint::{Checkpoint, SegmentState};
use super::progress::{Progress, Tally};
use super::writes::{delete, key_of, put, reread, Done, Read};
use super::{Plan, Scan, ScanTarget};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::ops::cursor::Cursor;
use crate::table::Table;
use futures::stream::{self, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Times an item is read and its change written before a run gives up on
/// an item other writers keep changing.
const ATTEMPTS: usize = 5;

/// What a backfill does with one item, returned by the function given to
/// [`Scan::run`].
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// Leaves the item as it is (no request).
    Keep,
    /// Writes the item as `T`. With the key it was read at: one PutItem
    /// (new attributes, new index keys, an upgraded version). With another
    /// key (a re-key): one transaction that creates the new item, failing
    /// with [`Error::AlreadyExists`] if an item has that key, and deletes
    /// the one read.
    Put(T),
    /// Deletes the item (one DeleteItem).
    Delete,
}

/// What [`Scan::run`] can write back: an entity, or an [`Item`] as stored.
pub trait ScanWrite: ScanTarget {
    #[doc(hidden)]
    fn __to_item(&self, table: &Table) -> Result<Item>;
    /// The attributes a write requires unchanged since the read: the
    /// version and the revision.
    #[doc(hidden)]
    fn __guards() -> [Option<&'static str>; 2];
}

impl<E: Entity> ScanWrite for E {
    fn __to_item(&self, table: &Table) -> Result<Item> {
        table.inner.encode_item(self).map(|(item, _)| item)
    }

    fn __guards() -> [Option<&'static str>; 2] {
        [E::VERSION, E::REVISION.map(|r| r.attribute)]
    }
}

/// An item written back as it is: it must hold the table's key attributes.
impl ScanWrite for Item {
    fn __to_item(&self, _: &Table) -> Result<Item> {
        Ok(self.clone())
    }

    fn __guards() -> [Option<&'static str>; 2] {
        [None, None]
    }
}

impl<T: ScanWrite> Scan<T> {
    /// Applies `f` to every item of `T` and writes what it returns: a
    /// backfill (new attributes, new index keys), a migration (upgraded
    /// versions) or a re-key.
    ///
    /// Segments run in parallel (up to [`concurrency`](Scan::concurrency)
    /// at once), each page's changes with up to
    /// [`write_concurrency`](Scan::write_concurrency) writes in flight, one
    /// request per changed item (two capacity units per item for a re-key's
    /// transaction). Every write is conditional on the item still existing
    /// and, for an entity with a `version` field or a `revision`, on its
    /// version and revision being the ones read: when another writer got
    /// there first, the item is read
    /// again (consistently) and `f` applied to it anew, so no concurrent
    /// change is overwritten. Without a `version` field, a change written
    /// between the scan's read and the backfill's write is overwritten.
    ///
    /// Returns the final [`Progress`]; stopped by
    /// [`stop_after`](Scan::stop_after), its checkpoint resumes the run. On
    /// an error (a request that failed, an item of `T` that does not
    /// decode), the other segments stop after their current page and the
    /// last checkpoint given to [`on_progress`](Scan::on_progress) resumes
    /// the run. A re-keyed item may be read again later in the same run:
    /// `f` should return [`Change::Keep`] for items it has already changed.
    pub async fn run<F>(self, f: F) -> Result<Progress>
    where
        F: Fn(T) -> Change<T> + Send + Sync,
    {
        let (plan, starts) = self.plan()?;
        let checkpoint = match self.resume {
            Some(checkpoint) => checkpoint,
            None => Checkpoint::new(&self.table, T::__name(), starts.len()),
        };
        let shared = Shared {
            progress: Mutex::new(Progress {
                scanned: 0,
                matched: 0,
                put: 0,
                deleted: 0,
                conflicts: 0,
                gone: 0,
                requests: 0,
                consumed_capacity: 0.0,
                elapsed: Duration::ZERO,
                checkpoint,
            }),
            failed: AtomicBool::new(false),
            stop_after: self.stop_after,
            on_progress: self.on_progress,
            start: Instant::now(),
        };
        let segment = |(segment, start)| {
            Segment {
                plan: &plan,
                shared: &shared,
                segment,
                writes: self.write_concurrency,
            }
            .run(start, &f)
        };
        let runs = starts
            .into_iter()
            .enumerate()
            .filter_map(|(segment, start)| start.map(|s| (segment, s)));
        let results: Vec<Result<()>> = stream::iter(runs)
            .map(segment)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<()>>()?;
        if let Some(pacer) = &plan.pacer {
            // The last requests' cost: the run ends within its rate.
            pacer.wait().await;
        }
        let mut progress = shared.lock().clone();
        progress.elapsed = shared.start.elapsed();
        Ok(progress)
    }
}

/// What a run's segments share.
struct Shared {
    progress: Mutex<Progress>,
    failed: AtomicBool,
    stop_after: Option<u64>,
    on_progress: Option<super::OnProgress>,
    start: Instant,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether to start no new page.
    fn stopping(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
            || self
                .stop_after
                .is_some_and(|items| self.lock().scanned >= items)
    }

    /// Records a finished page, then reports (under the lock, so reports
    /// come in order).
    fn record(&self, segment: usize, state: SegmentState, tally: &Tally) {
        let mut progress = self.lock();
        progress.add(tally);
        progress.checkpoint.set(segment, state);
        progress.elapsed = self.start.elapsed();
        if let Some(report) = &self.on_progress {
            report(&progress);
        }
    }
}

/// One segment of a run.
struct Segment<'a> {
    plan: &'a Plan,
    shared: &'a Shared,
    segment: usize,
    writes: usize,
}

impl Segment<'_> {
    async fn run<T: ScanWrite, F>(self, start: Option<Item>, f: &F) -> Result<()>
    where
        F: Fn(T) -> Change<T> + Send + Sync,
    {
        let result = self.pages(start, f).await;
        if result.is_err() {
            self.shared.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    async fn pages<T: ScanWrite, F>(&self, mut start: Option<Item>, f: &F) -> Result<()>
    where
        F: Fn(T) -> Change<T> + Send + Sync,
    {
        loop {
            if self.shared.stopping() {
                return Ok(());
            }
            let page = self.plan.page(self.segment, start).await?;
            let mut tally = Tally {
                scanned: page.items.len() as u64,
                requests: 1,
                capacity: page.capacity,
                ..Tally::default()
            };
            let table = &self.plan.table;
            let items: Vec<Item> = page
                .items
                .into_iter()
                .filter(|item| T::__matches(table, item))
                .collect();
            tally.matched = items.len() as u64;
            let outcomes: Vec<Result<Tally>> = stream::iter(items)
                .map(|item| apply(self.plan, item, f))
                .buffer_unordered(self.writes)
                .collect()
                .await;
            for outcome in outcomes {
                tally.add(&outcome?);
            }
            let state = match &page.last {
                Some(key) => SegmentState::After(Cursor::encode(None, key)?),
                None => SegmentState::Done,
            };
            self.shared.record(self.segment, state, &tally);
            match page.last {
                Some(key) => start = Some(key),
                None => return Ok(()),
            }
        }
    }
}

/// Applies `f` to one item and writes its change; after a conflict, reads
/// the item again and starts over.
async fn apply<T: ScanWrite, F>(plan: &Plan, mut item: Item, f: &F) -> Result<Tally>
where
    F: Fn(T) -> Change<T> + Send + Sync,
{
    let table = &plan.table;
    let mut tally = Tally::default();
    let mut key = key_of(table, T::__name(), &item)?;
    for _ in 0..ATTEMPTS {
        let read = Read {
            key,
            guards: T::__guards()
                .into_iter()
                .flatten()
                .map(|attr| (attr, item.get(attr).cloned()))
                .collect(),
        };
        let write = match f(T::__decode(table, item)?) {
            Change::Keep => return Ok(tally),
            Change::Put(value) => Some(value.__to_item(table)?),
            Change::Delete => None,
        };
        if let Some(pacer) = &plan.pacer {
            pacer.wait().await;
        }
        let sent = match write {
            Some(new) => put(plan, T::__name(), &read, new).await?,
            None => delete(plan, T::__name(), &read).await?,
        };
        tally.requests += 1;
        tally.capacity += sent.capacity;
        match sent.done {
            Some(Done::Put) => tally.put += 1,
            Some(Done::Deleted) => tally.deleted += 1,
            None => {
                // Another writer changed or deleted the item: start over
                // from what is stored now.
                tally.conflicts += 1;
                match reread(plan, T::__name(), &read.key, &mut tally).await? {
                    Some(now) => {
                        item = now;
                        key = read.key;
                        continue;
                    }
                    None => tally.gone += 1,
                }
            }
        }
        return Ok(tally);
    }
    Err(Error::ConditionFailed {
        entity: T::__name(),
        key: table.inner.display(&key),
    })
}
