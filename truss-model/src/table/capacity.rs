//! Measuring the capacity DynamoDB reports each request consumed, per
//! table and index.

use aws_sdk_dynamodb::types::{Capacity, ConsumedCapacity};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// Capacity units consumed, as DynamoDB reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
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

/// Adds up the capacity DynamoDB reports each request of a
/// [`Table`](crate::Table) consumed, per table (`"links"`), index
/// (`"links/GSI1"`) and entity. Attached with
/// [`Table::with_capacity_meter`](crate::Table::with_capacity_meter), it
/// asks every request for `ReturnConsumedCapacity = INDEXES` (which costs
/// nothing); clones share their totals.
///
/// ```no_run
/// # use serde::{Deserialize, Serialize};
/// # use truss_model::{Entity, Table};
/// # #[derive(Entity, Serialize, Deserialize)]
/// # #[truss(pk = "LINK#{code}", sk = "META")]
/// # struct Link { code: String }
/// # async fn demo(table: Table) -> truss_model::Result<()> {
/// use truss_model::CapacityMeter;
///
/// let meter = CapacityMeter::new();
/// let table = table.with_capacity_meter(meter.clone());
/// // ... run one access pattern ...
/// table.get(Link::key("aK9xQ2z")).await?;
/// for (target, consumed) in meter.take() {
///     println!("{target}: {} units", consumed.units);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CapacityMeter {
    totals: Arc<Mutex<Totals>>,
}

/// Per table and index, and per entity, then table and index.
type PerTarget = BTreeMap<String, Consumed>;

#[derive(Debug, Default)]
struct Totals {
    targets: PerTarget,
    entities: BTreeMap<String, PerTarget>,
    /// Throttled attempts per table and index, then reason.
    throttled: BTreeMap<String, BTreeMap<String, usize>>,
}

impl CapacityMeter {
    /// A meter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Totals) -> T) -> T {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut totals)
    }

    /// The totals per table and index.
    pub fn snapshot(&self) -> BTreeMap<String, Consumed> {
        self.with(|t| t.targets.clone())
    }

    /// The totals per entity (the entity type, the collection, or the
    /// types of a batch or transaction joined with `+`), then table and
    /// index.
    pub fn by_entity(&self) -> BTreeMap<String, BTreeMap<String, Consumed>> {
        self.with(|t| t.entities.clone())
    }

    /// The attempts DynamoDB throttled, per table (`"links"`) or index
    /// (`"links/GSI1"`), then [reason](crate::throttling::ThrottlingReason::reason)
    /// (`"TableWriteKeyRangeThroughputExceeded"`): every throttled attempt,
    /// those the SDK retried and that then succeeded included. A throttle
    /// DynamoDB named no table or index for is counted on the table the
    /// request was sent to, under its error code.
    pub fn throttled(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        self.with(|t| t.throttled.clone())
    }

    /// Counts one throttled attempt.
    pub(crate) fn throttle(&self, target: &str, reason: &str) {
        self.with(|totals| {
            *totals
                .throttled
                .entry(target.to_owned())
                .or_default()
                .entry(reason.to_owned())
                .or_default() += 1;
        });
    }

    /// The totals per table and index, resetting them (and the totals per
    /// entity, and the throttles) to zero.
    pub fn take(&self) -> BTreeMap<String, Consumed> {
        self.with(|t| std::mem::take(t).targets)
    }

    /// All units consumed, every table and index together.
    pub fn total(&self) -> f64 {
        self.with(|t| t.targets.values().map(|c| c.units).sum())
    }

    /// Records what a request of `entity` consumed, per table and index
    /// and for the entity.
    pub(crate) fn record_for(&self, entity: &str, reported: &ConsumedCapacity) {
        self.with(|totals| {
            add(&mut totals.targets, reported);
            add(
                totals.entities.entry(entity.to_owned()).or_default(),
                reported,
            );
        });
    }
}

/// Adds one reported capacity to the totals per table and index.
fn add(totals: &mut PerTarget, reported: &ConsumedCapacity) {
    for part in parts(reported) {
        let entry = totals.entry(part.target).or_default();
        entry.units += part.units.unwrap_or(0.0);
        entry.read_units += part.read.unwrap_or(0.0);
        entry.write_units += part.write.unwrap_or(0.0);
        entry.responses += 1;
    }
}

/// Where a part of a reported capacity was consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// The table itself (or, for `TOTAL`, the whole request).
    Table,
    /// A global secondary index.
    Global,
    /// A local secondary index.
    Local,
}

/// One part of a reported capacity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    /// `"links"` for the table, `"links/GSI1"` for an index.
    pub(crate) target: String,
    pub(crate) place: Place,
    pub(crate) units: Option<f64>,
    pub(crate) read: Option<f64>,
    pub(crate) write: Option<f64>,
}

/// A reported capacity per table and index: with `INDEXES`, the table's
/// part then each index's; with `TOTAL`, one part for the request.
pub(crate) fn parts(reported: &ConsumedCapacity) -> Vec<Part> {
    let table = reported.table_name().unwrap_or("?");
    let Some(part) = reported.table() else {
        return vec![Part {
            target: table.to_owned(),
            place: Place::Table,
            units: reported.capacity_units(),
            read: reported.read_capacity_units(),
            write: reported.write_capacity_units(),
        }];
    };
    fn indexes<'a>(
        table: &'a str,
        map: Option<&'a HashMap<String, Capacity>>,
        place: Place,
    ) -> impl Iterator<Item = (String, Place, &'a Capacity)> + 'a {
        map.into_iter()
            .flatten()
            .map(move |(index, part)| (format!("{table}/{index}"), place, part))
    }
    let mut named: Vec<_> = indexes(table, reported.global_secondary_indexes(), Place::Global)
        .chain(indexes(
            table,
            reported.local_secondary_indexes(),
            Place::Local,
        ))
        .collect();
    // Index maps have no order; a stable one keeps reports comparable.
    named.sort_by(|a, b| a.0.cmp(&b.0));
    std::iter::once((table.to_owned(), Place::Table, part))
        .chain(named)
        .map(|(target, place, part)| Part {
            target,
            place,
            units: part.capacity_units(),
            read: part.read_capacity_units(),
            write: part.write_capacity_units(),
        })
        .collect()
}

/// Reads `consumed_capacity` from the outputs of every operation that has
/// them.
macro_rules! operations {
    ($( $module:ident :: $input:ident / $output:ident : $many:tt ),* $(,)?) => {
        $(
            impl Reported for aws_sdk_dynamodb::operation::$module::$output {
                fn reported(&self) -> &[ConsumedCapacity] {
                    operations!(@slice self $many)
                }
            }
        )*
    };
    (@slice $output:ident one) => { $output.consumed_capacity.as_slice() };
    (@slice $output:ident many) => { $output.consumed_capacity.as_deref().unwrap_or_default() };
}

/// The consumed capacity an operation's output reports: one for a
/// single-item operation, a query or a scan, one per table for batches
/// and transactions.
pub(crate) trait Reported {
    fn reported(&self) -> &[ConsumedCapacity];
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

/// SearchVectors reports its capacity in bytes (`VectorCapacity`), not
/// units: the search reads it from the output itself.
impl Reported for aws_sdk_dynamodb::operation::search_vectors::SearchVectorsOutput {
    fn reported(&self) -> &[ConsumedCapacity] {
        &[]
    }
}
