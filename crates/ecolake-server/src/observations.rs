//! `POST /api/v1/observations`.
//!
//! The body is read as `ecolake import` reads a file of that format (same columns, same row
//! checks), then quality-checked and written like live data. The answer comes when the
//! accepted rows are durable:
//!
//! - 200 `{"rows": N, "accepted": A, "rejected": R, "errors": [{"line": L, "reason": "…"}]}`
//!   when at least one row was accepted or the body held no rows (errors: the first 100; `line`
//!   is the CSV line, the NDJSON line or the 1-based position in a JSON array);
//! - 422 with the same body when rows were sent and none was accepted;
//! - 400 `bad_body` when the body cannot be read at all, 415 `unsupported_media_type` for
//!   another content type, 413 when it exceeds [`MAX_BODY_BYTES`], 503 `not_stored` when the
//!   store failed (nothing of the request is acknowledged; send it again).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use ecolake_ingest::{read_body, FileFormat, ImportOptions, MAX_REJECTED_SHOWN};
use ecolake_qc::Origin;
use serde_json::{json, Value};

use crate::{content_type, ApiError, ApiState};

/// The largest body accepted.
pub const MAX_BODY_BYTES: usize = 64 << 20;

pub(crate) async fn post(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let format = match content_type(&headers) {
        "application/json" | "application/x-ndjson" | "application/jsonl" => FileFormat::Json,
        "text/csv" => FileFormat::Csv,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                "Content-Type `{other}`: send application/json, application/x-ndjson or text/csv"
            ),
            ))
        }
    };
    let options = ImportOptions {
        source: Some("http".to_owned()),
        ..ImportOptions::default()
    };
    let parsed = tokio::task::spawn_blocking(move || read_body("body", &body, format, &options))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(|e| {
            let text = e.to_string();
            let text = text.strip_prefix("body: ").unwrap_or(&text).to_owned();
            ApiError::new(StatusCode::BAD_REQUEST, "bad_body", text)
        })?;
    let mut errors: Vec<(u64, String)> = parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.clone()))
        .collect();
    let mut rejected = parsed.rejected_count;
    let mut accepted = 0u64;
    let mut base = 0usize;
    let received_ms = chrono::Utc::now().timestamp_millis();
    for batch in parsed.batches {
        let rows = batch.num_rows();
        let written = state
            .pipeline
            .submit(batch, Origin::Live { received_ms })
            .await
            .map_err(|e| {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_stored", e.to_string())
            })?
            .map_err(|e| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "not_stored",
                    format!("the store failed, nothing of this request is acknowledged: {e}"),
                )
            })?;
        accepted += written.accepted as u64;
        rejected += written.rejected.len() as u64;
        for (row, reason) in written.rejected {
            let line = parsed.lines.get(base + row).copied().unwrap_or(0);
            errors.push((line, reason));
        }
        base += rows;
    }
    errors.sort_by_key(|e| e.0);
    errors.truncate(MAX_REJECTED_SHOWN);
    let status = if accepted == 0 && rejected > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "rows": parsed.input_rows,
            "accepted": accepted,
            "rejected": rejected,
            "errors": errors
                .into_iter()
                .map(|(line, reason)| json!({"line": line, "reason": reason}))
                .collect::<Vec<_>>(),
        })),
    ))
}
