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

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use ecolake_ingest::hj212::commands::{CommandError, Exchange, Request};
use serde_json::{json, Value};

use crate::auth::{Caller, Need};
use crate::error::{ApiError, ApiPath, Code};
use crate::ApiState;

/// Longest wait a caller may ask for.
const MAX_WAIT_S: u64 = 600;

/// The body of a request.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cn": 2061, "params": {"BeginTime": "20250301000000", "EndTime": "20250301230000"}}))]
pub(crate) struct Body {
    /// The command's CN (HJ 212).
    cn: u16,
    /// Its parameters.
    #[serde(default)]
    params: BTreeMap<String, String>,
    /// Seconds to wait for each answer (1–99).
    #[schema(minimum = 1, maximum = 99)]
    over_time_s: Option<u64>,
    /// Retries (1–99).
    #[schema(minimum = 1, maximum = 99)]
    re_count: Option<u32>,
}

/// `?wait=SECONDS`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Wait {
    /// Seconds to wait for the exchange to end (at most 600).
    wait: Option<u64>,
}

/// Send a command to a device (operators).
#[utoipa::path(post, path = "/api/v1/devices/{mn}/commands", tag = "ingest", operation_id = "send_command",
    params(("mn" = String, Path, description = "The device's MN"), Wait),
    request_body = Body,
    responses((status = 200, body = Object), (status = 202, body = Object),
        (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn send(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(mn): ApiPath<String>,
    wait: Result<Query<Wait>, axum::extract::rejection::QueryRejection>,
    body: Result<Json<Body>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Need::Operate)?;
    let Query(wait) = wait?;
    let Json(body) = body.map_err(|e| ApiError::new(Code::BadCommand, e.body_text()))?;
    if body.over_time_s.is_some_and(|s| !(1..=99).contains(&s))
        || body.re_count.is_some_and(|n| !(1..=99).contains(&n))
    {
        return Err(ApiError::new(
            Code::BadCommand,
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
        let code = match &e {
            CommandError::Invalid(_) => Code::BadCommand,
            CommandError::NotConnected(_) => Code::DeviceNotConnected,
            CommandError::Busy { .. } => Code::DeviceBusy,
        };
        ApiError::new(code, e.to_string())
    })?;
    let exchange = answer(&state, id, wait.wait).await?;
    let status = match exchange.state.is_final() {
        true => StatusCode::OK,
        false => StatusCode::ACCEPTED,
    };
    Ok((status, Json(exchange)).into_response())
}

/// A device's commands, newest first (operators).
#[utoipa::path(get, path = "/api/v1/devices/{mn}/commands", tag = "ingest", operation_id = "device_commands",
    params(("mn" = String, Path, description = "The device's MN")),
    responses((status = 200, body = Object)))]
pub(crate) async fn of_device(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(mn): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    Ok(Json(
        json!({"mn": mn, "commands": state.commands.of_device(&mn, 100)}),
    ))
}

/// One command (operators).
#[utoipa::path(get, path = "/api/v1/commands/{id}", tag = "ingest", operation_id = "command",
    params(("id" = u64, Path, description = "The command's id"), Wait),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn get(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<u64>,
    wait: Result<Query<Wait>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Exchange>, ApiError> {
    caller.require(Need::Operate)?;
    let Query(wait) = wait?;
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
            Code::NotFound,
            format!("no command {id} (only the newest 10,000 are kept, and none across restarts)"),
        )
    })
}
