//! Item sizes by DynamoDB's documented rules.
//!
//! An item's size is the sum of its attribute names (UTF-8 bytes) and
//! values: strings in UTF-8 bytes; numbers about one byte per two
//! significant digits plus one; binary in bytes; null and booleans one
//! byte; lists and maps 3 bytes plus their elements (and, for maps, the
//! element names); sets the sum of their elements.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// The size of an item (attribute names and values).
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// The size of one attribute value.
pub fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        _ => 0,
    }
}

/// One byte per two significant digits, plus one.
pub(crate) fn number_size(n: &str) -> usize {
    let mantissa = n.split(['e', 'E']).next().unwrap_or("");
    size_of_digits(crate::foundation::validate::digit_counts(mantissa).1)
}

/// The size of a number with this many significant digits (zero has one).
pub(crate) fn size_of_digits(significant: usize) -> usize {
    significant.max(1).div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_documented_rules() {
        let mut item = HashMap::new();
        item.insert("PK".to_string(), AttributeValue::S("LINK#é".into())); // 2 + 7 (é is 2 bytes)
        item.insert("n".to_string(), AttributeValue::N("12345".into())); // 1 + 4
        item.insert("b".to_string(), AttributeValue::Bool(true)); // 1 + 1
        assert_eq!(item_size(&item), 9 + 5 + 2);
        assert_eq!(number_size("0"), 2);
        assert_eq!(number_size("-1200.0"), 2);
        assert_eq!(number_size(&"9".repeat(38)), 20);
        let list = AttributeValue::L(vec![AttributeValue::S("ab".into())]);
        assert_eq!(value_size(&list), 3 + 1 + 2);
    }
}
