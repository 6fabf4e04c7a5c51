//! Arguments shared by the standards' SQL functions: type coercion, names given as constants or
//! per row (pollutants, averaging periods, editions …), and the edition or table picked by a
//! name, a timestamp or a date.
//!
//! Names: a constant name the function does not know is an error (a typo should not turn a
//! whole result into NULLs); a name read from a column that the function does not know gives
//! NULL on that row (so `iaqi(factor, …)` over every factor of `observations` answers for the
//! six pollutants and NULL for the others).

use std::str::FromStr;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Date32Type, Float64Type, TimeUnit, TimestampMillisecondType};
use chrono::NaiveDate;
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::ColumnarValue;
use ecolake_standards::aqi::cn::Edition;
use ecolake_standards::aqi::epa::EpaTable;
use ecolake_standards::aqi::Pollutant;

/// Milliseconds in an hour.
pub(super) const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// China's offset from UTC (Asia/Shanghai has kept UTC+8 without daylight saving since 1991).
const CHINA_OFFSET_MS: i64 = 8 * HOUR_MS;
/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_FROM_CE: i32 = 719_163;

/// Whether `dt` is text (any string type, a dictionary of strings) or NULL.
fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// Whether `dt` is a number (or NULL).
pub(super) fn is_number(dt: &DataType) -> bool {
    dt.is_numeric() || matches!(dt, DataType::Null)
}

/// The coerced type of a name argument: `Utf8`.
pub(super) fn text(dt: &DataType, function: &str, what: &str) -> Result<DataType> {
    if is_text(dt) {
        Ok(DataType::Utf8)
    } else {
        plan_err!("{function}: {what} must be text, not {dt}")
    }
}

/// The coerced type of a concentration or value argument: `Float64`.
pub(super) fn number(dt: &DataType, function: &str, what: &str) -> Result<DataType> {
    if is_number(dt) {
        Ok(DataType::Float64)
    } else {
        plan_err!("{function}: {what} must be a number, not {dt}")
    }
}

/// The UTC millisecond timestamp type that times are coerced to.
pub(super) fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The coerced type of an argument that picks an edition: a name (`Utf8`), a timestamp
/// (UTC milliseconds; a timestamp without time zone is taken as UTC) or a date (`Date32`).
pub(super) fn picker(dt: &DataType, function: &str) -> Result<DataType> {
    match dt {
        dt if is_text(dt) => Ok(DataType::Utf8),
        DataType::Timestamp(_, _) => Ok(time_type()),
        DataType::Date32 | DataType::Date64 => Ok(DataType::Date32),
        dt => plan_err!(
            "{function}: the last argument must be an edition name, a timestamp or a date, \
             not {dt}"
        ),
    }
}

/// The types of `(pollutant, averaging, concentration [, edition | table | time | date])`, the
/// arguments of `iaqi` and `epa_aqi`.
pub(super) fn sub_index_args(arg_types: &[DataType], f: &str) -> Result<Vec<DataType>> {
    arity(arg_types, f, (3, 4))?;
    let mut out = vec![
        text(&arg_types[0], f, "the pollutant")?,
        text(&arg_types[1], f, "the averaging period")?,
        number(&arg_types[2], f, "the concentration")?,
    ];
    if let Some(dt) = arg_types.get(3) {
        out.push(picker(dt, f)?);
    }
    Ok(out)
}

/// Checks the number of arguments.
pub(super) fn arity(arg_types: &[DataType], function: &str, range: (usize, usize)) -> Result<()> {
    let n = arg_types.len();
    if n < range.0 || n > range.1 {
        let wanted = if range.0 == range.1 {
            range.0.to_string()
        } else {
            format!("{} to {}", range.0, range.1)
        };
        return plan_err!("{function} takes {wanted} arguments, not {n}");
    }
    Ok(())
}

/// A per-row key: one value for every row, or a value (or NULL) per row.
#[derive(Debug, Clone)]
pub(super) enum Keys<T> {
    /// The same for every row (`None`: every row is NULL).
    Const(Option<T>),
    /// One per row (`None`: NULL or unknown on that row).
    Rows(Vec<Option<T>>),
}

impl<T: Copy + PartialEq> Keys<T> {
    /// The key of row `i`.
    pub(super) fn get(&self, i: usize) -> Option<T> {
        match self {
            Keys::Const(k) => *k,
            Keys::Rows(r) => r[i],
        }
    }

    /// The distinct keys present (at most a handful: the callers' keys are small enums).
    pub(super) fn distinct(&self) -> Vec<T> {
        match self {
            Keys::Const(k) => k.iter().copied().collect(),
            Keys::Rows(rows) => {
                let mut seen = Vec::new();
                for k in rows.iter().flatten() {
                    if !seen.contains(k) {
                        seen.push(*k);
                    }
                }
                seen
            }
        }
    }
}

/// Names (a constant or a text column) parsed by `parse`: an unknown constant is an error, an
/// unknown name in a column is NULL on its row.
pub(super) fn names<T: Copy>(
    arg: &ColumnarValue,
    function: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Keys<T>> {
    match arg {
        ColumnarValue::Scalar(s) => match scalar_text(s) {
            None => Ok(Keys::Const(None)),
            Some(name) => match parse(name) {
                Some(k) => Ok(Keys::Const(Some(k))),
                None => exec_err!("{function}: unknown {what} '{name}'"),
            },
        },
        ColumnarValue::Array(a) => {
            let a = cast(a, &DataType::Utf8)?;
            let a = a.as_string::<i32>();
            // Columns repeat a few names: remember the last distinct ones.
            let mut cache: Vec<(String, Option<T>)> = Vec::new();
            let rows = a
                .iter()
                .map(|name| {
                    let name = name?;
                    if let Some((_, k)) = cache.iter().find(|(n, _)| n == name) {
                        return *k;
                    }
                    let k = parse(name);
                    if cache.len() < 16 {
                        cache.push((name.to_owned(), k));
                    }
                    k
                })
                .collect();
            Ok(Keys::Rows(rows))
        }
    }
}

/// The text of a scalar (any string type), `None` for NULL.
pub(super) fn scalar_text(s: &ScalarValue) -> Option<&str> {
    match s {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.as_deref(),
        ScalarValue::Dictionary(_, inner) => scalar_text(inner),
        _ => None,
    }
}

/// A standard with editions picked by a name or by the date of the data.
pub(super) trait Dated: Copy + PartialEq + FromStr {
    /// The edition when the call gives neither a name nor a time.
    const DEFAULT: Self;
    /// The offset from UTC of the local date a timestamp is judged by, in milliseconds.
    const OFFSET_MS: i64;
    /// What the name argument names, for error messages.
    const WHAT: &'static str;
    /// The edition in force on a date.
    fn for_date(date: NaiveDate) -> Self;
}

impl Dated for Edition {
    /// HJ 633-2026: the edition in force today (since 2026-03-01).
    const DEFAULT: Self = Edition::Hj633_2026;
    const OFFSET_MS: i64 = CHINA_OFFSET_MS;
    const WHAT: &'static str = "edition";
    fn for_date(date: NaiveDate) -> Self {
        Edition::for_date(date)
    }
}

impl Dated for EpaTable {
    /// The 2024 tables (in force since 2024-05-06).
    const DEFAULT: Self = EpaTable::Epa2024;
    const OFFSET_MS: i64 = 0;
    const WHAT: &'static str = "EPA table";
    fn for_date(date: NaiveDate) -> Self {
        EpaTable::for_date(date)
    }
}

/// The edition of every row from the optional picker argument: absent → [`Dated::DEFAULT`];
/// a name; a timestamp → the edition of its local date; a date → the edition of that date.
pub(super) fn editions<E: Dated>(arg: Option<&ColumnarValue>, function: &str) -> Result<Keys<E>> {
    let Some(arg) = arg else {
        return Ok(Keys::Const(Some(E::DEFAULT)));
    };
    match arg.data_type() {
        DataType::Utf8 => names(arg, function, E::WHAT, |s| s.parse().ok()),
        DataType::Timestamp(TimeUnit::Millisecond, _) => Ok(by_day(arg, |a| {
            let a = a.as_primitive::<TimestampMillisecondType>();
            a.iter()
                .map(|t| t.map(|ms| ms.saturating_add(E::OFFSET_MS).div_euclid(DAY_MS) as i32))
                .collect()
        })?),
        DataType::Date32 => Ok(by_day(arg, |a| {
            a.as_primitive::<Date32Type>().iter().collect()
        })?),
        dt => exec_err!("{function}: cannot pick an {} from {dt}", E::WHAT),
    }
}

/// Editions from days since 1970-01-01, remembering the last day's edition.
fn by_day<E: Dated>(
    arg: &ColumnarValue,
    days: impl Fn(&ArrayRef) -> Vec<Option<i32>>,
) -> Result<Keys<E>> {
    let (array, constant) = match arg {
        ColumnarValue::Scalar(s) => (s.to_array()?, true),
        ColumnarValue::Array(a) => (a.clone(), false),
    };
    let mut last: Option<(i32, E)> = None;
    let rows: Vec<Option<E>> = days(&array)
        .into_iter()
        .map(|d| {
            let d = d?;
            match last {
                Some((day, e)) if day == d => Some(e),
                _ => {
                    let date =
                        NaiveDate::from_num_days_from_ce_opt(d.checked_add(UNIX_EPOCH_FROM_CE)?)?;
                    let e = E::for_date(date);
                    last = Some((d, e));
                    Some(e)
                }
            }
        })
        .collect();
    Ok(if constant {
        Keys::Const(rows.first().copied().flatten())
    } else {
        Keys::Rows(rows)
    })
}

/// A pollutant by its name (`SO2`, `NO2`, `CO`, `O3`, `PM10`, `PM2.5`, any case; `PM25`) or
/// by the HJ 212 / HJ 524 factor code ecolake stores it under (see [`AIR_CODES`]).
pub(super) fn pollutant(name: &str) -> Option<Pollutant> {
    let name = name.trim();
    AIR_CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(name))
        .map(|(_, p)| *p)
        .or_else(|| name.parse().ok())
}

/// The factor codes of the six AQI pollutants in ecolake's data (`ecolake_model::Factor`):
/// values under them are stored in µg/m³ (CO mg/m³), the units of the China AQI tables.
pub(super) const AIR_CODES: [(&str, Pollutant); 6] = [
    ("a21026", Pollutant::So2),
    ("a21004", Pollutant::No2),
    ("a21005", Pollutant::Co),
    ("a05024", Pollutant::O3),
    ("a34002", Pollutant::Pm10),
    ("a34004", Pollutant::Pm25),
];

/// A concentration column as `f64` with NaN for NULL, negative and non-finite values (all of
/// which the functions treat as missing).
pub(super) fn concentrations(a: &ArrayRef) -> Result<Vec<f64>> {
    let a = cast(a, &DataType::Float64)?;
    let a: &Float64Array = a.as_primitive::<Float64Type>();
    Ok(a.iter()
        .map(|v| match v {
            Some(c) if c.is_finite() && c >= 0.0 => c,
            _ => f64::NAN,
        })
        .collect())
}

/// A valid concentration (finite, not negative) or `None`.
pub(super) fn valid(v: Option<f64>) -> Option<f64> {
    v.filter(|c| c.is_finite() && *c >= 0.0)
}

/// The number of rows of a call: the length of its first array argument, else `number_rows`.
pub(super) fn rows(args: &[ColumnarValue], number_rows: usize) -> usize {
    args.iter()
        .find_map(|a| match a {
            ColumnarValue::Array(a) => Some(a.len()),
            ColumnarValue::Scalar(_) => None,
        })
        .unwrap_or(number_rows)
}

/// An argument as a `Float64` array of `n` rows.
pub(super) fn floats(arg: &ColumnarValue, n: usize) -> Result<ArrayRef> {
    Ok(cast(&arg.to_array(n)?, &DataType::Float64)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_models_air_factors() {
        for (code, p) in AIR_CODES {
            let f = ecolake_model::Factor::lookup(code).expect(code);
            assert_eq!(f.code, code);
            assert_eq!(pollutant(code), Some(p));
            assert_eq!(pollutant(p.name()), Some(p));
        }
        assert_eq!(pollutant("pm2.5"), Some(Pollutant::Pm25));
        assert_eq!(pollutant("a01001"), None);
    }

    #[test]
    fn local_days_pick_the_edition() {
        // 2026-02-28T16:00Z is 2026-03-01 00:00 in Beijing.
        let ms = 1_772_294_400_000i64;
        let t = ColumnarValue::Array(std::sync::Arc::new(
            arrow::array::TimestampMillisecondArray::from(vec![Some(ms - 1), Some(ms), None])
                .with_timezone("UTC"),
        ));
        let k: Keys<Edition> = editions(Some(&t), "f").unwrap();
        assert_eq!(k.get(0), Some(Edition::Hj633_2012));
        assert_eq!(k.get(1), Some(Edition::Hj633_2026));
        assert_eq!(k.get(2), None);
    }
}
