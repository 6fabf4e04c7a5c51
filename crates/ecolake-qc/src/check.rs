//! The checks, run over a batch with the state of each series (site, factor, period) kept
//! between batches for the flat-line and spike checks.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, StringArray, TimestampMillisecondArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::{col, time_type};
use ecolake_model::Period;

use crate::{Rule, Rules};

/// One check; the order of the variants is the order of codes in a `qc` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The device's data flag is not `N`.
    Flag,
    /// Time later than arrival plus the tolerance.
    Future,
    /// Live real-time or minute data far older than its arrival.
    Late,
    /// Negative where the factor cannot be negative.
    Negative,
    /// Outside the physical range.
    Range,
    /// Below the detection limit.
    BelowDl,
    /// Unchanged for the rule's number of readings.
    Flat,
    /// Changed by more than the rule's step since the previous reading.
    Spike,
}

impl Check {
    /// Every check, in code order.
    pub const ALL: [Check; 8] = [
        Check::Flag,
        Check::Future,
        Check::Late,
        Check::Negative,
        Check::Range,
        Check::BelowDl,
        Check::Flat,
        Check::Spike,
    ];

    /// The code written in `qc`.
    pub fn code(self) -> &'static str {
        match self {
            Check::Flag => "flag",
            Check::Future => "future",
            Check::Late => "late",
            Check::Negative => "negative",
            Check::Range => "range",
            Check::BelowDl => "below_dl",
            Check::Flat => "flat",
            Check::Spike => "spike",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Where a batch comes from, which decides the time checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Data a device sends as it measures (HJ 212 uploads, MQTT, HTTP posts): checked for
    /// `future` and, for real-time and minute data, `late`.
    Live {
        /// When it arrived (UTC ms).
        received_ms: i64,
    },
    /// History: replies to the platform's history requests, files, back-fills. Checked for
    /// `future` only: old data is what was asked for.
    History {
        /// When it arrived (UTC ms).
        received_ms: i64,
    },
}

impl Origin {
    fn received_ms(self) -> i64 {
        match self {
            Origin::Live { received_ms } | Origin::History { received_ms } => received_ms,
        }
    }
}

/// The time checks' thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How far ahead of arrival a time may be (device clocks drift), ms.
    pub future_tolerance_ms: i64,
    /// Live real-time data older than this at arrival is `late`, ms.
    pub late_rtd_ms: i64,
    /// Live minute data older than this at arrival is `late`, ms.
    pub late_min_ms: i64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            future_tolerance_ms: 10 * 60_000,
            late_rtd_ms: 60 * 60_000,
            late_min_ms: 2 * 60 * 60_000,
        }
    }
}

/// The longest gap between two readings of a series over which the flat-line and spike checks
/// compare them: a reading after a longer gap starts the series afresh.
fn max_gap_ms(period: Period) -> Option<i64> {
    const HOUR: i64 = 3_600_000;
    match period {
        Period::Rtd | Period::Min => Some(HOUR),
        Period::Hour => Some(6 * HOUR),
        Period::Day => Some(72 * HOUR),
        Period::Month | Period::Year => None,
    }
}

/// The last reading of a series.
#[derive(Debug, Clone, Copy)]
struct Series {
    time: i64,
    value: f64,
    /// Equal consecutive readings up to and including this one.
    same: u32,
}

/// Runs the checks; keeps each series' last reading between batches.
#[derive(Debug)]
pub struct Checker {
    rules: Rules,
    timing: Timing,
    series: HashMap<String, Series>,
    codes: HashMap<u8, Arc<str>>,
    key: String,
}

impl Checker {
    /// A checker with these rules and the default timing.
    pub fn new(rules: Rules) -> Checker {
        Checker::with_timing(rules, Timing::default())
    }

    /// A checker with these rules and time thresholds.
    pub fn with_timing(rules: Rules, timing: Timing) -> Checker {
        Checker {
            rules,
            timing,
            series: HashMap::new(),
            codes: HashMap::new(),
            key: String::new(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Series whose last reading is kept.
    pub fn series(&self) -> usize {
        self.series.len()
    }

    /// The batch with `qc` filled for every row whose `qc` is null or empty (a batch without
    /// a `qc` column gets one). Rows of a series should come in time order; a row not later
    /// than the series' last reading (late data, a revision) gets no flat-line or spike
    /// verdict and does not move the series on.
    pub fn check(
        &mut self,
        batch: &RecordBatch,
        origin: Origin,
    ) -> Result<RecordBatch, ArrowError> {
        let rows = batch.num_rows();
        let text = |name: &str| -> Result<Option<StringArray>, ArrowError> {
            batch
                .column_by_name(name)
                .map(|a| {
                    cast(a, &DataType::Utf8).map(|a| {
                        a.as_any()
                            .downcast_ref::<StringArray>()
                            .expect("cast to Utf8")
                            .clone()
                    })
                })
                .transpose()
        };
        let missing = |name: &str| ArrowError::SchemaError(format!("QC needs the column {name}"));
        let time = batch
            .column_by_name(col::TIME)
            .ok_or_else(|| missing(col::TIME))?;
        let time = cast(time, &time_type())?;
        let time = time
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
            .expect("cast to ms");
        let site = text(col::SITE)?.ok_or_else(|| missing(col::SITE))?;
        let factor = text(col::FACTOR)?.ok_or_else(|| missing(col::FACTOR))?;
        let period = text(col::PERIOD)?.ok_or_else(|| missing(col::PERIOD))?;
        let flag = text(col::FLAG)?;
        let given = text(col::QC)?;
        let value = match batch.column_by_name(col::VALUE) {
            Some(v) => Some(cast(v, &DataType::Float64)?),
            None => None,
        };
        let value = value.as_ref().map(|v| {
            v.as_any()
                .downcast_ref::<Float64Array>()
                .expect("cast to f64")
        });

        let received = origin.received_ms();
        let mut out = arrow::array::StringBuilder::with_capacity(rows, rows * 2);
        for row in 0..rows {
            if let Some(g) = given
                .as_ref()
                .filter(|g| g.is_valid(row) && !g.value(row).is_empty())
            {
                out.append_value(g.value(row));
                continue;
            }
            // Rows the store will reject (missing key, unknown period) get no verdict.
            let (Some(t), Some(s), Some(f), Some(p)) = (
                time.is_valid(row).then(|| time.value(row)),
                site.is_valid(row)
                    .then(|| site.value(row))
                    .filter(|s| !s.is_empty()),
                factor
                    .is_valid(row)
                    .then(|| factor.value(row))
                    .filter(|f| !f.is_empty()),
                period.is_valid(row).then(|| period.value(row)),
            ) else {
                out.append_null();
                continue;
            };
            let Ok(p) = p.parse::<Period>() else {
                out.append_null();
                continue;
            };
            let mut bits = 0u8;
            if flag
                .as_ref()
                .is_some_and(|fl| fl.is_valid(row) && fl.value(row) != "N")
            {
                bits |= Check::Flag.bit();
            }
            if t > received + self.timing.future_tolerance_ms {
                bits |= Check::Future.bit();
            }
            if let Origin::Live { .. } = origin {
                let late = match p {
                    Period::Rtd => Some(self.timing.late_rtd_ms),
                    Period::Min => Some(self.timing.late_min_ms),
                    _ => None,
                };
                if late.is_some_and(|late| t < received - late) {
                    bits |= Check::Late.bit();
                }
            }
            let v = value.filter(|v| v.is_valid(row)).map(|v| v.value(row));
            if let (Some(v), Some(rule)) = (v, self.rules.rule(s, f)) {
                bits |= value_bits(rule, v);
                self.key.clear();
                for part in [s, "\u{1f}", f, "\u{1f}", p.as_str()] {
                    self.key.push_str(part);
                }
                bits |= series_bits(&mut self.series, &self.key, rule, p, t, v);
            }
            out.append_value(self.code(bits));
        }
        let qc: ArrayRef = Arc::new(out.finish());
        let schema = batch.schema();
        match schema.index_of(col::QC) {
            Ok(i) => {
                let mut columns = batch.columns().to_vec();
                let mut fields: Vec<Field> =
                    schema.fields().iter().map(|f| f.as_ref().clone()).collect();
                columns[i] = qc;
                fields[i] = Field::new(col::QC, DataType::Utf8, true);
                RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            }
            Err(_) => {
                let mut columns = batch.columns().to_vec();
                let mut fields: Vec<Field> =
                    schema.fields().iter().map(|f| f.as_ref().clone()).collect();
                columns.push(qc);
                fields.push(Field::new(col::QC, DataType::Utf8, true));
                RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            }
        }
    }

    fn code(&mut self, bits: u8) -> Arc<str> {
        self.codes
            .entry(bits)
            .or_insert_with(|| {
                if bits == 0 {
                    return "ok".into();
                }
                Check::ALL
                    .iter()
                    .filter(|c| bits & c.bit() != 0)
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join(",")
                    .into()
            })
            .clone()
    }
}

fn value_bits(rule: &Rule, v: f64) -> u8 {
    let mut bits = 0;
    if v < 0.0 && rule.min.is_some_and(|m| m >= 0.0) {
        bits |= Check::Negative.bit();
    } else if rule.min.is_some_and(|m| v < m) {
        bits |= Check::Range.bit();
    }
    if rule.max.is_some_and(|m| v > m) {
        bits |= Check::Range.bit();
    }
    if rule.detection_limit.is_some_and(|dl| v < dl) {
        bits |= Check::BelowDl.bit();
    }
    bits
}

fn series_bits(
    series: &mut HashMap<String, Series>,
    key: &str,
    rule: &Rule,
    period: Period,
    t: i64,
    v: f64,
) -> u8 {
    if rule.flat_readings.is_none() && rule.max_step.is_none() {
        return 0;
    }
    let Some(last) = series.get_mut(key) else {
        series.insert(
            key.to_owned(),
            Series {
                time: t,
                value: v,
                same: 1,
            },
        );
        return 0;
    };
    if t <= last.time {
        return 0;
    }
    let near = max_gap_ms(period).is_some_and(|gap| t - last.time <= gap);
    let mut bits = 0;
    let same = if near && v == last.value {
        last.same + 1
    } else {
        1
    };
    if rule.flat_readings.is_some_and(|n| same >= n) {
        bits |= Check::Flat.bit();
    }
    if near
        && rule
            .max_step
            .is_some_and(|step| (v - last.value).abs() > step)
    {
        bits |= Check::Spike.bit();
    }
    *last = Series {
        time: t,
        value: v,
        same,
    };
    bits
}
