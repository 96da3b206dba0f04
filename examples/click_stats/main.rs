//! The URL shortener's daily stats kept by a stream consumer: a click is
//! one UpdateItem on the link (`clicks += 1`), and a consumer reading the
//! table's stream adds each link's new clicks to the day's stat, as a
//! Lambda on the stream would; locally, the stream reader follows the
//! stream through the DynamoDB Streams API.
//!
//! ```sh
//! cargo run --example click_stats   # on the embedded engine
//! ```
//!
//! On Lambda, the loop below is the handler's body over the event's
//! records: `Table::change` takes Lambda's records as they come
//! (`truss_model::stream::lambda`, feature `lambda`), and
//! `lambda::process_in_order` builds the partial batch response.

#[path = "../shared/engine.rs"]
mod engine;
#[path = "../url_shortener/model.rs"]
mod shortener;

use shortener::{random_code, LinkItem, Shortener};
use std::time::{Duration, Instant};
use truss_model::stream::{StartAt, StreamChange};
use truss_model::Table;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = engine::connect("click_stats")
        .await
        .map_err(|e| e.to_string())?;
    let config = &target.config;
    let table = Table::new(
        aws_sdk_dynamodb::Client::new(config),
        "url-shortener-clicks",
    );
    let app = Shortener::new(table.clone());
    app.ensure_table_with_stream().await?;
    let streams = aws_sdk_dynamodbstreams::Client::new(config);
    let mut reader = table.stream_reader(streams, StartAt::Latest).await?;

    let link = app
        .create(
            "https://example.com/stream",
            None,
            chrono::Utc::now(),
            random_code,
        )
        .await?;
    println!("created {} -> {}", link.code, link.target);
    let clicks = 7;
    for _ in 0..clicks {
        app.record_click(&link.code).await?;
    }
    println!("{clicks} clicks recorded: one UpdateItem each, no stat written yet");

    // The consumer: until the clicks have reached the stat (or 30 s).
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut counted = 0;
    while counted < clicks && Instant::now() < deadline {
        for record in reader.poll().await? {
            let change: StreamChange<LinkItem> = table.change(record)?;
            if let Some((code, day, added)) = Shortener::clicks_in(&change) {
                println!("stream: {code} +{added} on {day}");
                counted += added;
            }
            app.apply_change(&change).await?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let dashboard = app.dashboard(&link.code).await?.ok_or("link missing")?;
    println!("{} has {} clicks", link.code, dashboard.link.clicks);
    for stat in &dashboard.stats {
        println!("STAT#{} count {}", stat.date, stat.count);
    }
    let total: u64 = dashboard.stats.iter().map(|s| s.count).sum();
    if total != dashboard.link.clicks {
        return Err(format!(
            "stats hold {total} clicks, the link {}",
            dashboard.link.clicks
        )
        .into());
    }
    println!("{} stream requests", reader.requests());
    Ok(())
}
