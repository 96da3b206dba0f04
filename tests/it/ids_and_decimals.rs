//! Key parts from the `uuid` and `ulid` features and `Decimal` fields from
//! `rust_decimal`, against DynamoDB Local: ids sort by time in real keys,
//! keys in another text of the same id are refused on read (writing them
//! back would address another item), decimals are stored as numbers and
//! read back exactly or not at all.

use crate::common::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use truss_model::aws_sdk_dynamodb::types::AttributeValue;
use truss_model::{Entity, Error};
use ulid::Ulid;
use uuid::{NoContext, Timestamp, Uuid};

/// An order: a v7 UUID sort key, a decimal total.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CUSTOMER#{customer}", sk = "ORDER#{order_id}")]
struct Order {
    customer: Uuid,
    order_id: Uuid,
    #[serde(with = "truss_model::decimal")]
    total: Decimal,
    #[serde(with = "truss_model::decimal::option", default)]
    discount: Option<Decimal>,
}

/// An event with a ULID.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "STREAM#{stream}", sk = "EVENT#{id}")]
struct Event {
    stream: String,
    id: Ulid,
}

fn v7(millis: u64, random: u16) -> Uuid {
    let ts = Timestamp::from_unix(
        NoContext,
        millis / 1000,
        ((millis % 1000) * 1_000_000) as u32,
    );
    let id = Uuid::new_v7(ts);
    // Overwrite part of the random bits so a later id can have smaller ones.
    let mut bytes = *id.as_bytes();
    bytes[8..10].copy_from_slice(&(random | 0x8000).to_be_bytes());
    Uuid::from_bytes(bytes)
}

#[tokio::test]
async fn uuid_v7_orders_come_back_in_creation_order_with_exact_totals() {
    let table = table("ids-uuid").await;
    let customer = Uuid::from_u128(0x6f1c_2d3e_4f50_4a6b_8c7d_9e0f_1a2b_3c4d);
    let base = 1_779_613_200_000;
    // Written newest first, the later ids with smaller random bits.
    let orders: Vec<Order> = [(2, 0x0001), (1, 0x3fff), (0, 0x7fff)]
        .into_iter()
        .map(|(n, random)| Order {
            customer,
            order_id: v7(base + n, random),
            total: Decimal::new(1999 + i64::try_from(n).unwrap_or(0), 2),
            discount: (n == 1).then(|| Decimal::new(5, 1)),
        })
        .collect();
    put_all(&table, &orders).await;

    let read = table
        .query(Order::partition(customer))
        .all()
        .await
        .expect("query");
    let mut expected = orders.clone();
    expected.reverse();
    assert_eq!(read, expected, "creation order");

    // Stored as a lower-case UUID key and an N attribute.
    let raw = raw_get(
        table.client(),
        table.name(),
        &format!("CUSTOMER#{customer}"),
        &format!("ORDER#{}", orders[0].order_id),
    )
    .await;
    assert_eq!(raw.get("total"), Some(&AttributeValue::N("20.01".into())));
    let sk = raw.get("SK").and_then(|v| v.as_s().ok()).expect("SK");
    let id = sk.strip_prefix("ORDER#").expect("the prefix");
    assert_eq!(id, id.to_lowercase());
}

#[tokio::test]
async fn another_text_of_the_same_id_is_refused_not_aliased() {
    let table = table("ids-text").await;
    let customer = Uuid::from_u128(1);
    let order_id = v7(1_779_613_200_000, 1);
    // Another tool wrote the order id in upper case.
    let upper = |id: Uuid| id.hyphenated().to_string().to_uppercase();
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s(&format!("CUSTOMER#{customer}")))
        .item("SK", s(&format!("ORDER#{}", upper(order_id))))
        .item("customer", s(&customer.to_string()))
        .item("order_id", s(&upper(order_id)))
        .item("total", AttributeValue::N("1".into()))
        .send()
        .await
        .expect("raw put");
    let err = table
        .query(Order::partition(customer))
        .all()
        .await
        .expect_err("an upper-case key is another item's key");
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("lower-case hyphenated"), "{err}");
    // The typed key addresses the canonical item, which does not exist.
    assert_eq!(
        table
            .get(Order::key(customer, order_id))
            .await
            .expect("get"),
        None
    );
    assert_eq!(scan(&table).await.len(), 1, "nothing was written");

    // The same for a ULID in lower case.
    let id = Ulid::from_parts(1_779_613_200_000, 7);
    let lower = id.to_string().to_lowercase();
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("STREAM#s1"))
        .item("SK", s(&format!("EVENT#{lower}")))
        .item("stream", s("s1"))
        .item("id", s(&lower))
        .send()
        .await
        .expect("raw put");
    let err = table
        .query(Event::partition("s1"))
        .all()
        .await
        .expect_err("a lower-case ULID key");
    assert!(err.to_string().contains("Crockford"), "{err}");
}

#[tokio::test]
async fn ulid_events_sort_by_time() {
    let table = table("ids-ulid").await;
    let events: Vec<Event> = [(3, 0), (1, u128::MAX >> 48), (2, 5)]
        .into_iter()
        .map(|(ms, random)| Event {
            stream: "s1".into(),
            id: Ulid::from_parts(1_779_613_200_000 + ms, random),
        })
        .collect();
    put_all(&table, &events).await;
    let read = table
        .query(Event::partition("s1"))
        .all()
        .await
        .expect("query");
    let times: Vec<u64> = read
        .iter()
        .map(|e| e.id.timestamp_ms() - 1_779_613_200_000)
        .collect();
    assert_eq!(times, [1, 2, 3]);
}

#[tokio::test]
async fn a_number_a_decimal_cannot_hold_is_an_error_naming_the_field() {
    let table = table("ids-decimal").await;
    let customer = Uuid::from_u128(2);
    let order_id = v7(1_779_613_200_000, 2);
    let order = Order {
        customer,
        order_id,
        total: Decimal::ONE,
        discount: None,
    };
    table.put(&order).await.expect("put");
    // Another tool wrote a total with 38 significant digits.
    let wide = "1.2345678901234567890123456789012345678";
    table
        .client()
        .update_item()
        .table_name(table.name())
        .key("PK", s(&format!("CUSTOMER#{customer}")))
        .key("SK", s(&format!("ORDER#{order_id}")))
        .update_expression("SET #t = :t")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":t", AttributeValue::N(wide.into()))
        .send()
        .await
        .expect("raw update");
    let err = table
        .get(Order::key(customer, order_id))
        .await
        .expect_err("not a Decimal");
    assert_decode(&err, "Order", "total", &[wide]);
}
