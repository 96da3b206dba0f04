//! The access-pattern report: the table's key layout as a Markdown table
//! in the seed designs' style, one row per entity, generated from the
//! entities a definition holds.

use crate::table::schema::TableDefinition;
use std::fmt::Write as _;

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
