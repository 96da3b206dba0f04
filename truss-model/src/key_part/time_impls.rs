//! Key encodings for `time` types (feature `time`).

use super::calendar::{push_date, push_time};
use super::{check_year, malformed, KeyPart};
use crate::error::KeyPartError;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Converted to UTC, `YYYY-MM-DDTHH:MM:SS.fffffffffZ`. Reading also accepts
/// any RFC 3339 timestamp; the value read back is in UTC (equal as an
/// instant).
impl KeyPart for OffsetDateTime {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        let utc = self.to_offset(UtcOffset::UTC);
        PrimitiveDateTime::new(utc.date(), utc.time()).encode_key(out)?;
        out.push('Z');
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        OffsetDateTime::parse(segment, &Rfc3339)
            .map(|t| t.to_offset(UtcOffset::UTC))
            .map_err(|_| malformed(segment, "RFC 3339 timestamp"))
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffff`.
impl KeyPart for PrimitiveDateTime {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        check_year(self.year())?;
        push_date(
            out,
            self.year(),
            u8::from(self.month()).into(),
            self.day().into(),
        );
        push_time(
            out,
            self.hour().into(),
            self.minute().into(),
            self.second().into(),
            self.nanosecond(),
        );
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]"
        );
        PrimitiveDateTime::parse(segment, format).map_err(|_| malformed(segment, "date-time"))
    }
}

/// `YYYY-MM-DD`.
impl KeyPart for Date {
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        check_year(self.year())?;
        push_date(
            out,
            self.year(),
            u8::from(self.month()).into(),
            self.day().into(),
        );
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        let format = format_description!("[year]-[month]-[day]");
        Date::parse(segment, format)
            .ok()
            .filter(|d| {
                check_year(d.year()).is_ok() && d.format(format).ok().as_deref() == Some(segment)
            })
            .ok_or_else(|| malformed(segment, "date (YYYY-MM-DD)"))
    }
}
