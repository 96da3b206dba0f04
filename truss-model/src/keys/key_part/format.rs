//! Key formats: how one field is written as a key segment when its type's
//! own [`KeyPart`] encoding is not the one a table uses.

use super::{escape_into, unescape, KeyPart, KeyPartError};
use std::marker::PhantomData;

/// How values of `T` are written as one key segment and read back.
///
/// A field's format is chosen in the derive with
/// `#[truss(key_format = "...")]` (a built-in format by name) or
/// `#[truss(key_format = MyFormat)]` (a type implementing this trait); the
/// default is [`Native`], the type's own [`KeyPart`] encoding. The rules of
/// the [module documentation](super) apply: `decode` accepts exactly what
/// `encode` writes (`encode(decode(s)) == s`), and encoded segments avoid
/// the reserved characters. The library checks both on every key it writes
/// and every item it reads.
///
/// ```
/// use truss_model::key_part::{escape_into, unescape, KeyFormat};
/// use truss_model::key_part::KeyPartError;
///
/// /// Country codes written in upper case, as an existing table has them.
/// pub struct UpperCase;
///
/// impl KeyFormat<String> for UpperCase {
///     const EXPECTED: &'static str = "upper-case text";
///
///     fn encode(value: &String, out: &mut String) -> Result<(), KeyPartError> {
///         escape_into(&value.to_uppercase(), out)
///     }
///
///     fn decode(segment: &str) -> Result<String, KeyPartError> {
///         let text = unescape(segment)?;
///         if text.to_uppercase() != text {
///             return Err(KeyPartError::Malformed { segment: segment.into(), expected: Self::EXPECTED });
///         }
///         Ok(text)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key format for `{T}`",
    label = "no key format `{Self}` for `{T}`",
    note = "see `truss_model::key_part` for the formats each type has"
)]
pub trait KeyFormat<T> {
    /// What a segment in this format looks like, for error messages
    /// (`"u32, 10 digits zero-padded"`).
    const EXPECTED: &'static str;

    /// Set by the library's own formats, whose segments follow the rules by
    /// construction (see [`KeyPart`]).
    #[doc(hidden)]
    const __VALID_BY_CONSTRUCTION: bool = false;

    /// Appends the encoded `value` to `out`.
    fn encode(value: &T, out: &mut String) -> Result<(), KeyPartError>;

    /// Reads a value back from exactly the text `encode` writes for it.
    fn decode(segment: &str) -> Result<T, KeyPartError>;

    /// `key` after what `encode` writes for `value`, when `key` certainly
    /// starts with it (see [`KeyPart`]; `None`: it does not, or that is not
    /// known here).
    #[doc(hidden)]
    #[inline]
    fn __strip_encoded<'k>(value: &T, key: &'k str) -> Option<&'k str> {
        let _ = (value, key);
        None
    }
}

/// A [`KeyFormat`] whose segments sort like their values, so range
/// conditions (`gt`, `between`, …) on the field select the values in range.
#[diagnostic::on_unimplemented(
    message = "range conditions need a key format that keeps order; `{Self}` does not for `{T}`",
    label = "the key format of this field does not sort like its values",
    note = "unpadded integers sort `10` before `9` and verbatim text sorts `a b` before `a#`; use `eq` on this field, or a fixed-width format"
)]
pub trait OrderedKeyFormat<T>: KeyFormat<T> {}

/// The type's own [`KeyPart`] encoding: the default format.
#[derive(Debug, Clone, Copy)]
pub struct Native;

impl<T: KeyPart> KeyFormat<T> for Native {
    const EXPECTED: &'static str = T::EXPECTED;
    const __VALID_BY_CONSTRUCTION: bool = T::__VALID_BY_CONSTRUCTION;

    #[inline]
    fn encode(value: &T, out: &mut String) -> Result<(), KeyPartError> {
        value.encode_key(out)
    }

    #[inline]
    fn decode(segment: &str) -> Result<T, KeyPartError> {
        T::decode_key(segment)
    }

    #[inline]
    fn __strip_encoded<'k>(value: &T, key: &'k str) -> Option<&'k str> {
        value.__strip_encoded(key)
    }
}

impl<T: KeyPart> OrderedKeyFormat<T> for Native {}

/// A key field of type `T` written in format `F`: the element type of the
/// typed sort-key builder's field list ([`SortKey`](crate::SortKey)).
pub struct Keyed<T, F = Native>(PhantomData<fn() -> (T, F)>);

/// RFC 3339 in UTC with exactly `DIGITS` fractional digits (0 to 9):
/// `2026-05-24T09:00:00Z` (0), `2026-05-24T09:00:00.123Z` (3, JavaScript's
/// `toISOString()`), … `2026-05-24T09:00:00.123456789Z` (9, the default of
/// `DateTime<Utc>` and `OffsetDateTime`). Keeps order. A value with digits
/// below the precision is refused when written (two values would share a
/// key). Derive names: `rfc3339_secs`, `rfc3339_millis`, `rfc3339_micros`,
/// `rfc3339_nanos`.
#[derive(Debug, Clone, Copy)]
pub struct Rfc3339<const DIGITS: usize>;

#[cfg(any(feature = "chrono", feature = "time"))]
impl<const DIGITS: usize> Rfc3339<DIGITS> {
    // A compile-time error for more than 9 digits, never a run-time panic.
    #[allow(clippy::panic)]
    pub(crate) const EXPECTED: &'static str = match DIGITS {
        0 => "RFC 3339 UTC timestamp in seconds (2026-05-24T09:00:00Z)",
        3 => "RFC 3339 UTC timestamp in milliseconds (2026-05-24T09:00:00.000Z)",
        6 => "RFC 3339 UTC timestamp in microseconds (2026-05-24T09:00:00.000000Z)",
        9 => "RFC 3339 UTC timestamp in nanoseconds (2026-05-24T09:00:00.000000000Z)",
        1..=8 => "RFC 3339 UTC timestamp with a fixed number of fractional digits",
        _ => panic!("Rfc3339 takes 0 to 9 fractional digits"),
    };
}

/// Seconds since 1970-01-01 UTC as 10 digits (`1779613200`): 1970 to 2286,
/// the form other tools write for every instant since 2001. Keeps order.
/// Derive name: `epoch_secs`.
#[derive(Debug, Clone, Copy)]
pub struct EpochSeconds;

/// Milliseconds since 1970-01-01 UTC as 13 digits (`1779613200123`,
/// JavaScript's `Date.now()`): 1970 to 2286. Keeps order. Derive name:
/// `epoch_millis`.
#[derive(Debug, Clone, Copy)]
pub struct EpochMillis;

#[cfg(any(feature = "chrono", feature = "time"))]
pub(crate) const EPOCH_SECONDS: &str = "epoch seconds, 10 digits (1779613200)";
#[cfg(any(feature = "chrono", feature = "time"))]
pub(crate) const EPOCH_MILLIS: &str = "epoch milliseconds, 13 digits (1779613200123)";

/// Unsigned integers zero-padded to `N` digits (`Width<6>`: `000042`); a
/// value with more digits is refused when written. Keeps order. Derive:
/// `key_format = "width(6)"`.
#[derive(Debug, Clone, Copy)]
pub struct Width<const N: usize>;

/// Integers in plain decimal (`42`, `-7`), as other tools often write
/// them. Does not keep order across digit counts (`10` sorts before `9`),
/// so range conditions on such a field do not compile. Derive name:
/// `unpadded`.
#[derive(Debug, Clone, Copy)]
pub struct Unpadded;

/// Strings folded to lower case, for tables whose keys are
/// case-insensitive. Folds exactly as [`str::to_lowercase`] does (title-case
/// letters such as `ǅ` included), as JavaScript's `toLowerCase` does. Lossy:
/// a value read back from the key is the lower-case text (the stored
/// attribute, when the item has it, keeps the original). Keeps the order of
/// the lower-case values. Derive name: `lowercase`.
#[derive(Debug, Clone, Copy)]
pub struct Lowercase;

const LOWERCASE: &str = "lower-case text, with bytes up to `%` escaped as %XX";

impl KeyFormat<String> for Lowercase {
    const EXPECTED: &'static str = LOWERCASE;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode(value: &String, out: &mut String) -> Result<(), KeyPartError> {
        match folded(value) {
            Some(lower) => escape_into(&lower, out),
            None => escape_into(value, out),
        }
    }

    fn decode(segment: &str) -> Result<String, KeyPartError> {
        let text = unescape(segment)?;
        if folded(&text).is_some() {
            return Err(KeyPartError::Malformed {
                segment: segment.to_owned(),
                expected: LOWERCASE,
            });
        }
        Ok(text)
    }
}

/// `text` folded to lower case, or `None` when folding changes nothing (no
/// allocation for text already in lower case).
fn folded(text: &str) -> Option<String> {
    let changes = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() != Some(c) || lower.next().is_some()
    };
    if text.chars().any(changes) {
        // Final sigma and other context rules: only `str::to_lowercase`
        // knows them, so the whole text goes through it.
        let lower = text.to_lowercase();
        (lower != text).then_some(lower)
    } else {
        None
    }
}

/// Text written into the key exactly as it is, as ElectroDB and
/// DynamoDB-Toolbox write it (`$taskapp#title_junior software engineer`,
/// `POKEMON#Mr Mime`). A value holding the `#` delimiter, or an empty one,
/// would make the key ambiguous and is refused when written
/// ([`KeyPartError::ReservedChar`], [`KeyPartError::Empty`]).
///
/// Does **not** keep order: a space or `!` sorts below the delimiter, so
/// `("a b", x)` sorts before `("a", x)`. Range conditions on such a field do
/// not compile, and collections cannot share a range across it; `eq` on it
/// (and so `begins_with` the segment) is exact. Derive name: `verbatim`.
#[derive(Debug, Clone, Copy)]
pub struct Verbatim;

/// [`Verbatim`] text folded to lower case as [`Lowercase`] folds it:
/// ElectroDB's default key casing (`$taskapp#office_big cat rescue`). Does
/// not keep order. Derive name: `verbatim_lowercase`.
#[derive(Debug, Clone, Copy)]
pub struct VerbatimLowercase;

const VERBATIM: &str = "text as it is, without `#`";
const VERBATIM_LOWERCASE: &str = "lower-case text as it is, without `#`";

/// Checks a value written verbatim: not empty, no delimiter.
fn verbatim_value(text: &str) -> Result<(), KeyPartError> {
    if text.is_empty() {
        Err(KeyPartError::Empty)
    } else if text.contains(crate::foundation::alphabet::DELIMITER) {
        Err(KeyPartError::ReservedChar(
            crate::foundation::alphabet::DELIMITER,
        ))
    } else {
        Ok(())
    }
}

impl KeyFormat<String> for Verbatim {
    const EXPECTED: &'static str = VERBATIM;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode(value: &String, out: &mut String) -> Result<(), KeyPartError> {
        verbatim_value(value)?;
        out.push_str(value);
        Ok(())
    }

    fn decode(segment: &str) -> Result<String, KeyPartError> {
        verbatim_value(segment).map_err(|_| KeyPartError::Malformed {
            segment: segment.to_owned(),
            expected: VERBATIM,
        })?;
        Ok(segment.to_owned())
    }
}

impl KeyFormat<String> for VerbatimLowercase {
    const EXPECTED: &'static str = VERBATIM_LOWERCASE;
    const __VALID_BY_CONSTRUCTION: bool = true;

    fn encode(value: &String, out: &mut String) -> Result<(), KeyPartError> {
        verbatim_value(value)?;
        match folded(value) {
            Some(lower) => out.push_str(&lower),
            None => out.push_str(value),
        }
        Ok(())
    }

    fn decode(segment: &str) -> Result<String, KeyPartError> {
        if verbatim_value(segment).is_err() || folded(segment).is_some() {
            return Err(KeyPartError::Malformed {
                segment: segment.to_owned(),
                expected: VERBATIM_LOWERCASE,
            });
        }
        Ok(segment.to_owned())
    }
}

impl OrderedKeyFormat<String> for Lowercase {}

/// Decodes `segment` with `F` and checks that the value encodes back to
/// exactly `segment`: the contract every format and [`KeyPart`] follows,
/// enforced here for users' own.
pub(crate) fn decode_exact<T, F: KeyFormat<T>>(segment: &str) -> Result<T, KeyPartError> {
    let value = F::decode(segment)?;
    let mut again = String::with_capacity(segment.len());
    F::encode(&value, &mut again)?;
    if again != segment {
        return Err(KeyPartError::NotCanonical {
            segment: segment.to_owned(),
            canonical: again,
        });
    }
    Ok(value)
}
