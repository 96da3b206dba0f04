//! Typed UpdateItem: set, remove, add, append, if_not_exists, conditions.

use crate::expr::storage::OwnForm;
use crate::expr::{
    all, and, check_expression, value_of, Attr, Condition, DocPath, Node, Path, Placeholders, Term,
    Updatable,
};
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::foundation::item::Item;
use crate::foundation::limits::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::foundation::timestamp::Stamp;
use crate::keys::attribute_index::{check_value, key_attribute};
use crate::keys::entity::{Entity, EntityKey};
use crate::keys::template::Index;
use crate::ops::write::{condition_failed, Required};
use crate::ops::Decode;
use crate::table::erased::{info, EntityInfo};
use crate::table::inner::RenderedKey;
use crate::table::observe::{send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use futures::future::BoxFuture;
use serde::Serialize;
use std::fmt;
use std::future::{Future, IntoFuture};
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
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number: `add`, `subtract` and `plus`/`minus` apply to numbers",
    label = "not a number",
    note = "members of a set are added with `add_members` and removed with `remove_members`"
)]
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
    Set(DocPath, AttributeValue),
    SetIfNotExists(DocPath, AttributeValue),
    /// `ADD`: a top-level number or set.
    Add(DocPath, AttributeValue),
    /// `DELETE`: members from a top-level set.
    Delete(DocPath, AttributeValue),
    /// `SET p = if_not_exists(p, 0) + n`: `ADD` inside the item, which
    /// DynamoDB's `ADD` cannot reach.
    Increment(DocPath, AttributeValue),
    /// `SET p = q + n` or `q - n`.
    Compute(DocPath, DocPath, &'static str, AttributeValue),
    Append(DocPath, AttributeValue),
    Prepend(DocPath, AttributeValue),
    Remove(DocPath),
}

/// A `SET` action, checked when `path` is a key attribute of an index
/// over attributes: a value of its type, not empty; `None` (NULL, which
/// DynamoDB refuses as a key) becomes `REMOVE` for a plain `SET`.
fn index_checked_of(
    e: &EntityInfo,
    path: DocPath,
    value: AttributeValue,
    action: fn(DocPath, AttributeValue) -> Action,
) -> Result<Action> {
    let Some((index, key)) = path
        .top_level()
        .and_then(|attribute| key_attribute(e.attribute_indexes, attribute))
    else {
        return Ok(action(path, value));
    };
    if let AttributeValue::Null(_) = value {
        return match action(path.clone(), AttributeValue::Null(true)) {
            Action::Set(..) => Ok(Action::Remove(path)),
            _ => Err(Error::InvalidUpdate {
                entity: e.name,
                reason: format!(
                    "`{path}` is a key attribute of index `{}`: it cannot be set to NULL",
                    index.name
                ),
            }),
        };
    }
    check_value(e.name, index.name, key, &value)?;
    Ok(action(path, value))
}

impl Action {
    fn path(&self) -> &DocPath {
        match self {
            Action::Set(p, _)
            | Action::SetIfNotExists(p, _)
            | Action::Add(p, _)
            | Action::Delete(p, _)
            | Action::Increment(p, _)
            | Action::Compute(p, ..)
            | Action::Append(p, _)
            | Action::Prepend(p, _)
            | Action::Remove(p) => p,
        }
    }

    /// Operators and functions, as DynamoDB counts them.
    fn operators(&self) -> usize {
        match self {
            Action::Set(..) | Action::Add(..) | Action::Delete(..) | Action::Remove(..) => 0,
            Action::SetIfNotExists(..) | Action::Compute(..) => 1,
            Action::Increment(..) | Action::Append(..) | Action::Prepend(..) => 2,
        }
    }
}

/// Sets whose members `ADD` and `DELETE` take: `HashSet<T>` and
/// `BTreeSet<T>` stored as DynamoDB sets (`SS`, `NS`, `BS`), and optional
/// ones.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set: `add_members` and `remove_members` apply to sets (`ADD` on a number is `add`)",
    label = "not a `HashSet` or `BTreeSet`"
)]
pub trait SetOf {
    /// The member type.
    type Member;
    #[doc(hidden)]
    fn __from_members(members: Vec<Self::Member>) -> Self;
}

impl<T: Eq + std::hash::Hash, H: std::hash::BuildHasher + Default> SetOf
    for std::collections::HashSet<T, H>
{
    type Member = T;
    fn __from_members(members: Vec<T>) -> Self {
        members.into_iter().collect()
    }
}

impl<T: Ord> SetOf for std::collections::BTreeSet<T> {
    type Member = T;
    fn __from_members(members: Vec<T>) -> Self {
        members.into_iter().collect()
    }
}

impl<X: SetOf> SetOf for Option<X> {
    type Member = X::Member;
    fn __from_members(members: Vec<Self::Member>) -> Self {
        Some(X::__from_members(members))
    }
}

/// An attribute's value plus or minus a number, for
/// [`Update::set_from`]: made by [`Attr::plus`] and [`Attr::minus`] (and
/// the same on paths).
pub struct Computed<E, T> {
    source: DocPath,
    op: &'static str,
    by: T,
    _entity: PhantomData<fn() -> E>,
}

impl<E, T: fmt::Debug> fmt::Debug for Computed<E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:?}", self.source, self.op, self.by)
    }
}

macro_rules! arithmetic {
    ($handle:ident) => {
        impl<E, T: Numeric, S: OwnForm> $handle<E, T, S> {
            /// This attribute's value plus `by`, for
            /// [`Update::set_from`]: `SET target = attribute + :by`.
            pub fn plus(&self, by: T) -> Computed<E, T> {
                Computed {
                    source: crate::expr::Operand::<E>::__path(self),
                    op: "+",
                    by,
                    _entity: PhantomData,
                }
            }

            /// This attribute's value minus `by`, for
            /// [`Update::set_from`]: `SET target = attribute - :by`.
            pub fn minus(&self, by: T) -> Computed<E, T> {
                Computed {
                    source: crate::expr::Operand::<E>::__path(self),
                    op: "-",
                    by,
                    _entity: PhantomData,
                }
            }
        }
    };
}

arithmetic!(Attr);
arithmetic!(Path);
arithmetic!(KeyAttr);
use crate::expr::KeyAttr;

/// Items for `list_append`, as a list stores them.
fn list_items<E: Entity, T: Serialize>(
    path: DocPath,
    items: impl IntoIterator<Item = T>,
) -> Result<(DocPath, AttributeValue)> {
    let items: Vec<T> = items.into_iter().collect();
    value_of::<E>(&path, &items).map(|v| (path, v))
}

/// `ADD` on a top-level number, `SET p = if_not_exists(p, 0) + n` inside
/// the item.
fn increment(path: DocPath, by: AttributeValue) -> Action {
    match path.top_level() {
        Some(_) => Action::Add(path, by),
        None => Action::Increment(path, by),
    }
}

/// Members of a set as the field stores them (through its own serializer:
/// serde_dynamo's set helpers give `SS`, `NS`, `BS`), refused when empty
/// or when the field is not stored as a set.
fn members_of<E: Entity, T: SetOf, S>(
    attr: Attr<E, T, S>,
    members: impl IntoIterator<Item = T::Member>,
    method: &str,
) -> Result<(DocPath, AttributeValue)> {
    let path = DocPath::top(attr.name());
    let members: Vec<T::Member> = members.into_iter().collect();
    let count = members.len();
    if count == 0 {
        return Err(Error::InvalidExpression {
            entity: E::NAME,
            reason: format!(
                "`{method}` on `{path}` with no members: DynamoDB takes no empty set, and there is nothing to change"
            ),
        });
    }
    let target: Path<E, T, S> = attr.__target();
    let value = target.value(&T::__from_members(members))?;
    match &value {
        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => Ok((path, value)),
        _ => Err(Error::InvalidUpdate {
            entity: E::NAME,
            reason: format!(
                "`{path}` is not stored as a DynamoDB set (a put writes it as a list): store it with `#[serde(with = \"serde_dynamo::string_set\")]` (or `number_set`, `binary_set`) to add and remove members"
            ),
        }),
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
            u: UntypedUpdate {
                table: self.clone(),
                key: self.inner.render_key(&key),
                key_attributes: key.__attributes(),
                actions: Ok(Vec::new()),
                condition: None,
                must_exist: false,
                expected_version: None,
            },
            typed_key: key,
            _entity: PhantomData,
        }
    }
}

/// A pending UpdateItem; `.await` it or call [`send`](Update::send).
#[must_use = "an Update does nothing until awaited"]
pub struct Update<E: Entity> {
    /// The update without its type: what every builder method changes, and
    /// the body that sends it, are the same for every entity.
    u: UntypedUpdate,
    /// The key as given, for index setters whose templates name key fields.
    typed_key: E::Key,
    _entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Update<E> {
    fn push(mut self, action: Result<Action>) -> Self {
        self.u.push(action);
        self
    }

    /// `SET attribute = value`, on a handle or a [`Path`] into the item
    /// (`Order::ADDRESS.get(Address::CITY)`; the struct holding it must
    /// exist, or DynamoDB refuses the path).
    ///
    /// On a key attribute of an index over attributes, the value is checked
    /// as for a put (its type, not empty), and `None` removes the attribute:
    /// the item leaves that (sparse) index. Either way DynamoDB moves the
    /// item in the index in the same write. An empty set is
    /// [`Error::Encode`]: DynamoDB stores no empty set.
    pub fn set<A: Updatable<E>>(mut self, attr: A, value: impl IntoField<A::Value>) -> Self {
        let target = attr.__target();
        let value = target.value(&value.into_field());
        self.u
            .push_checked(info::<E>(), target.path, value, Action::Set);
        self
    }

    /// `SET attribute = if_not_exists(attribute, value)`: sets it only if
    /// the item does not have it yet.
    pub fn set_if_not_exists<A: Updatable<E>>(
        mut self,
        attr: A,
        value: impl IntoField<A::Value>,
    ) -> Self {
        let target = attr.__target();
        let value = target.value(&value.into_field());
        self.u
            .push_checked(info::<E>(), target.path, value, Action::SetIfNotExists);
        self
    }

    /// `SET target = source + n` or `source - n`, from
    /// [`Attr::plus`] / [`Attr::minus`]: one numeric attribute computed
    /// from another in the same write (the source must exist).
    pub fn set_from<A, T>(self, target: A, computed: Computed<E, T>) -> Self
    where
        A: Updatable<E, Value = T>,
        A::Storage: OwnForm,
        T: Numeric,
    {
        let target = target.__target().path;
        let by = value_of::<E>(&computed.source, &computed.by);
        self.push(by.map(|v| Action::Compute(target, computed.source, computed.op, v)))
    }

    /// Adds `by` to a number: `ADD attribute by` on a top-level attribute
    /// (an atomic counter; a missing attribute counts from zero), and
    /// `SET path = if_not_exists(path, 0) + by` inside the item, where
    /// DynamoDB's `ADD` does not reach.
    pub fn add<A, T>(mut self, attr: A, by: T) -> Self
    where
        A: Updatable<E, Value = T>,
        A::Storage: OwnForm,
        T: Numeric,
    {
        let path = attr.__target().path;
        let value = value_of::<E>(&path, &by);
        self.u.push_increment(path, value);
        self
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
    pub fn subtract<A, T>(mut self, attr: A, by: T) -> Self
    where
        A: Updatable<E, Value = T>,
        A::Storage: OwnForm,
        T: Numeric,
    {
        let path = attr.__target().path;
        let stored = value_of::<E>(&path, &by);
        if T::UNSIGNED {
            let guard = stored
                .clone()
                .map(|v| Node::Compare(Term::Path(path.clone()), ">=", Term::Value(v)));
            self.u.condition = Some(and(self.u.condition.take(), guard));
        }
        let value = stored.and_then(|v| match v {
            AttributeValue::N(n) => Ok(AttributeValue::N(match n.strip_prefix('-') {
                Some(positive) => positive.to_owned(),
                None => format!("-{n}"),
            })),
            _ => Err(Error::InvalidUpdate {
                entity: E::NAME,
                reason: format!("`subtract` on `{path}`: not a number"),
            }),
        });
        self.push(value.map(|v| increment(path, v)))
    }

    /// `ADD attribute members`: adds members to a set (`HashSet<String>`,
    /// `BTreeSet<i64>`, a set of byte strings, stored as `SS` / `NS` /
    /// `BS` through serde_dynamo's set helpers), creating it if missing.
    /// DynamoDB adds to top-level sets only, so this takes a field handle.
    /// No members is [`Error::InvalidExpression`] (DynamoDB stores no
    /// empty set); a field stored as a list is [`Error::InvalidUpdate`].
    pub fn add_members<T: SetOf, S>(
        self,
        attr: Attr<E, T, S>,
        members: impl IntoIterator<Item = T::Member>,
    ) -> Self {
        let value = members_of(attr, members, "add_members");
        self.push(value.map(|(p, v)| Action::Add(p, v)))
    }

    /// `DELETE attribute members`: removes members from a set; the
    /// attribute disappears with its last member, so an optional field
    /// (`Option<HashSet<_>>`) is the one that still decodes then. No
    /// members is [`Error::InvalidExpression`].
    pub fn remove_members<T: SetOf, S>(
        self,
        attr: Attr<E, T, S>,
        members: impl IntoIterator<Item = T::Member>,
    ) -> Self {
        let value = members_of(attr, members, "remove_members");
        self.push(value.map(|(p, v)| Action::Delete(p, v)))
    }

    /// Appends items to a list (`list_append(list, items)`), creating it if
    /// missing.
    pub fn append<A, T>(self, list: A, items: impl IntoIterator<Item = T>) -> Self
    where
        A: Updatable<E, Value = Vec<T>>,
        A::Storage: OwnForm,
        T: Serialize,
    {
        self.push(
            list_items::<E, T>(list.__target().path, items).map(|(p, v)| Action::Append(p, v)),
        )
    }

    /// Puts items at the front of a list (`list_append(items, list)`),
    /// creating it if missing.
    pub fn prepend<A, T>(self, list: A, items: impl IntoIterator<Item = T>) -> Self
    where
        A: Updatable<E, Value = Vec<T>>,
        A::Storage: OwnForm,
        T: Serialize,
    {
        self.push(
            list_items::<E, T>(list.__target().path, items).map(|(p, v)| Action::Prepend(p, v)),
        )
    }

    /// `REMOVE attribute`: only for optional fields (or paths to optional
    /// fields of nested structs), so the item still decodes.
    pub fn remove<A, T>(self, attr: A) -> Self
    where
        A: Updatable<E, Value = Option<T>>,
    {
        self.push(Ok(Action::Remove(attr.__target().path)))
    }

    /// `REMOVE list[index]`: removes one element of a list; the elements
    /// after it move up.
    pub fn remove_element<A, T>(self, list: A, index: usize) -> Self
    where
        A: Updatable<E, Value = Vec<T>>,
        T: Serialize + 'static,
    {
        let path = list.__target().at(index).path;
        self.push(Ok(Action::Remove(path)))
    }

    /// `REMOVE map.key`: removes one entry of a map.
    pub fn remove_entry<A, V>(self, map: A, key: impl Into<String>) -> Self
    where
        A: Updatable<E>,
        A::Value: crate::expr::StringMap<Value = V>,
        V: Serialize,
    {
        let path = map.__target().key(key).path;
        self.push(Ok(Action::Remove(path)))
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
                .map(|(attribute, value)| Action::Set(DocPath::top(attribute), value))
                .collect();
            let inner = &self.u.table.inner;
            for (index, keys) in (set.keys)(&self.typed_key)? {
                match keys {
                    Some((pk, sk)) => {
                        inner.check_len::<E>(index.pk_attribute, &pk, MAX_PARTITION_KEY_BYTES)?;
                        actions.push(Action::Set(
                            DocPath::top(index.pk_attribute),
                            AttributeValue::S(pk),
                        ));
                        if let (Some(attribute), Some(sk)) = (index.sk_attribute, sk) {
                            inner.check_len::<E>(attribute, &sk, MAX_SORT_KEY_BYTES)?;
                            actions
                                .push(Action::Set(DocPath::top(attribute), AttributeValue::S(sk)));
                        }
                    }
                    None => {
                        actions.push(Action::Remove(DocPath::top(index.pk_attribute)));
                        actions.extend(index.sk_attribute.map(|a| Action::Remove(DocPath::top(a))));
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

    /// Applies the update only if `condition` holds; otherwise fails with
    /// [`Error::ConditionFailed`] and changes nothing. Several calls are
    /// combined with AND.
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        self.u.condition = Some(and(self.u.condition.take(), condition.node));
        self
    }

    /// Optimistic locking: applies only if the item's version is `version`
    /// (otherwise [`Error::StaleVersion`]). Updates of a versioned entity
    /// always increment its version.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.u.expected_version = Some(version);
        self
    }

    /// Fails with [`Error::NotFound`] instead of creating the item.
    pub fn must_exist(mut self) -> Self {
        self.u.must_exist = true;
        self
    }

    /// Returns the item as it is after the update.
    pub fn return_new(self) -> UpdateReturning<E> {
        UpdateReturning(self)
    }

    /// Sends the request.
    pub fn send(self) -> impl Future<Output = Result<()>> + Send + 'static {
        self.boxed()
    }

    /// The request's future, already boxed by the untyped body.
    fn boxed(self) -> BoxFuture<'static, Result<()>> {
        self.untyped().send(info::<E>(), ReturnValue::None, None)
    }

    /// Checks and renders the update: key, expressions and placeholders.
    pub(crate) fn render(self) -> Result<RenderedUpdate> {
        self.untyped().render(info::<E>())
    }

    fn untyped(self) -> UntypedUpdate {
        self.u
    }
}

/// An [`Update`] without its type: its body, compiled once for every
/// entity.
struct UntypedUpdate {
    table: Table,
    key: Result<RenderedKey>,
    key_attributes: Result<Vec<(&'static str, AttributeValue)>>,
    actions: Result<Vec<Action>>,
    condition: Option<Result<Node>>,
    must_exist: bool,
    expected_version: Option<u64>,
}

impl UntypedUpdate {
    /// Adds a `SET` of `value` (or its error), checked by
    /// [`index_checked_of`].
    fn push_checked(
        &mut self,
        e: &EntityInfo,
        path: DocPath,
        value: Result<AttributeValue>,
        action: fn(DocPath, AttributeValue) -> Action,
    ) {
        self.push(value.and_then(|v| index_checked_of(e, path, v, action)));
    }

    /// Adds `by` to the number at `path` ([`increment`]).
    fn push_increment(&mut self, path: DocPath, by: Result<AttributeValue>) {
        self.push(by.map(|v| increment(path, v)));
    }

    /// Adds an action, or keeps the first error.
    fn push(&mut self, action: Result<Action>) {
        match (&mut self.actions, action) {
            (Ok(actions), Ok(action)) => actions.push(action),
            (Ok(_), Err(e)) => self.actions = Err(e),
            (Err(_), _) => {}
        }
    }

    /// Checks and renders the update: key, expressions and placeholders.
    fn render(self, e: &EntityInfo) -> Result<RenderedUpdate> {
        let key = self.key?;
        let inner = &self.table.inner;
        let named = |e: Error| e.with_key(|| inner.display(&key));
        let key_attributes = self.key_attributes.map_err(named)?;
        let actions = self.actions.map_err(named)?;
        for (i, action) in actions.iter().enumerate() {
            let path = action.path();
            path.clone().checked(e.name).map_err(named)?;
            if let Action::Compute(_, source, ..) = action {
                source.clone().checked(e.name).map_err(named)?;
            }
            if let Some(other) = actions[..i].iter().find(|a| a.path().overlaps(path)) {
                let reason = if other.path() == path {
                    format!("attribute `{path}` is updated twice")
                } else {
                    format!(
                        "`{}` and `{path}` overlap: DynamoDB updates one path of a document once",
                        other.path()
                    )
                };
                return Err(Error::InvalidUpdate {
                    entity: e.name,
                    reason,
                });
            }
        }
        let operators: usize = actions.iter().map(Action::operators).sum();

        let mut p = Placeholders::default();
        let mut set = Vec::new();
        let mut add = Vec::new();
        let mut delete = Vec::new();
        let mut remove = Vec::new();
        // Key fields are written when the update creates the item; an
        // existing item keeps its own text (a case-folded key format could
        // otherwise replace `JLowe` with `jlowe`).
        for (attribute, value) in key_attributes {
            if !actions.iter().any(|a| a.path().root == attribute) {
                let (n, v) = (p.name(attribute), p.value(value));
                set.push(format!("{n} = if_not_exists({n}, {v})"));
            }
        }
        // Constants: written when the update creates the item, left as
        // they are otherwise.
        for constant in e.constants {
            let (n, v) = (
                p.name(constant.name),
                p.value(constant.value.to_attribute()),
            );
            set.push(format!("{n} = if_not_exists({n}, {v})"));
        }
        // Kept timestamps: the update's time on `updated_at`, and on
        // `created_at` when the update creates the item. An update that
        // sets one itself keeps its value.
        let stamped = |stamp: Option<Stamp>| {
            stamp.filter(|s| !actions.iter().any(|a| a.path().root == s.attribute))
        };
        let (updated, created) = (stamped(e.updated_at), stamped(e.created_at));
        let at = std::time::SystemTime::now();
        for (stamp, keep) in [(updated, false), (created, true)] {
            let Some(stamp) = stamp else { continue };
            let now = (stamp.at)(at).map_err(|message| Error::Encode {
                entity: e.name,
                key: inner.display(&key),
                message: format!("`{}`: {message}", stamp.attribute),
            })?;
            let (n, v) = (p.name(stamp.attribute), p.value(now));
            set.push(match keep {
                true => format!("{n} = if_not_exists({n}, {v})"),
                false => format!("{n} = {v}"),
            });
        }
        for action in actions {
            match action {
                Action::Set(a, value) => {
                    let (n, v) = (p.path(&a), p.value(value));
                    set.push(format!("{n} = {v}"));
                }
                Action::SetIfNotExists(a, value) => {
                    let (n, v) = (p.path(&a), p.value(value));
                    set.push(format!("{n} = if_not_exists({n}, {v})"));
                }
                Action::Append(a, value) => {
                    let n = p.path(&a);
                    let empty = p.value(AttributeValue::L(Vec::new()));
                    let v = p.value(value);
                    set.push(format!(
                        "{n} = list_append(if_not_exists({n}, {empty}), {v})"
                    ));
                }
                Action::Prepend(a, value) => {
                    let n = p.path(&a);
                    let v = p.value(value);
                    let empty = p.value(AttributeValue::L(Vec::new()));
                    set.push(format!(
                        "{n} = list_append({v}, if_not_exists({n}, {empty}))"
                    ));
                }
                Action::Increment(a, value) => {
                    let n = p.path(&a);
                    let zero = p.value(AttributeValue::N("0".into()));
                    let v = p.value(value);
                    set.push(format!("{n} = if_not_exists({n}, {zero}) + {v}"));
                }
                Action::Compute(a, source, op, value) => {
                    let (n, m, v) = (p.path(&a), p.path(&source), p.value(value));
                    set.push(format!("{n} = {m} {op} {v}"));
                }
                Action::Add(a, value) => {
                    let (n, v) = (p.path(&a), p.value(value));
                    add.push(format!("{n} {v}"));
                }
                Action::Delete(a, value) => {
                    let (n, v) = (p.path(&a), p.value(value));
                    delete.push(format!("{n} {v}"));
                }
                Action::Remove(a) => remove.push(p.path(&a)),
            }
        }
        if let Some(attr) = e.version {
            let (n, v) = (p.name(attr), p.value(AttributeValue::N("1".into())));
            add.push(format!("{n} {v}"));
        }
        // An update writes the current revision's shape: it applies to an
        // item at that revision (or creates one), never to an older item,
        // whose fields it would mix with the new ones.
        let mut conditions = Vec::new();
        if let Some(revision) = e.revision {
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
        for (keyword, clauses) in [
            ("SET", set),
            ("ADD", add),
            ("DELETE", delete),
            ("REMOVE", remove),
        ] {
            if !clauses.is_empty() {
                expression.push(format!("{keyword} {}", clauses.join(", ")));
            }
        }

        if self.must_exist {
            conditions.push(format!("attribute_exists({})", p.name(&inner.pk)));
        }
        let has_condition = self.condition.is_some();
        let mut condition_operators = 0;
        if let Some(node) = self.condition {
            let node = node.map_err(named)?;
            condition_operators = node.operators();
            conditions.push(format!("({})", p.render(&node)));
        }
        if let (Some(attr), Some(version)) = (e.version, self.expected_version) {
            let (n, v) = (
                p.name(attr),
                p.value(AttributeValue::N(version.to_string())),
            );
            conditions.push(format!("{n} = {v}"));
        }
        let update = expression.join(" ");
        check_expression(e.name, "update", &update, operators).map_err(named)?;
        let condition = all(conditions);
        if let Some(condition) = &condition {
            check_expression(e.name, "condition", condition, condition_operators).map_err(named)?;
        }
        let (names, values) = p.into_parts();
        Ok(RenderedUpdate {
            table: self.table,
            key,
            update,
            condition,
            names,
            values,
            must_exist: self.must_exist,
            expected_version: self.expected_version,
            has_condition,
        })
    }

    /// Sends the request; the item, when returned, goes to `decode`
    /// (boxed: the body is compiled in this crate).
    fn send<'a>(
        self,
        e: &'static EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'a>>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.run(e, returning, decode))
    }

    async fn run(
        self,
        e: &'static EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'_>>,
    ) -> Result<()> {
        let observation = self.table.inner.observe("UpdateItem", e.name);
        let result = self.update(e, returning, decode, &observation).await;
        observation.finish(result)
    }

    async fn update(
        self,
        e: &EntityInfo,
        returning: ReturnValue,
        decode: Option<Decode<'_>>,
        observation: &Observation,
    ) -> Result<()> {
        let r = self.render(e)?;
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
            Ok(output) => match (output.attributes, decode) {
                (Some(item), Some(decode)) => decode(&r.table, item, 1),
                _ => Ok(()),
            },
            Err(err) => Err(match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    match older_revision(e, failed.item.as_ref()) {
                        Some((found, current)) => Error::OldRevision {
                            entity: e.name,
                            key: inner.display(&r.key),
                            found,
                            current,
                        },
                        None => condition_failed(
                            e,
                            &r.table,
                            &r.key,
                            failed.item.as_ref(),
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
        self.boxed()
    }
}

/// A pending UpdateItem that returns the updated item.
#[must_use = "an Update does nothing until awaited"]
pub struct UpdateReturning<E: Entity>(Update<E>);

impl<E: Entity> UpdateReturning<E> {
    /// Sends the request and returns the item after the update.
    pub async fn send(self) -> Result<E> {
        let mut new = None;
        self.0
            .untyped()
            .send(
                info::<E>(),
                ReturnValue::AllNew,
                Some(&mut |table, item, _| {
                    new = Some(table.inner.decode::<E>(item)?);
                    Ok(())
                }),
            )
            .await?;
        new.ok_or_else(|| Error::Decode {
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
fn older_revision(e: &EntityInfo, item: Option<&Item>) -> Option<(u64, u64)> {
    let revision = e.revision?;
    let item = item.filter(|i| !i.is_empty())?;
    let found = revision.of(item.get(revision.attribute)).ok()?;
    (found != revision.current).then_some((found, revision.current))
}
