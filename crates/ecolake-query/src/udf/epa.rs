//! `epa_aqi(pollutant, averaging, concentration [, table | time | date])` → `Int32`: the US EPA
//! sub-index of one concentration (TAD May 2024), truncated and rounded as the TAD says.
//!
//! Units are the EPA's: O3 and CO ppm, SO2 and NO2 ppb, PM µg/m³. ecolake stores gases in
//! µg/m³ (CO mg/m³), so of the factor codes only PM10 `a34002` and PM2.5 `a34004` are accepted
//! here; gases are named (`O3`, `CO`, `SO2`, `NO2`) and must be converted first. The table is
//! `epa-2024` (default) or `epa-2012`, or picked by the UTC date of a timestamp or by a date
//! (2024 tables from 2024-05-06). NULL where the TAD defines no index (1-hour O3 below 0.125
//! ppm, 8-hour O3 above 0.200 ppm, 1-hour SO2 of 305 ppb or more, 24-hour SO2 below 305 ppb)
//! and for NULL, negative or non-finite concentrations.

use std::sync::Arc;

use arrow::array::Int32Array;
use arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use ecolake_standards::aqi::epa::{sub_index, EpaTable};
use ecolake_standards::aqi::{Averaging, Pollutant};
use ecolake_standards::Error;

use super::args::{concentrations, editions, names, rows, sub_index_args, Keys};

/// A pollutant by name, or PM10 / PM2.5 by factor code (the only codes whose stored unit is
/// the EPA's).
fn epa_pollutant(name: &str) -> Option<Pollutant> {
    match super::args::pollutant(name)? {
        p @ (Pollutant::Pm10 | Pollutant::Pm25) => Some(p),
        p if name.trim().eq_ignore_ascii_case(p.name()) => Some(p),
        _ => None,
    }
}

/// `epa_aqi`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct EpaAqi {
    signature: Signature,
}

impl EpaAqi {
    pub(super) fn new() -> Self {
        EpaAqi {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for EpaAqi {
    fn name(&self) -> &str {
        "epa_aqi"
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
        let p = names(&args.args[0], f, "EPA pollutant", epa_pollutant)?;
        let a = names(&args.args[1], f, "averaging period", |s| {
            s.parse::<Averaging>().ok()
        })?;
        let t: Keys<EpaTable> = editions(args.args.get(3), f)?;
        if let (Keys::Const(Some(p)), Keys::Const(Some(a))) = (&p, &a) {
            if let Err(Error::Unknown { .. }) = sub_index(EpaTable::Epa2024, *p, *a, 0.0) {
                return exec_err!(
                    "epa_aqi: the EPA has no {p} {a} rows (O3: 1h, 8h; PM: 24h; CO: 8h; SO2: \
                     1h, 24h; NO2: 1h)"
                );
            }
        }
        let c = concentrations(&args.args[2].to_array(n)?)?;
        let out: Int32Array = (0..n)
            .map(|i| match (p.get(i), a.get(i), t.get(i)) {
                (Some(p), Some(a), Some(t)) if !c[i].is_nan() => sub_index(t, p, a, c[i])
                    .ok()
                    .flatten()
                    .map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
                _ => None,
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gases_by_name_only() {
        assert_eq!(epa_pollutant("a34004"), Some(Pollutant::Pm25));
        assert_eq!(epa_pollutant("PM2.5"), Some(Pollutant::Pm25));
        assert_eq!(epa_pollutant("o3"), Some(Pollutant::O3));
        assert_eq!(epa_pollutant("a05024"), None);
        assert_eq!(epa_pollutant("a21026"), None);
    }
}
