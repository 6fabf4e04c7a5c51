//! Validation at the door of the store: rows with a missing key column, a non-finite value, no
//! value at all, an unknown period or a time outside a sane window are rejected with a reason;
//! the other rows of the batch are kept and given their `seq` and `received_at`.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, StringArray, TimestampMillisecondArray,
    UInt64Array,
};
use arrow::compute::{cast, filter};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::{self, col};
use ecolake_model::Period;

use crate::StoreError;

/// A row the store refused, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The row's index in the written batch.
    pub row: usize,
    /// Why, naming the column and value.
    pub reason: String,
}

/// Earliest time accepted: 1950-01-01T00:00:00Z (no monitoring network is older).
pub const MIN_TIME_MS: i64 = -631_152_000_000;
/// How far into the future a time may be, relative to its receive time: one day.
pub const MAX_AHEAD_MS: i64 = 86_400_000;

/// The rows of a write that were accepted, in the full observation schema.
#[derive(Debug)]
pub struct Prepared {
    /// Accepted rows with `received_at` and `seq` (`seq_start..seq_start + rows`).
    pub batch: RecordBatch,
    /// Refused rows (all of them; callers cap what they show).
    pub rejected: Vec<Rejection>,
}

const VALUES: [&str; 5] = [col::VALUE, col::MIN, col::MAX, col::COU, col::ZS];

/// Validates a batch in the write schema (strings may be Utf8 or dictionaries; columns other
/// than the key may be absent) and builds the stored form.
pub fn prepare(
    batch: &RecordBatch,
    seq_start: impl FnOnce(usize) -> u64,
    received_at_ms: i64,
) -> Result<Prepared, StoreError> {
    let rows = batch.num_rows();
    let schema = observation::schema();
    let column = |name: &str, to: &DataType| -> Result<Option<ArrayRef>, StoreError> {
        match batch.column_by_name(name) {
            None => Ok(None),
            Some(a) if a.data_type() == to => Ok(Some(a.clone())),
            Some(a) => cast(a, to)
                .map(Some)
                .map_err(|e| StoreError::Schema(format!("column {name}: {e}"))),
        }
    };
    let required = |name: &str, to: &DataType| {
        column(name, to)?.ok_or_else(|| StoreError::Schema(format!("missing column {name}")))
    };
    let time = required(col::TIME, &observation::time_type())?;
    let time = time
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .expect("cast to ms timestamps");
    let text = |name| -> Result<Option<StringArray>, StoreError> {
        Ok(column(name, &DataType::Utf8)?.map(|a| {
            a.as_any()
                .downcast_ref::<StringArray>()
                .expect("cast to Utf8")
                .clone()
        }))
    };
    let site = text(col::SITE)?.ok_or_else(|| StoreError::Schema("missing column site".into()))?;
    let factor =
        text(col::FACTOR)?.ok_or_else(|| StoreError::Schema("missing column factor".into()))?;
    let period =
        text(col::PERIOD)?.ok_or_else(|| StoreError::Schema("missing column period".into()))?;
    let mut values = Vec::with_capacity(VALUES.len());
    for name in VALUES {
        let a = column(name, &DataType::Float64)?;
        values.push(a.map(|a| {
            a.as_any()
                .downcast_ref::<Float64Array>()
                .expect("cast to f64")
                .clone()
        }));
    }
    if values.iter().all(Option::is_none) {
        return Err(StoreError::Schema(
            "no value column (value, min, max, cou or zs)".into(),
        ));
    }

    let mut keep = vec![true; rows];
    let mut rejected = Vec::new();
    let latest = received_at_ms + MAX_AHEAD_MS;
    for (row, ok) in keep.iter_mut().enumerate() {
        let reason = if time.is_null(row) {
            Some("missing time".to_owned())
        } else if !(MIN_TIME_MS..=latest).contains(&time.value(row)) {
            Some(format!(
                "time {} outside 1950-01-01 .. receive time + 1 day",
                fmt_ms(time.value(row))
            ))
        } else if site.is_null(row) || site.value(row).is_empty() {
            Some("missing site".to_owned())
        } else if factor.is_null(row) || factor.value(row).is_empty() {
            Some("missing factor".to_owned())
        } else if period.is_null(row) {
            Some("missing period".to_owned())
        } else if period.value(row).parse::<Period>().is_err() {
            Some(format!("unknown period '{}'", period.value(row)))
        } else {
            check_values(&values, row)
        };
        if let Some(reason) = reason {
            *ok = false;
            rejected.push(Rejection { row, reason });
        }
    }

    let accepted = keep.iter().filter(|k| **k).count();
    let mask = BooleanArray::from(keep);
    let take = |a: &ArrayRef| -> Result<ArrayRef, StoreError> {
        if accepted == rows {
            Ok(a.clone())
        } else {
            Ok(filter(a, &mask)?)
        }
    };
    let dict = observation::dict_type();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for field in schema.fields().iter().take(12) {
        let name = field.name().as_str();
        let array: ArrayRef = match column(name, field.data_type())? {
            Some(a) => take(&a)?,
            None => arrow::array::new_null_array(field.data_type(), accepted),
        };
        debug_assert!(name != col::SITE || array.data_type() == &dict);
        columns.push(array);
    }
    columns.push(Arc::new(
        TimestampMillisecondArray::from(vec![received_at_ms; accepted]).with_timezone("UTC"),
    ));
    let first = seq_start(accepted);
    columns.push(Arc::new(UInt64Array::from_iter_values(
        first..first + accepted as u64,
    )));
    let batch = RecordBatch::try_new(schema, columns)?;
    Ok(Prepared { batch, rejected })
}

fn check_values(values: &[Option<Float64Array>], row: usize) -> Option<String> {
    let mut any = false;
    for (name, v) in VALUES.iter().zip(values) {
        if let Some(v) = v.as_ref().filter(|v| v.is_valid(row)) {
            any = true;
            if !v.value(row).is_finite() {
                return Some(format!("non-finite {name} {}", v.value(row)));
            }
        }
    }
    (!any).then(|| "no value (value, min, max, cou and zs are all null)".to_owned())
}

fn fmt_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| format!("{ms} ms"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Float64Array, StringArray, TimestampMillisecondArray};

    fn batch(
        times: Vec<Option<i64>>,
        sites: Vec<Option<&str>>,
        values: Vec<Option<f64>>,
        periods: Vec<&str>,
    ) -> RecordBatch {
        let n = times.len();
        RecordBatch::try_from_iter(vec![
            (
                "time",
                Arc::new(TimestampMillisecondArray::from(times).with_timezone("UTC")) as ArrayRef,
            ),
            ("site", Arc::new(StringArray::from(sites)) as ArrayRef),
            (
                "factor",
                Arc::new(StringArray::from(vec![Some("a34004"); n])) as ArrayRef,
            ),
            ("period", Arc::new(StringArray::from(periods)) as ArrayRef),
            ("value", Arc::new(Float64Array::from(values)) as ArrayRef),
        ])
        .unwrap()
    }

    #[test]
    fn bad_rows_are_rejected_and_good_rows_kept() {
        let now = 1_700_000_000_000;
        let b = batch(
            vec![
                Some(now),
                None,
                Some(now),
                Some(now),
                Some(now * 2),
                Some(now),
                Some(now),
            ],
            vec![
                Some("1003A"),
                Some("1003A"),
                None,
                Some("1003A"),
                Some("1003A"),
                Some("1003A"),
                Some("1003A"),
            ],
            vec![
                Some(35.0),
                Some(1.0),
                Some(1.0),
                Some(f64::NAN),
                Some(1.0),
                None,
                Some(36.0),
            ],
            vec!["hour", "hour", "hour", "hour", "hour", "hour", "fortnight"],
        );
        let mut asked = 0;
        let p = prepare(
            &b,
            |n| {
                asked = n;
                100
            },
            now,
        )
        .unwrap();
        assert_eq!(p.batch.num_rows(), 1);
        assert_eq!(asked, 1, "seq numbers are taken for accepted rows only");
        let reasons: Vec<_> = p
            .rejected
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(reasons[0], (1, "missing time"));
        assert_eq!(reasons[1], (2, "missing site"));
        assert_eq!(reasons[2], (3, "non-finite value NaN"));
        assert_eq!(reasons[3].0, 4);
        assert!(reasons[3].1.starts_with("time 2077-"), "{reasons:?}");
        assert_eq!(
            reasons[4],
            (5, "no value (value, min, max, cou and zs are all null)")
        );
        assert_eq!(reasons[5], (6, "unknown period 'fortnight'"));
        let seq = p
            .batch
            .column(13)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .unwrap();
        assert_eq!(seq.value(0), 100);
        assert_eq!(p.batch.schema(), observation::schema());
    }
}
