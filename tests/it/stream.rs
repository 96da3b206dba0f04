//! Typed stream changes against DynamoDB Local with streams enabled:
//! puts, updates and deletes of several entity types read back through the
//! Streams API as typed changes, in order, with the right images and keys
//! (NEW_AND_OLD_IMAGES and KEYS_ONLY); Lambda's JSON event decoding to the
//! same change; TTL deletions flagged.

use crate::common::*;
use crate::shortener::{DailyStat, Link, LinkItem, LinkItemKey, Shortener};
use aws_sdk_dynamodb::types::StreamViewType;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use truss_model::stream::{ChangeKind, StartAt, StreamChange, StreamReader, StreamRecord};
use truss_model::{Entity, Error, Table};

/// An entity of another partition in the same table.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "OWNER#{owner_id}", sk = "PROFILE")]
#[serde(rename_all = "camelCase")]
struct Owner {
    owner_id: String,
    name: String,
}

/// The link's items, and anything else as raw items.
#[derive(truss_model::Collection, Debug, Clone, PartialEq)]
enum AnyItem {
    Link(Link),
    Stat(DailyStat),
    #[truss(other)]
    Other(truss_model::Item),
}

async fn stream_table(test: &str, view: StreamViewType) -> Table {
    let table = Table::new(client().await, table_name(test));
    table
        .definition()
        .entity::<Link>()
        .entity::<DailyStat>()
        .entity::<Owner>()
        .stream(view)
        .create()
        .await
        .expect("create a table with a stream");
    table
}

/// Polls until `n` records have come, or fails after 30 s.
async fn read(reader: &mut StreamReader, n: usize) -> Vec<StreamRecord> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut records = Vec::new();
    while records.len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} stream records after 30 s: {records:#?}",
            records.len()
        );
        records.extend(reader.poll().await.expect("poll the stream"));
        if records.len() < n {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(records.len(), n, "more records than written: {records:#?}");
    records
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 24).expect("date")
}

fn link(code: &str) -> Link {
    Link {
        code: code.into(),
        target: "https://example.com/a".into(),
        owner_id: Some("user-001".into()),
        created_at: Utc
            .with_ymd_and_hms(2026, 5, 24, 9, 0, 0)
            .single()
            .expect("time"),
        clicks: 0,
    }
}

fn stat(code: &str, count: u64) -> DailyStat {
    DailyStat {
        code: code.into(),
        date: day(),
        count,
    }
}

#[tokio::test]
async fn puts_updates_and_deletes_of_several_types_come_back_as_typed_changes_in_order() {
    let table = stream_table("stream-images", StreamViewType::NewAndOldImages).await;
    let mut reader = table
        .stream_reader(streams_client().await, StartAt::Oldest)
        .await
        .expect("open the stream");
    let app = Shortener::new(table.clone());
    table
        .create(&link("aK9xQ2z"))
        .await
        .expect("create the link");
    app.click("aK9xQ2z", day()).await.expect("first click");
    app.click("aK9xQ2z", day()).await.expect("second click");
    let owner = Owner {
        owner_id: "user-001".into(),
        name: "Ada".into(),
    };
    table.put(&owner).await.expect("put the owner");
    table
        .delete(DailyStat::key("aK9xQ2z", day()))
        .await
        .expect("delete the stat");

    let records = read(&mut reader, 7).await;
    // The owner is not a link item: `change_matching` says so, `change` is a
    // typed error, and the owner's own type decodes it.
    let owner_record = records[5].clone();
    assert!(table
        .change_matching::<LinkItem>(owner_record.clone())
        .expect("keys checked")
        .is_none());
    match table.change::<LinkItem>(owner_record.clone()) {
        Err(Error::Decode {
            entity, message, ..
        }) => {
            assert_eq!(entity, "LinkItem");
            assert!(message.contains("match no type"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    // A collection with an `other` variant takes it there, keys and all.
    let other: StreamChange<AnyItem> = table.change(owner_record.clone()).expect("other");
    assert_eq!(other.key, AnyItemKey::Other(owner_record.keys.clone()));
    assert!(
        matches!(other.new, Some(AnyItem::Other(ref item)) if item.get("name") == Some(&s("Ada")))
    );
    let owner_change: StreamChange<Owner> = table.change(owner_record).expect("an owner");
    assert_eq!(owner_change.kind, ChangeKind::Insert);
    assert_eq!(owner_change.key, Owner::key("user-001"));
    assert_eq!(owner_change.new, Some(owner.clone()));
    assert_eq!(owner_change.old, None);

    let changes: Vec<StreamChange<LinkItem>> = records
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(_, r)| table.change(r).expect("a link item"))
        .collect();
    let clicked = |n| Link {
        clicks: n,
        ..link("aK9xQ2z")
    };
    let summary: Vec<_> = changes
        .iter()
        .map(|c| (c.kind, c.key.clone(), c.old.clone(), c.new.clone()))
        .collect();
    let link_key = LinkItemKey::Link(Link::key("aK9xQ2z"));
    let stat_key = LinkItemKey::Stat(DailyStat::key("aK9xQ2z", day()));
    assert_eq!(
        summary,
        vec![
            (
                ChangeKind::Insert,
                link_key.clone(),
                None,
                Some(LinkItem::Link(clicked(0)))
            ),
            (
                ChangeKind::Modify,
                link_key.clone(),
                Some(LinkItem::Link(clicked(0))),
                Some(LinkItem::Link(clicked(1)))
            ),
            (
                ChangeKind::Insert,
                stat_key.clone(),
                None,
                Some(LinkItem::Stat(stat("aK9xQ2z", 1)))
            ),
            (
                ChangeKind::Modify,
                link_key.clone(),
                Some(LinkItem::Link(clicked(1))),
                Some(LinkItem::Link(clicked(2)))
            ),
            (
                ChangeKind::Modify,
                stat_key.clone(),
                Some(LinkItem::Stat(stat("aK9xQ2z", 1))),
                Some(LinkItem::Stat(stat("aK9xQ2z", 2)))
            ),
            (
                ChangeKind::Remove,
                stat_key,
                Some(LinkItem::Stat(stat("aK9xQ2z", 2))),
                None
            ),
        ]
    );
    for change in &changes {
        assert!(!change.expired, "no TTL deletion here");
        assert!(change.sequence_number.is_some());
        assert!(change.event_id.is_some());
    }
    // Nothing more arrives: each change was read once.
    assert!(reader.poll().await.expect("poll").is_empty());
}

#[tokio::test]
async fn keys_only_streams_give_the_typed_keys_and_no_images() {
    let table = stream_table("stream-keys", StreamViewType::KeysOnly).await;
    let mut reader = table
        .stream_reader(streams_client().await, StartAt::Oldest)
        .await
        .expect("open the stream");
    table.create(&link("Zk3")).await.expect("create the link");
    table.put(&stat("Zk3", 4)).await.expect("put a stat");
    table
        .update(Link::key("Zk3"))
        .add(Link::CLICKS, 1)
        .await
        .expect("count a click");
    table.delete(Link::key("Zk3")).await.expect("delete");

    let records = read(&mut reader, 4).await;
    let changes: Vec<StreamChange<LinkItem>> = records
        .into_iter()
        .map(|r| table.change(r).expect("a link item"))
        .collect();
    let summary: Vec<_> = changes.iter().map(|c| (c.kind, c.key.clone())).collect();
    let link_key = LinkItemKey::Link(Link::key("Zk3"));
    assert_eq!(
        summary,
        vec![
            (ChangeKind::Insert, link_key.clone()),
            (
                ChangeKind::Insert,
                LinkItemKey::Stat(DailyStat::key("Zk3", day()))
            ),
            (ChangeKind::Modify, link_key.clone()),
            (ChangeKind::Remove, link_key),
        ]
    );
    assert!(changes.iter().all(|c| c.old.is_none() && c.new.is_none()));
    // The entity's own key type, from an entity-typed read of the same kind
    // of record.
    table.put(&stat("Zk3", 5)).await.expect("put again");
    let record = read(&mut reader, 1).await.remove(0);
    let change: StreamChange<DailyStat> = table.change(record).expect("a stat");
    assert_eq!(change.key.date, day());
    assert_eq!(change.key.code, "Zk3");
}

#[tokio::test]
async fn a_reader_opened_at_latest_sees_only_later_records() {
    let table = stream_table("stream-latest", StreamViewType::NewImage).await;
    table.create(&link("before")).await.expect("before");
    let mut reader = table
        .stream_reader(streams_client().await, StartAt::Latest)
        .await
        .expect("open the stream");
    table.create(&link("after")).await.expect("after");
    let records = read(&mut reader, 1).await;
    let change: StreamChange<Link> = table.change(records[0].clone()).expect("a link");
    assert_eq!(change.key, Link::key("after"));
    assert_eq!(change.new.map(|l| l.code), Some("after".to_owned()));
    assert!(change.old.is_none(), "NEW_IMAGE has no old image");
    assert!(
        reader.requests() >= 4,
        "DescribeTable, DescribeStream, iterator, records"
    );
}

#[tokio::test]
async fn a_table_without_a_stream_is_a_typed_error() {
    let table = table("stream-none").await;
    match table
        .stream_reader(streams_client().await, StartAt::Oldest)
        .await
    {
        Err(Error::Stream { operation, message }) => {
            assert_eq!(operation, "DescribeTable");
            assert!(message.contains("no stream"), "{message}");
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
}

/// The record Lambda delivers for the put below, exactly as its JSON event
/// carries it (DynamoDB JSON images, the creation time in epoch seconds).
const LAMBDA_INSERT: &str = r#"{
  "Records": [
    {
      "eventID": "c4ca4238a0b923820dcc509a6f75849b",
      "eventName": "INSERT",
      "eventVersion": "1.1",
      "eventSource": "aws:dynamodb",
      "awsRegion": "us-east-1",
      "dynamodb": {
        "ApproximateCreationDateTime": 1779613200,
        "Keys": {
          "PK": {"S": "LINK#aK9xQ2z"},
          "SK": {"S": "META"}
        },
        "NewImage": {
          "PK": {"S": "LINK#aK9xQ2z"},
          "SK": {"S": "META"},
          "GSI1PK": {"S": "OWNER#user-001"},
          "GSI1SK": {"S": "LINK#2026-05-24T09:00:00.000000000Z"},
          "code": {"S": "aK9xQ2z"},
          "target": {"S": "https://example.com/a"},
          "ownerId": {"S": "user-001"},
          "createdAt": {"S": "2026-05-24T09:00:00Z"},
          "clicks": {"N": "0"}
        },
        "SequenceNumber": "4421584500000000017450439091",
        "SizeBytes": 219,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
      },
      "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/url-shortener/stream/2026-05-24T00:00:00.000"
    }
  ]
}"#;

/// A TTL deletion as Lambda delivers it: a REMOVE whose user identity is
/// the DynamoDB service.
const LAMBDA_TTL_REMOVE: &str = r#"{
  "Records": [
    {
      "eventID": "a87ff679a2f3e71d9181a67b7542122c",
      "eventName": "REMOVE",
      "eventVersion": "1.1",
      "eventSource": "aws:dynamodb",
      "awsRegion": "us-east-1",
      "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
      "dynamodb": {
        "ApproximateCreationDateTime": 1779616800,
        "Keys": {"PK": {"S": "LINK#aK9xQ2z"}, "SK": {"S": "META"}},
        "OldImage": {
          "PK": {"S": "LINK#aK9xQ2z"},
          "SK": {"S": "META"},
          "code": {"S": "aK9xQ2z"},
          "target": {"S": "https://example.com/a"},
          "ownerId": {"S": "user-001"},
          "createdAt": {"S": "2026-05-24T09:00:00Z"},
          "clicks": {"N": "0"},
          "GSI1PK": {"S": "OWNER#user-001"},
          "GSI1SK": {"S": "LINK#2026-05-24T09:00:00.000000000Z"}
        },
        "SequenceNumber": "4421584500000000017450439092",
        "SizeBytes": 180,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
      },
      "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/url-shortener/stream/2026-05-24T00:00:00.000"
    },
    {
      "eventID": "e4da3b7fbbce2345d7772b0674a318d5",
      "eventName": "REMOVE",
      "eventVersion": "1.1",
      "eventSource": "aws:dynamodb",
      "awsRegion": "us-east-1",
      "dynamodb": {
        "Keys": {"PK": {"S": "LINK#aK9xQ2z"}, "SK": {"S": "META"}},
        "SequenceNumber": "4421584500000000017450439093",
        "SizeBytes": 40,
        "StreamViewType": "KEYS_ONLY"
      },
      "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/url-shortener/stream/2026-05-24T00:00:00.000"
    }
  ]
}"#;

#[tokio::test]
async fn a_lambda_event_record_decodes_to_the_same_change_as_the_streams_api_gives() {
    let table = stream_table("stream-lambda", StreamViewType::NewAndOldImages).await;
    let mut reader = table
        .stream_reader(streams_client().await, StartAt::Oldest)
        .await
        .expect("open the stream");
    table
        .create(&link("aK9xQ2z"))
        .await
        .expect("create the link");
    let from_api: StreamChange<LinkItem> = table
        .change(read(&mut reader, 1).await.remove(0))
        .expect("decode the API record");

    let event: aws_lambda_events::event::dynamodb::Event =
        serde_json::from_str(LAMBDA_INSERT).expect("Lambda's event JSON");
    let from_lambda: StreamChange<LinkItem> = table
        .change(&event.records[0])
        .expect("decode the Lambda record");
    assert_eq!(
        (
            from_lambda.kind,
            &from_lambda.key,
            &from_lambda.old,
            &from_lambda.new
        ),
        (from_api.kind, &from_api.key, &from_api.old, &from_api.new)
    );
    assert_eq!(
        from_lambda.sequence_number.as_deref(),
        Some("4421584500000000017450439091")
    );
    assert_eq!(
        from_lambda.approximate_creation,
        Some(std::time::UNIX_EPOCH + Duration::from_secs(1_779_613_200))
    );
    assert!(!from_lambda.expired);
}

#[test]
fn a_ttl_deletion_is_flagged_and_a_user_deletion_is_not() {
    // DynamoDB Local does not run TTL deletions while a test waits (the
    // service deletes within days), so the record is the documented shape,
    // from JSON as Lambda delivers it and built with the Streams SDK's types.
    let table = offline_table("url-shortener");
    let event: aws_lambda_events::event::dynamodb::Event =
        serde_json::from_str(LAMBDA_TTL_REMOVE).expect("Lambda's event JSON");
    let by_ttl: StreamChange<Link> = table.change(&event.records[0]).expect("decode");
    assert_eq!(by_ttl.kind, ChangeKind::Remove);
    assert!(by_ttl.expired);
    assert_eq!(by_ttl.old.map(|l| l.code), Some("aK9xQ2z".to_owned()));
    let by_user: StreamChange<Link> = table.change(&event.records[1]).expect("decode");
    assert!(!by_user.expired);
    assert_eq!(by_user.key, Link::key("aK9xQ2z"));
    assert!(by_user.old.is_none() && by_user.approximate_creation.is_none());

    use aws_sdk_dynamodbstreams::types::{
        AttributeValue as V, Identity, OperationType, Record, StreamRecord as ApiRecord,
    };
    let api = |identity: Option<Identity>| {
        Record::builder()
            .event_name(OperationType::Remove)
            .set_user_identity(identity)
            .dynamodb(
                ApiRecord::builder()
                    .keys("PK", V::S("LINK#aK9xQ2z".into()))
                    .keys("SK", V::S("META".into()))
                    .sequence_number("1")
                    .build(),
            )
            .build()
    };
    let service = Identity::builder()
        .r#type("Service")
        .principal_id("dynamodb.amazonaws.com")
        .build();
    let change: StreamChange<Link> = table.change(api(Some(service))).expect("decode");
    assert!(change.expired);
    let change: StreamChange<Link> = table.change(api(None)).expect("decode");
    assert!(!change.expired);
}

#[test]
fn a_record_whose_key_does_not_parse_is_a_typed_error() {
    let table = offline_table("url-shortener");
    // A stat key whose date segment is not a date.
    let mut record = StreamRecord {
        kind: Some(ChangeKind::Insert),
        ..StreamRecord::default()
    };
    record.keys.insert("PK".into(), s("LINK#aK9xQ2z"));
    record.keys.insert("SK".into(), s("STAT#yesterday"));
    match table.change::<LinkItem>(record) {
        Err(Error::Decode { entity, field, .. }) => {
            assert_eq!(entity, "DailyStat");
            assert_eq!(field.as_deref(), Some("date"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn lambdas_partial_batch_response_names_the_first_failed_record() {
    let event: aws_lambda_events::event::dynamodb::Event =
        serde_json::from_str(LAMBDA_TTL_REMOVE).expect("Lambda's event JSON");
    let mut seen = Vec::new();
    let response = truss_model::stream::lambda::process_in_order(&event, |record| {
        seen.push(record.event_id.clone());
        async move {
            if record.event_id.starts_with('a') {
                Err("the first record fails")
            } else {
                Ok(())
            }
        }
    })
    .await;
    // Processing stopped at the failure; Lambda redelivers from there.
    assert_eq!(seen, vec!["a87ff679a2f3e71d9181a67b7542122c".to_owned()]);
    let failures: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(
        failures,
        vec![Some("4421584500000000017450439092".to_owned())]
    );
    let json = serde_json::to_value(&response).expect("serialize");
    assert_eq!(
        json,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": "4421584500000000017450439092"}]})
    );
    let all_ok =
        truss_model::stream::lambda::process_in_order(&event, |_| async { Ok::<(), ()>(()) }).await;
    assert!(all_ok.batch_item_failures.is_empty());
}

#[test]
fn a_record_whose_event_neither_name_nor_images_tell_is_a_typed_error() {
    let table = offline_table("url-shortener");
    let mut record = StreamRecord::default(); // no known event name, keys only
    record.keys.insert("PK".into(), s("LINK#aK9xQ2z"));
    record.keys.insert("SK".into(), s("META"));
    match table.change::<Link>(record) {
        Err(Error::Decode { message, .. }) => assert!(message.contains("event name"), "{message}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(
        ChangeKind::from_images(true, false),
        Some(ChangeKind::Remove)
    );
    assert_eq!(
        ChangeKind::from_images(false, true),
        Some(ChangeKind::Insert)
    );
    assert_eq!(
        ChangeKind::from_images(true, true),
        Some(ChangeKind::Modify)
    );
}
