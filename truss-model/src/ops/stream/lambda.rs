//! AWS Lambda's DynamoDB event (`aws_lambda_events`): its records as
//! [`StreamRecord`]s, and the partial batch response.
//!
//! ```no_run
//! use aws_lambda_events::event::dynamodb::Event;
//! use aws_lambda_events::event::streams::DynamoDbEventResponse;
//! # use serde::{Deserialize, Serialize};
//! # use truss_model::{Entity, Table};
//! # #[derive(Entity, Serialize, Deserialize)]
//! # #[truss(pk = "LINK#{code}", sk = "META")]
//! # struct Link { code: String, clicks: u64 }
//! # async fn count(_: &Link) -> Result<(), std::io::Error> { Ok(()) }
//!
//! async fn handler(table: &Table, event: Event) -> DynamoDbEventResponse {
//!     truss_model::stream::lambda::process_in_order(&event, |record| async move {
//!         match table.change_matching::<Link>(record)? {
//!             Some(change) => Ok::<_, Box<dyn std::error::Error + Send + Sync>>(
//!                 if let Some(link) = &change.new { count(link).await? }
//!             ),
//!             None => Ok(()), // another entity type
//!         }
//!     })
//!     .await
//! }
//! ```
//! (Requires the `lambda` feature, and enabling `ReportBatchItemFailures`
//! on the event source mapping.)

use super::{is_ttl_identity, ChangeKind, StreamRecord};
use crate::foundation::item::Item;
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::dynamodb::EventRecord;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use std::future::Future;

impl From<&EventRecord> for StreamRecord {
    fn from(record: &EventRecord) -> Self {
        let change = &record.change;
        let image = |item: &serde_dynamo::Item| (!item.is_empty()).then(|| convert(item.clone()));
        // Lambda leaves the creation time at the epoch when the record has
        // none.
        let created = change.approximate_creation_date_time;
        StreamRecord {
            event_id: Some(record.event_id.clone()).filter(|id| !id.is_empty()),
            kind: ChangeKind::from_event_name(&record.event_name).or_else(|| {
                ChangeKind::from_images(!change.old_image.is_empty(), !change.new_image.is_empty())
            }),
            keys: convert(change.keys.clone()),
            old_image: image(&change.old_image),
            new_image: image(&change.new_image),
            sequence_number: change.sequence_number.clone(),
            approximate_creation: (created.timestamp() != 0).then(|| created.into()),
            removed_by_ttl: record
                .user_identity
                .as_ref()
                .is_some_and(|u| is_ttl_identity(&u.type_, &u.principal_id)),
        }
    }
}

impl From<EventRecord> for StreamRecord {
    fn from(record: EventRecord) -> Self {
        StreamRecord::from(&record)
    }
}

fn convert(item: serde_dynamo::Item) -> Item {
    item.into_inner()
        .into_iter()
        .map(|(name, value)| (name, value.into()))
        .collect()
}

/// The partial batch response naming these records as failed (by their
/// sequence numbers, as Lambda expects for DynamoDB streams). Lambda
/// retries from the earliest one named, so every record after it is
/// delivered again.
pub fn batch_response<'a>(
    failed: impl IntoIterator<Item = &'a EventRecord>,
) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = record
            .change
            .sequence_number
            .clone()
            .or_else(|| Some(record.event_id.clone()));
        response.batch_item_failures.push(failure);
    }
    response
}

/// Runs `handle` on the event's records in order and stops at the first
/// that fails: the response names it, so Lambda delivers it and every
/// later record again, and the records of an item are never applied out of
/// order. An empty response means the whole batch succeeded.
pub async fn process_in_order<'a, F, Fut, E>(
    event: &'a Event,
    mut handle: F,
) -> DynamoDbEventResponse
where
    F: FnMut(&'a EventRecord) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    for record in &event.records {
        if handle(record).await.is_err() {
            return batch_response([record]);
        }
    }
    DynamoDbEventResponse::default()
}
