//! Fixed-width date and time text for keys, written digit by digit: the
//! same text as the `%Y-%m-%dT%H:%M:%S%.9f` formats, without a format
//! interpreter on every key.

/// Pushes `value` as exactly `width` decimal digits (zero-padded; callers
/// pass values that fit).
fn push_digits(out: &mut String, mut value: u32, width: usize) {
    let mut digits = [b'0'; 10];
    for slot in digits[..width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    for &d in &digits[..width] {
        out.push(char::from(d));
    }
}

/// `YYYY-MM-DD`, for a year already checked to lie in 0..=9999.
pub(crate) fn push_date(out: &mut String, year: i32, month: u32, day: u32) {
    push_digits(out, year.unsigned_abs(), 4);
    out.push('-');
    push_digits(out, month, 2);
    out.push('-');
    push_digits(out, day, 2);
}

/// `THH:MM:SS.fffffffff`; a leap second (nanoseconds of 1e9 or more, as
/// chrono represents it) is second 60.
pub(crate) fn push_time(out: &mut String, hour: u32, minute: u32, second: u32, nanos: u32) {
    let (second, nanos) = if nanos >= 1_000_000_000 {
        (second + 1, nanos - 1_000_000_000)
    } else {
        (second, nanos)
    };
    out.push('T');
    push_digits(out, hour, 2);
    out.push(':');
    push_digits(out, minute, 2);
    out.push(':');
    push_digits(out, second, 2);
    out.push('.');
    push_digits(out, nanos, 9);
}
