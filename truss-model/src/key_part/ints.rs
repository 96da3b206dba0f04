//! Fixed-width, order-preserving integer encodings.

use super::KeyPart;
use crate::error::KeyPartError;
use std::fmt::Write as _;

fn malformed(segment: &str, expected: &'static str) -> KeyPartError {
    KeyPartError::Malformed {
        segment: segment.to_owned(),
        expected,
    }
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

macro_rules! unsigned {
    ($($t:ty => $width:expr),* $(,)?) => {$(
        impl KeyPart for $t {
            fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
                let _ = write!(out, "{:0width$}", self, width = $width);
                Ok(())
            }

            fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
                let value = parse_digits(segment, $width, stringify!($t))?;
                <$t>::try_from(value).map_err(|_| malformed(segment, stringify!($t)))
            }
        }
    )*};
}

unsigned!(u8 => 3, u16 => 5, u32 => 10, u64 => 20, u128 => 39);

macro_rules! signed {
    ($($t:ty as $u:ty => $width:expr),* $(,)?) => {$(
        impl KeyPart for $t {
            fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
                // Flipping the sign bit maps MIN..=MAX onto 0..=uMAX in order.
                let offset = (*self as $u) ^ (1 << (<$u>::BITS - 1));
                let _ = write!(out, "{:0width$}", offset, width = $width);
                Ok(())
            }

            fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
                let value = parse_digits(segment, $width, stringify!($t))?;
                let offset = <$u>::try_from(value).map_err(|_| malformed(segment, stringify!($t)))?;
                Ok((offset ^ (1 << (<$u>::BITS - 1))) as $t)
            }
        }
    )*};
}

signed!(i8 as u8 => 3, i16 as u16 => 5, i32 as u32 => 10, i64 as u64 => 20, i128 as u128 => 39);
