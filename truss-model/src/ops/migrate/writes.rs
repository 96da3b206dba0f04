//! The writes of a backfill, each conditional on the item read being
//! unchanged: PutItem, DeleteItem, and a transaction for a re-key.

use super::progress::Tally;
use crate::expr::Placeholders;
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::ops::scan::Plan;
use crate::ops::write::unchanged_since_read;
use crate::table::inner::RenderedKey;
use crate::table::observe::send;
use crate::table::upgrades::Guards;
use crate::table::Table;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity, Delete, Put, TransactWriteItem};

/// What a write requires of the item read: its key, and the guard
/// attributes (version, revision) as read (`None`: the item lacked it).
pub(crate) struct Read {
    pub(crate) key: RenderedKey,
    pub(crate) guards: Guards,
}

/// What a write did: `done` is `None` after a conflict.
pub(crate) struct Sent {
    pub(crate) done: Option<Done>,
    pub(crate) capacity: f64,
}

pub(crate) enum Done {
    Put,
    Deleted,
}

pub(crate) fn charge(plan: &Plan, capacity: Option<&ConsumedCapacity>) -> f64 {
    let units = capacity.and_then(|c| c.capacity_units).unwrap_or(0.0);
    if let Some(pacer) = &plan.pacer {
        pacer.charge(units);
    }
    units
}

/// The condition every write of a backfill carries: the item read still
/// exists, at the version and revision read.
fn unchanged(plan: &Plan, read: &Read, p: &mut Placeholders) -> String {
    unchanged_since_read(&plan.table.inner, &read.guards, p)
}

pub(crate) async fn put(
    plan: &Plan,
    target: &'static str,
    read: &Read,
    item: Item,
) -> Result<Sent> {
    let inner = &plan.table.inner;
    let key = key_of(&plan.table, target, &item)?;
    if key != read.key {
        return rekey(plan, target, read, key, item).await;
    }
    let mut p = Placeholders::default();
    let condition = unchanged(plan, read, &mut p);
    let (names, values) = p.into_parts();
    let observation = inner.observe("PutItem", target);
    let result = send!(
        observation,
        inner
            .client
            .put_item()
            .table_name(&inner.name)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_consumed_capacity(observation.capacity_or_total())
    );
    let result = match result {
        Ok(output) => Ok(Sent {
            done: Some(Done::Put),
            capacity: charge(plan, output.consumed_capacity.as_ref()),
        }),
        Err(err) => match err.as_service_error() {
            // A refused write consumes capacity too; DynamoDB does not
            // report it with the error, so it counts as none.
            Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(Sent {
                done: None,
                capacity: 0.0,
            }),
            _ => Err(Error::dynamo("PutItem", err)),
        },
    };
    observation.finish(result)
}

pub(crate) async fn delete(plan: &Plan, target: &'static str, read: &Read) -> Result<Sent> {
    let inner = &plan.table.inner;
    let mut p = Placeholders::default();
    let condition = unchanged(plan, read, &mut p);
    let (names, values) = p.into_parts();
    let observation = inner.observe("DeleteItem", target);
    let result = send!(
        observation,
        inner
            .client
            .delete_item()
            .table_name(&inner.name)
            .set_key(Some(inner.key_item(&read.key)))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_consumed_capacity(observation.capacity_or_total())
    );
    let result = match result {
        Ok(output) => Ok(Sent {
            done: Some(Done::Deleted),
            capacity: charge(plan, output.consumed_capacity.as_ref()),
        }),
        Err(err) => match err.as_service_error() {
            Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(Sent {
                done: None,
                capacity: 0.0,
            }),
            _ => Err(Error::dynamo("DeleteItem", err)),
        },
    };
    observation.finish(result)
}

/// A re-key: one transaction creating the item at its new key and deleting
/// the one read.
pub(crate) async fn rekey(
    plan: &Plan,
    target: &'static str,
    read: &Read,
    key: RenderedKey,
    item: Item,
) -> Result<Sent> {
    let inner = &plan.table.inner;
    let build = |e: aws_sdk_dynamodb::error::BuildError| Error::InvalidTransaction {
        reason: e.to_string(),
    };
    let mut p = Placeholders::default();
    let absent = format!("attribute_not_exists({})", p.name(&inner.pk));
    let (names, _) = p.into_parts();
    let put = Put::builder()
        .table_name(&inner.name)
        .set_item(Some(item))
        .condition_expression(absent)
        .set_expression_attribute_names(names)
        .build()
        .map_err(build)?;
    let mut p = Placeholders::default();
    let condition = unchanged(plan, read, &mut p);
    let (names, values) = p.into_parts();
    let delete = Delete::builder()
        .table_name(&inner.name)
        .set_key(Some(inner.key_item(&read.key)))
        .condition_expression(condition)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values)
        .build()
        .map_err(build)?;
    let observation = inner.observe("TransactWriteItems", target);
    let result = send!(
        observation,
        inner
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .return_consumed_capacity(observation.capacity_or_total())
    );
    let outcome = (|| {
        let err = match result {
            Ok(output) => {
                let units = output
                    .consumed_capacity
                    .unwrap_or_default()
                    .iter()
                    .map(|c| charge(plan, Some(c)))
                    .sum();
                return Ok(Sent {
                    done: Some(Done::Put),
                    capacity: units,
                });
            }
            Err(err) => err,
        };
        let codes: Vec<Option<String>> = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => e
                .cancellation_reasons()
                .iter()
                .map(|r| r.code().map(str::to_owned))
                .collect(),
            _ => return Err(Error::dynamo("TransactWriteItems", err)),
        };
        let code = |i: usize| codes.get(i).cloned().flatten();
        if code(0).as_deref() == Some("ConditionalCheckFailed") {
            return Err(Error::AlreadyExists {
                entity: target,
                key: inner.display(&key),
            });
        }
        match (code(1).as_deref(), code(0).as_deref()) {
            (Some("ConditionalCheckFailed"), _)
            | (Some("TransactionConflict"), _)
            | (_, Some("TransactionConflict")) => Ok(Sent {
                done: None,
                capacity: 0.0,
            }),
            _ => Err(Error::dynamo("TransactWriteItems", err)),
        }
    })();
    observation.finish(outcome)
}

/// Reads an item again after a conflict: consistently, so the next write
/// is based on what is stored now.
pub(crate) async fn reread(
    plan: &Plan,
    target: &'static str,
    key: &RenderedKey,
    tally: &mut Tally,
) -> Result<Option<Item>> {
    if let Some(pacer) = &plan.pacer {
        pacer.wait().await;
    }
    let inner = &plan.table.inner;
    let observation = inner.observe("GetItem", target);
    observation.consistent(true);
    let output = match send!(
        observation,
        inner
            .client
            .get_item()
            .table_name(&inner.name)
            .set_key(Some(inner.key_item(key)))
            .consistent_read(true)
            .return_consumed_capacity(observation.capacity_or_total())
    ) {
        Ok(output) => output,
        Err(e) => return observation.finish(Err(Error::dynamo("GetItem", e))),
    };
    tally.requests += 1;
    tally.capacity += charge(plan, output.consumed_capacity.as_ref());
    Ok(output.item)
}

/// The primary key an item holds (string key attributes).
pub(crate) fn key_of(table: &Table, target: &'static str, item: &Item) -> Result<RenderedKey> {
    let inner = &table.inner;
    let text = |attr: &str| match item.get(attr) {
        Some(AttributeValue::S(s)) => Ok(s.clone()),
        _ => Err(Error::Encode {
            entity: target,
            key: Default::default(),
            message: format!("the item has no string key attribute `{attr}`"),
        }),
    };
    Ok(RenderedKey {
        pk: text(&inner.pk)?,
        sk: inner.sk.as_deref().map(text).transpose()?,
    })
}
