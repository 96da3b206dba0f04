//! What an operation reports while it runs: a `tracing` span with
//! OpenTelemetry's DynamoDB attributes (feature `tracing`), and the
//! capacity it consumed, per entity, to the table's [`CapacityMeter`].
//!
//! Every operation opens an [`Observation`] first, sends its requests
//! through [`send!`](crate::table::observe::send) and gives its result to
//! [`Observation::finish`]. Without a meter and without a subscriber
//! listening, nothing is asked of DynamoDB and nothing is counted.

use crate::foundation::error::{KeyDisplay, Result};
use crate::foundation::throttling::{from_parts, ThrottlingReason};
use crate::table::capacity::CapacityMeter;
use crate::table::inner::TableInner;
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// One operation (a get, a page of a query, a whole batch or transaction)
/// as traces and the capacity meter see it.
pub(crate) struct Observation {
    entity: Cow<'static, str>,
    meter: Option<CapacityMeter>,
    /// The table's name, where the meter counts a throttle DynamoDB
    /// named no resource for.
    table: Option<Arc<str>>,
    /// Counts for the span; `None` when no subscriber listens.
    tally: Option<Arc<Tally>>,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    trace_keys: bool,
    /// The entity and key names, for a double's table.
    tag: Option<Tag>,
}

/// Names the entity and key attributes of one request the library sends
/// through a test double's table (feature `testing`); added to the request
/// by `send!`.
#[cfg(feature = "testing")]
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    entity: String,
    key_names: Arc<(String, Option<String>)>,
}

#[cfg(feature = "testing")]
impl Tag {
    pub(crate) fn new(entity: &str, pk: &str, sk: Option<&str>) -> Self {
        Tag {
            entity: entity.to_string(),
            key_names: Arc::new((pk.to_owned(), sk.map(str::to_owned))),
        }
    }

    /// The entity's label.
    pub(crate) fn entity(&self) -> &str {
        &self.entity
    }

    /// The table's key attribute names.
    pub(crate) fn key_names(&self) -> Arc<(String, Option<String>)> {
        self.key_names.clone()
    }
}

#[cfg(feature = "testing")]
impl aws_smithy_types::config_bag::Storable for Tag {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

#[cfg(feature = "testing")]
impl aws_smithy_runtime_api::client::interceptors::Intercept for Tag {
    fn name(&self) -> &'static str {
        "truss_model::Tag"
    }

    fn read_before_execution(
        &self,
        _: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        cfg.interceptor_state().store_put(self.clone());
        Ok(())
    }
}

/// Without the test double, nothing is tagged: the type is never built.
#[cfg(not(feature = "testing"))]
pub(crate) type Tag = Attempts;

/// What the span reports when the operation ends.
#[derive(Debug, Default)]
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) struct Tally {
    /// HTTP requests sent, retries by the SDK included.
    attempts: AtomicUsize,
    /// Requests the library made (each may take several attempts).
    sends: AtomicUsize,
    /// Requests the library sent again (unprocessed items of a batch).
    resent: AtomicUsize,
    unprocessed: AtomicUsize,
    count: AtomicUsize,
    scanned: AtomicUsize,
    consumed: Mutex<Vec<ConsumedCapacity>>,
    /// The throttling reasons of every throttled attempt, retried or not.
    throttled: Mutex<Vec<ThrottlingReason>>,
}

impl TableInner {
    /// Opens the observation of `operation` (`"GetItem"`, `"Query"`, ...)
    /// on `entity`.
    pub(crate) fn observe(
        &self,
        operation: &'static str,
        entity: impl Into<Cow<'static, str>>,
    ) -> Observation {
        let entity = entity.into();
        #[cfg(feature = "testing")]
        let tag = self
            .tag_requests
            .then(|| Tag::new(&entity, &self.pk, self.sk.as_deref()));
        #[cfg(not(feature = "testing"))]
        let tag = None;
        #[cfg(feature = "tracing")]
        {
            let span = tracing::info_span!(
                target: "truss_model",
                "DynamoDB",
                otel.name = %format_args!("{operation} {}", self.name),
                otel.kind = "client",
                otel.status_code = tracing::field::Empty,
                db.system = "dynamodb",
                db.operation = operation,
                rpc.system = "aws-api",
                rpc.service = "DynamoDB",
                rpc.method = operation,
                aws.dynamodb.table_names = %self.name,
                aws.dynamodb.index_name = tracing::field::Empty,
                aws.dynamodb.consistent_read = tracing::field::Empty,
                aws.dynamodb.limit = tracing::field::Empty,
                aws.dynamodb.scan_forward = tracing::field::Empty,
                aws.dynamodb.count = tracing::field::Empty,
                aws.dynamodb.scanned_count = tracing::field::Empty,
                aws.dynamodb.consumed_capacity = tracing::field::Empty,
                truss.entity = &*entity,
                truss.key = tracing::field::Empty,
                truss.requests = tracing::field::Empty,
                truss.retries = tracing::field::Empty,
                truss.unprocessed = tracing::field::Empty,
                truss.capacity_units = tracing::field::Empty,
                truss.throttled = tracing::field::Empty,
                error.type = tracing::field::Empty,
            );
            // A callsite another thread's subscriber marked "always" makes
            // enabled spans even where no subscriber listens (they go to
            // the no-op dispatcher): ask this thread's dispatcher.
            let listening = !span.is_disabled()
                && span
                    .metadata()
                    .is_some_and(|meta| tracing::dispatcher::get_default(|d| d.enabled(meta)));
            let tally = listening.then(Arc::default);
            Observation {
                entity,
                table: self
                    .capacity
                    .as_ref()
                    .map(|_| Arc::from(self.name.as_str())),
                meter: self.capacity.clone(),
                tally,
                span,
                trace_keys: self.trace_keys,
                tag,
            }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = operation;
            Observation {
                entity,
                table: self
                    .capacity
                    .as_ref()
                    .map(|_| Arc::from(self.name.as_str())),
                meter: self.capacity.clone(),
                tally: None,
                tag,
            }
        }
    }
}

impl Observation {
    /// What to ask DynamoDB to report: the capacity per table and index
    /// when a meter or a span wants it, nothing otherwise.
    pub(crate) fn capacity(&self) -> Option<ReturnConsumedCapacity> {
        (self.meter.is_some() || self.tally.is_some()).then_some(ReturnConsumedCapacity::Indexes)
    }

    /// What to ask when the caller needs the total itself (a paced scan or
    /// backfill): the parts when a meter or a span wants them.
    pub(crate) fn capacity_or_total(&self) -> ReturnConsumedCapacity {
        self.capacity().unwrap_or(ReturnConsumedCapacity::Total)
    }

    /// Records what a response reported.
    pub(crate) fn consumed<'a>(&self, reported: impl IntoIterator<Item = &'a ConsumedCapacity>) {
        for reported in reported {
            if let Some(meter) = &self.meter {
                meter.record_for(&self.entity, reported);
            }
            if let Some(tally) = &self.tally {
                tally
                    .consumed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(reported.clone());
            }
        }
    }

    /// The next request sends again what DynamoDB left unprocessed.
    pub(crate) fn resending(&self) {
        if let Some(tally) = &self.tally {
            tally.resent.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Items DynamoDB returned unprocessed (batches).
    pub(crate) fn unprocessed(&self, items: usize) {
        if let Some(tally) = &self.tally {
            tally.unprocessed.fetch_add(items, Ordering::Relaxed);
        }
    }

    /// Items a Query or Scan page returned and evaluated.
    pub(crate) fn items(&self, count: i32, scanned: i32) {
        if let Some(tally) = &self.tally {
            let to_usize = |n: i32| usize::try_from(n).unwrap_or(0);
            tally.count.fetch_add(to_usize(count), Ordering::Relaxed);
            tally
                .scanned
                .fetch_add(to_usize(scanned), Ordering::Relaxed);
        }
    }

    /// The index read, if any.
    pub(crate) fn index(&self, index: Option<&str>) {
        #[cfg(feature = "tracing")]
        if let Some(index) = index {
            self.span.record("aws.dynamodb.index_name", index);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = index;
    }

    /// Whether the read is strongly consistent.
    pub(crate) fn consistent(&self, consistent: bool) {
        #[cfg(feature = "tracing")]
        self.span.record("aws.dynamodb.consistent_read", consistent);
        #[cfg(not(feature = "tracing"))]
        let _ = consistent;
    }

    /// The page size asked for, if any, and the direction.
    pub(crate) fn page(&self, limit: Option<i32>, forward: bool) {
        #[cfg(feature = "tracing")]
        {
            if let Some(limit) = limit {
                self.span.record("aws.dynamodb.limit", limit);
            }
            self.span.record("aws.dynamodb.scan_forward", forward);
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (limit, forward);
    }

    /// The key, recorded only when the table was told keys may appear in
    /// traces ([`Table::trace_keys`](crate::Table::trace_keys)).
    pub(crate) fn key(&self, key: impl FnOnce() -> KeyDisplay) {
        #[cfg(feature = "tracing")]
        if self.trace_keys && self.tally.is_some() {
            self.span
                .record("truss.key", tracing::field::display(key()));
        }
        #[cfg(not(feature = "tracing"))]
        let _ = key;
    }

    /// The tag naming the request's entity to a test double.
    pub(crate) fn tag(&self) -> Option<Tag> {
        self.tag.clone()
    }

    /// Runs `request` inside the span when a subscriber listens.
    pub(crate) async fn instrument<F: std::future::Future>(&self, request: F) -> F::Output {
        #[cfg(feature = "tracing")]
        if self.tally.is_some() {
            use tracing::Instrument as _;
            return request.instrument(self.span.clone()).await;
        }
        request.await
    }

    /// Counts one request of the library, and gives the interceptor that
    /// watches its HTTP attempts (counted, and their throttling reasons
    /// recorded) when a span listens or a meter counts.
    ///
    /// `counted` also counts the attempts, for a caller that shares one
    /// budget of attempts with the SDK's retries (a batch's chunk).
    pub(crate) fn sending(&self, counted: Option<&Arc<AtomicUsize>>) -> Option<Attempts> {
        if let Some(tally) = &self.tally {
            tally.sends.fetch_add(1, Ordering::Relaxed);
        }
        if self.tally.is_none() && self.meter.is_none() && counted.is_none() {
            return None;
        }
        Some(Attempts {
            tally: self.tally.clone(),
            meter: self.meter.clone().zip(self.table.clone()),
            counted: counted.cloned(),
        })
    }

    /// Records the error, if the operation failed (its kind only: messages
    /// can hold key values), and passes the result on.
    pub(crate) fn finish<T>(self, result: Result<T>) -> Result<T> {
        #[cfg(feature = "tracing")]
        if let (Err(error), Some(_)) = (&result, &self.tally) {
            self.span.record("error.type", error.kind());
            self.span.record("otel.status_code", "ERROR");
        }
        result
    }
}

impl Drop for Observation {
    fn drop(&mut self) {
        #[cfg(feature = "tracing")]
        if let Some(tally) = &self.tally {
            let attempts = tally.attempts.load(Ordering::Relaxed);
            let sends = tally.sends.load(Ordering::Relaxed);
            let span = &self.span;
            span.record("truss.requests", attempts);
            // Retries: attempts beyond the first of each request (by the
            // SDK: throttling, errors) and requests sending unprocessed
            // items again (by the library).
            let resent = tally.resent.load(Ordering::Relaxed);
            span.record("truss.retries", attempts.saturating_sub(sends) + resent);
            span.record(
                "truss.unprocessed",
                tally.unprocessed.load(Ordering::Relaxed),
            );
            if tally.scanned.load(Ordering::Relaxed) > 0 || tally.count.load(Ordering::Relaxed) > 0
            {
                span.record("aws.dynamodb.count", tally.count.load(Ordering::Relaxed));
                span.record(
                    "aws.dynamodb.scanned_count",
                    tally.scanned.load(Ordering::Relaxed),
                );
            }
            let throttled = tally
                .throttled
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !throttled.is_empty() {
                span.record("truss.throttled", throttled_text(&throttled).as_str());
            }
            let consumed = tally
                .consumed
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !consumed.is_empty() {
                let units: f64 = consumed.iter().filter_map(|c| c.capacity_units()).sum();
                span.record("truss.capacity_units", units);
                span.record(
                    "aws.dynamodb.consumed_capacity",
                    consumed_json(&consumed).as_str(),
                );
            }
        }
    }
}

/// The reported capacities as OpenTelemetry writes them: a JSON array of
/// DynamoDB's `ConsumedCapacity` objects (table and index names are
/// `[a-zA-Z0-9_.-]`, so they need no escaping).
#[cfg(feature = "tracing")]
fn consumed_json(consumed: &[ConsumedCapacity]) -> String {
    use crate::table::capacity::Place;
    use std::fmt::Write as _;
    let mut out = String::from("[");
    for (i, reported) in consumed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"TableName\":\"{}\",\"CapacityUnits\":{}",
            reported.table_name().unwrap_or("?"),
            reported.capacity_units().unwrap_or(0.0)
        );
        let parts = crate::table::capacity::parts(reported);
        if reported.table().is_some() {
            let table_units = parts.first().and_then(|p| p.units).unwrap_or(0.0);
            let _ = write!(out, ",\"Table\":{{\"CapacityUnits\":{table_units}}}");
        }
        for (place, key) in [
            (Place::Global, "GlobalSecondaryIndexes"),
            (Place::Local, "LocalSecondaryIndexes"),
        ] {
            let indexes: Vec<String> = parts
                .iter()
                .filter(|part| part.place == place)
                .filter_map(|part| {
                    let index = part.target.split_once('/')?.1;
                    Some(format!(
                        "\"{index}\":{{\"CapacityUnits\":{}}}",
                        part.units.unwrap_or(0.0)
                    ))
                })
                .collect();
            if !indexes.is_empty() {
                let _ = write!(out, ",\"{key}\":{{{}}}", indexes.join(","));
            }
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// The throttles of an operation as its span records them: each reason
/// once, with how many attempts it throttled
/// (`TableWriteKeyRangeThroughputExceeded on links: 2`).
#[cfg(feature = "tracing")]
fn throttled_text(throttled: &[ThrottlingReason]) -> String {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for reason in throttled {
        let text = reason.to_string();
        match counted.iter_mut().find(|(t, _)| *t == text) {
            Some((_, n)) => *n += 1,
            None => counted.push((text, 1)),
        }
    }
    let parts: Vec<String> = counted
        .into_iter()
        .map(|(text, n)| format!("{text}: {n}"))
        .collect();
    parts.join(", ")
}

/// An SDK interceptor, one per request sent while a span listens or a
/// meter counts: counts the request's HTTP attempts for the span, and
/// records the throttling reasons of each throttled attempt (the SDK
/// retries those, so the final answer may be a success) on the span and
/// in the meter.
#[derive(Debug, Clone)]
pub(crate) struct Attempts {
    tally: Option<Arc<Tally>>,
    /// The meter, and the table a reason without a resource is counted on.
    meter: Option<(CapacityMeter, Arc<str>)>,
    /// The caller's own count of attempts.
    counted: Option<Arc<AtomicUsize>>,
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for Attempts {
    fn name(&self) -> &'static str {
        "truss_model::Attempts"
    }

    fn read_before_transmit(
        &self,
        _: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(tally) = &self.tally {
            tally.attempts.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(counted) = &self.counted {
            counted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> std::result::Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let Err(error) = context.output_or_error() else {
            return Ok(());
        };
        let Some(reasons) = error.as_operation_error().and_then(throttled_attempt) else {
            return Ok(());
        };
        if let Some((meter, table)) = &self.meter {
            for reason in &reasons {
                let target = reason.target();
                meter.throttle(target.as_deref().unwrap_or(table), &reason.reason);
            }
        }
        if let Some(tally) = &self.tally {
            tally
                .throttled
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(reasons);
        }
        Ok(())
    }
}

/// The throttling reasons of one attempt's error, for the operations the
/// library sends; `None` when the attempt was not throttled.
fn throttled_attempt(
    error: &aws_smithy_runtime_api::client::interceptors::context::Error,
) -> Option<Vec<ThrottlingReason>> {
    macro_rules! operations {
        ($($module:ident :: $error:ident),* $(,)?) => {$(
            if let Some(error) = error.downcast_ref::<aws_sdk_dynamodb::operation::$module::$error>() {
                use aws_sdk_dynamodb::operation::$module::$error as E;
                return match error {
                    E::ProvisionedThroughputExceededException(e) => {
                        Some(from_parts("ProvisionedThroughputExceededException", e.throttling_reasons()))
                    }
                    E::ThrottlingException(e) => {
                        Some(from_parts("ThrottlingException", e.throttling_reasons()))
                    }
                    E::RequestLimitExceeded(e) => {
                        Some(from_parts("RequestLimitExceeded", e.throttling_reasons()))
                    }
                    _ => None,
                };
            }
        )*};
    }
    operations!(
        get_item::GetItemError,
        put_item::PutItemError,
        update_item::UpdateItemError,
        delete_item::DeleteItemError,
        query::QueryError,
        scan::ScanError,
        batch_get_item::BatchGetItemError,
        batch_write_item::BatchWriteItemError,
        transact_get_items::TransactGetItemsError,
        transact_write_items::TransactWriteItemsError,
    );
    // SearchVectors has no ProvisionedThroughputExceededException.
    use aws_sdk_dynamodb::operation::search_vectors::SearchVectorsError as V;
    match error.downcast_ref::<V>()? {
        V::ThrottlingException(e) => {
            Some(from_parts("ThrottlingException", e.throttling_reasons()))
        }
        V::RequestLimitExceeded(e) => {
            Some(from_parts("RequestLimitExceeded", e.throttling_reasons()))
        }
        _ => None,
    }
}

/// The label of an operation on several entity types: their names in
/// order of first appearance, joined with `+` (`Link+DailyStat`).
pub(crate) fn entities<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.join("+")
}

/// Sends an SDK request builder inside the operation's span, counting its
/// attempts when a span listens, and records the capacity a successful
/// response reports: `send!(observation, request)` is
/// `request.send().await` otherwise. `send!(observation, request, counted)`
/// also adds the request's HTTP attempts to `counted` (an
/// `&Arc<AtomicUsize>`).
macro_rules! send {
    ($observation:expr, $request:expr) => {
        $crate::table::observe::send!($observation, $request, None)
    };
    ($observation:expr, $request:expr, $counted:expr) => {{
        let observation: &$crate::table::observe::Observation = &$observation;
        let request = $request;
        let attempts = observation.sending($counted);
        let tag = observation.tag();
        let result = if attempts.is_none() && tag.is_none() {
            request.send().await
        } else {
            let mut request = request.customize();
            if let Some(attempts) = attempts {
                request = request.interceptor(attempts);
            }
            if let Some(tag) = tag {
                request = request.interceptor(tag);
            }
            observation.instrument(request.send()).await
        };
        if let Ok(output) = &result {
            observation.consumed($crate::table::capacity::Reported::reported(output));
        }
        result
    }};
}
pub(crate) use send;
