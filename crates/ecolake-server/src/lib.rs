//! The HTTP API of `ecolake serve` (axum): `/api/v1`, documented by the OpenAPI 3.1 document
//! at `/api/v1/openapi.json` that [`openapi`] generates from the handlers.
//!
//! Every request is authenticated ([`auth`]: a bearer token, or anonymous), limited
//! ([`limit`]: per key or per client address), authorized ([`auth::Caller::require`] for what a
//! role may do, [`access`] for what data it may read) and audited ([`audit`]). Errors are
//! `{"code": "...", "message": "..."}` with the stable codes of [`error::Code`].
//!
//! - `GET /health`: 200 `{"status":"ok"}` once the server accepts data.
//! - Registry metadata ([`meta`]): sites, enterprises, outlets, permits, datasets.
//! - Data ([`data`], [`sql`]): observations with server-side aggregation, latest values, AQI,
//!   SQL; `POST /api/v1/observations` to send data.
//! - Identities and sharing ([`identity`]): login, keys, access requests and grants, the audit
//!   log.
//! - The ingestion gateway's state and HJ 212 commands, for operators ([`ops`], `commands`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use datafusion::execution::runtime_env::RuntimeEnv;
use ecolake_ingest::forward::Forwarding;
use ecolake_ingest::hj212::commands::Commands;
use ecolake_ingest::hj212::frames::FrameLog;
use ecolake_ingest::hj212::Hj212Stats;
use ecolake_ingest::Pipeline;
use ecolake_registry::Registry;
use ecolake_store::Store;
use serde_json::{json, Value};

pub mod access;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod catalog;
mod commands;
pub mod data;
pub mod error;
mod frame_archive;
pub mod identity;
pub mod limit;
pub mod meta;
mod observations;
pub mod openapi;
pub mod ops;
mod quarantine;
mod series;
pub mod sql;
pub mod tls;

pub use error::{ApiError, Code};
pub use observations::MAX_BODY_BYTES;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The HJ 212 server's counters.
    pub hj212: Arc<Hj212Stats>,
    /// Where posted observations go (quality control, then the store).
    pub pipeline: Pipeline,
    /// The recent frames of each device.
    pub frames: Arc<FrameLog>,
    /// The platform's requests to HJ 212 devices.
    pub commands: Arc<Commands>,
    /// The upstream platforms data is forwarded to.
    pub forwarding: Forwarding,
    /// The registry: identities, grants, the audit log, metadata.
    pub registry: Registry,
    /// The registry as the API reads it.
    pub catalog: Arc<catalog::CatalogCache>,
    /// The store queries read.
    pub store: Arc<Store>,
    /// The memory pool and caches every query shares.
    pub query_runtime: Arc<RuntimeEnv>,
    /// Where request events go.
    pub audit: audit::AuditSink,
    /// The request quotas.
    pub limiter: Arc<limit::RateLimiter>,
    /// The API's settings.
    pub config: Arc<ApiConfig>,
}

/// Requests per minute and per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// A signed-in caller per minute (unless its key sets its own).
    pub per_min: u32,
    /// A signed-in caller per hour.
    pub per_hour: u32,
    /// An anonymous client address per minute.
    pub anonymous_per_min: u32,
    /// An anonymous client address per hour.
    pub anonymous_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_min: 600,
            per_hour: 20_000,
            anonymous_per_min: 60,
            anonymous_per_hour: 2_000,
        }
    }
}

/// The API's settings (`[api]` in the serve configuration).
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<limit::Cidr>,
    /// Request quotas.
    pub rate: RateLimits,
    /// Per registry list (`sites`, `enterprises`, `outlets`, `permits`, `datasets`), fields
    /// shown to staff and to an enterprise for its own rows only.
    pub hidden_fields: BTreeMap<String, Vec<String>>,
    /// Rows one SQL query or download answers at most.
    pub sql_max_rows: usize,
    /// How long one query may run.
    pub sql_timeout: Duration,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// Origins allowed to call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Whether the API is served over TLS (then `Strict-Transport-Security` is sent).
    pub tls: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            trusted_proxies: Vec::new(),
            rate: RateLimits::default(),
            hidden_fields: BTreeMap::new(),
            sql_max_rows: 1_000_000,
            sql_timeout: Duration::from_secs(30),
            session_ttl: Duration::from_secs(12 * 3600),
            cors_origins: Vec::new(),
            tls: false,
        }
    }
}

/// Fields a configuration may not hide: the keys and the columns dataset conditions filter on.
pub const UNHIDEABLE_FIELDS: [&str; 7] = [
    "code",
    "credit_code",
    "number",
    "name",
    "enterprise",
    "division",
    "medium",
];

/// The routes, with authentication, quotas, caching and audit layered on.
pub fn router(state: ApiState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/api/v1/openapi.json", get(openapi::document))
        // identities, sharing, audit
        .route("/api/v1/auth/login", post(identity::login))
        .route("/api/v1/auth/logout", post(identity::logout))
        .route("/api/v1/me", get(identity::me))
        .route(
            "/api/v1/keys",
            get(identity::keys).post(identity::create_key),
        )
        .route("/api/v1/keys/{id}", delete(identity::revoke_key))
        .route(
            "/api/v1/access-requests",
            get(identity::access_requests).post(identity::request_access),
        )
        .route(
            "/api/v1/access-requests/{id}/approve",
            post(identity::approve),
        )
        .route(
            "/api/v1/access-requests/{id}/reject",
            post(identity::reject),
        )
        .route("/api/v1/grants", get(identity::grants))
        .route("/api/v1/grants/{id}", delete(identity::revoke_grant))
        .route("/api/v1/audit", get(identity::audit))
        .route("/api/v1/audit/verify", get(identity::verify_audit))
        // registry metadata
        .route("/api/v1/sites", get(meta::sites))
        .route("/api/v1/sites/{code}", get(meta::site))
        .route("/api/v1/sites/{code}/latest", get(data::latest))
        .route("/api/v1/enterprises", get(meta::enterprises))
        .route("/api/v1/outlets", get(meta::outlets))
        .route("/api/v1/permits", get(meta::permits))
        .route("/api/v1/datasets", get(meta::datasets))
        .route("/api/v1/datasets/{name}", get(meta::dataset))
        .route("/api/v1/registry/{kind}", post(meta::write))
        // data
        .route(
            "/api/v1/observations",
            get(data::observations)
                .post(observations::post)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/api/v1/aqi/latest", get(data::aqi_latest))
        .route("/api/v1/aqi", get(data::aqi))
        .route("/api/v1/sql", post(sql::post))
        // the gateway, for operators
        .route("/api/v1/ingest/stats", get(ops::stats))
        .route("/api/v1/quarantine", get(quarantine::list))
        .route("/api/v1/devices/{mn}/frames", get(ops::frames))
        .route(
            "/api/v1/devices/{mn}/commands",
            get(commands::of_device).post(commands::send),
        )
        .route("/api/v1/commands/{id}", get(commands::get))
        .route("/api/v1/forward", get(ops::forward))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    let cors = cache::cors(&state.config.cors_origins);
    api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        audit::layer,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        cache::layer,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        limit::layer,
    ))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::authenticate,
    ))
    .layer(cors)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        cache::security_headers,
    ))
    .with_state(state)
}

/// Is the server up.
#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, body = Object)))]
pub(crate) async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(Code::NotFound, format!("no route {}", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        Code::MethodNotAllowed,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or("", |v| v.split(';').next().unwrap_or("").trim())
}
