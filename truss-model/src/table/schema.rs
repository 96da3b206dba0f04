//! The table definition derived from the table handle and its entities.

use crate::foundation::error::{Error, Result};
use crate::keys::attribute_index::{AttributeIndex, ScalarType};
use crate::keys::entity::Entity;
use crate::keys::template::{Index, IndexProjection};
use crate::table::Table;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use std::time::Duration;

/// How long [`TableDefinition::create`] waits for the table to become
/// ACTIVE.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// The definition of a table: its key schema, checked against the entities
/// it will hold. Build it with [`Table::definition`].
#[derive(Debug, Clone)]
pub struct TableDefinition {
    pub(super) table: Table,
    pub(super) checks: Vec<Result<()>>,
    indexes: Vec<Index>,
    attribute_indexes: Vec<AttributeIndex>,
    /// The expiry attribute the entities declare (one per table).
    pub(super) ttl: Option<&'static str>,
    pub(super) stream: Option<StreamViewType>,
    /// Each entity's key layout, for the access-pattern report.
    pub(super) entities: Vec<crate::table::shape::EntityShape>,
    /// Deletion protection, recovery, class, tags, throughput limits.
    pub(super) settings: crate::table::settings::Settings,
    /// The vector indexes the entities declare.
    pub(super) vector_indexes: Vec<crate::keys::vector_index::VectorIndex>,
}

impl Table {
    /// Starts a table definition (on-demand billing) from this handle's key
    /// attribute names. Add the entities the table holds with
    /// [`TableDefinition::entity`].
    pub fn definition(&self) -> TableDefinition {
        TableDefinition {
            table: self.clone(),
            checks: Vec::new(),
            indexes: Vec::new(),
            attribute_indexes: Vec::new(),
            ttl: None,
            stream: None,
            entities: Vec::new(),
            settings: Default::default(),
            vector_indexes: Vec::new(),
        }
    }
}

impl TableDefinition {
    /// Declares that the table holds entity `E`; its templates must fit the
    /// key schema.
    pub fn entity<E: Entity>(mut self) -> Self {
        self.checks.push(self.table.inner.check_schema::<E>());
        self.entities
            .push(crate::table::shape::EntityShape::of::<E>());
        for index in E::INDEXES {
            match self.indexes.iter().find(|i| i.name == index.name) {
                None => self.indexes.push(*index),
                Some(known)
                    if known.pk_attribute == index.pk_attribute
                        && known.sk_attribute == index.sk_attribute
                        && known.projection.kind() != index.projection.kind() =>
                {
                    self.checks.push(Err(self.schema_error::<E>(format!(
                        "index `{}` projects {} here but {} on another entity: a table's index has one projection",
                        index.name,
                        index.projection.kind(),
                        known.projection.kind()
                    ))))
                }
                Some(known)
                    if known.pk_attribute == index.pk_attribute
                        && known.sk_attribute == index.sk_attribute => {}
                Some(known) => self.checks.push(Err(Error::Schema {
                    table: self.table.inner.name.clone(),
                    entity: E::NAME,
                    reason: format!(
                        "index `{}` has key attributes ({}, {:?}) here but ({}, {:?}) on another entity",
                        index.name,
                        index.pk_attribute,
                        index.sk_attribute,
                        known.pk_attribute,
                        known.sk_attribute
                    ),
                })),
            }
        }
        for index in E::ATTRIBUTE_INDEXES {
            let known = self.attribute_indexes.iter().find(|i| i.name == index.name);
            let clash = match known {
                None if self.indexes.iter().any(|i| i.name == index.name) => {
                    Some("is a template index on another entity".to_owned())
                }
                None => {
                    self.attribute_indexes.push(*index);
                    None
                }
                Some(known) if same_keys(known, index) => None,
                Some(known) => Some(format!(
                    "has key attributes {} here but {} on another entity",
                    describe(index),
                    describe(known)
                )),
            };
            if let Some(clash) = clash {
                self.checks.push(Err(
                    self.schema_error::<E>(format!("index `{}` {clash}", index.name))
                ));
            }
        }
        if let Some(ttl) = E::TTL {
            match self.ttl {
                None => self.ttl = Some(ttl.attribute),
                Some(known) if known == ttl.attribute => {}
                Some(known) => self.checks.push(Err(self.schema_error::<E>(format!(
                    "its expiry is `{}` but another entity's is `{known}`: a table's TTL reads one attribute",
                    ttl.attribute
                )))),
            }
        }
        self.add_vector_indexes::<E>();
        if let Some(index) = E::INDEXES
            .iter()
            .find(|i| self.attribute_indexes.iter().any(|a| a.name == i.name))
        {
            self.checks.push(Err(self.schema_error::<E>(format!(
                "index `{}` is an index over attributes on another entity",
                index.name
            ))));
        }
        self
    }

    /// Enables the table's stream with this view (`NEW_AND_OLD_IMAGES`,
    /// `NEW_IMAGE`, `OLD_IMAGE` or `KEYS_ONLY`) when it is created: what a
    /// [stream consumer](crate::stream) reads.
    pub fn stream(mut self, view: StreamViewType) -> Self {
        self.stream = Some(view);
        self
    }

    /// The attribute the table's TTL is enabled on: the expiry field
    /// (`#[truss(ttl)]`) of the entities, if any declares one.
    pub fn ttl_attribute(&self) -> Option<&'static str> {
        self.ttl
    }

    /// Whether a secondary index (over templates or attributes) has this
    /// name.
    pub(super) fn has_secondary_index(&self, name: &str) -> bool {
        self.indexes.iter().any(|i| i.name == name)
            || self.attribute_indexes.iter().any(|i| i.name == name)
    }

    fn schema_error<E: Entity>(&self, reason: String) -> Error {
        Error::Schema {
            table: self.table.inner.name.clone(),
            entity: E::NAME,
            reason,
        }
    }

    /// What index `name` holds besides its keys: its projection type and,
    /// for `INCLUDE`, the attributes of every entity declaring it, sorted.
    pub(crate) fn index_projection(&self, name: &str) -> (ProjectionType, Vec<String>) {
        let Some(index) = self.indexes.iter().find(|i| i.name == name) else {
            // An index over attributes: every attribute.
            return (ProjectionType::All, Vec::new());
        };
        let kind = match index.projection {
            IndexProjection::All => ProjectionType::All,
            IndexProjection::KeysOnly => ProjectionType::KeysOnly,
            IndexProjection::Include(_) => ProjectionType::Include,
        };
        let mut included: Vec<String> = self
            .entities
            .iter()
            .flat_map(|e| e.index_includes(name))
            .map(|a| (*a).to_owned())
            .collect();
        included.sort();
        included.dedup();
        (kind, included)
    }

    /// The global secondary indexes, as the SDK types, with the
    /// projections their entities declare (`ALL` unless one says
    /// otherwise).
    pub fn global_secondary_indexes(&self) -> Result<Vec<GlobalSecondaryIndex>> {
        let build_error = |e: aws_sdk_dynamodb::error::BuildError| Error::TableNotReady {
            table: self.table.inner.name.clone(),
            message: e.to_string(),
        };
        let element = |name: &str, key_type: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(key_type)
                .build()
                .map_err(build_error)
        };
        let templates = self.indexes.iter().map(|index| {
            let sort = index.sk_attribute.map(|sk| (sk, KeyType::Range));
            let keys = std::iter::once((index.pk_attribute, KeyType::Hash)).chain(sort);
            (index.name, keys.collect::<Vec<_>>())
        });
        let attributes = self.attribute_indexes.iter().map(|index| {
            let partition = index.partition.iter().map(|a| (a.name, KeyType::Hash));
            let sort = index.sort.iter().map(|a| (a.name, KeyType::Range));
            (index.name, partition.chain(sort).collect::<Vec<_>>())
        });
        templates
            .chain(attributes)
            .map(|(name, keys)| {
                let keys = keys
                    .into_iter()
                    .map(|(attribute, key_type)| element(attribute, key_type))
                    .collect::<Result<Vec<_>>>()?;
                let (kind, included) = self.index_projection(name);
                GlobalSecondaryIndex::builder()
                    .index_name(name)
                    .set_key_schema(Some(keys))
                    .projection(
                        Projection::builder()
                            .projection_type(kind)
                            .set_non_key_attributes((!included.is_empty()).then_some(included))
                            .build(),
                    )
                    .build()
                    .map_err(build_error)
            })
            .collect()
    }

    /// The attribute definitions (table and index keys) and the table's key
    /// schema, as the SDK types.
    pub fn key_schema(&self) -> Result<(Vec<AttributeDefinition>, Vec<KeySchemaElement>)> {
        let inner = &self.table.inner;
        let build_error = |e: aws_sdk_dynamodb::error::BuildError| Error::TableNotReady {
            table: inner.name.clone(),
            message: e.to_string(),
        };
        let mut attributes = Vec::new();
        let mut keys = Vec::new();
        let keyed = std::iter::once((&inner.pk, KeyType::Hash))
            .chain(inner.sk.iter().map(|sk| (sk, KeyType::Range)));
        let index_attributes = self
            .indexes
            .iter()
            .flat_map(|i| std::iter::once(i.pk_attribute).chain(i.sk_attribute))
            .map(|name| (name, ScalarType::String));
        let attribute_index_attributes = self
            .attribute_indexes
            .iter()
            .flat_map(AttributeIndex::attributes)
            .map(|a| (a.name, a.scalar));
        let vector_attributes = self.vector_schema_attributes().map(|a| (a.name, a.scalar));
        let typed: Vec<(&str, ScalarType)> = std::iter::once(inner.pk.as_str())
            .chain(inner.sk.as_deref())
            .map(|name| (name, ScalarType::String))
            .chain(index_attributes)
            .chain(attribute_index_attributes)
            .chain(vector_attributes)
            .collect();
        let mut seen: Vec<(&str, ScalarType)> = Vec::new();
        for (name, scalar) in typed {
            match seen.iter().find(|(n, _)| *n == name) {
                Some((_, known)) if *known == scalar => continue,
                Some((_, known)) => {
                    return Err(Error::Schema {
                        table: inner.name.clone(),
                        entity: "the table definition",
                        reason: format!(
                            "attribute `{name}` is a key of type {} in one place and {} in another",
                            known.letter(),
                            scalar.letter()
                        ),
                    })
                }
                None => seen.push((name, scalar)),
            }
            let attribute_type = match scalar {
                ScalarType::String => ScalarAttributeType::S,
                ScalarType::Number => ScalarAttributeType::N,
                ScalarType::Binary => ScalarAttributeType::B,
            };
            attributes.push(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(attribute_type)
                    .build()
                    .map_err(build_error)?,
            );
        }
        for (name, key_type) in keyed {
            keys.push(
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(key_type)
                    .build()
                    .map_err(build_error)?,
            );
        }
        Ok((attributes, keys))
    }

    pub(super) fn check(&self) -> Result<()> {
        self.checks.iter().cloned().collect()
    }

    /// Creates the table (PAY_PER_REQUEST, with the declared settings) and
    /// waits until it is ACTIVE, then turns on TTL and point-in-time
    /// recovery if declared. Fails if it already exists.
    pub async fn create(self) -> Result<()> {
        self.check()?;
        let (attributes, keys) = self.key_schema()?;
        let indexes = self.global_secondary_indexes()?;
        let vector_indexes = self.vector_index_requests()?;
        let inner = &self.table.inner;
        self.apply_settings(inner.client.create_table())?
            .table_name(&inner.name)
            .set_vector_indexes((!vector_indexes.is_empty()).then_some(vector_indexes))
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(keys))
            .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
            .set_stream_specification(
                self.stream
                    .clone()
                    .map(|view| {
                        StreamSpecification::builder()
                            .stream_enabled(true)
                            .stream_view_type(view)
                            .build()
                    })
                    .transpose()
                    .map_err(|e| Error::TableNotReady {
                        table: inner.name.clone(),
                        message: e.to_string(),
                    })?,
            )
            .send()
            .await
            .map_err(|e| Error::dynamo("CreateTable", e))?;
        self.wait_active().await?;
        self.enable_ttl().await?;
        self.apply_recovery().await
    }

    /// The attribute the live table's TTL is enabled (or being enabled)
    /// on: one DescribeTimeToLive.
    pub(super) async fn live_ttl_attribute(&self) -> Result<Option<String>> {
        let inner = &self.table.inner;
        let current = inner
            .client
            .describe_time_to_live()
            .table_name(&inner.name)
            .send()
            .await
            .map_err(|e| Error::dynamo("DescribeTimeToLive", e))?;
        Ok(current
            .time_to_live_description()
            .filter(|d| {
                matches!(
                    d.time_to_live_status(),
                    Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
                )
            })
            .and_then(|d| d.attribute_name())
            .map(str::to_owned))
    }

    /// Enables TTL on the expiry attribute (UpdateTimeToLive), unless no
    /// entity declares one or it is enabled on it already. A table whose
    /// TTL is enabled on another attribute is an [`Error::Schema`]:
    /// DynamoDB allows one, and changing it is the owner's decision.
    async fn enable_ttl(&self) -> Result<()> {
        let Some(attribute) = self.ttl else {
            return Ok(());
        };
        let inner = &self.table.inner;
        match self.live_ttl_attribute().await?.as_deref() {
            Some(name) if name == attribute => return Ok(()),
            Some(other) => {
                return Err(Error::Schema {
                    table: inner.name.clone(),
                    entity: "the table definition",
                    reason: format!(
                        "the table's TTL is enabled on `{other}`, but the entities' expiry is `{attribute}`"
                    ),
                })
            }
            None => {}
        }
        let specification = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(attribute)
            .build()
            .map_err(|e| Error::TableNotReady {
                table: inner.name.clone(),
                message: e.to_string(),
            })?;
        inner
            .client
            .update_time_to_live()
            .table_name(&inner.name)
            .time_to_live_specification(specification)
            .send()
            .await
            .map_err(|e| Error::dynamo("UpdateTimeToLive", e))?;
        Ok(())
    }

    /// Creates the table unless it exists, then waits until it is ACTIVE.
    /// Returns whether it was created. An existing table's settings are
    /// left as they are: [`drift`](Self::drift) lists any difference.
    pub async fn create_if_not_exists(self) -> Result<bool> {
        self.check()?;
        let inner = &self.table.inner;
        match inner
            .client
            .describe_table()
            .table_name(&inner.name)
            .send()
            .await
        {
            Ok(_) => {
                self.wait_active().await?;
                self.enable_ttl().await?;
                return Ok(false);
            }
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(DescribeTableError::ResourceNotFoundException(_))
                ) => {}
            Err(err) => return Err(Error::dynamo("DescribeTable", err)),
        }
        match self.clone().create().await {
            Ok(()) => Ok(true),
            Err(Error::Dynamo { sdk, .. })
                if matches!(
                    sdk.as_ref(),
                    aws_sdk_dynamodb::Error::ResourceInUseException(_)
                ) =>
            {
                // Created concurrently by someone else.
                self.wait_active().await?;
                self.enable_ttl().await.map(|()| false)
            }
            Err(err) => Err(err),
        }
    }

    async fn wait_active(&self) -> Result<()> {
        let inner = &self.table.inner;
        inner
            .client
            .wait_until_table_exists()
            .table_name(&inner.name)
            .wait(ACTIVE_TIMEOUT)
            .await
            .map(|_| ())
            .map_err(|e| Error::TableNotReady {
                table: inner.name.clone(),
                message: aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string(),
            })
    }
}

/// Whether two declarations of an index over attributes have the same
/// keys.
fn same_keys(a: &AttributeIndex, b: &AttributeIndex) -> bool {
    a.partition == b.partition && a.sort == b.sort
}

/// An index's keys as messages print them: `(tenant_id S, region S; placed_at N)`.
fn describe(index: &AttributeIndex) -> String {
    let list = |attributes: &[crate::keys::attribute_index::IndexAttribute]| {
        attributes
            .iter()
            .map(|a| format!("{} {}", a.name, a.scalar.letter()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}; {})", list(index.partition), list(index.sort))
}
