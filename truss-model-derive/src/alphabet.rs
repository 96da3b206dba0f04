//! The key alphabet, as the derive checks templates against it. The
//! runtime's copy is `truss-model/src/foundation/alphabet.rs`, whose test
//! compiles this file and proves the two agree. Self-contained: it is also
//! compiled by that test and by the fuzz targets.

/// Separates the segments of a key.
pub const DELIMITER: char = '#';

/// Range queries' bound just above the delimiter: only a template's first
/// character may be one.
pub const BOUND: char = '$';

/// Starts an escape in values; values escape every byte up to it.
pub const ESCAPE: char = '%';

/// Characters allowed in literal template text (a leading `$` is handled
/// apart): printable ASCII but space, the braces of placeholders, the
/// delimiter, the bound and the escape.
pub fn is_literal_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '{' | '}') && c != DELIMITER && c != BOUND && c != ESCAPE
}
