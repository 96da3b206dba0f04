//! Batch writes and reads: split into DynamoDB's limits, sent with bounded
//! concurrency, unprocessed parts retried, and nothing lost when the retry
//! budget runs out.

use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::foundation::item::Item;
use crate::foundation::limits::{MAX_BATCH_GET, MAX_BATCH_WRITE};
use crate::keys::entity::{Entity, EntityKey};
use crate::ops::projection::{render, Projection, Rendered};
use crate::ops::write_back::decoding;
use crate::table::inner::RenderedKey;
use crate::table::observe::{entities, send, Observation};
use crate::table::retry::RetryPolicy;
use crate::table::Table;
use aws_sdk_dynamodb::config::AsyncSleep;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use std::collections::{HashMap, HashSet};
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Requests in flight at once, unless set.
pub const DEFAULT_CONCURRENCY: usize = 4;

pub use crate::foundation::error::UnprocessedWrite;

/// What a completed batch write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchWriteSummary {
    /// Items written or deleted.
    pub written: usize,
    /// BatchWriteItem requests sent, retries included.
    pub requests: usize,
}

/// (partition key, sort key) as rendered: the identity of an item.
pub(crate) type KeyId = (String, Option<String>);

/// One chunk of a batch get: the items found, and the keys left unread.
type GetChunk = (HashMap<KeyId, Item>, Vec<KeyId>);

impl RenderedKey {
    pub(crate) fn id(&self) -> KeyId {
        (self.pk.clone(), self.sk.clone())
    }
}

fn id_of(table: &Table, attributes: &Item) -> Option<KeyId> {
    let text = |attr: &str| match attributes.get(attr) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    };
    let inner = &table.inner;
    let sk = match &inner.sk {
        Some(attr) => Some(text(attr)?),
        None => None,
    };
    Some((text(&inner.pk)?, sk))
}

fn request_id(table: &Table, request: &WriteRequest) -> Option<KeyId> {
    if let Some(put) = &request.put_request {
        return id_of(table, &put.item);
    }
    request
        .delete_request
        .as_ref()
        .and_then(|d| id_of(table, &d.key))
}

struct Entry {
    entity: &'static str,
    key: RenderedKey,
    request: WriteRequest,
}

/// Builds WriteRequests; the SDK builders only fail on a missing field.
fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::InvalidBatch {
        reason: e.to_string(),
    }
}

impl Table {
    /// Starts a batch of puts and deletes, of any entity types.
    pub fn batch_write(&self) -> BatchWrite {
        BatchWrite {
            table: self.clone(),
            entries: Ok(Vec::new()),
            concurrency: DEFAULT_CONCURRENCY,
            policy: RetryPolicy::default(),
        }
    }

    /// Reads many items of one entity type by key. Duplicate keys are read
    /// once; results come back in the order of `keys`.
    pub fn batch_get<K: EntityKey>(&self, keys: impl IntoIterator<Item = K>) -> BatchGet<K> {
        let keys: Vec<K> = keys.into_iter().collect();
        let rendered = keys
            .iter()
            .map(|k| self.inner.render_key(k))
            .collect::<Result<Vec<_>>>();
        BatchGet {
            table: self.clone(),
            keys: rendered.map(|r| r.into_iter().zip(keys).collect()),
            consistent: false,
            concurrency: DEFAULT_CONCURRENCY,
            policy: RetryPolicy::default(),
        }
    }
}

/// A batch of puts and deletes. Everything is encoded and checked before the
/// first request: an invalid key, an encode failure or a duplicate key fails
/// the whole batch with nothing written.
#[must_use = "a BatchWrite does nothing until awaited"]
pub struct BatchWrite {
    table: Table,
    entries: Result<Vec<Entry>>,
    concurrency: usize,
    policy: RetryPolicy,
}

impl BatchWrite {
    fn push(mut self, entry: Result<Entry>) -> Self {
        self.entries = self.entries.and_then(|mut entries| {
            entries.push(entry?);
            Ok(entries)
        });
        self
    }

    /// Puts an item (replacing any item with its key).
    pub fn put<E: Entity>(self, entity: &E) -> Self {
        let entry = self.table.inner.encode(entity).and_then(|(item, key, _)| {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(build_error)?;
            Ok(Entry {
                entity: E::NAME,
                key,
                request: WriteRequest::builder().put_request(put).build(),
            })
        });
        self.push(entry)
    }

    /// Puts every item of `entities`.
    pub fn put_all<'e, E: Entity>(self, entities: impl IntoIterator<Item = &'e E>) -> Self {
        entities.into_iter().fold(self, |batch, e| batch.put(e))
    }

    /// Deletes the item with this key.
    pub fn delete<K: EntityKey>(self, key: K) -> Self {
        let entry = self.table.inner.render_key(&key).and_then(|key| {
            let delete = DeleteRequest::builder()
                .set_key(Some(self.table.inner.key_item(&key)))
                .build()
                .map_err(build_error)?;
            Ok(Entry {
                entity: <K::Entity as Entity>::NAME,
                key,
                request: WriteRequest::builder().delete_request(delete).build(),
            })
        });
        self.push(entry)
    }

    /// Requests in flight at once (at least 1; default 4).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The retry policy for unprocessed items.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sends the batch: chunks of 25, retrying unprocessed items. If some are
    /// still unprocessed when the budget runs out, fails with
    /// [`Error::UnprocessedWrites`] listing exactly those (everything else
    /// was written).
    pub async fn send(self) -> Result<BatchWriteSummary> {
        let entries = self.entries?;
        let mut seen = HashSet::with_capacity(entries.len());
        for entry in &entries {
            if !seen.insert((entry.key.pk.as_str(), entry.key.sk.as_deref())) {
                return Err(Error::InvalidBatch {
                    reason: format!(
                        "{} {} appears twice in one batch",
                        entry.entity,
                        self.table.inner.display(&entry.key)
                    ),
                });
            }
        }
        let mut chunks = Vec::new();
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            chunks.push(entries.by_ref().take(MAX_BATCH_WRITE).collect::<Vec<_>>());
        }
        let table = &self.table;
        let policy = self.policy;
        check_sleep(table, &policy)?;
        let observation = table.inner.observe(
            "BatchWriteItem",
            entities(chunks.iter().flatten().map(|e| e.entity)),
        );
        let results: Vec<ChunkResult> = stream::iter(chunks)
            .map(|chunk| write_chunk(table, chunk, policy, &observation))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut summary = BatchWriteSummary {
            written: 0,
            requests: 0,
        };
        let mut unprocessed = Vec::new();
        let mut cause = None;
        for result in results {
            summary.written += result.written;
            summary.requests += result.requests;
            unprocessed.extend(result.unprocessed.into_iter().map(|e| UnprocessedWrite {
                entity: e.entity,
                key: table.inner.display(&e.key),
                request: e.request,
            }));
            cause = cause.or(result.error);
        }
        observation.finish(if unprocessed.is_empty() {
            Ok(summary)
        } else {
            Err(Error::UnprocessedWrites {
                written: summary.written,
                unprocessed,
                cause: cause.map(Box::new),
            })
        })
    }
}

struct ChunkResult {
    written: usize,
    requests: usize,
    unprocessed: Vec<Entry>,
    error: Option<Error>,
}

/// Retries wait between attempts: a policy that retries needs the client's
/// sleep implementation (the SDK's default configuration has one). Checked
/// before the first request, as pacing a scan is, instead of retrying
/// without waiting.
fn check_sleep(table: &Table, policy: &RetryPolicy) -> Result<()> {
    if policy.max_attempts > 1 && table.inner.client.config().sleep_impl().is_none() {
        return Err(Error::InvalidBatch {
            reason: "retrying unprocessed items needs a sleep implementation on the client (the SDK's default configuration has one); or retry no more: `RetryPolicy { max_attempts: 1, .. }`".into(),
        });
    }
    Ok(())
}

async fn backoff(table: &Table, policy: &RetryPolicy, retry: u32) {
    // `check_sleep` ran before the first request.
    if let Some(sleep) = table.inner.client.config().sleep_impl() {
        sleep.sleep(policy.backoff(retry)).await;
    }
}

async fn write_chunk(
    table: &Table,
    chunk: Vec<Entry>,
    policy: RetryPolicy,
    observation: &Observation,
) -> ChunkResult {
    let inner = &table.inner;
    let mut pending = chunk;
    let mut result = ChunkResult {
        written: 0,
        requests: 0,
        unprocessed: Vec::new(),
        error: None,
    };
    // One budget of HTTP attempts for the chunk, the SDK's retries of a
    // throttled request included: the two retry layers add up to the
    // policy's attempts instead of multiplying.
    let used = Arc::new(AtomicUsize::new(0));
    for attempt in 0..policy.max_attempts.max(1) {
        if attempt > 0 {
            if used.load(Ordering::Relaxed) >= policy.max_attempts as usize {
                break;
            }
            observation.resending();
            backoff(table, &policy, attempt - 1).await;
        }
        result.requests += 1;
        let requests: Vec<WriteRequest> = pending.iter().map(|e| e.request.clone()).collect();
        let output = send!(
            observation,
            inner
                .client
                .batch_write_item()
                .request_items(&inner.name, requests)
                .set_return_consumed_capacity(observation.capacity()),
            Some(&used)
        );
        let output = match output {
            Ok(output) => output,
            Err(err) => {
                result.error = Some(Error::dynamo("BatchWriteItem", err));
                break;
            }
        };
        let again: HashSet<KeyId> = output
            .unprocessed_items
            .and_then(|mut u| u.remove(&inner.name))
            .unwrap_or_default()
            .iter()
            .filter_map(|r| request_id(table, r))
            .collect();
        observation.unprocessed(again.len());
        if again.is_empty() {
            result.written += pending.len();
            pending = Vec::new();
            break;
        }
        let (retry, done): (Vec<Entry>, Vec<Entry>) = pending
            .into_iter()
            .partition(|e| again.contains(&e.key.id()));
        result.written += done.len();
        pending = retry;
        if pending.is_empty() {
            break;
        }
    }
    result.unprocessed = pending;
    result
}

/// Items read by a batch get, in the order of the keys asked for.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchGetOutput<K: EntityKey> {
    /// One entry per key asked for: `None` if there is no such item, or if
    /// its key is in `unprocessed`.
    pub items: Vec<Option<K::Entity>>,
    /// Keys not read when the retry budget ran out (empty on success).
    pub unprocessed: Vec<K>,
}

/// A pending batch read of one entity type, by its keys `K`.
#[must_use = "a BatchGet does nothing until awaited"]
pub struct BatchGet<K: EntityKey> {
    table: Table,
    keys: Result<Vec<(RenderedKey, K)>>,
    consistent: bool,
    concurrency: usize,
    policy: RetryPolicy,
}

impl<K: EntityKey> BatchGet<K> {
    /// Uses strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Requests in flight at once (at least 1; default 4).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The retry policy for unprocessed keys.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Reads every key; fails with [`Error::UnprocessedKeys`] naming the keys
    /// still unread when the retry budget runs out
    /// ([`send_partial`](BatchGet::send_partial) keeps what was read).
    pub async fn send(self) -> Result<Vec<Option<K::Entity>>> {
        let table = self.table.clone();
        let output = self.send_partial().await?;
        if output.unprocessed.is_empty() {
            return Ok(output.items);
        }
        let keys = output
            .unprocessed
            .iter()
            .map(|k| table.inner.render_key(k).map(|r| table.inner.display(&r)))
            .collect::<Result<Vec<_>>>()?;
        Err(Error::UnprocessedKeys {
            entity: <K::Entity as Entity>::NAME,
            read: output.items.iter().filter(|i| i.is_some()).count(),
            unprocessed: keys,
        })
    }

    /// Reads every key it can: the items read, and the keys left unread when
    /// the retry budget ran out.
    pub async fn send_partial(self) -> Result<BatchGetOutput<K>> {
        let (items, unprocessed) = self
            .read(None, |table, item| table.inner.decode(item))
            .await?;
        Ok(BatchGetOutput { items, unprocessed })
    }

    /// Reads only the fields of projection `P` (a `ProjectionExpression`
    /// of its paths plus the table's keys, in the same requests): see
    /// [`Projection`](crate::Projection).
    pub fn project<P: Projection<Entity = K::Entity>>(self) -> BatchGetProjected<K, P> {
        BatchGetProjected {
            get: self,
            _projection: PhantomData,
        }
    }

    /// The items read, each decoded by `decode`, in the order of the keys,
    /// and the keys left unread.
    async fn read<T>(
        self,
        projection: Option<Rendered>,
        decode: impl Fn(&Table, Item) -> Result<T>,
    ) -> Result<(Vec<Option<T>>, Vec<K>)> {
        let keys = self.keys?;
        let table = &self.table;
        let ids = keys.iter().map(|(rendered, _)| rendered.id());
        let reading = Reading {
            consistent: self.consistent,
            concurrency: self.concurrency,
            policy: self.policy,
            projection: projection.as_ref(),
        };
        let (found, unread) = read_keys(table, <K::Entity as Entity>::NAME, ids, reading).await?;
        let mut items = Vec::with_capacity(keys.len());
        let mut unprocessed = Vec::new();
        decoding(table, || -> Result<()> {
            for (rendered, key) in keys {
                let id = rendered.id();
                if unread.contains(&id) {
                    items.push(None);
                    unprocessed.push(key);
                    continue;
                }
                let item = found.get(&id).cloned();
                items.push(
                    item.map(|i| decode(table, i))
                        .transpose()
                        .map_err(|e| e.with_key(|| table.inner.display(&rendered)))?,
                );
            }
            Ok(())
        })
        .await?;
        Ok((items, unprocessed))
    }
}

/// A batch read of a [`Projection`](crate::Projection) of one entity
/// type: made by [`BatchGet::project`].
#[must_use = "a BatchGet does nothing until awaited"]
pub struct BatchGetProjected<K: EntityKey, P> {
    get: BatchGet<K>,
    _projection: PhantomData<fn() -> P>,
}

impl<K: EntityKey, P: Projection<Entity = K::Entity>> BatchGetProjected<K, P> {
    /// Reads every key: one entry per key, in their order (`None`: no
    /// such item); fails with [`Error::UnprocessedKeys`] when keys are
    /// still unread after the retries.
    pub async fn send(self) -> Result<Vec<Option<P>>> {
        let table = self.get.table.clone();
        let inner = &table.inner;
        let mut extra = vec![inner.pk.as_str()];
        extra.extend(inner.sk.as_deref());
        let projection = render::<P>(&extra)?;
        let (items, unprocessed) = self
            .get
            .read(Some(projection), crate::ops::projection::decode::<P>)
            .await?;
        if unprocessed.is_empty() {
            return Ok(items);
        }
        let keys = unprocessed
            .iter()
            .map(|k| inner.render_key(k).map(|r| inner.display(&r)))
            .collect::<Result<Vec<_>>>()?;
        Err(Error::UnprocessedKeys {
            entity: <K::Entity as Entity>::NAME,
            read: items.iter().filter(|i| i.is_some()).count(),
            unprocessed: keys,
        })
    }
}

impl<K: EntityKey, P: Projection<Entity = K::Entity>> IntoFuture for BatchGetProjected<K, P> {
    type Output = Result<Vec<Option<P>>>;
    type IntoFuture = BoxFuture<'static, Result<Vec<Option<P>>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Reads the distinct keys among `ids` in chunks of 100, with bounded
/// concurrency and retries: the items found, and the keys left unread.
pub(crate) async fn read_keys(
    table: &Table,
    entity: &'static str,
    ids: impl IntoIterator<Item = KeyId>,
    reading: Reading<'_>,
) -> Result<(HashMap<KeyId, Item>, HashSet<KeyId>)> {
    check_sleep(table, &reading.policy)?;
    let observation = table.inner.observe("BatchGetItem", entity);
    let read = read_keys_in(table, ids, reading, &observation).await;
    observation.finish(read)
}

/// How a batch read reads: consistency, requests at once, retries, and
/// the projection (with the table's keys), if any.
#[derive(Clone, Copy)]
pub(crate) struct Reading<'a> {
    pub(crate) consistent: bool,
    pub(crate) concurrency: usize,
    pub(crate) policy: RetryPolicy,
    pub(crate) projection: Option<&'a Rendered>,
}

/// [`read_keys`] inside its observation.
async fn read_keys_in(
    table: &Table,
    ids: impl IntoIterator<Item = KeyId>,
    reading: Reading<'_>,
    observation: &Observation,
) -> Result<(HashMap<KeyId, Item>, HashSet<KeyId>)> {
    observation.consistent(reading.consistent);
    let mut unique = Vec::new();
    let mut seen = HashSet::new();
    for id in ids {
        if seen.insert(id.clone()) {
            unique.push(id);
        }
    }
    let chunks: Vec<Vec<KeyId>> = unique.chunks(MAX_BATCH_GET).map(<[_]>::to_vec).collect();
    let results: Vec<Result<GetChunk>> = stream::iter(chunks)
        .map(|chunk| get_chunk(table, chunk, reading, observation))
        .buffer_unordered(reading.concurrency)
        .collect()
        .await;
    let mut found = HashMap::new();
    let mut unread = HashSet::new();
    for result in results {
        let (items, left) = result?;
        found.extend(items);
        unread.extend(left);
    }
    Ok((found, unread))
}

async fn get_chunk(
    table: &Table,
    chunk: Vec<KeyId>,
    reading: Reading<'_>,
    observation: &Observation,
) -> Result<GetChunk> {
    let Reading {
        consistent,
        policy,
        projection,
        ..
    } = reading;
    let inner = &table.inner;
    let mut found = HashMap::new();
    let mut pending = chunk;
    // One budget of HTTP attempts, the SDK's retries included (as for
    // writes).
    let used = Arc::new(AtomicUsize::new(0));
    for attempt in 0..policy.max_attempts.max(1) {
        if attempt > 0 {
            if used.load(Ordering::Relaxed) >= policy.max_attempts as usize {
                break;
            }
            observation.resending();
            backoff(table, &policy, attempt - 1).await;
        }
        let keys: Vec<Item> = pending
            .iter()
            .map(|(pk, sk)| {
                inner.key_item(&RenderedKey {
                    pk: pk.clone(),
                    sk: sk.clone(),
                })
            })
            .collect();
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(consistent)
            .set_projection_expression(projection.map(|p| p.expression.clone()))
            .set_expression_attribute_names(projection.map(|p| p.names.clone()))
            .build()
            .map_err(build_error)?;
        let output = send!(
            observation,
            inner
                .client
                .batch_get_item()
                .request_items(&inner.name, request)
                .set_return_consumed_capacity(observation.capacity()),
            Some(&used)
        )
        .map_err(|e| Error::dynamo("BatchGetItem", e))?;
        for item in output
            .responses
            .and_then(|mut r| r.remove(&inner.name))
            .unwrap_or_default()
        {
            if let Some(id) = id_of(table, &item) {
                found.insert(id, item);
            }
        }
        pending = output
            .unprocessed_keys
            .and_then(|mut u| u.remove(&inner.name))
            .map(|k| k.keys)
            .unwrap_or_default()
            .iter()
            .filter_map(|k| id_of(table, k))
            .collect();
        observation.unprocessed(pending.len());
        if pending.is_empty() {
            break;
        }
    }
    Ok((found, pending))
}

impl Table {
    /// Reads items of several entity types in one batch, decoded into a
    /// [`Collection`](crate::Collection) by their keys. Add keys with
    /// [`BatchGetMany::key`]; results come back in that order.
    pub fn batch_get_many<C: crate::ops::collection::Collection>(&self) -> BatchGetMany<C> {
        BatchGetMany {
            table: self.clone(),
            keys: Ok(Vec::new()),
            consistent: false,
            concurrency: DEFAULT_CONCURRENCY,
            policy: RetryPolicy::default(),
            _collection: std::marker::PhantomData,
        }
    }
}

/// A pending batch read across the entity types of collection `C`.
#[must_use = "a BatchGetMany does nothing until awaited"]
pub struct BatchGetMany<C> {
    table: Table,
    keys: Result<Vec<(&'static str, RenderedKey)>>,
    consistent: bool,
    concurrency: usize,
    policy: RetryPolicy,
    _collection: std::marker::PhantomData<fn() -> C>,
}

impl<C: crate::ops::collection::Collection> BatchGetMany<C> {
    /// Adds a key of one of the collection's entity types.
    pub fn key<K: EntityKey>(mut self, key: K) -> Self
    where
        K::Entity: crate::ops::collection::Member<C>,
    {
        let rendered = self.table.inner.render_key(&key);
        self.keys = self.keys.and_then(|mut keys| {
            keys.push((<K::Entity as Entity>::NAME, rendered?));
            Ok(keys)
        });
        self
    }

    /// Uses strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Requests in flight at once (at least 1; default 4).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The retry policy for unprocessed keys.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Reads every key (one entry per key, in order; `None` if absent);
    /// fails with [`Error::UnprocessedKeys`] if keys are still unread when
    /// the retry budget runs out
    /// ([`send_partial`](BatchGetMany::send_partial) keeps what was read).
    pub async fn send(self) -> Result<Vec<Option<C>>> {
        let table = self.table.clone();
        let keys: Vec<KeyDisplay> = match &self.keys {
            Ok(keys) => keys.iter().map(|(_, k)| table.inner.display(k)).collect(),
            Err(_) => Vec::new(),
        };
        let output = self.send_partial().await?;
        if output.unprocessed.is_empty() {
            return Ok(output.items);
        }
        Err(Error::UnprocessedKeys {
            entity: C::__name(),
            read: output.items.iter().filter(|i| i.is_some()).count(),
            unprocessed: output
                .unprocessed
                .iter()
                .map(|&i| keys[i].clone())
                .collect(),
        })
    }

    /// Reads every key it can: the items read, and the positions of the
    /// keys left unread when the retry budget ran out.
    pub async fn send_partial(self) -> Result<BatchGetManyOutput<C>> {
        let keys = self.keys?;
        let table = &self.table;
        let ids = keys.iter().map(|(_, key)| key.id());
        let reading = Reading {
            consistent: self.consistent,
            concurrency: self.concurrency,
            policy: self.policy,
            projection: None,
        };
        let (found, unread) = read_keys(table, C::__name(), ids, reading).await?;
        let mut output = BatchGetManyOutput {
            items: Vec::with_capacity(keys.len()),
            unprocessed: Vec::new(),
        };
        decoding(table, || -> Result<()> {
            for (position, (_, key)) in keys.iter().enumerate() {
                let id = key.id();
                if unread.contains(&id) {
                    output.items.push(None);
                    output.unprocessed.push(position);
                    continue;
                }
                let item = found.get(&id).cloned();
                output
                    .items
                    .push(item.map(|i| C::__decode(table, i)).transpose()?);
            }
            Ok(())
        })
        .await?;
        Ok(output)
    }
}

/// Items read by a [`BatchGetMany`], in the order of the keys added.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchGetManyOutput<C> {
    /// One entry per key added: `None` if there is no such item, or if its
    /// position is in `unprocessed`.
    pub items: Vec<Option<C>>,
    /// Positions (in the order the keys were added) of the keys not read
    /// when the retry budget ran out (empty on success).
    pub unprocessed: Vec<usize>,
}

impl IntoFuture for BatchWrite {
    type Output = Result<BatchWriteSummary>;
    type IntoFuture = BoxFuture<'static, Result<BatchWriteSummary>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<K: EntityKey> IntoFuture for BatchGet<K> {
    type Output = Result<Vec<Option<K::Entity>>>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<C: crate::ops::collection::Collection> IntoFuture for BatchGetMany<C> {
    type Output = Result<Vec<Option<C>>>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
