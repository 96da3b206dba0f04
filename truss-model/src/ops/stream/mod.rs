//! Typed changes from DynamoDB Streams: which entity a stream record is
//! about, its typed key, and its old and new images decoded.
//!
//! A [`StreamRecord`] is the one shape the decoders share; it comes from
//! AWS Lambda's DynamoDB event (feature `lambda`, [`lambda`]), from
//! records of the DynamoDB Streams API (feature `streams`, and
//! [`StreamReader`] follows a table's stream with it), or is built by
//! hand. [`Table::change`] decodes one into a [`StreamChange`] of an
//! entity or of a [`Collection`](crate::Collection):
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! use truss_model::stream::{ChangeKind, StreamRecord};
//! use truss_model::{Collection, Entity, Table};
//!
//! #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
//! #[truss(pk = "LINK#{code}", sk = "META")]
//! struct Link { code: String, clicks: u64 }
//!
//! #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
//! #[truss(pk = "LINK#{code}", sk = "STAT#{day}")]
//! struct DailyStat { code: String, day: u32, count: u64 }
//!
//! #[derive(Collection, Debug, Clone, PartialEq)]
//! enum LinkItem { Link(Link), Stat(DailyStat) }
//!
//! fn on_record(table: &Table, record: StreamRecord) -> truss_model::Result<()> {
//!     let change = table.change::<LinkItem>(record)?;
//!     if let (ChangeKind::Modify, Some(LinkItem::Link(old)), Some(LinkItem::Link(new))) =
//!         (change.kind, &change.old, &change.new)
//!     {
//!         println!("{}: {} new clicks", new.code, new.clicks - old.clicks);
//!     }
//!     // The typed key is there whatever the stream's view type (KEYS_ONLY too).
//!     if let LinkItemKey::Stat(key) = &change.key {
//!         println!("stat of {} on day {}", key.code, key.day);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Records are decoded as reads are: older revisions upgraded (never
//! written back from a stream), keys checked against the item, expiry
//! fields converted. A record whose keys match no type of the target is
//! an [`Error::Decode`] from [`Table::change`] (or the collection's
//! `#[truss(other)]` variant), and `Ok(None)` from [`Table::change_matching`],
//! which suits a table of many entity types read one type at a time.

#[cfg(feature = "lambda")]
pub mod lambda;
#[cfg(feature = "streams")]
mod reader;
#[cfg(feature = "streams")]
mod streams_api;

#[cfg(feature = "streams")]
pub use reader::{StartAt, StreamReader};

use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::{Entity, EntityKey};
use crate::keys::item_keys::recover_fields;
use crate::ops::collection::QueryTarget;
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use std::fmt;
use std::time::SystemTime;

/// What happened to the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A new item was written (`INSERT`).
    Insert,
    /// An existing item was changed (`MODIFY`).
    Modify,
    /// The item was deleted (`REMOVE`), by a request or by TTL.
    Remove,
}

impl ChangeKind {
    /// The kind named by a record's `eventName`, if it is one.
    pub fn from_event_name(name: &str) -> Option<Self> {
        match name {
            "INSERT" => Some(ChangeKind::Insert),
            "MODIFY" => Some(ChangeKind::Modify),
            "REMOVE" => Some(ChangeKind::Remove),
            _ => None,
        }
    }

    /// The kind a record's images tell, for an event name that is none of
    /// the three (DynamoDB Local writes its TTL deletions so): only an old
    /// image is a remove, only a new one an insert, both a modify; `None`
    /// without images.
    pub fn from_images(old: bool, new: bool) -> Option<Self> {
        match (old, new) {
            (true, false) => Some(ChangeKind::Remove),
            (false, true) => Some(ChangeKind::Insert),
            (true, true) => Some(ChangeKind::Modify),
            (false, false) => None,
        }
    }
}

/// One stream record, in the shape every source converts to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamRecord {
    /// The record's `eventID`.
    pub event_id: Option<String>,
    /// The event (`eventName`; for a name that is none of the three, what
    /// the images tell, see [`ChangeKind::from_images`]); `None` when
    /// neither tells, which [`Table::change`] reports as an error.
    pub kind: Option<ChangeKind>,
    /// The item's primary-key attributes (present in every view type).
    pub keys: Item,
    /// The item before the change (view types `OLD_IMAGE` and
    /// `NEW_AND_OLD_IMAGES`; not for an insert).
    pub old_image: Option<Item>,
    /// The item after the change (view types `NEW_IMAGE` and
    /// `NEW_AND_OLD_IMAGES`; not for a remove).
    pub new_image: Option<Item>,
    /// The record's position in its shard.
    pub sequence_number: Option<String>,
    /// When DynamoDB wrote the record, about.
    pub approximate_creation: Option<SystemTime>,
    /// Whether DynamoDB's TTL process deleted the item (a `REMOVE` whose
    /// user identity is the DynamoDB service).
    pub removed_by_ttl: bool,
}

/// The principal DynamoDB's TTL deletions carry as their user identity.
pub const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// Whether a record's user identity (`type`, `principalId`) is the one
/// DynamoDB's TTL deletions carry.
pub fn is_ttl_identity(kind: &str, principal_id: &str) -> bool {
    kind == "Service" && principal_id == TTL_PRINCIPAL
}

/// A target a stream record decodes into: an [`Entity`] or a
/// [`Collection`](crate::Collection) (whose derive generates
/// `<Enum>Key`, a variant per entity holding its key).
pub trait ChangeTarget: QueryTarget {
    /// The typed key of a change: the entity's key struct, or the
    /// collection's key enum.
    type Key: fmt::Debug + Clone + Send + Sync + 'static;

    /// The key parsed from a record's key attributes; `None` when they
    /// match no type of the target.
    #[doc(hidden)]
    fn __decode_key(table: &Table, keys: &Item) -> Option<Result<Self::Key>>;
}

impl<E: Entity> ChangeTarget for E {
    type Key = E::Key;

    fn __decode_key(table: &Table, keys: &Item) -> Option<Result<E::Key>> {
        decode_key::<E>(table, keys)
    }
}

/// A typed change of an entity or collection `T`, decoded from a
/// [`StreamRecord`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamChange<T: ChangeTarget> {
    /// Insert, modify or remove.
    pub kind: ChangeKind,
    /// The item's key, parsed from the record's key attributes (so it is
    /// there with a `KEYS_ONLY` stream too).
    pub key: T::Key,
    /// The item before the change, when the stream carries old images.
    pub old: Option<T>,
    /// The item after the change, when the stream carries new images.
    pub new: Option<T>,
    /// Whether DynamoDB's TTL deleted the item (the item had expired).
    pub expired: bool,
    /// The record's position in its shard (what Lambda's partial batch
    /// response names).
    pub sequence_number: Option<String>,
    /// The record's `eventID`.
    pub event_id: Option<String>,
    /// When DynamoDB wrote the record, about.
    pub approximate_creation: Option<SystemTime>,
}

impl Table {
    /// Decodes a stream record as a change of `T`. A record whose keys
    /// match no type of `T` is an [`Error::Decode`] (a collection with an
    /// `#[truss(other)]` variant takes it there instead); so is an image
    /// that does not decode.
    pub fn change<T: ChangeTarget>(
        &self,
        record: impl Into<StreamRecord>,
    ) -> Result<StreamChange<T>> {
        match self.decode_change::<T>(record.into())? {
            Ok(change) => Ok(change),
            Err(keys) => Err(Error::Decode {
                entity: T::__name(),
                key: self.inner.display_item(&keys),
                field: None,
                message: format!("the stream record's keys match no type of {}", T::__name()),
            }),
        }
    }

    /// Decodes a stream record as a change of `T`, or `Ok(None)` when its
    /// keys match no type of `T`: for handlers that read one entity type
    /// of a table holding many. An image that does not decode is still an
    /// error.
    pub fn change_matching<T: ChangeTarget>(
        &self,
        record: impl Into<StreamRecord>,
    ) -> Result<Option<StreamChange<T>>> {
        Ok(self.decode_change::<T>(record.into())?.ok())
    }

    /// The change, or the record's keys when they match no type of `T`
    /// (the record is consumed either way: images are never copied).
    fn decode_change<T: ChangeTarget>(
        &self,
        record: StreamRecord,
    ) -> Result<std::result::Result<StreamChange<T>, Item>> {
        let Some(key) = T::__decode_key(self, &record.keys) else {
            return Ok(Err(record.keys));
        };
        let key = key?;
        let Some(kind) = record.kind else {
            return Err(Error::Decode {
                entity: T::__name(),
                key: self.inner.display_item(&record.keys),
                field: None,
                message: "the stream record's event name is none of INSERT, MODIFY, REMOVE, and it has no image to tell".into(),
            });
        };
        let image = |image: Option<Item>| {
            image
                .filter(|item| !item.is_empty())
                .map(|item| T::__decode(self, item))
                .transpose()
        };
        Ok(Ok(StreamChange {
            kind,
            key,
            old: image(record.old_image)?,
            new: image(record.new_image)?,
            expired: kind == ChangeKind::Remove && record.removed_by_ttl,
            sequence_number: record.sequence_number,
            event_id: record.event_id,
            approximate_creation: record.approximate_creation,
        }))
    }
}

/// Entity `E`'s typed key from an item's key attributes: `None` when they
/// do not match its templates, an error when they match but a field does
/// not parse, or the key it parses to renders other keys (so a write with
/// it would address another item).
pub fn decode_key<E: Entity>(table: &Table, keys: &Item) -> Option<Result<E::Key>> {
    let inner = &table.inner;
    let text = |attr: &str| match keys.get(attr) {
        Some(AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    };
    let pk = text(&inner.pk)?;
    let sk = match (&E::SK, inner.sk.as_deref()) {
        (Some(template), Some(attr)) => {
            let sk = text(attr)?;
            template.match_key(sk)?;
            Some(sk)
        }
        (None, None) => None,
        _ => return None,
    };
    E::PK.match_key(pk)?;
    let error = |(field, message): (Option<String>, String)| Error::Decode {
        entity: E::NAME,
        key: table.inner.display_item(keys),
        field,
        message,
    };
    let parse = || {
        let mut fields = Item::new();
        recover_fields(&E::PK, &inner.pk, pk, &mut fields)?;
        if let (Some(template), Some(attr), Some(sk)) = (&E::SK, inner.sk.as_deref(), sk) {
            recover_fields(template, attr, sk, &mut fields)?;
        }
        let key = <E::Key as EntityKey>::__from_attributes(&mut fields)?;
        let rendered = inner.render_key(&key).map_err(|e| (None, e.to_string()))?;
        if rendered.pk != pk || rendered.sk.as_deref() != sk {
            return Err((
                None,
                "the key parsed from the key attributes renders other keys: a write with it would address another item".to_owned(),
            ));
        }
        Ok(key)
    };
    Some(parse().map_err(error))
}
