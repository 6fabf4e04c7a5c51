//! Window functions over clock hours: `o3_8h(value, time)` (HJ 663's 8-hour moving mean of O3)
//! and `nowcast(value, time)` (the EPA PM NowCast), both used as
//! `f(value, time) OVER (PARTITION BY site ORDER BY time)`.
//!
//! The window of a row is defined by **clock time**, not by rows: the row at `time = t` sees
//! the rows of its partition with `t − span < time ≤ t` (8 hours for `o3_8h`, 12 for
//! `nowcast`). A missing hour — no row, or a NULL, negative or non-finite value — is missing,
//! never skipped over to reach an older hour. Any frame clause is ignored. The rows of a
//! partition must arrive in increasing `time` (`ORDER BY time`), one row per time (filter one
//! factor and one period, partition by site); otherwise the query fails with an error.
//!
//! * `o3_8h`: with hourly values labelled by their start, the row of hour `t` gets the mean of
//!   the hours starting `t − 7h … t` — the 8-hour mean GB 3095 labels by its end, `t + 1h` —
//!   when at least 6 of them are valid (HJ 663 / GB 3095 Table 4), else NULL. A day's 17
//!   windows (ending 08:00 … 24:00 local) are the rows of local hours 07 … 23.
//! * `nowcast`: the hours `t, t − 1h, … t − 11h` (by `⌊(t − time)/1h⌋`) go to
//!   `ecolake_standards::aqi::nowcast::nowcast` — NULL unless 2 of the 3 most recent hours are
//!   valid. PM2.5 or PM10 in µg/m³; feed it to `epa_aqi('PM2.5', '24h', …)` for the index.
//!
//! Both run in bounded memory (DataFusion's bounded window execution): each partition keeps
//! only its last `span` of rows.

use std::collections::VecDeque;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Field, FieldRef, Float64Type, TimestampMillisecondType};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    LimitEffect, PartitionEvaluator, Signature, Volatility, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;
use ecolake_standards::aqi::nowcast::{nowcast, HOURS};
use ecolake_standards::aqi::Pollutant;
use ecolake_standards::assess::MIN_HOURS_PER_8H;

use super::args::{arity, number, time_type, valid, HOUR_MS};

/// Which hourly window function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// HJ 663's 8-hour moving mean of O3.
    O3Mean8h,
    /// The EPA NowCast of PM.
    NowCast,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::O3Mean8h => "o3_8h",
            Kind::NowCast => "nowcast",
        }
    }

    /// The length of the window in milliseconds.
    fn span_ms(self) -> i64 {
        match self {
            Kind::O3Mean8h => 8 * HOUR_MS,
            Kind::NowCast => HOURS as i64 * HOUR_MS,
        }
    }
}

/// `o3_8h(value, time)` or `nowcast(value, time)` → `Float64`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Hourly {
    kind: Kind,
    signature: Signature,
}

impl Hourly {
    pub(super) fn new(kind: Kind) -> Self {
        Hourly {
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl WindowUDFImpl for Hourly {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let f = self.name();
        arity(arg_types, f, (2, 2))?;
        let time = match &arg_types[1] {
            DataType::Timestamp(_, _) | DataType::Null => time_type(),
            dt => return plan_err!("{f}: the second argument must be the time, not {dt}"),
        };
        Ok(vec![number(&arg_types[0], f, "the value")?, time])
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs<'_>,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(Evaluator {
            kind: self.kind,
            window: VecDeque::new(),
            last: None,
        }))
    }

    fn field(&self, field_args: WindowUDFFieldArgs<'_>) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(
            field_args.name(),
            DataType::Float64,
            true,
        )))
    }

    fn limit_effect(&self, _args: &[Arc<dyn PhysicalExpr>]) -> LimitEffect {
        LimitEffect::None
    }
}

/// The state of one partition: the rows of the last `span`, oldest first.
#[derive(Debug)]
struct Evaluator {
    kind: Kind,
    window: VecDeque<(i64, Option<f64>)>,
    /// The time of the last row seen.
    last: Option<i64>,
}

impl Evaluator {
    /// Adds the row `(time, value)` and returns its result.
    fn push(&mut self, time: Option<i64>, value: Option<f64>) -> Result<Option<f64>> {
        let Some(t) = time else {
            return Ok(None);
        };
        if let Some(last) = self.last {
            if t <= last {
                return exec_err!(
                    "{}: rows must be in increasing time, one per time, within a partition \
                     (use OVER (PARTITION BY site ORDER BY time) on one factor and period)",
                    self.kind.name()
                );
            }
        }
        self.last = Some(t);
        let span = self.kind.span_ms();
        while self.window.front().is_some_and(|(old, _)| *old <= t - span) {
            self.window.pop_front();
        }
        self.window.push_back((t, valid(value)));
        Ok(match self.kind {
            Kind::O3Mean8h => {
                let (sum, n) = self
                    .window
                    .iter()
                    .filter_map(|(_, v)| *v)
                    .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
                (n >= MIN_HOURS_PER_8H).then(|| sum / n as f64)
            }
            Kind::NowCast => {
                let mut hours = [None; HOURS];
                for (time, v) in &self.window {
                    let slot = ((t - time) / HOUR_MS) as usize;
                    if slot < HOURS && v.is_some() {
                        hours[slot] = *v;
                    }
                }
                // Validated values: the NowCast cannot fail on them.
                nowcast(Pollutant::Pm25, &hours).ok().flatten()
            }
        })
    }

    /// The value and time of row `i` of the evaluated arguments.
    fn row(values: &[ArrayRef], i: usize) -> (Option<f64>, Option<i64>) {
        let v = values[0].as_primitive::<Float64Type>();
        let t = values[1].as_primitive::<TimestampMillisecondType>();
        let value = (!v.is_null(i)).then(|| v.value(i));
        let time = (!t.is_null(i)).then(|| t.value(i));
        (value, time)
    }
}

impl PartitionEvaluator for Evaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let out = (0..num_rows)
            .map(|i| {
                let (value, time) = Self::row(values, i);
                self.push(time, value)
            })
            .collect::<Result<Float64Array>>()?;
        Ok(Arc::new(out))
    }

    fn evaluate(
        &mut self,
        values: &[ArrayRef],
        range: &std::ops::Range<usize>,
    ) -> Result<ScalarValue> {
        // Bounded execution: called once for every row, in order, with `range` the row itself
        // (the default `get_range`); the evaluator keeps the earlier rows it needs.
        let (value, time) = Self::row(values, range.start);
        Ok(ScalarValue::Float64(self.push(time, value)?))
    }

    fn supports_bounded_execution(&self) -> bool {
        true
    }

    fn is_causal(&self) -> bool {
        true
    }
}
