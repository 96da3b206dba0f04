//! DynamoDB-Toolbox v2 interop (`tests/js/toolbox.cjs`): entities in the
//! shape of its documentation (keys computed by functions,
//! `TRAINER#${trainerId}` / `POKEMON#${pokemonId}`, the internal `_et`,
//! `_ct` and `_md` attributes, a string set, a discriminated map, an
//! optional attribute), written by DynamoDB-Toolbox itself with values that
//! hold spaces and mixed case.
//!
//! Declared with `string_key_format = "verbatim"` (the computed keys hold
//! the values as they are), `_et` as a checked constant, `_ct` / `_md`
//! through a `toISOString()` adapter, the set through serde_dynamo's
//! `string_set` and the map as an internally tagged enum.

use crate::common::js::{node, node_json};
use crate::common::*;
use chrono::{DateTime, TimeZone, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use truss_model::{Collection, Entity, Error, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "TRAINER#{trainer_id}",
    sk = "TRAINER",
    string_key_format = "verbatim",
    checked_constant(_et = "TRAINER")
)]
#[serde(rename_all = "camelCase")]
struct Trainer {
    trainer_id: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hometown: Option<String>,
    #[serde(rename = "_ct", with = "js_iso")]
    created: DateTime<Utc>,
    #[serde(rename = "_md", with = "js_iso")]
    modified: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Appearance {
    Shiny { sparkle: u32 },
    Normal,
}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "TRAINER#{trainer_id}",
    sk = "POKEMON#{pokemon_id}",
    string_key_format = "verbatim",
    checked_constant(_et = "POKEMON")
)]
#[serde(rename_all = "camelCase")]
struct Pokemon {
    trainer_id: String,
    pokemon_id: String,
    name: String,
    level: u32,
    #[serde(with = "serde_dynamo::string_set")]
    types: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nickname: Option<String>,
    appearance: Appearance,
    #[serde(rename = "_ct", with = "js_iso")]
    created: DateTime<Utc>,
    #[serde(rename = "_md", with = "js_iso")]
    modified: DateTime<Utc>,
}

/// A trainer's partition: the trainer and their Pokémon.
#[derive(Collection, Debug, PartialEq)]
enum TrainerItems {
    Trainer(Trainer),
    Pokemon(Pokemon),
}

async fn toolbox_table(test: &str) -> Table {
    let table = Table::new(client().await, table_name(test))
        .with_partition_key("pk")
        .with_sort_key("sk");
    table
        .definition()
        .entity::<Trainer>()
        .entity::<Pokemon>()
        .create()
        .await
        .expect("create table");
    node("toolbox.cjs", &["seed", table.name()]);
    table
}

fn toolbox(args: &[&str]) -> serde_json::Value {
    node_json("toolbox.cjs", args)
}

/// Items by their keys (maps compare attribute by attribute, in any order).
fn sorted(
    mut items: Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>>,
) -> Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let key = |i: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>| {
        (format!("{:?}", i.get("pk")), format!("{:?}", i.get("sk")))
    };
    items.sort_by_key(key);
    items
}

#[tokio::test]
async fn toolbox_items_are_read_got_updated_and_put_back_exactly() {
    let table = toolbox_table("toolbox-roundtrip").await;
    let before = sorted(scan(&table).await);
    assert_eq!(before.len(), 3);
    let audit = table.scan::<TrainerItems>().audit().await.unwrap();
    assert!(audit.is_clean(), "{audit}");

    let items: Vec<TrainerItems> = table
        .query(Trainer::partition("Ash Ketchum").collection::<TrainerItems>())
        .all()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    let mime = table
        .get(Pokemon::key("Ash Ketchum", "Mr Mime"))
        .await
        .unwrap()
        .expect("found by its key, space and all");
    assert_eq!(
        mime.types,
        BTreeSet::from(["fairy".to_owned(), "psychic".to_owned()])
    );
    assert_eq!(mime.appearance, Appearance::Shiny { sparkle: 3 });
    assert_eq!(mime.nickname, None);
    for item in items {
        match item {
            TrainerItems::Trainer(t) => table.put(&t).await.unwrap(),
            TrainerItems::Pokemon(p) => table.put(&p).await.unwrap(),
        }
    }
    assert_eq!(sorted(scan(&table).await), before, "byte for byte");

    // Typed updates, as DynamoDB-Toolbox would make them: a counter and its
    // `_md`, which it reads back as it wrote.
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
    table
        .update(Pokemon::key("Ash Ketchum", "Mr Mime"))
        .add(Pokemon::LEVEL, 1)
        .set(Pokemon::MODIFIED, now)
        .must_exist()
        .await
        .unwrap();
    let theirs = toolbox(&["get-pokemon", table.name(), "Ash Ketchum", "Mr Mime"]);
    assert_eq!(theirs["level"], 6);
    assert_eq!(theirs["modified"], "2026-12-02T10:00:00.000Z");
    assert_eq!(theirs["types"], serde_json::json!(["fairy", "psychic"]));
    assert_eq!(
        theirs["appearance"],
        serde_json::json!({"kind": "shiny", "sparkle": 3})
    );
    assert_eq!(scan(&table).await.len(), 3, "no second copy");
}

#[tokio::test]
async fn toolbox_reads_what_the_library_writes() {
    let table = toolbox_table("toolbox-ours").await;
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap();
    let psyduck = Pokemon {
        trainer_id: "Ash Ketchum".into(),
        pokemon_id: "Psy Duck".into(),
        name: "Psyduck".into(),
        level: 9,
        types: BTreeSet::from(["water".to_owned()]),
        nickname: None,
        appearance: Appearance::Normal,
        created: t,
        modified: t,
    };
    table.create(&psyduck).await.unwrap();
    let theirs = toolbox(&["get-pokemon", table.name(), "Ash Ketchum", "Psy Duck"]);
    assert_eq!(theirs["name"], "Psyduck");
    assert_eq!(theirs["created"], "2026-12-01T08:30:00.000Z");
    assert_eq!(theirs["appearance"], serde_json::json!({"kind": "normal"}));
    // Its query of the partition parses every item, ours included.
    let all = toolbox(&["trainer", table.name(), "Ash Ketchum"]);
    assert_eq!(all.as_array().unwrap().len(), 4, "{all}");

    // The item is the one DynamoDB-Toolbox writes for these values, but for
    // the timestamps, which it sets to the time of its own put.
    let raw = raw_item(&table, "TRAINER#Ash Ketchum", "POKEMON#Psy Duck").await;
    let values = serde_json::json!({
        "trainerId": "Ash Ketchum", "pokemonId": "Psy Duck", "name": "Psyduck", "level": 9,
        "types": ["water"], "appearance": {"kind": "normal"},
    });
    let mut expected = toolbox(&["pokemon-item", &values.to_string()]);
    for stamp in ["_ct", "_md"] {
        assert!(expected[stamp]
            .as_str()
            .is_some_and(|t| t.len() == 24 && t.ends_with('Z')));
        expected[stamp] = serde_json::json!("2026-12-01T08:30:00.000Z");
    }
    let types = raw["types"].clone();
    let mut ours: serde_json::Value = serde_dynamo::from_item(raw).unwrap();
    // serde_dynamo reads a string set as a list; the set's type is checked
    // raw below.
    ours["types"] = serde_json::json!(["water"]);
    assert_eq!(ours, expected);
    assert!(matches!(&types, aws_sdk_dynamodb::types::AttributeValue::Ss(s) if s == &["water"]));

    // What the computed keys cannot hold: refused, nothing written.
    let mut bad = psyduck.clone();
    bad.pokemon_id = "Psy#Duck".into();
    assert!(matches!(
        table.put(&bad).await,
        Err(Error::InvalidKey { .. })
    ));
    let exported: Vec<Pokemon> = table.scan::<Pokemon>().items().try_collect().await.unwrap();
    assert_eq!(exported.len(), 3);
}

async fn raw_item(
    table: &Table,
    pk: &str,
    sk: &str,
) -> HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    table
        .client()
        .get_item()
        .table_name(table.name())
        .key("pk", s(pk))
        .key("sk", s(sk))
        .send()
        .await
        .unwrap()
        .item
        .expect("written")
}
