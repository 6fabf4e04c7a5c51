//! Observations, latest values and the AQI, each limited to what the caller may read
//! ([`crate::access`]) by reading through the caller's sandboxed session.
//!
//! - `GET /api/v1/observations?site=&factor=&period=&from=&to=[&every=1h|1d|1mo&agg=mean|min|
//!   max|p95|count][&limit=N&cursor=C][&format=json|csv]`: `site` and `factor` take one code
//!   or a comma-separated list; `from`/`to` are RFC 3339 times or dates (`to` exclusive).
//!   Raw rows page with `limit` (default 1000, at most 100,000) and `cursor`; aggregates are
//!   buckets of the site's local time (a day is local midnight to midnight).
//! - `GET /api/v1/sites/{code}/latest`: the newest value of each factor and period.
//! - `GET /api/v1/aqi/latest?division=|bbox=`: the newest hourly AQI of each air site.
//! - `GET /api/v1/aqi?site=&from=&to=&report=daily|hourly`: a site's AQI reports.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::{Extension, Json};
use ecolake_registry::SqlTable;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Caller;
use crate::catalog::Catalog;
use crate::error::{ApiError, ApiPath, Code};
use crate::ApiState;

/// The registry tables `caller` sees in SQL: every table less the fields hidden from callers
/// who are not staff; `devices` for staff only.
pub(crate) fn visible_tables(
    state: &ApiState,
    caller: &Caller,
    catalog: &Catalog,
) -> Vec<SqlTable> {
    catalog
        .tables
        .iter()
        .filter(|t| caller.is_staff() || t.name != "devices")
        .filter_map(|t| {
            let hidden = match state.config.hidden_fields.get(t.name) {
                Some(h) if !caller.is_staff() => h,
                _ => return Some(t.clone()),
            };
            let schema = t.batch.schema();
            let keep: Vec<usize> = (0..schema.fields().len())
                .filter(|&i| !hidden.contains(schema.field(i).name()))
                .collect();
            // Fail closed: a table that cannot be cut is left out, never shown whole.
            let batch = t.batch.project(&keep).ok()?;
            Some(SqlTable {
                name: t.name,
                batch,
            })
        })
        .collect()
}

/// `GET /api/v1/observations`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ObservationsQuery {
    /// Site or outlet codes, comma-separated.
    pub site: Option<String>,
    /// Factor codes, comma-separated.
    pub factor: Option<String>,
    /// `rtd`, `min`, `hour`, `day`, `month`, `year`.
    pub period: Option<String>,
    /// From (inclusive): RFC 3339 or `YYYY-MM-DD` (the site's local midnight).
    pub from: Option<String>,
    /// To (exclusive).
    pub to: Option<String>,
    /// Buckets: `1h`, `1d`, `1mo`.
    pub every: Option<String>,
    /// With `every`: `mean`, `min`, `max`, `p95`, `count` (default `mean`).
    pub agg: Option<String>,
    /// Rows per page.
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Observations, raw or aggregated.
#[utoipa::path(get, path = "/api/v1/observations", tag = "data", params(ObservationsQuery),
    responses((status = 200, description = "`format=json` (default): a page; `format=csv`: the rows", content(
            (Object = "application/json"),
            (String = "text/csv"))),
        (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn observations(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<ObservationsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q?;
    crate::series::observations(&state, &caller, q).await
}

/// The newest value of each factor at a site.
#[utoipa::path(get, path = "/api/v1/sites/{code}/latest", tag = "data",
    params(("code" = String, Path, description = "The site's or outlet's code")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn latest(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    crate::series::latest(&state, &caller, &code).await
}

/// `GET /api/v1/aqi/latest`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AqiLatestQuery {
    /// Sites in this division (GB/T 2260; a province or city covers what is below).
    pub division: Option<String>,
    /// Sites in `west,south,east,north`.
    pub bbox: Option<String>,
}

/// The newest hourly AQI of each air-quality site.
#[utoipa::path(get, path = "/api/v1/aqi/latest", tag = "data", params(AqiLatestQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn aqi_latest(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<AqiLatestQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    crate::series::aqi_latest(&state, &caller, q).await
}

/// `GET /api/v1/aqi`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AqiQuery {
    /// The site.
    pub site: String,
    /// From: RFC 3339 or a date.
    pub from: Option<String>,
    /// To (exclusive).
    pub to: Option<String>,
    /// `daily` (default) or `hourly`.
    pub report: Option<String>,
}

/// A site's AQI reports (HJ 633).
#[utoipa::path(get, path = "/api/v1/aqi", tag = "data", params(AqiQuery),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn aqi(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<AqiQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    if !matches!(q.report.as_deref(), None | Some("daily" | "hourly")) {
        return Err(ApiError::new(Code::BadQuery, "report: daily or hourly"));
    }
    crate::series::aqi(&state, &caller, q).await
}
