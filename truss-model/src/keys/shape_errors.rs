//! Clear compile errors for sort-key conditions DynamoDB refuses. Without
//! these, a condition after a range, or past the last sort field, finds
//! `Iterator::eq` and reports "is not an iterator". Each method here exists
//! only to fail with a message that says what is wrong: its bound is a
//! trait nothing implements.

use crate::keys::attribute_index::AttributeSortKey;
use crate::keys::sort_key::{SortCondition, SortKey};

/// Implemented by nothing: a condition after a range.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "nothing can follow a range in a sort-key condition",
    label = "DynamoDB allows one range, on the last sort attribute given",
    note = "fix the leading attributes with `eq`, then end with one range"
)]
pub trait __RangeIsLast {}

/// Implemented by nothing: a condition past the last sort attribute.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "every sort-key field of this key is already given",
    label = "no sort-key field is left to compare"
)]
pub trait __NoFieldLeft {}

macro_rules! refused {
    ($bound:ident, $ty:ty, [$($method:ident),*]) => {
        #[doc(hidden)]
        #[allow(clippy::should_implement_trait, missing_docs)]
        impl<E> $ty {
            $(pub fn $method<V>(self, _: V) -> Self where Self: $bound { self })*
            pub fn between<V>(self, _: V, _: V) -> Self where Self: $bound { self }
        }
    };
}

refused!(
    __RangeIsLast,
    SortCondition<E>,
    [eq, gt, ge, lt, le, begins_with]
);
refused!(__NoFieldLeft, SortKey<E, ()>, [eq, gt, ge, lt, le]);
refused!(__NoFieldLeft, AttributeSortKey<E, ()>, [eq, gt, ge, lt, le, begins_with]);
