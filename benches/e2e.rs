//! End to end against an engine (the embedded one, or DynamoDB Local), one warm client: each operation via
//! truss-model and via raw `aws-sdk-dynamodb` calls that send the same
//! requests (with hand-written map code), run interleaved so both see the
//! same server state and machine load. Then bulk writes of 10,000 items,
//! also over a simulated 2 ms network round trip (DynamoDB Local on the same
//! machine has none, which caps what batching can save).
//!
//! `cargo bench --bench e2e` runs on the embedded engine;
//! `TRUSS_BENCH_ENGINE=dynamodb-local cargo bench --bench e2e` re-runs
//! itself under `scripts/with-dynamodb-local`, which starts DynamoDB Local. Before timing, every pair is checked to send the same
//! requests (by the request counter) and to read the same data.
//!
//! Words after `--` choose the rows whose names contain one of them:
//! `cargo bench --bench e2e -- collection` times the collection query
//! only; `bulk` the bulk writes. `TRUSS_E2E_COUNT=<lib|raw>:<n>` runs `n`
//! collection queries of one side and nothing else (for callgrind).

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use futures::{StreamExt, TryStreamExt};
use std::future::Future;
use std::time::{Duration, Instant};
use truss_model::{RequestCounter, Table};

mod support;
use support::*;

/// Repetitions of each comparison; each gives one throughput ratio.
const REPS: usize = 9;
/// Rounds per repetition (9 × 300 = 2,700 of each single-item operation).
const ROUNDS: usize = 300;
/// Rounds per repetition of the batch of 1,000 (9 × 36 = 324: fewer leave
/// a confidence interval wider than the distance to the goal).
const BATCH_ROUNDS: usize = 36;
const BULK: u32 = 10_000;
const CONCURRENCY: usize = 4;
/// The engine the run uses (`support::choose_engine`).
static ENGINE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

fn main() {
    let engine = choose_engine();
    ENGINE.set(engine).expect("set once");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(run());
}

struct Ctx {
    table: Table,
    client: Client,
    name: String,
    counter: RequestCounter,
}

/// A client of DynamoDB Local; with `rtt`, every request first waits that
/// long, as if the server were across a network.
async fn context(name: &str, rtt: Option<Duration>) -> Ctx {
    let counter = RequestCounter::new();
    let sdk = sdk_config().await;
    let mut config = aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(counter.clone());
    if let Some(rtt) = rtt {
        // DynamoDB Local speaks plain HTTP.
        let inner = aws_smithy_http_client::Builder::new().build_http();
        config = config.http_client(latency::Delayed { inner, rtt });
    }
    let client = Client::from_conf(config.build());
    let table = Table::new(client.clone(), name);
    Ctx {
        table,
        client,
        name: name.to_owned(),
        counter,
    }
}

async fn run() {
    let name = format!("bench-e2e-{}", std::process::id());
    let ctx = context(&name, None).await;
    ctx.table
        .definition()
        .create()
        .await
        .expect("create the table");
    // The read partition: a profile and 20 clips.
    let clips: Vec<Clip> = (0..20).map(|i| clip_at("reader", i)).collect();
    ctx.table
        .batch_write()
        .put(&profile("reader"))
        .put_all(&clips)
        .send()
        .await
        .expect("seed");

    // `TRUSS_E2E_COUNT=<lib|raw>:<n>`: `n` collection queries of one side
    // and nothing else, for instruction counts under callgrind
    // (`(count(n) - count(m)) / (n - m)` is the cost of one query, the
    // engine's included).
    if let Ok(spec) = std::env::var("TRUSS_E2E_COUNT") {
        let Some((side, Ok(n))) = spec.split_once(':').map(|(s, n)| (s, n.parse::<usize>())) else {
            panic!("TRUSS_E2E_COUNT=<lib|raw>:<n>, got {spec:?}");
        };
        for _ in 0..n {
            if side == "lib" {
                std::hint::black_box(lib_collection(&ctx).await);
            } else {
                std::hint::black_box(raw_collection(&ctx).await);
            }
        }
        return;
    }
    println!(
        "# End to end against {} (interleaved, one warm client)\n",
        ENGINE.get().copied().unwrap_or("?")
    );
    println!(
        "| operation | truss-model p50 | raw p50 | truss-model p99 | raw p99 | throughput ratio: median of {REPS} (range) | per-round ratio: median (95% CI) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let get = |i: usize| clips[i % clips.len()].clone();
    pair(
        &ctx,
        "get",
        ROUNDS,
        |i| lib_get(&ctx, get(i)),
        |i| raw_get(&ctx, get(i)),
    )
    .await;
    pair(
        &ctx,
        "put",
        ROUNDS,
        |i| lib_put(&ctx, i),
        |i| raw_put(&ctx, i),
    )
    .await;
    pair(
        &ctx,
        "query, 20-item page",
        ROUNDS,
        |_| lib_query(&ctx),
        |_| raw_query(&ctx),
    )
    .await;
    pair(
        &ctx,
        "collection query (21 items, 2 types)",
        ROUNDS,
        |_| lib_collection(&ctx),
        |_| raw_collection(&ctx),
    )
    .await;
    pair(
        &ctx,
        "batch write, 1,000 items",
        BATCH_ROUNDS,
        |i| lib_batch(&ctx, i, 1000),
        |i| raw_batch(&ctx, i, 1000),
    )
    .await;
    bulk(
        &ctx,
        "Bulk: {BULK} items (batches: median of 5, interleaved)",
        10_000,
    )
    .await;
    let rtt = Duration::from_millis(2);
    let remote = context(&name, Some(rtt)).await;
    bulk(
        &remote,
        "Bulk over a simulated 2 ms network round trip: {BULK} items (batches: median of 5, interleaved)",
        20_000,
    )
    .await;
}

/// Checks that both send the same requests, warms up, then times them
/// interleaved (alternating which goes first) in `REPS` repetitions of
/// `rounds` rounds each, and prints one table row: pooled p50 and p99, the
/// throughput ratio (raw time / library time) as the median of the
/// repetitions with their range, and the median of the per-round ratios
/// with its 95% confidence interval (each round runs both back to back, so
/// this is robust to the server's pauses that dominate a sum).
async fn pair<L, R, LF, RF>(ctx: &Ctx, name: &str, rounds: usize, mut lib: L, mut raw: R)
where
    L: FnMut(usize) -> LF,
    R: FnMut(usize) -> RF,
    LF: Future<Output = usize>,
    RF: Future<Output = usize>,
{
    if !selected(name) {
        return;
    }
    ctx.counter.take();
    let lib_items = lib(usize::MAX / 2).await;
    let lib_requests = ctx.counter.take();
    let raw_items = raw(usize::MAX / 2 + 1).await;
    let raw_requests = ctx.counter.take();
    assert_eq!(lib_requests, raw_requests, "{name}: the same requests");
    assert_eq!(lib_items, raw_items, "{name}: the same items");
    for i in 0..rounds.min(20) {
        lib(i).await;
        raw(i).await;
    }
    let (mut all_lib, mut all_raw) = (Vec::new(), Vec::new());
    let mut per_rep = Vec::with_capacity(REPS);
    let mut per_round = Vec::with_capacity(REPS * rounds);
    for rep in 0..REPS {
        let (mut l, mut r) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
        for j in 0..rounds {
            let i = 1_000 + rep * rounds + j;
            if i.is_multiple_of(2) {
                l.push(timed(lib(i)).await);
                r.push(timed(raw(i)).await);
            } else {
                r.push(timed(raw(i)).await);
                l.push(timed(lib(i)).await);
            }
        }
        per_rep.push(
            r.iter().sum::<Duration>().as_secs_f64() / l.iter().sum::<Duration>().as_secs_f64(),
        );
        per_round.extend(
            l.iter()
                .zip(&r)
                .map(|(l, r)| r.as_secs_f64() / l.as_secs_f64()),
        );
        all_lib.extend(l);
        all_raw.extend(r);
    }
    per_rep.sort_by(f64::total_cmp);
    per_round.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[v.len() / 2];
    // The 95% confidence interval of the per-round median, by order
    // statistics: the ranks n/2 ± 1.96·√n/2 of the sorted ratios.
    let n = per_round.len() as f64;
    let half = 1.96 * n.sqrt() / 2.0;
    let low = per_round[((n / 2.0 - half).floor().max(0.0)) as usize];
    let high = per_round[((n / 2.0 + half).ceil() as usize).min(per_round.len() - 1)];
    println!(
        "| {name} | {} | {} | {} | {} | {:.3} ({:.3} to {:.3}) | {:.3} ({low:.3} to {high:.3}) |",
        ms(percentile(&mut all_lib, 0.50)),
        ms(percentile(&mut all_raw, 0.50)),
        ms(percentile(&mut all_lib, 0.99)),
        ms(percentile(&mut all_raw, 0.99)),
        median(&per_rep),
        per_rep[0],
        per_rep[per_rep.len() - 1],
        median(&per_round),
    );
}

/// Whether the row `name` runs: every row when the command line names
/// none, otherwise those whose names contain a word given (options such
/// as cargo's `--bench` are not words).
fn selected(name: &str) -> bool {
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    words.is_empty() || words.iter().any(|w| name.contains(w.as_str()))
}

async fn timed(f: impl Future<Output = usize>) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f.await);
    start.elapsed()
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn key(pk: String, sk: String) -> [(String, AttributeValue); 2] {
    [
        ("PK".to_owned(), AttributeValue::S(pk)),
        ("SK".to_owned(), AttributeValue::S(sk)),
    ]
}

// ------------------------------------------------------------------ get

async fn lib_get(ctx: &Ctx, c: Clip) -> usize {
    let key = Clip::key(c.creator_id, c.created_at, c.clip_id);
    ctx.table.get(key).await.expect("get").map_or(0, |_| 1)
}

async fn raw_get(ctx: &Ctx, c: Clip) -> usize {
    let [pk, sk] = key(format!("CREATOR#{}", c.creator_id), clip_sk(&c));
    let out = ctx
        .client
        .get_item()
        .table_name(&ctx.name)
        .key(pk.0, pk.1)
        .key(sk.0, sk.1)
        .send()
        .await
        .expect("get");
    out.item
        .map(|item| clip_hand_decode(item).expect("a clip"))
        .map_or(0, |_| 1)
}

// ------------------------------------------------------------------ put

async fn lib_put(ctx: &Ctx, i: usize) -> usize {
    let c = clip_at("writer-lib", (i % 100_000) as u32);
    ctx.table.put(&c).await.expect("put");
    1
}

async fn raw_put(ctx: &Ctx, i: usize) -> usize {
    let c = clip_at("writer-raw", (i % 100_000) as u32);
    ctx.client
        .put_item()
        .table_name(&ctx.name)
        .set_item(Some(clip_hand_encode(&c)))
        .send()
        .await
        .expect("put");
    1
}

// ---------------------------------------------------------------- query

async fn lib_query(ctx: &Ctx) -> usize {
    let page = ctx
        .table
        .query(Clip::partition("reader"))
        .page_size(20)
        .page()
        .await
        .expect("query");
    page.items.len()
}

async fn raw_query(ctx: &Ctx) -> usize {
    let out = ctx
        .client
        .query()
        .table_name(&ctx.name)
        .key_condition_expression("#pk = :pk AND begins_with(#sk, :sk)")
        .expression_attribute_names("#pk", "PK")
        .expression_attribute_names("#sk", "SK")
        .expression_attribute_values(":pk", AttributeValue::S("CREATOR#reader".into()))
        .expression_attribute_values(":sk", AttributeValue::S("CLIP#".into()))
        .limit(20)
        .send()
        .await
        .expect("query");
    let clips: Vec<Clip> = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|item| clip_hand_decode(item).expect("a clip"))
        .collect();
    clips.len()
}

async fn lib_collection(ctx: &Ctx) -> usize {
    let page = ctx
        .table
        .query(Clip::partition("reader").collection::<CreatorItem>())
        .page()
        .await
        .expect("query");
    page.items.len()
}

async fn raw_collection(ctx: &Ctx) -> usize {
    let out = ctx
        .client
        .query()
        .table_name(&ctx.name)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", "PK")
        .expression_attribute_values(":pk", AttributeValue::S("CREATOR#reader".into()))
        .send()
        .await
        .expect("query");
    let items: Vec<CreatorItem> = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|item| match item.get("SK").and_then(|sk| sk.as_s().ok()) {
            Some(sk) if sk == "PROFILE" => {
                CreatorItem::Profile(profile_hand_decode(item).expect("a profile"))
            }
            Some(sk) if sk.starts_with("CLIP#") => {
                CreatorItem::Clip(clip_hand_decode(item).expect("a clip"))
            }
            other => panic!("unexpected item {other:?}"),
        })
        .collect();
    items.len()
}

// ---------------------------------------------------------------- batch

fn batch_clips(who: &str, round: usize, n: u32) -> Vec<Clip> {
    let creator = format!("{who}-{}", round % 1_000_000);
    (0..n).map(|i| clip_at(&creator, i)).collect()
}

async fn lib_batch(ctx: &Ctx, round: usize, n: u32) -> usize {
    let clips = batch_clips("batch-lib", round, n);
    let summary = ctx
        .table
        .batch_write()
        .concurrency(CONCURRENCY)
        .put_all(&clips)
        .send()
        .await
        .expect("batch");
    summary.written
}

/// The hand-tuned raw loop: chunks of 25, `CONCURRENCY` requests in flight,
/// unprocessed items resent with a short backoff.
async fn raw_batch(ctx: &Ctx, round: usize, n: u32) -> usize {
    let clips = batch_clips("batch-raw", round, n);
    let requests: Vec<Vec<WriteRequest>> = clips
        .chunks(25)
        .map(|chunk| {
            chunk
                .iter()
                .map(|c| {
                    let put = PutRequest::builder()
                        .set_item(Some(clip_hand_encode(c)))
                        .build()
                        .expect("put request");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect()
        })
        .collect();
    futures::stream::iter(requests)
        .map(|mut writes| async move {
            let mut n = 0;
            let mut attempt = 0;
            while !writes.is_empty() {
                let len = writes.len();
                let out = ctx
                    .client
                    .batch_write_item()
                    .request_items(&ctx.name, writes)
                    .send()
                    .await?;
                writes = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&ctx.name))
                    .unwrap_or_default();
                n += len - writes.len();
                if !writes.is_empty() {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
                }
            }
            Ok::<usize, aws_sdk_dynamodb::Error>(n)
        })
        .buffer_unordered(CONCURRENCY)
        .try_fold(0, |sum, n| async move { Ok(sum + n) })
        .await
        .expect("batch")
}

// ----------------------------------------------------------------- bulk

async fn bulk(ctx: &Ctx, title: &str, base: usize) {
    if !selected("bulk") {
        return;
    }
    // Interleaved: library batch, raw batch, five times each.
    let (mut lib, mut raw) = (Vec::new(), Vec::new());
    for round in 0..5 {
        lib.push(timed(lib_batch(ctx, base + round, BULK)).await);
        raw.push(timed(raw_batch(ctx, base + round, BULK)).await);
    }
    let sequential = timed(async {
        let clips = batch_clips("bulk-seq", base, BULK);
        for c in &clips {
            ctx.table.put(c).await.expect("put");
        }
        clips.len()
    })
    .await;
    let (lib, raw) = (percentile(&mut lib, 0.5), percentile(&mut raw, 0.5));
    let rate = |d: Duration| f64::from(BULK) / d.as_secs_f64();
    println!("\n# {}\n", title.replace("{BULK}", &BULK.to_string()));
    println!("| method | time | items/s | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| truss-model `batch_write` (concurrency {CONCURRENCY}) | {:.2} s | {:.0} | 1.00 |",
        lib.as_secs_f64(),
        rate(lib)
    );
    println!(
        "| raw BatchWriteItem loop, same concurrency | {:.2} s | {:.0} | truss-model / raw = {:.3} |",
        raw.as_secs_f64(),
        rate(raw),
        rate(lib) / rate(raw)
    );
    println!(
        "| truss-model sequential `put` | {:.2} s | {:.0} | batch / sequential = {:.1}x |",
        sequential.as_secs_f64(),
        rate(sequential),
        rate(lib) / rate(sequential)
    );
}
