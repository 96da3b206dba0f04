//! The adoption audit: one planted item per kind of mismatch, each reported
//! once and nothing else; nothing written.

use crate::common::*;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use truss_model::scan::Mismatch;
use truss_model::{Collection, Entity, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "SHOP#{shop}",
    sk = "ITEM#{id}",
    checked_constant(_et = "product"),
    constant(_v = "1"),
    index(
        name = "ByName",
        pk_attr = "gsi1pk",
        sk_attr = "gsi1sk",
        pk = "NAME#{name}",
        sk = "ITEM#{id}"
    )
)]
struct Product {
    shop: String,
    id: u32,
    name: String,
    price: u32,
    weight: f64,
    tags: Option<Vec<String>>,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "SHOP#{shop}", sk = "META", checked_constant(_et = "shop"))]
struct Shop {
    shop: String,
    title: String,
}

#[derive(Collection)]
#[allow(dead_code)] // audited, never read
enum ShopItems {
    Shop(Shop),
    Product(Product),
}

fn product(id: u32) -> Product {
    Product {
        shop: "s1".into(),
        id,
        name: format!("thing {id}"),
        price: 10,
        weight: 1.5,
        tags: None,
    }
}

/// A product as the library writes it, then changed by `change`, put raw.
async fn plant(table: &Table, id: u32, change: impl FnOnce(&mut truss_model::Item)) {
    let mut item = raw_get(
        table.client(),
        table.name(),
        "SHOP#s1",
        &format!("ITEM#{id:010}"),
    )
    .await;
    table
        .client()
        .delete_item()
        .table_name(table.name())
        .key("PK", item["PK"].clone())
        .key("SK", item["SK"].clone())
        .send()
        .await
        .unwrap();
    change(&mut item);
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn each_planted_mismatch_is_reported_once_and_nothing_else() {
    let table = Table::new(client().await, table_name("audit"));
    table
        .definition()
        .entity::<Product>()
        .entity::<Shop>()
        .create()
        .await
        .unwrap();
    table
        .put(&Shop {
            shop: "s1".into(),
            title: "The shop".into(),
        })
        .await
        .unwrap();
    for id in 1..=8 {
        table.put(&product(id)).await.unwrap();
    }
    // 1 stays exact. One mismatch each:
    plant(&table, 2, |i| {
        i.insert("SK".into(), s("ITEM#2"));
    })
    .await;
    plant(&table, 3, |i| {
        i.insert("gsi1pk".into(), s("NAME#another"));
    })
    .await;
    plant(&table, 4, |i| {
        i.insert("_v".into(), s("2"));
    })
    .await;
    plant(&table, 5, |i| {
        i.insert("color".into(), s("red"));
    })
    .await;
    plant(&table, 6, |i| {
        i.remove("tags");
    })
    .await;
    // A string set where the model writes a list.
    plant(&table, 7, |i| {
        i.insert("tags".into(), AttributeValue::Ss(vec!["new".into()]));
    })
    .await;
    plant(&table, 8, |i| {
        i.insert("price".into(), s("cheap"));
    })
    .await;
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("SHOP#s1"))
        .item("SK", s("REVIEW#1"))
        .send()
        .await
        .unwrap();
    let before = scan(&table).await;

    let audit = table.scan::<ShopItems>().segments(2).audit().await.unwrap();
    assert_eq!(audit.scanned, 10);
    assert!(!audit.is_clean());
    assert!(audit.checkpoint.is_finished());
    let shop = &audit.entities["Shop"];
    assert_eq!((shop.items, shop.exact, shop.findings.len()), (1, 1, 0));
    let products = &audit.entities["Product"];
    assert_eq!((products.items, products.exact), (8, 1));
    let mut found: Vec<(Mismatch, Option<&str>, u64)> = products
        .findings
        .iter()
        .map(|f| (f.kind, f.attribute.as_deref(), f.count))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (Mismatch::KeyFormat, Some("id"), 1),
            (Mismatch::IndexKey, Some("gsi1pk"), 1),
            (Mismatch::Constant, Some("_v"), 1),
            (Mismatch::UndeclaredAttribute, Some("color"), 1),
            (Mismatch::AttributeAdded, Some("tags"), 1),
            (Mismatch::AttributeDiffers, Some("tags"), 1),
            (Mismatch::Undecodable, Some("price"), 1),
        ]
    );
    let unmatched = audit
        .unmatched
        .as_ref()
        .expect("the review matches nothing");
    assert_eq!(unmatched.count, 1);
    assert_eq!(unmatched.examples, ["PK=SHOP#s1, SK=REVIEW#1"]);

    // For a person, and for a machine.
    let report = audit.to_string();
    assert!(
        report.contains("## Product: 8 items, 1 written back exactly"),
        "{report}"
    );
    assert!(report.contains("| index key differs from what the model renders | gsi1pk | 1 | PK=SHOP#s1, SK=ITEM#0000000003 |"), "{report}");
    let json = serde_json::to_value(&audit).unwrap();
    assert_eq!(json["unmatched"]["kind"], "unmatched");

    assert_eq!(scan(&table).await, before, "nothing written");
}

#[tokio::test]
async fn an_audit_stopped_early_resumes_from_its_checkpoint() {
    let table = Table::new(client().await, table_name("audit-resume"));
    table
        .definition()
        .entity::<Product>()
        .create()
        .await
        .unwrap();
    for id in 1..=30 {
        table.put(&product(id)).await.unwrap();
    }
    let first = table
        .scan::<Product>()
        .page_size(10)
        .stop_after(10)
        .audit()
        .await
        .unwrap();
    assert!(!first.checkpoint.is_finished());
    assert_eq!(first.scanned, 10);
    let rest = table
        .scan::<Product>()
        .page_size(10)
        .resume(first.checkpoint.clone())
        .audit()
        .await
        .unwrap();
    assert!(rest.checkpoint.is_finished());
    assert_eq!(first.scanned + rest.scanned, 30);
    assert!(first.is_clean() && rest.is_clean(), "{rest}");
}
