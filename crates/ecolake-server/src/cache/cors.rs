//! CORS: which browser origins may read the API. None by default: a page on another origin
//! cannot read any answer. With allowed origins, an answer to one of them gets
//! `access-control-allow-origin` (`*` when every origin is allowed) and exposes the quota and
//! cache headers; preflights (`OPTIONS` with `access-control-request-method`) are answered
//! here — before authentication, which a preflight never carries — with `204` for an allowed
//! origin and `403 forbidden` otherwise. Bearer tokens are not cookies: no credentials mode.

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};
use tracing::warn;

use super::{add_vary, check_origins, normalize_origin};
use crate::{ApiError, Code};

/// Headers a page may read on a cross-origin answer.
const EXPOSED: &str = "etag, retry-after, x-ratelimit-limit, x-ratelimit-remaining, \
                       x-ratelimit-reset";

/// The CORS layer ([`cors`]).
#[derive(Debug, Clone)]
pub struct Cors {
    /// Normalized origins, or `*`.
    origins: Arc<[String]>,
}

/// A CORS layer allowing `origins` (`https://host[:port]` each, or `*`). Entries that are not
/// origins are left out with a warning: check the configuration with [`check_origins`] first.
pub fn cors<S: AsRef<str>>(origins: &[S]) -> Cors {
    let mut good = Vec::new();
    for o in origins {
        match check_origins(&[o.as_ref()]) {
            Ok(mut v) => good.append(&mut v),
            Err(e) => warn!("CORS: {e}; left out"),
        }
    }
    Cors {
        origins: good.into(),
    }
}

impl Cors {
    fn any(&self) -> bool {
        self.origins.iter().any(|o| o == "*")
    }

    /// Whether a page on `origin` may read the API.
    pub fn allows(&self, origin: &str) -> bool {
        self.any() || normalize_origin(origin).is_some_and(|o| self.origins.contains(&o))
    }

    /// The answer to a preflight.
    fn preflight(&self, origin: &HeaderValue, allowed: bool) -> Response {
        if !allowed {
            let mut res = ApiError::new(
                Code::Forbidden,
                format!(
                    "pages on {} may not use the API (the server allows the origins of its \
                     cors_origins setting)",
                    origin.to_str().unwrap_or("(not text)")
                ),
            )
            .into_response();
            self.vary(&mut res);
            return res;
        }
        let mut res = StatusCode::NO_CONTENT.into_response();
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, if-none-match"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        self.allow(&mut res, origin);
        res
    }

    fn allow(&self, res: &mut Response, origin: &HeaderValue) {
        let value = match self.any() {
            true => HeaderValue::from_static("*"),
            false => origin.clone(),
        };
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        self.vary(res);
    }

    /// Answers differ by origin when specific origins are allowed: caches must know.
    fn vary(&self, res: &mut Response) {
        if !self.origins.is_empty() && !self.any() {
            add_vary(res.headers_mut(), "origin");
        }
    }
}

impl<S> Layer<S> for Cors {
    type Service = CorsService<S>;

    fn layer(&self, inner: S) -> CorsService<S> {
        CorsService {
            inner,
            cors: self.clone(),
        }
    }
}

/// The service of the [`Cors`] layer.
#[derive(Debug, Clone)]
pub struct CorsService<S> {
    inner: S,
    cors: Cors,
}

impl<S> Service<Request> for CorsService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let origin = req.headers().get(header::ORIGIN).cloned();
        let allowed = origin
            .as_ref()
            .and_then(|o| o.to_str().ok())
            .is_some_and(|o| self.cors.allows(o));
        if let Some(origin) = &origin {
            if req.method() == Method::OPTIONS
                && req
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
            {
                return Box::pin(ready(Ok(self.cors.preflight(origin, allowed))));
            }
        }
        // The service that was polled ready serves this request; a clone takes its place.
        let ready_one = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready_one);
        let cors = self.cors.clone();
        Box::pin(async move {
            let mut res = inner.call(req).await?;
            match origin {
                Some(origin) if allowed => {
                    cors.allow(&mut res, &origin);
                    res.headers_mut().insert(
                        header::ACCESS_CONTROL_EXPOSE_HEADERS,
                        HeaderValue::from_static(EXPOSED),
                    );
                }
                _ => cors.vary(&mut res),
            }
            Ok(res)
        })
    }
}
