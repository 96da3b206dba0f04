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
//! [`Error::InvalidQuery`]. Results come most similar first, decoded as
//! the entity; items of other entity types sharing the index are skipped
//! and counted, as collections skip them.

use crate::expr::{Attr, KeyAttr};
use crate::foundation::error::{Error, Result};
use crate::foundation::into_field::IntoField;
use crate::keys::entity::Entity;
use crate::ops::batch::{read_keys, KeyId, Reading, DEFAULT_CONCURRENCY};
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
/// generates for the index; run it with [`Table::search`].
#[derive(Debug, Clone)]
#[must_use = "a search does nothing until it is run with `Table::search`"]
pub struct VectorSearch<E> {
    index: &'static VectorIndex,
    vector: Vec<f32>,
    partition: Option<Result<AttributeValue>>,
    filters: Vec<(&'static str, Result<AttributeValue>)>,
    top_k: u32,
    _entity: PhantomData<fn() -> E>,
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
            _entity: PhantomData,
        }
    }

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
    /// Runs a vector search (one `SearchVectors` request): see
    /// [`vector`](crate::vector).
    pub async fn search<E: Entity>(&self, search: VectorSearch<E>) -> Result<VectorHits<E>> {
        let inner = &self.inner;
        let index = search.index;
        let observation = inner.observe("SearchVectors", E::NAME);
        observation.index(Some(index.name));
        let result = async {
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
            // DynamoDB returns the index's copy of each item without its
            // vector (and a vector it returns is the index's f32 copy): the
            // items are read whole from the table, one BatchGetItem.
            let mut found: Vec<(f64, KeyId)> = Vec::new();
            let mut skipped = 0;
            for result in output.search_results.unwrap_or_default() {
                let item = result.item.unwrap_or_default();
                if !crate::ops::collection::matches::<E>(self, &item) {
                    skipped += 1;
                    continue;
                }
                let text = |attr: Option<&str>| match attr.and_then(|a| item.get(a)) {
                    Some(AttributeValue::S(s)) => Some(s.clone()),
                    _ => None,
                };
                let pk = text(Some(&inner.pk)).unwrap_or_default();
                found.push((result.score, (pk, text(inner.sk.as_deref()))));
            }
            let reading = Reading {
                consistent: false,
                concurrency: DEFAULT_CONCURRENCY,
                policy: RetryPolicy::default(),
                projection: None,
            };
            let (mut items, unread) = read_keys(
                self,
                E::NAME,
                found.iter().map(|(_, id)| id.clone()),
                reading,
            )
            .await?;
            let display = |(pk, sk): &KeyId| {
                crate::foundation::error::KeyDisplay::new(
                    &inner.pk,
                    pk,
                    inner.sk.as_deref().zip(sk.as_deref()),
                )
            };
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
