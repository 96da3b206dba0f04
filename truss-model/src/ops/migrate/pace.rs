//! Pacing a scan to a rate of consumed capacity.

use aws_sdk_dynamodb::config::{AsyncSleep, SharedAsyncSleep};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A shared budget of capacity units per second over every request of a
/// run, reads and writes alike.
///
/// Each request is charged what DynamoDB reports it consumed; a request
/// starts only once the capacity spent so far fits the rate since the start
/// of the run, and the run ends only once the last requests' cost fits too.
/// So whatever the concurrency, capacity spent over elapsed time stays at or
/// under the rate for the run as a whole; in between, requests in flight at
/// once may briefly run ahead of it.
pub(crate) struct Pacer {
    rate: f64,
    start: Instant,
    spent: Mutex<f64>,
    sleep: SharedAsyncSleep,
}

impl Pacer {
    /// `rate` is positive and finite (checked by the caller).
    pub(crate) fn new(rate: f64, sleep: SharedAsyncSleep) -> Self {
        Pacer {
            rate,
            start: Instant::now(),
            spent: Mutex::new(0.0),
            sleep,
        }
    }

    /// Charges capacity a request consumed.
    pub(crate) fn charge(&self, units: f64) {
        if units.is_finite() && units > 0.0 {
            *self.spent.lock().unwrap_or_else(PoisonError::into_inner) += units;
        }
    }

    /// Waits until the capacity spent so far fits the rate.
    pub(crate) async fn wait(&self) {
        let spent = *self.spent.lock().unwrap_or_else(PoisonError::into_inner);
        // Saturates for a debt beyond any real run (and never panics).
        let due = Duration::try_from_secs_f64(spent / self.rate).unwrap_or(Duration::MAX);
        if let Some(rest) = due.checked_sub(self.start.elapsed()) {
            if !rest.is_zero() {
                self.sleep.sleep(rest).await;
            }
        }
    }
}
