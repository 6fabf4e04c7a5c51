//! The platform's requests to HJ 212 devices (history data, intervals, time, timeouts):
//!
//! - `POST /api/v1/devices/{mn}/commands` with `{"cn": 2061, "params": {"BeginTime":
//!   "20250301000000", "EndTime": "20250301230000"}, "over_time_s": 10, "re_count": 3}`
//!   (`params`, `over_time_s` and `re_count` optional): 202 with the exchange, or with
//!   `?wait=S` the exchange once it has ended (or after S seconds, at most 600).
//! - `GET /api/v1/devices/{mn}/commands`: the device's exchanges, newest first.
//! - `GET /api/v1/commands/{id}[?wait=S]`: one exchange.
//!
//! Errors: 400 `bad_command` (the CN or a parameter), 409 `device_not_connected`, 409
//! `device_busy`, 404 `not_found`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ecolake_ingest::hj212::commands::{CommandError, Exchange, Request};
use serde_json::{json, Value};

use crate::{ApiError, ApiState};

/// Longest wait a caller may ask for.
const MAX_WAIT_S: u64 = 600;

/// The body of a request.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Body {
    cn: u16,
    #[serde(default)]
    params: BTreeMap<String, String>,
    over_time_s: Option<u64>,
    re_count: Option<u32>,
}

/// `?wait=SECONDS`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Wait {
    wait: Option<u64>,
}

pub(crate) async fn send(
    State(state): State<ApiState>,
    Path(mn): Path<String>,
    Query(wait): Query<Wait>,
    body: Result<Json<Body>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) =
        body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_command", e.body_text()))?;
    if body.over_time_s.is_some_and(|s| !(1..=99).contains(&s))
        || body.re_count.is_some_and(|n| !(1..=99).contains(&n))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_command",
            "over_time_s and re_count must be 1..=99 (HJ 212 Table 1)",
        ));
    }
    let request = Request {
        cn: body.cn,
        params: body.params,
        over_time: body.over_time_s.map(Duration::from_secs),
        re_count: body.re_count,
    };
    let id = state.commands.send(&mn, request).map_err(|e| {
        let (status, code) = match &e {
            CommandError::Invalid(_) => (StatusCode::BAD_REQUEST, "bad_command"),
            CommandError::NotConnected(_) => (StatusCode::CONFLICT, "device_not_connected"),
            CommandError::Busy { .. } => (StatusCode::CONFLICT, "device_busy"),
        };
        ApiError::new(status, code, e.to_string())
    })?;
    let exchange = answer(&state, id, wait.wait).await?;
    let status = match exchange.state.is_final() {
        true => StatusCode::OK,
        false => StatusCode::ACCEPTED,
    };
    Ok((status, Json(exchange)).into_response())
}

pub(crate) async fn of_device(
    State(state): State<ApiState>,
    Path(mn): Path<String>,
) -> Json<Value> {
    Json(json!({"mn": mn, "commands": state.commands.of_device(&mn, 100)}))
}

pub(crate) async fn get(
    State(state): State<ApiState>,
    Path(id): Path<u64>,
    Query(wait): Query<Wait>,
) -> Result<Json<Exchange>, ApiError> {
    answer(&state, id, wait.wait).await.map(Json)
}

async fn answer(state: &ApiState, id: u64, wait: Option<u64>) -> Result<Exchange, ApiError> {
    let found = match wait {
        Some(s) => {
            let limit = Duration::from_secs(s.min(MAX_WAIT_S));
            state.commands.wait(id, limit).await
        }
        None => state.commands.get(id),
    };
    found.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no command {id} (only the newest 10,000 are kept, and none across restarts)"),
        )
    })
}
