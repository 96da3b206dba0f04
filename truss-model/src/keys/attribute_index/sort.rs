//! Typed sort conditions on an index over attributes, following DynamoDB's
//! rules by construction: sort attributes are given left to right, each
//! fixed with `eq`, and at most one range, on the last one given.

use super::types::{IndexKeyType, OrderedIndexKey, TextIndexKey};
use super::{check_value, compare, AttributeCondition, AttributeIndex, Range};
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::keys::entity::Entity;
use crate::keys::sort_key::SortCondition;
use aws_sdk_dynamodb::types::AttributeValue;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

/// A typed condition on the sort attributes of an index over attributes,
/// for entity `E`; `F` lists the attributes not yet given, as a nested
/// tuple of their types `(A, (B, ()))`.
///
/// Start from the generated `Type::<index>_sort_key()`, fix leading
/// attributes with [`eq`](AttributeSortKey::eq), then use it as it is or
/// end with one range on the next attribute. The shapes DynamoDB refuses
/// (an attribute skipped, a condition after a range, a range on a type
/// whose stored values do not sort as its values) do not compile:
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use truss_model::{Entity, SortCondition};
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(
///     pk = "ORDER#{id}",
///     sk = "META",
///     index(name = "ByTenant", partition = [tenant_id, region], sort = [placed_at, id])
/// )]
/// struct Order { id: String, tenant_id: String, region: String, placed_at: u64 }
///
/// let recent = Order::bytenant_sort_key().gt(1_780_000_000);          // placed_at > t
/// let at_t: SortCondition<Order> = Order::bytenant_sort_key().eq(1_780_000_000).into();
/// let from_o5 = Order::bytenant_sort_key().eq(1_780_000_000).ge("o5"); // placed_at = t, id >= o5
/// ```
pub struct AttributeSortKey<E, F> {
    index: AttributeIndex,
    eqs: Result<Vec<AttributeValue>>,
    _marker: PhantomData<fn() -> (E, F)>,
}

impl<E, F> Clone for AttributeSortKey<E, F> {
    fn clone(&self) -> Self {
        AttributeSortKey {
            index: self.index,
            eqs: self.eqs.clone(),
            _marker: PhantomData,
        }
    }
}

impl<E, F> fmt::Debug for AttributeSortKey<E, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttributeSortKey")
            .field("index", &self.index.name)
            .field("eqs", &self.eqs)
            .finish()
    }
}

impl<E: Entity, F> AttributeSortKey<E, F> {
    #[doc(hidden)]
    pub fn __root(index: AttributeIndex) -> Self {
        AttributeSortKey {
            index,
            eqs: Ok(Vec::new()),
            _marker: PhantomData,
        }
    }

    /// `value` as the next sort attribute's value, checked.
    fn value<T: IndexKeyType>(&self, value: &T) -> Result<AttributeValue> {
        let position = self.eqs.as_ref().map_or(0, Vec::len);
        let attribute = self
            .index
            .sort
            .get(position)
            .ok_or_else(|| Error::InvalidQuery {
                entity: E::NAME,
                reason: format!(
                    "index `{}` has no sort attribute {position}",
                    self.index.name
                ),
            })?;
        let value = crate::foundation::attr_value::to_value(value).map_err(|e| Error::Encode {
            entity: E::NAME,
            key: Default::default(),
            message: format!("attribute `{}`: {e}", attribute.name),
        })?;
        check_value(E::NAME, self.index.name, attribute, &value).map(|()| value)
    }

    fn range(self, range: Result<Range>) -> SortCondition<E> {
        let condition = self.eqs.and_then(|eqs| {
            Ok(AttributeCondition {
                eqs,
                range: Some(range?),
            })
        });
        SortCondition::attributes(condition, self.index.name)
    }
}

impl<E: Entity, T: IndexKeyType, R> AttributeSortKey<E, (T, R)> {
    /// Fixes the next sort attribute to `value`.
    #[allow(clippy::should_implement_trait)]
    pub fn eq(self, value: impl IntoField<T>) -> AttributeSortKey<E, R> {
        let value = self.value(&value.into_field());
        AttributeSortKey {
            index: self.index,
            eqs: self.eqs.and_then(|mut eqs| {
                eqs.push(value?);
                Ok(eqs)
            }),
            _marker: PhantomData,
        }
    }

    /// Items whose next sort attribute is greater than `value`.
    pub fn gt(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        T: OrderedIndexKey,
    {
        let v = self.value(&value.into_field());
        self.range(v.map(Range::Gt))
    }

    /// Items whose next sort attribute is at least `value`.
    pub fn ge(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        T: OrderedIndexKey,
    {
        let v = self.value(&value.into_field());
        self.range(v.map(Range::Ge))
    }

    /// Items whose next sort attribute is less than `value`.
    pub fn lt(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        T: OrderedIndexKey,
    {
        let v = self.value(&value.into_field());
        self.range(v.map(Range::Lt))
    }

    /// Items whose next sort attribute is at most `value`.
    pub fn le(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        T: OrderedIndexKey,
    {
        let v = self.value(&value.into_field());
        self.range(v.map(Range::Le))
    }

    /// Items whose next sort attribute lies in `low..=high`.
    pub fn between(self, low: impl IntoField<T>, high: impl IntoField<T>) -> SortCondition<E>
    where
        T: OrderedIndexKey,
    {
        let low = self.value(&low.into_field());
        let high = self.value(&high.into_field());
        let range = low.and_then(|low| {
            let high = high?;
            if compare(&low, &high) == Some(Ordering::Greater) {
                return Err(Error::InvalidQuery {
                    entity: E::NAME,
                    reason: "`between`: the lower bound is above the upper bound".into(),
                });
            }
            Ok(Range::Between(low, high))
        });
        self.range(range)
    }

    /// Items whose next sort attribute, stored as a string, begins with
    /// `prefix` (for example the month `2026-05` of a date).
    pub fn begins_with(self, prefix: impl Into<String>) -> SortCondition<E>
    where
        T: TextIndexKey,
    {
        let prefix = prefix.into();
        let range = if prefix.is_empty() {
            Err(Error::InvalidQuery {
                entity: E::NAME,
                reason: "`begins_with`: the prefix is empty".into(),
            })
        } else {
            Ok(Range::BeginsWith(prefix))
        };
        self.range(range)
    }
}

impl<E: Entity, F> From<AttributeSortKey<E, F>> for SortCondition<E> {
    fn from(key: AttributeSortKey<E, F>) -> Self {
        let condition = key.eqs.map(|eqs| AttributeCondition { eqs, range: None });
        SortCondition::attributes(condition, key.index.name)
    }
}
