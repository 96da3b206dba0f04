//! Key encodings for `chrono` types (feature `chrono`).

use super::calendar::{push_date, push_time};
use super::{check_year, malformed, KeyPart};
use crate::error::KeyPartError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

/// `YYYY-MM-DDTHH:MM:SS.fffffffffZ` in UTC. Reading also accepts any RFC 3339
/// timestamp (such as `2026-05-24T09:00:00Z` written by other tools).
impl KeyPart for DateTime<Utc> {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        self.naive_utc().encode_key(out)?;
        out.push('Z');
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        DateTime::parse_from_rfc3339(segment)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| malformed(segment, "RFC 3339 timestamp"))
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffff`.
impl KeyPart for NaiveDateTime {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        check_year(self.year())?;
        push_date(out, self.year(), self.month(), self.day());
        push_time(
            out,
            self.hour(),
            self.minute(),
            self.second(),
            self.nanosecond(),
        );
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        NaiveDateTime::parse_from_str(segment, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| malformed(segment, "date-time"))
    }
}

/// `YYYY-MM-DD`.
impl KeyPart for NaiveDate {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        check_year(self.year())?;
        push_date(out, self.year(), self.month(), self.day());
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        // Only the canonical form: chrono also accepts padding and unpadded
        // fields, which would give one date several keys.
        NaiveDate::parse_from_str(segment, "%Y-%m-%d")
            .ok()
            .filter(|d| check_year(d.year()).is_ok() && d.format("%Y-%m-%d").to_string() == segment)
            .ok_or_else(|| malformed(segment, "date (YYYY-MM-DD)"))
    }
}
