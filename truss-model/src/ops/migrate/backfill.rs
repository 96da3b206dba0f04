//! Backfills and migrations: a function applied to each item a parallel
//! scan reads, segment by segment, page by page, its changes written by
//! `writes`.

use super::checkpoint::{Checkpoint, SegmentState};
use super::progress::{Progress, Tally};
use super::writes::{delete, key_of, put, reread, Done, Read};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::ops::cursor::Cursor;
use crate::ops::scan::{Plan, Scan, ScanTarget};
use crate::table::Table;
use futures::stream::{self, StreamExt};
use std::fmt;
use std::future::{ready, Future};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Times an item is read and its change written before a run gives up on
/// an item other writers keep changing.
const ATTEMPTS: usize = 5;

/// What a backfill does with one item, returned by the function given to
/// [`Scan::run`] or [`Scan::run_async`].
#[derive(Debug, Clone, PartialEq)]
pub enum Rewrite<T> {
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

/// What a backfill does with an item of its target that matches but does
/// not decode: set with [`Scan::on_undecodable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Undecodable {
    /// The run stops with the item's [`Error::Decode`] (the default).
    #[default]
    Stop,
    /// The item is left as it is, counted in [`Progress::skipped`] and its
    /// error kept in [`Progress::undecodable`] (the first
    /// [`MAX_UNDECODABLE_KEPT`]); the run goes on.
    Skip,
}

/// Errors of undecodable items a run keeps in [`Progress::undecodable`];
/// later ones are counted only.
pub const MAX_UNDECODABLE_KEPT: usize = 100;

/// A backfill that stopped on an error, with everything it had done: its
/// [`Progress`] counts every write that succeeded, and its checkpoint
/// resumes after the last page completed in every segment (the page that
/// failed is read again, so `f` should return [`Rewrite::Keep`] for items
/// it has already changed).
///
/// `?` converts it to the [`Error`] alone.
pub struct RunError {
    error: Error,
    progress: Box<Progress>,
}

impl RunError {
    /// What stopped the run.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// What the run did before it stopped, and where to resume.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The error and the progress.
    pub fn into_parts(self) -> (Error, Progress) {
        (self.error, *self.progress)
    }
}

impl fmt::Debug for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunError")
            .field("error", &self.error)
            .field("progress", &self.progress)
            .finish()
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the backfill stopped after {} items read, {} written, {} deleted: {}",
            self.progress.scanned, self.progress.put, self.progress.deleted, self.error
        )
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<RunError> for Error {
    fn from(e: RunError) -> Error {
        e.error
    }
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
    /// decode unless [`on_undecodable`](Scan::on_undecodable) skips it),
    /// the other segments stop after their current page and the
    /// [`RunError`] holds the error with the progress so far: every write
    /// that succeeded is counted, and its checkpoint resumes the run. A
    /// re-keyed item may be read again later in the same run: `f` should
    /// return [`Rewrite::Keep`] for items it has already changed.
    pub async fn run<F>(self, f: F) -> std::result::Result<Progress, RunError>
    where
        F: Fn(T) -> Rewrite<T> + Send + Sync,
    {
        self.run_async(|item| ready(f(item))).await
    }

    /// [`run`](Scan::run) with an asynchronous function: `f` can await
    /// (another table, a service) before it says what to write. Up to
    /// [`write_concurrency`](Scan::write_concurrency) calls per segment are
    /// in flight at once.
    pub async fn run_async<F, Fut>(self, f: F) -> std::result::Result<Progress, RunError>
    where
        F: Fn(T) -> Fut + Send + Sync,
        Fut: Future<Output = Rewrite<T>> + Send,
    {
        let start = Instant::now();
        let (plan, starts) = match self.plan() {
            // Progress reports the capacity read.
            Ok((mut plan, starts)) => {
                plan.total_capacity = true;
                (plan, starts)
            }
            Err(error) => {
                let checkpoint = self.resume.clone().unwrap_or_else(|| {
                    Checkpoint::new(&self.table, T::__name(), self.segments.unwrap_or(1))
                });
                return Err(RunError {
                    error,
                    progress: Box::new(Progress::empty(checkpoint)),
                });
            }
        };
        let checkpoint = match self.resume {
            Some(checkpoint) => checkpoint,
            None => Checkpoint::new(&self.table, T::__name(), starts.len()),
        };
        let shared = Shared {
            progress: Mutex::new(Progress::empty(checkpoint)),
            failed: AtomicBool::new(false),
            stop_after: self.stop_after,
            on_progress: self.on_progress,
            undecodable: self.undecodable,
            start,
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
        let outcome = results.into_iter().collect::<Result<()>>();
        if outcome.is_ok() {
            if let Some(pacer) = &plan.pacer {
                // The last requests' cost: the run ends within its rate.
                pacer.wait().await;
            }
        }
        let mut progress = shared.lock().clone();
        progress.elapsed = shared.start.elapsed();
        match outcome {
            Ok(()) => Ok(progress),
            Err(error) => Err(RunError {
                error,
                progress: Box::new(progress),
            }),
        }
    }
}

/// What a run's segments share.
struct Shared {
    progress: Mutex<Progress>,
    failed: AtomicBool,
    stop_after: Option<u64>,
    on_progress: Option<crate::ops::scan::OnProgress>,
    undecodable: Undecodable,
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

    /// Records a page: its counts, and (when it completed) where the
    /// segment stands; then reports (under the lock, so reports come in
    /// order).
    fn record(&self, segment: usize, state: Option<SegmentState>, tally: Tally) {
        let mut progress = self.lock();
        progress.add(tally);
        if let Some(state) = state {
            progress.checkpoint.set(segment, state);
        }
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
    async fn run<T: ScanWrite, F, Fut>(self, start: Option<Item>, f: &F) -> Result<()>
    where
        F: Fn(T) -> Fut + Send + Sync,
        Fut: Future<Output = Rewrite<T>> + Send,
    {
        let result = self.pages(start, f).await;
        if result.is_err() {
            self.shared.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    async fn pages<T: ScanWrite, F, Fut>(&self, mut start: Option<Item>, f: &F) -> Result<()>
    where
        F: Fn(T) -> Fut + Send + Sync,
        Fut: Future<Output = Rewrite<T>> + Send,
    {
        loop {
            if self.shared.stopping() {
                return Ok(());
            }
            let page = match self.plan.page(self.segment, start).await {
                Ok(page) => page,
                Err(error) => {
                    let failed = Tally {
                        requests: 1,
                        ..Tally::default()
                    };
                    self.shared.record(self.segment, None, failed);
                    return Err(error);
                }
            };
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
            let policy = self.shared.undecodable;
            let outcomes: Vec<(Tally, Result<()>)> = stream::iter(items)
                .map(|item| async move {
                    let mut tally = Tally::default();
                    let result = apply(self.plan, item, f, policy, &mut tally).await;
                    (tally, result)
                })
                .buffer_unordered(self.writes)
                .collect()
                .await;
            // Every write that succeeded is counted, also when another
            // item of the page failed.
            let mut failure = None;
            for (outcome, result) in outcomes {
                tally.add(outcome);
                if let Err(error) = result {
                    failure.get_or_insert(error);
                }
            }
            if let Some(error) = failure {
                // The segment stays where it was: the page is read again
                // on resume.
                self.shared.record(self.segment, None, tally);
                return Err(error);
            }
            let state = match &page.last {
                Some(key) => SegmentState::After(Cursor::encode(None, key)?),
                None => SegmentState::Done,
            };
            self.shared.record(self.segment, Some(state), tally);
            match page.last {
                Some(key) => start = Some(key),
                None => return Ok(()),
            }
        }
    }
}

/// Applies `f` to one item and writes its change, counting into `tally`;
/// after a conflict, reads the item again and starts over.
async fn apply<T: ScanWrite, F, Fut>(
    plan: &Plan,
    mut item: Item,
    f: &F,
    undecodable: Undecodable,
    tally: &mut Tally,
) -> Result<()>
where
    F: Fn(T) -> Fut + Send + Sync,
    Fut: Future<Output = Rewrite<T>> + Send,
{
    let table = &plan.table;
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
        let value = match T::__decode(table, item) {
            Ok(value) => value,
            Err(error @ Error::Decode { .. }) if undecodable == Undecodable::Skip => {
                #[cfg(feature = "tracing")]
                tracing::warn!(%error, "backfill: an undecodable item is skipped");
                tally.skip(error);
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        let write = match f(value).await {
            Rewrite::Keep => return Ok(()),
            Rewrite::Put(value) => Some(value.__to_item(table)?),
            Rewrite::Delete => None,
        };
        if let Some(pacer) = &plan.pacer {
            pacer.wait().await;
        }
        // A request is counted when it is sent, whether or not it succeeds.
        tally.requests += 1;
        let sent = match write {
            Some(new) => put(plan, T::__name(), &read, new).await?,
            None => delete(plan, T::__name(), &read).await?,
        };
        tally.capacity += sent.capacity;
        match sent.done {
            Some(Done::Put) => tally.put += 1,
            Some(Done::Deleted) => tally.deleted += 1,
            None => {
                // Another writer changed or deleted the item: start over
                // from what is stored now.
                tally.conflicts += 1;
                match reread(plan, T::__name(), &read.key, tally).await? {
                    Some(now) => {
                        item = now;
                        key = read.key;
                        continue;
                    }
                    None => tally.gone += 1,
                }
            }
        }
        return Ok(());
    }
    Err(Error::ConditionFailed {
        entity: T::__name(),
        key: table.inner.display(&key),
    })
}
