//! Queries on one partition of one entity type.

use crate::codec::Item;
use crate::cursor::{invalid, Cursor};
use crate::entity::{Entity, Partition};
use crate::error::{Error, Result};
use crate::sort_key::{Condition, SortCondition};
use crate::table::{Table, MAX_PARTITION_KEY_BYTES};
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
    /// Without a [`sort`](Query::sort) condition the query covers exactly the
    /// sort keys `E`'s template can produce (for `CLIP#{created_at}`, every
    /// key that begins with `CLIP#`), so other entity types sharing the
    /// partition are never read.
    pub fn query<E: Entity>(&self, partition: Partition<E>) -> Query<E> {
        let pk = partition.pk.and_then(|pk| {
            self.inner
                .check_len::<E>(&self.inner.pk, &pk, MAX_PARTITION_KEY_BYTES)
                .map(|()| pk)
        });
        Query {
            table: self.clone(),
            pk,
            sort: SortCondition::scope(),
            descending: false,
            limit: None,
            consistent: false,
            after: None,
        }
    }
}

/// A query builder; finish it with [`page`](Query::page),
/// [`stream`](Query::stream) or [`all`](Query::all).
#[must_use = "a Query does nothing until page(), stream() or all() is awaited"]
pub struct Query<E> {
    table: Table,
    pk: Result<String>,
    sort: SortCondition<E>,
    descending: bool,
    limit: Option<i32>,
    consistent: bool,
    after: Option<Cursor>,
}

impl<E> Clone for Query<E> {
    fn clone(&self) -> Self {
        Query {
            table: self.table.clone(),
            pk: self.pk.clone(),
            sort: self.sort.clone(),
            descending: self.descending,
            limit: self.limit,
            consistent: self.consistent,
            after: self.after.clone(),
        }
    }
}

impl<E> fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("table", &self.table.name())
            .field("pk", &self.pk)
            .field("sort", &self.sort)
            .field("descending", &self.descending)
            .field("limit", &self.limit)
            .field("after", &self.after)
            .finish()
    }
}

impl<E: Entity> Query<E> {
    /// Narrows the query with a sort-key condition built from the generated
    /// `Type::sort_key()`.
    pub fn sort(mut self, condition: impl Into<SortCondition<E>>) -> Self {
        self.sort = condition.into();
        self
    }

    /// Returns items in descending sort-key order: newest first when the
    /// sort key ends in a timestamp.
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Reads at most `n` items per request (DynamoDB's `Limit`): the page
    /// size. Values above `i32::MAX` are clamped; `0` is refused with
    /// [`Error::InvalidQuery`] when the query runs.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(i32::try_from(n).unwrap_or(i32::MAX));
        self
    }

    /// Uses strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Starts after `cursor`, taken from a previous [`Page`] of the same
    /// query.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// Like [`after`](Query::after), for an optional cursor (the first page
    /// has none).
    pub fn after_opt(mut self, cursor: Option<Cursor>) -> Self {
        self.after = cursor;
        self
    }

    /// Fetches one page: one Query request.
    pub async fn page(self) -> Result<Page<E>> {
        let plan = self.plan()?;
        let start = match &self.after {
            Some(cursor) => Some(plan.check_cursor(&self.table, cursor)?),
            None => None,
        };
        let (items, last) = plan.fetch(&self.table, start).await?;
        let cursor = last.map(|key| Cursor::encode(None, &key)).transpose()?;
        Ok(Page { items, cursor })
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
                .map(|key| Cursor::encode(None, key))
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
        self.table.inner.check_schema::<E>()?;
        if self.limit == Some(0) {
            return Err(Error::InvalidQuery {
                entity: E::NAME,
                reason: "`limit` must be at least 1".into(),
            });
        }
        Ok(Plan {
            pk: self.pk.clone()?,
            condition: self.sort.condition.clone()?,
            descending: self.descending,
            limit: self.limit,
            consistent: self.consistent,
            _entity: std::marker::PhantomData,
        })
    }
}

/// A validated query, ready to send page after page.
struct Plan<E> {
    pk: String,
    condition: Condition,
    descending: bool,
    limit: Option<i32>,
    consistent: bool,
    _entity: std::marker::PhantomData<fn() -> E>,
}

impl<E: Entity> Plan<E> {
    /// Decodes a cursor and checks it belongs to this query.
    fn check_cursor(&self, table: &Table, cursor: &Cursor) -> Result<Item> {
        let (index, key) = cursor.decode()?;
        if let Some(index) = index {
            return Err(invalid(&format!(
                "the cursor belongs to index `{index}`, not to the table"
            )));
        }
        let inner = &table.inner;
        let expected = 1 + usize::from(inner.sk.is_some());
        if key.len() != expected {
            return Err(invalid(
                "the cursor's key does not match the table's key schema",
            ));
        }
        match key.get(&inner.pk) {
            Some(AttributeValue::S(pk)) if *pk == self.pk => {}
            Some(_) => return Err(invalid("the cursor belongs to another partition")),
            None => {
                return Err(invalid(
                    "the cursor's key does not match the table's key schema",
                ))
            }
        }
        if let Some(attr) = &inner.sk {
            match key.get(attr) {
                Some(AttributeValue::S(sk)) if self.condition.admits(sk) => {}
                Some(_) => {
                    return Err(invalid(
                        "the cursor lies outside this query's sort-key range",
                    ))
                }
                None => {
                    return Err(invalid(
                        "the cursor's key does not match the table's key schema",
                    ))
                }
            }
        }
        Ok(key)
    }

    async fn fetch(&self, table: &Table, start: Option<Item>) -> Result<(Vec<E>, Option<Item>)> {
        let inner = &table.inner;
        let mut request = inner
            .client
            .query()
            .table_name(&inner.name)
            .expression_attribute_names("#pk", &inner.pk)
            .expression_attribute_values(":pk", AttributeValue::S(self.pk.clone()))
            .scan_index_forward(!self.descending)
            .consistent_read(self.consistent)
            .set_limit(self.limit)
            .set_exclusive_start_key(start);
        let expression = match (self.condition.expression(), &inner.sk) {
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
        let output = request
            .key_condition_expression(expression)
            .send()
            .await
            .map_err(|e| Error::dynamo("Query", e))?;
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| inner.decode(item))
            .collect::<Result<Vec<E>>>()?;
        Ok((items, output.last_evaluated_key))
    }
}
