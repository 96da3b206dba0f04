//! The creator-SaaS example's pages against DynamoDB Local: content, order,
//! one request per page, cursors, isolation between creators, secrets.

use crate::common;
use crate::saas as model;

use chrono::Duration;
use model::{
    demo_start, Activity, Clip, Platform, PlatformToken, Seeded, Studio, DASHBOARD_ITEMS, PAGE_SIZE,
};
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

/// The timeline as the Activity index orders it, newest first: by time,
/// then by kind (`CLIP` < `STREAM` < `VIDEO` in the key), descending.
fn timeline(seeded: &Seeded) -> Vec<Activity> {
    let mut all: Vec<(String, Activity)> = Vec::new();
    let at =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    for c in &seeded.clips {
        all.push((
            format!("{}#CLIP#{}", at(c.created_at), c.clip_id),
            Activity::Clip(c.clone()),
        ));
    }
    for s in &seeded.streams {
        all.push((
            format!("{}#STREAM#{}", at(s.started_at), s.stream_id),
            Activity::Stream(s.clone()),
        ));
    }
    for v in &seeded.videos {
        all.push((
            format!("{}#VIDEO#{}", at(v.uploaded_at), v.video_id),
            Activity::Video(v.clone()),
        ));
    }
    all.sort_by(|a, b| b.0.cmp(&a.0));
    all.into_iter().map(|(_, a)| a).collect()
}

#[tokio::test]
async fn dashboard_is_one_bounded_query_on_the_activity_index() {
    let (studio, counter, seeded) = studio("saas-dash").await;
    let dashboard = studio.dashboard("ada").await.unwrap();
    one_query(&counter, "dashboard");

    let profile = dashboard.profile.clone().unwrap();
    assert_eq!(
        (profile.handle.as_str(), profile.plan.as_str()),
        ("@ada", "pro")
    );
    assert_eq!(
        dashboard.connected,
        [Platform::Discord, Platform::TikTok, Platform::YouTube]
    );
    // The profile, three tokens, and the newest content up to the limit.
    let room = DASHBOARD_ITEMS as usize - 1 - 3;
    assert_eq!(dashboard.recent, timeline(&seeded)[..room]);
    assert!(matches!(&dashboard.recent[0], Activity::Stream(s) if s.stream_id == "s11"));
    assert!(
        dashboard.recent_clips().count() > 0,
        "clips follow the streams"
    );
}

#[tokio::test]
async fn with_20000_clips_the_dashboard_is_one_query_reading_a_bounded_number_of_items() {
    let (client, counter, meter) = common::capacity::measured_client().await;
    let studio = Studio::new(truss_model::Table::new(
        client,
        common::table_name("saas-20k"),
    ));
    studio.ensure_table().await.unwrap();
    let small = studio.seed_demo("ada", 30).await.unwrap();
    studio.dashboard("ada").await.unwrap();
    let before = meter.take();

    // 20,000 more clips in the same partition, newer than everything else.
    let start = demo_start() + Duration::days(100);
    let clips: Vec<Clip> = (0..20_000)
        .map(|i| Clip {
            creator_id: "ada".into(),
            created_at: start + Duration::seconds(i),
            clip_id: format!("x{i:05}"),
            video_id: "v1".into(),
            title: format!("Bulk {i}"),
            virality: 0.5,
            platforms: vec![Platform::YouTube],
        })
        .collect();
    studio.table.batch_write().put_all(&clips).await.unwrap();
    counter.take();
    meter.take();

    let dashboard = studio.dashboard("ada").await.unwrap();
    one_query(&counter, "dashboard over 20,000 clips");
    let after = meter.take();
    assert_eq!(after.len(), 1);
    let (before, after) = (before[0], after[0]);
    // The page limit plus the one item that tells whether a next page
    // follows: the same number of items as with 30 clips.
    assert_eq!(after.scanned, DASHBOARD_ITEMS as i32 + 1, "{after:?}");
    assert_eq!(after.scanned, before.scanned, "{before:?} / {after:?}");
    assert!(
        after.capacity <= before.capacity && after.capacity <= 2.0,
        "capacity with 20,030 clips: {after:?}, with 30: {before:?}"
    );
    assert_eq!(dashboard.profile.as_ref().unwrap().creator_id, "ada");
    assert_eq!(dashboard.connected.len(), small.tokens.len());
    let newest: Vec<&str> = dashboard
        .recent_clips()
        .map(|c| c.clip_id.as_str())
        .take(3)
        .collect();
    assert_eq!(newest, ["x19999", "x19998", "x19997"]);

    // The whole partition, for scale: what the dashboard no longer reads.
    counter.take();
    let everything = studio
        .table
        .query(model::Profile::partition("ada").collection::<model::CreatorItem>())
        .all()
        .await
        .unwrap();
    let whole: f64 = meter.take().iter().map(|m| m.capacity).sum();
    assert!(everything.len() > 20_000);
    assert!(
        whole > 50.0 * after.capacity,
        "whole partition {whole} vs dashboard {}",
        after.capacity
    );
    eprintln!(
        "dashboard: {} items read, {} capacity units; whole partition: {} items, {whole} units in {} queries",
        after.scanned,
        after.capacity,
        everything.len(),
        counter.count("Query")
    );
}

#[tokio::test]
async fn the_timeline_since_a_time_is_a_range_its_content_types_share() {
    let (studio, counter, seeded) = studio("saas-since").await;
    let since = demo_start() + Duration::hours(30);
    let mut expected: Vec<Activity> = timeline(&seeded)
        .into_iter()
        .filter(|a| match a {
            Activity::Clip(c) => c.created_at >= since,
            Activity::Stream(s) => s.started_at >= since,
            Activity::Video(v) => v.uploaded_at >= since,
        })
        .collect();
    expected.reverse();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = studio
            .activity_since("ada", since, cursor.take())
            .await
            .unwrap();
        one_query(&counter, "timeline page");
        assert!(page.items.len() <= PAGE_SIZE as usize);
        seen.extend(page.items);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert!(expected.len() > PAGE_SIZE as usize, "several pages");
    assert_eq!(seen, expected, "oldest first, every item once");
}

#[tokio::test]
async fn a_range_the_variants_do_not_share_is_refused_before_any_request() {
    let (studio, counter, _) = studio("saas-unshared").await;
    // The profile's Activity key is `Z#PROFILE`: a range on the clips'
    // timestamps means nothing there.
    let err = studio
        .table
        .query(model::Profile::activity("ada").collection::<model::DashboardItem>())
        .key_condition(Clip::activity_sort_key().ge(demo_start()).collection())
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(
        err.to_string().contains("every variant of DashboardItem"),
        "{err}"
    );
    assert_eq!(counter.total(), 0, "nothing sent");
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
    assert_eq!(bob.profile.as_ref().unwrap().creator_id, "bob");
    assert!(bob.recent_clips().all(|c| c.creator_id == "bob"));
    assert!(bob.recent_clips().count() > 0);
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
