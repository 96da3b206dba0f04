//! The URL shortener's HTTP service (examples/url_shortener_http) against
//! DynamoDB Local: the router served on a free 127.0.0.1 port, driven by a
//! real HTTP client (reqwest). Create, redirect with `Location` and the
//! click counted, owner pages with cursors, stats; every client error with
//! its status and nothing written; a DynamoDB failure as a bare 503.

use crate::common::*;
use crate::shortener::Shortener;
use crate::shortener_http::{router, LinkPage, Stats, MAX_CODE_LEN};
use reqwest::StatusCode;
use serde_json::{json, Value};
use truss_model::Table;

/// Serves the router over a fresh table on a free port; returns its base
/// URL and the table.
async fn serve(test: &str) -> (String, Table) {
    let table = Table::new(client().await, table_name(test));
    Shortener::new(table.clone())
        .ensure_table()
        .await
        .expect("create the table");
    (serve_table(table.clone()).await, table)
}

async fn serve_table(table: Table) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("address");
    let app = router(Shortener::new(table));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

async fn create(base: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{base}/links"))
        .json(&body)
        .send()
        .await
        .expect("POST /links")
}

#[tokio::test]
async fn create_redirect_count_and_stats() {
    let (base, _table) = serve("http-flow").await;
    let response = create(
        &base,
        json!({"target": "https://example.com/docs?x=1", "ownerId": "user-001"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let link: Value = response.json().await.expect("JSON");
    let code = link["code"].as_str().expect("a code").to_owned();
    assert_eq!(code.len(), 7);
    assert_eq!(link["target"], "https://example.com/docs?x=1");
    assert_eq!(link["ownerId"], "user-001");
    assert_eq!(link["clicks"], 0);
    assert!(link["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')));

    for expected_clicks in 1..=2 {
        let redirect = http()
            .get(format!("{base}/{code}"))
            .send()
            .await
            .expect("GET /{code}");
        assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(
            redirect.headers()["location"],
            "https://example.com/docs?x=1"
        );
        let stats: Stats = http()
            .get(format!("{base}/{code}/stats"))
            .send()
            .await
            .expect("GET stats")
            .json()
            .await
            .expect("JSON");
        assert_eq!(stats.link.clicks, expected_clicks);
        assert_eq!(stats.stats.len(), 1);
        assert_eq!(stats.stats[0].count, expected_clicks);
        assert_eq!(stats.stats[0].date, chrono::Utc::now().date_naive());
    }
    // Without an owner: created, and in no owner's pages.
    let anonymous = create(&base, json!({"target": "http://example.org"})).await;
    assert_eq!(anonymous.status(), StatusCode::CREATED);
    let anonymous: Value = anonymous.json().await.expect("JSON");
    assert_eq!(anonymous["ownerId"], Value::Null);
}

#[tokio::test]
async fn owner_pages_follow_the_cursor() {
    let (base, _table) = serve("http-pages").await;
    let mut created = Vec::new();
    for i in 0..23 {
        let response = create(
            &base,
            json!({"target": format!("https://example.com/{i}"), "ownerId": "user-7"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let link: Value = response.json().await.expect("JSON");
        created.push(link["code"].as_str().expect("code").to_owned());
    }
    create(
        &base,
        json!({"target": "https://example.com/other", "ownerId": "user-8"}),
    )
    .await;

    let page = |cursor: Option<String>| {
        let base = base.clone();
        async move {
            let mut request = http()
                .get(format!("{base}/links"))
                .query(&[("owner", "user-7")]);
            if let Some(cursor) = cursor {
                request = request.query(&[("cursor", cursor)]);
            }
            let response = request.send().await.expect("GET /links");
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<LinkPage>().await.expect("JSON")
        }
    };
    let first = page(None).await;
    assert_eq!(first.links.len(), 20);
    let cursor = first.cursor.clone().expect("a second page");
    let second = page(Some(cursor)).await;
    assert_eq!(second.links.len(), 3);
    assert_eq!(second.cursor, None);
    let mut seen: Vec<String> = first
        .links
        .iter()
        .chain(&second.links)
        .map(|l| l.code.clone())
        .collect();
    // Newest first across both pages.
    let times: Vec<_> = first
        .links
        .iter()
        .chain(&second.links)
        .map(|l| l.created_at)
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    seen.sort();
    created.sort();
    assert_eq!(seen, created);
}

#[tokio::test]
async fn client_errors_have_their_status_and_write_nothing() {
    let (base, table) = serve("http-errors").await;
    let made = create(
        &base,
        json!({"target": "https://example.com", "ownerId": "user-1"}),
    )
    .await;
    let made: Value = made.json().await.expect("JSON");
    let before = scan(&table).await;

    let get = |path: String| {
        let base = base.clone();
        async move {
            let response = http()
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("GET");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    // Unknown codes.
    assert_eq!(get("/nosuch1".into()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get("/nosuch1/stats".into()).await.0, StatusCode::NOT_FOUND);
    // Empty and oversized codes.
    let (status, body) = get("/".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("empty")));
    let long = "x".repeat(MAX_CODE_LEN + 1);
    assert_eq!(get(format!("/{long}")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        get(format!("/{long}/stats")).await.0,
        StatusCode::BAD_REQUEST
    );
    // Owner listing: missing or empty owner, forged and foreign cursors.
    assert_eq!(get("/links".into()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get("/links?owner=".into()).await.0, StatusCode::BAD_REQUEST);
    let (status, body) = get("/links?owner=user-1&cursor=forged".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    for i in 0..21 {
        create(
            &base,
            json!({"target": format!("https://e.com/{i}"), "ownerId": "user-2"}),
        )
        .await;
    }
    let page: LinkPage = http()
        .get(format!("{base}/links?owner=user-2"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    let foreign = page.cursor.expect("a cursor of user-2's pages");
    let (status, body) = get(format!(
        "/links?owner=user-1&cursor={}",
        urlencode(&foreign)
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let before = {
        // user-2's links were meant to be written; nothing else since.
        let mut before = before;
        before.extend(
            scan(&table)
                .await
                .into_iter()
                .filter(|i| i.get("ownerId") == Some(&s("user-2"))),
        );
        before
    };

    // Bodies: invalid JSON, wrong shapes, bad targets, empty owner.
    let post = |body: String, content_type: Option<&'static str>| {
        let base = base.clone();
        async move {
            let mut request = http().post(format!("{base}/links")).body(body);
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request.send().await.expect("POST").status()
        }
    };
    let json_type = Some("application/json");
    for (body, content_type) in [
        ("{not json".to_owned(), json_type),
        ("{\"target\": 5}".to_owned(), json_type),
        ("{\"ownerId\": \"u\"}".to_owned(), json_type),
        (
            "{\"target\": \"https://e.com\", \"extra\": 1}".to_owned(),
            json_type,
        ),
        ("{\"target\": \"https://e.com\"}".to_owned(), None),
        (
            json!({"target": "ftp://example.com"}).to_string(),
            json_type,
        ),
        (json!({"target": "not a url"}).to_string(), json_type),
        (json!({"target": "https://"}).to_string(), json_type),
        (
            json!({"target": "https://e.com/a b"}).to_string(),
            json_type,
        ),
        (
            json!({"target": format!("https://e.com/{}", "a".repeat(3000))}).to_string(),
            json_type,
        ),
        (
            json!({"target": "https://e.com", "ownerId": ""}).to_string(),
            json_type,
        ),
        (
            json!({"target": "https://e.com", "ownerId": "o".repeat(200)}).to_string(),
            json_type,
        ),
    ] {
        assert_eq!(
            post(body.clone(), content_type).await,
            StatusCode::BAD_REQUEST,
            "{body}"
        );
    }
    let mut after = scan(&table).await;
    let mut before = before;
    let key = |i: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>| {
        format!("{:?}{:?}", i.get("PK"), i.get("SK"))
    };
    after.sort_by_key(key);
    before.sort_by_key(key);
    before.dedup_by_key(|i| key(i));
    assert_eq!(after, before, "no request above wrote anything");
    assert_eq!(made["clicks"], 0);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_dynamodb_failure_is_a_503_without_internal_detail() {
    // A real failure from DynamoDB Local: the table does not exist.
    let missing = Table::new(client().await, table_name("http-missing-table"));
    let base = serve_table(missing.clone()).await;
    let response = http()
        .get(format!("{base}/abc1234"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = response.text().await.expect("body");
    assert!(!body.contains(missing.name()), "{body}");
    assert!(!body.contains("ResourceNotFound"), "{body}");
    assert!(!body.contains("DynamoDB"), "{body}");
    let created = create(&base, json!({"target": "https://example.com"})).await;
    assert_eq!(created.status(), StatusCode::SERVICE_UNAVAILABLE);
}
