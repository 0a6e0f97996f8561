//! The application's error type, and its form in the one error contract of every edge
//! ([`ErrorBody`], from `daybook_protocol`).

use daybook_domain::{DomainError, RecordKind};
pub use daybook_protocol::{ErrorBody, ErrorCode, ErrorParams};
use daybook_store::StoreError;
use uuid::Uuid;

/// Why an application call failed. A failed command changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A business rule said no.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A query named a record that does not exist.
    #[error("there is no such {kind}")]
    NotFound {
        /// What was looked for.
        kind: RecordKind,
        /// The id given.
        id: Uuid,
    },
    /// No record (of any kind) has this id.
    #[error("there is no such record")]
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
    BadBackup(#[from] BadBackup),
    /// The store holds demo data, which never goes to a server: connecting it (or
    /// pushing from it) is refused. The way out is a clean store.
    #[error(
        "this store holds demo data, which never goes to a server; start a clean store \
         (keeping none of the demo data) to connect to one: in the app, Sync > Start a clean \
         store; on the command line, another --data directory"
    )]
    DemoData,
    /// The store belongs to an account and nobody is signed in: changes are recorded
    /// as the person signed in, so none is made until someone signs in. Reading works.
    #[error(
        "nobody is signed in on this store, so no change can be recorded; sign in first \
         (in the app: the Sync screen; on the command line: daybook login)"
    )]
    SignInRequired,
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

/// Why a file cannot be used as a backup. Nothing was changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadBackup {
    /// There is no file there.
    #[error("the backup file does not exist")]
    Missing,
    /// Not an SQLite database at all.
    #[error("the file is not a database")]
    NotADatabase,
    /// An SQLite database that fails its integrity check.
    #[error("the backup file is damaged: {0}")]
    Damaged(String),
    /// A database, but not a Daybook store.
    #[error("the file is not a Daybook store: {0}")]
    NotDaybook(String),
    /// A Daybook store written by a newer build.
    #[error("the backup's schema is version {found}, newer than this build ({supported})")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest this build knows.
        supported: i64,
    },
    /// The backup belongs to another account than the data it would replace.
    #[error("the backup belongs to another account than the data in this store")]
    OtherAccount {
        /// The backup's account.
        backup: Uuid,
        /// The live store's account.
        store: Uuid,
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

impl From<daybook_domain::AmountOverflow> for AppError {
    fn from(e: daybook_domain::AmountOverflow) -> Self {
        AppError::Domain(e.into())
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

    /// The error in the contract's form. Internal failures keep their details out of
    /// the message (the caller logs them, see [`ErrorCode::Internal`]).
    pub fn body(&self) -> ErrorBody {
        let message = self.to_string();
        match self {
            AppError::Domain(e) => ErrorBody::from(e),
            AppError::NotFound { kind, .. } => ErrorBody::new(ErrorCode::NotFound, message)
                .with_field(kind.id_field())
                .with_params(ErrorParams {
                    kind: Some(*kind),
                    ..ErrorParams::default()
                }),
            AppError::UnknownRecord(_) => ErrorBody::new(ErrorCode::NotFound, message),
            AppError::InvalidInput { field, .. } => {
                let body = ErrorBody::new(ErrorCode::InvalidInput, message);
                match field {
                    Some(f) => body.with_field(f.clone()),
                    None => body,
                }
            }
            AppError::Store(StoreError::Conflict { .. }) => ErrorBody::new(
                ErrorCode::Conflict,
                "the record was changed meanwhile; try again",
            ),
            AppError::Store(StoreError::TooNew { .. }) => {
                ErrorBody::new(ErrorCode::StoreTooNew, message)
            }
            AppError::Store(StoreError::ReadOnly(_)) => {
                ErrorBody::new(ErrorCode::StoreReadOnly, message)
            }
            AppError::Store(e) if e.is_file_corrupt() => ErrorBody::new(
                ErrorCode::StoreCorrupt,
                "the local database file is damaged; restore a backup or start again from \
                 the server",
            ),
            AppError::BadBackup(_) => {
                ErrorBody::new(ErrorCode::InvalidBackup, message).with_field("path")
            }
            AppError::Io { .. } => ErrorBody::new(ErrorCode::IoError, message).with_field("path"),
            AppError::DemoData => ErrorBody::new(ErrorCode::DemoData, message).with_field("server"),
            AppError::SignInRequired => ErrorBody::new(ErrorCode::SignInRequired, message),
            AppError::Store(_) => ErrorBody::new(
                ErrorCode::Internal,
                "the local store could not do this (an internal error); no data was changed",
            ),
        }
    }
}
