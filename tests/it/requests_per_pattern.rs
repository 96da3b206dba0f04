//! The requests each access pattern of both examples sends, measured with
//! the request counter against DynamoDB Local and compared with the table
//! published in BENCHMARKS.md: a regression to N+1 requests, or a table that
//! no longer tells the truth, fails here.

use crate::common;
use crate::{saas, shortener};

use crate::common::date;
use chrono::{Duration, TimeZone, Utc};
use truss_model::{RequestCounter, Table};

/// A client counted by `counter`.
async fn counted_client_of(counter: &RequestCounter) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::from(&common::sdk_config().await)
        .interceptor(counter.clone())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

const START: &str = "<!-- requests-per-pattern:start -->";
const END: &str = "<!-- requests-per-pattern:end -->";

struct Rows {
    counter: RequestCounter,
    rows: Vec<String>,
}

impl Rows {
    /// Records what was sent since the last call as one row.
    fn row(&mut self, example: &str, pattern: &str) {
        let sent = self.counter.take();
        assert!(!sent.is_empty(), "{pattern}: no request counted");
        let requests = sent
            .iter()
            .map(|(op, n)| format!("{op} × {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.rows
            .push(format!("| {example} | {pattern} | {requests} |"));
    }
}

#[tokio::test]
async fn every_access_pattern_sends_what_benchmarks_md_says() {
    let (client, counter) = common::counted_client().await;
    let mut rows = Rows {
        counter: counter.clone(),
        rows: Vec::new(),
    };

    // URL shortener.
    let app = shortener::Shortener::new(Table::new(
        client.clone(),
        common::table_name("patterns-short"),
    ));
    app.ensure_table().await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).single().unwrap();
    for i in 0..24 {
        let code = format!("seed{i:02}");
        let at = now + Duration::minutes(i);
        app.create("https://a.example", Some("u1"), at, || code.clone())
            .await
            .unwrap();
    }
    counter.take();
    app.create("https://b.example", Some("u1"), now, || "fresh".to_owned())
        .await
        .unwrap();
    rows.row("url_shortener", "create a link");
    assert!(app.open("fresh").await.unwrap().is_some());
    rows.row("url_shortener", "open a link (redirect)");
    app.click("fresh", date(2026, 5, 24)).await.unwrap();
    rows.row("url_shortener", "count a click (link total + day)");
    assert!(app.dashboard("fresh").await.unwrap().is_some());
    rows.row("url_shortener", "link dashboard (link + daily stats)");
    let first = app.list_by_owner("u1", None).await.unwrap();
    assert_eq!(first.items.len(), 20);
    rows.row("url_shortener", "an owner's links, first page of 20");
    let second = app.list_by_owner("u1", first.cursor).await.unwrap();
    assert_eq!(second.items.len(), 5);
    rows.row("url_shortener", "an owner's links, next page (cursor)");

    // Creator SaaS.
    let studio = saas::Studio::new(Table::new(client, common::table_name("patterns-saas")));
    studio.ensure_table().await.unwrap();
    let seeded = studio.seed_demo("ada", 60).await.unwrap();
    counter.take();
    let dashboard = studio.dashboard("ada").await.unwrap();
    assert!(dashboard.profile.is_some());
    rows.row(
        "creator_saas",
        "dashboard (Activity index, at most 25 items)",
    );
    let clips = studio.clips("ada", None).await.unwrap();
    assert_eq!(clips.items.len(), saas::PAGE_SIZE as usize);
    rows.row("creator_saas", "clips, newest first, first page");
    studio.clips("ada", clips.cursor).await.unwrap();
    rows.row("creator_saas", "clips, next page (cursor)");
    let video = &seeded.videos[0].video_id;
    let of_video = studio.clips_of_video("ada", video, None).await.unwrap();
    assert!(!of_video.items.is_empty());
    rows.row("creator_saas", "clips of one video (GSI1)");
    studio.streams("ada", None).await.unwrap();
    rows.row("creator_saas", "streams, newest first");
    let from = seeded.analytics[0].date;
    let window = studio
        .analytics("ada", from, from + Duration::days(20))
        .await
        .unwrap();
    assert_eq!(window.len(), 21);
    rows.row("creator_saas", "analytics for a 21-day window");
    assert!(!studio.connections("ada").await.unwrap().is_empty());
    rows.row("creator_saas", "connected platforms");

    // Inside the item and indexes holding some attributes (the test
    // models of `inside`, `projection` and `index_projection`).
    use crate::index_projection::{tickets_table, Ticket, TicketCard};
    use crate::inside::{order, Order};
    use crate::projection::OrderCard;
    let orders = Table::new(
        counted_client_of(&counter).await,
        common::table_name("patterns-orders"),
    );
    common::create(&orders).await;
    for i in 0..5 {
        orders.put(&order(&format!("o{i}"))).await.unwrap();
    }
    counter.take();
    let card = orders
        .get(Order::key("Ann Lee", "o1"))
        .project::<OrderCard>()
        .await
        .unwrap();
    assert!(card.is_some());
    rows.row("orders (test model)", "an order's card (projected get)");
    let cards = orders
        .query(Order::partition("Ann Lee"))
        .project::<OrderCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(cards.len(), 5);
    rows.row(
        "orders (test model)",
        "a customer's 5 order cards (projected query)",
    );
    let snapshot = orders
        .transact_get(["o1", "o2"].map(|id| Order::key("Ann Lee", id)))
        .await
        .unwrap();
    assert!(snapshot.iter().all(Option::is_some));
    rows.row("orders (test model)", "two orders as one snapshot");
    let tickets = tickets_table(Table::new(
        counted_client_of(&counter).await,
        common::table_name("patterns-tickets"),
    ))
    .await;
    counter.take();
    let open = tickets
        .query(Ticket::bystatus("Open"))
        .hydrate()
        .all()
        .await
        .unwrap();
    assert_eq!(open.items.len(), 5);
    rows.row(
        "tickets (test model)",
        "5 open tickets through a KEYS_ONLY index, hydrated",
    );
    let cards = tickets
        .query(Ticket::byassignee("Ann Lee"))
        .project::<TicketCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(cards.len(), 10);
    rows.row(
        "tickets (test model)",
        "10 ticket cards through an INCLUDE index (projected)",
    );

    let measured = rows.rows.join("\n");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md"))
        .expect("BENCHMARKS.md");
    let published = doc
        .split_once(START)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(table, _)| {
            table
                .lines()
                .filter(|l| l.starts_with("| ") && !l.starts_with("| example"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .expect("BENCHMARKS.md has the requests-per-pattern table between its markers");
    assert_eq!(
        published, measured,
        "requests per access pattern changed; measured:\n{measured}"
    );
}
