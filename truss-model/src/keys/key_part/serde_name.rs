//! Unit enums as key parts, written as their serde names: the text in the
//! key is the text serde stores in the attribute, so the two can never
//! disagree. Used by `#[derive(KeyPart)]`.

use super::{escape_into, unescape, KeyPartError};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::IntoDeserializer;
use serde::ser::{self, Impossible, Serialize};
use serde::Deserialize;
use std::fmt;

/// What the derive's enums expect in a key.
pub(crate) const SERDE_NAME: &str = "one of the enum's serde names";

/// Appends the serde name of a unit variant (or any value serde writes as
/// a string), escaped like a `String`.
pub fn encode_serde_name<T: Serialize + ?Sized>(
    value: &T,
    out: &mut String,
) -> Result<(), KeyPartError> {
    let name = value
        .serialize(NameOnly)
        .map_err(|e| KeyPartError::Other(e.0))?;
    escape_into(&name, out)
}

/// Reads a value back from its serde name; only the name it is written
/// under (not an alias) is accepted.
pub fn decode_serde_name<T>(segment: &str) -> Result<T, KeyPartError>
where
    T: for<'de> Deserialize<'de> + Serialize,
{
    let malformed = || KeyPartError::Malformed {
        segment: segment.to_owned(),
        expected: SERDE_NAME,
    };
    let name = unescape(segment)?;
    let deserializer: StrDeserializer<'_, ValueError> = name.as_str().into_deserializer();
    let value = T::deserialize(deserializer).map_err(|_| malformed())?;
    // An alias reads too: only the name serde writes is this value's key.
    match value.serialize(NameOnly) {
        Ok(written) if written == name => Ok(value),
        _ => Err(malformed()),
    }
}

/// A serializer that accepts a unit variant or a string and returns it.
struct NameOnly;

#[derive(Debug)]
struct NotAName(String);

impl fmt::Display for NotAName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAName {}

impl ser::Error for NotAName {
    fn custom<M: fmt::Display>(message: M) -> Self {
        NotAName(message.to_string())
    }
}

fn not_a_name<T>() -> Result<T, NotAName> {
    Err(NotAName(
        "a key part derived from serde must serialize as a unit variant or a string".into(),
    ))
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<String, NotAName> {
            not_a_name()
        }
    )*};
}

impl ser::Serializer for NameOnly {
    type Ok = String;
    type Error = NotAName;
    type SerializeSeq = Impossible<String, NotAName>;
    type SerializeTuple = Impossible<String, NotAName>;
    type SerializeTupleStruct = Impossible<String, NotAName>;
    type SerializeTupleVariant = Impossible<String, NotAName>;
    type SerializeMap = Impossible<String, NotAName>;
    type SerializeStruct = Impossible<String, NotAName>;
    type SerializeStructVariant = Impossible<String, NotAName>;

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, NotAName> {
        Ok(variant.to_owned())
    }

    fn serialize_str(self, v: &str) -> Result<String, NotAName> {
        Ok(v.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, NotAName> {
        value.serialize(self)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, NotAName> {
        not_a_name()
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, NotAName> {
        not_a_name()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAName> {
        not_a_name()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAName> {
        not_a_name()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAName> {
        not_a_name()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAName> {
        not_a_name()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAName> {
        not_a_name()
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAName> {
        not_a_name()
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAName> {
        not_a_name()
    }
}
