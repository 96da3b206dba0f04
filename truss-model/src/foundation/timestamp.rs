//! Timestamps the library keeps (`#[truss(created_at)]`,
//! `#[truss(updated_at)]`): the types that can hold one, and the contract
//! the derive declares them with.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};

/// A type a kept timestamp can have: the time of a write, stored as the
/// type's serde form. `DateTime<Utc>` (feature `chrono`) stores RFC 3339
/// text; `i64` and `u64` store epoch seconds as a number; `Option<T>`
/// stores `T`. A field written through `#[serde(with = ...)]` stores what
/// that function writes (`time::serde::rfc3339` on an `OffsetDateTime`,
/// for example, with `OffsetDateTime` here from feature `time`).
pub trait Timestamp: Serialize {
    /// The time `at`, one write's time for every kept timestamp it writes.
    fn at(at: SystemTime) -> Self;
}

/// Seconds since the Unix epoch (0 for a time before 1970).
fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Timestamp for u64 {
    fn at(at: SystemTime) -> Self {
        epoch_seconds(at)
    }
}

impl Timestamp for i64 {
    fn at(at: SystemTime) -> Self {
        i64::try_from(epoch_seconds(at)).unwrap_or(i64::MAX)
    }
}

impl<T: Timestamp> Timestamp for Option<T> {
    fn at(at: SystemTime) -> Self {
        Some(T::at(at))
    }
}

#[cfg(feature = "chrono")]
impl Timestamp for chrono::DateTime<chrono::Utc> {
    fn at(at: SystemTime) -> Self {
        at.into()
    }
}

#[cfg(feature = "time")]
impl Timestamp for time::OffsetDateTime {
    fn at(at: SystemTime) -> Self {
        at.into()
    }
}

/// A kept timestamp's attribute and the current time as it stores it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    /// The attribute.
    pub attribute: &'static str,
    /// The time of the write, as the field stores it.
    pub at: fn(SystemTime) -> Result<AttributeValue, String>,
}
