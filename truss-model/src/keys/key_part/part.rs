//! The trait of a key's segments (public at the crate root, next to its
//! derive).

use crate::foundation::error::KeyPartError;

/// A type whose values can be one `#`-separated segment of a key.
///
/// See the [`key_part` module documentation](crate::key_part) for the rules an encoding follows:
/// above all, `decode_key` accepts exactly the text `encode_key` writes, so
/// every value has one key and every key one value. The library checks that
/// on every item it reads: a key whose segment decodes to a value that
/// encodes differently is an [`Error::Decode`](crate::Error::Decode), as is
/// a key that disagrees with the item's own attribute for the field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a key",
    label = "not a `KeyPart`",
    note = "implement `truss_model::KeyPart` for it, derive it (`#[derive(KeyPart)]` on a unit enum or a newtype), or give the field a `#[truss(key_format = ...)]`"
)]
pub trait KeyPart: Sized {
    /// What a segment of this type looks like, for error messages
    /// (`"u32, 10 digits zero-padded (0000000042)"`).
    const EXPECTED: &'static str = "the type's own key encoding";

    /// Set by the library's own encodings, whose segments follow the rules
    /// by construction: theirs skip the segment scan every other encoding
    /// gets on every key written and read.
    #[doc(hidden)]
    const __VALID_BY_CONSTRUCTION: bool = false;

    /// Appends this value's encoded segment to `out`.
    fn encode_key(&self, out: &mut String) -> Result<(), KeyPartError>;

    /// Reads a value back from exactly the segment `encode_key` writes for
    /// it; any other text is an error.
    fn decode_key(segment: &str) -> Result<Self, KeyPartError>;

    /// `key` after this value's encoded segment, when `key` certainly
    /// starts with it, found without writing the segment (`None`: it does
    /// not, or that is not known here; the library then writes the segment
    /// and compares). The library's own encodings answer for the values
    /// they can check in place; every read checks its keys this way first.
    #[doc(hidden)]
    #[inline]
    fn __strip_encoded<'k>(&self, key: &'k str) -> Option<&'k str> {
        let _ = key;
        None
    }
}
