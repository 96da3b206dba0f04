//! Transactional reads: items of one type or of a collection's types read
//! as one snapshot (TransactGetItems), typed, in the keys' order, with the
//! limits refused before any request and cancellations typed.

use crate::common::faults::ConflictOnTransactGet;
use crate::common::*;
use crate::inside::{order, Order};
use crate::shortener::{DailyStat, Link, LinkItem};
use chrono::{NaiveDate, TimeZone, Utc};
use truss_model::transaction::CancellationCode;
use truss_model::Error;

fn total(counts: std::collections::BTreeMap<String, usize>) -> usize {
    counts.values().sum()
}

#[tokio::test]
async fn items_of_one_type_are_read_as_one_snapshot_in_the_keys_order() {
    let (table, counter) = counted_table("tget-one").await;
    for id in ["o1", "o2", "o3"] {
        table.put(&order(id)).await.unwrap();
    }
    counter.take();
    let keys = ["o3", "missing", "o1"].map(|id| Order::key("Ann Lee", id));
    let read = table.transact_get(keys).await.unwrap();
    let ids: Vec<_> = read
        .iter()
        .map(|o| o.as_ref().map(|o| o.id.as_str()))
        .collect();
    assert_eq!(ids, [Some("o3"), None, Some("o1")]);
    assert_eq!(read[0].as_ref().unwrap(), &order("o3"));
    assert_eq!(counter.take(), [("TransactGetItems".to_string(), 1)].into());
}

#[tokio::test]
async fn items_of_a_collections_types_are_read_together_each_typed() {
    let table = table("tget-many").await;
    let link = Link {
        code: "aK9xQ2z".into(),
        target: "https://example.com/a b".into(),
        owner_id: None,
        created_at: Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).unwrap(),
        clicks: 3,
    };
    let day = NaiveDate::from_ymd_opt(2026, 5, 24).unwrap();
    let stat = DailyStat {
        code: "aK9xQ2z".into(),
        date: day,
        count: 3,
    };
    table.put(&link).await.unwrap();
    table.put(&stat).await.unwrap();
    let read = table
        .transact_get_many::<LinkItem>()
        .key(DailyStat::key("aK9xQ2z", day))
        .key(Link::key("nope"))
        .key(Link::key("aK9xQ2z"))
        .await
        .unwrap();
    assert_eq!(
        read,
        [Some(LinkItem::Stat(stat)), None, Some(LinkItem::Link(link))]
    );
}

#[tokio::test]
async fn reads_over_the_limits_are_refused_before_any_request() {
    let (table, counter) = counted_table("tget-limits").await;
    let keys: Vec<_> = (0..101)
        .map(|i| Order::key("Ann Lee", format!("o{i}")))
        .collect();
    let err = table.transact_get(keys).await.unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err}");
    assert!(err.to_string().contains("not 101"), "{err}");
    let err = table
        .transact_get(Vec::<crate::inside::OrderKey>::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not 0"), "{err}");
    let twice = [Order::key("Ann Lee", "o1"), Order::key("Ann Lee", "o1")];
    let err = table.transact_get(twice).await.unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err}");
    assert!(err.to_string().contains("appears twice"), "{err}");
    assert_eq!(total(counter.take()), 0, "no request was sent");
}

#[tokio::test]
async fn a_canceled_read_names_the_item_and_its_reason() {
    let conflict = ConflictOnTransactGet::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .interceptor(conflict.clone())
        .build();
    let table = truss_model::Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name("tget-conflict"),
    );
    create(&table).await;
    table.put(&order("o1")).await.unwrap();
    let keys = ["o1", "o2"].map(|id| Order::key("Ann Lee", id));
    let err = table.transact_get(keys.clone()).await.unwrap_err();
    assert_eq!(conflict.injected(), 1);
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err}")
    };
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].index, 1);
    assert_eq!(reasons[0].entity, "Order");
    assert_eq!(reasons[0].code, CancellationCode::TransactionConflict);
    assert!(reasons[0].key.to_string().contains("ORDER#o2"), "{err}");
    // Read again: the snapshot.
    let read = table.transact_get(keys).await.unwrap();
    assert!(read[0].is_some() && read[1].is_none());
}
