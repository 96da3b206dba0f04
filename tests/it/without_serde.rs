//! An entity with no `Serialize` or `Deserialize` of its own: the derive's
//! codec is the whole codec, serde's field attributes still apply, and
//! the items are the ones serde's derive would write.

use crate::common::*;
use chrono::{DateTime, TimeZone, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use truss_model::__private::to_item_by_serde;
use truss_model::{Codec, Entity};

/// No serde derive: `#[serde(...)]` is read by the `Entity` derive alone.
#[derive(Entity, Debug, Clone, PartialEq)]
#[truss(pk = "NOTE#{owner}", sk = "NOTE#{created_at}")]
pub struct Note {
    pub owner: String,
    pub created_at: DateTime<Utc>,
    #[serde(rename = "Body Text")]
    pub body: String,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    pub archived: Option<bool>,
    pub count: u32,
}

/// The same fields with serde's derive: what the items must be.
#[derive(Serialize, Deserialize)]
struct NoteBySerde {
    owner: String,
    created_at: DateTime<Utc>,
    #[serde(rename = "Body Text")]
    body: String,
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned: Option<bool>,
    archived: Option<bool>,
    count: u32,
}

fn note(owner: &str, second: u32, body: &str, pinned: Option<bool>) -> Note {
    Note {
        owner: owner.into(),
        created_at: Utc
            .with_ymd_and_hms(2026, 12, 5, 9, 30, second)
            .single()
            .expect("a valid time"),
        body: body.into(),
        tags: vec!["Mixed Case".into(), "with space".into()],
        pinned,
        archived: None,
        count: 7,
    }
}

fn by_serde(n: &Note) -> NoteBySerde {
    NoteBySerde {
        owner: n.owner.clone(),
        created_at: n.created_at,
        body: n.body.clone(),
        tags: n.tags.clone(),
        pinned: n.pinned,
        archived: n.archived,
        count: n.count,
    }
}

#[tokio::test]
async fn an_entity_without_serde_impls_round_trips_as_serde_would_store_it() {
    assert_eq!(Note::CODEC, Codec::Generated);
    let table = table("without_serde").await;
    let notes = [
        note("Ann Lee", 1, "first, with a space", Some(true)),
        note("Ann Lee", 2, "", None),
    ];
    for n in &notes {
        table.put(n).await.expect("put");
    }

    // Each stored item is exactly what serde's derive writes, plus the keys.
    let stored = scan(&table).await;
    assert_eq!(stored.len(), 2);
    for n in &notes {
        let ours = table.to_item(n).expect("encode");
        let (by_serde, _) = to_item_by_serde(&by_serde(n), 0).expect("serde writes it");
        let mut attributes = ours.clone();
        // The key field is escaped in the key (a space is `%20`), as always.
        assert_eq!(attributes.remove("PK"), Some(s("NOTE#Ann%20Lee")));
        assert!(attributes.remove("SK").is_some());
        assert_eq!(attributes, by_serde);
        assert!(stored.contains(&ours), "{ours:?} not among {stored:?}");
    }
    let absent = stored
        .iter()
        .find(|item| item.get("Body Text") == Some(&s("")))
        .expect("the second note");
    assert!(!absent.contains_key("pinned"), "{absent:?}");
    assert!(absent.contains_key("archived"), "{absent:?}");

    // Read back by key and by query, equal to what was written.
    let second = &notes[1];
    let read = table
        .get(Note::key(&second.owner, second.created_at))
        .await
        .expect("get");
    assert_eq!(read.as_ref(), Some(second));
    let all: Vec<Note> = table
        .query(Note::partition("Ann Lee"))
        .items()
        .try_collect()
        .await
        .expect("query");
    assert_eq!(all, notes);

    // The typed paths name the renamed attribute as the codec does: an
    // update and a filter on `Body Text`, nothing else touched.
    table
        .update(Note::key(&second.owner, second.created_at))
        .set(Note::BODY, "Now With Text")
        .add(Note::COUNT, 1)
        .await
        .expect("update");
    let filtered: Vec<Note> = table
        .query(Note::partition("Ann Lee"))
        .filter(Note::BODY.eq("Now With Text"))
        .items()
        .try_collect()
        .await
        .expect("filtered query");
    let updated = Note {
        body: "Now With Text".into(),
        count: 8,
        ..second.clone()
    };
    assert_eq!(filtered, vec![updated.clone()]);
    let stored = scan(&table).await;
    let item = stored
        .iter()
        .find(|item| item.get("Body Text") == Some(&s("Now With Text")))
        .expect("the updated note");
    assert!(!item.contains_key("body"), "{item:?}");
    assert_eq!(table.to_item(&updated).expect("encode"), *item);
}

fn s(text: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(text.into())
}
