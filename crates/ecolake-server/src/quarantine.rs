//! `GET /api/v1/quarantine`: the unknown MNs whose data uploads were kept for review
//! (`ecolake serve --quarantine-unknown`), the most recently seen first:
//! `{"quarantined": [{"mn", "frames", "first_ms", "last_ms", "peer", "sample"}]}`. The frames
//! themselves are in `GET /api/v1/devices/{mn}/frames` and the frame archive; registering the
//! MN (with its password) lets its next uploads in.

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::{Caller, Need};
use crate::error::ApiError;
use crate::ApiState;

/// The quarantined MNs (operators).
#[utoipa::path(get, path = "/api/v1/quarantine", tag = "ingest", operation_id = "quarantine", responses((status = 200, body = Object)))]
pub(crate) async fn list(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    Ok(Json(json!({ "quarantined": state.frames.quarantined() })))
}
