//! Typed sort-key conditions that never leave their prefix.
//!
//! A query on an entity is always confined to the keys its sort-key
//! template can produce: with no condition, `begins_with` its literal prefix
//! (`CLIP#`); after fixing leading fields with [`SortKey::eq`], the prefix
//! that ends after them (`CLIP#v1#`, so `v10` never matches). Range
//! conditions on the next field (`gt`, `between`, ...) are expressed as a
//! `BETWEEN` whose bounds stay inside that prefix, using two facts of the
//! key format: `$` sorts just above the `#` delimiter and appears in no key
//! (except as a template's first character), and no key contains U+10FFFF.
//! Range conditions exist only for fields whose key format keeps order
//! ([`OrderedKeyFormat`]): on an unpadded integer they do not compile.

use crate::foundation::alphabet::{BOUND, DELIMITER, MAX_CHAR};
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::foundation::limits::MAX_SORT_KEY_BYTES;
use crate::keys::attribute_index::AttributeCondition;
use crate::keys::entity::Entity;
use crate::keys::key_part::{write_segment, KeyFormat, Keyed, OrderedKeyFormat};
use crate::keys::template::{Index, Template};
use std::fmt;
use std::marker::PhantomData;

/// A typed sort-key prefix for entity `E`; `F` lists the fields not yet
/// fixed as a nested tuple `(Keyed<A, FormatA>, (Keyed<B, FormatB>, ()))`.
///
/// Start from the generated `Type::sort_key()`, fix leading fields with
/// [`eq`](SortKey::eq), then either use it as a `begins_with` condition or
/// end with a range on the next field:
///
/// ```
/// # use truss_model::{Entity, SortCondition};
/// # #[derive(Entity, serde::Serialize, serde::Deserialize)]
/// # #[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{video_id}#{created_at}")]
/// # struct Clip { creator_id: String, video_id: String, created_at: u64 }
/// # let t = 1_780_000_000u64;
/// let all_clips: SortCondition<Clip> = Clip::sort_key().into(); // begins_with CLIP#
/// let of_v1: SortCondition<Clip> = Clip::sort_key().eq("v1").into(); // begins_with CLIP#v1#
/// let v1_after_t = Clip::sort_key().eq("v1").gt(t);              // clips of v1 after t
/// let v1_to_v3 = Clip::sort_key().between("v1", "v3");           // clips of v1..=v3
/// let exact: SortCondition<Clip> = Clip::sort_key().eq("v1").eq(t).into(); // = one key
/// ```
pub struct SortKey<E, F> {
    prefix: Result<String>,
    fixed: usize,
    template: Option<Template>,
    index: Option<&'static str>,
    _marker: PhantomData<fn() -> (E, F)>,
}

impl<E, F> Clone for SortKey<E, F> {
    fn clone(&self) -> Self {
        SortKey {
            prefix: self.prefix.clone(),
            fixed: self.fixed,
            template: self.template,
            index: self.index,
            _marker: PhantomData,
        }
    }
}

impl<E, F> fmt::Debug for SortKey<E, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SortKey")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl<E: Entity, F> SortKey<E, F> {
    #[doc(hidden)]
    pub fn __root() -> Self {
        Self::root(E::SK, None)
    }

    #[doc(hidden)]
    pub fn __index_root(index: Index) -> Self {
        Self::root(index.sk, Some(index.name))
    }

    fn root(template: Option<Template>, index: Option<&'static str>) -> Self {
        SortKey {
            prefix: Ok(root_prefix(template)),
            fixed: 0,
            template,
            index,
            _marker: PhantomData,
        }
    }

    fn field_name(&self) -> &'static str {
        self.template
            .and_then(|t| t.fields().nth(self.fixed))
            .map(|f| f.name)
            .unwrap_or("?")
    }

    /// The prefix followed by the encoded value of the next field.
    fn with_value<T, K: KeyFormat<T>>(&self, value: &T) -> Result<String> {
        let mut out = self.prefix.clone()?;
        write_segment::<T, K>(value, &mut out).map_err(|reason| Error::InvalidKey {
            entity: E::NAME,
            field: self.field_name(),
            reason,
        })?;
        Ok(out)
    }

    /// A string above every key that starts with the prefix and below every
    /// other key above them, or `None` when the prefix is empty (no bound
    /// needed).
    fn upper(prefix: &str) -> Option<String> {
        if prefix.is_empty() {
            return None;
        }
        // Prefixes end with the `#` delimiter, or with the literal text
        // before a placeholder in its segment (`…#store_`).
        Some(match prefix.strip_suffix(DELIMITER) {
            Some(p) => format!("{p}{BOUND}"),
            None => format!("{prefix}{MAX_CHAR}"),
        })
    }

    fn condition(self, build: impl FnOnce(&str) -> Result<KeyCondition>) -> SortCondition<E> {
        // A range is on the next field: one more than those fixed.
        SortCondition::new(self.prefix.and_then(|p| build(&p)), self.index).shaped(
            self.template,
            self.fixed + 1,
            true,
        )
    }
}

impl<E: Entity, T, K: KeyFormat<T>, R> SortKey<E, (Keyed<T, K>, R)> {
    /// Fixes the next field to `value`: a narrower prefix that ends where
    /// the field after it starts.
    #[allow(clippy::should_implement_trait)]
    pub fn eq(self, value: impl IntoField<T>) -> SortKey<E, R> {
        let fixed = self.fixed;
        let template = self.template;
        let prefix = self.with_value::<T, K>(&value.into_field()).map(|mut out| {
            if let Some(t) = template {
                t.push_after_field(fixed, &mut out);
            }
            out
        });
        SortKey {
            prefix,
            fixed: fixed + 1,
            template,
            index: self.index,
            _marker: PhantomData,
        }
    }

    /// Items whose next field is greater than `value`.
    pub fn gt(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        K: OrderedKeyFormat<T>,
    {
        let v = self.with_value::<T, K>(&value.into_field());
        self.condition(|p| {
            let low = format!("{}{BOUND}", v?);
            Ok(match Self::upper(p) {
                Some(up) => KeyCondition::Between(low, up),
                None => KeyCondition::Ge(low),
            })
        })
    }

    /// Items whose next field is greater than or equal to `value`.
    pub fn ge(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        K: OrderedKeyFormat<T>,
    {
        let v = self.with_value::<T, K>(&value.into_field());
        self.condition(|p| {
            let low = v?;
            Ok(match Self::upper(p) {
                Some(up) => KeyCondition::Between(low, up),
                None => KeyCondition::Ge(low),
            })
        })
    }

    /// Items whose next field is less than `value`.
    pub fn lt(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        K: OrderedKeyFormat<T>,
    {
        let v = self.with_value::<T, K>(&value.into_field());
        self.condition(|p| {
            let v = v?;
            Ok(if p.is_empty() {
                KeyCondition::Lt(v)
            } else {
                KeyCondition::Between(p.to_owned(), predecessor(&v))
            })
        })
    }

    /// Items whose next field is less than or equal to `value`.
    pub fn le(self, value: impl IntoField<T>) -> SortCondition<E>
    where
        K: OrderedKeyFormat<T>,
    {
        let v = self.with_value::<T, K>(&value.into_field());
        self.condition(|p| {
            let high = format!("{}{BOUND}", v?);
            Ok(if p.is_empty() {
                KeyCondition::Le(high)
            } else {
                KeyCondition::Between(p.to_owned(), high)
            })
        })
    }

    /// Items whose next field lies in `low..=high`.
    pub fn between(self, low: impl IntoField<T>, high: impl IntoField<T>) -> SortCondition<E>
    where
        K: OrderedKeyFormat<T>,
    {
        let low = self.with_value::<T, K>(&low.into_field());
        let high = self.with_value::<T, K>(&high.into_field());
        self.condition(|_| {
            let (low, high) = (low?, format!("{}{BOUND}", high?));
            if low > high {
                return Err(Error::InvalidQuery {
                    entity: E::NAME,
                    reason: "`between`: the lower bound is above the upper bound".into(),
                });
            }
            Ok(KeyCondition::Between(low, high))
        })
    }
}

/// The largest string below `key` that no key of the format exceeds while
/// staying below `key`: the last character decremented, then U+10FFFF.
fn predecessor(key: &str) -> String {
    let mut out = key.to_owned();
    if let Some(last) = out.pop() {
        let prev = match last as u32 {
            0xE000 => '\u{D7FF}',
            n => char::from_u32(n.saturating_sub(1)).unwrap_or(last),
        };
        out.push(prev);
        out.push(MAX_CHAR);
    }
    out
}

/// A key condition on the sort key, as sent to DynamoDB.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeyCondition {
    /// No sort-key condition: the whole partition.
    All,
    Eq(String),
    BeginsWith(String),
    Between(String, String),
    Ge(String),
    Le(String),
    Lt(String),
    /// On the sort attributes of an index over attributes.
    Attributes(AttributeCondition),
}

impl KeyCondition {
    /// Whether a sort key satisfies the condition (byte order, as DynamoDB).
    pub(crate) fn admits(&self, sk: &str) -> bool {
        match self {
            KeyCondition::All => true,
            KeyCondition::Eq(v) => sk == v,
            KeyCondition::BeginsWith(p) => sk.starts_with(p.as_str()),
            KeyCondition::Between(lo, hi) => lo.as_str() <= sk && sk <= hi.as_str(),
            KeyCondition::Ge(v) => sk >= v.as_str(),
            KeyCondition::Le(v) => sk <= v.as_str(),
            KeyCondition::Lt(v) => sk < v.as_str(),
            // Checked on the whole key instead (`AttributeCondition::admits`).
            KeyCondition::Attributes(_) => false,
        }
    }

    /// The key condition expression fragment and its values.
    pub(crate) fn expression(&self) -> Option<(&'static str, Vec<&str>)> {
        Some(match self {
            KeyCondition::All | KeyCondition::Attributes(_) => return None,
            KeyCondition::Eq(v) => ("#sk = :sk", vec![v]),
            KeyCondition::BeginsWith(v) => ("begins_with(#sk, :sk)", vec![v]),
            KeyCondition::Between(lo, hi) => ("#sk BETWEEN :sk AND :sk_hi", vec![lo, hi]),
            KeyCondition::Ge(v) => ("#sk >= :sk", vec![v]),
            KeyCondition::Le(v) => ("#sk <= :sk", vec![v]),
            KeyCondition::Lt(v) => ("#sk < :sk", vec![v]),
        })
    }

    fn values(&self) -> impl Iterator<Item = &str> {
        self.expression().into_iter().flat_map(|(_, v)| v)
    }
}

/// A condition on an entity's sort key, built from a [`SortKey`].
pub struct SortCondition<E> {
    pub(crate) condition: Result<KeyCondition>,
    /// The index the condition was built for (`None`: the table).
    pub(crate) index: Option<&'static str>,
    /// The template the condition was built on and how many of its fields
    /// it constrains, and whether the last is a range (`None` for
    /// conditions on attributes): what a collection's variants must share
    /// for it to mean the same on theirs.
    pub(crate) shape: Option<(Template, usize, bool)>,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> SortCondition<E> {
    fn new(condition: Result<KeyCondition>, index: Option<&'static str>) -> Self {
        SortCondition {
            condition: checked_lengths(E::NAME, condition),
            index,
            shape: None,
            _entity: PhantomData,
        }
    }

    fn shaped(mut self, template: Option<Template>, fields: usize, range: bool) -> Self {
        self.shape = template.map(|t| (t, fields, range));
        self
    }

    /// The condition every query on `E` starts from: its sort-key scope on
    /// the table or on an index.
    #[doc(hidden)]
    pub fn __scope(index: Option<Index>) -> Self {
        let (template, index) = match index {
            None => (E::SK, None),
            Some(index) => (index.sk, Some(index.name)),
        };
        Self::of(covered(
            E::NAME,
            Ok(root_prefix(template)),
            0,
            template,
            index,
        ))
    }

    fn of(covered: Covered) -> Self {
        SortCondition {
            condition: covered.condition,
            index: covered.index,
            shape: covered.shape,
            _entity: PhantomData,
        }
    }
}

/// The prefix every sort key of `template` begins with: its literal text
/// up to the first field (empty without a sort key).
fn root_prefix(template: Option<Template>) -> String {
    template.map(|t| t.literal_prefix()).unwrap_or_default()
}

/// A [`SortCondition`] without its type.
struct Covered {
    condition: Result<KeyCondition>,
    index: Option<&'static str>,
    shape: Option<(Template, usize, bool)>,
}

/// What a sort key covers: its value when all of its template's fields are
/// fixed, the keys that begin with its prefix otherwise. Not generic: the
/// body is compiled once, not for every entity.
fn covered(
    entity: &'static str,
    prefix: Result<String>,
    fixed: usize,
    template: Option<Template>,
    index: Option<&'static str>,
) -> Covered {
    let total = template.map(|t| t.field_count()).unwrap_or(0);
    let condition = prefix.map(|p| {
        if template.is_none() {
            KeyCondition::All
        } else if fixed == total {
            KeyCondition::Eq(p)
        } else if p.is_empty() {
            KeyCondition::All
        } else {
            KeyCondition::BeginsWith(p)
        }
    });
    Covered {
        condition: checked_lengths(entity, condition),
        index,
        shape: template.map(|t| (t, fixed, false)),
    }
}

/// The condition, unless one of its values is longer than a sort key can
/// be.
fn checked_lengths(entity: &'static str, condition: Result<KeyCondition>) -> Result<KeyCondition> {
    let condition = condition?;
    for value in condition.values() {
        if value.len() > MAX_SORT_KEY_BYTES {
            return Err(Error::KeyTooLong {
                entity,
                attribute: "sort key condition".into(),
                len: value.len(),
                max: MAX_SORT_KEY_BYTES,
            });
        }
    }
    Ok(condition)
}

impl<E> SortCondition<E> {
    /// A condition on the sort attributes of index `index`.
    pub(crate) fn attributes(condition: Result<AttributeCondition>, index: &'static str) -> Self {
        SortCondition {
            condition: condition.map(KeyCondition::Attributes),
            index: Some(index),
            shape: None,
            _entity: PhantomData,
        }
    }

    /// No condition: the whole partition (collections).
    #[doc(hidden)]
    pub fn __all(index: Option<Index>) -> Self {
        SortCondition {
            condition: Ok(KeyCondition::All),
            index: index.map(|i| i.name),
            shape: None,
            _entity: PhantomData,
        }
    }
}

impl<E> Clone for SortCondition<E> {
    fn clone(&self) -> Self {
        SortCondition {
            condition: self.condition.clone(),
            index: self.index,
            shape: self.shape,
            _entity: PhantomData,
        }
    }
}

impl<E> fmt::Debug for SortCondition<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SortCondition")
            .field(&self.condition)
            .finish()
    }
}

impl<E: Entity, F> From<SortKey<E, F>> for SortCondition<E> {
    fn from(key: SortKey<E, F>) -> Self {
        SortCondition::of(covered(
            E::NAME,
            key.prefix,
            key.fixed,
            key.template,
            key.index,
        ))
    }
}

impl<E> SortCondition<E> {
    /// The same condition for another target, checked by the caller.
    pub(crate) fn retarget<C>(self, check: impl FnOnce(&Self) -> Result<()>) -> SortCondition<C> {
        let condition = check(&self).and(self.condition);
        SortCondition {
            condition,
            index: self.index,
            shape: self.shape,
            _entity: PhantomData,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predecessor_sorts_between_neighbours() {
        let p = predecessor("CLIP#v1");
        assert!(p.as_str() < "CLIP#v1");
        assert!(p.as_str() > "CLIP#v0#zzzz");
        assert!(p.as_str() > "CLIP#v0");
        assert_eq!(predecessor("a\u{E000}"), "a\u{D7FF}\u{10FFFF}");
    }

    #[test]
    fn conditions_admit_like_dynamodb() {
        let between = KeyCondition::Between("CLIP#b".into(), "CLIP$".into());
        assert!(between.admits("CLIP#c#1"));
        assert!(!between.admits("CLIPS#a"));
        assert!(!between.admits("CLIP#a"));
        assert!(KeyCondition::BeginsWith("CLIP#v1#".into()).admits("CLIP#v1#x"));
        assert!(!KeyCondition::BeginsWith("CLIP#v1#".into()).admits("CLIP#v10#x"));
    }
}
