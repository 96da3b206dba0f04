//! What the writes share: the conditions a put sends for its mode and
//! version, and telling a failed condition apart.

use crate::expr::{all, check_expression, Node, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::table::erased::EntityInfo;
use crate::table::inner::{RenderedKey, TableInner};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;

/// What a put requires of the existing item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutMode {
    Overwrite,
    Create,
    Replace,
}

/// The condition of a put: the mode's existence check, the version in hand
/// (versioned entities), and the caller's condition, ANDed.
pub(crate) fn put_condition(
    e: &EntityInfo,
    inner: &TableInner,
    mode: PutMode,
    expected_version: Option<u64>,
    condition: Option<Result<Node>>,
    p: &mut Placeholders,
) -> Result<Option<String>> {
    let mut clauses = Vec::new();
    match mode {
        PutMode::Overwrite => {}
        PutMode::Create => clauses.push(format!("attribute_not_exists({})", p.name(&inner.pk))),
        PutMode::Replace => clauses.push(format!("attribute_exists({})", p.name(&inner.pk))),
    }
    if let (Some(attr), Some(version)) = (e.version, expected_version) {
        clauses.push(version_condition(attr, version, p));
    }
    let mut operators = 0;
    if let Some(node) = condition {
        let node = node?;
        operators = node.operators();
        clauses.push(format!("({})", p.render(&node)));
    }
    let condition = all(clauses);
    if let Some(condition) = &condition {
        check_expression(e.name, "condition", condition, operators)?;
    }
    Ok(condition)
}

/// The optimistic-locking condition for a write based on `version`: the stored
/// version is the one in hand, or, at version 0, none is stored (no item, or
/// one written without a version: by another tool, or before the entity had
/// one, as an item read through a revision upgrade).
pub(crate) fn version_condition(
    attr: &str,
    version: u64,
    p: &mut crate::expr::Placeholders,
) -> String {
    match version {
        0 => format!("attribute_not_exists({})", p.name(attr)),
        v => {
            let (n, v) = (p.name(attr), p.value(AttributeValue::N(v.to_string())));
            format!("{n} = {v}")
        }
    }
}

/// The condition of a write based on an item as read: it still exists, and
/// each guard attribute (version, revision) still holds the value read, or
/// is still absent (`None`).
pub(crate) fn unchanged_since_read(
    inner: &TableInner,
    guards: &[(&'static str, Option<AttributeValue>)],
    p: &mut Placeholders,
) -> String {
    let mut clauses = vec![format!("attribute_exists({})", p.name(&inner.pk))];
    for (attr, read) in guards {
        let n = p.name(attr);
        clauses.push(match read {
            Some(value) => format!("{n} = {}", p.value(value.clone())),
            None => format!("attribute_not_exists({n})"),
        });
    }
    all(clauses).unwrap_or_default()
}

/// What a conditional write required, to tell its failure apart.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Required {
    /// `attribute_exists` on the key (replace, `must_exist`).
    pub(crate) exists: bool,
    /// `attribute_not_exists` on the key (create).
    pub(crate) absent: bool,
    /// The version the write was based on (versioned entities).
    pub(crate) version: Option<u64>,
    /// A condition of the caller's.
    pub(crate) condition: bool,
}

impl Required {
    /// Whether a missing item could have failed the condition. When it
    /// could not (only `attribute_not_exists` clauses), the item exists,
    /// whatever the response carries.
    fn absence_can_fail(&self) -> bool {
        self.exists || self.version.is_some_and(|v| v > 0) || self.condition
    }
}

/// The error for a failed condition, told apart by the item DynamoDB
/// returned on failure (`ALL_OLD`) and by what the condition required.
///
/// DynamoDB returns the item whenever it exists; some DynamoDB-compatible
/// servers never return it. So a missing item is trusted only where an
/// absent item could have failed the condition; where it could not (a
/// create, a write at version 0), the item exists and the answer is the
/// same on every implementation: `AlreadyExists`, or `StaleVersion` with the
/// stored version unknown.
pub(crate) fn condition_failed(
    e: &EntityInfo,
    table: &Table,
    key: &RenderedKey,
    old: Option<&Item>,
    required: Required,
) -> Error {
    let returned = old.filter(|i| !i.is_empty());
    let exists = returned.is_some() || !required.absence_can_fail();
    let display = table.inner.display(key);
    if let (Some(attr), Some(expected)) = (e.version, required.version) {
        let found = returned
            .and_then(|i| i.get(attr))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok());
        // Creating an item that exists stays AlreadyExists; otherwise a
        // version other than the one in hand is a stale write.
        let creating = required.absent && exists;
        let stale = if exists {
            expected == 0 || found != Some(expected)
        } else {
            expected != 0 && !required.exists
        };
        if stale && !creating {
            return Error::StaleVersion {
                entity: e.name,
                key: display,
                expected,
                found,
            };
        }
    }
    match (exists, required.exists, required.absent) {
        (false, true, _) => Error::NotFound {
            entity: e.name,
            key: display,
        },
        (true, _, true) => Error::AlreadyExists {
            entity: e.name,
            key: display,
        },
        _ => Error::ConditionFailed {
            entity: e.name,
            key: display,
        },
    }
}
