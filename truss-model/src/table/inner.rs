//! What a table handle holds: the client, the table name and its key
//! attribute names; and rendering keys against them, with DynamoDB's key
//! limits checked.

use crate::foundation::error::{Error, KeyDisplay, Result};
use crate::foundation::item::{owned_name, Item};
use crate::foundation::limits::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::keys::entity::{Entity, EntityKey};
use crate::table::erased::{info, EntityInfo};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

#[derive(Clone)]
pub(crate) struct TableInner {
    pub(crate) client: Client,
    pub(crate) name: String,
    pub(crate) pk: String,
    pub(crate) sk: Option<String>,
    /// The key attributes' names as the generated decoder dispatches on
    /// them (`name_key`; `u64::MAX`, which no name has, without a sort
    /// key), kept with the names by
    /// [`set_key_attributes`](Self::set_key_attributes).
    pub(crate) key_names: (u64, u64),
    /// Where the capacity of this table's operations is added up, per
    /// entity.
    pub(crate) capacity: Option<crate::table::capacity::CapacityMeter>,
    /// Whether traces may hold key values.
    pub(crate) trace_keys: bool,
    /// Whether reads check index key attributes against the keys the
    /// decoded value renders (off only for a scan that rewrites them:
    /// `Scan::reindex`).
    pub(crate) check_index_keys: bool,
    /// Revision write-backs that failed (the reads returned their values).
    pub(crate) failed_write_backs: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Whether requests name their entity to the client's interceptors
    /// (a test double's table).
    #[cfg(feature = "testing")]
    pub(crate) tag_requests: bool,
}

/// The capacity keys are rendered into: enough for most keys at once.
const KEY_CAPACITY: usize = 64;

impl TableInner {
    /// Sets the key attributes' names, and their dispatch keys with them.
    pub(crate) fn set_key_attributes(&mut self, pk: String, sk: Option<String>) {
        use crate::foundation::attr_value::stored::name_key;
        self.key_names = (name_key(&pk), sk.as_deref().map_or(u64::MAX, name_key));
        self.pk = pk;
        self.sk = sk;
    }
}

/// What writes a primary key's two strings: an entity
/// ([`DynEntity`](crate::table::erased::DynEntity)), or a typed key.
pub(crate) trait WriteKeys {
    fn write_pk(&self, out: &mut String) -> Result<()>;
    fn write_sk(&self, out: &mut String) -> Result<()>;
}

/// A typed key as [`WriteKeys`].
struct KeyWriter<'k, K>(&'k K);

impl<K: EntityKey> WriteKeys for KeyWriter<'_, K> {
    fn write_pk(&self, out: &mut String) -> Result<()> {
        self.0.__write_pk(out)
    }

    fn write_sk(&self, out: &mut String) -> Result<()> {
        self.0.__write_sk(out)
    }
}

/// A primary key rendered to strings, checked against DynamoDB's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenderedKey {
    pub(crate) pk: String,
    pub(crate) sk: Option<String>,
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
    /// In line, so that a typed caller (`encode_plain`) calls the writers
    /// as the type's own.
    #[inline]
    pub(crate) fn render(&self, entity: &EntityInfo, keys: &dyn WriteKeys) -> Result<RenderedKey> {
        self.check_schema_of(entity.name, entity.sk.is_some())?;
        // One allocation for typical keys (`CREATOR#<id>`, `CLIP#<timestamp>#<id>`).
        let mut pk = String::with_capacity(KEY_CAPACITY);
        keys.write_pk(&mut pk)?;
        self.check_len_of(entity.name, &self.pk, &pk, MAX_PARTITION_KEY_BYTES)?;
        let sk = match &self.sk {
            Some(attr) => {
                let mut sk = String::with_capacity(KEY_CAPACITY);
                keys.write_sk(&mut sk)?;
                self.check_len_of(entity.name, attr, &sk, MAX_SORT_KEY_BYTES)?;
                Some(sk)
            }
            None => None,
        };
        Ok(RenderedKey { pk, sk })
    }

    pub(crate) fn render_key<K: EntityKey>(&self, key: &K) -> Result<RenderedKey> {
        self.render(info::<K::Entity>(), &KeyWriter(key))
    }

    pub(crate) fn check_len<E: Entity>(&self, attr: &str, value: &str, max: usize) -> Result<()> {
        self.check_len_of(E::NAME, attr, value, max)
    }

    /// In line, the error out of it: called, it took the rendered key as a
    /// pair of words on the stack, read back as one 16-byte load of two
    /// 8-byte stores just made, which waits for both to land (a failed
    /// store forwarding; `BENCHMARKS.md` §1, "Values moved whole").
    #[inline]
    pub(crate) fn check_len_of(
        &self,
        entity: &'static str,
        attr: &str,
        value: &str,
        max: usize,
    ) -> Result<()> {
        if value.len() > max {
            return Err(key_too_long(entity, attr, value.len(), max));
        }
        Ok(())
    }

    /// The table's key attributes of an item (or of a record's keys), for
    /// messages: `?` for one that is missing or not a string.
    pub(crate) fn display_item(&self, item: &Item) -> KeyDisplay {
        let text = |attr: &str| match item.get(attr) {
            Some(AttributeValue::S(s)) => s.clone(),
            _ => "?".to_owned(),
        };
        let sk = self.sk.as_deref().map(|a| (a, text(a)));
        KeyDisplay::new(
            &self.pk,
            &text(&self.pk),
            sk.as_ref().map(|(a, v)| (*a, v.as_str())),
        )
    }

    pub(crate) fn display(&self, key: &RenderedKey) -> KeyDisplay {
        KeyDisplay::new(&self.pk, &key.pk, self.sk.as_deref().zip(key.sk.as_deref()))
    }
}

impl TableInner {
    /// The item holding just this key, for GetItem, DeleteItem, UpdateItem.
    pub(crate) fn key_item(&self, key: &RenderedKey) -> Item {
        let mut item = Item::with_capacity(2);
        item.insert(owned_name(&self.pk), AttributeValue::S(key.pk.clone()));
        if let (Some(attr), Some(sk)) = (&self.sk, &key.sk) {
            item.insert(owned_name(attr), AttributeValue::S(sk.clone()));
        }
        item
    }
}

/// [`TableInner::check_len_of`]'s error, out of the way of the check.
#[cold]
#[inline(never)]
fn key_too_long(entity: &'static str, attr: &str, len: usize, max: usize) -> Error {
    Error::KeyTooLong {
        entity,
        attribute: attr.to_owned(),
        len,
        max,
    }
}
