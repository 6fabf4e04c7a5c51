//! The registry's metadata: `GET /api/v1/sites`, `/sites/{code}`, `/enterprises`, `/outlets`,
//! `/permits`, `/datasets`, `/datasets/{name}`.
//!
//! Lists take `division` (a GB/T 2260 code; a province or city code covers what is below it;
//! outlets and permits are in their enterprise's division), `medium` (sites), `enterprise`
//! (outlets, permits), `bbox=west,south,east,north` (WGS84; rows with a location), `q` (text
//! in the code or names, case-insensitive), `tier` (datasets), `sort` (`code` or `name`,
//! `-` for descending; default the key), `limit` (1–1000, default 100) and `cursor` (the
//! `next` of the previous page). Pages are stable: a cursor names the last row's sort value
//! and key, so rows added or removed meanwhile never shift a page.
//!
//! Answer: `{"items": [...], "next": CURSOR | null}`. Fields the configuration hides
//! (`[api] hidden_fields`) are left out for callers who are not staff, except an enterprise's
//! own rows for that enterprise.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::Extension;
use axum::Json;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::access::Access;
use crate::auth::Caller;
use crate::cache::Cacheable;
use crate::error::{ApiBytes, ApiError, ApiPath, Code};
use crate::ApiState;

/// How long a cache may serve registry metadata.
pub const METADATA: Cacheable = Cacheable { max_age_s: 60 };

/// Rows per page at most.
pub const MAX_LIMIT: usize = 1000;

/// The query of a list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// A GB/T 2260 division code; `110000` covers `11xxxx`, `110100` covers `1101xx`.
    pub division: Option<String>,
    /// Sites of this medium (`air`, `surface-water` …).
    pub medium: Option<String>,
    /// Outlets and permits of this enterprise (credit code).
    pub enterprise: Option<String>,
    /// `west,south,east,north`, WGS84 degrees.
    pub bbox: Option<String>,
    /// Text in the code, name or English name.
    pub q: Option<String>,
    /// Datasets of this tier.
    pub tier: Option<String>,
    /// `code`, `name`, `-code` or `-name`.
    pub sort: Option<String>,
    /// Rows per page (1–1000, default 100).
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
}

/// A page of rows.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page {
    /// The rows.
    pub items: Vec<Value>,
    /// The cursor of the next page; `null` on the last.
    pub next: Option<String>,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Sites,
    Enterprises,
    Outlets,
    Permits,
    Datasets,
}

impl List {
    /// The hidden-fields key and the key field.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            List::Sites => ("sites", "code"),
            List::Enterprises => ("enterprises", "credit_code"),
            List::Outlets => ("outlets", "code"),
            List::Permits => ("permits", "number"),
            List::Datasets => ("datasets", "name"),
        }
    }
}

/// Registry rows of one list as JSON objects, with the enterprise each belongs to.
fn rows(
    state_catalog: &crate::catalog::Catalog,
    list: List,
) -> Vec<(Map<String, Value>, Option<String>)> {
    fn obj<T: serde::Serialize>(v: &T) -> Map<String, Value> {
        match serde_json::to_value(v) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
    let c = state_catalog;
    match list {
        List::Sites => c.sites.iter().map(|s| (obj(s), None)).collect(),
        List::Enterprises => c
            .enterprises
            .iter()
            .map(|e| (obj(e), Some(e.credit_code.clone())))
            .collect(),
        List::Outlets => c
            .outlets
            .iter()
            .map(|o| (obj(o), Some(o.enterprise.clone())))
            .collect(),
        List::Permits => c
            .permits
            .iter()
            .map(|p| (obj(p), Some(p.enterprise.clone())))
            .collect(),
        List::Datasets => c.datasets.iter().map(|d| (obj(d), None)).collect(),
    }
}

pub(crate) async fn list(
    state: &ApiState,
    caller: &Caller,
    list: List,
    q: ListQuery,
) -> Result<Json<Page>, ApiError> {
    let catalog = state.catalog.get(&state.registry).await?;
    let (kind, key) = list.names();
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            Code::BadQuery,
            format!("limit {limit}: must be 1 to {MAX_LIMIT}"),
        ));
    }
    let (sort_field, descending) = match q.sort.as_deref() {
        None => (key, false),
        Some(s) => {
            let (field, desc) = s.strip_prefix('-').map_or((s, false), |f| (f, true));
            let field = match field {
                "code" => key,
                "name" => {
                    if list == List::Datasets {
                        "title"
                    } else {
                        "name"
                    }
                }
                other => {
                    return Err(ApiError::new(
                        Code::BadQuery,
                        format!("sort `{other}`: must be code or name, `-` first for descending"),
                    ))
                }
            };
            (field, desc)
        }
    };
    let bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    let text = q.q.as_deref().map(str::to_lowercase);
    let division_of: BTreeMap<&str, Option<&str>> = catalog
        .enterprises
        .iter()
        .map(|e| (e.credit_code.as_str(), e.division.as_deref()))
        .collect();
    let str_of =
        |m: &Map<String, Value>, f: &str| m.get(f).and_then(Value::as_str).map(str::to_owned);
    let hidden = state.config.hidden_fields.get(kind);
    let mut items: Vec<(String, String, Map<String, Value>)> = Vec::new();
    for (mut m, enterprise) in rows(&catalog, list) {
        let division = match list {
            List::Outlets | List::Permits => enterprise
                .as_deref()
                .and_then(|e| division_of.get(e).copied().flatten())
                .map(str::to_owned),
            _ => str_of(&m, "division"),
        };
        if let Some(d) = &q.division {
            if !division.as_deref().is_some_and(|x| in_division(x, d)) {
                continue;
            }
        }
        if q.medium.is_some() && str_of(&m, "medium") != q.medium {
            continue;
        }
        if q.enterprise.is_some() && enterprise != q.enterprise {
            continue;
        }
        if q.tier.is_some() && str_of(&m, "tier") != q.tier {
            continue;
        }
        if let Some([w, s, e, n]) = bbox {
            let at = (
                m.get("lon").and_then(Value::as_f64),
                m.get("lat").and_then(Value::as_f64),
            );
            match at {
                (Some(lon), Some(lat)) if lon >= w && lon <= e && lat >= s && lat <= n => {}
                _ => continue,
            }
        }
        if let Some(t) = &text {
            let hit = [key, "name", "name_en", "title", "title_en"]
                .iter()
                .filter_map(|f| str_of(&m, f))
                .any(|v| v.to_lowercase().contains(t.as_str()));
            if !hit {
                continue;
            }
        }
        let own = enterprise.is_some() && enterprise.as_deref() == caller.enterprise();
        if let Some(hidden) = hidden {
            if !caller.is_staff() && !own {
                for f in hidden {
                    m.remove(f);
                }
            }
        }
        let sort_value = str_of(&m, sort_field).unwrap_or_default();
        let key_value = str_of(&m, key).unwrap_or_default();
        items.push((sort_value, key_value, m));
    }
    items.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    if descending {
        items.reverse();
    }
    let start = match q.cursor.as_deref() {
        None => 0,
        Some(c) => {
            let (sv, kv) = decode_cursor(c)?;
            let after = |item: &(String, String, Map<String, Value>)| {
                let ord = (&item.0, &item.1).cmp(&(&sv, &kv));
                if descending {
                    ord.is_lt()
                } else {
                    ord.is_gt()
                }
            };
            items.iter().position(after).unwrap_or(items.len())
        }
    };
    let page: Vec<_> = items.into_iter().skip(start).take(limit + 1).collect();
    let next = (page.len() > limit).then(|| encode_cursor(&page[limit - 1].0, &page[limit - 1].1));
    Ok(Json(Page {
        items: page
            .into_iter()
            .take(limit)
            .map(|(_, _, m)| Value::Object(m))
            .collect(),
        next,
    }))
}

/// Whether division `code` is `within` or below it.
fn in_division(code: &str, within: &str) -> bool {
    if within.len() == 6 && within.ends_with("0000") {
        code.starts_with(&within[..2])
    } else if within.len() == 6 && within.ends_with("00") {
        code.starts_with(&within[..4])
    } else {
        code == within
    }
}

fn parse_bbox(s: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::new(
            Code::BadQuery,
            format!(
                "bbox `{s}`: must be west,south,east,north in degrees (west < east, south < north)"
            ),
        )
    };
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    match v[..] {
        [w, s, e, n]
            if v.iter().all(|x| x.is_finite())
                && w < e
                && s < n
                && (-180.0..=180.0).contains(&w)
                && (-180.0..=180.0).contains(&e)
                && (-90.0..=90.0).contains(&s)
                && (-90.0..=90.0).contains(&n) =>
        {
            Ok([w, s, e, n])
        }
        _ => Err(bad()),
    }
}

fn encode_cursor(sort_value: &str, key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!([sort_value, key]).to_string())
}

fn decode_cursor(c: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::new(Code::BadQuery, "cursor: not one this API gave out");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let (a, b): (String, String) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    Ok((a, b))
}

macro_rules! list_handler {
    ($name:ident, $list:expr, $path:literal, $what:literal) => {
        #[doc = concat!("`GET ", $path, "`.")]
        #[utoipa::path(get, path = $path, tag = "registry", params(ListQuery),
            description = $what,
            responses((status = 200, body = Page), (status = 400, body = crate::error::ErrorBody)))]
        pub(crate) async fn $name(
            State(state): State<ApiState>,
            Extension(caller): Extension<Caller>,
            q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
        ) -> Result<(Extension<Cacheable>, Json<Page>), ApiError> {
            let Query(q) = q?;
            Ok((Extension(METADATA), list(&state, &caller, $list, q).await?))
        }
    };
}

list_handler!(sites, List::Sites, "/api/v1/sites", "Monitoring sites.");
list_handler!(
    enterprises,
    List::Enterprises,
    "/api/v1/enterprises",
    "Enterprises (pollution sources)."
);
list_handler!(
    outlets,
    List::Outlets,
    "/api/v1/outlets",
    "Outlets of the enterprises."
);
list_handler!(
    permits,
    List::Permits,
    "/api/v1/permits",
    "Discharge permits."
);
list_handler!(
    datasets,
    List::Datasets,
    "/api/v1/datasets",
    "The data resource catalog, with each dataset's tier."
);

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{code}", tag = "registry",
    params(("code" = String, Path, description = "The site's code")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn site(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(code): ApiPath<String>,
) -> Result<(Extension<Cacheable>, Json<Value>), ApiError> {
    Ok((
        Extension(METADATA),
        one(&state, &caller, List::Sites, &code).await?,
    ))
}

/// One dataset, with whether the caller may read it.
#[utoipa::path(get, path = "/api/v1/datasets/{name}", tag = "registry",
    params(("name" = String, Path, description = "The dataset's name")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn dataset(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let Json(mut v) = one(&state, &caller, List::Datasets, &name).await?;
    let catalog = state.catalog.get(&state.registry).await?;
    let access = Access::of(&state, &caller, &catalog).await?;
    if let Value::Object(m) = &mut v {
        m.insert("readable".to_owned(), Value::Bool(access.may_read(&name)));
    }
    Ok(Json(v))
}

async fn one(
    state: &ApiState,
    caller: &Caller,
    list: List,
    key: &str,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.catalog.get(&state.registry).await?;
    let (kind, key_field) = list.names();
    let found = rows(&catalog, list)
        .into_iter()
        .find(|(m, _)| m.get(key_field).and_then(Value::as_str) == Some(key));
    let Some((mut m, enterprise)) = found else {
        return Err(ApiError::new(
            Code::NotFound,
            format!("no {} `{key}`", &kind[..kind.len() - 1]),
        ));
    };
    let own = enterprise.is_some() && enterprise.as_deref() == caller.enterprise();
    if let Some(hidden) = state.config.hidden_fields.get(kind) {
        if !caller.is_staff() && !own {
            for f in hidden {
                m.remove(f);
            }
        }
    }
    Ok(Json(Value::Object(m)))
}

/// `?partial=true`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WriteQuery {
    /// Apply the good rows when some are refused (default: all or nothing).
    #[serde(default)]
    pub partial: bool,
}

/// Inserts or updates registry rows of one kind (operators): the body is a JSON array of
/// objects or a CSV file with the columns of `ecolake registry import --kind KIND`, checked
/// and audited the same way. Answer: `{"kind", "rows", "applied", "errors": [{"line",
/// "reason"}]}`, 422 when rows were refused and none applied.
#[utoipa::path(post, path = "/api/v1/registry/{kind}", tag = "registry", operation_id = "registry_write",
    params(("kind" = String, Path, description = "sites, enterprises, outlets, permits, permit_limits, devices, datasets …"), WriteQuery),
    request_body(description = "A JSON array of rows, or CSV", content(
        (Vec<Object> = "application/json"),
        (String = "text/csv"))),
    responses((status = 200, body = Object), (status = 422, body = Object),
        (status = 403, body = crate::error::ErrorBody)))]
pub(crate) async fn write(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(kind): ApiPath<String>,
    q: Result<Query<WriteQuery>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    use ecolake_registry::{Format, ImportOptions, Kind};
    caller.require(crate::auth::Need::Operate)?;
    let Query(q) = q?;
    let kind: Kind = kind
        .parse()
        .map_err(|e: String| ApiError::new(Code::NotFound, e))?;
    let format = match crate::content_type(&headers) {
        "application/json" => Format::Json,
        "text/csv" => Format::Csv,
        other => {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                format!("Content-Type `{other}`: send application/json or text/csv"),
            ))
        }
    };
    let options = ImportOptions {
        actor: caller.actor(),
        partial: q.partial,
    };
    let report = state.registry.import(kind, format, &body, &options).await?;
    state.catalog.invalidate().await;
    let status = if report.applied == 0 && !report.errors.is_empty() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "kind": kind.as_str(),
            "rows": report.rows,
            "applied": report.applied,
            "errors": report.errors.iter().map(|e| json!({"line": e.line, "reason": e.reason})).collect::<Vec<_>>(),
        })),
    ))
}
