//! `rust_decimal::Decimal` and DynamoDB numbers (feature `rust_decimal`):
//! conversions to and from [`Number`], and a serde adapter that stores a
//! `Decimal` field as an `N` attribute.
//!
//! ```
//! use rust_decimal::Decimal;
//! use serde::{Deserialize, Serialize};
//! use truss_model::{Entity, Number};
//!
//! #[derive(Entity, Serialize, Deserialize)]
//! #[truss(pk = "INVOICE#{id}", sk = "META")]
//! struct Invoice {
//!     id: String,
//!     /// Written as `{"N": "19.99"}`, not as a string.
//!     #[serde(with = "truss_model::decimal")]
//!     total: Decimal,
//!     #[serde(with = "truss_model::decimal::option", default)]
//!     discount: Option<Decimal>,
//! }
//!
//! let total = Decimal::new(1999, 2);
//! let number = Number::from(total);
//! assert_eq!(number.as_str(), "19.99");
//! assert_eq!(Decimal::try_from(&number)?, total);
//! // 38 digits fit in a DynamoDB number, not in a Decimal: an error, never
//! // a rounded value.
//! let wide: Number = "1.2345678901234567890123456789012345678".parse()?;
//! assert!(Decimal::try_from(&wide).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::foundation::number::{Number, NumberError};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every `Decimal` is a DynamoDB number: at most 29 significant digits,
/// at most 28 after the point.
impl From<Decimal> for Number {
    fn from(value: Decimal) -> Self {
        Number::from_valid(value.to_string())
    }
}

/// The number as a `Decimal`, exactly: a number a `Decimal` cannot hold
/// (more than 28 decimal places, more than 29 digits, beyond ±7.9E28) is
/// an error, never a rounded value.
impl TryFrom<&Number> for Decimal {
    type Error = NumberError;

    fn try_from(number: &Number) -> Result<Self, NumberError> {
        let text = number.as_str();
        let parsed = if text.contains(['e', 'E']) {
            Decimal::from_scientific(text)
        } else {
            Decimal::from_str_exact(text)
        };
        let value = parsed
            .map_err(|e| NumberError::new(format!("{text} does not fit in a Decimal: {e}")))?;
        // The value must be the number itself, not a rounding of it.
        if Number::from(value) != *number {
            return Err(NumberError::new(format!(
                "{text} does not fit in a Decimal exactly (it would read {value})"
            )));
        }
        Ok(value)
    }
}

/// See [`TryFrom<&Number>`](#impl-TryFrom%3C%26Number%3E-for-Decimal).
impl TryFrom<Number> for Decimal {
    type Error = NumberError;

    fn try_from(number: Number) -> Result<Self, NumberError> {
        Decimal::try_from(&number)
    }
}

/// Serializes a `Decimal` field as a DynamoDB number:
/// `#[serde(with = "truss_model::decimal")]`.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    Number::from(*value).serialize(serializer)
}

/// Deserializes a `Decimal` field from a DynamoDB number, exactly (see
/// [`TryFrom<&Number>`](Number)); a number a `Decimal` cannot hold is an
/// error naming it.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let number = Number::deserialize(deserializer)?;
    Decimal::try_from(&number).map_err(serde::de::Error::custom)
}

/// The same for `Option<Decimal>` fields:
/// `#[serde(with = "truss_model::decimal::option", default)]`.
pub mod option {
    use super::*;

    /// Serializes an `Option<Decimal>` field (`None` as NULL, or skip it
    /// with `skip_serializing_if = "Option::is_none"`).
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.map(Number::from).serialize(serializer)
    }

    /// Deserializes an `Option<Decimal>` field.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<Number>::deserialize(deserializer)?
            .map(|number| Decimal::try_from(&number).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_in_any_text_convert_when_exact() {
        for (text, expected) in [
            ("19.99", Decimal::new(1999, 2)),
            ("15E-1", Decimal::new(15, 1)),
            ("1.5e+3", Decimal::new(1500, 0)),
            ("-0", Decimal::ZERO),
            ("79228162514264337593543950335", Decimal::MAX),
        ] {
            let number: Number = text.parse().expect("a number");
            assert_eq!(Decimal::try_from(&number), Ok(expected), "{text}");
        }
        for text in [
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "1E+30",
            "1.2345678901234567890123456789012345678",
        ] {
            let number: Number = text.parse().expect("a number");
            assert!(Decimal::try_from(&number).is_err(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn every_decimal_is_a_number_and_comes_back(
            mantissa in any::<i128>().prop_map(|m| m % 79_228_162_514_264_337_593_543_950_335),
            scale in 0u32..=28,
        ) {
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            let number = Number::from(value);
            prop_assert!(number.as_str().parse::<Number>().is_ok());
            prop_assert_eq!(Decimal::try_from(&number), Ok(value));
        }
    }
}
