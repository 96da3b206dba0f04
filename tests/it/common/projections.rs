//! Recording the `ProjectionExpression` (with its names filled in) of
//! every GetItem, Query, Scan and BatchGetItem a client sends: an
//! interceptor that reads the request and changes nothing.

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A request's operation and projection (`None`: the whole item).
pub type Seen = (&'static str, Option<String>);

/// Each request's operation and projection.
#[derive(Debug, Clone, Default)]
pub struct Projections {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Projections {
    /// The requests seen since the last call.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// `expression` with each `#name` replaced by the name it stands for.
fn filled(expression: Option<&str>, names: Option<&HashMap<String, String>>) -> Option<String> {
    let mut text = expression?.to_owned();
    let mut names: Vec<_> = names.into_iter().flatten().collect();
    // Longest first: `#p10` before `#p1`.
    names.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    for (placeholder, name) in names {
        text = text.replace(placeholder.as_str(), name);
    }
    Some(text)
}

impl Intercept for Projections {
    fn name(&self) -> &'static str {
        "test recording: projection expressions"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        let seen = if let Some(i) = input.downcast_ref::<GetItemInput>() {
            (
                "GetItem",
                filled(i.projection_expression(), i.expression_attribute_names()),
            )
        } else if let Some(i) = input.downcast_ref::<QueryInput>() {
            (
                "Query",
                filled(i.projection_expression(), i.expression_attribute_names()),
            )
        } else if let Some(i) = input.downcast_ref::<ScanInput>() {
            (
                "Scan",
                filled(i.projection_expression(), i.expression_attribute_names()),
            )
        } else if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
            let keys = i.request_items().and_then(|r| r.values().next());
            (
                "BatchGetItem",
                keys.and_then(|k| {
                    filled(k.projection_expression(), k.expression_attribute_names())
                }),
            )
        } else if input.downcast_ref::<TransactGetItemsInput>().is_some() {
            ("TransactGetItems", None)
        } else {
            return Ok(());
        };
        self.seen.lock().unwrap().push(seen);
        Ok(())
    }
}

/// A table on a client whose projections are recorded.
pub async fn projected_table(test: &str) -> (truss_model::Table, Projections) {
    let projections = Projections::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&super::sdk_config().await)
        .interceptor(projections.clone())
        .build();
    let table = truss_model::Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        super::table_name(test),
    );
    super::create(&table).await;
    (table, projections)
}
