//! Vector indexes: DynamoDB's native vector search over an attribute
//! holding a list of numbers, declared on an entity field with
//! `#[truss(vector(...))]`.

use crate::keys::attribute_index::IndexAttribute;
use crate::keys::template::IndexProjection;

/// How a vector index measures similarity (`DistanceFunction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distance {
    /// `COSINE`: the cosine distance, `1 - cos(a, b)`, from 0 (same
    /// direction) to 2; lower is closer.
    Cosine,
    /// `EUCLIDEAN`: the straight-line distance; lower is closer.
    Euclidean,
    /// `DOT_PRODUCT`: the dot product; higher is closer.
    DotProduct,
}

impl Distance {
    /// DynamoDB's name: `COSINE`, `EUCLIDEAN` or `DOT_PRODUCT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Distance::Cosine => "COSINE",
            Distance::Euclidean => "EUCLIDEAN",
            Distance::DotProduct => "DOT_PRODUCT",
        }
    }

    /// Whether a higher score is closer (only for [`Distance::DotProduct`]).
    pub const fn higher_is_closer(self) -> bool {
        matches!(self, Distance::DotProduct)
    }
}

/// A vector index declared on an entity field
/// (`#[truss(vector(index = "...", dimensions = N, distance = "..."))]`),
/// in [`Entity::VECTOR_INDEXES`](crate::Entity::VECTOR_INDEXES).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VectorIndex {
    /// The index name.
    pub name: &'static str,
    /// The vector attribute (the field's serde name).
    pub attribute: &'static str,
    /// The Rust field holding the vector.
    pub field: &'static str,
    /// The number of components of every vector (1 to 4096).
    pub dimensions: u32,
    /// How similarity is measured.
    pub distance: Distance,
    /// The search schema's `HASH` attribute: every search names one value
    /// of it, and only items with that value are searched.
    pub partition: Option<IndexAttribute>,
    /// The search schema's `INLINE_FILTER` attributes, which a search may
    /// require to equal a value.
    pub filters: &'static [IndexAttribute],
    /// What the index holds besides the vector and the keys.
    pub projection: IndexProjection,
}

impl VectorIndex {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        name: &'static str,
        attribute: &'static str,
        field: &'static str,
        dimensions: u32,
        distance: Distance,
        partition: Option<IndexAttribute>,
        filters: &'static [IndexAttribute],
        projection: IndexProjection,
    ) -> Self {
        VectorIndex {
            name,
            attribute,
            field,
            dimensions,
            distance,
            partition,
            filters,
            projection,
        }
    }
}
