//! Integration tests against DynamoDB Local, one module per capability,
//! in one test binary so the SDK is linked once. Run them with
//! `scripts/with-dynamodb-local cargo test`, which installs and starts
//! DynamoDB Local; without it every test fails saying so.

mod common;

// The examples' models, shared with their tests.
#[path = "../../examples/creator_saas/model.rs"]
mod saas;
#[path = "../../examples/url_shortener/model.rs"]
mod shortener;
#[path = "../../examples/url_shortener_http/app.rs"]
mod shortener_http;

mod attribute_index;
mod audit;
mod batch;
mod capacity_meter;
mod collection;
mod constants;
mod creator_saas;
mod electrodb;
mod electrodb_hr;
mod errors;
mod existing_tables;
mod generated_codec;
mod hardening;
mod ids_and_decimals;
mod index;
mod index_projection;
mod infra;
mod infra_settings;
mod inside;
mod inside_js;
mod interop;
mod interop_js;
mod items;
mod local_engine;
mod projection;
mod query;
mod report;
mod requests;
mod requests_per_pattern;
mod revision;
mod scan;
mod serde_names;
mod serde_with;
mod stream;
mod throttling;
mod timestamps;
mod toolbox;
mod traces;
mod transact_get;
mod transaction;
mod ttl;
mod update;
mod url_shortener;
mod url_shortener_http;
mod vector;
mod without_serde;
