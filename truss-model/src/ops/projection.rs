//! Projections: a type declaring a subset of an entity's fields (and paths
//! into them), read with a `ProjectionExpression` in the same one request
//! per read or page.

use crate::expr::{check_expression, DocPath, Operand, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::keys::template::{Index, IndexProjection};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// A subset of an entity's fields, read without the rest of the item:
/// implemented by `#[derive(Projection)]`.
///
/// Each field names a field of the entity (by its own name, or
/// `#[truss(path = ...)]` with any handle or path of the entity, nested
/// ones too) and must have that field's type: both are checked when the
/// crate compiles. The read sends a `ProjectionExpression` of exactly
/// those paths (plus the key attributes it needs); an attribute the item
/// does not hold decodes as `None` for an `Option` field and is
/// [`Error::Decode`] otherwise, never a default.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use truss_model::{Entity, Nested, Projection};
/// #[derive(Nested, Serialize, Deserialize)]
/// struct Address { city: String, zip: Option<String> }
///
/// #[derive(Entity, Serialize, Deserialize)]
/// #[truss(pk = "ORDER#{id}", sk = "ORDER")]
/// struct Order { id: String, status: String, address: Address, notes: String }
///
/// /// Three fields of an order, whatever its size.
/// #[derive(Projection, Debug)]
/// #[truss(entity = Order)]
/// struct OrderCard {
///     id: String,
///     status: String,
///     #[truss(path = Order::ADDRESS.get(Address::CITY))]
///     city: String,
/// }
/// ```
pub trait Projection: Send + Sized + 'static {
    /// The entity it projects.
    type Entity: Entity;
    /// The paths it reads, in field order.
    #[doc(hidden)]
    fn __paths() -> Vec<DocPath>;
    /// Decodes a projected item.
    #[doc(hidden)]
    fn __decode(item: &Item) -> Result<Self>;
}

/// What a query of `T` (an entity or a collection) can read instead of
/// whole items: a [`Projection`] of the entity, or, for a collection, an
/// enum of projections of its variants (`#[derive(Projection)]` with
/// `#[truss(collection = ...)]` on the enum). Implemented by the derive.
pub trait ProjectionOf<T>: Send + Sized + 'static {
    /// The paths it reads.
    #[doc(hidden)]
    fn __paths() -> Vec<DocPath>;
    /// Decodes one item; `None` for an item of a type it does not read.
    #[doc(hidden)]
    fn __decode(table: &Table, item: Item) -> Result<Option<Self>>;
    /// Refuses reading what index `index` does not hold.
    #[doc(hidden)]
    fn __fits(index: Option<&Index>) -> Result<()>;
}

impl<P: Projection> ProjectionOf<P::Entity> for P {
    fn __paths() -> Vec<DocPath> {
        P::__paths()
    }

    fn __decode(table: &Table, item: Item) -> Result<Option<Self>> {
        decode::<P>(table, item).map(Some)
    }

    fn __fits(index: Option<&Index>) -> Result<()> {
        check_fits::<P>(index)
    }
}

/// One variant of a collection projection: the item decoded as `P` when
/// its keys are `P`'s entity's, `None` otherwise.
pub fn decode_variant<P: Projection>(table: &Table, item: &Item) -> Option<Result<P>> {
    crate::ops::collection::matches::<P::Entity>(table, item)
        .then(|| decode::<P>(table, item.clone()))
}

/// The paths a variant of a collection projection reads: its own, and the
/// checked constants that tell its entity apart from the others.
pub fn variant_paths<P: Projection>() -> Vec<DocPath> {
    let mut paths = P::__paths();
    for constant in <P::Entity as Entity>::CONSTANTS.iter().filter(|c| c.check) {
        paths.push(DocPath::top(constant.name));
    }
    paths
}

/// The paths of projections of several entity types, each once, in order.
pub fn union(all: impl IntoIterator<Item = Vec<DocPath>>) -> Vec<DocPath> {
    let mut paths: Vec<DocPath> = Vec::new();
    for path in all.into_iter().flatten() {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The value at `path` in `item`: `None` when absent.
fn at<'a>(item: &'a Item, path: &DocPath) -> Option<&'a AttributeValue> {
    let mut value = item.get(path.root)?;
    for step in &path.steps {
        value = match (value, step) {
            (AttributeValue::M(m), crate::expr::Step::Field(name)) => m.get(*name)?,
            (AttributeValue::M(m), crate::expr::Step::Key(key)) => m.get(key.as_str())?,
            (AttributeValue::L(l), crate::expr::Step::Index(i)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// One field of a projection: the value at the handle's path, decoded as
/// the handle's type (`None` for an absent optional value; absent
/// otherwise is [`Error::Decode`]).
pub fn field<E: Entity, H: Operand<E>>(item: &Item, handle: &H) -> Result<H::Value>
where
    H::Value: DeserializeOwned,
{
    let path = handle.__path();
    let value = at(item, &path);
    let present = value.is_some();
    let value = value.cloned().unwrap_or(AttributeValue::Null(true));
    crate::foundation::attr_value::from_value(value).map_err(|e| Error::Decode {
        entity: E::NAME,
        key: Default::default(),
        field: Some(path.to_string()),
        message: if present {
            e.to_string()
        } else {
            "missing from the projected item (a projection decodes only what the item holds)"
                .to_owned()
        },
    })
}

/// Renders a projection given the attributes the read also needs.
pub(crate) type RenderProjection = fn(&[&str]) -> Result<Rendered>;

/// Decodes a projected item as `P`: key fields it lacks recovered from the
/// table keys first, errors naming the item's key.
pub(crate) fn decode<P: Projection>(table: &Table, mut item: Item) -> Result<P> {
    let inner = &table.inner;
    inner
        .recover_key_fields::<P::Entity>(&mut item)
        .and_then(|()| P::__decode(&item))
        .map_err(|e| e.with_key(|| inner.display_item(&item)))
}

/// Refuses a projection reading what index `index` does not hold: on an
/// index projecting the keys only, or the keys and some attributes, each
/// path of `P` must start at a key attribute (the table's or the
/// index's), a field of the table's key templates (read back from the
/// keys) or an included attribute. No request is sent.
pub(crate) fn check_fits<P: Projection>(index: Option<&Index>) -> Result<()> {
    let Some(index) = index.filter(|i| i.projection != IndexProjection::All) else {
        return Ok(());
    };
    let entity = P::Entity::NAME;
    let key_fields = || {
        <P::Entity as Entity>::PK
            .fields()
            .chain(<P::Entity as Entity>::SK.iter().flat_map(|t| t.fields()))
    };
    for path in P::__paths() {
        let root = path.root;
        let held = index.pk_attribute == root
            || index.sk_attribute == Some(root)
            || index.projection.included().contains(&root)
            || key_fields().any(|f| f.attribute == root);
        if !held {
            return Err(Error::InvalidQuery {
                entity,
                reason: format!(
                    "index `{}` projects {}{}: it does not hold `{path}`; read a projection of what it holds, or `hydrate()`",
                    index.name,
                    index.projection.kind(),
                    match index.projection.included() {
                        [] => String::new(),
                        attributes => format!(" ({})", attributes.join(", ")),
                    }
                ),
            });
        }
    }
    Ok(())
}

/// A rendered `ProjectionExpression` and its names.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) expression: String,
    pub(crate) names: HashMap<String, String>,
}

/// The projection of `P`'s paths and the `extra` top-level attributes
/// (keys the read needs), each once, with its own `#p` placeholders.
pub(crate) fn render<P: Projection>(extra: &[&str]) -> Result<Rendered> {
    render_paths(P::Entity::NAME, P::__paths(), extra)
}

/// Renders a query's projection given the attributes the read also needs
/// and the index it reads, if any.
pub(crate) type RenderQueryProjection = fn(&[&str], Option<&Index>) -> Result<Rendered>;

/// [`render`] for a query of `T` on `index`: on an index holding only
/// some attributes, only the paths it holds are asked for (DynamoDB
/// refuses a projection naming others); the key fields it lacks are read
/// back from the table keys.
pub(crate) fn render_of<T: crate::ops::collection::QueryTarget, P: ProjectionOf<T>>(
    extra: &[&str],
    index: Option<&Index>,
) -> Result<Rendered> {
    let mut paths = P::__paths();
    if let Some(index) = index.filter(|i| i.projection != IndexProjection::All) {
        paths.retain(|p| {
            index.pk_attribute == p.root
                || index.sk_attribute == Some(p.root)
                || index.projection.included().contains(&p.root)
        });
    }
    render_paths(T::__name(), paths, extra)
}

fn render_paths(entity: &'static str, paths: Vec<DocPath>, extra: &[&str]) -> Result<Rendered> {
    // A path inside another one projected whole adds nothing, and
    // DynamoDB refuses overlapping paths.
    let mut kept: Vec<DocPath> = Vec::new();
    for path in paths {
        if kept.iter().any(|k| k.contains(&path)) {
            continue;
        }
        kept.retain(|k| !path.contains(k));
        kept.push(path);
    }
    let mut p = Placeholders::with_prefix("#p");
    let mut projected = kept
        .iter()
        .map(|path| path.clone().checked(entity).map(|path| p.path(&path)))
        .collect::<Result<Vec<_>>>()?;
    for attribute in extra {
        if !kept.iter().any(|k| k.root == *attribute) {
            projected.push(p.name(attribute));
        }
    }
    projected.dedup();
    let expression = projected.join(", ");
    check_expression(entity, "projection", &expression, 0)?;
    let (names, _) = p.into_parts();
    Ok(Rendered {
        expression,
        names: names.unwrap_or_default(),
    })
}
