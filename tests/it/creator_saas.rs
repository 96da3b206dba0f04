//! The creator-SaaS example's pages against DynamoDB Local: content, order,
//! one request per page, cursors, isolation between creators, secrets.

use crate::common;
use crate::saas as model;

use chrono::Duration;
use model::{demo_start, Clip, Platform, PlatformToken, Seeded, Studio, PAGE_SIZE};
use std::collections::HashSet;
use truss_model::{Error, RequestCounter};

async fn studio(test: &str) -> (Studio, RequestCounter, Seeded) {
    let (client, counter) = common::counted_client().await;
    let studio = Studio::new(truss_model::Table::new(client, common::table_name(test)));
    assert!(studio.ensure_table().await.unwrap());
    let seeded = studio.seed_demo("ada", 300).await.unwrap();
    studio.seed_demo("bob", 30).await.unwrap();
    counter.take();
    (studio, counter, seeded)
}

fn one_query(counter: &RequestCounter, page: &str) {
    let counts = counter.take();
    assert_eq!(counts.get("Query"), Some(&1), "{page}: {counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 1, "{page}: {counts:?}");
}

#[tokio::test]
async fn dashboard_is_one_query_with_every_entity_type() {
    let (studio, counter, seeded) = studio("saas-dash").await;
    let dashboard = studio.dashboard("ada").await.unwrap();
    one_query(&counter, "dashboard");

    let profile = dashboard.profile.unwrap();
    assert_eq!(
        (profile.handle.as_str(), profile.plan.as_str()),
        ("@ada", "pro")
    );
    let videos: Vec<_> = dashboard
        .recent_videos
        .iter()
        .map(|v| v.video_id.as_str())
        .collect();
    assert_eq!(videos, ["v10", "v5", "v4", "v3", "v2"]);
    let mut newest: Vec<Clip> = seeded.clips.clone();
    newest.reverse();
    assert_eq!(dashboard.recent_clips, newest[..5]);
    assert_eq!(dashboard.recent_streams[0].stream_id, "s11");
    assert_eq!(dashboard.last_week, seeded.analytics[38..]);
    assert_eq!(
        dashboard.connected,
        [Platform::Discord, Platform::TikTok, Platform::YouTube]
    );
}

#[tokio::test]
async fn clips_newest_first_and_cursors_walk_all_clips_once() {
    let (studio, counter, seeded) = studio("saas-clips").await;
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = studio.clips("ada", cursor.take()).await.unwrap();
        one_query(&counter, "clips page");
        assert!(page.items.len() <= PAGE_SIZE as usize);
        pages += 1;
        seen.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages < 50);
    }
    assert!(pages >= 15, "{pages}");
    assert_eq!(seen.len(), 300);
    assert!(
        seen.windows(2).all(|w| w[0].created_at > w[1].created_at),
        "newest first"
    );
    let ids: HashSet<_> = seen.iter().map(|c| c.clip_id.clone()).collect();
    assert_eq!(ids.len(), 300, "each clip exactly once");
    assert!(seen.iter().all(|c| c.creator_id == "ada"));
    let mut expected = seeded.clips.clone();
    expected.reverse();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn clips_of_one_video_never_include_a_prefix_sibling() {
    let (studio, counter, seeded) = studio("saas-video").await;
    let mut v1 = Vec::new();
    let mut cursor = None;
    loop {
        let page = studio
            .clips_of_video("ada", "v1", cursor.take())
            .await
            .unwrap();
        one_query(&counter, "clips of v1");
        v1.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut expected: Vec<Clip> = seeded
        .clips
        .iter()
        .filter(|c| c.video_id == "v1")
        .cloned()
        .collect();
    expected.reverse();
    assert_eq!(
        v1, expected,
        "all of v1's clips, newest first, none of v10's"
    );
    let v10 = studio.clips_of_video("ada", "v10", None).await.unwrap();
    assert!(!v10.items.is_empty() && v10.items.iter().all(|c| c.video_id == "v10"));
}

#[tokio::test]
async fn streams_analytics_and_platforms_are_one_query_each() {
    let (studio, counter, seeded) = studio("saas-pages").await;
    let streams = studio.streams("ada", None).await.unwrap();
    one_query(&counter, "streams");
    let ids: Vec<_> = streams.items.iter().map(|s| s.stream_id.as_str()).collect();
    assert_eq!(
        ids,
        ["s11", "s10", "s09", "s08", "s07", "s06", "s05", "s04", "s03", "s02", "s01", "s00"]
    );
    assert!(streams.cursor.is_none());

    let from = demo_start().date_naive() + Duration::days(10);
    let to = from + Duration::days(20);
    let days = studio.analytics("ada", from, to).await.unwrap();
    one_query(&counter, "analytics");
    assert_eq!(days, seeded.analytics[10..=30]);

    let connections = studio.connections("ada").await.unwrap();
    one_query(&counter, "platforms");
    let platforms: Vec<_> = connections.iter().map(|c| c.platform).collect();
    assert_eq!(
        platforms,
        [Platform::Discord, Platform::TikTok, Platform::YouTube]
    );
}

#[tokio::test]
async fn creators_never_mix() {
    let (studio, counter, _) = studio("saas-isolation").await;
    let bob = studio.dashboard("bob").await.unwrap();
    counter.take();
    assert_eq!(bob.profile.unwrap().creator_id, "bob");
    assert!(bob.recent_clips.iter().all(|c| c.creator_id == "bob"));
    let bob_clips = studio.clips("bob", None).await.unwrap();
    assert!(bob_clips.items.iter().all(|c| c.creator_id == "bob"));

    // A cursor from Ada's clips used on Bob's clips: a typed error, no request.
    let ada_page = studio.clips("ada", None).await.unwrap();
    counter.take();
    let err = studio
        .clips("bob", ada_page.cursor.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor { .. }), "{err:?}");
    assert!(err.to_string().contains("another partition"), "{err}");
    let err = studio
        .clips_of_video("bob", "v1", ada_page.cursor)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor { .. }), "{err:?}");
    assert_eq!(counter.total(), 0, "refused cursors send nothing");
}

#[tokio::test]
async fn tokens_are_stored_but_never_printed() {
    let (studio, _, seeded) = studio("saas-secret").await;
    let token = studio
        .table
        .get(PlatformToken::key("ada", Platform::YouTube))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.access_token.expose(), "tok-ada-youtube-s3cr3t");
    for text in [
        format!("{token:?}"),
        format!("{:?}", seeded.tokens),
        format!("{}", token.access_token),
    ] {
        assert!(!text.contains("s3cr3t"), "a token leaked: {text}");
    }
    let dashboard = studio.dashboard("ada").await.unwrap();
    assert!(!format!("{dashboard:?}").contains("s3cr3t"));
    let raw = common::scan(&studio.table).await;
    let stored = raw
        .iter()
        .find(|i| i["SK"] == common::s("TOKEN#youtube") && i["PK"] == common::s("CREATOR#ada"))
        .unwrap();
    assert_eq!(stored["accessToken"], common::s("tok-ada-youtube-s3cr3t"));
}
