//! The generated item codec's side of the library: types whose attribute
//! value the `Entity` and `Nested` derives write and read directly, without
//! going through serde's data model.
//!
//! Every fast path here writes exactly the value the serde serializer
//! beside it writes, and reads a value exactly as the serde deserializer
//! does: where a value is not in the one shape the fast path knows (a
//! timestamp in another RFC 3339 spelling, a list stored as a set, a number
//! out of range), it is handed to serde, so the value or the error is the
//! same on both paths. The property tests (`tests/it/generated_codec.rs`)
//! compare the two.

use super::{de, ser, CodecError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{DeserializeOwned, Visitor};
use serde::Serialize;
use std::marker::PhantomData;

type Result<T> = std::result::Result<T, CodecError>;

/// A value and its size by DynamoDB's rules.
pub type Counted = (AttributeValue, usize);

/// Writes `value` through the serde serializer, with its size.
pub fn serde_encode<T: Serialize + ?Sized>(value: &T) -> Result<Counted> {
    value.serialize(ser::Serializer { extra: 0 })
}

/// Reads `value` through the serde deserializer.
pub fn serde_decode<T: DeserializeOwned>(value: AttributeValue) -> Result<T> {
    T::deserialize(de::Deserializer(value))
}

/// What serde's derived code reads for a missing field of type `T`: `None`
/// for types read through `deserialize_option`, otherwise the error
/// "missing field".
pub fn serde_missing<T: DeserializeOwned>(field: &'static str) -> Result<T> {
    T::deserialize(Missing(field))
}

/// The error serde's derived code reports for a missing field.
pub fn missing_field(field: &'static str) -> CodecError {
    <CodecError as serde::de::Error>::missing_field(field)
}

/// A type with a direct attribute-value form. Implemented for the library's
/// scalar types, `Option`, `Vec` and `Box` of them, `chrono`'s UTC
/// timestamps, and by the `Nested` derive. Not for users to implement.
pub trait Stored: Serialize + DeserializeOwned {
    /// The value and its size, exactly as the serde serializer writes it.
    fn encode(&self) -> Result<Counted>;
    /// The value read from `value`, or the error, exactly as the serde
    /// deserializer reads it.
    fn decode(value: AttributeValue) -> Result<Self>;
    /// What a missing attribute reads as (serde's rule for the type).
    fn missing(field: &'static str) -> Result<Self> {
        Err(missing_field(field))
    }
}

impl Stored for String {
    #[inline]
    fn encode(&self) -> Result<Counted> {
        // Through `&str`, not `String::clone`: that one is an out-of-line
        // call per field; this one is copied in line (about 30
        // instructions less per string, callgrind).
        Ok((AttributeValue::S(self.as_str().to_owned()), self.len()))
    }
    #[inline]
    fn decode(value: AttributeValue) -> Result<Self> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => serde_decode(other),
        }
    }
}

impl Stored for bool {
    #[inline]
    fn encode(&self) -> Result<Counted> {
        Ok((AttributeValue::Bool(*self), 1))
    }
    #[inline]
    fn decode(value: AttributeValue) -> Result<Self> {
        match value {
            AttributeValue::Bool(b) => Ok(b),
            other => serde_decode(other),
        }
    }
}

/// Integers: written as itoa writes them, read by `str::parse` (the serde
/// deserializer's own rule); a text that does not parse goes to serde for
/// its error.
macro_rules! integers {
    ($($ty:ty => $write:path;)*) => {$(
        impl Stored for $ty {
            #[inline]
            fn encode(&self) -> Result<Counted> {
                $write(itoa::Buffer::new().format(*self).to_owned())
            }
            #[inline]
            fn decode(value: AttributeValue) -> Result<Self> {
                match &value {
                    AttributeValue::N(n) => match n.parse::<$ty>() {
                        Ok(v) => Ok(v),
                        Err(_) => serde_decode(value),
                    },
                    _ => serde_decode(value),
                }
            }
        }
    )*};
}

#[inline]
fn integer(text: String) -> Result<Counted> {
    Ok(ser::integer(text))
}

integers! {
    i8 => integer; i16 => integer; i32 => integer; i64 => integer;
    u8 => integer; u16 => integer; u32 => integer; u64 => integer;
    isize => integer; usize => integer;
    i128 => ser::number; u128 => ser::number;
}

macro_rules! floats {
    ($($ty:ty),*) => {$(
        impl Stored for $ty {
            #[inline]
            fn encode(&self) -> Result<Counted> {
                if !self.is_finite() {
                    return serde_encode(self);
                }
                ser::number(self.to_string())
            }
            #[inline]
            fn decode(value: AttributeValue) -> Result<Self> {
                match &value {
                    AttributeValue::N(n) => match n.parse::<$ty>() {
                        Ok(v) => Ok(v),
                        Err(_) => serde_decode(value),
                    },
                    _ => serde_decode(value),
                }
            }
        }
    )*};
}

floats!(f32, f64);

impl<T: Stored> Stored for Option<T> {
    #[inline]
    fn encode(&self) -> Result<Counted> {
        match self {
            Some(value) => value.encode(),
            None => Ok((AttributeValue::Null(true), 1)),
        }
    }
    #[inline]
    fn decode(value: AttributeValue) -> Result<Self> {
        match value {
            AttributeValue::Null(_) => Ok(None),
            value => T::decode(value).map(Some),
        }
    }
    fn missing(_: &'static str) -> Result<Self> {
        Ok(None)
    }
}

impl<T: Stored> Stored for Box<T> {
    #[inline]
    fn encode(&self) -> Result<Counted> {
        (**self).encode()
    }
    #[inline]
    fn decode(value: AttributeValue) -> Result<Self> {
        T::decode(value).map(Box::new)
    }
    fn missing(field: &'static str) -> Result<Self> {
        T::missing(field).map(Box::new)
    }
}

impl<T: Stored> Stored for Vec<T> {
    fn encode(&self) -> Result<Counted> {
        let mut size = 3;
        let mut failed = None;
        // Collected from an iterator of known length, so each value is
        // written in its place: pushed, it was made in a temporary first
        // (before the capacity check) and copied in with loads spanning
        // the stores just made, which wait for them (`BENCHMARKS.md` §1,
        // "Values moved whole"). A string or number is made again in its
        // place, as `put` inserts.
        let values = self
            .iter()
            .enumerate()
            .map(|(i, element)| match element.encode() {
                Ok((value, element_size)) => {
                    size += 1 + element_size;
                    match value {
                        AttributeValue::S(text) => AttributeValue::S(text),
                        AttributeValue::N(text) => AttributeValue::N(text),
                        value => value,
                    }
                }
                Err(error) => {
                    failed.get_or_insert_with(|| error.in_index(i));
                    AttributeValue::Null(true)
                }
            })
            .collect();
        match failed {
            Some(error) => Err(error),
            None => Ok((AttributeValue::L(values), size)),
        }
    }
    fn decode(value: AttributeValue) -> Result<Self> {
        match value {
            AttributeValue::L(values) => values
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::decode(v).map_err(|e| e.in_index(i)))
                .collect(),
            // Sets, and what is not a list: serde's reading.
            other => serde_decode(other),
        }
    }
}

#[cfg(feature = "chrono")]
impl Stored for chrono::DateTime<chrono::Utc> {
    /// RFC 3339 with `Z` and the shortest of 0, 3, 6 or 9 fraction digits,
    /// as chrono's `Serialize` writes it; years outside 0 to 9999 and leap
    /// seconds go to chrono.
    fn encode(&self) -> Result<Counted> {
        use chrono::{Datelike, Timelike};
        let (year, nanos) = (self.year(), self.nanosecond());
        if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
            return serde_encode(self);
        }
        let mut buf = [0u8; 30];
        let two = |buf: &mut [u8], at: usize, v: u32| {
            buf[at] = b'0' + (v / 10) as u8;
            buf[at + 1] = b'0' + (v % 10) as u8;
        };
        let year = year as u32;
        two(&mut buf, 0, year / 100);
        two(&mut buf, 2, year % 100);
        buf[4] = b'-';
        two(&mut buf, 5, self.month());
        buf[7] = b'-';
        two(&mut buf, 8, self.day());
        buf[10] = b'T';
        two(&mut buf, 11, self.hour());
        buf[13] = b':';
        two(&mut buf, 14, self.minute());
        buf[16] = b':';
        two(&mut buf, 17, self.second());
        let mut len = 19;
        let (digits, mut fraction) = if nanos == 0 {
            (0, 0)
        } else if nanos % 1_000_000 == 0 {
            (3, nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        if digits > 0 {
            buf[len] = b'.';
            for i in (0..digits).rev() {
                buf[len + 1 + i] = b'0' + (fraction % 10) as u8;
                fraction /= 10;
            }
            len += 1 + digits;
        }
        buf[len] = b'Z';
        len += 1;
        // Only ASCII digits and separators were written.
        let text = std::str::from_utf8(&buf[..len])
            .map_err(|_| CodecError::new("a timestamp was written as invalid UTF-8"))?;
        Ok((AttributeValue::S(text.to_owned()), len))
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` read directly; every other text
    /// (offsets, lower-case or space separators, leap seconds, invalid
    /// dates) goes to chrono's parser for its value or its error.
    fn decode(value: AttributeValue) -> Result<Self> {
        match &value {
            AttributeValue::S(text) => match canonical_utc(text.as_bytes()) {
                Some(time) => Ok(time),
                None => serde_decode(value),
            },
            _ => serde_decode(value),
        }
    }
}

#[cfg(feature = "chrono")]
fn canonical_utc(b: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut nanos = 0;
    let mut end = 19;
    if at(19, b'.') {
        let count = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&count) {
            return None;
        }
        nanos = digits(20..20 + count)? * 10u32.pow(9 - count as u32);
        end = 20 + count;
    }
    if b.len() != end + 1 || b[end] != b'Z' || second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(chrono::DateTime::from_naive_utc_and_offset(
        date.and_time(time),
        chrono::Utc,
    ))
}

/// How generated code picks a field's codec: `(&of(&field)).encode(..)`
/// resolves to [`ViaStored`] when `T` is [`Stored`], and to [`ViaSerde`]
/// (the serde path, for every other type) otherwise.
pub struct Field<T>(PhantomData<fn() -> T>);

/// The selector for a field holding `value`.
#[inline]
pub const fn of<T>(value: &T) -> Field<T> {
    let _ = value;
    Field(PhantomData)
}

/// The selector for a field read into `slot`.
#[inline]
pub const fn via<T>(slot: &Option<T>) -> Field<T> {
    let _ = slot;
    Field(PhantomData)
}

/// A field of a [`Stored`] type.
pub trait ViaStored<T> {
    /// Writes the field.
    fn encode(&self, value: &T) -> Result<Counted>;
    /// Reads the field.
    fn decode(&self, value: AttributeValue) -> Result<T>;
    /// A missing field.
    fn missing(&self, field: &'static str) -> Result<T>;
}

impl<T: Stored> ViaStored<T> for Field<T> {
    #[inline]
    fn encode(&self, value: &T) -> Result<Counted> {
        value.encode()
    }
    #[inline]
    fn decode(&self, value: AttributeValue) -> Result<T> {
        T::decode(value)
    }
    #[inline]
    fn missing(&self, field: &'static str) -> Result<T> {
        T::missing(field)
    }
}

/// A field of any other type: serde's own code for it.
pub trait ViaSerde<T> {
    /// Writes the field.
    fn encode(&self, value: &T) -> Result<Counted>;
    /// Reads the field.
    fn decode(&self, value: AttributeValue) -> Result<T>;
    /// A missing field.
    fn missing(&self, field: &'static str) -> Result<T>;
}

impl<T: Serialize + DeserializeOwned> ViaSerde<T> for &Field<T> {
    #[inline]
    fn encode(&self, value: &T) -> Result<Counted> {
        serde_encode(value)
    }
    #[inline]
    fn decode(&self, value: AttributeValue) -> Result<T> {
        serde_decode(value)
    }
    #[inline]
    fn missing(&self, field: &'static str) -> Result<T> {
        serde_missing(field)
    }
}

/// serde's deserializer for a missing field: `None` for an `Option`, the
/// error "missing field" for anything else.
struct Missing(&'static str);

impl<'de> serde::Deserializer<'de> for Missing {
    type Error = CodecError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Generated code: writes field `name` (its value, or the error inside it)
/// into `item`, counting it as a map entry (one byte beyond the name and
/// the value).
///
/// Called once per field by every entity's generated writer: in line in
/// optimized builds (3 to 4% more instructions per item otherwise), a call
/// in debug builds (in line there it was a tenth of a user crate's code,
/// `BENCHMARKS.md` §9).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn put(
    item: &mut crate::foundation::item::Item,
    size: &mut usize,
    name: &'static str,
    value: Result<Counted>,
) -> Result<()> {
    let (value, value_size) = value.map_err(|e| e.in_field(name))?;
    *size += 1 + name.len() + value_size;
    // A string, number, list or boolean made again where it is inserted:
    // the value moved whole is copied with loads wider than the stores
    // that wrote it, and each waits for them to land (a failed store
    // forwarding; `BENCHMARKS.md` §1, "Values moved whole").
    match value {
        AttributeValue::S(text) => item.insert(name.to_owned(), AttributeValue::S(text)),
        AttributeValue::N(text) => item.insert(name.to_owned(), AttributeValue::N(text)),
        AttributeValue::L(values) => item.insert(name.to_owned(), AttributeValue::L(values)),
        AttributeValue::Bool(value) => item.insert(name.to_owned(), AttributeValue::Bool(value)),
        value => item.insert(name.to_owned(), value),
    };
    Ok(())
}

/// Generated code: the key a name is dispatched on (the derive computes
/// the same for each field's name): the length in the top byte, the first
/// three bytes in the low ones and the last four between them, so names
/// of up to 7 bytes have keys of their own.
#[inline]
pub fn name_key(name: &str) -> u64 {
    let b = name.as_bytes();
    let len = b.len();
    let key = (len.min(255) as u64) << 56;
    // A name of under four bytes is both its first bytes and its last:
    // each length written out, no loop (the table's key attributes, `PK`
    // and `SK`, are two bytes, and go through here for every item read).
    let short = match *b {
        [] => 0,
        [x] => u64::from(x),
        [x, y] => u64::from(u16::from_le_bytes([x, y])),
        [x, y, z] => u64::from(x) | u64::from(y) << 8 | u64::from(z) << 16,
        [first, second, third, .., _] => {
            let last = u32::from_le_bytes([b[len - 4], b[len - 3], b[len - 2], b[len - 1]]);
            return key
                | u64::from(first)
                | u64::from(second) << 8
                | u64::from(third) << 16
                | u64::from(last) << 24;
        }
    };
    key | short | short << 24
}

/// Generated code: an empty slot for a field being read.
#[inline]
pub const fn slot<T>() -> Option<T> {
    None
}

/// Generated code: fills a field's slot with the value read from the
/// attribute `name`, or returns the error inside it. In line in
/// optimized builds, a call in debug builds (as [`put`]).
#[cfg_attr(debug_assertions, inline)]
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn set<T>(slot: &mut Option<T>, value: Result<T>, name: String) -> Result<()> {
    match value {
        Ok(value) => {
            *slot = Some(value);
            Ok(())
        }
        Err(e) => Err(e.in_field(name)),
    }
}

/// Generated code: serde's error for a field found under two of its names.
#[inline]
pub fn first<T>(slot: &Option<T>, name: &'static str) -> Result<()> {
    match slot {
        Some(_) => Err(<CodecError as serde::de::Error>::duplicate_field(name)),
        None => Ok(()),
    }
}

/// A type's serde impls as plain functions (see `Entity::__serde`).
pub struct SerdeFns<T> {
    /// The type's own attributes as its `Serialize` writes them, and
    /// their size.
    pub to_item: fn(&T, usize) -> Result<(crate::foundation::item::Item, usize)>,
    /// The type read from its own attributes by its `Deserialize`.
    pub from_item: fn(crate::foundation::item::Item) -> Result<T>,
}

/// Asks whether `T` has serde impls, by autoref: `(&probe::<T>()).fns()`
/// finds [`SerdeProbe`] when it has both, [`NoSerdeProbe`] otherwise.
pub struct Probe<T>(PhantomData<fn() -> T>);

/// A `Probe`, for `(&probe::<T>()).fns()`.
pub fn probe<T>() -> Probe<T> {
    Probe(PhantomData)
}

/// A type with `Serialize` and `Deserialize`.
pub trait SerdeProbe<T> {
    /// The type's serde impls.
    fn fns(&self) -> Option<SerdeFns<T>>;
}

impl<T: Serialize + DeserializeOwned> SerdeProbe<T> for Probe<T> {
    fn fns(&self) -> Option<SerdeFns<T>> {
        Some(SerdeFns {
            to_item: super::to_item::<T>,
            from_item: super::from_item::<T>,
        })
    }
}

/// A type without both serde impls.
pub trait NoSerdeProbe<T> {
    /// None.
    fn fns(&self) -> Option<SerdeFns<T>>;
}

impl<T> NoSerdeProbe<T> for &Probe<T> {
    fn fns(&self) -> Option<SerdeFns<T>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::name_key;

    /// The keys the derive computes for the same names
    /// (`truss-model-derive`, `name_keys_are_the_runtimes`): a field is
    /// found by its key only when both agree.
    #[test]
    fn name_keys_are_the_derives() {
        assert_eq!(name_key(""), 0);
        assert_eq!(name_key("PK"), 0x0200_004b_5000_4b50);
        assert_eq!(name_key("id"), 0x0200_0064_6900_6469);
        assert_eq!(name_key("code"), 0x0465_646f_6364_6f63);
        assert_eq!(name_key("creator_id"), 0x0a64_695f_7265_7263);
    }

    /// At every length (each length under four is its own arm), the key
    /// is the definition's, written here as the derive writes it: the
    /// length, the first three bytes, the last four.
    #[test]
    fn name_keys_follow_the_definition_at_every_length() {
        fn definition(name: &str) -> u64 {
            let bytes = name.as_bytes();
            let len = bytes.len();
            let mut key = (len.min(255) as u64) << 56;
            for (i, b) in bytes.iter().take(3).enumerate() {
                key |= u64::from(*b) << (8 * i);
            }
            for (i, b) in bytes[len.saturating_sub(4)..].iter().enumerate() {
                key |= u64::from(*b) << (24 + 8 * i);
            }
            key
        }
        let text = "PKsort_key#é€x".repeat(20);
        for len in 0..=text.len() {
            for start in 0..4 {
                if let Some(name) = text.get(start..start + len) {
                    assert_eq!(name_key(name), definition(name), "{name:?}");
                }
            }
        }
        assert_eq!(name_key("S"), 0x0100_0000_5300_0053);
        assert_eq!(name_key("abc"), 0x0300_6362_6163_6261);
    }

    /// Names of up to seven bytes have keys of their own.
    #[test]
    fn short_names_have_keys_of_their_own() {
        let alphabet = [b'a', b'b', b'#', b'Z'];
        let mut names = vec![String::new()];
        for len in 1..=7u32 {
            for n in 0..alphabet.len().pow(len) {
                let name: Vec<u8> = (0..len as usize)
                    .map(|i| alphabet[n / alphabet.len().pow(i as u32) % alphabet.len()])
                    .collect();
                names.push(String::from_utf8(name).expect("ascii"));
            }
        }
        let keys: std::collections::HashSet<u64> = names.iter().map(|n| name_key(n)).collect();
        assert_eq!(keys.len(), names.len());
    }
}
