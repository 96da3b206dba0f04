//! Global secondary indexes declared in the derive, against DynamoDB Local.

use crate::common::*;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use truss_model::{Cursor, Entity, Error};

/// The seed's link with the "list a user's links" index: sparse when the
/// link has no owner.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "LINK#{code}",
    sk = "META",
    index(name = "GSI1", pk = "OWNER#{owner_id}", sk = "LINK#{created_at}")
)]
#[serde(rename_all = "camelCase")]
struct OwnedLink {
    code: String,
    target: String,
    owner_id: Option<String>,
    created_at: DateTime<Utc>,
    clicks: u64,
}

fn owned(code: &str, owner: Option<&str>, secs: i64) -> OwnedLink {
    OwnedLink {
        code: code.into(),
        target: format!("https://example.com/{code}"),
        owner_id: owner.map(Into::into),
        created_at: ts(secs),
        clicks: 0,
    }
}

async fn index_table(test: &str) -> truss_model::Table {
    let table = truss_model::Table::new(client().await, table_name(test));
    table
        .definition()
        .entity::<OwnedLink>()
        .create()
        .await
        .unwrap();
    table
}

#[tokio::test]
async fn definition_creates_the_index() {
    let table = index_table("gsi-def").await;
    let description = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let gsis = description.global_secondary_indexes.unwrap();
    assert_eq!(gsis.len(), 1);
    assert_eq!(gsis[0].index_name.as_deref(), Some("GSI1"));
    let keys: Vec<_> = gsis[0]
        .key_schema
        .as_ref()
        .unwrap()
        .iter()
        .map(|k| k.attribute_name.clone())
        .collect();
    assert_eq!(keys, ["GSI1PK", "GSI1SK"]);
}

#[tokio::test]
async fn owners_links_newest_first_and_sparse_without_owner() {
    let table = index_table("gsi-list").await;
    let mut links: Vec<_> = (0..45)
        .map(|i| owned(&format!("a{i}"), Some("user-001"), i))
        .collect();
    links.extend((0..5).map(|i| owned(&format!("b{i}"), Some("user-002"), i)));
    links.push(owned("anon", None, 100));
    put_all(&table, &links).await;

    // The ownerless link has no index attributes at all, and reads by code.
    let raw = scan(&table).await;
    let anon = raw.iter().find(|i| i["PK"] == s("LINK#anon")).unwrap();
    assert!(!anon.contains_key("GSI1PK") && !anon.contains_key("GSI1SK"));
    assert!(!anon.contains_key("ownerId") || anon["ownerId"].is_null());
    let owned_raw = raw.iter().find(|i| i["PK"] == s("LINK#a3")).unwrap();
    assert_eq!(owned_raw["GSI1PK"], s("OWNER#user-001"));
    assert_eq!(
        owned_raw["GSI1SK"],
        s("LINK#2026-05-28T20:26:43.000000000Z")
    );
    assert_eq!(
        table.get(OwnedLink::key("anon")).await.unwrap(),
        Some(owned("anon", None, 100))
    );

    // Newest first, 20 per page, via cursors.
    let mut codes = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = table
            .query(OwnedLink::gsi1("user-001"))
            .descending()
            .page_size(20)
            .after(cursor.take())
            .page()
            .await
            .unwrap();
        codes.extend(page.items.into_iter().map(|l| l.code));
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let expected: Vec<_> = (0..45).rev().map(|i| format!("a{i}")).collect();
    assert_eq!(codes, expected);

    // Typed range on the index sort key.
    let recent = table
        .query(OwnedLink::gsi1("user-002"))
        .key_condition(OwnedLink::gsi1_sort_key().ge(ts(3)))
        .all()
        .await
        .unwrap();
    assert_eq!(
        recent.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(),
        ["b3", "b4"]
    );
    let all: Vec<OwnedLink> = table
        .query(OwnedLink::gsi1("user-002"))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn table_and_index_cursors_and_conditions_do_not_mix() {
    let table = index_table("gsi-mix").await;
    let links: Vec<_> = (0..6)
        .map(|i| owned(&format!("a{i}"), Some("u1"), i))
        .collect();
    put_all(&table, &links).await;

    let index_page = table
        .query(OwnedLink::gsi1("u1"))
        .page_size(2)
        .page()
        .await
        .unwrap();
    let index_cursor = index_page.cursor.unwrap();
    let err = table
        .query(OwnedLink::partition("a0"))
        .after(index_cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("index `GSI1`"), "{err}");
    let err = table
        .query(OwnedLink::gsi1("u2"))
        .after(index_cursor.clone())
        .page()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another partition"), "{err}");

    // A cursor of the table: a page of one from a partition of two items.
    for secs in [1, 2] {
        table.put(&clip("c", "v", secs)).await.unwrap();
    }
    let table_page = table
        .query(Clip::partition("c"))
        .page_size(1)
        .page()
        .await
        .unwrap();
    let table_cursor = table_page.cursor.expect("another item follows");
    let err = table
        .query(OwnedLink::gsi1("u1"))
        .after(table_cursor)
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor { .. }), "{err:?}");

    let err = table
        .query(OwnedLink::partition("a0"))
        .key_condition(OwnedLink::gsi1_sort_key().ge(ts(1)))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = table
        .query(OwnedLink::gsi1("u1"))
        .consistent()
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");

    let next = table
        .query(OwnedLink::gsi1("u1"))
        .page_size(2)
        .after(index_cursor)
        .page()
        .await
        .unwrap();
    assert_eq!(
        next.items
            .iter()
            .map(|l| l.code.as_str())
            .collect::<Vec<_>>(),
        ["a2", "a3"]
    );
}

#[tokio::test]
async fn an_exactly_full_last_page_has_no_cursor_on_an_index() {
    let table = index_table("index-full-page").await;
    for i in 0..4 {
        table
            .put(&owned(&format!("f{i}"), Some("u9"), i))
            .await
            .unwrap();
    }
    let first = table
        .query(OwnedLink::gsi1("u9"))
        .page_size(2)
        .page()
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    let second = table
        .query(OwnedLink::gsi1("u9"))
        .page_size(2)
        .after(first.cursor.expect("two more follow"))
        .page()
        .await
        .unwrap();
    let codes: Vec<_> = second.items.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["f2", "f3"]);
    assert!(
        second.cursor.is_none(),
        "the last page is exactly full and has no cursor"
    );
}

#[tokio::test]
async fn an_owner_change_moves_a_link_between_owners_pages_in_one_update() {
    let (client, counter) = counted_client().await;
    let table = truss_model::Table::new(client, table_name("index-follow"));
    table
        .definition()
        .entity::<OwnedLink>()
        .create()
        .await
        .unwrap();
    for (code, owner, secs) in [("a", "u1", 1), ("b", "u1", 2), ("c", "u2", 3)] {
        table.put(&owned(code, Some(owner), secs)).await.unwrap();
    }
    let codes = |links: Vec<OwnedLink>| links.into_iter().map(|l| l.code).collect::<Vec<_>>();
    counter.take();
    let moved = table
        .update(OwnedLink::key("a"))
        .set_index(OwnedLink::set_gsi1(Some("u2".to_string()), ts(1)))
        .must_exist()
        .return_new()
        .await
        .unwrap();
    assert_eq!(moved.owner_id.as_deref(), Some("u2"));
    assert_eq!(
        counter.take(),
        BTreeMap::from([("UpdateItem".to_string(), 1)])
    );
    let u1 = table.query(OwnedLink::gsi1("u1")).all().await.unwrap();
    let u2 = table.query(OwnedLink::gsi1("u2")).all().await.unwrap();
    assert_eq!(codes(u1), ["b"]);
    assert_eq!(
        codes(u2),
        ["a", "c"],
        "in the new owner's pages, in created_at order"
    );
    let raw = raw_get(table.client(), table.name(), "LINK#a", "META").await;
    assert_eq!(raw["GSI1PK"], s("OWNER#u2"));

    // No owner: the link leaves the sparse index, and still reads.
    table
        .update(OwnedLink::key("a"))
        .set_index(OwnedLink::set_gsi1(None, ts(1)))
        .must_exist()
        .await
        .unwrap();
    let raw = raw_get(table.client(), table.name(), "LINK#a", "META").await;
    assert!(
        !raw.contains_key("GSI1PK") && !raw.contains_key("GSI1SK"),
        "{raw:?}"
    );
    let u2 = table.query(OwnedLink::gsi1("u2")).all().await.unwrap();
    assert_eq!(codes(u2), ["c"]);
    let a = table.get(OwnedLink::key("a")).await.unwrap().unwrap();
    assert_eq!(a.owner_id, None);

    // A new created_at moves it within its owner's order as well.
    table
        .update(OwnedLink::key("b"))
        .set_index(OwnedLink::set_gsi1(Some("u2".to_string()), ts(9)))
        .await
        .unwrap();
    let u2 = table.query(OwnedLink::gsi1("u2")).all().await.unwrap();
    assert_eq!(codes(u2), ["c", "b"]);
    // The setter twice in one update is refused before sending.
    counter.take();
    let err = table
        .update(OwnedLink::key("b"))
        .set_index(OwnedLink::set_gsi1(Some("u1".to_string()), ts(9)))
        .set_index(OwnedLink::set_gsi1(Some("u3".to_string()), ts(9)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUpdate { .. }), "{err:?}");
    assert_eq!(counter.total(), 0);
}
