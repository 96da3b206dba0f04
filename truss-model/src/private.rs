//! Support for generated code. Not public API.

use crate::error::{Error, KeyPartError, Result};
use crate::key_part::{check_segment, KeyPart};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

pub use crate::entity::Partition;
pub use crate::sort_key::SortKey;
pub use crate::template::{Index, KeyField, Segment, Template};

/// Appends one encoded key field, checking the segment rules.
#[inline]
pub fn write_field<T: KeyPart>(
    value: &T,
    out: &mut String,
    entity: &'static str,
    field: &'static str,
) -> Result<()> {
    let start = out.len();
    value
        .encode_key(out)
        .and_then(|()| check_segment(&out[start..]))
        .map_err(|reason| Error::InvalidKey {
            entity,
            field,
            reason,
        })
}

/// Reads an encoded key segment back into the attribute value the field
/// serializes to.
pub fn decode_attribute<T: KeyPart + Serialize>(
    segment: &str,
) -> std::result::Result<AttributeValue, KeyPartError> {
    let value = T::decode_key(segment)?;
    crate::attr_value::to_value(&value).map_err(|e| KeyPartError::Other(e.to_string()))
}

/// A key field as an attribute, for [`EntityKey::attributes`](crate::EntityKey::attributes).
pub fn key_attribute<T: Serialize>(
    attribute: &'static str,
    value: &T,
    entity: &'static str,
) -> Result<(&'static str, AttributeValue)> {
    crate::attr_value::to_value(value)
        .map(|v| (attribute, v))
        .map_err(|e| Error::Encode {
            entity,
            key: Default::default(),
            message: format!("key attribute `{attribute}`: {e}"),
        })
}

pub use crate::expr::{Attr, KeyAttr};

pub use crate::collection::{matches, sort_keys_may_overlap, unmatched};
pub use crate::sort_key::SortCondition;

/// Decodes an item as entity `E` (key fields recovered from the keys).
pub fn decode<E: crate::Entity>(table: &crate::Table, item: crate::Item) -> Result<E> {
    table.inner.decode(item)
}
