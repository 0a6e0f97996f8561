//! How errors cross IPC: every command resolves to its value or an `ErrorBody`
//! (the one error contract, `daybook_protocol::error`). Internal details (SQL, IO)
//! never reach the window; they are logged here.

use daybook_app::{AppError, ErrorBody, ErrorCode};

/// IPC result: the value or the structured error `{code, message, field?, params?}`.
pub type Res<T> = Result<T, ErrorBody>;

/// The structured error for the UI, logging what the body leaves out.
pub fn to_body(e: AppError) -> ErrorBody {
    let body = e.body();
    if body.code == ErrorCode::Internal {
        log::error!("internal error: {e:?}");
    }
    body
}

/// Input the shell refuses before calling the app (a bad server URL, an empty token).
pub fn invalid(field: &str, message: impl Into<String>) -> ErrorBody {
    ErrorBody::new(ErrorCode::InvalidInput, message).with_field(field)
}

/// A failure of the sync side (the device's credentials, the store under them).
pub fn sync_error(e: daybook_sync::SyncError) -> ErrorBody {
    match e {
        daybook_sync::SyncError::App(app) => to_body(app),
        other => {
            eprintln!("daybook-desktop: sync settings: {other}");
            ErrorBody::new(ErrorCode::Internal, other.to_string())
        }
    }
}

/// A background task that died (a panic on a blocking thread).
pub fn task_failed(what: &str, e: impl std::fmt::Display) -> ErrorBody {
    log::error!("{what} failed: {e}");
    ErrorBody::new(ErrorCode::Internal, format!("{what} stopped unexpectedly"))
}
