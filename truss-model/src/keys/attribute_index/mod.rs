//! Global secondary indexes over existing attributes: DynamoDB's
//! multi-attribute keys, up to four partition and four sort attributes,
//! each a plain attribute of the item (no synthetic `GSI1PK` strings).
//!
//! This module holds what such an index is (`AttributeIndex`), which Rust
//! types can be one of its attributes and how their stored values compare
//! (`types`), and the typed sort conditions that follow DynamoDB's rules
//! (`sort`).

pub(crate) mod sort;
pub(crate) mod types;

use crate::foundation::error::{Error, KeyPartError, Result};
use crate::foundation::item::Item;
use crate::foundation::number::Number;
use aws_sdk_dynamodb::types::AttributeValue;
use std::cmp::Ordering;

pub use sort::AttributeSortKey;
pub use types::{IndexKeyType, OrderedIndexKey, TextIndexKey};

/// How DynamoDB stores a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// A string (`S`).
    String,
    /// A number (`N`).
    Number,
    /// Binary (`B`).
    Binary,
}

impl ScalarType {
    /// DynamoDB's letter for the type: `S`, `N` or `B`.
    pub const fn letter(self) -> &'static str {
        match self {
            ScalarType::String => "S",
            ScalarType::Number => "N",
            ScalarType::Binary => "B",
        }
    }

    pub(crate) fn of(value: &AttributeValue) -> Option<ScalarType> {
        match value {
            AttributeValue::S(_) => Some(ScalarType::String),
            AttributeValue::N(_) => Some(ScalarType::Number),
            AttributeValue::B(_) => Some(ScalarType::Binary),
            _ => None,
        }
    }
}

/// One key attribute of an [`AttributeIndex`]: an entity's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndexAttribute {
    /// The attribute's name in the item (the field's serde name).
    pub name: &'static str,
    /// The Rust field it holds.
    pub field: &'static str,
    /// How it is stored.
    pub scalar: ScalarType,
}

/// A global secondary index whose keys are existing attributes, declared
/// with `index(name = "...", partition = [a, b], sort = [c, d])`.
///
/// An item is in the index when it has every key attribute: an optional
/// field that is `None` leaves it out (a sparse index). Updating one of the
/// fields moves the item in the index in the same write: there are no
/// derived key attributes to go stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttributeIndex {
    /// The index name.
    pub name: &'static str,
    /// The partition-key attributes, in order (1 to 4).
    pub partition: &'static [IndexAttribute],
    /// The sort-key attributes, in order (0 to 4).
    pub sort: &'static [IndexAttribute],
}

impl AttributeIndex {
    /// Every key attribute, partition first.
    pub fn attributes(&self) -> impl Iterator<Item = &'static IndexAttribute> {
        self.partition.iter().chain(self.sort.iter())
    }
}

/// The key attribute `name` of any of `indexes`, with its index, if it is
/// one.
pub(crate) fn key_attribute(
    indexes: &'static [AttributeIndex],
    name: &str,
) -> Option<(&'static AttributeIndex, &'static IndexAttribute)> {
    indexes.iter().find_map(|index| {
        index
            .attributes()
            .find(|a| a.name == name)
            .map(|a| (index, a))
    })
}

/// Checks a value for a key attribute of an index: of the attribute's type,
/// and not empty (DynamoDB refuses empty key values).
pub(crate) fn check_value(
    entity: &'static str,
    index: &str,
    attribute: &IndexAttribute,
    value: &AttributeValue,
) -> Result<()> {
    let empty = match value {
        AttributeValue::S(s) => s.is_empty(),
        AttributeValue::B(b) => b.as_ref().is_empty(),
        _ => false,
    };
    if empty {
        return Err(Error::InvalidKey {
            entity,
            field: attribute.field,
            reason: KeyPartError::Empty,
        });
    }
    match ScalarType::of(value) {
        Some(found) if found == attribute.scalar => Ok(()),
        found => Err(Error::InvalidKey {
            entity,
            field: attribute.field,
            reason: KeyPartError::Other(format!(
                "attribute `{}` of index `{index}` is stored as {}, but the value is {}",
                attribute.name,
                attribute.scalar.letter(),
                found.map_or("neither S, N nor B", ScalarType::letter)
            )),
        }),
    }
}

/// DynamoDB's order of two key values of one type: strings and binary by
/// bytes, numbers by value. `None` for values of different types.
pub(crate) fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.as_ref().cmp(b.as_ref())),
        (AttributeValue::N(a), AttributeValue::N(b)) => {
            let (a, b) = (a.parse::<Number>().ok()?, b.parse::<Number>().ok()?);
            Some(a.cmp(&b))
        }
        _ => None,
    }
}

/// A condition on an attribute index's sort attributes: equal values for
/// the leading ones, then at most one range on the next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AttributeCondition {
    pub(crate) eqs: Vec<AttributeValue>,
    pub(crate) range: Option<Range>,
}

/// A range on one sort attribute.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Range {
    Gt(AttributeValue),
    Ge(AttributeValue),
    Lt(AttributeValue),
    Le(AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(String),
}

impl Range {
    /// The expression, with `name` the attribute's placeholder and `value`
    /// turning a value into its placeholder.
    pub(crate) fn render(
        &self,
        name: &str,
        mut value: impl FnMut(AttributeValue) -> String,
    ) -> String {
        match self {
            Range::Gt(v) => format!("{name} > {}", value(v.clone())),
            Range::Ge(v) => format!("{name} >= {}", value(v.clone())),
            Range::Lt(v) => format!("{name} < {}", value(v.clone())),
            Range::Le(v) => format!("{name} <= {}", value(v.clone())),
            Range::Between(lo, hi) => {
                let (lo, hi) = (value(lo.clone()), value(hi.clone()));
                format!("{name} BETWEEN {lo} AND {hi}")
            }
            Range::BeginsWith(p) => {
                format!(
                    "begins_with({name}, {})",
                    value(AttributeValue::S(p.clone()))
                )
            }
        }
    }

    fn admits(&self, v: &AttributeValue) -> bool {
        let is = |bound: &AttributeValue, ok: &[Ordering]| {
            compare(v, bound).is_some_and(|o| ok.contains(&o))
        };
        match self {
            Range::Gt(b) => is(b, &[Ordering::Greater]),
            Range::Ge(b) => is(b, &[Ordering::Greater, Ordering::Equal]),
            Range::Lt(b) => is(b, &[Ordering::Less]),
            Range::Le(b) => is(b, &[Ordering::Less, Ordering::Equal]),
            Range::Between(lo, hi) => {
                is(lo, &[Ordering::Greater, Ordering::Equal])
                    && is(hi, &[Ordering::Less, Ordering::Equal])
            }
            Range::BeginsWith(p) => matches!(v, AttributeValue::S(s) if s.starts_with(p.as_str())),
        }
    }
}

impl AttributeCondition {
    /// Whether a key (an item's attributes) satisfies the condition on
    /// `index`'s sort attributes.
    pub(crate) fn admits(&self, index: &AttributeIndex, key: &Item) -> bool {
        let value = |i: usize| index.sort.get(i).and_then(|a| key.get(a.name));
        let eqs_ok = self.eqs.iter().enumerate().all(|(i, expected)| {
            value(i).is_some_and(|v| compare(v, expected) == Some(Ordering::Equal))
        });
        let range_ok = match &self.range {
            None => true,
            Some(range) => value(self.eqs.len()).is_some_and(|v| range.admits(v)),
        };
        eqs_ok && range_ok
    }
}

/// Whether the partition values of a key are `expected`, attribute by
/// attribute.
pub(crate) fn same_partition(
    index: &AttributeIndex,
    expected: &[AttributeValue],
    key: &Item,
) -> bool {
    index.partition.len() == expected.len()
        && index.partition.iter().zip(expected).all(|(a, e)| {
            key.get(a.name)
                .is_some_and(|v| compare(v, e) == Some(Ordering::Equal))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: &str) -> AttributeValue {
        AttributeValue::N(v.into())
    }

    #[test]
    fn numbers_compare_by_value_strings_by_bytes() {
        assert_eq!(compare(&n("10"), &n("9")), Some(Ordering::Greater));
        assert_eq!(compare(&n("1.0"), &n("1")), Some(Ordering::Equal));
        let s = |v: &str| AttributeValue::S(v.into());
        assert_eq!(compare(&s("10"), &s("9")), Some(Ordering::Less));
        assert_eq!(compare(&s("Z"), &s("a")), Some(Ordering::Less));
        assert_eq!(compare(&s("1"), &n("1")), None);
    }

    #[test]
    fn ranges_admit_what_dynamodb_returns() {
        assert!(Range::Between(n("1"), n("3")).admits(&n("3")));
        assert!(!Range::Between(n("1"), n("3")).admits(&n("3.5")));
        assert!(Range::Gt(n("-1")).admits(&n("0")));
        assert!(!Range::Lt(n("0")).admits(&n("0")));
        assert!(Range::BeginsWith("ab".into()).admits(&AttributeValue::S("abc".into())));
        assert!(!Range::BeginsWith("ab".into()).admits(&n("1")));
    }
}
