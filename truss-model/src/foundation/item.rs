//! The item type.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A DynamoDB item: attribute names to values.
pub type Item = HashMap<String, AttributeValue>;
