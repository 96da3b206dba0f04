//! What the double records of each request: the operation, the entity, the
//! key, and the expressions with their names and values filled in.

use super::Op;
use crate::foundation::item::Item;
use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemInput, batch_write_item::BatchWriteItemInput,
    delete_item::DeleteItemInput, get_item::GetItemInput, put_item::PutItemInput,
    query::QueryInput, scan::ScanInput, transact_get_items::TransactGetItemsInput,
    transact_write_items::TransactWriteItemsInput, update_item::UpdateItemInput,
};
use aws_sdk_dynamodb::types::AttributeValue;
use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

/// One request the code under test sent (one attempt of it: a request the
/// SDK retried is recorded once per attempt).
///
/// Expressions read as DynamoDB evaluates them: `#names` are replaced by
/// the attribute names and `:values` by the values (`"text"`, `42`,
/// `true`, `null`, `[..]`, `{..}`, `<<..>>` for sets), so
/// `attribute_exists(PK) AND version = 3`.
#[derive(Clone)]
#[non_exhaustive]
pub struct Request {
    /// The operation.
    pub operation: Op,
    /// The table (the first, for batches and transactions).
    pub table: String,
    /// The entity the library sent it for (`"Link"`; the collection of a
    /// collection query; the types of a batch or transaction joined with
    /// `+`); `None` for requests sent with the client directly.
    pub entity: Option<String>,
    /// 1 for the first attempt, 2 and up for the SDK's retries.
    pub attempt: u32,
    /// The primary key of a get, put, update or delete.
    pub key: Option<Item>,
    /// The item a put writes.
    pub item: Option<Item>,
    /// The condition expression.
    pub condition: Option<String>,
    /// The update expression.
    pub update: Option<String>,
    /// The key condition of a query.
    pub key_condition: Option<String>,
    /// The filter of a query or scan.
    pub filter: Option<String>,
    /// The projection.
    pub projection: Option<String>,
    /// The index a query or scan reads.
    pub index: Option<String>,
    /// The `Limit` sent.
    pub limit: Option<i32>,
    /// Whether the read is strongly consistent.
    pub consistent_read: bool,
    /// Whether a query reads in ascending sort-key order.
    pub ascending: bool,
    /// The `ExclusiveStartKey` of a query or scan continuing a page.
    pub start_key: Option<Item>,
    /// The actions of a batch or transaction, in order.
    pub actions: Vec<Action>,
    pub(crate) key_names: Arc<(String, Option<String>)>,
    input: Arc<dyn Any + Send + Sync>,
}

/// One action of a batch or transaction.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Action {
    /// `"Get"`, `"Put"`, `"Update"`, `"Delete"` or `"ConditionCheck"`.
    pub kind: &'static str,
    /// The table.
    pub table: String,
    /// The primary key.
    pub key: Item,
    /// The item a put writes.
    pub item: Option<Item>,
    /// The condition expression.
    pub condition: Option<String>,
    /// The update expression.
    pub update: Option<String>,
    key_names: Arc<(String, Option<String>)>,
}

impl Action {
    /// The key as `PK=LINK#aK9xQ2z, SK=META`.
    pub fn key_text(&self) -> String {
        key_text(&self.key, &self.key_names)
    }
}

impl Request {
    /// The key as `PK=LINK#aK9xQ2z, SK=META`.
    pub fn key_text(&self) -> Option<String> {
        self.key.as_ref().map(|key| key_text(key, &self.key_names))
    }

    /// The SDK's own input, for what the fields above leave out:
    /// `request.input::<PutItemInput>()`.
    pub fn input<T: Any>(&self) -> Option<&T> {
        self.input.downcast_ref()
    }

    /// One line: operation, entity, key.
    pub(crate) fn summary(&self) -> String {
        let mut line = self.operation.name().to_owned();
        if let Some(entity) = &self.entity {
            let _ = write!(line, " {entity}");
        }
        if let Some(key) = self.key_text() {
            let _ = write!(line, " ({key})");
        }
        line
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("table", &self.table)
            .field("entity", &self.entity)
            .field("attempt", &self.attempt)
            .field("key", &self.key_text())
            .field("condition", &self.condition)
            .field("update", &self.update)
            .field("key_condition", &self.key_condition)
            .field("filter", &self.filter)
            .field("index", &self.index)
            .field("limit", &self.limit)
            .field("actions", &self.actions.len())
            .finish_non_exhaustive()
    }
}

fn key_text(key: &Item, names: &(String, Option<String>)) -> String {
    let text = |attr: &str| match key.get(attr) {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(other) => value(other),
        None => "?".to_owned(),
    };
    match &names.1 {
        Some(sk) if key.contains_key(sk) => {
            format!("{}={}, {sk}={}", names.0, text(&names.0), text(sk))
        }
        _ => format!("{}={}", names.0, text(&names.0)),
    }
}

/// The key attributes of an item.
pub(super) fn key_of(item: &Item, names: &(String, Option<String>)) -> Item {
    std::iter::once(&names.0)
        .chain(names.1.as_ref())
        .filter_map(|attr| item.get(attr).map(|v| (attr.clone(), v.clone())))
        .collect()
}

type Names = Option<HashMap<String, String>>;
type Values = Option<HashMap<String, AttributeValue>>;

/// An expression with its `#names` and `:values` filled in.
pub(crate) fn expression(expr: Option<&str>, names: &Names, values: &Values) -> Option<String> {
    let expr = expr?;
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '#' && c != ':' {
            out.push(c);
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if next.is_ascii_alphanumeric() || next == '_' {
                end = i + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let token = &expr[start..end];
        let filled = match c {
            '#' => names.as_ref().and_then(|n| n.get(token)).cloned(),
            _ => values.as_ref().and_then(|v| v.get(token)).map(value),
        };
        out.push_str(filled.as_deref().unwrap_or(token));
    }
    Some(out)
}

/// A value as the expressions show it.
fn value(v: &AttributeValue) -> String {
    let list =
        |items: Vec<String>, open: &str, close: &str| format!("{open}{}{close}", items.join(", "));
    match v {
        AttributeValue::S(s) => format!("{s:?}"),
        AttributeValue::N(n) => n.clone(),
        AttributeValue::Bool(b) => b.to_string(),
        AttributeValue::Null(_) => "null".to_owned(),
        AttributeValue::B(b) => format!("<{} bytes>", b.as_ref().len()),
        AttributeValue::L(l) => list(l.iter().map(value).collect(), "[", "]"),
        AttributeValue::M(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            list(
                entries
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {}", value(v)))
                    .collect(),
                "{",
                "}",
            )
        }
        AttributeValue::Ss(s) => list(s.iter().map(|s| format!("{s:?}")).collect(), "<<", ">>"),
        AttributeValue::Ns(n) => list(n.clone(), "<<", ">>"),
        AttributeValue::Bs(b) => list(
            b.iter()
                .map(|b| format!("<{} bytes>", b.as_ref().len()))
                .collect(),
            "<<",
            ">>",
        ),
        _ => "?".to_owned(),
    }
}

/// A request before it is sent, from the SDK's input; `None` for the
/// operations the double does not record (DescribeTable, ...).
pub(crate) fn summarize(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
    entity: Option<String>,
    key_names: Arc<(String, Option<String>)>,
) -> Option<Request> {
    let mut request = Request {
        operation: Op::GetItem,
        table: String::new(),
        entity,
        attempt: 0,
        key: None,
        item: None,
        condition: None,
        update: None,
        key_condition: None,
        filter: None,
        projection: None,
        index: None,
        limit: None,
        consistent_read: false,
        ascending: true,
        start_key: None,
        actions: Vec::new(),
        key_names: key_names.clone(),
        input: Arc::new(()),
    };
    let action = |kind, table: &str, key: Item, item, condition, update| Action {
        kind,
        table: table.to_owned(),
        key,
        item,
        condition,
        update,
        key_names: key_names.clone(),
    };
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        request.operation = Op::GetItem;
        request.table = i.table_name.clone().unwrap_or_default();
        request.key = i.key.clone();
        request.consistent_read = i.consistent_read.unwrap_or(false);
        request.projection = expression(
            i.projection_expression.as_deref(),
            &i.expression_attribute_names,
            &None,
        );
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<PutItemInput>() {
        let (names, values) = (
            &i.expression_attribute_names,
            &i.expression_attribute_values,
        );
        request.operation = Op::PutItem;
        request.table = i.table_name.clone().unwrap_or_default();
        request.key = i.item.as_ref().map(|item| key_of(item, &key_names));
        request.item = i.item.clone();
        request.condition = expression(i.condition_expression.as_deref(), names, values);
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        let (names, values) = (
            &i.expression_attribute_names,
            &i.expression_attribute_values,
        );
        request.operation = Op::UpdateItem;
        request.table = i.table_name.clone().unwrap_or_default();
        request.key = i.key.clone();
        request.condition = expression(i.condition_expression.as_deref(), names, values);
        request.update = expression(i.update_expression.as_deref(), names, values);
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        let (names, values) = (
            &i.expression_attribute_names,
            &i.expression_attribute_values,
        );
        request.operation = Op::DeleteItem;
        request.table = i.table_name.clone().unwrap_or_default();
        request.key = i.key.clone();
        request.condition = expression(i.condition_expression.as_deref(), names, values);
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<QueryInput>() {
        let (names, values) = (
            &i.expression_attribute_names,
            &i.expression_attribute_values,
        );
        request.operation = Op::Query;
        request.table = i.table_name.clone().unwrap_or_default();
        request.key_condition = expression(i.key_condition_expression.as_deref(), names, values);
        request.filter = expression(i.filter_expression.as_deref(), names, values);
        request.projection = expression(i.projection_expression.as_deref(), names, values);
        request.index = i.index_name.clone();
        request.limit = i.limit;
        request.consistent_read = i.consistent_read.unwrap_or(false);
        request.ascending = i.scan_index_forward.unwrap_or(true);
        request.start_key = i.exclusive_start_key.clone();
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<ScanInput>() {
        let (names, values) = (
            &i.expression_attribute_names,
            &i.expression_attribute_values,
        );
        request.operation = Op::Scan;
        request.table = i.table_name.clone().unwrap_or_default();
        request.filter = expression(i.filter_expression.as_deref(), names, values);
        request.projection = expression(i.projection_expression.as_deref(), names, values);
        request.index = i.index_name.clone();
        request.limit = i.limit;
        request.consistent_read = i.consistent_read.unwrap_or(false);
        request.start_key = i.exclusive_start_key.clone();
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        request.operation = Op::BatchGetItem;
        let mut tables: Vec<_> = i.request_items.iter().flatten().collect();
        tables.sort_by(|a, b| a.0.cmp(b.0));
        for (table, keys) in tables {
            for key in &keys.keys {
                let get = action("Get", table, key.clone(), None, None, None);
                request.actions.push(get);
            }
        }
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        request.operation = Op::BatchWriteItem;
        let mut tables: Vec<_> = i.request_items.iter().flatten().collect();
        tables.sort_by(|a, b| a.0.cmp(b.0));
        for (table, writes) in tables {
            for write in writes {
                if let Some(put) = &write.put_request {
                    let key = key_of(&put.item, &key_names);
                    request.actions.push(action(
                        "Put",
                        table,
                        key,
                        Some(put.item.clone()),
                        None,
                        None,
                    ));
                } else if let Some(delete) = &write.delete_request {
                    let key = delete.key.clone();
                    request
                        .actions
                        .push(action("Delete", table, key, None, None, None));
                }
            }
        }
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        request.operation = Op::TransactWriteItems;
        for item in i.transact_items.iter().flatten() {
            let fill =
                |expr: &str, names: &Names, values: &Values| expression(Some(expr), names, values);
            let next = if let Some(p) = &item.put {
                let (n, v) = (
                    &p.expression_attribute_names,
                    &p.expression_attribute_values,
                );
                let condition = p
                    .condition_expression
                    .as_deref()
                    .and_then(|c| fill(c, n, v));
                let key = key_of(&p.item, &key_names);
                action(
                    "Put",
                    &p.table_name,
                    key,
                    Some(p.item.clone()),
                    condition,
                    None,
                )
            } else if let Some(u) = &item.update {
                let (n, v) = (
                    &u.expression_attribute_names,
                    &u.expression_attribute_values,
                );
                let condition = u
                    .condition_expression
                    .as_deref()
                    .and_then(|c| fill(c, n, v));
                let update = fill(&u.update_expression, n, v);
                action(
                    "Update",
                    &u.table_name,
                    u.key.clone(),
                    None,
                    condition,
                    update,
                )
            } else if let Some(d) = &item.delete {
                let (n, v) = (
                    &d.expression_attribute_names,
                    &d.expression_attribute_values,
                );
                let condition = d
                    .condition_expression
                    .as_deref()
                    .and_then(|c| fill(c, n, v));
                action(
                    "Delete",
                    &d.table_name,
                    d.key.clone(),
                    None,
                    condition,
                    None,
                )
            } else if let Some(c) = &item.condition_check {
                let (n, v) = (
                    &c.expression_attribute_names,
                    &c.expression_attribute_values,
                );
                let condition = fill(&c.condition_expression, n, v);
                action(
                    "ConditionCheck",
                    &c.table_name,
                    c.key.clone(),
                    None,
                    condition,
                    None,
                )
            } else {
                continue;
            };
            request.actions.push(next);
        }
        request.input = Arc::new(i.clone());
    } else if let Some(i) = input.downcast_ref::<TransactGetItemsInput>() {
        request.operation = Op::TransactGetItems;
        for item in i.transact_items.iter().flatten() {
            if let Some(get) = &item.get {
                let next = action("Get", &get.table_name, get.key.clone(), None, None, None);
                request.actions.push(next);
            }
        }
        request.input = Arc::new(i.clone());
    } else {
        return None;
    }
    if request.table.is_empty() {
        request.table = request
            .actions
            .first()
            .map(|a| a.table.clone())
            .unwrap_or_default();
    }
    Some(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_read_with_names_and_values_filled_in() {
        let names = Some(HashMap::from([
            ("#pk".to_owned(), "PK".to_owned()),
            ("#v".to_owned(), "version".to_owned()),
        ]));
        let values = Some(HashMap::from([
            (":v".to_owned(), AttributeValue::N("3".into())),
            (":s".to_owned(), AttributeValue::S("a \"b\"".into())),
            (
                ":l".to_owned(),
                AttributeValue::L(vec![AttributeValue::Bool(true), AttributeValue::Null(true)]),
            ),
        ]));
        let filled = expression(
            Some("attribute_exists(#pk) AND #v = :v AND s = :s AND l = :l AND #unknown = :x"),
            &names,
            &values,
        );
        assert_eq!(
            filled.as_deref(),
            Some(
                "attribute_exists(PK) AND version = 3 AND s = \"a \\\"b\\\"\" \
                 AND l = [true, null] AND #unknown = :x"
            )
        );
        assert_eq!(expression(None, &names, &values), None);
    }
}
