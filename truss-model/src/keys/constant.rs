//! Constant attributes: the same value on every item of an entity, such as
//! the type markers other tools write (ElectroDB's `__edb_e` and
//! `__edb_v`).

use aws_sdk_dynamodb::types::AttributeValue;

/// An attribute every item of an entity carries with the same value,
/// declared with `#[truss(constant(name = value, ...))]` or
/// `#[truss(checked_constant(name = value, ...))]`: a string value is
/// stored as `S`, an integer as `N`; a name that is not a Rust identifier
/// is written as a string (`"entity-type" = "clip"`).
///
/// It is written on every put (and batch or transaction put) and, with
/// `if_not_exists`, by every update, so an item an update creates has it
/// too. A checked constant is also required on read: an item without it,
/// or with another value, is an [`Error::Decode`](crate::Error::Decode),
/// and a [`Collection`](crate::Collection) variant matches only items that
/// carry it, so variants whose keys look alike are told apart by it.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use truss_model::Entity;
/// /// An ElectroDB entity's type attributes.
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(
///     pk = "$taskapp#employeeid_{employee_id}",
///     sk = "$employee_1",
///     checked_constant(__edb_e__ = "employee", __edb_v__ = "1")
/// )]
/// struct Employee { employee_id: String }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constant {
    /// The attribute name.
    pub name: &'static str,
    /// Its value.
    pub value: ConstantValue,
    /// Whether reads require it.
    pub check: bool,
}

/// The value of a [`Constant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstantValue {
    /// A string (`S`).
    S(&'static str),
    /// A number (`N`), as its decimal text.
    N(&'static str),
}

impl ConstantValue {
    /// The attribute value.
    pub fn to_attribute(&self) -> AttributeValue {
        match self {
            ConstantValue::S(s) => AttributeValue::S((*s).to_owned()),
            ConstantValue::N(n) => AttributeValue::N((*n).to_owned()),
        }
    }

    /// Whether `value` is this value (numbers compared by value).
    pub fn matches(&self, value: &AttributeValue) -> bool {
        match (self, value) {
            (ConstantValue::S(a), AttributeValue::S(b)) => a == b,
            (ConstantValue::N(a), AttributeValue::N(b)) => {
                match (
                    a.parse::<crate::foundation::number::Number>(),
                    b.parse::<crate::foundation::number::Number>(),
                ) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => a == b,
                }
            }
            _ => false,
        }
    }

    /// Its text, for messages.
    pub(crate) fn text(&self) -> &'static str {
        match self {
            ConstantValue::S(s) | ConstantValue::N(s) => s,
        }
    }
}

/// Whether items of two entities are always told apart by a checked
/// constant they both declare with different values.
pub const fn constants_differ(a: &[Constant], b: &[Constant]) -> bool {
    let mut i = 0;
    while i < a.len() {
        let mut j = 0;
        while j < b.len() {
            if a[i].check
                && b[j].check
                && crate::keys::template::str_eq(a[i].name, b[j].name)
                && !value_eq(&a[i].value, &b[j].value)
            {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

const fn value_eq(a: &ConstantValue, b: &ConstantValue) -> bool {
    match (a, b) {
        (ConstantValue::S(a), ConstantValue::S(b)) | (ConstantValue::N(a), ConstantValue::N(b)) => {
            crate::keys::template::str_eq(a, b)
        }
        _ => false,
    }
}
