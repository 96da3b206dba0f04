//! Transactions over typed operations, across entity types.

use crate::expr::{check_expression, Condition, Placeholders};
use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::foundation::item::Item;
use crate::foundation::limits::{MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_BYTES};
use crate::foundation::size::item_size;
use crate::keys::entity::{Entity, EntityKey};
use crate::keys::key_part::escape_into;
use crate::ops::single_item::{delete_condition, Delete, Put};
use crate::ops::update::Update;
use crate::ops::write::put_condition;
use crate::table::inner::RenderedKey;
use crate::table::observe::{entities, send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete as DeleteAction, Put as PutAction, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update as UpdateAction,
};
use futures::future::BoxFuture;
use std::collections::HashSet;
use std::future::IntoFuture;

pub use crate::foundation::error::{CanceledAction, CancellationCode};
pub use crate::ops::transact_get::TransactGet;

struct Action {
    entity: &'static str,
    key: RenderedKey,
    bytes: usize,
    write: TransactWriteItem,
    /// An update's entity revision: a failed condition on an item at an
    /// older revision is reported as such.
    revision: Option<crate::keys::revision::Revision>,
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::InvalidTransaction {
        reason: e.to_string(),
    }
}

/// The marker entity of [`Transaction::unique`].
const UNIQUE: &str = "Unique";

impl Table {
    /// Starts a transaction: every action applies, or none does.
    pub fn transaction(&self) -> Transaction {
        Transaction {
            table: self.clone(),
            actions: Ok(Vec::new()),
            token: None,
        }
    }
}

/// A pending TransactWriteItems; `.await` it or call
/// [`send`](Transaction::send).
#[must_use = "a Transaction does nothing until sent"]
pub struct Transaction {
    table: Table,
    actions: Result<Vec<Action>>,
    token: Option<String>,
}

impl Transaction {
    fn push(mut self, action: Result<Action>) -> Self {
        self.actions = self.actions.and_then(|mut actions| {
            actions.push(action?);
            Ok(actions)
        });
        self
    }

    /// Puts an item: a [`Put`] built with [`Table::put`],
    /// [`Table::create`] or [`Table::replace`], with its
    /// [`condition`](Put::condition)s, as it would be sent alone.
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Entity, Table};
    /// # #[derive(Entity, Serialize, Deserialize)]
    /// # #[truss(pk = "USER#{id}", sk = "PROFILE")]
    /// # struct User { id: String, email: String }
    /// # async fn demo(table: Table, ada: User, grace: User) -> truss_model::Result<()> {
    /// // The same builders as alone: create, put with a condition, delete.
    /// table
    ///     .transaction()
    ///     .put(table.create(&ada))
    ///     .put(table.put(&grace).condition(User::EMAIL.eq("grace@example.com")))
    ///     .delete(table.delete(User::key("old")).must_exist())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn put<E: Entity>(self, put: Put<E>) -> Self {
        let action = (|| {
            let put = put.u;
            let (item, key, bytes) = put.encoded?;
            let inner = &put.table.inner;
            let mut p = Placeholders::default();
            let condition = put_condition(
                crate::table::erased::info::<E>(),
                inner,
                put.mode,
                put.expected_version,
                put.condition,
                &mut p,
            )
            .map_err(|e| e.with_key(|| inner.display(&key)))?;
            let (names, values) = p.into_parts();
            let put = PutAction::builder()
                .table_name(&inner.name)
                .set_item(Some(item))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: None,
                entity: E::NAME,
                key,
                bytes,
                write: TransactWriteItem::builder().put(put).build(),
            })
        })();
        self.push(action)
    }

    /// Applies an update built with [`Table::update`].
    pub fn update<E: Entity>(self, update: Update<E>) -> Self {
        let action = update.render().and_then(|r| {
            let bytes = r.key.pk.len() + r.key.sk.as_ref().map_or(0, String::len);
            let write = UpdateAction::builder()
                .table_name(&r.table.inner.name)
                .set_key(Some(r.table.inner.key_item(&r.key)))
                .update_expression(r.update)
                .set_condition_expression(r.condition)
                .set_expression_attribute_names(r.names)
                .set_expression_attribute_values(r.values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: E::REVISION,
                entity: E::NAME,
                key: r.key,
                bytes,
                write: TransactWriteItem::builder().update(write).build(),
            })
        });
        self.push(action)
    }

    /// Deletes an item: a [`Delete`] built with [`Table::delete`], with
    /// its [`must_exist`](Delete::must_exist) and
    /// [`condition`](Delete::condition)s, as it would be sent alone.
    pub fn delete<E: Entity>(self, delete: Delete<E>) -> Self {
        let action = (|| {
            let delete = delete.u;
            let key = delete.key?;
            let inner = &delete.table.inner;
            let mut p = Placeholders::default();
            let condition = delete_condition(
                E::NAME,
                inner,
                &key,
                delete.must_exist,
                delete.condition,
                &mut p,
            )?;
            let (names, values) = p.into_parts();
            let write = DeleteAction::builder()
                .table_name(&inner.name)
                .set_key(Some(inner.key_item(&key)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: None,
                entity: E::NAME,
                bytes: key.pk.len() + key.sk.as_ref().map_or(0, String::len),
                key,
                write: TransactWriteItem::builder().delete(write).build(),
            })
        })();
        self.push(action)
    }

    /// Requires `condition` to hold on the item with this key (which is not
    /// changed).
    pub fn check<K: EntityKey>(self, key: K, condition: Condition<K::Entity>) -> Self {
        let table = self.table.clone();
        let action = (|| {
            let key = table.inner.render_key(&key)?;
            let mut p = Placeholders::default();
            let node = condition
                .node
                .map_err(|e| e.with_key(|| table.inner.display(&key)))?;
            let condition = p.render(&node);
            check_expression(K::Entity::NAME, "condition", &condition, node.operators())
                .map_err(|e| e.with_key(|| table.inner.display(&key)))?;
            let (names, values) = p.into_parts();
            let check = ConditionCheck::builder()
                .table_name(&table.inner.name)
                .set_key(Some(table.inner.key_item(&key)))
                .condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: None,
                entity: <K::Entity as Entity>::NAME,
                bytes: key.pk.len() + key.sk.as_ref().map_or(0, String::len),
                key,
                write: TransactWriteItem::builder().condition_check(check).build(),
            })
        })();
        self.push(action)
    }

    fn unique_key(&self, name: &str, value: &str) -> Result<RenderedKey> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(Error::InvalidTransaction {
                reason: format!(
                    "unique constraint name `{name}` must be ASCII letters, digits, `_` or `-`"
                ),
            });
        }
        let mut pk = format!("UNIQUE#{name}#");
        escape_into(value, &mut pk).map_err(|reason| Error::InvalidKey {
            entity: UNIQUE,
            field: "value",
            reason,
        })?;
        let sk = self.table.inner.sk.as_ref().map(|_| UNIQUE.to_uppercase());
        Ok(RenderedKey { pk, sk })
    }

    /// Claims `value` as unique under `name` (a user's email, a creator's
    /// handle): writes the marker item `UNIQUE#<name>#<value>` if no one holds
    /// it, so the transaction fails if the value is taken. Pair with
    /// [`release_unique`](Transaction::release_unique) when the value
    /// changes or its owner is deleted.
    pub fn unique(self, name: &str, value: &str) -> Self {
        let table = self.table.clone();
        let action = self.unique_key(name, value).and_then(|key| {
            let mut p = Placeholders::default();
            let condition = format!("attribute_not_exists({})", p.name(&table.inner.pk));
            let (names, _) = p.into_parts();
            let item: Item = table.inner.key_item(&key);
            let bytes = item_size(&item);
            let put = PutAction::builder()
                .table_name(&table.inner.name)
                .set_item(Some(item))
                .condition_expression(condition)
                .set_expression_attribute_names(names)
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: None,
                entity: UNIQUE,
                key,
                bytes,
                write: TransactWriteItem::builder().put(put).build(),
            })
        });
        self.push(action)
    }

    /// Releases a value claimed with [`unique`](Transaction::unique).
    pub fn release_unique(self, name: &str, value: &str) -> Self {
        let table = self.table.clone();
        let action = self.unique_key(name, value).and_then(|key| {
            let delete = DeleteAction::builder()
                .table_name(&table.inner.name)
                .set_key(Some(table.inner.key_item(&key)))
                .build()
                .map_err(build_error)?;
            Ok(Action {
                revision: None,
                entity: UNIQUE,
                bytes: key.pk.len(),
                key,
                write: TransactWriteItem::builder().delete(delete).build(),
            })
        });
        self.push(action)
    }

    /// Makes the transaction idempotent: sent again with the same token
    /// within ten minutes, DynamoDB does not apply it twice.
    pub fn idempotency_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Checks the transaction (1 to 100 actions, no item twice, at most
    /// 4 MB), then sends it. A canceled transaction is
    /// [`Error::TransactionCanceled`], naming each failed action; nothing
    /// was written.
    pub async fn send(self) -> Result<()> {
        let names = match &self.actions {
            Ok(actions) => entities(actions.iter().map(|a| a.entity)),
            Err(_) => String::new(),
        };
        let observation = self.table.inner.observe("TransactWriteItems", names);
        let result = self.write(&observation).await;
        observation.finish(result)
    }

    async fn write(self, observation: &Observation) -> Result<()> {
        let actions = self.actions?;
        let inner = &self.table.inner;
        if actions.is_empty() || actions.len() > MAX_TRANSACTION_ACTIONS {
            return Err(Error::InvalidTransaction {
                reason: format!(
                    "a transaction holds 1 to {MAX_TRANSACTION_ACTIONS} actions, not {}",
                    actions.len()
                ),
            });
        }
        let mut seen = HashSet::new();
        for action in &actions {
            if !seen.insert((action.key.pk.clone(), action.key.sk.clone())) {
                return Err(Error::InvalidTransaction {
                    reason: format!(
                        "{} {} appears twice; DynamoDB allows one action per item",
                        action.entity,
                        inner.display(&action.key)
                    ),
                });
            }
        }
        let bytes: usize = actions.iter().map(|a| a.bytes).sum();
        if bytes > MAX_TRANSACTION_BYTES {
            return Err(Error::InvalidTransaction {
                reason: format!("the transaction's items are {bytes} bytes, over the 4 MB limit"),
            });
        }
        let (writes, described): (Vec<_>, Vec<_>) = actions
            .into_iter()
            .map(|a| (a.write, (a.entity, inner.display(&a.key), a.revision)))
            .unzip();
        let result = send!(
            observation,
            inner
                .client
                .transact_write_items()
                .set_transact_items(Some(writes))
                .set_client_request_token(self.token)
                .set_return_consumed_capacity(observation.capacity())
        );
        match result {
            Ok(_) => Ok(()),
            Err(err) => Err(match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                    canceled(e.cancellation_reasons(), &described)
                }
                _ => Error::dynamo("TransactWriteItems", err),
            }),
        }
    }
}

impl IntoFuture for Transaction {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'static, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The entity, key and (for updates) revision of each action, in order.
pub(crate) type Described = (
    &'static str,
    KeyDisplay,
    Option<crate::keys::revision::Revision>,
);

/// [`Error::TransactionCanceled`] from DynamoDB's reasons, one per action
/// in order (`None` for the actions that did not fail), each named by
/// `described`.
pub(crate) fn canceled(
    reasons: &[aws_sdk_dynamodb::types::CancellationReason],
    described: &[Described],
) -> Error {
    let reasons = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code().is_some_and(|c| c != "None"))
        .map(|(index, r)| {
            let (entity, key, revision) =
                described
                    .get(index)
                    .cloned()
                    .unwrap_or(("?", KeyDisplay::default(), None));
            let code = CancellationCode::from_code(r.code().unwrap_or("Unknown"));
            // An update refused because the item is at an older revision:
            // the item DynamoDB returns tells, as for a single update.
            let old_revision = match (&code, revision, r.item()) {
                (CancellationCode::ConditionalCheckFailed, Some(rev), Some(item))
                    if !item.is_empty() =>
                {
                    rev.of(item.get(rev.attribute))
                        .ok()
                        .filter(|found| *found < rev.current)
                        .map(|found| (found, rev.current))
                }
                _ => None,
            };
            CanceledAction {
                index,
                entity,
                key,
                code,
                message: r.message().map(str::to_owned),
                old_revision,
            }
        })
        .collect();
    Error::TransactionCanceled { reasons }
}
