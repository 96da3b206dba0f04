//! Schema revisions: which shape of an entity an item was written in.

use aws_sdk_dynamodb::types::AttributeValue;

/// An entity's schema revision, declared with
/// `#[truss(revision(N, from(1 = OldType, ...), attr = "...", write_back))]`.
///
/// Every write stores the current revision in [`attribute`](Self::attribute)
/// (`_revision` unless `attr` names another; never the optimistic-locking
/// `version`). Reads decode an item of an older revision as the type
/// `from(...)` lists for it and convert it with `From`; items without the
/// attribute are revision 1. See the guide's section on changing a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The attribute storing the revision (a number).
    pub attribute: &'static str,
    /// The revision this code writes.
    pub current: u64,
    /// Whether reads write upgraded items back at the current revision.
    pub write_back: bool,
}

impl Revision {
    #[doc(hidden)]
    pub const fn __new(attribute: &'static str, current: u64, write_back: bool) -> Self {
        Revision {
            attribute,
            current,
            write_back,
        }
    }

    /// The revision an item's attribute holds: 1 when absent (items
    /// written before revisions were declared), or why it is not one.
    pub(crate) fn of(&self, value: Option<&AttributeValue>) -> Result<u64, String> {
        match value {
            None => Ok(1),
            Some(AttributeValue::N(n)) => n
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("the revision attribute `{}` is `{n}`, not a revision (a whole number from 1)", self.attribute)),
            Some(other) => Err(format!(
                "the revision attribute `{}` is {other:?}, not a number",
                self.attribute
            )),
        }
    }
}

/// The result of decoding an item of an older revision and converting it:
/// the entity, or the failing attribute's path and what went wrong.
pub type Upgraded<E> = Result<E, (Option<String>, String)>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_one_and_others_are_checked() {
        let r = Revision::__new("_revision", 2, false);
        assert_eq!(r.of(None), Ok(1));
        assert_eq!(r.of(Some(&AttributeValue::N("3".into()))), Ok(3));
        assert!(r.of(Some(&AttributeValue::N("0".into()))).is_err());
        assert!(r.of(Some(&AttributeValue::N("1.5".into()))).is_err());
        assert!(r
            .of(Some(&AttributeValue::S("2".into())))
            .unwrap_err()
            .contains("not a number"));
    }
}
