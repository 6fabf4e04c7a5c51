//! Compaction and retention.
//!
//! Compaction rewrites the current files of a partition as one file with one (the latest)
//! version per key, and moves the superseded versions to a history file, so the partition is
//! read again without merging. Retention drops whole partitions older than their period's
//! limit. Both replace the manifest atomically; the files they replace are deleted only after a
//! grace period, so that queries planned on an older manifest can finish.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use arrow::array::{Array, BooleanArray, RecordBatch};
use arrow::compute::{concat_batches, filter_record_batch};
use arrow::row::{RowConverter, SortField};
use ecolake_model::observation::{self, col};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::lake::manifest::{FileKind, FileMeta, Manifest};
use crate::lake::{durable, writer};
use crate::{PartitionKey, StoreError};

/// Partitions whose current data needs a merge on read: more than one current file, or a file
/// with repeated keys.
pub fn candidates(manifest: &Manifest) -> Vec<PartitionKey> {
    let mut files: BTreeMap<&PartitionKey, (usize, bool)> = BTreeMap::new();
    for f in manifest.files_of(FileKind::Current) {
        let e = files.entry(&f.partition).or_insert((0, true));
        e.0 += 1;
        e.1 &= f.unique_keys;
    }
    files
        .into_iter()
        .filter(|(_, (n, unique))| *n > 1 || !unique)
        .map(|(p, _)| p.clone())
        .collect()
}

/// Reads a lake file.
pub fn read(dir: &Path, file: &FileMeta) -> Result<Vec<RecordBatch>, StoreError> {
    let path = dir.join(file.rel_path());
    let f = File::open(&path).map_err(|e| StoreError::io("opening", &path, e))?;
    let err = |source| StoreError::Parquet {
        path: path.clone(),
        source,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(err)?
        .with_batch_size(64 * 1024)
        .build()
        .map_err(err)?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::Arrow)
}

/// Compacts one partition into `manifest` (which the caller then stores). Returns the files
/// it replaced (to be deleted after the grace period).
pub fn compact_partition(
    dir: &Path,
    manifest: &mut Manifest,
    partition: &PartitionKey,
    row_group_rows: usize,
) -> Result<Vec<FileMeta>, StoreError> {
    let old: Vec<FileMeta> = manifest
        .files_of(FileKind::Current)
        .filter(|f| &f.partition == partition)
        .cloned()
        .collect();
    if old.is_empty() {
        return Ok(Vec::new());
    }
    let mut batches = Vec::new();
    for f in &old {
        batches.extend(read(dir, f)?);
    }
    let all = concat_batches(&observation::schema(), &batches)?;
    let sorted = writer::sort(&all)?;
    let latest = latest_versions(&sorted)?;
    let current = filter_record_batch(&sorted, &latest)?;
    let superseded = filter_record_batch(&sorted, &arrow::compute::not(&latest)?)?;
    let mut new_files =
        writer::write_partitions(dir, &[current], FileKind::Current, manifest, row_group_rows)?;
    if superseded.num_rows() > 0 {
        new_files.extend(writer::write_partitions(
            dir,
            &[superseded],
            FileKind::History,
            manifest,
            row_group_rows,
        )?);
    }
    let ids: Vec<u64> = old.iter().map(|f| f.id).collect();
    manifest.files.retain(|f| !ids.contains(&f.id));
    manifest.files.extend(new_files);
    Ok(old)
}

/// In a batch sorted by key then ascending `seq`, the last row of each key is its latest
/// version.
fn latest_versions(sorted: &RecordBatch) -> Result<BooleanArray, StoreError> {
    let columns: Vec<_> = [col::SITE, col::FACTOR, col::PERIOD, col::TIME]
        .iter()
        .map(|c| {
            sorted
                .column_by_name(c)
                .expect("observation schema")
                .clone()
        })
        .collect();
    let converter = RowConverter::new(
        columns
            .iter()
            .map(|c| SortField::new(c.data_type().clone()))
            .collect(),
    )?;
    let rows = converter.convert_columns(&columns)?;
    let n = rows.num_rows();
    Ok(BooleanArray::from_iter((0..n).map(|i| {
        Some(i + 1 == n || rows.row(i) != rows.row(i + 1))
    })))
}

/// Drops from `manifest` the partitions whose day ended more than `keep_days` ago for their
/// period (`limits`: period name → days). Returns the dropped files.
pub fn apply_retention(
    manifest: &mut Manifest,
    limits: &BTreeMap<String, u32>,
    today: i64,
) -> Vec<FileMeta> {
    let expired = |f: &FileMeta| {
        limits
            .get(&f.partition.period)
            .is_some_and(|days| f.partition.day + i64::from(*days) < today)
    };
    let (dropped, kept): (Vec<FileMeta>, Vec<FileMeta>) =
        manifest.files.drain(..).partition(|f| expired(f));
    manifest.files = kept;
    dropped
}

/// Deletes replaced files whose grace period has passed (the manifest that stopped listing
/// them is already durable) and forgets them.
pub fn collect_garbage(dir: &Path, manifest: &mut Manifest, now_ms: i64) -> Result<(), StoreError> {
    let mut waiting = Vec::new();
    for g in std::mem::take(&mut manifest.garbage) {
        if g.delete_after_ms <= now_ms {
            durable::remove(&dir.join(g.file.rel_path()))?;
        } else {
            waiting.push(g);
        }
    }
    manifest.garbage = waiting;
    Ok(())
}
