//! Entity revisions against DynamoDB Local: items written under last
//! year's struct read as this year's through a typed upgrade, in a get, a
//! query, a collection and a batch get; optionally written back; refused by
//! updates until upgraded; upgraded in bulk by a backfill.

use crate::common::*;
use serde::{Deserialize, Serialize};
use truss_model::migrate::Rewrite;
use truss_model::{Collection, Entity, Error, Table};

/// Last year's creator profile: one `name`, no plan. Its code wrote items
/// without a revision attribute (revision 1).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "PROFILE", name = "Creator")]
struct CreatorV1 {
    creator_id: String,
    name: String,
}

/// This year's: the name split, a plan, and a `version` for optimistic
/// locking (which the revision is not).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "PROFILE",
    name = "Creator",
    revision(2, from(1 = CreatorV1))
)]
struct Creator {
    creator_id: String,
    first_name: String,
    last_name: String,
    plan: String,
    #[truss(version)]
    version: u64,
}

impl From<CreatorV1> for Creator {
    fn from(old: CreatorV1) -> Self {
        let (first, last) = old.name.split_once(' ').unwrap_or((&old.name, ""));
        Creator {
            creator_id: old.creator_id,
            first_name: first.into(),
            last_name: last.into(),
            plan: "free".into(),
            version: 0,
        }
    }
}

/// The same model, with upgraded items written back on read.
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "CREATOR#{creator_id}",
    sk = "PROFILE",
    name = "Creator",
    revision(2, from(1 = CreatorV1), write_back)
)]
struct CreatorWrittenBack {
    creator_id: String,
    first_name: String,
    last_name: String,
    plan: String,
}

impl From<CreatorV1> for CreatorWrittenBack {
    fn from(old: CreatorV1) -> Self {
        let c = Creator::from(old);
        CreatorWrittenBack {
            creator_id: c.creator_id,
            first_name: c.first_name,
            last_name: c.last_name,
            plan: c.plan,
        }
    }
}

/// A video in the creator's partition (no revisions of its own).
#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(pk = "CREATOR#{creator_id}", sk = "VIDEO#{video_id}")]
struct Video {
    creator_id: String,
    video_id: String,
    title: String,
}

#[derive(Collection, Debug, PartialEq)]
enum CreatorItems {
    Creator(Creator),
    Video(Video),
}

fn v1(id: &str) -> CreatorV1 {
    CreatorV1 {
        creator_id: id.into(),
        name: format!("Ada {id}"),
    }
}

fn upgraded(id: &str) -> Creator {
    Creator {
        creator_id: id.into(),
        first_name: "Ada".into(),
        last_name: id.into(),
        plan: "free".into(),
        version: 0,
    }
}

/// A table holding three creators written by last year's code, and a video.
async fn old_table(test: &str) -> (Table, truss_model::RequestCounter) {
    let (table, counter) = counted_table(test).await;
    for id in ["c1", "c2", "c3"] {
        table.put(&v1(id)).await.unwrap();
    }
    let video = Video {
        creator_id: "c1".into(),
        video_id: "v1".into(),
        title: "First".into(),
    };
    table.put(&video).await.unwrap();
    counter.take();
    (table, counter)
}

#[tokio::test]
async fn a_revision_1_item_reads_as_revision_2_in_get_query_collection_and_batch() {
    let (table, counter) = old_table("rev-reads").await;
    let before = scan(&table).await;
    assert!(
        before.iter().all(|i| !i.contains_key("_revision")),
        "last year's code wrote no revision"
    );

    let got = table.get(Creator::key("c1")).await.unwrap();
    assert_eq!(got, Some(upgraded("c1")), "get");

    let queried = table.query(Creator::partition("c2")).all().await.unwrap();
    assert_eq!(queried, [upgraded("c2")], "query");

    let collection = table
        .query(Creator::partition("c1").collection::<CreatorItems>())
        .all()
        .await
        .unwrap();
    assert_eq!(
        collection,
        [
            CreatorItems::Creator(upgraded("c1")),
            CreatorItems::Video(Video {
                creator_id: "c1".into(),
                video_id: "v1".into(),
                title: "First".into(),
            }),
        ],
        "collection"
    );

    let batch = table
        .batch_get([Creator::key("c1"), Creator::key("c3")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        batch,
        [Some(upgraded("c1")), Some(upgraded("c3"))],
        "batch get"
    );

    // Reads only: without write_back nothing was written.
    assert_eq!(counter.count("PutItem"), 0);
    assert_eq!(sorted(scan(&table).await), sorted(before));

    // A put writes the current revision; the item then reads directly.
    let mut c1 = upgraded("c1");
    c1.plan = "pro".into();
    table.put(&c1).await.unwrap();
    let raw = raw_get(table.client(), table.name(), "CREATOR#c1", "PROFILE").await;
    assert_eq!(raw.get("_revision"), Some(&n("2")));
    assert_eq!(raw.get("version"), Some(&n("1")), "the version is its own");
    assert!(!raw.contains_key("name"), "the old shape is gone");
    c1.version = 1;
    assert_eq!(table.get(Creator::key("c1")).await.unwrap(), Some(c1));
}

#[tokio::test]
async fn write_back_stores_upgraded_items_once() {
    let (table, counter) = old_table("rev-write-back").await;
    let expected = |id: &str| {
        let c = upgraded(id);
        CreatorWrittenBack {
            creator_id: c.creator_id,
            first_name: c.first_name,
            last_name: c.last_name,
            plan: c.plan,
        }
    };

    let got = table.get(CreatorWrittenBack::key("c1")).await.unwrap();
    assert_eq!(got, Some(expected("c1")));
    assert_eq!(counter.take().get("PutItem"), Some(&1), "one write-back");
    let raw = raw_get(table.client(), table.name(), "CREATOR#c1", "PROFILE").await;
    assert_eq!(raw.get("_revision"), Some(&n("2")));
    assert_eq!(raw.get("first_name"), Some(&s("Ada")));
    assert!(!raw.contains_key("name"));

    // Read again: at the current revision, nothing more to write.
    let again = table.get(CreatorWrittenBack::key("c1")).await.unwrap();
    assert_eq!(again, Some(expected("c1")));
    assert_eq!(counter.take().get("PutItem"), None);

    // A query page writes back each older item it read, and only those.
    let page = table
        .query(CreatorWrittenBack::partition("c2"))
        .all()
        .await
        .unwrap();
    assert_eq!(page, [expected("c2")]);
    let counts = counter.take();
    assert_eq!(counts.get("Query"), Some(&1));
    assert_eq!(counts.get("PutItem"), Some(&1));
    let batch = table
        .batch_get([
            CreatorWrittenBack::key("c1"),
            CreatorWrittenBack::key("c2"),
            CreatorWrittenBack::key("c3"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(counter.take().get("PutItem"), Some(&1), "only c3 was old");
    assert!(scan(&table)
        .await
        .iter()
        .filter(|i| i.get("SK") == Some(&s("PROFILE")))
        .all(|i| i.get("_revision") == Some(&n("2"))));
}

#[tokio::test]
async fn an_update_of_an_older_item_is_refused_and_changes_nothing() {
    let (table, _) = old_table("rev-update").await;
    let before = raw_get(table.client(), table.name(), "CREATOR#c1", "PROFILE").await;
    let err = table
        .update(Creator::key("c1"))
        .set(Creator::PLAN, "pro".to_owned())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::OldRevision {
                found: 1,
                current: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_condition_failed());
    assert!(err.to_string().contains("is at revision 1"), "{err}");
    let after = raw_get(table.client(), table.name(), "CREATOR#c1", "PROFILE").await;
    assert_eq!(after, before, "nothing written");

    // Upgraded (read, then put), the item takes updates.
    let c1 = table.get(Creator::key("c1")).await.unwrap().unwrap();
    table.put(&c1).await.unwrap();
    table
        .update(Creator::key("c1"))
        .set(Creator::PLAN, "pro".to_owned())
        .send()
        .await
        .unwrap();
    let c1 = table.get(Creator::key("c1")).await.unwrap().unwrap();
    assert_eq!((c1.plan.as_str(), c1.version), ("pro", 2));

    // An update that creates its item writes the current revision.
    table
        .update(Creator::key("c9"))
        .set(Creator::FIRST_NAME, "Grace".to_owned())
        .set(Creator::LAST_NAME, "H".to_owned())
        .set(Creator::PLAN, "free".to_owned())
        .send()
        .await
        .unwrap();
    let raw = raw_get(table.client(), table.name(), "CREATOR#c9", "PROFILE").await;
    assert_eq!(raw.get("_revision"), Some(&n("2")));
}

#[tokio::test]
async fn newer_unknown_and_malformed_revisions_are_decode_errors() {
    let (table, _) = old_table("rev-errors").await;
    for (id, revision) in [("c1", n("3")), ("c2", n("0")), ("c3", s("2"))] {
        table
            .client()
            .update_item()
            .table_name(table.name())
            .key("PK", s(&format!("CREATOR#{id}")))
            .key("SK", s("PROFILE"))
            .update_expression("SET #r = :r")
            .expression_attribute_names("#r", "_revision")
            .expression_attribute_values(":r", revision)
            .send()
            .await
            .unwrap();
    }
    let before = scan(&table).await;
    for (id, says) in [
        ("c1", "newer than this model's revision 2"),
        ("c2", "not a revision"),
        ("c3", "not a number"),
    ] {
        let err = table.get(Creator::key(id)).await.unwrap_err();
        assert_decode(&err, "Creator", "_revision", &[says]);
    }

    /// A model that no longer reads revision 1.
    #[derive(Entity, Serialize, Deserialize, Debug)]
    #[truss(
        pk = "CREATOR#{creator_id}",
        sk = "PROFILE",
        name = "Creator",
        revision(3, from(2 = Creator))
    )]
    struct CreatorV3 {
        creator_id: String,
        display_name: String,
    }
    impl From<Creator> for CreatorV3 {
        fn from(c: Creator) -> Self {
            CreatorV3 {
                creator_id: c.creator_id,
                display_name: format!("{} {}", c.first_name, c.last_name),
            }
        }
    }
    table.put(&v1("c4")).await.unwrap();
    let err = table.get(CreatorV3::key("c4")).await.unwrap_err();
    assert_decode(
        &err,
        "Creator",
        "_revision",
        &["revision 1", "from(1 = OldType)"],
    );
    // An old item that does not decode as its declared type names the
    // revision it was read at.
    table
        .client()
        .update_item()
        .table_name(table.name())
        .key("PK", s("CREATOR#c4"))
        .key("SK", s("PROFILE"))
        .update_expression("REMOVE #n")
        .expression_attribute_names("#n", "name")
        .send()
        .await
        .unwrap();
    let err = table.get(Creator::key("c4")).await.unwrap_err();
    assert!(err.to_string().contains("read at revision 1"), "{err}");
    let mut after = scan(&table).await;
    after.retain(|i| i.get("PK") != Some(&s("CREATOR#c4")));
    assert_eq!(sorted(after), sorted(before), "reads wrote nothing");
}

#[tokio::test]
async fn a_backfill_upgrades_every_older_item() {
    let (table, _) = old_table("rev-backfill").await;
    for i in 0..200 {
        table.put(&v1(&format!("b{i:03}"))).await.unwrap();
    }
    let progress = table
        .scan::<Creator>()
        .segments(4)
        .run(Rewrite::Put)
        .await
        .unwrap();
    assert_eq!((progress.matched, progress.put), (203, 203), "{progress:?}");
    let items = scan(&table).await;
    let profiles: Vec<_> = items
        .iter()
        .filter(|i| i.get("SK") == Some(&s("PROFILE")))
        .collect();
    assert_eq!(profiles.len(), 203);
    assert!(profiles.iter().all(|i| i.get("_revision") == Some(&n("2"))
        && i.get("plan") == Some(&s("free"))
        && !i.contains_key("name")));
    // Run again: every item is current, each written once more at most.
    let again = table
        .scan::<Creator>()
        .run(|_| Rewrite::Keep)
        .await
        .unwrap();
    assert_eq!((again.matched, again.put), (203, 0));
}

fn sorted(
    mut items: Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>>,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    items.sort_by_key(|i| format!("{:?}{:?}", i.get("PK"), i.get("SK")));
    items
}

/// Sends every PutItem to a table that does not exist, so DynamoDB Local
/// refuses it for real (ResourceNotFoundException): the stand-in for a
/// read-only IAM role, which DynamoDB Local does not enforce.
#[derive(Debug)]
struct PutsRefused;

impl aws_smithy_runtime_api::client::interceptors::Intercept for PutsRefused {
    fn name(&self) -> &'static str {
        "PutsRefused"
    }

    fn modify_before_serialization(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextMut<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(put) = context
            .input_mut()
            .downcast_mut::<aws_sdk_dynamodb::operation::put_item::PutItemInput>()
        {
            put.table_name = Some("no-such-table-write-back".into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_read_returns_its_upgraded_value_when_the_write_back_fails() {
    let (table, _) = old_table("rev-write-back-refused").await;
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
        .interceptor(PutsRefused)
        .build();
    let refused = Table::new(aws_sdk_dynamodb::Client::from_conf(config), table.name());
    let got = refused.get(CreatorWrittenBack::key("c1")).await.unwrap();
    assert_eq!(got.map(|c| c.first_name), Some("Ada".to_owned()));
    assert_eq!(refused.failed_write_backs(), 1);
    // A query page, the same: values returned, failures counted.
    let page = refused
        .query(CreatorWrittenBack::partition("c2"))
        .all()
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(refused.failed_write_backs(), 2);
    // Nothing was written: the items are still at revision 1.
    let raw = raw_get(table.client(), table.name(), "CREATOR#c1", "PROFILE").await;
    assert_eq!(raw.get("_revision"), None);
    assert_eq!(table.failed_write_backs(), 0, "another handle's count");
}

/// Inside a transaction, an update of an item at an older revision fails
/// like any condition (DynamoDB says ConditionalCheckFailed), and the
/// reason says it was the revision, as a single update's OldRevision does.
#[tokio::test]
async fn a_transaction_names_an_older_revision_among_its_reasons() {
    let (table, _) = old_table("rev-transaction").await;
    let before = scan(&table).await;
    let err = table
        .transaction()
        .update(
            table
                .update(Creator::key("c1"))
                .set(Creator::PLAN, "pro".to_owned()),
        )
        .update(
            table
                .update(Video::key("c1", "v1"))
                .set(Video::TITLE, "Renamed".to_owned()),
        )
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!((reasons[0].index, reasons[0].entity), (0, "Creator"));
    assert_eq!(reasons[0].old_revision, Some((1, 2)));
    assert!(err.is_condition_failed());
    assert!(
        err.to_string().contains("at revision 1, the model at 2"),
        "{err}"
    );
    assert_eq!(scan(&table).await, before, "nothing written");
    // A condition of the caller's that fails is not taken for a revision.
    let c2 = table.get(Creator::key("c2")).await.unwrap().unwrap();
    table.put(&c2).await.unwrap();
    let err = table
        .transaction()
        .update(
            table
                .update(Creator::key("c2"))
                .set(Creator::PLAN, "pro".to_owned())
                .condition(Creator::PLAN.eq("enterprise".to_owned())),
        )
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("expected TransactionCanceled, got {err:?}");
    };
    assert_eq!(reasons[0].old_revision, None);
}
