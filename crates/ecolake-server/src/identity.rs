//! Signing in, API keys, the sharing workflow and the audit log over HTTP.
//!
//! - `POST /api/v1/auth/login` `{"name", "password"}` → `{"token", "expires_ms", "user"}`
//!   (a session token for `Authorization: Bearer`); a wrong name or password is 401
//!   `login_failed` and an audit record. `POST /api/v1/auth/logout` ends the session.
//! - `GET /api/v1/me`: the caller, its role and scopes and the datasets it may read.
//! - `GET|POST /api/v1/keys`, `DELETE /api/v1/keys/{id}` (admins): list (never secrets),
//!   create (the token is in this answer only), revoke.
//! - `POST /api/v1/access-requests` `{"dataset", "purpose"}` (signed in): ask for a
//!   conditional dataset; `GET /api/v1/access-requests[?status=pending]` (operators see all,
//!   others their own); `POST /api/v1/access-requests/{id}/approve` `{"until": RFC 3339 | null,
//!   "note"}` and `/reject` `{"note"}` (operators): an approval grants the requester the dataset
//!   until then.
//! - `GET /api/v1/grants` (operators), `DELETE /api/v1/grants/{id}` (operators).
//! - `GET /api/v1/audit?after=ID&limit=N` (admins): the audit log; `GET /api/v1/audit/verify`
//!   (admins): the chain checked.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use ecolake_registry::{NewKey, Role, Scopes};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::access::Access;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ApiPath, Code};
use crate::ApiState;

/// A login.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// User name.
    pub name: String,
    /// Password.
    pub password: String,
}

/// Sign in: a session token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "identity", request_body = Login,
    responses((status = 200, body = Object), (status = 401, body = crate::error::ErrorBody)))]
pub(crate) async fn login(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(login) = body?;
    match state
        .registry
        .login(&login.name, &login.password, state.config.session_ttl)
        .await?
    {
        Some((user, token, expires_ms)) => Ok(Json(json!({
            "token": token,
            "expires_ms": expires_ms,
            "user": user,
        }))),
        None => {
            state
                .audit
                .send(crate::audit::event(
                    &caller,
                    "login_failure",
                    "users",
                    &login.name,
                    "login",
                    json!({ "addr": caller.addr.to_string() }),
                ))
                .await;
            Err(ApiError::new(
                Code::LoginFailed,
                "wrong user name or password",
            ))
        }
    }
}

/// End the session of the bearer token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "identity",
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub(crate) async fn logout(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = match (&caller.principal, crate::auth::bearer(&headers)?) {
        (Some(_), Some(token)) => token,
        _ => return Err(ApiError::new(Code::Unauthorized, "not signed in")),
    };
    state.registry.logout(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller and what it may read.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", responses((status = 200, body = Object)))]
pub(crate) async fn me(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    let catalog = state.catalog.get(&state.registry).await?;
    let access = Access::of(&state, &caller, &catalog).await?;
    let p = caller.principal.as_ref();
    Ok(Json(json!({
        "actor": caller.actor(),
        "role": caller.role(),
        "enterprise": p.and_then(|p| p.enterprise.clone()),
        "department": p.and_then(|p| p.department.clone()),
        "scopes": p.map(|p| p.scopes.to_string()),
        "datasets": access.datasets,
        "all_data": access.all,
    })))
}

/// A key to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// What the key is for.
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"
    )]
    pub name: String,
    /// The user the key acts for (its role, enterprise and department).
    pub user: Option<String>,
    /// The key's role when it acts for no user.
    #[schema(pattern = "^(admin|operator|analyst|enterprise|public)$")]
    pub role: Option<String>,
    /// The enterprise of an `enterprise` key.
    pub enterprise: Option<String>,
    /// The department of the key.
    pub department: Option<String>,
    /// `;`-separated scopes (`read;sql;ingest;admin`); default: the role's.
    #[schema(pattern = "^(read|sql|ingest|admin)(;(read|sql|ingest|admin))*$")]
    pub scopes: Option<String>,
    /// Expiry, RFC 3339.
    pub expires: Option<String>,
    /// Requests per minute (default the server's).
    pub rate_per_min: Option<u32>,
    /// Requests per hour (default the server's).
    pub rate_per_hour: Option<u32>,
}

/// Create an API key (admins): the token is in this answer only.
#[utoipa::path(post, path = "/api/v1/keys", tag = "identity", request_body = KeyRequest,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub(crate) async fn create_key(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<KeyRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Need::Admin)?;
    let Json(k) = body?;
    let bad = |m: String| ApiError::new(Code::BadBody, m);
    let role = k
        .role
        .as_deref()
        .map(str::parse::<Role>)
        .transpose()
        .map_err(bad)?;
    let scopes = k
        .scopes
        .as_deref()
        .map(str::parse::<Scopes>)
        .transpose()
        .map_err(bad)?;
    let expires_ms = k
        .expires
        .as_deref()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.timestamp_millis())
                .map_err(|e| bad(format!("expires `{t}`: {e} (RFC 3339)")))
        })
        .transpose()?;
    let new = NewKey {
        name: k.name,
        user: k.user,
        role,
        enterprise: k.enterprise,
        department: k.department,
        scopes,
        expires_ms,
        rate_per_min: k.rate_per_min,
        rate_per_hour: k.rate_per_hour,
    };
    let (key, token) = state.registry.create_key(&caller.actor(), &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"key": key, "token": token})),
    ))
}

/// Every API key (admins); never a secret.
#[utoipa::path(get, path = "/api/v1/keys", tag = "identity", responses((status = 200, body = Object)))]
pub(crate) async fn keys(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Admin)?;
    Ok(Json(json!({ "keys": state.registry.keys().await? })))
}

/// Revoke an API key (admins).
#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "identity",
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn revoke_key(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Admin)?;
    let key = state
        .registry
        .revoke_key(&caller.actor(), &id)
        .await
        .map_err(not_found_if_invalid)?;
    Ok(Json(json!({ "key": key })))
}

/// An access request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequestBody {
    /// The conditional dataset.
    pub dataset: String,
    /// What the data is for.
    #[schema(min_length = 1, max_length = 2000)]
    pub purpose: String,
}

/// Ask for access to a conditional dataset.
#[utoipa::path(post, path = "/api/v1/access-requests", tag = "sharing", request_body = AccessRequestBody,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn request_access(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<AccessRequestBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Need::RequestAccess)?;
    let Json(b) = body?;
    let principal = caller.principal.as_ref().expect("required above");
    let request = state
        .registry
        .request_access(principal, &b.dataset, &b.purpose)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "request": request }))))
}

/// `?status=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// `pending`, `approved` or `rejected`.
    pub status: Option<String>,
}

/// Access requests: all for operators, one's own for others.
#[utoipa::path(get, path = "/api/v1/access-requests", tag = "sharing", params(StatusQuery),
    responses((status = 200, body = Object)))]
pub(crate) async fn access_requests(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::RequestAccess)?;
    let Query(q) = q?;
    let mut all = state.registry.access_requests(q.status.as_deref()).await?;
    if !caller.is_staff() {
        let p = caller.principal.as_ref().expect("required above");
        all.retain(|r| r.is_by(p));
    }
    Ok(Json(json!({ "requests": all })))
}

/// A decision.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The grant's end, RFC 3339 (approvals; none: until revoked).
    pub until: Option<String>,
    /// Why.
    pub note: Option<String>,
}

/// Approve an access request (operators): grants the dataset until `until`.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/approve", tag = "sharing",
    params(("id" = i64, Path, description = "The request's id")), request_body = Decision,
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn approve(
    state: State<ApiState>,
    caller: Extension<Caller>,
    id: ApiPath<i64>,
    body: Result<Json<Decision>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    decide(state, caller, id, body, true).await
}

/// Reject an access request (operators).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/reject", tag = "sharing",
    params(("id" = i64, Path, description = "The request's id")), request_body = Decision,
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn reject(
    state: State<ApiState>,
    caller: Extension<Caller>,
    id: ApiPath<i64>,
    body: Result<Json<Decision>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    decide(state, caller, id, body, false).await
}

async fn decide(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<Decision>, axum::extract::rejection::JsonRejection>,
    approve: bool,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    let Json(d) = body?;
    let until_ms = d
        .until
        .as_deref()
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.timestamp_millis())
                .map_err(|e| ApiError::new(Code::BadBody, format!("until `{t}`: {e} (RFC 3339)")))
        })
        .transpose()?;
    let request = state
        .registry
        .decide_access(&caller.actor(), id, approve, until_ms, d.note.as_deref())
        .await
        .map_err(not_found_if_invalid)?;
    state.catalog.invalidate().await;
    Ok(Json(json!({ "request": request })))
}

/// Every grant (operators).
#[utoipa::path(get, path = "/api/v1/grants", tag = "sharing", responses((status = 200, body = Object)))]
pub(crate) async fn grants(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    Ok(Json(json!({ "grants": state.registry.grants().await? })))
}

/// Revoke a grant (operators).
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "sharing",
    params(("id" = i64, Path, description = "The grant's id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn revoke_grant(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Operate)?;
    let grant = state
        .registry
        .revoke_grant(&caller.actor(), id)
        .await
        .map_err(not_found_if_invalid)?;
    Ok(Json(json!({ "grant": grant })))
}

/// `?after=ID&limit=N`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Records after this id.
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

/// The audit log (admins), oldest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub(crate) async fn audit(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Admin)?;
    let Query(q) = q?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let after = q.after.unwrap_or(0);
    let records: Vec<Value> = state
        .registry
        .audit_page(after, limit as i64)
        .await?
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "at_ms": r.at_ms, "actor": r.actor, "kind": r.kind,
                "entity": r.entity, "key": r.entity_key, "action": r.action,
                "before": r.before_json, "after": r.after_json, "detail": r.detail_json,
                "mac": r.mac,
            })
        })
        .collect();
    Ok(Json(json!({ "records": records })))
}

/// The audit chain checked (admins).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorBody)))]
pub(crate) async fn verify_audit(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Need::Admin)?;
    let v = state.registry.verify_audit().await?;
    Ok(Json(json!({
        "records": v.records,
        "head": v.head.map(|(id, mac)| json!({"id": id, "mac": mac})),
        "intact": v.problems.is_empty(),
        "problems": v.problems,
    })))
}

/// A refusal naming a missing row (`no key …`) as 404, other refusals as 400/409.
fn not_found_if_invalid(e: ecolake_registry::RegistryError) -> ApiError {
    match e {
        ecolake_registry::RegistryError::Invalid(m) if m.starts_with("no ") => {
            ApiError::new(Code::NotFound, m)
        }
        ecolake_registry::RegistryError::Invalid(m) => ApiError::new(Code::Conflict, m),
        e => e.into(),
    }
}
