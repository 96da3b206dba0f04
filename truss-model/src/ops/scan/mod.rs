//! Parallel scans: the whole table, or the items of one entity type or
//! collection, read segment by segment with bounded concurrency, as a typed
//! stream (exports, `items`) or with a function applied to each item
//! (backfills and migrations, `run` in `backfill`), resumable from a
//! `checkpoint` and paced to a rate of consumed capacity (`pace`).

pub(crate) mod audit;
#[cfg(feature = "rt-tokio")]
mod spawned;

pub use audit::{Audit, EntityAudit, Finding, Mismatch};

use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::ops::collection::QueryTarget;
use crate::ops::migrate::backfill;
use crate::ops::migrate::checkpoint::{check_segments, Checkpoint};
use crate::ops::migrate::pace::Pacer;
use crate::ops::migrate::progress::Progress;
use crate::ops::projection::{render, Projection, Rendered};
use crate::table::observe::send;
use crate::table::Table;
use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// Segments scanned at once, unless set.
pub const DEFAULT_SCAN_CONCURRENCY: usize = 4;

/// What a [`Scan`] reads: an [`Entity`](crate::Entity) (the items whose keys
/// match its templates), a [`Collection`](crate::Collection) (the items of
/// its variants; every item, with an `other` variant), or [`Item`] (every
/// item, as stored).
///
/// Sealed: implemented for entities, collections and [`Item`] only.
pub trait ScanTarget: crate::foundation::sealed::Generated + Send + Sized + 'static {
    #[doc(hidden)]
    fn __name() -> &'static str;
    #[doc(hidden)]
    fn __matches(table: &Table, item: &Item) -> bool;
    #[doc(hidden)]
    fn __decode(table: &Table, item: Item) -> Result<Self>;
}

impl<T: QueryTarget> ScanTarget for T {
    fn __name() -> &'static str {
        T::__name()
    }

    fn __matches(table: &Table, item: &Item) -> bool {
        T::__matches(table, item)
    }

    fn __decode(table: &Table, item: Item) -> Result<Self> {
        T::__decode(table, item)
    }
}

/// Every item, as stored.
impl ScanTarget for Item {
    fn __name() -> &'static str {
        "Item"
    }

    fn __matches(_: &Table, _: &Item) -> bool {
        true
    }

    fn __decode(_: &Table, item: Item) -> Result<Self> {
        Ok(item)
    }
}

impl Table {
    /// Starts a parallel Scan of the items of `T`: an entity type, a
    /// collection, or [`Item`] for every item of the table.
    ///
    /// A Scan reads (and is billed for) the whole table whatever `T` is;
    /// items that are not `T`'s are skipped. Finish it with
    /// [`items`](Scan::items) (an export, as a stream), [`all`](Scan::all)
    /// (every item, collected) or [`run`](Scan::run) (a backfill or
    /// migration).
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{migrate::Rewrite, Entity, Table};
    /// #[derive(Entity, Serialize, Deserialize)]
    /// #[truss(pk = "LINK#{code}", sk = "META", index(name = "ByOwner", pk = "OWNER#{owner}"))]
    /// struct Link { code: String, owner: Option<String>, target: String }
    ///
    /// # async fn demo(table: Table) -> truss_model::Result<()> {
    /// // A backfill after adding the index: every put writes the index's
    /// // attributes. 4 segments, at most 100 capacity units per second.
    /// let done = table
    ///     .scan::<Link>()
    ///     .reindex()
    ///     .segments(4)
    ///     .pace(100.0)
    ///     .on_progress(|p| eprintln!("{} read, {} written", p.scanned, p.put))
    ///     .run(Rewrite::Put)
    ///     .await?;
    /// assert!(done.is_finished());
    ///
    /// // An export: every link, segments read in parallel.
    /// let links = table.scan::<Link>().segments(8).items();
    /// // Or collected at once.
    /// let links: Vec<Link> = table.scan::<Link>().segments(8).all().await?;
    /// # Ok(()) }
    /// ```
    pub fn scan<T: ScanTarget>(&self) -> Scan<T> {
        Scan {
            table: self.clone(),
            segments: None,
            concurrency: DEFAULT_SCAN_CONCURRENCY,
            write_concurrency: DEFAULT_SCAN_CONCURRENCY,
            page_size: None,
            consistent: false,
            pace: None,
            resume: None,
            stop_after: None,
            on_progress: None,
            undecodable: backfill::Undecodable::Stop,
            _target: PhantomData,
        }
    }
}

/// The callback of [`Scan::on_progress`].
pub(crate) type OnProgress = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A parallel Scan builder; finish it with [`items`](Scan::items),
/// [`all`](Scan::all) or [`run`](Scan::run).
#[must_use = "a Scan does nothing until items() is polled or all() or run() is awaited"]
pub struct Scan<T> {
    pub(crate) table: Table,
    pub(crate) segments: Option<usize>,
    pub(crate) concurrency: usize,
    pub(crate) write_concurrency: usize,
    pub(crate) page_size: Option<i32>,
    pub(crate) consistent: bool,
    pub(crate) pace: Option<f64>,
    pub(crate) resume: Option<Checkpoint>,
    pub(crate) stop_after: Option<u64>,
    pub(crate) on_progress: Option<OnProgress>,
    pub(crate) undecodable: backfill::Undecodable,
    pub(crate) _target: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Scan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("table", &self.table.name())
            .field("segments", &self.segments)
            .field("concurrency", &self.concurrency)
            .field("write_concurrency", &self.write_concurrency)
            .field("page_size", &self.page_size)
            .field("consistent", &self.consistent)
            .field("pace", &self.pace)
            .field("resume", &self.resume)
            .field("stop_after", &self.stop_after)
            .field("undecodable", &self.undecodable)
            .finish_non_exhaustive()
    }
}

impl<T: ScanTarget> Scan<T> {
    /// Splits the table into `n` segments read in parallel (DynamoDB's
    /// `TotalSegments`, 1 to 1,000,000; default 1). A resumed scan keeps
    /// its checkpoint's count; another count is an [`Error::InvalidQuery`].
    pub fn segments(mut self, n: usize) -> Self {
        self.segments = Some(n);
        self
    }

    /// Segments read at once (at least 1; default 4).
    pub fn concurrency(mut self, segments: usize) -> Self {
        self.concurrency = segments.max(1);
        self
    }

    /// Writes in flight at once per segment, in [`run`](Scan::run) (at
    /// least 1; default 4).
    pub fn write_concurrency(mut self, writes: usize) -> Self {
        self.write_concurrency = writes.max(1);
        self
    }

    /// Reads at most `n` items per Scan request (DynamoDB's `Limit`; by
    /// default a page is 1 MB of data). Smaller pages mean finer progress
    /// reports, checkpoints and pacing, and more requests. Values above
    /// `i32::MAX` are clamped; `0` is an [`Error::InvalidQuery`].
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX));
        self
    }

    /// Uses strongly consistent reads (twice the read capacity).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Paces the scan to `capacity_units_per_second` of consumed capacity,
    /// reads and writes together, as DynamoDB reports it: over the whole
    /// run, capacity used divided by time taken stays at or under the rate.
    /// The rate must be positive and finite, and the client needs a sleep
    /// implementation (the SDK's default configuration has one); otherwise
    /// the scan fails with [`Error::InvalidQuery`] before any request.
    pub fn pace(mut self, capacity_units_per_second: f64) -> Self {
        self.pace = Some(capacity_units_per_second);
        self
    }

    /// Continues from a checkpoint of an earlier run (see
    /// [`Progress::checkpoint`]): finished segments are skipped, the others
    /// continue after their last completed page.
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// Starts no new page once `items` items have been read in this run
    /// (pages in progress finish), leaving a checkpoint to resume from.
    pub fn stop_after(mut self, items: u64) -> Self {
        self.stop_after = Some(items);
        self
    }

    /// Reads items whose index key attributes are not the keys the model
    /// renders for them (an index added to the model, or its template
    /// changed), which every other read refuses with
    /// [`Error::Decode`]: the explicit allowance for the backfill that
    /// writes the new keys (`.reindex().run(Rewrite::Put)`). Table keys are
    /// still checked.
    pub fn reindex(mut self) -> Self {
        Arc::make_mut(&mut self.table.inner).check_index_keys = false;
        self
    }

    /// What [`run`](Scan::run) does with an item of `T` that does not
    /// decode: stop with its error (the default), or skip it and go on,
    /// counting it in [`Progress::skipped`] with its error in
    /// [`Progress::undecodable`].
    pub fn on_undecodable(mut self, policy: backfill::Undecodable) -> Self {
        self.undecodable = policy;
        self
    }

    /// Calls `report` after every page, with the counts so far and a
    /// checkpoint to resume from. Reports come one at a time, in order, so
    /// the last checkpoint reported is the latest; keep `report` quick (it
    /// holds up the other segments while it runs).
    pub fn on_progress(mut self, report: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(report));
        self
    }

    /// Every item of `T`, segments read in parallel (up to
    /// [`concurrency`](Scan::concurrency) at once), in no particular order.
    /// An item that matches `T` but does not decode is an error in the
    /// stream; the other segments go on. With the feature `rt-tokio` (a
    /// default), read on a multi-threaded Tokio runtime, each segment runs
    /// on a task of its own, at most one page ahead of the reader: its
    /// responses are parsed and its items decoded on any core. Dropping
    /// the stream stops the tasks.
    pub fn items(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        self.items_as(None, T::__decode)
    }

    /// Every item of `T`, segments read in parallel (as
    /// [`items`](Scan::items)), collected; the first error (a request that
    /// failed, an item that matches `T` but does not decode) ends the scan
    /// and is returned. With the feature `rt-tokio`, on a multi-threaded
    /// Tokio runtime, each segment collects its items on its own task and
    /// hands them over once, at its end, as a hand-written scan with a task
    /// per segment does: no page waits for the reader. When one segment is
    /// read at a time (one segment, or a [`concurrency`](Scan::concurrency)
    /// of 1), it asks for its next page and lets the request go out before
    /// it decodes the page it has, so the request is under way while the
    /// items decode; segments read at once overlap one another instead.
    /// The vector returned is allocated once, of the exact number of items:
    /// each page is decoded into a vector of its own and the pages are put
    /// together at the end, so no item is copied by a vector's growth.
    pub async fn all(self) -> Result<Vec<T>> {
        self.all_as(None, T::__decode).await
    }

    /// [`items`](Scan::items), each decoded by `decode`; with `projection`,
    /// reading only what it renders (plus the table's keys).
    fn items_as<U: Send + 'static>(
        self,
        projection: Option<crate::ops::projection::RenderProjection>,
        decode: fn(&Table, Item) -> Result<U>,
    ) -> impl Stream<Item = Result<U>> + Send + 'static {
        let (concurrency, segments) = self.segments_as(projection);
        let segments = segments.into_iter().map(move |(table, pages)| {
            let pages = pages
                .map_ok(move |page| decode_page::<T, U>(&table, page, decode))
                .boxed();
            on_own_task(pages)
        });
        stream::iter(segments)
            .flatten_unordered(concurrency)
            .flat_map(|page| match page {
                Ok(items) => stream::iter(items).left_stream(),
                Err(error) => stream::once(async { Err(error) }).right_stream(),
            })
    }

    /// [`all`](Scan::all), each item decoded by `decode`; with
    /// `projection`, reading only what it renders.
    async fn all_as<U: Send + 'static>(
        self,
        projection: Option<crate::ops::projection::RenderProjection>,
        decode: fn(&Table, Item) -> Result<U>,
    ) -> Result<Vec<U>> {
        let (concurrency, segments) = self.segments_as(projection);
        // One segment at a time, the next page is asked for while a page
        // decodes. Several at once overlap one another's requests and
        // decodes already, as a hand-written scan's tasks do; asking ahead
        // there too only costs CPU (`BENCHMARKS.md` §6, "The page ahead,
        // on the wire").
        let ahead = concurrency.min(segments.len()) <= 1;
        let segments = segments.into_iter().map(move |(table, mut pages)| {
            // The segment's items, gathered where its pages are read: each
            // page's in a vector of its own, of the page's size, so that
            // nothing grown is copied; `all` concatenates them once.
            let gathered = async move {
                let mut decoded: Vec<Vec<U>> = Vec::new();
                let mut next = pages.next().await;
                while let Some(page) = next {
                    let page = page?;
                    // With `ahead`, the next page is asked for before this
                    // one decodes: its request is under way while the items
                    // decode (one page ahead, as `items()` reads).
                    // Otherwise it is first polled after the decode.
                    let mut fetch = pages.next();
                    let mut started = std::task::Poll::Pending;
                    if ahead {
                        started = futures::poll!(&mut fetch);
                        // What the poll woke on this thread runs before the
                        // page decodes, until the request is out: on Tokio
                        // a task woken by a running one waits in that
                        // worker's own slot, which other workers do not
                        // take, so the HTTP connection's task that writes
                        // the request (or hands back the pooled connection
                        // the request waits for) would wait for the whole
                        // decode. A few rounds cover that chain: the pooled
                        // connection handed back, the request handed to it,
                        // written. (The test
                        // `all_sends_the_next_request_while_a_page_decodes`
                        // sees the request on the wire.)
                        for _ in 0..AHEAD_ROUNDS {
                            if started.is_ready() {
                                break;
                            }
                            yield_once().await;
                            started = futures::poll!(&mut fetch);
                        }
                    }
                    let mut items = Vec::with_capacity(page.items.len());
                    for item in page.items {
                        if T::__matches(&table, &item) {
                            items.push(decode(&table, item)?);
                        }
                    }
                    // The pages are kept until the end: one of mostly other
                    // entities' items keeps only what it holds (a full page
                    // is left as it is; glibc shrinks in place).
                    items.shrink_to_fit();
                    decoded.push(items);
                    next = match started {
                        std::task::Poll::Ready(page) => page,
                        std::task::Poll::Pending => fetch.await,
                    };
                }
                Ok::<_, Error>(decoded)
            };
            on_own_task(stream::once(gathered).boxed())
        });
        let pages = stream::iter(segments)
            .flatten_unordered(concurrency)
            .try_fold(Vec::new(), |mut all, pages| async move {
                all.extend(pages);
                Ok(all)
            })
            .await?;
        // One allocation of the exact size, each item moved once. A vector
        // grown page by page, and segments appended to one another, copied
        // items two or three times into memory freshly mapped for them:
        // about 800 more page faults per scan of 20,000 items than a
        // hand-written scan, and 3 to 4% more client CPU at two segments
        // (`BENCHMARKS.md` §6).
        let mut all = Vec::with_capacity(pages.iter().map(Vec::len).sum());
        for page in pages {
            all.extend(page);
        }
        Ok(all)
    }

    /// The concurrency and each segment's raw pages (with the table the
    /// segment decodes with), not yet on tasks of their own; a scan that
    /// cannot run is one segment yielding its error.
    #[allow(clippy::type_complexity)]
    fn segments_as(
        self,
        projection: Option<crate::ops::projection::RenderProjection>,
    ) -> (usize, Vec<(Table, BoxStream<'static, Result<RawPage>>)>) {
        let planned = self.plan().and_then(|(mut plan, starts)| {
            if let Some(render) = projection {
                let inner = &self.table.inner;
                let mut keys = vec![inner.pk.as_str()];
                keys.extend(inner.sk.as_deref());
                plan.projection = Some(render(&keys)?);
            }
            Ok((plan, starts))
        });
        let segments = match planned {
            Ok((plan, starts)) => {
                let plan = Arc::new(plan);
                starts
                    .into_iter()
                    .enumerate()
                    .filter_map(|(segment, start)| {
                        let table = plan.table.clone();
                        Some((table, plan.clone().pages(segment, start?).boxed()))
                    })
                    .collect()
            }
            Err(error) => vec![(
                self.table.clone(),
                stream::once(async { Err(error) }).boxed(),
            )],
        };
        (self.concurrency, segments)
    }

    /// Checks the scan's settings and the checkpoint it resumes from;
    /// returns the plan and each segment's start (`None`: done).
    pub(crate) fn plan(&self) -> Result<(Plan, Vec<Option<Option<Item>>>)> {
        let name = T::__name();
        let invalid = |reason: &str| Error::InvalidQuery {
            entity: name,
            reason: reason.to_owned(),
        };
        if self.page_size == Some(0) {
            return Err(invalid("`page_size` must be at least 1"));
        }
        let starts = match &self.resume {
            Some(checkpoint) => {
                if self.segments.is_some_and(|n| n != checkpoint.segments()) {
                    return Err(invalid(&format!(
                        "the checkpoint has {} segments; a resumed scan keeps them",
                        checkpoint.segments()
                    )));
                }
                checkpoint.starts(&self.table, name)?
            }
            None => {
                let segments = self.segments.unwrap_or(1);
                check_segments(name, segments)?;
                vec![Some(None); segments]
            }
        };
        let pacer = match self.pace {
            None => None,
            Some(rate) if !(rate.is_finite() && rate > 0.0) => {
                return Err(invalid("the pace must be a positive, finite rate"))
            }
            Some(rate) => match self.table.inner.client.config().sleep_impl() {
                Some(sleep) => Some(Pacer::new(rate, sleep)),
                None => return Err(invalid("pacing needs a sleep implementation on the client")),
            },
        };
        Ok((
            Plan {
                table: self.table.clone(),
                entity: name,
                total: starts.len(),
                page_size: self.page_size,
                consistent: self.consistent,
                total_capacity: pacer.is_some(),
                pacer,
                projection: None,
            },
            starts,
        ))
    }
}

/// A checked scan, shared by its segments.
pub(crate) struct Plan {
    pub(crate) table: Table,
    /// The scan target's name, for traces and the capacity meter.
    entity: &'static str,
    pub(crate) total: usize,
    page_size: Option<i32>,
    consistent: bool,
    pub(crate) pacer: Option<Pacer>,
    /// Whether each page's total consumed capacity is asked for: a paced
    /// scan and a backfill's progress need it; a plain scan does not ask
    /// (unless a meter or a span wants the parts), so its request is the
    /// one a hand-written scan sends.
    pub(crate) total_capacity: bool,
    /// A projection's `ProjectionExpression` and names.
    pub(crate) projection: Option<Rendered>,
}

/// One page of one segment, as read.
pub(crate) struct RawPage {
    pub(crate) items: Vec<Item>,
    /// Where the segment goes on; `None` when it is done.
    pub(crate) last: Option<Item>,
    /// The read capacity DynamoDB reported for the page.
    pub(crate) capacity: f64,
}

impl Plan {
    /// Reads one page of `segment` from `start`: one Scan request, after
    /// waiting for the pace.
    pub(crate) async fn page(&self, segment: usize, start: Option<Item>) -> Result<RawPage> {
        if let Some(pacer) = &self.pacer {
            pacer.wait().await;
        }
        let inner = &self.table.inner;
        let observation = inner.observe("Scan", self.entity);
        observation.consistent(self.consistent);
        observation.page(self.page_size, true);
        let mut request = inner
            .client
            .scan()
            .table_name(&inner.name)
            .set_limit(self.page_size)
            // Sent only when asked (`false` is DynamoDB's default).
            .set_consistent_read(self.consistent.then_some(true))
            .set_projection_expression(self.projection.as_ref().map(|p| p.expression.clone()))
            .set_expression_attribute_names(self.projection.as_ref().map(|p| p.names.clone()))
            // The pace and a backfill's progress need the total; a meter or
            // a span the parts.
            .set_return_consumed_capacity(if self.total_capacity {
                Some(observation.capacity_or_total())
            } else {
                observation.capacity()
            })
            .set_exclusive_start_key(start);
        if self.total > 1 {
            // Both fit in an i32: at most 1,000,000 segments (checked).
            let to_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
            request = request
                .segment(to_i32(segment))
                .total_segments(to_i32(self.total));
        }
        let output = match send!(observation, request) {
            Ok(output) => output,
            Err(e) => return observation.finish(Err(Error::dynamo("Scan", e))),
        };
        observation.items(output.count, output.scanned_count);
        let capacity = output
            .consumed_capacity
            .and_then(|c| c.capacity_units)
            .unwrap_or(0.0);
        if let Some(pacer) = &self.pacer {
            pacer.charge(capacity);
        }
        Ok(RawPage {
            items: output.items.unwrap_or_default(),
            last: output.last_evaluated_key.filter(|k| !k.is_empty()),
            capacity,
        })
    }

    /// The pages of one segment from `start`, lazily.
    fn pages(
        self: Arc<Self>,
        segment: usize,
        start: Option<Item>,
    ) -> impl Stream<Item = Result<RawPage>> + Send + 'static {
        stream::try_unfold(Some(start), move |start| {
            let plan = self.clone();
            async move {
                let Some(start) = start else {
                    return Ok(None);
                };
                let page = plan.page(segment, start).await?;
                let next = page.last.clone().map(Some);
                Ok(Some((page, next)))
            }
        })
    }
}

/// How many times `all` lets what its poll of the next page woke run
/// before it decodes a page, while that page is not in (each a return to
/// the executor).
const AHEAD_ROUNDS: usize = 4;

/// Returns `Pending` once, waking itself: the executor runs what is
/// waiting on this thread before this task goes on.
async fn yield_once() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

/// `segment` on a task of its own where it can be (feature `rt-tokio`):
/// read and decoded on another core than the other segments.
fn on_own_task<P: Send + 'static>(segment: BoxStream<'static, P>) -> BoxStream<'static, P> {
    #[cfg(feature = "rt-tokio")]
    let segment = spawned::on_own_task(segment);
    segment
}

/// The items of a page that are `T`'s, decoded by `decode`.
fn decode_page<T: ScanTarget, U>(
    table: &Table,
    page: RawPage,
    decode: fn(&Table, Item) -> Result<U>,
) -> Vec<Result<U>> {
    page.items
        .into_iter()
        .filter(|item| T::__matches(table, item))
        .map(|item| decode(table, item))
        .collect()
}

impl<E: crate::keys::entity::Entity> Scan<E> {
    /// Reads only the fields of projection `P` (a `ProjectionExpression`
    /// of its paths plus the table's keys, in the same requests): see
    /// [`Projection`](crate::Projection). Call it last.
    pub fn project<P: Projection<Entity = E>>(self) -> ScanProjected<P> {
        ScanProjected(self)
    }
}

/// A scan reading a [`Projection`](crate::Projection): made by
/// [`Scan::project`].
#[must_use = "a Scan does nothing until items() is polled or all() is awaited"]
pub struct ScanProjected<P: Projection>(Scan<P::Entity>);

impl<P: Projection> fmt::Debug for ScanProjected<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScanProjected").field(&self.0).finish()
    }
}

impl<P: Projection> ScanProjected<P> {
    /// Every item's projection, segments read in parallel, in no
    /// particular order (as [`Scan::items`]).
    pub fn items(self) -> impl Stream<Item = Result<P>> + Send + 'static {
        self.0
            .items_as(Some(render::<P>), crate::ops::projection::decode::<P>)
    }

    /// Every item's projection, collected (as [`Scan::all`]).
    pub async fn all(self) -> Result<Vec<P>> {
        self.0
            .all_as(Some(render::<P>), crate::ops::projection::decode::<P>)
            .await
    }
}
