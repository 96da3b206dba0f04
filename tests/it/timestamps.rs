//! Timestamps the library keeps: `created_at` and `updated_at` written by
//! puts, `updated_at` refreshed by every update and transaction action,
//! `created_at` kept on updates; stored in the field type's form.

use crate::common::*;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "NOTE#{id}", sk = "NOTE")]
#[serde(rename_all = "camelCase")]
struct Note {
    id: String,
    text: String,
    #[truss(created_at)]
    created_at: DateTime<Utc>,
    #[truss(updated_at)]
    updated_at: DateTime<Utc>,
}

/// Epoch seconds, one of them optional.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "COUNTER#{id}", sk = "COUNTER")]
struct Counter {
    id: String,
    n: u64,
    #[truss(created_at)]
    created: i64,
    #[truss(updated_at)]
    touched: Option<u64>,
}

fn note(id: &str) -> Note {
    Note {
        id: id.into(),
        text: "Buy Milk".into(),
        created_at: DateTime::UNIX_EPOCH,
        updated_at: DateTime::UNIX_EPOCH,
    }
}

async fn stored(table: &Table, id: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let item = get_raw(table, &format!("NOTE#{id}"), "NOTE")
        .await
        .expect("the note");
    let time = |attr: &str| match &item[attr] {
        AttributeValue::S(text) => DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("{attr} = {text}: not RFC 3339: {e}"))
            .with_timezone(&Utc),
        other => panic!("{attr} is {other:?}"),
    };
    (time("createdAt"), time("updatedAt"))
}

async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

#[tokio::test]
async fn a_put_writes_the_time_of_the_write_whatever_the_value_holds() {
    let table = table("stamp-put").await;
    let before = Utc::now();
    table.put(&note("n1")).await.unwrap();
    let after = Utc::now();
    let (created, updated) = stored(&table, "n1").await;
    assert!(before <= created && created <= after, "{created}");
    assert_eq!(created, updated);
    let read = table.get(Note::key("n1")).await.unwrap().unwrap();
    assert_eq!((read.created_at, read.updated_at), (created, updated));
}

#[tokio::test]
async fn updates_refresh_updated_at_and_keep_created_at() {
    let table = table("stamp-update").await;
    table.put(&note("n1")).await.unwrap();
    let (created, first) = stored(&table, "n1").await;
    tick().await;
    table
        .update(Note::key("n1"))
        .set(Note::TEXT, "Buy Oat Milk")
        .await
        .unwrap();
    let (kept, second) = stored(&table, "n1").await;
    assert_eq!(kept, created);
    assert!(second > first, "{second} after {first}");

    // An update that creates the item writes both.
    let before = Utc::now();
    table
        .update(Note::key("n2"))
        .set(Note::TEXT, "New")
        .await
        .unwrap();
    let (created, updated) = stored(&table, "n2").await;
    assert!(created >= before && created == updated);

    // Transaction actions: an update and a put.
    tick().await;
    table
        .transaction()
        .update(
            table
                .update(Note::key("n1"))
                .set(Note::TEXT, "In a transaction"),
        )
        .put(table.put(&note("n3")))
        .send()
        .await
        .unwrap();
    let (kept, third) = stored(&table, "n1").await;
    assert_eq!(kept, created_of(&table, "n1").await);
    assert!(third > second, "{third} after {second}");
    let (created, updated) = stored(&table, "n3").await;
    assert!(created > DateTime::UNIX_EPOCH && created == updated);
}

async fn created_of(table: &Table, id: &str) -> DateTime<Utc> {
    stored(table, id).await.0
}

#[tokio::test]
async fn epoch_seconds_are_stored_as_numbers() {
    let table = table("stamp-epoch").await;
    let before = Utc::now().timestamp();
    table
        .put(&Counter {
            id: "c1".into(),
            n: 0,
            created: 0,
            touched: None,
        })
        .await
        .unwrap();
    table
        .update(Counter::key("c1"))
        .add(Counter::N, 1)
        .await
        .unwrap();
    let after = Utc::now().timestamp();
    let item = get_raw(&table, "COUNTER#c1", "COUNTER").await.unwrap();
    for attr in ["created", "touched"] {
        let AttributeValue::N(n) = &item[attr] else {
            panic!("{attr} is {:?}", item[attr])
        };
        let n: i64 = n.parse().unwrap();
        assert!(before <= n && n <= after, "{attr} = {n}");
    }
    let read = table.get(Counter::key("c1")).await.unwrap().unwrap();
    assert!(read.touched.is_some() && read.n == 1);
}
