//! Writing upgraded items back at the current revision, after a read.

use crate::expr::Placeholders;
use crate::foundation::error::{Error, Result};
use crate::ops::write::unchanged_since_read;
use crate::table::observe::send;
use crate::table::upgrades::{self, WriteBack};
use crate::table::Table;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use futures::StreamExt;

/// Write-backs in flight at once after one read.
const CONCURRENCY: usize = 8;

/// Runs a read's `decode` and then sends the write-backs its upgrades asked
/// for (entities declared with `revision(..., write_back)`). A write-back
/// that fails does not fail the read: it is counted on the table
/// ([`Table::failed_write_backs`]) and traced, and the item is left at its
/// old revision for a later read or a backfill.
pub(crate) async fn decoding<T>(table: &Table, decode: impl FnOnce() -> Result<T>) -> Result<T> {
    let (decoded, pending) = upgrades::collecting(decode);
    let decoded = decoded?;
    write_back(table, pending).await;
    Ok(decoded)
}

/// Sends the write-backs, each a PutItem conditional on the item being as
/// it was read: same revision and, for versioned entities, same version.
/// An item changed since (written by this code at the current revision, or
/// by anything else) is left alone: the read's value was current when read,
/// and the stored item is newer.
async fn write_back(table: &Table, pending: Vec<WriteBack>) {
    if pending.is_empty() {
        return;
    }
    let results: Vec<(&'static str, Result<()>)> = futures::stream::iter(pending)
        .map(|write| async move { (write.entity, put(table, write).await) })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (entity, result) in results {
        if let Err(error) = result {
            table
                .inner
                .failed_write_backs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            #[cfg(feature = "tracing")]
            tracing::warn!(
                target: "truss_model",
                entity,
                error = %error,
                "revision write-back failed; the read returned the upgraded value"
            );
            #[cfg(not(feature = "tracing"))]
            let _ = (entity, error);
        }
    }
}

async fn put(table: &Table, write: WriteBack) -> Result<()> {
    let inner = &table.inner;
    let mut p = Placeholders::default();
    let condition = unchanged_since_read(inner, &write.guards, &mut p);
    let (names, values) = p.into_parts();
    let observation = inner.observe("PutItem", write.entity);
    let result = send!(
        observation,
        inner
            .client
            .put_item()
            .table_name(&inner.name)
            .set_item(Some(write.item))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_return_consumed_capacity(observation.capacity())
    );
    let result = match result {
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
    };
    observation.finish(result)
}
