//! The library's error type.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::fmt;

/// Result alias used throughout truss-model.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in truss-model, with the context needed to act
/// on it: which entity, which key, which field.
///
/// Errors raised before a request is sent (invalid keys, invalid cursors,
/// encode failures) guarantee that nothing was written.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key field's value cannot be part of a key (empty, a reserved
    /// character, malformed when read back).
    #[error("invalid key for {entity}: field `{field}`: {reason}")]
    InvalidKey {
        /// The entity whose key was being built or read.
        entity: &'static str,
        /// The Rust name of the key field.
        field: &'static str,
        /// What is wrong with the value.
        reason: KeyPartError,
    },
    /// A rendered key is longer than DynamoDB allows (2048 bytes for a
    /// partition key, 1024 for a sort key, measured in UTF-8 bytes).
    #[error("{attribute} of {entity} is {len} bytes, over DynamoDB's limit of {max} bytes")]
    KeyTooLong {
        /// The entity whose key was being built.
        entity: &'static str,
        /// The key attribute (`PK`, `SK`, ...).
        attribute: String,
        /// Its length in UTF-8 bytes.
        len: usize,
        /// DynamoDB's limit for that attribute.
        max: usize,
    },
    /// `create` found an item with the same key: nothing was written.
    #[error("{entity} ({key}) already exists")]
    AlreadyExists {
        /// The entity that was being created.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
    },
    /// `replace` (or another operation requiring the item) found no item with
    /// this key: nothing was written.
    #[error("{entity} ({key}) does not exist")]
    NotFound {
        /// The entity that was expected.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
    },
    /// A condition attached to a write did not hold: nothing was written.
    #[error("condition failed for {entity} ({key})")]
    ConditionFailed {
        /// The entity that was being written.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
    },
    /// An optimistic-locking write found another version than the one it
    /// was based on: someone else wrote in between. Nothing was written;
    /// read again and retry.
    #[error("{entity} ({key}) is stale: expected version {expected}, found {}", found.map_or("none".to_owned(), |v| v.to_string()))]
    StaleVersion {
        /// The entity written.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
        /// The version the write was based on.
        expected: u64,
        /// The version stored, when known: `None` when there is no item,
        /// or when the server did not return the stored item with the
        /// failure (DynamoDB does; some DynamoDB-compatible servers do not).
        found: Option<u64>,
    },
    /// An update found the item at another schema revision than the
    /// entity's: nothing was written. An update writes the current
    /// revision's fields; read the item (which upgrades it) and put it, or
    /// run a backfill, first.
    #[error("{entity} ({key}) is at revision {found}; updates apply to revision {current}: read and put it (or backfill) first")]
    OldRevision {
        /// The entity updated.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
        /// The item's revision.
        found: u64,
        /// The entity's current revision.
        current: u64,
    },
    /// A transaction was canceled: nothing was written. Lists each action
    /// that failed and why.
    #[error("transaction canceled: {}", reasons.iter().map(|r| format!("action {} ({} {}): {}{}", r.index, r.entity, r.key, r.code, r.old_revision.map(|(found, current)| format!(" (the item is at revision {found}, the model at {current}: upgrade it first)")).unwrap_or_default())).collect::<Vec<_>>().join("; "))]
    TransactionCanceled {
        /// The failed actions.
        reasons: Vec<CanceledAction>,
    },
    /// A transaction that cannot be sent as built (too many actions, the
    /// same item twice, over 4 MB). Nothing was sent.
    #[error("invalid transaction: {reason}")]
    InvalidTransaction {
        /// What is wrong.
        reason: String,
    },
    /// An item is larger than DynamoDB's 400 KB limit (computed by
    /// DynamoDB's documented rules). Nothing was sent.
    #[error("{entity} ({key}) is {size} bytes, over DynamoDB's item limit of {max} bytes")]
    ItemTooLarge {
        /// The entity.
        entity: &'static str,
        /// Its primary key.
        key: KeyDisplay,
        /// Its size in bytes.
        size: usize,
        /// The limit (409,600 bytes).
        max: usize,
    },
    /// An entity could not be turned into a DynamoDB item.
    #[error("could not encode {entity} ({key}): {message}")]
    Encode {
        /// The entity being encoded.
        entity: &'static str,
        /// Its primary key, as far as it could be rendered.
        key: KeyDisplay,
        /// What went wrong.
        message: String,
    },
    /// A DynamoDB item could not be read as an entity.
    #[error("could not decode {entity} ({key}){}: {message}", field.as_deref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    Decode {
        /// The entity being decoded.
        entity: &'static str,
        /// The item's primary key.
        key: KeyDisplay,
        /// The attribute that failed, when known.
        field: Option<String>,
        /// What went wrong.
        message: String,
    },
    /// A pagination cursor was malformed, tampered with, or belongs to another
    /// query (another partition, index or sort-key range). No request was sent.
    #[error("invalid cursor: {reason}")]
    InvalidCursor {
        /// Why the cursor was refused.
        reason: String,
    },
    /// A query was built with arguments DynamoDB cannot run (for example a
    /// `between` whose lower bound is above its upper bound). No request was
    /// sent.
    #[error("invalid query on {entity}: {reason}")]
    InvalidQuery {
        /// The entity being queried.
        entity: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An update that DynamoDB would reject (for example the same attribute
    /// updated twice). No request was sent.
    #[error("invalid update of {entity}: {reason}")]
    InvalidUpdate {
        /// The entity being updated.
        entity: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A condition, filter, update or projection over one of DynamoDB's
    /// expression limits (an `IN` of more than 100 operands, a path deeper
    /// than 32 levels, an expression over 4 KB or 300 operators, an empty
    /// set of members). No request was sent.
    #[error("invalid expression on {entity}: {reason}")]
    InvalidExpression {
        /// The entity the expression is on.
        entity: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A batch that cannot be sent as built (for example the same key twice).
    /// Nothing was sent.
    #[error("invalid batch: {reason}")]
    InvalidBatch {
        /// What is wrong.
        reason: String,
    },
    /// A batch write ran out of retries with items still unprocessed.
    /// Everything else was written; `unprocessed` holds exactly the rest,
    /// ready to resend.
    #[error("batch write: {written} written, {} unprocessed after retries{}", unprocessed.len(), cause.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    UnprocessedWrites {
        /// Items written or deleted.
        written: usize,
        /// The writes not processed.
        unprocessed: Vec<UnprocessedWrite>,
        /// The error that stopped a chunk early, if any.
        cause: Option<Box<Error>>,
    },
    /// A batch read ran out of retries with keys still unread
    /// ([`BatchGet::send_partial`](crate::batch::BatchGet::send_partial) keeps the
    /// items that were read).
    #[error("batch get of {entity}: {read} read, {} keys unprocessed after retries", unprocessed.len())]
    UnprocessedKeys {
        /// The entity read.
        entity: &'static str,
        /// Items found among the processed keys.
        read: usize,
        /// The keys not read.
        unprocessed: Vec<KeyDisplay>,
    },
    /// The table's key schema does not fit an entity (for example an entity
    /// without a sort-key template in a table that has a sort key).
    #[error("table `{table}` does not fit {entity}: {reason}")]
    Schema {
        /// The table name.
        table: String,
        /// The entity.
        entity: &'static str,
        /// What does not fit.
        reason: String,
    },
    /// A table could not be created or did not become ACTIVE in time.
    #[error("table `{table}` is not ready: {message}")]
    TableNotReady {
        /// The table name.
        table: String,
        /// What happened.
        message: String,
    },
    /// DynamoDB (or the SDK on the way to it) returned an error. Its
    /// message says what the SDK error says, once: the SDK error is not
    /// also its [`source`](std::error::Error::source), so a report that
    /// prints the chain (`{:#}` with anyhow) does not print it twice.
    #[error("DynamoDB {operation} failed: {message}")]
    Dynamo {
        /// The DynamoDB operation (`GetItem`, `Query`, ...).
        operation: &'static str,
        /// The error code and DynamoDB's message (a service error), or the
        /// chain of causes (a request that never got an answer).
        message: String,
        /// The SDK error, raw response included, for matching on service
        /// error kinds.
        sdk: std::sync::Arc<aws_sdk_dynamodb::Error>,
    },
    /// The DynamoDB Streams API returned an error, or a table has no
    /// stream to read.
    #[error("DynamoDB Streams {operation} failed: {message}")]
    Stream {
        /// The operation (`DescribeStream`, `GetShardIterator`,
        /// `GetRecords`, or `DescribeTable` for the stream's ARN).
        operation: &'static str,
        /// What happened.
        message: String,
    },
}

/// An SDK error's message: the error code and the service's message once
/// (a service error), or the chain of causes (a request that never got an
/// answer). Any AWS SDK's errors (DynamoDB's, DynamoDB Streams').
pub(crate) fn sdk_message<E, R>(err: &SdkError<E, R>) -> String
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug + 'static,
{
    match err.as_service_error() {
        Some(service) => match (service.code(), service.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_owned(),
            _ => service.to_string(),
        },
        None => DisplayErrorContext(err).to_string(),
    }
}

impl Error {
    /// An SDK error as [`Error::Dynamo`]: its message is the error code and
    /// DynamoDB's message once (a service error), or the chain of causes
    /// (a request that never got an answer); the whole SDK error, raw
    /// response included, stays in `sdk` and in `Debug`.
    pub(crate) fn dynamo<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + ProvideErrorMetadata + 'static,
        R: std::fmt::Debug + 'static,
        aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
    {
        let mut message = sdk_message(&err);
        let sdk = aws_sdk_dynamodb::Error::from(err);
        // DynamoDB's throttling reasons name the limit and the table or
        // index: said in the message (the code alone is already there).
        if let Some(reasons) = crate::foundation::throttling::of_sdk(&sdk) {
            if reasons
                .iter()
                .any(|r| r.resource.is_some() || !message.starts_with(&r.reason))
            {
                let said: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                message = format!("{message} (throttled: {})", said.join(", "));
            }
        }
        Error::Dynamo {
            operation,
            message,
            sdk: std::sync::Arc::new(sdk),
        }
    }

    /// The variant's name (`"ConditionFailed"`), or for [`Error::Dynamo`]
    /// DynamoDB's error code: what traces record of an error, since
    /// messages can hold key values.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn kind(&self) -> &str {
        match self {
            Error::InvalidKey { .. } => "InvalidKey",
            Error::KeyTooLong { .. } => "KeyTooLong",
            Error::AlreadyExists { .. } => "AlreadyExists",
            Error::NotFound { .. } => "NotFound",
            Error::ConditionFailed { .. } => "ConditionFailed",
            Error::StaleVersion { .. } => "StaleVersion",
            Error::OldRevision { .. } => "OldRevision",
            Error::TransactionCanceled { .. } => "TransactionCanceled",
            Error::InvalidTransaction { .. } => "InvalidTransaction",
            Error::ItemTooLarge { .. } => "ItemTooLarge",
            Error::Encode { .. } => "Encode",
            Error::Decode { .. } => "Decode",
            Error::InvalidCursor { .. } => "InvalidCursor",
            Error::InvalidQuery { .. } => "InvalidQuery",
            Error::InvalidUpdate { .. } => "InvalidUpdate",
            Error::InvalidExpression { .. } => "InvalidExpression",
            Error::InvalidBatch { .. } => "InvalidBatch",
            Error::UnprocessedWrites { .. } => "UnprocessedWrites",
            Error::UnprocessedKeys { .. } => "UnprocessedKeys",
            Error::Schema { .. } => "Schema",
            Error::TableNotReady { .. } => "TableNotReady",
            Error::Dynamo { .. } => self.dynamo_code().unwrap_or("Dynamo"),
            Error::Stream { .. } => "Stream",
        }
    }

    /// The error code of the SDK error inside [`Error::Dynamo`], if any
    /// (`"ProvisionedThroughputExceededException"`, ...).
    fn dynamo_code(&self) -> Option<&str> {
        match self {
            Error::Dynamo { sdk, .. } => sdk.code(),
            _ => None,
        }
    }

    fn canceled_for(&self, code: &CancellationCode) -> bool {
        matches!(self, Error::TransactionCanceled { reasons } if reasons.iter().any(|r| &r.code == code))
    }

    /// The item was not there: [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// A create found an item with the key: [`Error::AlreadyExists`].
    pub fn is_already_exists(&self) -> bool {
        matches!(self, Error::AlreadyExists { .. })
    }

    /// An optimistic-locking write was stale: [`Error::StaleVersion`].
    pub fn is_stale_version(&self) -> bool {
        matches!(self, Error::StaleVersion { .. })
    }

    /// A condition of a write did not hold, whatever it was: a caller's
    /// condition ([`Error::ConditionFailed`]), an existence check
    /// ([`Error::AlreadyExists`], [`Error::NotFound`]), a version check
    /// ([`Error::StaleVersion`]), a revision check ([`Error::OldRevision`]),
    /// a canceled transaction with a failed
    /// condition, or DynamoDB's `ConditionalCheckFailedException` from a
    /// raw call. Nothing was written.
    pub fn is_condition_failed(&self) -> bool {
        matches!(
            self,
            Error::ConditionFailed { .. }
                | Error::OldRevision { .. }
                | Error::AlreadyExists { .. }
                | Error::NotFound { .. }
                | Error::StaleVersion { .. }
        ) || self.canceled_for(&CancellationCode::ConditionalCheckFailed)
            || self.dynamo_code() == Some("ConditionalCheckFailedException")
    }

    /// DynamoDB throttled the request (provisioned throughput, on-demand
    /// limits, account request limits), in a response or among a canceled
    /// transaction's reasons. The SDK already retried it; waiting longer
    /// may help.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self.dynamo_code(),
            Some(
                "ProvisionedThroughputExceededException"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
            )
        ) || self.canceled_for(&CancellationCode::ThrottlingError)
            || self.canceled_for(&CancellationCode::ProvisionedThroughputExceeded)
            || self.batch_cause().is_some_and(Error::is_throttling)
    }

    /// Another transaction was writing the same items: sending the same
    /// transaction again may succeed.
    pub fn is_transaction_conflict(&self) -> bool {
        self.canceled_for(&CancellationCode::TransactionConflict)
            || matches!(
                self.dynamo_code(),
                Some("TransactionConflictException" | "TransactionInProgressException")
            )
    }

    /// Another writer wrote the same item at the same time: a transaction
    /// conflict ([`is_transaction_conflict`](Self::is_transaction_conflict)),
    /// or, on a global table with multi-Region strong consistency,
    /// DynamoDB's `ReplicatedWriteConflictException` (a write to the item
    /// in another Region was in flight). Nothing was written; sending the
    /// same request again may succeed.
    pub fn is_conflict(&self) -> bool {
        self.is_transaction_conflict()
            || self.dynamo_code() == Some("ReplicatedWriteConflictException")
            || self.batch_cause().is_some_and(Error::is_conflict)
    }

    /// Why DynamoDB throttled the request: its `ThrottlingReasons` (the
    /// limit, read or write, and the table or index), or one reason named by
    /// the error code when it gave none; empty when the error is not a
    /// throttling error of DynamoDB's (a canceled transaction's
    /// `ThrottlingError` carries no reasons). See
    /// [`throttling`](crate::throttling).
    pub fn throttling_reasons(&self) -> Vec<crate::foundation::throttling::ThrottlingReason> {
        match self {
            Error::Dynamo { sdk, .. } => {
                crate::foundation::throttling::of_sdk(sdk).unwrap_or_default()
            }
            Error::UnprocessedWrites {
                cause: Some(cause), ..
            } => cause.throttling_reasons(),
            _ => Vec::new(),
        }
    }

    /// The error that stopped a batch write early, for the predicates.
    fn batch_cause(&self) -> Option<&Error> {
        match self {
            Error::UnprocessedWrites { cause, .. } => cause.as_deref(),
            _ => None,
        }
    }

    /// Sending the same request again later may succeed: throttling,
    /// conflicts ([`is_conflict`](Self::is_conflict)), batch items left
    /// unprocessed, DynamoDB's internal errors. Not a failed condition, a
    /// stale version or bad input: those need a new read or new input.
    pub fn is_retryable(&self) -> bool {
        self.is_throttling()
            || self.is_conflict()
            || matches!(
                self,
                Error::UnprocessedWrites { .. } | Error::UnprocessedKeys { .. }
            )
            || matches!(
                self.dynamo_code(),
                Some("InternalServerError" | "ServiceUnavailable")
            )
    }
}

/// DynamoDB's reason for canceling one action of a transaction
/// (`CancellationReason.Code`), with the codes it documents and any other
/// kept as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CancellationCode {
    /// The action's condition did not hold.
    ConditionalCheckFailed,
    /// Another transaction was writing the item.
    TransactionConflict,
    /// The request was throttled.
    ThrottlingError,
    /// Throughput of a provisioned table was exceeded.
    ProvisionedThroughputExceeded,
    /// An item collection (a partition with local indexes) is full.
    ItemCollectionSizeLimitExceeded,
    /// The action was refused as invalid (for example a too large item).
    ValidationError,
    /// A code this library does not know, as DynamoDB sent it.
    Other(String),
}

impl CancellationCode {
    /// Reads DynamoDB's code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "ConditionalCheckFailed" => Self::ConditionalCheckFailed,
            "TransactionConflict" => Self::TransactionConflict,
            "ThrottlingError" => Self::ThrottlingError,
            "ProvisionedThroughputExceeded" => Self::ProvisionedThroughputExceeded,
            "ItemCollectionSizeLimitExceeded" => Self::ItemCollectionSizeLimitExceeded,
            "ValidationError" => Self::ValidationError,
            other => Self::Other(other.to_owned()),
        }
    }

    /// DynamoDB's code, as it sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ConditionalCheckFailed => "ConditionalCheckFailed",
            Self::TransactionConflict => "TransactionConflict",
            Self::ThrottlingError => "ThrottlingError",
            Self::ProvisionedThroughputExceeded => "ProvisionedThroughputExceeded",
            Self::ItemCollectionSizeLimitExceeded => "ItemCollectionSizeLimitExceeded",
            Self::ValidationError => "ValidationError",
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for CancellationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why one action of a canceled transaction failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanceledAction {
    /// The action's position in the transaction (0-based).
    pub index: usize,
    /// The entity it wrote or checked (`"Unique"` for a unique marker).
    pub entity: &'static str,
    /// Its primary key.
    pub key: KeyDisplay,
    /// DynamoDB's reason code.
    pub code: CancellationCode,
    /// DynamoDB's message, if any.
    pub message: Option<String>,
    /// For an update refused because its item is at an older revision of
    /// the entity (`ConditionalCheckFailed` like any condition): the
    /// revision found and the current one, as [`Error::OldRevision`] gives
    /// for a single update. Upgrade the item first: read it with
    /// `write_back`, or run a backfill.
    pub old_revision: Option<(u64, u64)>,
}

/// A write that was not processed when the retry budget ran out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UnprocessedWrite {
    /// The entity written or deleted.
    pub entity: &'static str,
    /// Its primary key.
    pub key: KeyDisplay,
    /// The request, to resend as is.
    pub request: aws_sdk_dynamodb::types::WriteRequest,
}

/// Why a value cannot be, or could not be read as, one segment of a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyPartError {
    /// Empty values would make keys that DynamoDB rejects or that cannot be
    /// told apart from a missing segment.
    #[error("key values may not be empty")]
    Empty,
    /// The encoded segment contains a character reserved by the key format
    /// (the `#` delimiter, a character below `%`, or U+10FFFF).
    #[error("encoded key segment contains the reserved character {0:?}")]
    ReservedChar(char),
    /// A segment read from a key is not in the field's key format.
    #[error("`{segment}` is not in the field's key format: expected {expected}")]
    Malformed {
        /// The segment as found in the key.
        segment: String,
        /// The format expected (`"u32, 10 digits zero-padded (0000000042)"`).
        expected: &'static str,
    },
    /// A segment that decodes, but to a value whose encoding is other text:
    /// writing the value back would address another item. Built-in
    /// encodings never accept such text; this reports a custom
    /// [`KeyPart`](crate::KeyPart) or [`KeyFormat`](crate::key_part::KeyFormat)
    /// that does.
    #[error("`{segment}` is not in canonical form: its value is written `{canonical}`")]
    NotCanonical {
        /// The segment as found in the key.
        segment: String,
        /// The text the decoded value encodes to.
        canonical: String,
    },
    /// A value outside the range the key encoding supports.
    #[error("{0}")]
    OutOfRange(String),
    /// Any other reason, from a custom [`KeyPart`](crate::KeyPart)
    /// implementation or from serializing a recovered key field.
    #[error("{0}")]
    Other(String),
}

/// A primary key rendered for messages: `PK=LINK#aK9xQ2z, SK=META`, as
/// it prints. Build one from a typed key with
/// [`Table::key_display`](crate::Table::key_display), for example to raise
/// [`Error::NotFound`] from a lookup of your own
/// ([`Table::not_found`](crate::Table::not_found)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyDisplay(pub(crate) String);

impl Error {
    /// The same error naming `key` where it was built before the key was
    /// known (a value of a condition or update that cannot be encoded, a
    /// projected field that cannot be decoded).
    pub(crate) fn with_key(self, key: impl FnOnce() -> KeyDisplay) -> Self {
        match self {
            Error::Encode {
                entity,
                key: empty,
                message,
            } if empty.0.is_empty() => Error::Encode {
                entity,
                key: key(),
                message,
            },
            Error::Decode {
                entity,
                key: empty,
                field,
                message,
            } if empty.0.is_empty() => Error::Decode {
                entity,
                key: key(),
                field,
                message,
            },
            other => other,
        }
    }
}

impl KeyDisplay {
    pub(crate) fn new(pk_attr: &str, pk: &str, sk: Option<(&str, &str)>) -> Self {
        match sk {
            Some((sk_attr, sk)) => KeyDisplay(format!("{pk_attr}={pk}, {sk_attr}={sk}")),
            None => KeyDisplay(format!("{pk_attr}={pk}")),
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
