//! A consistent view of the store for queries: the lake files of one manifest plus the rows
//! not yet in the lake.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;

use crate::lake::manifest::{FileKind, FileMeta, Manifest};
use crate::lake::storage::{LakeLocation, LakeStorage, MANIFEST};
use crate::memtable::{partitions_of, seq_bounds};
use crate::{wal, PartitionKey, StoreError};

/// What a query reads.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Where the lake's files are.
    pub storage: LakeStorage,
    /// The lake's table of contents.
    pub manifest: Arc<Manifest>,
    /// Rows not yet in the lake (memtables, or the WAL replayed read-only).
    pub mem: Vec<RecordBatch>,
    /// The partitions those rows fall in.
    pub mem_partitions: BTreeSet<PartitionKey>,
}

impl Snapshot {
    /// A read-only view of a data directory that a server may be writing: the manifest and a
    /// read-only replay of the WAL segments it does not cover. Nothing is changed on disk.
    /// If the writer flushes meanwhile (the manifest changes), the view is taken again.
    pub async fn read_only(dir: &Path) -> Result<Snapshot, StoreError> {
        Snapshot::read_only_at(dir, &LakeLocation::default()).await
    }

    /// [`Snapshot::read_only`] with object store settings (endpoint, credentials) for a lake
    /// that is not local; its URL is the one the data directory records unless given.
    pub async fn read_only_at(dir: &Path, location: &LakeLocation) -> Result<Snapshot, StoreError> {
        let storage = LakeStorage::open(dir, location, false)?;
        for _ in 0..10 {
            let manifest = Manifest::load(&storage).await?;
            let wal_dir = dir.join("wal");
            let through = manifest.wal_flushed_through;
            let replay =
                tokio::task::spawn_blocking(move || wal::replay_read_only(&wal_dir, Some(through)))
                    .await
                    .expect("replay does not panic")?;
            if Manifest::load(&storage).await?.version != manifest.version {
                continue;
            }
            let mem: Vec<RecordBatch> = replay.batches.into_iter().map(|(_, b)| b).collect();
            let mem_partitions = mem.iter().flat_map(partitions_of).collect();
            return Ok(Snapshot {
                storage,
                manifest: Arc::new(manifest),
                mem,
                mem_partitions,
            });
        }
        Err(StoreError::Manifest {
            path: storage.url_of(MANIFEST).into(),
            detail: "changed ten times while reading; is a writer flushing continuously?".into(),
        })
    }

    /// Files of a kind.
    pub fn files(&self, kind: FileKind) -> impl Iterator<Item = &FileMeta> {
        self.manifest.files_of(kind)
    }

    /// Where a lake file is: a local path or an object store URL.
    pub fn url_of(&self, file: &FileMeta) -> String {
        self.storage.url_of(&file.rel_path())
    }

    /// Partitions whose current versions can be read without merging versions: exactly one
    /// current file, with unique keys, and no unflushed rows that could share a key with it
    /// (compared by time span, so that a lake of format version 1, whose partitions are days,
    /// is read correctly with unflushed rows partitioned the current way).
    pub fn clean_partitions(&self) -> BTreeSet<PartitionKey> {
        let mut count: std::collections::BTreeMap<&PartitionKey, (usize, bool)> =
            Default::default();
        for f in self.files(FileKind::Current) {
            let e = count.entry(&f.partition).or_insert((0, true));
            e.0 += 1;
            e.1 &= f.unique_keys;
        }
        count
            .into_iter()
            .filter(|(p, (n, unique))| {
                *n == 1 && *unique && !self.mem_partitions.iter().any(|m| m.overlaps(p))
            })
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The part of the snapshot that can hold rows with `after < seq <= upto`: the lake files
    /// and unflushed batches whose `seq` range meets it, whole (filter on `seq` for exactly
    /// the range). For following the store by `seq` through `observations_history`
    /// (forwarding); the `observations` of the result is not the lake's current view.
    pub fn seq_range(&self, after: u64, upto: u64) -> Snapshot {
        let meets = |(min, max): (u64, u64)| max > after && min <= upto;
        let mut manifest = (*self.manifest).clone();
        manifest.files.retain(|f| meets((f.min_seq, f.max_seq)));
        Snapshot {
            storage: self.storage.clone(),
            manifest: Arc::new(manifest),
            mem: self
                .mem
                .iter()
                .filter(|b| seq_bounds(b).is_some_and(meets))
                .cloned()
                .collect(),
            mem_partitions: self.mem_partitions.clone(),
        }
    }

    /// Rows in the snapshot (lake current + history files + unflushed).
    pub fn rows(&self) -> u64 {
        self.manifest.files.iter().map(|f| f.rows).sum::<u64>()
            + self.mem.iter().map(|b| b.num_rows() as u64).sum::<u64>()
    }
}
