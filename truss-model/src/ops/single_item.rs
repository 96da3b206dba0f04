//! Single-item operations: get, put, create, replace, delete.

use crate::expr::{all, and, check_expression, Condition, Node, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::{Entity, EntityKey};
use crate::keys::ttl::now_epoch_seconds;
use crate::ops::projection::{render, Projection, Rendered};
use crate::ops::write::{condition_failed, put_condition, PutMode, Required};
use crate::ops::write_back::decoding;
use crate::ops::Decode;
use crate::table::erased::{info, EntityInfo};
use crate::table::inner::RenderedKey;
use crate::table::observe::{send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use futures::future::BoxFuture;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;

macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        into_future!($builder, $output, |b: $builder<E>| Box::pin(b.send()));
    };
    ($builder:ident, $output:ty, $boxed:expr) => {
        impl<E: Entity> IntoFuture for $builder<E> {
            type Output = Result<$output>;
            type IntoFuture = BoxFuture<'static, Result<$output>>;

            fn into_future(self) -> Self::IntoFuture {
                ($boxed)(self)
            }
        }
    };
}

impl Table {
    /// Reads one item by its typed key; `Ok(None)` if there is none.
    ///
    /// Eventually consistent unless [`Get::consistent`] is called.
    pub fn get<K: EntityKey>(&self, key: K) -> Get<K::Entity> {
        Get {
            u: UntypedGet {
                table: self.clone(),
                key: self.inner.render_key(&key),
                consistent: false,
                hide_expired: false,
            },
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
            u: UntypedPut {
                table: self.clone(),
                encoded: self.inner.encode(entity),
                mode,
                condition: None,
                expected_version: E::VERSION.is_some().then(|| entity.version()),
            },
            _entity: PhantomData,
        }
    }

    /// Deletes the item with this key (succeeding if there is none).
    pub fn delete<K: EntityKey>(&self, key: K) -> Delete<K::Entity> {
        Delete {
            u: UntypedDelete {
                table: self.clone(),
                key: self.inner.render_key(&key),
                must_exist: false,
                condition: None,
            },
            _entity: PhantomData,
        }
    }
}

/// A pending GetItem; `.await` it or call [`send`](Get::send).
#[must_use = "a Get does nothing until awaited"]
pub struct Get<E> {
    /// The get without its type.
    u: UntypedGet,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Get<E> {
    /// Uses a strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.u.consistent = true;
        self
    }

    /// Answers `None` for an item whose expiry (`#[truss(ttl)]`) has
    /// passed: DynamoDB deletes expired items lazily (usually within days),
    /// and until then reads return them. Without an expiry field it
    /// changes nothing.
    pub fn hide_expired(mut self) -> Self {
        self.u.hide_expired = true;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Option<E>> {
        let mut found = None;
        self.untyped()
            .send(info::<E>(), &mut |table, item, _| {
                found = Some(table.inner.decode::<E>(item)?);
                Ok(())
            })
            .await?;
        Ok(found)
    }

    fn untyped(self) -> UntypedGet {
        self.u
    }

    /// Reads only the fields of projection `P` (a `ProjectionExpression`
    /// of its paths, in the same one GetItem): see [`Projection`].
    pub fn project<P: Projection<Entity = E>>(self) -> GetProjected<P> {
        GetProjected(self)
    }
}

/// A [`Get`] without its type: its body, compiled once for every entity.
struct UntypedGet {
    table: Table,
    key: Result<RenderedKey>,
    consistent: bool,
    hide_expired: bool,
}

impl UntypedGet {
    /// Sends the request; the item, if any, goes to `decode`. Boxed here
    /// so that the body is compiled in this crate, not in each user's.
    fn send<'a>(self, e: &'static EntityInfo, decode: Decode<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.run(e, decode))
    }

    async fn run(self, e: &'static EntityInfo, decode: Decode<'_>) -> Result<()> {
        let inner = &self.table.inner;
        let observation = inner.observe("GetItem", e.name);
        observation.consistent(self.consistent);
        let result = async {
            let item = self.fetch(e, &observation, None).await?;
            decoding(&self.table, || {
                item.map(|item| decode(&self.table, item, 1))
                    .transpose()
                    .map(|_| ())
            })
            .await
        }
        .await;
        observation.finish(result)
    }

    /// The item, raw: with `projection`, only those attributes.
    async fn fetch(
        &self,
        e: &EntityInfo,
        observation: &Observation,
        projection: Option<Rendered>,
    ) -> Result<Option<Item>> {
        let key = self.key.as_ref().map_err(Clone::clone)?;
        let inner = &self.table.inner;
        observation.key(|| inner.display(key));
        let (expression, names) = match projection {
            Some(p) => (Some(p.expression), Some(p.names)),
            None => (None, None),
        };
        let output = send!(
            observation,
            inner
                .client
                .get_item()
                .table_name(&inner.name)
                .set_key(Some(inner.key_item(key)))
                .set_consistent_read(self.consistent.then_some(true))
                .set_projection_expression(expression.clone())
                .set_expression_attribute_names(names.clone())
                .set_return_consumed_capacity(observation.capacity())
        )
        .map_err(|e| Error::dynamo("GetItem", e))?;
        let mut item = output.item;
        if let (true, Some(ttl)) = (self.hide_expired, e.ttl) {
            item = item.filter(|item| !ttl.expired(item, now_epoch_seconds()));
        }
        Ok(item)
    }
}

/// A pending GetItem of a [`Projection`]: made by [`Get::project`];
/// `.await` it or call [`send`](GetProjected::send).
#[must_use = "a Get does nothing until awaited"]
pub struct GetProjected<P: Projection>(Get<P::Entity>);

impl<P: Projection> GetProjected<P> {
    /// Sends the request; `Ok(None)` if there is no item.
    pub async fn send(self) -> Result<Option<P>> {
        let get = self.0.untyped();
        let inner = &get.table.inner;
        let observation = inner.observe("GetItem", P::Entity::NAME);
        observation.consistent(get.consistent);
        let result = async {
            let mut extra = vec![inner.pk.as_str()];
            extra.extend(inner.sk.as_deref());
            if get.hide_expired {
                extra.extend(P::Entity::TTL.map(|t| t.attribute));
            }
            let projection = render::<P>(&extra)?;
            let item = get
                .fetch(info::<P::Entity>(), &observation, Some(projection))
                .await?;
            item.map(|item| crate::ops::projection::decode::<P>(&get.table, item))
                .transpose()
                .map_err(|e| match &get.key {
                    Ok(key) => e.with_key(|| inner.display(key)),
                    Err(_) => e,
                })
        }
        .await;
        observation.finish(result)
    }
}

impl<P: Projection> IntoFuture for GetProjected<P> {
    type Output = Result<Option<P>>;
    type IntoFuture = BoxFuture<'static, Result<Option<P>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

into_future!(Get, Option<E>);

/// A pending PutItem (put, create or replace); `.await` it or call
/// [`send`](Put::send).
#[must_use = "a Put does nothing until awaited"]
pub struct Put<E> {
    /// The put without its type.
    pub(crate) u: UntypedPut,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Put<E> {
    /// Writes only if `condition` holds on the existing item; otherwise
    /// fails with [`Error::ConditionFailed`] and writes nothing. Several
    /// calls are combined with AND.
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        self.u.condition = Some(and(self.u.condition.take(), condition.node));
        self
    }

    /// Sends the request.
    pub fn send(self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.boxed()
    }

    /// The request's future, already boxed by the untyped body.
    fn boxed(self) -> BoxFuture<'static, Result<()>> {
        self.u.send(info::<E>())
    }
}

/// A [`Put`] without its type: its body, compiled once for every entity.
pub(crate) struct UntypedPut {
    pub(crate) table: Table,
    /// The item, its key and its size in bytes.
    pub(crate) encoded: Result<(Item, RenderedKey, usize)>,
    pub(crate) mode: PutMode,
    pub(crate) condition: Option<Result<Node>>,
    /// The version the entity was read at, for a versioned entity.
    pub(crate) expected_version: Option<u64>,
}

impl UntypedPut {
    /// Sends the request (boxed: the body is compiled in this crate).
    fn send(self, e: &'static EntityInfo) -> BoxFuture<'static, Result<()>> {
        Box::pin(self.run(e))
    }

    async fn run(self, e: &'static EntityInfo) -> Result<()> {
        let observation = self.table.inner.observe("PutItem", e.name);
        let result = self.put(e, &observation).await;
        observation.finish(result)
    }

    async fn put(self, e: &EntityInfo, observation: &Observation) -> Result<()> {
        let (item, key, _) = self.encoded?;
        let inner = &self.table.inner;
        observation.key(|| inner.display(&key));
        let required = Required {
            exists: self.mode == PutMode::Replace,
            absent: self.mode == PutMode::Create,
            version: e.version.and(self.expected_version),
            condition: self.condition.is_some(),
        };
        let mut p = Placeholders::default();
        let condition = put_condition(
            e,
            inner,
            self.mode,
            self.expected_version,
            self.condition,
            &mut p,
        )
        .map_err(|e| e.with_key(|| inner.display(&key)))?;
        let (names, values) = p.into_parts();
        let result = send!(
            observation,
            inner
                .client
                .put_item()
                .table_name(&inner.name)
                .set_item(Some(item))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .set_return_consumed_capacity(observation.capacity())
        );
        match result {
            Ok(_) => Ok(()),
            Err(err) => Err(match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    condition_failed(e, &self.table, &key, failed.item.as_ref(), required)
                }
                _ => Error::dynamo("PutItem", err),
            }),
        }
    }
}

into_future!(Put, (), Put::boxed);

/// A pending DeleteItem; `.await` it or call [`send`](Delete::send).
#[must_use = "a Delete does nothing until awaited"]
pub struct Delete<E> {
    /// The delete without its type.
    pub(crate) u: UntypedDelete,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Delete<E> {
    /// Fails with [`Error::NotFound`] if there is no item to delete.
    pub fn must_exist(mut self) -> Self {
        self.u.must_exist = true;
        self
    }

    /// Deletes only if `condition` holds; otherwise fails with
    /// [`Error::ConditionFailed`] and deletes nothing.
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        self.u.condition = Some(and(self.u.condition.take(), condition.node));
        self
    }

    /// Returns the deleted item (`None` if there was none).
    pub fn return_old(self) -> DeleteReturning<E> {
        DeleteReturning(self)
    }

    /// Sends the request.
    pub fn send(self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.boxed()
    }

    /// The request's future, already boxed by the untyped body.
    fn boxed(self) -> BoxFuture<'static, Result<()>> {
        self.untyped().send(info::<E>(), ReturnValue::None, None)
    }

    fn untyped(self) -> UntypedDelete {
        self.u
    }
}

/// A [`Delete`] without its type: its body, compiled once for every
/// entity.
pub(crate) struct UntypedDelete {
    pub(crate) table: Table,
    pub(crate) key: Result<RenderedKey>,
    pub(crate) must_exist: bool,
    pub(crate) condition: Option<Result<Node>>,
}

impl UntypedDelete {
    /// Sends the request; the old item, when returned, goes to `decode`
    /// (boxed: the body is compiled in this crate).
    fn send<'a>(
        self,
        e: &'static EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'a>>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.run(e, returning, decode))
    }

    async fn run(
        self,
        e: &'static EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'_>>,
    ) -> Result<()> {
        let observation = self.table.inner.observe("DeleteItem", e.name);
        let result = self.delete(e, returning, decode, &observation).await;
        observation.finish(result)
    }

    async fn delete(
        self,
        e: &EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'_>>,
        observation: &Observation,
    ) -> Result<()> {
        let key = self.key?;
        let inner = &self.table.inner;
        observation.key(|| inner.display(&key));
        let required = Required {
            exists: self.must_exist,
            condition: self.condition.is_some(),
            ..Required::default()
        };
        let mut p = Placeholders::default();
        let condition =
            delete_condition(e.name, inner, &key, self.must_exist, self.condition, &mut p)?;
        let (names, values) = p.into_parts();
        let result = send!(
            observation,
            inner
                .client
                .delete_item()
                .table_name(&inner.name)
                .set_key(Some(inner.key_item(&key)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .return_values(returning)
                .set_return_consumed_capacity(observation.capacity())
        );
        match result {
            Ok(output) => match (output.attributes, decode) {
                (Some(item), Some(decode)) => decode(&self.table, item, 1),
                _ => Ok(()),
            },
            Err(err) => Err(match err.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(failed)) => {
                    condition_failed(e, &self.table, &key, failed.item.as_ref(), required)
                }
                _ => Error::dynamo("DeleteItem", err),
            }),
        }
    }
}

into_future!(Delete, (), Delete::boxed);

/// A delete's condition expression, alone or in a transaction: the item
/// exists (with `must_exist`), and the caller's condition holds.
pub(crate) fn delete_condition(
    entity: &'static str,
    inner: &crate::table::inner::TableInner,
    key: &RenderedKey,
    must_exist: bool,
    condition: Option<Result<Node>>,
    p: &mut Placeholders,
) -> Result<Option<String>> {
    let mut conditions = Vec::new();
    if must_exist {
        conditions.push(format!("attribute_exists({})", p.name(&inner.pk)));
    }
    let mut operators = 0;
    if let Some(node) = condition {
        let node = node.map_err(|e| e.with_key(|| inner.display(key)))?;
        operators = node.operators();
        conditions.push(format!("({})", p.render(&node)));
    }
    let conditions = all(conditions);
    if let Some(condition) = &conditions {
        check_expression(entity, "condition", condition, operators)
            .map_err(|e| e.with_key(|| inner.display(key)))?;
    }
    Ok(conditions)
}

/// A pending DeleteItem that returns the deleted item.
#[must_use = "a Delete does nothing until awaited"]
pub struct DeleteReturning<E>(Delete<E>);

impl<E: Entity> DeleteReturning<E> {
    /// Sends the request; `Ok(None)` if there was no item.
    pub async fn send(self) -> Result<Option<E>> {
        let mut old = None;
        self.0
            .untyped()
            .send(
                info::<E>(),
                ReturnValue::AllOld,
                Some(&mut |table, item, _| {
                    old = Some(table.inner.decode::<E>(item)?);
                    Ok(())
                }),
            )
            .await?;
        Ok(old)
    }
}

into_future!(DeleteReturning, Option<E>);
