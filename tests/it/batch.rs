//! Batch writes and reads against DynamoDB Local, with injected
//! UnprocessedItems / UnprocessedKeys (see `common/faults.rs`: DynamoDB Local
//! never returns them).

use crate::common;

use crate::common::*;
use std::collections::HashSet;
use truss_model::{Error, RetryPolicy};

fn stats(code: &str, n: usize) -> Vec<DailyStat> {
    (0..n)
        .map(|i| DailyStat {
            code: code.into(),
            date: date(2000, 1, 1) + chrono::Duration::days(i as i64),
            count: i as u64,
        })
        .collect()
}

fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        base_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(20),
    }
}

#[tokio::test]
async fn ten_thousand_items_written_and_read_back_by_batch() {
    let (table, counter) = counted_table("batch-10k").await;
    let clips: Vec<Clip> = (0..5_000)
        .map(|i| clip(&format!("c{}", i % 50), "v1", i))
        .collect();
    let day_stats = stats("L", 5_000);
    let summary = table
        .batch_write()
        .put_all(&clips)
        .put_all(&day_stats)
        .concurrency(8)
        .send()
        .await
        .unwrap();
    assert_eq!(summary.written, 10_000);
    assert_eq!(summary.requests, 400, "10,000 / 25");
    assert_eq!(counter.take().get("BatchWriteItem"), Some(&400));
    assert_eq!(scan(&table).await.len(), 10_000);

    let keys: Vec<_> = clips
        .iter()
        .map(|c| Clip::key(&c.creator_id, &c.video_id, c.created_at))
        .collect();
    let read = table.batch_get(keys).send().await.unwrap();
    assert_eq!(counter.take().get("BatchGetItem"), Some(&50), "5,000 / 100");
    let read: Vec<Clip> = read
        .into_iter()
        .map(|c| c.expect("every clip found"))
        .collect();
    assert_eq!(read, clips, "in the order asked, each exactly once");
    let stat_keys = day_stats.iter().map(|s| DailyStat::key(&s.code, s.date));
    let read_stats = table
        .batch_get(stat_keys)
        .consistent()
        .send()
        .await
        .unwrap();
    assert_eq!(
        read_stats.into_iter().flatten().collect::<Vec<_>>(),
        day_stats
    );
}

#[tokio::test]
async fn chunks_split_at_dynamodb_limits() {
    let (table, counter) = counted_table("batch-edges").await;
    for (n, requests) in [(1, 1), (25, 1), (26, 2), (50, 2), (51, 3)] {
        let items = stats(&format!("w{n}"), n);
        let summary = table.batch_write().put_all(&items).send().await.unwrap();
        assert_eq!(
            (summary.written, summary.requests),
            (n, requests),
            "{n} writes"
        );
        assert_eq!(
            counter.take().get("BatchWriteItem"),
            Some(&requests),
            "{n} writes"
        );
    }
    let items = stats("g", 201);
    table.batch_write().put_all(&items).send().await.unwrap();
    counter.take();
    for (n, requests) in [(1, 1), (100, 1), (101, 2), (200, 2), (201, 3)] {
        let keys = items[..n].iter().map(|s| DailyStat::key(&s.code, s.date));
        let read = table.batch_get(keys).send().await.unwrap();
        assert_eq!(read.len(), n);
        assert!(read.iter().all(Option::is_some));
        assert_eq!(
            counter.take().get("BatchGetItem"),
            Some(&requests),
            "{n} gets"
        );
    }
}

#[tokio::test]
async fn duplicate_keys_are_refused_for_writes_and_read_once_for_gets() {
    let (table, counter) = counted_table("batch-dupes").await;
    let a = link("a");
    let mut a2 = link("a");
    a2.clicks = 99;
    let err = table
        .batch_write()
        .put(&a)
        .put(&link("b"))
        .put(&a2)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBatch { .. }), "{err:?}");
    assert!(err.to_string().contains("LINK#a"), "{err}");
    let err = table
        .batch_write()
        .put(&a)
        .delete(Link::key("a"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBatch { .. }), "{err:?}");
    assert_eq!(counter.total(), 0, "refused before any request");
    assert!(scan(&table).await.is_empty());

    table
        .batch_write()
        .put(&a)
        .put(&link("b"))
        .send()
        .await
        .unwrap();
    counter.take();
    let read = table
        .batch_get([
            Link::key("a"),
            Link::key("missing"),
            Link::key("a"),
            Link::key("b"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(read, [Some(a.clone()), None, Some(a), Some(link("b"))]);
    assert_eq!(counter.take().get("BatchGetItem"), Some(&1));
}

#[tokio::test]
async fn batch_deletes_and_invalid_items_write_nothing() {
    let (table, counter) = counted_table("batch-delete").await;
    let items = stats("d", 30);
    table.batch_write().put_all(&items).send().await.unwrap();
    let keys = items[..20].iter().map(|s| DailyStat::key(&s.code, s.date));
    let batch = keys.fold(table.batch_write(), |b, k| b.delete(k));
    assert_eq!(batch.send().await.unwrap().written, 20);
    assert_eq!(scan(&table).await.len(), 10);

    counter.take();
    let err = table
        .batch_write()
        .put_all(&stats("e", 10))
        .put(&clip("", "v", 1))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
    assert_eq!(counter.total(), 0);
    assert_eq!(scan(&table).await.len(), 10);
}

#[tokio::test]
async fn injected_unprocessed_items_are_retried_until_every_item_lands() {
    // Fault injection: DynamoDB Local never returns UnprocessedItems.
    let (table, counter, faults) = faulty_table("batch-faults", 6).await;
    let items = stats("f", 100);
    let summary = table
        .batch_write()
        .put_all(&items)
        .concurrency(2)
        .retry(quick(10))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.written, 100);
    // Every fault was spent, and the first two (both full chunks of 25,
    // sent together at concurrency 2) held back 12 items each; what the
    // later four hold back depends on which requests they meet (a resent
    // half of 6 items loses 3 more, one of 1 item loses none).
    assert_eq!(faults.remaining(), 0, "all six faults were injected");
    assert!(
        faults.injected() >= 2 * 12,
        "items were held back: {}",
        faults.injected()
    );
    assert!(summary.requests > 4, "retries were needed: {summary:?}");
    assert_eq!(
        counter.take().get("BatchWriteItem"),
        Some(&summary.requests)
    );
    let stored: HashSet<String> = scan(&table)
        .await
        .iter()
        .map(|i| i["SK"].as_s().unwrap().clone())
        .collect();
    assert_eq!(stored.len(), 100, "every item landed exactly once");
}

#[tokio::test]
async fn too_small_a_budget_reports_exactly_the_missing_items() {
    // Fault injection on every request; one attempt each: the held-back half
    // of each chunk never lands.
    let (table, _, faults) = faulty_table("batch-budget", usize::MAX).await;
    let items = stats("m", 60);
    let err = table
        .batch_write()
        .put_all(&items)
        .retry(quick(1))
        .send()
        .await
        .unwrap_err();
    let Error::UnprocessedWrites {
        written,
        unprocessed,
        ..
    } = err
    else {
        panic!("expected UnprocessedWrites, got {err:?}");
    };
    assert_eq!(unprocessed.len(), faults.injected());
    assert_eq!(written + unprocessed.len(), 60);
    let stored: HashSet<String> = scan(&table)
        .await
        .iter()
        .map(|i| i["SK"].as_s().unwrap().clone())
        .collect();
    let missing: HashSet<String> = unprocessed
        .iter()
        .map(|u| u.key.as_str().split("SK=").nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(stored.len(), written);
    assert!(
        stored.is_disjoint(&missing),
        "reported items were not written"
    );
    let all: HashSet<String> = items.iter().map(|s| format!("STAT#{}", s.date)).collect();
    assert_eq!(
        &stored | &missing,
        all,
        "written + unprocessed = everything"
    );
    assert!(unprocessed.iter().all(|u| u.entity == "DailyStat"));

    // The caller can resume with exactly what was reported.
    let retry_client = client().await;
    let requests: Vec<_> = unprocessed.into_iter().map(|u| u.request).collect();
    for chunk in requests.chunks(25) {
        retry_client
            .batch_write_item()
            .request_items(table.name(), chunk.to_vec())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(scan(&table).await.len(), 60);
}

#[tokio::test]
async fn injected_unprocessed_keys_are_retried_or_reported() {
    let (table, _, faults) = faulty_table("batch-get-faults", 3).await;
    let items = stats("k", 150);
    table
        .batch_write()
        .put_all(&items)
        .retry(quick(20))
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = items
        .iter()
        .map(|s| DailyStat::key(&s.code, s.date))
        .collect();
    let read = table
        .batch_get(keys.clone())
        .retry(quick(10))
        .send()
        .await
        .unwrap();
    assert!(read.iter().all(Option::is_some));
    assert!(faults.injected() > 0, "keys were held back and retried");

    // Budget of one attempt, every request faulty: partial results kept.
    let (table2, _, faults2) = faulty_table("batch-get-budget", usize::MAX).await;
    let plain = truss_model::Table::new(client().await, table2.name());
    plain.batch_write().put_all(&items).send().await.unwrap();
    let output = table2
        .batch_get(keys.clone())
        .retry(quick(1))
        .send_partial()
        .await
        .unwrap();
    assert_eq!(output.unprocessed.len(), faults2.injected());
    assert!(!output.unprocessed.is_empty());
    let found = output.items.iter().filter(|i| i.is_some()).count();
    assert_eq!(found + output.unprocessed.len(), 150);
    for (item, key) in output.items.iter().zip(&keys) {
        assert_eq!(item.is_none(), output.unprocessed.contains(key));
    }
    let err = table2
        .batch_get(keys)
        .retry(quick(1))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnprocessedKeys {
                entity: "DailyStat",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn throttled_requests_are_retried_by_the_sdk_and_every_item_lands() {
    // Fault injection: neither engine throttles.
    let throttle = common::faults::Throttle::new(4);
    let counter = truss_model::RequestCounter::new();
    let sdk = common::sdk_config().await;
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(throttle.clone())
        .interceptor(counter.clone())
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(std::time::Duration::from_millis(10)),
        )
        .build();
    let table = truss_model::Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name("batch-throttle"),
    );
    create(&table).await;
    counter.take();
    let items = stats("t", 50);
    let summary = table
        .batch_write()
        .put_all(&items)
        .concurrency(1)
        .send()
        .await
        .unwrap();
    assert_eq!(throttle.injected(), 4);
    assert_eq!(summary.written, 50);
    assert_eq!(summary.requests, 2, "the library saw two requests...");
    assert_eq!(
        counter.take().get("BatchWriteItem"),
        Some(&6),
        "...the SDK sent them six times"
    );
    assert_eq!(scan(&table).await.len(), 50);
}

#[derive(truss_model::Collection, Debug, PartialEq)]
enum LinkItems {
    Link(Link),
    Stat(DailyStat),
}

#[tokio::test]
async fn one_batch_reads_several_entity_types() {
    let (table, counter) = counted_table("batch-many").await;
    let stat = DailyStat {
        code: "a".into(),
        date: date(2026, 5, 24),
        count: 5,
    };
    table
        .batch_write()
        .put(&link("a"))
        .put(&stat)
        .send()
        .await
        .unwrap();
    counter.take();
    let items = table
        .batch_get_many::<LinkItems>()
        .key(DailyStat::key("a", date(2026, 5, 24)))
        .key(Link::key("a"))
        .key(Link::key("missing"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        items,
        [
            Some(LinkItems::Stat(stat)),
            Some(LinkItems::Link(link("a"))),
            None
        ]
    );
    assert_eq!(counter.take().get("BatchGetItem"), Some(&1));
}

#[tokio::test]
async fn batches_are_awaited_and_batch_get_many_keeps_partial_results() {
    // Fault injection, as above: DynamoDB Local never leaves keys
    // unprocessed; the injector holds every other key back and reports it.
    let (table, _, faults) = faulty_table("batch-many-partial", usize::MAX).await;
    let plain = truss_model::Table::new(client().await, table.name());
    let stats = stats("m", 30);
    // Awaited like single operations.
    let summary = plain
        .batch_write()
        .put_all(&stats)
        .put(&link("m"))
        .await
        .unwrap();
    assert_eq!(summary.written, 31);
    let all = plain
        .batch_get(
            stats
                .iter()
                .map(|s| DailyStat::key(&s.code, s.date))
                .collect::<Vec<_>>(),
        )
        .concurrency(2)
        .await
        .unwrap();
    assert!(all.iter().all(Option::is_some));

    let many = || {
        stats.iter().fold(
            table.batch_get_many::<LinkItems>().key(Link::key("m")),
            |batch, s| batch.key(DailyStat::key(&s.code, s.date)),
        )
    };
    let output = many()
        .concurrency(1)
        .retry(quick(1))
        .send_partial()
        .await
        .unwrap();
    assert_eq!(output.items.len(), 31);
    assert_eq!(output.unprocessed.len(), faults.injected());
    assert!(!output.unprocessed.is_empty());
    for (position, item) in output.items.iter().enumerate() {
        assert_eq!(
            item.is_none(),
            output.unprocessed.contains(&position),
            "{position}"
        );
    }
    let err = many().retry(quick(1)).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnprocessedKeys { entity: "LinkItems", unprocessed, .. } if !unprocessed.is_empty()),
        "{err:?}"
    );
}

/// Retries wait between attempts; a client without a sleep implementation
/// cannot, so a batch that would retry is refused before any request, as a
/// paced scan is (before, it retried without waiting).
#[tokio::test]
async fn a_batch_that_would_retry_without_a_way_to_wait_is_refused_before_any_request() {
    let table = common::table("batch-no-sleep").await;
    let counter = truss_model::RequestCounter::new();
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&common::sdk_config().await)
        .interceptor(counter.clone());
    builder.set_sleep_impl(None);
    let config = builder.build();
    assert!(config.sleep_impl().is_none());
    let sleepless =
        truss_model::Table::new(aws_sdk_dynamodb::Client::from_conf(config), table.name());
    let items = stats("s", 3);
    let err = sleepless
        .batch_write()
        .put_all(&items)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidBatch { reason } if reason.contains("sleep implementation")),
        "{err:?}"
    );
    let keys = items.iter().map(truss_model::Entity::to_key);
    let err = sleepless.batch_get(keys).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidBatch { .. }), "{err:?}");
    assert_eq!(counter.total(), 0, "nothing sent");
    // Without retries there is nothing to wait for.
    let written = sleepless
        .batch_write()
        .put_all(&items)
        .retry(quick(1))
        .send()
        .await
        .unwrap();
    assert_eq!(written.written, 3);
}
