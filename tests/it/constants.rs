//! Constant attributes: written on every put, batch and transaction write
//! and by updates that create; checked on read when declared `check`; and
//! telling collection variants with look-alike keys apart.

use crate::common::*;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use truss_model::{Collection, Entity, Error, Item};

/// Two entity types with the same key shape, told apart by `kind`.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "BOARD#{board}",
    sk = "ITEM#{id}",
    checked_constant(kind = "note"),
    constant(schema = 2)
)]
struct Note {
    board: String,
    id: String,
    text: String,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "BOARD#{board}",
    sk = "ITEM#{id}",
    checked_constant(kind = "task")
)]
struct Task {
    board: String,
    id: String,
    done: bool,
}

#[derive(Collection, Debug, PartialEq)]
enum BoardItems {
    Note(Note),
    Task(Task),
    #[truss(other)]
    Other(Item),
}

fn note(id: &str) -> Note {
    Note {
        board: "b1".into(),
        id: id.into(),
        text: format!("note {id}"),
    }
}

#[tokio::test]
async fn constants_are_written_by_puts_batches_transactions_and_creating_updates() {
    let table = table("constants-write").await;
    table.put(&note("n1")).await.expect("put");
    table
        .batch_write()
        .put(&note("n2"))
        .send()
        .await
        .expect("batch");
    table
        .transaction()
        .put(table.put(&note("n3")))
        .await
        .expect("transaction");
    // An update that creates the item writes them too.
    table
        .update(Task::key("b1", "t1"))
        .set(Task::DONE, false)
        .await
        .expect("upsert");
    for (sk, kind) in [
        ("ITEM#n1", "note"),
        ("ITEM#n2", "note"),
        ("ITEM#n3", "note"),
        ("ITEM#t1", "task"),
    ] {
        let item = raw_get(table.client(), table.name(), "BOARD#b1", sk).await;
        assert_eq!(item["kind"], s(kind), "{sk}");
    }
    let item = raw_get(table.client(), table.name(), "BOARD#b1", "ITEM#n1").await;
    assert_eq!(item["schema"], AttributeValue::N("2".into()));

    // An update of an existing item leaves what is stored.
    table
        .client()
        .update_item()
        .table_name(table.name())
        .key("PK", s("BOARD#b1"))
        .key("SK", s("ITEM#t1"))
        .update_expression("SET kind = :k")
        .expression_attribute_values(":k", s("legacy-task"))
        .send()
        .await
        .expect("raw update");
    let err = table
        .update(Task::key("b1", "t1"))
        .set(Task::DONE, true)
        .return_new()
        .await
        .unwrap_err();
    // ...and the checked read says so.
    match err {
        Error::Decode {
            entity,
            field,
            message,
            ..
        } => {
            assert_eq!(entity, "Task");
            assert_eq!(field.as_deref(), Some("kind"));
            assert!(
                message.contains("legacy-task") && message.contains("`task`"),
                "{message}"
            );
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let item = raw_get(table.client(), table.name(), "BOARD#b1", "ITEM#t1").await;
    assert_eq!(item["kind"], s("legacy-task"), "if_not_exists kept it");
}

#[tokio::test]
async fn checked_constants_refuse_other_items_and_split_a_collection() {
    let table = table("constants-read").await;
    table.put(&note("n1")).await.expect("put");
    table
        .put(&Task {
            board: "b1".into(),
            id: "t1".into(),
            done: true,
        })
        .await
        .expect("put");
    // A look-alike item with no marker, as another tool wrote it.
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("BOARD#b1"))
        .item("SK", s("ITEM#x1"))
        .item("text", s("unmarked"))
        .send()
        .await
        .expect("raw put");
    let before = scan(&table).await;

    let items = table
        .query(Note::partition("b1").collection::<BoardItems>())
        .all()
        .await
        .expect("query");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], BoardItems::Note(note("n1")));
    assert!(matches!(&items[1], BoardItems::Task(t) if t.id == "t1" && t.done));
    assert!(matches!(&items[2], BoardItems::Other(i) if i["SK"] == s("ITEM#x1")));

    // Read as a Note, the task and the unmarked item are refused.
    let err = table.get(Note::key("b1", "t1")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { entity: "Note", field: Some(f), .. } if f == "kind"),
        "{err:?}"
    );
    let err = table.get(Note::key("b1", "x1")).await.unwrap_err();
    match &err {
        Error::Decode { field, message, .. } => {
            assert_eq!(field.as_deref(), Some("kind"));
            assert!(message.contains("lacks"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(scan(&table).await, before, "nothing written");
}
