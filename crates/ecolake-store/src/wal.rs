//! The write-ahead log: every acknowledged write is on disk before `append` returns.
//!
//! A WAL directory holds segment files named `{id:020}.wal` (ids increase). A segment starts
//! with a 20-byte header — the magic `b"ECOWAL\0\0"`, the format version (u32 LE, = 1) and the
//! segment id (u64 LE) — followed by records: payload length (u32 LE), CRC32C of the payload
//! (u32 LE), and the payload, one `RecordBatch` as an Arrow IPC stream (schema, batch, end of
//! stream). Any schema round-trips; the store writes the observation schema.
//!
//! * [`Wal`] appends with group commit: one dedicated thread (`ecolake-wal`) owns the open
//!   segment, writes every request already queued, fsyncs once and then acknowledges them
//!   all. Segments rotate by size and on [`Wal::rotate`]; new segments are written under a
//!   temporary name, fsynced and renamed into place, then the directory is fsynced, so a
//!   segment file always has a complete header.
//! * [`Wal::open`] replays the directory first. A bad record at the end of the last segment
//!   (a write torn by a crash) is truncated away and reported in [`Replay::torn`]; a bad
//!   record anywhere else is corruption of acknowledged data and an error. Appends always go
//!   to a new segment.
//! * [`replay_read_only`] reads the same way without changing any file, so that a reader can
//!   follow a directory a writer is appending to: a partial tail is ignored, not truncated.
//!
//! ```no_run
//! # async fn demo(batch: arrow::array::RecordBatch) -> Result<(), ecolake_store::wal::WalError> {
//! use ecolake_store::wal::{Wal, WalConfig};
//!
//! let (wal, replay) = Wal::open("data/wal".as_ref(), WalConfig::default(), None)?;
//! for (_segment, old) in replay.batches { /* rebuild state */ let _ = old; }
//! let position = wal.append(&batch).await?; // durable now
//! let closed = wal.rotate().await?;          // everything so far is in segments <= closed
//! wal.remove_through(closed)?;               // once it is safely elsewhere
//! wal.close().await?;
//! # let _ = position; Ok(()) }
//! ```

mod record;
mod replay;
mod segment;
mod writer;

use std::path::{Path, PathBuf};

pub use replay::{replay_read_only, Replay, TornTail};
pub use writer::Wal;

/// The first eight bytes of every segment.
pub const MAGIC: [u8; 8] = *b"ECOWAL\0\0";
/// The segment format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Bytes of the segment header: magic, version, segment id.
pub const HEADER_LEN: u64 = 20;
/// Bytes in front of each record's payload: length and CRC32C.
pub const FRAME_HEADER_LEN: u64 = 8;
/// The largest payload (encoded batch) a record may hold: 1 GiB.
pub const MAX_PAYLOAD: u64 = 1 << 30;

/// Why a WAL operation failed. Every variant names the file, segment or limit involved.
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    /// A file or directory operation failed (full disk, permissions, ...).
    #[error("WAL: {op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A segment header has the wrong magic, an unknown version or the wrong id.
    #[error("WAL segment {path}: {detail}")]
    BadHeader {
        /// The segment file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A record that is not at the end of the last segment is damaged: acknowledged data
    /// would be lost by skipping it, so nothing is skipped.
    #[error(
        "WAL segment {path} is corrupt at byte {offset}: {reason} (not the end of the last \
         segment, so this is acknowledged data; restore the file or move it away)"
    )]
    Corrupt {
        /// The segment file.
        path: PathBuf,
        /// Where the bad record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A batch encodes to more than [`MAX_PAYLOAD`] bytes; split it.
    #[error("WAL: a batch encodes to {bytes} bytes, more than the {max} a record may hold")]
    TooLarge {
        /// The encoded size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// The batch could not be encoded as Arrow IPC.
    #[error("WAL: encoding a batch as Arrow IPC: {0}")]
    Encode(#[source] arrow::error::ArrowError),
    /// The WAL thread is gone (it was closed or it panicked).
    #[error("WAL: the log writer thread has stopped")]
    Closed,
}

impl WalError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        WalError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// A copy for another waiter of the same failed group (`std::io::Error` is not `Clone`).
    pub(crate) fn duplicate(&self) -> Self {
        match self {
            WalError::Io { op, path, source } => WalError::Io {
                op,
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            WalError::BadHeader { path, detail } => WalError::BadHeader {
                path: path.clone(),
                detail: detail.clone(),
            },
            WalError::Corrupt {
                path,
                offset,
                reason,
            } => WalError::Corrupt {
                path: path.clone(),
                offset: *offset,
                reason: reason.clone(),
            },
            WalError::TooLarge { bytes, max } => WalError::TooLarge {
                bytes: *bytes,
                max: *max,
            },
            WalError::Encode(e) => {
                WalError::Encode(arrow::error::ArrowError::IpcError(e.to_string()))
            }
            WalError::Closed => WalError::Closed,
        }
    }
}

/// How the WAL is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalConfig {
    /// Rotate to a new segment before the next write once the open one holds this many bytes.
    pub segment_bytes: u64,
}

impl Default for WalConfig {
    fn default() -> Self {
        WalConfig {
            segment_bytes: 64 << 20,
        }
    }
}

/// Where an appended record is: its segment and the byte offset of its frame in that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalPosition {
    /// The segment id.
    pub segment: u64,
    /// The byte offset of the record's length field.
    pub offset: u64,
}

/// Counters since [`Wal::open`], for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalStats {
    /// Records acknowledged.
    pub appends: u64,
    /// fsyncs of segment data that acknowledged records (one per group commit).
    pub syncs: u64,
    /// Record bytes (frames) acknowledged.
    pub bytes: u64,
    /// Segments created after the first.
    pub rotations: u64,
}

/// The file of segment `id` in `dir`.
pub fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.wal"))
}
