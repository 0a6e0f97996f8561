//! The application's error type and its one structured form for IPC, HTTP and the CLI.

pub use daybook_domain::ErrorBody;
use daybook_domain::{DomainError, RecordKind};
use daybook_store::StoreError;
use uuid::Uuid;

/// Why an application call failed. A failed command changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A business rule said no.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A query named a record that does not exist.
    #[error("unknown {kind} {id}")]
    NotFound {
        /// What was looked for.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// No record (of any kind) has this id.
    #[error("no record has id {0}")]
    UnknownRecord(Uuid),
    /// Input that could not even be read as a command or query (malformed JSON,
    /// a bad filter value).
    #[error("{message}")]
    InvalidInput {
        /// The offending field, if known.
        field: Option<String>,
        /// What is wrong, for a person.
        message: String,
    },
    /// The store failed (IO, corruption, concurrency conflict). A damaged database
    /// file is `Store(StoreError::FileCorrupt(..))`: see [`AppError::is_corrupt`].
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file offered as a backup cannot be used; nothing was changed.
    #[error(transparent)]
    BadBackup(#[from] crate::backup::BadBackup),
    /// Reading or writing a file (backup, export) failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, for a person ("cannot write the backup file").
        what: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(StoreError::Sqlite(e))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Store(StoreError::Json(e))
    }
}

impl AppError {
    /// True when the local database file is damaged (corrupt pages, not a database,
    /// missing schema): the caller should offer recovery (restore a backup, or start
    /// again from the server) rather than report a generic failure.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, AppError::Store(e) if e.is_file_corrupt())
    }

    /// Shorthand for [`AppError::Io`].
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        AppError::Io {
            what: what.into(),
            source,
        }
    }

    /// Shorthand for [`AppError::InvalidInput`].
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Self {
        AppError::InvalidInput {
            field: field.map(str::to_string),
            message: message.into(),
        }
    }

    /// The structured form.
    pub fn body(&self) -> ErrorBody {
        match self {
            AppError::Domain(e) => ErrorBody::from(e),
            AppError::NotFound { kind, .. } => ErrorBody {
                code: "not_found".into(),
                message: self.to_string(),
                field: Some(format!("{kind}_id").replace(' ', "_")),
            },
            AppError::UnknownRecord(_) => ErrorBody {
                code: "not_found".into(),
                message: self.to_string(),
                field: None,
            },
            AppError::InvalidInput { field, message } => ErrorBody {
                code: "invalid_input".into(),
                message: message.clone(),
                field: field.clone(),
            },
            AppError::Store(StoreError::Conflict { .. }) => ErrorBody {
                code: "conflict".into(),
                message: "the record was changed meanwhile; try again".into(),
                field: None,
            },
            AppError::Store(StoreError::TooNew { .. }) => ErrorBody {
                code: "store_too_new".into(),
                message: self.to_string(),
                field: None,
            },
            AppError::Store(e) if e.is_file_corrupt() => ErrorBody {
                code: "store_corrupt".into(),
                message: "the local database file is damaged; restore a backup or start \
                          again from the server"
                    .into(),
                field: None,
            },
            AppError::BadBackup(e) => ErrorBody {
                code: "invalid_backup".into(),
                message: e.to_string(),
                field: Some("path".into()),
            },
            AppError::Io { .. } => ErrorBody {
                code: "io_error".into(),
                message: self.to_string(),
                field: Some("path".into()),
            },
            AppError::Store(_) => ErrorBody {
                code: "internal".into(),
                message: "an internal error occurred; the change was not saved".into(),
                field: None,
            },
        }
    }
}
