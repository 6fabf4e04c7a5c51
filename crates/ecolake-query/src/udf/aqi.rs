//! The China AQI functions (HJ 633-2012 / HJ 633-2026): `iaqi`, the real-time `aqi` and
//! `aqi_primary`, the daily `aqi_daily` and `aqi_daily_primary`, all vectorised on the
//! standards crate's batch API (`ecolake_standards::aqi::batch`).
//!
//! Concentrations are µg/m³ (CO mg/m³). NULL, negative and non-finite concentrations are
//! missing: `iaqi` gives NULL, the reports leave the pollutant out (HJ 633-2026 then publishes
//! the AQI only above 100). The edition is the last argument: a name (`hj633-2012`,
//! `hj633-2026`, `2012`, `2026`), a timestamp (the edition in force on its Beijing date, UTC+8)
//! or a date; without one, HJ 633-2026.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int32Array, StringBuilder};
use arrow::datatypes::DataType;
use datafusion::common::{exec_err, DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use ecolake_standards::aqi::batch::{
    daily_batch, iaqi_batch, realtime_batch, DailyColumns, Output, RealtimeColumns, AQI_NA,
};
use ecolake_standards::aqi::cn::{self, Edition};
use ecolake_standards::aqi::{Averaging, Pollutant, PollutantSet};

use super::args::{
    arity, concentrations, editions, is_number, names, number, picker, pollutant, rows,
    sub_index_args, Keys,
};

/// A standards error as a query execution error.
pub(super) fn standards_error(function: &str, e: ecolake_standards::Error) -> DataFusionError {
    DataFusionError::Execution(format!("{function}: {e}"))
}

/// `iaqi(pollutant, averaging, concentration [, edition | time | date])` → `Int32`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Iaqi {
    signature: Signature,
}

impl Iaqi {
    pub(super) fn new() -> Self {
        Iaqi {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Iaqi {
    fn name(&self) -> &str {
        "iaqi"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        sub_index_args(arg_types, self.name())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let f = self.name();
        let n = rows(&args.args, args.number_rows);
        let p = names(&args.args[0], f, "pollutant", pollutant)?;
        let a = names(&args.args[1], f, "averaging period", |s| {
            s.parse::<Averaging>().ok()
        })?;
        let e: Keys<Edition> = editions(args.args.get(3), f)?;
        let c = concentrations(&args.args[2].to_array(n)?)?;
        let out = match (&p, &a) {
            (Keys::Const(Some(p)), Keys::Const(Some(a))) => one_table(*p, *a, &e, &c)?,
            (Keys::Const(None), _) | (_, Keys::Const(None)) => Int32Array::new_null(n),
            _ => (0..n)
                .map(|i| match (p.get(i), a.get(i), e.get(i)) {
                    (Some(p), Some(a), Some(e)) if !c[i].is_nan() => {
                        cn::iaqi(e, p, a, c[i]).ok().flatten().map(i32::from)
                    }
                    _ => None,
                })
                .collect(),
        };
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The IAQIs of a column on one pollutant's table, per edition present.
fn one_table(p: Pollutant, a: Averaging, e: &Keys<Edition>, c: &[f64]) -> Result<Int32Array> {
    if cn::breakpoints(Edition::Hj633_2012, p, a).is_none() {
        return exec_err!(
            "iaqi: HJ 633 has no {p} {a} table (PM10 and PM2.5: 24h; O3: 1h, 8h; SO2, NO2, \
             CO: 1h, 24h)"
        );
    }
    let mut by_edition: Vec<(Edition, Vec<u16>)> = Vec::new();
    for edition in e.distinct() {
        let mut out = vec![AQI_NA; c.len()];
        iaqi_batch(edition, p, a, c, &mut out).map_err(|err| standards_error("iaqi", err))?;
        by_edition.push((edition, out));
    }
    Ok((0..c.len())
        .map(|i| {
            let edition = e.get(i)?;
            let (_, out) = by_edition.iter().find(|(ed, _)| *ed == edition)?;
            (out[i] != AQI_NA).then_some(i32::from(out[i]))
        })
        .collect())
}

/// Which report an [`AqiReport`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Report {
    /// `(so2, no2, co, o3, pm10, pm25 [, so2_24h] [, edition])`: 1-hour values.
    Realtime,
    /// `(so2, no2, co, o3_1h_max, o3_8h_max, pm10, pm25 [, edition])`: daily values.
    Daily,
}

/// What an [`AqiReport`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Answer {
    /// The AQI, `Int32`.
    Aqi,
    /// The primary pollutants, `Utf8`.
    Primary,
}

/// `aqi`, `aqi_primary`, `aqi_daily`, `aqi_daily_primary`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct AqiReport {
    name: &'static str,
    report: Report,
    answer: Answer,
    signature: Signature,
}

impl AqiReport {
    pub(super) fn new(name: &'static str, report: Report, answer: Answer) -> Self {
        AqiReport {
            name,
            report,
            answer,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for AqiReport {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let f = self.name;
        let n = arg_types.len();
        // The number of concentrations: 6 or 7 for the real-time report (the 7th is the
        // 24-hour SO2 when it is a number), 7 for the daily one.
        let numbers = match self.report {
            Report::Realtime => {
                arity(arg_types, f, (6, 8))?;
                if n == 8 || (n == 7 && is_number(&arg_types[6])) {
                    7
                } else {
                    6
                }
            }
            Report::Daily => {
                arity(arg_types, f, (7, 8))?;
                7
            }
        };
        arg_types
            .iter()
            .enumerate()
            .map(|(i, dt)| {
                if i < numbers {
                    number(dt, f, "a concentration")
                } else {
                    picker(dt, f)
                }
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.answer {
            Answer::Aqi => DataType::Int32,
            Answer::Primary => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let f = self.name;
        let n = rows(&args.args, args.number_rows);
        let numbers = args
            .args
            .iter()
            .take_while(|a| a.data_type() == DataType::Float64)
            .count();
        let cols = args.args[..numbers]
            .iter()
            .map(|a| concentrations(&a.to_array(n)?))
            .collect::<Result<Vec<_>>>()?;
        let e: Keys<Edition> = editions(args.args.get(numbers), f)?;
        let mut by_edition = Vec::new();
        for edition in e.distinct() {
            let (mut aqi, mut level, mut primary) = (vec![0u16; n], vec![0u8; n], vec![0u8; n]);
            let out = Output {
                aqi: &mut aqi,
                level: &mut level,
                primary: &mut primary,
            };
            let done = match self.report {
                Report::Realtime => {
                    let columns = RealtimeColumns {
                        so2: &cols[0],
                        no2: &cols[1],
                        co: &cols[2],
                        o3: &cols[3],
                        pm10: &cols[4],
                        pm25: &cols[5],
                        so2_24h: cols.get(6).map(Vec::as_slice),
                    };
                    realtime_batch(edition, &columns, out)
                }
                Report::Daily => {
                    let columns = DailyColumns {
                        so2: &cols[0],
                        no2: &cols[1],
                        co: &cols[2],
                        o3_1h_max: Some(&cols[3]),
                        o3_8h_max: &cols[4],
                        pm10: &cols[5],
                        pm25: &cols[6],
                    };
                    daily_batch(edition, &columns, out)
                }
            };
            done.map_err(|err| standards_error(f, err))?;
            by_edition.push((edition, aqi, primary));
        }
        // The row's AQI and primary bits, `None` when NA or the edition is NULL.
        let row = |i: usize| -> Option<(u16, u8)> {
            let edition = e.get(i)?;
            let (_, aqi, primary) = by_edition.iter().find(|(ed, ..)| *ed == edition)?;
            (aqi[i] != AQI_NA).then_some((aqi[i], primary[i]))
        };
        let out: ArrayRef = match self.answer {
            Answer::Aqi => Arc::new(
                (0..n)
                    .map(|i| row(i).map(|(a, _)| i32::from(a)))
                    .collect::<Int32Array>(),
            ),
            Answer::Primary => {
                let mut b = StringBuilder::with_capacity(n, n * 6);
                let mut text = String::new();
                for i in 0..n {
                    match row(i) {
                        None => b.append_null(),
                        Some((_, bits)) => {
                            text.clear();
                            for (k, p) in PollutantSet::from_bits(bits).iter().enumerate() {
                                if k > 0 {
                                    text.push(';');
                                }
                                text.push_str(p.name());
                            }
                            b.append_value(&text);
                        }
                    }
                }
                Arc::new(b.finish())
            }
        };
        debug_assert_eq!(out.len(), n);
        Ok(ColumnarValue::Array(out))
    }
}
