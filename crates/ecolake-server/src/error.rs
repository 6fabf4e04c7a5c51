//! The API's one error format, `{"code": "...", "message": "..."}`, and the one table from
//! stable codes to HTTP statuses ([`Code`]). Every error the API answers goes through here.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal => $status:ident, )*) => {
        /// A stable error code: clients and scripts match on the text, never on the message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, for the documentation.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code's text.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )* }
            }

            /// The HTTP status that carries it.
            pub fn status(self) -> StatusCode {
                match self { $( Code::$variant => StatusCode::$status, )* }
            }
        }
    };
}

codes! {
    /// A query parameter is malformed or out of range.
    BadQuery = "bad_query" => BAD_REQUEST,
    /// The request body cannot be read (malformed JSON, wrong fields).
    BadBody = "bad_body" => BAD_REQUEST,
    /// An HJ 212 command's CN or parameters.
    BadCommand = "bad_command" => BAD_REQUEST,
    /// The SQL cannot be parsed or planned (unknown column, type error …).
    BadSql = "bad_sql" => BAD_REQUEST,
    /// No credential or an invalid, expired or revoked one.
    Unauthorized = "unauthorized" => UNAUTHORIZED,
    /// Wrong user name or password at login.
    LoginFailed = "login_failed" => UNAUTHORIZED,
    /// The caller is known but may not do this (role, scope, tier or ownership).
    Forbidden = "forbidden" => FORBIDDEN,
    /// The SQL names a table, file or function outside the caller's sandbox, or is not a query.
    SqlForbidden = "sql_forbidden" => FORBIDDEN,
    /// Nothing with that name (or nothing the caller may see).
    NotFound = "not_found" => NOT_FOUND,
    /// The path exists, the method does not.
    MethodNotAllowed = "method_not_allowed" => METHOD_NOT_ALLOWED,
    /// The state does not allow it (a decided request, an existing admin, a device busy …).
    Conflict = "conflict" => CONFLICT,
    /// The HJ 212 device has no open connection.
    DeviceNotConnected = "device_not_connected" => CONFLICT,
    /// The HJ 212 device is answering another command.
    DeviceBusy = "device_busy" => CONFLICT,
    /// The body is larger than the route accepts.
    PayloadTooLarge = "payload_too_large" => PAYLOAD_TOO_LARGE,
    /// The body's Content-Type.
    UnsupportedMediaType = "unsupported_media_type" => UNSUPPORTED_MEDIA_TYPE,
    /// Sent rows, none accepted.
    Unprocessable = "unprocessable" => UNPROCESSABLE_ENTITY,
    /// The caller's quota is spent for now (see `Retry-After`).
    RateLimited = "rate_limited" => TOO_MANY_REQUESTS,
    /// The query ran out of its time or memory.
    QueryLimit = "query_limit" => UNPROCESSABLE_ENTITY,
    /// The store could not make the data durable; nothing was acknowledged.
    NotStored = "not_stored" => SERVICE_UNAVAILABLE,
    /// The server keeps no HJ 212 frame archive (`--frame-retention-days 0`).
    NoFrameArchive = "no_frame_archive" => NOT_FOUND,
    /// The frame archive cannot be read.
    FrameArchiveUnreadable = "frame_archive_unreadable" => INTERNAL_SERVER_ERROR,
    /// Anything else: a fault of the server, logged with its cause.
    Internal = "internal" => INTERNAL_SERVER_ERROR,
}

/// An API error: a stable [`Code`] and a message for people (never a secret).
#[derive(Debug, Clone)]
pub struct ApiError {
    code: Code,
    message: String,
    retry_after_s: Option<u64>,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The stable code.
    pub code: Code,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// An internal error: the cause goes to the log, the caller gets a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {cause}");
        ApiError::new(
            Code::Internal,
            "internal error; the server log has the cause",
        )
    }

    /// With a `Retry-After` header.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_s = Some(seconds);
        self
    }

    /// The code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.code.status(),
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response();
        if self.code == Code::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ecolake\""),
            );
        }
        if let Some(s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

impl From<ecolake_registry::RegistryError> for ApiError {
    fn from(e: ecolake_registry::RegistryError) -> Self {
        use ecolake_registry::RegistryError as E;
        match e {
            E::Invalid(m) => ApiError::new(Code::BadBody, m),
            e => ApiError::internal(format_args!("{e}: {:?}", std::error::Error::source(&e))),
        }
    }
}

impl From<ecolake_query::SandboxError> for ApiError {
    fn from(e: ecolake_query::SandboxError) -> Self {
        use ecolake_query::SandboxError as E;
        let code = match &e {
            E::Invalid(_) => Code::BadSql,
            E::Forbidden { .. } | E::NotAQuery { .. } => Code::SqlForbidden,
            E::RowLimit { .. } | E::Timeout { .. } | E::Resources(_) => Code::QueryLimit,
            E::Internal(_) => return ApiError::internal(e),
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<ecolake_query::QueryError> for ApiError {
    fn from(e: ecolake_query::QueryError) -> Self {
        match e {
            ecolake_query::QueryError::DataFusion(e) => ecolake_query::SandboxError::from(e).into(),
            e => ApiError::internal(e),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        let code = match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Code::UnsupportedMediaType,
            _ => Code::BadBody,
        };
        ApiError::new(code, e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::new(Code::BadQuery, e.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        ApiError::new(Code::BadQuery, e.body_text())
    }
}

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        let code = match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
            _ => Code::BadBody,
        };
        ApiError::new(code, e.body_text())
    }
}

/// axum's `Path`, rejected in the one format (`bad_query`: a malformed segment, such as a
/// non-number id or invalid percent-encoding) instead of axum's plain text.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let axum::extract::Path(t) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(t))
    }
}

/// A request body's bytes, rejected in the one format (`payload_too_large` beyond the route's
/// limit, `bad_body` when it cannot be read) instead of axum's plain text.
#[derive(Debug)]
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Ok(ApiBytes(axum::body::Bytes::from_request(req, state).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c:?} twice");
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::from(c.as_str())
            );
        }
    }
}
