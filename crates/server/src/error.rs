//! The server's errors: [`ServerError`] for everything that can fail inside the lib
//! (registry, account databases, IO), and [`ApiError`], the one HTTP answer
//! (status + [`ErrorBody`] JSON) every handler and extractor returns.
//!
//! **Invariant:** an `ApiError`'s message is for the client and never carries SQL,
//! paths or other internals; those are logged where the error is turned into a 5xx.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use daybook_app::AppError;
use daybook_protocol::{ErrorBody, ErrorCode, ErrorParams};
use daybook_store::StoreError;

/// Why a server operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The registry database (`server.sqlite3`) failed.
    #[error("registry database: {0}")]
    Registry(#[from] rusqlite::Error),
    /// An account database failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// An account database's event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// File system.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Bad input to an admin operation (account or device name, unknown account).
    #[error("{0}")]
    Invalid(String),
    /// The system's random source failed.
    #[error("no random bytes for a token: {0}")]
    Random(String),
    /// A worker thread died (a panic, logged) or was cancelled.
    #[error("worker thread failed: {0}")]
    Task(String),
    /// The PostgreSQL database failed.
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool in time.
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// Something stored cannot be understood.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// A sign-in named a device that is revoked or unknown (`None`), or of another
    /// account (its name).
    #[error("the device cannot be used for this sign-in")]
    DeviceNotUsable(Option<String>),
}

/// An HTTP error answer: a status and an [`ErrorBody`], plus `Retry-After` when the
/// client should come back later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: ErrorBody,
    /// Seconds for `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody::new(code, message),
            retry_after: None,
        }
    }

    /// The same error, with its parameters.
    pub fn with_params(mut self, params: ErrorParams) -> Self {
        self.body = self.body.with_params(params);
        self
    }

    /// The same error, naming the offending input field.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// 401: the same answer for a missing, unknown or revoked token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "a valid device token is required (Authorization: Bearer <token>)",
        )
    }

    /// 404: the same answer for an unknown route, an unknown account and another
    /// tenant's account, so a client learns nothing about accounts not its own.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "not found")
    }

    /// 422 for a well-formed request that breaks a protocol rule.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            message,
        )
        .with_field(field)
    }

    /// 400 for a bad query string.
    pub fn bad_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many requests for this token; slow down",
        );
        e.retry_after = Some(retry_after_secs.max(1));
        e.body.params.retry_after_secs = e.retry_after;
        e
    }

    /// 500; the cause must have been logged by the caller.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "an internal error occurred; nothing was saved",
        )
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            message,
        );
        e.retry_after = Some(1);
        e.body.params.retry_after_secs = e.retry_after;
        e
    }

    /// Maps an internal failure to 503 (busy, a concurrent writer: retry) or 500,
    /// logging the details, which never reach the client.
    pub fn from_server(e: &ServerError) -> Self {
        if is_transient(e) {
            tracing::warn!(error = %e, "transient failure");
            Self::unavailable("the server is busy; try again")
        } else {
            tracing::error!(error = %e, "internal failure");
            Self::internal()
        }
    }

    /// The answer to a JSON body axum could not read.
    pub fn from_json_rejection(r: &JsonRejection) -> Self {
        let code = match r {
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidBody,
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::MalformedJson,
        };
        let message = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            format!(
                "the request body is larger than {} bytes",
                daybook_protocol::MAX_BODY_BYTES
            )
        } else {
            r.body_text()
        };
        let e = Self::new(r.status(), code, message);
        if code == ErrorCode::PayloadTooLarge {
            e.with_params(ErrorParams {
                max_bytes: Some(daybook_protocol::MAX_BODY_BYTES as u64),
                ..ErrorParams::default()
            })
        } else {
            e
        }
    }

    /// The answer to a query string axum could not read.
    pub fn from_query_rejection(r: &QueryRejection) -> Self {
        Self::bad_query(r.body_text())
    }
}

/// Errors worth a retry: SQLite busy/locked (another process holds the file) and
/// a stream conflict (impossible with one writer per account, so a retry settles it).
fn is_transient(e: &ServerError) -> bool {
    fn sqlite_busy(e: &rusqlite::Error) -> bool {
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
    match e {
        ServerError::Registry(e) => sqlite_busy(e),
        ServerError::App(AppError::Store(StoreError::Sqlite(e)))
        | ServerError::Store(StoreError::Sqlite(e)) => sqlite_busy(e),
        ServerError::App(AppError::Store(StoreError::Conflict { .. }))
        | ServerError::Store(StoreError::Conflict { .. }) => true,
        // The database went away, is restarting, or refused for load: retry (on
        // another instance, through the load balancer).
        ServerError::Pool(_) => true,
        ServerError::Postgres(e) => {
            e.is_closed()
                || e.code().is_none()
                || e.code().is_some_and(|c| {
                    c.code().starts_with("08")
                        || c.code().starts_with("40")
                        || c.code().starts_with("53")
                        || c.code().starts_with("57")
                })
        }
        _ => false,
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        ApiError::from_server(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
