//! How the double answers: an SDK client whose HTTP client never connects
//! (every response is an empty `200 {}`), and an interceptor that records
//! each request and turns the response into the rule's answer, an error
//! through the SDK's own deserializer, items into the typed output.

use super::request::{key_of, summarize, Request};
use super::{Answer, Fault, Op, State};
use crate::foundation::item::Item;
use crate::table::infra::quoted;
use crate::table::observe::Tag;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemOutput, delete_item::DeleteItemOutput, get_item::GetItemOutput,
    put_item::PutItemOutput, query::QueryOutput, scan::ScanOutput, update_item::UpdateItemOutput,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
    FinalizerInterceptorContextMut,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The SDK client of a double: fixed test credentials and region, an
/// endpoint that cannot resolve, an HTTP client that never connects, and
/// retries without waiting.
pub(super) fn client(state: Arc<Mutex<State>>) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test-double",
            "test-double",
            None,
            None,
            "truss-model test double",
        ))
        .endpoint_url("http://test-double.invalid")
        .http_client(NoNetwork)
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .sleep_impl(aws_sdk_dynamodb::config::SharedAsyncSleep::new(NoWait))
        .interceptor(Answering { state })
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Sleeps that end at once: the SDK's and the library's backoffs (batch
/// retries, a paced scan) cost a double's tests no time, and need no
/// runtime's timer.
#[derive(Debug)]
struct NoWait;

impl aws_sdk_dynamodb::config::AsyncSleep for NoWait {
    fn sleep(&self, _: Duration) -> aws_sdk_dynamodb::config::Sleep {
        aws_sdk_dynamodb::config::Sleep::new(std::future::ready(()))
    }
}

/// The request being sent, before its attempts.
#[derive(Debug, Clone)]
struct Pending(Request);

impl Storable for Pending {
    type Storer = StoreReplace<Self>;
}

/// The answer chosen for the current attempt.
#[derive(Debug, Clone)]
struct Chosen(Answer, Request);

impl Storable for Chosen {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug)]
struct Answering {
    state: Arc<Mutex<State>>,
}

impl Intercept for Answering {
    fn name(&self) -> &'static str {
        "truss_model::testing::TableDouble"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let tag = cfg.load::<Tag>().cloned();
        let key_names = tag
            .as_ref()
            .map(|t| t.key_names())
            .unwrap_or_else(|| Arc::new(("PK".to_owned(), Some("SK".to_owned()))));
        if let Some(request) = summarize(
            context.input(),
            tag.map(|t| t.entity().to_owned()),
            key_names,
        ) {
            cfg.interceptor_state().store_put(Pending(request));
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Pending(mut request)) = cfg.load::<Pending>().cloned() else {
            return Ok(());
        };
        request.attempt += 1;
        cfg.interceptor_state().store_put(Pending(request.clone()));
        let answer = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .answer(request.clone());
        if let Answer::Fault(fault) = &answer {
            let (_, body) = fault_body(fault);
            let response = context.response_mut();
            *response.status_mut() = StatusCode::try_from(400u16)?;
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
            *response.body_mut() = SdkBody::from(body);
        }
        cfg.interceptor_state().store_put(Chosen(answer, request));
        Ok(())
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Chosen(Answer::Items(items), request)) = cfg.load::<Chosen>().cloned() else {
            return Ok(());
        };
        let Some(Ok(output)) = context.output_or_error_mut() else {
            return Ok(());
        };
        match request.operation {
            Op::GetItem => {
                if let Some(out) = output.downcast_mut::<GetItemOutput>() {
                    out.item = items.into_iter().next();
                }
            }
            Op::PutItem => {
                if let Some(out) = output.downcast_mut::<PutItemOutput>() {
                    out.attributes = items.into_iter().next();
                }
            }
            Op::UpdateItem => {
                if let Some(out) = output.downcast_mut::<UpdateItemOutput>() {
                    out.attributes = items.into_iter().next();
                }
            }
            Op::DeleteItem => {
                if let Some(out) = output.downcast_mut::<DeleteItemOutput>() {
                    out.attributes = items.into_iter().next();
                }
            }
            Op::Query => {
                if let Some(out) = output.downcast_mut::<QueryOutput>() {
                    let (page, last) = page(items, &request);
                    let count = i32::try_from(page.len()).unwrap_or(i32::MAX);
                    (out.count, out.scanned_count) = (count, count);
                    (out.items, out.last_evaluated_key) = (Some(page), last);
                }
            }
            Op::Scan => {
                if let Some(out) = output.downcast_mut::<ScanOutput>() {
                    let (page, last) = page(items, &request);
                    let count = i32::try_from(page.len()).unwrap_or(i32::MAX);
                    (out.count, out.scanned_count) = (count, count);
                    (out.items, out.last_evaluated_key) = (Some(page), last);
                }
            }
            Op::BatchGetItem => {
                if let Some(out) = output.downcast_mut::<BatchGetItemOutput>() {
                    let mut responses = std::collections::HashMap::<String, Vec<Item>>::new();
                    for action in &request.actions {
                        if let Some(item) = items.iter().find(|item| holds(item, &action.key)) {
                            responses
                                .entry(action.table.clone())
                                .or_default()
                                .push(item.clone());
                        }
                    }
                    out.responses = Some(responses);
                }
            }
            Op::BatchWriteItem | Op::TransactGetItems | Op::TransactWriteItems => {}
        }
        Ok(())
    }
}

/// Whether `item` has every attribute of `key`, equal.
fn holds(item: &Item, key: &Item) -> bool {
    !key.is_empty()
        && key
            .iter()
            .all(|(name, value)| item.get(name) == Some(value))
}

/// The page of `items` a query or scan gets: after its start key, at most
/// its limit, with the last item's key as `LastEvaluatedKey` when more
/// follow.
fn page(items: Vec<Item>, request: &Request) -> (Vec<Item>, Option<Item>) {
    let start = match &request.start_key {
        Some(key) => items
            .iter()
            .position(|item| holds(item, key))
            .map_or(items.len(), |i| i + 1),
        None => 0,
    };
    let limit = request
        .limit
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    let rest = items.len().saturating_sub(start);
    let page: Vec<Item> = items.into_iter().skip(start).take(limit).collect();
    let last = (rest > page.len())
        .then(|| page.last())
        .flatten()
        .map(|item| key_of(item, &request.key_names));
    (page, last)
}

/// The error code and JSON body DynamoDB sends for `fault`.
fn fault_body(fault: &Fault) -> (String, String) {
    let (code, message, extra) = match fault {
        Fault::ConditionFailed => (
            "ConditionalCheckFailedException",
            "The conditional request failed".to_owned(),
            String::new(),
        ),
        Fault::Throttled => (
            "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded".to_owned(),
            String::new(),
        ),
        Fault::ResourceNotFound => (
            "ResourceNotFoundException",
            "Requested resource not found".to_owned(),
            String::new(),
        ),
        Fault::TransactionCanceled(reasons) => {
            let list: Vec<String> = reasons
                .iter()
                .map(|code| format!("{{\"Code\":{}}}", quoted(code)))
                .collect();
            (
                "TransactionCanceledException",
                format!(
                    "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
                    reasons.join(", ")
                ),
                format!(",\"CancellationReasons\":[{}]", list.join(",")),
            )
        }
        Fault::Service { code, message } => (code.as_str(), message.clone(), String::new()),
    };
    let body = format!(
        "{{\"__type\":{},\"message\":{}{extra}}}",
        quoted(&format!("com.amazonaws.dynamodb.v20120810#{code}")),
        quoted(&message)
    );
    (code.to_owned(), body)
}

/// An HTTP client that never connects: every request gets `200 {}`,
/// which the SDK reads as the operation's empty output.
#[derive(Debug, Clone, Copy)]
struct NoNetwork;

impl HttpConnector for NoNetwork {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        let response = StatusCode::try_from(200u16)
            .map(|status| {
                let mut response = HttpResponse::new(status, SdkBody::from("{}"));
                response
                    .headers_mut()
                    .insert("content-type", "application/x-amz-json-1.0");
                response
            })
            .map_err(|e| ConnectorError::other(Box::new(e), None));
        HttpConnectorFuture::ready(response)
    }
}

impl HttpClient for NoNetwork {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_bodies_are_json_with_escaped_strings() {
        let (_, body) = fault_body(&Fault::Service {
            code: "InternalServerError".into(),
            message: "a \"quoted\"\nline \\".into(),
        });
        assert_eq!(
            body,
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\
             \"message\":\"a \\\"quoted\\\"\\nline \\\\\"}"
        );
        let (code, body) = fault_body(&Fault::TransactionCanceled(vec![
            "None".into(),
            "ConditionalCheckFailed".into(),
        ]));
        assert_eq!(code, "TransactionCanceledException");
        assert!(body.ends_with(
            ",\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\"}]}"
        ));
    }
}
