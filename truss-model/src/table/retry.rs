//! The library's retry policy for partial batch results.
//!
//! Who retries what:
//!
//! - The SDK retries whole requests that fail with throttling or transient
//!   errors (its standard retry mode: 3 attempts, exponential backoff),
//!   configured on the client.
//! - truss-model retries what a batch request reports as not processed
//!   (`UnprocessedItems`, `UnprocessedKeys`), which the SDK sees as
//!   success, with exponential backoff and full jitter, while the chunk's
//!   HTTP attempts, the SDK's retries included, are fewer than
//!   [`RetryPolicy::max_attempts`]: the two layers add up instead of
//!   multiplying. A request the SDK gave up on is not sent again.
//! - Nothing retries a failed condition (`ConditionalCheckFailed`,
//!   `TransactionCanceled` for a condition): the answer would not change.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Retry policy for unprocessed batch items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// HTTP attempts per chunk, the first included and the SDK's retries
    /// of a throttled request counted; at least 1. The library resends
    /// unprocessed items only while the chunk has attempts left.
    pub max_attempts: u32,
    /// The backoff before the first retry is drawn from `0..=base_delay`.
    pub base_delay: Duration,
    /// Backoff never exceeds this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, 25 ms base, 5 s cap: a budget of about 12 s of backoff
    /// in the worst case.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (0-based): uniform in
    /// `0..=min(max_delay, base_delay * 2^retry)` ("full jitter").
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(retry);
        Duration::from_nanos(hasher.finish() % (nanos + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for retry in 0..40 {
            let cap = (policy.base_delay * 2u32.pow(retry.min(20))).min(policy.max_delay);
            for _ in 0..20 {
                assert!(policy.backoff(retry) <= cap, "retry {retry}");
            }
        }
        let draws: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(8)).collect();
        assert!(draws.len() > 40, "full jitter spreads the delays");
        let zero = RetryPolicy {
            base_delay: Duration::ZERO,
            ..policy
        };
        assert_eq!(zero.backoff(3), Duration::ZERO);
    }
}
