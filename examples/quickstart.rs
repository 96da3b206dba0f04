//! The smallest complete truss-model program: the seed's URL-shortener
//! layout (`LINK#<code>` / `META` and `STAT#<date>`), written, read and
//! queried against DynamoDB.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! It runs on the embedded engine; `AWS_ENDPOINT_URL_DYNAMODB` points it
//! at another endpoint (DynamoDB Local through
//! `scripts/with-dynamodb-local`), and `--aws` at the environment's AWS
//! account (where it creates a table named `truss-quickstart`).

#[path = "shared/engine.rs"]
mod engine;

use chrono::NaiveDate;
use truss_model::{Entity, Error, Table};

/// A short link: `PK = LINK#<code>`, `SK = META`. No serde derives: the
/// `Entity` derive writes the codec and reads `#[serde(...)]` itself.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "META")]
#[serde(rename_all = "camelCase")]
struct Link {
    code: String,
    target: String,
    owner_id: String,
    created_at: String,
    clicks: u64,
}

/// Clicks of one link on one day: `PK = LINK#<code>`, `SK = STAT#<date>`.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "LINK#{code}", sk = "STAT#{date}")]
struct DailyStat {
    code: String,
    date: NaiveDate,
    count: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = engine::connect("quickstart")
        .await
        .map_err(|e| e.to_string())?;
    let config = &target.config;
    let table = Table::new(aws_sdk_dynamodb::Client::new(config), "truss-quickstart");
    let created = table
        .definition()
        .entity::<Link>()
        .entity::<DailyStat>()
        .create_if_not_exists()
        .await?;
    println!(
        "table {} ({})",
        table.name(),
        if created { "created" } else { "exists" }
    );

    let link = Link {
        code: "aK9xQ2z".into(),
        target: "https://docs.aws.amazon.com/dynamodb/".into(),
        owner_id: "user-001".into(),
        created_at: "2026-05-24T09:00:00Z".into(),
        clicks: 17,
    };
    match table.create(&link).await {
        Ok(()) => println!("created link {}", link.code),
        Err(Error::AlreadyExists { key, .. }) => println!("link {key} already exists: kept as is"),
        Err(e) => return Err(e.into()),
    }
    for (day, count) in [(24, 5), (25, 12)] {
        let date = NaiveDate::from_ymd_opt(2026, 5, day).ok_or("invalid date")?;
        table
            .put(&DailyStat {
                code: link.code.clone(),
                date,
                count,
            })
            .await?;
    }

    // The hot path: one GetItem by code.
    let opened = table
        .get(Link::key("aK9xQ2z"))
        .await?
        .ok_or("link missing")?;
    println!(
        "open {} -> {} ({} clicks)",
        opened.code, opened.target, opened.clicks
    );

    // The link's daily stats, in date order, in one Query scoped to STAT#.
    let stats = table.query(DailyStat::partition("aK9xQ2z")).all().await?;
    println!("{:<16} | {:>5}", "SK", "count");
    for stat in &stats {
        println!("{:<16} | {:>5}", format!("STAT#{}", stat.date), stat.count);
    }

    // Typed range on the sort key: only days from the 25th on.
    let since = NaiveDate::from_ymd_opt(2026, 5, 25).ok_or("invalid date")?;
    let recent = table
        .query(DailyStat::partition("aK9xQ2z"))
        .key_condition(DailyStat::sort_key().ge(since))
        .all()
        .await?;
    println!("days since {since}: {}", recent.len());

    // Bad input is a typed error before any request: nothing is written.
    match table.get(Link::key("")).await {
        Err(e @ Error::InvalidKey { .. }) => println!("empty code refused: {e}"),
        other => return Err(format!("expected InvalidKey, got {other:?}").into()),
    }
    Ok(())
}
