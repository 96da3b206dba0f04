//! Indexes over existing attributes (DynamoDB's multi-attribute GSI keys)
//! against DynamoDB Local: created by the table definition, queried with
//! every condition shape DynamoDB allows, paged with checked cursors, kept
//! in step by plain updates.

use crate::common::*;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Error, KeyPart, SortCondition, Table};

/// Sorts by name: PAID < PLACED < SHIPPED.
#[derive(KeyPart, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Paid,
    Placed,
    Shipped,
}

/// `status` and `region` are DynamoDB reserved words.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at, status])
)]
struct Order {
    id: String,
    tenant_id: String,
    /// `None`: the order is in no partition of the index.
    region: Option<String>,
    placed_at: u64,
    status: Status,
    total: u32,
}

/// Another entity type with the same index: its items share the index's
/// partitions.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "INVOICE#{id}",
    sk = "META",
    index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at, status])
)]
struct Invoice {
    id: String,
    tenant_id: String,
    region: String,
    placed_at: u64,
    status: Status,
}

fn order(id: usize, tenant: &str, region: Option<&str>, placed_at: u64, status: Status) -> Order {
    Order {
        id: format!("o{id:02}"),
        tenant_id: tenant.into(),
        region: region.map(Into::into),
        placed_at,
        status,
        total: id as u32,
    }
}

/// Ten orders of t1 in eu (two per `placed_at`, 100 to 104: one PAID, one
/// SHIPPED), three of t1 in us, two of t2 in eu, one without a region.
fn orders() -> Vec<Order> {
    let mut orders: Vec<Order> = (0..10)
        .map(|i| {
            let status = [Status::Paid, Status::Shipped][i % 2];
            order(i, "t1", Some("eu"), 100 + (i / 2) as u64, status)
        })
        .collect();
    orders.extend((10..13).map(|i| order(i, "t1", Some("us"), 100, Status::Placed)));
    orders.extend((13..15).map(|i| order(i, "t2", Some("eu"), 100, Status::Placed)));
    orders.push(order(15, "t1", None, 100, Status::Placed));
    orders
}

async fn orders_table(test: &str) -> Table {
    let table = Table::new(client().await, table_name(test));
    table
        .definition()
        .entity::<Order>()
        .entity::<Invoice>()
        .create()
        .await
        .unwrap();
    table.batch_write().put_all(&orders()).await.unwrap();
    table
}

fn ids(orders: &[Order]) -> Vec<&str> {
    orders.iter().map(|o| o.id.as_str()).collect()
}

fn sorted<T: Ord>(mut list: Vec<T>) -> Vec<T> {
    list.sort();
    list
}

/// The t1/eu orders that `keep` admits, in the index's order.
fn expected(keep: impl Fn(&Order) -> bool) -> Vec<String> {
    let mut list: Vec<Order> = orders()
        .into_iter()
        .filter(|o| o.tenant_id == "t1" && o.region.as_deref() == Some("eu"))
        .filter(|o| keep(o))
        .collect();
    list.sort_by_key(|o| (o.placed_at, o.status));
    list.into_iter().map(|o| o.id).collect()
}

#[tokio::test]
async fn the_table_definition_creates_the_index_over_the_attributes_themselves() {
    let table = orders_table("attr-index-create").await;
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap();
    let description = described.table.unwrap();
    let index = &description.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("ByTenant"));
    let keys: Vec<(String, String)> = index
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    let expected_keys = [
        ("tenant_id", "HASH"),
        ("region", "HASH"),
        ("placed_at", "RANGE"),
        ("status", "RANGE"),
    ];
    assert_eq!(
        keys,
        expected_keys.map(|(a, k)| (a.to_owned(), k.to_owned())),
        "one index declared by both entities, its keys in order"
    );
    let mut types: Vec<(String, String)> = description
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    types.sort();
    let expected_types = [
        ("PK", "S"),
        ("SK", "S"),
        ("placed_at", "N"),
        ("region", "S"),
        ("status", "S"),
        ("tenant_id", "S"),
    ];
    assert_eq!(
        types,
        expected_types.map(|(a, t)| (a.to_owned(), t.to_owned()))
    );

    // No synthetic key attributes: the item holds its fields and its keys;
    // the order without a region holds no `region` (not NULL, which
    // DynamoDB refuses as a key), and is in no partition of the index.
    let raw = scan(&table).await;
    let o00 = raw
        .iter()
        .find(|i| i.get("PK") == Some(&s("ORDER#o00")))
        .unwrap();
    let mut names: Vec<&str> = o00.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "PK",
            "SK",
            "id",
            "placed_at",
            "region",
            "status",
            "tenant_id",
            "total"
        ]
    );
    let o15 = raw
        .iter()
        .find(|i| i.get("PK") == Some(&s("ORDER#o15")))
        .unwrap();
    assert!(!o15.contains_key("region"));
    assert_eq!(index_count(&table).await, 15);
    let back = table.get(Order::key("o15")).await.unwrap().unwrap();
    assert_eq!(back.region, None, "and reads back as None");
}

/// Items in the index, counted by a Scan of it.
async fn index_count(table: &Table) -> usize {
    let out = table
        .client()
        .scan()
        .table_name(table.name())
        .index_name("ByTenant")
        .send()
        .await
        .unwrap();
    out.items.unwrap_or_default().len()
}

#[tokio::test]
async fn every_condition_shape_dynamodb_allows_returns_what_it_says() {
    let table = orders_table("attr-index-shapes").await;
    let key = Order::bytenant_sort_key;
    let cases: Vec<(&str, SortCondition<Order>, Vec<String>)> = vec![
        ("whole partition", key().into(), expected(|_| true)),
        (
            "placed_at =",
            key().eq(102).into(),
            expected(|o| o.placed_at == 102),
        ),
        (
            "placed_at =, status =",
            key().eq(102).eq(Status::Shipped).into(),
            expected(|o| o.placed_at == 102 && o.status == Status::Shipped),
        ),
        (
            "placed_at >",
            key().gt(102),
            expected(|o| o.placed_at > 102),
        ),
        (
            "placed_at >=",
            key().ge(102),
            expected(|o| o.placed_at >= 102),
        ),
        (
            "placed_at <",
            key().lt(102),
            expected(|o| o.placed_at < 102),
        ),
        (
            "placed_at <=",
            key().le(102),
            expected(|o| o.placed_at <= 102),
        ),
        (
            "placed_at between",
            key().between(101, 103),
            expected(|o| (101..=103).contains(&o.placed_at)),
        ),
        (
            "placed_at =, status >",
            key().eq(102).gt(Status::Paid),
            expected(|o| o.placed_at == 102 && o.status > Status::Paid),
        ),
        (
            "placed_at =, status >=",
            key().eq(102).ge(Status::Shipped),
            expected(|o| o.placed_at == 102 && o.status >= Status::Shipped),
        ),
        (
            "placed_at =, status <",
            key().eq(102).lt(Status::Shipped),
            expected(|o| o.placed_at == 102 && o.status < Status::Shipped),
        ),
        (
            "placed_at =, status <=",
            key().eq(102).le(Status::Paid),
            expected(|o| o.placed_at == 102 && o.status <= Status::Paid),
        ),
        (
            "placed_at =, status between",
            key().eq(103).between(Status::Paid, Status::Placed),
            expected(|o| o.placed_at == 103 && o.status <= Status::Placed),
        ),
        (
            "placed_at =, status begins_with",
            key().eq(104).begins_with("SH"),
            expected(|o| o.placed_at == 104 && o.status == Status::Shipped),
        ),
    ];
    for (shape, condition, want) in cases {
        assert!(!want.is_empty(), "{shape}: a test that can fail");
        let found = table
            .query(Order::bytenant("t1", "eu"))
            .key_condition(condition.clone())
            .all()
            .await
            .unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(ids(&found), want, "{shape}");
        let mut reversed = table
            .query(Order::bytenant("t1", "eu"))
            .key_condition(condition)
            .descending()
            .all()
            .await
            .unwrap();
        reversed.reverse();
        assert_eq!(ids(&reversed), want, "{shape}, descending");
    }
    // Every partition attribute counts. (Items with the same index keys
    // come in no particular order.)
    let us = table
        .query(Order::bytenant("t1", "us"))
        .all()
        .await
        .unwrap();
    assert_eq!(sorted(ids(&us)), ["o10", "o11", "o12"]);
    let t2 = table
        .query(Order::bytenant("t2", "eu"))
        .all()
        .await
        .unwrap();
    assert_eq!(sorted(ids(&t2)), ["o13", "o14"]);
}

#[tokio::test]
async fn items_of_another_entity_in_the_same_index_are_left_to_their_type() {
    let table = orders_table("attr-index-shared").await;
    let invoices: Vec<Invoice> = (0..4)
        .map(|i| Invoice {
            id: format!("i{i}"),
            tenant_id: "t1".into(),
            region: "eu".into(),
            placed_at: 102,
            status: Status::Paid,
        })
        .collect();
    table.batch_write().put_all(&invoices).await.unwrap();
    let orders = table
        .query(Order::bytenant("t1", "eu"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&orders), expected(|_| true), "the invoices are skipped");
    let mut found = table
        .query(Invoice::bytenant("t1", "eu"))
        .key_condition(Invoice::bytenant_sort_key().eq(102))
        .all()
        .await
        .unwrap();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(found, invoices);
}

#[tokio::test]
async fn pages_and_cursors_work_as_on_template_indexes() {
    let table = orders_table("attr-index-pages").await;
    let query = || table.query(Order::bytenant("t1", "eu")).page_size(3);
    let mut all = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = query().after(cursor.clone()).page().await.unwrap();
        pages += 1;
        all.extend(page.items);
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(pages, 4, "10 items, 3 per page");
    assert_eq!(ids(&all), expected(|_| true));

    let first = query().page().await.unwrap();
    let cursor = first.cursor.unwrap();
    // Another partition, another range, the table, a tampered text.
    let elsewhere = table
        .query(Order::bytenant("t1", "us"))
        .after(cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(
        matches!(elsewhere, Error::InvalidCursor { .. }),
        "{elsewhere}"
    );
    let outside = table
        .query(Order::bytenant("t1", "eu"))
        .key_condition(Order::bytenant_sort_key().ge(103))
        .after(cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(matches!(outside, Error::InvalidCursor { .. }), "{outside}");
    let table_cursor = table
        .query(Order::partition("o00"))
        .after(cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(matches!(table_cursor, Error::InvalidCursor { .. }));
    let mut text = cursor.into_string().into_bytes();
    text[5] = if text[5] == b'A' { b'B' } else { b'A' };
    let tampered = query()
        .after(truss_model::Cursor::new(String::from_utf8(text).unwrap()))
        .page()
        .await
        .unwrap_err();
    assert!(matches!(tampered, Error::InvalidCursor { .. }));
    let consistent = query().consistent().page().await.unwrap_err();
    assert!(
        matches!(consistent, Error::InvalidQuery { .. }),
        "{consistent}"
    );
}

#[tokio::test]
async fn an_update_moves_an_item_in_the_index_in_one_request() {
    let (client, counter) = counted_client().await;
    let table = Table::new(client, table_name("attr-index-update"));
    table.definition().entity::<Order>().create().await.unwrap();
    table.batch_write().put_all(&orders()).await.unwrap();
    counter.take();

    table
        .update(Order::key("o00"))
        .set(Order::REGION, Some("us".to_owned()))
        .must_exist()
        .await
        .unwrap();
    assert_eq!(counter.take().get("UpdateItem"), Some(&1));
    let us = table
        .query(Order::bytenant("t1", "us"))
        .all()
        .await
        .unwrap();
    assert_eq!(
        sorted(ids(&us)),
        ["o00", "o10", "o11", "o12"],
        "moved to t1/us"
    );
    let eu = table
        .query(Order::bytenant("t1", "eu"))
        .all()
        .await
        .unwrap();
    assert!(!ids(&eu).contains(&"o00"));

    // `None` removes the attribute: the item leaves the index.
    table
        .update(Order::key("o00"))
        .set(Order::REGION, None)
        .await
        .unwrap();
    let us = table
        .query(Order::bytenant("t1", "us"))
        .all()
        .await
        .unwrap();
    assert_eq!(sorted(ids(&us)), ["o10", "o11", "o12"]);
    assert_eq!(index_count(&table).await, 14);
    let raw = scan(&table).await;
    let o00 = raw
        .iter()
        .find(|i| i.get("PK") == Some(&s("ORDER#o00")))
        .unwrap();
    assert!(!o00.contains_key("region"), "removed, not NULL");
}

#[tokio::test]
async fn empty_or_mistyped_key_values_are_refused_before_any_request() {
    let (client, counter) = counted_client().await;
    let table = Table::new(client, table_name("attr-index-bad"));
    table.definition().entity::<Order>().create().await.unwrap();
    counter.take();
    let invalid_key = |e: &Error| {
        matches!(
            e,
            Error::InvalidKey {
                field: "tenant_id",
                ..
            }
        )
    };

    let err = table
        .query(Order::bytenant("", "eu"))
        .all()
        .await
        .unwrap_err();
    assert!(invalid_key(&err), "{err}");
    let err = table
        .put(&order(1, "", Some("eu"), 1, Status::Paid))
        .await
        .unwrap_err();
    assert!(invalid_key(&err), "{err}");
    let err = table
        .update(Order::key("o01"))
        .set(Order::TENANT_ID, "")
        .await
        .unwrap_err();
    assert!(invalid_key(&err), "{err}");
    let err = table
        .query(Order::bytenant("t1", "eu"))
        .key_condition(Order::bytenant_sort_key().eq(1).begins_with(""))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    let err = table
        .query(Order::bytenant("t1", "eu"))
        .key_condition(Order::bytenant_sort_key().between(5, 4))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert!(counter.take().is_empty(), "nothing sent");
    assert!(scan(&table).await.is_empty());
}

/// An index at DynamoDB's limit: four partition and four sort attributes,
/// of both key types.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "WIDE#{id}",
    index(name = "Wide", partition = [a, b, c, d], sort = [e, f, g, h])
)]
struct Wide {
    id: String,
    a: String,
    b: u8,
    c: String,
    d: i64,
    e: String,
    f: u16,
    g: String,
    h: u32,
}

#[tokio::test]
async fn four_partition_and_four_sort_attributes_at_dynamodbs_limit() {
    let table = Table::new(client().await, table_name("attr-index-wide")).without_sort_key();
    table.definition().entity::<Wide>().create().await.unwrap();
    let wide = |id: u32, h: u32| Wide {
        id: format!("w{id}"),
        a: "a".into(),
        b: 1,
        c: "c".into(),
        d: -4,
        e: "e".into(),
        f: 6,
        g: "g".into(),
        h,
    };
    let items: Vec<Wide> = (0..6).map(|i| wide(i, i * 10)).collect();
    table.batch_write().put_all(&items).await.unwrap();
    let found: Vec<Wide> = table
        .query(Wide::wide("a", 1, "c", -4))
        .key_condition(Wide::wide_sort_key().eq("e").eq(6).eq("g").between(10, 30))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found, items[1..4]);
    let none = table.query(Wide::wide("a", 1, "c", 4)).all().await.unwrap();
    assert!(
        none.is_empty(),
        "every partition attribute counts: d = 4, not -4"
    );
}

/// The same index name with other attribute types.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "REFUND#{id}",
    sk = "META",
    index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at, status])
)]
struct Refund {
    id: String,
    tenant_id: String,
    region: String,
    placed_at: String,
    status: Status,
}

#[tokio::test]
async fn one_index_declared_two_ways_is_a_schema_error() {
    let table = Table::new(client().await, table_name("attr-index-clash"));
    let err = table
        .definition()
        .entity::<Order>()
        .entity::<Refund>()
        .create()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Schema { .. }), "{err}");
    assert!(err.to_string().contains("placed_at N"), "{err}");
}
