//! The data directory's write lock: one writer per directory, readers need none.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::StoreError;

/// Holds the exclusive lock on `DIR/LOCK` for as long as it lives.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock, recording `holder` (e.g. "ecolake serve") and the process id in the
    /// lock file; fails with [`StoreError::Locked`] naming the current holder.
    pub fn acquire(dir: &Path, holder: &str) -> Result<DirLock, StoreError> {
        let path = dir.join("LOCK");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io("opening lock file", &path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim() {
                    "" => "unknown process".to_owned(),
                    t => t.to_owned(),
                };
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io("locking", &path, e)),
        }
        let note = format!("{holder} (pid {})\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(|e| StoreError::io("writing lock file", &path, e))?;
        Ok(DirLock { _file: file })
    }
}
