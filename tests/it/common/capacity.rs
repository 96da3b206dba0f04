//! Measuring what DynamoDB reports a Query consumed: an interceptor that
//! asks for `ReturnConsumedCapacity = TOTAL` on every Query and records
//! the capacity and item count each response reports. It changes nothing
//! else; the numbers are DynamoDB Local's own.

use aws_sdk_dynamodb::operation::query::{QueryInput, QueryOutput};
use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextMut, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

/// One Query's response: capacity units consumed, items returned, items
/// evaluated before any filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub capacity: f64,
    pub count: i32,
    pub scanned: i32,
}

#[derive(Debug, Clone, Default)]
pub struct CapacityMeter {
    queries: Arc<Mutex<Vec<Measured>>>,
}

impl CapacityMeter {
    /// The queries measured since the last call.
    pub fn take(&self) -> Vec<Measured> {
        std::mem::take(&mut *self.queries.lock().unwrap())
    }
}

impl Intercept for CapacityMeter {
    fn name(&self) -> &'static str {
        "test measurement: consumed capacity of queries"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(query) = context.input_mut().downcast_mut::<QueryInput>() {
            query.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let output = context
            .output_or_error()
            .and_then(|o| o.ok())
            .and_then(|o| o.downcast_ref::<QueryOutput>());
        if let Some(output) = output {
            self.queries.lock().unwrap().push(Measured {
                capacity: output
                    .consumed_capacity
                    .as_ref()
                    .and_then(|c| c.capacity_units)
                    .unwrap_or(f64::NAN),
                count: output.count,
                scanned: output.scanned_count,
            });
        }
        Ok(())
    }
}

/// A client whose queries are measured and whose requests are counted.
pub async fn measured_client() -> (
    aws_sdk_dynamodb::Client,
    truss_model::RequestCounter,
    CapacityMeter,
) {
    let counter = truss_model::RequestCounter::new();
    let meter = CapacityMeter::default();
    let config = aws_sdk_dynamodb::config::Builder::from(&super::sdk_config().await)
        .interceptor(counter.clone())
        .interceptor(meter.clone())
        .build();
    (aws_sdk_dynamodb::Client::from_conf(config), counter, meter)
}
