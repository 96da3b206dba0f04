//! Conversion of arguments into field values.

use std::borrow::Cow;

/// A value usable where a field of type `T` is expected: `T` itself, and
/// `&str` / `&String` / `Cow<str>` for `String` fields.
///
/// Unlike `Into<T>`, this keeps integer literals typed by the field: with
/// `count: u64`, `Link::COUNT.gt(0)` infers `0u64`.
pub trait IntoValue<T> {
    /// The value.
    fn into_value(self) -> T;
}

impl<T> IntoValue<T> for T {
    fn into_value(self) -> T {
        self
    }
}

impl IntoValue<String> for &str {
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl IntoValue<String> for &String {
    fn into_value(self) -> String {
        self.clone()
    }
}

impl IntoValue<String> for Cow<'_, str> {
    fn into_value(self) -> String {
        self.into_owned()
    }
}
