//! Errors of the store.

use std::path::PathBuf;

/// Why a store operation failed. Every variant names what and where.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the data directory's write lock.
    #[error("data directory {dir} is locked by another writer: {holder}")]
    Locked {
        /// The data directory.
        dir: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// A file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The write-ahead log failed.
    #[error(transparent)]
    Wal(#[from] crate::wal::WalError),
    /// A batch does not have the columns a write needs.
    #[error("batch schema: {0}")]
    Schema(String),
    /// Arrow failed.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet failed.
    #[error("parquet {path}: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
    /// The manifest cannot be read.
    #[error("manifest {path}: {detail}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The object store that holds the lake failed.
    #[error("{op} {location}: {source}")]
    Object {
        /// What was being done.
        op: &'static str,
        /// The object's URL.
        location: String,
        /// The cause.
        source: object_store::Error,
    },
    /// The lake location is not usable.
    #[error("lake location {url}: {detail}")]
    Location {
        /// The location as given.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// The store has been closed.
    #[error("the store is closed")]
    Closed,
}

impl StoreError {
    /// An I/O error with its operation and path.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}
