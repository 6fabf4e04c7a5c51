//! Errors of the registry. Messages never contain a password (URLs are redacted).

use std::path::PathBuf;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The URL names no supported database.
    #[error("registry URL {0}: must start with sqlite: or postgres:")]
    Url(String),
    /// The database cannot be reached.
    #[error("connecting to the registry at {url}")]
    Connect {
        /// The URL, password redacted.
        url: String,
        /// The cause.
        source: sqlx::Error,
    },
    /// The schema cannot be brought up to date.
    #[error("migrating the registry at {url}")]
    Migrate {
        /// The URL, password redacted.
        url: String,
        /// The cause.
        source: sqlx::migrate::MigrateError,
    },
    /// A file or directory.
    #[error("registry directory {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An entry is refused: the reason names the entry and the field.
    #[error("{0}")]
    Invalid(String),
    /// The database holds a value this build cannot read.
    #[error("registry data: {0}")]
    Corrupt(String),
    /// A query failed.
    #[error("registry database")]
    Database(#[from] sqlx::Error),
}
