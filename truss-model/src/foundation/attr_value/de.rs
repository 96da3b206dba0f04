//! Attribute values to values, consuming them.

use super::{CodecError, NUMBER_TOKEN};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::collections::hash_map;

type Result<T> = std::result::Result<T, CodecError>;

/// Deserializes one attribute value.
pub(super) struct Deserializer(pub(super) AttributeValue);

fn kind(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "a string (S)",
        AttributeValue::N(_) => "a number (N)",
        AttributeValue::B(_) => "a binary (B)",
        AttributeValue::Bool(_) => "a boolean (BOOL)",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::M(_) => "a map (M)",
        AttributeValue::L(_) => "a list (L)",
        AttributeValue::Ss(_) => "a string set (SS)",
        AttributeValue::Ns(_) => "a number set (NS)",
        AttributeValue::Bs(_) => "a binary set (BS)",
        _ => "an attribute type this version does not know",
    }
}

fn expected(what: &str, found: &AttributeValue) -> CodecError {
    CodecError::new(format!("expected {what}, found {}", kind(found)))
}

fn parse<T: std::str::FromStr>(text: &str, ty: &str) -> Result<T> {
    text.parse()
        .map_err(|_| CodecError::new(format!("the number `{text}` does not fit in {ty}")))
}

macro_rules! number {
    ($($method:ident $visit:ident $ty:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0 {
                AttributeValue::N(n) => visitor.$visit(parse::<$ty>(&n, stringify!($ty))?),
                other => Err(expected("a number (N)", &other)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = CodecError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_string(s),
            AttributeValue::N(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else {
                    visitor.visit_f64(parse::<f64>(&n, "f64")?)
                }
            }
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            AttributeValue::B(b) => visitor.visit_byte_buf(b.into_inner()),
            AttributeValue::Null(_) => visitor.visit_unit(),
            AttributeValue::M(m) => visitor.visit_map(Map::new(m)),
            value => Deserializer(value).deserialize_seq(visitor),
        }
    }

    number! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
        deserialize_f32 visit_f32 f32;
        deserialize_f64 visit_f64 f64;
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            other => Err(expected("a boolean (BOOL)", &other)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_string(s),
            other => Err(expected("a string (S)", &other)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::B(b) => visitor.visit_byte_buf(b.into_inner()),
            other => Err(expected("a binary (B)", &other)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Null(_) => visitor.visit_none(),
            value => visitor.visit_some(Deserializer(value)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::Null(_) => visitor.visit_unit(),
            other => Err(expected("NULL", &other)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        match (name, self.0) {
            // The number's text, unparsed: all of its digits survive.
            (NUMBER_TOKEN, AttributeValue::N(n)) => visitor.visit_string(n),
            (_, value) => visitor.visit_newtype_struct(Deserializer(value)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::L(l) => visitor.visit_seq(Seq::new(l.into_iter())),
            AttributeValue::Ss(s) => {
                visitor.visit_seq(Seq::new(s.into_iter().map(AttributeValue::S)))
            }
            AttributeValue::Ns(n) => {
                visitor.visit_seq(Seq::new(n.into_iter().map(AttributeValue::N)))
            }
            AttributeValue::Bs(b) => visitor.visit_seq(de::value::SeqDeserializer::new(
                b.into_iter().map(|b| BinaryMember(b.into_inner())),
            )),
            other => Err(expected("a list (L) or a set", &other)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            AttributeValue::M(m) => visitor.visit_map(Map::new(m)),
            other => Err(expected("a map (M)", &other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            AttributeValue::M(m) => visitor.visit_map(Map::new(m)),
            AttributeValue::L(l) => visitor.visit_seq(Seq::new(l.into_iter())),
            other => Err(expected("a map (M)", &other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_enum(s.into_deserializer()),
            AttributeValue::M(m) if m.len() == 1 => {
                let Some((variant, value)) = m.into_iter().next() else {
                    return Err(CodecError::new("expected a one-entry map for an enum"));
                };
                visitor.visit_enum(Enum { variant, value })
            }
            other => Err(expected(
                "a string (S) or a one-entry map (M) for an enum",
                &other,
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // Nothing to look at: dropping the value is all there is to do.
        visitor.visit_unit()
    }
}

/// The elements of a list or set, each tagged with its index on error.
/// A member of a binary set: bytes to `serde_bytes` types, and a sequence
/// of bytes to a plain `Vec<u8>` (which the serializer also takes as a
/// member, so a `BTreeSet<Vec<u8>>` round-trips). Only set members read
/// this way: a top-level `B` into a plain `Vec<u8>` would be written back
/// as a list.
struct BinaryMember(Vec<u8>);

impl<'de> IntoDeserializer<'de, CodecError> for BinaryMember {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for BinaryMember {
    type Error = CodecError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_byte_buf(self.0)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(de::value::SeqDeserializer::new(self.0.into_iter()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Seq<I> {
    values: I,
    index: usize,
}

impl<I> Seq<I> {
    fn new(values: I) -> Self {
        Seq { values, index: 0 }
    }
}

impl<'de, I: ExactSizeIterator<Item = AttributeValue>> de::SeqAccess<'de> for Seq<I> {
    type Error = CodecError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(value) = self.values.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Deserializer(value))
            .map(Some)
            .map_err(|e| e.in_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.values.len())
    }
}

/// The entries of a map; the current name is kept to tag errors.
struct Map {
    entries: hash_map::IntoIter<String, AttributeValue>,
    key: String,
    value: Option<AttributeValue>,
}

impl Map {
    fn new(map: crate::foundation::item::Item) -> Self {
        Map {
            entries: map.into_iter(),
            key: String::new(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Map {
    type Error = CodecError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.key = key;
        self.value = Some(value);
        seed.deserialize(Key(&self.key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let value = self
            .value
            .take()
            .ok_or_else(|| CodecError::new("a map value was read before its key"))?;
        seed.deserialize(Deserializer(value))
            .map_err(|e| e.in_field(std::mem::take(&mut self.key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: a string, read as an integer when the target wants one.
struct Key<'a>(&'a str);

macro_rules! key_number {
    ($($method:ident $visit:ident $ty:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            visitor.$visit(parse::<$ty>(self.0, stringify!($ty))?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'_> {
    type Error = CodecError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.0)
    }

    key_number! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(de::value::StrDeserializer::<CodecError>::new(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// A variant with data, from a one-entry map.
struct Enum {
    variant: String,
    value: AttributeValue,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = CodecError;
    type Variant = VariantData;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, VariantData)> {
        let name = seed.deserialize(Key(&self.variant))?;
        Ok((
            name,
            VariantData {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantData {
    variant: String,
    value: AttributeValue,
}

impl<'de> de::VariantAccess<'de> for VariantData {
    type Error = CodecError;

    fn unit_variant(self) -> Result<()> {
        match self.value {
            AttributeValue::Null(_) => Ok(()),
            other => Err(expected("NULL", &other).in_field(self.variant)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(Deserializer(self.value))
            .map_err(|e| e.in_field(self.variant))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(Deserializer(self.value), visitor)
            .map_err(|e| e.in_field(self.variant))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(Deserializer(self.value), visitor)
            .map_err(|e| e.in_field(self.variant))
    }
}
