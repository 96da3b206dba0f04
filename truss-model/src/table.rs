//! The table handle: client, name and key attribute names.

use crate::entity::{Entity, EntityKey};
use crate::error::{Error, KeyDisplay, Result};
use aws_sdk_dynamodb::Client;
use std::fmt;
use std::sync::Arc;

/// DynamoDB's limit on a partition key value, in UTF-8 bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// DynamoDB's limit on a sort key value, in UTF-8 bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;

/// A DynamoDB table holding one or many entity types.
///
/// Cheap to clone (one `Arc`); every operation starts here:
///
/// ```no_run
/// # async fn demo(client: aws_sdk_dynamodb::Client) {
/// let table = truss_model::Table::new(client, "app");
/// // Key attributes default to `PK` and `SK`; both are settable:
/// let other = table.clone().with_partition_key("pk").with_sort_key("sk");
/// # }
/// ```
#[derive(Clone)]
pub struct Table {
    pub(crate) inner: Arc<TableInner>,
}

#[derive(Clone)]
pub(crate) struct TableInner {
    pub(crate) client: Client,
    pub(crate) name: String,
    pub(crate) pk: String,
    pub(crate) sk: Option<String>,
}

/// The capacity keys are rendered into: enough for most keys at once.
const KEY_CAPACITY: usize = 64;

/// A primary key rendered to strings, checked against DynamoDB's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenderedKey {
    pub(crate) pk: String,
    pub(crate) sk: Option<String>,
}

impl Table {
    /// A table named `name` with key attributes `PK` (partition) and `SK`
    /// (sort).
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Table {
            inner: Arc::new(TableInner {
                client,
                name: name.into(),
                pk: "PK".to_owned(),
                sk: Some("SK".to_owned()),
            }),
        }
    }

    /// Uses `name` as the partition-key attribute.
    pub fn with_partition_key(mut self, name: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.inner).pk = name.into();
        self
    }

    /// Uses `name` as the sort-key attribute.
    pub fn with_sort_key(mut self, name: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.inner).sk = Some(name.into());
        self
    }

    /// Declares that the table has a partition key only; it then holds
    /// entities without a sort-key template.
    pub fn without_sort_key(mut self) -> Self {
        Arc::make_mut(&mut self.inner).sk = None;
        self
    }

    /// The underlying SDK client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The table name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The partition-key attribute name.
    pub fn partition_key(&self) -> &str {
        &self.inner.pk
    }

    /// The sort-key attribute name, if the table has a sort key.
    pub fn sort_key(&self) -> Option<&str> {
        self.inner.sk.as_deref()
    }
}

impl Table {
    /// The DynamoDB item `put` would write for `entity`: its attributes,
    /// key attributes and index attributes, checked like a put (key rules,
    /// item size, numbers). Useful with raw SDK calls and event sources.
    pub fn to_item<E: Entity>(&self, entity: &E) -> Result<crate::Item> {
        self.inner.encode_item(entity).map(|(item, _)| item)
    }

    /// Reads an item as entity `E`, recovering key fields missing from the
    /// item from its keys (as for items read by `get` or `query`).
    pub fn from_item<E: Entity>(&self, item: crate::Item) -> Result<E> {
        self.inner.decode(item)
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.inner.name)
            .field("partition_key", &self.inner.pk)
            .field("sort_key", &self.inner.sk)
            .finish_non_exhaustive()
    }
}

impl TableInner {
    /// Fails unless the entity's templates fit the table's key schema.
    pub(crate) fn check_schema<E: Entity>(&self) -> Result<()> {
        self.check_schema_of(E::NAME, E::SK.is_some())
    }

    pub(crate) fn check_schema_of(&self, entity: &'static str, has_sk: bool) -> Result<()> {
        let reason = match (has_sk, self.sk.is_some()) {
            (true, true) | (false, false) => return Ok(()),
            (false, true) => "the entity has no sort-key template but the table has a sort key",
            (true, false) => "the entity has a sort-key template but the table has no sort key",
        };
        Err(Error::Schema {
            table: self.name.clone(),
            entity,
            reason: reason.into(),
        })
    }

    /// Renders a key with the given writers and checks DynamoDB's limits.
    pub(crate) fn render<E: Entity>(
        &self,
        write_pk: impl FnOnce(&mut String) -> Result<()>,
        write_sk: impl FnOnce(&mut String) -> Result<()>,
    ) -> Result<RenderedKey> {
        self.check_schema::<E>()?;
        // One allocation for typical keys (`CREATOR#<id>`, `CLIP#<timestamp>#<id>`).
        let mut pk = String::with_capacity(KEY_CAPACITY);
        write_pk(&mut pk)?;
        self.check_len::<E>(&self.pk, &pk, MAX_PARTITION_KEY_BYTES)?;
        let sk = match &self.sk {
            Some(attr) => {
                let mut sk = String::with_capacity(KEY_CAPACITY);
                write_sk(&mut sk)?;
                self.check_len::<E>(attr, &sk, MAX_SORT_KEY_BYTES)?;
                Some(sk)
            }
            None => None,
        };
        Ok(RenderedKey { pk, sk })
    }

    pub(crate) fn render_key<K: EntityKey>(&self, key: &K) -> Result<RenderedKey> {
        self.render::<K::Entity>(|out| key.write_pk(out), |out| key.write_sk(out))
    }

    pub(crate) fn check_len<E: Entity>(&self, attr: &str, value: &str, max: usize) -> Result<()> {
        self.check_len_of(E::NAME, attr, value, max)
    }

    pub(crate) fn check_len_of(
        &self,
        entity: &'static str,
        attr: &str,
        value: &str,
        max: usize,
    ) -> Result<()> {
        if value.len() > max {
            return Err(Error::KeyTooLong {
                entity,
                attribute: attr.to_owned(),
                len: value.len(),
                max,
            });
        }
        Ok(())
    }

    pub(crate) fn display(&self, key: &RenderedKey) -> KeyDisplay {
        KeyDisplay::new(&self.pk, &key.pk, self.sk.as_deref().zip(key.sk.as_deref()))
    }
}
