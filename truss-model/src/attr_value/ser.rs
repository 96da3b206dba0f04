//! Values to attribute values.

use super::{CodecError, BINARY_SET_TOKEN, NUMBER_SET_TOKEN, NUMBER_TOKEN, STRING_SET_TOKEN};
use crate::codec::Item;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Serialize};

type Result<T> = std::result::Result<T, CodecError>;

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
        fn $method(self, v: $ty) -> Result<AttributeValue> {
            Ok(AttributeValue::N(itoa::Buffer::new().format(v).to_owned()))
        }
    )*};
}

/// A number's text, refused when DynamoDB cannot store it.
fn number(text: String) -> Result<AttributeValue> {
    crate::validate::check_number(&text).map_err(CodecError::new)?;
    Ok(AttributeValue::N(text))
}

fn float(v: f64) -> Result<AttributeValue> {
    if !v.is_finite() {
        return Err(CodecError::new(format!(
            "`{v}` is not a number DynamoDB can store"
        )));
    }
    number(v.to_string())
}

impl ser::Serializer for Serializer {
    type Ok = AttributeValue;
    type Error = CodecError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Variant<Seq>;
    type SerializeMap = Map;
    type SerializeStruct = Struct;
    type SerializeStructVariant = Variant<Struct>;

    fn serialize_bool(self, v: bool) -> Result<AttributeValue> {
        Ok(AttributeValue::Bool(v))
    }
    integers! {
        serialize_i8 i8; serialize_i16 i16; serialize_i32 i32; serialize_i64 i64;
        serialize_u8 u8; serialize_u16 u16; serialize_u32 u32; serialize_u64 u64;
    }
    fn serialize_i128(self, v: i128) -> Result<AttributeValue> {
        // Up to 39 digits: more than DynamoDB stores.
        number(itoa::Buffer::new().format(v).to_owned())
    }
    fn serialize_u128(self, v: u128) -> Result<AttributeValue> {
        number(itoa::Buffer::new().format(v).to_owned())
    }
    fn serialize_f32(self, v: f32) -> Result<AttributeValue> {
        if !v.is_finite() {
            return float(f64::from(v));
        }
        // f32's own shortest form, not f64's long expansion of it.
        number(v.to_string())
    }
    fn serialize_f64(self, v: f64) -> Result<AttributeValue> {
        float(v)
    }
    fn serialize_char(self, v: char) -> Result<AttributeValue> {
        Ok(AttributeValue::S(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<AttributeValue> {
        Ok(AttributeValue::S(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<AttributeValue> {
        Ok(AttributeValue::B(Blob::new(v)))
    }
    /// Formats straight into the attribute's string (timestamps, ids):
    /// one allocation instead of serde's default two.
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result<AttributeValue> {
        use std::fmt::Write as _;
        let mut text = String::new();
        write!(text, "{value}").map_err(|_| CodecError::new("a Display implementation failed"))?;
        Ok(AttributeValue::S(text))
    }
    fn serialize_none(self) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<AttributeValue> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<AttributeValue> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<AttributeValue> {
        Ok(AttributeValue::S(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<AttributeValue> {
        let value = value.serialize(NESTED)?;
        match (name, value) {
            (NUMBER_TOKEN, AttributeValue::S(text)) => number(text),
            (STRING_SET_TOKEN, value) => set(value, "string", |v| match v {
                AttributeValue::S(s) => Some(s),
                _ => None,
            })
            .map(AttributeValue::Ss),
            (NUMBER_SET_TOKEN, value) => set(value, "number", |v| match v {
                AttributeValue::N(n) => Some(n),
                _ => None,
            })
            .map(AttributeValue::Ns),
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
            .map(AttributeValue::Bs),
            (_, value) => Ok(value),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<AttributeValue> {
        let value = value.serialize(NESTED).map_err(|e| e.in_field(variant))?;
        Ok(AttributeValue::M(Item::from([(variant.to_owned(), value)])))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
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
        Ok(Variant(variant, Seq(Vec::with_capacity(len))))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map> {
        Ok(Map {
            item: Item::with_capacity(len.unwrap_or(0) + self.extra),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Struct> {
        Ok(Struct(Item::with_capacity(len + self.extra)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Struct>> {
        Ok(Variant(variant, Struct(Item::with_capacity(len))))
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
    values
        .into_iter()
        .map(|v| {
            member(v)
                .ok_or_else(|| CodecError::new(format!("a {kind} set holds a non-{kind} value")))
        })
        .collect()
}

/// A list under construction.
pub(super) struct Seq(Vec<AttributeValue>);

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.0.len();
        self.0
            .push(value.serialize(NESTED).map_err(|e| e.in_index(index))?);
        Ok(())
    }
}

/// The three sequence traits serde has, all building one list.
macro_rules! seq_traits {
    ($($trait:ident $method:ident;)*) => {$(
        impl ser::$trait for Seq {
            type Ok = AttributeValue;
            type Error = CodecError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<AttributeValue> {
                Ok(AttributeValue::L(self.0))
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
pub(super) struct Struct(Item);

impl ser::SerializeStruct for Struct {
    type Ok = AttributeValue;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let value = value.serialize(NESTED).map_err(|e| e.in_field(key))?;
        self.0.insert(key.to_owned(), value);
        Ok(())
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::M(self.0))
    }
}

/// A map under construction; keys must serialize as strings or integers.
pub(super) struct Map {
    item: Item,
    key: Option<String>,
}

impl ser::SerializeMap for Map {
    type Ok = AttributeValue;
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
        let value = match value.serialize(NESTED) {
            Ok(value) => value,
            Err(e) => return Err(e.in_field(key)),
        };
        self.item.insert(key, value);
        Ok(())
    }
    fn end(self) -> Result<AttributeValue> {
        Ok(AttributeValue::M(self.item))
    }
}

/// A variant with data: a one-entry map from its name to the data.
pub(super) struct Variant<T>(&'static str, T);

impl ser::SerializeTupleVariant for Variant<Seq> {
    type Ok = AttributeValue;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.1.push(value).map_err(|e| e.in_field(self.0))
    }
    fn end(self) -> Result<AttributeValue> {
        let value = AttributeValue::L(self.1 .0);
        Ok(AttributeValue::M(Item::from([(self.0.to_owned(), value)])))
    }
}

impl ser::SerializeStructVariant for Variant<Struct> {
    type Ok = AttributeValue;
    type Error = CodecError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
            .map_err(|e| e.in_field(self.0))
    }
    fn end(self) -> Result<AttributeValue> {
        let value = AttributeValue::M(self.1 .0);
        Ok(AttributeValue::M(Item::from([(self.0.to_owned(), value)])))
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
