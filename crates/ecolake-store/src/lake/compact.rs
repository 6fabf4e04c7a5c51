//! Compaction and retention.
//!
//! Compaction rewrites the current files of a partition as one file with one (the latest)
//! version per key, and moves the superseded versions to a history file, so the partition is
//! read again without merging. It reads at most `max_rows` rows at a time — the partition's
//! smallest files — so that its memory stays bounded however large a day's partition grows:
//! files too large to pair stay as they are, and queries merge them on read. Retention drops whole partitions older than their period's
//! limit. Both replace the manifest atomically; the files they replace are deleted only after a
//! grace period, so that queries planned on an older manifest can finish.

use std::collections::BTreeMap;

use arrow::array::{BooleanArray, RecordBatch};
use arrow::compute::{concat_batches, filter_record_batch};
use ecolake_model::observation::{self, col};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::lake::manifest::{FileKind, FileMeta, Manifest};
use crate::lake::storage::LakeStorage;
use crate::lake::writer;
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

/// Reads lake files (decoding on a blocking thread).
pub async fn read(
    storage: &LakeStorage,
    files: &[FileMeta],
) -> Result<Vec<RecordBatch>, StoreError> {
    let mut out = Vec::new();
    for file in files {
        let rel = file.rel_path();
        let Some(bytes) = storage.get(&rel).await? else {
            return Err(StoreError::Manifest {
                path: storage.url_of(crate::lake::storage::MANIFEST).into(),
                detail: format!("lists {rel}, which is missing"),
            });
        };
        let path = storage.url_of(&rel);
        let batches = tokio::task::spawn_blocking(move || {
            let err = |source| StoreError::Parquet {
                path: path.clone().into(),
                source,
            };
            ParquetRecordBatchReaderBuilder::try_new(bytes)
                .map_err(err)?
                .with_batch_size(64 * 1024)
                .build()
                .map_err(err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::Arrow)
        })
        .await
        .expect("decoding does not panic")?;
        out.extend(batches);
    }
    Ok(out)
}

/// Compacts one partition into `manifest` (which the caller then stores): its smallest
/// current files, at most `max_rows` rows ([`merge_set`]). Returns the files it replaced (to
/// be deleted after the grace period).
pub async fn compact_partition(
    storage: &LakeStorage,
    manifest: &mut Manifest,
    partition: &PartitionKey,
    row_group_rows: usize,
    max_rows: u64,
) -> Result<Vec<FileMeta>, StoreError> {
    let files: Vec<FileMeta> = manifest
        .files_of(FileKind::Current)
        .filter(|f| &f.partition == partition)
        .cloned()
        .collect();
    let old = merge_set(files, max_rows);
    if old.is_empty() {
        return Ok(Vec::new());
    }
    let batches = read(storage, &old).await?;
    let (current, superseded) = tokio::task::spawn_blocking(move || split_versions(&batches))
        .await
        .expect("compaction does not panic")?;
    let mut new_files = writer::write_partitions(
        storage,
        vec![current],
        FileKind::Current,
        manifest,
        row_group_rows,
    )
    .await?;
    if superseded.num_rows() > 0 {
        new_files.extend(
            writer::write_partitions(
                storage,
                vec![superseded],
                FileKind::History,
                manifest,
                row_group_rows,
            )
            .await?,
        );
    }
    replace(manifest, &old, new_files);
    Ok(old)
}

/// The files of a partition one compaction merges: the smallest first, as many as fit in
/// `max_rows` together; at least two, or one whose keys repeat; none when nothing qualifies.
pub fn merge_set(mut files: Vec<FileMeta>, max_rows: u64) -> Vec<FileMeta> {
    files.sort_by_key(|f| (f.rows, f.id));
    let mut rows = 0;
    let fit = files
        .iter()
        .take_while(|f| {
            rows += f.rows;
            rows <= max_rows
        })
        .count();
    files.truncate(fit);
    match files.as_slice() {
        [one] if one.unique_keys => Vec::new(),
        _ => files,
    }
}

/// Replaces `old` files by `new` ones in the manifest.
pub fn replace(manifest: &mut Manifest, old: &[FileMeta], new: Vec<FileMeta>) {
    manifest.files.retain(|f| !old.iter().any(|o| o.id == f.id));
    manifest.files.extend(new);
}

/// Splits the rows of a partition into the latest version of each key and the superseded ones.
fn split_versions(batches: &[RecordBatch]) -> Result<(RecordBatch, RecordBatch), StoreError> {
    let all = concat_batches(&observation::schema(), batches)?;
    let sorted = writer::sort(&all)?;
    let latest = latest_versions(&sorted)?;
    Ok((
        filter_record_batch(&sorted, &latest)?,
        filter_record_batch(&sorted, &arrow::compute::not(&latest)?)?,
    ))
}

/// In a batch sorted by key then ascending `seq`, the last row of each key is its latest
/// version.
fn latest_versions(sorted: &RecordBatch) -> Result<BooleanArray, StoreError> {
    let rows = writer::key_rows(sorted, &[col::SITE, col::FACTOR, col::PERIOD, col::TIME])?;
    let n = rows.num_rows();
    Ok(BooleanArray::from_iter((0..n).map(|i| {
        Some(i + 1 == n || rows.row(i) != rows.row(i + 1))
    })))
}

/// Drops from `manifest` the partitions whose last day ended more than `keep_days` ago for
/// their period (`limits`: period name → days). Returns the dropped files.
pub fn apply_retention(
    manifest: &mut Manifest,
    limits: &BTreeMap<String, u32>,
    today: i64,
) -> Vec<FileMeta> {
    let expired = |f: &FileMeta| {
        limits
            .get(&f.partition.period)
            .is_some_and(|days| f.partition.end_day() - 1 + i64::from(*days) < today)
    };
    let (dropped, kept): (Vec<FileMeta>, Vec<FileMeta>) =
        manifest.files.drain(..).partition(|f| expired(f));
    manifest.files = kept;
    dropped
}

/// Deletes replaced files whose grace period has passed (the manifest that stopped listing
/// them is already durable) and forgets them.
pub async fn collect_garbage(
    storage: &LakeStorage,
    manifest: &mut Manifest,
    now_ms: i64,
) -> Result<(), StoreError> {
    let mut waiting = Vec::new();
    for g in std::mem::take(&mut manifest.garbage) {
        if g.delete_after_ms <= now_ms {
            storage.delete(&g.file.rel_path()).await?;
        } else {
            waiting.push(g);
        }
    }
    manifest.garbage = waiting;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: u64, rows: u64, unique_keys: bool) -> FileMeta {
        FileMeta {
            id,
            kind: FileKind::Current,
            partition: PartitionKey::new("rtd", 20_000),
            rows,
            bytes: rows * 3,
            min_time: 0,
            max_time: 0,
            min_seq: id,
            max_seq: id,
            unique_keys,
        }
    }

    fn ids(files: Vec<FileMeta>) -> Vec<u64> {
        files.into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn a_compaction_merges_the_smallest_files_that_fit() {
        let files = vec![
            file(1, 900, true),
            file(2, 50, true),
            file(3, 300, true),
            file(4, 40, true),
        ];
        assert_eq!(ids(merge_set(files.clone(), u64::MAX)), [4, 2, 3, 1]);
        assert_eq!(ids(merge_set(files.clone(), 400)), [4, 2, 3]);
        assert_eq!(ids(merge_set(files.clone(), 100)), [4, 2]);
        // One file alone is merged only when its keys repeat.
        assert!(merge_set(files.clone(), 60).is_empty());
        assert_eq!(ids(merge_set(vec![file(5, 10, false)], 60)), [5]);
        // Nothing fits: nothing is read.
        assert!(merge_set(files, 10).is_empty());
    }
}
