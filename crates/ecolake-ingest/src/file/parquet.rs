//! Long Parquet files, read with the parquet crate's Arrow reader; see the parent module for
//! the columns and the accepted types.

use std::fs::File;
use std::path::Path;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::arrow::ProjectionMask;
use arrow::array::{Array, AsArray, Float64Array, StringArray, TimestampMillisecondArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;

use super::header::{LongHeader, VALUE_COLUMNS};
use super::row::{LongImport, LongRow, NumCell, TimeCell};
use super::{FileBatches, ImportOptions};
use crate::ImportError;

/// How a column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// Timestamps with a time zone (instants), cast to ms UTC.
    Instant,
    /// Timestamps without a time zone or dates (wall clock), cast to ms.
    Wall,
    /// Text, cast to `Utf8`.
    Text,
    /// Numbers, cast to `Float64`.
    Number,
}

fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer() || matches!(t, DataType::Dictionary(_, v) if v.is_integer())
}

fn is_number(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::Dictionary(_, v) if v.is_numeric())
}

/// How to read column `name` of type `t`, or why it cannot be read.
fn plan(name: &str, t: &DataType) -> Result<Read, String> {
    let ok = match name {
        "time" => match t {
            DataType::Timestamp(_, Some(_)) => Some(Read::Instant),
            DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => Some(Read::Wall),
            t if is_text(t) => Some(Read::Text),
            DataType::Null => Some(Read::Text),
            _ => None,
        },
        n if VALUE_COLUMNS.contains(&n) => match t {
            t if is_number(t) => Some(Read::Number),
            t if is_text(t) => Some(Read::Text),
            DataType::Null => Some(Read::Number),
            _ => None,
        },
        _ => (is_text(t) || is_integer(t) || matches!(t, DataType::Null)).then_some(Read::Text),
    };
    ok.ok_or_else(|| {
        let expected = match name {
            "time" => "a timestamp, a date or a string",
            n if VALUE_COLUMNS.contains(&n) => "a number or a string",
            _ => "a string",
        };
        format!("type {t} is not supported; expected {expected}")
    })
}

/// One column of a batch, cast for reading.
enum Column {
    Absent,
    Millis(TimestampMillisecondArray),
    Text(StringArray),
    Number(Float64Array),
}

impl Column {
    fn text(&self, i: usize) -> Option<&str> {
        match self {
            Column::Text(a) if a.is_valid(i) => Some(a.value(i)),
            _ => None,
        }
    }

    fn number(&self, i: usize) -> NumCell<'_> {
        match self {
            Column::Number(a) if a.is_valid(i) => NumCell::Num(a.value(i)),
            Column::Text(a) if a.is_valid(i) => NumCell::Text(a.value(i)),
            _ => NumCell::Null,
        }
    }
}

pub(super) fn read(path: &Path, options: &ImportOptions) -> Result<FileBatches, ImportError> {
    let file = File::open(path).map_err(ImportError::open(path))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(ImportError::parquet(path))?;
    let schema = builder.schema().clone();
    let header = LongHeader::read(path, schema.fields().iter().map(|f| f.name().as_str()))?;
    // The canonical name and read plan of each used top-level column, by file position.
    let used: Vec<(usize, &'static str)> = header
        .columns
        .named()
        .into_iter()
        .filter_map(|(i, name)| i.map(|i| (i, name)))
        .collect();
    let mut plans = Vec::with_capacity(used.len());
    for &(i, name) in &used {
        let field = schema.field(i);
        let read = plan(name, field.data_type()).map_err(|reason| ImportError::ColumnType {
            path: path.to_owned(),
            column: field.name().clone(),
            reason,
        })?;
        plans.push((field.name().clone(), name, read));
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), used.iter().map(|&(i, _)| i));
    let reader = builder
        .with_projection(mask)
        .with_batch_size(options.batch_rows.clamp(1, 1 << 20))
        .build()
        .map_err(ImportError::parquet(path))?;

    let (import, mut out) = LongImport::start(path, options);
    out.warn_unknown_columns(&header.unknown);
    let mut row_base = 0u64;
    for batch in reader {
        let batch = batch.map_err(ImportError::arrow(path))?;
        let column = |name: &str| -> Result<Column, ImportError> {
            let Some((file_name, _, read)) = plans.iter().find(|(_, n, _)| *n == name) else {
                return Ok(Column::Absent);
            };
            cast_column(&batch, file_name, *read).map_err(ImportError::arrow(path))
        };
        let time = column("time")?;
        let (site, factor, period) = (column("site")?, column("factor")?, column("period")?);
        let values = VALUE_COLUMNS
            .into_iter()
            .map(&column)
            .collect::<Result<Vec<_>, _>>()?;
        let (flag, qc, source) = (column("flag")?, column("qc")?, column("source")?);
        let instant = plans
            .iter()
            .any(|(_, n, r)| *n == "time" && *r == Read::Instant);
        for i in 0..batch.num_rows() {
            let time = match &time {
                Column::Millis(a) if a.is_valid(i) && instant => TimeCell::Instant(a.value(i)),
                Column::Millis(a) if a.is_valid(i) => TimeCell::Wall(a.value(i)),
                Column::Text(a) if a.is_valid(i) => TimeCell::Text(a.value(i)),
                _ => TimeCell::Null,
            };
            let row = LongRow {
                time,
                site: site.text(i),
                factor: factor.text(i),
                period: period.text(i),
                values: std::array::from_fn(|k| values[k].number(i)),
                flag: flag.text(i),
                qc: qc.text(i),
                source: source.text(i),
            };
            import.push(&mut out, row_base + i as u64 + 1, &row);
        }
        row_base += batch.num_rows() as u64;
    }
    Ok(out.finish())
}

/// The column `name` of `batch`, cast as `read` says.
fn cast_column(
    batch: &RecordBatch,
    name: &str,
    read: Read,
) -> Result<Column, arrow::error::ArrowError> {
    let Some(array) = batch.column_by_name(name) else {
        return Ok(Column::Absent);
    };
    Ok(match read {
        Read::Instant => Column::Millis(
            cast(
                array,
                &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            )?
            .as_primitive()
            .clone(),
        ),
        Read::Wall => Column::Millis(
            cast(array, &DataType::Timestamp(TimeUnit::Millisecond, None))?
                .as_primitive()
                .clone(),
        ),
        Read::Text => Column::Text(cast(array, &DataType::Utf8)?.as_string::<i32>().clone()),
        Read::Number => Column::Number(cast(array, &DataType::Float64)?.as_primitive().clone()),
    })
}
