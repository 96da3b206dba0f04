//! Numbers kept as text, so all 38 digits DynamoDB stores survive.

use crate::foundation::attr_value::NUMBER_TOKEN;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
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
/// Equality, ordering and hashing compare values, as DynamoDB does: `1`,
/// `1.0` and `1E0` are equal, `1E-130` equals its 131-digit decimal form,
/// `-0` equals `0`. Implementations of DynamoDB return the same number in
/// different texts, so comparing texts would call equal numbers different.
/// [`as_str`](Number::as_str) and `Display` keep the text as given.
///
/// ```
/// use truss_model::Number;
///
/// let a: Number = "1.50".parse()?;
/// let b: Number = "15E-1".parse()?;
/// assert_eq!(a, b);
/// assert!(a < "2".parse()?);
/// assert_eq!(a.as_str(), "1.50");
/// # Ok::<(), truss_model::NumberError>(())
/// ```
///
/// Keep `Number` fields out of `#[serde(flatten)]`ed structs: serde buffers
/// flattened values, so there a number arrives as `i64`, `u64` or `f64`
/// and digits beyond `f64`'s precision are lost.
#[derive(Debug, Clone)]
pub struct Number(String);

/// A text that is not a number DynamoDB can store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NumberError(String);

impl NumberError {
    #[cfg_attr(not(feature = "rust_decimal"), allow(dead_code))]
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        NumberError(reason.into())
    }
}

impl Number {
    /// A number from text known to be valid (an integer's or a decimal's
    /// own formatting).
    #[cfg_attr(not(feature = "rust_decimal"), allow(dead_code))]
    pub(crate) fn from_valid(text: String) -> Self {
        debug_assert!(crate::foundation::validate::check_number(&text).is_ok());
        Number(text)
    }

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

/// A number's value read from its text: sign, the decimal exponent of the
/// first significant digit, and the significant digits (no leading or
/// trailing zeros; none for zero).
struct Value<'a> {
    negative: bool,
    magnitude: i64,
    /// The mantissa's digits from the first to the last non-zero one,
    /// with the decimal point (if any) still among them.
    digits: &'a [u8],
}

impl<'a> Value<'a> {
    /// Reads a text that [`check_number`](crate::validate::check_number)
    /// accepted. Total: any other text gives some value, never a panic.
    fn of(text: &'a str) -> Self {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i64>().unwrap_or(0)),
            None => (unsigned, 0),
        };
        let bytes = mantissa.as_bytes();
        let is_significant = |b: &u8| b.is_ascii_digit() && *b != b'0';
        let (Some(first), Some(last)) = (
            bytes.iter().position(is_significant),
            bytes.iter().rposition(is_significant),
        ) else {
            return Value {
                negative: false,
                magnitude: 0,
                digits: &[],
            };
        };
        let point = bytes.iter().position(|b| *b == b'.').unwrap_or(bytes.len());
        // The first significant digit's place: 0 for units, 1 for tens,
        // -1 for tenths.
        let place = if first < point {
            (point - first - 1) as i64
        } else {
            -((first - point) as i64)
        };
        Value {
            negative,
            magnitude: place.saturating_add(exponent),
            digits: &bytes[first..=last],
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn significant(&self) -> impl Iterator<Item = u8> + 'a {
        self.digits.iter().copied().filter(u8::is_ascii_digit)
    }

    /// Order of absolute values.
    fn cmp_abs(&self, other: &Self) -> Ordering {
        self.magnitude
            .cmp(&other.magnitude)
            .then_with(|| self.significant().cmp(other.significant()))
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (Value::of(&self.0), Value::of(&other.0));
        let sign = |v: &Value<'_>| match (v.is_zero(), v.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        match sign(&a).cmp(&sign(&b)) {
            Ordering::Equal if sign(&a) < 0 => b.cmp_abs(&a),
            Ordering::Equal => a.cmp_abs(&b),
            unequal => unequal,
        }
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let value = Value::of(&self.0);
        (value.negative && !value.is_zero()).hash(state);
        value.magnitude.hash(state);
        for digit in value.significant() {
            state.write_u8(digit);
        }
    }
}

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(s: &str) -> Result<Self, NumberError> {
        crate::foundation::validate::check_number(s).map_err(NumberError)?;
        Ok(Number(s.to_owned()))
    }
}

impl TryFrom<String> for Number {
    type Error = NumberError;

    fn try_from(s: String) -> Result<Self, NumberError> {
        crate::foundation::validate::check_number(&s).map_err(NumberError)?;
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

#[cfg(test)]
mod tests {
    use super::Number;
    use proptest::prelude::*;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn n(text: &str) -> Number {
        text.parse().expect("a valid number")
    }

    fn hash(n: &Number) -> u64 {
        let mut h = DefaultHasher::new();
        n.hash(&mut h);
        h.finish()
    }

    fn same(a: &str, b: &str) {
        let (a, b) = (n(a), n(b));
        assert_eq!(a, b, "{a} == {b}");
        assert_eq!(hash(&a), hash(&b), "hash({a}) == hash({b})");
    }

    #[test]
    fn equal_values_in_other_texts_are_equal() {
        same("1", "1.0");
        same("1", "1E0");
        same("1", "0.1e1");
        same("1", "10E-1");
        same("1", "001.000");
        same("0", "-0");
        same("0", "0.000E5");
        same("-12.5", "-125e-1");
        same("1E-130", &format!("0.{}1", "0".repeat(129)));
        same("1E+125", &format!("1{}", "0".repeat(125)));
    }

    #[test]
    fn different_values_differ() {
        assert_ne!(n("1"), n("1.0000000000000000000000000000000000001"));
        assert_ne!(n("1"), n("-1"));
        assert_ne!(n("10"), n("1"));
        assert_ne!(n("0.1"), n("0.01"));
        let ascending = [
            "-1E125", "-10", "-9.5", "-1E-130", "0", "1E-130", "0.5", "1", "1.01", "9", "10",
            "1E125",
        ];
        for pair in ascending.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    proptest! {
        /// Integers and their scaled texts order and compare like the integers.
        #[test]
        fn integers_compare_by_value(a in any::<i64>(), b in any::<i64>(), zeros in 0usize..4) {
            let scaled = |v: i64| format!("{v}{}E-{zeros}", "0".repeat(zeros));
            prop_assert_eq!(n(&a.to_string()).cmp(&n(&b.to_string())), a.cmp(&b));
            prop_assert_eq!(n(&scaled(a)), n(&a.to_string()));
            prop_assert_eq!(hash(&n(&scaled(a))), hash(&n(&a.to_string())));
            prop_assert_eq!(n(&scaled(a)).cmp(&n(&b.to_string())), a.cmp(&b));
        }

        /// Decimals with few digits order like their exact scaled integers.
        #[test]
        fn decimals_compare_by_value(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
            let text = |v: i64| format!("{}{}.{:03}", if v < 0 { "-" } else { "" }, v.abs() / 1000, v.abs() % 1000);
            prop_assert_eq!(n(&text(a)).cmp(&n(&text(b))), a.cmp(&b));
            prop_assert_eq!(n(&text(a)) == n(&format!("{a}E-3")), true);
        }
    }
}
