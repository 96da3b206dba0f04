//! get / put / create / replace / delete against DynamoDB Local, and the
//! typed errors of bad keys (with proof that nothing was written).

use crate::common;

use crate::common::*;
use serde::{Deserialize, Serialize};
use truss_model::key_part::KeyPartError;
use truss_model::{Entity, Error, Table};

#[tokio::test]
async fn put_then_get_round_trips() {
    let table = table("put-get").await;
    let clip = clip("c1", "v1", 5);
    table.put(&clip).await.unwrap();
    let key = Clip::key("c1", "v1", ts(5));
    assert_eq!(table.get(key.clone()).await.unwrap(), Some(clip.clone()));
    assert_eq!(table.get(key).consistent().await.unwrap(), Some(clip));
    assert_eq!(table.get(Clip::key("c1", "v1", ts(6))).await.unwrap(), None);
}

#[tokio::test]
async fn put_overwrites() {
    let table = table("put-overwrites").await;
    let mut l = link("aK9xQ2z");
    table.put(&l).await.unwrap();
    l.clicks = 99;
    table.put(&l).await.unwrap();
    assert_eq!(table.get(l.to_key()).await.unwrap(), Some(l));
    assert_eq!(scan(&table).await.len(), 1);
}

#[tokio::test]
async fn create_on_existing_item_fails_and_leaves_it_unchanged() {
    let table = table("create-existing").await;
    let original = link("aK9xQ2z");
    table.create(&original).await.unwrap();
    let mut other = link("aK9xQ2z");
    other.target = "https://example.invalid/".into();
    other.clicks = 0;
    let err = table.create(&other).await.unwrap_err();
    match &err {
        Error::AlreadyExists { entity, key } => {
            assert_eq!(*entity, "Link");
            assert_eq!(key.as_str(), "PK=LINK#aK9xQ2z, SK=META");
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        table.get(Link::key("aK9xQ2z")).consistent().await.unwrap(),
        Some(original)
    );
    assert_eq!(scan(&table).await.len(), 1);
}

#[tokio::test]
async fn replace_requires_an_existing_item() {
    let table = table("replace").await;
    let mut l = link("abc");
    let err = table.replace(&l).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { entity: "Link", .. }),
        "{err:?}"
    );
    assert!(
        scan(&table).await.is_empty(),
        "replace of a missing item wrote something"
    );

    table.create(&l).await.unwrap();
    l.clicks = 18;
    table.replace(&l).await.unwrap();
    assert_eq!(
        table.get(Link::key("abc")).consistent().await.unwrap(),
        Some(l)
    );
}

#[tokio::test]
async fn delete_plain_returning_and_must_exist() {
    let table = table("delete").await;
    let l = link("gone");
    table.put(&l).await.unwrap();
    table.put(&link("kept")).await.unwrap();

    assert_eq!(
        table.delete(Link::key("gone")).return_old().await.unwrap(),
        Some(l)
    );
    assert_eq!(
        table.get(Link::key("gone")).consistent().await.unwrap(),
        None
    );
    assert_eq!(
        table.delete(Link::key("gone")).return_old().await.unwrap(),
        None
    );
    table.delete(Link::key("gone")).await.unwrap();
    let err = table
        .delete(Link::key("gone"))
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(scan(&table).await.len(), 1, "only the other link remains");
}

#[tokio::test]
async fn delimiter_in_a_key_value_is_escaped_reversibly() {
    let table = table("delimiter").await;
    let tricky = clip("c#1", "v1#META", 1);
    let plain = clip("c", "1", 1);
    table.put(&tricky).await.unwrap();
    table.put(&plain).await.unwrap();

    let raw = scan(&table).await;
    let mut pks: Vec<_> = raw
        .iter()
        .map(|i| i["PK"].as_s().unwrap().clone())
        .collect();
    pks.sort();
    assert_eq!(pks, ["CREATOR#c", "CREATOR#c%231"]);
    let sk = raw.iter().find(|i| i["PK"] == s("CREATOR#c%231")).unwrap()["SK"].clone();
    assert_eq!(sk, s("CLIP#v1%23META#2026-05-28T20:26:41.000000000Z"));

    let back = table.get(Clip::key("c#1", "v1#META", ts(1))).await.unwrap();
    assert_eq!(back, Some(tricky.clone()));
    let all = table.query(Clip::partition("c#1")).all().await.unwrap();
    assert_eq!(all, [tricky]);
}

#[tokio::test]
async fn empty_key_value_is_a_typed_error_and_writes_nothing() {
    let table = table("empty-key").await;
    let err = table.put(&clip("", "v1", 1)).await.unwrap_err();
    match err {
        Error::InvalidKey {
            entity,
            field,
            reason,
        } => {
            assert_eq!(
                (entity, field, reason),
                ("Clip", "creator_id", KeyPartError::Empty)
            );
        }
        other => panic!("expected InvalidKey, got {other:?}"),
    }
    let err = table.create(&clip("c1", "", 1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                field: "video_id",
                ..
            }
        ),
        "{err:?}"
    );
    let err = table.get(Clip::key("c1", "", ts(1))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                field: "video_id",
                ..
            }
        ),
        "{err:?}"
    );
    let err = table.delete(Link::key("")).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidKey { field: "code", .. }),
        "{err:?}"
    );
    let err = table.query(Clip::partition("")).all().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                field: "creator_id",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        scan(&table).await.is_empty(),
        "an invalid key wrote an item"
    );
}

#[tokio::test]
async fn oversized_keys_are_typed_errors_and_write_nothing() {
    let table = table("oversized").await;
    // "CREATOR#" is 8 bytes; 2040 more reach the 2048-byte limit exactly.
    let at_limit = "é".repeat(1020);
    table.put(&clip(&at_limit, "v", 1)).await.unwrap();
    let over = format!("{at_limit}x");
    let err = table.put(&clip(&over, "v", 1)).await.unwrap_err();
    match err {
        Error::KeyTooLong {
            attribute,
            len,
            max,
            ..
        } => {
            assert_eq!((attribute.as_str(), len, max), ("PK", 2049, 2048));
        }
        other => panic!("expected KeyTooLong, got {other:?}"),
    }
    let long_video = "v".repeat(1024);
    let err = table.put(&clip("c1", &long_video, 1)).await.unwrap_err();
    assert!(
        matches!(err, Error::KeyTooLong { max: 1024, .. }),
        "{err:?}"
    );
    assert_eq!(
        scan(&table).await.len(),
        1,
        "only the at-limit item was written"
    );
}

#[tokio::test]
async fn entity_attribute_named_like_a_key_attribute_is_refused() {
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "X#{id}", sk = "X")]
    struct Clash {
        id: String,
        #[serde(rename = "SK")]
        sort: String,
    }
    let table = table("clash").await;
    let err = table
        .put(&Clash {
            id: "1".into(),
            sort: "boom".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Encode {
                entity: "Clash",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("`SK`"), "{err}");
    match &err {
        Error::Encode { key, .. } => assert_eq!(key.as_str(), "PK=X#1, SK=X", "the real key"),
        other => panic!("{other:?}"),
    }
    assert!(scan(&table).await.is_empty());
}

#[tokio::test]
async fn entities_without_sort_key_use_a_partition_key_only_table() {
    #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
    #[truss(pk = "USER#{email}")]
    struct User {
        email: String,
        name: String,
    }
    let table = Table::new(client().await, table_name("pk-only")).without_sort_key();
    table.definition().entity::<User>().create().await.unwrap();
    let user = User {
        email: "a@example.com".into(),
        name: "A".into(),
    };
    table.create(&user).await.unwrap();
    assert_eq!(
        table.get(User::key("a@example.com")).await.unwrap(),
        Some(user)
    );
    assert_eq!(
        table
            .query(User::partition("a@example.com"))
            .all()
            .await
            .unwrap()
            .len(),
        1
    );

    // The same entity in a table with a sort key: a typed error, no request.
    let composite = common::table("pk-only-mismatch").await;
    let err = composite
        .put(&User {
            email: "b".into(),
            name: "B".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Schema { entity: "User", .. }),
        "{err:?}"
    );
    let err = composite
        .definition()
        .entity::<User>()
        .create()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Schema { .. }), "{err:?}");
    assert!(scan(&composite).await.is_empty());
}

#[tokio::test]
async fn key_attribute_names_are_settable() {
    let table = Table::new(client().await, table_name("custom-keys"))
        .with_partition_key("pk")
        .with_sort_key("sk");
    table.definition().entity::<Link>().create().await.unwrap();
    table.put(&link("x1")).await.unwrap();
    let raw = scan(&table).await;
    assert_eq!(raw[0]["pk"], s("LINK#x1"));
    assert_eq!(raw[0]["sk"], s("META"));
    assert!(!raw[0].contains_key("PK"));
    assert_eq!(table.get(Link::key("x1")).await.unwrap(), Some(link("x1")));
}

#[tokio::test]
async fn create_if_not_exists_is_idempotent() {
    let table = Table::new(client().await, table_name("idempotent"));
    assert!(table
        .definition()
        .entity::<Link>()
        .create_if_not_exists()
        .await
        .unwrap());
    table.put(&link("stays")).await.unwrap();
    assert!(!table
        .definition()
        .entity::<Link>()
        .create_if_not_exists()
        .await
        .unwrap());
    assert_eq!(scan(&table).await.len(), 1);
    let status = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap()
        .table_status
        .unwrap();
    assert_eq!(status.as_str(), "ACTIVE");
}
