//! Items written by other tools (here: raw SDK calls shaped exactly like the
//! seed's AWS CLI commands) are read by the library, and the library's items
//! are read by raw SDK calls.

use crate::common;

use crate::common::*;
use truss_model::Error;

async fn put_seed_items(table: &truss_model::Table) {
    common::put_seed_items(table.client(), table.name()).await;
}

#[tokio::test]
async fn seed_items_without_key_attributes_decode_with_key_fields_recovered() {
    let table = table("seed-read").await;
    put_seed_items(&table).await;

    let link = table.get(Link::key("aK9xQ2z")).await.unwrap().unwrap();
    assert_eq!(link.code, "aK9xQ2z", "code recovered from PK");
    assert_eq!(link.target, "https://docs.aws.amazon.com/dynamodb/");
    assert_eq!(link.owner_id, "user-001");
    assert_eq!(link.clicks, 17);

    let stats = table
        .query(DailyStat::partition("aK9xQ2z"))
        .all()
        .await
        .unwrap();
    let got: Vec<_> = stats
        .iter()
        .map(|s| (s.code.as_str(), s.date, s.count))
        .collect();
    assert_eq!(
        got,
        [
            ("aK9xQ2z", date(2026, 5, 24), 5),
            ("aK9xQ2z", date(2026, 5, 25), 12)
        ]
    );
}

#[tokio::test]
async fn library_items_read_back_with_raw_get_item_in_the_seed_layout() {
    let table = table("seed-write").await;
    table.create(&link("aK9xQ2z")).await.unwrap();
    table
        .put(&DailyStat {
            code: "aK9xQ2z".into(),
            date: date(2026, 5, 24),
            count: 5,
        })
        .await
        .unwrap();

    let item = raw_get(table.client(), table.name(), "LINK#aK9xQ2z", "META").await;
    assert_eq!(item["target"], s("https://docs.aws.amazon.com/dynamodb/"));
    assert_eq!(item["ownerId"], s("user-001"));
    assert_eq!(item["createdAt"], s("2026-05-24T09:00:00Z"));
    assert_eq!(item["clicks"].as_n().unwrap(), "17");
    assert_eq!(
        item["code"],
        s("aK9xQ2z"),
        "key fields are stored as attributes too"
    );

    let stat = raw_get(
        table.client(),
        table.name(),
        "LINK#aK9xQ2z",
        "STAT#2026-05-24",
    )
    .await;
    assert_eq!(stat["count"].as_n().unwrap(), "5");
}

#[tokio::test]
async fn foreign_item_with_unparseable_key_is_a_decode_error_naming_the_field() {
    let table = table("seed-bad").await;
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("LINK#x"))
        .item("SK", s("STAT#yesterday"))
        .item(
            "count",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .send()
        .await
        .unwrap();
    put_malformed_link(&table, "y").await;

    let err = table
        .query(DailyStat::partition("x"))
        .all()
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            entity,
            key,
            field,
            message,
        } => {
            assert_eq!(*entity, "DailyStat");
            assert_eq!(key.as_str(), "PK=LINK#x, SK=STAT#yesterday");
            assert_eq!(field.as_deref(), Some("date"));
            assert!(message.contains("yesterday"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let err = table.get(Link::key("y")).await.unwrap_err();
    match &err {
        Error::Decode { field, .. } => assert_eq!(field.as_deref(), Some("clicks")),
        other => panic!("expected Decode, got {other:?}"),
    }
}
