//! The test double (`truss_model::testing`, feature `testing`) on the URL
//! shortener's own code paths, with no database: this binary runs without
//! DynamoDB Local. What DynamoDB decides (conditions, updates, queries) is
//! tested against DynamoDB Local in `tests/it`; these tests check what the
//! code sends and what it does with each answer.

#[path = "../examples/url_shortener/model.rs"]
mod shortener;

use chrono::{NaiveDate, TimeZone, Utc};
use shortener::{DailyStat, Link, LinkItem, Shortener};
use truss_model::aws_sdk_dynamodb::types::AttributeValue;
use truss_model::testing::{Fault, Op, TableDouble};
use truss_model::transaction::CancellationCode;
use truss_model::{Error, Item};

fn link(code: &str, owner: Option<&str>, minute: u32) -> Link {
    Link {
        code: code.into(),
        target: format!("https://example.com/{code}"),
        owner_id: owner.map(str::to_owned),
        created_at: Utc
            .with_ymd_and_hms(2026, 5, 24, 10, minute, 0)
            .single()
            .expect("a valid time"),
        clicks: 0,
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 24).expect("a valid date")
}

#[tokio::test]
async fn create_tries_the_next_code_when_one_is_taken_and_never_overwrites() {
    let double = TableDouble::new("links");
    // The first code is taken: DynamoDB fails the condition once.
    double
        .on(Op::PutItem)
        .once()
        .fails(Fault::ConditionFailed)
        .expect("rule");
    let app = Shortener::new(double.table());
    let mut codes = ["taken01", "fresh01"].into_iter().map(str::to_owned);
    let now = Utc::now();
    let created = app
        .create("https://example.com", Some("u1"), now, || {
            codes.next().unwrap_or_default()
        })
        .await
        .expect("created under the second code");
    assert_eq!(created.code, "fresh01");

    let puts = double.sent(Op::PutItem);
    assert_eq!(puts.len(), 2, "{puts:?}");
    for (put, code) in puts.iter().zip(["taken01", "fresh01"]) {
        assert_eq!(put.entity.as_deref(), Some("Link"));
        assert_eq!(put.table, "links");
        assert_eq!(put.key_text(), Some(format!("PK=LINK#{code}, SK=META")));
        // Never overwrites: every put is conditional on a new key.
        assert_eq!(put.condition.as_deref(), Some("attribute_not_exists(PK)"));
    }
    // The item written decodes as the link returned, index keys included.
    let written = puts[1].item.as_ref().expect("an item");
    assert_eq!(double.decode::<Link>(written).expect("decodes"), created);
    assert_eq!(
        written.get("GSI1PK"),
        Some(&AttributeValue::S("OWNER#u1".into()))
    );
    assert_eq!(double.requests().len(), 2, "nothing else was sent");
}

#[tokio::test]
async fn a_click_on_a_missing_link_writes_nothing_else() {
    let double = TableDouble::new("links");
    double
        .on(Op::UpdateItem)
        .key(Link::key("gone001"))
        .fails(Fault::ConditionFailed)
        .expect("rule");
    let app = Shortener::new(double.table());

    let err = app.click("gone001", day()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let update = double.only(Op::UpdateItem).expect("one request");
    assert_eq!(update.entity.as_deref(), Some("Link"));
    assert_eq!(
        update.key_text().as_deref(),
        Some("PK=LINK#gone001, SK=META")
    );
    assert_eq!(update.condition.as_deref(), Some("attribute_exists(PK)"));
    // The key fields are written too, so an update that creates an item
    // creates a whole one.
    assert_eq!(
        update.update.as_deref(),
        Some("SET code = if_not_exists(code, \"gone001\") ADD clicks 1")
    );

    // A link that exists: both counters, in order.
    double.take();
    app.click("live001", day()).await.expect("click");
    let updates = double.sent(Op::UpdateItem);
    let keys: Vec<_> = updates.iter().map(|u| u.key_text()).collect();
    assert_eq!(
        keys,
        [
            Some("PK=LINK#live001, SK=META".to_owned()),
            Some("PK=LINK#live001, SK=STAT#2026-05-24".to_owned())
        ]
    );
    assert_eq!(updates[1].entity.as_deref(), Some("DailyStat"));
    // `count` is a reserved word: sent as a placeholder, read back as the name.
    assert_eq!(
        updates[1].update.as_deref(),
        Some(
            "SET code = if_not_exists(code, \"live001\"), \
             date = if_not_exists(date, \"2026-05-24\") ADD count 1"
        )
    );
}

#[tokio::test]
async fn follow_returns_the_link_the_update_returned() {
    let double = TableDouble::new("links");
    let mut clicked = link("aK9xQ2z", None, 0);
    clicked.clicks = 8;
    double
        .on(Op::UpdateItem)
        .key(Link::key("aK9xQ2z"))
        .returns(&clicked)
        .expect("rule");
    let app = Shortener::new(double.table());
    assert_eq!(
        app.follow("aK9xQ2z", day()).await.expect("follow"),
        Some(clicked)
    );
    let first = &double.sent(Op::UpdateItem)[0];
    let input = first
        .input::<truss_model::aws_sdk_dynamodb::operation::update_item::UpdateItemInput>()
        .expect("the SDK's input");
    assert_eq!(
        input.return_values,
        Some(truss_model::aws_sdk_dynamodb::types::ReturnValue::AllNew)
    );
}

#[tokio::test]
async fn listing_pages_through_the_answer_with_the_cursor() {
    let double = TableDouble::new("links");
    let links: Vec<Link> = (0..25)
        .map(|i| link(&format!("code{i:03}"), Some("u1"), 59 - i))
        .collect();
    double
        .on(Op::Query)
        .entity::<Link>()
        .returns_all(&links)
        .expect("rule");
    let app = Shortener::new(double.table());

    let first = app.list_by_owner("u1", None).await.expect("page 1");
    assert_eq!(first.items, links[..20]);
    let cursor = first.cursor.expect("more follow");
    let second = app.list_by_owner("u1", Some(cursor)).await.expect("page 2");
    assert_eq!(second.items, links[20..]);
    assert!(second.cursor.is_none());

    let queries = double.sent(Op::Query);
    assert_eq!(queries.len(), 2);
    let q = &queries[0];
    assert_eq!(q.index.as_deref(), Some("GSI1"));
    // The query stays in its lane: links only, even if other types share
    // the index partition.
    assert_eq!(
        q.key_condition.as_deref(),
        Some("GSI1PK = \"OWNER#u1\" AND begins_with(GSI1SK, \"LINK#\")")
    );
    assert!(!q.ascending, "newest first");
    assert_eq!(
        q.limit,
        Some(21),
        "one more than the page tells if more follow"
    );
    assert!(q.start_key.is_none());
    let start = queries[1]
        .start_key
        .as_ref()
        .expect("page 2 starts after page 1");
    assert_eq!(
        start.get("PK"),
        Some(&AttributeValue::S("LINK#code019".into()))
    );
}

#[tokio::test]
async fn the_dashboard_decodes_a_collection_answer() {
    let double = TableDouble::new("links");
    let table = double.table();
    let the_link = link("aK9xQ2z", None, 0);
    let stat = DailyStat {
        code: "aK9xQ2z".into(),
        date: day(),
        count: 4,
    };
    let items: Vec<Item> = vec![
        table.to_item(&the_link).expect("item"),
        table.to_item(&stat).expect("item"),
    ];
    double
        .on(Op::Query)
        .entity::<LinkItem>()
        .returns_items(items)
        .expect("rule");
    let dashboard = Shortener::new(table)
        .dashboard("aK9xQ2z")
        .await
        .expect("dashboard")
        .expect("the link");
    assert_eq!(dashboard.link, the_link);
    assert_eq!(dashboard.stats, [stat]);
    let query = double.only(Op::Query).expect("one request");
    assert_eq!(query.entity.as_deref(), Some("LinkItem"));
    assert_eq!(
        query.key_condition.as_deref(),
        Some("PK = \"LINK#aK9xQ2z\"")
    );
    assert_eq!(query.index, None);
}

#[tokio::test]
async fn unanswered_requests_get_dynamodbs_empty_answer() {
    let double = TableDouble::new("links");
    let app = Shortener::new(double.table());
    assert_eq!(app.open("nothing").await.expect("get"), None);
    assert_eq!(app.dashboard("nothing").await.expect("query"), None);
    let page = app.list_by_owner("u1", None).await.expect("query");
    assert!(page.items.is_empty() && page.cursor.is_none());
    let ops: Vec<Op> = double.requests().iter().map(|r| r.operation).collect();
    assert_eq!(ops, [Op::GetItem, Op::Query, Op::Query]);
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_each_attempt_recorded() {
    let double = TableDouble::new("links");
    let the_link = link("aK9xQ2z", None, 0);
    double
        .on(Op::GetItem)
        .once()
        .fails(Fault::Throttled)
        .expect("rule");
    double
        .on(Op::GetItem)
        .key(Link::key("aK9xQ2z"))
        .returns(&the_link)
        .expect("rule");
    let app = Shortener::new(double.table());
    assert_eq!(app.open("aK9xQ2z").await.expect("get"), Some(the_link));
    let attempts: Vec<u32> = double.sent(Op::GetItem).iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 2]);

    // Throttled on every attempt: the SDK gives up after three.
    double.take();
    double
        .on(Op::PutItem)
        .fails(Fault::Throttled)
        .expect("rule");
    let err = double
        .table()
        .put(&link("x000001", None, 0))
        .await
        .unwrap_err();
    assert!(err.is_throttling(), "{err}");
    assert_eq!(double.sent(Op::PutItem).len(), 3);
}

#[tokio::test]
async fn a_cancelled_transaction_names_the_failed_action() {
    let double = TableDouble::new("links");
    double
        .on(Op::TransactWriteItems)
        .fails(Fault::TransactionCanceled(vec![
            "None".into(),
            "ConditionalCheckFailed".into(),
        ]))
        .expect("rule");
    let table = double.table();
    let stat = DailyStat {
        code: "aK9xQ2z".into(),
        date: day(),
        count: 1,
    };
    let err = table
        .transaction()
        .put(table.put(&stat))
        .put(table.create(&link("aK9xQ2z", None, 0)))
        .send()
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err}");
    };
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].index, 1);
    assert_eq!(reasons[0].entity, "Link");
    assert_eq!(reasons[0].code, CancellationCode::ConditionalCheckFailed);

    let sent = double.only(Op::TransactWriteItems).expect("one request");
    assert_eq!(sent.entity.as_deref(), Some("DailyStat+Link"));
    let actions: Vec<_> = sent
        .actions
        .iter()
        .map(|a| (a.kind, a.key_text(), a.condition.clone()))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "Put",
                "PK=LINK#aK9xQ2z, SK=STAT#2026-05-24".to_owned(),
                None
            ),
            (
                "Put",
                "PK=LINK#aK9xQ2z, SK=META".to_owned(),
                Some("attribute_not_exists(PK)".to_owned())
            ),
        ]
    );
}

#[tokio::test]
async fn batches_record_every_action_and_get_what_they_asked_for() {
    let double = TableDouble::new("links");
    let table = double.table();
    let links: Vec<Link> = (0..3).map(|i| link(&format!("b{i:06}"), None, i)).collect();
    table
        .batch_write()
        .put_all(&links)
        .delete(Link::key("old0001"))
        .await
        .expect("batch write");
    let write = double.only(Op::BatchWriteItem).expect("one request");
    let kinds: Vec<_> = write
        .actions
        .iter()
        .map(|a| (a.kind, a.key_text()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Put", "PK=LINK#b000000, SK=META".to_owned()),
            ("Put", "PK=LINK#b000001, SK=META".to_owned()),
            ("Put", "PK=LINK#b000002, SK=META".to_owned()),
            ("Delete", "PK=LINK#old0001, SK=META".to_owned()),
        ]
    );

    // The batch get receives the canned items it asked for, not the rest.
    double
        .on(Op::BatchGetItem)
        .returns_all(&links)
        .expect("rule");
    let found = table
        .batch_get([
            Link::key("b000002"),
            Link::key("b000000"),
            Link::key("none000"),
        ])
        .await
        .expect("batch get");
    // In the order asked, `None` for the key without an item.
    assert_eq!(
        found,
        [Some(links[2].clone()), Some(links[0].clone()), None]
    );
    assert_eq!(
        double
            .only(Op::BatchGetItem)
            .expect("one request")
            .actions
            .len(),
        3
    );
}

#[tokio::test]
async fn requests_sent_with_the_client_directly_are_recorded_too() {
    let double = TableDouble::new("links");
    let table = double.table();
    table
        .client()
        .delete_item()
        .table_name("links")
        .key("PK", AttributeValue::S("LINK#raw0001".into()))
        .key("SK", AttributeValue::S("META".into()))
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", "PK")
        .send()
        .await
        .expect("delete");
    let delete = double.only(Op::DeleteItem).expect("one request");
    assert_eq!(delete.entity, None);
    assert_eq!(
        delete.key_text().as_deref(),
        Some("PK=LINK#raw0001, SK=META")
    );
    assert_eq!(delete.condition.as_deref(), Some("attribute_exists(PK)"));
}

#[tokio::test]
async fn a_rule_with_a_bad_key_is_an_error_not_a_panic() {
    let double = TableDouble::new("links");
    let err = double
        .on(Op::GetItem)
        .key(Link::key(""))
        .returns_nothing()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidKey { .. }), "{err}");
    // Nothing was added: a get is answered with nothing.
    assert_eq!(
        double.table().get(Link::key("aK9xQ2z")).await.expect("get"),
        None
    );
}
