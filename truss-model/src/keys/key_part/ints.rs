//! Integer encodings: fixed width by type (the default), a chosen width,
//! or unpadded decimal.

use super::format::{KeyFormat, OrderedKeyFormat, Unpadded, Width};
use super::KeyPart;
use crate::foundation::error::KeyPartError;

fn malformed(segment: &str, expected: &'static str) -> KeyPartError {
    KeyPartError::Malformed {
        segment: segment.to_owned(),
        expected,
    }
}

/// Pushes `value` zero-padded to `width` digits.
fn push_padded(out: &mut String, value: u128, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(value);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

/// Whether `segment` is `value` zero-padded to `width` digits, read in
/// place (the digits' value, without writing the segment).
#[inline]
fn is_padded(segment: &str, value: u128, width: usize) -> bool {
    if segment.len() != width {
        return false;
    }
    let mut read: u128 = 0;
    for b in segment.bytes() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return false;
        }
        // `width` digits of a padded type never overflow a u128 (39 at most
        // for u128, whose segments are checked digit by digit as well).
        read = match read
            .checked_mul(10)
            .and_then(|r| r.checked_add(u128::from(digit)))
        {
            Some(r) => r,
            None => return false,
        };
    }
    read == value
}

/// Parses exactly `width` ASCII digits.
fn parse_digits(segment: &str, width: usize, expected: &'static str) -> Result<u128, KeyPartError> {
    if segment.len() != width || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(segment, expected));
    }
    segment
        .parse::<u128>()
        .map_err(|_| malformed(segment, expected))
}

/// Plain decimal as Rust prints it: no sign for positives, no leading
/// zeros, no `-0`.
fn is_plain_decimal(segment: &str) -> bool {
    let digits = segment.strip_prefix('-').unwrap_or(segment);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" && digits.len() == segment.len() || !digits.starts_with('0'))
}

macro_rules! unsigned {
    ($($t:ty => $width:expr, $expected:expr, $width_expected:expr);* $(;)?) => {$(
        impl KeyPart for $t {
            const EXPECTED: &'static str = $expected;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
                push_padded(out, u128::from(*self), $width);
                Ok(())
            }

            fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
                let value = parse_digits(segment, $width, $expected)?;
                <$t>::try_from(value).map_err(|_| malformed(segment, $expected))
            }

            #[inline]
            fn __strip_encoded<'k>(&self, key: &'k str) -> Option<&'k str> {
                let (segment, rest) = (key.get(..$width)?, key.get($width..)?);
                is_padded(segment, u128::from(*self), $width).then_some(rest)
            }
        }

        impl<const N: usize> KeyFormat<$t> for Width<N> {
            const EXPECTED: &'static str = $width_expected;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode(value: &$t, out: &mut String) -> Result<(), KeyPartError> {
                let start = out.len();
                push_padded(out, u128::from(*value), N);
                if out.len() - start > N {
                    out.truncate(start);
                    return Err(KeyPartError::OutOfRange(format!(
                        "{value} has more than the {N} digits of the field's key format"
                    )));
                }
                Ok(())
            }

            fn decode(segment: &str) -> Result<$t, KeyPartError> {
                let value = parse_digits(segment, N, $width_expected)?;
                <$t>::try_from(value).map_err(|_| malformed(segment, $width_expected))
            }
        }

        impl<const N: usize> OrderedKeyFormat<$t> for Width<N> {}
    )*};
}

unsigned!(
    u8 => 3, "u8, 3 digits zero-padded (042)", "unsigned integer, zero-padded to the field's width";
    u16 => 5, "u16, 5 digits zero-padded (00042)", "unsigned integer, zero-padded to the field's width";
    u32 => 10, "u32, 10 digits zero-padded (0000000042)", "unsigned integer, zero-padded to the field's width";
    u64 => 20, "u64, 20 digits zero-padded", "unsigned integer, zero-padded to the field's width";
    u128 => 39, "u128, 39 digits zero-padded", "unsigned integer, zero-padded to the field's width";
);

macro_rules! signed {
    ($($t:ty as $u:ty => $width:expr, $expected:expr);* $(;)?) => {$(
        impl KeyPart for $t {
            const EXPECTED: &'static str = $expected;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
                // Flipping the sign bit maps MIN..=MAX onto 0..=uMAX in order.
                let offset = (*self as $u) ^ (1 << (<$u>::BITS - 1));
                push_padded(out, u128::from(offset), $width);
                Ok(())
            }

            fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
                let value = parse_digits(segment, $width, $expected)?;
                let offset = <$u>::try_from(value).map_err(|_| malformed(segment, $expected))?;
                Ok((offset ^ (1 << (<$u>::BITS - 1))) as $t)
            }
        }
    )*};
}

signed!(
    i8 as u8 => 3, "i8, offset by 128 and 3 digits zero-padded (128 for 0)";
    i16 as u16 => 5, "i16, offset by 2^15 and 5 digits zero-padded";
    i32 as u32 => 10, "i32, offset by 2^31 and 10 digits zero-padded";
    i64 as u64 => 20, "i64, offset by 2^63 and 20 digits zero-padded";
    i128 as u128 => 39, "i128, offset by 2^127 and 39 digits zero-padded";
);

const UNPADDED: &str = "integer in plain decimal (42, -7)";

macro_rules! unpadded {
    ($($t:ty),*) => {$(
        impl KeyFormat<$t> for Unpadded {
            const EXPECTED: &'static str = UNPADDED;
            const __VALID_BY_CONSTRUCTION: bool = true;

            fn encode(value: &$t, out: &mut String) -> Result<(), KeyPartError> {
                out.push_str(itoa::Buffer::new().format(*value));
                Ok(())
            }

            fn decode(segment: &str) -> Result<$t, KeyPartError> {
                if !is_plain_decimal(segment) {
                    return Err(malformed(segment, UNPADDED));
                }
                segment.parse().map_err(|_| malformed(segment, UNPADDED))
            }
        }
    )*};
}

unpadded!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);
