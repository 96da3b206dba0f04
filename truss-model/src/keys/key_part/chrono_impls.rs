//! Key encodings for `chrono` types (feature `chrono`).

use super::calendar::{self, Civil, EpochUnit, Zone};
use super::format::{
    EpochMillis, EpochSeconds, KeyFormat, OrderedKeyFormat, Rfc3339, EPOCH_MILLIS, EPOCH_SECONDS,
};
use super::{malformed, KeyPart};
use crate::foundation::error::KeyPartError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

fn civil(t: &NaiveDateTime) -> Civil {
    Civil {
        year: t.year(),
        month: t.month(),
        day: t.day(),
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        nanos: t.nanosecond(),
    }
}

fn naive(c: Civil) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(c.year, c.month, c.day)?
        .and_hms_nano_opt(c.hour, c.minute, c.second, c.nanos)
}

/// RFC 3339 in UTC with 9 fractional digits
/// (`2026-05-24T09:00:00.000000000Z`); see [`Rfc3339`] for other
/// precisions and [`EpochSeconds`] / [`EpochMillis`] for epoch numbers.
impl KeyPart for DateTime<Utc> {
    const EXPECTED: &'static str = Rfc3339::<9>::EXPECTED;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        <Rfc3339<9> as KeyFormat<Self>>::encode(self, out)
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        <Rfc3339<9> as KeyFormat<Self>>::decode(segment)
    }

    #[inline]
    fn __strip_encoded<'k>(&self, key: &'k str) -> Option<&'k str> {
        <Rfc3339<9> as KeyFormat<Self>>::__strip_encoded(self, key)
    }
}

impl<const DIGITS: usize> KeyFormat<DateTime<Utc>> for Rfc3339<DIGITS> {
    const EXPECTED: &'static str = Rfc3339::<DIGITS>::EXPECTED;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode(value: &DateTime<Utc>, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date_time::<DIGITS>(out, &civil(&value.naive_utc()), Zone::Utc)
    }

    fn decode(segment: &str) -> Result<DateTime<Utc>, KeyPartError> {
        calendar::parse_date_time(segment, DIGITS, Zone::Utc)
            .and_then(naive)
            .map(|t| t.and_utc())
            .ok_or_else(|| malformed(segment, Self::EXPECTED))
    }

    /// Read in place: the segment's fields, as the strict reader reads
    /// them, are the value's (the reader accepts exactly what the writer
    /// writes, so equal fields are an equal segment).
    #[inline]
    fn __strip_encoded<'k>(value: &DateTime<Utc>, key: &'k str) -> Option<&'k str> {
        let len = calendar::date_time_len(DIGITS, Zone::Utc);
        let (segment, rest) = (key.get(..len)?, key.get(len..)?);
        (calendar::parse_date_time(segment, DIGITS, Zone::Utc)? == civil(&value.naive_utc()))
            .then_some(rest)
    }
}

impl<const DIGITS: usize> OrderedKeyFormat<DateTime<Utc>> for Rfc3339<DIGITS> {}

/// Epoch seconds and milliseconds, the same code but for the unit.
macro_rules! epoch {
    ($($format:ident => $expected:ident, $millis:expr);* $(;)?) => {$(
        impl KeyFormat<DateTime<Utc>> for $format {
            const EXPECTED: &'static str = $expected;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode(value: &DateTime<Utc>, out: &mut String) -> Result<(), KeyPartError> {
                calendar::push_epoch(out, value.timestamp(), value.timestamp_subsec_nanos(), $millis)
            }

            fn decode(segment: &str) -> Result<DateTime<Utc>, KeyPartError> {
                calendar::parse_epoch(segment, $millis)
                    .and_then(|(s, n)| Utc.timestamp_opt(s, n).single())
                    .ok_or_else(|| malformed(segment, $expected))
            }
        }

        impl OrderedKeyFormat<DateTime<Utc>> for $format {}
    )*};
}

epoch!(EpochSeconds => EPOCH_SECONDS, EpochUnit::Seconds; EpochMillis => EPOCH_MILLIS, EpochUnit::Millis);

const NAIVE_DATE_TIME: &str = "date-time with 9 fractional digits (2026-05-24T09:00:00.000000000)";

/// `YYYY-MM-DDTHH:MM:SS.fffffffff`.
impl KeyPart for NaiveDateTime {
    const EXPECTED: &'static str = NAIVE_DATE_TIME;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date_time::<9>(out, &civil(self), Zone::Naive)
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        calendar::parse_date_time(segment, 9, Zone::Naive)
            .and_then(naive)
            .ok_or_else(|| malformed(segment, NAIVE_DATE_TIME))
    }
}

const DATE: &str = "date (2026-05-24)";

/// `YYYY-MM-DD`.
impl KeyPart for NaiveDate {
    const EXPECTED: &'static str = DATE;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date(out, self.year(), self.month(), self.day())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        calendar::parse_date(segment)
            .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            .ok_or_else(|| malformed(segment, DATE))
    }
}
