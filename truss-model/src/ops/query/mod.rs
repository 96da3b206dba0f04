//! Queries on one partition of one entity type or collection, on the
//! table or an index; `plan` holds a checked query and sends its pages.

mod hydrate;
mod plan;

pub use hydrate::{Hydrate, Hydrated, HydratedPage};

use crate::expr::Condition;
use crate::expr::Node;
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::foundation::limits::MAX_PARTITION_KEY_BYTES;
use crate::keys::attribute_index::AttributeCondition;
use crate::keys::entity::{Entity, Partition, PartitionKey};
use crate::keys::projected::{Complete, Whole};
use crate::keys::sort_key::{KeyCondition, SortCondition};
use crate::keys::template::Index;
use crate::ops::collection::QueryTarget;
use crate::ops::cursor::Cursor;
use crate::ops::projection::{render_of, ProjectionOf, RenderQueryProjection};
use crate::ops::Decode;
use crate::table::Table;
use futures::future::BoxFuture;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use plan::{Filter, Keys, Plan, Target};
use std::fmt;
use std::marker::PhantomData;

/// One page of query results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in sort-key order (or reversed, for a
    /// [descending](Query::descending) query).
    pub items: Vec<T>,
    /// Where the next page starts; `None` when this is the last page.
    pub cursor: Option<Cursor>,
}

impl Table {
    /// Queries the items of entity `E` in one partition.
    ///
    /// Without a [`key_condition`](Query::key_condition) the query covers exactly the
    /// sort keys `E`'s template can produce (for `CLIP#{created_at}`, every
    /// key that begins with `CLIP#`), so other entity types sharing the
    /// partition are never read.
    ///
    /// For a [`Collection`](crate::Collection) (see
    /// [`Partition::collection`]) the query reads the whole partition and
    /// decodes each item into its variant.
    pub fn query<E: QueryTarget, R>(&self, partition: Partition<E, R>) -> Query<E, R> {
        let (partition, scope) = self.checked_partition(E::__name(), partition.key);
        let sort = match scope {
            Ok(index) => E::__scope(index),
            Err((everything, index)) => SortCondition::attributes(Ok(everything), index),
        };
        Query {
            q: self.untyped_query(partition, sort.index, sort.condition),
            _reads: PhantomData,
        }
    }

    /// A query with its settings at their defaults.
    fn untyped_query(
        &self,
        partition: PartitionKey,
        sort_index: Option<&'static str>,
        sort_condition: Result<KeyCondition>,
    ) -> UntypedQuery {
        UntypedQuery {
            table: self.clone(),
            partition,
            sort_index,
            sort_condition,
            descending: false,
            page_size: None,
            limit: None,
            consistent: false,
            after: None,
            filter: None,
            hide_expired: false,
        }
    }

    /// A query's partition, its rendered key's length checked, and where
    /// its sort condition starts: the entity's sort-key scope on the table
    /// or an index (`Ok`), or every sort key of an index over attributes
    /// (`Err`). Not generic: compiled once, not for every entity.
    fn checked_partition(
        &self,
        entity: &'static str,
        partition: PartitionKey,
    ) -> (
        PartitionKey,
        std::result::Result<Option<Index>, (AttributeCondition, &'static str)>,
    ) {
        match partition {
            PartitionKey::Rendered { index, pk } => {
                let attr = index.map_or(self.inner.pk.as_str(), |i| i.pk_attribute);
                let pk = pk.and_then(|pk| {
                    self.inner
                        .check_len_of(entity, attr, &pk, MAX_PARTITION_KEY_BYTES)
                        .map(|()| pk)
                });
                (PartitionKey::Rendered { index, pk }, Ok(index))
            }
            PartitionKey::Attributes { index, values } => {
                let everything = AttributeCondition {
                    eqs: Vec::new(),
                    range: None,
                };
                let name = index.name;
                (
                    PartitionKey::Attributes { index, values },
                    Err((everything, name)),
                )
            }
        }
    }
}

/// A query builder; finish it with [`page`](Query::page),
/// [`items`](Query::items) or [`all`](Query::all).
///
/// `R` is what it reads ([`projected`](crate::projected)): a query of an
/// index holding only some attributes finishes with
/// [`project`](Query::project) or [`hydrate`](Query::hydrate).
#[must_use = "a Query does nothing until page(), items() or all() is awaited"]
pub struct Query<E, R = Whole> {
    /// The query without its type: every setting, and the body that runs
    /// it, are the same for every entity.
    q: UntypedQuery,
    _reads: PhantomData<fn() -> (E, R)>,
}

impl<E, R> Clone for Query<E, R> {
    fn clone(&self) -> Self {
        Query {
            q: self.q.clone(),
            _reads: PhantomData,
        }
    }
}

impl<E, R> Query<E, R> {
    /// The same query, reading as a whole-item one: for the projected and
    /// hydrated reads, which check what the index holds themselves.
    fn whole(self) -> Query<E> {
        Query {
            q: self.q,
            _reads: PhantomData,
        }
    }
}

impl<E, R> fmt::Debug for Query<E, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = &self.q;
        f.debug_struct("Query")
            .field("table", &q.table.name())
            .field("partition", &q.partition)
            .field("sort", &q.sort_condition)
            .field("descending", &q.descending)
            .field("page_size", &q.page_size)
            .field("limit", &q.limit)
            .field("after", &q.after)
            .field("filter", &q.filter)
            .finish()
    }
}

impl<E: QueryTarget, R> Query<E, R> {
    /// Reads only the fields of projection `P` (a `ProjectionExpression`
    /// of its paths plus the key attributes, in the same one request per
    /// page); call it last, after the query's other settings. `P` is a
    /// [`Projection`](crate::Projection) of the entity, or for a
    /// collection an enum of projections of its variants (items of the
    /// types it does not name are skipped). On an index holding only some
    /// attributes, `P` must fit what it holds ([`Error::InvalidQuery`]
    /// before any request otherwise).
    pub fn project<P: ProjectionOf<E>>(self) -> ProjectedQuery<E, P> {
        ProjectedQuery(self.whole(), PhantomData)
    }

    /// Narrows the query with a condition on the sort key (DynamoDB's
    /// `KeyConditionExpression` beyond the partition), built from the
    /// generated `Type::sort_key()` (or `Type::<index>_sort_key()` on an
    /// index). Results are ordered by [`descending`](Query::descending).
    ///
    /// On a [`Collection`](crate::Collection), the condition is one built
    /// on a variant and converted with [`SortCondition::collection`]: a
    /// range every variant shares.
    pub fn key_condition(mut self, condition: impl Into<SortCondition<E>>) -> Self {
        let sort = condition.into();
        self.q.sort_index = sort.index;
        self.q.sort_condition = sort.condition;
        self
    }
}

impl<E: Entity, R> Query<E, R> {
    /// Keeps only the items that satisfy `condition` (DynamoDB's
    /// `FilterExpression`; several calls combine with AND).
    ///
    /// The filter applies after the key condition, so it can only narrow the
    /// query: whatever its values, no item of another partition or entity
    /// type is returned. DynamoDB applies the page's [`limit`](Query::limit)
    /// (and the one extra item a page reads) before the filter and charges
    /// for every item read, so a page may hold fewer items than the limit,
    /// or none, and still have a cursor; use [`items`](Query::items) or
    /// [`all`](Query::all) to read them all.
    pub fn filter(mut self, condition: Condition<E>) -> Self {
        self.q.filter = Some(crate::expr::and(self.q.filter.take(), condition.node));
        self
    }
}

/// A query reading a [`Projection`](crate::Projection): made by [`Query::project`]; finish it
/// with [`page`](ProjectedQuery::page), [`items`](ProjectedQuery::items),
/// [`pages`](ProjectedQuery::pages) or [`all`](ProjectedQuery::all), as a
/// [`Query`].
#[must_use = "a Query does nothing until page(), items() or all() is awaited"]
pub struct ProjectedQuery<T, P>(Query<T>, PhantomData<fn() -> P>);

impl<T, P> fmt::Debug for ProjectedQuery<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ProjectedQuery").field(&self.0).finish()
    }
}

impl<T: QueryTarget, P: ProjectionOf<T>> ProjectedQuery<T, P> {
    /// All pages, lazily: one request per page.
    pub fn pages(self) -> impl Stream<Item = Result<Page<P>>> + Send + 'static {
        let index = match &self.0.q.partition {
            PartitionKey::Rendered { index, .. } => *index,
            PartitionKey::Attributes { .. } => None,
        };
        match P::__fits(index.as_ref()) {
            Ok(()) => self
                .0
                .pages_as(Some(render_of::<T, P>), P::__decode)
                .map_ok(|page| Page {
                    items: page.items.into_iter().flatten().collect(),
                    cursor: page.cursor,
                })
                .left_stream(),
            Err(error) => stream::once(async { Err(error) }).right_stream(),
        }
    }

    /// One page: one Query request.
    pub async fn page(self) -> Result<Page<P>> {
        let first = Box::pin(self.pages()).try_next().await?;
        Ok(first.unwrap_or(Page {
            items: Vec::new(),
            cursor: None,
        }))
    }

    /// All items, lazily.
    pub fn items(self) -> impl Stream<Item = Result<P>> + Send + 'static {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every item of every page, collected.
    pub async fn all(self) -> Result<Vec<P>> {
        self.items().try_collect().await
    }
}

impl<E: QueryTarget, R> Query<E, R> {
    /// Returns items in descending sort-key order: newest first when the
    /// sort key ends in a timestamp.
    pub fn descending(mut self) -> Self {
        self.q.descending = true;
        self
    }

    /// Returns at most `n` items per page, one request each (as
    /// [`Scan::page_size`](crate::scan::Scan::page_size)). A page asks DynamoDB
    /// for one item more (`Limit` = `n + 1`) and keeps `n`: when the extra
    /// item comes back another page follows, when it does not this is the
    /// last page and [`Page::cursor`] is `None`, even when the page is
    /// exactly full. The extra item is read (and billed) again as the first
    /// item of the next page. Values above `i32::MAX - 1` are clamped; `0`
    /// is refused with [`Error::InvalidQuery`] when the query runs. Without
    /// it a page is DynamoDB's (1 MB of data), or the [`limit`](Query::limit).
    pub fn page_size(mut self, n: u32) -> Self {
        self.q.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX - 1).min(i32::MAX - 1));
        self
    }

    /// Returns at most `n` items in all, across pages: [`all`](Query::all)
    /// and [`items`](Query::items) stop there, and [`page`](Query::page)
    /// holds at most `n`. Each request asks for no more than what is left
    /// (and the page size, when set), so the cap costs no extra reads:
    /// `limit(30).all()` is one request when 30 items match. The last page
    /// keeps its cursor when more items follow. `0` is refused with
    /// [`Error::InvalidQuery`] when the query runs.
    pub fn limit(mut self, n: u64) -> Self {
        self.q.limit = Some(n);
        self
    }

    /// Leaves out items whose expiry (`#[truss(ttl)]`) has passed but
    /// that DynamoDB has not deleted yet (it deletes lazily, usually within
    /// days). They are dropped after the read, as a filter would: a page
    /// can hold fewer than [`page_size`](Query::page_size) items, and they still
    /// count against the read capacity. On a collection, the expiry of
    /// each variant that declares one is read.
    pub fn hide_expired(mut self) -> Self {
        self.q.hide_expired = true;
        self
    }

    /// Uses strongly consistent reads (tables only: global secondary indexes
    /// are eventually consistent, and asking is an [`Error::InvalidQuery`]).
    pub fn consistent(mut self) -> Self {
        self.q.consistent = true;
        self
    }

    /// Starts after `cursor`, taken from a previous [`Page`] of the same
    /// query; `None` (the first page's "no cursor yet") starts at the
    /// beginning, so a page handler can pass what its caller sent.
    pub fn after(mut self, cursor: impl Into<Option<Cursor>>) -> Self {
        self.q.after = cursor.into();
        self
    }
}

impl<E: QueryTarget, R> Query<E, R> {
    /// Fetches one page: one Query request.
    pub async fn page(self) -> Result<Page<E>>
    where
        R: Complete,
    {
        // The first page of `pages()`: the first step always yields one.
        let first = self.start(None).decoded(E::__decode).await?;
        Ok(first.map_or(
            Page {
                items: Vec::new(),
                cursor: None,
            },
            |(page, _)| page,
        ))
    }

    /// All items, lazily: one request per page, made when the stream is
    /// polled past the previous page.
    pub fn items(self) -> impl Stream<Item = Result<E>> + Send + 'static
    where
        R: Complete,
    {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// All pages, lazily: one request per page, up to the
    /// [`limit`](Query::limit).
    pub fn pages(self) -> impl Stream<Item = Result<Page<E>>> + Send + 'static
    where
        R: Complete,
    {
        self.whole().pages_as(None, E::__decode)
    }

    /// Every item of every page, collected.
    pub async fn all(self) -> Result<Vec<E>>
    where
        R: Complete,
    {
        // The pages one after the other by the untyped body, each item
        // decoded into one vector: no stream or page per entity type.
        let mut items = Vec::new();
        self.start(None)
            .each(&mut |table, item, left| {
                if items.len() == items.capacity() {
                    items.reserve(left);
                }
                items.push(E::__decode(table, item)?);
                Ok(())
            })
            .await?;
        Ok(items)
    }
}

impl<E: QueryTarget> Query<E> {
    /// [`pages`](Query::pages), each item decoded by `decode`; with
    /// `projection`, reading only what it renders (plus the keys).
    fn pages_as<T: Send + 'static>(
        self,
        projection: Option<RenderQueryProjection>,
        decode: fn(&Table, Item) -> Result<T>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static {
        stream::try_unfold(self.start(projection), move |pages| pages.decoded(decode))
    }
}

impl<E: QueryTarget, R> Query<E, R> {
    /// The query's pages before the first, without its type.
    fn start(self, projection: Option<RenderQueryProjection>) -> Pages {
        Pages::Start {
            query: self.q,
            target: Target::of::<E>(),
            has_sort_key: E::__has_sort_key(),
            projection,
        }
    }
}

/// A [`Query`] without its type: its body, compiled once for every entity
/// and collection.
#[derive(Clone)]
struct UntypedQuery {
    table: Table,
    partition: PartitionKey,
    sort_index: Option<&'static str>,
    sort_condition: Result<KeyCondition>,
    descending: bool,
    page_size: Option<i32>,
    limit: Option<u64>,
    consistent: bool,
    after: Option<Cursor>,
    filter: Option<Result<Node>>,
    hide_expired: bool,
}

/// A page's cursor and what follows it, or `None` after the last page.
type PageResult = Result<Option<(Option<Cursor>, Pages)>>;

/// Where a query's pages stand.
enum Pages {
    Start {
        query: UntypedQuery,
        target: Target,
        has_sort_key: bool,
        projection: Option<RenderQueryProjection>,
    },
    Next(Plan, Table, Item, Option<u64>),
    Done,
}

impl Pages {
    /// The next page with its items decoded by `decode`, and what follows
    /// it; `None` after the last page.
    async fn decoded<T: Send>(
        self,
        decode: fn(&Table, Item) -> Result<T>,
    ) -> Result<Option<(Page<T>, Pages)>> {
        let mut items = Vec::new();
        let next = self
            .fetch(&mut |table, item, left| {
                if items.is_empty() {
                    items.reserve_exact(left);
                }
                items.push(decode(table, item)?);
                Ok(())
            })
            .await?;
        Ok(next.map(|(cursor, rest)| (Page { items, cursor }, rest)))
    }

    /// Fetches every page, handing their items to `decode`. (Boxed: the
    /// body is compiled in this crate, not in each user's.)
    fn each<'a>(self, decode: Decode<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut pages = self;
            while let Some((_, rest)) = pages.fetch(&mut *decode).await? {
                pages = rest;
            }
            Ok(())
        })
    }

    /// Fetches the next page, handing its items to `decode`: its cursor
    /// and what follows it, or `None` after the last page. Not boxed: the
    /// body is not generic, so it is compiled in this crate even when a
    /// typed caller awaits it in place (its future, about 9 KB with the
    /// SDK's request in it, would be one large allocation per page).
    async fn fetch(self, decode: Decode<'_>) -> PageResult {
        let (plan, table, start, left) = match self {
            Pages::Done => return Ok(None),
            Pages::Start {
                query,
                target,
                has_sort_key,
                projection,
            } => {
                let mut plan = query.plan(target, has_sort_key)?;
                if let Some(render) = projection {
                    let index = match &plan.keys {
                        Keys::Rendered { index, .. } => index.as_ref(),
                        Keys::Attributes { .. } => None,
                    };
                    plan.projection = Some(render(&plan.needed_attributes(&query.table), index)?);
                }
                let start = match &query.after {
                    Some(cursor) => Some(plan.check_cursor(&query.table, cursor)?),
                    None => None,
                };
                (plan, query.table, start, query.limit)
            }
            Pages::Next(plan, table, start, left) => (plan, table, Some(start), left),
        };
        // No more than what is left of the limit, and the page size.
        let size = match (plan.page_size, left) {
            (size, None) => size,
            (size, Some(left)) => {
                let left = i32::try_from(left)
                    .unwrap_or(i32::MAX - 1)
                    .min(i32::MAX - 1);
                Some(size.map_or(left, |s| s.min(left)))
            }
        };
        let mut count = 0u64;
        let last = plan
            .fetch(&table, start, size, &mut |table, item, left| {
                count += 1;
                decode(table, item, left)
            })
            .await?;
        let cursor = last
            .as_ref()
            .map(|key| Cursor::encode(plan.keys.index_name(), key))
            .transpose()?;
        let left = left.map(|n| n.saturating_sub(count));
        let next = match last {
            Some(_) if left == Some(0) => Pages::Done,
            Some(key) => Pages::Next(plan, table, key, left),
            None => Pages::Done,
        };
        Ok(Some((cursor, next)))
    }
}

impl UntypedQuery {
    fn plan(&self, target: Target, has_sort_key: bool) -> Result<Plan> {
        self.table
            .inner
            .check_schema_of(target.name, has_sort_key)?;
        let index_name = match &self.partition {
            PartitionKey::Rendered { index, .. } => index.map(|i| i.name),
            PartitionKey::Attributes { index, .. } => Some(index.name),
        };
        if self.sort_index != index_name {
            let name =
                |i: Option<&str>| i.map_or("the table".to_owned(), |n| format!("index `{n}`"));
            return Err(Error::InvalidQuery {
                entity: target.name,
                reason: format!(
                    "the sort condition was built for {} but the query reads {}",
                    name(self.sort_index),
                    name(index_name)
                ),
            });
        }
        if self.consistent && index_name.is_some() {
            return Err(Error::InvalidQuery {
                entity: target.name,
                reason: "global secondary indexes do not support consistent reads".into(),
            });
        }
        if self.page_size == Some(0) {
            return Err(Error::InvalidQuery {
                entity: target.name,
                reason: "`page_size` must be at least 1".into(),
            });
        }
        if self.limit == Some(0) {
            return Err(Error::InvalidQuery {
                entity: target.name,
                reason: "`limit` must be at least 1".into(),
            });
        }
        let filter = match &self.filter {
            Some(node) => Some(Filter::new(
                target.name,
                node.as_ref().map_err(Clone::clone)?,
            )?),
            None => None,
        };
        let keys = match (&self.partition, self.sort_condition.clone()?) {
            (PartitionKey::Attributes { index, values }, KeyCondition::Attributes(condition)) => {
                Keys::Attributes {
                    index: *index,
                    values: values.clone()?,
                    condition,
                }
            }
            (PartitionKey::Rendered { index, pk }, condition)
                if !matches!(condition, KeyCondition::Attributes(_)) =>
            {
                Keys::Rendered {
                    index: *index,
                    pk: pk.clone()?,
                    condition,
                }
            }
            _ => {
                return Err(Error::InvalidQuery {
                    entity: target.name,
                    reason: "the sort condition was built for another kind of index".into(),
                })
            }
        };
        Ok(Plan {
            filter,
            projection: None,
            hide_expired: self.hide_expired,
            keys,
            descending: self.descending,
            page_size: self.page_size,
            consistent: self.consistent,
            target,
        })
    }
}
