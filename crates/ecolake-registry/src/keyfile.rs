//! Key files: 32 random bytes in a file of the data directory, outside the database, readable by
//! their owner only. `registry.key` encrypts device passwords ([`crate::secret`]); `audit.key`
//! seals the audit log ([`crate::audit`]).
//!
//! A key file is created on first need, from the OS random number generator, written to a
//! temporary owner-only file, flushed to disk and linked into place, so no other process ever
//! sees a partial key (and of two processes creating it at once, both end up with the one that
//! was linked first). A key file that its group or others may access is refused.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroize;

use crate::RegistryError;

/// Bytes of a key.
pub(crate) const KEY_LEN: usize = 32;

/// A key read from its file (wiped from memory when dropped).
pub(crate) struct KeyFile {
    /// The key.
    pub(crate) bytes: [u8; KEY_LEN],
    /// Where it was read from (for messages).
    pub(crate) path: PathBuf,
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFile({}, ***)", self.path.display())
    }
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError + '_ {
    move |source| RegistryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses a key file that its group or others may access; `purpose` says what the key does.
#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata, purpose: &str) -> Result<(), RegistryError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(RegistryError::Corrupt(format!(
            "key file {} has mode {mode:04o}, which lets its group or others access it; the key \
             that {purpose} must be readable by its owner only: run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_: &Path, _: &std::fs::Metadata, _: &str) -> Result<(), RegistryError> {
    Ok(())
}

/// The key in the key file at `path`, if the file exists; `purpose` (`encrypts device
/// passwords`) is for messages.
pub(crate) fn read(path: &Path, purpose: &str) -> Result<Option<KeyFile>, RegistryError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    // The metadata of the opened file, not of the path: what is checked is what is read.
    let meta = file.metadata().map_err(io(path))?;
    if !meta.is_file() {
        return Err(RegistryError::Corrupt(format!(
            "key file {} is not a regular file",
            path.display()
        )));
    }
    check_mode(path, &meta, purpose)?;
    let mut bytes = Vec::with_capacity(KEY_LEN + 1);
    (&mut file)
        .take(KEY_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    let key =
        <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
            RegistryError::Corrupt(format!(
            "key file {} holds {}{} bytes; a key is {KEY_LEN} bytes (the file is damaged or not \
             a registry key)",
            path.display(),
            bytes.len(),
            if bytes.len() > KEY_LEN { " or more" } else { "" }
        ))
        });
    bytes.zeroize();
    Ok(Some(KeyFile {
        bytes: key?,
        path: path.to_path_buf(),
    }))
}

/// Opens a new file for writing, owner-only from the start.
fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// `n` random bytes from the OS.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], RegistryError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        RegistryError::Corrupt(format!("the OS random number generator failed: {e}"))
    })?;
    Ok(bytes)
}

/// Creates the key file at `path` with a new random key. If another process created it
/// meanwhile, its key is used.
pub(crate) fn create(path: &Path, purpose: &str) -> Result<KeyFile, RegistryError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let key = KeyFile {
        bytes: random::<KEY_LEN>()?,
        path: path.to_path_buf(),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let file_name = path
        .file_name()
        .map_or("key".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{file_name}.{}.{nanos}.tmp", std::process::id()));
    let written = create_owner_only(&tmp).and_then(|mut file| {
        file.write_all(&key.bytes)?;
        file.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(&tmp)(e));
    }
    // A hard link publishes the complete file, and fails if a key file appeared meanwhile.
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            #[cfg(unix)]
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io(dir))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read(path, purpose)?.ok_or_else(|| {
                RegistryError::Corrupt(format!(
                    "key file {} appeared and vanished while it was being created",
                    path.display()
                ))
            })
        }
        Err(e) => Err(io(path)(e)),
    }
}
