//! Collections: one Query, many entity types, against DynamoDB Local.

use crate::common::*;
use serde::{Deserialize, Serialize};
use truss_model::{Collection, Entity, Error, Item};

#[derive(Collection, Debug, PartialEq)]
enum LinkItems {
    Link(Link),
    Stat(DailyStat),
}

#[derive(Collection, Debug, PartialEq)]
enum LinkItemsOrOther {
    Link(Link),
    Stat(DailyStat),
    #[truss(other)]
    Other(Item),
}

#[tokio::test]
async fn dashboard_is_one_query_decoding_every_type_in_key_order() {
    let (table, counter) = counted_table("coll-dash").await;
    table.put(&link("aK9xQ2z")).await.unwrap();
    for (day, count) in [(25, 12), (24, 5)] {
        table
            .put(&DailyStat {
                code: "aK9xQ2z".into(),
                date: date(2026, 5, day),
                count,
            })
            .await
            .unwrap();
    }
    table.put(&link("other")).await.unwrap();
    counter.take();

    let items = table
        .query(Link::partition("aK9xQ2z").collection::<LinkItems>())
        .all()
        .await
        .unwrap();
    assert_eq!(
        counter.take().get("Query"),
        Some(&1),
        "one request for the dashboard"
    );
    assert_eq!(
        items,
        [
            LinkItems::Link(link("aK9xQ2z")),
            LinkItems::Stat(DailyStat {
                code: "aK9xQ2z".into(),
                date: date(2026, 5, 24),
                count: 5
            }),
            LinkItems::Stat(DailyStat {
                code: "aK9xQ2z".into(),
                date: date(2026, 5, 25),
                count: 12
            }),
        ]
    );
}

#[tokio::test]
async fn items_without_type_attributes_decode_by_their_keys() {
    let table = table("coll-raw").await;
    for (sk, extra) in [("META", true), ("STAT#2026-05-24", false)] {
        let mut put = table
            .client()
            .put_item()
            .table_name(table.name())
            .item("PK", s("LINK#raw"))
            .item("SK", s(sk));
        put = if extra {
            put.item("target", s("t"))
                .item("ownerId", s("o"))
                .item("createdAt", s("c"))
                .item(
                    "clicks",
                    aws_sdk_dynamodb::types::AttributeValue::N("17".into()),
                )
        } else {
            put.item(
                "count",
                aws_sdk_dynamodb::types::AttributeValue::N("5".into()),
            )
        };
        put.send().await.unwrap();
    }
    let items = table
        .query(DailyStat::partition("raw").collection::<LinkItems>())
        .all()
        .await
        .unwrap();
    assert!(
        matches!(&items[0], LinkItems::Link(l) if l.code == "raw" && l.clicks == 17),
        "{items:?}"
    );
    assert!(
        matches!(&items[1], LinkItems::Stat(s) if s.code == "raw" && s.count == 5),
        "{items:?}"
    );
}

#[tokio::test]
async fn unknown_items_are_an_error_or_the_other_variant_never_dropped() {
    let table = table("coll-unknown").await;
    table.put(&link("u")).await.unwrap();
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("LINK#u"))
        .item("SK", s("NOTE#1"))
        .item("text", s("written by another service"))
        .send()
        .await
        .unwrap();

    let err = table
        .query(Link::partition("u").collection::<LinkItems>())
        .all()
        .await
        .unwrap_err();
    match &err {
        Error::Decode { entity, key, .. } => {
            assert_eq!(*entity, "LinkItems");
            assert_eq!(key.as_str(), "PK=LINK#u, SK=NOTE#1");
        }
        other => panic!("expected Decode, got {other:?}"),
    }

    let items = table
        .query(Link::partition("u").collection::<LinkItemsOrOther>())
        .all()
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0], LinkItemsOrOther::Link(link("u")));
    match &items[1] {
        LinkItemsOrOther::Other(item) => assert_eq!(item["text"], s("written by another service")),
        other => panic!("expected Other, got {other:?}"),
    }
}

#[tokio::test]
async fn similar_prefixes_are_told_apart_at_segment_boundaries() {
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "CREATOR#{creator_id}", sk = "STREAM#{id}")]
    struct Stream {
        creator_id: String,
        id: String,
    }
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "CREATOR#{creator_id}", sk = "STREAMER#{id}")]
    struct Streamer {
        creator_id: String,
        id: String,
    }
    #[derive(Collection, Debug, PartialEq)]
    enum Both {
        Stream(Stream),
        Streamer(Streamer),
    }
    let table = table("coll-prefix").await;
    let stream = Stream {
        creator_id: "c".into(),
        id: "1".into(),
    };
    let streamer = Streamer {
        creator_id: "c".into(),
        id: "1".into(),
    };
    table.put(&stream).await.unwrap();
    table.put(&streamer).await.unwrap();
    let streams = table.query(Stream::partition("c")).all().await.unwrap();
    assert_eq!(streams, std::slice::from_ref(&stream));
    let streamers = table.query(Streamer::partition("c")).all().await.unwrap();
    assert_eq!(streamers, std::slice::from_ref(&streamer));
    let both = table
        .query(Stream::partition("c").collection::<Both>())
        .all()
        .await
        .unwrap();
    assert_eq!(both, [Both::Stream(stream), Both::Streamer(streamer)]);
}

#[tokio::test]
async fn a_malformed_item_is_an_error_never_routed_to_other() {
    let table = table("coll-malformed").await;
    table
        .put(&DailyStat {
            code: "m".into(),
            date: date(2026, 5, 24),
            count: 5,
        })
        .await
        .unwrap();
    put_malformed_link(&table, "m").await;
    for result in [
        table
            .query(Link::partition("m").collection::<LinkItems>())
            .all()
            .await
            .map(|_| ()),
        table
            .query(Link::partition("m").collection::<LinkItemsOrOther>())
            .all()
            .await
            .map(|_| ()),
    ] {
        match result.unwrap_err() {
            Error::Decode {
                entity, key, field, ..
            } => {
                assert_eq!(entity, "Link");
                assert_eq!(key.as_str(), "PK=LINK#m, SK=META");
                assert_eq!(field.as_deref(), Some("clicks"));
            }
            other => panic!("expected Decode, got {other:?}"),
        }
    }
}
