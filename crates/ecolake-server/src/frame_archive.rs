//! `GET /api/v1/devices/{mn}/frames?from=T&to=T[&limit=N]`: a device's frames from the frame
//! archive (`DIR/frames/`) in a window of time, for frames older than the recent ones kept in
//! memory. `T` is RFC 3339 or epoch milliseconds; one of the two may be left out (the window is
//! then 24 h from `from` or up to `to`); `to` is exclusive and the window at most 24 h.
//! Answer: `{"mn", "from", "to", "frames": [...], "more": bool}`, oldest first, at most
//! `limit` frames (`more`: there are further ones; ask again from the last one's time).
//!
//! Errors: 400 `bad_query` (a time that does not parse, `to` not after `from`, a window over
//! 24 h), 404 `no_frame_archive` (the server keeps none: `--frame-retention-days 0`), 500
//! `frame_archive_unreadable`.

use axum::Json;
use chrono::{DateTime, Utc};
use ecolake_ingest::hj212::frames::archive::MAX_WINDOW_MS;
use serde_json::{json, Value};

use crate::error::{ApiError, Code};
use crate::ops::FramesQuery;
use crate::ApiState;

/// Frames answered at most, whatever `limit` asks.
const MAX_LIMIT: usize = 10_000;

pub(crate) async fn window(
    state: &ApiState,
    mn: String,
    q: &FramesQuery,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: String| ApiError::new(Code::BadQuery, m);
    let from = q.from.as_deref().map(instant).transpose().map_err(bad)?;
    let to = q.to.as_deref().map(instant).transpose().map_err(bad)?;
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, f.saturating_add(MAX_WINDOW_MS)),
        (None, Some(t)) => (t.saturating_sub(MAX_WINDOW_MS), t),
        (None, None) => return Err(bad("`from` or `to` is needed".to_owned())),
    };
    if to <= from || to - from > MAX_WINDOW_MS {
        return Err(bad(format!(
            "the window must be positive and at most {} h",
            MAX_WINDOW_MS / 3_600_000
        )));
    }
    let Some(archive) = state.frames.archive().cloned() else {
        return Err(ApiError::new(
            Code::NoFrameArchive,
            "this server keeps no frame archive (--frame-retention-days 0)",
        ));
    };
    let limit = q.limit.min(MAX_LIMIT);
    let read_mn = mn.clone();
    let unreadable = |m: String| ApiError::new(Code::FrameArchiveUnreadable, m);
    let (frames, more) =
        tokio::task::spawn_blocking(move || archive.read(&read_mn, from, to, limit))
            .await
            .map_err(|e| unreadable(e.to_string()))?
            .map_err(|e| unreadable(format!("reading the frame archive: {e}")))?;
    Ok(Json(json!({
        "mn": mn,
        "from": from,
        "to": to,
        "frames": frames,
        "more": more,
    })))
}

/// UTC ms of RFC 3339 text or of epoch milliseconds.
fn instant(text: &str) -> Result<i64, String> {
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
        .map_err(|e| format!("`{text}` is neither RFC 3339 nor epoch milliseconds: {e}"))
}

#[cfg(test)]
mod tests {
    use super::instant;

    #[test]
    fn times_are_rfc3339_or_epoch_ms() {
        assert_eq!(instant("1772359200000"), Ok(1_772_359_200_000));
        assert_eq!(instant("2026-03-01T18:00:00+08:00"), Ok(1_772_359_200_000));
        assert!(instant("yesterday").unwrap_err().contains("`yesterday`"));
    }
}
