//! The table definition derived from the table handle and its entities.

use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::table::Table;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use std::time::Duration;

/// How long [`TableDefinition::create`] waits for the table to become
/// ACTIVE.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// The definition of a table: its key schema, checked against the entities
/// it will hold. Build it with [`Table::definition`].
#[derive(Debug, Clone)]
pub struct TableDefinition {
    table: Table,
    checks: Vec<Result<()>>,
}

impl Table {
    /// Starts a table definition (on-demand billing) from this handle's key
    /// attribute names. Add the entities the table holds with
    /// [`TableDefinition::entity`].
    pub fn definition(&self) -> TableDefinition {
        TableDefinition {
            table: self.clone(),
            checks: Vec::new(),
        }
    }
}

impl TableDefinition {
    /// Declares that the table holds entity `E`; its templates must fit the
    /// key schema.
    pub fn entity<E: Entity>(mut self) -> Self {
        self.checks.push(self.table.inner.check_schema::<E>());
        self
    }

    /// The attribute definitions and key schema, as the SDK types.
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
        for (name, key_type) in keyed {
            attributes.push(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(build_error)?,
            );
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

    fn check(&self) -> Result<()> {
        self.checks.iter().cloned().collect()
    }

    /// Creates the table (PAY_PER_REQUEST) and waits until it is ACTIVE.
    /// Fails if it already exists.
    pub async fn create(self) -> Result<()> {
        self.check()?;
        let (attributes, keys) = self.key_schema()?;
        let inner = &self.table.inner;
        inner
            .client
            .create_table()
            .table_name(&inner.name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(keys))
            .send()
            .await
            .map_err(|e| Error::dynamo("CreateTable", e))?;
        self.wait_active().await
    }

    /// Creates the table unless it exists, then waits until it is ACTIVE.
    /// Returns whether it was created.
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
            Err(Error::Dynamo { source, .. })
                if matches!(
                    source.as_ref(),
                    aws_sdk_dynamodb::Error::ResourceInUseException(_)
                ) =>
            {
                // Created concurrently by someone else.
                self.wait_active().await.map(|()| false)
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
