//! DynamoDB's limits, in one place. Everything the library can check
//! before sending a request is checked against these, so a request that
//! DynamoDB would refuse for its size or count is refused first, with a
//! typed error and nothing sent.

/// A partition key value, in UTF-8 bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;

/// A sort key value, in UTF-8 bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;

/// An item: attribute names plus values, by DynamoDB's size rules
/// (see [`size`](crate::size)).
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The items of one transaction together.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// Actions in one transaction.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// Attributes per key of an index over attributes: up to four partition
/// attributes and four sort attributes.
pub const MAX_INDEX_KEY_ATTRIBUTES: usize = 4;

/// Write requests in one BatchWriteItem.
pub const MAX_BATCH_WRITE: usize = 25;

/// Keys in one BatchGetItem.
pub const MAX_BATCH_GET: usize = 100;

/// Significant digits of a number.
pub const MAX_NUMBER_DIGITS: usize = 38;

/// Decimal exponents of a number's first significant digit: from 1E-130 to
/// below 1E+126.
pub const NUMBER_MAGNITUDES: std::ops::RangeInclusive<i64> = -130..=125;

/// An expression string (condition, filter, update, projection or key
/// condition), in UTF-8 bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4 * 1024;

/// Operators and functions in one expression.
pub const MAX_EXPRESSION_OPERATORS: usize = 300;

/// Operands of one `IN` comparison.
pub const MAX_IN_OPERANDS: usize = 100;

/// Levels of a document path: the attribute and each step into it
/// (`a.b[0].c` is 4 levels).
pub const MAX_PATH_DEPTH: usize = 32;
