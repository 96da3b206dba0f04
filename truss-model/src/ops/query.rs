//! Queries on one partition of one entity type.

use crate::expr::Condition;
use crate::expr::{Node, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::foundation::limits::MAX_PARTITION_KEY_BYTES;
use crate::keys::entity::{Entity, Partition};
use crate::keys::sort_key::{KeyCondition, SortCondition};
use crate::keys::template::Index;
use crate::ops::collection::QueryTarget;
use crate::ops::cursor::{invalid, Cursor};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::stream::{self, Stream, TryStreamExt};
use std::fmt;

/// One page of query results.
#[derive(Debug, Clone)]
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
    pub fn query<E: QueryTarget>(&self, partition: Partition<E>) -> Query<E> {
        let attr = partition
            .index
            .map_or(self.inner.pk.as_str(), |i| i.pk_attribute);
        let pk = partition.pk.and_then(|pk| {
            self.inner
                .check_len_of(E::__name(), attr, &pk, MAX_PARTITION_KEY_BYTES)
                .map(|()| pk)
        });
        Query {
            table: self.clone(),
            pk,
            index: partition.index,
            sort: E::__scope(partition.index),
            descending: false,
            limit: None,
            consistent: false,
            after: None,
            filter: None,
        }
    }
}

/// A query builder; finish it with [`page`](Query::page),
/// [`stream`](Query::stream) or [`all`](Query::all).
#[must_use = "a Query does nothing until page(), stream() or all() is awaited"]
pub struct Query<E> {
    table: Table,
    pk: Result<String>,
    index: Option<Index>,
    sort: SortCondition<E>,
    descending: bool,
    limit: Option<i32>,
    consistent: bool,
    after: Option<Cursor>,
    filter: Option<Result<Node>>,
}

impl<E> Clone for Query<E> {
    fn clone(&self) -> Self {
        Query {
            table: self.table.clone(),
            pk: self.pk.clone(),
            index: self.index,
            sort: self.sort.clone(),
            descending: self.descending,
            limit: self.limit,
            consistent: self.consistent,
            after: self.after.clone(),
            filter: self.filter.clone(),
        }
    }
}

impl<E> fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("table", &self.table.name())
            .field("pk", &self.pk)
            .field("index", &self.index.map(|i| i.name))
            .field("sort", &self.sort)
            .field("descending", &self.descending)
            .field("limit", &self.limit)
            .field("after", &self.after)
            .field("filter", &self.filter)
            .finish()
    }
}

impl<E: Entity> Query<E> {
    /// Narrows the query with a condition on the sort key (DynamoDB's
    /// `KeyConditionExpression` beyond the partition), built from the
    /// generated `Type::sort_key()` (or `Type::<index>_sort_key()` on an
    /// index). Results are ordered by [`descending`](Query::descending).
    pub fn key_condition(mut self, condition: impl Into<SortCondition<E>>) -> Self {
        self.sort = condition.into();
        self
    }

    /// Keeps only the items that satisfy `condition` (DynamoDB's
    /// `FilterExpression`; several calls combine with AND).
    ///
    /// The filter applies after the key condition, so it can only narrow the
    /// query: whatever its values, no item of another partition or entity
    /// type is returned. DynamoDB applies the page's [`limit`](Query::limit)
    /// (and the one extra item a page reads) before the filter and charges
    /// for every item read, so a page may hold fewer items than the limit,
    /// or none, and still have a cursor; use [`stream`](Query::stream) or
    /// [`all`](Query::all) to read them all.
    pub fn filter(mut self, condition: Condition<E>) -> Self {
        self.filter = Some(crate::expr::and(self.filter.take(), condition.node));
        self
    }
}

impl<E: QueryTarget> Query<E> {
    /// Returns items in descending sort-key order: newest first when the
    /// sort key ends in a timestamp.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Returns at most `n` items per page, one request each. A page asks
    /// DynamoDB for one item more (`Limit` = `n + 1`) and keeps `n`: when
    /// the extra item comes back another page follows, when it does not
    /// this is the last page and [`Page::cursor`] is `None`, even when the
    /// page is exactly full. The extra item is read (and billed) again as
    /// the first item of the next page. Values above `i32::MAX - 1` are
    /// clamped; `0` is refused with [`Error::InvalidQuery`] when the query
    /// runs.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(i32::try_from(n).unwrap_or(i32::MAX - 1).min(i32::MAX - 1));
        self
    }

    /// Uses strongly consistent reads (tables only: global secondary indexes
    /// are eventually consistent, and asking is an [`Error::InvalidQuery`]).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Starts after `cursor`, taken from a previous [`Page`] of the same
    /// query; `None` (the first page's "no cursor yet") starts at the
    /// beginning, so a page handler can pass what its caller sent.
    pub fn after(mut self, cursor: impl Into<Option<Cursor>>) -> Self {
        self.after = cursor.into();
        self
    }

    /// Fetches one page: one Query request.
    pub async fn page(self) -> Result<Page<E>> {
        // The first page of `pages()`: it always yields one.
        let first = Box::pin(self.pages()).try_next().await?;
        Ok(first.unwrap_or(Page {
            items: Vec::new(),
            cursor: None,
        }))
    }

    /// All items, lazily: one request per page, made when the stream is
    /// polled past the previous page.
    pub fn stream(self) -> impl Stream<Item = Result<E>> + Send + 'static {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// All pages, lazily: one request per page.
    pub fn pages(self) -> impl Stream<Item = Result<Page<E>>> + Send + 'static {
        enum State<E> {
            Start(Query<E>),
            Next(Plan<E>, Table, Item),
            Done,
        }
        stream::try_unfold(State::Start(self), |state| async move {
            let (plan, table, start) = match state {
                State::Done => return Ok(None),
                State::Start(query) => {
                    let plan = query.plan()?;
                    let start = match &query.after {
                        Some(cursor) => Some(plan.check_cursor(&query.table, cursor)?),
                        None => None,
                    };
                    (plan, query.table, start)
                }
                State::Next(plan, table, start) => (plan, table, Some(start)),
            };
            let (items, last) = plan.fetch(&table, start).await?;
            let cursor = last
                .as_ref()
                .map(|key| Cursor::encode(plan.index_name(), key))
                .transpose()?;
            let next = match last {
                Some(key) => State::Next(plan, table, key),
                None => State::Done,
            };
            Ok(Some((Page { items, cursor }, next)))
        })
    }

    /// Every item of every page, collected.
    pub async fn all(self) -> Result<Vec<E>> {
        self.stream().try_collect().await
    }

    fn plan(&self) -> Result<Plan<E>> {
        self.table
            .inner
            .check_schema_of(E::__name(), E::__has_sort_key())?;
        let index_name = self.index.map(|i| i.name);
        if self.sort.index != index_name {
            let name =
                |i: Option<&str>| i.map_or("the table".to_owned(), |n| format!("index `{n}`"));
            return Err(Error::InvalidQuery {
                entity: E::__name(),
                reason: format!(
                    "the sort condition was built for {} but the query reads {}",
                    name(self.sort.index),
                    name(index_name)
                ),
            });
        }
        if self.consistent && self.index.is_some() {
            return Err(Error::InvalidQuery {
                entity: E::__name(),
                reason: "global secondary indexes do not support consistent reads".into(),
            });
        }
        if self.limit == Some(0) {
            return Err(Error::InvalidQuery {
                entity: E::__name(),
                reason: "`limit` must be at least 1".into(),
            });
        }
        let filter = match &self.filter {
            Some(node) => {
                let mut p = Placeholders::default();
                let expression = p.render(node.as_ref().map_err(Clone::clone)?);
                let (names, values) = p.into_parts();
                Some(Filter {
                    expression,
                    names: names.unwrap_or_default(),
                    values: values.unwrap_or_default(),
                })
            }
            None => None,
        };
        Ok(Plan {
            filter,
            index: self.index,
            pk: self.pk.clone()?,
            condition: self.sort.condition.clone()?,
            descending: self.descending,
            limit: self.limit,
            consistent: self.consistent,
            _entity: std::marker::PhantomData,
        })
    }
}

/// A rendered filter expression with its own placeholders (`#n0`, `:v0`),
/// distinct from the key condition's (`#pk`, `:pk`, `#sk`, `:sk`).
struct Filter {
    expression: String,
    names: std::collections::HashMap<String, String>,
    values: Item,
}

/// A validated query, ready to send page after page.
struct Plan<E> {
    filter: Option<Filter>,
    index: Option<Index>,
    pk: String,
    condition: KeyCondition,
    descending: bool,
    limit: Option<i32>,
    consistent: bool,
    _entity: std::marker::PhantomData<fn() -> E>,
}

impl<E: QueryTarget> Plan<E> {
    fn index_name(&self) -> Option<&'static str> {
        self.index.map(|i| i.name)
    }

    /// The key attributes of the target: (partition, sort).
    fn key_attributes<'t>(&self, table: &'t Table) -> (&'t str, Option<&'t str>) {
        match &self.index {
            Some(index) => (index.pk_attribute, index.sk_attribute),
            None => (&table.inner.pk, table.inner.sk.as_deref()),
        }
    }

    /// Decodes a cursor and checks it belongs to this query: same index,
    /// same partition, sort key inside the query's condition.
    fn check_cursor(&self, table: &Table, cursor: &Cursor) -> Result<Item> {
        let (index, key) = cursor.decode()?;
        if index.as_deref() != self.index_name() {
            let name =
                |i: Option<&str>| i.map_or("the table".to_owned(), |n| format!("index `{n}`"));
            return Err(invalid(&format!(
                "the cursor belongs to {}, not to {}",
                name(index.as_deref()),
                name(self.index_name())
            )));
        }
        let schema = || invalid("the cursor's key does not match the key schema");
        let inner = &table.inner;
        let (pk_attr, sk_attr) = self.key_attributes(table);
        let mut expected: Vec<&str> = vec![pk_attr, &inner.pk];
        expected.extend(sk_attr);
        expected.extend(inner.sk.as_deref());
        expected.sort_unstable();
        expected.dedup();
        if key.len() != expected.len() || expected.iter().any(|a| !key.contains_key(*a)) {
            return Err(schema());
        }
        match key.get(pk_attr) {
            Some(AttributeValue::S(pk)) if *pk == self.pk => {}
            _ => return Err(invalid("the cursor belongs to another partition")),
        }
        if let Some(attr) = sk_attr {
            match key.get(attr) {
                Some(AttributeValue::S(sk)) if self.condition.admits(sk) => {}
                _ => {
                    return Err(invalid(
                        "the cursor lies outside this query's sort-key range",
                    ))
                }
            }
        }
        Ok(key)
    }

    async fn fetch(&self, table: &Table, start: Option<Item>) -> Result<(Vec<E>, Option<Item>)> {
        let inner = &table.inner;
        let (pk_attr, sk_attr) = self.key_attributes(table);
        let mut request = inner
            .client
            .query()
            .table_name(&inner.name)
            .set_index_name(self.index_name().map(str::to_owned))
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", AttributeValue::S(self.pk.clone()))
            .scan_index_forward(!self.descending)
            .consistent_read(self.consistent)
            // One item more than the page holds: whether it comes back
            // tells whether another page follows, so the last page has no
            // cursor even when it is exactly full.
            .set_limit(self.limit.map(|n| n.saturating_add(1)))
            .set_exclusive_start_key(start);
        let expression = match (self.condition.expression(), sk_attr) {
            (Some((fragment, values)), Some(sk)) => {
                request = request.expression_attribute_names("#sk", sk);
                for (name, value) in [":sk", ":sk_hi"].into_iter().zip(values) {
                    request = request
                        .expression_attribute_values(name, AttributeValue::S(value.to_owned()));
                }
                format!("#pk = :pk AND {fragment}")
            }
            _ => "#pk = :pk".to_owned(),
        };
        if let Some(filter) = &self.filter {
            for (placeholder, name) in &filter.names {
                request = request.expression_attribute_names(placeholder, name);
            }
            for (placeholder, value) in &filter.values {
                request = request.expression_attribute_values(placeholder, value.clone());
            }
            request = request.filter_expression(&filter.expression);
        }
        let output = request
            .key_condition_expression(expression)
            .send()
            .await
            .map_err(|e| Error::dynamo("Query", e))?;
        let mut raw = output.items.unwrap_or_default();
        let mut last = output.last_evaluated_key;
        if let Some(limit) = self.limit.and_then(|n| usize::try_from(n).ok()) {
            if raw.len() > limit {
                // The extra item came back: the page ends with the
                // `limit`-th item, and the next page starts after it.
                raw.truncate(limit);
                last = raw.last().map(|item| self.key_of(table, item));
            }
        }
        let items = raw
            .into_iter()
            .map(|item| E::__decode(table, item))
            .collect::<Result<Vec<E>>>()?;
        Ok((items, last))
    }

    /// The key DynamoDB would give as `LastEvaluatedKey` after `item`: the
    /// table's key attributes and, on an index, the index's.
    fn key_of(&self, table: &Table, item: &Item) -> Item {
        let inner = &table.inner;
        let (pk_attr, sk_attr) = self.key_attributes(table);
        [
            Some(pk_attr),
            sk_attr,
            Some(inner.pk.as_str()),
            inner.sk.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter_map(|attr| item.get(attr).map(|v| (attr.to_owned(), v.clone())))
        .collect()
    }
}
