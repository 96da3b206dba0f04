//! Records of the DynamoDB Streams API (`aws-sdk-dynamodbstreams`) as
//! [`StreamRecord`]s.

use super::{is_ttl_identity, ChangeKind, StreamRecord};
use crate::foundation::item::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::{AttributeValue as StreamValue, OperationType, Record};
use std::collections::HashMap;

impl From<Record> for StreamRecord {
    fn from(record: Record) -> Self {
        let named = match record.event_name {
            Some(OperationType::Insert) => Some(ChangeKind::Insert),
            Some(OperationType::Modify) => Some(ChangeKind::Modify),
            Some(OperationType::Remove) => Some(ChangeKind::Remove),
            _ => None,
        };
        let removed_by_ttl = record.user_identity.as_ref().is_some_and(|u| {
            is_ttl_identity(
                u.r#type.as_deref().unwrap_or_default(),
                u.principal_id.as_deref().unwrap_or_default(),
            )
        });
        let change = record
            .dynamodb
            .unwrap_or_else(|| aws_sdk_dynamodbstreams::types::StreamRecord::builder().build());
        StreamRecord {
            event_id: record.event_id,
            kind: named.or_else(|| {
                ChangeKind::from_images(change.old_image.is_some(), change.new_image.is_some())
            }),
            keys: change.keys.map(item).unwrap_or_default(),
            old_image: change.old_image.map(item),
            new_image: change.new_image.map(item),
            sequence_number: change.sequence_number,
            approximate_creation: change
                .approximate_creation_date_time
                .and_then(|t| std::time::SystemTime::try_from(t).ok()),
            removed_by_ttl,
        }
    }
}

impl From<&Record> for StreamRecord {
    fn from(record: &Record) -> Self {
        StreamRecord::from(record.clone())
    }
}

fn item(map: HashMap<String, StreamValue>) -> Item {
    map.into_iter().map(|(k, v)| (k, value(v))).collect()
}

/// The Streams API's attribute value as DynamoDB's (the same shape in two
/// SDK crates).
fn value(value: StreamValue) -> AttributeValue {
    match value {
        StreamValue::B(b) => AttributeValue::B(b),
        StreamValue::Bool(b) => AttributeValue::Bool(b),
        StreamValue::Bs(b) => AttributeValue::Bs(b),
        StreamValue::L(l) => AttributeValue::L(l.into_iter().map(self::value).collect()),
        StreamValue::M(m) => AttributeValue::M(item(m)),
        StreamValue::N(n) => AttributeValue::N(n),
        StreamValue::Ns(n) => AttributeValue::Ns(n),
        StreamValue::Null(n) => AttributeValue::Null(n),
        StreamValue::S(s) => AttributeValue::S(s),
        StreamValue::Ss(s) => AttributeValue::Ss(s),
        // A type this SDK version does not know. Both SDKs are generated
        // from one model, so only mismatched versions get here: the value
        // is kept as its debug text, never dropped.
        other => AttributeValue::S(format!("{other:?}")),
    }
}
