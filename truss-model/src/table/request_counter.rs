//! Counting the requests an access pattern makes.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// An SDK interceptor that counts the requests sent, per DynamoDB operation,
/// so tests can assert "one Query per page" and catch N+1 regressions.
///
/// Every HTTP attempt counts, retries included. Clones share their counts.
///
/// ```no_run
/// # async fn demo() {
/// use truss_model::RequestCounter;
///
/// let counter = RequestCounter::new();
/// let sdk_config = aws_config::load_from_env().await;
/// let config = aws_sdk_dynamodb::config::Builder::from(&sdk_config)
///     .interceptor(counter.clone())
///     .build();
/// let client = aws_sdk_dynamodb::Client::from_conf(config);
/// // ... run one access pattern ...
/// assert_eq!(counter.take().get("Query"), Some(&1));
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl RequestCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, usize>) -> T) -> T {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut counts)
    }

    /// Requests sent for `operation` (`"GetItem"`, `"Query"`, ...).
    pub fn count(&self, operation: &str) -> usize {
        self.with(|c| c.get(operation).copied().unwrap_or(0))
    }

    /// Requests sent, all operations together.
    pub fn total(&self) -> usize {
        self.with(|c| c.values().sum())
    }

    /// The counts per operation.
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        self.with(|c| c.clone())
    }

    /// The counts per operation, resetting them to zero.
    pub fn take(&self) -> BTreeMap<String, usize> {
        self.with(std::mem::take)
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "truss_model::RequestCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        self.with(|c| *c.entry(operation).or_default() += 1);
        Ok(())
    }
}
