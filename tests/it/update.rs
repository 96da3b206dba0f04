//! Typed updates and conditions against DynamoDB Local.

use crate::common::*;
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Error};

/// Every attribute name here is a DynamoDB reserved word.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{name}", sk = "DATA")]
struct Reserved {
    name: String,
    status: String,
    count: u64,
    ttl: Option<u64>,
    data: Vec<String>,
    timestamp: i64,
}

fn reserved(name: &str) -> Reserved {
    Reserved {
        name: name.into(),
        status: "open".into(),
        count: 0,
        ttl: Some(1_900_000_000),
        data: vec!["a".into()],
        timestamp: 7,
    }
}

#[tokio::test]
async fn counters_add_atomically() {
    let table = table("upd-add").await;
    table.put(&link("c")).await.unwrap();
    table
        .update(Link::key("c"))
        .add(Link::CLICKS, 1)
        .await
        .unwrap();
    let after = table
        .update(Link::key("c"))
        .add(Link::CLICKS, 5)
        .return_new()
        .await
        .unwrap();
    assert_eq!(after.clicks, 23);
}

#[tokio::test]
async fn upsert_writes_key_fields_so_the_new_item_decodes() {
    let table = table("upd-upsert").await;
    let day = date(2026, 5, 24);
    table
        .update(DailyStat::key("aK9xQ2z", day))
        .add(DailyStat::COUNT, 1)
        .await
        .unwrap();
    table
        .update(DailyStat::key("aK9xQ2z", day))
        .add(DailyStat::COUNT, 1)
        .await
        .unwrap();
    let stat = table
        .get(DailyStat::key("aK9xQ2z", day))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stat,
        DailyStat {
            code: "aK9xQ2z".into(),
            date: day,
            count: 2
        }
    );
    let raw = scan(&table).await;
    assert_eq!(raw[0]["code"], s("aK9xQ2z"));
    assert_eq!(raw[0]["date"], s("2026-05-24"));
}

#[tokio::test]
async fn must_exist_refuses_to_create() {
    let table = table("upd-must-exist").await;
    let err = table
        .update(Link::key("nope"))
        .add(Link::CLICKS, 1)
        .must_exist()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { entity: "Link", .. }),
        "{err:?}"
    );
    assert!(scan(&table).await.is_empty());
}

#[tokio::test]
async fn set_if_not_exists_remove_append_on_reserved_words() {
    let table = table("upd-reserved").await;
    table.create(&reserved("d1")).await.unwrap();
    let updated = table
        .update(Reserved::key("d1"))
        .set(Reserved::STATUS, "closed")
        .add(Reserved::COUNT, 3)
        .remove(Reserved::TTL)
        .append(Reserved::DATA, ["b".to_string(), "c".to_string()])
        .set_if_not_exists(Reserved::TIMESTAMP, 99)
        .condition(Reserved::STATUS.eq("open") & Reserved::COUNT.lt(10) & Reserved::TTL.exists())
        .return_new()
        .await
        .unwrap();
    assert_eq!(
        updated,
        Reserved {
            name: "d1".into(),
            status: "closed".into(),
            count: 3,
            ttl: None,
            data: vec!["a".into(), "b".into(), "c".into()],
            timestamp: 7,
        }
    );
    // Conditions over reserved words: between, begins_with, or, not.
    table
        .update(Reserved::key("d1"))
        .add(Reserved::COUNT, 1)
        .condition(
            Reserved::COUNT
                .between(0, 5)
                .and(Reserved::NAME.begins_with("d")),
        )
        .condition(
            (Reserved::STATUS.eq("x") | !Reserved::TTL.exists()).and(Reserved::DATA.exists()),
        )
        .await
        .unwrap();
    assert_eq!(
        table.get(Reserved::key("d1")).await.unwrap().unwrap().count,
        4
    );
}

#[tokio::test]
async fn failed_condition_changes_nothing() {
    let table = table("upd-cond").await;
    let original = reserved("d1");
    table.put(&original).await.unwrap();
    let err = table
        .update(Reserved::key("d1"))
        .set(Reserved::STATUS, "hacked")
        .condition(Reserved::COUNT.gt(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ConditionFailed {
                entity: "Reserved",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        table.get(Reserved::key("d1")).consistent().await.unwrap(),
        Some(original)
    );
}

#[tokio::test]
async fn hostile_values_are_only_ever_values() {
    let table = table("upd-hostile").await;
    let mut item = reserved("d1");
    item.status = ") OR attribute_exists(PK".into();
    table.put(&item).await.unwrap();
    for hostile in [
        ") OR attribute_exists(PK",
        "' OR '1'='1",
        ":v0",
        "#n0",
        "\"",
        "status",
    ] {
        let result = table
            .update(Reserved::key("d1"))
            .add(Reserved::COUNT, 1)
            .condition(Reserved::STATUS.eq(hostile))
            .await;
        if hostile == item.status {
            result.unwrap();
        } else {
            let err = result.unwrap_err();
            assert!(
                matches!(err, Error::ConditionFailed { .. }),
                "{hostile}: {err:?}"
            );
        }
    }
    let back = table
        .get(Reserved::key("d1"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.count, 1, "only the literal match applied");
    assert_eq!(back.status, item.status);
}

#[tokio::test]
async fn conditional_put_and_delete() {
    let table = table("upd-put-del").await;
    let mut l = link("p");
    table.put(&l).await.unwrap();
    l.clicks = 100;
    let err = table
        .put(&l)
        .condition(Link::CLICKS.gt(50))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    table.put(&l).condition(Link::CLICKS.eq(17)).await.unwrap();
    let err = table
        .delete(Link::key("p"))
        .condition(Link::CLICKS.lt(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(
        table.get(Link::key("p")).await.unwrap().unwrap().clicks,
        100
    );
    table
        .delete(Link::key("p"))
        .condition(Link::CODE.eq("p"))
        .await
        .unwrap();
    assert!(scan(&table).await.is_empty());
    // create + condition: an existing item is still AlreadyExists.
    table.put(&l).await.unwrap();
    let err = table
        .create(&l)
        .condition(Link::CLICKS.exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
}

#[tokio::test]
async fn updating_one_attribute_twice_is_refused_before_sending() {
    let (table, counter) = counted_table("upd-twice").await;
    let err = table
        .update(Link::key("x"))
        .add(Link::CLICKS, 1)
        .set(Link::CLICKS, 5u64)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUpdate { .. }), "{err:?}");
    assert_eq!(counter.total(), 0);
}

#[derive(truss_model::Entity, serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "PRODUCT#{sku}", sk = "STOCK")]
struct Product {
    sku: String,
    stock: u32,
}

#[tokio::test]
async fn subtract_takes_from_an_unsigned_counter_in_one_update_and_the_guard_keeps_it_positive() {
    let (table, counter) = counted_table("subtract").await;
    table
        .put(&Product {
            sku: "p".into(),
            stock: 5,
        })
        .await
        .unwrap();
    counter.take();
    let take_three = || {
        table
            .update(Product::key("p"))
            .subtract(Product::STOCK, 3)
            .condition(Product::STOCK.ge(3))
            .must_exist()
            .return_new()
    };
    assert_eq!(take_three().await.unwrap().stock, 2);
    assert_eq!(
        counter.take().get("UpdateItem"),
        Some(&1),
        "one request, no read"
    );
    let err = take_three().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ConditionFailed {
                entity: "Product",
                ..
            }
        ),
        "{err:?}"
    );
    let stored = table
        .get(Product::key("p"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.stock, 2, "the refused update changed nothing");
    // Zero changes nothing (it is sent as `-0`, which DynamoDB takes).
    let back = table
        .update(Product::key("p"))
        .subtract(Product::STOCK, 0)
        .return_new()
        .await
        .unwrap();
    assert_eq!(back.stock, 2);
}

/// Without a guard of the caller's, an unsigned counter is guarded all the
/// same: taking more than remains is refused, nothing written (before, the
/// counter went to -1 and the item no longer decoded).
#[tokio::test]
async fn subtract_guards_an_unsigned_counter_without_being_asked() {
    let (table, counter) = counted_table("subtract-unguarded").await;
    table
        .put(&Product {
            sku: "p".into(),
            stock: 2,
        })
        .await
        .unwrap();
    counter.take();
    let err = table
        .update(Product::key("p"))
        .subtract(Product::STOCK, 3)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(counter.take().get("UpdateItem"), Some(&1));
    let raw = raw_get(table.client(), table.name(), "PRODUCT#p", "STOCK").await;
    assert_eq!(raw["stock"].as_n().unwrap(), "2", "unchanged");
    // Enough remains: taken.
    let left = table
        .update(Product::key("p"))
        .subtract(Product::STOCK, 2)
        .return_new()
        .await
        .unwrap();
    assert_eq!(left.stock, 0);
    // A missing item: the guard fails too, nothing created.
    let err = table
        .update(Product::key("q"))
        .subtract(Product::STOCK, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(scan(&table).await.len(), 1);
}
