//! Numbers kept as text, so all 38 digits DynamoDB stores survive.

use crate::attr_value::NUMBER_TOKEN;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A DynamoDB number held as its decimal text: up to 38 significant digits
/// and a magnitude from 1E-130 to below 1E+126, exactly as DynamoDB stores
/// it.
///
/// Rust's numeric types cannot hold every DynamoDB number: `f64` keeps about
/// 17 significant digits and `u128` tops out at 39 digits. A field of type
/// `Number` is written as an `N` attribute and read back digit for digit.
/// Construction checks the value, so a `Number` always holds something
/// DynamoDB accepts.
///
/// ```
/// use truss_model::Number;
///
/// let balance: Number = "12345678901234567890.123456789012345678".parse()?;
/// assert_eq!(balance.as_str(), "12345678901234567890.123456789012345678");
/// assert!("1e126".parse::<Number>().is_err());
/// assert!("NaN".parse::<Number>().is_err());
/// assert_eq!(Number::from(42u64).to_string(), "42");
/// # Ok::<(), truss_model::NumberError>(())
/// ```
///
/// Equality compares the text: `"1.0"` and `"1"` are different `Number`s,
/// though DynamoDB compares them as equal numbers, and DynamoDB returns
/// numbers in its own normalized form.
///
/// Keep `Number` fields out of `#[serde(flatten)]`ed structs: serde buffers
/// flattened values, so there a number arrives as `i64`, `u64` or `f64`
/// and digits beyond `f64`'s precision are lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

/// A text that is not a number DynamoDB can store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NumberError(String);

impl Number {
    /// The number's decimal text, as DynamoDB receives it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the number into any type that parses decimal text (`i64`,
    /// `u128`, `f64`, or a decimal type such as `rust_decimal::Decimal`).
    pub fn parse<T: FromStr>(&self) -> Result<T, T::Err> {
        self.0.parse()
    }
}

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(s: &str) -> Result<Self, NumberError> {
        crate::validate::check_number(s).map_err(NumberError)?;
        Ok(Number(s.to_owned()))
    }
}

impl TryFrom<String> for Number {
    type Error = NumberError;

    fn try_from(s: String) -> Result<Self, NumberError> {
        crate::validate::check_number(&s).map_err(NumberError)?;
        Ok(Number(s))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! from_integer {
    ($($ty:ty)*) => {$(
        impl From<$ty> for Number {
            fn from(v: $ty) -> Self {
                Number(v.to_string())
            }
        }
    )*};
}

// Every integer of these types has at most 20 digits.
from_integer!(i8 i16 i32 i64 u8 u16 u32 u64 isize usize);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // truss-model writes the text as an N; other formats see a string,
        // which keeps every digit there too.
        serializer.serialize_newtype_struct(NUMBER_TOKEN, self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(NUMBER_TOKEN, NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number DynamoDB can store")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Number, D::Error> {
        d.deserialize_any(NumberVisitor)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Number, E> {
        Number::try_from(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        if !v.is_finite() {
            return Err(E::custom(format!(
                "`{v}` is not a number DynamoDB can store"
            )));
        }
        v.to_string().parse().map_err(E::custom)
    }
}
