//! A checked query: its key condition on the table, a template index or an
//! index over attributes, its filter, and the requests for its pages.

use crate::expr::{check_expression, Node, Placeholders};
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::keys::attribute_index::{
    same_partition, AttributeCondition, AttributeIndex, ScalarType,
};
use crate::keys::sort_key::KeyCondition;
use crate::keys::template::Index;
use crate::ops::collection::QueryTarget;
use crate::ops::cursor::{invalid, Cursor};
use crate::ops::projection::Rendered;
use crate::ops::write_back::decoding;
use crate::ops::Decode;
use crate::table::observe::{send, Observation};
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A rendered filter expression with its own placeholders (`#n0`, `:v0`),
/// distinct from the key condition's (`#pk`, `:pk`, `#sk`, `:sk` on a
/// rendered key; `#k0`, `:k0`, ... on an index over attributes).
pub(super) struct Filter {
    expression: String,
    names: HashMap<String, String>,
    values: Item,
}

impl Filter {
    /// The filter rendered, refused over DynamoDB's expression limits.
    pub(super) fn new(entity: &'static str, node: &Node) -> Result<Self> {
        let mut p = Placeholders::default();
        let expression = p.render(node);
        check_expression(entity, "filter", &expression, node.operators())?;
        let (names, values) = p.into_parts();
        Ok(Filter {
            expression,
            names: names.unwrap_or_default(),
            values: values.unwrap_or_default(),
        })
    }
}

/// What a query's key condition is on.
pub(super) enum Keys {
    /// The table's keys or a template index's: one rendered partition key
    /// and a condition on the rendered sort key.
    Rendered {
        index: Option<Index>,
        pk: String,
        condition: KeyCondition,
    },
    /// An index over attributes: the partition attributes' values and a
    /// condition on the sort attributes.
    Attributes {
        index: AttributeIndex,
        values: Vec<AttributeValue>,
        condition: AttributeCondition,
    },
}

impl Keys {
    pub(super) fn index_name(&self) -> Option<&'static str> {
        match self {
            Keys::Rendered { index, .. } => index.map(|i| i.name),
            Keys::Attributes { index, .. } => Some(index.name),
        }
    }

    /// The attributes of a `LastEvaluatedKey`: the target's key attributes
    /// and the table's, each once.
    fn key_attributes<'t>(&'t self, table: &'t Table) -> Vec<&'t str> {
        let inner = &table.inner;
        let mut names: Vec<&str> = match self {
            Keys::Rendered {
                index: Some(index), ..
            } => std::iter::once(index.pk_attribute)
                .chain(index.sk_attribute)
                .collect(),
            Keys::Rendered { index: None, .. } => Vec::new(),
            Keys::Attributes { index, .. } => index.attributes().map(|a| a.name).collect(),
        };
        names.push(&inner.pk);
        names.extend(inner.sk.as_deref());
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The key condition expression, its names and its values.
    fn expression(&self, table: &Table) -> (String, HashMap<String, String>, Item) {
        let mut names = HashMap::new();
        let mut values = Item::new();
        let expression = match self {
            Keys::Rendered {
                index,
                pk,
                condition,
            } => {
                let (pk_attr, sk_attr) = key_attributes(table, index.as_ref());
                names.insert("#pk".to_owned(), pk_attr.to_owned());
                values.insert(":pk".to_owned(), AttributeValue::S(pk.clone()));
                match (condition.expression(), sk_attr) {
                    (Some((fragment, bounds)), Some(sk)) => {
                        names.insert("#sk".to_owned(), sk.to_owned());
                        for (name, value) in [":sk", ":sk_hi"].into_iter().zip(bounds) {
                            values.insert(name.to_owned(), AttributeValue::S(value.to_owned()));
                        }
                        format!("#pk = :pk AND {fragment}")
                    }
                    _ => "#pk = :pk".to_owned(),
                }
            }
            Keys::Attributes {
                index,
                values: partition,
                condition,
            } => {
                let mut clauses = Vec::new();
                let mut name_of = |attr: &str| {
                    let placeholder = format!("#k{}", names.len());
                    names.insert(placeholder.clone(), attr.to_owned());
                    placeholder
                };
                let mut value_of = |value: AttributeValue| {
                    let placeholder = format!(":k{}", values.len());
                    values.insert(placeholder.clone(), value);
                    placeholder
                };
                let equal = partition
                    .iter()
                    .zip(index.partition)
                    .chain(condition.eqs.iter().zip(index.sort));
                for (value, attribute) in equal {
                    let name = name_of(attribute.name);
                    clauses.push(format!("{name} = {}", value_of(value.clone())));
                }
                if let (Some(range), Some(attribute)) =
                    (&condition.range, index.sort.get(condition.eqs.len()))
                {
                    clauses.push(range.render(&name_of(attribute.name), &mut value_of));
                }
                clauses.join(" AND ")
            }
        };
        (expression, names, values)
    }

    /// Checks that a cursor's key lies in this query's partition and range.
    fn admits(&self, table: &Table, key: &Item) -> Result<()> {
        let (partition_ok, range_ok) = match self {
            Keys::Rendered {
                index,
                pk,
                condition,
            } => {
                let (pk_attr, sk_attr) = key_attributes(table, index.as_ref());
                let text = |attr: &str| match key.get(attr) {
                    Some(AttributeValue::S(s)) => Some(s.as_str()),
                    _ => None,
                };
                let partition_ok = text(pk_attr) == Some(pk.as_str());
                let range_ok = match sk_attr {
                    Some(attr) => text(attr).is_some_and(|sk| condition.admits(sk)),
                    None => true,
                };
                (partition_ok, range_ok)
            }
            Keys::Attributes {
                index,
                values,
                condition,
            } => {
                let typed = index.attributes().all(|a| {
                    key.get(a.name)
                        .is_some_and(|v| ScalarType::of(v) == Some(a.scalar))
                });
                if !typed {
                    return Err(invalid("the cursor's key does not match the key schema"));
                }
                (
                    same_partition(index, values, key),
                    condition.admits(index, key),
                )
            }
        };
        if !partition_ok {
            return Err(invalid("the cursor belongs to another partition"));
        }
        if !range_ok {
            return Err(invalid(
                "the cursor lies outside this query's sort-key range",
            ));
        }
        Ok(())
    }
}

/// What a query's body needs of the type it reads (an entity or a
/// collection), without the type: the body is compiled once.
#[derive(Clone, Copy)]
pub(super) struct Target {
    pub(super) name: &'static str,
    expiries: fn() -> Vec<&'static str>,
    matches: fn(&Table, &Item) -> bool,
}

impl Target {
    pub(super) fn of<E: QueryTarget>() -> Self {
        Target {
            name: E::__name(),
            expiries: E::__expiries,
            matches: E::__matches,
        }
    }
}

/// A validated query, ready to send page after page.
pub(super) struct Plan {
    pub(super) filter: Option<Filter>,
    /// A projection's `ProjectionExpression` and names (`#p0`, ...).
    pub(super) projection: Option<Rendered>,
    pub(super) hide_expired: bool,
    pub(super) keys: Keys,
    pub(super) descending: bool,
    pub(super) page_size: Option<i32>,
    pub(super) consistent: bool,
    pub(super) target: Target,
}

impl Plan {
    /// Decodes a cursor and checks it belongs to this query: same index,
    /// same partition, key inside the query's condition.
    pub(super) fn check_cursor(&self, table: &Table, cursor: &Cursor) -> Result<Item> {
        let (index, key) = cursor.decode()?;
        let own = self.keys.index_name();
        if index.as_deref() != own {
            let name =
                |i: Option<&str>| i.map_or("the table".to_owned(), |n| format!("index `{n}`"));
            return Err(invalid(&format!(
                "the cursor belongs to {}, not to {}",
                name(index.as_deref()),
                name(own)
            )));
        }
        let expected = self.keys.key_attributes(table);
        if key.len() != expected.len() || expected.iter().any(|a| !key.contains_key(*a)) {
            return Err(invalid("the cursor's key does not match the key schema"));
        }
        self.keys.admits(table, &key)?;
        Ok(key)
    }

    /// The attributes a projected read must hold besides the projection's
    /// own: the keys (for cursors and to tell entity types apart) and, when
    /// expired items are hidden, the expiries.
    pub(super) fn needed_attributes<'t>(&'t self, table: &'t Table) -> Vec<&'t str> {
        let mut names = self.keys.key_attributes(table);
        if self.hide_expired {
            names.extend((self.target.expiries)());
        }
        names
    }

    /// One page of at most `limit` items (DynamoDB's own page without),
    /// each handed to `decode`; the page's last key.
    pub(super) async fn fetch(
        &self,
        table: &Table,
        start: Option<Item>,
        limit: Option<i32>,
        decode: Decode<'_>,
    ) -> Result<Option<Item>> {
        let observation = table.inner.observe("Query", self.target.name);
        observation.index(self.keys.index_name());
        observation.consistent(self.consistent);
        observation.page(limit, !self.descending);
        let result = self
            .fetch_observed(table, start, limit, &observation, decode)
            .await;
        observation.finish(result)
    }

    async fn fetch_observed(
        &self,
        table: &Table,
        start: Option<Item>,
        limit: Option<i32>,
        observation: &Observation,
        decode: Decode<'_>,
    ) -> Result<Option<Item>> {
        let inner = &table.inner;
        let (expression, mut names, mut values) = self.keys.expression(table);
        if let Some(filter) = &self.filter {
            names.extend(filter.names.clone());
            values.extend(filter.values.clone());
        }
        if let Some(projection) = &self.projection {
            names.extend(projection.names.clone());
        }
        let output = send!(
            observation,
            inner
                .client
                .query()
                .table_name(&inner.name)
                .set_index_name(self.keys.index_name().map(str::to_owned))
                .key_condition_expression(expression)
                .set_filter_expression(self.filter.as_ref().map(|f| f.expression.clone()))
                .set_projection_expression(self.projection.as_ref().map(|p| p.expression.clone()))
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values))
                // Sent only when not DynamoDB's default, as a
                // hand-written request leaves them out.
                .set_scan_index_forward(self.descending.then_some(false))
                .set_consistent_read(self.consistent.then_some(true))
                // One item more than the page holds: whether it comes back
                // tells whether another page follows, so the last page has
                // no cursor even when it is exactly full.
                .set_limit(limit.map(|n| n.saturating_add(1)))
                .set_exclusive_start_key(start)
                .set_return_consumed_capacity(observation.capacity())
        )
        .map_err(|e| Error::dynamo("Query", e))?;
        observation.items(output.count, output.scanned_count);
        let mut raw = output.items.unwrap_or_default();
        let mut last = output.last_evaluated_key;
        if let Some(limit) = limit.and_then(|n| usize::try_from(n).ok()) {
            if raw.len() > limit {
                // The extra item came back: the page ends with the
                // `limit`-th item, and the next page starts after it.
                raw.truncate(limit);
                last = raw.last().map(|item| self.key_of(table, item));
            }
        }
        if let Keys::Attributes { .. } = self.keys {
            // Other entity types with the same attributes share the index;
            // a query of one type (or one collection) skips theirs.
            raw.retain(|item| (self.target.matches)(table, item));
        }
        if self.hide_expired {
            let now = crate::keys::ttl::now_epoch_seconds();
            let expiries = (self.target.expiries)();
            raw.retain(|item| {
                !expiries
                    .iter()
                    .any(|attr| crate::keys::ttl::expired_at(item.get(*attr), now))
            });
        }
        decoding(table, || {
            let count = raw.len();
            raw.into_iter()
                .enumerate()
                .try_for_each(|(i, item)| decode(table, item, count - i))
        })
        .await?;
        Ok(last)
    }

    /// The key DynamoDB would give as `LastEvaluatedKey` after `item`: the
    /// table's key attributes and, on an index, the index's.
    fn key_of(&self, table: &Table, item: &Item) -> Item {
        self.keys
            .key_attributes(table)
            .into_iter()
            .filter_map(|attr| item.get(attr).map(|v| (attr.to_owned(), v.clone())))
            .collect()
    }
}

/// The partition and sort key attributes of the table or a template index.
fn key_attributes<'a>(table: &'a Table, index: Option<&Index>) -> (&'a str, Option<&'a str>) {
    match index {
        Some(index) => (index.pk_attribute, index.sk_attribute),
        None => (table.inner.pk.as_str(), table.inner.sk.as_deref()),
    }
}
