//! How long the embedded engine (feature `local`) takes to start: until its
//! port listens, and until a first request on a new client is answered.
//! DynamoDB Local's start (a JVM) is timed in BENCHMARKS.md with the
//! project's script.
//!
//! `cargo bench --bench engine`

use criterion::{criterion_group, criterion_main, Criterion};
use truss_model::local::LocalEngine;

fn start(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let mut group = c.benchmark_group("engine");
    group.sample_size(30);
    group.bench_function("start and stop", |b| {
        b.iter(|| drop(LocalEngine::start().expect("start")))
    });
    group.bench_function("start, first request answered, stop", |b| {
        b.iter(|| {
            let engine = LocalEngine::start().expect("start");
            let client = engine.client();
            runtime.block_on(async {
                client.list_tables().send().await.expect("ListTables");
            });
        })
    });
    group.finish();
}

criterion_group!(benches, start);
criterion_main!(benches);
