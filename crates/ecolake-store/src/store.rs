//! The store: validation, WAL with group commit, memtable, background flush to the lake.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use arrow::record_batch::RecordBatch;
use tokio::sync::{Mutex, Notify};
use tracing::{info, warn};

use crate::lake::manifest::{FileKind, FileMeta, Garbage, Manifest};
use crate::lake::storage::LakeStorage;
use crate::lake::{compact, durable, migrate, writer};
use crate::lock::DirLock;
use crate::memtable::{seq_bounds, Memtable};
use crate::validate::{self, Rejection};
use crate::wal::{Wal, WalConfig};
use crate::{Snapshot, StoreConfig, StoreError};

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Rows accepted (durable when the write returns).
    pub accepted: usize,
    /// Rows refused, with reasons.
    pub rejected: Vec<Rejection>,
    /// `seq` of the first accepted row (the others follow).
    pub first_seq: u64,
}

/// The observation store of one data directory. One writer per directory (a lock file names its holder).
#[derive(Debug)]
pub struct Store {
    inner: Arc<Inner>,
    background: tokio::task::JoinHandle<()>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    storage: LakeStorage,
    config: StoreConfig,
    _lock: DirLock,
    wal: Wal,
    next_seq: AtomicU64,
    /// First `seq` of every write between its numbering and its insertion in the memtable:
    /// writes become visible out of order, and [`Store::visible_seq`] must not pass one that
    /// is still on its way.
    numbering: std::sync::Mutex<std::collections::BTreeSet<u64>>,
    /// Held shared across (WAL append, memtable insert); exclusively to freeze the memtable
    /// and rotate the WAL, so no acknowledged row can fall between the two.
    gate: tokio::sync::RwLock<()>,
    state: RwLock<State>,
    flush_lock: Mutex<()>,
    wake_flusher: Notify,
    closed: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    manifest: Arc<Manifest>,
    active: Memtable,
    /// Frozen memtables being flushed, with the last WAL segment they need.
    frozen: Vec<(Arc<Memtable>, u64)>,
}

impl State {
    fn unflushed_bytes(&self) -> usize {
        self.active.bytes() + self.frozen.iter().map(|(m, _)| m.bytes()).sum::<usize>()
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`: takes the write lock, loads the manifest (and
    /// migrates a lake of an earlier format version in place), replays the WAL (a torn last
    /// record is truncated and logged) and starts the background flusher. The lake is in
    /// `dir/lake` unless `config.lake` names another location. Must be called inside a tokio
    /// runtime.
    pub async fn open(dir: &Path, config: StoreConfig) -> Result<Store, StoreError> {
        Self::open_as(dir, config, "ecolake").await
    }

    /// [`Store::open`], naming the holder of the lock (shown to a second writer).
    pub async fn open_as(
        dir: &Path,
        config: StoreConfig,
        holder: &str,
    ) -> Result<Store, StoreError> {
        durable::create_dir_all(dir)?;
        let lock = DirLock::acquire(dir, holder)?;
        let storage = LakeStorage::open(dir, &config.lake, true)?;
        let mut manifest = Manifest::load(&storage).await?;
        crate::lake::remove_orphans(&storage, &manifest).await?;
        let migrated = migrate::migrate(&storage, &mut manifest, config.row_group_rows).await?;
        // A new lake in an object store gets its manifest at once, so that a wrong bucket or
        // missing permission fails here rather than at the first flush.
        let new_remote = manifest.version == 0 && storage.local_root().is_none();
        if !migrated.is_empty() || new_remote {
            retire(&mut manifest, migrated, &config);
            manifest.store(&storage).await?;
        }
        let wal_config = WalConfig {
            segment_bytes: config.wal_segment_bytes,
        };
        let (wal, replay) = Wal::open(
            &dir.join("wal"),
            wal_config,
            Some(manifest.wal_flushed_through),
        )?;
        if let Some(torn) = &replay.torn {
            warn!(segment = torn.segment, offset = torn.offset, dropped = torn.dropped_bytes, reason = %torn.reason, "Truncated a torn WAL tail.");
        }
        let mut active = Memtable::default();
        let mut max_seq = manifest.max_seq;
        let now = Instant::now();
        let replayed = replay.batches.len();
        for (_, batch) in replay.batches {
            max_seq = max_seq.max(seq_bounds(&batch).map_or(0, |(_, max)| max));
            active.insert(batch, now);
        }
        info!(dir = %dir.display(), files = manifest.files.len(), replayed, rows = active.rows(), "Opened the store.");
        let inner = Arc::new(Inner {
            dir: dir.to_path_buf(),
            storage,
            config,
            _lock: lock,
            wal,
            next_seq: AtomicU64::new(max_seq + 1),
            numbering: Default::default(),
            gate: tokio::sync::RwLock::new(()),
            state: RwLock::new(State {
                manifest: Arc::new(manifest),
                active,
                frozen: Vec::new(),
            }),
            flush_lock: Mutex::new(()),
            wake_flusher: Notify::new(),
            closed: AtomicBool::new(false),
        });
        let background = tokio::spawn(flusher(inner.clone()));
        Ok(Store { inner, background })
    }

    /// Validates and writes a batch (write schema, see
    /// `ecolake_model::observation::write_schema`). Returns when the accepted rows are durable
    /// in the WAL; they are visible to [`Store::snapshot`] from then on. While unflushed
    /// data exceeds the configured bound, the write first flushes (backpressure) and fails with
    /// the flush's error if the lake cannot be written.
    pub async fn write(&self, batch: &RecordBatch) -> Result<WriteOutcome, StoreError> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let received_at = chrono::Utc::now().timestamp_millis();
        let mut first_seq = 0;
        let mut numbered = None;
        let prepared = validate::prepare(
            batch,
            |n| {
                let mut numbering = inner.numbering.lock().expect("numbering lock");
                first_seq = inner.next_seq.fetch_add(n as u64, Ordering::Relaxed);
                if n > 0 {
                    numbering.insert(first_seq);
                    numbered = Some(Numbered {
                        inner,
                        first: first_seq,
                    });
                }
                first_seq
            },
            received_at,
        )?;
        let accepted = prepared.batch.num_rows();
        if accepted > 0 {
            // Backpressure: past the bound, this write flushes (or waits for the flush in
            // progress) and fails with the flush's error rather than waiting for ever.
            let over = inner.state.read().expect("state lock").unflushed_bytes()
                > inner.config.max_unflushed_bytes;
            if over {
                flush(inner).await?;
            }
            let _gate = inner.gate.read().await;
            inner.wal.append(&prepared.batch).await?;
            let mut state = inner.state.write().expect("state lock");
            state.active.insert(prepared.batch, Instant::now());
            if state.active.bytes() >= inner.config.memtable_bytes {
                inner.wake_flusher.notify_one();
            }
        }
        drop(numbered);
        Ok(WriteOutcome {
            accepted,
            rejected: prepared.rejected,
            first_seq,
        })
    }

    /// The highest `seq` below which every write has ended: its rows are in
    /// [`Store::snapshot`] (or it failed and they never will be). Concurrent writes become
    /// visible out of `seq` order; a reader that follows the store by `seq` (forwarding) reads
    /// up to this and never skips a row that appears later.
    pub fn visible_seq(&self) -> u64 {
        let numbering = self.inner.numbering.lock().expect("numbering lock");
        match numbering.first() {
            Some(first) => first - 1,
            None => self.inner.next_seq.load(Ordering::Relaxed) - 1,
        }
    }

    /// What queries read now: the manifest and every acknowledged row not yet in the lake.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.inner.state.read().expect("state lock");
        let mut mem = Vec::new();
        let mut mem_partitions = state.active.partitions().clone();
        for (m, _) in &state.frozen {
            mem.extend_from_slice(m.batches());
            mem_partitions.extend(m.partitions().iter().cloned());
        }
        mem.extend_from_slice(state.active.batches());
        Snapshot {
            storage: self.inner.storage.clone(),
            manifest: state.manifest.clone(),
            mem,
            mem_partitions,
        }
    }

    /// Flushes everything written so far to the lake and deletes the WAL segments it covers.
    pub async fn flush(&self) -> Result<(), StoreError> {
        flush(&self.inner).await
    }

    /// Flushes and stops: the background task ends and the WAL is closed.
    pub async fn close(self) -> Result<(), StoreError> {
        self.inner.closed.store(true, Ordering::Release);
        let result = flush(&self.inner).await;
        self.stop().await?;
        result
    }

    /// Stops without flushing: the next open replays the WAL (what a crash leaves behind,
    /// without the torn tail). For fast shutdowns and tests.
    pub async fn close_unflushed(self) -> Result<(), StoreError> {
        self.inner.closed.store(true, Ordering::Release);
        self.stop().await
    }

    async fn stop(self) -> Result<(), StoreError> {
        let Store { inner, background } = self;
        {
            // With the flush lock held, the flusher is idle: stop it there.
            let _idle = inner.flush_lock.lock().await;
            background.abort();
        }
        let _ = background.await;
        let inner = Arc::try_unwrap(inner).map_err(|_| StoreError::Closed)?;
        inner.wal.close().await?;
        Ok(())
    }

    /// Compacts every partition that needs a merge on read, applies retention and deletes
    /// replaced files whose grace period has passed. Runs in the background every
    /// `compact_interval`; writes and queries go on meanwhile.
    pub async fn compact(&self) -> Result<(), StoreError> {
        maintain(&self.inner).await
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }
}

/// A write between numbering and visibility; dropping it (also on error or cancellation)
/// lets [`Store::visible_seq`] pass it.
struct Numbered<'a> {
    inner: &'a Inner,
    first: u64,
}

impl Drop for Numbered<'_> {
    fn drop(&mut self) {
        self.inner
            .numbering
            .lock()
            .expect("numbering lock")
            .remove(&self.first);
    }
}

/// Waits for writes to say the memtable is full, or for it to grow old, and flushes;
/// compacts and applies retention every `compact_interval`.
async fn flusher(inner: Arc<Inner>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut last_compaction = Instant::now();
    loop {
        tokio::select! {
            () = inner.wake_flusher.notified() => {}
            _ = tick.tick() => {
                if last_compaction.elapsed() >= inner.config.compact_interval {
                    last_compaction = Instant::now();
                    if let Err(e) = maintain(&inner).await {
                        warn!(error = %e, "Compaction failed; the lake is unchanged, retrying later.");
                    }
                }
                let old = inner.state.read().expect("state lock").active.first_write()
                    .is_some_and(|t| t.elapsed() >= inner.config.flush_age);
                if !old { continue; }
            }
        }
        if let Err(e) = flush(&inner).await {
            warn!(error = %e, "Flush failed; the rows stay in the WAL and the memtable, retrying.");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Puts replaced files on the manifest's garbage list, to be deleted after the grace period.
fn retire(manifest: &mut Manifest, replaced: Vec<FileMeta>, config: &StoreConfig) {
    let due = chrono::Utc::now().timestamp_millis() + config.gc_grace.as_millis() as i64;
    manifest
        .garbage
        .extend(replaced.into_iter().map(|file| Garbage {
            file,
            delete_after_ms: due,
        }));
}

async fn maintain(inner: &Arc<Inner>) -> Result<(), StoreError> {
    let _one = inner.flush_lock.lock().await;
    let before = (*inner.state.read().expect("state lock").manifest).clone();
    let mut manifest = before.clone();
    let storage = &inner.storage;
    let config = &inner.config;
    let now = chrono::Utc::now().timestamp_millis();
    let mut replaced = Vec::new();
    for partition in compact::candidates(&manifest) {
        replaced.extend(
            compact::compact_partition(
                storage,
                &mut manifest,
                &partition,
                config.row_group_rows,
                config.compact_max_rows,
            )
            .await?,
        );
    }
    replaced.extend(compact::apply_retention(
        &mut manifest,
        &config.retention_days,
        now.div_euclid(86_400_000),
    ));
    retire(&mut manifest, replaced, config);
    // Garbage whose grace ends by now goes now (with no grace: what this run replaced).
    let now = chrono::Utc::now().timestamp_millis();
    let garbage_due = manifest.garbage.iter().any(|g| g.delete_after_ms <= now);
    if manifest == before && !garbage_due {
        return Ok(());
    }
    // Deleting needs the manifest that no longer lists the files to be durable first.
    manifest.store(storage).await?;
    let kept = manifest.garbage.len();
    compact::collect_garbage(storage, &mut manifest, now).await?;
    if manifest.garbage.len() != kept {
        manifest.store(storage).await?;
    }
    inner.state.write().expect("state lock").manifest = Arc::new(manifest);
    Ok(())
}

async fn flush(inner: &Arc<Inner>) -> Result<(), StoreError> {
    let _one = inner.flush_lock.lock().await;
    {
        let _gate = inner.gate.write().await;
        let active = std::mem::take(&mut inner.state.write().expect("state lock").active);
        if !active.is_empty() {
            let closed = match inner.wal.rotate().await {
                Ok(c) => c,
                Err(e) => {
                    inner.state.write().expect("state lock").active = active;
                    return Err(e.into());
                }
            };
            inner
                .state
                .write()
                .expect("state lock")
                .frozen
                .push((Arc::new(active), closed));
        }
    }
    let (frozen, mut manifest) = {
        let state = inner.state.read().expect("state lock");
        (state.frozen.clone(), (*state.manifest).clone())
    };
    if frozen.is_empty() {
        return Ok(());
    }
    let through = frozen.iter().map(|(_, s)| *s).max().unwrap_or(0);
    let batches: Vec<RecordBatch> = frozen
        .iter()
        .flat_map(|(m, _)| m.batches().to_vec())
        .collect();
    let files = writer::write_partitions(
        &inner.storage,
        batches,
        FileKind::Current,
        &mut manifest,
        inner.config.row_group_rows,
    )
    .await?;
    manifest.max_seq = manifest
        .max_seq
        .max(files.iter().map(|f| f.max_seq).max().unwrap_or(0));
    manifest.wal_flushed_through = manifest.wal_flushed_through.max(through);
    manifest.files.extend(files);
    manifest.store(&inner.storage).await?;
    {
        let mut state = inner.state.write().expect("state lock");
        state.manifest = Arc::new(manifest);
        state.frozen.drain(..frozen.len());
    }
    inner.wal.remove_through(through)?;
    Ok(())
}
