//! The item type.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A DynamoDB item: attribute names to values.
pub type Item = HashMap<String, AttributeValue>;

/// An attribute name copied for a map's key, a short one with a length
/// the compiler knows. Copied by `memcpy` with a run-time length, a name
/// of a few bytes is written in overlapping stores, and the map's hash,
/// reading the name right after, waits for them: about 10 ns per name on
/// the project's machine (`BENCHMARKS.md` §1, "Names copied at a known
/// length"). Each arm is the same copy with its length fixed.
#[inline(always)]
pub(crate) fn owned_name(name: &str) -> String {
    match name.len() {
        1 => name.to_owned(),
        2 => name.to_owned(),
        3 => name.to_owned(),
        4 => name.to_owned(),
        5 => name.to_owned(),
        6 => name.to_owned(),
        7 => name.to_owned(),
        8 => name.to_owned(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::owned_name;

    #[test]
    fn names_are_copied_whole_at_every_length() {
        for len in 0..=20 {
            let name: String = "PKéabcdefghijklmnopqrstuvwxyz".chars().take(len).collect();
            assert_eq!(owned_name(&name), name);
        }
    }
}
