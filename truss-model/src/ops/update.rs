//! Typed UpdateItem: set, remove, add, append, if_not_exists, conditions.

use crate::expr::storage::OwnForm;
use crate::expr::{all, and, value_of, Attr, Condition, Node, Placeholders, Updatable};
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::foundation::item::Item;
use crate::foundation::limits::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::keys::attribute_index::{check_value, key_attribute};
use crate::keys::entity::{Entity, EntityKey};
use crate::keys::template::Index;
use crate::ops::write::{condition_failed, Required};
use crate::table::inner::RenderedKey;
use crate::table::observe::{send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use futures::future::BoxFuture;
use serde::Serialize;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

/// What an index setter computes for one index: its key attributes' new
/// values, or `None` when an optional field of its templates is `None` (the
/// item leaves the sparse index). Made by generated code.
#[doc(hidden)]
pub type IndexKeys = (Index, Option<(String, Option<String>)>);

type IndexKeysFn<E> = Box<dyn FnOnce(&<E as Entity>::Key) -> Result<Vec<IndexKeys>> + Send>;

/// New values for the fields of an index, with the index keys they give:
/// made by the generated `Type::set_<index>(...)`, which takes exactly the
/// index's fields (its key fields come from the update's key), and applied
/// by [`Update::set_index`]. So an index key can never go stale: its fields
/// change only together with it.
///
/// The setter is named `set_` and the index's accessor (the index name in
/// lower case: `GSI1` gives `set_gsi1`). Indexes whose templates share a
/// field share one setter, which takes the fields of all of them and
/// recomputes all their keys: `set_gsi1_and_gsi2`. The derive reference
/// ([`Entity`](derive@crate::Entity)) lists every generated item.
#[must_use = "an IndexSet does nothing until applied with Update::set_index"]
pub struct IndexSet<E: Entity> {
    fields: Result<Vec<(&'static str, AttributeValue)>>,
    keys: IndexKeysFn<E>,
}

impl<E: Entity> IndexSet<E> {
    #[doc(hidden)]
    pub fn __new(
        fields: Result<Vec<(&'static str, AttributeValue)>>,
        keys: impl FnOnce(&E::Key) -> Result<Vec<IndexKeys>> + Send + 'static,
    ) -> Self {
        IndexSet {
            fields,
            keys: Box::new(keys),
        }
    }
}

impl<E: Entity> fmt::Debug for IndexSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexSet")
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

/// Types DynamoDB's `ADD` can add to: numbers (and optional numbers).
pub trait Numeric: Serialize {
    /// Whether the type holds no negative number: [`Update::subtract`] then
    /// guards its counter so it never drops below zero.
    const UNSIGNED: bool = false;
}

macro_rules! numeric {
    ($unsigned:literal: $($t:ty),*) => { $(impl Numeric for $t { const UNSIGNED: bool = $unsigned; })* };
}
numeric!(false: i8, i16, i32, i64, i128, isize, f32, f64);
numeric!(true: u8, u16, u32, u64, u128, usize);
impl Numeric for crate::foundation::number::Number {}
impl<T: Numeric> Numeric for Option<T> {
    const UNSIGNED: bool = T::UNSIGNED;
}

#[derive(Debug, Clone)]
enum Action {
    Set(&'static str, AttributeValue),
    SetIfNotExists(&'static str, AttributeValue),
    Add(&'static str, AttributeValue),
    Append(&'static str, AttributeValue),
    Remove(&'static str),
}

/// A `SET` action, checked when `attribute` is a key attribute of an index
/// over attributes: a value of its type, not empty; `None` (NULL, which
/// DynamoDB refuses as a key) becomes `REMOVE` for a plain `SET`.
fn index_checked<E: Entity>(
    attribute: &'static str,
    value: AttributeValue,
    action: fn(&'static str, AttributeValue) -> Action,
) -> Result<Action> {
    let Some((index, key)) = key_attribute(E::ATTRIBUTE_INDEXES, attribute) else {
        return Ok(action(attribute, value));
    };
    if let AttributeValue::Null(_) = value {
        return match action(attribute, AttributeValue::Null(true)) {
            Action::Set(..) => Ok(Action::Remove(attribute)),
            _ => Err(Error::InvalidUpdate {
                entity: E::NAME,
                reason: format!(
                    "`{attribute}` is a key attribute of index `{}`: it cannot be set to NULL",
                    index.name
                ),
            }),
        };
    }
    check_value(E::NAME, index.name, key, &value)?;
    Ok(action(attribute, value))
}

impl Action {
    fn attribute(&self) -> &'static str {
        match self {
            Action::Set(a, _)
            | Action::SetIfNotExists(a, _)
            | Action::Add(a, _)
            | Action::Append(a, _)
            | Action::Remove(a) => a,
        }
    }
}

impl Table {
    /// Updates the item with this key in place: one UpdateItem.
    ///
    /// Without [`must_exist`](Update::must_exist) an update is an upsert; it
    /// also writes the key fields as attributes, so an item it creates
    /// decodes like any other. Key fields themselves have no update methods
    /// ([`KeyAttr`](crate::KeyAttr)): changing a key means writing a new item.
    pub fn update<K>(&self, key: K) -> Update<K::Entity>
    where
        K: EntityKey,
        K::Entity: Entity<Key = K>,
    {
        Update {
            table: self.clone(),
            key: self.inner.render_key(&key),
            key_attributes: key.__attributes(),
            typed_key: key,
            actions: Ok(Vec::new()),
            condition: None,
            must_exist: false,
            expected_version: None,
            _entity: PhantomData,
        }
    }
}

/// A pending UpdateItem; `.await` it or call [`send`](Update::send).
#[must_use = "an Update does nothing until awaited"]
pub struct Update<E: Entity> {
    table: Table,
    key: Result<RenderedKey>,
    key_attributes: Result<Vec<(&'static str, AttributeValue)>>,
    /// The key as given, for index setters whose templates name key fields.
    typed_key: E::Key,
    actions: Result<Vec<Action>>,
    condition: Option<Result<Node>>,
    must_exist: bool,
    expected_version: Option<u64>,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Update<E> {
    fn push(mut self, action: Result<Action>) -> Self {
        self.actions = self.actions.and_then(|mut actions| {
            actions.push(action?);
            Ok(actions)
        });
        self
    }

    /// `SET attribute = value`.
    ///
    /// On a key attribute of an index over attributes, the value is checked
    /// as for a put (its type, not empty), and `None` removes the attribute:
    /// the item leaves that (sparse) index. Either way DynamoDB moves the
    /// item in the index in the same write.
    pub fn set<A: Updatable<E>>(self, attr: A, value: impl IntoField<A::Value>) -> Self {
        let attr = attr.__attr();
        let value = attr.value(&value.into_field());
        self.push(value.and_then(|v| index_checked::<E>(attr.name(), v, Action::Set)))
    }

    /// `SET attribute = if_not_exists(attribute, value)`: sets it only if
    /// the item does not have it yet.
    pub fn set_if_not_exists<A: Updatable<E>>(
        self,
        attr: A,
        value: impl IntoField<A::Value>,
    ) -> Self {
        let attr = attr.__attr();
        let value = attr.value(&value.into_field());
        self.push(value.and_then(|v| index_checked::<E>(attr.name(), v, Action::SetIfNotExists)))
    }

    /// `ADD attribute by`: an atomic counter; a missing attribute counts
    /// from zero.
    pub fn add<T: Numeric, S: OwnForm>(self, attr: Attr<E, T, S>, by: T) -> Self {
        let value = value_of::<E>(attr.name(), &by);
        self.push(value.map(|v| Action::Add(attr.name(), v)))
    }

    /// Takes `by` from a number in one UpdateItem (`ADD attribute -by`),
    /// for counters of unsigned types too, which `add` cannot make
    /// negative.
    ///
    /// On an unsigned field (`u32`, `Option<u64>`, ...) the update is
    /// guarded automatically with `attribute >= by`, combined with any
    /// condition of yours: when too little remains (or the attribute is
    /// missing) it changes nothing and fails with
    /// [`Error::ConditionFailed`], so the count never drops below zero and
    /// the item always decodes. Signed fields are not guarded; add the
    /// condition you need:
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Entity, Table};
    /// # #[derive(Entity, Serialize, Deserialize)]
    /// # #[truss(pk = "PRODUCT#{sku}", sk = "STOCK")]
    /// # struct Product { sku: String, stock: u32 }
    /// # async fn demo(table: Table) -> truss_model::Result<()> {
    /// // Take 3 from the stock if at least 3 remain (`stock >= 3` is
    /// // added for the unsigned field).
    /// table
    ///     .update(Product::key("sku-1"))
    ///     .subtract(Product::STOCK, 3)
    ///     .must_exist()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn subtract<T: Numeric, S: OwnForm>(mut self, attr: Attr<E, T, S>, by: T) -> Self {
        let stored = value_of::<E>(attr.name(), &by);
        if T::UNSIGNED {
            let guard = stored.clone().map(|v| Node::Compare(attr.name(), ">=", v));
            self.condition = Some(and(self.condition.take(), guard));
        }
        let value = stored.and_then(|v| match v {
            AttributeValue::N(n) => Ok(AttributeValue::N(match n.strip_prefix('-') {
                Some(positive) => positive.to_owned(),
                None => format!("-{n}"),
            })),
            _ => Err(Error::InvalidUpdate {
                entity: E::NAME,
                reason: format!("`subtract` on `{}`: not a number", attr.name()),
            }),
        });
        self.push(value.map(|v| Action::Add(attr.name(), v)))
    }

    /// Sets the fields of an index and recomputes its key attributes in the
    /// same UpdateItem: `set` with the generated `Type::set_<index>(...)`.
    /// When an optional field of the index is `None`, both index key
    /// attributes are removed and the item leaves the (sparse) index.
    ///
    /// ```no_run
    /// # #[cfg(feature = "chrono")] {
    /// # use chrono::{DateTime, Utc};
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Entity, Table};
    /// #[derive(Entity, Serialize, Deserialize)]
    /// #[truss(
    ///     pk = "LINK#{code}",
    ///     sk = "META",
    ///     index(name = "GSI1", pk = "OWNER#{owner_id}", sk = "LINK#{created_at}")
    /// )]
    /// struct Link { code: String, owner_id: Option<String>, created_at: DateTime<Utc> }
    ///
    /// # async fn demo(table: Table, created_at: DateTime<Utc>) -> truss_model::Result<()> {
    /// // Move the link to another owner: one UpdateItem, its GSI1 keys with it.
    /// table
    ///     .update(Link::key("aK9xQ2z"))
    ///     .set_index(Link::set_gsi1(Some("user-002".to_string()), created_at))
    ///     .must_exist()
    ///     .await?;
    /// # Ok(()) }
    /// # }
    /// ```
    pub fn set_index(self, set: IndexSet<E>) -> Self {
        let actions = (|| {
            let mut actions: Vec<Action> = set
                .fields?
                .into_iter()
                .map(|(attribute, value)| Action::Set(attribute, value))
                .collect();
            let inner = &self.table.inner;
            for (index, keys) in (set.keys)(&self.typed_key)? {
                match keys {
                    Some((pk, sk)) => {
                        inner.check_len::<E>(index.pk_attribute, &pk, MAX_PARTITION_KEY_BYTES)?;
                        actions.push(Action::Set(index.pk_attribute, AttributeValue::S(pk)));
                        if let (Some(attribute), Some(sk)) = (index.sk_attribute, sk) {
                            inner.check_len::<E>(attribute, &sk, MAX_SORT_KEY_BYTES)?;
                            actions.push(Action::Set(attribute, AttributeValue::S(sk)));
                        }
                    }
                    None => {
                        actions.push(Action::Remove(index.pk_attribute));
                        actions.extend(index.sk_attribute.map(Action::Remove));
                    }
                }
            }
            Ok(actions)
        })();
        match actions {
            Ok(actions) => actions
                .into_iter()
                .fold(self, |update, a| update.push(Ok(a))),
            Err(e) => self.push(Err(e)),
        }
    }

    /// Appends items to a list attribute (creating it if missing).
    pub fn append<T: Serialize, S: OwnForm>(
        self,
        attr: Attr<E, Vec<T>, S>,
        items: impl IntoIterator<Item = T>,
    ) -> Self {
        let items: Vec<T> = items.into_iter().collect();
        let value = value_of::<E>(attr.name(), &items);
        self.push(value.map(|v| Action::Append(attr.name(), v)))
    }

    /// `REMOVE attribute`: only for optional fields, so the item still
    /// decodes.
    pub fn remove<T, S>(self, attr: Attr<E, Option<T>, S>) -> Self {
        self.push(Ok(Action::Remove(attr.name())))
    }

    /// Applies the update only if `condition` holds; otherwise fails with
    /// [`Error::ConditionFailed`] and changes nothing. Several calls are
    /// combined with AND.
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        self.condition = Some(and(self.condition.take(), condition.node));
        self
    }

    /// Optimistic locking: applies only if the item's version is `version`
    /// (otherwise [`Error::StaleVersion`]). Updates of a versioned entity
    /// always increment its version.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }

    /// Fails with [`Error::NotFound`] instead of creating the item.
    pub fn must_exist(mut self) -> Self {
        self.must_exist = true;
        self
    }

    /// Returns the item as it is after the update.
    pub fn return_new(self) -> UpdateReturning<E> {
        UpdateReturning(self)
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.execute(ReturnValue::None).await.map(|_| ())
    }

    /// Checks and renders the update: key, expressions and placeholders.
    pub(crate) fn render(self) -> Result<RenderedUpdate> {
        let key = self.key?;
        let inner = &self.table.inner;
        let named = |e: Error| e.with_key(|| inner.display(&key));
        let key_attributes = self.key_attributes.map_err(named)?;
        let actions = self.actions.map_err(named)?;
        for (i, action) in actions.iter().enumerate() {
            let attribute = action.attribute();
            if actions[..i].iter().any(|a| a.attribute() == attribute) {
                return Err(Error::InvalidUpdate {
                    entity: E::NAME,
                    reason: format!("attribute `{attribute}` is updated twice"),
                });
            }
        }

        let mut p = Placeholders::default();
        let mut set = Vec::new();
        let mut add = Vec::new();
        let mut remove = Vec::new();
        // Key fields are written when the update creates the item; an
        // existing item keeps its own text (a case-folded key format could
        // otherwise replace `JLowe` with `jlowe`).
        for (attribute, value) in key_attributes {
            if !actions.iter().any(|a| a.attribute() == attribute) {
                let (n, v) = (p.name(attribute), p.value(value));
                set.push(format!("{n} = if_not_exists({n}, {v})"));
            }
        }
        // Constants: written when the update creates the item, left as
        // they are otherwise.
        for constant in E::CONSTANTS {
            let (n, v) = (
                p.name(constant.name),
                p.value(constant.value.to_attribute()),
            );
            set.push(format!("{n} = if_not_exists({n}, {v})"));
        }
        for action in actions {
            match action {
                Action::Set(a, value) => {
                    let (n, v) = (p.name(a), p.value(value));
                    set.push(format!("{n} = {v}"));
                }
                Action::SetIfNotExists(a, value) => {
                    let (n, v) = (p.name(a), p.value(value));
                    set.push(format!("{n} = if_not_exists({n}, {v})"));
                }
                Action::Append(a, value) => {
                    let n = p.name(a);
                    let empty = p.value(AttributeValue::L(Vec::new()));
                    let v = p.value(value);
                    set.push(format!(
                        "{n} = list_append(if_not_exists({n}, {empty}), {v})"
                    ));
                }
                Action::Add(a, value) => {
                    let (n, v) = (p.name(a), p.value(value));
                    add.push(format!("{n} {v}"));
                }
                Action::Remove(a) => remove.push(p.name(a)),
            }
        }
        if let Some(attr) = E::VERSION {
            let (n, v) = (p.name(attr), p.value(AttributeValue::N("1".into())));
            add.push(format!("{n} {v}"));
        }
        // An update writes the current revision's shape: it applies to an
        // item at that revision (or creates one), never to an older item,
        // whose fields it would mix with the new ones.
        let mut conditions = Vec::new();
        if let Some(revision) = E::REVISION {
            let (n, v) = (
                p.name(revision.attribute),
                p.value(AttributeValue::N(revision.current.to_string())),
            );
            set.push(format!("{n} = if_not_exists({n}, {v})"));
            let absent = match revision.current {
                1 => format!("attribute_not_exists({n})"),
                _ => format!("attribute_not_exists({})", p.name(&inner.pk)),
            };
            conditions.push(format!("({absent} OR {n} = {v})"));
        }
        let mut expression = Vec::new();
        for (keyword, clauses) in [("SET", set), ("ADD", add), ("REMOVE", remove)] {
            if !clauses.is_empty() {
                expression.push(format!("{keyword} {}", clauses.join(", ")));
            }
        }

        if self.must_exist {
            conditions.push(format!("attribute_exists({})", p.name(&inner.pk)));
        }
        let has_condition = self.condition.is_some();
        if let Some(node) = self.condition {
            conditions.push(format!("({})", p.render(&node.map_err(named)?)));
        }
        if let (Some(attr), Some(version)) = (E::VERSION, self.expected_version) {
            let (n, v) = (
                p.name(attr),
                p.value(AttributeValue::N(version.to_string())),
            );
            conditions.push(format!("{n} = {v}"));
        }
        let (names, values) = p.into_parts();
        Ok(RenderedUpdate {
            table: self.table,
            key,
            update: expression.join(" "),
            condition: all(conditions),
            names,
            values,
            must_exist: self.must_exist,
            expected_version: self.expected_version,
            has_condition,
        })
    }

    async fn execute(self, returning: ReturnValue) -> Result<Option<E>> {
        let observation = self.table.inner.observe("UpdateItem", E::NAME);
        let result = self.update(returning, &observation).await;
        observation.finish(result)
    }

    async fn update(self, returning: ReturnValue, observation: &Observation) -> Result<Option<E>> {
        let r = self.render()?;
        let inner = &r.table.inner;
        observation.key(|| inner.display(&r.key));
        let output = send!(
            observation,
            inner
                .client
                .update_item()
                .table_name(&inner.name)
                .set_key(Some(inner.key_item(&r.key)))
                .update_expression(&r.update)
                .set_condition_expression(r.condition.clone())
                .set_expression_attribute_names(r.names.clone())
                .set_expression_attribute_values(r.values.clone())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .return_values(returning)
                .set_return_consumed_capacity(observation.capacity())
        );
        match output {
            Ok(output) => output.attributes.map(|item| inner.decode(item)).transpose(),
            Err(err) => Err(match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(e)) => {
                    match older_revision::<E>(e.item.as_ref()) {
                        Some((found, current)) => Error::OldRevision {
                            entity: E::NAME,
                            key: inner.display(&r.key),
                            found,
                            current,
                        },
                        None => condition_failed::<E>(
                            &r.table,
                            &r.key,
                            e.item.as_ref(),
                            Required {
                                exists: r.must_exist,
                                absent: false,
                                version: r.expected_version,
                                condition: r.has_condition,
                            },
                        ),
                    }
                }
                _ => Error::dynamo("UpdateItem", err),
            }),
        }
    }
}

/// An update ready to send, alone or inside a transaction.
pub(crate) struct RenderedUpdate {
    pub(crate) table: Table,
    pub(crate) key: RenderedKey,
    pub(crate) update: String,
    pub(crate) condition: Option<String>,
    pub(crate) names: Option<std::collections::HashMap<String, String>>,
    pub(crate) values: Option<Item>,
    pub(crate) must_exist: bool,
    pub(crate) expected_version: Option<u64>,
    /// Whether the caller added a condition.
    pub(crate) has_condition: bool,
}

impl<E: Entity> IntoFuture for Update<E> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'static, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A pending UpdateItem that returns the updated item.
#[must_use = "an Update does nothing until awaited"]
pub struct UpdateReturning<E: Entity>(Update<E>);

impl<E: Entity> UpdateReturning<E> {
    /// Sends the request and returns the item after the update.
    pub async fn send(self) -> Result<E> {
        self.0
            .execute(ReturnValue::AllNew)
            .await?
            .ok_or_else(|| Error::Decode {
                entity: E::NAME,
                key: Default::default(),
                field: None,
                message: "DynamoDB returned no attributes for ALL_NEW".into(),
            })
    }
}

impl<E: Entity> IntoFuture for UpdateReturning<E> {
    type Output = Result<E>;
    type IntoFuture = BoxFuture<'static, Result<E>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The revision of the item a failed update returned, and the entity's,
/// when the item is at another revision (which the update requires).
fn older_revision<E: Entity>(item: Option<&Item>) -> Option<(u64, u64)> {
    let revision = E::REVISION?;
    let item = item.filter(|i| !i.is_empty())?;
    let found = revision.of(item.get(revision.attribute)).ok()?;
    (found != revision.current).then_some((found, revision.current))
}
