//! Support for generated code. Not public API.

use crate::foundation::error::{Error, KeyPartError, Result};
use crate::keys::key_part::{decode_exact, write_segment, KeyFormat, KeyPart, Native};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

pub use crate::foundation::attr_value::stored::{
    first, missing_field, name_key, of, probe, put, serde_decode, serde_encode, set, slot, via,
    Counted, Field, NoSerdeProbe, SerdeFns, SerdeProbe, Stored, ViaSerde, ViaStored,
};
pub use crate::foundation::attr_value::CodecError;
pub use crate::keys::attribute_index::{AttributeIndex, IndexAttribute};
pub use crate::keys::constant::{Constant, ConstantValue};
pub use crate::keys::entity::Partition;
pub use crate::keys::item_keys::ItemKeys;
pub use crate::keys::key_part::serde_name::{decode_serde_name, encode_serde_name};
pub use crate::keys::revision::Revision;
pub use crate::keys::scatter::{places, Entry, Scatter, OTHER, OTHERS};
pub use crate::keys::sort_key::SortKey;
pub use crate::keys::template::{
    index_named, index_partitions_agree, sort_keys_may_overlap, table_keys_may_overlap,
    FieldDecoder, Index, IndexProjection, KeyField, Segment, Template,
};
pub use crate::keys::ttl::Ttl;

/// Appends one encoded key field in format `F`, checking the segment
/// rules.
#[inline]
pub fn write_field<T, F: KeyFormat<T>>(
    value: &T,
    out: &mut String,
    entity: &'static str,
    field: &'static str,
) -> Result<()> {
    write_segment::<T, F>(value, out).map_err(|reason| Error::InvalidKey {
        entity,
        field,
        reason,
    })
}

/// The generated key check's names for `Option`'s variant (shorter
/// expansions).
pub use core::option::Option::{None, Some};
/// The generated reader's names for `Result`'s variants.
pub use core::result::Result::{Err, Ok};

/// `Some` when nothing of a key is left after its template's last part.
#[inline]
pub fn key_end(rest: &str) -> Option<()> {
    rest.is_empty().then_some(())
}

/// `key` after `value`'s segment in format `F`, when `key` starts with
/// it: checked in place where the format can
/// (`KeyFormat::__strip_encoded`), else written into a per-thread buffer
/// and compared. The key check of a read asks this of each field; `None`
/// sends it to the whole key's rendering, which names what differs.
#[inline]
pub fn strip_encoded<'k, T, F: KeyFormat<T>>(value: &T, key: &'k str) -> Option<&'k str> {
    F::__strip_encoded(value, key).or_else(|| strip_written::<T, F>(value, key))
}

fn strip_written<'k, T, F: KeyFormat<T>>(value: &T, key: &'k str) -> Option<&'k str> {
    crate::foundation::scratch::with_scratch(|out, _| {
        write_segment::<T, F>(value, out).ok()?;
        key.strip_prefix(out.as_str())
    })
}

/// Why a `partial` index's template cannot be written: some of its fields
/// are absent and others present (ElectroDB refuses such an item too); the
/// first absent field is named.
pub fn partial_key_error(
    entity: &'static str,
    index: &'static str,
    template: &'static str,
    fields: &[(&'static str, bool)],
) -> Error {
    let field = fields
        .iter()
        .find(|(_, present)| !present)
        .map_or("", |(name, _)| name);
    Error::InvalidKey {
        entity,
        field,
        reason: KeyPartError::Other(format!(
            "index `{index}` key `{template}`: `{field}` is absent while other fields of the key are present; a partial key is written only when all of them are absent"
        )),
    }
}

/// Reads an encoded key segment in format `F` back into the attribute
/// value the field serializes to. Only a segment the value encodes back to
/// is accepted (one value, one key), whatever `F` itself accepts.
pub fn decode_attribute<T: Serialize, F: KeyFormat<T>>(
    segment: &str,
) -> std::result::Result<AttributeValue, KeyPartError> {
    let value = decode_exact::<T, F>(segment)?;
    crate::foundation::attr_value::to_value(&value).map_err(|e| KeyPartError::Other(e.to_string()))
}

/// One `{field}` of a template in its type's own encoding, for the
/// templates generated code declares as constants.
pub const fn field<T: Serialize + KeyPart>(
    name: &'static str,
    prefix: &'static str,
    attribute: &'static str,
) -> Segment {
    field_as::<T, Native>(name, prefix, attribute)
}

/// One `{field}` of a template written in format `F`.
pub const fn field_as<T: Serialize, F: KeyFormat<T>>(
    name: &'static str,
    prefix: &'static str,
    attribute: &'static str,
) -> Segment {
    Segment::Field(KeyField {
        name,
        prefix,
        attribute,
        decode: decode_attribute::<T, F>,
        expected: F::EXPECTED,
    })
}

pub use serde;

/// Reads a key segment in format `F` into the field's value (one value,
/// one key), for the generated decoders of fields with their own serializer.
pub fn decode_key_value<T, F: KeyFormat<T>>(segment: &str) -> std::result::Result<T, KeyPartError> {
    decode_exact::<T, F>(segment)
}

/// A value as an attribute, through the codec, for the generated encoders
/// of fields with their own serializer.
pub fn encode_value<T: Serialize>(value: &T) -> std::result::Result<AttributeValue, String> {
    crate::foundation::attr_value::to_value(value).map_err(|e| e.to_string())
}

/// One `{field}` of a template whose field has its own serializer: read
/// back through `decode` (the generated decoder).
pub const fn field_decoded<T, F: KeyFormat<T>>(
    name: &'static str,
    prefix: &'static str,
    attribute: &'static str,
    decode: crate::keys::template::FieldDecoder,
) -> Segment {
    Segment::Field(KeyField {
        name,
        prefix,
        attribute,
        decode,
        expected: F::EXPECTED,
    })
}

/// A key field as an attribute already encoded by its own serializer.
pub fn key_attribute_with(
    attribute: &'static str,
    value: std::result::Result<AttributeValue, String>,
    entity: &'static str,
) -> Result<(&'static str, AttributeValue)> {
    value.map(|v| (attribute, v)).map_err(|e| Error::Encode {
        entity,
        key: Default::default(),
        message: format!("key attribute `{attribute}`: {e}"),
    })
}

/// A key field as an attribute, for `EntityKey::__attributes`.
pub fn key_attribute<T: Serialize>(
    attribute: &'static str,
    value: &T,
    entity: &'static str,
) -> Result<(&'static str, AttributeValue)> {
    crate::foundation::attr_value::to_value(value)
        .map(|v| (attribute, v))
        .map_err(|e| Error::Encode {
            entity,
            key: Default::default(),
            message: format!("key attribute `{attribute}`: {e}"),
        })
}

/// A key field from its attribute, for `EntityKey::__from_attributes`.
pub fn key_field<T: serde::de::DeserializeOwned>(
    item: &mut crate::foundation::item::Item,
    attribute: &'static str,
) -> std::result::Result<T, (Option<String>, String)> {
    let value = item
        .remove(attribute)
        .ok_or_else(|| (Some(attribute.to_owned()), "missing key field".to_owned()))?;
    crate::foundation::attr_value::from_value(value)
        .map_err(|e| (Some(attribute.to_owned()), e.to_string()))
}

pub use crate::expr::{Attr, KeyAttr};
pub use crate::foundation::sealed::Generated;
pub use crate::foundation::timestamp::Stamp;
pub use crate::ops::projection::field as projected;
pub use crate::ops::projection::{decode_variant, union as projected_union, variant_paths};

pub use crate::keys::constant::constants_differ;
pub use crate::keys::sort_key::SortCondition;
pub use crate::ops::collection::{
    audit, key_text, matches, matches_keys, sort_template, unmatched, KeyText,
};
pub use crate::ops::scan::audit::Audited;
pub use crate::ops::stream::decode_key;

/// Decodes an item as entity `E` (key fields recovered from the keys).
pub fn decode<E: crate::keys::entity::Entity>(
    table: &crate::table::Table,
    item: crate::foundation::item::Item,
) -> Result<E> {
    table.inner.decode(item)
}

/// An entity's own attributes as its `Serialize` writes them, with room
/// for `extra` more, and their size: the codec of an entity left to serde,
/// and what a generated codec must write (its property tests).
pub fn to_item_by_serde<T: Serialize>(
    value: &T,
    extra: usize,
) -> std::result::Result<(crate::foundation::item::Item, usize), CodecError> {
    crate::foundation::attr_value::to_item(value, extra)
}

/// An entity read from its own attributes by the type's `Deserialize`:
/// what a generated codec must read, for its property tests.
pub fn from_item_by_serde<T: serde::de::DeserializeOwned>(
    item: crate::foundation::item::Item,
) -> std::result::Result<T, CodecError> {
    crate::foundation::attr_value::from_item(item)
}

/// Encodes through the untyped body every entity can take, never the
/// typed path of an entity that declares nothing past its table keys: for
/// the property test that both write the same.
pub fn encode_untyped<E: crate::keys::entity::Entity>(
    table: &crate::table::Table,
    entity: &E,
) -> Result<crate::foundation::item::Item> {
    table
        .inner
        .encode_erased(crate::table::erased::info::<E>(), entity)
        .map(|(item, _)| item)
}

/// Decodes through the untyped body every entity can take: for the
/// property test that it and the typed path read the same.
pub fn decode_untyped<E: crate::keys::entity::Entity>(
    table: &crate::table::Table,
    item: crate::foundation::item::Item,
) -> Result<E> {
    table
        .inner
        .decode_untyped(item, crate::table::codec::KeyCheck::Check)
}

/// Decodes without checking that the entity's keys are the item's: for the
/// codec benchmark's measure of that check, never for reading data.
pub fn decode_without_key_check<E: crate::keys::entity::Entity>(
    table: &crate::table::Table,
    item: crate::foundation::item::Item,
) -> Result<E> {
    table
        .inner
        .decode_with(item, crate::table::codec::KeyCheck::Skip)
}

/// The table whose reads check table keys but not index keys: for the
/// codec benchmark's measure of the index-key check, never for reading
/// data.
pub fn without_index_check(table: &crate::table::Table) -> crate::table::Table {
    let mut table = table.clone();
    std::sync::Arc::make_mut(&mut table.inner).check_index_keys = false;
    table
}

pub use crate::ops::update::IndexKeys;

/// The stored type of an index key attribute's field type, for the
/// `ATTRIBUTE_INDEXES` generated code declares (a type that cannot be a key
/// attribute fails to compile here, at the field).
pub const fn scalar<T: crate::keys::attribute_index::IndexKeyType>(
) -> crate::keys::attribute_index::ScalarType {
    T::SCALAR
}

/// A value of an index key attribute, for a generated partition accessor
/// (checked against the index by `Partition::__attributes`).
pub fn attribute_value<T: Serialize>(
    value: &T,
    attribute: &'static str,
    entity: &'static str,
) -> Result<AttributeValue> {
    key_attribute(attribute, value, entity).map(|(_, value)| value)
}

pub use crate::keys::revision::Upgraded;

/// Decodes an item of an older revision as `Old` and converts it, for the
/// `__upgrade` generated code declares.
pub fn upgrade<Old: serde::de::DeserializeOwned, E: From<Old>>(
    item: crate::foundation::item::Item,
) -> Upgraded<E> {
    crate::foundation::attr_value::from_item::<Old>(item)
        .map(E::from)
        .map_err(|e| (e.path(), e.message().to_owned()))
}

/// A type a vector index can hold: a list of numbers (`Vec<f32>`,
/// `Vec<f64>`), or one of them in an `Option` (an item without it is not
/// indexed).
#[diagnostic::on_unimplemented(
    message = "a vector index holds `Vec<f32>` or `Vec<f64>` (or an `Option` of one), not `{Self}`",
    label = "not a vector"
)]
pub trait VectorValue {}
impl VectorValue for Vec<f32> {}
impl VectorValue for Vec<f64> {}
impl VectorValue for Option<Vec<f32>> {}
impl VectorValue for Option<Vec<f64>> {}

/// Checks, for the derive, that a vector field's type is a vector.
pub const fn vector_field<T: VectorValue>() {}
