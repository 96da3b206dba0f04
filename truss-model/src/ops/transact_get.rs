//! Transactional reads: up to 100 items, of one entity type or of the
//! types of a collection, read as one snapshot (TransactGetItems).

use crate::foundation::error::{Error, Result};
use crate::foundation::limits::MAX_TRANSACTION_ACTIONS;
use crate::keys::entity::{Entity, EntityKey};
use crate::ops::collection::{Collection, Member, QueryTarget};
use crate::ops::transaction::{canceled, Described};
use crate::ops::write_back::decoding;
use crate::table::inner::RenderedKey;
use crate::table::observe::{send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
use aws_sdk_dynamodb::types::{Get, TransactGetItem};
use futures::future::BoxFuture;
use std::collections::HashSet;
use std::future::IntoFuture;
use std::marker::PhantomData;

impl Table {
    /// Reads the items with these keys as one snapshot: one
    /// TransactGetItems, all-or-nothing, every item as of the same moment
    /// (a write landing meanwhile cancels the read instead of mixing
    /// states). 1 to 100 keys, each once; otherwise
    /// [`Error::InvalidTransaction`] before any request. Results come in
    /// the keys' order, `None` where there is no item. A canceled read is
    /// [`Error::TransactionCanceled`], its reasons typed as for writes.
    pub fn transact_get<K: EntityKey>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> TransactGet<K::Entity>
    where
        K::Entity: QueryTarget,
    {
        let keys = keys
            .into_iter()
            .map(|k| {
                self.inner
                    .render_key(&k)
                    .map(|r| (<K::Entity as Entity>::NAME, r))
            })
            .collect();
        TransactGet {
            table: self.clone(),
            keys,
            _target: PhantomData,
        }
    }

    /// [`transact_get`](Table::transact_get) across the entity types of
    /// collection `C`: add keys with [`TransactGet::key`]; each result is
    /// decoded into the collection by its keys.
    pub fn transact_get_many<C: Collection>(&self) -> TransactGet<C> {
        TransactGet {
            table: self.clone(),
            keys: Ok(Vec::new()),
            _target: PhantomData,
        }
    }
}

/// A pending TransactGetItems of entity type or collection `T`; `.await`
/// it or call [`send`](TransactGet::send).
#[must_use = "a TransactGet does nothing until awaited"]
pub struct TransactGet<T> {
    table: Table,
    keys: Result<Vec<(&'static str, RenderedKey)>>,
    _target: PhantomData<fn() -> T>,
}

impl<C: Collection> TransactGet<C> {
    /// Adds a key of one of the collection's entity types.
    pub fn key<K: EntityKey>(mut self, key: K) -> Self
    where
        K::Entity: Member<C>,
    {
        let rendered = self.table.inner.render_key(&key);
        self.keys = self.keys.and_then(|mut keys| {
            keys.push((<K::Entity as Entity>::NAME, rendered?));
            Ok(keys)
        });
        self
    }
}

impl<T: QueryTarget> TransactGet<T> {
    /// Sends the read: one item (or `None`) per key, in order.
    pub async fn send(self) -> Result<Vec<Option<T>>> {
        let observation = self.table.inner.observe("TransactGetItems", T::__name());
        let result = self.read(&observation).await;
        observation.finish(result)
    }

    async fn read(self, observation: &Observation) -> Result<Vec<Option<T>>> {
        let keys = self.keys?;
        let inner = &self.table.inner;
        if keys.is_empty() || keys.len() > MAX_TRANSACTION_ACTIONS {
            return Err(Error::InvalidTransaction {
                reason: format!(
                    "a transactional read holds 1 to {MAX_TRANSACTION_ACTIONS} keys, not {}",
                    keys.len()
                ),
            });
        }
        let mut seen = HashSet::new();
        for (entity, key) in &keys {
            if !seen.insert(key.id()) {
                return Err(Error::InvalidTransaction {
                    reason: format!(
                        "{entity} {} appears twice; DynamoDB reads each item once per transaction",
                        inner.display(key)
                    ),
                });
            }
        }
        let gets = keys
            .iter()
            .map(|(_, key)| {
                Get::builder()
                    .table_name(&inner.name)
                    .set_key(Some(inner.key_item(key)))
                    .build()
                    .map(|get| TransactGetItem::builder().get(get).build())
                    .map_err(|e| Error::InvalidTransaction {
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let described: Vec<Described> = keys
            .iter()
            .map(|(entity, key)| (*entity, inner.display(key), None))
            .collect();
        let output = send!(
            observation,
            inner
                .client
                .transact_get_items()
                .set_transact_items(Some(gets))
                .set_return_consumed_capacity(observation.capacity())
        )
        .map_err(|err| match err.as_service_error() {
            Some(TransactGetItemsError::TransactionCanceledException(e)) => {
                canceled(e.cancellation_reasons(), &described)
            }
            _ => Error::dynamo("TransactGetItems", err),
        })?;
        let responses = output.responses.unwrap_or_default();
        let table = &self.table;
        decoding(table, || {
            keys.iter()
                .enumerate()
                .map(|(i, (_, key))| {
                    let item = responses
                        .get(i)
                        .and_then(|r| r.item.clone())
                        .filter(|item| !item.is_empty());
                    item.map(|item| T::__decode(table, item))
                        .transpose()
                        .map_err(|e| e.with_key(|| inner.display(key)))
                })
                .collect()
        })
        .await
    }
}

impl<T: QueryTarget> IntoFuture for TransactGet<T> {
    type Output = Result<Vec<Option<T>>>;
    type IntoFuture = BoxFuture<'static, Result<Vec<Option<T>>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
