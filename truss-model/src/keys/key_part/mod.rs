//! Turning field values into key segments and back.
//!
//! **One value, one key.** Every encoding reads back exactly the text it
//! writes (`encode(decode(s)) == s`, byte for byte) and nothing else: a
//! timestamp key in another precision or offset, an integer with other
//! padding, a string escaped differently is an error, never a value that
//! would be written back under another key. The library checks this on
//! every item it reads, for built-in and custom encodings alike: an item
//! whose keys are not exactly the keys its decoded value renders to is an
//! [`Error::Decode`](crate::Error::Decode) naming the key attribute, the
//! field, the segment and the expected format.
//!
//! Every encoding preserves order unless it says otherwise: for two values
//! `a < b`, the encoded segments compare `a' < b'` byte by byte (which is
//! how DynamoDB orders string keys). Encoded segments never contain the `#`
//! delimiter, any character below `%`, or U+10FFFF, so:
//!
//! - every key parses back into exactly the values that built it;
//! - the delimiter sorts below every value character, so composite keys sort
//!   like tuples of their values (`("v1", t)` sorts before `("v1a", t)` and
//!   `CLIP#v1#` is never a prefix of a `v10` key);
//! - range queries can use `$` and U+10FFFF as bounds that no key equals.
//!
//! # Default encodings ([`KeyPart`])
//!
//! | type | encoding | example |
//! |---|---|---|
//! | `String` | as is, with bytes `0x00..=0x25` (controls, space, `!"#$%`) escaped as `%XX` | `a#b` → `a%23b` |
//! | unsigned integers | zero-padded to the type's widest value | `7u16` → `00007` |
//! | signed integers | offset by `2^(bits-1)`, then zero-padded | `-1i8` → `127` |
//! | `bool` | `false` / `true` | |
//! | dates (`chrono`, `time` features) | `YYYY-MM-DD` | `2026-05-24` |
//! | `uuid::Uuid` (`uuid` feature) | lower-case hyphenated; v7 ids sort by time | `0190a6e4-5b7c-7d3e-9f10-2a3b4c5d6e7f` |
//! | `ulid::Ulid` (`ulid` feature) | 26 upper-case Crockford base-32 characters; sorts by time | `01J2Z3Y4X5W6V7T8S9R0QPNMKH` |
//! | timestamps (`chrono`, `time` features) | UTC, nanoseconds, fixed width | `2026-05-24T09:00:00.000000000Z` |
//! | `#[derive(KeyPart)]` unit enums | the variant's serde name, escaped like a `String` | `InTransit` → `IN_TRANSIT` with `rename_all = "SCREAMING_SNAKE_CASE"` |
//! | `#[derive(KeyPart)]` single-field structs | the field's encoding | `OrderId("o1")` → `o1` |
//!
//! Empty strings are rejected ([`KeyPartError::Empty`]): DynamoDB rejects
//! empty key attributes and an empty segment reads like a missing one.
//!
//! # Key formats for existing tables ([`KeyFormat`])
//!
//! A table written by another tool has its own key text. Declare it per
//! field with `#[truss(key_format = "...")]`, and keys are matched exactly
//! and written back unchanged:
//!
//! | `key_format` | for | writes | order |
//! |---|---|---|---|
//! | `"rfc3339_secs"` | `DateTime<Utc>`, `OffsetDateTime` | `2026-05-24T09:00:00Z` (the AWS CLI, scripts) | kept |
//! | `"rfc3339_millis"` | same | `2026-05-24T09:00:00.123Z` (JavaScript's `toISOString()`) | kept |
//! | `"rfc3339_micros"` / `"rfc3339_nanos"` | same | 6 / 9 fractional digits (nanos is the default) | kept |
//! | `"epoch_secs"` / `"epoch_millis"` | same | `1779613200` (10 digits) / `1779613200123` (13 digits, `Date.now()`) | kept |
//! | `"width(6)"` | unsigned integers | `000042` | kept |
//! | `"unpadded"` | integers | `42`, `-7` | **not kept**: range conditions do not compile |
//! | `"lowercase"` | `String` | `jane.doe` for `Jane.Doe`, escaped like `String`; lossy: read back from a key, the value is lower case | kept (of the lower-case text) |
//! | `"verbatim"` | `String` | `Mr Mime` exactly as it is (DynamoDB-Toolbox, hand-written `${name}` keys); a value holding `#` is refused | **not kept**: range conditions do not compile |
//! | `"verbatim_lowercase"` | `String` | `big cat rescue` for `Big Cat Rescue` (ElectroDB's default casing); a value holding `#` is refused | **not kept** |
//! | `MyFormat` (a path) | anything | your [`KeyFormat`] implementation | if it implements [`OrderedKeyFormat`] |
//!
//! A value that a format cannot hold exactly (a timestamp with digits below
//! the format's precision, a number wider than its width, a date outside
//! 1970-2286 in epoch seconds) is refused when written, with
//! [`Error::InvalidKey`](crate::Error::InvalidKey): two values would
//! otherwise share one key.
//!
//! # Implementing `KeyPart` for your own type
//!
//! Derive it for unit enums and newtypes (see
//! [`derive@KeyPart`](crate::KeyPart)), or delegate to an existing encoding:
//!
//! ```
//! use truss_model::key_part::KeyPartError;
//! use truss_model::KeyPart;
//!
//! #[derive(Debug, Clone, PartialEq)]
//! pub struct CreatorId(String);
//!
//! impl KeyPart for CreatorId {
//!     const EXPECTED: &'static str = "a creator id";
//!
//!     fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
//!         self.0.encode_key(out)
//!     }
//!     fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
//!         String::decode_key(segment).map(CreatorId)
//!     }
//! }
//! ```
//!
//! The library checks every segment a `KeyPart` produces; one that breaks
//! the rules above is refused with [`KeyPartError::ReservedChar`] or
//! [`KeyPartError::Empty`] before any request is sent. A `decode_key` that
//! accepts text its `encode_key` would not write is caught on read
//! ([`KeyPartError::NotCanonical`]).

#[cfg(any(feature = "chrono", feature = "time"))]
mod calendar;
#[cfg(feature = "chrono")]
mod chrono_impls;
mod format;
#[cfg(any(feature = "uuid", feature = "ulid"))]
mod id_impls;
mod ints;
pub(crate) mod serde_name;
#[cfg(feature = "time")]
mod time_impls;

pub use crate::foundation::error::KeyPartError;
pub(crate) use format::decode_exact;
pub use format::{
    EpochMillis, EpochSeconds, KeyFormat, Keyed, Lowercase, Native, OrderedKeyFormat, Rfc3339,
    Unpadded, Verbatim, VerbatimLowercase, Width,
};

pub(crate) mod part;
pub(crate) use part::KeyPart;

pub(crate) use crate::foundation::alphabet::MAX_CHAR;
use crate::foundation::alphabet::{BOUND, ESCAPE};

/// Bytes up to this one are reserved in encoded segments (`$` is the bound).
const BOUND_BYTE: u8 = BOUND as u8;
/// Values escape every byte up to this one (`%`).
const ESCAPE_BYTE: u8 = ESCAPE as u8;

/// Appends `value` in format `F` and checks that the segment follows the
/// key format's rules (unless `F` is one of the library's own encodings,
/// valid by construction). Every key segment written goes through here.
#[inline]
pub(crate) fn write_segment<T, F: KeyFormat<T>>(
    value: &T,
    out: &mut String,
) -> Result<(), KeyPartError> {
    let start = out.len();
    F::encode(value, out)?;
    if F::__VALID_BY_CONSTRUCTION {
        Ok(())
    } else {
        check_segment(&out[start..])
    }
}

/// Checks that an encoded segment follows the key format's rules.
pub(crate) fn check_segment(segment: &str) -> Result<(), KeyPartError> {
    if segment.is_empty() {
        return Err(KeyPartError::Empty);
    }
    // Reserved characters are ASCII bytes up to `$`, and U+10FFFF, whose
    // UTF-8 form is the only one starting with F4 8F BF BF.
    for (i, b) in segment.bytes().enumerate() {
        if b <= BOUND_BYTE {
            return Err(KeyPartError::ReservedChar(char::from(b)));
        }
        if b == 0xF4 && segment[i..].starts_with(MAX_CHAR) {
            return Err(KeyPartError::ReservedChar(MAX_CHAR));
        }
    }
    Ok(())
}

#[cfg(any(
    feature = "chrono",
    feature = "time",
    feature = "uuid",
    feature = "ulid"
))]
pub(crate) fn malformed(segment: &str, expected: &'static str) -> KeyPartError {
    KeyPartError::Malformed {
        segment: segment.to_owned(),
        expected,
    }
}

/// Whether `value` has a byte [`escape_into`] does not copy as it is (one
/// up to `%`, or the first of a U+10FFFF): a word at a time, as the read's
/// key check tests a stored segment (a value is its own segment exactly
/// when it has no such byte). Keys are short: a vectorized pass over the
/// bytes cost more to set up than eight bytes at a time.
#[inline]
fn needs_escape(value: &str) -> bool {
    let bytes = value.as_bytes();
    !is_own_segment(bytes, bytes)
}

/// Whether `stored` is `value`, byte for byte, and `value` has no byte to
/// escape: both checked together, a word at a time (the last word
/// overlapping the one before it; short values in two overlapping
/// half-words).
#[inline]
fn is_own_segment(value: &[u8], stored: &[u8]) -> bool {
    let len = value.len();
    if len != stored.len() {
        return false;
    }
    if len >= 8 {
        let mut at = 0;
        while at + 8 < len {
            if !same_plain_word(&value[at..at + 8], &stored[at..at + 8]) {
                return false;
            }
            at += 8;
        }
        same_plain_word(&value[len - 8..], &stored[len - 8..])
    } else if len >= 4 {
        same_plain_half(&value[..4], &stored[..4])
            && same_plain_half(&value[len - 4..], &stored[len - 4..])
    } else {
        value
            .iter()
            .zip(stored)
            .all(|(a, b)| a == b && *a > ESCAPE_BYTE && *a != 0xF4)
    }
}

/// Eight equal bytes, none to escape: a byte below `&` or equal to 0xF4 is
/// found by the classic below-a-bound and zero-byte tests, per byte.
#[inline]
fn same_plain_word(value: &[u8], stored: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(bytes);
        u64::from_ne_bytes(w)
    };
    let (a, b) = (word(value), word(stored));
    let below = a.wrapping_sub(ONES * u64::from(ESCAPE_BYTE + 1)) & !a;
    let f4 = a ^ (ONES * 0xF4);
    let f4 = f4.wrapping_sub(ONES) & !f4;
    a == b && (below | f4) & HIGH == 0
}

/// [`same_plain_word`] for four bytes (widened with a byte that needs no
/// escape).
#[inline]
fn same_plain_half(value: &[u8], stored: &[u8]) -> bool {
    let widen = |bytes: &[u8]| {
        let mut w = [b'A'; 8];
        w[..4].copy_from_slice(bytes);
        w
    };
    same_plain_word(&widen(value), &widen(stored))
}

/// Appends `value` to `out`, escaping every byte up to `%` as `%XX`.
///
/// This is the [`String`] encoding, exposed for custom [`KeyPart`]
/// implementations that build their own text.
#[inline]
pub fn escape_into(value: &str, out: &mut String) -> Result<(), KeyPartError> {
    // Most values need no escape: one pass finds that, and the value is
    // copied whole, in line; the rest is out of line.
    if !value.is_empty() && !needs_escape(value) {
        out.push_str(value);
        return Ok(());
    }
    escape_slowly(value, out)
}

/// [`escape_into`] for an empty value or one with bytes to escape.
fn escape_slowly(value: &str, out: &mut String) -> Result<(), KeyPartError> {
    if value.is_empty() {
        return Err(KeyPartError::Empty);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        if b == 0xF4 && value[i..].starts_with(MAX_CHAR) {
            return Err(KeyPartError::ReservedChar(MAX_CHAR));
        }
        if b <= ESCAPE_BYTE {
            out.push_str(&value[start..i]);
            out.push(ESCAPE);
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
            start = i + 1;
        }
    }
    out.push_str(&value[start..]);
    Ok(())
}

/// Reverses [`escape_into`]. Only the canonical form is accepted (uppercase
/// hex, escapes only where required), so each value has exactly one segment.
pub fn unescape(segment: &str) -> Result<String, KeyPartError> {
    let malformed = || KeyPartError::Malformed {
        segment: segment.to_owned(),
        expected: STRING,
    };
    if segment.is_empty() {
        return Err(KeyPartError::Empty);
    }
    if !segment.contains(ESCAPE) {
        check_segment(segment).map_err(|_| malformed())?;
        return Ok(segment.to_owned());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == ESCAPE_BYTE {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(malformed)?;
            let hi = hex_value(hex[0]).ok_or_else(malformed)?;
            let lo = hex_value(hex[1]).ok_or_else(malformed)?;
            let decoded = hi << 4 | lo;
            if decoded > ESCAPE_BYTE {
                return Err(malformed());
            }
            out.push(decoded);
            i += 3;
        } else if b <= BOUND_BYTE {
            return Err(malformed());
        } else {
            out.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| malformed())?;
    if text.contains(MAX_CHAR) {
        return Err(malformed());
    }
    Ok(text)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

const STRING: &str = "text with bytes up to `%` escaped as %XX (a%23b for a#b)";

impl KeyPart for String {
    const EXPECTED: &'static str = STRING;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        escape_into(self, out)
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        unescape(segment)
    }

    #[inline]
    fn __strip_encoded<'k>(&self, key: &'k str) -> Option<&'k str> {
        // A value with no byte to escape is its own segment.
        let rest = key.get(self.len()..)?;
        (!self.is_empty() && is_own_segment(self.as_bytes(), &key.as_bytes()[..self.len()]))
            .then_some(rest)
    }
}

impl KeyPart for bool {
    const EXPECTED: &'static str = "bool (true or false)";
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError> {
        out.push_str(if *self { "true" } else { "false" });
        Ok(())
    }

    fn decode_key(segment: &str) -> Result<Self, KeyPartError> {
        match segment {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(KeyPartError::Malformed {
                segment: segment.to_owned(),
                expected: Self::EXPECTED,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
