//! A test double for unit tests without a database (feature `testing`).
//!
//! [`TableDouble`] hands out a [`Table`] whose client never opens a
//! connection: every request the code under test sends is recorded as a
//! [`Request`] (operation, entity, key, item, condition with its names and
//! values filled in), and answered from canned responses declared with
//! [`TableDouble::on`]. A request no rule answers gets DynamoDB's empty
//! answer: a get finds nothing, a query returns no items, a write succeeds.
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use truss_model::Entity;
//! use truss_model::testing::{Fault, Op, TableDouble};
//!
//! #[derive(Entity, Serialize, Deserialize, Debug, Clone, PartialEq)]
//! #[truss(pk = "LINK#{code}", sk = "META")]
//! struct Link { code: String, target: String }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> truss_model::Result<()> {
//! let double = TableDouble::new("links");
//! let link = Link { code: "aK9xQ2z".into(), target: "https://example.com".into() };
//! double.on(Op::GetItem).key(Link::key("aK9xQ2z")).returns(&link)?;
//! double.on(Op::PutItem).fails(Fault::ConditionFailed)?;
//!
//! // The code under test:
//! let table = double.table();
//! assert_eq!(table.get(Link::key("aK9xQ2z")).await?, Some(link.clone()));
//! let err = table.create(&link).await.unwrap_err();
//! assert!(err.is_already_exists());
//!
//! let create = double.only(Op::PutItem).expect("one put");
//! assert_eq!(create.entity.as_deref(), Some("Link"));
//! assert_eq!(create.key_text().as_deref(), Some("PK=LINK#aK9xQ2z, SK=META"));
//! assert_eq!(create.condition.as_deref(), Some("attribute_not_exists(PK)"));
//! # Ok(()) }
//! ```
//!
//! The double answers what it is told; it does not evaluate key
//! conditions, filters, conditions or updates. Those are DynamoDB's to
//! decide, and belong in tests against DynamoDB Local. What the double
//! checks is the code path: which requests it sends, on which keys, under
//! which conditions, and what it does with each answer (an item, a page,
//! a failed condition, throttling, a cancelled transaction).

mod answer;
mod request;

pub use request::{Action, Request};

use crate::foundation::error::Result;
use crate::foundation::item::Item;
use crate::keys::entity::{Entity, EntityKey};
use crate::ops::collection::QueryTarget;
use crate::table::Table;
use aws_sdk_dynamodb::types::AttributeValue;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// A DynamoDB operation, as the double records and matches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `GetItem`.
    GetItem,
    /// `PutItem`.
    PutItem,
    /// `UpdateItem`.
    UpdateItem,
    /// `DeleteItem`.
    DeleteItem,
    /// `Query`.
    Query,
    /// `Scan`.
    Scan,
    /// `BatchGetItem`.
    BatchGetItem,
    /// `BatchWriteItem`.
    BatchWriteItem,
    /// `TransactGetItems`.
    TransactGetItems,
    /// `TransactWriteItems`.
    TransactWriteItems,
}

impl Op {
    /// The operation's name in the DynamoDB API (`"PutItem"`).
    pub fn name(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem",
            Op::DeleteItem => "DeleteItem",
            Op::Query => "Query",
            Op::Scan => "Scan",
            Op::BatchGetItem => "BatchGetItem",
            Op::BatchWriteItem => "BatchWriteItem",
            Op::TransactGetItems => "TransactGetItems",
            Op::TransactWriteItems => "TransactWriteItems",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error the double answers with, sent through the SDK as DynamoDB
/// sends it (HTTP 400 with the error's JSON body), so the code under test
/// sees the same typed error it would see from DynamoDB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `ConditionalCheckFailedException`: a condition did not hold.
    ConditionFailed,
    /// `ProvisionedThroughputExceededException`: throttling. The SDK
    /// retries it (up to three attempts, each recorded); combine with
    /// [`When::once`] to throttle one attempt only.
    Throttled,
    /// `TransactionCanceledException` with one cancellation reason code per
    /// action, in order: `"None"`, `"ConditionalCheckFailed"`,
    /// `"TransactionConflict"`, ...
    TransactionCanceled(Vec<String>),
    /// `ResourceNotFoundException`: no such table.
    ResourceNotFound,
    /// Any other DynamoDB error, by code (`"InternalServerError"`).
    Service {
        /// The error code, without a namespace.
        code: String,
        /// The message.
        message: String,
    },
}

/// What a rule answers.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Items: a get's item (the first), a write's returned attributes (the
    /// first), a query's or scan's result (paged by the request's limit),
    /// a batch get's items (those requested).
    Items(Vec<Item>),
    /// An error.
    Fault(Fault),
    /// DynamoDB's empty answer.
    Empty,
}

/// A canned response and the requests it answers.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) op: Op,
    pub(crate) entity: Option<&'static str>,
    pub(crate) key: Option<Item>,
    pub(crate) once: bool,
    pub(crate) answer: Answer,
}

impl Rule {
    fn answers(&self, request: &Request) -> bool {
        self.op == request.operation
            && self
                .entity
                .is_none_or(|entity| request.entity.as_deref() == Some(entity))
            && self
                .key
                .as_ref()
                .is_none_or(|key| request.key.as_ref() == Some(key))
    }
}

/// The rules and what was recorded.
#[derive(Debug, Default)]
pub(crate) struct State {
    rules: Vec<Rule>,
    requests: Vec<Request>,
}

impl State {
    /// The answer to `request` (the first rule that answers it, used up if
    /// it answers once), and records the request.
    pub(crate) fn answer(&mut self, request: Request) -> Answer {
        let answer = match self.rules.iter().position(|rule| rule.answers(&request)) {
            Some(i) if self.rules[i].once => self.rules.remove(i).answer,
            Some(i) => self.rules[i].answer.clone(),
            None => Answer::Empty,
        };
        self.requests.push(request);
        answer
    }
}

/// A table for unit tests: records the requests sent through it and
/// answers them from canned responses. See the [module](self) for an
/// example. Clones share their rules and records.
#[derive(Clone)]
pub struct TableDouble {
    table: Table,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for TableDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableDouble")
            .field("table", &self.table.name())
            .finish_non_exhaustive()
    }
}

impl TableDouble {
    /// A double of the table `name` with key attributes `PK` and `SK`.
    pub fn new(name: impl Into<String>) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let client = answer::client(state.clone());
        let table = Table::new(client, name).tagging_requests();
        TableDouble { table, state }
    }

    /// The same double with the table's key attribute names changed (see
    /// [`Table::with_partition_key`]): use it before [`TableDouble::table`]
    /// and [`TableDouble::on`].
    pub fn with_table(mut self, f: impl FnOnce(Table) -> Table) -> Self {
        self.table = f(self.table);
        self
    }

    /// The table to give the code under test.
    pub fn table(&self) -> Table {
        self.table.clone()
    }

    /// Declares a canned response to requests of `op`; narrow it with
    /// [`When::entity`] or [`When::key`]. The first declared rule that
    /// answers a request answers it: declare specific rules first.
    pub fn on(&self, op: Op) -> When<'_> {
        When {
            double: self,
            op,
            entity: None,
            key: None,
            once: false,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Every request sent so far, in order (a retried request once per
    /// attempt).
    pub fn requests(&self) -> Vec<Request> {
        self.with(|state| state.requests.clone())
    }

    /// The requests sent so far, forgetting them.
    pub fn take(&self) -> Vec<Request> {
        self.with(|state| std::mem::take(&mut state.requests))
    }

    /// The requests of `op` sent so far.
    pub fn sent(&self, op: Op) -> Vec<Request> {
        self.with(|state| {
            state
                .requests
                .iter()
                .filter(|request| request.operation == op)
                .cloned()
                .collect()
        })
    }

    /// The one request of `op` sent so far; an error listing every
    /// request sent when none or several were.
    pub fn only(&self, op: Op) -> std::result::Result<Request, NotOne> {
        let mut sent = self.sent(op);
        if sent.len() == 1 {
            return Ok(sent.remove(0));
        }
        Err(NotOne {
            op,
            found: sent.len(),
            sent: self.requests().iter().map(Request::summary).collect(),
        })
    }

    /// Decodes a recorded item (a put's, a batch action's) as `E`.
    pub fn decode<E: Entity>(&self, item: &Item) -> Result<E> {
        self.table.from_item(item.clone())
    }
}

/// [`TableDouble::only`] found no request of the operation, or several.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotOne {
    /// The operation looked for.
    pub op: Op,
    /// How many requests of it were sent.
    pub found: usize,
    /// Every request sent, one line each (operation, entity, key).
    pub sent: Vec<String>,
}

impl fmt::Display for NotOne {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected one {} request, found {}; sent: [{}]",
            self.op,
            self.found,
            self.sent.join("; ")
        )
    }
}

impl std::error::Error for NotOne {}

/// A canned response being declared: which requests it answers, then what
/// it answers with ([`When::returns`], [`When::returns_all`],
/// [`When::returns_items`], [`When::returns_nothing`], [`When::fails`]).
#[must_use = "a rule is added by one of its `returns` or `fails` methods"]
pub struct When<'a> {
    double: &'a TableDouble,
    op: Op,
    entity: Option<&'static str>,
    key: Option<Result<Item>>,
    once: bool,
}

impl fmt::Debug for When<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("When")
            .field("op", &self.op)
            .field("entity", &self.entity)
            .finish_non_exhaustive()
    }
}

impl When<'_> {
    /// Answers requests of `T` only: an entity, or a collection for a
    /// collection query. (Batches and transactions of several types are
    /// labelled with their names joined by `+`; match them by operation.)
    pub fn entity<T: QueryTarget>(mut self) -> Self {
        self.entity = Some(T::__name());
        self
    }

    /// Answers requests on this key only (gets, puts, updates and
    /// deletes), and of its entity.
    pub fn key<K: EntityKey>(mut self, key: K) -> Self {
        self.entity = Some(<K::Entity as Entity>::NAME);
        let inner = &self.double.table.inner;
        self.key = Some(inner.render_key(&key).map(|rendered| {
            let mut item = Item::new();
            item.insert(inner.pk.clone(), AttributeValue::S(rendered.pk));
            if let (Some(attr), Some(sk)) = (&inner.sk, rendered.sk) {
                item.insert(attr.clone(), AttributeValue::S(sk));
            }
            item
        }));
        self
    }

    /// Answers one request, then steps aside for the rules after it:
    /// declare `once` rules in the order their answers should come.
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }

    fn add(self, answer: Result<Answer>) -> Result<()> {
        let key = self.key.transpose()?;
        let rule = Rule {
            op: self.op,
            entity: self.entity,
            key,
            once: self.once,
            answer: answer?,
        };
        self.double.with(|state| state.rules.push(rule));
        Ok(())
    }

    /// Answers with `entity`: the item of a get, the attributes a write
    /// returns, the one item of a query or scan.
    pub fn returns<E: Entity>(self, entity: &E) -> Result<()> {
        let item = self.double.table.to_item(entity);
        self.add(item.map(|item| Answer::Items(vec![item])))
    }

    /// Answers a query, scan or batch get with these entities. A query or
    /// scan with a limit gets them page by page; a batch get, those whose
    /// keys it asked for.
    pub fn returns_all<'e, E: Entity + 'e>(
        self,
        entities: impl IntoIterator<Item = &'e E>,
    ) -> Result<()> {
        let items = entities
            .into_iter()
            .map(|entity| self.double.table.to_item(entity))
            .collect::<Result<Vec<_>>>();
        self.add(items.map(Answer::Items))
    }

    /// Answers with raw items ([`Table::to_item`] of several entity types,
    /// for a collection query, or items another tool wrote).
    pub fn returns_items(self, items: impl IntoIterator<Item = Item>) -> Result<()> {
        let items = items.into_iter().collect();
        self.add(Ok(Answer::Items(items)))
    }

    /// Answers with DynamoDB's empty answer (no item, no page, success),
    /// what a request no rule answers gets: useful before a broader rule.
    pub fn returns_nothing(self) -> Result<()> {
        self.add(Ok(Answer::Empty))
    }

    /// Answers with an error.
    pub fn fails(self, fault: Fault) -> Result<()> {
        self.add(Ok(Answer::Fault(fault)))
    }
}
