//! The HTTP API of `ecolake serve` (axum).
//!
//! - `GET /health`: 200 `{"status":"ok"}` once the server accepts data.
//! - `GET /api/v1/ingest/stats`: the HJ 212 gateway's, the frame archive's (`null` without
//!   one) and the pipeline's counters.
//! - `GET /api/v1/devices/{mn}/frames?after=SEQ&limit=N`: a device's recent HJ 212 frames
//!   (received and sent, with what became of each), oldest first — for commissioning.
//!   `?from=T&to=T` (RFC 3339 or epoch ms, at most 24 h apart) reads older frames from the
//!   frame archive instead (the `frame_archive` module).
//! - `GET /api/v1/quarantine`: the unknown MNs whose uploads were kept for review
//!   (`ecolake serve --quarantine-unknown`), with counts, first and last seen, a sample frame.
//! - `POST /api/v1/devices/{mn}/commands`, `GET /api/v1/devices/{mn}/commands`,
//!   `GET /api/v1/commands/{id}`: the platform's HJ 212 requests to a device (history data,
//!   intervals, time) and what became of each (the `commands` module).
//! - `GET /api/v1/forward`: each upstream platform the server forwards to (`[[forward]]` in
//!   the serve configuration) with its state, cursor against the store's latest `seq`,
//!   packets sent and acknowledged, resends, refusals and the last error.
//! - `POST /api/v1/observations`: observations as JSON (`application/json`: an array of
//!   objects, or `application/x-ndjson`) or CSV (`text/csv`), with the columns of
//!   `ecolake import` (the rules are in the `observations` module).
//!
//! Errors are `{"code": "...", "message": "..."}` ([`ApiError`]). The API issue (#7) puts these
//! routes behind authentication and adds the rest.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ecolake_ingest::forward::Forwarding;
use ecolake_ingest::hj212::commands::Commands;
use ecolake_ingest::hj212::frames::FrameLog;
use ecolake_ingest::hj212::Hj212Stats;
use ecolake_ingest::Pipeline;
use serde_json::{json, Map, Value};

mod commands;
mod frame_archive;
mod observations;
mod quarantine;

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
}

/// The routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/ingest/stats", get(stats))
        .route("/api/v1/quarantine", get(quarantine::list))
        .route("/api/v1/devices/{mn}/frames", get(frames))
        .route(
            "/api/v1/devices/{mn}/commands",
            get(commands::of_device).post(commands::send),
        )
        .route("/api/v1/commands/{id}", get(commands::get))
        .route("/api/v1/forward", get(forward))
        .route(
            "/api/v1/observations",
            post(observations::post).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .with_state(state)
}

/// An API error: an HTTP status, a stable code and a message for people.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn stats(State(state): State<ApiState>) -> Json<Value> {
    let hj212: Map<String, Value> = state
        .hj212
        .values()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    let p = state.pipeline.stats();
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    let archive = state.frames.archive().map(|a| {
        json!({
            "frames_written": a.written(),
            "frames_dropped": a.dropped(),
        })
    });
    let (frames, bytes) = state.frames.kept();
    Json(json!({
        "hj212": hj212,
        "frame_log": {"frames": frames, "bytes": bytes},
        "frame_archive": archive,
        "pipeline": {
            "writes": load(&p.writes),
            "rows_accepted": load(&p.rows_accepted),
            "rows_rejected": load(&p.rows_rejected),
            "rows_flagged": load(&p.rows_flagged),
            "write_errors": load(&p.write_errors),
        },
    }))
}

async fn forward(State(state): State<ApiState>) -> Json<Value> {
    Json(json!({ "upstreams": state.forwarding.status() }))
}

/// `?after=SEQ&limit=N` of the frames route.
#[derive(Debug, serde::Deserialize)]
struct FramesQuery {
    #[serde(default)]
    after: u64,
    #[serde(default = "default_limit")]
    limit: usize,
    /// A window of the archive instead of the recent frames in memory.
    from: Option<String>,
    to: Option<String>,
}

fn default_limit() -> usize {
    100
}

async fn frames(
    State(state): State<ApiState>,
    Path(mn): Path<String>,
    Query(q): Query<FramesQuery>,
) -> Result<Json<Value>, ApiError> {
    if q.from.is_some() || q.to.is_some() {
        return frame_archive::window(&state, mn, &q).await;
    }
    Ok(Json(json!({
        "mn": mn,
        "frames": state.frames.frames(&mn, q.after, q.limit),
    })))
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or("", |v| v.split(';').next().unwrap_or("").trim())
}
