//! Fault injection at the SDK layer, for what DynamoDB Local cannot do: it
//! never answers a batch with UnprocessedItems / UnprocessedKeys.
//!
//! [`Unprocessed`] is an interceptor on a client talking to DynamoDB Local.
//! For its next `faults` batch operations it removes every other write
//! request (or key) from the request before it is sent, so those never
//! reach the database, and then reports exactly those as unprocessed in the
//! response, as DynamoDB does under load. Everything else is real.

use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, WriteRequest};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextMut, FinalizerInterceptorContextMut,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

type Item = HashMap<String, AttributeValue>;

#[derive(Debug, Clone)]
enum Held {
    Writes(String, Vec<WriteRequest>),
    Keys(String, Vec<Item>),
}

impl Storable for Held {
    type Storer = StoreReplace<Self>;
}

/// Reports every other item of the next `faults` batch operations as
/// unprocessed (never sending them). Clones share the fault budget.
#[derive(Debug, Clone)]
pub struct Unprocessed {
    faults: Arc<AtomicUsize>,
    injected: Arc<AtomicUsize>,
}

impl Unprocessed {
    pub fn new(faults: usize) -> Self {
        Unprocessed {
            faults: Arc::new(AtomicUsize::new(faults)),
            injected: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Items or keys reported unprocessed so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    /// Faults of the budget not spent yet.
    pub fn remaining(&self) -> usize {
        self.faults.load(Ordering::SeqCst)
    }

    fn take_fault(&self) -> bool {
        self.faults
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Splits off the odd positions (keeping at least the first element).
fn every_other<T>(items: &mut Vec<T>) -> Vec<T> {
    let all = std::mem::take(items);
    let mut held = Vec::new();
    for (i, item) in all.into_iter().enumerate() {
        if i % 2 == 1 {
            held.push(item);
        } else {
            items.push(item);
        }
    }
    held
}

impl Intercept for Unprocessed {
    fn name(&self) -> &'static str {
        "test fault injection: unprocessed batch items"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input_mut();
        let held = if let Some(write) = input.downcast_mut::<BatchWriteItemInput>() {
            if !self.take_fault() {
                return Ok(());
            }
            let Some((table, requests)) = write.request_items.iter_mut().flatten().next() else {
                return Ok(());
            };
            Held::Writes(table.clone(), every_other(requests))
        } else if let Some(get) = input.downcast_mut::<BatchGetItemInput>() {
            if !self.take_fault() {
                return Ok(());
            }
            let Some((table, keys)) = get.request_items.iter_mut().flatten().next() else {
                return Ok(());
            };
            Held::Keys(table.clone(), every_other(&mut keys.keys))
        } else {
            return Ok(());
        };
        cfg.interceptor_state().store_put(held);
        Ok(())
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(held) = cfg.load::<Held>().cloned() else {
            return Ok(());
        };
        let Some(Ok(output)) = context.output_or_error_mut() else {
            return Ok(());
        };
        match held {
            Held::Writes(table, requests) => {
                if let Some(out) = output.downcast_mut::<BatchWriteItemOutput>() {
                    self.injected.fetch_add(requests.len(), Ordering::SeqCst);
                    out.unprocessed_items
                        .get_or_insert_with(HashMap::new)
                        .entry(table)
                        .or_default()
                        .extend(requests);
                }
            }
            Held::Keys(table, keys) => {
                if let Some(out) = output.downcast_mut::<BatchGetItemOutput>() {
                    self.injected.fetch_add(keys.len(), Ordering::SeqCst);
                    let unprocessed = out.unprocessed_keys.get_or_insert_with(HashMap::new);
                    match unprocessed.get_mut(&table) {
                        Some(existing) => existing.keys.extend(keys),
                        None => {
                            let value = KeysAndAttributes::builder()
                                .set_keys(Some(keys))
                                .build()
                                .map_err(|e| -> BoxError { Box::new(e) })?;
                            unprocessed.insert(table, value);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Turns the responses of the next `faults` BatchWriteItem requests into
/// `ProvisionedThroughputExceededException` (HTTP 400), as DynamoDB does
/// when throttling. The request did reach DynamoDB Local (puts are
/// idempotent), so this exercises the SDK's retry of throttled requests.
#[derive(Debug, Clone)]
pub struct Throttle {
    faults: Arc<AtomicUsize>,
    injected: Arc<AtomicUsize>,
    operation: &'static str,
    body: Arc<str>,
    /// `x-amz-retry-after` (milliseconds), when the answer carries it.
    retry_after: Option<u64>,
}

impl Throttle {
    pub fn new(faults: usize) -> Self {
        Throttle::on(
            "BatchWriteItem",
            faults,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"injected throttling"}"#,
        )
    }

    /// Answers the next `faults` requests of `operation` with `body`
    /// (HTTP 400): DynamoDB's JSON error, `__type` and all.
    pub fn on(operation: &'static str, faults: usize, body: &str) -> Self {
        Throttle {
            faults: Arc::new(AtomicUsize::new(faults)),
            injected: Arc::new(AtomicUsize::new(0)),
            operation,
            body: Arc::from(body),
            retry_after: None,
        }
    }

    /// The answers also carry `x-amz-retry-after: millis`, the hint a
    /// server gives of when to try again.
    pub fn retry_after(mut self, millis: u64) -> Self {
        self.retry_after = Some(millis);
        self
    }

    /// Responses throttled so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }
}

impl Intercept for Throttle {
    fn name(&self) -> &'static str {
        "test fault injection: throttling"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let is_target = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .is_some_and(|m| m.name() == self.operation);
        if !is_target
            || self
                .faults
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
        {
            return Ok(());
        }
        self.injected.fetch_add(1, Ordering::SeqCst);
        answer_400(context, &self.body)?;
        if let Some(millis) = self.retry_after {
            context
                .response_mut()
                .headers_mut()
                .insert("x-amz-retry-after", millis.to_string());
        }
        Ok(())
    }
}

/// A backend that never returns the old item on a failed condition, as
/// some DynamoDB-compatible servers do (they lack
/// `ReturnValuesOnConditionCheckFailure`). DynamoDB Local does return it,
/// so this interceptor removes the parameter from every PutItem,
/// UpdateItem and DeleteItem before it is sent: DynamoDB Local then
/// answers a failed condition without the item, the way such a server
/// does. Everything else is real. Counts the requests it changed.
#[derive(Debug, Clone, Default)]
pub struct NoOldItemOnFailure {
    stripped: Arc<AtomicUsize>,
}

impl NoOldItemOnFailure {
    /// Requests sent without the parameter.
    pub fn stripped(&self) -> usize {
        self.stripped.load(Ordering::SeqCst)
    }
}

impl Intercept for NoOldItemOnFailure {
    fn name(&self) -> &'static str {
        "test fault injection: no old item on a failed condition"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        use aws_sdk_dynamodb::operation::{
            delete_item::DeleteItemInput, put_item::PutItemInput, update_item::UpdateItemInput,
        };
        let input = context.input_mut();
        let field = if let Some(put) = input.downcast_mut::<PutItemInput>() {
            &mut put.return_values_on_condition_check_failure
        } else if let Some(update) = input.downcast_mut::<UpdateItemInput>() {
            &mut update.return_values_on_condition_check_failure
        } else if let Some(delete) = input.downcast_mut::<DeleteItemInput>() {
            &mut delete.return_values_on_condition_check_failure
        } else {
            return Ok(());
        };
        if field.take().is_some() {
            self.stripped.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// Answers the next TransactGetItems with `TransactionCanceledException`,
/// its second read canceled by `TransactionConflict`: what DynamoDB says
/// when a transactional write to one of the items is in flight. A local
/// engine runs one request at a time, so a read never meets a write in
/// flight there: this is the only way to see the answer. The request did
/// reach the engine.
#[derive(Debug, Clone, Default)]
pub struct ConflictOnTransactGet {
    injected: Arc<AtomicUsize>,
}

impl ConflictOnTransactGet {
    /// Responses replaced so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }
}

impl Intercept for ConflictOnTransactGet {
    fn name(&self) -> &'static str {
        "test fault injection: a transactional read canceled by a conflict"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let is_transact_get = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .is_some_and(|m| m.name() == "TransactGetItems");
        if !is_transact_get || self.injected.fetch_add(1, Ordering::SeqCst) > 0 {
            return Ok(());
        }
        answer_400(
            context,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]","CancellationReasons":[{"Code":"None"},{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]}"#,
        )
    }
}

/// Replaces the response with DynamoDB's HTTP 400 carrying `body`.
fn answer_400(
    context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut<'_>,
    body: &str,
) -> Result<(), BoxError> {
    let response = context.response_mut();
    *response.status_mut() = aws_smithy_runtime_api::http::StatusCode::try_from(400u16)?;
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    *response.body_mut() = aws_smithy_types::body::SdkBody::from(body.to_owned());
    Ok(())
}
