//! The capacity meter against DynamoDB Local: what it adds up per table
//! and index equals what DynamoDB reports for the same requests asked
//! directly, and it changes nothing else.

use crate::common::*;
use crate::shortener::{Link, Shortener};
use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use chrono::TimeZone;
use truss_model::{CapacityMeter, Table};

fn link(code: &str) -> Link {
    Link {
        code: code.into(),
        target: "https://example.com/metered".into(),
        owner_id: Some("owner-1".into()),
        created_at: chrono::Utc
            .with_ymd_and_hms(2026, 5, 24, 9, 0, 0)
            .single()
            .expect("time"),
        clicks: 0,
    }
}

#[tokio::test]
async fn the_meter_adds_up_what_dynamodb_reports_per_table_and_index() {
    let meter = CapacityMeter::new();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await).build();
    let name = table_name("capacity-meter");
    let metered = Table::new(aws_sdk_dynamodb::Client::from_conf(config), name.clone())
        .with_capacity_meter(meter.clone());
    Shortener::new(metered.clone())
        .ensure_table()
        .await
        .expect("create");
    meter.take();

    // A put writes the table and GSI1 (the link has an owner).
    metered.put(&link("aaaaaaa")).await.expect("put");
    let put = meter.take();
    // The same request for a twin item, asked directly.
    let raw = client().await;
    let item = metered.to_item(&link("bbbbbbb")).expect("item");
    let reported = raw
        .put_item()
        .table_name(&name)
        .set_item(Some(item))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .expect("raw put")
        .consumed_capacity
        .expect("reported");
    let table_units = reported
        .table()
        .and_then(|t| t.capacity_units())
        .expect("table part");
    let index_units = reported
        .global_secondary_indexes()
        .and_then(|i| i.get("GSI1"))
        .and_then(|c| c.capacity_units())
        .expect("GSI1 part");
    assert_eq!(put[&name].units, table_units);
    assert_eq!(put[&format!("{name}/GSI1")].units, index_units);
    assert!(index_units > 0.0, "the index write is counted");
    assert_eq!(put[&name].responses, 1);

    // A query of the index reads the index only.
    let page = metered
        .query(Link::gsi1("owner-1"))
        .page()
        .await
        .expect("query");
    assert_eq!(page.items.len(), 2);
    let query = meter.take();
    let reported = raw
        .query()
        .table_name(&name)
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", s("OWNER#owner-1"))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .expect("raw query")
        .consumed_capacity
        .expect("reported");
    let index_units = reported
        .global_secondary_indexes()
        .and_then(|i| i.get("GSI1"))
        .and_then(|c| c.capacity_units())
        .expect("GSI1 part");
    assert_eq!(query[&format!("{name}/GSI1")].units, index_units);
    assert_eq!(meter.total(), 0.0, "taken");

    // Batches report a list: each table's part is added.
    let mut batch = metered.batch_write();
    for code in ["c000001", "c000002", "c000003"] {
        batch = batch.put(&link(code));
    }
    batch.await.expect("batch");
    let written = meter.take();
    assert!(written[&name].units >= 3.0, "{written:?}");
    assert!(written[&format!("{name}/GSI1")].units >= 3.0, "{written:?}");
}
