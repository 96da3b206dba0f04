//! Opaque pagination cursors.
//!
//! A cursor carries a page's `LastEvaluatedKey`, the index it came from and
//! a checksum, encoded as URL-safe base64. It is safe to hand to clients:
//! before use, a query checks that the cursor is intact and that its key lies
//! in the query's own partition, index and sort-key range, so a tampered or
//! foreign cursor yields [`Error::InvalidCursor`] and never a request that
//! could return another partition's items. (The checksum detects damage; it
//! is not a signature. A forged cursor that passes every check can only
//! start the same query at another point of the same range.)

use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use std::fmt;
use std::str::FromStr;

const VERSION: u8 = 1;
const TAG_S: u8 = b'S';
const TAG_N: u8 = b'N';
const TAG_B: u8 = b'B';

/// An opaque position in a query's results; pass it to
/// [`Query::after`](crate::Query::after) to get the next page.
///
/// Serializes as a plain string, so it can travel through JSON APIs.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// Wraps a cursor string received from a client. It is validated when
    /// used.
    pub fn new(text: impl Into<String>) -> Self {
        Cursor(text.into())
    }

    /// The cursor as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The cursor as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Checks that the cursor is intact (well formed, checksum valid). A
    /// query checks more before using it: that it belongs to the query's
    /// partition, index and sort-key range.
    pub fn check(&self) -> Result<()> {
        self.decode().map(|_| ())
    }

    pub(crate) fn encode(index: Option<&str>, key: &Item) -> Result<Cursor> {
        let mut out = vec![VERSION];
        let index = index.unwrap_or("");
        push_bytes(&mut out, index.as_bytes())?;
        let mut attrs: Vec<(&String, &AttributeValue)> = key.iter().collect();
        attrs.sort_by(|a, b| a.0.cmp(b.0));
        out.push(u8::try_from(attrs.len()).map_err(|_| invalid("too many key attributes"))?);
        for (name, value) in attrs {
            push_bytes(&mut out, name.as_bytes())?;
            let (tag, bytes) = match value {
                AttributeValue::S(s) => (TAG_S, s.as_bytes()),
                AttributeValue::N(n) => (TAG_N, n.as_bytes()),
                AttributeValue::B(b) => (TAG_B, b.as_ref()),
                _ => return Err(invalid("unsupported key attribute type")),
            };
            out.push(tag);
            push_bytes(&mut out, bytes)?;
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_be_bytes());
        Ok(Cursor(base64url::encode(&out)))
    }

    /// Decodes the cursor into its index name and key, checking integrity.
    pub(crate) fn decode(&self) -> Result<(Option<String>, Item)> {
        let bytes = base64url::decode(&self.0).ok_or_else(|| invalid("not a cursor"))?;
        if bytes.len() < 9 {
            return Err(invalid("truncated"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut expected = [0u8; 8];
        expected.copy_from_slice(sum);
        if checksum(body) != u64::from_be_bytes(expected) {
            return Err(invalid(
                "checksum mismatch: the cursor was altered or truncated",
            ));
        }
        let mut reader = Reader { bytes: body };
        if reader.byte()? != VERSION {
            return Err(invalid("unsupported cursor version"));
        }
        let index = reader.string()?;
        let count = reader.byte()?;
        let mut key = Item::with_capacity(count as usize);
        for _ in 0..count {
            let name = reader.string()?;
            let tag = reader.byte()?;
            let value = reader.bytes()?;
            let value = match tag {
                TAG_S => AttributeValue::S(utf8(value)?),
                TAG_N => AttributeValue::N(utf8(value)?),
                TAG_B => AttributeValue::B(Blob::new(value)),
                _ => return Err(invalid("unknown attribute type")),
            };
            key.insert(name, value);
        }
        if !reader.bytes.is_empty() {
            return Err(invalid("trailing bytes"));
        }
        Ok(((!index.is_empty()).then_some(index), key))
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({})", self.0)
    }
}

impl FromStr for Cursor {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(Cursor(s.to_owned()))
    }
}

impl From<String> for Cursor {
    fn from(s: String) -> Self {
        Cursor(s)
    }
}

pub(crate) fn invalid(reason: &str) -> Error {
    Error::InvalidCursor {
        reason: reason.to_owned(),
    }
}

fn utf8(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| invalid("invalid UTF-8"))
}

/// Appends a length-prefixed field. DynamoDB key values are at most 2048
/// bytes, so the 64 KiB limit is never reached by a real key.
fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    let len = u16::try_from(bytes.len()).map_err(|_| invalid("key attribute too large"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let (&b, rest) = self
            .bytes
            .split_first()
            .ok_or_else(|| invalid("truncated"))?;
        self.bytes = rest;
        Ok(b)
    }

    fn bytes(&mut self) -> Result<&'a [u8]> {
        let hi = self.byte()?;
        let lo = self.byte()?;
        let len = u16::from_be_bytes([hi, lo]) as usize;
        if self.bytes.len() < len {
            return Err(invalid("truncated"));
        }
        let (value, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(value)
    }

    fn string(&mut self) -> Result<String> {
        let bytes = self.bytes()?;
        utf8(bytes)
    }
}

/// FNV-1a, 64 bit, over a domain-separated input.
fn checksum(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in b"truss-model cursor\0".iter().chain(bytes) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub(super) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn value(c: u8) -> Option<u32> {
        ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
    }

    pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
        let bytes = text.as_bytes();
        if bytes.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
        for chunk in bytes.chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                n |= value(c)? << (18 - 6 * i);
            }
            for i in 0..chunk.len() - 1 {
                out.push((n >> (16 - 8 * i)) as u8);
            }
            // Reject non-canonical trailing bits so each cursor has one text.
            let used = (chunk.len() - 1) * 8;
            if chunk.len() < 4 && n & ((1 << (24 - used)) - 1) != 0 {
                return None;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Item {
        let mut key = Item::new();
        key.insert("PK".into(), AttributeValue::S("CREATOR#c1".into()));
        key.insert("SK".into(), AttributeValue::S("CLIP#2026".into()));
        key
    }

    #[test]
    fn round_trips() {
        let c = Cursor::encode(None, &key()).unwrap();
        assert_eq!(c.decode().unwrap(), (None, key()));
        let c = Cursor::encode(Some("GSI1"), &key()).unwrap();
        assert_eq!(c.decode().unwrap(), (Some("GSI1".into()), key()));
    }

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64url::decode(&base64url::encode(&bytes)), Some(bytes));
        }
    }

    fn refused(cursor: &Cursor) -> bool {
        matches!(cursor.decode(), Err(Error::InvalidCursor { .. }))
    }

    #[test]
    fn tampering_is_detected() {
        let text = Cursor::encode(None, &key()).unwrap().into_string();
        for i in 0..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = Cursor::new(String::from_utf8(bytes).unwrap());
            assert!(refused(&tampered), "flip at {i} went unnoticed");
        }
        for len in 0..text.len() {
            assert!(refused(&Cursor::new(&text[..len])), "truncation to {len}");
        }
        assert!(refused(&Cursor::new("not a cursor!")));
        assert!(refused(&Cursor::new("")));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    // The property of scripts/fuzz cursor, also run in CI.
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn arbitrary_cursors_never_panic(text in "\\PC{0,64}|[A-Za-z0-9_-]{0,96}") {
            let _ = Cursor::new(text).check();
        }
    }
}
