//! The creator SaaS from the second seed design: six entities in one
//! partition per creator, every page of the app one Query. Shared by the
//! example and its integration tests.
//!
//! The key layout, as `cargo run --example creator_saas -- --report` prints
//! it (a test keeps the two equal). The dashboard reads [`Profile`] and
//! [`Video`], the clips page [`Clip`] newest first, the streams page
//! [`Stream`], analytics a date range of [`DailyAnalytics`], the connected
//! platforms [`PlatformToken`].
//!
//! <!-- report:start -->
//! | entity | PK | SK | ActivityPK | ActivitySK | GSI1PK | GSI1SK | notes |
//! |---|---|---|---|---|---|---|---|
//! | Profile | `CREATOR#{creator_id}` | `PROFILE` | `CREATOR#{creator_id}` | `Z#PROFILE` |  |  |  |
//! | Video | `CREATOR#{creator_id}` | `VIDEO#{video_id}` | `CREATOR#{creator_id}` | `T#{uploaded_at}#VIDEO#{video_id}` |  |  |  |
//! | Clip | `CREATOR#{creator_id}` | `CLIP#{created_at}#{clip_id}` | `CREATOR#{creator_id}` | `T#{created_at}#CLIP#{clip_id}` | `CREATOR#{creator_id}` | `CLIP#{video_id}#{created_at}#{clip_id}` |  |
//! | Stream | `CREATOR#{creator_id}` | `STREAM#{started_at}#{stream_id}` | `CREATOR#{creator_id}` | `T#{started_at}#STREAM#{stream_id}` |  |  |  |
//! | DailyAnalytics | `CREATOR#{creator_id}` | `ANALYTICS#{date}` |  |  |  |  |  |
//! | PlatformToken | `CREATOR#{creator_id}` | `TOKEN#{platform}` | `CREATOR#{creator_id}` | `Z#TOKEN#{platform}` |  |  |  |
//! <!-- report:end -->
//!
//! Clips of one video come from index `GSI1` on the same creator partition:
//! `GSI1PK = CREATOR#<creatorId>`, `GSI1SK = CLIP#<videoId>#<createdAt>#<clipId>`,
//! so "clips of video v1" is the prefix `CLIP#v1#`, which ends at a segment
//! boundary and never matches video `v10`. (One sort key cannot order clips
//! both by time across videos and by video; the index holds the second
//! order, and each page is still one Query.)
//!
//! The dashboard reads index `Activity`, one Query with a limit, so its cost
//! does not grow with the partition: `ActivityPK = CREATOR#<creatorId>` (an
//! index without `pk` keeps the entity's partition template), and
//! `ActivitySK` is `Z#PROFILE` and `Z#TOKEN#<platform>` for the profile and
//! the connected platforms, `T#<time>#CLIP#<clipId>` (and `#VIDEO#`,
//! `#STREAM#`) for the timeline. Read in descending order, the profile and
//! tokens come first, then the newest content: a bounded page decoded into
//! [`DashboardItem`]. The timeline alone, from a time on, is
//! [`Studio::activity_since`]: a sort-key range the three content types
//! share. Analytics stay on their own page. The whole partition still reads
//! as [`CreatorItem`], a six-variant collection.
#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::fmt;
use truss_model::key_part::KeyPartError;
use truss_model::{Collection, Cursor, Entity, KeyPart, Page, Result, Table, TableDefinition};

/// A publishing platform. Also a key part (`TOKEN#youtube`): an example of
/// implementing [`KeyPart`] for an application type.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Discord,
    TikTok,
    Twitch,
    YouTube,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Discord,
        Platform::TikTok,
        Platform::Twitch,
        Platform::YouTube,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Discord => "discord",
            Platform::TikTok => "tiktok",
            Platform::Twitch => "twitch",
            Platform::YouTube => "youtube",
        }
    }
}

impl KeyPart for Platform {
    fn encode_key(&self, out: &mut String) -> std::result::Result<(), KeyPartError> {
        out.push_str(self.as_str());
        Ok(())
    }

    fn decode_key(segment: &str) -> std::result::Result<Self, KeyPartError> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == segment)
            .ok_or_else(|| KeyPartError::Malformed {
                segment: segment.to_owned(),
                expected: "platform",
            })
    }
}

/// A secret string: stored as is, never shown by `Debug` or `Display`.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The creator's profile.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "PROFILE",
    index(name = "Activity", sk = "Z#PROFILE")
)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub creator_id: String,
    pub handle: String,
    pub display_name: String,
    pub plan: String,
}

/// An uploaded video.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "VIDEO#{video_id}",
    index(name = "Activity", sk = "T#{uploaded_at}#VIDEO#{video_id}")
)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    pub creator_id: String,
    pub video_id: String,
    pub title: String,
    pub uploaded_at: DateTime<Utc>,
    pub duration_secs: u32,
}

/// A vertical clip cut from a video, scored for virality.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "CLIP#{created_at}#{clip_id}",
    index(
        name = "GSI1",
        pk = "CREATOR#{creator_id}",
        sk = "CLIP#{video_id}#{created_at}#{clip_id}"
    ),
    index(name = "Activity", sk = "T#{created_at}#CLIP#{clip_id}")
)]
#[serde(rename_all = "camelCase")]
pub struct Clip {
    pub creator_id: String,
    pub created_at: DateTime<Utc>,
    pub clip_id: String,
    pub video_id: String,
    pub title: String,
    pub virality: f32,
    pub platforms: Vec<Platform>,
}

/// A live stream.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "STREAM#{started_at}#{stream_id}",
    index(name = "Activity", sk = "T#{started_at}#STREAM#{stream_id}")
)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    pub creator_id: String,
    pub started_at: DateTime<Utc>,
    pub stream_id: String,
    pub platform: Platform,
    pub title: String,
    pub peak_viewers: u32,
}

/// One day of analytics.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "ANALYTICS#{date}")]
#[serde(rename_all = "camelCase")]
pub struct DailyAnalytics {
    pub creator_id: String,
    pub date: NaiveDate,
    pub views: u64,
    pub clips_published: u32,
    pub followers: u64,
}

/// A connected platform's OAuth token. `Debug` never shows the token.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "TOKEN#{platform}",
    index(name = "Activity", sk = "Z#TOKEN#{platform}")
)]
#[serde(rename_all = "camelCase")]
pub struct PlatformToken {
    pub creator_id: String,
    pub platform: Platform,
    pub access_token: Secret,
    pub expires_at: DateTime<Utc>,
}

/// Every item of a creator's partition.
#[derive(Collection, Debug, Clone, PartialEq)]
pub enum CreatorItem {
    Analytics(DailyAnalytics),
    Clip(Clip),
    Profile(Profile),
    Stream(Stream),
    Token(PlatformToken),
    Video(Video),
}

/// What the dashboard reads from index `Activity`.
#[derive(Collection, Debug, Clone, PartialEq)]
pub enum DashboardItem {
    Profile(Profile),
    Token(PlatformToken),
    Clip(Clip),
    Stream(Stream),
    Video(Video),
}

/// The creator's timeline on index `Activity`: content, by time.
#[derive(Collection, Debug, Clone, PartialEq)]
pub enum Activity {
    Clip(Clip),
    Stream(Stream),
    Video(Video),
}

/// The dashboard, built from one bounded Query.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub profile: Option<Profile>,
    pub connected: Vec<Platform>,
    /// The newest content of every kind, newest first: at most
    /// [`DASHBOARD_ITEMS`] items with the profile and tokens.
    pub recent: Vec<Activity>,
}

impl Dashboard {
    /// The recent clips, newest first.
    pub fn recent_clips(&self) -> impl Iterator<Item = &Clip> {
        self.recent.iter().filter_map(|a| match a {
            Activity::Clip(c) => Some(c),
            _ => None,
        })
    }
}

/// A connected platform as the app shows it: no token.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub platform: Platform,
    pub expires_at: DateTime<Utc>,
}

/// Page size of the list pages.
pub const PAGE_SIZE: u32 = 20;
/// How many items the dashboard reads at most: the profile, up to four
/// tokens, and the newest content.
pub const DASHBOARD_ITEMS: u32 = 25;

/// The application's data access: one method per page, one Query each.
#[derive(Clone, Debug)]
pub struct Studio {
    pub table: Table,
}

impl Studio {
    pub fn new(table: Table) -> Self {
        Studio { table }
    }

    /// The table's definition: what `ensure_table` creates, and what
    /// `--report` and `--cloudformation` print.
    pub fn definition(table: &Table) -> TableDefinition {
        table
            .definition()
            .entity::<Profile>()
            .entity::<Video>()
            .entity::<Clip>()
            .entity::<Stream>()
            .entity::<DailyAnalytics>()
            .entity::<PlatformToken>()
    }

    /// Creates the table (with GSI1 and Activity) unless it exists.
    pub async fn ensure_table(&self) -> Result<bool> {
        Self::definition(&self.table).create_if_not_exists().await
    }

    /// Dashboard: one Query on index `Activity`, newest first, at most
    /// [`DASHBOARD_ITEMS`] items whatever the partition holds.
    pub async fn dashboard(&self, creator: &str) -> Result<Dashboard> {
        let page = self
            .table
            .query(Profile::activity(creator).collection::<DashboardItem>())
            .descending()
            .page_size(DASHBOARD_ITEMS)
            .page()
            .await?;
        let mut dashboard = Dashboard {
            profile: None,
            connected: Vec::new(),
            recent: Vec::new(),
        };
        for item in page.items {
            match item {
                DashboardItem::Profile(p) => dashboard.profile = Some(p),
                DashboardItem::Token(t) => dashboard.connected.push(t.platform),
                DashboardItem::Clip(c) => dashboard.recent.push(Activity::Clip(c)),
                DashboardItem::Stream(s) => dashboard.recent.push(Activity::Stream(s)),
                DashboardItem::Video(v) => dashboard.recent.push(Activity::Video(v)),
            }
        }
        // Tokens arrive in descending key order.
        dashboard.connected.reverse();
        Ok(dashboard)
    }

    /// The timeline from `since` on, oldest first, a page at a time: one
    /// Query on index `Activity` with a range the content types share.
    pub async fn activity_since(
        &self,
        creator: &str,
        since: DateTime<Utc>,
        cursor: Option<Cursor>,
    ) -> Result<Page<Activity>> {
        self.table
            .query(Clip::activity(creator).collection::<Activity>())
            .key_condition(Clip::activity_sort_key().ge(since).collection())
            .page_size(PAGE_SIZE)
            .after(cursor)
            .page()
            .await
    }

    /// Clips page: newest first, 20 per page.
    pub async fn clips(&self, creator: &str, cursor: Option<Cursor>) -> Result<Page<Clip>> {
        self.table
            .query(Clip::partition(creator))
            .descending()
            .page_size(PAGE_SIZE)
            .after(cursor)
            .page()
            .await
    }

    /// Clips page filtered to one video: newest first, 20 per page, on GSI1
    /// with the prefix `CLIP#<videoId>#`.
    pub async fn clips_of_video(
        &self,
        creator: &str,
        video: &str,
        cursor: Option<Cursor>,
    ) -> Result<Page<Clip>> {
        self.table
            .query(Clip::gsi1(creator))
            .key_condition(Clip::gsi1_sort_key().eq(video))
            .descending()
            .page_size(PAGE_SIZE)
            .after(cursor)
            .page()
            .await
    }

    /// Streams page: newest first, 20 per page.
    pub async fn streams(&self, creator: &str, cursor: Option<Cursor>) -> Result<Page<Stream>> {
        self.table
            .query(Stream::partition(creator))
            .descending()
            .page_size(PAGE_SIZE)
            .after(cursor)
            .page()
            .await
    }

    /// Analytics for `from..=to`, oldest first: one Query (more only if the
    /// range held over 1 MB of items; nothing is ever cut off).
    pub async fn analytics(
        &self,
        creator: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyAnalytics>> {
        self.table
            .query(DailyAnalytics::partition(creator))
            .key_condition(DailyAnalytics::sort_key().between(from, to))
            .all()
            .await
    }

    /// Connected platforms, without their tokens.
    pub async fn connections(&self, creator: &str) -> Result<Vec<Connection>> {
        Ok(self
            .table
            .query(PlatformToken::partition(creator))
            .all()
            .await?
            .into_iter()
            .map(|t| Connection {
                platform: t.platform,
                expires_at: t.expires_at,
            })
            .collect())
    }
}

/// What [`Studio::seed_demo`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Seeded {
    pub videos: Vec<Video>,
    pub clips: Vec<Clip>,
    pub streams: Vec<Stream>,
    pub analytics: Vec<DailyAnalytics>,
    pub tokens: Vec<PlatformToken>,
}

/// The first day of the demo data.
pub fn demo_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Studio {
    /// Writes a demo creator: a profile, videos `v1`..`v5` and `v10`,
    /// `clips` clips spread over the videos (one per 7 minutes), 12 streams,
    /// 45 days of analytics and three connected platforms.
    pub async fn seed_demo(&self, creator: &str, clips: usize) -> Result<Seeded> {
        let start = demo_start();
        let c = || creator.to_owned();
        let videos: Vec<Video> = ["v1", "v2", "v3", "v4", "v5", "v10"]
            .iter()
            .enumerate()
            .map(|(i, v)| Video {
                creator_id: c(),
                video_id: (*v).to_owned(),
                title: format!("Episode {v}"),
                uploaded_at: start + Duration::hours(i as i64),
                duration_secs: 600 + 60 * i as u32,
            })
            .collect();
        let clips: Vec<Clip> = (0..clips)
            .map(|i| Clip {
                creator_id: c(),
                created_at: start + Duration::minutes(7 * i as i64),
                clip_id: format!("c{i:04}"),
                video_id: videos[i % videos.len()].video_id.clone(),
                title: format!("Moment {i}"),
                virality: (i * 37 % 100) as f32 / 100.0,
                platforms: vec![Platform::ALL[i % 4], Platform::ALL[(i + 1) % 4]],
            })
            .collect();
        let streams: Vec<Stream> = (0..12)
            .map(|i| Stream {
                creator_id: c(),
                started_at: start + Duration::days(i * 3),
                stream_id: format!("s{i:02}"),
                platform: if i % 2 == 0 {
                    Platform::Twitch
                } else {
                    Platform::YouTube
                },
                title: format!("Live #{i}"),
                peak_viewers: 100 + 17 * i as u32,
            })
            .collect();
        let analytics: Vec<DailyAnalytics> = (0..45)
            .map(|i| DailyAnalytics {
                creator_id: c(),
                date: start.date_naive() + Duration::days(i),
                views: 1_000 + 25 * i as u64,
                clips_published: (i % 5) as u32,
                followers: 5_000 + 3 * i as u64,
            })
            .collect();
        let tokens: Vec<PlatformToken> = [Platform::YouTube, Platform::TikTok, Platform::Discord]
            .into_iter()
            .map(|platform| PlatformToken {
                creator_id: c(),
                platform,
                access_token: Secret::new(format!("tok-{creator}-{}-s3cr3t", platform.as_str())),
                expires_at: start + Duration::days(60),
            })
            .collect();
        let profile = Profile {
            creator_id: c(),
            handle: format!("@{creator}"),
            display_name: format!("Creator {creator}"),
            plan: "pro".into(),
        };

        self.table.put(&profile).await?;
        put_all(&self.table, &videos).await?;
        put_all(&self.table, &clips).await?;
        put_all(&self.table, &streams).await?;
        put_all(&self.table, &analytics).await?;
        put_all(&self.table, &tokens).await?;
        Ok(Seeded {
            videos,
            clips,
            streams,
            analytics,
            tokens,
        })
    }
}

/// Puts items with up to 16 requests in flight.
async fn put_all<E: Entity>(table: &Table, items: &[E]) -> Result<()> {
    futures::stream::iter(items)
        .map(|item| table.put(item).send())
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await
        .map(|_| ())
}
