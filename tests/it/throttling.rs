//! Throttling reasons, the attempts a throttled request makes, and
//! multi-Region write conflicts.
//!
//! Fault injection: neither engine throttles, sends `ThrottlingReasons` or
//! has multi-Region global tables. The injector (`faults::Throttle`)
//! replaces the engine's answer to a request that did reach it with
//! DynamoDB's JSON error, `__type`, message and `ThrottlingReasons`
//! (`reason`, `resource`) as the SDK's model reads them. Everything else
//! (the SDK's retry layer, its parsing, the library) is real.

use crate::common::faults::Throttle;
use crate::common::*;
use crate::traces::listen;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use std::collections::BTreeMap;
use truss_model::throttling::ThrottleLimit;
use truss_model::{CapacityMeter, Error, Table};

const TYPE: &str = "com.amazonaws.dynamodb.v20120810";

/// DynamoDB's answer to a throttled request of `table`: `code`, with the
/// reasons given as (reason, index or `""` for the table).
fn throttled(code: &str, table: &str, reasons: &[(&str, &str)]) -> String {
    let reasons: Vec<String> = reasons
        .iter()
        .map(|(reason, index)| {
            let mut resource = format!("arn:aws:dynamodb:us-east-1:123456789012:table/{table}");
            if !index.is_empty() {
                resource.push_str(&format!("/index/{index}"));
            }
            format!(r#"{{"reason":"{reason}","resource":"{resource}"}}"#)
        })
        .collect();
    // The member's name as DynamoDB's model spells it for each error.
    let member = match code {
        "ThrottlingException" => "throttlingReasons",
        _ => "ThrottlingReasons",
    };
    format!(
        r#"{{"__type":"{TYPE}#{code}","message":"Throughput exceeds the current capacity for one or more global secondary indexes.","{member}":[{}]}}"#,
        reasons.join(",")
    )
}

/// Table `name`, created, on a client with `throttle` and the given
/// retries, and its meter.
async fn throttled_table(
    name: &str,
    throttle: &Throttle,
    retries: Option<RetryConfig>,
) -> (Table, CapacityMeter) {
    let name = name.to_owned();
    create(&Table::new(client().await, name.clone())).await;
    let mut config =
        aws_sdk_dynamodb::config::Builder::from(&sdk_config().await).interceptor(throttle.clone());
    if let Some(retries) = retries {
        config = config.retry_config(retries);
    }
    let meter = CapacityMeter::new();
    let table = Table::new(aws_sdk_dynamodb::Client::from_conf(config.build()), name)
        .with_capacity_meter(meter.clone());
    (table, meter)
}

fn counts(entries: &[(&str, &str, usize)]) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (target, reason, n) in entries {
        out.entry((*target).to_owned())
            .or_default()
            .insert((*reason).to_owned(), *n);
    }
    out
}

#[tokio::test]
async fn a_throttled_write_names_its_reasons_in_the_error_the_span_and_the_meter() {
    let name = table_name("throttle-reasons");
    let body = throttled(
        "ProvisionedThroughputExceededException",
        &name,
        &[
            ("TableWriteKeyRangeThroughputExceeded", ""),
            ("IndexWriteProvisionedThroughputExceeded", "GSI1"),
        ],
    );
    let throttle = Throttle::on("PutItem", 1, &body);
    // The SDK's retries off: the throttled answer reaches the caller.
    let (table, meter) = throttled_table(&name, &throttle, Some(RetryConfig::disabled())).await;
    assert_eq!(table.name(), name);
    let (capture, _default) = listen();

    let err = table.put(&link("hot key")).await.unwrap_err();
    assert_eq!(throttle.injected(), 1);
    assert!(err.is_throttling() && err.is_retryable(), "{err:?}");
    assert!(!err.is_conflict());
    let reasons = err.throttling_reasons();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].reason, "TableWriteKeyRangeThroughputExceeded");
    assert_eq!(
        reasons[0].limit(),
        ThrottleLimit::KeyRangeThroughputExceeded
    );
    assert!(reasons[0].is_write() && !reasons[0].is_index());
    assert_eq!(reasons[0].target().as_deref(), Some(name.as_str()));
    assert_eq!(
        reasons[1].limit(),
        ThrottleLimit::ProvisionedThroughputExceeded
    );
    assert!(reasons[1].is_index());
    let index = format!("{name}/GSI1");
    assert_eq!(reasons[1].target().as_deref(), Some(index.as_str()));
    assert!(
        err.to_string().contains(&format!(
            "(throttled: TableWriteKeyRangeThroughputExceeded on {name}, IndexWriteProvisionedThroughputExceeded on {index})"
        )),
        "{err}"
    );

    assert_eq!(
        meter.throttled(),
        counts(&[
            (name.as_str(), "TableWriteKeyRangeThroughputExceeded", 1),
            (index.as_str(), "IndexWriteProvisionedThroughputExceeded", 1),
        ])
    );
    let span = capture.only("PutItem");
    assert_eq!(
        span.field("truss.throttled"),
        format!(
            "TableWriteKeyRangeThroughputExceeded on {name}: 1, IndexWriteProvisionedThroughputExceeded on {index}: 1"
        )
    );
    assert_eq!(
        span.field("error.type"),
        "ProvisionedThroughputExceededException"
    );
    // The meter forgets them with the rest.
    meter.take();
    assert!(meter.throttled().is_empty());
}

#[tokio::test]
async fn a_throttle_the_sdk_retried_is_still_counted() {
    let name = table_name("throttle-retried");
    let body = throttled(
        "ThrottlingException",
        &name,
        &[("TableReadMaxOnDemandThroughputExceeded", "")],
    );
    let throttle = Throttle::on("GetItem", 1, &body);
    // The SDK's default retries: the second attempt succeeds.
    let (table, meter) = throttled_table(&name, &throttle, None).await;
    Table::new(client().await, name.clone())
        .put(&link("read-hot"))
        .await
        .expect("put");
    let (capture, _default) = listen();

    let found = table
        .get(Link::key("read-hot"))
        .await
        .expect("get after a retry");
    assert_eq!(found, Some(link("read-hot")));
    assert_eq!(throttle.injected(), 1);
    assert_eq!(
        meter.throttled(),
        counts(&[(name.as_str(), "TableReadMaxOnDemandThroughputExceeded", 1)])
    );
    let span = capture.only("GetItem");
    assert_eq!(
        span.field("truss.throttled"),
        format!("TableReadMaxOnDemandThroughputExceeded on {name}: 1")
    );
    assert_eq!(span.field("truss.requests"), "2");
    assert_eq!(span.field("truss.retries"), "1");
}

#[tokio::test]
async fn a_throttle_without_reasons_is_named_by_its_code() {
    // The answer as DynamoDB Local and older endpoints write it: no
    // reasons. The meter counts it on the table the request went to.
    let throttle = Throttle::new(1);
    let (table, meter) = throttled_table(
        &table_name("throttle-bare"),
        &throttle,
        Some(RetryConfig::disabled()),
    )
    .await;
    let err = table.batch_write().put(&link("b")).await.unwrap_err();
    assert!(err.is_throttling(), "{err:?}");
    let reasons = err.throttling_reasons();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].reason, "ProvisionedThroughputExceededException");
    assert_eq!(reasons[0].limit(), ThrottleLimit::Other);
    assert_eq!(reasons[0].target(), None);
    assert!(!err.to_string().contains("(throttled:"), "{err}");
    assert_eq!(
        meter.throttled(),
        counts(&[(table.name(), "ProvisionedThroughputExceededException", 1)])
    );
    // Not a throttle: no reasons.
    let missing = table.replace(&link("nobody")).await.unwrap_err();
    assert!(missing.throttling_reasons().is_empty());
}

/// The HTTP attempts a batch write makes when DynamoDB throttles every
/// one, on a client with the SDK's defaults at `version`, and the error.
async fn attempts_of_a_throttled_batch(
    test: &str,
    version: aws_config::BehaviorVersion,
) -> (usize, Error) {
    let name = table_name(test);
    create(&Table::new(client().await, name.clone())).await;
    let throttle = Throttle::new(usize::MAX);
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config_at(version).await)
        .interceptor(throttle.clone())
        .build();
    let table = Table::new(aws_sdk_dynamodb::Client::from_conf(config), name);
    let mut batch = table.batch_write();
    for n in 0..3 {
        batch = batch.put(&link(&format!("t{n}")));
    }
    let err = batch.await.unwrap_err();
    (throttle.injected(), err)
}

#[tokio::test]
async fn a_throttled_batch_makes_the_sdks_attempts_and_no_more() {
    // The library resends only what a batch answer leaves unprocessed; a
    // throttled request is the SDK's to retry, and the library does not
    // send it again on top: the attempts are the SDK's maximum, 3 with
    // its defaults, under the 2026 behavior version (retries on by
    // default for AWS SDK clients) and the 2025 one alike.
    let (latest, err) = attempts_of_a_throttled_batch(
        "throttle-attempts-2026",
        aws_config::BehaviorVersion::v2026_01_12(),
    )
    .await;
    assert_eq!(latest, 3, "{err:?}");
    assert!(err.is_throttling() && err.is_retryable(), "{err:?}");
    #[allow(deprecated)]
    let older = aws_config::BehaviorVersion::v2025_08_07();
    let (earlier, err) = attempts_of_a_throttled_batch("throttle-attempts-2025", older).await;
    assert_eq!(earlier, 3, "{err:?}");
    assert!(err.is_throttling(), "{err:?}");
}

#[tokio::test]
async fn a_replicated_write_conflict_is_a_retryable_conflict() {
    let body = format!(
        r#"{{"__type":"{TYPE}#ReplicatedWriteConflictException","message":"One or more items in this request are being modified by a request in another Region."}}"#
    );
    let throttle = Throttle::on("PutItem", 1, &body);
    let (table, meter) = throttled_table(
        "replicated-conflict",
        &throttle,
        Some(RetryConfig::disabled()),
    )
    .await;
    let err = table.put(&link("both regions")).await.unwrap_err();
    assert!(err.is_conflict() && err.is_retryable(), "{err:?}");
    assert!(!err.is_transaction_conflict() && !err.is_throttling());
    assert!(!err.is_condition_failed());
    assert!(err.throttling_reasons().is_empty());
    assert!(meter.throttled().is_empty());
    assert!(
        err.to_string().contains("ReplicatedWriteConflictException"),
        "{err}"
    );

    // The SDK's model marks it retryable: with its default retries the
    // write goes through on the second attempt.
    let again = Throttle::on("PutItem", 1, &body);
    let (table, _) =
        throttled_table(&table_name("replicated-conflict-retried"), &again, None).await;
    table
        .put(&link("both regions"))
        .await
        .expect("put after a retry");
    assert_eq!(again.injected(), 1);
    assert_eq!(
        Table::new(client().await, table.name())
            .get(Link::key("both regions"))
            .await
            .expect("get"),
        Some(link("both regions"))
    );
}

#[tokio::test]
async fn the_library_and_the_sdk_share_one_budget_of_attempts() {
    // Fault injection twice over: every request of the batch leaves every
    // other item unprocessed (the library resends those), and its first
    // attempt is throttled (the SDK retries it). With a policy of 3
    // attempts the chunk makes 3 HTTP attempts in all: the SDK's retry,
    // then one resend by the library, not 3 resends of up to 3 attempts
    // each.
    let name = table_name("shared-budget");
    create(&Table::new(client().await, name.clone())).await;
    let unprocessed = crate::common::faults::Unprocessed::new(usize::MAX);
    let throttle = Throttle::new(1);
    let counter = truss_model::RequestCounter::new();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .interceptor(unprocessed.clone())
        .interceptor(throttle.clone())
        .interceptor(counter.clone())
        .build();
    let table = Table::new(aws_sdk_dynamodb::Client::from_conf(config), name.clone());
    let policy = truss_model::RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(5),
    };
    let mut batch = table.batch_write().retry(policy);
    for n in 0..4 {
        batch = batch.put(&link(&format!("s{n}")));
    }
    let err = batch.send().await.unwrap_err();
    assert_eq!(throttle.injected(), 1);
    assert_eq!(counter.count("BatchWriteItem"), 3, "{err:?}");
    let Error::UnprocessedWrites {
        written,
        unprocessed: left,
        ..
    } = &err
    else {
        panic!("expected UnprocessedWrites, got {err:?}");
    };
    // 4 items: 2 written by the retried first request, 1 by the resend,
    // 1 left, and nothing else written.
    assert_eq!((*written, left.len()), (3, 1), "{err:?}");
    assert_eq!(scan(&Table::new(client().await, name)).await.len(), 3);
}

#[tokio::test]
async fn the_sdk_waits_as_long_as_the_servers_retry_after_asks() {
    // A throttled GetItem whose answer says `x-amz-retry-after: 2500`
    // (milliseconds): the SDK's retry waits at least that long before the
    // second attempt, which succeeds; its own first backoff is at most 1 s.
    // Only the lower bound is asserted.
    let name = table_name("retry-after");
    let body = throttled(
        "ThrottlingException",
        &name,
        &[("TableReadKeyRangeThroughputExceeded", "")],
    );
    let throttle = Throttle::on("GetItem", 1, &body).retry_after(2_500);
    let (table, meter) = throttled_table(&name, &throttle, None).await;
    let started = std::time::Instant::now();
    let found = table
        .get(Link::key("nobody"))
        .await
        .expect("get after the wait");
    let waited = started.elapsed();
    assert_eq!(found, None);
    assert_eq!(throttle.injected(), 1);
    assert!(
        waited >= std::time::Duration::from_millis(2_500),
        "{waited:?}"
    );
    assert_eq!(
        meter.throttled(),
        counts(&[(name.as_str(), "TableReadKeyRangeThroughputExceeded", 1)])
    );
}
