//! Layer 4, the table: the handle every operation starts from (this
//! module), what it holds (`inner`), the entity codec between entities and
//! items (`codec`) and the untyped view of an entity its bodies take
//! (`erased`), the table definition (`schema`), the retry policy of
//! batches (`retry`), the request counter (`request_counter`), the
//! capacity meter (`capacity`) and the
//! definition as infrastructure code with its drift check (`infra`) and as
//! an access-pattern report (`report`).

pub(crate) mod capacity;
pub(crate) mod codec;
pub(crate) mod erased;
pub(crate) mod infra;
pub(crate) mod inner;
pub(crate) mod observe;
pub(crate) mod report;
pub(crate) mod request_counter;
pub(crate) mod retry;
pub(crate) mod schema;
pub(crate) mod settings;
pub(crate) mod shape;
pub(crate) mod upgrades;
pub(crate) mod vectors;

use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::keys::entity::{Entity, EntityKey};
use aws_sdk_dynamodb::Client;
use inner::TableInner;
use std::fmt;
use std::sync::Arc;

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

impl Table {
    /// A table named `name` with key attributes `PK` (partition) and `SK`
    /// (sort).
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        let mut inner = TableInner {
            client,
            name: name.into(),
            pk: String::new(),
            sk: None,
            key_names: (0, 0),
            capacity: None,
            trace_keys: false,
            #[cfg(feature = "testing")]
            tag_requests: false,
            check_index_keys: true,
            failed_write_backs: Default::default(),
        };
        inner.set_key_attributes("PK".to_owned(), Some("SK".to_owned()));
        Table {
            inner: Arc::new(inner),
        }
    }

    /// Uses `name` as the partition-key attribute.
    pub fn with_partition_key(mut self, name: impl Into<String>) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        let sk = inner.sk.take();
        inner.set_key_attributes(name.into(), sk);
        self
    }

    /// Uses `name` as the sort-key attribute.
    pub fn with_sort_key(mut self, name: impl Into<String>) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        let pk = std::mem::take(&mut inner.pk);
        inner.set_key_attributes(pk, Some(name.into()));
        self
    }

    /// Declares that the table has a partition key only; it then holds
    /// entities without a sort-key template.
    pub fn without_sort_key(mut self) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        let pk = std::mem::take(&mut inner.pk);
        inner.set_key_attributes(pk, None);
        self
    }

    /// Adds up the capacity every operation of this table handle consumes
    /// in `meter`, per table and index and per entity
    /// ([`CapacityMeter::by_entity`](crate::CapacityMeter::by_entity)): requests ask DynamoDB for
    /// `ReturnConsumedCapacity = INDEXES` (which costs nothing). Clones of
    /// one meter attached to several tables add up together.
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Entity, Table};
    /// # #[derive(Entity, Serialize, Deserialize)]
    /// # #[truss(pk = "LINK#{code}", sk = "META")]
    /// # struct Link { code: String }
    /// # async fn demo(table: Table) -> truss_model::Result<()> {
    /// let meter = truss_model::CapacityMeter::new();
    /// let table = table.with_capacity_meter(meter.clone());
    /// table.get(Link::key("aK9xQ2z")).await?;
    /// let units = meter.by_entity()["Link"]["links"].read_units;
    /// # let _ = units;
    /// # Ok(()) }
    /// ```
    pub fn with_capacity_meter(mut self, meter: crate::table::capacity::CapacityMeter) -> Self {
        Arc::make_mut(&mut self.inner).capacity = Some(meter);
        self
    }

    /// Lets traces (feature `tracing`) record each single-item operation's
    /// key as `truss.key` (`PK=USER#42, SK=PROFILE`). Off by default: keys
    /// often hold personal data (emails, user ids). Item values never
    /// appear in traces.
    pub fn trace_keys(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.inner).trace_keys = on;
        self
    }

    /// How many revision write-backs (`revision(..., write_back)`) have
    /// failed on this table handle and its clones, for example under a
    /// read-only role. A failed write-back never fails its read: the read
    /// returns the upgraded value, the item stays at its old revision (and
    /// is written back by a later read or a backfill), and the failure is
    /// reported here and, with the `tracing` feature, as a warning event
    /// with the error.
    pub fn failed_write_backs(&self) -> u64 {
        self.inner
            .failed_write_backs
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The underlying SDK client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The same table, its requests tagged with the entity and key they
    /// are for (the test double's table, see `testing`).
    #[cfg(feature = "testing")]
    pub(crate) fn tagging_requests(mut self) -> Self {
        Arc::make_mut(&mut self.inner).tag_requests = true;
        self
    }

    /// The table name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The partition-key attribute name.
    pub fn partition_key_attribute(&self) -> &str {
        &self.inner.pk
    }

    /// The sort-key attribute name, if the table has a sort key.
    pub fn sort_key_attribute(&self) -> Option<&str> {
        self.inner.sk.as_deref()
    }
}

impl Table {
    /// The DynamoDB item `put` would write for `entity`: its attributes,
    /// key attributes and index attributes, checked like a put (key rules,
    /// item size, numbers). Useful with raw SDK calls and event sources.
    pub fn to_item<E: Entity>(&self, entity: &E) -> Result<crate::foundation::item::Item> {
        self.inner.encode_item(entity).map(|(item, _)| item)
    }

    /// Reads an item as entity `E`, recovering key fields missing from the
    /// item from its keys (as for items read by `get` or `query`).
    pub fn from_item<E: Entity>(&self, item: crate::foundation::item::Item) -> Result<E> {
        self.inner.decode(item)
    }
}

impl Table {
    /// A typed key as messages print it (`PK=LINK#aK9xQ2z, SK=META`), with
    /// this table's key attribute names; the key's values are checked as
    /// for a request.
    pub fn key_display<K: EntityKey>(&self, key: &K) -> Result<KeyDisplay> {
        self.inner.render_key(key).map(|k| self.inner.display(&k))
    }

    /// [`Error::NotFound`] for `key`, for lookups of your own:
    ///
    /// ```no_run
    /// # use serde::{Deserialize, Serialize};
    /// # use truss_model::{Entity, Table};
    /// # #[derive(Entity, Serialize, Deserialize)]
    /// # #[truss(pk = "LINK#{code}", sk = "META")]
    /// # struct Link { code: String, target: String }
    /// # async fn demo(table: Table) -> truss_model::Result<()> {
    /// let key = Link::key("aK9xQ2z");
    /// let link = table.get(key.clone()).await?.ok_or_else(|| table.not_found(&key))?;
    /// # Ok(()) }
    /// ```
    ///
    /// A key that cannot be rendered gives the error that says why.
    pub fn not_found<K: EntityKey>(&self, key: &K) -> Error {
        match self.key_display(key) {
            Ok(key) => Error::NotFound {
                entity: <K::Entity as Entity>::NAME,
                key,
            },
            Err(error) => error,
        }
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
