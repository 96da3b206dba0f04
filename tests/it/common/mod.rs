//! Shared helpers for the integration tests: a client for the engine the
//! run uses (the embedded one, or DynamoDB Local when the project's script
//! sets `AWS_ENDPOINT_URL_DYNAMODB`), a fresh table per test, and entities
//! modelled on the seed designs.
#![allow(dead_code)]

pub mod capacity;
pub mod faults;
pub mod js;
pub mod projections;

/// JavaScript's `toISOString()` as a serde adapter: always three fractional
/// digits (`2025-06-01T12:00:00.000Z`), as DynamoDB-Toolbox writes `_ct` /
/// `_md`.
pub mod js_iso {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use truss_model::{Entity, Table};

/// The engine a test run talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// truss-model's embedded engine (feature `local`), started once per
    /// test binary: the default.
    Embedded,
    /// AWS DynamoDB Local at `AWS_ENDPOINT_URL_DYNAMODB`, the reference
    /// (`scripts/with-dynamodb-local cargo test ...`).
    DynamoDbLocal,
}

/// The engine of this run: DynamoDB Local when `AWS_ENDPOINT_URL_DYNAMODB`
/// is set, the embedded engine otherwise. A run never reaches AWS.
pub fn engine() -> Engine {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) if !url.is_empty() => Engine::DynamoDbLocal,
        _ => Engine::Embedded,
    }
}

/// The embedded engine of this test binary (started on first use), when
/// the run uses it.
pub fn local_engine() -> Option<&'static truss_model::local::LocalEngine> {
    static ENGINE: std::sync::OnceLock<truss_model::local::LocalEngine> =
        std::sync::OnceLock::new();
    (engine() == Engine::Embedded).then(|| {
        ENGINE.get_or_init(|| {
            truss_model::local::LocalEngine::start()
                .unwrap_or_else(|e| panic!("the embedded engine did not start: {e}"))
        })
    })
}

/// The endpoint of this run's engine.
pub fn endpoint() -> String {
    match local_engine() {
        Some(engine) => engine.endpoint().to_owned(),
        None => std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_default(),
    }
}

/// What another process (node) needs to reach this run's engine.
pub fn engine_env() -> Vec<(&'static str, String)> {
    let mut env = vec![("AWS_ENDPOINT_URL_DYNAMODB", endpoint())];
    if engine() == Engine::Embedded {
        env.extend([
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "local".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ]);
    }
    env
}

/// A client for this run's engine.
pub async fn client() -> Client {
    Client::new(&sdk_config().await)
}

pub(crate) async fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_at(aws_config::BehaviorVersion::latest()).await
}

/// The configuration of [`sdk_config`], at another behavior version of
/// the SDK's (its defaults, retries included, change with it).
pub(crate) async fn sdk_config_at(version: aws_config::BehaviorVersion) -> aws_config::SdkConfig {
    let defaults = aws_config::defaults(version);
    match local_engine() {
        Some(engine) => {
            defaults
                .endpoint_url(engine.endpoint())
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "local", "local", None, None, "tests",
                ))
                .load()
                .await
        }
        None => defaults.load().await,
    }
}

/// A client whose requests are counted.
pub async fn counted_client() -> (Client, truss_model::RequestCounter) {
    let counter = truss_model::RequestCounter::new();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .interceptor(counter.clone())
        .build();
    (Client::from_conf(config), counter)
}

/// A client with counted requests and injected unprocessed batch items
/// (see [`faults`]), and a fresh table on it.
pub async fn faulty_table(
    test: &str,
    faults: usize,
) -> (Table, truss_model::RequestCounter, faults::Unprocessed) {
    let counter = truss_model::RequestCounter::new();
    let injector = faults::Unprocessed::new(faults);
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .interceptor(injector.clone())
        .interceptor(counter.clone())
        .build();
    let table = Table::new(Client::from_conf(config), table_name(test));
    create(&table).await;
    counter.take();
    (table, counter, injector)
}

/// A new table whose requests are counted; the counter starts at zero.
pub async fn counted_table(test: &str) -> (Table, truss_model::RequestCounter) {
    let (client, counter) = counted_client().await;
    let table = Table::new(client, table_name(test));
    create(&table).await;
    counter.take();
    (table, counter)
}

/// A unique table name for one test.
pub fn table_name(test: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{test}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A table handle for encoding and decoding only (items, keys, stream
/// records, definitions): its client has no endpoint to reach, and no
/// request is sent.
pub fn offline_table(name: &str) -> Table {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .build();
    Table::new(aws_sdk_dynamodb::Client::from_conf(config), name)
}

/// A new, empty PK/SK table for one test.
pub async fn table(test: &str) -> Table {
    let table = Table::new(client().await, table_name(test));
    create(&table).await;
    table
}

pub async fn create(table: &Table) {
    if let Err(e) = table.definition().create().await {
        panic!(
            "could not create table `{}` on {:?} at {}: {e}",
            table.name(),
            engine(),
            endpoint()
        );
    }
}

/// Every item in the table, raw.
pub async fn scan(table: &Table) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = table
            .client()
            .scan()
            .table_name(table.name())
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan");
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

/// One item by its table keys `PK` / `SK`, raw (a consistent read).
pub async fn get_raw(table: &Table, pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
    table
        .client()
        .get_item()
        .table_name(table.name())
        .key("PK", s(pk))
        .key("SK", s(sk))
        .consistent_read(true)
        .send()
        .await
        .expect("get_item")
        .item
}

pub fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + secs, 0)
        .single()
        .expect("valid")
}

/// The seed's link: `LINK#<code>` / `META`, attributes in camelCase.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "META")]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub code: String,
    pub target: String,
    pub owner_id: String,
    pub created_at: String,
    pub clicks: u64,
}

/// The seed's daily stats: `LINK#<code>` / `STAT#<date>`.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "STAT#{date}")]
pub struct DailyStat {
    pub code: String,
    pub date: NaiveDate,
    pub count: u64,
}

/// A clip under its creator, ordered by video then time.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{video_id}#{created_at}")]
pub struct Clip {
    pub creator_id: String,
    pub video_id: String,
    pub created_at: DateTime<Utc>,
    pub title: String,
    pub virality: f32,
}

/// The creator's profile, in the same partition as the clips.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "PROFILE")]
pub struct Profile {
    pub creator_id: String,
    pub name: String,
}

/// Integer sort keys, negative ones included.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LOG#{log}", sk = "EVENT#{seq}")]
pub struct Event {
    pub log: String,
    pub seq: i64,
    pub message: String,
}

pub fn clip(creator: &str, video: &str, secs: i64) -> Clip {
    Clip {
        creator_id: creator.into(),
        video_id: video.into(),
        created_at: ts(secs),
        title: format!("{video} at {secs}"),
        virality: (secs % 100) as f32 / 100.0,
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn link(code: &str) -> Link {
    Link {
        code: code.into(),
        target: "https://docs.aws.amazon.com/dynamodb/".into(),
        owner_id: "user-001".into(),
        created_at: "2026-05-24T09:00:00Z".into(),
        clicks: 17,
    }
}

/// Writes many items concurrently with plain puts.
pub async fn put_all<E: truss_model::Entity>(table: &Table, items: &[E]) {
    use futures::StreamExt;
    futures::stream::iter(items)
        .map(|item| table.put(item).send())
        .buffer_unordered(16)
        .for_each(|r| async move { r.expect("put") })
        .await;
}

/// The seed's three `put-item` commands, attribute for attribute (no
/// `code` attribute: the library recovers it from the key).
pub async fn put_seed_items(client: &Client, table: &str) {
    client
        .put_item()
        .table_name(table)
        .item("PK", s("LINK#aK9xQ2z"))
        .item("SK", s("META"))
        .item("target", s("https://docs.aws.amazon.com/dynamodb/"))
        .item("ownerId", s("user-001"))
        .item("createdAt", s("2026-05-24T09:00:00Z"))
        .item("clicks", AttributeValue::N("17".into()))
        .send()
        .await
        .expect("put seed META");
    for (date, count) in [("2026-05-24", "5"), ("2026-05-25", "12")] {
        client
            .put_item()
            .table_name(table)
            .item("PK", s("LINK#aK9xQ2z"))
            .item("SK", s(&format!("STAT#{date}")))
            .item("count", AttributeValue::N(count.into()))
            .send()
            .await
            .expect("put seed STAT");
    }
}

/// One item by raw GetItem, as another tool would read it.
pub async fn raw_get(
    client: &Client,
    table: &str,
    pk: &str,
    sk: &str,
) -> HashMap<String, AttributeValue> {
    client
        .get_item()
        .table_name(table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .send()
        .await
        .expect("raw GetItem")
        .item
        .expect("the item exists")
}

/// A link's META item written by another tool, whose `clicks` is not a
/// number.
pub async fn put_malformed_link(table: &Table, code: &str) {
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s(&format!("LINK#{code}")))
        .item("SK", s("META"))
        .item("target", s("t"))
        .item("ownerId", s("o"))
        .item("createdAt", s("c"))
        .item("clicks", s("not a number"))
        .send()
        .await
        .expect("put malformed link");
}

/// Asserts a Decode error of `entity` on `field`, whose message names all
/// of `parts`.
pub fn assert_decode(err: &truss_model::Error, entity: &str, field: &str, parts: &[&str]) {
    match err {
        truss_model::Error::Decode {
            entity: e,
            field: f,
            message,
            ..
        } => {
            assert_eq!(*e, entity, "{err}");
            assert_eq!(f.as_deref(), Some(field), "{err}");
            for part in parts {
                assert!(message.contains(part), "`{part}` not in: {message}");
            }
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

/// A DynamoDB Streams client for the same engine (both serve the Streams
/// API on their one port).
pub async fn streams_client() -> aws_sdk_dynamodbstreams::Client {
    let config = sdk_config().await;
    let config = aws_sdk_dynamodbstreams::config::Builder::from(&config)
        .endpoint_url(endpoint())
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(config)
}
