//! Parallel scans, backfills and their checkpoints against DynamoDB Local.

use crate::common::*;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use truss_model::migrate::{Checkpoint, Progress};
use truss_model::migrate::{Rewrite, Undecodable};
use truss_model::{Entity, Error, Item, Table};

/// A document a backfill migrates: `migrated` counts how often it was
/// changed, so changing an item twice shows.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "META")]
struct Doc {
    id: String,
    n: u32,
    migrated: u32,
}

fn docs(n: u32) -> Vec<Doc> {
    (0..n)
        .map(|n| Doc {
            id: format!("d{n:05}"),
            n,
            migrated: 0,
        })
        .collect()
}

/// `n` documents and 300 items of another entity type in a new table.
async fn filled(test: &str, n: u32) -> Table {
    let table = table(test).await;
    let stats: Vec<DailyStat> = (0..300)
        .map(|i| DailyStat {
            code: format!("L{}", i % 3),
            date: date(2000, 1, 1) + chrono::Duration::days(i64::from(i)),
            count: 1,
        })
        .collect();
    table
        .batch_write()
        .put_all(&docs(n))
        .put_all(&stats)
        .concurrency(8)
        .await
        .unwrap();
    table
}

fn migrate(mut doc: Doc) -> Rewrite<Doc> {
    doc.migrated += 1;
    Rewrite::Put(doc)
}

#[tokio::test]
async fn a_backfill_stopped_halfway_and_resumed_changes_every_item_exactly_once() {
    let table = filled("scan-backfill", 10_000).await;
    let reports = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let seen = reports.clone();
    let first = table
        .scan::<Doc>()
        .segments(4)
        .page_size(250)
        .stop_after(5_000)
        .on_progress(move |p| seen.lock().unwrap().push(p.clone()))
        .run(migrate)
        .await
        .unwrap();
    assert!(!first.is_finished(), "stopped halfway: {first:?}");
    assert!(
        (5_000..7_000).contains(&first.scanned),
        "stops starting pages at 5,000 items read; pages in flight finish: {}",
        first.scanned
    );
    assert!(first.put > 0 && first.put < 10_000);
    assert_eq!(first.put, first.matched, "every document read was changed");
    assert_eq!((first.deleted, first.conflicts, first.gone), (0, 0, 0));
    assert!(
        first.consumed_capacity > 0.0,
        "capacity as DynamoDB reports it"
    );
    let reports = std::mem::take(&mut *reports.lock().unwrap());
    let last = reports.last().unwrap();
    assert_eq!(
        last.checkpoint, first.checkpoint,
        "the last report is the latest"
    );
    assert!(reports.windows(2).all(|w| w[0].scanned < w[1].scanned));
    assert_eq!(
        reports.len() as u64,
        first.requests - first.put,
        "one report per page"
    );

    // The checkpoint travels as JSON between the two runs.
    let saved = serde_json::to_string(&first.checkpoint).unwrap();
    let checkpoint: Checkpoint = serde_json::from_str(&saved).unwrap();
    assert_eq!(checkpoint.segments(), 4);
    let second = table
        .scan::<Doc>()
        .page_size(250)
        .resume(checkpoint)
        .run(migrate)
        .await
        .unwrap();
    assert!(second.is_finished());
    assert_eq!(first.put + second.put, 10_000, "each document changed once");
    assert_eq!(
        first.scanned + second.scanned,
        10_300,
        "each item read once"
    );

    // The typed export sees every document, each changed exactly once, and
    // the other entity type untouched.
    let all: Vec<Doc> = table
        .scan::<Doc>()
        .segments(8)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 10_000);
    assert!(all.iter().all(|d| d.migrated == 1), "changed exactly once");
    let stats: Vec<DailyStat> = table
        .scan()
        .segments(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(stats.len(), 300);
    assert!(stats.iter().all(|s| s.count == 1));
    let raw: Vec<Item> = table.scan().items().try_collect().await.unwrap();
    assert_eq!(raw.len(), 10_300, "Item reads every item");

    // Resuming a finished checkpoint reads nothing.
    let again = table
        .scan::<Doc>()
        .resume(second.checkpoint.clone())
        .run(migrate)
        .await
        .unwrap();
    assert_eq!((again.scanned, again.requests), (0, 0));
}

#[tokio::test]
async fn a_paced_run_stays_under_its_capacity_target() {
    // Only bounds a slow machine cannot break: slowness lowers the rate,
    // pacing caps it. How fast unpaced and paced runs go is measured in the
    // scan benchmark (BENCHMARKS.md §6), not asserted here.
    const TARGET: f64 = 50.0;
    let table = filled("scan-pace", 150).await;
    let free = table
        .scan::<Doc>()
        .segments(2)
        .page_size(50)
        .run(migrate)
        .await
        .unwrap();
    assert!(free.consumed_capacity >= 150.0, "a put is at least 1 unit");

    let started = Instant::now();
    let paced = table
        .scan::<Doc>()
        .segments(2)
        .page_size(50)
        .pace(TARGET)
        .run(migrate)
        .await
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(paced.put, 150);
    let rate = paced.consumed_capacity / elapsed;
    assert!(
        rate <= TARGET,
        "paced at {TARGET} units/s, ran at {rate:.1} ({} units in {elapsed:.2} s)",
        paced.consumed_capacity
    );
    // The same work: at least as many units as the unpaced run reported,
    // so the cap held over real consumption, not an idle run.
    assert!(paced.consumed_capacity >= 150.0);
    assert!(paced.capacity_per_second() <= TARGET);
}

/// An account with an optimistic-locking version.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "ACCOUNT#{id}", sk = "META")]
struct Account {
    id: String,
    balance: i64,
    tier: Option<String>,
    #[truss(version)]
    version: u64,
}

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        balance: 10,
        tier: None,
        version: 0,
    }
}

/// Another writer, acting while the backfill holds an item it has read
/// (the function is synchronous; the test blocks in place to write).
fn meanwhile<F: std::future::Future>(work: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(work))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_change_is_never_overwritten_and_a_deleted_item_never_returns() {
    let table = table("scan-conflict").await;
    for id in ["a", "b", "c"] {
        table.create(&account(id)).await.unwrap();
    }
    let calls = AtomicUsize::new(0);
    let progress = table
        .scan::<Account>()
        .run(|mut acc: Account| {
            calls.fetch_add(1, Ordering::Relaxed);
            if acc.tier.is_none() && acc.id == "a" && acc.balance == 10 {
                // Someone deposits between the backfill's read and write.
                meanwhile(async {
                    let update = table
                        .update(Account::key("a"))
                        .add(Account::BALANCE, 5)
                        .expect_version(acc.version);
                    update.await.unwrap();
                });
            }
            if acc.id == "b" {
                // Someone deletes it.
                meanwhile(async { table.delete(Account::key("b")).await.unwrap() });
            }
            acc.tier = Some("gold".into());
            Rewrite::Put(acc)
        })
        .await
        .unwrap();
    assert_eq!(progress.conflicts, 2, "a changed, b deleted: {progress:?}");
    assert_eq!(progress.gone, 1);
    assert_eq!(progress.put, 2, "a (after reading it again) and c");
    assert_eq!(calls.load(Ordering::Relaxed), 4, "a twice, b once, c once");
    let a = table.get(Account::key("a")).await.unwrap().unwrap();
    assert_eq!(a.balance, 15, "the deposit is kept");
    assert_eq!(a.tier.as_deref(), Some("gold"), "and the backfill applied");
    assert_eq!(a.version, 3, "created, deposited, backfilled");
    assert!(
        table.get(Account::key("b")).await.unwrap().is_none(),
        "b stays deleted"
    );
    assert_eq!(scan(&table).await.len(), 2);
}

/// A tag whose key is its name; the migration lower-cases names (a re-key).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "TAG#{name}", sk = "META")]
struct Tag {
    name: String,
    uses: u32,
}

fn lower(mut tag: Tag) -> Rewrite<Tag> {
    let lower = tag.name.to_lowercase();
    if lower == tag.name {
        return Rewrite::Keep;
    }
    tag.name = lower;
    Rewrite::Put(tag)
}

#[tokio::test]
async fn a_re_key_moves_items_in_transactions_and_never_overwrites_another() {
    let (table, counter) = counted_table("scan-rekey").await;
    for name in ["Rust", "Go", "sql"] {
        table
            .put(&Tag {
                name: name.into(),
                uses: 1,
            })
            .await
            .unwrap();
    }
    let progress = table.scan::<Tag>().run(lower).await.unwrap();
    assert_eq!(progress.put, 2);
    assert_eq!(counter.take().get("TransactWriteItems"), Some(&2));
    let mut names: Vec<String> = table
        .scan::<Tag>()
        .items()
        .map_ok(|t| t.name)
        .try_collect()
        .await
        .unwrap();
    names.sort();
    assert_eq!(names, ["go", "rust", "sql"], "moved, old keys deleted");

    // `Rust` would land on the existing `rust`: refused, nothing lost.
    table
        .put(&Tag {
            name: "Rust".into(),
            uses: 7,
        })
        .await
        .unwrap();
    let err = table
        .scan::<Tag>()
        .run(lower)
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");
    assert!(err.to_string().contains("TAG#rust"), "{err}");
    let old = table.get(Tag::key("Rust")).await.unwrap().unwrap();
    assert_eq!(old.uses, 7, "the item read is still there");
    let existing = table.get(Tag::key("rust")).await.unwrap().unwrap();
    assert_eq!(existing.uses, 1, "the item at the new key is untouched");
}

#[tokio::test]
async fn deletes_and_raw_items_go_through_the_same_runner() {
    let table = filled("scan-delete", 100).await;
    let gone = table
        .scan::<Doc>()
        .segments(2)
        .run(|doc: Doc| {
            if doc.n.is_multiple_of(2) {
                Rewrite::Delete
            } else {
                Rewrite::Keep
            }
        })
        .await
        .unwrap();
    assert_eq!((gone.deleted, gone.put, gone.matched), (50, 0, 100));
    // Raw items: a new attribute on every item of the table.
    let tagged = table
        .scan::<Item>()
        .run(|mut item: Item| {
            item.insert("backfilled".into(), s("yes"));
            Rewrite::Put(item)
        })
        .await
        .unwrap();
    assert_eq!(tagged.put, 350);
    assert!(scan(&table)
        .await
        .iter()
        .all(|i| i.get("backfilled") == Some(&s("yes"))));
}

#[tokio::test]
async fn an_item_of_the_target_that_does_not_decode_stops_the_run_with_its_key() {
    let table = filled("scan-undecodable", 20).await;
    put_broken(&table).await;
    let err = table.scan::<Doc>().run(migrate).await.unwrap_err();
    assert!(matches!(err.error(), Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("DOC#broken"), "{err}");
    let err = table
        .scan::<Doc>()
        .items()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    // Collected by the scan: the first error is the result, whichever
    // segment holds the item.
    let err = table.scan::<Doc>().segments(3).all().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("DOC#broken"), "{err}");
}

/// An item of `Doc`'s shape whose `n` is text: it does not decode.
async fn put_broken(table: &Table) {
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("DOC#broken"))
        .item("SK", s("META"))
        .item("n", s("not a number"))
        .send()
        .await
        .unwrap();
}

/// How many documents a backfill has changed, read from the table.
async fn migrated(table: &Table) -> u64 {
    scan(table)
        .await
        .iter()
        .filter(|i| matches!(i.get("migrated"), Some(v) if v != &n("0")))
        .count() as u64
}

#[tokio::test]
async fn a_failed_run_returns_its_progress_counting_every_write_and_a_checkpoint_that_resumes_it() {
    let table = filled("scan-failed-run", 200).await;
    put_broken(&table).await;
    let err = table
        .scan::<Doc>()
        .page_size(25)
        .write_concurrency(8)
        .run(|mut doc: Doc| {
            if doc.migrated > 0 {
                return Rewrite::Keep;
            }
            doc.migrated += 1;
            Rewrite::Put(doc)
        })
        .await
        .unwrap_err();
    assert!(matches!(err.error(), Error::Decode { .. }), "{err}");
    let done = err.progress();
    // Exact: every write that succeeded is counted, also those of the page
    // the undecodable item was on.
    assert_eq!(done.put, migrated(&table).await, "{done:?}");
    assert!(done.scanned >= done.matched && done.matched > done.put);
    assert!(!done.is_finished());
    assert!(err.to_string().contains("stopped after"), "{err}");

    // Resumed from the error's checkpoint, skipping what does not decode.
    let resumed = table
        .scan::<Doc>()
        .page_size(25)
        .resume(done.checkpoint.clone())
        .on_undecodable(Undecodable::Skip)
        .run(|mut doc: Doc| {
            if doc.migrated > 0 {
                return Rewrite::Keep;
            }
            doc.migrated += 1;
            Rewrite::Put(doc)
        })
        .await
        .unwrap();
    assert!(resumed.is_finished());
    assert_eq!(resumed.skipped, 1);
    assert_eq!(resumed.undecodable.len(), 1);
    let reason = resumed.undecodable[0].to_string();
    assert!(reason.contains("DOC#broken"), "{reason}");
    assert_eq!(done.put + resumed.put, 200, "each document changed once");
    assert_eq!(migrated(&table).await, 200);
    let broken = get_raw(&table, "DOC#broken", "META").await.unwrap();
    assert_eq!(broken.get("n"), Some(&s("not a number")), "left as it was");
    assert!(!broken.contains_key("migrated"));
}

#[tokio::test]
async fn an_async_function_can_await_another_read_before_it_says_what_to_write() {
    let table = filled("scan-async", 30).await;
    table
        .put(&Doc {
            id: "limits".into(),
            n: 10,
            migrated: 0,
        })
        .await
        .unwrap();
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let reader = table.clone();
    let progress = table
        .scan::<Doc>()
        .segments(2)
        .run_async(move |mut doc: Doc| {
            let reader = reader.clone();
            let counted = counted.clone();
            async move {
                if doc.id == "limits" {
                    return Rewrite::Keep;
                }
                let limits = reader.get(Doc::key("limits")).consistent().await;
                counted.fetch_add(1, Ordering::Relaxed);
                let limit = limits.ok().flatten().map_or(0, |l| l.n);
                if doc.n < limit {
                    Rewrite::Delete
                } else {
                    doc.migrated = 1;
                    Rewrite::Put(doc)
                }
            }
        })
        .await
        .unwrap();
    assert_eq!(lookups.load(Ordering::Relaxed), 30);
    assert_eq!((progress.deleted, progress.put), (10, 20));
    assert_eq!(migrated(&table).await, 20);
}

#[tokio::test]
async fn bad_settings_and_damaged_or_foreign_checkpoints_send_nothing() {
    let (table, counter) = counted_table("scan-checks").await;
    table.put(&docs(1)[0]).await.unwrap();
    let stopped = table
        .scan::<Doc>()
        .segments(3)
        .page_size(1)
        .stop_after(1)
        .run(Rewrite::Put)
        .await
        .unwrap();
    let checkpoint = stopped.checkpoint;
    counter.take();

    let invalid_query = |e: &Error| matches!(e, Error::InvalidQuery { .. });
    let invalid_cursor = |e: &Error| matches!(e, Error::InvalidCursor { .. });
    let keep = |_: Doc| Rewrite::Keep;
    let err = table
        .scan::<Doc>()
        .segments(0)
        .run(keep)
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(invalid_query(&err), "{err}");
    // Collected or streamed, a scan that cannot run sends nothing.
    let err = table.scan::<Doc>().segments(0).all().await.unwrap_err();
    assert!(invalid_query(&err), "{err}");
    let err = table.scan::<Doc>().page_size(0).all().await.unwrap_err();
    assert!(invalid_query(&err), "{err}");
    let err = table
        .scan::<Doc>()
        .segments(1_000_001)
        .run(keep)
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(invalid_query(&err), "{err}");
    let err = table
        .scan::<Doc>()
        .page_size(0)
        .run(keep)
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(invalid_query(&err), "{err}");
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = table
            .scan::<Doc>()
            .pace(rate)
            .run(keep)
            .await
            .map_err(Error::from)
            .unwrap_err();
        assert!(invalid_query(&err), "{rate}: {err}");
    }
    let err = table
        .scan::<Doc>()
        .segments(4)
        .resume(checkpoint.clone())
        .run(keep)
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(invalid_query(&err), "another segment count: {err}");

    // Another target, another table.
    let err = table
        .scan::<Tag>()
        .resume(checkpoint.clone())
        .run(|_| Rewrite::Keep)
        .await
        .map_err(Error::from);
    assert!(invalid_cursor(&err.unwrap_err()));
    let other = Table::new(table.client().clone(), "another-table");
    let err = other
        .scan::<Doc>()
        .resume(checkpoint.clone())
        .run(keep)
        .await
        .map_err(Error::from);
    assert!(invalid_cursor(&err.unwrap_err()));

    // Every single-character change to the checkpoint's cursor text.
    let json = serde_json::to_string(&checkpoint).unwrap();
    let at = json.find("\"after\":\"").expect("a segment in progress") + 9;
    let end = at + json[at..].find('"').unwrap();
    for i in at..end {
        let mut bytes = json.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered: Checkpoint = serde_json::from_slice(&bytes).unwrap();
        let err = table
            .scan::<Doc>()
            .resume(tampered)
            .run(keep)
            .await
            .map_err(Error::from)
            .unwrap_err();
        assert!(invalid_cursor(&err), "flip at {i}: {err}");
    }
    // Hostile JSON is a deserialization error, never a panic.
    for text in [
        "{}",
        "[]",
        r#"{"format":1,"table":"t","target":"Doc","segments":[]}"#,
    ] {
        if let Ok(c) = serde_json::from_str::<Checkpoint>(text) {
            let err = table
                .scan::<Doc>()
                .resume(c)
                .run(keep)
                .await
                .map_err(Error::from)
                .unwrap_err();
            assert!(invalid_cursor(&err), "{text}: {err}");
        }
    }
    assert!(counter.take().is_empty(), "no request for any of these");
    assert_eq!(scan(&table).await.len(), 1);
}

/// Each Scan request as it was sent: what it asked for, its segment and
/// the Tokio task it was sent from, read from the input before it is sent.
#[derive(Debug, Clone, Default)]
struct ScanSent(Arc<Mutex<Vec<Sent>>>);

/// A Scan's `ReturnConsumedCapacity`, `ConsistentRead`, `Segment`, and
/// the task that sent it (`None`: not a task, e.g. a test's `block_on`).
#[derive(Debug, Clone)]
struct Sent {
    capacity: Option<String>,
    consistent: Option<bool>,
    segment: Option<i32>,
    task: Option<tokio::task::Id>,
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for ScanSent {
    fn name(&self) -> &'static str {
        "test: each scan request as sent"
    }

    fn read_before_serialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(scan) = context
            .input()
            .downcast_ref::<aws_sdk_dynamodb::operation::scan::ScanInput>()
        {
            self.0.lock().unwrap().push(Sent {
                capacity: scan
                    .return_consumed_capacity()
                    .map(|c| c.as_str().to_owned()),
                consistent: scan.consistent_read(),
                segment: scan.segment(),
                task: tokio::task::try_id(),
            });
        }
        Ok(())
    }
}

impl ScanSent {
    /// The requests sent since the last call.
    fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut self.0.lock().unwrap())
    }

    /// What each request since the last call asked for: its capacity and
    /// `ConsistentRead`.
    fn asked(&self) -> Vec<(Option<String>, Option<bool>)> {
        self.take()
            .into_iter()
            .map(|sent| (sent.capacity, sent.consistent))
            .collect()
    }

    /// A client of the engine whose requests this records, and a table
    /// `name` through it.
    async fn table(&self, name: &str) -> Table {
        let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
            .interceptor(self.clone())
            .build();
        Table::new(aws_sdk_dynamodb::Client::from_conf(config), name)
    }
}

/// A plain scan sends what a hand-written one sends (no consumed capacity,
/// no `ConsistentRead: false`); the capacity is asked for only where it is
/// used: a paced scan, a backfill's progress.
#[tokio::test]
async fn a_scan_asks_for_capacity_only_when_it_uses_it() {
    let seeded = filled("scan-asks", 20).await;
    let asks = ScanSent::default();
    let table = asks.table(seeded.name()).await;

    let docs: Vec<Doc> = table.scan::<Doc>().items().try_collect().await.unwrap();
    assert_eq!(docs.len(), 20);
    assert_eq!(asks.asked(), vec![(None, None)]);

    let docs: Vec<Doc> = table
        .scan::<Doc>()
        .consistent()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(docs.len(), 20);
    assert_eq!(asks.asked(), vec![(None, Some(true))]);

    let docs: Vec<Doc> = table
        .scan::<Doc>()
        .pace(1_000.0)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(docs.len(), 20);
    assert_eq!(asks.asked(), vec![(Some("TOTAL".to_owned()), None)]);

    let progress = table.scan::<Doc>().run(migrate).await.unwrap();
    assert!(progress.consumed_capacity > 0.0, "{progress:?}");
    assert_eq!(asks.asked(), vec![(Some("TOTAL".to_owned()), None)]);
}

/// Every request of `sent` came from a task (not the reader's
/// `block_on`), each of the `segments` segments from one task of its own.
fn assert_a_task_per_segment(sent: &[Sent], segments: usize) {
    let mut by_segment = std::collections::BTreeMap::new();
    for Sent { segment, task, .. } in sent {
        let task = task.expect("sent from a task, not from the reader's block_on");
        by_segment
            .entry(*segment)
            .or_insert_with(std::collections::BTreeSet::new)
            .insert(task);
    }
    assert_eq!(by_segment.len(), segments, "{by_segment:?}");
    assert!(
        by_segment.values().all(|tasks| tasks.len() == 1),
        "each segment from one task: {by_segment:?}"
    );
    let distinct: std::collections::BTreeSet<_> = by_segment.values().flatten().collect();
    assert_eq!(
        distinct.len(),
        segments,
        "a task per segment: {by_segment:?}"
    );
}

/// A parallel scan read on a multi-threaded Tokio runtime reads each
/// segment on a task of its own (its pages decoded on any core, as a
/// hand-written task per segment is), reads every item once, and stops
/// reading when it is dropped. On a current-thread runtime (every other
/// test here) the segments stay in the reader's task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_are_read_on_tasks_of_their_own_and_stop_with_the_scan() {
    use futures::StreamExt;
    let seeded = filled("scan-spawned", 400).await;
    let recorder = ScanSent::default();
    let table = recorder.table(seeded.name()).await;

    let docs: Vec<Doc> = table
        .scan::<Doc>()
        .segments(4)
        .page_size(25)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!((docs.len(), ids.len()), (400, 400), "every document, once");
    let sent = recorder.take();
    assert!(
        sent.len() > 16,
        "pages of 25 in four segments: {}",
        sent.len()
    );
    assert_a_task_per_segment(&sent, 4);

    // One item taken, then a pause: each segment has read its first page,
    // and the segment the item came from one page more (one page ahead of
    // what the reader took), no more.
    let mut scan = table
        .scan::<Doc>()
        .segments(4)
        .page_size(25)
        .items()
        .boxed();
    scan.next().await.expect("an item").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let ahead = recorder.take().len();
    assert_eq!(ahead, 5, "requests after one item was taken");
    // Dropped: the segments stop.
    drop(scan);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        recorder.take().len(),
        0,
        "requests after the scan was dropped"
    );
}

/// `all` collects each segment on the segment's own task (the pages of a
/// segment sent from one task, a task per segment) and hands every item
/// over once: every document, once, and none of the other entity's items.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_collects_each_segment_on_its_own_task() {
    let seeded = filled("scan-all", 400).await;
    let recorder = ScanSent::default();
    let table = recorder.table(seeded.name()).await;

    let docs: Vec<Doc> = table
        .scan::<Doc>()
        .segments(4)
        .page_size(25)
        .all()
        .await
        .unwrap();
    let ids: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!((docs.len(), ids.len()), (400, 400), "every document, once");
    assert_eq!(
        docs.capacity(),
        docs.len(),
        "the pages' items put in one vector of the exact size, nothing grown"
    );
    let sent = recorder.take();
    assert_a_task_per_segment(&sent, 4);

    // The same requests as the stream reads with: one per page.
    let streamed: Vec<Doc> = table
        .scan::<Doc>()
        .segments(4)
        .page_size(25)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 400);
    assert_eq!(recorder.take().len(), sent.len());

    // One segment, its pages asked for ahead: the same one vector.
    let docs: Vec<Doc> = table.scan::<Doc>().page_size(25).all().await.unwrap();
    assert_eq!((docs.len(), docs.capacity()), (400, 400));
}

/// A document whose hand-written `Deserialize` panics on one value: the
/// panic happens on a segment's task, and must reach the reader of the
/// scan instead of ending that segment early without a word.
#[derive(Entity, Serialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "META", codec = "serde")]
struct Touchy {
    id: String,
    n: u32,
    migrated: u32,
}

impl<'de> Deserialize<'de> for Touchy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let doc = Doc::deserialize(deserializer)?;
        assert_ne!(doc.n, 123, "a decoder that panics on one item");
        Ok(Touchy {
            id: doc.id,
            n: doc.n,
            migrated: doc.migrated,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_on_a_segments_task_reaches_the_reader() {
    use futures::FutureExt;
    let table = filled("scan_spawned_panic", 300).await;
    let read = std::panic::AssertUnwindSafe(
        table
            .scan::<Touchy>()
            .segments(4)
            .items()
            .try_collect::<Vec<_>>(),
    )
    .catch_unwind()
    .await;
    let panic = read.expect_err("the decoder's panic, not a shorter result");
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(message.contains("panics on one item"), "{message}");

    let read = std::panic::AssertUnwindSafe(table.scan::<Touchy>().segments(4).all())
        .catch_unwind()
        .await;
    let panic = read.expect_err("collected: the decoder's panic, not a shorter result");
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(message.contains("panics on one item"), "{message}");
}

/// What reached the engine and what was read, in order, in
/// `all_sends_the_next_request_while_a_page_decodes`.
static WIRE: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// A document whose reading takes a millisecond and is logged in [`WIRE`].
#[derive(Entity, Serialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "META", codec = "serde")]
struct Slow {
    id: String,
    n: u32,
    migrated: u32,
}

impl<'de> Deserialize<'de> for Slow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let doc = Doc::deserialize(deserializer)?;
        std::thread::sleep(std::time::Duration::from_millis(1));
        WIRE.lock().unwrap().push("decode");
        Ok(Slow {
            id: doc.id,
            n: doc.n,
            migrated: doc.migrated,
        })
    }
}

/// A TCP relay in front of the engine, on threads of its own (not the
/// test's runtime): each Scan request is logged in [`WIRE`] when its bytes
/// reach the relay, that is, when the client has written them. Returns the
/// relay's endpoint.
fn relay_to(engine: &str) -> String {
    use std::io::{Read, Write};
    let engine = engine
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let mut server = std::net::TcpStream::connect(&engine).unwrap();
            let (mut to_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            std::thread::spawn(move || {
                const SCAN: &[u8] = b"DynamoDB_20120810.Scan";
                let (mut seen, mut counted, mut buffer) = (Vec::new(), 0, [0u8; 65_536]);
                while let Ok(n @ 1..) = client.read(&mut buffer) {
                    seen.extend_from_slice(&buffer[..n]);
                    let found = seen.windows(SCAN.len()).filter(|w| *w == SCAN).count();
                    for _ in counted..found {
                        WIRE.lock().unwrap().push("request");
                    }
                    counted = found;
                    if to_server.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_server.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server, &mut to_client);
                let _ = to_client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    format!("http://{address}")
}

/// `all` asks for the next page before it decodes a page, and the request
/// goes out then, not when the page's items are decoded: on Tokio the HTTP
/// connection's task that writes it is woken on the decoding worker's own
/// slot, which no other worker takes, so the scan lets it run first.
/// Checked on the wire, through a relay: the second request reaches it
/// before the first page's hundred items are decoded (each takes a
/// millisecond).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_sends_the_next_request_while_a_page_decodes() {
    let seeded = table("scan-ahead-sent").await;
    seeded.batch_write().put_all(&docs(250)).await.unwrap();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .endpoint_url(relay_to(&endpoint()))
        .build();
    let table = Table::new(aws_sdk_dynamodb::Client::from_conf(config), seeded.name());
    WIRE.lock().unwrap().clear();
    let docs: Vec<Slow> = table.scan::<Slow>().page_size(100).all().await.unwrap();
    let ids: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!((docs.len(), ids.len()), (250, 250), "every document, once");
    let events = std::mem::take(&mut *WIRE.lock().unwrap());
    assert_eq!(events.iter().filter(|e| **e == "decode").count(), 250);
    // Pages of 100, 100 and 50 (short: the last): one request each.
    assert_eq!(
        events.iter().filter(|e| **e == "request").count(),
        3,
        "{events:?}"
    );
    let nth = |what: &str, n: usize| {
        events
            .iter()
            .enumerate()
            .filter(|(_, e)| **e == what)
            .nth(n - 1)
            .map(|(i, _)| i)
    };
    let second_request = nth("request", 2).expect("a second request");
    let first_page_decoded = nth("decode", 100).expect("a first page of 100");
    assert!(
        second_request < first_page_decoded,
        "the second request reached the engine after the first page was decoded: {:?}",
        &events[..second_request + 1]
    );
}
