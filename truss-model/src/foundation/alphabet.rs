//! The key alphabet: the characters keys are made of, and the ones the
//! library reserves. The derive checks templates against the same
//! alphabet (`truss-model-derive/src/alphabet.rs`); a test below reads that
//! file and proves the two agree.
//!
//! - `#` separates segments.
//! - Values escape every byte up to `%` as `%XX`, so the delimiter sorts
//!   below every character a value holds, and `$` and `%` never appear in a
//!   value.
//! - `$` sorts just above `#`: range queries use it as a bound no key
//!   equals, so it may only start a template (as ElectroDB's keys do).
//! - U+10FFFF, the highest character, is never part of a key: it closes
//!   ranges from above.

/// Separates the segments of a key.
pub(crate) const DELIMITER: char = '#';

/// Sorts just above the delimiter and appears in no key (but as a
/// template's first character): the bound after a segment in range queries.
pub(crate) const BOUND: char = '$';

/// Starts an escape in values (`%23` for `#`); values escape every byte up
/// to and including this one.
pub(crate) const ESCAPE: char = '%';

/// The highest character; never part of a key, so it can close a range.
pub(crate) const MAX_CHAR: char = '\u{10FFFF}';

/// The derive's copy of the alphabet, compiled here to compare.
#[cfg(test)]
#[path = "../../../truss-model-derive/src/alphabet.rs"]
mod derive;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derive_uses_the_same_alphabet() {
        assert_eq!(derive::DELIMITER, DELIMITER);
        assert_eq!(derive::BOUND, BOUND);
        assert_eq!(derive::ESCAPE, ESCAPE);
        // Literal text never holds a character keys give a meaning to.
        for c in (0u32..=0x2FF).filter_map(char::from_u32).chain([MAX_CHAR]) {
            let special = c == DELIMITER || c == BOUND || c == ESCAPE || c == MAX_CHAR;
            assert!(
                !(derive::is_literal_char(c) && special),
                "the derive allows {c:?} in literal text"
            );
        }
        // The bound sorts just above the delimiter, below every character a
        // value holds unescaped.
        assert_eq!(BOUND as u32, DELIMITER as u32 + 1);
        assert!(DELIMITER < ESCAPE && BOUND < ESCAPE);
        assert!(derive::is_literal_char('A') && !derive::is_literal_char(MAX_CHAR));
    }
}
