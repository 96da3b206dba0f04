//! The URL shortener from the first seed design, end to end: every access
//! pattern of `model.rs`, printed in the seed's style.
//!
//! ```sh
//! cargo run --example url_shortener                     # on the embedded engine
//! scripts/with-dynamodb-local cargo run --example url_shortener   # on DynamoDB Local
//! cargo run --example url_shortener -- --aws             # on your AWS account
//! cargo run --example url_shortener -- --report          # the key layout (Markdown)
//! cargo run --example url_shortener -- --cloudformation  # the table as a template
//! ```
//!
//! With `--aws` it creates the table `url-shortener` (on-demand) in the
//! environment's AWS account.

#[path = "../shared/definition_flags.rs"]
mod definition_flags;
#[path = "../shared/engine.rs"]
mod engine;
mod model;

use chrono::{NaiveDate, TimeZone, Utc};
use model::{random_code, Shortener};
use truss_model::{Error, Table};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `--report` / `--cloudformation`: print and end; no request is sent.
    if let Some(done) =
        definition_flags::print_requested("url-shortener", model::Shortener::definition)
    {
        return done;
    }
    let target = engine::connect("url_shortener")
        .await
        .map_err(|e| e.to_string())?;
    let config = &target.config;
    let app = Shortener::new(Table::new(
        aws_sdk_dynamodb::Client::new(config),
        "url-shortener",
    ));
    let created = app.ensure_table().await?;
    println!(
        "table url-shortener with GSI1: {}",
        if created { "created" } else { "exists" }
    );

    // 2. Create links. The first takes the seed's code if it is free; a
    // taken code is never overwritten: the next code is tried instead.
    let now = Utc
        .with_ymd_and_hms(2026, 5, 24, 9, 0, 0)
        .single()
        .ok_or("time")?;
    let mut codes = ["aK9xQ2z".to_string()].into_iter();
    let link = app
        .create(
            "https://docs.aws.amazon.com/dynamodb/",
            Some("user-001"),
            now,
            || codes.next().unwrap_or_else(random_code),
        )
        .await?;
    println!("created {} -> {}", link.code, link.target);
    let mut taken = [link.code.clone()].into_iter();
    let second = app
        .create(
            "https://example.com/second",
            Some("user-001"),
            now + chrono::Duration::minutes(5),
            || taken.next().unwrap_or_else(random_code),
        )
        .await?;
    println!(
        "{} was taken, so the second link got {}",
        link.code, second.code
    );
    let anonymous = app
        .create("https://example.com/anon", None, now, random_code)
        .await?;
    println!("created {} without owner (not in GSI1)", anonymous.code);

    // 4. Count clicks over two days.
    for (day, clicks) in [(24, 5), (25, 12)] {
        let date = NaiveDate::from_ymd_opt(2026, 5, day).ok_or("date")?;
        for _ in 0..clicks {
            app.click(&link.code, date).await?;
        }
    }

    // 1. Open: one GetItem.
    let opened = app.open(&link.code).await?.ok_or("link missing")?;
    println!(
        "open {} -> {} ({} clicks)",
        opened.code, opened.target, opened.clicks
    );

    // 3. List user-001's links, newest first.
    let page = app.list_by_owner("user-001", None).await?;
    println!(
        "user-001 owns: {}",
        page.items
            .iter()
            .map(|l| l.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    // 4. Dashboard: one Query, printed like the seed's CLI table.
    let dashboard = app.dashboard(&link.code).await?.ok_or("link missing")?;
    println!("{:<18}| {:>6} | {:<40}", "SK", "count", "target");
    println!(
        "{:<18}| {:>6} | {:<40}",
        "META", "None", dashboard.link.target
    );
    for stat in &dashboard.stats {
        println!(
            "{:<18}| {:>6} | {:<40}",
            format!("STAT#{}", stat.date),
            stat.count,
            "None"
        );
    }

    // Bad input: a typed error, nothing written.
    match app.open("").await {
        Err(e @ Error::InvalidKey { .. }) => println!("empty code refused: {e}"),
        other => return Err(format!("expected InvalidKey, got {other:?}").into()),
    }
    Ok(())
}
