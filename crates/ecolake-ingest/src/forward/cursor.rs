//! An upstream's cursor: the `seq` up to which everything it takes was delivered, kept in
//! `DIR/forward/NAME.json` and replaced atomically (temporary file, fsync, rename, directory
//! fsync), so that a crash leaves the old cursor or the new one, never a torn file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct OnDisk {
    upstream: String,
    seq: u64,
    saved_at: String,
}

/// The cursor in memory and where it is saved.
#[derive(Debug)]
pub(crate) struct Cursor {
    path: PathBuf,
    name: String,
    seq: u64,
    saved: u64,
}

impl Cursor {
    /// Reads the saved cursor, or starts a new one at `start` (saved at once, so that a
    /// restart does not move a `now` start forward past data accepted meanwhile).
    pub(crate) fn open(path: PathBuf, name: &str, start: u64) -> std::io::Result<Cursor> {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let on_disk: OnDisk = serde_json::from_slice(&bytes).map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                Ok(Cursor {
                    path,
                    name: name.to_owned(),
                    seq: on_disk.seq,
                    saved: on_disk.seq,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut cursor = Cursor {
                    path,
                    name: name.to_owned(),
                    seq: start,
                    saved: u64::MAX,
                };
                cursor.save()?;
                Ok(cursor)
            }
            Err(e) => Err(std::io::Error::new(
                e.kind(),
                format!("{}: {e}", path.display()),
            )),
        }
    }

    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves past rows that held nothing to send (saved later).
    pub(crate) fn skip(&mut self, seq: u64) {
        self.seq = self.seq.max(seq);
    }

    /// Moves past delivered rows and saves.
    pub(crate) fn advance(&mut self, seq: u64) -> std::io::Result<()> {
        self.skip(seq);
        self.save()
    }

    /// Saves the cursor if it moved since it was last saved.
    pub(crate) fn save(&mut self) -> std::io::Result<()> {
        if self.saved == self.seq {
            return Ok(());
        }
        let on_disk = OnDisk {
            upstream: self.name.clone(),
            seq: self.seq,
            saved_at: super::now_rfc3339(),
        };
        let tmp = self.path.with_extension("json.tmp");
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&serde_json::to_vec_pretty(&on_disk).map_err(std::io::Error::other)?)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        self.saved = self.seq;
        Ok(())
    }
}
