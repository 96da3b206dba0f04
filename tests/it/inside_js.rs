//! An order written by the AWS SDK for JavaScript (`tests/js/nested.cjs`)
//! with nested maps, lists of maps, awkward map keys and the three kinds
//! of sets: read, updated through nested paths, and read back by
//! JavaScript exactly, every untouched value as it was.

use crate::common::js::node_json;
use crate::common::*;
use crate::inside::{Address, Geo, Line, Order};
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};

#[tokio::test]
async fn an_order_written_by_javascript_is_updated_through_nested_paths() {
    let table = table("in-js").await;
    let args = |command: &'static str| [command, table.name(), "AnnLee", "o-7"];
    crate::common::js::node("nested.cjs", &args("seed"));
    let before = node_json("nested.cjs", &args("get"));

    let order = table
        .get(Order::key("AnnLee", "o-7"))
        .consistent()
        .await
        .expect("get")
        .expect("the order");
    assert_eq!(order.status, "Placed Online");
    assert_eq!(order.address.zip, None, "absent in the item");
    assert_eq!(order.address.geo.visit_count, 2);
    assert_eq!(order.lines[0].notes, ["Gift Wrap please"]);
    assert_eq!(order.attributes["color. #1"], "Dark Blue");
    assert_eq!(
        order.tags,
        HashSet::from(["gift".to_string(), "Rush Order".to_string()])
    );
    assert_eq!(order.codes, BTreeSet::from([-3, 7, 42]));
    assert_eq!(order.blobs, Some(BTreeSet::from([vec![1, 2], vec![255]])));

    table
        .update(Order::key("AnnLee", "o-7"))
        .set(
            Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE),
            Some("86HJ+2X Springfield".to_string()),
        )
        .add(Order::ADDRESS.get(Address::GEO).get(Geo::VISIT_COUNT), 1)
        .append(
            Order::LINES.at(0).get(Line::NOTES),
            ["Leave At Door".to_string()],
        )
        .set(Order::LINES.at(1).get(Line::QTY), 5)
        .set(Order::ATTRIBUTES.key("Gift Wrap"), "no")
        .remove_entry(Order::ATTRIBUTES, "color. #1")
        .add_members(Order::TAGS, ["Fragile Item".to_string()])
        .remove_members(Order::CODES, [7])
        .add_members(Order::BLOBS, [vec![0, 0]])
        .condition(Order::ADDRESS.get(Address::CITY).eq("Springfield"))
        .must_exist()
        .await
        .expect("update");

    let after = node_json("nested.cjs", &args("get"));
    let mut expected = before.clone();
    expected["address"]["geo"]["plusCode"] = json!("86HJ+2X Springfield");
    expected["address"]["geo"]["visitCount"] = json!(3);
    expected["lines"][0]["notes"] = json!(["Gift Wrap please", "Leave At Door"]);
    expected["lines"][1]["qty"] = json!(5);
    expected["attributes"] = json!({ "Gift Wrap": "no" });
    expected["tags"] = json!(["Fragile Item", "Rush Order", "gift"]);
    expected["codes"] = json!([-3, 42]);
    expected["blobs"] = json!([[0, 0], [1, 2], [255]]);
    assert_eq!(after, expected, "JavaScript reads exactly the changes");
    // Nothing else was added: no key fields or constants written over the
    // item JavaScript wrote.
    let keys: BTreeSet<&String> = after.as_object().expect("an item").keys().collect();
    let written: BTreeSet<&String> = before.as_object().expect("an item").keys().collect();
    assert_eq!(keys, written);

    // And the library reads the same.
    let order = table
        .get(Order::key("AnnLee", "o-7"))
        .consistent()
        .await
        .expect("get")
        .expect("the order");
    assert_eq!(
        order.attributes,
        HashMap::from([("Gift Wrap".to_string(), "no".to_string())])
    );
    assert_eq!(order.lines[1].qty, 5);
}
