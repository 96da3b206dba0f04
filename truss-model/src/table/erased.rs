//! An entity seen without its type: its declarations gathered in one
//! value ([`EntityInfo`]) and its instance methods behind a trait object
//! ([`DynEntity`]).
//!
//! What a user's crate compiles for each entity is what is generic over
//! it. The bodies of the codec and of the operations take these instead of
//! a type parameter, so they are compiled once, in this crate; what stays
//! generic is a thin shell that builds the two and calls the body (the
//! build-cost measure of `BENCHMARKS.md` §9). The one exception is the
//! codec of an entity that declares nothing past its table keys: its write
//! and read are typed and in line (`codec::encode_plain`,
//! `codec::decode_plain`), small enough that the build measure did not
//! move, and they leave for these bodies on any failure.

use crate::foundation::attr_value::CodecError;
use crate::foundation::error::Result;
use crate::foundation::item::Item;
use crate::foundation::timestamp::Stamp;
use crate::keys::attribute_index::AttributeIndex;
use crate::keys::constant::Constant;
use crate::keys::entity::Entity;
use crate::keys::revision::Revision;
use crate::keys::template::{Index, Segment, Template};
use crate::keys::ttl::Ttl;
use crate::table::inner::WriteKeys;

/// An entity's declarations: the associated constants of its
/// [`Entity`] impl.
#[derive(Debug)]
pub(crate) struct EntityInfo {
    pub(crate) name: &'static str,
    pub(crate) pk: Template,
    pub(crate) sk: Option<Template>,
    pub(crate) indexes: &'static [Index],
    pub(crate) attribute_indexes: &'static [AttributeIndex],
    pub(crate) constants: &'static [Constant],
    pub(crate) version: Option<&'static str>,
    pub(crate) revision: Option<Revision>,
    pub(crate) ttl: Option<Ttl>,
    pub(crate) created_at: Option<Stamp>,
    pub(crate) updated_at: Option<Stamp>,
    /// The attributes of the key fields both templates name, in order
    /// (a field in both, twice); `None` past [`KeyFields::MAX`].
    pub(crate) key_fields: Option<KeyFields>,
}

/// Up to [`MAX`](KeyFields::MAX) key-field attribute names, gathered at
/// compile time: every read asks whether the item holds them all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyFields {
    names: [&'static str; KeyFields::MAX],
    count: usize,
}

impl KeyFields {
    pub(crate) const MAX: usize = 8;

    /// The key fields of `pk` and `sk`; `None` when there are more than
    /// [`MAX`](Self::MAX).
    const fn of(pk: &Template, sk: &Option<Template>) -> Option<Self> {
        let mut names = [""; Self::MAX];
        let mut count = 0;
        let mut template = 0;
        while template < 2 {
            let segments = match (template, sk) {
                (0, _) => pk.segments(),
                (_, Some(sk)) => sk.segments(),
                (_, None) => &[],
            };
            let mut i = 0;
            while i < segments.len() {
                if let Segment::Field(field) = &segments[i] {
                    if count == Self::MAX {
                        return None;
                    }
                    names[count] = field.attribute;
                    count += 1;
                }
                i += 1;
            }
            template += 1;
        }
        Some(KeyFields { names, count })
    }

    /// The names.
    pub(crate) fn names(&self) -> &[&'static str] {
        &self.names[..self.count]
    }
}

/// The declarations of `E`, one static value per entity.
pub(crate) const fn info<E: Entity>() -> &'static EntityInfo {
    const {
        &EntityInfo {
            name: E::NAME,
            pk: E::PK,
            sk: E::SK,
            indexes: E::INDEXES,
            attribute_indexes: E::ATTRIBUTE_INDEXES,
            constants: E::CONSTANTS,
            version: E::VERSION,
            revision: E::REVISION,
            ttl: E::TTL,
            created_at: E::CREATED_AT,
            updated_at: E::UPDATED_AT,
            key_fields: KeyFields::of(&E::PK, &E::SK),
        }
    }
}

/// An entity value's methods the codec calls, callable without its type.
pub(crate) trait DynEntity: WriteKeys {
    fn keys_are(&self, pk: &str, sk: Option<&str>) -> bool;
    fn index_keys_are(&self, index: usize, pk: &str, sk: Option<&str>) -> bool;
    fn write_index(&self, index: usize, pk: &mut String, sk: &mut String) -> Result<bool>;
    /// The entity's own attributes (see `codec::own_attributes`).
    fn own_attributes(&self, extra: usize) -> std::result::Result<(Item, usize), CodecError>;
    fn version(&self) -> u64;
}

// In line where the type is known (a plain entity's encode): called, the
// rendered key came back in memory and was moved on with loads wider than
// the stores that had just written it, which wait for them to land
// (`BENCHMARKS.md` §1, "Values moved whole").
impl<E: Entity> WriteKeys for E {
    #[inline]
    fn write_pk(&self, out: &mut String) -> Result<()> {
        self.__write_pk(out)
    }

    #[inline]
    fn write_sk(&self, out: &mut String) -> Result<()> {
        self.__write_sk(out)
    }
}

impl<E: Entity> DynEntity for E {
    fn keys_are(&self, pk: &str, sk: Option<&str>) -> bool {
        self.__keys_are(pk, sk)
    }

    fn index_keys_are(&self, index: usize, pk: &str, sk: Option<&str>) -> bool {
        self.__index_keys_are(index, pk, sk)
    }

    fn write_index(&self, index: usize, pk: &mut String, sk: &mut String) -> Result<bool> {
        self.__write_index(index, pk, sk)
    }

    fn own_attributes(&self, extra: usize) -> std::result::Result<(Item, usize), CodecError> {
        crate::table::codec::own_attributes(self, extra)
    }

    fn version(&self) -> u64 {
        Entity::version(self)
    }
}
