//! The access-pattern report: generated from the entities, and the one
//! both examples' docs show (between `report` markers in each model.rs).

use crate::common::offline_table;
use truss_model::{Entity, TableDefinition};

/// The report block of a model's docs, `//! ` taken off.
fn documented(path: &str) -> String {
    let text = std::fs::read_to_string(path).expect("the model's source");
    let start = text
        .find("//! <!-- report:start -->\n")
        .expect("report:start marker")
        + 26;
    let end = text
        .find("//! <!-- report:end -->")
        .expect("report:end marker");
    text[start..end]
        .lines()
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

fn check(path: &str, definition: TableDefinition) {
    let report = definition.report();
    let docs = documented(path);
    assert_eq!(
        docs, report,
        "the report in {path} is out of date; the generated one is:\n{report}"
    );
}

#[test]
fn the_examples_docs_show_the_generated_report() {
    check(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/url_shortener/model.rs"
        ),
        crate::shortener::Shortener::definition(&offline_table("url-shortener")),
    );
    check(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/creator_saas/model.rs"
        ),
        crate::saas::Studio::definition(&offline_table("creator-saas")),
    );
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    constant(_type = "order"),
    index(name = "ByTenant", partition = [tenant_id], sort = [placed_at])
)]
struct Order {
    id: String,
    tenant_id: String,
    placed_at: u64,
    #[truss(ttl)]
    purge_at: Option<u64>,
    #[truss(version)]
    version: u64,
}

#[derive(Entity, serde::Serialize, serde::Deserialize)]
#[truss(
    pk = "ORDER#{id}",
    sk = "LINE#{line}",
    index(name = "GSI1", pk = "SKU#{sku}", sk = "ORDER#{id}")
)]
struct Line {
    id: String,
    line: u32,
    sku: String,
}

#[test]
fn the_report_has_a_row_per_entity_and_a_column_per_index_key() {
    let report = offline_table("orders")
        .definition()
        .entity::<Order>()
        .entity::<Line>()
        .report();
    assert_eq!(
        report,
        "| entity | PK | SK | ByTenant (attributes) | GSI1PK | GSI1SK | notes |\n\
         |---|---|---|---|---|---|---|\n\
         | Order | `ORDER#{id}` | `META` | `tenant_id` / `placed_at` |  |  | expires by `purge_at` (TTL); version `version`; `_type` = `order` |\n\
         | Line | `ORDER#{id}` | `LINE#{line}` |  | `SKU#{sku}` | `ORDER#{id}` |  |\n"
    );
}
