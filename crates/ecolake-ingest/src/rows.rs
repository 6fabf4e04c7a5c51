//! Building batches of observations in the store's write schema.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Builder, StringBuilder, TimestampMillisecondBuilder};
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::write_schema;
use ecolake_model::Period;

/// The columns of one batch being built.
pub(crate) struct Columns {
    len: usize,
    time: TimestampMillisecondBuilder,
    site: StringBuilder,
    factor: StringBuilder,
    period: StringBuilder,
    values: [Float64Builder; 5],
    flag: StringBuilder,
    qc: StringBuilder,
    source: StringBuilder,
}

impl Columns {
    pub(crate) fn new(rows: usize, source_len: usize) -> Columns {
        let rows = rows.min(1 << 20);
        let text = || StringBuilder::with_capacity(rows, rows * 8);
        Columns {
            len: 0,
            time: TimestampMillisecondBuilder::with_capacity(rows).with_timezone("UTC"),
            site: text(),
            factor: text(),
            period: text(),
            values: std::array::from_fn(|_| Float64Builder::with_capacity(rows)),
            flag: StringBuilder::with_capacity(rows, 0),
            qc: StringBuilder::with_capacity(rows, 0),
            source: StringBuilder::with_capacity(rows, rows * source_len),
        }
    }

    pub(crate) fn finish(mut self) -> RecordBatch {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(12);
        columns.push(Arc::new(self.time.finish()));
        columns.push(Arc::new(self.site.finish()));
        columns.push(Arc::new(self.factor.finish()));
        columns.push(Arc::new(self.period.finish()));
        for v in &mut self.values {
            columns.push(Arc::new(v.finish()));
        }
        columns.push(Arc::new(self.flag.finish()));
        columns.push(Arc::new(self.qc.finish()));
        columns.push(Arc::new(self.source.finish()));
        RecordBatch::try_new(write_schema(), columns).expect("the builders follow the write schema")
    }

    /// Rows so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends a row; `values` are `value, min, max, cou, zs`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        time_ms: i64,
        site: &str,
        factor: &str,
        period: Period,
        values: [Option<f64>; 5],
        flag: Option<&str>,
        qc: Option<&str>,
        source: &str,
    ) {
        self.time.append_value(time_ms);
        self.site.append_value(site);
        self.factor.append_value(factor);
        self.period.append_value(period.as_str());
        for (b, v) in self.values.iter_mut().zip(values) {
            b.append_option(v);
        }
        self.flag.append_option(flag);
        self.qc.append_option(qc);
        self.source.append_value(source);
        self.len += 1;
    }
}
