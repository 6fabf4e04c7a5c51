//! Who is calling, and whether they may do what they ask.
//!
//! Every request passes [`authenticate`]: without an `Authorization` header it is anonymous
//! (role `public`); with `Authorization: Bearer TOKEN` the token must be a valid API key or
//! login session, else the answer is 401 — an invalid, expired or revoked credential is never
//! treated as anonymous. The [`Caller`] goes into the request's extensions for the handlers,
//! and a [`RateKey`] for the quota layer.
//!
//! What a role may do is [`Caller::require`]'s one table ([`Need`]); what data it may read is
//! the `access` module's rule.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use ecolake_registry::{Principal, PrincipalKind, Role, Scope};

use crate::error::{ApiError, Code};
use crate::limit::{client_addr, RateKey};
use crate::ApiState;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The authenticated principal; `None`: anonymous.
    pub principal: Option<Principal>,
    /// The client's address (behind trusted proxies, from `X-Forwarded-For`).
    pub addr: IpAddr,
}

/// What a request needs beyond reading what the caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// SQL over the caller's datasets: analysts, operators, admins; scope `sql`.
    Sql,
    /// Sending observations: enterprises (their own outlets), operators, admins; scope `ingest`.
    Ingest,
    /// Asking for access to a conditional dataset: any signed-in caller; scope `read`.
    RequestAccess,
    /// Registry and catalog writes, deciding access requests, HJ 212 commands and the
    /// gateway's state: operators and admins; scope `admin`.
    Operate,
    /// Users, keys, grants and the audit log: admins; scope `admin`.
    Admin,
}

impl Caller {
    /// An anonymous caller at `addr`.
    pub fn anonymous(addr: IpAddr) -> Caller {
        Caller {
            principal: None,
            addr,
        }
    }

    /// The caller's role (`public` when anonymous).
    pub fn role(&self) -> Role {
        self.principal.as_ref().map_or(Role::Public, |p| p.role)
    }

    /// Whether the caller is an admin.
    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin
    }

    /// Whether the caller is bureau staff (operator or admin): sees every registry field.
    pub fn is_staff(&self) -> bool {
        matches!(self.role(), Role::Admin | Role::Operator)
    }

    /// The enterprise an `enterprise` caller is bound to.
    pub fn enterprise(&self) -> Option<&str> {
        match &self.principal {
            Some(p) if p.role == Role::Enterprise => p.enterprise.as_deref(),
            _ => None,
        }
    }

    /// How the audit log names the caller: `user:NAME`, `key:ID` or `anonymous@ADDR`.
    pub fn actor(&self) -> String {
        match &self.principal {
            Some(p) => match p.kind {
                PrincipalKind::User => format!("user:{}", p.id),
                PrincipalKind::Key => format!("key:{}", p.id),
            },
            None => format!("anonymous@{}", self.addr),
        }
    }

    /// Ok if the caller's role and scopes allow `need`; 401 for an anonymous caller, 403 for
    /// a signed-in one. The one table of what each role may do.
    pub fn require(&self, need: Need) -> Result<(), ApiError> {
        let Some(p) = &self.principal else {
            return Err(ApiError::new(
                Code::Unauthorized,
                "this needs a credential: send `Authorization: Bearer TOKEN` (an API key or a \
                 login session)",
            ));
        };
        let (roles, scope): (&[Role], Scope) = match need {
            Need::Sql => (&[Role::Admin, Role::Operator, Role::Analyst], Scope::Sql),
            Need::Ingest => (
                &[Role::Admin, Role::Operator, Role::Enterprise],
                Scope::Ingest,
            ),
            Need::RequestAccess => (
                &[Role::Admin, Role::Operator, Role::Analyst, Role::Enterprise],
                Scope::Read,
            ),
            Need::Operate => (&[Role::Admin, Role::Operator], Scope::Admin),
            Need::Admin => (&[Role::Admin], Scope::Admin),
        };
        if !roles.contains(&p.role) {
            return Err(ApiError::new(
                Code::Forbidden,
                format!("role {} may not do this ({need:?})", p.role),
            ));
        }
        if !p.scopes.contains(scope) {
            return Err(ApiError::new(
                Code::Forbidden,
                format!("this credential lacks the scope `{scope}`"),
            ));
        }
        Ok(())
    }
}

/// The authentication layer: puts a [`Caller`] and a [`RateKey`] into the request.
pub async fn authenticate(
    State(state): State<ApiState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), |c| c.0);
    let addr = client_addr(peer, request.headers(), &state.config.trusted_proxies);
    let caller = match bearer(request.headers())? {
        None => Caller::anonymous(addr),
        Some(token) => match state.registry.authenticate(token).await? {
            Ok(principal) => Caller {
                principal: Some(principal),
                addr,
            },
            Err(why) => {
                // Wrong tokens count against the client address: guessing is rate-limited.
                let k = anonymous_rate(&state, addr);
                let d =
                    state
                        .limiter
                        .check(&k.key, k.per_min, k.per_hour, std::time::Instant::now());
                if !d.allowed {
                    return Ok(d.refusal());
                }
                state.audit.record(crate::audit::event(
                    &Caller::anonymous(addr),
                    "auth_failure",
                    "http",
                    request.uri().path(),
                    request.method().as_str(),
                    serde_json::json!({ "reason": why.to_string() }),
                ));
                return Err(ApiError::new(
                    Code::Unauthorized,
                    format!("the bearer token is not accepted: {why}"),
                ));
            }
        },
    };
    let rate = match &caller.principal {
        Some(p) => RateKey {
            key: caller.actor(),
            per_min: p.rate_per_min.unwrap_or(state.config.rate.per_min),
            per_hour: p.rate_per_hour.unwrap_or(state.config.rate.per_hour),
        },
        None => anonymous_rate(&state, addr),
    };
    request.extensions_mut().insert(caller);
    request.extensions_mut().insert(rate);
    Ok(next.run(request).await)
}

fn anonymous_rate(state: &ApiState, addr: IpAddr) -> RateKey {
    RateKey::anonymous(
        addr,
        state.config.rate.anonymous_per_min,
        state.config.rate.anonymous_per_hour,
    )
}

/// The token of `Authorization: Bearer TOKEN`; `None` without the header; 401 for another
/// scheme or a malformed header.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::new(
            Code::Unauthorized,
            "the Authorization header must be `Bearer TOKEN`",
        )
    };
    let text = value.to_str().map_err(|_| bad())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(bad)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(bad());
    }
    Ok(Some(token))
}
