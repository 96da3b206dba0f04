//! Entities and hand-written codecs shared by the benchmarks: the
//! hand-written code is the baseline each truss-model call is measured
//! against.
#![allow(dead_code)]

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use truss_model::{Collection, Entity};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

pub fn take_s(item: &mut Item, k: &str) -> Option<String> {
    match item.remove(k) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

pub fn take_n<T: std::str::FromStr>(item: &mut Item, k: &str) -> Option<T> {
    match item.remove(k) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

pub fn take_bool(item: &mut Item, k: &str) -> Option<bool> {
    match item.remove(k) {
        Some(AttributeValue::Bool(b)) => Some(b),
        _ => None,
    }
}

pub fn strings(v: &[String]) -> AttributeValue {
    AttributeValue::L(v.iter().map(|p| s(p)).collect())
}

pub fn take_strings(item: &mut Item, k: &str) -> Option<Vec<String>> {
    match item.remove(k) {
        Some(AttributeValue::L(l)) => l
            .into_iter()
            .map(|v| match v {
                AttributeValue::S(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

// ---------------------------------------------------------------- clip

#[derive(Entity, modyne::EntityDef, Serialize, Deserialize, Debug, Clone, PartialEq)]
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

pub fn clip() -> Clip {
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

pub fn ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
}

pub fn clip_sk(c: &Clip) -> String {
    format!("CLIP#{}#{}", ts(&c.created_at), c.clip_id)
}

pub fn clip_hand_encode(c: &Clip) -> Item {
    let mut item = HashMap::with_capacity(12);
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("CREATOR#{}", c.creator_id)),
    );
    item.insert("SK".into(), AttributeValue::S(clip_sk(c)));
    item.insert("creator_id".into(), s(&c.creator_id));
    item.insert(
        "created_at".into(),
        AttributeValue::S(
            c.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ),
    );
    item.insert("clip_id".into(), s(&c.clip_id));
    item.insert("video_id".into(), s(&c.video_id));
    item.insert("title".into(), s(&c.title));
    item.insert("virality".into(), AttributeValue::N(c.virality.to_string()));
    item.insert(
        "duration_secs".into(),
        AttributeValue::N(c.duration_secs.to_string()),
    );
    item.insert("views".into(), AttributeValue::N(c.views.to_string()));
    item.insert("published".into(), AttributeValue::Bool(c.published));
    item.insert("platforms".into(), strings(&c.platforms));
    item
}

pub fn clip_hand_decode(mut item: Item) -> Option<Clip> {
    Some(Clip {
        creator_id: take_s(&mut item, "creator_id")?,
        created_at: DateTime::parse_from_rfc3339(&take_s(&mut item, "created_at")?)
            .ok()?
            .with_timezone(&Utc),
        clip_id: take_s(&mut item, "clip_id")?,
        video_id: take_s(&mut item, "video_id")?,
        title: take_s(&mut item, "title")?,
        virality: take_n(&mut item, "virality")?,
        duration_secs: take_n(&mut item, "duration_secs")?,
        views: take_n(&mut item, "views")?,
        published: take_bool(&mut item, "published")?,
        platforms: take_strings(&mut item, "platforms")?,
    })
}

pub fn clip_serde_encode(c: &Clip) -> Item {
    let mut item: Item = serde_dynamo::to_item(c).unwrap();
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("CREATOR#{}", c.creator_id)),
    );
    item.insert("SK".into(), AttributeValue::S(clip_sk(c)));
    item
}

/// A creator's profile, in the clips' partition.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "PROFILE")]
pub struct Profile {
    pub creator_id: String,
    pub name: String,
    pub bio: String,
}

pub fn profile(creator: &str) -> Profile {
    Profile {
        creator_id: creator.into(),
        name: "Ada".into(),
        bio: "Streams compilers on Tuesdays".into(),
    }
}

pub fn profile_hand_encode(p: &Profile) -> Item {
    let mut item = HashMap::with_capacity(5);
    item.insert(
        "PK".into(),
        AttributeValue::S(format!("CREATOR#{}", p.creator_id)),
    );
    item.insert("SK".into(), s("PROFILE"));
    item.insert("creator_id".into(), s(&p.creator_id));
    item.insert("name".into(), s(&p.name));
    item.insert("bio".into(), s(&p.bio));
    item
}

pub fn profile_hand_decode(mut item: Item) -> Option<Profile> {
    Some(Profile {
        creator_id: take_s(&mut item, "creator_id")?,
        name: take_s(&mut item, "name")?,
        bio: take_s(&mut item, "bio")?,
    })
}

/// The creator page: profile and clips from one Query.
#[derive(Collection, Debug, Clone, PartialEq)]
pub enum CreatorItem {
    Profile(Profile),
    Clip(Clip),
}

/// Clip `i` of `creator`, one minute apart.
pub fn clip_at(creator: &str, i: u32) -> Clip {
    let base = Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).single().unwrap();
    Clip {
        creator_id: creator.into(),
        created_at: base + chrono::Duration::minutes(i.into()),
        clip_id: format!("c{i:05}"),
        ..clip()
    }
}

/// The engine of an end-to-end bench: the embedded one (feature `local`)
/// unless `TRUSS_BENCH_ENGINE=dynamodb-local` or `AWS_ENDPOINT_URL_DYNAMODB`
/// selects DynamoDB Local; for DynamoDB Local without an endpoint, runs
/// the bench again under `scripts/with-dynamodb-local`. Returns the
/// engine's name.
pub fn choose_engine() -> &'static str {
    let reference = std::env::var("TRUSS_BENCH_ENGINE").as_deref() == Ok("dynamodb-local");
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some() {
        return "DynamoDB Local";
    }
    if reference {
        rerun_under_dynamodb_local();
    }
    "the embedded engine"
}

/// The SDK configuration for the chosen engine: the environment's, or the
/// embedded engine's (started once, kept for the whole run).
pub async fn sdk_config() -> aws_config::SdkConfig {
    static ENGINE: std::sync::OnceLock<truss_model::local::LocalEngine> =
        std::sync::OnceLock::new();
    let defaults = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some() {
        return defaults.load().await;
    }
    let engine = ENGINE.get_or_init(|| {
        truss_model::local::LocalEngine::start().expect("start the embedded engine")
    });
    defaults
        .endpoint_url(engine.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "bench",
        ))
        .load()
        .await
}

/// Without `AWS_ENDPOINT_URL_DYNAMODB`, runs this bench binary again under
/// `scripts/with-dynamodb-local` (which installs and starts DynamoDB Local)
/// and exits with its status.
pub fn rerun_under_dynamodb_local() {
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some() {
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/with-dynamodb-local");
    let status = std::process::Command::new(script)
        .arg(std::env::current_exe().expect("the bench binary's path"))
        .args(std::env::args_os().skip(1))
        .status()
        .expect("run scripts/with-dynamodb-local");
    std::process::exit(status.code().unwrap_or(1));
}

/// A network round trip DynamoDB Local on the same machine does not have:
/// the HTTP connector waits before each request.
pub mod latency {
    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
        SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use std::time::Duration;

    #[derive(Debug)]
    pub struct Delayed {
        pub inner: SharedHttpClient,
        pub rtt: Duration,
    }

    impl HttpClient for Delayed {
        fn http_connector(
            &self,
            settings: &HttpConnectorSettings,
            components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(DelayedConnector {
                inner: self.inner.http_connector(settings, components),
                rtt: self.rtt,
            })
        }
    }

    #[derive(Debug)]
    struct DelayedConnector {
        inner: SharedHttpConnector,
        rtt: Duration,
    }

    impl HttpConnector for DelayedConnector {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let (inner, rtt) = (self.inner.clone(), self.rtt);
            HttpConnectorFuture::new(async move {
                tokio::time::sleep(rtt).await;
                inner.call(request).await
            })
        }
    }
}
