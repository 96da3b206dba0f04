//! The adoption audit: before the first write to a table another tool
//! wrote, which items would the model not write back byte for byte?

use super::Scan;
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::entity::Entity;
use crate::ops::collection::QueryTarget;
use crate::ops::cursor::Cursor;
use crate::ops::migrate::checkpoint::{Checkpoint, SegmentState};
use crate::table::codec::KeyCheck;
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// Example keys kept per finding.
const EXAMPLES: usize = 3;

/// What keeps an item from being written back as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mismatch {
    /// A table key not in the declared format (another precision, escaping,
    /// case): the decoded value's key would be other text, another item.
    KeyFormat,
    /// An index key attribute that differs from what the model renders,
    /// is missing, or is present where the model leaves the item out.
    IndexKey,
    /// A constant attribute with another value than the model's (a put
    /// would overwrite it).
    Constant,
    /// An attribute the model does not declare: a put would remove it.
    UndeclaredAttribute,
    /// An attribute the model writes that the item lacks (a `None` written
    /// as `NULL`, a default): a put would add it.
    AttributeAdded,
    /// An attribute the model writes in another form (number text, date
    /// format, a type): a put would rewrite it.
    AttributeDiffers,
    /// The item matches the entity's keys but does not decode.
    Undecodable,
    /// The item matches no entity of the audited collection.
    Unmatched,
}

impl Mismatch {
    fn what(self) -> &'static str {
        match self {
            Mismatch::KeyFormat => "table key not in the declared format",
            Mismatch::IndexKey => "index key differs from what the model renders",
            Mismatch::Constant => "constant differs",
            Mismatch::UndeclaredAttribute => "attribute not declared: a put would remove it",
            Mismatch::AttributeAdded => "attribute the item lacks: a put would add it",
            Mismatch::AttributeDiffers => "attribute written in another form",
            Mismatch::Undecodable => "does not decode",
            Mismatch::Unmatched => "matches no entity",
        }
    }
}

/// One kind of mismatch on one attribute, with how many items have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The kind.
    pub kind: Mismatch,
    /// The attribute concerned, when there is one.
    pub attribute: Option<String>,
    /// Items with it.
    pub count: u64,
    /// Keys of the first few items with it (`PK=..., SK=...`).
    pub examples: Vec<String>,
    /// What the first one showed (stored and written text, or the error).
    pub detail: String,
}

/// What the audit found for one entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EntityAudit {
    /// Items of the entity read.
    pub items: u64,
    /// Of those, items it would write back byte for byte.
    pub exact: u64,
    /// Every mismatch found, by kind and attribute.
    pub findings: Vec<Finding>,
}

/// The report of an adoption audit ([`Scan::audit`]): per entity, every
/// item the model would not write back byte for byte, and the items no
/// entity matches. Nothing is written. Printed (`{}`) it is a Markdown
/// report for a person; it serializes (serde) for a machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Audit {
    /// Items read.
    pub scanned: u64,
    /// Per entity, by name.
    pub entities: BTreeMap<String, EntityAudit>,
    /// Items that match no entity of an audited collection (without an
    /// `other` variant); for an entity, items of other types are not its
    /// business and are only counted in `scanned`.
    pub unmatched: Option<Finding>,
    /// Where to resume an audit stopped with [`Scan::stop_after`].
    pub checkpoint: Checkpoint,
}

impl Audit {
    /// Whether every item read would be written back exactly and matched
    /// an entity.
    pub fn is_clean(&self) -> bool {
        self.unmatched.is_none() && self.entities.values().all(|e| e.findings.is_empty())
    }

    /// Every finding, with its entity.
    pub fn findings(&self) -> impl Iterator<Item = (&str, &Finding)> {
        self.entities
            .iter()
            .flat_map(|(name, e)| e.findings.iter().map(move |f| (name.as_str(), f)))
            .chain(self.unmatched.iter().map(|f| ("", f)))
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# Adoption audit of `{}`", self.checkpoint.table())?;
        writeln!(f)?;
        writeln!(
            f,
            "{} items read{}.",
            self.scanned,
            if self.checkpoint.is_finished() {
                ""
            } else {
                " (stopped early: resume from the checkpoint)"
            }
        )?;
        for (name, entity) in &self.entities {
            writeln!(f)?;
            writeln!(
                f,
                "## {name}: {} items, {} written back exactly",
                entity.items, entity.exact
            )?;
            if !entity.findings.is_empty() {
                writeln!(f)?;
                table(f, &entity.findings)?;
            }
        }
        if let Some(unmatched) = &self.unmatched {
            writeln!(f)?;
            writeln!(f, "## Items that match no entity: {}", unmatched.count)?;
            writeln!(f)?;
            table(f, std::slice::from_ref(unmatched))?;
        }
        if self.is_clean() {
            writeln!(f)?;
            writeln!(f, "Every item would be written back byte for byte.")?;
        }
        Ok(())
    }
}

fn table(f: &mut fmt::Formatter<'_>, findings: &[Finding]) -> fmt::Result {
    writeln!(
        f,
        "| mismatch | attribute | items | examples | first seen |"
    )?;
    writeln!(f, "|---|---|---|---|---|")?;
    for finding in findings {
        writeln!(
            f,
            "| {} | {} | {} | {} | {} |",
            finding.kind.what(),
            finding.attribute.as_deref().unwrap_or(""),
            finding.count,
            finding.examples.join("; ").replace('|', "\\|"),
            finding.detail.replace('|', "\\|")
        )?;
    }
    Ok(())
}

/// What the audit of one item found: the entity it is, and its mismatches;
/// or that it matches no entity of a collection; or that it is not the
/// audited target's at all.
#[doc(hidden)]
pub enum Audited {
    Entity(&'static str, Vec<(Mismatch, Option<String>, String)>),
    Unmatched,
    Other,
}

/// The audit of one item as entity `E` (one whose keys match `E`'s
/// templates): decoded leniently, its table keys checked, written again as
/// a put would and compared attribute by attribute.
#[doc(hidden)]
pub fn audit_item<E: Entity>(
    table: &Table,
    item: &Item,
) -> Vec<(Mismatch, Option<String>, String)> {
    let inner = &table.inner;
    let entity: E = match inner.decode_with(item.clone(), KeyCheck::Skip) {
        Ok(entity) => entity,
        Err(Error::Decode { field, message, .. }) => {
            let constant = field
                .as_deref()
                .is_some_and(|f| E::CONSTANTS.iter().any(|c| c.name == f));
            let kind = if constant {
                Mismatch::Constant
            } else {
                Mismatch::Undecodable
            };
            return vec![(kind, field, message)];
        }
        Err(other) => return vec![(Mismatch::Undecodable, None, other.to_string())],
    };
    let mut found = Vec::new();
    let text = |attr: &str| match item.get(attr) {
        Some(AttributeValue::S(s)) => Some(s.as_str()),
        _ => None,
    };
    let (pk, sk) = (text(&inner.pk), inner.sk.as_deref().and_then(text));
    if let Some(pk) = pk {
        if let Err((field, message)) = inner.check_keys(&entity, pk, sk) {
            found.push((Mismatch::KeyFormat, field, message));
            // Written again, the item would be another item: comparing its
            // attributes says nothing more.
            return found;
        }
    }
    let written = match inner.encode_item(&entity) {
        Ok((written, _)) => written,
        Err(e) => {
            found.push((
                Mismatch::Undecodable,
                None,
                format!("cannot be written back: {e}"),
            ));
            return found;
        }
    };
    let index_attribute = |attr: &str| {
        E::INDEXES
            .iter()
            .any(|i| i.pk_attribute == attr || i.sk_attribute == Some(attr))
    };
    let names: BTreeSet<&String> = item.keys().chain(written.keys()).collect();
    for name in names {
        if Some(name.as_str()) == E::VERSION {
            continue; // a put writes the next version, by design
        }
        let (stored, ours) = (item.get(name), written.get(name));
        if stored == ours {
            continue;
        }
        let kind = if index_attribute(name) {
            Mismatch::IndexKey
        } else if E::CONSTANTS.iter().any(|c| c.name == name) {
            Mismatch::Constant
        } else if ours.is_none() {
            Mismatch::UndeclaredAttribute
        } else if stored.is_none() {
            Mismatch::AttributeAdded
        } else {
            Mismatch::AttributeDiffers
        };
        let show = |v: Option<&AttributeValue>| {
            v.map_or_else(|| "nothing".to_owned(), |v| format!("{v:?}"))
        };
        let detail = format!("stored {}, the model writes {}", show(stored), show(ours));
        found.push((kind, Some(name.clone()), detail));
    }
    found
}

fn lock(tally: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    tally.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The audit so far, shared by the segments.
struct Tally {
    audit: Audit,
}

impl Tally {
    fn add(&mut self, table: &Table, item: &Item, audited: Audited) {
        self.audit.scanned += 1;
        let key = || table.inner.display_item(item).to_string();
        let record =
            |findings: &mut Vec<Finding>, kind, attribute: Option<String>, detail: String| {
                match findings
                    .iter_mut()
                    .find(|f| f.kind == kind && f.attribute == attribute)
                {
                    Some(finding) => {
                        finding.count += 1;
                        if finding.examples.len() < EXAMPLES {
                            finding.examples.push(key());
                        }
                    }
                    None => findings.push(Finding {
                        kind,
                        attribute,
                        count: 1,
                        examples: vec![key()],
                        detail,
                    }),
                }
            };
        match audited {
            Audited::Other => {}
            Audited::Unmatched => {
                let slot = self.audit.unmatched.get_or_insert_with(|| Finding {
                    kind: Mismatch::Unmatched,
                    attribute: None,
                    count: 0,
                    examples: Vec::new(),
                    detail: "no entity's key templates (and checked constants) match its keys"
                        .into(),
                });
                slot.count += 1;
                if slot.examples.len() < EXAMPLES {
                    slot.examples.push(key());
                }
            }
            Audited::Entity(name, mismatches) => {
                let entity = self.audit.entities.entry(name.to_owned()).or_default();
                entity.items += 1;
                if mismatches.is_empty() {
                    entity.exact += 1;
                }
                for (kind, attribute, detail) in mismatches {
                    record(&mut entity.findings, kind, attribute, detail);
                }
            }
        }
    }
}

impl<T: QueryTarget> Scan<T> {
    /// Reads the table (in parallel segments, paced, resumable, as any
    /// scan) and reports, per entity of `T` (an entity or a collection),
    /// every item the model would not write back byte for byte: table keys
    /// not in the declared format, index keys other than the model renders,
    /// constants that differ, attributes the model does not declare (a put
    /// would remove them; an `update` leaves them alone), attributes it
    /// would add or write in another form, items that do not decode, and,
    /// for a collection, items that match no variant. Nothing is written.
    ///
    /// Run it before the first write to a table another tool wrote, and
    /// declare the model until the report is clean ([`Audit::is_clean`]).
    pub async fn audit(self) -> Result<Audit> {
        let stop_after = self.stop_after;
        let concurrency = self.concurrency;
        let (plan, starts) = self.plan()?;
        let plan = Arc::new(plan);
        let mut checkpoint = Checkpoint::new(&plan.table, T::__name(), starts.len());
        for (segment, start) in starts.iter().enumerate() {
            if start.is_none() {
                checkpoint.set(segment, SegmentState::Done);
            }
        }
        let tally = Arc::new(Mutex::new(Tally {
            audit: Audit {
                scanned: 0,
                entities: BTreeMap::new(),
                unmatched: None,
                checkpoint,
            },
        }));
        let segments = starts
            .into_iter()
            .enumerate()
            .filter_map(|(segment, start)| {
                let (plan, tally) = (plan.clone(), tally.clone());
                let mut start = start?;
                Some(async move {
                    loop {
                        if stop_after.is_some_and(|n| lock(&tally).audit.scanned >= n) {
                            return Ok(());
                        }
                        let page = plan.page(segment, start).await?;
                        let state = match &page.last {
                            Some(key) => SegmentState::After(Cursor::encode(None, key)?),
                            None => SegmentState::Done,
                        };
                        let audited: Vec<_> = page
                            .items
                            .iter()
                            .map(|item| (item, T::__audit(&plan.table, item)))
                            .collect();
                        {
                            let mut tally = lock(&tally);
                            for (item, audited) in audited {
                                tally.add(&plan.table, item, audited);
                            }
                            tally.audit.checkpoint.set(segment, state);
                        }
                        match page.last {
                            Some(key) => start = Some(key),
                            None => return Ok::<(), Error>(()),
                        }
                    }
                })
            });
        let results: Vec<Result<()>> = stream::iter(segments)
            .buffer_unordered(concurrency)
            .collect()
            .await;
        results.into_iter().collect::<Result<()>>()?;
        let audit = lock(&tally).audit.clone();
        Ok(audit)
    }
}
