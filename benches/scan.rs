//! Parallel scan throughput against an engine: `table.scan::<Clip>()`
//! at 1, 2, 4 and 8 segments (all read at once) next to a hand-written
//! parallel scan with the SDK (one task per segment, the hand-written clip
//! decoder of `support`), both reading 20,000 clips in pages of 1,000.
//! Then the same over a simulated 2 ms network round trip, where segments
//! overlap waiting.
//!
//! `cargo bench --bench scan` runs on the embedded engine;
//! `TRUSS_BENCH_ENGINE=dynamodb-local cargo bench --bench scan` re-runs
//! itself under `scripts/with-dynamodb-local`, which starts DynamoDB Local.
//! Before timing, both sides are checked to read every clip once.

use aws_sdk_dynamodb::Client;
use futures::TryStreamExt;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use truss_model::Table;

mod support;
use support::*;

const ITEMS: u32 = 20_000;
const PAGE: i32 = 1_000;
const ROUNDS: usize = 9;

/// The engine of the run (`support::choose_engine`).
static ENGINE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

fn main() {
    ENGINE.set(choose_engine()).expect("set once");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(run());
}

async fn client(rtt: Option<Duration>) -> Client {
    let sdk = sdk_config().await;
    let mut config = aws_sdk_dynamodb::config::Builder::from(&sdk);
    if let Some(rtt) = rtt {
        let inner = aws_smithy_http_client::Builder::new().build_http();
        config = config.http_client(latency::Delayed { inner, rtt });
    }
    Client::from_conf(config.build())
}

async fn run() {
    let name = format!("bench-scan-{}", std::process::id());
    let local = client(None).await;
    let table = Table::new(local.clone(), &name);
    table.definition().create().await.expect("create the table");
    let clips: Vec<Clip> = (0..ITEMS)
        .map(|i| clip_at(&format!("creator-{:03}", i % 200), i))
        .collect();
    table
        .batch_write()
        .put_all(&clips)
        .send()
        .await
        .expect("seed");

    let engine = ENGINE.get().copied().unwrap_or("?");
    for (title, rtt) in [
        (format!("against {engine}"), None),
        (
            format!("against {engine} over a simulated 2 ms round trip"),
            Some(Duration::from_millis(2)),
        ),
    ] {
        let client = client(rtt).await;
        let table = Table::new(client.clone(), &name);
        println!("\n# Parallel scan of {ITEMS} clips {title} (median of {ROUNDS}, interleaved)\n");
        println!("| segments | truss-model items/s | raw items/s | truss-model / raw: median of rounds (range) |");
        println!("|---|---|---|---|");
        for segments in [1, 2, 4, 8] {
            assert_eq!(lib_scan(&table, segments).await, ITEMS as usize);
            assert_eq!(raw_scan(&client, &name, segments).await, ITEMS as usize);
            let (mut lib, mut raw) = (Vec::new(), Vec::new());
            for round in 0..ROUNDS {
                let time_lib = || async {
                    let start = Instant::now();
                    lib_scan(&table, segments).await;
                    start.elapsed()
                };
                let time_raw = || async {
                    let start = Instant::now();
                    raw_scan(&client, &name, segments).await;
                    start.elapsed()
                };
                if round % 2 == 0 {
                    lib.push(time_lib().await);
                    raw.push(time_raw().await);
                } else {
                    raw.push(time_raw().await);
                    lib.push(time_lib().await);
                }
            }
            // Each round timed both back to back: its ratio compares them
            // under the same machine load.
            let mut ratios: Vec<f64> = lib
                .iter()
                .zip(&raw)
                .map(|(l, r)| r.as_secs_f64() / l.as_secs_f64())
                .collect();
            ratios.sort_by(f64::total_cmp);
            let (lib, raw) = (median(lib), median(raw));
            let rate = |d: Duration| f64::from(ITEMS) / d.as_secs_f64();
            println!(
                "| {segments} | {:.0} | {:.0} | {:.3} ({:.3} to {:.3}) |",
                rate(lib),
                rate(raw),
                ratios[ratios.len() / 2],
                ratios[0],
                ratios[ratios.len() - 1],
            );
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// The library's parallel scan, decoded into clips; the number read.
async fn lib_scan(table: &Table, segments: usize) -> usize {
    let clips: Vec<Clip> = table
        .scan::<Clip>()
        .segments(segments)
        .concurrency(segments)
        .page_size(PAGE as u32)
        .items()
        .try_collect()
        .await
        .expect("scan");
    distinct(clips.iter().map(|c| c.clip_id.as_str()))
}

/// A hand-written parallel scan: one task per segment, each paging with
/// `ExclusiveStartKey` and decoding by hand.
async fn raw_scan(client: &Client, table: &str, segments: usize) -> usize {
    let tasks = (0..segments).map(|segment| {
        let (client, table) = (client.clone(), table.to_owned());
        tokio::spawn(async move {
            let mut clips = Vec::new();
            let mut start = None;
            loop {
                let mut scan = client
                    .scan()
                    .table_name(&table)
                    .limit(PAGE)
                    .set_exclusive_start_key(start);
                // One segment is a plain scan, as the library sends it (an
                // engine may serve `TotalSegments = 1` differently).
                if segments > 1 {
                    scan = scan.segment(segment as i32).total_segments(segments as i32);
                }
                let out = scan.send().await.expect("raw scan");
                for item in out.items.unwrap_or_default() {
                    clips.push(clip_hand_decode(item).expect("a clip"));
                }
                start = out.last_evaluated_key;
                if start.is_none() {
                    return clips;
                }
            }
        })
    });
    let mut clips = Vec::new();
    for task in futures::future::join_all(tasks).await {
        clips.extend(task.expect("segment task"));
    }
    distinct(clips.iter().map(|c| c.clip_id.as_str()))
}

fn distinct<'a>(ids: impl Iterator<Item = &'a str>) -> usize {
    ids.collect::<HashSet<_>>().len()
}
