//! The URL-shortener example's access patterns against DynamoDB Local:
//! content, request counts, concurrency and interop with the seed's items.

use crate::common;
use crate::shortener as model;

use crate::common::{date, raw_get, s, scan};
use chrono::{TimeZone, Utc};
use futures::future::join_all;
use model::{DailyStat, Link, Shortener};
use std::collections::BTreeMap;
use truss_model::Error;

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

async fn app(test: &str) -> (Shortener, truss_model::RequestCounter) {
    let (client, counter) = common::counted_client().await;
    let table = truss_model::Table::new(client, common::table_name(test));
    let app = Shortener::new(table);
    assert!(app.ensure_table().await.unwrap());
    counter.take();
    (app, counter)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).single().unwrap()
}

fn fixed(code: &str) -> impl FnMut() -> String + '_ {
    move || code.to_owned()
}

#[tokio::test]
async fn each_access_pattern_costs_what_it_should() {
    let (app, counter) = app("short-requests").await;
    let link = app
        .create("https://a.example", Some("u1"), now(), fixed("c1"))
        .await
        .unwrap();
    assert_eq!(counter.take(), counts(&[("PutItem", 1)]), "create");

    assert_eq!(app.open("c1").await.unwrap(), Some(link.clone()));
    assert_eq!(counter.take(), counts(&[("GetItem", 1)]), "open");

    app.click("c1", date(2026, 5, 24)).await.unwrap();
    assert_eq!(
        counter.take(),
        counts(&[("UpdateItem", 2)]),
        "click: link counter + day counter"
    );

    let dashboard = app.dashboard("c1").await.unwrap().unwrap();
    assert_eq!(counter.take(), counts(&[("Query", 1)]), "dashboard");
    assert_eq!(dashboard.link.clicks, 1);
    assert_eq!(
        dashboard.stats,
        [DailyStat {
            code: "c1".into(),
            date: date(2026, 5, 24),
            count: 1
        }]
    );

    let page = app.list_by_owner("u1", None).await.unwrap();
    assert_eq!(counter.take(), counts(&[("Query", 1)]), "list page");
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn hundred_concurrent_clicks_count_exactly() {
    let (app, _) = app("short-clicks").await;
    app.create("https://a.example", None, now(), fixed("hot"))
        .await
        .unwrap();
    let day = date(2026, 5, 25);
    let results = join_all((0..100).map(|_| app.click("hot", day))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let dashboard = app.dashboard("hot").await.unwrap().unwrap();
    assert_eq!(dashboard.link.clicks, 100);
    assert_eq!(dashboard.stats.len(), 1);
    assert_eq!(dashboard.stats[0].count, 100);
}

#[tokio::test]
async fn click_on_a_missing_link_is_not_found() {
    let (app, _) = app("short-click-missing").await;
    let err = app.click("ghost", date(2026, 5, 25)).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { entity: "Link", .. }),
        "{err:?}"
    );
    assert!(
        scan(&app.table).await.is_empty(),
        "a failed click wrote something"
    );
}

#[tokio::test]
async fn fifty_concurrent_creates_of_one_code_have_one_winner() {
    let (app, _) = app("short-race").await;
    let attempts = (0..50).map(|i| {
        let app = app.clone();
        async move {
            // One attempt each: the code is fixed, so no retry can succeed.
            let target = format!("https://winner-{i}.example");
            let result = app
                .table
                .create(&Link {
                    code: "same".into(),
                    target: target.clone(),
                    owner_id: None,
                    created_at: now(),
                    clicks: 0,
                })
                .await;
            (target, result)
        }
    });
    let results = join_all(attempts).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(t, _)| t)
        .collect();
    let already: usize = results
        .iter()
        .filter(|(_, r)| matches!(r, Err(Error::AlreadyExists { .. })))
        .count();
    assert_eq!(winners.len(), 1);
    assert_eq!(already, 49);
    let stored = app.open("same").await.unwrap().unwrap();
    assert_eq!(
        &stored.target, winners[0],
        "the stored link is the winner's"
    );
}

#[tokio::test]
async fn a_taken_code_is_retried_with_a_new_one() {
    let (app, _) = app("short-retry").await;
    app.create("https://first.example", None, now(), fixed("taken"))
        .await
        .unwrap();
    let mut codes = ["taken", "taken", "fresh"].into_iter();
    let link = app
        .create("https://second.example", None, now(), || {
            codes.next().unwrap().to_owned()
        })
        .await
        .unwrap();
    assert_eq!(link.code, "fresh");
    assert_eq!(
        app.open("taken").await.unwrap().unwrap().target,
        "https://first.example"
    );
    let err = app
        .create("https://third.example", None, now(), fixed("taken"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
}

#[tokio::test]
async fn owners_list_is_newest_first_paginated_and_sparse() {
    let (app, counter) = app("short-list").await;
    for i in 0..45 {
        let code = format!("u{i:02}");
        app.create(
            "https://a.example",
            Some("user-001"),
            now() + chrono::Duration::seconds(i),
            fixed(&code),
        )
        .await
        .unwrap();
    }
    app.create("https://a.example", None, now(), fixed("nobody"))
        .await
        .unwrap();
    counter.take();

    let mut codes = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = app.list_by_owner("user-001", cursor.take()).await.unwrap();
        pages += 1;
        codes.extend(page.items.into_iter().map(|l| l.code));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(counter.take().get("Query"), Some(&pages));
    assert_eq!(pages, 3);
    let expected: Vec<_> = (0..45).rev().map(|i| format!("u{i:02}")).collect();
    assert_eq!(codes, expected);
    assert!(!codes.contains(&"nobody".to_string()));
    let nobody = app.open("nobody").await.unwrap().unwrap();
    assert_eq!(nobody.owner_id, None);
    let raw = scan(&app.table).await;
    let item = raw.iter().find(|i| i["PK"] == s("LINK#nobody")).unwrap();
    assert!(!item.contains_key("GSI1PK"), "sparse: no index attributes");
}

#[tokio::test]
async fn seed_items_written_like_the_cli_are_read_and_ours_read_back_raw() {
    let (app, _) = app("short-interop").await;
    let (client, table) = (app.table.client(), app.table.name());
    common::put_seed_items(client, table).await;
    // The seed wrote its link before the design added the owner index: the
    // item lacks GSI1PK / GSI1SK, so a read refuses it rather than let a
    // put-back add index keys silently.
    match app.open("aK9xQ2z").await {
        Err(Error::Decode { message, .. }) => {
            assert!(message.contains("index `GSI1`"), "{message}");
            assert!(
                message.contains("lacks key attribute `GSI1PK`"),
                "{message}"
            );
        }
        other => panic!("expected a decode error naming GSI1, got {other:?}"),
    }
    // The backfill that adds the index reads them with the explicit
    // allowance and writes the keys.
    let progress = app
        .table
        .scan::<Link>()
        .reindex()
        .run(truss_model::migrate::Rewrite::Put)
        .await
        .expect("backfill GSI1");
    assert_eq!(progress.put, 1);
    let meta = raw_get(client, table, "LINK#aK9xQ2z", "META").await;
    assert_eq!(meta["GSI1PK"], s("OWNER#user-001"));
    assert_eq!(meta["GSI1SK"], s("LINK#2026-05-24T09:00:00.000000000Z"));
    let opened = app.open("aK9xQ2z").await.unwrap().unwrap();
    assert_eq!((opened.code.as_str(), opened.clicks), ("aK9xQ2z", 17));
    assert_eq!(opened.created_at, now());
    let dashboard = app.dashboard("aK9xQ2z").await.unwrap().unwrap();
    let counts: Vec<_> = dashboard.stats.iter().map(|s| (s.date, s.count)).collect();
    assert_eq!(counts, [(date(2026, 5, 24), 5), (date(2026, 5, 25), 12)]);

    // A click through the library, read back with the seed's own GetItem.
    app.click("aK9xQ2z", date(2026, 5, 25)).await.unwrap();
    let meta = raw_get(client, table, "LINK#aK9xQ2z", "META").await;
    assert_eq!(meta["clicks"].as_n().unwrap(), "18");
    assert_eq!(meta["target"], s("https://docs.aws.amazon.com/dynamodb/"));
    let stat = raw_get(client, table, "LINK#aK9xQ2z", "STAT#2026-05-25").await;
    assert_eq!(stat["count"].as_n().unwrap(), "13");

    let created = app
        .create(
            "https://new.example",
            Some("user-002"),
            now(),
            fixed("nEw1234"),
        )
        .await
        .unwrap();
    let raw = raw_get(client, table, "LINK#nEw1234", "META").await;
    assert_eq!(raw["target"], s(&created.target));
    assert_eq!(raw["ownerId"], s("user-002"));
    assert_eq!(raw["createdAt"], s("2026-05-24T09:00:00Z"));
    assert_eq!(raw["clicks"].as_n().unwrap(), "0");
}

/// Pattern 5: clicks recorded as one UpdateItem each reach the daily stats
/// through the stream consumer, which reads the link's MODIFY records.
#[tokio::test]
async fn clicks_reach_the_daily_stats_through_the_stream_consumer() {
    use crate::shortener::LinkItem;
    use truss_model::stream::{StartAt, StreamChange};
    let table = truss_model::Table::new(
        common::client().await,
        common::table_name("shortener-stream"),
    );
    let app = Shortener::new(table.clone());
    assert!(app.ensure_table_with_stream().await.expect("create"));
    let mut reader = table
        .stream_reader(common::streams_client().await, StartAt::Oldest)
        .await
        .expect("open the stream");
    let now = chrono::Utc::now();
    let mut code = Some("s7r3am1".to_owned());
    let link = app
        .create("https://example.com/s", None, now, || {
            code.take().unwrap_or_default()
        })
        .await
        .expect("create");
    for _ in 0..5 {
        assert!(app.record_click(&link.code).await.expect("click").is_some());
    }
    assert_eq!(app.record_click("missing").await.expect("no link"), None);
    // Before the consumer runs: clicks on the link, no stat.
    let before = app
        .dashboard(&link.code)
        .await
        .expect("read")
        .expect("link");
    assert_eq!((before.link.clicks, before.stats.len()), (5, 0));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut changes = 0;
    while changes < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {changes} of 6 records"
        );
        for record in reader.poll().await.expect("poll") {
            let change: StreamChange<LinkItem> = table.change(record).expect("a link item");
            app.apply_change(&change).await.expect("apply");
            changes += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let after = app
        .dashboard(&link.code)
        .await
        .expect("read")
        .expect("link");
    assert_eq!(after.link.clicks, 5);
    assert_eq!(after.stats.len(), 1);
    assert_eq!(after.stats[0].count, 5);
    assert_eq!(after.stats[0].date, chrono::Utc::now().date_naive());
}
