//! An embedded DynamoDB engine (feature `local`): tests and examples that
//! need no set-up.
//!
//! [`LocalEngine::start`] starts an in-memory DynamoDB-compatible server
//! (the SQLite-backed [dynoxide](https://docs.rs/dynoxide-rs) engine) on a
//! free 127.0.0.1 port, on a thread of its own, and gives clients for it
//! with dummy credentials that cannot reach AWS. Dropping the engine stops
//! the server. [`LocalEngine::start_at`] keeps the data in a file, so it
//! survives restarts.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use serde::{Deserialize, Serialize};
//! use truss_model::local::LocalEngine;
//! use truss_model::{Entity, Table};
//!
//! #[derive(Entity, Serialize, Deserialize, Debug, PartialEq)]
//! #[truss(pk = "LINK#{code}", sk = "META")]
//! struct Link { code: String, target: String }
//!
//! #[derive(Entity, Serialize, Deserialize, Debug, PartialEq)]
//! #[truss(pk = "LINK#{code}", sk = "STAT#{day}")]
//! struct DailyStat { code: String, day: u32, count: u64 }
//!
//! let engine = LocalEngine::start()?;
//! let table = Table::new(engine.client(), "links");
//! table.definition().entity::<Link>().entity::<DailyStat>().create().await?;
//!
//! let link = Link { code: "aK9xQ2z".into(), target: "https://example.com".into() };
//! table.put(&link).await?;
//! assert_eq!(table.get(Link::key("aK9xQ2z")).await?, Some(link));
//! for day in 1..=3 {
//!     table.put(&DailyStat { code: "aK9xQ2z".into(), day, count: 1 }).await?;
//! }
//! let stats = table.query(DailyStat::partition("aK9xQ2z")).all().await?;
//! assert_eq!(stats.len(), 3);
//! # Ok(()) }
//! ```
//!
//! How the engine differs from DynamoDB (and from DynamoDB Local, the
//! reference the project's own tests also run against) is listed in the
//! guide's "Testing against a local engine".

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::thread::JoinHandle;

/// The region the clients name (any works; nothing leaves the machine).
const REGION: &str = "us-east-1";

/// A DynamoDB-compatible server running inside the process until dropped.
pub struct LocalEngine {
    endpoint: String,
    db: dynoxide::Database,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LocalEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEngine")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl LocalEngine {
    /// Starts an in-memory engine on a free 127.0.0.1 port: its data is
    /// gone when it is dropped.
    pub fn start() -> io::Result<Self> {
        let db = dynoxide::Database::memory().map_err(io::Error::other)?;
        Self::serve(db)
    }

    /// Starts an engine whose data lives in the SQLite file at `path`
    /// (created if absent), so it survives restarts.
    pub fn start_at(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let path = path.to_str().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the engine's file path is not UTF-8: {}", path.display()),
            )
        })?;
        let db = dynoxide::Database::new(path).map_err(io::Error::other)?;
        Self::serve(db)
    }

    fn serve(db: dynoxide::Database) -> io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        listener.set_nonblocking(true)?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let thread = std::thread::Builder::new()
            .name("truss-model-local-engine".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    let _ = dynoxide::server::serve_with_shutdown(listener, served, shutdown).await;
                });
            })?;
        Ok(LocalEngine {
            endpoint,
            db,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The engine's endpoint, `http://127.0.0.1:<port>`: what
    /// `AWS_ENDPOINT_URL_DYNAMODB` would be set to for another process.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A DynamoDB client for the engine, with dummy credentials and the
    /// SDK's defaults otherwise (retries, timeouts, a Tokio sleep).
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials())
            .sleep_impl(TokioSleep)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// A DynamoDB Streams client for the engine (feature `streams`), for
    /// [`Table::stream_reader`](crate::Table::stream_reader).
    #[cfg(feature = "streams")]
    pub fn streams_client(&self) -> aws_sdk_dynamodbstreams::Client {
        use aws_sdk_dynamodbstreams::config as streams;
        let config = streams::Builder::new()
            .behavior_version(streams::BehaviorVersion::latest())
            .region(streams::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(streams::Credentials::new(
                "local",
                "local",
                None,
                None,
                "truss-model-local",
            ))
            .build();
        aws_sdk_dynamodbstreams::Client::from_conf(config)
    }

    /// Deletes every expired item now, as DynamoDB's TTL process does in
    /// its own time (the engine deletes nothing by itself), and returns how
    /// many it deleted. Each deletion is a stream record like DynamoDB's
    /// TTL deletions: a `REMOVE` whose user identity is the DynamoDB
    /// service.
    pub fn sweep_ttl(&self) -> io::Result<usize> {
        self.db.sweep_ttl().map_err(io::Error::other)
    }
}

fn credentials() -> Credentials {
    Credentials::new("local", "local", None, None, "truss-model-local")
}

impl Drop for LocalEngine {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The client's sleep, set on its configuration where batches and paced
/// scans look for it (a configuration built without one has none there).
#[derive(Debug)]
struct TokioSleep;

impl aws_sdk_dynamodb::config::AsyncSleep for TokioSleep {
    fn sleep(&self, duration: std::time::Duration) -> aws_sdk_dynamodb::config::Sleep {
        aws_sdk_dynamodb::config::Sleep::new(tokio::time::sleep(duration))
    }
}
