//! The creator SaaS from the second seed design: six entities in one
//! partition per creator, every page one Query. See `model.rs` for the key
//! layout.
//!
//! ```sh
//! cargo run --example creator_saas   # on the embedded engine
//! cargo run --example creator_saas -- --report          # the key layout (Markdown)
//! cargo run --example creator_saas -- --cloudformation  # the table as a template
//! ```
//!
//! `--aws` runs it on the environment's AWS account
//! (table `creator-saas`, on-demand). Tokens are never printed.

#[path = "../shared/definition_flags.rs"]
mod definition_flags;
#[path = "../shared/engine.rs"]
mod engine;
mod model;

use chrono::Duration;
use model::{demo_start, Studio};
use truss_model::{RequestCounter, Table};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `--report` / `--cloudformation`: print and end; no request is sent.
    if let Some(done) = definition_flags::print_requested("creator-saas", model::Studio::definition)
    {
        return done;
    }
    let target = engine::connect("creator_saas")
        .await
        .map_err(|e| e.to_string())?;
    let sdk_config = &target.config;
    let counter = RequestCounter::new();
    let config = aws_sdk_dynamodb::config::Builder::from(sdk_config)
        .interceptor(counter.clone())
        .build();
    let studio = Studio::new(Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        "creator-saas",
    ));
    let created = studio.ensure_table().await?;
    println!(
        "table creator-saas with GSI1 and Activity: {}",
        if created { "created" } else { "exists" }
    );
    let seeded = studio.seed_demo("ada", 240).await?;
    println!(
        "seeded creator ada: {} videos, {} clips, {} streams, {} days of analytics, {} tokens",
        seeded.videos.len(),
        seeded.clips.len(),
        seeded.streams.len(),
        seeded.analytics.len(),
        seeded.tokens.len()
    );
    counter.take();

    let dashboard = studio.dashboard("ada").await?;
    println!(
        "\n== dashboard ({} request, {} items read)",
        counter.total(),
        dashboard.recent.len() + dashboard.connected.len() + 1
    );
    if let Some(p) = &dashboard.profile {
        println!("{} ({}), plan {}", p.display_name, p.handle, p.plan);
    }
    for item in dashboard.recent.iter().take(8) {
        match item {
            model::Activity::Clip(c) => println!(
                "  {} clip   {:<12} virality {:.2}",
                c.created_at, c.title, c.virality
            ),
            model::Activity::Stream(s) => {
                println!(
                    "  {} stream {:<12} peak {}",
                    s.started_at, s.title, s.peak_viewers
                )
            }
            model::Activity::Video(v) => {
                println!("  {} video  {:<12}", v.uploaded_at, v.title)
            }
        }
    }
    println!("  connected: {:?}", dashboard.connected);

    counter.take();
    let first = studio.clips("ada", None).await?;
    let second = studio.clips("ada", first.cursor.clone()).await?;
    println!(
        "\n== clips, newest first ({} requests for 2 pages)",
        counter.total()
    );
    for c in first
        .items
        .iter()
        .take(3)
        .chain(second.items.iter().take(2))
    {
        println!(
            "  {} {:<5} {:<12} from {:<3} on {:?}",
            c.created_at, c.clip_id, c.title, c.video_id, c.platforms
        );
    }

    counter.take();
    let v1 = studio.clips_of_video("ada", "v1", None).await?;
    println!(
        "\n== clips of video v1 ({} request): {} on this page, e.g. {}",
        counter.total(),
        v1.items.len(),
        v1.items.first().map(|c| c.clip_id.as_str()).unwrap_or("-")
    );

    counter.take();
    let streams = studio.streams("ada", None).await?;
    println!("\n== streams ({} request)", counter.total());
    for s in streams.items.iter().take(3) {
        println!(
            "  {} {:<8} {:?} peak {}",
            s.started_at, s.title, s.platform, s.peak_viewers
        );
    }

    counter.take();
    let from = demo_start().date_naive() + Duration::days(10);
    let days = studio
        .analytics("ada", from, from + Duration::days(6))
        .await?;
    println!(
        "\n== analytics {from} + 6 days ({} request): {} days, {} views",
        counter.total(),
        days.len(),
        days.iter().map(|d| d.views).sum::<u64>()
    );

    counter.take();
    let connections = studio.connections("ada").await?;
    println!("\n== platforms ({} request)", counter.total());
    for c in &connections {
        println!("  {:?} until {}", c.platform, c.expires_at);
    }
    Ok(())
}
