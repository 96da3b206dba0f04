//! Indexes that hold only some attributes (`KEYS_ONLY`, `INCLUDE`): their
//! definition, export and drift check carry the projection; a query of
//! one reads a projection that fits what it holds, or hydrates the items
//! from the table, reporting any deleted in between.

use crate::common::*;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use truss_model::{Entity, Error, Projection, Table};

#[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[truss(
    pk = "TICKET#{id}",
    sk = "TICKET",
    index(name = "ByStatus", pk = "STATUS#{status}", sk = "TICKET#{id}", projection = "keys_only"),
    index(name = "ByAssignee", pk = "ASSIGNEE#{assignee}", sk = "TICKET#{id}", include = [title, priority])
)]
pub struct Ticket {
    pub id: String,
    pub status: String,
    pub assignee: String,
    pub title: String,
    pub priority: u8,
    pub body: String,
}

/// What the KEYS_ONLY index holds: the table's key field.
#[derive(Projection, Debug, PartialEq)]
#[truss(entity = Ticket)]
struct TicketId {
    id: String,
}

/// What the INCLUDE index holds.
#[derive(Projection, Debug, PartialEq)]
#[truss(entity = Ticket)]
pub(crate) struct TicketCard {
    pub id: String,
    pub title: String,
    pub priority: u8,
}

/// More than the INCLUDE index holds.
#[derive(Projection, Debug)]
#[truss(entity = Ticket)]
#[allow(dead_code)] // refused before any read
struct TicketBody {
    id: String,
    body: String,
}

pub(crate) fn ticket(i: usize) -> Ticket {
    Ticket {
        id: format!("t{i:02}"),
        status: if i.is_multiple_of(2) {
            "Open"
        } else {
            "Closed"
        }
        .into(),
        assignee: "Ann Lee".into(),
        title: format!("Ticket Number {i}"),
        priority: (i % 3) as u8,
        body: "x".repeat(2000),
    }
}

pub(crate) async fn tickets_table(table: Table) -> Table {
    table
        .definition()
        .entity::<Ticket>()
        .create()
        .await
        .expect("create");
    for i in 0..10 {
        table.put(&ticket(i)).await.unwrap();
    }
    table
}

#[tokio::test]
async fn the_definition_export_and_drift_carry_the_projections() {
    let table = Table::new(client().await, table_name("iproj-def"));
    let json = table
        .definition()
        .entity::<Ticket>()
        .cloudformation_json("Tickets")
        .unwrap();
    crate::infra::cfn_lint("tickets.json", &json);
    let template: serde_json::Value = serde_json::from_str(&json).unwrap();
    let indexes = &template["Resources"]["Tickets"]["Properties"]["GlobalSecondaryIndexes"];
    let projection = |name: &str| {
        indexes
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["IndexName"] == name)
            .unwrap()["Projection"]
            .clone()
    };
    assert_eq!(
        projection("ByStatus"),
        serde_json::json!({ "ProjectionType": "KEYS_ONLY" })
    );
    assert_eq!(
        projection("ByAssignee"),
        serde_json::json!({ "ProjectionType": "INCLUDE", "NonKeyAttributes": ["priority", "title"] })
    );
    let terraform = table
        .definition()
        .entity::<Ticket>()
        .terraform("tickets")
        .unwrap();
    assert!(
        terraform.contains("projection_type = \"KEYS_ONLY\""),
        "{terraform}"
    );
    assert!(
        terraform.contains("non_key_attributes = [\"priority\", \"title\"]"),
        "{terraform}"
    );

    let table = tickets_table(table).await;
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap();
    let live = described.table().unwrap();
    for index in live.global_secondary_indexes() {
        let projection = index.projection().unwrap();
        match index.index_name().unwrap() {
            "ByStatus" => assert_eq!(projection.projection_type().unwrap().as_str(), "KEYS_ONLY"),
            _ => {
                assert_eq!(projection.projection_type().unwrap().as_str(), "INCLUDE");
                let mut included = projection.non_key_attributes().to_vec();
                included.sort();
                assert_eq!(included, ["priority", "title"]);
            }
        }
    }
    assert_eq!(
        table.definition().entity::<Ticket>().drift().await.unwrap(),
        []
    );

    // The same keys declared with every attribute projected: drift.
    #[derive(Entity, Serialize, Deserialize)]
    #[truss(pk = "TICKET#{id}", sk = "TICKET", index(name = "ByStatus", pk = "STATUS#{status}", sk = "TICKET#{id}"),
        index(name = "ByAssignee", pk = "ASSIGNEE#{assignee}", sk = "TICKET#{id}", include = [title]))]
    struct Wider {
        id: String,
        status: String,
        assignee: String,
        title: String,
    }
    let drift = table.definition().entity::<Wider>().drift().await.unwrap();
    let paths: Vec<_> = drift.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "GlobalSecondaryIndexes.ByAssignee",
            "GlobalSecondaryIndexes.ByStatus"
        ],
        "{drift:?}"
    );
    assert!(drift[1].expected.contains("projection ALL"), "{}", drift[1]);
    assert!(
        drift[1].found.contains("projection KEYS_ONLY"),
        "{}",
        drift[1]
    );
    assert!(
        drift[0].found.contains("INCLUDE priority, title"),
        "{}",
        drift[0]
    );
}

#[tokio::test]
async fn projections_that_fit_what_an_index_holds_are_read_from_it() {
    let table = tickets_table(Table::new(client().await, table_name("iproj-read"))).await;
    let open = table
        .query(Ticket::bystatus("Open"))
        .project::<TicketId>()
        .all()
        .await
        .unwrap();
    let ids: Vec<_> = open.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t00", "t02", "t04", "t06", "t08"]);

    let cards = table
        .query(Ticket::byassignee("Ann Lee"))
        .page_size(4)
        .project::<TicketCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(cards.len(), 10);
    assert_eq!(
        cards[7],
        TicketCard {
            id: "t07".into(),
            title: "Ticket Number 7".into(),
            priority: 1
        }
    );

    // More than the index holds: refused before any request.
    let (client, counter) = counted_client().await;
    let counted = Table::new(client, table.name());
    for err in [
        counted
            .query(Ticket::byassignee("Ann Lee"))
            .project::<TicketBody>()
            .all()
            .await
            .unwrap_err(),
        counted
            .query(Ticket::bystatus("Open"))
            .project::<TicketCard>()
            .all()
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
        assert!(err.to_string().contains("does not hold"), "{err}");
    }
    assert!(counter.take().is_empty(), "no request was sent");
}

/// Deletes one ticket right before the first BatchGetItem is sent: the
/// item is gone between the index query and the fetch, as when a delete
/// lands between the two requests. The delete is a real request, sent
/// from its own thread and runtime.
#[derive(Debug, Clone)]
struct DeleteBeforeFetch {
    table: String,
    id: String,
    done: Arc<AtomicBool>,
}

impl Intercept for DeleteBeforeFetch {
    fn name(&self) -> &'static str {
        "test: a delete between an index query and its hydration"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let is_fetch = context
            .input()
            .downcast_ref::<aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput>()
            .is_some();
        if !is_fetch || self.done.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let (table, id) = (self.table.clone(), self.id.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
                client
                    .delete_item()
                    .table_name(table)
                    .key("PK", s(&format!("TICKET#{id}")))
                    .key("SK", s("TICKET"))
                    .send()
                    .await
                    .expect("delete");
            })
        })
        .join()
        .expect("the delete thread");
        Ok(())
    }
}

#[tokio::test]
async fn hydration_fetches_whole_items_in_index_order_and_reports_deleted_ones() {
    let name = table_name("iproj-hydrate");
    let deleter = DeleteBeforeFetch {
        table: name.clone(),
        id: "t01".into(),
        done: Arc::new(AtomicBool::new(true)),
    };
    let (counter, config) = {
        let counter = truss_model::RequestCounter::new();
        let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config().await)
            .interceptor(counter.clone())
            .interceptor(deleter.clone())
            .build();
        (counter, config)
    };
    let table = tickets_table(Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        name,
    ))
    .await;
    counter.take();

    // KEYS_ONLY: one Query and one BatchGetItem per page.
    let open = table
        .query(Ticket::bystatus("Open"))
        .hydrate()
        .all()
        .await
        .unwrap();
    assert_eq!(
        open.items,
        (0..10).step_by(2).map(ticket).collect::<Vec<_>>()
    );
    assert!(open.missing.is_empty());
    assert_eq!(
        counter.take(),
        [("BatchGetItem".to_string(), 1), ("Query".to_string(), 1)].into()
    );

    // INCLUDE, in pages of 3, with t01 deleted after the first page's
    // query, before its fetch.
    deleter.done.store(false, Ordering::SeqCst);
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query(Ticket::byassignee("Ann Lee"))
            .page_size(3)
            .after(cursor)
            .hydrate()
            .page()
            .await
            .unwrap();
        cursor = page.cursor.clone();
        pages.push(page);
        if cursor.is_none() {
            break;
        }
    }
    let ids: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.items.iter().map(|t| t.id.as_str()).collect())
        .collect();
    assert_eq!(
        ids,
        [
            vec!["t00", "t02"],
            vec!["t03", "t04", "t05"],
            vec!["t06", "t07", "t08"],
            vec!["t09"]
        ]
    );
    let missing: Vec<String> = pages
        .iter()
        .flat_map(|p| p.missing.iter().map(ToString::to_string))
        .collect();
    assert_eq!(missing, ["PK=TICKET#t01, SK=TICKET"]);
    assert_eq!(pages[0].missing.len(), 1, "reported with its page");
    assert!(pages.iter().all(|p| !p.items.is_empty()), "no empty page");
}
