//! Single-item operations: get, put, create, replace, delete.

use crate::codec::Item;
use crate::entity::{Entity, EntityKey};
use crate::error::{Error, Result};
use crate::table::{RenderedKey, Table, TableInner};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use futures::future::BoxFuture;
use std::future::IntoFuture;
use std::marker::PhantomData;

macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        impl<E: Entity> IntoFuture for $builder<E> {
            type Output = Result<$output>;
            type IntoFuture = BoxFuture<'static, Result<$output>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

impl TableInner {
    pub(crate) fn key_item(&self, key: &RenderedKey) -> Item {
        let mut item = Item::with_capacity(2);
        item.insert(self.pk.clone(), AttributeValue::S(key.pk.clone()));
        if let (Some(attr), Some(sk)) = (&self.sk, &key.sk) {
            item.insert(attr.clone(), AttributeValue::S(sk.clone()));
        }
        item
    }
}

impl Table {
    /// Reads one item by its typed key; `Ok(None)` if there is none.
    ///
    /// Eventually consistent unless [`Get::consistent`] is called.
    pub fn get<K: EntityKey>(&self, key: K) -> Get<K::Entity> {
        Get {
            table: self.clone(),
            key: self.inner.render_key(&key),
            consistent: false,
            _entity: PhantomData,
        }
    }

    /// Writes an item, replacing any item with the same key.
    pub fn put<E: Entity>(&self, entity: &E) -> Put<E> {
        self.put_mode(entity, PutMode::Overwrite)
    }

    /// Writes an item only if no item has its key; otherwise fails with
    /// [`Error::AlreadyExists`] and leaves the existing item unchanged.
    pub fn create<E: Entity>(&self, entity: &E) -> Put<E> {
        self.put_mode(entity, PutMode::Create)
    }

    /// Overwrites an item only if an item with its key exists; otherwise
    /// fails with [`Error::NotFound`] and writes nothing.
    pub fn replace<E: Entity>(&self, entity: &E) -> Put<E> {
        self.put_mode(entity, PutMode::Replace)
    }

    fn put_mode<E: Entity>(&self, entity: &E, mode: PutMode) -> Put<E> {
        Put {
            table: self.clone(),
            encoded: self.inner.encode(entity),
            mode,
            _entity: PhantomData,
        }
    }

    /// Deletes the item with this key (succeeding if there is none).
    pub fn delete<K: EntityKey>(&self, key: K) -> Delete<K::Entity> {
        Delete {
            table: self.clone(),
            key: self.inner.render_key(&key),
            must_exist: false,
            _entity: PhantomData,
        }
    }
}

/// A pending GetItem; `.await` it or call [`send`](Get::send).
#[must_use = "a Get does nothing until awaited"]
pub struct Get<E> {
    table: Table,
    key: Result<RenderedKey>,
    consistent: bool,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Get<E> {
    /// Uses a strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Option<E>> {
        let key = self.key?;
        let inner = &self.table.inner;
        let output = inner
            .client
            .get_item()
            .table_name(&inner.name)
            .set_key(Some(inner.key_item(&key)))
            .consistent_read(self.consistent)
            .send()
            .await
            .map_err(|e| Error::dynamo("GetItem", e))?;
        output.item.map(|item| inner.decode(item)).transpose()
    }
}

into_future!(Get, Option<E>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PutMode {
    Overwrite,
    Create,
    Replace,
}

/// A pending PutItem (put, create or replace); `.await` it or call
/// [`send`](Put::send).
#[must_use = "a Put does nothing until awaited"]
pub struct Put<E> {
    table: Table,
    encoded: Result<(Item, RenderedKey)>,
    mode: PutMode,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Put<E> {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        let (item, key) = self.encoded?;
        let inner = &self.table.inner;
        let mut request = inner
            .client
            .put_item()
            .table_name(&inner.name)
            .set_item(Some(item));
        request = match self.mode {
            PutMode::Overwrite => request,
            PutMode::Create => request
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", &inner.pk),
            PutMode::Replace => request
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", &inner.pk),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => {
                let failed = matches!(
                    err.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                );
                Err(match (failed, self.mode) {
                    (true, PutMode::Create) => Error::AlreadyExists {
                        entity: E::NAME,
                        key: inner.display(&key),
                    },
                    (true, _) => Error::NotFound {
                        entity: E::NAME,
                        key: inner.display(&key),
                    },
                    (false, _) => Error::dynamo("PutItem", err),
                })
            }
        }
    }
}

into_future!(Put, ());

/// A pending DeleteItem; `.await` it or call [`send`](Delete::send).
#[must_use = "a Delete does nothing until awaited"]
pub struct Delete<E> {
    table: Table,
    key: Result<RenderedKey>,
    must_exist: bool,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Delete<E> {
    /// Fails with [`Error::NotFound`] if there is no item to delete.
    pub fn must_exist(mut self) -> Self {
        self.must_exist = true;
        self
    }

    /// Returns the deleted item (`None` if there was none).
    pub fn return_old(self) -> DeleteReturning<E> {
        DeleteReturning(self)
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.execute(false).await.map(|_| ())
    }

    async fn execute(self, return_old: bool) -> Result<Option<E>> {
        let key = self.key?;
        let inner = &self.table.inner;
        let mut request = inner
            .client
            .delete_item()
            .table_name(&inner.name)
            .set_key(Some(inner.key_item(&key)));
        if return_old {
            request = request.return_values(ReturnValue::AllOld);
        }
        if self.must_exist {
            request = request
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", &inner.pk);
        }
        match request.send().await {
            Ok(output) => output.attributes.map(|item| inner.decode(item)).transpose(),
            Err(err) => Err(match err.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Error::NotFound {
                    entity: E::NAME,
                    key: inner.display(&key),
                },
                _ => Error::dynamo("DeleteItem", err),
            }),
        }
    }
}

into_future!(Delete, ());

/// A pending DeleteItem that returns the deleted item.
#[must_use = "a Delete does nothing until awaited"]
pub struct DeleteReturning<E>(Delete<E>);

impl<E: Entity> DeleteReturning<E> {
    /// Sends the request; `Ok(None)` if there was no item.
    pub async fn send(self) -> Result<Option<E>> {
        self.0.execute(true).await
    }
}

into_future!(DeleteReturning, Option<E>);
