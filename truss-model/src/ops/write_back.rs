//! Writing upgraded items back at the current revision, after a read.

use crate::expr::{all, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::table::upgrades::WriteBack;
use crate::table::Table;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::{StreamExt, TryStreamExt};

/// Write-backs in flight at once after one read.
const CONCURRENCY: usize = 8;

/// Sends the write-backs a read's upgrades asked for, each a PutItem
/// conditional on the item being as it was read: same revision and, for
/// versioned entities, same version. An item changed since (written by
/// this code at the current revision, or by anything else) is left alone:
/// the read's value was current when read, and the stored item is newer.
pub(crate) async fn write_back(table: &Table, pending: Vec<WriteBack>) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    futures::stream::iter(pending)
        .map(|write| put(table, write))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await
}

async fn put(table: &Table, write: WriteBack) -> Result<()> {
    let inner = &table.inner;
    let mut p = Placeholders::default();
    let mut clauses = vec![format!("attribute_exists({})", p.name(&inner.pk))];
    let (r, from) = (
        p.name(write.revision.attribute),
        p.value(AttributeValue::N(write.from.to_string())),
    );
    clauses.push(if write.from == 1 {
        // Revision 1 is also an item without the attribute.
        format!("(attribute_not_exists({r}) OR {r} = {from})")
    } else {
        format!("{r} = {from}")
    });
    if let Some((attr, version)) = write.version {
        let n = p.name(attr);
        clauses.push(match version {
            0 => format!("attribute_not_exists({n})"),
            v => format!("{n} = {}", p.value(AttributeValue::N(v.to_string()))),
        });
    }
    let condition = all(clauses);
    let (names, values) = p.into_parts();
    let result = inner
        .client
        .put_item()
        .table_name(&inner.name)
        .set_item(Some(write.item))
        .set_condition_expression(condition)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        // Changed since the read: the stored item is newer.
        Err(err)
            if matches!(
                err.as_service_error(),
                Some(PutItemError::ConditionalCheckFailedException(_))
            ) =>
        {
            Ok(())
        }
        Err(err) => Err(Error::dynamo("PutItem", err)),
    }
}
