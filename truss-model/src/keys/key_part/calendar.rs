//! Fixed-width date and time text for keys, written and read digit by
//! digit: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.f…][Z]` at a chosen number of
//! fractional digits, and epoch seconds or milliseconds. One writer and one
//! strict reader serve chrono and time alike, so both libraries' values
//! have the same keys, and a segment reads back only in the exact form it
//! is written in (no padding, no other offsets, no other precision).

use super::KeyPartError;

/// A UTC calendar date and time of day; `nanos` may reach 1e9 or more for
/// a leap second (as chrono represents it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) nanos: u32,
}

const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// Whether a date-time ends in `Z` (an instant in UTC) or in nothing (a
/// date-time with no zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    Utc,
    Naive,
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EpochUnit {
    Seconds,
    Millis,
}

/// Writes `value` into `slots` as exactly `slots.len()` decimal digits
/// (zero-padded; callers pass values that fit).
fn put_digits(slots: &mut [u8], mut value: u64) {
    for slot in slots.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Appends ASCII text built in a stack buffer, in one copy.
fn push_ascii(out: &mut String, text: &[u8]) {
    if let Ok(text) = std::str::from_utf8(text) {
        out.push_str(text);
    }
}

/// Reads a run of ASCII digits (at most 19, so it fits a `u64`).
fn digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

/// The fixed-width encodings cover years 0000 to 9999.
pub(crate) fn check_year(year: i32) -> Result<(), KeyPartError> {
    if (0..=9999).contains(&year) {
        Ok(())
    } else {
        Err(KeyPartError::OutOfRange(format!(
            "year {year} is outside 0000..=9999, the range of the fixed-width key encoding"
        )))
    }
}

/// `YYYY-MM-DD` into the first 10 bytes of `buf`.
fn put_date(buf: &mut [u8], year: i32, month: u32, day: u32) -> Result<(), KeyPartError> {
    check_year(year)?;
    put_digits(&mut buf[..4], u64::from(year.unsigned_abs()));
    buf[4] = b'-';
    put_digits(&mut buf[5..7], month.into());
    buf[7] = b'-';
    put_digits(&mut buf[8..10], day.into());
    Ok(())
}

/// `YYYY-MM-DD`.
pub(crate) fn push_date(
    out: &mut String,
    year: i32,
    month: u32,
    day: u32,
) -> Result<(), KeyPartError> {
    let mut buf = [0u8; 10];
    put_date(&mut buf, year, month, day)?;
    push_ascii(out, &buf);
    Ok(())
}

/// Reads exactly `YYYY-MM-DD` (the calendar check is the caller's).
pub(crate) fn parse_date(segment: &str) -> Option<(i32, u32, u32)> {
    let b = segment.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Some((
        i32::try_from(digits(&b[..4])?).ok()?,
        u32::try_from(digits(&b[5..7])?).ok()?,
        u32::try_from(digits(&b[8..])?).ok()?,
    ))
}

/// The name of a precision, for messages.
pub(crate) const fn precision_name(fraction: usize) -> &'static str {
    match fraction {
        0 => "seconds",
        1 => "tenths of a second",
        2 => "hundredths of a second",
        3 => "milliseconds",
        4..=5 => "fractions of a millisecond",
        6 => "microseconds",
        7..=8 => "fractions of a microsecond",
        _ => "nanoseconds",
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, then `.` and `fraction` digits (nothing when 0),
/// then `Z` when `zone`. A value with digits below the precision is an
/// error: two values would share one key.
pub(crate) fn push_date_time<const FRACTION: usize>(
    out: &mut String,
    t: &Civil,
    zone: Zone,
) -> Result<(), KeyPartError> {
    let fraction = FRACTION;
    let (second, nanos) = if t.nanos >= NANOS_PER_SECOND {
        (t.second + 1, t.nanos - NANOS_PER_SECOND)
    } else {
        (t.second, t.nanos)
    };
    let unit = 10u32.pow(9 - fraction.min(9) as u32);
    if nanos % unit != 0 {
        return Err(KeyPartError::OutOfRange(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{nanos:09} has digits below {}, which the field's key format does not keep; truncate the value first (chrono: `trunc_subsecs({fraction})`, time: `replace_nanosecond`)",
            t.year,
            t.month,
            t.day,
            t.hour,
            t.minute,
            second,
            precision_name(fraction)
        )));
    }
    // Written into a stack buffer and appended in one copy: this runs for
    // every key written and for every item read (the key check).
    let mut buf = [0u8; 30];
    put_date(&mut buf, t.year, t.month, t.day)?;
    buf[10] = b'T';
    put_digits(&mut buf[11..13], t.hour.into());
    buf[13] = b':';
    put_digits(&mut buf[14..16], t.minute.into());
    buf[16] = b':';
    put_digits(&mut buf[17..19], second.into());
    let mut len = 19;
    if fraction > 0 {
        let digits = fraction.min(9);
        buf[19] = b'.';
        put_digits(&mut buf[20..20 + digits], u64::from(nanos / unit));
        len += 1 + digits;
    }
    if zone == Zone::Utc {
        buf[len] = b'Z';
        len += 1;
    }
    push_ascii(out, &buf[..len]);
    Ok(())
}

/// The length of what [`push_date_time`] writes for `fraction` and `zone`.
#[inline]
pub(crate) const fn date_time_len(fraction: usize, zone: Zone) -> usize {
    let fraction_len = if fraction > 0 { fraction + 1 } else { 0 };
    19 + fraction_len + if matches!(zone, Zone::Utc) { 1 } else { 0 }
}

/// Reads exactly what [`push_date_time`] writes for `fraction` and `zone`;
/// second 60 (a leap second) comes back as second 59 with `nanos` of 1e9 or
/// more. The calendar check is the caller's.
pub(crate) fn parse_date_time(segment: &str, fraction: usize, zone: Zone) -> Option<Civil> {
    let b = segment.as_bytes();
    if b.len() != date_time_len(fraction, zone) {
        return None;
    }
    let (year, month, day) = parse_date(segment.get(..10)?)?;
    if b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if zone == Zone::Utc && b[b.len() - 1] != b'Z' {
        return None;
    }
    let mut nanos = 0;
    if fraction > 0 {
        if b[19] != b'.' {
            return None;
        }
        let unit = 10u64.pow(9 - fraction.min(9) as u32);
        nanos = u32::try_from(digits(&b[20..20 + fraction])? * unit).ok()?;
    }
    let second = u32::try_from(digits(&b[17..19])?).ok()?;
    let (second, nanos) = if second == 60 {
        (59, nanos + NANOS_PER_SECOND)
    } else {
        (second, nanos)
    };
    Some(Civil {
        year,
        month,
        day,
        hour: u32::try_from(digits(&b[11..13])?).ok()?,
        minute: u32::try_from(digits(&b[14..16])?).ok()?,
        second,
        nanos,
    })
}

/// Seconds (10 digits) or milliseconds (13 digits) since 1970-01-01 UTC:
/// widths that hold every instant from 1970 to 2286, and that other tools
/// write unpadded for every instant since 2001.
pub(crate) fn push_epoch(
    out: &mut String,
    seconds: i64,
    nanos: u32,
    unit: EpochUnit,
) -> Result<(), KeyPartError> {
    let (value, width, unit, lost) = if unit == EpochUnit::Millis {
        (
            i128::from(seconds) * 1000 + i128::from(nanos / 1_000_000),
            13,
            "milliseconds",
            !nanos.is_multiple_of(1_000_000),
        )
    } else {
        (i128::from(seconds), 10, "seconds", nanos != 0)
    };
    if nanos >= NANOS_PER_SECOND {
        return Err(KeyPartError::OutOfRange(
            "a leap second has no epoch time of its own".into(),
        ));
    }
    if lost {
        return Err(KeyPartError::OutOfRange(format!(
            "{seconds}.{nanos:09} s has digits below {unit}, which the field's key format does not keep; truncate the value first"
        )));
    }
    match u64::try_from(value) {
        Ok(v) if v < 10u64.pow(width) => {
            let mut buf = [0u8; 13];
            let slots = &mut buf[..width as usize];
            put_digits(slots, v);
            push_ascii(out, slots);
            Ok(())
        }
        _ => Err(KeyPartError::OutOfRange(format!(
            "epoch {unit} {value} are outside the {width}-digit key format (1970 to 2286)"
        ))),
    }
}

/// Reads exactly what [`push_epoch`] writes: seconds and nanoseconds.
pub(crate) fn parse_epoch(segment: &str, unit: EpochUnit) -> Option<(i64, u32)> {
    let millis = unit == EpochUnit::Millis;
    let width = if millis { 13 } else { 10 };
    if segment.len() != width {
        return None;
    }
    let value = i64::try_from(digits(segment.as_bytes())?).ok()?;
    Some(if millis {
        (value / 1000, (value % 1000) as u32 * 1_000_000)
    } else {
        (value, 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(nanos: u32) -> Civil {
        Civil {
            year: 2026,
            month: 5,
            day: 24,
            hour: 9,
            minute: 0,
            second: 1,
            nanos,
        }
    }

    fn text(t: &Civil, fraction: usize, zone: bool) -> Result<String, KeyPartError> {
        let zone = if zone { Zone::Utc } else { Zone::Naive };
        let mut out = String::new();
        match fraction {
            0 => push_date_time::<0>(&mut out, t, zone),
            3 => push_date_time::<3>(&mut out, t, zone),
            6 => push_date_time::<6>(&mut out, t, zone),
            _ => push_date_time::<9>(&mut out, t, zone),
        }
        .map(|()| out)
    }

    #[test]
    fn writes_each_precision_and_reads_only_it() {
        let t = civil(123_000_000);
        assert_eq!(
            text(&civil(0), 0, true).as_deref(),
            Ok("2026-05-24T09:00:01Z")
        );
        assert_eq!(text(&t, 3, true).as_deref(), Ok("2026-05-24T09:00:01.123Z"));
        assert_eq!(
            text(&t, 6, true).as_deref(),
            Ok("2026-05-24T09:00:01.123000Z")
        );
        assert_eq!(
            text(&t, 9, false).as_deref(),
            Ok("2026-05-24T09:00:01.123000000")
        );
        assert!(matches!(
            text(&t, 0, true),
            Err(KeyPartError::OutOfRange(_))
        ));
        assert_eq!(
            parse_date_time("2026-05-24T09:00:01.123Z", 3, Zone::Utc),
            Some(t)
        );
        for bad in [
            "2026-05-24T09:00:01.123",
            "2026-05-24T09:00:01.1230Z",
            "2026-05-24T09:00:01Z",
            "2026-05-24 09:00:01.123Z",
            "2026-05-24T09:00:01.123z",
            "+026-05-24T09:00:01.123Z",
            "2026-05-24T09:00:01.12 Z",
        ] {
            assert_eq!(parse_date_time(bad, 3, Zone::Utc), None, "{bad}");
        }
    }

    #[test]
    fn epoch_widths_and_range() {
        let mut out = String::new();
        push_epoch(&mut out, 1_780_000_000, 5_000_000, EpochUnit::Millis).expect("fits");
        assert_eq!(out, "1780000000005");
        assert_eq!(
            parse_epoch(&out, EpochUnit::Millis),
            Some((1_780_000_000, 5_000_000))
        );
        out.clear();
        push_epoch(&mut out, 7, 0, EpochUnit::Seconds).expect("fits");
        assert_eq!(out, "0000000007");
        let out_of_range = |seconds, nanos| {
            matches!(
                push_epoch(&mut String::new(), seconds, nanos, EpochUnit::Seconds),
                Err(KeyPartError::OutOfRange(_))
            )
        };
        assert!(out_of_range(-1, 0));
        assert!(out_of_range(10_000_000_000, 0));
        assert!(out_of_range(1, 1), "sub-second digits");
        assert_eq!(parse_epoch("178000000", EpochUnit::Seconds), None);
        assert_eq!(parse_epoch("+780000000", EpochUnit::Seconds), None);
    }
}
