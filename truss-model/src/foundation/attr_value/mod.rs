//! serde to and from `aws_sdk_dynamodb::types::AttributeValue`, without an
//! intermediate tree.
//!
//! The representation is serde_dynamo's, so items written by either read
//! back with the other: structs and maps are `M`, sequences `L`, `None` and
//! unit `NULL`, unit variants `S`, other variants a one-entry `M`, and
//! serde_dynamo's `string_set` / `number_set` / `binary_set` helpers give
//! `SS` / `NS` / `BS`. A few things differ, all in the direction of losing
//! nothing: numbers are checked against what DynamoDB can store while they
//! are written, [`Number`](crate::Number) keeps all 38 digits both ways,
//! `i128` / `u128` are supported, and a binary set also takes plain
//! `Vec<u8>` members (not only `serde_bytes`). Each value's size by
//! DynamoDB's rules is counted as it is built.
//!
//! Errors carry the path of the value that failed (`links[2].target`),
//! collected only while an error travels up, so the success path pays
//! nothing for it.

mod de;
mod ser;
pub(crate) mod stored;

use crate::foundation::item::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt;

/// The newtype name [`Number`](crate::Number) serializes with; the
/// serializer writes its text as an `N`, the deserializer hands an `N`'s text
/// to it unparsed.
pub(crate) const NUMBER_TOKEN: &str = "$truss_model::Number";

/// serde_dynamo's set helpers (`#[serde(with = "serde_dynamo::string_set")]`
/// and friends) mark their values with these newtype names.
const STRING_SET_TOKEN: &str = "\u{037E}STRINGSET\u{037E}";
const NUMBER_SET_TOKEN: &str = "\u{037E}NUMBERSET\u{037E}";
const BINARY_SET_TOKEN: &str = "\u{037E}BYTESSET\u{037E}";

/// Serializes `value`, which must serialize as a struct or map, into an
/// item with room for `extra` more attributes (the keys the codec adds),
/// and its size by DynamoDB's rules (see [`crate::size`]).
pub(crate) fn to_item<T: Serialize + ?Sized>(
    value: &T,
    extra: usize,
) -> Result<(Item, usize), CodecError> {
    match value.serialize(ser::Serializer { extra })? {
        // Counted as a nested map (3 bytes, 1 per entry); an item's
        // attributes count only their names and values.
        (AttributeValue::M(item), size) => {
            let size = size - 3 - item.len();
            Ok((item, size))
        }
        _ => Err(CodecError::new(
            "an entity must serialize as a struct or a map",
        )),
    }
}

/// Serializes any value into one attribute value.
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<AttributeValue, CodecError> {
    value
        .serialize(ser::Serializer { extra: 0 })
        .map(|(value, _)| value)
}

/// Deserializes an item, consuming it: strings, binaries and lists move into
/// the value without copying.
pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, CodecError> {
    T::deserialize(de::Deserializer(AttributeValue::M(item)))
}

/// Deserializes one attribute value.
pub(crate) fn from_value<T: DeserializeOwned>(value: AttributeValue) -> Result<T, CodecError> {
    T::deserialize(de::Deserializer(value))
}

/// An encode or decode failure with the path to the failing value.
#[derive(Debug)]
pub struct CodecError {
    message: String,
    /// Innermost segment first, the order in which an error collects them.
    path: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    Field(String),
    Index(usize),
}

impl CodecError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        CodecError {
            message: message.into(),
            path: Vec::new(),
        }
    }

    /// The same error, inside field `field`.
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.path.push(Segment::Field(field.into()));
        self
    }

    pub(crate) fn in_index(mut self, index: usize) -> Self {
        self.path.push(Segment::Index(index));
        self
    }

    /// The path to the failing value (`a.b[2]`), or `None` for the top level.
    pub fn path(&self) -> Option<String> {
        if self.path.is_empty() {
            return None;
        }
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Field(name) if out.is_empty() => out.push_str(name),
                Segment::Field(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        Some(out)
    }

    /// The failure without its path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            Some(path) => write!(f, "attribute `{path}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CodecError {}

impl serde::ser::Error for CodecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CodecError::new(msg.to_string())
    }
}

impl serde::de::Error for CodecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CodecError::new(msg.to_string())
    }

    /// Names the missing field in the path, not only in the message.
    fn missing_field(field: &'static str) -> Self {
        CodecError::new(format!("missing field `{field}`")).in_field(field)
    }
}

#[cfg(test)]
mod tests;
