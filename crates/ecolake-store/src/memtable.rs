//! The memtable: accepted batches in Arrow, queryable at once, with the partitions they touch.

use std::collections::BTreeSet;
use std::time::Instant;

use arrow::array::{Array, DictionaryArray, TimestampMillisecondArray, UInt64Array};
use arrow::datatypes::Int32Type;
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::col;

use crate::PartitionKey;

/// Batches written since the last flush.
#[derive(Debug, Default, Clone)]
pub struct Memtable {
    batches: Vec<RecordBatch>,
    bytes: usize,
    rows: usize,
    first_write: Option<Instant>,
    partitions: BTreeSet<PartitionKey>,
}

impl Memtable {
    /// Adds a batch in the observation schema.
    pub fn insert(&mut self, batch: RecordBatch, now: Instant) {
        if batch.num_rows() == 0 {
            return;
        }
        self.partitions.extend(partitions_of(&batch));
        self.bytes += batch.get_array_memory_size();
        self.rows += batch.num_rows();
        self.first_write.get_or_insert(now);
        self.batches.push(batch);
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// Arrow memory held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Rows held.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// When the oldest batch was added.
    pub fn first_write(&self) -> Option<Instant> {
        self.first_write
    }

    /// The (period, date) partitions the rows fall in.
    pub fn partitions(&self) -> &BTreeSet<PartitionKey> {
        &self.partitions
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// The partitions of a batch in the observation schema (runs of equal partitions are common,
/// so each run costs one comparison per row).
pub fn partitions_of(batch: &RecordBatch) -> BTreeSet<PartitionKey> {
    let mut out = BTreeSet::new();
    let time = batch
        .column_by_name(col::TIME)
        .and_then(|a| a.as_any().downcast_ref::<TimestampMillisecondArray>());
    let period = batch
        .column_by_name(col::PERIOD)
        .and_then(|a| a.as_any().downcast_ref::<DictionaryArray<Int32Type>>());
    let (Some(time), Some(period)) = (time, period) else {
        return out;
    };
    let names = period
        .values()
        .as_any()
        .downcast_ref::<arrow::array::StringArray>()
        .expect("dictionary of strings");
    let keys = period.keys();
    let mut last: Option<(i32, i64)> = None;
    for row in 0..batch.num_rows() {
        let day = time.value(row).div_euclid(86_400_000);
        let k = keys.value(row);
        if last == Some((k, day)) {
            continue;
        }
        last = Some((k, day));
        out.insert(PartitionKey::of(names.value(k as usize), time.value(row)));
    }
    out
}

/// The smallest and largest `seq` of a batch in the observation schema (`None`: no rows).
pub(crate) fn seq_bounds(batch: &RecordBatch) -> Option<(u64, u64)> {
    let seq = batch
        .column_by_name(col::SEQ)?
        .as_any()
        .downcast_ref::<UInt64Array>()?;
    Some((arrow::compute::min(seq)?, arrow::compute::max(seq)?))
}
