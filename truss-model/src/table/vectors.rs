//! The vector indexes of a table definition: gathered from its entities,
//! created with the table, described for the exports and the drift check.

use crate::foundation::error::{Error, Result};
use crate::keys::entity::Entity;
use crate::keys::template::IndexProjection;
use crate::keys::vector_index::VectorIndex;
use crate::table::schema::TableDefinition;
use aws_sdk_dynamodb::types::{
    Projection, ProjectionType, SearchSchemaElement, SearchSchemaElementType,
    VectorAttributeDefinition, VectorDistanceFunction,
};

/// DynamoDB's limit of vector indexes per table.
const MAX_VECTOR_INDEXES: usize = 5;

/// A vector index as infrastructure code and DescribeTable state it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VectorSpec {
    pub(crate) name: String,
    pub(crate) attribute: String,
    pub(crate) dimensions: i64,
    pub(crate) distance: String,
    /// `(attribute, HASH | INLINE_FILTER)`, sorted.
    pub(crate) schema: Vec<(String, String)>,
    pub(crate) projection: String,
    /// `INCLUDE`'s attributes, sorted.
    pub(crate) included: Vec<String>,
}

impl VectorSpec {
    /// As the drift check prints it.
    pub(crate) fn describe(&self) -> String {
        let schema: Vec<String> = self
            .schema
            .iter()
            .map(|(name, kind)| format!("{name} {kind}"))
            .collect();
        let included = match self.included.as_slice() {
            [] => String::new(),
            attributes => format!(" {}", attributes.join(", ")),
        };
        format!(
            "({} {} dimensions {}; schema [{}]; projection {}{included})",
            self.attribute,
            self.dimensions,
            self.distance,
            schema.join(", "),
            self.projection
        )
    }

    pub(crate) fn of_description(d: &aws_sdk_dynamodb::types::VectorIndexDescription) -> Self {
        let mut schema: Vec<(String, String)> = d
            .search_schema()
            .iter()
            .map(|e| {
                (
                    e.attribute_name().to_owned(),
                    e.search_schema_element_type().as_str().to_owned(),
                )
            })
            .collect();
        schema.sort();
        let mut included = d
            .projection()
            .map(|p| p.non_key_attributes().to_vec())
            .unwrap_or_default();
        included.sort();
        VectorSpec {
            name: d.index_name().unwrap_or_default().to_owned(),
            attribute: d
                .vector_attribute()
                .map(|a| a.attribute_name().to_owned())
                .unwrap_or_default(),
            dimensions: d.dimensions().unwrap_or_default(),
            distance: d
                .distance_function()
                .map(|f| f.as_str().to_owned())
                .unwrap_or_default(),
            schema,
            projection: d
                .projection()
                .and_then(|p| p.projection_type())
                .map_or("ALL".to_owned(), |p| p.as_str().to_owned()),
            included,
        }
    }
}

fn spec_of(index: &VectorIndex) -> VectorSpec {
    let mut schema: Vec<(String, String)> = index
        .partition
        .iter()
        .map(|a| (a.name.to_owned(), "HASH".to_owned()))
        .chain(
            index
                .filters
                .iter()
                .map(|a| (a.name.to_owned(), "INLINE_FILTER".to_owned())),
        )
        .collect();
    schema.sort();
    let mut included: Vec<String> = index
        .projection
        .included()
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    included.sort();
    VectorSpec {
        name: index.name.to_owned(),
        attribute: index.attribute.to_owned(),
        dimensions: i64::from(index.dimensions),
        distance: index.distance.as_str().to_owned(),
        schema,
        projection: index.projection.kind().to_owned(),
        included,
    }
}

/// Two declarations of one index agree on everything but the field's
/// Rust name.
fn same(a: &VectorIndex, b: &VectorIndex) -> bool {
    spec_of(a) == spec_of(b)
}

impl TableDefinition {
    /// Gathers `E`'s vector indexes: one declaration per name across the
    /// entities, none named like a secondary index, at most five.
    pub(super) fn add_vector_indexes<E: Entity>(&mut self) {
        for index in E::VECTOR_INDEXES {
            let problem = if self.has_secondary_index(index.name) {
                Some(format!(
                    "vector index `{}` has the name of a secondary index: DynamoDB's index names are one namespace",
                    index.name
                ))
            } else {
                match self.vector_indexes.iter().find(|v| v.name == index.name) {
                    Some(known) if same(known, index) => None,
                    Some(known) => Some(format!(
                        "vector index `{}` is {} here but {} on another entity",
                        index.name,
                        spec_of(index).describe(),
                        spec_of(known).describe()
                    )),
                    None if self.vector_indexes.len() == MAX_VECTOR_INDEXES => Some(format!(
                        "vector index `{}` would be the table's sixth: DynamoDB allows {MAX_VECTOR_INDEXES}",
                        index.name
                    )),
                    None => {
                        self.vector_indexes.push(*index);
                        None
                    }
                }
            };
            if let Some(reason) = problem {
                self.checks.push(Err(Error::Schema {
                    table: self.table.inner.name.clone(),
                    entity: E::NAME,
                    reason,
                }));
            }
        }
    }

    /// The key attributes vector indexes add to the attribute definitions:
    /// each search schema attribute, with its type.
    pub(crate) fn vector_schema_attributes(
        &self,
    ) -> impl Iterator<Item = crate::keys::attribute_index::IndexAttribute> + '_ {
        self.vector_indexes
            .iter()
            .flat_map(|v| v.partition.iter().chain(v.filters.iter()).copied())
    }

    /// The vector indexes as `CreateTable` takes them.
    pub(crate) fn vector_index_requests(
        &self,
    ) -> Result<Vec<aws_sdk_dynamodb::types::VectorIndex>> {
        let build_error = |e: aws_sdk_dynamodb::error::BuildError| Error::TableNotReady {
            table: self.table.inner.name.clone(),
            message: e.to_string(),
        };
        self.vector_indexes
            .iter()
            .map(|index| {
                let schema = index
                    .partition
                    .iter()
                    .map(|a| (a.name, SearchSchemaElementType::Hash))
                    .chain(
                        index
                            .filters
                            .iter()
                            .map(|a| (a.name, SearchSchemaElementType::InlineFilter)),
                    )
                    .map(|(name, kind)| {
                        SearchSchemaElement::builder()
                            .attribute_name(name)
                            .search_schema_element_type(kind)
                            .build()
                            .map_err(build_error)
                    })
                    .collect::<Result<Vec<_>>>()?;
                let kind = match index.projection {
                    IndexProjection::All => ProjectionType::All,
                    IndexProjection::KeysOnly => ProjectionType::KeysOnly,
                    IndexProjection::Include(_) => ProjectionType::Include,
                };
                let included: Vec<String> = index
                    .projection
                    .included()
                    .iter()
                    .map(|a| (*a).to_owned())
                    .collect();
                aws_sdk_dynamodb::types::VectorIndex::builder()
                    .index_name(index.name)
                    .vector_attribute(
                        VectorAttributeDefinition::builder()
                            .attribute_name(index.attribute)
                            .build()
                            .map_err(build_error)?,
                    )
                    .set_search_schema((!schema.is_empty()).then_some(schema))
                    .projection(
                        Projection::builder()
                            .projection_type(kind)
                            .set_non_key_attributes((!included.is_empty()).then_some(included))
                            .build(),
                    )
                    .dimensions(i64::from(index.dimensions))
                    .distance_function(VectorDistanceFunction::from(index.distance.as_str()))
                    .build()
                    .map_err(build_error)
            })
            .collect()
    }

    /// The vector indexes as the exports and the drift check compare
    /// them, sorted by name.
    pub(crate) fn vector_specs(&self) -> Vec<VectorSpec> {
        let mut specs: Vec<VectorSpec> = self.vector_indexes.iter().map(spec_of).collect();
        specs.sort_by(|a, b| a.name.cmp(&b.name));
        specs
    }
}
