//! Conversion of arguments into field values.

use std::borrow::Cow;

/// A value usable where a field of type `T` is expected: `T` itself, and
/// `&str` / `&String` / `Cow<str>` for `String` fields.
///
/// Unlike `Into<T>`, this keeps integer literals typed by the field: with
/// `count: u64`, `Link::COUNT.gt(0)` infers `0u64`.
pub trait IntoField<T> {
    /// The value.
    fn into_field(self) -> T;
}

impl<T> IntoField<T> for T {
    fn into_field(self) -> T {
        self
    }
}

impl IntoField<String> for &str {
    fn into_field(self) -> String {
        self.to_owned()
    }
}

impl IntoField<String> for &String {
    fn into_field(self) -> String {
        self.clone()
    }
}

impl IntoField<String> for Cow<'_, str> {
    fn into_field(self) -> String {
        self.into_owned()
    }
}
