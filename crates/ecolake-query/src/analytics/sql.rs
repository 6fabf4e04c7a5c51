//! The SQL aggregates `mk_trend(time, value [, alpha])` and `sen_slope(time, value)`.
//!
//! Rows arrive in any order: each group's `(time, value)` pairs are collected, sorted by time
//! (then by value, so that equal times give the same result whatever the partitioning), and
//! the series in that order is the input of [`trend::mann_kendall`] / [`trend::sens_slope`].
//! The slope is therefore per observation (per step of the sorted series), not per unit of
//! time: for hourly rows it is a change per hour, for daily rows per day. A NULL `value` is a
//! missing observation (NaN: it keeps its place in the order, as a gap for Sen's slope); rows
//! with a NULL `time` are ignored. `time` may be a timestamp, a date, an integer or a float.

use std::mem::size_of_val;
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, ListArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Float64Type, Int64Type};
use datafusion::common::scalar::ScalarStructBuilder;
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::{format_state_name, AggregateOrderSensitivity};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;

use super::trend;

/// Which aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    MkTrend,
    SenSlope,
}

/// An aggregate of a time series: `mk_trend` or `sen_slope`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct SeriesAggregate {
    kind: Kind,
    signature: Signature,
}

/// The fields of `mk_trend`'s struct.
fn mk_fields() -> Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            let f = |name: &str, t: DataType| Field::new(name, t, true);
            Fields::from(vec![
                f("trend", DataType::Utf8),
                f("h", DataType::Boolean),
                f("p", DataType::Float64),
                f("z", DataType::Float64),
                f("tau", DataType::Float64),
                f("s", DataType::Int64),
                f("var_s", DataType::Float64),
                f("slope", DataType::Float64),
                f("intercept", DataType::Float64),
                f("n", DataType::Int64),
            ])
        })
        .clone()
}

/// `mk_trend(time, value [, alpha])`: the Mann–Kendall trend test of each group's values in
/// time order ([`trend::mann_kendall`], equal to pymannkendall's `original_test`), as a struct
/// `{trend: 'increasing' | 'decreasing' | 'no trend', h, p, z, tau, s, var_s, slope,
/// intercept, n}`; `slope` is Sen's slope per observation. `alpha` (default 0.05) must be a
/// constant. NULL for a group with fewer than 3 non-NULL values.
///
/// ```sql
/// SELECT site, mk_trend(time, value)['p'] AS p, mk_trend(time, value)['trend'] AS trend
/// FROM observations WHERE factor = 'a21026' GROUP BY site
/// ```
pub fn mk_trend_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(SeriesAggregate {
        kind: Kind::MkTrend,
        signature: Signature::user_defined(Volatility::Immutable),
    })
}

/// `sen_slope(time, value)`: Sen's slope of each group's values in time order
/// ([`trend::sens_slope`]), per observation, as a DOUBLE; NULL for a group with fewer than
/// 2 non-NULL values.
pub fn sen_slope_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(SeriesAggregate {
        kind: Kind::SenSlope,
        signature: Signature::user_defined(Volatility::Immutable),
    })
}

impl AggregateUDFImpl for SeriesAggregate {
    fn name(&self) -> &str {
        match self.kind {
            Kind::MkTrend => "mk_trend",
            Kind::SenSlope => "sen_slope",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let arity_ok = match self.kind {
            Kind::MkTrend => matches!(arg_types.len(), 2 | 3),
            Kind::SenSlope => arg_types.len() == 2,
        };
        if !arity_ok {
            return plan_err!(
                "{}: expected (time, value{}), got {} arguments",
                self.name(),
                if self.kind == Kind::MkTrend {
                    " [, alpha]"
                } else {
                    ""
                },
                arg_types.len()
            );
        }
        let time = &arg_types[0];
        let time = if (time.is_temporal() && !matches!(time, DataType::Interval(_)))
            || time.is_integer()
        {
            time.clone()
        } else if time.is_floating() || time.is_null() {
            DataType::Float64
        } else {
            return plan_err!(
                "{}: time must be a timestamp, date or number, not {time}",
                self.name()
            );
        };
        let mut out = vec![time];
        for t in &arg_types[1..] {
            if !(t.is_numeric() || t.is_null()) {
                return plan_err!("{}: value and alpha must be numbers, not {t}", self.name());
            }
            out.push(DataType::Float64);
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::MkTrend => DataType::Struct(mk_fields()),
            Kind::SenSlope => DataType::Float64,
        })
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let alpha = match args.exprs.get(2) {
            None => trend::DEFAULT_ALPHA,
            Some(e) => match e.downcast_ref::<Literal>().map(Literal::value) {
                Some(ScalarValue::Float64(Some(a))) if *a > 0.0 && *a < 1.0 => *a,
                _ => return plan_err!("mk_trend: alpha must be a constant in (0, 1), got {e}"),
            },
        };
        Ok(Box::new(SeriesAccumulator {
            kind: self.kind,
            alpha,
            times: Vec::new(),
            values: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let list = |t: DataType| DataType::List(Arc::new(Field::new_list_field(t, true)));
        Ok(vec![
            Field::new(
                format_state_name(args.name, "times"),
                list(DataType::Int64),
                true,
            )
            .into(),
            Field::new(
                format_state_name(args.name, "values"),
                list(DataType::Float64),
                true,
            )
            .into(),
        ])
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        // The accumulator sorts by time itself.
        AggregateOrderSensitivity::Insensitive
    }
}

/// The rows of one group: an order key for each time and the values (NULL as NaN).
#[derive(Debug)]
struct SeriesAccumulator {
    kind: Kind,
    alpha: f64,
    times: Vec<i64>,
    values: Vec<f64>,
}

/// Order keys of a time column: the integer itself (timestamps and dates as their integer
/// representation), or for floats their bits mapped so that integer order is numeric order.
fn time_keys(array: &ArrayRef) -> Result<Int64Array> {
    if array.data_type().is_floating() {
        let floats = cast(array, &DataType::Float64)?;
        Ok(floats.as_primitive::<Float64Type>().unary(|f: f64| {
            let bits = f.to_bits() as i64;
            // The mapping of `f64::total_cmp`.
            bits ^ (((bits >> 63) as u64) >> 1) as i64
        }))
    } else {
        Ok(cast(array, &DataType::Int64)?
            .as_primitive::<Int64Type>()
            .clone())
    }
}

impl SeriesAccumulator {
    fn push(&mut self, times: &Int64Array, values: &ArrayRef) -> Result<()> {
        let values = cast(values, &DataType::Float64)?;
        let values = values.as_primitive::<Float64Type>();
        if times.len() != values.len() {
            return exec_err!(
                "mk_trend: {} times but {} values",
                times.len(),
                values.len()
            );
        }
        for (t, v) in times.iter().zip(values.iter()) {
            if let Some(t) = t {
                self.times.push(t);
                self.values.push(v.unwrap_or(f64::NAN));
            }
        }
        Ok(())
    }

    /// The values sorted by time, then by value.
    fn series(&mut self) -> Vec<f64> {
        let mut pairs: Vec<(i64, f64)> = self
            .times
            .iter()
            .copied()
            .zip(self.values.iter().copied())
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pairs.into_iter().map(|(_, v)| v).collect()
    }
}

fn list_of(values: ArrayRef, t: DataType) -> ScalarValue {
    let len = values.len();
    ScalarValue::List(Arc::new(ListArray::new(
        Arc::new(Field::new_list_field(t, true)),
        OffsetBuffer::from_lengths([len]),
        values,
        None,
    )))
}

impl Accumulator for SeriesAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values.len() < 2 {
            return exec_err!("mk_trend: expected time and value columns");
        }
        let times = time_keys(&values[0])?;
        self.push(&times, &values[1])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        if states.len() != 2 {
            return exec_err!("mk_trend: expected 2 state columns, got {}", states.len());
        }
        let (times, values) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for (t, v) in times.iter().zip(values.iter()) {
            if let (Some(t), Some(v)) = (t, v) {
                self.push(t.as_primitive::<Int64Type>(), &v)?;
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let times = Int64Array::from(std::mem::take(&mut self.times));
        let values = Float64Array::from(std::mem::take(&mut self.values));
        Ok(vec![
            list_of(Arc::new(times), DataType::Int64),
            list_of(Arc::new(values), DataType::Float64),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let series = self.series();
        match self.kind {
            Kind::SenSlope => Ok(ScalarValue::Float64(
                trend::sens_slope(&series).ok().map(|s| s.slope),
            )),
            Kind::MkTrend => {
                let Ok(r) = trend::mann_kendall(&series, self.alpha) else {
                    return Ok(ScalarStructBuilder::new_null(mk_fields()));
                };
                let fields = mk_fields();
                let scalars = [
                    ScalarValue::from(r.trend.as_str()),
                    ScalarValue::Boolean(Some(r.h)),
                    ScalarValue::Float64(Some(r.p)),
                    ScalarValue::Float64(Some(r.z)),
                    ScalarValue::Float64(Some(r.tau)),
                    ScalarValue::Int64(Some(r.s)),
                    ScalarValue::Float64(Some(r.var_s)),
                    ScalarValue::Float64(Some(r.slope)),
                    ScalarValue::Float64(Some(r.intercept)),
                    ScalarValue::Int64(Some(r.n as i64)),
                ];
                fields
                    .iter()
                    .zip(scalars)
                    .fold(ScalarStructBuilder::new(), |b, (f, v)| {
                        b.with_scalar(f.clone(), v)
                    })
                    .build()
            }
        }
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self.times.capacity() * size_of_val(&0i64)
            + self.values.capacity() * size_of_val(&0f64)
    }
}
