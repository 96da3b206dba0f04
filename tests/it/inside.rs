//! Inside the item: typed paths into nested structs, lists and maps, and
//! DynamoDB's whole expression language (conditions, filters, updates),
//! each checked on the stored item read raw afterwards.

use crate::common::*;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use truss_model::expression::AttributeType;
use truss_model::{Entity, Error, Nested};

#[derive(Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Geo {
    pub lat: f64,
    pub visit_count: u32,
    /// Absent when `None` (a `None` is otherwise stored as `NULL`, which
    /// `attribute_exists` counts as there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plus_code: Option<String>,
}

#[derive(Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub street_line: String,
    pub city: String,
    pub geo: Geo,
    pub zip: Option<String>,
}

#[derive(Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Line {
    pub sku: String,
    pub qty: u32,
    pub notes: Vec<String>,
}

/// A recursive struct, for paths as deep as DynamoDB allows.
#[derive(Nested, Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Tree {
    pub child: Option<Box<Tree>>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CUSTOMER#{customer}", sk = "ORDER#{id}")]
pub struct Order {
    pub customer: String,
    pub id: String,
    pub status: String,
    pub address: Address,
    pub lines: Vec<Line>,
    pub attributes: HashMap<String, String>,
    #[serde(with = "serde_dynamo::string_set")]
    pub tags: HashSet<String>,
    #[serde(with = "serde_dynamo::number_set")]
    pub codes: BTreeSet<i64>,
    #[serde(default, with = "serde_dynamo::binary_set")]
    pub blobs: Option<BTreeSet<Vec<u8>>>,
    pub subtotal: i64,
    pub total: i64,
    pub tree: Option<Tree>,
}

pub fn order(id: &str) -> Order {
    Order {
        customer: "Ann Lee".into(),
        id: id.into(),
        status: "PLACED".into(),
        address: Address {
            street_line: "1 Main St".into(),
            city: "Springfield".into(),
            geo: Geo {
                lat: 39.78,
                visit_count: 1,
                plus_code: None,
            },
            zip: Some("62701".into()),
        },
        lines: vec![
            Line {
                sku: "A-1".into(),
                qty: 1,
                notes: vec!["first".into()],
            },
            Line {
                sku: "B 2".into(),
                qty: 3,
                notes: vec![],
            },
        ],
        attributes: HashMap::from([("Gift Wrap".to_string(), "yes".to_string())]),
        tags: HashSet::from(["gift".to_string(), "Priority".to_string()]),
        codes: BTreeSet::from([7, 42]),
        blobs: Some(BTreeSet::from([vec![1, 2], vec![255]])),
        subtotal: 100,
        total: 100,
        tree: None,
    }
}

async fn raw(table: &truss_model::Table, id: &str) -> HashMap<String, AttributeValue> {
    get_raw(table, "CUSTOMER#Ann%20Lee", &format!("ORDER#{id}"))
        .await
        .expect("the item is there")
}

/// `item.a.b.c`, raw.
fn at<'a>(item: &'a HashMap<String, AttributeValue>, path: &[&str]) -> &'a AttributeValue {
    let mut value = &item[path[0]];
    for step in &path[1..] {
        value = match value {
            AttributeValue::M(m) => &m[*step],
            AttributeValue::L(l) => &l[step.parse::<usize>().expect("an index")],
            other => panic!("no {step} in {other:?}"),
        };
    }
    value
}

fn has(item: &HashMap<String, AttributeValue>, path: &[&str]) -> bool {
    let (last, parent) = path.split_last().expect("a path");
    if parent.is_empty() {
        return item.contains_key(*last);
    }
    match at(item, parent) {
        AttributeValue::M(m) => m.contains_key(*last),
        _ => false,
    }
}

#[tokio::test]
async fn set_reaches_three_levels_deep_under_serde_names() {
    let table = table("in-set3").await;
    table.put(&order("o1")).await.unwrap();
    let plus_code = Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE);
    assert_eq!(plus_code.to_string(), "address.geo.plusCode");
    let after = table
        .update(Order::key("Ann Lee", "o1"))
        .set(plus_code, Some("86HJ+2X".to_string()))
        .set(Order::ADDRESS.get(Address::STREET_LINE), "2 Elm St")
        .return_new()
        .await
        .unwrap();
    assert_eq!(after.address.geo.plus_code.as_deref(), Some("86HJ+2X"));
    let item = raw(&table, "o1").await;
    assert_eq!(at(&item, &["address", "geo", "plusCode"]), &s("86HJ+2X"));
    assert_eq!(at(&item, &["address", "streetLine"]), &s("2 Elm St"));
    // The rest of the struct is untouched.
    assert_eq!(at(&item, &["address", "city"]), &s("Springfield"));
    assert_eq!(at(&item, &["address", "geo", "lat"]), &n("39.78"));
}

#[tokio::test]
async fn remove_reaches_three_levels_deep_and_the_item_still_decodes() {
    let table = table("in-remove3").await;
    let mut o = order("o1");
    o.address.geo.plus_code = Some("X".into());
    table.put(&o).await.unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .remove(Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE))
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    assert!(!has(&item, &["address", "geo", "plusCode"]));
    assert!(has(&item, &["address", "geo", "lat"]));
    let got = table
        .get(Order::key("Ann Lee", "o1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.address.geo.plus_code, None);
}

#[tokio::test]
async fn set_if_not_exists_reaches_three_levels_deep() {
    let table = table("in-ifne3").await;
    table.put(&order("o1")).await.unwrap();
    let plus_code = Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE);
    table
        .update(Order::key("Ann Lee", "o1"))
        .set_if_not_exists(plus_code.clone(), Some("first".to_string()))
        .await
        .unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .set_if_not_exists(plus_code, Some("second".to_string()))
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    assert_eq!(at(&item, &["address", "geo", "plusCode"]), &s("first"));
}

#[tokio::test]
async fn add_reaches_three_levels_deep_through_set_arithmetic() {
    let (table, counter) = counted_table("in-add3").await;
    table.put(&order("o1")).await.unwrap();
    let visits = Order::ADDRESS.get(Address::GEO).get(Geo::VISIT_COUNT);
    table
        .update(Order::key("Ann Lee", "o1"))
        .add(visits.clone(), 4)
        .await
        .unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .subtract(visits, 2)
        .await
        .unwrap();
    assert_eq!(counter.take().values().sum::<usize>(), 3);
    let item = raw(&table, "o1").await;
    assert_eq!(at(&item, &["address", "geo", "visitCount"]), &n("3"));
    // Unsigned: the guard refuses going below zero, nothing changes.
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .subtract(Order::ADDRESS.get(Address::GEO).get(Geo::VISIT_COUNT), 9)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    assert_eq!(raw(&table, "o1").await, item);
}

#[tokio::test]
async fn list_elements_set_remove_and_lists_grow_at_either_end() {
    let table = table("in-lists").await;
    table.put(&order("o1")).await.unwrap();
    let notes = Order::LINES.at(0).get(Line::NOTES);
    assert_eq!(notes.to_string(), "lines[0].notes");
    table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::LINES.at(1).get(Line::QTY), 5)
        .append(notes.clone(), ["last".to_string()])
        .await
        .unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .prepend(notes, ["zeroth".to_string()])
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    assert_eq!(
        at(&item, &["lines", "0", "notes"]),
        &AttributeValue::L(vec![s("zeroth"), s("first"), s("last")])
    );
    assert_eq!(at(&item, &["lines", "1", "qty"]), &n("5"));

    let new_line = Line {
        sku: "C".into(),
        qty: 1,
        notes: vec![],
    };
    table
        .update(Order::key("Ann Lee", "o1"))
        .prepend(Order::LINES, [new_line.clone()])
        .await
        .unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .remove_element(Order::LINES, 1)
        .await
        .unwrap();
    let got = table
        .get(Order::key("Ann Lee", "o1"))
        .await
        .unwrap()
        .unwrap();
    let skus: Vec<_> = got.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["C", "B 2"]);
    assert_eq!(got.lines[1].qty, 5);
}

#[tokio::test]
async fn map_entries_with_any_key_text_are_set_and_removed() {
    let table = table("in-maps").await;
    table.put(&order("o1")).await.unwrap();
    let awkward = "color. #1 [x]";
    table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::ATTRIBUTES.key(awkward), "Dark Blue")
        .remove_entry(Order::ATTRIBUTES, "Gift Wrap")
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    let AttributeValue::M(map) = &item["attributes"] else {
        panic!("a map")
    };
    assert_eq!(map.len(), 1);
    assert_eq!(map[awkward], s("Dark Blue"));
}

#[tokio::test]
async fn set_members_of_three_kinds_are_added_and_deleted() {
    let table = table("in-sets").await;
    table.put(&order("o1")).await.unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .add_members(Order::TAGS, ["rush".to_string(), "gift".to_string()])
        .remove_members(Order::CODES, [7])
        .add_members(Order::BLOBS, [vec![9, 9, 9]])
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    let AttributeValue::Ss(tags) = &item["tags"] else {
        panic!("a string set: {:?}", item["tags"])
    };
    let tags: BTreeSet<_> = tags.iter().map(String::as_str).collect();
    assert_eq!(tags, BTreeSet::from(["Priority", "gift", "rush"]));
    assert_eq!(item["codes"], AttributeValue::Ns(vec!["42".into()]));
    let AttributeValue::Bs(blobs) = &item["blobs"] else {
        panic!("a binary set")
    };
    assert_eq!(blobs.len(), 3);
    assert!(blobs.contains(&Blob::new(vec![9, 9, 9])));

    // The last members of an optional set go: the attribute goes with
    // them, and the item still decodes.
    table
        .update(Order::key("Ann Lee", "o1"))
        .remove_members(Order::BLOBS, [vec![1, 2], vec![255], vec![9, 9, 9]])
        .add_members(Order::CODES, [-5])
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    assert!(!item.contains_key("blobs"));
    let got = table
        .get(Order::key("Ann Lee", "o1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.blobs, None);
    assert_eq!(got.codes, BTreeSet::from([-5, 42]));
}

#[tokio::test]
async fn one_attribute_is_computed_from_another() {
    let table = table("in-compute").await;
    table.put(&order("o1")).await.unwrap();
    table
        .update(Order::key("Ann Lee", "o1"))
        .set_from(Order::TOTAL, Order::SUBTOTAL.plus(15))
        .await
        .unwrap();
    assert_eq!(raw(&table, "o1").await["total"], n("115"));
    table
        .update(Order::key("Ann Lee", "o1"))
        .set_from(Order::SUBTOTAL, Order::TOTAL.minus(20))
        .await
        .unwrap();
    assert_eq!(raw(&table, "o1").await["subtotal"], n("95"));
}

#[tokio::test]
async fn a_failed_condition_on_a_nested_path_changes_nothing() {
    let table = table("in-cond").await;
    table.put(&order("o1")).await.unwrap();
    let before = raw(&table, "o1").await;
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::ADDRESS.get(Address::CITY), "Shelbyville")
        .add_members(Order::TAGS, ["moved".to_string()])
        .condition(
            Order::ADDRESS
                .get(Address::GEO)
                .get(Geo::PLUS_CODE)
                .exists(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    assert_eq!(raw(&table, "o1").await, before);

    // The same condition, held: applied.
    table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::ADDRESS.get(Address::CITY), "Shelbyville")
        .condition(
            Order::ADDRESS
                .get(Address::GEO)
                .get(Geo::PLUS_CODE)
                .not_exists()
                & Order::ADDRESS.get(Address::CITY).eq("Springfield")
                & Order::LINES.at(1).get(Line::SKU).eq("B 2"),
        )
        .await
        .unwrap();
    assert_eq!(
        at(&raw(&table, "o1").await, &["address", "city"]),
        &s("Shelbyville")
    );
}

/// The ids a filter keeps of the customer's orders.
async fn kept(table: &truss_model::Table, filter: truss_model::Condition<Order>) -> Vec<String> {
    let mut ids: Vec<String> = table
        .query(Order::partition("Ann Lee"))
        .filter(filter)
        .all()
        .await
        .expect("scan")
        .into_iter()
        .map(|o| o.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn filters_keep_what_each_function_says() {
    let table = table("in-filters").await;
    let mut orders = Vec::new();
    for (i, status) in ["PLACED", "SHIPPED", "DELIVERED", "CANCELED", "SHIPPED"]
        .iter()
        .enumerate()
    {
        let mut o = order(&format!("o{i}"));
        o.status = status.to_string();
        o.lines.truncate(i.min(2));
        if i % 2 == 1 {
            o.tags.remove("gift");
        }
        o.total = 100 + i as i64 * 10;
        o.subtotal = 120;
        if i == 3 {
            o.address.geo.plus_code = Some("Q".into());
            o.attributes.insert("Rush Order".into(), "yes".into());
        }
        orders.push(o);
    }
    for o in &orders {
        table.put(o).await.unwrap();
    }
    // contains: a set member, a substring, a list element.
    assert_eq!(
        kept(&table, Order::TAGS.contains("gift")).await,
        ["o0", "o2", "o4"]
    );
    assert_eq!(
        kept(&table, Order::STATUS.contains("IPP")).await,
        ["o1", "o4"]
    );
    assert_eq!(
        kept(&table, Order::CODES.contains(42)).await.len(),
        5,
        "a number set member"
    );
    let second = orders[2].lines[1].clone();
    assert_eq!(
        kept(&table, Order::LINES.contains(second)).await,
        ["o2", "o3", "o4"]
    );
    // size, IN, attribute_type, attribute against attribute.
    assert_eq!(
        kept(&table, Order::LINES.size().gt(1)).await,
        ["o2", "o3", "o4"]
    );
    assert_eq!(
        kept(&table, Order::STATUS.is_in(["SHIPPED", "CANCELED"])).await,
        ["o1", "o3", "o4"]
    );
    assert_eq!(
        kept(
            &table,
            Order::ADDRESS
                .get(Address::GEO)
                .get(Geo::PLUS_CODE)
                .attribute_type(AttributeType::String)
        )
        .await,
        ["o3"]
    );
    assert_eq!(
        kept(&table, Order::TOTAL.gt_attr(Order::SUBTOTAL)).await,
        ["o3", "o4"]
    );
    // Paths into lists and maps, and exists on them.
    assert_eq!(
        kept(&table, Order::LINES.at(1).get(Line::QTY).eq(3)).await,
        ["o2", "o3", "o4"]
    );
    assert_eq!(
        kept(&table, Order::ATTRIBUTES.key("Rush Order").exists()).await,
        ["o3"]
    );
    assert_eq!(
        kept(&table, Order::LINES.at(0).get(Line::NOTES).size().eq(1)).await,
        ["o1", "o2", "o3", "o4"]
    );
}

#[tokio::test]
async fn expressions_over_dynamodbs_limits_are_refused_before_any_request() {
    let (table, counter) = counted_table("in-limits").await;
    table.put(&order("o1")).await.unwrap();
    counter.take();
    let before = raw(&table, "o1").await;
    counter.take();

    // IN with 101 operands (and with none).
    let statuses: Vec<String> = (0..101).map(|i| format!("S{i}")).collect();
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::STATUS, "X")
        .condition(Order::STATUS.is_in(statuses.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    assert!(err.to_string().contains("101 operands"), "{err}");
    let err = table
        .query(Order::partition("Ann Lee"))
        .filter(Order::STATUS.is_in(Vec::<String>::new()))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    // 100 is fine.
    let ok = kept(&table, Order::STATUS.is_in(statuses[..100].to_vec())).await;
    assert!(ok.is_empty());
    counter.take();

    // A path 33 levels deep (32 is DynamoDB's limit).
    let mut deep = Order::TREE.get(Tree::CHILD);
    for _ in 0..31 {
        deep = deep.get(Tree::CHILD);
    }
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .remove(deep.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    assert!(err.to_string().contains("33 levels"), "{err}");
    let err = table
        .query(Order::partition("Ann Lee"))
        .filter(deep.exists())
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");

    // Adding or removing no members.
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .add_members(Order::TAGS, Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .remove_members(Order::CODES, [])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    // Setting an empty set, or putting one.
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::TAGS, HashSet::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err}");
    assert!(err.to_string().contains("empty string set"), "{err}");
    let mut empty = order("o1");
    empty.tags.clear();
    empty.status = "CHANGED".into();
    let err = table.put(&empty).await.unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err}");
    assert!(err.to_string().contains("tags"), "{err}");

    // A filter over 4 KB: six IN lists of 100 each, OR-ed.
    let mut big = Order::STATUS.is_in(statuses[..100].to_vec());
    for _ in 0..5 {
        big = big | Order::STATUS.is_in(statuses[..100].to_vec());
    }
    let err = table
        .query(Order::partition("Ann Lee"))
        .filter(big.clone())
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    assert!(
        err.to_string().contains("over DynamoDB's limit of 4096"),
        "{err}"
    );
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::STATUS, "X")
        .condition(big)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");

    // Overlapping paths in one update.
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::ADDRESS.get(Address::CITY), "A")
        .remove(Order::ADDRESS.get(Address::ZIP))
        .set(Order::ADDRESS.get(Address::GEO).get(Geo::LAT), 1.0)
        .set(Order::ADDRESS, order("o1").address)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUpdate { .. }), "{err}");
    assert!(err.to_string().contains("overlap"), "{err}");

    assert!(counter.take().is_empty(), "no request was sent");
    assert_eq!(raw(&table, "o1").await, before, "nothing changed");
}

#[tokio::test]
async fn paths_work_inside_transactions() {
    let table = table("in-tx").await;
    table.put(&order("o1")).await.unwrap();
    table.put(&order("o2")).await.unwrap();
    table
        .transaction()
        .update(
            table
                .update(Order::key("Ann Lee", "o1"))
                .set(
                    Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE),
                    Some("Q1".to_string()),
                )
                .remove_element(Order::LINES, 0),
        )
        .check(
            Order::key("Ann Lee", "o2"),
            Order::LINES.at(1).get(Line::QTY).eq(3),
        )
        .send()
        .await
        .unwrap();
    let item = raw(&table, "o1").await;
    assert_eq!(at(&item, &["address", "geo", "plusCode"]), &s("Q1"));
    assert_eq!(at(&item, &["lines", "0", "sku"]), &s("B 2"));

    // A check on a nested path that fails cancels the whole transaction.
    let before = raw(&table, "o1").await;
    let err = table
        .transaction()
        .update(
            table
                .update(Order::key("Ann Lee", "o1"))
                .set(Order::ADDRESS.get(Address::CITY), "Elsewhere"),
        )
        .check(
            Order::key("Ann Lee", "o2"),
            Order::ADDRESS
                .get(Address::ZIP)
                .eq(Some("00000".to_string())),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }), "{err}");
    assert_eq!(raw(&table, "o1").await, before);
}

#[tokio::test]
async fn a_condition_of_over_300_operators_is_refused_before_any_request() {
    let (table, counter) = counted_table("in-ops").await;
    let mut condition = Order::TOTAL.ge(0);
    for i in 0..150 {
        condition = condition & Order::TOTAL.ne(i + 1000);
    }
    let err = table
        .update(Order::key("Ann Lee", "o1"))
        .set(Order::STATUS, "X")
        .condition(condition)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidExpression { .. }), "{err}");
    assert!(err.to_string().contains("301 operators"), "{err}");
    assert!(counter.take().is_empty(), "no request was sent");
}
