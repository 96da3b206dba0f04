//! Condition trees and their rendering: every name a `#n` placeholder,
//! every value a `:v` one, checked against DynamoDB's expression limits.

use super::path::{DocPath, Step};
use super::AttributeType;
use crate::foundation::error::{Error, Result};
use crate::foundation::item::Item;
use crate::foundation::limits::{MAX_EXPRESSION_BYTES, MAX_EXPRESSION_OPERATORS};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Term {
    Path(DocPath),
    /// `size(path)`.
    Size(DocPath),
    Value(AttributeValue),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Compare(Term, &'static str, Term),
    Between(Term, AttributeValue, AttributeValue),
    In(DocPath, Vec<AttributeValue>),
    Exists(DocPath, bool),
    BeginsWith(DocPath, AttributeValue),
    Contains(DocPath, AttributeValue),
    Type(DocPath, AttributeType),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

impl Node {
    /// Operators and functions, as DynamoDB counts them towards its limit
    /// of 300 per expression.
    pub(crate) fn operators(&self) -> usize {
        match self {
            Node::Compare(a, _, b) => {
                1 + usize::from(matches!(a, Term::Size(_)))
                    + usize::from(matches!(b, Term::Size(_)))
            }
            Node::Between(a, ..) => 2 + usize::from(matches!(a, Term::Size(_))),
            Node::In(..)
            | Node::Exists(..)
            | Node::BeginsWith(..)
            | Node::Contains(..)
            | Node::Type(..) => 1,
            Node::And(a, b) | Node::Or(a, b) => 1 + a.operators() + b.operators(),
            Node::Not(a) => 1 + a.operators(),
        }
    }
}

/// A condition on an item of entity `E`, built from its attribute handles
/// and combined with [`and`](Condition::and), [`or`](Condition::or) and
/// [`not`](Condition::not) (or `&`, `|`, `!`).
pub struct Condition<E> {
    pub(crate) node: Result<Node>,
    _entity: PhantomData<fn() -> E>,
}

impl<E> Condition<E> {
    pub(crate) fn new(node: Result<Node>) -> Self {
        Condition {
            node,
            _entity: PhantomData,
        }
    }

    /// Both conditions.
    pub fn and(self, other: Condition<E>) -> Self {
        Condition::new(
            self.node
                .and_then(|a| other.node.map(|b| Node::And(Box::new(a), Box::new(b)))),
        )
    }

    /// Either condition.
    pub fn or(self, other: Condition<E>) -> Self {
        Condition::new(
            self.node
                .and_then(|a| other.node.map(|b| Node::Or(Box::new(a), Box::new(b)))),
        )
    }

    /// The negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Condition::new(self.node.map(|a| Node::Not(Box::new(a))))
    }
}

impl<E> Clone for Condition<E> {
    fn clone(&self) -> Self {
        Condition::new(self.node.clone())
    }
}

impl<E> fmt::Debug for Condition<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Condition").field(&self.node).finish()
    }
}

impl<E> std::ops::BitAnd for Condition<E> {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        self.and(rhs)
    }
}

impl<E> std::ops::BitOr for Condition<E> {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.or(rhs)
    }
}

impl<E> std::ops::Not for Condition<E> {
    type Output = Self;
    fn not(self) -> Self {
        Condition::not(self)
    }
}

/// `previous AND next`, or `next` alone: how repeated `.condition(..)` calls
/// combine.
pub(crate) fn and(previous: Option<Result<Node>>, next: Result<Node>) -> Result<Node> {
    match previous {
        None => next,
        Some(previous) => previous.and_then(|a| next.map(|b| Node::And(Box::new(a), Box::new(b)))),
    }
}

/// Joins condition clauses with AND; `None` when there are none.
pub(crate) fn all(clauses: Vec<String>) -> Option<String> {
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

/// Refuses an expression over DynamoDB's limits: `what` names it
/// ("condition", "filter", "update", "projection"), `operators` is its
/// count of operators and functions.
pub(crate) fn check_expression(
    entity: &'static str,
    what: &str,
    expression: &str,
    operators: usize,
) -> Result<()> {
    if expression.len() > MAX_EXPRESSION_BYTES {
        return Err(Error::InvalidExpression {
            entity,
            reason: format!(
                "the {what} expression is {} bytes, over DynamoDB's limit of {MAX_EXPRESSION_BYTES}",
                expression.len()
            ),
        });
    }
    if operators > MAX_EXPRESSION_OPERATORS {
        return Err(Error::InvalidExpression {
            entity,
            reason: format!(
                "the {what} expression has {operators} operators and functions, over DynamoDB's limit of {MAX_EXPRESSION_OPERATORS}"
            ),
        });
    }
    Ok(())
}

/// Collects placeholders while rendering expressions; only placeholders
/// that are used are ever sent.
#[derive(Debug)]
pub(crate) struct Placeholders {
    names: HashMap<String, String>,
    values: Item,
    /// How name placeholders start (`#n`): another prefix keeps them apart
    /// from a request's other expressions.
    prefix: &'static str,
}

impl Default for Placeholders {
    fn default() -> Self {
        Placeholders::with_prefix("#n")
    }
}

impl Placeholders {
    pub(crate) fn with_prefix(prefix: &'static str) -> Self {
        Placeholders {
            names: HashMap::new(),
            values: Item::new(),
            prefix,
        }
    }

    pub(crate) fn name(&mut self, attribute: &str) -> String {
        let next = self.names.len();
        let prefix = self.prefix;
        self.names
            .entry(attribute.to_owned())
            .or_insert_with(|| format!("{prefix}{next}"))
            .clone()
    }

    /// A document path: each name a placeholder, list indexes as written
    /// (`#n0.#n1[2]`).
    pub(crate) fn path(&mut self, path: &DocPath) -> String {
        let mut out = self.name(path.root);
        for step in &path.steps {
            match step {
                Step::Field(name) => {
                    out.push('.');
                    out.push_str(&self.name(name));
                }
                Step::Key(key) => {
                    out.push('.');
                    out.push_str(&self.name(key));
                }
                Step::Index(i) => {
                    use std::fmt::Write;
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    pub(crate) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn term(&mut self, term: &Term) -> String {
        match term {
            Term::Path(p) => self.path(p),
            Term::Size(p) => format!("size({})", self.path(p)),
            Term::Value(v) => self.value(v.clone()),
        }
    }

    pub(crate) fn render(&mut self, node: &Node) -> String {
        match node {
            Node::Compare(a, op, b) => {
                let (a, b) = (self.term(a), self.term(b));
                format!("{a} {op} {b}")
            }
            Node::Between(a, lo, hi) => {
                let n = self.term(a);
                let (lo, hi) = (self.value(lo.clone()), self.value(hi.clone()));
                format!("{n} BETWEEN {lo} AND {hi}")
            }
            Node::In(path, values) => {
                let n = self.path(path);
                let values: Vec<String> = values.iter().map(|v| self.value(v.clone())).collect();
                format!("{n} IN ({})", values.join(", "))
            }
            Node::Exists(path, true) => format!("attribute_exists({})", self.path(path)),
            Node::Exists(path, false) => format!("attribute_not_exists({})", self.path(path)),
            Node::BeginsWith(path, v) => {
                let (n, v) = (self.path(path), self.value(v.clone()));
                format!("begins_with({n}, {v})")
            }
            Node::Contains(path, v) => {
                let (n, v) = (self.path(path), self.value(v.clone()));
                format!("contains({n}, {v})")
            }
            Node::Type(path, kind) => {
                let n = self.path(path);
                let v = self.value(AttributeValue::S(kind.code().to_owned()));
                format!("attribute_type({n}, {v})")
            }
            Node::And(a, b) => format!("({}) AND ({})", self.render(a), self.render(b)),
            Node::Or(a, b) => format!("({}) OR ({})", self.render(a), self.render(b)),
            Node::Not(a) => format!("NOT ({})", self.render(a)),
        }
    }

    /// Names and values for the request; `None` when empty (DynamoDB
    /// rejects empty maps).
    pub(crate) fn into_parts(self) -> (Option<HashMap<String, String>>, Option<Item>) {
        let names = self
            .names
            .into_iter()
            .map(|(attr, p)| (p, attr))
            .collect::<HashMap<_, _>>();
        (
            (!names.is_empty()).then_some(names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(name: &'static str) -> DocPath {
        DocPath::top(name)
    }

    #[test]
    fn renders_only_placeholders_and_reuses_names() {
        let mut p = Placeholders::default();
        let node = Node::Or(
            Box::new(Node::Compare(
                Term::Path(top("count")),
                "<",
                Term::Value(AttributeValue::N("5".into())),
            )),
            Box::new(Node::Not(Box::new(Node::Exists(top("count"), true)))),
        );
        let hostile = Node::Compare(
            Term::Path(top("status")),
            "=",
            Term::Value(AttributeValue::S(") OR attribute_exists(PK".into())),
        );
        let text = format!("{} AND {}", p.render(&node), p.render(&hostile));
        assert_eq!(
            text,
            "(#n0 < :v0) OR (NOT (attribute_exists(#n0))) AND #n1 = :v1"
        );
        let (names, values) = p.into_parts();
        let names = names.unwrap();
        assert_eq!(names["#n0"], "count");
        assert_eq!(names["#n1"], "status");
        assert_eq!(values.unwrap().len(), 2);
    }

    #[test]
    fn paths_name_every_step_and_write_indexes() {
        let mut p = Placeholders::default();
        let path = DocPath {
            root: "lines",
            steps: vec![
                Step::Index(2),
                Step::Field("sku"),
                Step::Key("a.b [c]".into()),
            ],
        };
        assert_eq!(p.path(&path), "#n0[2].#n1.#n2");
        let (names, _) = p.into_parts();
        assert_eq!(names.unwrap()["#n2"], "a.b [c]");
    }

    #[test]
    fn empty_placeholders_are_not_sent() {
        assert_eq!(Placeholders::default().into_parts(), (None, None));
    }
}
