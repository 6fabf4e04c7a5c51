//! Writing lake files: sort by (period, partition, site, factor, time, seq), split by
//! partition, encode each partition as one zstd Parquet file with statistics and a page index,
//! and put it into the lake's storage (atomically and durably, see [`LakeStorage::put`]).

use arrow::array::{
    Array, ArrayRef, DictionaryArray, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use arrow::compute::{concat_batches, take_record_batch};
use arrow::datatypes::Int32Type;
use arrow::row::{RowConverter, Rows, SortField};
use ecolake_model::observation::{self, col};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use bytes::Bytes;

use crate::lake::manifest::{FileKind, FileMeta, Manifest};
use crate::lake::storage::LakeStorage;
use crate::lake::Span;
use crate::{PartitionKey, StoreError};

/// Sorts `batches` and writes one file per partition. File ids come from `manifest`
/// (`next_file_id` is advanced; the caller stores the manifest after adding the returned
/// files). The CPU work runs on a blocking thread; the files are put concurrently.
pub async fn write_partitions(
    storage: &LakeStorage,
    batches: Vec<RecordBatch>,
    kind: FileKind,
    manifest: &mut Manifest,
    row_group_rows: usize,
) -> Result<Vec<FileMeta>, StoreError> {
    let first_id = manifest.next_file_id;
    let encoded = tokio::task::spawn_blocking(move || {
        encode_partitions(&batches, kind, first_id, row_group_rows)
    })
    .await
    .expect("encoding does not panic")?;
    manifest.next_file_id += encoded.len() as u64;
    let puts: Vec<(String, Bytes)> = encoded
        .iter()
        .map(|(meta, bytes)| (meta.rel_path(), bytes.clone()))
        .collect();
    futures::future::try_join_all(
        puts.iter()
            .map(|(rel, bytes)| storage.put(rel, bytes.clone())),
    )
    .await?;
    Ok(encoded.into_iter().map(|(meta, _)| meta).collect())
}

/// Rows a file is encoded from at a time: a flush holds the memtable, its concatenation and
/// one chunk in lake order, not a second sorted copy of everything.
const CHUNK_ROWS: usize = 64 * 1024;

/// Sorts `batches` and encodes one Parquet file per partition, numbered from `first_id`.
pub fn encode_partitions(
    batches: &[RecordBatch],
    kind: FileKind,
    first_id: u64,
    row_group_rows: usize,
) -> Result<Vec<(FileMeta, Bytes)>, StoreError> {
    let schema = observation::schema();
    let all = concat_batches(&schema, batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let order = LakeOrder::of(&all)?;
    order
        .runs
        .iter()
        .zip(first_id..)
        .map(|(run, id)| {
            let rows = order.rows.slice(run.rows.start, run.rows.len());
            encode_file(&all, &rows, run, kind, id, row_group_rows, CHUNK_ROWS)
        })
        .collect()
}

/// The lake's sort order (period, partition, site, factor, time, then seq) of a batch's rows.
pub fn sort(batch: &RecordBatch) -> Result<RecordBatch, StoreError> {
    Ok(take_record_batch(batch, &LakeOrder::of(batch)?.rows)?)
}

/// A batch's rows in lake order, and its partitions: runs of that order.
struct LakeOrder {
    /// Row numbers of the batch in lake order.
    rows: UInt32Array,
    runs: Vec<Run>,
}

/// One partition's rows in a [`LakeOrder`].
struct Run {
    partition: PartitionKey,
    /// Positions in [`LakeOrder::rows`].
    rows: std::ops::Range<usize>,
    /// Whether no (site, factor, time) repeats in it.
    unique_keys: bool,
}

impl LakeOrder {
    /// Each row gets a fixed-width key — the rank of its period, site and factor among the
    /// batch's distinct strings (the dictionaries are ranked once, not compared per row), its
    /// partition's day, time and seq — and the keys are sorted with their row numbers.
    /// Comparing row-encoded strings instead cost most of a flush.
    fn of(batch: &RecordBatch) -> Result<LakeOrder, StoreError> {
        let days = partition_days(batch);
        let rank = |name: &str| -> Result<Vec<u32>, StoreError> {
            let dict: &DictionaryArray<Int32Type> = batch
                .column_by_name(name)
                .and_then(|a| a.as_any().downcast_ref())
                .ok_or_else(|| StoreError::Schema(format!("`{name}` is not a dictionary")))?;
            Ok(ranks(dict))
        };
        let (period, site, factor) = (rank(col::PERIOD)?, rank(col::SITE)?, rank(col::FACTOR)?);
        let time = times(batch);
        let seq: &UInt64Array = batch
            .column_by_name(col::SEQ)
            .and_then(|a| a.as_any().downcast_ref())
            .expect("observation schema");
        let mut keys: Vec<(u32, i64, u32, u32, i64, u64, u32)> = (0..batch.num_rows())
            .map(|i| {
                (
                    period[i],
                    days.value(i),
                    site[i],
                    factor[i],
                    time.value(i),
                    seq.value(i),
                    i as u32,
                )
            })
            .collect();
        keys.sort_unstable();
        let (dict, names) = periods(batch);
        let mut runs: Vec<Run> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let same_partition = i > 0 && (keys[i - 1].0, keys[i - 1].1) == (k.0, k.1);
            if !same_partition {
                let name = names.value(dict.keys().value(k.6 as usize) as usize);
                runs.push(Run {
                    partition: PartitionKey::new(name, k.1),
                    rows: i..i,
                    unique_keys: true,
                });
            }
            let run = runs.last_mut().expect("pushed");
            run.rows.end = i + 1;
            if same_partition && (keys[i - 1].2, keys[i - 1].3, keys[i - 1].4) == (k.2, k.3, k.4) {
                run.unique_keys = false;
            }
        }
        let rows = UInt32Array::from_iter_values(keys.iter().map(|k| k.6));
        Ok(LakeOrder { rows, runs })
    }
}

/// For each row of a dictionary column of strings, the rank of its string among the distinct
/// strings of the column (equal strings, even under different keys, rank equal; nulls first).
fn ranks(dict: &DictionaryArray<Int32Type>) -> Vec<u32> {
    let Some(values) = dict.values().as_any().downcast_ref::<StringArray>() else {
        return vec![0; dict.len()];
    };
    let mut by_text: Vec<u32> = (0..values.len() as u32).collect();
    by_text.sort_unstable_by(|a, b| values.value(*a as usize).cmp(values.value(*b as usize)));
    let mut rank_of = vec![0u32; values.len()];
    let mut rank = 1; // 0 is null
    for (i, &v) in by_text.iter().enumerate() {
        if i > 0 && values.value(by_text[i - 1] as usize) != values.value(v as usize) {
            rank += 1;
        }
        rank_of[v as usize] = rank;
    }
    (0..dict.len())
        .map(|i| {
            if dict.is_null(i) {
                0
            } else {
                rank_of[dict.keys().value(i) as usize]
            }
        })
        .collect()
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

/// The first day of each row's partition ([`PartitionKey::of`]).
fn partition_days(batch: &RecordBatch) -> Int64Array {
    let time = times(batch);
    let (dict, names) = periods(batch);
    let mut last: Option<(i32, i64, i64)> = None;
    Int64Array::from_iter_values((0..batch.num_rows()).map(|i| {
        let (k, day) = (dict.keys().value(i), time.value(i).div_euclid(86_400_000));
        match last {
            Some((lk, ld, start)) if lk == k && ld == day => start,
            _ => {
                let start = Span::of(names.value(k as usize)).start(day);
                last = Some((k, day, start));
                start
            }
        }
    }))
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

/// Encodes one partition's rows (`rows`: row numbers of `all` in lake order), taking
/// `chunk` rows at a time.
fn encode_file(
    all: &RecordBatch,
    rows: &UInt32Array,
    run: &Run,
    kind: FileKind,
    id: u64,
    row_group_rows: usize,
    chunk: usize,
) -> Result<(FileMeta, Bytes), StoreError> {
    let time = times(all);
    let seq: &UInt64Array = all
        .column_by_name(col::SEQ)
        .and_then(|a| a.as_any().downcast_ref())
        .expect("observation schema");
    let (mut min_time, mut max_time) = (i64::MAX, i64::MIN);
    let (mut min_seq, mut max_seq) = (u64::MAX, 0);
    for &i in rows.values() {
        let (t, s) = (time.value(i as usize), seq.value(i as usize));
        (min_time, max_time) = (min_time.min(t), max_time.max(t));
        (min_seq, max_seq) = (min_seq.min(s), max_seq.max(s));
    }
    let mut meta = FileMeta {
        id,
        kind,
        partition: run.partition.clone(),
        rows: rows.len() as u64,
        bytes: 0,
        min_time,
        max_time,
        min_seq,
        max_seq,
        unique_keys: run.unique_keys,
    };
    let parquet_err = |source| StoreError::Parquet {
        path: meta.rel_path().into(),
        source,
    };
    let bytes_per_row = all.get_array_memory_size() / all.num_rows().max(1);
    let mut writer = ArrowWriter::try_new(
        Vec::with_capacity(bytes_per_row * rows.len() / 8),
        all.schema(),
        Some(properties(row_group_rows)),
    )
    .map_err(parquet_err)?;
    for start in (0..rows.len()).step_by(chunk.max(1)) {
        let part = take_record_batch(all, &rows.slice(start, chunk.min(rows.len() - start)))?;
        writer.write(&part).map_err(parquet_err)?;
    }
    let bytes = writer.into_inner().map_err(parquet_err)?;
    meta.bytes = bytes.len() as u64;
    Ok((meta, Bytes::from(bytes)))
}

/// The named columns of each row in a form that compares with `==` and `<`.
pub(crate) fn key_rows(batch: &RecordBatch, names: &[&str]) -> Result<Rows, StoreError> {
    let columns: Vec<ArrayRef> = names
        .iter()
        .map(|c| batch.column_by_name(c).expect("observation schema").clone())
        .collect();
    let converter = RowConverter::new(
        columns
            .iter()
            .map(|c| SortField::new(c.data_type().clone()))
            .collect(),
    )?;
    Ok(converter.convert_columns(&columns)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, AsArray, Float64Array, StringDictionaryBuilder};
    use arrow::compute::{concat_batches, lexsort_to_indices, take, SortColumn};
    use arrow::datatypes::DataType;
    use proptest::prelude::*;

    use super::*;

    /// (period, site, factor, time) of a row.
    type Row = (usize, usize, usize, i64);

    /// A batch in the observation schema from rows, `seq` counting from `seq0`.
    fn batch(rows: &[Row], seq0: u64) -> RecordBatch {
        const PERIODS: [&str; 3] = ["rtd", "hour", "day"];
        let dict = |f: &dyn Fn(&Row) -> String| -> ArrayRef {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            for r in rows {
                b.append_value(f(r));
            }
            Arc::new(b.finish())
        };
        let n = rows.len();
        let schema = observation::schema();
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| -> ArrayRef {
                match field.name().as_str() {
                    col::TIME | col::RECEIVED_AT => Arc::new(
                        TimestampMillisecondArray::from_iter_values(rows.iter().map(|r| r.3))
                            .with_timezone("UTC"),
                    ),
                    col::PERIOD => dict(&|r| PERIODS[r.0 % 3].to_owned()),
                    col::SITE => dict(&|r| format!("S{}", r.1)),
                    col::FACTOR => dict(&|r| format!("a{:05}", r.2)),
                    col::SEQ => Arc::new(UInt64Array::from_iter_values(seq0..seq0 + n as u64)),
                    _ if field.data_type() == &DataType::Float64 => {
                        Arc::new(Float64Array::from(vec![1.0; n]))
                    }
                    _ => arrow::array::new_null_array(field.data_type(), n),
                }
            })
            .collect();
        RecordBatch::try_new(schema, columns).unwrap()
    }

    proptest! {
        /// The integer-key sort orders rows exactly as arrow's lexicographic sort of the
        /// strings, also when the dictionaries of concatenated batches repeat strings.
        #[test]
        fn the_sort_is_the_lexicographic_order_of_the_strings(
            a in proptest::collection::vec((0..3usize, 0..12usize, 0..5usize, -2_000_000_000i64..2_000_000_000), 0..60),
            b in proptest::collection::vec((0..3usize, 0..12usize, 0..5usize, -2_000_000_000i64..2_000_000_000), 0..60),
        ) {
            let all = concat_batches(
                &observation::schema(),
                &[batch(&a, 1), batch(&b, 1 + a.len() as u64)],
            )
            .unwrap();
            let sorted = sort(&all).unwrap();
            let text = |name: &str| -> ArrayRef {
                arrow::compute::cast(all.column_by_name(name).unwrap(), &DataType::Utf8).unwrap()
            };
            let keys: Vec<SortColumn> = [
                text(col::PERIOD),
                Arc::new(partition_days(&all)) as ArrayRef,
                text(col::SITE),
                text(col::FACTOR),
                all.column_by_name(col::TIME).unwrap().clone(),
                all.column_by_name(col::SEQ).unwrap().clone(),
            ]
            .into_iter()
            .map(|values| SortColumn { values, options: None })
            .collect();
            let order = lexsort_to_indices(&keys, None).unwrap();
            let expected = take(all.column_by_name(col::SEQ).unwrap(), &order, None).unwrap();
            prop_assert_eq!(
                sorted.column_by_name(col::SEQ).unwrap().as_primitive::<arrow::datatypes::UInt64Type>(),
                expected.as_primitive::<arrow::datatypes::UInt64Type>()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A file encoded chunk by chunk holds its partition's rows in lake order, and its
        /// metadata says their true time and seq ranges and whether a key repeats.
        #[test]
        fn files_are_encoded_in_chunks_with_true_metadata(
            rows in proptest::collection::vec((0..3usize, 0..4usize, 0..3usize, 0..400_000_000i64), 1..120),
            chunk in 1..20usize,
        ) {
            use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
            let all = batch(&rows, 1);
            let order = LakeOrder::of(&all).unwrap();
            let sorted = sort(&all).unwrap();
            let seqs = |b: &RecordBatch| -> Vec<u64> {
                b.column_by_name(col::SEQ).unwrap().as_primitive::<arrow::datatypes::UInt64Type>().values().to_vec()
            };
            let mut covered = 0;
            for run in &order.runs {
                let part_rows = order.rows.slice(run.rows.start, run.rows.len());
                let (meta, bytes) =
                    encode_file(&all, &part_rows, run, FileKind::Current, 1, 1 << 20, chunk).unwrap();
                let read: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(bytes)
                    .unwrap()
                    .build()
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let read = concat_batches(&read[0].schema(), &read).unwrap();
                let expected = sorted.slice(run.rows.start, run.rows.len());
                prop_assert_eq!(seqs(&read), seqs(&expected));
                let times = times(&expected).values();
                prop_assert_eq!(meta.min_time, *times.iter().min().unwrap());
                prop_assert_eq!(meta.max_time, *times.iter().max().unwrap());
                let mut keys: Vec<(String, String, i64)> = (0..expected.num_rows())
                    .map(|i| {
                        let text = |name: &str| {
                            let a = arrow::compute::cast(expected.column_by_name(name).unwrap(), &DataType::Utf8).unwrap();
                            a.as_string::<i32>().value(i).to_owned()
                        };
                        (text(col::SITE), text(col::FACTOR), times[i])
                    })
                    .collect();
                let n = keys.len();
                keys.dedup();
                prop_assert_eq!(meta.unique_keys, keys.len() == n);
                prop_assert_eq!(meta.partition.clone(), PartitionKey::of(&meta.partition.period, meta.min_time));
                covered += meta.rows as usize;
            }
            prop_assert_eq!(covered, rows.len());
        }
    }
}
