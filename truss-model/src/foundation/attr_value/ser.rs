//! Values to attribute values.

use super::{CodecError, BINARY_SET_TOKEN, NUMBER_SET_TOKEN, NUMBER_TOKEN, STRING_SET_TOKEN};
use crate::foundation::item::Item;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Serialize};

type Result<T> = std::result::Result<T, CodecError>;

/// A value with its size by DynamoDB's rules, counted as it is built so the
/// item needs no second walk: strings and binaries by length, numbers by
/// significant digits, `NULL` and booleans 1, lists and maps 3 plus 1 per
/// element (and, in maps, the element's name).
pub(super) type Counted = (AttributeValue, usize);

fn string(text: String) -> Counted {
    let size = text.len();
    (AttributeValue::S(text), size)
}

/// An integer's text as itoa writes it (no leading zeros, no exponent):
/// its significant digits are the digits up to the trailing zeros.
/// In line: called, the value it returned was made in a temporary and
/// copied out with loads spanning the stores just made, which wait for
/// them (`BENCHMARKS.md` §1, "Values moved whole").
#[inline]
pub(super) fn integer(text: String) -> Counted {
    let digits = text.trim_start_matches('-').trim_end_matches('0').len();
    let size = crate::foundation::size::size_of_digits(digits);
    (AttributeValue::N(text), size)
}

const NULL: Counted = (AttributeValue::Null(true), 1);

/// Serializes one value. `extra` reserves room in a top-level map for the
/// attributes the codec adds after serde is done.
#[derive(Clone, Copy)]
pub(super) struct Serializer {
    pub(super) extra: usize,
}

const NESTED: Serializer = Serializer { extra: 0 };

/// Integers up to 64 bits: always storable (at most 20 digits).
macro_rules! integers {
    ($($method:ident $ty:ty;)*) => {$(
        fn $method(self, v: $ty) -> Result<Counted> {
            Ok(integer(itoa::Buffer::new().format(v).to_owned()))
        }
    )*};
}

/// A number's text, refused when DynamoDB cannot store it.
pub(super) fn number(text: String) -> Result<Counted> {
    // The check counts the significant digits the size needs: one pass.
    let significant =
        crate::foundation::validate::significant_digits(&text).map_err(CodecError::new)?;
    let size = crate::foundation::size::size_of_digits(significant);
    Ok((AttributeValue::N(text), size))
}

fn float(v: f64) -> Result<Counted> {
    if !v.is_finite() {
        return Err(CodecError::new(format!(
            "`{v}` is not a number DynamoDB can store"
        )));
    }
    number(v.to_string())
}

impl ser::Serializer for Serializer {
    type Ok = Counted;
    type Error = CodecError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Variant<Seq>;
    type SerializeMap = Map;
    type SerializeStruct = Struct;
    type SerializeStructVariant = Variant<Struct>;

    fn serialize_bool(self, v: bool) -> Result<Counted> {
        Ok((AttributeValue::Bool(v), 1))
    }
    integers! {
        serialize_i8 i8; serialize_i16 i16; serialize_i32 i32; serialize_i64 i64;
        serialize_u8 u8; serialize_u16 u16; serialize_u32 u32; serialize_u64 u64;
    }
    fn serialize_i128(self, v: i128) -> Result<Counted> {
        // Up to 39 digits: more than DynamoDB stores.
        number(itoa::Buffer::new().format(v).to_owned())
    }
    fn serialize_u128(self, v: u128) -> Result<Counted> {
        number(itoa::Buffer::new().format(v).to_owned())
    }
    fn serialize_f32(self, v: f32) -> Result<Counted> {
        if !v.is_finite() {
            return float(f64::from(v));
        }
        // f32's own shortest form, not f64's long expansion of it.
        number(v.to_string())
    }
    fn serialize_f64(self, v: f64) -> Result<Counted> {
        float(v)
    }
    fn serialize_char(self, v: char) -> Result<Counted> {
        Ok(string(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Counted> {
        Ok(string(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Counted> {
        Ok((AttributeValue::B(Blob::new(v)), v.len()))
    }
    /// Formats straight into the attribute's string (timestamps, ids):
    /// one allocation instead of serde's default two.
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result<Counted> {
        use std::fmt::Write as _;
        let mut text = String::new();
        write!(text, "{value}").map_err(|_| CodecError::new("a Display implementation failed"))?;
        Ok(string(text))
    }
    fn serialize_none(self) -> Result<Counted> {
        Ok(NULL)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Counted> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Counted> {
        Ok(NULL)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Counted> {
        Ok(NULL)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Counted> {
        Ok(string(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Counted> {
        let (value, size) = value.serialize(self)?;
        // A set counts its members only: not the list's 3 bytes, nor 1 per
        // element.
        let members = match &value {
            AttributeValue::L(values) => values.len(),
            _ => 0,
        };
        let set_size = size.saturating_sub(3 + members);
        match (name, value) {
            (NUMBER_TOKEN, AttributeValue::S(text)) => number(text),
            (STRING_SET_TOKEN, value) => set(value, "string", |v| match v {
                AttributeValue::S(s) => Some(s),
                _ => None,
            })
            .map(|set| (AttributeValue::Ss(set), set_size)),
            (NUMBER_SET_TOKEN, value) => set(value, "number", |v| match v {
                AttributeValue::N(n) => Some(n),
                _ => None,
            })
            .map(|set| (AttributeValue::Ns(set), set_size)),
            (BINARY_SET_TOKEN, value) => set(value, "binary", |v| match v {
                AttributeValue::B(b) => Some(b),
                // A Vec<u8> without serde_bytes is a list of numbers.
                AttributeValue::L(bytes) => bytes
                    .into_iter()
                    .map(|b| match b {
                        AttributeValue::N(n) => n.parse::<u8>().ok(),
                        _ => None,
                    })
                    .collect::<Option<Vec<u8>>>()
                    .map(Blob::new),
                _ => None,
            })
            .map(|set| {
                let size = set.iter().map(|b| b.as_ref().len()).sum();
                (AttributeValue::Bs(set), size)
            }),
            (_, value) => Ok((value, size)),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Counted> {
        let value = value.serialize(NESTED).map_err(|e| e.in_field(variant))?;
        Ok(variant_map(variant, value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq> {
        Ok(Seq::new(len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq>> {
        Ok(Variant(variant, Seq::new(len)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map> {
        Ok(Map {
            item: Item::with_capacity(len.unwrap_or(0) + self.extra),
            size: 3,
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Struct> {
        Ok(Struct::new(len + self.extra))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Struct>> {
        Ok(Variant(variant, Struct::new(len)))
    }
}

/// The members of a set helper's sequence, all of one kind.
fn set<T>(
    value: AttributeValue,
    kind: &str,
    member: impl Fn(AttributeValue) -> Option<T>,
) -> Result<Vec<T>> {
    let AttributeValue::L(values) = value else {
        return Err(CodecError::new(format!(
            "a {kind} set must serialize as a sequence"
        )));
    };
    if values.is_empty() {
        // DynamoDB refuses the whole write: say so before sending it.
        return Err(CodecError::new(format!(
            "an empty {kind} set, which DynamoDB cannot store: leave the attribute out when the set is empty (`#[serde(default, skip_serializing_if = \"HashSet::is_empty\")]`, or an `Option` skipped when `None`)"
        )));
    }
    values
        .into_iter()
        .map(|v| {
            member(v)
                .ok_or_else(|| CodecError::new(format!("a {kind} set holds a non-{kind} value")))
        })
        .collect()
}

/// A one-entry map from a variant's name to its data.
fn variant_map(variant: &'static str, (value, size): Counted) -> Counted {
    let entry = 3 + 1 + variant.len() + size;
    (
        AttributeValue::M(Item::from([(variant.to_owned(), value)])),
        entry,
    )
}

/// A list under construction.
pub(super) struct Seq {
    values: Vec<AttributeValue>,
    size: usize,
}

impl Seq {
    fn new(len: usize) -> Self {
        Seq {
            values: Vec::with_capacity(len),
            size: 3,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.values.len();
        let (value, size) = value.serialize(NESTED).map_err(|e| e.in_index(index))?;
        self.values.push(value);
        self.size += 1 + size;
        Ok(())
    }

    fn finish(self) -> Counted {
        (AttributeValue::L(self.values), self.size)
    }
}

/// The three sequence traits serde has, all building one list.
macro_rules! seq_traits {
    ($($trait:ident $method:ident;)*) => {$(
        impl ser::$trait for Seq {
            type Ok = Counted;
            type Error = CodecError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Counted> {
                Ok(self.finish())
            }
        }
    )*};
}

seq_traits! {
    SerializeSeq serialize_element;
    SerializeTuple serialize_element;
    SerializeTupleStruct serialize_field;
}

/// A struct's map under construction.
pub(super) struct Struct {
    item: Item,
    size: usize,
}

impl Struct {
    fn new(capacity: usize) -> Self {
        Struct {
            item: Item::with_capacity(capacity),
            size: 3,
        }
    }

    fn finish(self) -> Counted {
        (AttributeValue::M(self.item), self.size)
    }
}

impl ser::SerializeStruct for Struct {
    type Ok = Counted;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let (value, size) = value.serialize(NESTED).map_err(|e| e.in_field(key))?;
        self.size += 1 + key.len() + size;
        self.item.insert(key.to_owned(), value);
        Ok(())
    }
    fn end(self) -> Result<Counted> {
        Ok(self.finish())
    }
}

/// A map under construction; keys must serialize as strings or integers.
pub(super) struct Map {
    item: Item,
    size: usize,
    key: Option<String>,
}

impl ser::SerializeMap for Map {
    type Ok = Counted;
    type Error = CodecError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(MapKey)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| CodecError::new("a map value was serialized before its key"))?;
        let (value, size) = match value.serialize(NESTED) {
            Ok(value) => value,
            Err(e) => return Err(e.in_field(key)),
        };
        self.size += 1 + key.len() + size;
        self.item.insert(key, value);
        Ok(())
    }
    fn end(self) -> Result<Counted> {
        Ok((AttributeValue::M(self.item), self.size))
    }
}

/// A variant with data: a one-entry map from its name to the data.
pub(super) struct Variant<T>(&'static str, T);

impl ser::SerializeTupleVariant for Variant<Seq> {
    type Ok = Counted;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.1.push(value).map_err(|e| e.in_field(self.0))
    }
    fn end(self) -> Result<Counted> {
        Ok(variant_map(self.0, self.1.finish()))
    }
}

impl ser::SerializeStructVariant for Variant<Struct> {
    type Ok = Counted;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
            .map_err(|e| e.in_field(self.0))
    }
    fn end(self) -> Result<Counted> {
        Ok(variant_map(self.0, self.1.finish()))
    }
}

/// Map keys: strings as they are, integers and chars as their text.
struct MapKey;

fn key_error() -> CodecError {
    CodecError::new("map keys must be strings, integers or unit variants")
}

impl ser::Serializer for MapKey {
    type Ok = String;
    type Error = CodecError;
    type SerializeSeq = ser::Impossible<String, CodecError>;
    type SerializeTuple = ser::Impossible<String, CodecError>;
    type SerializeTupleStruct = ser::Impossible<String, CodecError>;
    type SerializeTupleVariant = ser::Impossible<String, CodecError>;
    type SerializeMap = ser::Impossible<String, CodecError>;
    type SerializeStruct = ser::Impossible<String, CodecError>;
    type SerializeStructVariant = ser::Impossible<String, CodecError>;

    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_bool(self, _v: bool) -> Result<String> {
        Err(key_error())
    }
    fn serialize_f32(self, _v: f32) -> Result<String> {
        Err(key_error())
    }
    fn serialize_f64(self, _v: f64) -> Result<String> {
        Err(key_error())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<String> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}
