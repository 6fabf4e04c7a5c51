//! The manifest: the list of lake files that make up the table, replaced atomically
//! (`_manifest.json` at the lake root). A file not in the manifest is not part of the lake (a crash may leave
//! one behind; it is ignored and cleaned up). The WAL segments up to `wal_flushed_through` are
//! in the lake and are skipped on replay.

use serde::{Deserialize, Serialize};

use crate::lake::storage::{LakeStorage, MANIFEST};
use crate::{PartitionKey, StoreError};

/// The on-disk format version this build writes. It reads every earlier one and migrates it
/// in place when a writer opens the lake ([`crate::lake::migrate`]).
///
/// - 1: every period partitioned by UTC day.
/// - 2: partitions span a day (`rtd`, `min`), a month (`hour`) or a year (`day`, `month`,
///   `year`), see [`crate::lake::Span`].
pub const FORMAT_VERSION: u32 = 2;

/// Whether a file holds current versions (maybe with superseded ones not compacted yet) or
/// only superseded versions moved there by compaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `lake/observations/…`
    Current,
    /// `lake/observations_history/…`
    History,
}

impl FileKind {
    /// The table directory under the lake root.
    pub fn table_dir(self) -> &'static str {
        match self {
            FileKind::Current => "observations",
            FileKind::History => "observations_history",
        }
    }
}

/// One Parquet file of the lake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileMeta {
    /// Unique id (also its file name).
    pub id: u64,
    /// Current or history.
    pub kind: FileKind,
    /// Its partition.
    pub partition: PartitionKey,
    /// Rows.
    pub rows: u64,
    /// Bytes on disk.
    pub bytes: u64,
    /// Smallest and largest `time` (ms).
    pub min_time: i64,
    /// Largest `time` (ms).
    pub max_time: i64,
    /// Smallest `seq`.
    pub min_seq: u64,
    /// Largest `seq`.
    pub max_seq: u64,
    /// Every key appears once in the file.
    pub unique_keys: bool,
}

impl FileMeta {
    /// Path relative to the lake root.
    pub fn rel_path(&self) -> String {
        format!(
            "{}/{}/{:016}.parquet",
            self.kind.table_dir(),
            self.partition.dir(),
            self.id
        )
    }
}

/// The lake's table of contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// On-disk format version.
    pub format_version: u32,
    /// Incremented on every replacement.
    pub version: u64,
    /// The next file id.
    pub next_file_id: u64,
    /// The highest `seq` in the lake.
    pub max_seq: u64,
    /// WAL segments with an id up to this are in the lake.
    pub wal_flushed_through: u64,
    /// The files.
    pub files: Vec<FileMeta>,
    /// Files no longer listed, kept until a grace period has passed so that queries planned on
    /// an earlier manifest can finish.
    #[serde(default)]
    pub garbage: Vec<Garbage>,
}

/// A replaced file waiting for deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Garbage {
    /// The file.
    pub file: FileMeta,
    /// When it may be deleted (ms since the epoch).
    pub delete_after_ms: i64,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format_version: FORMAT_VERSION,
            version: 0,
            next_file_id: 1,
            max_seq: 0,
            wal_flushed_through: 0,
            files: Vec::new(),
            garbage: Vec::new(),
        }
    }
}

impl Manifest {
    /// Loads the manifest of a lake (an empty one if there is none yet).
    pub async fn load(storage: &LakeStorage) -> Result<Manifest, StoreError> {
        let Some(bytes) = storage.get(MANIFEST).await? else {
            return Ok(Manifest::default());
        };
        let error = |detail: String| StoreError::Manifest {
            path: storage.url_of(MANIFEST).into(),
            detail,
        };
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| error(e.to_string()))?;
        if m.format_version > FORMAT_VERSION {
            return Err(error(format!(
                "format version {} is newer than this build's {FORMAT_VERSION}; upgrade ecolake",
                m.format_version
            )));
        }
        Ok(m)
    }

    /// Replaces the manifest atomically and durably, with `version` incremented.
    pub async fn store(&mut self, storage: &LakeStorage) -> Result<(), StoreError> {
        self.version += 1;
        self.format_version = FORMAT_VERSION;
        let bytes = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        storage.put(MANIFEST, bytes.into()).await
    }

    /// Files of one kind.
    pub fn files_of(&self, kind: FileKind) -> impl Iterator<Item = &FileMeta> {
        self.files.iter().filter(move |f| f.kind == kind)
    }
}
