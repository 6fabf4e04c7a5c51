//! `hj663_percentile(value, p)` → `Float64`: the `p`-th percentile of a group's values by HJ
//! 663's formula (`ecolake_standards::assess::percentile`): sort `X(1) ≤ … ≤ X(n)`,
//! `k = 1 + (n − 1)·p/100`, `s = ⌊k⌋`, `X(s) + (X(s+1) − X(s))·(k − s)`.
//!
//! `p` must be a constant from 0 to 100 (an error otherwise). NULL and NaN values are left out;
//! a group without values gives NULL.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, ListArray};
use arrow::buffer::{OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use arrow::record_batch::RecordBatch;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, Signature, Volatility,
};
use ecolake_standards::assess::percentile;

use super::args::{arity, number};

/// `hj663_percentile`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Hj663Percentile {
    signature: Signature,
}

impl Hj663Percentile {
    pub(super) fn new() -> Self {
        Hj663Percentile {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for Hj663Percentile {
    fn name(&self) -> &str {
        "hj663_percentile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let f = self.name();
        arity(arg_types, f, (2, 2))?;
        Ok(vec![
            number(&arg_types[0], f, "the value")?,
            number(&arg_types[1], f, "p")?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let empty = RecordBatch::new_empty(Arc::new(arrow::datatypes::Schema::empty()));
        let p = match acc_args.exprs.get(1).map(|e| e.evaluate(&empty)) {
            Some(Ok(ColumnarValue::Scalar(s))) => match s.cast_to(&DataType::Float64) {
                Ok(ScalarValue::Float64(Some(p))) => p,
                _ => return plan_err!("hj663_percentile: p must not be NULL"),
            },
            _ => return plan_err!("hj663_percentile: p must be a constant (0 to 100)"),
        };
        if !(0.0..=100.0).contains(&p) {
            return plan_err!("hj663_percentile: p must be from 0 to 100, not {p}");
        }
        Ok(Box::new(PercentileAccumulator {
            p,
            values: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let item = Field::new_list_field(DataType::Float64, true);
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "values"),
            DataType::List(Arc::new(item)),
            true,
        ))])
    }
}

/// The values of one group.
#[derive(Debug)]
struct PercentileAccumulator {
    p: f64,
    values: Vec<f64>,
}

impl PercentileAccumulator {
    fn add(&mut self, a: &Float64Array) {
        self.values
            .extend(a.iter().flatten().filter(|v| !v.is_nan()));
    }
}

impl Accumulator for PercentileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add(values[0].as_primitive::<Float64Type>());
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let lists = states[0].as_list::<i32>();
        for i in 0..lists.len() {
            if lists.is_valid(i) {
                self.add(lists.value(i).as_primitive::<Float64Type>());
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let values = self.values.clone();
        let offsets = OffsetBuffer::new(ScalarBuffer::from(vec![0, values.len() as i32]));
        let list = ListArray::new(
            Arc::new(Field::new_list_field(DataType::Float64, true)),
            offsets,
            Arc::new(Float64Array::from(values)),
            None,
        );
        Ok(vec![ScalarValue::List(Arc::new(list))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(percentile(&self.values, self.p)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.capacity() * std::mem::size_of::<f64>()
    }
}
