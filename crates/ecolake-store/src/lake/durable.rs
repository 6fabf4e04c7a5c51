//! Durable file operations on the local lake: write to a temporary name, fsync, rename,
//! fsync the directory. A crash at any step leaves either the old file or the new one.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::StoreError;

/// fsyncs a directory so that entries created or removed in it are durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let dir = or_current(dir);
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("syncing directory", dir, e))
}

/// Creates `dir` and its parents, making each new entry durable.
pub fn create_dir_all(dir: &Path) -> Result<(), StoreError> {
    let dir = or_current(dir);
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_all(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(StoreError::io("creating directory", dir, e)),
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// The parent of a bare relative name (`data`) is the empty path: the current directory.
fn or_current(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// Writes `bytes` to `path` atomically and durably.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().expect("a file path has a parent");
    create_dir_all(dir)?;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io("writing", &tmp, e));
    }
    fs::rename(&tmp, path).map_err(|e| StoreError::io("renaming into place", path, e))?;
    sync_dir(dir)
}

/// Renames a finished temporary file into place durably (its contents already fsynced).
pub fn publish(tmp: &Path, path: &Path) -> Result<(), StoreError> {
    fs::rename(tmp, path).map_err(|e| StoreError::io("renaming into place", path, e))?;
    sync_dir(path.parent().expect("a file path has a parent"))
}

/// Removes a file; a file already gone is fine.
pub fn remove(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("removing", path, e)),
    }
}
