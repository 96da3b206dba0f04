//! Tables written by other tools: keys in other formats are matched
//! exactly when declared and refused with a typed error when not, a key
//! field that disagrees with its attribute is an error, and nothing is ever
//! written on the way. Items are written here with raw SDK calls shaped as
//! the AWS CLI writes them; the JavaScript and ElectroDB sides have their
//! own tests (`interop_js.rs`, `electrodb.rs`).

use crate::common;

use crate::common::*;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use truss_model::{Entity, Error, Item, Table};

/// A clip whose keys were written by a script: `CLIP#<RFC 3339 seconds>`.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{created_at}")]
#[serde(rename_all = "camelCase")]
struct ScriptClip {
    creator_id: String,
    #[truss(key_format = "rfc3339_secs")]
    created_at: DateTime<Utc>,
    title: String,
}

/// An order line of a table whose keys hold plain integers, lower-case
/// names and literal text inside segments.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "$shop#customer_{customer}",
    sk = "$line_1#order_{order}#n_{line}"
)]
struct OrderLine {
    #[truss(key_format = "lowercase")]
    customer: String,
    #[truss(key_format = "width(6)")]
    order: u32,
    #[truss(key_format = "unpadded")]
    line: u32,
    sku: String,
}

fn at(secs: i64, millis: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_779_613_200 + secs, millis * 1_000_000)
        .single()
        .expect("valid")
}

async fn raw_put(table: &Table, attributes: &[(&str, AttributeValue)]) {
    let item: Item = attributes
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await
        .expect("raw PutItem");
}

#[tokio::test]
async fn declared_seconds_format_reads_gets_and_writes_back_the_same_item() {
    let table = table("script-keys").await;
    // As `aws dynamodb put-item` writes it: no creatorId / createdAt.
    raw_put(
        &table,
        &[
            ("PK", s("CREATOR#c1")),
            ("SK", s("CLIP#2026-05-24T09:00:00Z")),
            ("title", s("first")),
        ],
    )
    .await;
    let clips = table
        .query(ScriptClip::partition("c1"))
        .all()
        .await
        .expect("reads");
    assert_eq!(clips.len(), 1);
    assert_eq!(clips[0].created_at, at(0, 0));

    let got = table.get(clips[0].to_key()).await.expect("get");
    assert_eq!(
        got.as_ref(),
        Some(&clips[0]),
        "the decoded key is the item's"
    );

    let mut changed = clips[0].clone();
    changed.title = "renamed".into();
    table.put(&changed).await.expect("put");
    let items = scan(&table).await;
    assert_eq!(items.len(), 1, "written back onto the same item: {items:?}");
    assert_eq!(items[0]["SK"], s("CLIP#2026-05-24T09:00:00Z"));
    assert_eq!(items[0]["title"], s("renamed"));

    // A value with more precision than the format keeps is refused before
    // any request, instead of sharing a key with its truncation.
    let finer = ScriptClip {
        created_at: at(0, 5),
        ..changed
    };
    let err = table.put(&finer).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidKey {
                entity: "ScriptClip",
                field: "created_at",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(scan(&table).await.len(), 1);
}

#[tokio::test]
async fn a_key_in_another_format_is_a_decode_error_and_nothing_is_written() {
    let table = table("other-format").await;
    // The default format is nanoseconds; this key has milliseconds.
    raw_put(
        &table,
        &[
            ("PK", s("CREATOR#c1")),
            ("SK", s("CLIP#v1#2026-05-24T09:00:01.123Z")),
            ("title", s("from JavaScript")),
            ("virality", AttributeValue::N("0.5".into())),
        ],
    )
    .await;
    let before = scan(&table).await;

    let err = table.query(Clip::partition("c1")).all().await.unwrap_err();
    assert_decode(
        &err,
        "Clip",
        "created_at",
        &[
            "SK",
            "2026-05-24T09:00:01.123Z",
            "created_at",
            "nanoseconds (2026-05-24T09:00:00.000000000Z)",
        ],
    );
    // With the field present as an attribute (as serde writes it), the key
    // is still not the value's: still an error, not a silent normalization.
    let mut with_attributes = before[0].clone();
    with_attributes.insert("creator_id".into(), s("c1"));
    with_attributes.insert("video_id".into(), s("v1"));
    with_attributes.insert("created_at".into(), s("2026-05-24T09:00:01.123Z"));
    let err = table.from_item::<Clip>(with_attributes).unwrap_err();
    assert_decode(
        &err,
        "Clip",
        "created_at",
        &["SK", "2026-05-24T09:00:01.123Z"],
    );

    // The canonical key of that instant addresses nothing.
    let canonical = Clip::key("c1", "v1", at(1, 123));
    assert_eq!(table.get(canonical).await.expect("get"), None);
    assert_eq!(scan(&table).await, before, "nothing written");
}

#[tokio::test]
async fn a_key_field_disagreeing_with_its_attribute_is_a_decode_error() {
    let table = table("disagree").await;
    let clip = clip("c1", "v1", 7);
    table.put(&clip).await.expect("put");
    // Another tool rewrote the attribute but not the key.
    let mut item = raw_get(table.client(), table.name(), "CREATOR#c1", &{
        let mut sk = String::from("CLIP#v1#");
        truss_model::KeyPart::encode_key(&clip.created_at, &mut sk).expect("encodes");
        sk
    })
    .await;
    item.insert("video_id".into(), s("v2"));
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await
        .expect("raw PutItem");
    let before = scan(&table).await;

    let err = table.get(clip.to_key()).await.unwrap_err();
    assert_decode(
        &err,
        "Clip",
        "video_id",
        &["SK", "holds `v1`", "`video_id` gives `v2`", "another item"],
    );
    let err = table.query(Clip::partition("c1")).all().await.unwrap_err();
    assert_decode(&err, "Clip", "video_id", &["v2"]);
    // The partition key is checked the same way.
    let mut item = before[0].clone();
    item.insert("video_id".into(), s("v1"));
    item.insert("creator_id".into(), s("c9"));
    let err = table.from_item::<Clip>(item).unwrap_err();
    assert_decode(
        &err,
        "Clip",
        "creator_id",
        &["PK", "holds `c1`", "gives `c9`"],
    );
    assert_eq!(scan(&table).await, before, "nothing written");
}

#[tokio::test]
async fn formats_and_literal_prefixes_match_existing_keys_and_queries_stay_inside() {
    let table = table("formats").await;
    // Keys as an existing service wrote them: lower-case customer, order
    // number padded to 6, line unpadded.
    for (order, line) in [
        ("000007", "1"),
        ("000007", "2"),
        ("000007", "10"),
        ("000012", "1"),
    ] {
        raw_put(
            &table,
            &[
                ("PK", s("$shop#customer_jane.doe")),
                ("SK", s(&format!("$line_1#order_{order}#n_{line}"))),
                ("sku", s(&format!("sku-{order}-{line}"))),
            ],
        )
        .await;
    }
    // Another entity type in the same partition, sharing the `$line_`
    // beginning of the sort key, and a foreign key of the same shape.
    raw_put(
        &table,
        &[
            ("PK", s("$shop#customer_jane.doe")),
            ("SK", s("$line_2#order_000007#n_1")),
        ],
    )
    .await;

    let lines = table
        .query(OrderLine::partition("Jane.Doe"))
        .all()
        .await
        .expect("reads");
    let got: Vec<_> = lines.iter().map(|l| (l.order, l.line)).collect();
    assert_eq!(
        got,
        [(7, 1), (7, 10), (7, 2), (12, 1)],
        "key order, unpadded lines"
    );
    assert_eq!(
        lines[0].customer, "jane.doe",
        "lower-case keys read back lower-case"
    );

    // Fixing the order number ends the prefix where the line starts.
    let of_7 = table
        .query(OrderLine::partition("jane.doe"))
        .key_condition(OrderLine::sort_key().eq(7u32))
        .all()
        .await
        .expect("reads");
    assert_eq!(of_7.len(), 3);
    // Ranges on the padded order number stay inside `$line_1#order_`.
    let after_7 = table
        .query(OrderLine::partition("jane.doe"))
        .key_condition(OrderLine::sort_key().gt(7u32))
        .all()
        .await
        .expect("reads");
    assert_eq!(after_7.iter().map(|l| l.order).collect::<Vec<_>>(), [12]);
    let up_to_12 = table
        .query(OrderLine::partition("jane.doe"))
        .key_condition(OrderLine::sort_key().le(12u32))
        .all()
        .await
        .expect("reads");
    assert_eq!(up_to_12.len(), 4, "the `$line_2` item is never read");
    // An exact line by its unpadded number.
    let exact = table
        .get(OrderLine::key("JANE.DOE", 7u32, 10u32))
        .await
        .expect("get")
        .expect("found");
    assert_eq!(exact.sku, "sku-000007-10");

    // Writing a line back keeps its key; a new one gets the same format.
    table.put(&exact).await.expect("put");
    let new = OrderLine {
        customer: "Jane.Doe".into(),
        order: 12,
        line: 2,
        sku: "new".into(),
    };
    table.put(&new).await.expect("put");
    let items = scan(&table).await;
    assert_eq!(items.len(), 6, "one new item, none duplicated");
    assert!(items
        .iter()
        .any(|i| i["SK"] == s("$line_1#order_000012#n_2")
            && i["PK"] == s("$shop#customer_jane.doe")
            && i["customer"] == s("Jane.Doe")));
}

#[tokio::test]
async fn non_canonical_segments_in_declared_formats_are_refused() {
    let table = table("formats-bad").await;
    for sk in [
        "$line_1#order_7#n_1",       // order not padded to 6
        "$line_1#order_000007#n_01", // line with a leading zero
    ] {
        raw_put(
            &table,
            &[
                ("PK", s("$shop#customer_jane")),
                ("SK", s(sk)),
                ("sku", s("x")),
            ],
        )
        .await;
    }
    raw_put(
        &table,
        &[
            ("PK", s("$shop#customer_Jane")),
            ("SK", s("$line_1#order_000007#n_1")),
            ("sku", s("x")),
        ],
    )
    .await;
    let before = scan(&table).await;
    let mut fields = Vec::new();
    for item in before.clone() {
        match table.from_item::<OrderLine>(item).unwrap_err() {
            Error::Decode { field, message, .. } => fields.push((field, message)),
            other => panic!("expected Decode, got {other:?}"),
        }
    }
    fields.sort();
    let names: Vec<_> = fields
        .iter()
        .map(|(f, _)| f.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(names, ["customer", "line", "order"], "{fields:?}");
    assert!(fields[0].1.contains("lower-case"), "{}", fields[0].1);
    assert!(
        fields[1].1.contains("`01`") && fields[1].1.contains("plain decimal"),
        "{}",
        fields[1].1
    );
    assert!(
        fields[2].1.contains("`7`") && fields[2].1.contains("width"),
        "{}",
        fields[2].1
    );
    assert_eq!(scan(&table).await, before, "nothing written");
}

/// An order status, written in keys as serde writes it.
#[derive(truss_model::KeyPart, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Placed,
    #[serde(alias = "TRANSIT")]
    InTransit,
    Delivered,
}

#[derive(truss_model::KeyPart, Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
struct OrderId(String);

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "ORDER#{id}",
    sk = "META",
    index(name = "ByStatus", pk = "STATUS#{status}", sk = "ORDER#{id}")
)]
struct Order {
    id: OrderId,
    status: Status,
}

#[tokio::test]
async fn unit_enum_in_an_index_key_is_written_as_its_serde_name() {
    let table = Table::new(client().await, table_name("enum-keys"));
    table
        .definition()
        .entity::<Order>()
        .create()
        .await
        .expect("create table");
    for (id, status) in [
        ("o1", Status::Placed),
        ("o2", Status::InTransit),
        ("o3", Status::InTransit),
    ] {
        table
            .put(&Order {
                id: OrderId(id.into()),
                status,
            })
            .await
            .expect("put");
    }
    let item = raw_get(table.client(), table.name(), "ORDER#o2", "META").await;
    assert_eq!(
        item["status"],
        s("IN_TRANSIT"),
        "serde's name in the attribute"
    );
    assert_eq!(
        item["ByStatusPK"],
        s("STATUS#IN_TRANSIT"),
        "the same name in the key"
    );
    let moving = table
        .query(Order::bystatus(Status::InTransit))
        .all()
        .await
        .expect("query");
    let ids: Vec<_> = moving.iter().map(|o| o.id.0.as_str()).collect();
    assert_eq!(ids, ["o2", "o3"]);
    // serde reads an alias, but a key holds only the name serde writes:
    // one value, one key.
    use truss_model::KeyPart;
    assert_eq!(Status::decode_key("IN_TRANSIT"), Ok(Status::InTransit));
    assert!(matches!(
        Status::decode_key("TRANSIT"),
        Err(truss_model::key_part::KeyPartError::Malformed { .. })
    ));
}

/// A document under optimistic locking.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "DOC#{id}", sk = "META")]
struct Doc {
    id: String,
    body: String,
    #[truss(version)]
    version: u64,
}

#[tokio::test]
async fn failed_conditions_are_told_apart_without_the_old_item() {
    // Fault injection: DynamoDB Local returns the old item on a failed
    // condition; some DynamoDB-compatible servers never do. The injector
    // removes ReturnValuesOnConditionCheckFailure from each write, so the
    // real server answers the way such a server does.
    let injector = common::faults::NoOldItemOnFailure::default();
    let (client, _) = counted_client().await;
    let config = client
        .config()
        .to_builder()
        .interceptor(injector.clone())
        .build();
    let table = Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name("no-old-item"),
    );
    common::create(&table).await;

    // Create on an existing item: the condition alone says it exists.
    table.create(&link("l1")).await.expect("create");
    let err = table.create(&link("l1")).await.unwrap_err();
    assert!(
        matches!(err, Error::AlreadyExists { entity: "Link", .. }),
        "{err:?}"
    );
    // Replace, delete and update of a missing item: the condition alone
    // says it is missing.
    let err = table.replace(&link("l2")).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { entity: "Link", .. }),
        "{err:?}"
    );
    let err = table
        .delete(Link::key("l2"))
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = table
        .update(Link::key("l2"))
        .add(Link::CLICKS, 1)
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    // Optimistic locking: stale writes are StaleVersion, the stored
    // version unknown; creating an existing item stays AlreadyExists.
    let doc = Doc {
        id: "d".into(),
        body: "v0".into(),
        version: 0,
    };
    table.create(&doc).await.expect("create doc");
    let v1 = table
        .get(Doc::key("d"))
        .consistent()
        .await
        .expect("get")
        .expect("found");
    table
        .put(&Doc {
            body: "v1 edit".into(),
            ..v1.clone()
        })
        .await
        .expect("put v1");
    let err = table
        .put(&Doc {
            body: "lost update".into(),
            ..v1.clone()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::StaleVersion {
                entity: "Doc",
                expected: 1,
                found: None,
                ..
            }
        ),
        "{err:?}"
    );
    let err = table.put(&doc).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::StaleVersion {
                expected: 0,
                found: None,
                ..
            }
        ),
        "{err:?}"
    );
    let err = table.create(&doc).await.unwrap_err();
    assert!(
        matches!(err, Error::AlreadyExists { entity: "Doc", .. }),
        "{err:?}"
    );
    let err = table
        .update(Doc::key("d"))
        .set(Doc::BODY, "x")
        .expect_version(1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::StaleVersion {
                expected: 1,
                found: None,
                ..
            }
        ),
        "{err:?}"
    );

    // With a condition of the caller's, a missing old item leaves the
    // reason open: the condition failed, which is what is known.
    let err = table
        .create(&link("l1"))
        .condition(Link::CLICKS.gt(1_000u64))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");

    assert!(injector.stripped() >= 9, "{}", injector.stripped());
    let stored = table
        .get(Doc::key("d"))
        .consistent()
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (stored.body.as_str(), stored.version),
        ("v1 edit", 2),
        "nothing else written"
    );
    assert_eq!(scan(&table).await.len(), 2);
}

/// A format of the application's own: country codes upper-cased in keys,
/// as an existing table has them.
struct UpperCase;

impl truss_model::key_part::KeyFormat<String> for UpperCase {
    const EXPECTED: &'static str = "upper-case text";

    fn encode(value: &String, out: &mut String) -> Result<(), truss_model::key_part::KeyPartError> {
        truss_model::key_part::escape_into(&value.to_uppercase(), out)
    }

    fn decode(segment: &str) -> Result<String, truss_model::key_part::KeyPartError> {
        let text = truss_model::key_part::unescape(segment)?;
        if text.to_uppercase() != text {
            return Err(truss_model::key_part::KeyPartError::Malformed {
                segment: segment.to_owned(),
                expected: Self::EXPECTED,
            });
        }
        Ok(text)
    }
}

impl truss_model::key_part::OrderedKeyFormat<String> for UpperCase {}

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "REGION#{region}", sk = "COUNTRY#{country}")]
struct Country {
    region: String,
    #[truss(key_format = UpperCase)]
    country: String,
    name: String,
}

#[tokio::test]
async fn a_format_of_the_applications_own_matches_existing_keys() {
    let table = table("own-format").await;
    for (code, name) in [("DE", "Germany"), ("FR", "France"), ("NL", "Netherlands")] {
        raw_put(
            &table,
            &[
                ("PK", s("REGION#eu")),
                ("SK", s(&format!("COUNTRY#{code}"))),
                ("name", s(name)),
            ],
        )
        .await;
    }
    // A lower-case value finds the upper-case key; ranges work on an
    // ordered format.
    let fr = table
        .get(Country::key("eu", "fr"))
        .await
        .expect("get")
        .expect("found");
    assert_eq!((fr.country.as_str(), fr.name.as_str()), ("FR", "France"));
    let after_de = table
        .query(Country::partition("eu"))
        .key_condition(Country::sort_key().gt("de"))
        .all()
        .await
        .expect("query");
    let codes: Vec<_> = after_de.iter().map(|c| c.country.as_str()).collect();
    assert_eq!(codes, ["FR", "NL"]);
    table.put(&fr).await.expect("put back");
    assert_eq!(scan(&table).await.len(), 3, "written back in place");
    // A key this format would not write is refused.
    raw_put(
        &table,
        &[
            ("PK", s("REGION#eu")),
            ("SK", s("COUNTRY#be")),
            ("name", s("Belgium")),
        ],
    )
    .await;
    let err = table
        .query(Country::partition("eu"))
        .all()
        .await
        .unwrap_err();
    assert_decode(
        &err,
        "Country",
        "country",
        &["COUNTRY#be", "upper-case text"],
    );
}
