//! Memory of `Query::stream()`: it holds about one page at a time, so the
//! peak resident memory of streaming 50,000 items should be within 1.2x of
//! streaming 5,000.
//!
//! `cargo bench --bench stream_memory` (re-runs itself under
//! `scripts/with-dynamodb-local` when no endpoint is set). The parent
//! seeds two partitions of ~1 KB items, then streams each in a fresh child
//! process and reads the child's peak RSS (`VmHWM` in /proc/self/status).

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::process::Command;
use truss_model::{Entity, Table};

mod support;

#[derive(Entity, Serialize, Deserialize, Debug, Clone)]
#[truss(pk = "SET#{set}", sk = "ITEM#{n}")]
struct Record {
    set: u32,
    n: u32,
    payload: String,
}

const SIZES: [u32; 2] = [5_000, 50_000];

fn main() {
    support::rerun_under_dynamodb_local();
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match args.iter().position(|a| a == "--child") {
        Some(i) => {
            let table = args.get(i + 1).expect("table name").clone();
            let set = args.get(i + 2).and_then(|s| s.parse().ok()).expect("set");
            runtime.block_on(child(table, set));
        }
        None => runtime.block_on(parent()),
    }
}

async fn table(name: &str) -> Table {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    Table::new(aws_sdk_dynamodb::Client::new(&sdk), name)
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

async fn child(name: String, set: u32) {
    let table = table(&name).await;
    let before = peak_rss_kib();
    let mut stream = Box::pin(table.query(Record::partition(set)).items());
    let (mut items, mut bytes) = (0u64, 0u64);
    while let Some(record) = stream.try_next().await.expect("stream") {
        items += 1;
        bytes += record.payload.len() as u64;
    }
    println!(
        "items={items} bytes={bytes} before_kib={before} peak_kib={}",
        peak_rss_kib()
    );
}

async fn parent() {
    let name = format!("bench-memory-{}", std::process::id());
    let table = table(&name).await;
    table.definition().create().await.expect("create the table");
    for set in SIZES {
        let records: Vec<Record> = (0..set)
            .map(|n| Record {
                set,
                n,
                payload: format!("{n:08}").repeat(125), // 1,000 bytes
            })
            .collect();
        table
            .batch_write()
            .concurrency(8)
            .put_all(&records)
            .send()
            .await
            .expect("seed");
    }
    println!("# Memory: peak RSS of stream() in a fresh process\n");
    println!("| items streamed | data streamed | RSS before | peak RSS | growth while streaming |");
    println!("|---|---|---|---|---|");
    let mut peaks = Vec::new();
    for set in SIZES {
        let exe = std::env::current_exe().expect("the bench binary's path");
        let out = Command::new(exe)
            .args(["--child", &name, &set.to_string()])
            .output()
            .expect("run the child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let field = |key: &str| -> u64 {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{key} in {line}"))
        };
        assert_eq!(field("items="), u64::from(set), "every item streamed");
        let (before, peak) = (field("before_kib="), field("peak_kib="));
        println!(
            "| {set} | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} MB |",
            field("bytes=") as f64 / 1e6,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            peak.saturating_sub(before) as f64 / 1024.0
        );
        peaks.push(peak);
    }
    println!(
        "\npeak RSS ratio, 50k / 5k: {:.3} (goal: at most 1.2)",
        peaks[1] as f64 / peaks[0] as f64
    );
}
