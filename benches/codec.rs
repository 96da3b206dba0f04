//! CPU per item, no network: key rendering + encoding to an AttributeValue
//! map + decoding back, for a typical clip (10 attributes), side by side
//! with (a) hand-written HashMap code producing the identical map and
//! (b) serde_dynamo with hand-written `format!` keys.
//!
//! `cargo bench --bench codec` (no database needed).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hint::black_box;
use truss_model::{Entity, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}#{clip_id}")]
pub struct Clip {
    pub creator_id: String,
    pub created_at: DateTime<Utc>,
    pub clip_id: String,
    pub video_id: String,
    pub title: String,
    pub virality: f64,
    pub duration_secs: u32,
    pub views: u64,
    pub published: bool,
    pub platforms: Vec<String>,
}

fn clip() -> Clip {
    Clip {
        creator_id: "creator-0001".into(),
        created_at: Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).single().unwrap(),
        clip_id: "c0042".into(),
        video_id: "v7".into(),
        title: "The best moment of the stream".into(),
        virality: 0.87,
        duration_secs: 42,
        views: 123_456,
        published: true,
        platforms: vec!["youtube".into(), "tiktok".into()],
    }
}

type Item = HashMap<String, AttributeValue>;

fn ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

/// (a) Hand-written: the same map, built and read by hand.
fn hand_encode(c: &Clip) -> Item {
    let mut item = HashMap::with_capacity(12);
    let created = ts(&c.created_at);
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("CREATOR#{}", c.creator_id)),
    );
    item.insert(
        "SK".into(),
        AttributeValue::S(format!("CLIP#{created}#{}", c.clip_id)),
    );
    item.insert("creator_id".into(), AttributeValue::S(c.creator_id.clone()));
    item.insert(
        "created_at".into(),
        AttributeValue::S(
            c.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ),
    );
    item.insert("clip_id".into(), AttributeValue::S(c.clip_id.clone()));
    item.insert("video_id".into(), AttributeValue::S(c.video_id.clone()));
    item.insert("title".into(), AttributeValue::S(c.title.clone()));
    item.insert("virality".into(), AttributeValue::N(c.virality.to_string()));
    item.insert(
        "duration_secs".into(),
        AttributeValue::N(c.duration_secs.to_string()),
    );
    item.insert("views".into(), AttributeValue::N(c.views.to_string()));
    item.insert("published".into(), AttributeValue::Bool(c.published));
    item.insert(
        "platforms".into(),
        AttributeValue::L(
            c.platforms
                .iter()
                .map(|p| AttributeValue::S(p.clone()))
                .collect(),
        ),
    );
    item
}

fn hand_decode(mut item: Item) -> Option<Clip> {
    let mut s = |k: &str| match item.remove(k) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    };
    let creator_id = s("creator_id")?;
    let created_at = DateTime::parse_from_rfc3339(&s("created_at")?)
        .ok()?
        .with_timezone(&Utc);
    let clip_id = s("clip_id")?;
    let video_id = s("video_id")?;
    let title = s("title")?;
    let n = |item: &Item, k: &str| item.get(k).and_then(|v| v.as_n().ok()).cloned();
    Some(Clip {
        creator_id,
        created_at,
        clip_id,
        video_id,
        title,
        virality: n(&item, "virality")?.parse().ok()?,
        duration_secs: n(&item, "duration_secs")?.parse().ok()?,
        views: n(&item, "views")?.parse().ok()?,
        published: *item.get("published")?.as_bool().ok()?,
        platforms: item
            .get("platforms")?
            .as_l()
            .ok()?
            .iter()
            .filter_map(|v| v.as_s().ok().cloned())
            .collect(),
    })
}

/// (b) serde_dynamo with hand-written `format!` keys.
fn serde_encode(c: &Clip) -> Item {
    let mut item: Item = serde_dynamo::to_item(c).unwrap();
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("CREATOR#{}", c.creator_id)),
    );
    item.insert(
        "SK".into(),
        AttributeValue::S(format!("CLIP#{}#{}", ts(&c.created_at), c.clip_id)),
    );
    item
}

fn serde_decode(item: Item) -> Clip {
    serde_dynamo::from_item(item).unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::for_tests())
            .load()
            .await;
        aws_sdk_dynamodb::Client::new(&config)
    });
    let table = Table::new(client, "bench");
    let clip = clip();

    // The three produce equivalent maps and read them back to the same clip.
    assert_eq!(
        table
            .from_item::<Clip>(table.to_item(&clip).unwrap())
            .unwrap(),
        clip
    );
    assert_eq!(hand_decode(hand_encode(&clip)).unwrap(), clip);
    assert_eq!(serde_decode(serde_encode(&clip)), clip);
    assert_eq!(
        table.to_item(&clip).unwrap().keys().len(),
        hand_encode(&clip).len()
    );

    let mut group = c.benchmark_group("clip_encode_decode");
    group.bench_function("hand_written", |b| {
        b.iter(|| hand_decode(hand_encode(black_box(&clip))))
    });
    group.bench_function("serde_dynamo_format_keys", |b| {
        b.iter(|| serde_decode(serde_encode(black_box(&clip))))
    });
    group.bench_function("truss_model", |b| {
        b.iter(|| {
            table
                .from_item::<Clip>(table.to_item(black_box(&clip)).unwrap())
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
