//! Writing lake files: sort by (period, day, site, factor, time, seq), split by partition,
//! write each partition as one zstd Parquet file with statistics and a page index, under a
//! temporary name, fsynced, then renamed into place.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use arrow::compute::{concat_batches, take_record_batch};
use arrow::datatypes::Int32Type;
use arrow::row::{RowConverter, SortField};
use ecolake_model::observation::{self, col};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::lake::durable;
use crate::lake::manifest::{FileKind, FileMeta, Manifest};
use crate::{PartitionKey, StoreError};

/// Sorts `batches` and writes one file per partition. File ids come from `manifest`
/// (`next_file_id` is advanced; the caller stores the manifest after adding the returned
/// files).
pub fn write_partitions(
    dir: &Path,
    batches: &[RecordBatch],
    kind: FileKind,
    manifest: &mut Manifest,
    row_group_rows: usize,
) -> Result<Vec<FileMeta>, StoreError> {
    let schema = observation::schema();
    let all = concat_batches(&schema, batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let sorted = sort(&all)?;
    let mut files = Vec::new();
    for (partition, range) in partitions(&sorted) {
        let slice = sorted.slice(range.start, range.len());
        let meta = write_file(dir, &slice, kind, partition, manifest, row_group_rows)?;
        files.push(meta);
    }
    Ok(files)
}

/// The lake's sort order: period, day, site, factor, time, then seq.
pub fn sort(batch: &RecordBatch) -> Result<RecordBatch, StoreError> {
    let time = times(batch);
    let day: ArrayRef = Arc::new(Int64Array::from_iter_values(
        (0..time.len()).map(|i| time.value(i).div_euclid(86_400_000)),
    ));
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .expect("observation schema")
            .clone()
    };
    let columns = [
        column(col::PERIOD),
        day,
        column(col::SITE),
        column(col::FACTOR),
        column(col::TIME),
        column(col::SEQ),
    ];
    let fields = columns
        .iter()
        .map(|c| SortField::new(c.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields)?;
    let rows = converter.convert_columns(&columns)?;
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    order.sort_unstable_by(|a, b| rows.row(*a as usize).cmp(&rows.row(*b as usize)));
    Ok(take_record_batch(batch, &UInt32Array::from(order))?)
}

fn times(batch: &RecordBatch) -> &TimestampMillisecondArray {
    batch
        .column_by_name(col::TIME)
        .and_then(|a| a.as_any().downcast_ref())
        .expect("observation schema")
}

fn periods(batch: &RecordBatch) -> (&DictionaryArray<Int32Type>, &StringArray) {
    let dict: &DictionaryArray<Int32Type> = batch
        .column_by_name(col::PERIOD)
        .and_then(|a| a.as_any().downcast_ref())
        .expect("observation schema");
    let names = dict
        .values()
        .as_any()
        .downcast_ref()
        .expect("dictionary of strings");
    (dict, names)
}

/// Runs of equal partitions of a sorted batch.
fn partitions(sorted: &RecordBatch) -> Vec<(PartitionKey, std::ops::Range<usize>)> {
    let time = times(sorted);
    let (dict, names) = periods(sorted);
    let key = |i: usize| {
        PartitionKey::new(
            names.value(dict.keys().value(i) as usize),
            time.value(i).div_euclid(86_400_000),
        )
    };
    let mut out: Vec<(PartitionKey, std::ops::Range<usize>)> = Vec::new();
    for i in 0..sorted.num_rows() {
        let k = key(i);
        match out.last_mut() {
            Some((last, range)) if *last == k => range.end = i + 1,
            _ => out.push((k, i..i + 1)),
        }
    }
    out
}

/// Writer settings: zstd, page-level statistics (page index), the sort order recorded, and
/// encodings that suit each column (delta for times and sequence numbers, byte-stream-split
/// for floats, dictionaries for the repetitive strings).
pub fn properties(row_group_rows: usize) -> WriterProperties {
    let schema = observation::schema();
    let idx = |name| schema.index_of(name).expect("observation column") as i32;
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_data_page_row_count_limit(16 * 1024)
        .set_sorting_columns(Some(
            [col::SITE, col::FACTOR, col::TIME]
                .iter()
                .map(|c| SortingColumn {
                    column_idx: idx(c),
                    descending: false,
                    nulls_first: false,
                })
                .collect(),
        ));
    for name in [col::TIME, col::RECEIVED_AT, col::SEQ] {
        b = b
            .set_column_dictionary_enabled(ColumnPath::from(name), false)
            .set_column_encoding(ColumnPath::from(name), Encoding::DELTA_BINARY_PACKED);
    }
    for name in [col::VALUE, col::MIN, col::MAX, col::COU, col::ZS] {
        b = b
            .set_column_dictionary_enabled(ColumnPath::from(name), false)
            .set_column_encoding(ColumnPath::from(name), Encoding::BYTE_STREAM_SPLIT);
    }
    b.build()
}

fn write_file(
    dir: &Path,
    batch: &RecordBatch,
    kind: FileKind,
    partition: PartitionKey,
    manifest: &mut Manifest,
    row_group_rows: usize,
) -> Result<FileMeta, StoreError> {
    let time = times(batch);
    let seq: &UInt64Array = batch
        .column_by_name(col::SEQ)
        .and_then(|a| a.as_any().downcast_ref())
        .expect("observation schema");
    let (min_time, max_time) = (time.value(0), time.value(time.len() - 1));
    let (min_seq, max_seq) = seq
        .values()
        .iter()
        .fold((u64::MAX, 0), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
    let mut meta = FileMeta {
        id: manifest.next_file_id,
        kind,
        partition,
        rows: batch.num_rows() as u64,
        bytes: 0,
        min_time,
        max_time,
        min_seq,
        max_seq,
        unique_keys: unique_keys(batch)?,
    };
    manifest.next_file_id += 1;
    let path = dir.join(meta.rel_path());
    durable::create_dir_all(path.parent().expect("file in a partition directory"))?;
    let tmp = path.with_extension("parquet.tmp");
    let parquet_err = |source| StoreError::Parquet {
        path: tmp.clone(),
        source,
    };
    let file = File::create(&tmp).map_err(|e| StoreError::io("creating", &tmp, e))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties(row_group_rows)))
        .map_err(parquet_err)?;
    writer.write(batch).map_err(parquet_err)?;
    let file = writer.into_inner().map_err(parquet_err)?;
    file.sync_all()
        .map_err(|e| StoreError::io("syncing", &tmp, e))?;
    meta.bytes = file
        .metadata()
        .map_err(|e| StoreError::io("reading size of", &tmp, e))?
        .len();
    durable::publish(&tmp, &path)?;
    Ok(meta)
}

/// Whether no (site, factor, time) repeats in a batch sorted in lake order within one partition.
fn unique_keys(sorted: &RecordBatch) -> Result<bool, StoreError> {
    let columns: Vec<ArrayRef> = [col::SITE, col::FACTOR, col::TIME]
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
    Ok((1..rows.num_rows()).all(|i| rows.row(i - 1) != rows.row(i)))
}
