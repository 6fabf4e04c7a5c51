//! Segment files: naming, listing, durable creation and scanning.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::Path;

use arrow::array::RecordBatch;

use super::record::{self, Next};
use super::{segment_path, WalError, HEADER_LEN};

/// Suffix of a segment being created; such files are never segments.
const TMP_SUFFIX: &str = ".wal.tmp";

/// The id of a segment file name (`{id:020}.wal`), or `None` for any other name.
pub(crate) fn parse_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".wal")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The segment ids in `dir`, ascending; a missing directory has none.
pub(crate) fn list(dir: &Path) -> Result<Vec<u64>, WalError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WalError::io("listing WAL directory", dir, e)),
    };
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| WalError::io("listing WAL directory", dir, e))?;
        if let Some(id) = entry.file_name().to_str().and_then(parse_name) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// fsyncs `dir` so that files created, renamed or removed in it stay so after a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| WalError::io("syncing WAL directory", dir, e))
}

/// Removes segments left half-created (`*.wal.tmp`) by an earlier writer.
pub(crate) fn remove_temporaries(dir: &Path) -> Result<(), WalError> {
    let entries = fs::read_dir(dir).map_err(|e| WalError::io("listing WAL directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| WalError::io("listing WAL directory", dir, e))?;
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.ends_with(TMP_SUFFIX))
        {
            let path = entry.path();
            fs::remove_file(&path)
                .map_err(|e| WalError::io("removing a half-created WAL segment", &path, e))?;
        }
    }
    Ok(())
}

/// Creates segment `id` durably and returns it open for writing just after its header.
///
/// The header is written and fsynced under a temporary name, renamed into place and the
/// directory fsynced: a segment file never has a partial header. A segment `id` left by an
/// earlier failed attempt is replaced only if it holds no records.
pub(crate) fn create(dir: &Path, id: u64) -> Result<File, WalError> {
    let path = segment_path(dir, id);
    if let Ok(meta) = fs::symlink_metadata(&path) {
        if meta.len() > HEADER_LEN || !meta.is_file() {
            return Err(WalError::io(
                "creating WAL segment",
                &path,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a segment with records exists",
                ),
            ));
        }
    }
    let tmp = dir.join(format!("{id:020}{TMP_SUFFIX}"));
    let write = || -> std::io::Result<File> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(&record::header(id))?;
        f.sync_all()?;
        Ok(f)
    };
    let file = match write() {
        Ok(f) => f,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(WalError::io("creating WAL segment", &tmp, e));
        }
    };
    if let Err(e) = fs::rename(&tmp, &path) {
        let _ = fs::remove_file(&tmp);
        return Err(WalError::io(
            "renaming new WAL segment into place",
            &path,
            e,
        ));
    }
    sync_dir(dir)?;
    Ok(file)
}

/// A damaged or partial record found while scanning.
#[derive(Debug)]
pub(crate) struct Bad {
    /// Where the bad record starts (the length of the good prefix).
    pub offset: u64,
    /// The file length seen when it was found.
    pub file_len: u64,
    /// What is wrong.
    pub reason: String,
}

/// What a segment file holds.
#[derive(Debug)]
pub(crate) enum Scan {
    /// Fewer than [`HEADER_LEN`] bytes: a segment being created. Holds its length.
    IncompleteHeader(u64),
    /// A valid header; every good record up to the first bad one, if any.
    Records {
        /// The good records in file order.
        batches: Vec<RecordBatch>,
        /// The first bad record, if the file does not end at a record boundary.
        bad: Option<Bad>,
    },
}

/// Reads segment `id` at `path`. Damage is reported in the result; the caller decides
/// whether it is a torn tail or corruption.
pub(crate) fn scan(path: &Path, id: u64) -> Result<Scan, WalError> {
    let read_err = |e| WalError::io("reading WAL segment", path, e);
    let file = File::open(path).map_err(read_err)?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; HEADER_LEN as usize];
    let got = record::read_full(&mut reader, &mut header).map_err(read_err)?;
    if got < header.len() {
        return Ok(Scan::IncompleteHeader(got as u64));
    }
    record::check_header(&header, id, path)?;
    let mut batches = Vec::new();
    let mut offset = HEADER_LEN;
    loop {
        match record::read_record(&mut reader).map_err(read_err)? {
            Next::End => return Ok(Scan::Records { batches, bad: None }),
            Next::Record(batch, len) => {
                batches.push(batch);
                offset += len;
            }
            Next::Bad(reason) => {
                let file_len = reader.get_ref().metadata().map_err(read_err)?.len();
                let bad = Bad {
                    offset,
                    file_len,
                    reason,
                };
                return Ok(Scan::Records {
                    batches,
                    bad: Some(bad),
                });
            }
        }
    }
}

/// Truncates the segment at `path` to `len` bytes, durably.
pub(crate) fn truncate(path: &Path, len: u64) -> Result<(), WalError> {
    OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| {
            f.set_len(len)?;
            f.sync_all()
        })
        .map_err(|e| WalError::io("truncating the torn tail of WAL segment", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name("00000000000000000042.wal"), Some(42));
        assert_eq!(parse_name("42.wal"), None);
        assert_eq!(parse_name("00000000000000000042.wal.tmp"), None);
        assert_eq!(parse_name("0000000000000000004x.wal"), None);
        assert_eq!(
            parse_name("99999999999999999999.wal"),
            None,
            "overflows u64"
        );
    }
}
