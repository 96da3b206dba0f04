//! Measuring the capacity DynamoDB reports each request consumed, per
//! table and index.

use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextMut, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Capacity units consumed, as DynamoDB reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Consumed {
    /// All units (read and write).
    pub units: f64,
    /// Read units, when DynamoDB reports them apart.
    pub read_units: f64,
    /// Write units, when DynamoDB reports them apart.
    pub write_units: f64,
    /// Responses that reported capacity for this table or index.
    pub responses: usize,
}

/// An SDK interceptor that asks every request for its consumed capacity
/// (`ReturnConsumedCapacity = INDEXES`, unless the request already asks)
/// and adds up what the responses report, per table (`"links"`) and index
/// (`"links/GSI1"`). Asking costs nothing; clones share their totals.
///
/// ```no_run
/// # async fn demo() {
/// use truss_model::CapacityMeter;
///
/// let meter = CapacityMeter::new();
/// let sdk_config = aws_config::load_from_env().await;
/// let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config)
///     .interceptor(meter.clone())
///     .build();
/// let client = aws_sdk_dynamodb::Client::from_conf(config);
/// // ... run one access pattern ...
/// for (target, consumed) in meter.take() {
///     println!("{target}: {} units", consumed.units);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter {
    totals: Arc<Mutex<BTreeMap<String, Consumed>>>,
}

impl CapacityMeter {
    /// A meter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Consumed>) -> T) -> T {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut totals)
    }

    /// The totals per table and index.
    pub fn snapshot(&self) -> BTreeMap<String, Consumed> {
        self.with(|t| t.clone())
    }

    /// The totals per table and index, resetting them to zero.
    pub fn take(&self) -> BTreeMap<String, Consumed> {
        self.with(std::mem::take)
    }

    /// All units consumed, every table and index together.
    pub fn total(&self) -> f64 {
        self.with(|t| t.values().map(|c| c.units).sum())
    }

    fn record(&self, reported: &ConsumedCapacity) {
        let table = reported.table_name().unwrap_or("?");
        self.with(|totals| {
            let mut add =
                |target: String, units: Option<f64>, read: Option<f64>, write: Option<f64>| {
                    let entry = totals.entry(target).or_default();
                    entry.units += units.unwrap_or(0.0);
                    entry.read_units += read.unwrap_or(0.0);
                    entry.write_units += write.unwrap_or(0.0);
                    entry.responses += 1;
                };
            let indexes = reported
                .global_secondary_indexes()
                .into_iter()
                .flatten()
                .chain(reported.local_secondary_indexes().into_iter().flatten());
            match reported.table() {
                // INDEXES: the table's part and each index's.
                Some(part) => {
                    add(
                        table.to_owned(),
                        part.capacity_units(),
                        part.read_capacity_units(),
                        part.write_capacity_units(),
                    );
                    for (index, part) in indexes {
                        add(
                            format!("{table}/{index}"),
                            part.capacity_units(),
                            part.read_capacity_units(),
                            part.write_capacity_units(),
                        );
                    }
                }
                // TOTAL: one number for the request.
                None => add(
                    table.to_owned(),
                    reported.capacity_units(),
                    reported.read_capacity_units(),
                    reported.write_capacity_units(),
                ),
            }
        });
    }
}

/// Sets `return_consumed_capacity` on the inputs, and reads
/// `consumed_capacity` from the outputs, of every operation that has them.
macro_rules! operations {
    ($( $module:ident :: $input:ident / $output:ident : $many:tt ),* $(,)?) => {
        fn ask(input: &mut aws_smithy_runtime_api::client::interceptors::context::Input) {
            $(
                if let Some(input) = input.downcast_mut::<aws_sdk_dynamodb::operation::$module::$input>() {
                    input.return_consumed_capacity.get_or_insert(ReturnConsumedCapacity::Indexes);
                    return;
                }
            )*
        }

        fn reported(output: &aws_smithy_runtime_api::client::interceptors::context::Output) -> Vec<ConsumedCapacity> {
            $(
                if let Some(output) = output.downcast_ref::<aws_sdk_dynamodb::operation::$module::$output>() {
                    return operations!(@take output $many);
                }
            )*
            Vec::new()
        }
    };
    (@take $output:ident one) => { $output.consumed_capacity.iter().cloned().collect() };
    (@take $output:ident many) => { $output.consumed_capacity.clone().unwrap_or_default() };
}

operations! {
    get_item::GetItemInput / GetItemOutput: one,
    put_item::PutItemInput / PutItemOutput: one,
    update_item::UpdateItemInput / UpdateItemOutput: one,
    delete_item::DeleteItemInput / DeleteItemOutput: one,
    query::QueryInput / QueryOutput: one,
    scan::ScanInput / ScanOutput: one,
    batch_get_item::BatchGetItemInput / BatchGetItemOutput: many,
    batch_write_item::BatchWriteItemInput / BatchWriteItemOutput: many,
    transact_get_items::TransactGetItemsInput / TransactGetItemsOutput: many,
    transact_write_items::TransactWriteItemsInput / TransactWriteItemsOutput: many,
}

impl Intercept for CapacityMeter {
    fn name(&self) -> &'static str {
        "truss_model::CapacityMeter"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        ask(context.input_mut());
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Ok(output)) = context.output_or_error() {
            for reported in reported(output) {
                self.record(&reported);
            }
        }
        Ok(())
    }
}
