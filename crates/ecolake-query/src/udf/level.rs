//! The AQI levels of HJ 633 (Table 2, the same in both editions): `aqi_level(aqi)` → 1–6 and
//! `aqi_category(aqi [, 'zh' | 'en'])` → 优 … 严重污染 / Excellent … Severely polluted.
//!
//! The AQI is an integer; a fractional value is rounded up first, as HJ 633 rounds IAQIs
//! (50.2 is level 2). NULL, negative and non-finite values give NULL.

use std::sync::Arc;

use arrow::array::{Array, AsArray, Int32Array, StringArray};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use ecolake_standards::aqi::cn::Level;

use super::args::{arity, names, number, rows, text};

/// The level of an AQI value, `None` for NULL, negative or non-finite values.
fn level(aqi: Option<f64>) -> Option<Level> {
    let a = aqi.filter(|a| a.is_finite() && *a >= 0.0)?;
    Some(Level::from_aqi(a.ceil().min(f64::from(u16::MAX)) as u16))
}

/// The language of a category name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Zh,
    En,
}

fn lang(s: &str) -> Option<Lang> {
    match s.trim().to_ascii_lowercase().as_str() {
        "zh" | "cn" | "zh-cn" => Some(Lang::Zh),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// `aqi_level(aqi)` → `Int32` (with `category: false`) or `aqi_category(aqi [, lang])` →
/// `Utf8`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct AqiLevel {
    category: bool,
    signature: Signature,
}

impl AqiLevel {
    pub(super) fn new(category: bool) -> Self {
        AqiLevel {
            category,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for AqiLevel {
    fn name(&self) -> &str {
        if self.category {
            "aqi_category"
        } else {
            "aqi_level"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let f = self.name();
        arity(arg_types, f, (1, if self.category { 2 } else { 1 }))?;
        let mut out = vec![number(&arg_types[0], f, "the AQI")?];
        if let Some(dt) = arg_types.get(1) {
            out.push(text(dt, f, "the language")?);
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.category {
            DataType::Utf8
        } else {
            DataType::Int32
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = rows(&args.args, args.number_rows);
        let aqi = super::args::floats(&args.args[0], n)?;
        let aqi = aqi.as_primitive::<Float64Type>();
        if !self.category {
            let out: Int32Array = aqi
                .iter()
                .map(|a| level(a).map(|l| i32::from(l.number())))
                .collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        let langs = match args.args.get(1) {
            Some(arg) => names(arg, self.name(), "language (zh, en)", lang)?,
            None => super::args::Keys::Const(Some(Lang::Zh)),
        };
        let out: StringArray = (0..aqi.len())
            .map(|i| {
                let l = level((!aqi.is_null(i)).then(|| aqi.value(i)))?;
                Some(match langs.get(i)? {
                    Lang::Zh => l.category_zh(),
                    Lang::En => l.category_en(),
                })
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
