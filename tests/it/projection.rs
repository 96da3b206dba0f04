//! Projections: a subset of an entity's fields, nested paths too, read
//! with a `ProjectionExpression` in the same one request per read or page,
//! checked on the request sent and on what comes back.

use crate::common::projections::projected_table;
use crate::common::*;
use crate::inside::{order, Address, Geo, Line, Order};
use std::collections::HashSet;
use truss_model::{Error, Projection};

/// Three fields of an order, two of them inside it.
#[derive(Projection, Debug, PartialEq)]
#[truss(entity = Order)]
pub(crate) struct OrderCard {
    pub id: String,
    status: String,
    #[truss(path = Order::ADDRESS.get(Address::CITY))]
    city: String,
    #[truss(path = Order::LINES.at(0).get(Line::SKU))]
    first_sku: String,
    tags: HashSet<String>,
    #[truss(path = Order::ADDRESS.get(Address::GEO).get(Geo::PLUS_CODE))]
    plus_code: Option<String>,
}

/// A field every order has and one no order holds (a required one).
#[derive(Projection, Debug)]
#[allow(dead_code)] // never decoded: the test shows why
#[truss(entity = Order)]
struct NeedsZip {
    id: String,
    #[truss(path = Order::ATTRIBUTES.key("Never Set"))]
    never: String,
}

fn big(id: &str) -> Order {
    let mut o = order(id);
    // About 300 KB, in the map the projection does not read.
    for i in 0..300 {
        o.attributes.insert(format!("note {i}"), "x".repeat(1000));
    }
    o
}

#[tokio::test]
async fn a_projected_get_sends_the_projection_and_reads_only_those_fields() {
    let (table, seen) = projected_table("proj-get").await;
    table.put(&big("o1")).await.unwrap();
    seen.take();
    let card = table
        .get(Order::key("Ann Lee", "o1"))
        .consistent()
        .project::<OrderCard>()
        .await
        .unwrap()
        .expect("the order");
    assert_eq!(
        card,
        OrderCard {
            id: "o1".into(),
            status: "PLACED".into(),
            city: "Springfield".into(),
            first_sku: "A-1".into(),
            tags: HashSet::from(["gift".into(), "Priority".into()]),
            plus_code: None,
        }
    );
    assert_eq!(
        seen.take(),
        [(
            "GetItem",
            Some(
                "id, status, address.city, lines[0].sku, tags, address.geo.plusCode, PK, SK".into()
            )
        )]
    );

    // What DynamoDB returns for that projection: only those attributes,
    // a few hundred bytes of a 300 KB item.
    let raw = table
        .client()
        .get_item()
        .table_name(table.name())
        .key("PK", s("CUSTOMER#Ann%20Lee"))
        .key("SK", s("ORDER#o1"))
        .projection_expression("id, #s, address.city, #l[0].sku, tags, PK, SK")
        .expression_attribute_names("#s", "status")
        .expression_attribute_names("#l", "lines")
        .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let item = raw.item.unwrap();
    let mut names: Vec<_> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["PK", "SK", "address", "id", "lines", "status", "tags"]
    );
    let stored = get_raw(&table, "CUSTOMER#Ann%20Lee", "ORDER#o1")
        .await
        .unwrap();
    assert!(truss_model::size::item_size(&stored) > 300_000);
    assert!(truss_model::size::item_size(&item) < 300);

    // No item: None, one request.
    let none = table
        .get(Order::key("Ann Lee", "nope"))
        .project::<OrderCard>()
        .await
        .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn a_projection_missing_a_required_attribute_is_a_decode_error() {
    let (table, _) = projected_table("proj-missing").await;
    table.put(&order("o1")).await.unwrap();
    let err = table
        .get(Order::key("Ann Lee", "o1"))
        .project::<NeedsZip>()
        .await
        .unwrap_err();
    let Error::Decode {
        field,
        message,
        key,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(field.as_deref(), Some("attributes.\"Never Set\""));
    assert!(message.contains("missing"), "{message}");
    assert!(key.to_string().contains("o1"), "{err}");
}

#[tokio::test]
async fn a_projected_query_pages_with_one_request_per_page() {
    let (table, seen) = projected_table("proj-query").await;
    for i in 0..5 {
        table.put(&big(&format!("o{i}"))).await.unwrap();
    }
    seen.take();
    let cards = table
        .query(Order::partition("Ann Lee"))
        .filter(Order::STATUS.eq("PLACED"))
        .page_size(2)
        .project::<OrderCard>()
        .all()
        .await
        .unwrap();
    let ids: Vec<_> = cards.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["o0", "o1", "o2", "o3", "o4"]);
    assert!(cards.iter().all(|c| c.city == "Springfield"));
    let requests = seen.take();
    assert_eq!(requests.len(), 3, "5 items, pages of 2: {requests:?}");
    for (operation, projection) in requests {
        assert_eq!(operation, "Query");
        assert_eq!(
            projection.as_deref(),
            Some("id, status, address.city, lines[0].sku, tags, address.geo.plusCode, PK, SK")
        );
    }
}

#[tokio::test]
async fn batch_gets_and_scans_read_projections_in_the_same_requests() {
    let (table, seen) = projected_table("proj-batch").await;
    for i in 0..3 {
        table.put(&big(&format!("o{i}"))).await.unwrap();
    }
    seen.take();
    let keys = ["o2", "nope", "o0"].map(|id| Order::key("Ann Lee", id));
    let cards = table.batch_get(keys).project::<OrderCard>().await.unwrap();
    let ids: Vec<_> = cards
        .iter()
        .map(|c| c.as_ref().map(|c| c.id.as_str()))
        .collect();
    assert_eq!(ids, [Some("o2"), None, Some("o0")]);
    let expected = "id, status, address.city, lines[0].sku, tags, address.geo.plusCode, PK, SK";
    assert_eq!(seen.take(), [("BatchGetItem", Some(expected.to_owned()))]);

    let mut scanned: Vec<OrderCard> = futures::TryStreamExt::try_collect(
        table
            .scan::<Order>()
            .segments(2)
            .project::<OrderCard>()
            .items(),
    )
    .await
    .unwrap();
    scanned.sort_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<_> = scanned.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["o0", "o1", "o2"]);
    let requests = seen.take();
    assert_eq!(requests.len(), 2, "one page per segment: {requests:?}");
    assert!(requests
        .iter()
        .all(|r| *r == ("Scan", Some(expected.to_owned()))));

    // Collected by the scan itself: the same cards, the same requests.
    let mut all = table
        .scan::<Order>()
        .segments(2)
        .project::<OrderCard>()
        .all()
        .await
        .unwrap();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(all, scanned);
    assert_eq!(seen.take(), requests);
}

/// Projections of the URL shortener's link and daily stats, read together
/// as its `LinkItem` collection.
mod link_items {
    use crate::shortener::{DailyStat, Link, LinkItem};
    use truss_model::Projection;

    #[derive(Projection, Debug, PartialEq)]
    #[truss(entity = Link)]
    pub struct LinkTarget {
        pub code: String,
        pub target: String,
    }

    #[derive(Projection, Debug, PartialEq)]
    #[truss(entity = DailyStat)]
    pub struct DayCount {
        pub date: chrono::NaiveDate,
        pub count: u64,
    }

    #[derive(Projection, Debug, PartialEq)]
    #[truss(collection = LinkItem)]
    pub enum LinkCard {
        Link(LinkTarget),
        Day(DayCount),
    }
}

#[tokio::test]
async fn a_collection_reads_a_projection_of_each_variant_in_one_query() {
    use crate::shortener::{DailyStat, Link, LinkItem};
    use chrono::{NaiveDate, TimeZone, Utc};
    use link_items::{DayCount, LinkCard, LinkTarget};
    let (table, seen) = projected_table("proj-collection").await;
    table
        .put(&Link {
            code: "aK9xQ2z".into(),
            target: "https://example.com/a b".into(),
            owner_id: Some("Ann Lee".into()),
            created_at: Utc.with_ymd_and_hms(2026, 5, 24, 9, 0, 0).unwrap(),
            clicks: 3,
        })
        .await
        .unwrap();
    for day in 24..=25 {
        table
            .put(&DailyStat {
                code: "aK9xQ2z".into(),
                date: NaiveDate::from_ymd_opt(2026, 5, day).unwrap(),
                count: u64::from(day),
            })
            .await
            .unwrap();
    }
    seen.take();
    let cards = table
        .query(Link::partition("aK9xQ2z").collection::<LinkItem>())
        .project::<LinkCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(
        cards,
        [
            LinkCard::Link(LinkTarget {
                code: "aK9xQ2z".into(),
                target: "https://example.com/a b".into()
            }),
            LinkCard::Day(DayCount {
                date: NaiveDate::from_ymd_opt(2026, 5, 24).unwrap(),
                count: 24
            }),
            LinkCard::Day(DayCount {
                date: NaiveDate::from_ymd_opt(2026, 5, 25).unwrap(),
                count: 25
            }),
        ]
    );
    assert_eq!(
        seen.take(),
        [(
            "Query",
            Some("code, target, date, count, PK, SK".to_owned())
        )]
    );
}
