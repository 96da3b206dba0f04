//! The URL shortener's HTTP API (axum), over the shortener's model; one
//! router for the local server and for AWS Lambda.
//!
//! | request | answer |
//! |---|---|
//! | `POST /links` `{"target": "https://…", "ownerId": "user-001"}` | `201` and the link |
//! | `GET /{code}` | `308` to the target, the click counted |
//! | `GET /links?owner=…&cursor=…` | a page of the owner's links, newest first, and the next cursor |
//! | `GET /{code}/stats` | the link and its daily stats |
//!
//! Client errors are never 500: an unknown code is `404`; an empty or
//! oversized code or owner, invalid JSON, a target that is not an http(s)
//! URL, and a forged or foreign cursor are `400`. DynamoDB failures are
//! `503` with no internal detail in the body (the detail goes to stderr).

use crate::shortener::{random_code, DailyStat, Link, Shortener};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use truss_model::{Cursor, Error};

/// The longest code accepted (generated codes have 7 characters).
pub const MAX_CODE_LEN: usize = 64;
/// The longest owner id accepted.
pub const MAX_OWNER_LEN: usize = 128;
/// The longest target URL accepted.
pub const MAX_TARGET_LEN: usize = 2048;

/// The router, over one shortener (one client, created and primed once).
pub fn router(app: Shortener) -> Router {
    Router::new()
        .route("/", get(empty_code))
        .route("/links", post(create).get(list))
        .route("/{code}", get(follow))
        .route("/{code}/stats", get(stats))
        .with_state(app)
}

/// An answer other than success: a status and a message safe to show.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn not_found() -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: "no such link".into(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            // What the request said was wrong: its own fault, told back.
            Error::InvalidKey { .. }
            | Error::KeyTooLong { .. }
            | Error::InvalidCursor { .. }
            | Error::InvalidQuery { .. }
            | Error::ItemTooLarge { .. } => ApiError::bad_request(error.to_string()),
            Error::NotFound { .. } => ApiError::not_found(),
            // Everything else is ours or DynamoDB's: logged, not shown.
            other => {
                eprintln!("url_shortener_http: DynamoDB failure: {other}");
                ApiError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    message: "the service is unavailable; try again".into(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// The body of `POST /links`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLink {
    pub target: String,
    #[serde(default)]
    pub owner_id: Option<String>,
}

/// A page of links and where the next starts.
#[derive(Debug, Serialize, Deserialize)]
pub struct LinkPage {
    pub links: Vec<Link>,
    pub cursor: Option<String>,
}

/// A link and its daily stats.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stats {
    pub link: Link,
    pub stats: Vec<DailyStat>,
}

/// The query of `GET /links`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub owner: Option<String>,
    pub cursor: Option<String>,
}

async fn empty_code() -> ApiError {
    ApiError::bad_request("the code is empty")
}

fn check_code(code: &str) -> Result<(), ApiError> {
    if code.is_empty() {
        return Err(ApiError::bad_request("the code is empty"));
    }
    if code.len() > MAX_CODE_LEN {
        return Err(ApiError::bad_request(format!(
            "the code is longer than {MAX_CODE_LEN} bytes"
        )));
    }
    Ok(())
}

/// An absolute http(s) URL with a host, no whitespace or control
/// characters, at most [`MAX_TARGET_LEN`] bytes.
fn check_target(target: &str) -> Result<(), ApiError> {
    let invalid = |why: &str| Err(ApiError::bad_request(format!("invalid target URL: {why}")));
    if target.len() > MAX_TARGET_LEN {
        return invalid("too long");
    }
    if target.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("it contains whitespace or control characters");
    }
    let Some(rest) = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"))
    else {
        return invalid("it must start with http:// or https://");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return invalid("it has no host");
    }
    Ok(())
}

fn check_owner(owner: &str) -> Result<(), ApiError> {
    if owner.is_empty() {
        return Err(ApiError::bad_request("the owner is empty"));
    }
    if owner.len() > MAX_OWNER_LEN {
        return Err(ApiError::bad_request(format!(
            "the owner is longer than {MAX_OWNER_LEN} bytes"
        )));
    }
    Ok(())
}

async fn create(
    State(app): State<Shortener>,
    body: Result<Json<NewLink>, JsonRejection>,
) -> Result<(StatusCode, Json<Link>), ApiError> {
    let Json(new) =
        body.map_err(|e| ApiError::bad_request(format!("invalid JSON: {}", e.body_text())))?;
    check_target(&new.target)?;
    if let Some(owner) = &new.owner_id {
        check_owner(owner)?;
    }
    let link = app
        .create(
            &new.target,
            new.owner_id.as_deref(),
            Utc::now(),
            random_code,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

async fn follow(
    State(app): State<Shortener>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    check_code(&code)?;
    let link = app
        .follow(&code, Utc::now().date_naive())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, link.target)],
    )
        .into_response())
}

async fn list(
    State(app): State<Shortener>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<LinkPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let owner = query
        .owner
        .ok_or_else(|| ApiError::bad_request("`owner` is required"))?;
    check_owner(&owner)?;
    let page = app
        .list_by_owner(&owner, query.cursor.map(Cursor::new))
        .await?;
    Ok(Json(LinkPage {
        links: page.items,
        cursor: page.cursor.map(Cursor::into_string),
    }))
}

async fn stats(
    State(app): State<Shortener>,
    Path(code): Path<String>,
) -> Result<Json<Stats>, ApiError> {
    check_code(&code)?;
    let dashboard = app
        .dashboard(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(Stats {
        link: dashboard.link,
        stats: dashboard.stats,
    }))
}
