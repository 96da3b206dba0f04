//! Transactions and optimistic locking against DynamoDB Local.

use crate::common::*;
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use truss_model::transaction::CancellationCode;
use truss_model::{Entity, Error};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "USER#{id}", sk = "PROFILE")]
struct User {
    id: String,
    email: String,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "DOC")]
struct Doc {
    id: String,
    body: String,
    counter: u64,
    #[truss(version)]
    version: u64,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "BLOB#{id}", sk = "BLOB")]
struct Blob {
    id: u32,
    data: String,
}

fn doc(id: &str) -> Doc {
    Doc {
        id: id.into(),
        body: "v0".into(),
        counter: 0,
        version: 0,
    }
}

#[tokio::test]
async fn actions_across_entity_types_commit_together() {
    let (table, counter) = counted_table("tx-commit").await;
    table.put(&link("l1")).await.unwrap();
    table.put(&link("l2")).await.unwrap();
    counter.take();
    table
        .transaction()
        .put(table.create(&User {
            id: "u1".into(),
            email: "a@example.com".into(),
        }))
        .put(table.put(&clip("c1", "v1", 1)))
        .update(table.update(Link::key("l1")).add(Link::CLICKS, 1))
        .check(Link::key("l2"), Link::TARGET.begins_with("https://"))
        .await
        .unwrap();
    assert_eq!(counter.take().get("TransactWriteItems"), Some(&1));
    assert_eq!(
        table.get(Link::key("l1")).await.unwrap().unwrap().clicks,
        18
    );
    assert!(table.get(User::key("u1")).await.unwrap().is_some());
    assert_eq!(scan(&table).await.len(), 4);

    // The same item twice (here: update and check) is refused before sending.
    counter.take();
    let err = table
        .transaction()
        .update(table.update(Link::key("l1")).add(Link::CLICKS, 1))
        .check(Link::key("l1"), Link::CLICKS.gt(0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err:?}");
    assert_eq!(counter.total(), 0);
}

#[tokio::test]
async fn one_failed_condition_writes_nothing_and_names_the_action() {
    let table = table("tx-cancel").await;
    table.put(&link("l1")).await.unwrap();
    let before = scan(&table).await;
    let err = table
        .transaction()
        .put(table.put(&clip("c1", "v1", 1)))
        .update(
            table
                .update(Link::key("l1"))
                .add(Link::CLICKS, 1)
                .condition(Link::CLICKS.gt(1000)),
        )
        .put(table.create(&User {
            id: "u1".into(),
            email: "a@example.com".into(),
        }))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0].index, 1);
    assert_eq!(reasons[0].entity, "Link");
    assert_eq!(reasons[0].key.as_str(), "PK=LINK#l1, SK=META");
    assert_eq!(
        reasons[0].code,
        truss_model::transaction::CancellationCode::ConditionalCheckFailed
    );
    assert!(err.to_string().contains("action 1 (Link"), "{err}");
    let after = scan(&table).await;
    assert_eq!(after, before, "nothing was written");
}

#[tokio::test]
async fn limits_are_checked_before_sending() {
    let (table, counter) = counted_table("tx-limits").await;
    let hundred: Vec<_> = (0..100).map(|i| clip("c", "v", i)).collect();
    let tx = hundred
        .iter()
        .fold(table.transaction(), |tx, c| tx.put(table.put(c)));
    tx.await.unwrap();
    assert_eq!(counter.take().get("TransactWriteItems"), Some(&1));
    assert_eq!(scan(&table).await.len(), 100);
    counter.take();

    let more: Vec<_> = (0..101).map(|i| clip("d", "v", i)).collect();
    let err = more
        .iter()
        .fold(table.transaction(), |tx, c| tx.put(table.put(c)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err:?}");
    let err = table.transaction().await.unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err:?}");
    let err = table
        .transaction()
        .put(table.put(&link("x")))
        .delete(table.delete(Link::key("x")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    // Eleven items of about 390 KB: over the 4 MB transaction limit.
    let blobs: Vec<_> = (0..11)
        .map(|id| Blob {
            id,
            data: "x".repeat(390_000),
        })
        .collect();
    let err = blobs
        .iter()
        .fold(table.transaction(), |tx, b| tx.put(table.put(b)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("4 MB"), "{err}");
    assert_eq!(counter.total(), 0, "nothing sent");
    assert_eq!(scan(&table).await.len(), 100, "nothing written");
}

#[tokio::test]
async fn unique_values_are_claimed_and_released() {
    let table = table("tx-unique").await;
    let ada = User {
        id: "u1".into(),
        email: "ada@example.com".into(),
    };
    table
        .transaction()
        .put(table.create(&ada))
        .unique("email", &ada.email)
        .await
        .unwrap();

    let copycat = User {
        id: "u2".into(),
        email: "ada@example.com".into(),
    };
    let err = table
        .transaction()
        .put(table.create(&copycat))
        .unique("email", &copycat.email)
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!((reasons[0].index, reasons[0].entity), (1, "Unique"));
    assert_eq!(
        reasons[0].key.as_str(),
        "PK=UNIQUE#email#ada@example.com, SK=UNIQUE"
    );
    assert!(table.get(User::key("u2")).await.unwrap().is_none());

    // Ada changes her email: release the old value, claim the new one.
    let moved = User {
        email: "ada@lovelace.org".into(),
        ..ada.clone()
    };
    table
        .transaction()
        .put(table.put(&moved).condition(User::EMAIL.eq(&ada.email)))
        .release_unique("email", &ada.email)
        .unique("email", &moved.email)
        .await
        .unwrap();
    table
        .transaction()
        .put(table.create(&copycat))
        .unique("email", &copycat.email)
        .await
        .unwrap();
    assert_eq!(scan(&table).await.len(), 4, "two users, two markers");
    let err = table.transaction().unique("e mail", "x").await.unwrap_err();
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err:?}");
}

#[tokio::test]
async fn an_idempotency_token_applies_the_transaction_once() {
    let table = table("tx-idempotent").await;
    table.put(&link("l1")).await.unwrap();
    // DynamoDB remembers a token for ten minutes, across tables: one per
    // table, so a second run against the same server applies its own.
    let token = format!("c-{}", table.name());
    for _ in 0..2 {
        table
            .transaction()
            .update(table.update(Link::key("l1")).add(Link::CLICKS, 1))
            .idempotency_token(&token)
            .await
            .unwrap();
    }
    assert_eq!(
        table
            .get(Link::key("l1"))
            .consistent()
            .await
            .unwrap()
            .unwrap()
            .clicks,
        18
    );
}

#[tokio::test]
async fn stale_versions_are_typed_errors_and_change_nothing() {
    let table = table("lock-stale").await;
    table.create(&doc("d")).await.unwrap();
    let v1 = table
        .get(Doc::key("d"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1.version, 1);

    let mut edit = v1.clone();
    edit.body = "v1 edit".into();
    table.put(&edit).await.unwrap();
    let v2 = table
        .get(Doc::key("d"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v2.version, v2.body.as_str()), (2, "v1 edit"));

    let mut stale = v1.clone();
    stale.body = "lost update".into();
    let err = table.put(&stale).await.unwrap_err();
    match err {
        Error::StaleVersion {
            entity,
            expected,
            found,
            ..
        } => {
            assert_eq!((entity, expected, found), ("Doc", 1, Some(2)));
        }
        other => panic!("expected StaleVersion, got {other:?}"),
    }
    let err = table.replace(&stale).await.unwrap_err();
    assert!(matches!(err, Error::StaleVersion { .. }), "{err:?}");
    let err = table.put(&doc("d")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::StaleVersion {
                expected: 0,
                found: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    let err = table.create(&doc("d")).await.unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        table.get(Doc::key("d")).consistent().await.unwrap(),
        Some(v2.clone())
    );

    // Updates increment the version; expect_version guards them.
    let v3 = table
        .update(Doc::key("d"))
        .add(Doc::COUNTER, 1)
        .expect_version(2)
        .return_new()
        .await
        .unwrap();
    assert_eq!((v3.version, v3.counter), (3, 1));
    let err = table
        .update(Doc::key("d"))
        .add(Doc::COUNTER, 1)
        .expect_version(2)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::StaleVersion {
                expected: 2,
                found: Some(3),
                ..
            }
        ),
        "{err:?}"
    );
    // A stale put inside a transaction cancels it.
    let err = table.transaction().put(table.put(&v2)).await.unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }), "{err:?}");
    assert_eq!(
        table.get(Doc::key("d")).consistent().await.unwrap(),
        Some(v3)
    );
}

#[tokio::test]
async fn concurrent_read_modify_write_loses_no_update() {
    let table = table("lock-race").await;
    table.create(&doc("hot")).await.unwrap();
    let successes = AtomicUsize::new(0);
    let conflicts = AtomicUsize::new(0);
    let writers = (0..20).map(|_| async {
        for _ in 0..5 {
            loop {
                let mut current = table
                    .get(Doc::key("hot"))
                    .consistent()
                    .await
                    .unwrap()
                    .unwrap();
                current.counter += 1;
                match table.put(&current).await {
                    Ok(()) => {
                        successes.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                    Err(Error::StaleVersion { .. }) => {
                        conflicts.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(other) => panic!("{other:?}"),
                }
            }
        }
    });
    join_all(writers).await;
    let last = table
        .get(Doc::key("hot"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    let successes = successes.load(Ordering::SeqCst);
    assert_eq!(successes, 100);
    assert_eq!(last.counter as usize, successes, "no lost update");
    assert_eq!(last.version as usize, successes + 1);
    eprintln!(
        "{} stale writes were refused and retried",
        conflicts.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_transaction_takes_the_builders_a_single_write_sends() {
    let table = table("tx-builders").await;
    table.put(&link("kept")).await.unwrap();
    // `must_exist` on a missing item cancels the transaction, as alone it
    // fails with NotFound; nothing else is written.
    let err = table
        .transaction()
        .put(table.put(&link("new")))
        .delete(table.delete(Link::key("missing")).must_exist())
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons.len(), 1, "{err}");
    assert_eq!(reasons[0].index, 1);
    assert_eq!(reasons[0].code, CancellationCode::ConditionalCheckFailed);
    assert!(table.get(Link::key("new")).await.unwrap().is_none());
    // A replace of a missing item and a conditional delete that holds.
    let err = table
        .transaction()
        .put(table.replace(&link("missing")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }), "{err:?}");
    table
        .transaction()
        .put(table.replace(&Link {
            clicks: 5,
            ..link("kept")
        }))
        .delete(
            table
                .delete(Link::key("other"))
                .condition(Link::CLICKS.lt(1).or(Link::CLICKS.not_exists())),
        )
        .await
        .unwrap();
    assert_eq!(
        table.get(Link::key("kept")).await.unwrap().unwrap().clicks,
        5
    );
}
