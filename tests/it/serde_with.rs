//! Fields written by `#[serde(with = ...)]` are written by the same
//! function everywhere: puts, `set`, `set_if_not_exists`, conditions,
//! filters, the key attributes an upsert writes and key fields recovered
//! from keys. The stored text is read back raw and compared with the put's.
//! Also: verbatim table keys (`POKEMON#Mr Mime`, as DynamoDB-Toolbox writes
//! them) are found by their key and updated in place, never copied.

use crate::common::{self, raw_get, s, scan};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Error, Table};

mod js_iso_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => crate::common::js_iso::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

/// DynamoDB-Toolbox's timestamps on a verbatim key.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "POKEMON#{name}", sk = "META", string_key_format = "verbatim")]
struct Pokemon {
    name: String,
    level: u32,
    #[serde(rename = "_ct", with = "common::js_iso")]
    created: DateTime<Utc>,
    #[serde(rename = "_md", with = "common::js_iso")]
    modified: DateTime<Utc>,
    #[serde(with = "js_iso_opt", default, skip_serializing_if = "Option::is_none")]
    caught: Option<DateTime<Utc>>,
}

/// A key field with its own serializer.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "EVENT#{at}", sk = "META")]
struct Event {
    #[truss(key_format = "rfc3339_millis")]
    #[serde(with = "common::js_iso")]
    at: DateTime<Utc>,
    count: u64,
}

fn t(day: u32, ms: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, day, 12, 0, 0).unwrap()
        + chrono::Duration::milliseconds(ms.into())
}

fn mr_mime() -> Pokemon {
    Pokemon {
        name: "Mr Mime".into(),
        level: 5,
        created: t(1, 0),
        modified: t(1, 0),
        caught: None,
    }
}

async fn md(table: &Table) -> AttributeValue {
    raw_get(table.client(), table.name(), "POKEMON#Mr Mime", "META").await["_md"].clone()
}

use aws_sdk_dynamodb::types::AttributeValue;

#[tokio::test]
async fn set_writes_what_a_put_writes() {
    let table = common::table("with-set").await;
    table.put(&mr_mime()).await.unwrap();
    assert_eq!(
        md(&table).await,
        s("2025-06-01T12:00:00.000Z"),
        "the put's form"
    );
    table
        .update(Pokemon::key("Mr Mime"))
        .set(Pokemon::MODIFIED, t(2, 0))
        .must_exist()
        .await
        .unwrap();
    // chrono's own Serialize would write "2025-06-02T12:00:00Z".
    assert_eq!(md(&table).await, s("2025-06-02T12:00:00.000Z"));
    let read = table.get(Pokemon::key("Mr Mime")).await.unwrap().unwrap();
    assert_eq!(read.modified, t(2, 0));
}

#[tokio::test]
async fn set_if_not_exists_writes_what_a_put_writes() {
    let table = common::table("with-set-if-not-exists").await;
    table.put(&mr_mime()).await.unwrap();
    table
        .update(Pokemon::key("Mr Mime"))
        .set_if_not_exists(Pokemon::CAUGHT, Some(t(3, 250)))
        .await
        .unwrap();
    let raw = raw_get(table.client(), table.name(), "POKEMON#Mr Mime", "META").await;
    assert_eq!(raw["caught"], s("2025-06-03T12:00:00.250Z"));
    // Already there: kept.
    table
        .update(Pokemon::key("Mr Mime"))
        .set_if_not_exists(Pokemon::CAUGHT, Some(t(4, 0)))
        .await
        .unwrap();
    let raw = raw_get(table.client(), table.name(), "POKEMON#Mr Mime", "META").await;
    assert_eq!(raw["caught"], s("2025-06-03T12:00:00.250Z"));
}

#[tokio::test]
async fn conditions_compare_the_stored_form() {
    let table = common::table("with-conditions").await;
    table.put(&mr_mime()).await.unwrap();
    let now = t(1, 0);
    // Each comparison holds on the stored text only if the value is written
    // as the put wrote it (`.000Z`): `=` with chrono's `...:00Z` would fail.
    for condition in [
        Pokemon::MODIFIED.eq(now),
        Pokemon::MODIFIED.le(now),
        Pokemon::MODIFIED.ge(now),
        Pokemon::MODIFIED.between(now, t(1, 1)),
        Pokemon::MODIFIED.ne(t(1, 1)),
        Pokemon::MODIFIED.lt(t(1, 1)),
        Pokemon::MODIFIED.gt(t(1, 0) - chrono::Duration::milliseconds(1)),
    ] {
        table
            .update(Pokemon::key("Mr Mime"))
            .add(Pokemon::LEVEL, 1)
            .condition(condition)
            .must_exist()
            .await
            .unwrap();
    }
    let before = scan(&table).await;
    let refused = table
        .update(Pokemon::key("Mr Mime"))
        .add(Pokemon::LEVEL, 1)
        .condition(Pokemon::MODIFIED.eq(t(1, 1)))
        .must_exist()
        .await;
    assert!(
        matches!(refused, Err(Error::ConditionFailed { .. })),
        "{refused:?}"
    );
    assert_eq!(scan(&table).await, before, "nothing changed");
    let read = table.get(Pokemon::key("Mr Mime")).await.unwrap().unwrap();
    assert_eq!(read.level, 12);
    // A put's condition, the same way.
    table
        .put(&read)
        .condition(Pokemon::CREATED.eq(now))
        .await
        .unwrap();
}

#[tokio::test]
async fn filters_compare_the_stored_form() {
    let table = common::table("with-filters").await;
    table.put(&mr_mime()).await.unwrap();
    let kept = table
        .query(Pokemon::partition("Mr Mime"))
        .filter(Pokemon::MODIFIED.eq(t(1, 0)))
        .all()
        .await
        .unwrap();
    assert_eq!(kept, vec![mr_mime()]);
    let none = table
        .query(Pokemon::partition("Mr Mime"))
        .filter(Pokemon::MODIFIED.gt(t(1, 0)))
        .all()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn upserted_and_recovered_key_fields_take_the_fields_own_form() {
    let table = common::table("with-key-field").await;
    // A whole second: chrono's own Serialize would write `...:00Z`.
    let at = t(5, 0);
    // An upsert writes the key field's attribute as a put would.
    table
        .update(Event::key(at))
        .add(Event::COUNT, 1)
        .await
        .unwrap();
    let raw = raw_get(
        table.client(),
        table.name(),
        "EVENT#2025-06-05T12:00:00.000Z",
        "META",
    )
    .await;
    assert_eq!(raw["at"], s("2025-06-05T12:00:00.000Z"));
    let put = Event {
        at: t(6, 0),
        count: 1,
    };
    table.put(&put).await.unwrap();
    let raw = raw_get(
        table.client(),
        table.name(),
        "EVENT#2025-06-06T12:00:00.000Z",
        "META",
    )
    .await;
    assert_eq!(raw["at"], s("2025-06-06T12:00:00.000Z"));
    // An item written without the attribute: recovered from the key through
    // the field's own writer and read by its own reader.
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("EVENT#2025-06-07T12:00:00.500Z"))
        .item("SK", s("META"))
        .item("count", AttributeValue::N("3".into()))
        .send()
        .await
        .unwrap();
    let read = table.get(Event::key(t(7, 500))).await.unwrap().unwrap();
    assert_eq!(
        read,
        Event {
            at: t(7, 500),
            count: 3
        }
    );
    assert_eq!(Event::AT.name(), "at");
}

/// DynamoDB-Toolbox writes `POKEMON#Mr Mime`: the key is found, and the
/// counter upsert lands on that item, never on a second one.
#[tokio::test]
async fn a_verbatim_key_is_found_and_updated_in_place() {
    let table = common::table("verbatim-key").await;
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("PK", s("POKEMON#Mr Mime"))
        .item("SK", s("META"))
        .item("name", s("Mr Mime"))
        .item("level", AttributeValue::N("5".into()))
        .item("_ct", s("2025-06-01T12:00:00.000Z"))
        .item("_md", s("2025-06-01T12:00:00.000Z"))
        .send()
        .await
        .unwrap();
    let read = table.get(Pokemon::key("Mr Mime")).await.unwrap();
    assert_eq!(read, Some(mr_mime()));
    table
        .update(Pokemon::key("Mr Mime"))
        .add(Pokemon::LEVEL, 1)
        .await
        .unwrap();
    let items = scan(&table).await;
    assert_eq!(items.len(), 1, "no second copy: {items:?}");
    assert_eq!(items[0]["PK"], s("POKEMON#Mr Mime"));
    assert_eq!(items[0]["level"], AttributeValue::N("6".into()));
    // A value the format cannot hold: refused, nothing written.
    let mut hostile = mr_mime();
    hostile.name = "Mr#Mime".into();
    let refused = table.put(&hostile).await;
    assert!(
        matches!(&refused, Err(Error::InvalidKey { field: "name", .. })),
        "{refused:?}"
    );
    let refused = table.update(Pokemon::key("")).add(Pokemon::LEVEL, 1).await;
    assert!(
        matches!(&refused, Err(Error::InvalidKey { .. })),
        "{refused:?}"
    );
    assert_eq!(scan(&table).await.len(), 1);
}
