//! The observation reads behind [`crate::data`]'s handlers, each in the caller's sandboxed
//! session (so they see only the rows the caller may read).

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimestampMillisecondType};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use ecolake_query::api::{self, Agg, Cursor, Every, SeriesRequest};
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::cache::Cacheable;
use crate::data::{AqiLatestQuery, AqiQuery, ObservationsQuery};
use crate::error::{ApiError, Code};
use crate::ApiState;

/// Rows per page at most.
pub const MAX_LIMIT: usize = 100_000;
/// How long a cache may keep data answers.
pub const DATA: Cacheable = Cacheable { max_age_s: 30 };

pub(crate) async fn observations(
    state: &ApiState,
    caller: &Caller,
    q: ObservationsQuery,
) -> Result<Response, ApiError> {
    let bad = |m: String| ApiError::new(Code::BadQuery, m);
    let list = |s: &Option<String>| -> Vec<String> {
        s.as_deref()
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let sites = list(&q.site);
    let catalog = state.catalog.get(&state.registry).await?;
    let time_zone = sites
        .first()
        .map_or(chrono_tz::Asia::Shanghai, |s| catalog.time_zone(s));
    let every = q
        .every
        .as_deref()
        .map(str::parse::<Every>)
        .transpose()
        .map_err(bad)?;
    let agg = match (&q.agg, every) {
        (Some(_), None) => return Err(bad("agg needs every (1h, 1d or 1mo)".to_owned())),
        (Some(a), Some(_)) => a.parse::<Agg>().map_err(bad)?,
        (None, _) => Agg::Mean,
    };
    let limit = q.limit.unwrap_or(1000);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad(format!("limit {limit}: must be 1 to {MAX_LIMIT}")));
    }
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(bad(format!("format `{other}`: json or csv"))),
    };
    if let Some(p) = &q.period {
        p.parse::<ecolake_model::Period>()
            .map_err(|_| bad(format!("period `{p}`: rtd, min, hour, day, month or year")))?;
    }
    let request = SeriesRequest {
        sites,
        factors: list(&q.factor),
        period: q.period.clone(),
        from_ms: q
            .from
            .as_deref()
            .map(|t| instant(t, time_zone))
            .transpose()
            .map_err(bad)?,
        to_ms: q
            .to
            .as_deref()
            .map(|t| instant(t, time_zone))
            .transpose()
            .map_err(bad)?,
        every,
        agg,
        time_zone,
        limit,
        after: q
            .cursor
            .as_deref()
            .map(Cursor::decode)
            .transpose()
            .map_err(bad)?,
    };
    let ctx = crate::sql::session(state, caller).await?;
    let page = bounded(state, api::series(&ctx, None, &request)).await?;
    let next = page.next.as_ref().map(Cursor::encode);
    if csv {
        let mut out = Vec::new();
        {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut out);
            for b in &page.batches {
                w.write(b).map_err(ApiError::internal)?;
            }
        }
        let mut response =
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response();
        if let Some(n) = next.and_then(|n| n.parse().ok()) {
            response.headers_mut().insert("x-next-cursor", n);
        }
        return Ok(response);
    }
    let items = rows_json(&page.batches, time_zone)?;
    Ok((
        Extension(DATA),
        Json(json!({ "items": items, "next": next })),
    )
        .into_response())
}

/// `read` within the configured query time (`[api] sql_timeout_s`): a read that takes longer
/// is stopped (dropping it cancels the query) and answered 422 `query_limit`.
async fn bounded<T>(
    state: &ApiState,
    read: impl std::future::Future<Output = Result<T, ecolake_query::QueryError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(state.config.sql_timeout, read).await {
        // The caller wrote no SQL: a query the parameters make invalid is a bad query.
        Ok(r) => r.map_err(|e| match ApiError::from(e) {
            e if e.code() == Code::BadSql => ApiError::new(Code::BadQuery, e.message()),
            e => e,
        }),
        Err(_) => Err(ApiError::new(
            Code::QueryLimit,
            format!(
                "the read did not finish within {} s; narrow the time range or the sites",
                state.config.sql_timeout.as_secs()
            ),
        )),
    }
}

/// `T` as UTC ms: RFC 3339, or a date (`YYYY-MM-DD`, local midnight in `tz`).
fn instant(t: &str, tz: Tz) -> Result<i64, String> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(d.timestamp_millis());
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        format!("time `{t}`: RFC 3339 (2025-03-01T08:00:00+08:00) or a date (2025-03-01)")
    })?;
    tz.from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|d| d.timestamp_millis())
        .ok_or_else(|| format!("time `{t}`: no local midnight in {tz}"))
}

/// Series batches as JSON objects, times in RFC 3339 at `tz`'s offset.
pub(crate) fn rows_json(batches: &[RecordBatch], tz: Tz) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for b in batches {
        let schema = b.schema();
        for i in 0..b.num_rows() {
            let mut m = Map::new();
            for (f, c) in schema.fields().iter().zip(b.columns()) {
                m.insert(f.name().clone(), cell(c.as_ref(), i, tz)?);
            }
            out.push(Value::Object(m));
        }
    }
    Ok(out)
}

fn cell(c: &dyn Array, i: usize, tz: Tz) -> Result<Value, ApiError> {
    if c.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match c.data_type() {
        DataType::Timestamp(..) => {
            let ms = c.as_primitive::<TimestampMillisecondType>().value(i);
            let t = tz
                .timestamp_millis_opt(ms)
                .single()
                .ok_or_else(|| ApiError::internal("time out of range"))?;
            Value::String(t.to_rfc3339())
        }
        DataType::Float64 => {
            let v = c.as_primitive::<Float64Type>().value(i);
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
        }
        DataType::Int64 => Value::from(c.as_primitive::<Int64Type>().value(i)),
        DataType::Utf8 => Value::String(c.as_string::<i32>().value(i).to_owned()),
        _ => {
            let text = arrow::compute::cast(&c.slice(i, 1), &DataType::Utf8)
                .map_err(ApiError::internal)?;
            Value::String(text.as_string::<i32>().value(0).to_owned())
        }
    })
}

pub(crate) async fn latest(
    state: &ApiState,
    caller: &Caller,
    code: &str,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.catalog.get(&state.registry).await?;
    let tz = catalog.time_zone(code);
    let ctx = crate::sql::session(state, caller).await?;
    let batches = bounded(state, api::latest(&ctx, None, code)).await?;
    Ok(Json(
        json!({ "site": code, "values": rows_json(&batches, tz)? }),
    ))
}

pub(crate) async fn aqi_latest(
    state: &ApiState,
    caller: &Caller,
    q: AqiLatestQuery,
) -> Result<Json<Value>, ApiError> {
    let list = crate::meta::ListQuery {
        division: q.division,
        medium: Some("air".to_owned()),
        bbox: q.bbox,
        limit: Some(crate::meta::MAX_LIMIT),
        ..Default::default()
    };
    let Json(page) = crate::meta::list(state, caller, crate::meta::List::Sites, list).await?;
    let sites: Vec<String> = page
        .items
        .iter()
        .filter_map(|s| s["code"].as_str().map(str::to_owned))
        .collect();
    let ctx = crate::sql::session(state, caller).await?;
    let batches = bounded(state, api::aqi_latest(&ctx, None, &sites)).await?;
    Ok(Json(
        json!({ "sites": rows_json(&batches, chrono_tz::Asia::Shanghai)? }),
    ))
}

pub(crate) async fn aqi(
    state: &ApiState,
    caller: &Caller,
    q: AqiQuery,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: String| ApiError::new(Code::BadQuery, m);
    let catalog = state.catalog.get(&state.registry).await?;
    let tz = catalog.time_zone(&q.site);
    let from = q
        .from
        .as_deref()
        .map(|t| instant(t, tz))
        .transpose()
        .map_err(bad)?;
    let to =
        q.to.as_deref()
            .map(|t| instant(t, tz))
            .transpose()
            .map_err(bad)?;
    let ctx = crate::sql::session(state, caller).await?;
    let batches = match q.report.as_deref() {
        Some("hourly") => bounded(state, api::aqi_hourly(&ctx, None, &q.site, from, to)).await?,
        _ => bounded(state, api::aqi_daily(&ctx, None, &q.site, from, to)).await?,
    };
    Ok(Json(json!({
        "site": q.site,
        "report": q.report.as_deref().unwrap_or("daily"),
        "items": rows_json(&batches, tz)?,
    })))
}
