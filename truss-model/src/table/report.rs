//! The access-pattern report: the table's key layout as a Markdown table
//! in the seed designs' style, one row per entity, generated from the
//! entities a definition holds.

use crate::keys::entity::Entity;
use crate::keys::template::Index;
use crate::table::schema::TableDefinition;
use std::fmt::Write as _;

/// What the report shows of one entity.
#[derive(Debug, Clone)]
pub(crate) struct EntityShape {
    name: &'static str,
    pk: &'static str,
    sk: Option<&'static str>,
    indexes: &'static [Index],
    /// `(index, "partition attributes / sort attributes")`.
    attribute_indexes: Vec<(&'static str, String)>,
    notes: Vec<String>,
}

impl EntityShape {
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

/// A template as the report prints it.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('|', "\\|"))
}

impl TableDefinition {
    /// The table's key layout as a Markdown table, one row per entity in
    /// the order they were added: the table's key attributes, then each
    /// index's (a template index's two attributes; an index over
    /// attributes as `partition / sort` attributes), then notes (expiry,
    /// version, revision, constants). What a design review reads instead
    /// of the code; both examples print theirs with `--report`.
    pub fn report(&self) -> String {
        let inner = &self.table.inner;
        // The index columns, in order of first appearance.
        let mut columns: Vec<(String, &'static str, bool)> = Vec::new(); // (header, index, is_sort)
        for entity in &self.entities {
            for index in entity.indexes {
                if !columns.iter().any(|(_, name, _)| *name == index.name) {
                    columns.push((index.pk_attribute.to_owned(), index.name, false));
                    if let Some(sk) = index.sk_attribute {
                        columns.push((sk.to_owned(), index.name, true));
                    }
                }
            }
            for (name, _) in &entity.attribute_indexes {
                if !columns.iter().any(|(_, n, _)| n == name) {
                    columns.push((format!("{name} (attributes)"), name, false));
                }
            }
        }
        let mut headers = vec!["entity".to_owned(), inner.pk.clone()];
        headers.extend(inner.sk.clone());
        headers.extend(columns.iter().map(|(h, _, _)| h.clone()));
        headers.push("notes".to_owned());
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", headers.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
        for entity in &self.entities {
            let mut row = vec![entity.name.to_owned(), code(entity.pk)];
            if inner.sk.is_some() {
                row.push(entity.sk.map(code).unwrap_or_default());
            }
            for (_, index, is_sort) in &columns {
                let template = entity.indexes.iter().find(|i| i.name == *index);
                let cell = match template {
                    Some(i) if *is_sort => i.sk.map(|t| code(t.source())).unwrap_or_default(),
                    Some(i) => code(i.pk.source()),
                    None => entity
                        .attribute_indexes
                        .iter()
                        .find(|(name, _)| name == index)
                        .map(|(_, attributes)| attributes.clone())
                        .unwrap_or_default(),
                };
                row.push(cell);
            }
            row.push(entity.notes.join("; "));
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out
    }
}
