//! Reading a WAL directory back: by the writer at start-up (which truncates a torn tail) and
//! read-only by anyone else (which changes nothing and ignores a tail still being written).

use std::fs;
use std::path::Path;

use arrow::array::RecordBatch;
use tracing::{debug, warn};

use super::segment::{self, Scan};
use super::{segment_path, WalError, HEADER_LEN};

/// What a replay found, in file order.
#[derive(Debug, Default)]
pub struct Replay {
    /// Every good record as (segment id, batch), in the order it was appended.
    pub batches: Vec<(u64, RecordBatch)>,
    /// The damaged or partial end of the last segment, if any: truncated by [`super::Wal::open`],
    /// only reported by [`replay_read_only`].
    pub torn: Option<TornTail>,
    /// The ids of the segments read (not those skipped), ascending.
    pub segments: Vec<u64>,
}

/// A bad record at the end of the last segment: a write torn by a crash (or, read-only, one
/// still being written). It was never acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// The segment id.
    pub segment: u64,
    /// Where the bad bytes start: the length of the good part of the file.
    pub offset: u64,
    /// How many bytes follow the last good record.
    pub dropped_bytes: u64,
    /// What is wrong with them.
    pub reason: String,
}

/// Whether the replay may change files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The writer at start-up: truncate a torn tail, remove a half-created last segment.
    Recover,
    /// Anyone else: change nothing; tolerate a writer appending or removing segments.
    ReadOnly,
}

/// Replays the WAL in `dir` without changing any file, skipping segments with an id up to
/// `skip_through` (already elsewhere). A writer may be appending meanwhile: every record it
/// acknowledged before this call is returned, a partial record at the end of the last segment
/// ends the replay (reported in [`Replay::torn`]), a last segment whose header is not yet
/// complete is ignored, and a segment removed while listed is skipped (its records are then
/// covered by a newer `skip_through`; callers compare their own state before and after).
/// A missing directory is an empty replay.
pub fn replay_read_only(dir: &Path, skip_through: Option<u64>) -> Result<Replay, WalError> {
    replay(dir, skip_through, Mode::ReadOnly).map(|(replay, _)| replay)
}

/// Replays `dir`; also returns the highest segment id present (skipped or not).
pub(crate) fn replay(
    dir: &Path,
    skip_through: Option<u64>,
    mode: Mode,
) -> Result<(Replay, Option<u64>), WalError> {
    let ids = segment::list(dir)?;
    let last = ids.last().copied();
    let mut out = Replay::default();
    for id in ids {
        if skip_through.is_some_and(|s| id <= s) {
            continue;
        }
        let path = segment_path(dir, id);
        let is_last = Some(id) == last;
        let scan = match segment::scan(&path, id) {
            Err(WalError::Io { source, .. })
                if mode == Mode::ReadOnly && source.kind() == std::io::ErrorKind::NotFound =>
            {
                debug!(path = %path.display(), "WAL segment removed while replaying; skipped.");
                continue;
            }
            other => other?,
        };
        match scan {
            Scan::IncompleteHeader(len) if is_last => match mode {
                Mode::ReadOnly => {
                    debug!(path = %path.display(), len, "Ignoring a WAL segment being created.");
                }
                Mode::Recover => {
                    fs::remove_file(&path)
                        .map_err(|e| WalError::io("removing half-created WAL segment", &path, e))?;
                    segment::sync_dir(dir)?;
                    let reason = format!("incomplete segment header ({len} of {HEADER_LEN} bytes)");
                    warn!(path = %path.display(), %reason, "Removed a half-created WAL segment.");
                    out.torn = Some(TornTail {
                        segment: id,
                        offset: 0,
                        dropped_bytes: len,
                        reason,
                    });
                }
            },
            Scan::IncompleteHeader(len) => {
                return Err(WalError::BadHeader {
                    path,
                    detail: format!(
                        "incomplete header ({len} of {HEADER_LEN} bytes) in a segment that is not the last"
                    ),
                });
            }
            Scan::Records { batches, bad } => {
                out.segments.push(id);
                out.batches.extend(batches.into_iter().map(|b| (id, b)));
                let Some(bad) = bad else { continue };
                if !is_last {
                    return Err(WalError::Corrupt {
                        path,
                        offset: bad.offset,
                        reason: bad.reason,
                    });
                }
                let torn = TornTail {
                    segment: id,
                    offset: bad.offset,
                    dropped_bytes: bad.file_len.saturating_sub(bad.offset),
                    reason: bad.reason,
                };
                match mode {
                    Mode::ReadOnly => {
                        debug!(path = %path.display(), offset = torn.offset, reason = %torn.reason,
                            "WAL replay stops at a partial or damaged tail (left as it is).");
                    }
                    Mode::Recover => {
                        segment::truncate(&path, torn.offset)?;
                        warn!(path = %path.display(), offset = torn.offset, dropped = torn.dropped_bytes,
                            reason = %torn.reason, "Truncated a torn WAL tail.");
                    }
                }
                out.torn = Some(torn);
            }
        }
    }
    Ok((out, last))
}
