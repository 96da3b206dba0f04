//! What a definition keeps of each entity it holds, for the report: its
//! templates, indexes and notes (TTL, version, revision, constants).

use crate::keys::entity::Entity;
use crate::keys::template::Index;

/// What the report shows of one entity.
#[derive(Debug, Clone)]
pub(crate) struct EntityShape {
    pub(super) name: &'static str,
    pub(super) pk: &'static str,
    pub(super) sk: Option<&'static str>,
    pub(super) indexes: &'static [Index],
    /// `(index, "partition attributes / sort attributes")`.
    pub(super) attribute_indexes: Vec<(&'static str, String)>,
    pub(super) notes: Vec<String>,
}

impl EntityShape {
    /// The attributes the entity includes in index `name` (an `INCLUDE`
    /// projection).
    pub(crate) fn index_includes(&self, name: &str) -> &'static [&'static str] {
        self.indexes
            .iter()
            .find(|i| i.name == name)
            .map_or(&[], |i| i.projection.included())
    }

    pub(crate) fn of<E: Entity>() -> Self {
        let mut notes = Vec::new();
        if let Some(ttl) = E::TTL {
            notes.push(format!("expires by `{}` (TTL)", ttl.attribute));
        }
        if let Some(version) = E::VERSION {
            notes.push(format!("version `{version}`"));
        }
        if let Some(revision) = E::REVISION {
            notes.push(format!(
                "revision {} in `{}`",
                revision.current, revision.attribute
            ));
        }
        for constant in E::CONSTANTS {
            notes.push(format!("`{}` = `{}`", constant.name, constant.value.text()));
        }
        let names = |attributes: &[crate::keys::attribute_index::IndexAttribute]| {
            attributes
                .iter()
                .map(|a| format!("`{}`", a.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        EntityShape {
            name: E::NAME,
            pk: E::PK.source(),
            sk: E::SK.map(|t| t.source()),
            indexes: E::INDEXES,
            attribute_indexes: E::ATTRIBUTE_INDEXES
                .iter()
                .map(|i| {
                    let sort = if i.sort.is_empty() {
                        String::new()
                    } else {
                        format!(" / {}", names(i.sort))
                    };
                    (i.name, format!("{}{sort}", names(i.partition)))
                })
                .collect(),
            notes,
        }
    }
}
