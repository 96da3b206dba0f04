//! Names the derive makes and suggests: index accessors from index names,
//! and the closest known name for a misspelt one.

use crate::ctxt::Errors;
use syn::LitStr;

/// The name of an index's generated accessor: the index name in lower
/// case, other characters than ASCII letters and digits as `_`; `None`
/// (with an error) when it would not start with a letter.
pub fn accessor(name: &LitStr, errors: &mut Errors) -> Option<String> {
    let accessor: String = name
        .value()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !accessor.starts_with(|c: char| c.is_ascii_alphabetic()) {
        errors.push(syn::Error::new(
            name.span(),
            "index name must start with a letter: it names the generated accessor",
        ));
        return None;
    }
    Some(accessor)
}

/// The closest name within a small edit distance, or else one that extends
/// it or that it extends (`owner` -> `owner_id`).
pub fn suggestion<'n>(name: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let names: Vec<&str> = names.collect();
    let limit = name.len().div_ceil(3);
    names
        .iter()
        .map(|n| (distance(name, n), *n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
        .or_else(|| {
            names
                .iter()
                .copied()
                .filter(|n| n.len() > 1 && name.len() > 1)
                .find(|n| n.starts_with(name) || name.starts_with(n))
        })
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
