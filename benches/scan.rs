//! Parallel scan throughput against an engine: `table.scan::<Clip>()`
//! at 1, 2, 4 and 8 segments (all read at once), streamed (`items()`,
//! collected by the caller) and collected by the scan (`all()`), next to a hand-written
//! parallel scan with the SDK (one task per segment, the hand-written clip
//! decoder of `support`), both reading 20,000 clips in pages of 1,000.
//! Then the same over a simulated 2 ms network round trip, where segments
//! overlap waiting.
//!
//! `cargo bench --bench scan` runs on the embedded engine;
//! `TRUSS_BENCH_ENGINE=dynamodb-local cargo bench --bench scan` re-runs
//! itself under `scripts/with-dynamodb-local`, which starts DynamoDB Local.
//! Before timing, both sides are checked to read every clip once.
//!
//! Next to each wall-time ratio, the client's CPU time per scan (all of
//! this process's threads, from Linux's `/proc/self/task/*/schedstat`;
//! DynamoDB Local's JVM is another process): with both on two cores, what
//! the client spends is taken from the server.

use aws_sdk_dynamodb::Client;
use futures::TryStreamExt;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use truss_model::Table;

mod support;
use support::*;

const ITEMS: u32 = 20_000;
const PAGE: i32 = 1_000;
/// Rounds per row. One JVM pause moves a row's median on DynamoDB Local
/// (sharing the two cores with both scanners): nine left single rows
/// swinging by ±0.05 between runs (`BENCHMARKS.md` §6).
const ROUNDS: usize = 15;

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
        println!("| segments | items() items/s | all() items/s | raw items/s | items() / raw: median of rounds (range) | all() / raw: median of rounds (range) | client CPU per scan, ms: items() / all() / raw |");
        println!("|---|---|---|---|---|---|---|");
        for segments in [1, 2, 4, 8] {
            assert_eq!(lib_scan(&table, segments).await, ITEMS as usize);
            assert_eq!(lib_scan_all(&table, segments).await, ITEMS as usize);
            assert_eq!(raw_scan(&client, &name, segments).await, ITEMS as usize);
            // [items(), all(), raw]
            let mut times: [Vec<Duration>; 3] = Default::default();
            let mut cpus: [Vec<Duration>; 3] = Default::default();
            for round in 0..ROUNDS {
                // The three in a rotating order: each goes first, second
                // and third equally often.
                for k in 0..3 {
                    let which = (round + k) % 3;
                    let start = Instant::now();
                    let cpu = cpu_time();
                    match which {
                        0 => lib_scan(&table, segments).await,
                        1 => lib_scan_all(&table, segments).await,
                        _ => raw_scan(&client, &name, segments).await,
                    };
                    times[which].push(start.elapsed());
                    cpus[which].push(cpu_time().saturating_sub(cpu));
                }
            }
            // Each round timed all three back to back: its ratios compare
            // them under the same machine load.
            let ratios = |lib: &[Duration]| {
                let mut ratios: Vec<f64> = lib
                    .iter()
                    .zip(&times[2])
                    .map(|(l, r)| r.as_secs_f64() / l.as_secs_f64())
                    .collect();
                ratios.sort_by(f64::total_cmp);
                format!(
                    "{:.3} ({:.3} to {:.3})",
                    ratios[ratios.len() / 2],
                    ratios[0],
                    ratios[ratios.len() - 1]
                )
            };
            let (items, all) = (ratios(&times[0]), ratios(&times[1]));
            let rate = |d: &[Duration]| f64::from(ITEMS) / median(d.to_vec()).as_secs_f64();
            let ms = |d: &[Duration]| median(d.to_vec()).as_secs_f64() * 1e3;
            println!(
                "| {segments} | {:.0} | {:.0} | {:.0} | {items} | {all} | {:.1} / {:.1} / {:.1} |",
                rate(&times[0]),
                rate(&times[1]),
                rate(&times[2]),
                ms(&cpus[0]),
                ms(&cpus[1]),
                ms(&cpus[2]),
            );
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// The library's parallel scan, decoded into clips; the number read.
/// The library's scan of every clip, all segments read at once.
fn clip_scan(table: &Table, segments: usize) -> truss_model::scan::Scan<Clip> {
    table
        .scan::<Clip>()
        .segments(segments)
        .concurrency(segments)
        .page_size(PAGE as u32)
}

async fn lib_scan(table: &Table, segments: usize) -> usize {
    let clips: Vec<Clip> = clip_scan(table, segments)
        .items()
        .try_collect()
        .await
        .expect("scan");
    distinct(clips.iter().map(|c| c.clip_id.as_str()))
}

/// The library's parallel scan collected by the scan itself (`all()`).
async fn lib_scan_all(table: &Table, segments: usize) -> usize {
    let clips: Vec<Clip> = clip_scan(table, segments).all().await.expect("scan");
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

/// CPU time of every thread of this process so far (0 where Linux's
/// scheduler statistics cannot be read).
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}
