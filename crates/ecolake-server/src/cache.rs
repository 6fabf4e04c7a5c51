//! HTTP caching of open responses ([`layer`]), security headers ([`security_headers`]) and
//! CORS ([`cors`]): the headers every response leaves the server with.
//!
//! - Caching: a handler marks a `200` answer to a `GET` cacheable by putting [`Cacheable`] in
//!   the response's extensions. The response then gets `Cache-Control: public, max-age=N`
//!   (anonymous request) or `private, max-age=N` (a request with `Authorization`),
//!   `Vary: Authorization`, and — when its body is whole and at most [`MAX_ETAG_BODY`] — a
//!   strong `ETag` (the first 128 bits of the body's SHA-256); a request whose
//!   `If-None-Match` names it gets `304 Not Modified` without a body. So clients behind one NAT
//!   address are served from their caches (and revalidate cheaply) instead of spending the
//!   address's quota. Every other response gets `Cache-Control: no-store` unless its handler
//!   set one: nothing private is kept by a shared cache by accident.
//! - Security headers on every response: `x-content-type-options: nosniff`,
//!   `x-frame-options: DENY`, `referrer-policy: no-referrer`,
//!   `content-security-policy: default-src 'none'; frame-ancestors 'none'` (a handler may set
//!   its own), and under TLS `strict-transport-security: max-age=31536000`.
//! - CORS: none by default; see [`cors`].

use std::fmt::Write as _;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::ApiError;

mod cors;

pub use cors::{cors, Cors, CorsService};

/// Bodies above this get `Cache-Control` but no `ETag` (they are not buffered to hash them).
pub const MAX_ETAG_BODY: usize = 8 << 20;

/// A response extension: this `200` answer to a `GET` may be cached for `max_age_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cacheable {
    /// Seconds a cache may serve it without asking again.
    pub max_age_s: u32,
}

/// The allowed origins of a CORS configuration, normalized (`scheme://host[:port]`
/// lowercased, or `*`); an entry that is not an origin is an error naming it.
pub fn check_origins<S: AsRef<str>>(origins: &[S]) -> Result<Vec<String>, String> {
    origins
        .iter()
        .map(|o| {
            normalize_origin(o.as_ref()).ok_or_else(|| {
                format!(
                    "`{}` is not an origin (like https://app.example.org or \
                     http://localhost:3000, or *)",
                    o.as_ref()
                )
            })
        })
        .collect()
}

/// `*`, or `scheme://host[:port]` lowercased without a trailing `/`.
fn normalize_origin(origin: &str) -> Option<String> {
    let o = origin.trim().to_ascii_lowercase();
    if o == "*" {
        return Some(o);
    }
    let o = o.strip_suffix('/').unwrap_or(&o);
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
    ok.then(|| o.to_owned())
}

/// Middleware: [`caching`] (the API's state is not needed; this is the form the router
/// layers).
pub async fn layer(State(_): State<crate::ApiState>, req: Request, next: Next) -> Response {
    caching(req, next).await
}

/// Middleware: `Cache-Control`, `ETag` and `304` for responses marked [`Cacheable`];
/// `Cache-Control: no-store` for the rest.
pub async fn caching(req: Request, next: Next) -> Response {
    let get = req.method() == Method::GET;
    let head = req.method() == Method::HEAD;
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    let cacheable = res.extensions().get::<Cacheable>().copied();
    let Some(cacheable) = cacheable.filter(|_| (get || head) && res.status() == StatusCode::OK)
    else {
        let mut res = res;
        res.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        return res;
    };
    let (mut parts, body) = res.into_parts();
    let scope = if authenticated { "private" } else { "public" };
    let control = format!("{scope}, max-age={}", cacheable.max_age_s);
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&control).expect("ASCII"),
    );
    add_vary(&mut parts.headers, "authorization");
    // HEAD answers have no body to hash (axum drops it): no ETag, as for streamed bodies.
    let whole = body
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_ETAG_BODY as u64);
    if !get || !whole {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_ETAG_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::internal(format_args!("reading a cacheable response's body: {e}"))
                .into_response()
        }
    };
    let etag = match parts.headers.get(header::ETAG) {
        Some(tag) => tag.clone(),
        None => {
            let tag = etag_of(&bytes);
            parts.headers.insert(header::ETAG, tag.clone());
            tag
        }
    };
    if if_none_match.is_some_and(|list| matches(&list, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `"<32 hex digits>"`: the first 128 bits of the body's SHA-256.
fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for b in digest.iter().take(16) {
        let _ = write!(tag, "{b:02x}");
    }
    tag.push('"');
    HeaderValue::from_str(&tag).expect("hex")
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 says for it;
/// `*` names any).
fn matches(list: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = list.to_str() else {
        return false;
    };
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().strip_prefix("W/").unwrap_or(t.trim()).to_owned();
    let ours = opaque(etag);
    list.split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// Adds `value` to `Vary` unless it is there.
fn add_vary(headers: &mut HeaderMap, value: &'static str) {
    let present = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|x| x.trim().eq_ignore_ascii_case(value)))
    });
    if !present {
        headers.append(header::VARY, HeaderValue::from_static(value));
    }
}

/// Middleware: the security headers on every response, HSTS when the API is served over TLS
/// (`config.tls`).
pub async fn security_headers(
    State(state): State<crate::ApiState>,
    req: Request,
    next: Next,
) -> Response {
    secure(state.config.tls, next.run(req).await)
}

/// [`security_headers`] with the TLS flag as the state (for routers without the API's state).
pub async fn security_headers_with(State(tls): State<bool>, req: Request, next: Next) -> Response {
    secure(tls, next.run(req).await)
}

fn secure(tls: bool, mut res: Response) -> Response {
    let h = res.headers_mut();
    let defaults: [(HeaderName, &'static str); 4] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ];
    for (name, value) in defaults {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalized() {
        let origins = ["https://App.Example.org/", "http://localhost:3000"];
        assert_eq!(
            check_origins(&origins).unwrap(),
            ["https://app.example.org", "http://localhost:3000"]
        );
        let c = cors(&origins);
        assert!(c.allows("https://app.example.org"));
        assert!(c.allows("http://localhost:3000"));
        assert!(!c.allows("http://app.example.org"));
        assert!(!c.allows("https://app.example.org.evil.test"));
        assert!(!c.allows("null"));
        assert!(cors(&["*"]).allows("https://whatever.test"));
        assert!(!cors::<&str>(&[]).allows("https://app.example.org"));
        let err = check_origins(&["app.example.org/path"]).unwrap_err();
        assert!(err.contains("app.example.org/path"), "{err}");
        assert!(check_origins(&["https://a.example/x"]).is_err());
        // A bad entry is left out of the layer, the good ones kept.
        assert!(cors(&["nonsense", "https://a.example"]).allows("https://a.example"));
    }

    #[test]
    fn if_none_match_compares_weakly_and_star_matches() {
        let tag = etag_of(b"hello");
        assert_eq!(tag.len(), 34);
        let t = tag.to_str().unwrap().to_owned();
        let hv = |s: String| HeaderValue::from_str(&s).unwrap();
        assert!(matches(&hv(t.clone()), &tag));
        assert!(matches(&hv(format!("\"x\", W/{t}")), &tag));
        assert!(matches(&hv("*".into()), &tag));
        assert!(!matches(&hv("\"x\"".into()), &tag));
        assert_ne!(etag_of(b"hello!"), tag);
    }
}
