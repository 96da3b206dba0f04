//! The URL shortener's model and access patterns (the first seed design),
//! shared by the example and its integration tests.
//!
//! The key layout, as `cargo run --example url_shortener -- --report`
//! prints it (a test keeps the two equal): [`Link`] holds target, ownerId,
//! createdAt and clicks, and only links with an owner are in GSI1 (a sparse
//! index); [`DailyStat`] holds the day's count.
//!
//! <!-- report:start -->
//! | entity | PK | SK | GSI1PK | GSI1SK | notes |
//! |---|---|---|---|---|---|
//! | Link | `LINK#{code}` | `META` | `OWNER#{owner_id}` | `LINK#{created_at}` |  |
//! | DailyStat | `LINK#{code}` | `STAT#{date}` |  |  |  |
//! <!-- report:end -->
//!
//! Access patterns and their cost:
//!
//! 1. open a link: one GetItem;
//! 2. create a link: one conditional PutItem that never overwrites (a
//!    collision retries with a new code);
//! 3. list a user's links, newest first, 20 per page: one Query on GSI1
//!    per page;
//! 4. count a click: two atomic UpdateItems (an UpdateItem addresses one
//!    item, and a click changes two: `clicks` on META, then the day's
//!    `count`, so a click on a missing link writes nothing); the dashboard
//!    (link + every daily stat): one Query. The redirect path
//!    ([`Shortener::follow`]) opens and counts in those two UpdateItems,
//!    the first returning the link.
//! 5. with a stream consumer instead: a click is one UpdateItem on META
//!    ([`Shortener::record_click`]); the consumer reads the link's MODIFY
//!    records (old and new images) and adds the difference to the day's
//!    stat ([`Shortener::apply_change`]).
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::hash::{BuildHasher, Hasher};
use truss_model::stream::{ChangeKind, StreamChange};
use truss_model::{Collection, Cursor, Entity, Error, Page, Result, Table, TableDefinition};

/// A short link.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "LINK#{code}",
    sk = "META",
    index(name = "GSI1", pk = "OWNER#{owner_id}", sk = "LINK#{created_at}")
)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub code: String,
    pub target: String,
    /// Links without an owner stay out of GSI1 (a sparse index).
    pub owner_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub clicks: u64,
}

/// Clicks of one link on one day.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "STAT#{date}")]
pub struct DailyStat {
    pub code: String,
    pub date: NaiveDate,
    /// `count` is a DynamoDB reserved word; truss-model always uses
    /// placeholders, so it needs no special care.
    pub count: u64,
}

/// Everything stored under one link's partition.
#[derive(Collection, Debug, Clone, PartialEq)]
pub enum LinkItem {
    Link(Link),
    Stat(DailyStat),
}

/// A link and its daily stats, from one Query.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub link: Link,
    pub stats: Vec<DailyStat>,
}

/// The application's data access.
#[derive(Clone, Debug)]
pub struct Shortener {
    pub table: Table,
}

/// How many fresh codes `create` tries before giving up.
pub const CREATE_ATTEMPTS: usize = 5;

impl Shortener {
    pub fn new(table: Table) -> Self {
        Shortener { table }
    }

    /// The table's definition: what `ensure_table` creates, and what
    /// `--report` and `--cloudformation` print.
    pub fn definition(table: &Table) -> TableDefinition {
        table.definition().entity::<Link>().entity::<DailyStat>()
    }

    /// Creates the table and its index unless they exist.
    pub async fn ensure_table(&self) -> Result<bool> {
        Self::definition(&self.table).create_if_not_exists().await
    }

    /// Creates the table with a stream of old and new images, for the
    /// click consumer (pattern 5).
    pub async fn ensure_table_with_stream(&self) -> Result<bool> {
        Self::definition(&self.table)
            .stream(aws_sdk_dynamodb::types::StreamViewType::NewAndOldImages)
            .create_if_not_exists()
            .await
    }

    /// Pattern 1: the hot path, one GetItem.
    pub async fn open(&self, code: &str) -> Result<Option<Link>> {
        self.table.get(Link::key(code)).await
    }

    /// Pattern 2: creates a link under a fresh code from `next_code`; a code
    /// that is taken is never overwritten, and the next one is tried.
    pub async fn create(
        &self,
        target: &str,
        owner: Option<&str>,
        now: DateTime<Utc>,
        mut next_code: impl FnMut() -> String,
    ) -> Result<Link> {
        let mut last = None;
        for _ in 0..CREATE_ATTEMPTS {
            let link = Link {
                code: next_code(),
                target: target.to_owned(),
                owner_id: owner.map(str::to_owned),
                created_at: now,
                clicks: 0,
            };
            match self.table.create(&link).await {
                Ok(()) => return Ok(link),
                Err(e @ Error::AlreadyExists { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(Error::InvalidQuery {
            entity: "Link",
            reason: "no attempt was made".into(),
        }))
    }

    /// Pattern 3: a user's links, newest first, one Query per page.
    pub async fn list_by_owner(&self, owner: &str, cursor: Option<Cursor>) -> Result<Page<Link>> {
        self.table
            .query(Link::gsi1(owner))
            .descending()
            .page_size(20)
            .after(cursor)
            .page()
            .await
    }

    /// Pattern 4: counts one click on `day`: `clicks += 1` on the link, then
    /// `count += 1` on the day's stat (created on the first click), each
    /// atomic. The link update goes first and requires the link, so a
    /// click on a missing link is [`Error::NotFound`] and writes nothing.
    pub async fn click(&self, code: &str, day: NaiveDate) -> Result<()> {
        self.table
            .update(Link::key(code))
            .add(Link::CLICKS, 1)
            .must_exist()
            .await?;
        self.table
            .update(DailyStat::key(code, day))
            .add(DailyStat::COUNT, 1)
            .await
    }

    /// The redirect: opens the link and counts the click in two UpdateItems
    /// (`clicks += 1` returning the link, then the day's count); `None`,
    /// with nothing written, when there is no such link.
    pub async fn follow(&self, code: &str, day: NaiveDate) -> Result<Option<Link>> {
        let link = match self.record_click(code).await? {
            Some(link) => link,
            None => return Ok(None),
        };
        self.table
            .update(DailyStat::key(code, day))
            .add(DailyStat::COUNT, 1)
            .await?;
        Ok(Some(link))
    }

    /// Pattern 5: a click as one UpdateItem (`clicks += 1` on META,
    /// returning the link); the day's stat is left to the stream consumer.
    /// `None`, with nothing written, when there is no such link.
    pub async fn record_click(&self, code: &str) -> Result<Option<Link>> {
        match self
            .table
            .update(Link::key(code))
            .add(Link::CLICKS, 1)
            .must_exist()
            .return_new()
            .await
        {
            Ok(link) => Ok(Some(link)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Pattern 5, the consumer: the clicks a change of a link's items adds
    /// (a link's `clicks` going up), as `(code, day, clicks)`, the day
    /// being the one the change was written on; `None` for any other
    /// change.
    pub fn clicks_in(change: &StreamChange<LinkItem>) -> Option<(String, NaiveDate, u64)> {
        let (ChangeKind::Modify, Some(LinkItem::Link(old)), Some(LinkItem::Link(new))) =
            (change.kind, &change.old, &change.new)
        else {
            return None;
        };
        let added = new.clicks.checked_sub(old.clicks).filter(|n| *n > 0)?;
        let written: DateTime<Utc> = change.approximate_creation?.into();
        Some((new.code.clone(), written.date_naive(), added))
    }

    /// Pattern 5, the consumer: adds a change's clicks to the day's stat
    /// (one UpdateItem, none for other changes). A record delivered twice
    /// is counted twice: Lambda retries deliver records again, so a
    /// consumer that must count exactly once keeps the last sequence
    /// number it applied (or uses a transaction with a marker item).
    pub async fn apply_change(&self, change: &StreamChange<LinkItem>) -> Result<()> {
        let Some((code, day, clicks)) = Self::clicks_in(change) else {
            return Ok(());
        };
        self.table
            .update(DailyStat::key(code.as_str(), day))
            .add(DailyStat::COUNT, clicks)
            .await
    }

    /// Pattern 4: the dashboard, one Query over the link's partition.
    pub async fn dashboard(&self, code: &str) -> Result<Option<Dashboard>> {
        let items = self
            .table
            .query(Link::partition(code).collection::<LinkItem>())
            .all()
            .await?;
        let mut link = None;
        let mut stats = Vec::new();
        for item in items {
            match item {
                LinkItem::Link(l) => link = Some(l),
                LinkItem::Stat(s) => stats.push(s),
            }
        }
        Ok(link.map(|link| Dashboard { link, stats }))
    }
}

/// A random 7-character base-62 code (from the standard library's
/// randomly seeded hasher; no extra dependency).
pub fn random_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    let mut n = hasher.finish();
    (0..7)
        .map(|_| {
            let c = ALPHABET[(n % 62) as usize] as char;
            n /= 62;
            c
        })
        .collect()
}
