//! Which Rust types can be an attribute of an index key, how DynamoDB
//! stores them, and which of them sort the way their values do.

use super::ScalarType;
use crate::foundation::number::Number;
use serde::Serialize;

/// A type that can be a key attribute of an
/// attribute index (`index(name = "...", partition = [...], sort = [...])`): serde writes it as a string,
/// a number or binary.
///
/// Implemented for `String`, the integer and float types, [`Number`], the
/// `chrono` dates and timestamps (feature `chrono`) and unit enums deriving
/// [`KeyPart`](derive@crate::KeyPart). For a newtype of your own, say how
/// it is stored:
///
/// ```
/// # use serde::Serialize;
/// use truss_model::{IndexKeyType, OrderedIndexKey, ScalarType, TextIndexKey};
///
/// #[derive(Serialize)]
/// struct TenantId(String);
///
/// impl IndexKeyType for TenantId {
///     const SCALAR: ScalarType = ScalarType::String;
/// }
/// // Strings sort by their bytes, so ranges and prefixes work too.
/// impl OrderedIndexKey for TenantId {}
/// impl TextIndexKey for TenantId {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an attribute of an index key",
    label = "not stored as a string, a number or binary",
    note = "index key attributes are strings, numbers or binary: `String`, integers, floats, `Number`, chrono dates and timestamps, unit enums deriving `KeyPart`, or a type implementing `IndexKeyType`"
)]
pub trait IndexKeyType: Serialize {
    /// How DynamoDB stores the type's values.
    const SCALAR: ScalarType;
}

/// An [`IndexKeyType`] whose stored values sort as the values do, so range
/// conditions (`gt`, `between`, ...) on it mean what they say: numbers,
/// strings (by their bytes), dates.
#[diagnostic::on_unimplemented(
    message = "range conditions on `{Self}` are not supported in an index over attributes",
    label = "its stored values do not sort the way its values do",
    note = "a timestamp is stored as RFC 3339 text with 0, 3, 6 or 9 fractional digits, which does not sort in time order; store times as numbers (epoch seconds or milliseconds) to query ranges, or use `begins_with` on the text"
)]
pub trait OrderedIndexKey: IndexKeyType {}

/// An [`IndexKeyType`] stored as a string, so `begins_with` applies.
#[diagnostic::on_unimplemented(
    message = "`begins_with` needs an attribute stored as a string, and `{Self}` is not",
    label = "not stored as a string"
)]
pub trait TextIndexKey: IndexKeyType {}

macro_rules! numbers {
    ($($ty:ty),*) => {$(
        impl IndexKeyType for $ty {
            const SCALAR: ScalarType = ScalarType::Number;
        }
        impl OrderedIndexKey for $ty {}
    )*};
}

numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, Number);

impl IndexKeyType for String {
    const SCALAR: ScalarType = ScalarType::String;
}
impl OrderedIndexKey for String {}
impl TextIndexKey for String {}

#[cfg(feature = "chrono")]
mod chrono_types {
    use super::*;

    /// `YYYY-MM-DD`: sorts by date (years 0 to 9999).
    impl IndexKeyType for chrono::NaiveDate {
        const SCALAR: ScalarType = ScalarType::String;
    }
    impl OrderedIndexKey for chrono::NaiveDate {}
    impl TextIndexKey for chrono::NaiveDate {}

    // Timestamps are RFC 3339 text with as many fractional digits as they
    // need: equality and prefixes work, ranges would not sort by time.
    impl IndexKeyType for chrono::DateTime<chrono::Utc> {
        const SCALAR: ScalarType = ScalarType::String;
    }
    impl TextIndexKey for chrono::DateTime<chrono::Utc> {}

    impl IndexKeyType for chrono::NaiveDateTime {
        const SCALAR: ScalarType = ScalarType::String;
    }
    impl TextIndexKey for chrono::NaiveDateTime {}
}
