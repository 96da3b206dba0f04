//! Errors a Rust user can act on: predicates for the common checks that
//! also look inside the SDK's error, DynamoDB's message once, cancellation
//! codes as an enum, keys printed as documented and built from typed keys.

use crate::common::*;
use truss_model::transaction::CancellationCode;
use truss_model::{Error, Table};

#[tokio::test]
async fn a_service_error_prints_its_code_and_message_once() {
    let table = Table::new(client().await, "no-such-table-ever");
    let err = table.get(Link::key("x")).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            Error::Dynamo {
                operation: "GetItem",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        text.starts_with("DynamoDB GetItem failed: ResourceNotFoundException: "),
        "{text}"
    );
    assert_eq!(
        text.matches("ResourceNotFoundException").count(),
        1,
        "{text}"
    );
    assert!(text.len() < 200, "{} bytes: {text}", text.len());
    // The whole chain, as a report printing every source shows it
    // (anyhow's `{:#}`): the SDK's message once.
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert_eq!(
        chain.matches("ResourceNotFoundException").count(),
        1,
        "{chain}"
    );
    // The SDK's error, with the whole response, stays in `sdk`.
    let Error::Dynamo { sdk, .. } = &err else {
        unreachable!()
    };
    assert!(matches!(
        sdk.as_ref(),
        aws_sdk_dynamodb::Error::ResourceNotFoundException(_)
    ));
    assert!(!err.is_throttling() && !err.is_condition_failed() && !err.is_retryable());
}

#[tokio::test]
async fn throttling_is_recognized_inside_the_sdk_error() {
    // Fault injection: neither engine throttles. The SDK's own
    // retries are off, so the throttled answer reaches the application.
    let throttle = crate::common::faults::Throttle::new(1);
    let sdk = crate::common::sdk_config().await;
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(throttle.clone())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    let table = Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name("throttled"),
    );
    create(&table).await;
    let err = table.batch_write().put(&link("t")).await.unwrap_err();
    assert_eq!(throttle.injected(), 1);
    assert!(err.is_throttling(), "{err:?}");
    assert!(err.is_retryable());
    assert!(!err.is_condition_failed());
    assert!(
        err.to_string()
            .contains("ProvisionedThroughputExceededException"),
        "{err}"
    );
}

#[tokio::test]
async fn condition_failures_of_every_kind_answer_is_condition_failed() {
    let table = table("cond-kinds").await;
    table.create(&link("a")).await.unwrap();
    let exists = table.create(&link("a")).await.unwrap_err();
    assert!(exists.is_already_exists() && exists.is_condition_failed());
    let missing = table.replace(&link("b")).await.unwrap_err();
    assert!(missing.is_not_found() && missing.is_condition_failed());
    let refused = table
        .put(&link("a"))
        .condition(Link::CLICKS.gt(1_000u64))
        .await
        .unwrap_err();
    assert!(refused.is_condition_failed() && !refused.is_not_found());
    let canceled = table
        .transaction()
        .put(table.create(&link("a")))
        .await
        .unwrap_err();
    match &canceled {
        Error::TransactionCanceled { reasons } => {
            assert_eq!(reasons[0].code, CancellationCode::ConditionalCheckFailed);
        }
        other => panic!("expected TransactionCanceled, got {other:?}"),
    }
    assert!(canceled.is_condition_failed());
    assert!(!canceled.is_transaction_conflict() && !canceled.is_retryable());
    assert!(
        canceled
            .to_string()
            .contains("action 0 (Link PK=LINK#a, SK=META): ConditionalCheckFailed"),
        "{canceled}"
    );
}

#[tokio::test]
async fn applications_raise_not_found_for_their_own_lookups() {
    let table = table("own-not-found").await;
    let key = Link::key("nope");
    assert_eq!(
        table.key_display(&key).unwrap().to_string(),
        "PK=LINK#nope, SK=META"
    );
    let err = table
        .get(key.clone())
        .await
        .unwrap()
        .ok_or_else(|| table.not_found(&key))
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "Link (PK=LINK#nope, SK=META) does not exist"
    );
    // A key that cannot be rendered says why instead.
    let err = table.not_found(&Link::key(""));
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                entity: "Link",
                field: "code",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn cancellation_codes_keep_the_unknown_ones() {
    for code in [
        "ConditionalCheckFailed",
        "TransactionConflict",
        "ThrottlingError",
        "ValidationError",
    ] {
        assert_eq!(CancellationCode::from_code(code).as_str(), code);
        assert!(!matches!(
            CancellationCode::from_code(code),
            CancellationCode::Other(_)
        ));
    }
    let new = CancellationCode::from_code("SomethingNew");
    assert_eq!(new, CancellationCode::Other("SomethingNew".into()));
    assert_eq!(new.to_string(), "SomethingNew");
}
