//! The embedded engine itself (feature `local`): each test starts its own,
//! whatever engine the rest of the run uses.

use crate::common::*;
use truss_model::local::LocalEngine;
use truss_model::Table;

#[tokio::test]
async fn a_file_backed_engine_keeps_its_data_across_restarts_and_a_dropped_one_stops() {
    let dir = std::env::temp_dir().join(format!("truss-local-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("engine.db");
    let _ = std::fs::remove_file(&file);

    let engine = LocalEngine::start_at(&file).expect("start on a file");
    let table = Table::new(engine.client(), "kept");
    table
        .definition()
        .entity::<Link>()
        .create()
        .await
        .expect("create");
    table.put(&link("keptcode")).await.expect("put");
    let endpoint = engine.endpoint().to_owned();
    drop(engine);
    // Dropped: the port no longer answers.
    let addr = endpoint.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "{endpoint} still answers after drop"
    );

    let again = LocalEngine::start_at(&file).expect("start again on the file");
    assert_ne!(again.endpoint(), "", "a new port");
    let table = Table::new(again.client(), "kept");
    let got = table
        .get(Link::key("keptcode"))
        .consistent()
        .await
        .expect("get");
    assert_eq!(got, Some(link("keptcode")), "the item survived the restart");
    drop(again);

    // In memory: a new engine starts empty.
    let fresh = LocalEngine::start().expect("start in memory");
    let tables = fresh.client().list_tables().send().await.expect("list");
    assert!(
        tables.table_names().is_empty(),
        "{:?}",
        tables.table_names()
    );
    drop(fresh);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_engines_client_sleeps_so_batches_retry_on_it() {
    // Batches wait between retries with the client's sleep: a client of
    // the engine has one where they look for it, so a batch with the
    // default retry policy runs instead of being refused.
    let engine = LocalEngine::start().expect("start in memory");
    assert!(engine.client().config().sleep_impl().is_some());
    let table = Table::new(engine.client(), "slept");
    table
        .definition()
        .entity::<Link>()
        .create()
        .await
        .expect("create");
    let written = table
        .batch_write()
        .put(&link("one"))
        .put(&link("two"))
        .send()
        .await
        .expect("a batch with retries");
    assert_eq!(written.written, 2);
    let read = table
        .batch_get([Link::key("one"), Link::key("two")])
        .send()
        .await
        .expect("a batch get with retries");
    assert_eq!(read, vec![Some(link("one")), Some(link("two"))]);
}
