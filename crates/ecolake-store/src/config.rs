//! Store configuration: memory bounds and timing.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::lake::storage::LakeLocation;

/// How the store uses memory and time. Defaults suit one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Flush the memtable to Parquet when it holds this many bytes of Arrow data.
    pub memtable_bytes: usize,
    /// Writes wait (backpressure) while unflushed data exceeds this many bytes.
    pub max_unflushed_bytes: usize,
    /// Flush the memtable when its oldest write is this old.
    pub flush_age: Duration,
    /// WAL segment size before rotation.
    pub wal_segment_bytes: u64,
    /// Rows per Parquet row group.
    pub row_group_rows: usize,
    /// How often partitions that need a merge on read are compacted.
    pub compact_interval: Duration,
    /// Rows one compaction of a partition reads at most (its memory grows with them): it
    /// merges the partition's smallest current files up to this many rows; files too large to
    /// pair stay as they are and are merged on read. [`StoreConfig::rows_for`] of the
    /// memtable's bytes is a memtable's worth.
    pub compact_max_rows: u64,
    /// How long replaced files are kept for queries still reading them.
    pub gc_grace: Duration,
    /// Retention in days per period name; periods not listed are kept forever.
    pub retention_days: BTreeMap<String, u32>,
    /// Where the lake is (default: `DATA_DIR/lake`).
    pub lake: LakeLocation,
}

impl StoreConfig {
    /// About how many observation rows `bytes` of Arrow memory hold (128 bytes a row, with
    /// the copies a compaction makes).
    pub fn rows_for(bytes: usize) -> u64 {
        (bytes / 128) as u64
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            memtable_bytes: 256 << 20,
            max_unflushed_bytes: 768 << 20,
            flush_age: Duration::from_secs(600),
            wal_segment_bytes: 64 << 20,
            row_group_rows: 1 << 20,
            compact_interval: Duration::from_secs(60),
            compact_max_rows: StoreConfig::rows_for(256 << 20),
            gc_grace: Duration::from_secs(600),
            // Real-time values for half a year; minute data for three years; hourly and
            // longer periods for ever.
            retention_days: BTreeMap::from([("rtd".to_owned(), 183), ("min".to_owned(), 1096)]),
            lake: LakeLocation::default(),
        }
    }
}
