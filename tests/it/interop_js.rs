//! Items written by the AWS SDK for JavaScript v3 (the DocumentClient, run
//! with `node`, see `tests/js/document_client.cjs`) with timestamps in their
//! keys at millisecond and second precision: the library reads them, gets
//! each by its decoded key, updates and puts them back onto the very same
//! items, and the JavaScript side reads the changes.

use crate::common;

use crate::common::js::node_json;
use crate::common::*;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Error};

/// A clip keyed by JavaScript's `toISOString()`.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}")]
#[serde(rename_all = "camelCase")]
struct Clip {
    creator_id: String,
    #[truss(key_format = "rfc3339_millis")]
    created_at: DateTime<Utc>,
    title: String,
    views: u64,
}

/// A stream keyed by a timestamp cut to seconds.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "STREAM#{started_at}")]
#[serde(rename_all = "camelCase")]
struct Stream {
    creator_id: String,
    #[truss(key_format = "rfc3339_secs")]
    started_at: DateTime<Utc>,
    title: String,
}

fn at(h: u32, m: u32, s: u32, ms: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 24, h, m, s)
        .single()
        .expect("valid")
        + chrono::Duration::milliseconds(ms.into())
}

#[tokio::test]
async fn items_written_by_javascript_read_get_update_and_put_back_in_place() {
    let table = table("js-clips").await;
    node_json_ok("seed", &table, "c1");
    let before = scan(&table).await;
    assert_eq!(before.len(), 5);

    let clips = table
        .query(Clip::partition("c1"))
        .all()
        .await
        .expect("clips");
    let times: Vec<_> = clips.iter().map(|c| c.created_at).collect();
    assert_eq!(times, [at(9, 0, 1, 123), at(9, 0, 2, 0), at(9, 0, 3, 500)]);
    let streams = table
        .query(Stream::partition("c1"))
        .all()
        .await
        .expect("streams");
    let starts: Vec<_> = streams.iter().map(|s| s.started_at).collect();
    assert_eq!(
        starts,
        [at(8, 0, 0, 0), at(20, 30, 0, 0)],
        "recovered from the keys"
    );

    // Each one by the key decoded from it.
    for clip in &clips {
        let got = table.get(clip.to_key()).consistent().await.expect("get");
        assert_eq!(got.as_ref(), Some(clip));
    }
    for stream in &streams {
        let got = table.get(stream.to_key()).consistent().await.expect("get");
        assert_eq!(got.as_ref(), Some(stream));
    }

    // Update one clip, put another and a stream back changed.
    table
        .update(Clip::key("c1", at(9, 0, 1, 123)))
        .add(Clip::VIEWS, 10)
        .must_exist()
        .await
        .expect("update");
    table
        .put(&Clip {
            title: "whole second, renamed".into(),
            ..clips[1].clone()
        })
        .await
        .expect("put clip");
    table
        .put(&Stream {
            title: "evening stream, renamed".into(),
            ..streams[1].clone()
        })
        .await
        .expect("put stream");
    assert_eq!(
        scan(&table).await.len(),
        5,
        "no item added: the writes landed in place"
    );

    // The JavaScript side reads the changes under its own keys.
    let seen = node_json("document_client.cjs", &["partition", table.name(), "c1"]);
    let by_sk = |sk: &str| {
        seen.as_array()
            .expect("items")
            .iter()
            .find(|i| i["SK"] == sk)
            .unwrap_or_else(|| panic!("no item {sk} in {seen}"))
            .clone()
    };
    assert_eq!(by_sk("CLIP#2026-05-24T09:00:01.123Z")["views"], 10);
    assert_eq!(
        by_sk("CLIP#2026-05-24T09:00:02.000Z")["title"],
        "whole second, renamed"
    );
    assert_eq!(by_sk("CLIP#2026-05-24T09:00:03.500Z")["title"], "closing");
    assert_eq!(
        by_sk("STREAM#2026-05-24T20:30:00Z")["title"],
        "evening stream, renamed"
    );
    assert_eq!(
        by_sk("STREAM#2026-05-24T20:30:00Z")["startedAt"],
        "2026-05-24T20:30:00Z"
    );
    assert_eq!(seen.as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn a_clip_key_in_another_precision_is_refused_not_normalized() {
    let table = table("js-mixed").await;
    node_json_ok("seed", &table, "c2");
    node_json_ok("seed-seconds-clip", &table, "c2");
    let before = scan(&table).await;

    let err = table.query(Clip::partition("c2")).all().await.unwrap_err();
    assert_decode(
        &err,
        "Clip",
        "createdAt",
        &[
            "CLIP#2026-05-24T09:00:04Z",
            "milliseconds (2026-05-24T09:00:00.000Z)",
        ],
    );
    match &err {
        Error::Decode { key, .. } => {
            assert_eq!(key.as_str(), "PK=CREATOR#c2, SK=CLIP#2026-05-24T09:00:04Z")
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // Its millisecond twin addresses nothing; nothing was written.
    let twin = table
        .get(Clip::key("c2", at(9, 0, 4, 0)))
        .consistent()
        .await;
    assert_eq!(twin.expect("get"), None);
    assert_eq!(scan(&table).await, before);
}

/// Runs a document_client.cjs command that prints nothing.
fn node_json_ok(command: &str, table: &truss_model::Table, creator: &str) {
    let printed = common::js::node("document_client.cjs", &[command, table.name(), creator]);
    assert!(printed.trim().is_empty(), "{printed}");
}
