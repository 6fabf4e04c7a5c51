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
//!
//! Who may send: operators and admins any rows; an enterprise the rows of its own outlets
//! (other rows are refused one by one, `not an outlet of your enterprise`); keys need the
//! scope `ingest`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use ecolake_ingest::{read_body, FileFormat, ImportOptions, MAX_REJECTED_SHOWN};
use ecolake_qc::Origin;
use serde_json::{json, Value};

use crate::access::Access;
use crate::auth::{Caller, Need};
use crate::error::{ApiBytes, ApiError, Code};
use crate::{content_type, ApiState};

/// The largest body accepted.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// Send observations (JSON array, NDJSON or CSV with the columns of `ecolake import`).
#[utoipa::path(post, path = "/api/v1/observations", tag = "data", operation_id = "post_observations",
    request_body(description = "The columns of `ecolake import`", content(
        (String = "text/csv"),
        (Vec<Object> = "application/json"),
        (String = "application/x-ndjson"))),
    responses((status = 200, body = Object), (status = 422, body = Object),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody)))]
pub(crate) async fn post(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Need::Ingest)?;
    let own = match caller.enterprise() {
        Some(_) => {
            let catalog = state.catalog.get(&state.registry).await?;
            Some(Access::of(&state, &caller, &catalog).await?.own_sites)
        }
        None => None,
    };
    let format = match content_type(&headers) {
        "application/json" | "application/x-ndjson" | "application/jsonl" => FileFormat::Json,
        "text/csv" => FileFormat::Csv,
        other => {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
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
        .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?
        .map_err(|e| {
            let text = e.to_string();
            let text = text.strip_prefix("body: ").unwrap_or(&text).to_owned();
            ApiError::new(Code::BadBody, text)
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
        let (batch, kept) = match &own {
            Some(own) => {
                let (batch, kept) = own_rows(batch, own)?;
                for (row, keep) in kept.iter().enumerate() {
                    if !keep {
                        rejected += 1;
                        let line = parsed.lines.get(base + row).copied().unwrap_or(0);
                        errors.push((line, "not an outlet of your enterprise".to_owned()));
                    }
                }
                (batch, Some(kept))
            }
            None => (batch, None),
        };
        if batch.num_rows() == 0 {
            base += rows;
            continue;
        }
        let written = state
            .pipeline
            .submit(batch, Origin::Live { received_ms })
            .await
            .map_err(|e| ApiError::new(Code::NotStored, e.to_string()))?
            .map_err(|e| {
                ApiError::new(
                    Code::NotStored,
                    format!("the store failed, nothing of this request is acknowledged: {e}"),
                )
            })?;
        accepted += written.accepted as u64;
        rejected += written.rejected.len() as u64;
        for (row, reason) in written.rejected {
            // The row's position in the parsed batch, before the refused rows were left out.
            let row = match &kept {
                Some(kept) => kept
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| **k)
                    .nth(row)
                    .map_or(row, |(i, _)| i),
                None => row,
            };
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

/// The rows of `batch` whose site is one of `own`, and which rows those were.
fn own_rows(
    batch: arrow::record_batch::RecordBatch,
    own: &std::collections::BTreeSet<String>,
) -> Result<(arrow::record_batch::RecordBatch, Vec<bool>), ApiError> {
    use arrow::array::{Array, AsArray, BooleanArray};
    let site = batch
        .column_by_name("site")
        .ok_or_else(|| ApiError::internal("parsed observations without a site column"))?;
    let site = arrow::compute::cast(site, &arrow::datatypes::DataType::Utf8)
        .map_err(ApiError::internal)?;
    let site = site.as_string::<i32>();
    let kept: Vec<bool> = (0..site.len())
        .map(|i| site.is_valid(i) && own.contains(site.value(i)))
        .collect();
    let mask = BooleanArray::from(kept.clone());
    let batch = arrow::compute::filter_record_batch(&batch, &mask).map_err(ApiError::internal)?;
    Ok((batch, kept))
}
