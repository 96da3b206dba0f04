//! Key encodings for `time` types (feature `time`).

use super::calendar::{self, Civil, EpochUnit, Zone};
use super::format::{
    EpochMillis, EpochSeconds, KeyFormat, OrderedKeyFormat, Rfc3339, EPOCH_MILLIS, EPOCH_SECONDS,
};
use super::{malformed, KeyPart};
use crate::foundation::error::KeyPartError;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

fn civil(t: &PrimitiveDateTime) -> Civil {
    Civil {
        year: t.year(),
        month: u8::from(t.month()).into(),
        day: t.day().into(),
        hour: t.hour().into(),
        minute: t.minute().into(),
        second: t.second().into(),
        nanos: t.nanosecond(),
    }
}

fn date(year: i32, month: u32, day: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// `time` has no leap seconds: second 60 does not read back.
fn primitive(c: Civil) -> Option<PrimitiveDateTime> {
    let time = Time::from_hms_nano(
        u8::try_from(c.hour).ok()?,
        u8::try_from(c.minute).ok()?,
        u8::try_from(c.second).ok()?,
        c.nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date(c.year, c.month, c.day)?, time))
}

fn utc(t: &OffsetDateTime) -> PrimitiveDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    PrimitiveDateTime::new(utc.date(), utc.time())
}

/// Converted to UTC, RFC 3339 with 9 fractional digits
/// (`2026-05-24T09:00:00.000000000Z`); see [`Rfc3339`] for other
/// precisions and [`EpochSeconds`] / [`EpochMillis`] for epoch numbers.
/// The value read back is in UTC (equal as an instant).
impl KeyPart for OffsetDateTime {
    const EXPECTED: &'static str = Rfc3339::<9>::EXPECTED;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        <Rfc3339<9> as KeyFormat<Self>>::encode(self, out)
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        <Rfc3339<9> as KeyFormat<Self>>::decode(segment)
    }
}

impl<const DIGITS: usize> KeyFormat<OffsetDateTime> for Rfc3339<DIGITS> {
    const EXPECTED: &'static str = Rfc3339::<DIGITS>::EXPECTED;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode(value: &OffsetDateTime, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date_time::<DIGITS>(out, &civil(&utc(value)), Zone::Utc)
    }

    fn decode(segment: &str) -> Result<OffsetDateTime, KeyPartError> {
        calendar::parse_date_time(segment, DIGITS, Zone::Utc)
            .and_then(primitive)
            .map(PrimitiveDateTime::assume_utc)
            .ok_or_else(|| malformed(segment, Self::EXPECTED))
    }
}

impl<const DIGITS: usize> OrderedKeyFormat<OffsetDateTime> for Rfc3339<DIGITS> {}

fn from_epoch(seconds: i64, nanos: u32) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(seconds) * 1_000_000_000 + i128::from(nanos),
    )
    .ok()
}

/// Epoch seconds and milliseconds, the same code but for the unit.
macro_rules! epoch {
    ($($format:ident => $expected:ident, $millis:expr);* $(;)?) => {$(
        impl KeyFormat<OffsetDateTime> for $format {
            const EXPECTED: &'static str = $expected;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode(value: &OffsetDateTime, out: &mut String) -> Result<(), KeyPartError> {
                calendar::push_epoch(out, value.unix_timestamp(), value.nanosecond(), $millis)
            }

            fn decode(segment: &str) -> Result<OffsetDateTime, KeyPartError> {
                calendar::parse_epoch(segment, $millis)
                    .and_then(|(s, n)| from_epoch(s, n))
                    .ok_or_else(|| malformed(segment, $expected))
            }
        }

        impl OrderedKeyFormat<OffsetDateTime> for $format {}
    )*};
}

epoch!(EpochSeconds => EPOCH_SECONDS, EpochUnit::Seconds; EpochMillis => EPOCH_MILLIS, EpochUnit::Millis);

const PRIMITIVE_DATE_TIME: &str =
    "date-time with 9 fractional digits (2026-05-24T09:00:00.000000000)";

/// `YYYY-MM-DDTHH:MM:SS.fffffffff`.
impl KeyPart for PrimitiveDateTime {
    const EXPECTED: &'static str = PRIMITIVE_DATE_TIME;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date_time::<9>(out, &civil(self), Zone::Naive)
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        calendar::parse_date_time(segment, 9, Zone::Naive)
            .and_then(primitive)
            .ok_or_else(|| malformed(segment, PRIMITIVE_DATE_TIME))
    }
}

const DATE: &str = "date (2026-05-24)";

/// `YYYY-MM-DD`.
impl KeyPart for Date {
    const EXPECTED: &'static str = DATE;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        calendar::push_date(
            out,
            self.year(),
            u8::from(self.month()).into(),
            self.day().into(),
        )
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        calendar::parse_date(segment)
            .and_then(|(y, m, d)| date(y, m, d))
            .ok_or_else(|| malformed(segment, DATE))
    }
}
