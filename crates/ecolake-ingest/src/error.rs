//! Errors of file import.
//!
//! An [`ImportError`] means the file as a whole could not be used: it cannot be opened or
//! read, it is not valid CSV/Parquet at the byte level, or its header lacks the columns the
//! format needs. A bad *row* is never an error: it becomes a [`crate::Rejected`] with a reason
//! naming the column and the value, and the good rows of the file are kept.

use std::path::{Path, PathBuf};

/// Why a file could not be imported at all (see the module documentation).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file (or the PRSA station list) could not be opened.
    #[error("{}: cannot open: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Reading failed part-way (I/O error, corrupt gzip stream).
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The CSV reader failed (I/O or a corrupt compressed stream under it).
    #[error("{}: cannot read CSV: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reader's error, with the position where it happened.
        source: csv::Error,
    },
    /// The header is missing, lacks required columns or names a column twice.
    #[error("{}: unusable header: {reason}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the columns.
        reason: String,
    },
    /// A column exists but has a type the importer cannot read (Parquet).
    #[error("{}: column `{column}`: {reason}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The type found and what was expected.
        reason: String,
    },
    /// The Parquet reader failed (not a Parquet file, unsupported codec, corrupt page).
    #[error("{}: cannot read Parquet: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        source: parquet::errors::ParquetError,
    },
    /// An Arrow operation on the file's data failed (a cast of a column).
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The Arrow error.
        source: arrow::error::ArrowError,
    },
    /// No format was given and the file name does not tell it.
    #[error(
        "{}: cannot tell the format from the file name (expected .csv, .csv.gz or .parquet); \
         give the format (csv, parquet or prsa)",
        path.display()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The PRSA station list is unusable (missing columns, no stations).
    #[error("station list {}: {reason}", path.display())]
    Stations {
        /// The station list file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An option value (format or hour label) is not one of the known names.
    #[error("unknown {option} `{value}`; expected one of {expected}")]
    InvalidOption {
        /// Which option (`format`, `hour label`).
        option: &'static str,
        /// The value given.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
}

impl ImportError {
    /// The file the error is about, if it is about a file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ImportError::Open { path, .. }
            | ImportError::Read { path, .. }
            | ImportError::Csv { path, .. }
            | ImportError::Header { path, .. }
            | ImportError::ColumnType { path, .. }
            | ImportError::Parquet { path, .. }
            | ImportError::Arrow { path, .. }
            | ImportError::UnknownFormat { path }
            | ImportError::Stations { path, .. } => Some(path),
            ImportError::InvalidOption { .. } => None,
        }
    }

    // `map_err` adapters: each turns the underlying error (or reason) into the variant for
    // `path`, so the readers write `.map_err(ImportError::csv(path))?`.

    /// [`ImportError::Open`] for `path`.
    pub(crate) fn open(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
        move |source| ImportError::Open {
            path: path.to_owned(),
            source,
        }
    }

    /// [`ImportError::Read`] for `path`.
    pub(crate) fn read(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
        move |source| ImportError::Read {
            path: path.to_owned(),
            source,
        }
    }

    /// [`ImportError::Csv`] for `path`.
    pub(crate) fn csv(path: &Path) -> impl FnOnce(csv::Error) -> ImportError + '_ {
        move |source| ImportError::Csv {
            path: path.to_owned(),
            source,
        }
    }

    /// [`ImportError::Header`] for `path`.
    pub(crate) fn header(path: &Path) -> impl FnOnce(String) -> ImportError + '_ {
        move |reason| ImportError::Header {
            path: path.to_owned(),
            reason,
        }
    }

    /// [`ImportError::Parquet`] for `path`.
    pub(crate) fn parquet(
        path: &Path,
    ) -> impl FnOnce(parquet::errors::ParquetError) -> ImportError + '_ {
        move |source| ImportError::Parquet {
            path: path.to_owned(),
            source,
        }
    }

    /// [`ImportError::Arrow`] for `path`.
    pub(crate) fn arrow(path: &Path) -> impl FnOnce(arrow::error::ArrowError) -> ImportError + '_ {
        move |source| ImportError::Arrow {
            path: path.to_owned(),
            source,
        }
    }
}
