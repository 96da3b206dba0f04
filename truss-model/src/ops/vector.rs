//! Vector search: DynamoDB's `SearchVectors` over a vector index declared
//! on an entity field, typed.
//!
//! ```text
//! #[derive(Entity, Serialize, Deserialize)]
//! #[truss(pk = "DOC#{id}", sk = "META")]
//! struct Doc {
//!     id: String,
//!     tenant: String,
//!     kind: String,
//!     #[truss(vector(index = "ByEmbedding", dimensions = 3, distance = "cosine",
//!                    partition = tenant, filters = [kind]))]
//!     embedding: Vec<f32>,
//! }
//!
//! let found = table
//!     .search(Doc::by_embedding("acme", &[0.1, 0.9, 0.2]).top_k(5).filter(Doc::KIND, "note"))
//!     .await?;
//! for hit in &found.hits {
//!     println!("{} {}", hit.score, hit.item.id);
//! }
//! ```
//!
//! The derive generates one search function per index, named after it
//! (`ByEmbedding` → `by_embedding`), taking the search schema's partition
//! value (typed as its field) when the index declares one, and the query
//! vector. Before any request, the vector's length must be the index's
//! dimensions and every component finite, `top_k` within 1 to 100, and
//! each filter one of the index's `filters`: otherwise
//! [`Error::InvalidQuery`]. Results come most similar first, read whole
//! from the table and decoded as the entity (DynamoDB returns them without
//! their vector), or, after [`VectorSearch::project`], decoded as a
//! projection from what the index returns; items of other entity types
//! sharing the index are skipped and counted, as collections skip them.

use crate::expr::{Attr, KeyAttr};
use crate::foundation::error::KeyDisplay;
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::keys::projected::Whole;
use crate::keys::template::IndexProjection;
use crate::ops::batch::{read_keys, KeyId, Reading, DEFAULT_CONCURRENCY};
use crate::ops::projection::Projection;
use crate::table::observe::send;
use crate::table::retry::RetryPolicy;
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::marker::PhantomData;

pub use crate::keys::vector_index::{Distance, VectorIndex};

/// DynamoDB's bounds on `TopK`.
const MAX_TOP_K: u32 = 100;

/// A search of a vector index of `E`, made by the function the derive
/// generates for the index; run it with [`Table::search`]. `R` is what
/// its hits are read as: whole items of `E` ([`Whole`], the default: read
/// from the table with one BatchGetItem, since DynamoDB returns them
/// without their vector), or a [`Projection`] of `E` after
/// [`project`](VectorSearch::project).
#[derive(Debug, Clone)]
#[must_use = "a search does nothing until it is run with `Table::search`"]
pub struct VectorSearch<E, R = Whole> {
    index: &'static VectorIndex,
    vector: Vec<f32>,
    partition: Option<Result<AttributeValue>>,
    filters: Vec<(&'static str, Result<AttributeValue>)>,
    top_k: u32,
    _read: PhantomData<fn() -> (E, R)>,
}

/// The hits read, and the keys of those gone from the table.
type Read<T> = Result<(Vec<Hit<T>>, Vec<KeyDisplay>)>;

mod seal {
    /// Keeps [`ReadAs`](super::ReadAs) to [`Whole`](super::Whole) and
    /// [`Projected`](super::Projected).
    pub trait Sealed {}
}

/// Hits read as projection `P`, from the items the index returns: no
/// other request.
#[derive(Debug, Clone, Copy)]
pub struct Projected<P>(PhantomData<fn() -> P>);

/// How a search's hits are read: as [`Whole`] items, or as a
/// [`Projection`] of what the index returns ([`Projected`]). Implemented
/// for those two only.
pub trait ReadAs<E: Entity>: seal::Sealed + Send + 'static {
    /// What a hit holds.
    type Output;
    /// Refuses, before any request, what the index cannot give.
    #[doc(hidden)]
    fn __fits(index: &'static VectorIndex) -> Result<()>;
    /// The hits, and the keys of those gone from the table.
    #[doc(hidden)]
    fn __read(
        table: &Table,
        found: Vec<(f64, Item)>,
    ) -> impl std::future::Future<Output = Read<Self::Output>> + Send;
}

impl seal::Sealed for Whole {}

impl<E: Entity> ReadAs<E> for Whole {
    type Output = E;

    fn __fits(_: &'static VectorIndex) -> Result<()> {
        Ok(())
    }

    fn __read(
        table: &Table,
        found: Vec<(f64, Item)>,
    ) -> impl std::future::Future<Output = Read<E>> + Send {
        read_whole::<E>(table, found)
    }
}

impl<P> seal::Sealed for Projected<P> {}

impl<E: Entity, P: Projection<Entity = E>> ReadAs<E> for Projected<P> {
    type Output = P;

    fn __fits(index: &'static VectorIndex) -> Result<()> {
        for path in P::__paths() {
            let root = path.root;
            let held = match index.projection {
                IndexProjection::All => true,
                projection => {
                    projection.included().contains(&root)
                        || index.partition.is_some_and(|a| a.name == root)
                        || index.filters.iter().any(|a| a.name == root)
                        || E::PK
                            .fields()
                            .chain(E::SK.iter().flat_map(|t| t.fields()))
                            .any(|f| f.attribute == root)
                }
            };
            if root == index.attribute || !held {
                return Err(Error::InvalidQuery {
                    entity: E::NAME,
                    reason: format!(
                        "vector index `{}` returns its items without `{}`{}: the projection cannot read `{path}`; search for whole items instead",
                        index.name,
                        index.attribute,
                        match index.projection {
                            IndexProjection::All => String::new(),
                            projection => format!(" and projects {} only", projection.kind()),
                        }
                    ),
                });
            }
        }
        Ok(())
    }

    async fn __read(
        table: &Table,
        found: Vec<(f64, Item)>,
    ) -> Result<(Vec<Hit<P>>, Vec<KeyDisplay>)> {
        let hits = found
            .into_iter()
            .map(|(score, item)| {
                crate::ops::projection::decode::<P>(table, item).map(|item| Hit { score, item })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((hits, Vec::new()))
    }
}

/// A field a search filters on: a handle of the entity's
/// ([`Attr`] or [`KeyAttr`]), with the value's encoding.
pub struct SearchField<E, T> {
    name: &'static str,
    encode: crate::expr::Encode<T>,
    _entity: PhantomData<fn() -> E>,
}

impl<E, T, S> From<Attr<E, T, S>> for SearchField<E, T> {
    fn from(attr: Attr<E, T, S>) -> Self {
        let (name, encode) = attr.__parts();
        SearchField {
            name,
            encode,
            _entity: PhantomData,
        }
    }
}

impl<E, T, S> From<KeyAttr<E, T, S>> for SearchField<E, T> {
    fn from(attr: KeyAttr<E, T, S>) -> Self {
        let (name, encode) = attr.__parts();
        SearchField {
            name,
            encode,
            _entity: PhantomData,
        }
    }
}

impl<E: Entity> VectorSearch<E> {
    /// For the generated search function: the search of index number
    /// `index` of `E`, with its partition value if it has one.
    #[doc(hidden)]
    pub fn __new(index: usize, partition: Option<Result<AttributeValue>>, vector: &[f32]) -> Self {
        VectorSearch {
            index: &E::VECTOR_INDEXES[index],
            vector: vector.to_vec(),
            partition,
            filters: Vec::new(),
            top_k: 10,
            _read: PhantomData,
        }
    }

    /// Reads the hits as projection `P` from the items the index returns,
    /// without reading them from the table. `P` may not read the vector
    /// (DynamoDB returns the items without it) nor, on an index projecting
    /// less than `ALL`, an attribute the index does not hold:
    /// [`Error::InvalidQuery`] before any request.
    pub fn project<P: Projection<Entity = E>>(self) -> VectorSearch<E, Projected<P>> {
        VectorSearch {
            index: self.index,
            vector: self.vector,
            partition: self.partition,
            filters: self.filters,
            top_k: self.top_k,
            _read: PhantomData,
        }
    }
}

impl<E: Entity, R> VectorSearch<E, R> {
    /// How many of the closest items DynamoDB returns (1 to 100; 10
    /// unless set). Items of other entity types among them are skipped, so
    /// fewer may come back.
    pub fn top_k(mut self, k: u32) -> Self {
        self.top_k = k;
        self
    }

    /// Searches only items whose `field` equals `value`: `field` must be
    /// one of the index's `filters` (DynamoDB's `INLINE_FILTER`
    /// attributes; equality is the only comparison it takes). Several
    /// filters must all hold.
    pub fn filter<T>(
        mut self,
        field: impl Into<SearchField<E, T>>,
        value: impl IntoField<T>,
    ) -> Self {
        let field = field.into();
        let encoded = (field.encode)(&value.into_field()).map_err(|reason| Error::InvalidQuery {
            entity: E::NAME,
            reason: format!("filter on `{}`: {reason}", field.name),
        });
        self.filters.push((field.name, encoded));
        self
    }

    /// The index searched.
    pub fn index(&self) -> &'static VectorIndex {
        self.index
    }

    fn invalid(&self, reason: String) -> Error {
        Error::InvalidQuery {
            entity: E::NAME,
            reason: format!("vector index `{}`: {reason}", self.index.name),
        }
    }

    /// The request's parts, checked: the vector as numbers, the condition
    /// and its names and values.
    #[allow(clippy::type_complexity)]
    fn checked(
        self,
    ) -> Result<(
        Vec<AttributeValue>,
        Option<String>,
        HashMap<String, String>,
        HashMap<String, AttributeValue>,
        i32,
    )> {
        let index = self.index;
        if self.vector.len() != index.dimensions as usize {
            return Err(self.invalid(format!(
                "the query vector has {} components; the index has {} dimensions",
                self.vector.len(),
                index.dimensions
            )));
        }
        if let Some(at) = self.vector.iter().position(|v| !v.is_finite()) {
            return Err(self.invalid(format!(
                "component {at} of the query vector is {}: DynamoDB takes finite numbers only",
                self.vector[at]
            )));
        }
        if !(1..=MAX_TOP_K).contains(&self.top_k) {
            return Err(self.invalid(format!(
                "top_k {} is out of DynamoDB's range, 1 to {MAX_TOP_K}",
                self.top_k
            )));
        }
        let vector = self
            .vector
            .iter()
            .map(|v| AttributeValue::N(v.to_string()))
            .collect();
        let mut terms = Vec::new();
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        if let (Some(attribute), Some(value)) = (index.partition, self.partition) {
            names.insert("#p".to_owned(), attribute.name.to_owned());
            values.insert(":p".to_owned(), value?);
            terms.push("#p = :p".to_owned());
        }
        for (n, (name, value)) in self.filters.into_iter().enumerate() {
            if !index.filters.iter().any(|f| f.name == name) {
                let declared: Vec<&str> = index.filters.iter().map(|f| f.name).collect();
                return Err(Error::InvalidQuery {
                    entity: E::NAME,
                    reason: format!(
                        "vector index `{}`: `{name}` is not one of its filters ({}); DynamoDB filters a vector search on its INLINE_FILTER attributes only",
                        index.name,
                        if declared.is_empty() { "it has none".to_owned() } else { declared.join(", ") }
                    ),
                });
            }
            names.insert(format!("#f{n}"), name.to_owned());
            values.insert(format!(":f{n}"), value?);
            terms.push(format!("#f{n} = :f{n}"));
        }
        let condition = (!terms.is_empty()).then(|| terms.join(" AND "));
        Ok((vector, condition, names, values, self.top_k as i32))
    }
}

/// One item a vector search found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Hit<E> {
    /// DynamoDB's score for the item: a distance for
    /// [`Distance::Cosine`] and [`Distance::Euclidean`] (lower is closer),
    /// the dot product for [`Distance::DotProduct`] (higher is closer).
    pub score: f64,
    /// The item, decoded.
    pub item: E,
}

/// What a vector search found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VectorHits<E> {
    /// The items of `E` found, most similar first.
    pub hits: Vec<Hit<E>>,
    /// Items of other entity types among the closest, skipped.
    pub skipped: usize,
    /// Items the index returned that were gone from the table when they
    /// were read (deleted in between).
    pub missing: Vec<crate::foundation::error::KeyDisplay>,
    /// The capacity the search consumed, as DynamoDB reports it
    /// (`VectorSearchRequestBytes`), when it does.
    pub consumed_bytes: Option<f64>,
}

impl Table {
    /// Runs a vector search (one `SearchVectors` request, then, for whole
    /// items, one BatchGetItem): see [`vector`](crate::vector).
    pub async fn search<E: Entity, R: ReadAs<E>>(
        &self,
        search: VectorSearch<E, R>,
    ) -> Result<VectorHits<R::Output>> {
        let inner = &self.inner;
        let index = search.index;
        let observation = inner.observe("SearchVectors", E::NAME);
        observation.index(Some(index.name));
        let result = async {
            R::__fits(index)?;
            let (vector, condition, names, values, top_k) = search.checked()?;
            let output = send!(
                observation,
                inner
                    .client
                    .search_vectors()
                    .table_name(&inner.name)
                    .index_name(index.name)
                    .set_search_vector(Some(vector))
                    .top_k(top_k)
                    .set_search_condition_expression(condition)
                    .set_expression_attribute_names((!names.is_empty()).then_some(names))
                    .set_expression_attribute_values((!values.is_empty()).then_some(values))
                    .return_consumed_capacity(
                        aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total
                    )
            )
            .map_err(|e| Error::dynamo("SearchVectors", e))?;
            let consumed_bytes = output
                .consumed_capacity()
                .and_then(|c| c.vector_search_request_bytes());
            let mut found: Vec<(f64, Item)> = Vec::new();
            let mut skipped = 0;
            for result in output.search_results.unwrap_or_default() {
                let item = result.item.unwrap_or_default();
                if crate::ops::collection::matches::<E>(self, &item) {
                    found.push((result.score, item));
                } else {
                    skipped += 1;
                }
            }
            let (hits, missing) = R::__read(self, found).await?;
            Ok(VectorHits {
                hits,
                skipped,
                missing,
                consumed_bytes,
            })
        }
        .await;
        observation.finish(result)
    }
}

/// The hits as whole items: DynamoDB returns the index's copy of each
/// item without its vector (and a vector it returns is the index's f32
/// copy), so the items are read from the table, one BatchGetItem.
async fn read_whole<E: Entity>(table: &Table, found: Vec<(f64, Item)>) -> Read<E> {
    let inner = &table.inner;
    let found: Vec<(f64, KeyId)> = found
        .into_iter()
        .map(|(score, item)| {
            let text = |attr: Option<&str>| match attr.and_then(|a| item.get(a)) {
                Some(AttributeValue::S(s)) => Some(s.clone()),
                _ => None,
            };
            let pk = text(Some(&inner.pk)).unwrap_or_default();
            (score, (pk, text(inner.sk.as_deref())))
        })
        .collect();
    let reading = Reading {
        consistent: false,
        concurrency: DEFAULT_CONCURRENCY,
        policy: RetryPolicy::default(),
        projection: None,
    };
    let (mut items, unread) = read_keys(
        table,
        E::NAME,
        found.iter().map(|(_, id)| id.clone()),
        reading,
    )
    .await?;
    let display =
        |(pk, sk): &KeyId| KeyDisplay::new(&inner.pk, pk, inner.sk.as_deref().zip(sk.as_deref()));
    if !unread.is_empty() {
        return Err(Error::UnprocessedKeys {
            entity: E::NAME,
            read: items.len(),
            unprocessed: found
                .iter()
                .filter(|(_, id)| unread.contains(id))
                .map(|(_, id)| display(id))
                .collect(),
        });
    }
    let mut hits = Vec::with_capacity(found.len());
    let mut missing = Vec::new();
    for (score, id) in &found {
        match items.remove(id) {
            Some(item) => hits.push(Hit {
                score: *score,
                item: inner.decode::<E>(item)?,
            }),
            None => missing.push(display(id)),
        }
    }
    Ok((hits, missing))
}
