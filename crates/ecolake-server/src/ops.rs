//! The ingestion gateway's state for operators (operators and admins; scope `admin`):
//!
//! - `GET /api/v1/ingest/stats`: the HJ 212 gateway's, the frame archive's (`null` without
//!   one) and the pipeline's counters.
//! - `GET /api/v1/devices/{mn}/frames?after=SEQ&limit=N`: a device's recent HJ 212 frames
//!   (received and sent, with what became of each), oldest first — for commissioning.
//!   `?from=T&to=T` (RFC 3339 or epoch ms, at most 24 h apart) reads older frames from the
//!   frame archive instead (the `frame_archive` module).
//! - `GET /api/v1/forward`: each upstream platform the server forwards to (`[[forward]]` in
//!   the serve configuration) with its state, cursor against the store's latest `seq`,
//!   packets sent and acknowledged, resends, refusals and the last error.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ApiPath};
use crate::{frame_archive, ApiState};

/// The gateway's counters.
#[utoipa::path(get, path = "/api/v1/ingest/stats", tag = "ingest", responses((status = 200, body = Object)))]
pub(crate) async fn stats(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
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
    Ok(Json(json!({
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
    })))
}

/// The upstream platforms and how forwarding to each goes.
#[utoipa::path(get, path = "/api/v1/forward", tag = "ingest", responses((status = 200, body = Object)))]
pub(crate) async fn forward(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    Ok(Json(json!({ "upstreams": state.forwarding.status() })))
}

/// `?after=SEQ&limit=N` of the frames route.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FramesQuery {
    /// Frames after this sequence number.
    #[serde(default)]
    pub(crate) after: u64,
    /// At most this many.
    #[serde(default = "default_limit")]
    pub(crate) limit: usize,
    /// A window of the archive instead of the recent frames in memory: its start.
    pub(crate) from: Option<String>,
    /// Its end (exclusive).
    pub(crate) to: Option<String>,
}

fn default_limit() -> usize {
    100
}

/// A device's recent HJ 212 frames, or a window of the frame archive.
#[utoipa::path(get, path = "/api/v1/devices/{mn}/frames", tag = "ingest",
    params(("mn" = String, Path, description = "The device's MN"), FramesQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn frames(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(mn): ApiPath<String>,
    q: Result<Query<FramesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    let Query(q) = q?;
    if q.from.is_some() || q.to.is_some() {
        return frame_archive::window(&state, mn, &q).await;
    }
    Ok(Json(json!({
        "mn": mn,
        "frames": state.frames.frames(&mn, q.after, q.limit),
    })))
}
