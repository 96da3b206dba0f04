//! Following a table's stream through the DynamoDB Streams API: shards in
//! parent-before-child order, iterators renewed when they expire, closed
//! shards finished and their children picked up.

use super::StreamRecord;
use crate::foundation::error::{sdk_message, Error, Result};
use crate::table::Table;
use aws_sdk_dynamodbstreams::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_dynamodbstreams::Client;
use std::time::{Duration, Instant};

/// Where a [`StreamReader`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    /// The oldest record still in the stream (`TRIM_HORIZON`; records are
    /// kept 24 hours).
    Oldest,
    /// Only records written after the reader opened (`LATEST`).
    Latest,
}

/// How often the stream's shards are listed again to find new ones
/// (DynamoDB opens new shards over time, and when a shard closes).
const DESCRIBE_EVERY: Duration = Duration::from_secs(10);

/// The most records one GetRecords returns.
const RECORDS_PER_CALL: i32 = 1000;

#[derive(Debug)]
struct Shard {
    id: String,
    parent: Option<String>,
    iterator: Option<String>,
    /// The last record read, to renew an expired iterator after it.
    last_sequence: Option<String>,
    /// Whether the shard is closed and read to its end.
    finished: bool,
    /// Whether reading began at `start` (the shards open when the reader
    /// opened) rather than at the shard's beginning (shards found later).
    from_start: bool,
}

/// Follows a table's stream through the DynamoDB Streams API, for local
/// development, tests and long-running consumers outside Lambda.
///
/// ```no_run
/// # use serde::{Deserialize, Serialize};
/// # use truss_model::{Entity, Table};
/// use truss_model::stream::StartAt;
/// # #[derive(Entity, Serialize, Deserialize, Debug)]
/// # #[truss(pk = "LINK#{code}", sk = "META")]
/// # struct Link { code: String, clicks: u64 }
/// # async fn demo(table: Table, config: &aws_config::SdkConfig) -> truss_model::Result<()> {
/// let streams = aws_sdk_dynamodbstreams::Client::new(config);
/// let mut reader = table.stream_reader(streams, StartAt::Latest).await?;
/// loop {
///     for record in reader.poll().await? {
///         if let Some(change) = table.change_matching::<Link>(record)? {
///             println!("{:?} {:?}", change.kind, change.key);
///         }
///     }
///     tokio::time::sleep(std::time::Duration::from_secs(1)).await;
/// }
/// # }
/// ```
///
/// Each [`poll`](StreamReader::poll) reads what every readable shard
/// holds now (one GetRecords per shard): the records of one item come in
/// the order they were written, a child shard's after its parent's.
/// Positions live in memory only: a reader that restarts starts again at
/// its [`StartAt`].
#[derive(Debug)]
pub struct StreamReader {
    client: Client,
    /// The table's name, for traces.
    table: String,
    stream_arn: String,
    start: StartAt,
    shards: Vec<Shard>,
    described: Option<Instant>,
    requests: u64,
}

impl Table {
    /// Opens a reader of this table's stream (which must be enabled, see
    /// [`TableDefinition::stream`](crate::TableDefinition::stream)): one
    /// DescribeTable for the stream's ARN, one DescribeStream, and an
    /// iterator per open shard, taken now, so [`StartAt::Latest`] sees
    /// every record written after this returns.
    pub async fn stream_reader(&self, client: Client, start: StartAt) -> Result<StreamReader> {
        let span = streams_span("OpenReader", &self.inner.name);
        let result = traced(&span, self.open_reader(client, start)).await;
        #[cfg(feature = "tracing")]
        if let Ok(reader) = &result {
            span.record("truss.requests", reader.requests);
        }
        finish(&span, result)
    }

    async fn open_reader(&self, client: Client, start: StartAt) -> Result<StreamReader> {
        let inner = &self.inner;
        let table = inner
            .client
            .describe_table()
            .table_name(&inner.name)
            .send()
            .await
            .map_err(|e| Error::dynamo("DescribeTable", e))?;
        let stream_arn = table
            .table()
            .and_then(|t| t.latest_stream_arn())
            .ok_or_else(|| Error::Stream {
                operation: "DescribeTable",
                message: format!("table `{}` has no stream enabled", inner.name),
            })?
            .to_owned();
        let mut reader = StreamReader {
            client,
            table: inner.name.clone(),
            stream_arn,
            start,
            shards: Vec::new(),
            described: None,
            requests: 1,
        };
        reader.describe(true).await?;
        for i in 0..reader.shards.len() {
            if !reader.shards[i].finished {
                reader.open_iterator(i, false).await?;
            }
        }
        Ok(reader)
    }
}

impl StreamReader {
    /// The stream's ARN.
    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }

    /// How many Streams API requests the reader has sent (DescribeTable
    /// included).
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Reads the records every readable shard holds now, in order; empty
    /// when there are none yet. A shard is readable once its parent is
    /// read to its end (or is gone from the stream).
    ///
    /// With the `tracing` feature, each poll is one span like every
    /// operation's (target `truss_model`, `rpc.service` = `DynamoDB
    /// Streams`, `rpc.method` = `Poll`) with the requests it sent
    /// (`truss.requests`) and the records it read (`truss.records`).
    pub async fn poll(&mut self) -> Result<Vec<StreamRecord>> {
        let span = streams_span("Poll", &self.table);
        let before = self.requests;
        let result = traced(&span, self.poll_shards()).await;
        #[cfg(feature = "tracing")]
        {
            span.record("truss.requests", self.requests - before);
            if let Ok(records) = &result {
                span.record("truss.records", records.len());
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = before;
        finish(&span, result)
    }

    async fn poll_shards(&mut self) -> Result<Vec<StreamRecord>> {
        if self
            .described
            .is_none_or(|at| at.elapsed() >= DESCRIBE_EVERY)
        {
            self.describe(false).await?;
        }
        let mut records = Vec::new();
        // Shards are visited in order; a child found ready after its
        // parent finished in this poll is read in this poll too.
        let mut i = 0;
        while i < self.shards.len() {
            if self.readable(i) {
                if self.shards[i].iterator.is_none() {
                    self.open_iterator(i, false).await?;
                }
                let closed_before = self.shards[i].finished;
                self.read_shard(i, &mut records).await?;
                if self.shards[i].finished && !closed_before {
                    // Its children may not be listed yet.
                    self.describe(false).await?;
                }
            }
            i += 1;
        }
        Ok(records)
    }

    fn readable(&self, i: usize) -> bool {
        let shard = &self.shards[i];
        if shard.finished {
            return false;
        }
        match &shard.parent {
            None => true,
            Some(parent) => self
                .shards
                .iter()
                .find(|s| &s.id == parent)
                .is_none_or(|p| p.finished),
        }
    }

    /// Lists the stream's shards and adds the new ones. On open, closed
    /// shards are finished unless the reader starts at the oldest record.
    async fn describe(&mut self, opening: bool) -> Result<()> {
        let mut start_after: Option<String> = None;
        let mut closed_at_open: Vec<String> = Vec::new();
        loop {
            self.requests += 1;
            let output = self
                .client
                .describe_stream()
                .stream_arn(&self.stream_arn)
                .set_exclusive_start_shard_id(start_after.clone())
                .send()
                .await
                .map_err(|e| stream_error("DescribeStream", e))?;
            let Some(description) = output.stream_description else {
                break;
            };
            for shard in description.shards.unwrap_or_default() {
                let Some(id) = shard.shard_id else { continue };
                if self.shards.iter().any(|s| s.id == id) {
                    continue;
                }
                let closed = shard
                    .sequence_number_range
                    .as_ref()
                    .is_some_and(|r| r.ending_sequence_number.is_some());
                if opening && closed {
                    closed_at_open.push(id.clone());
                }
                self.shards.push(Shard {
                    id,
                    parent: shard.parent_shard_id,
                    iterator: None,
                    last_sequence: None,
                    finished: false,
                    from_start: opening,
                });
            }
            start_after = description.last_evaluated_shard_id;
            if start_after.is_none() {
                break;
            }
        }
        if self.start == StartAt::Latest {
            // Starting at the latest record, what a closed shard holds is
            // before the start. A shard counts as closed when it has an
            // ending sequence number and a child: on DynamoDB a closing
            // shard's children are listed with it, and an engine that
            // reports an ending sequence number on its one open shard
            // (dynoxide does) would otherwise never be read. A closed shard
            // without a child costs one empty read.
            let parents: Vec<String> = self
                .shards
                .iter()
                .filter_map(|s| s.parent.clone())
                .collect();
            for shard in &mut self.shards {
                if closed_at_open.contains(&shard.id) && parents.contains(&shard.id) {
                    shard.finished = true;
                }
            }
        }
        self.described = Some(Instant::now());
        Ok(())
    }

    /// Takes an iterator for shard `i`: after its last record read, else
    /// at the reader's start (`renew`: at the shard's oldest record, for an
    /// iterator taken on an empty shard, see `read_shard`).
    async fn open_iterator(&mut self, i: usize, renew: bool) -> Result<()> {
        let shard = &self.shards[i];
        let (kind, sequence) = match (&shard.last_sequence, shard.from_start, self.start) {
            (Some(sequence), _, _) => (
                ShardIteratorType::AfterSequenceNumber,
                Some(sequence.clone()),
            ),
            (None, true, StartAt::Latest) if !renew => (ShardIteratorType::Latest, None),
            _ => (ShardIteratorType::TrimHorizon, None),
        };
        self.requests += 1;
        let output = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(&shard.id)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence)
            .send()
            .await
            .map_err(|e| stream_error("GetShardIterator", e))?;
        let shard = &mut self.shards[i];
        shard.iterator = output.shard_iterator;
        if shard.iterator.is_none() {
            shard.finished = true;
        }
        Ok(())
    }

    /// One GetRecords on shard `i` (renewing its iterator once if it
    /// expired); a shard whose next iterator is absent is closed and read.
    async fn read_shard(&mut self, i: usize, records: &mut Vec<StreamRecord>) -> Result<()> {
        for attempt in 0..2 {
            let Some(iterator) = self.shards[i].iterator.clone() else {
                return Ok(());
            };
            self.requests += 1;
            let result = self
                .client
                .get_records()
                .shard_iterator(iterator)
                .limit(RECORDS_PER_CALL)
                .send()
                .await;
            match result {
                Ok(output) => {
                    let shard = &mut self.shards[i];
                    for record in output.records.unwrap_or_default() {
                        let record = StreamRecord::from(record);
                        if let Some(sequence) = &record.sequence_number {
                            shard.last_sequence = Some(sequence.clone());
                        }
                        records.push(record);
                    }
                    shard.iterator = output.next_shard_iterator;
                    shard.finished = shard.iterator.is_none();
                    return Ok(());
                }
                Err(e)
                    if attempt == 0
                        && matches!(
                            e.as_service_error(),
                            Some(GetRecordsError::ExpiredIteratorException(_))
                        ) =>
                {
                    // Iterators expire after 15 minutes: take a new one
                    // after the last record read.
                    self.shards[i].iterator = None;
                    self.open_iterator(i, false).await?;
                }
                Err(e)
                    if attempt == 0
                        && self.shards[i].last_sequence.is_none()
                        && matches!(
                            e.as_service_error(),
                            Some(GetRecordsError::TrimmedDataAccessException(_))
                        ) =>
                {
                    // DynamoDB Local answers this to the first GetRecords
                    // of an iterator taken while the shard was empty, once
                    // the shard has records. Nothing has been read from
                    // the shard, so its oldest record is where to resume
                    // (on DynamoDB, what was trimmed is gone either way;
                    // a second refusal is returned).
                    self.shards[i].iterator = None;
                    self.open_iterator(i, true).await?;
                }
                Err(e) => return Err(stream_error("GetRecords", e)),
            }
        }
        Ok(())
    }
}

fn stream_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> Error
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug + 'static,
{
    Error::Stream {
        operation,
        message: sdk_message(&err),
    }
}

/// A span per reader operation, shaped as every operation's span (see
/// `table::observe`), for the DynamoDB Streams API.
#[cfg(feature = "tracing")]
type Span = tracing::Span;
#[cfg(not(feature = "tracing"))]
struct Span;

#[cfg(feature = "tracing")]
fn streams_span(method: &'static str, table: &str) -> Span {
    tracing::info_span!(
        target: "truss_model",
        "DynamoDB Streams",
        otel.name = %format_args!("{method} {table}"),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        rpc.system = "aws-api",
        rpc.service = "DynamoDB Streams",
        rpc.method = method,
        aws.dynamodb.table_names = %table,
        truss.requests = tracing::field::Empty,
        truss.records = tracing::field::Empty,
        error.type = tracing::field::Empty,
    )
}

#[cfg(not(feature = "tracing"))]
fn streams_span(_: &'static str, _: &str) -> Span {
    Span
}

#[cfg(feature = "tracing")]
async fn traced<T>(span: &Span, future: impl std::future::Future<Output = T>) -> T {
    use tracing::Instrument;
    future.instrument(span.clone()).await
}

#[cfg(not(feature = "tracing"))]
async fn traced<T>(_: &Span, future: impl std::future::Future<Output = T>) -> T {
    future.await
}

/// Records an error's kind on the span (never its message, which can hold
/// key values).
fn finish<T>(span: &Span, result: Result<T>) -> Result<T> {
    #[cfg(feature = "tracing")]
    if let Err(error) = &result {
        span.record("otel.status_code", "ERROR");
        span.record("error.type", error.kind());
    }
    #[cfg(not(feature = "tracing"))]
    let _ = span;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(id: &str, parent: Option<&str>, finished: bool) -> Shard {
        Shard {
            id: id.into(),
            parent: parent.map(str::to_owned),
            iterator: None,
            last_sequence: None,
            finished,
            from_start: false,
        }
    }

    fn reader(shards: Vec<Shard>) -> StreamReader {
        let config = aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
            .build();
        StreamReader {
            client: Client::from_conf(config),
            table: "table".into(),
            stream_arn: "arn".into(),
            start: StartAt::Oldest,
            shards,
            described: None,
            requests: 0,
        }
    }

    // Shard splits cannot be produced by DynamoDB Local, so the order in
    // which parents and children are read is checked here, without a
    // stream.
    #[test]
    fn a_child_is_read_only_after_its_parent_is_finished() {
        let open_parent = reader(vec![
            shard("parent", None, false),
            shard("child-a", Some("parent"), false),
            shard("child-b", Some("parent"), false),
        ]);
        assert!(open_parent.readable(0));
        assert!(!open_parent.readable(1) && !open_parent.readable(2));

        let finished_parent = reader(vec![
            shard("parent", None, true),
            shard("child-a", Some("parent"), false),
        ]);
        assert!(
            !finished_parent.readable(0),
            "a finished shard is not read again"
        );
        assert!(finished_parent.readable(1));

        // A parent trimmed from the stream (older than 24 hours) holds
        // nothing to wait for.
        let orphan = reader(vec![shard("child", Some("gone"), false)]);
        assert!(orphan.readable(0));
    }
}
