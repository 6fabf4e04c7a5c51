//! The rows of a long file (CSV, Parquet): one [`LongRow`] of cells as the file holds them,
//! checked and converted into a row of the write schema, or rejected with a reason naming
//! the column and the value (see the parent module, "Rows").

use std::path::Path;

use chrono::TimeDelta;
use ecolake_model::Period;

use super::header::VALUE_COLUMNS;
use super::output::{default_source, shown, Output};
use super::{time, HourLabel, ImportOptions};

/// A `time` cell of a long (CSV, Parquet) row.
#[derive(Debug, Clone, Copy)]
pub(super) enum TimeCell<'a> {
    /// Null or absent.
    Null,
    /// Text, parsed by [`time::parse`].
    Text(&'a str),
    /// Milliseconds since the epoch of an instant.
    Instant(i64),
    /// Milliseconds since the epoch of a wall-clock time in the import's time zone.
    Wall(i64),
}

/// A number cell of a long row.
#[derive(Debug, Clone, Copy)]
pub(super) enum NumCell<'a> {
    /// Null or absent.
    Null,
    /// A number.
    Num(f64),
    /// Text to parse.
    Text(&'a str),
}

/// One row of a long file, before validation.
#[derive(Debug, Clone, Copy)]
pub(super) struct LongRow<'a> {
    pub(super) time: TimeCell<'a>,
    pub(super) site: Option<&'a str>,
    pub(super) factor: Option<&'a str>,
    pub(super) period: Option<&'a str>,
    /// In the order of [`VALUE_COLUMNS`].
    pub(super) values: [NumCell<'a>; 5],
    pub(super) flag: Option<&'a str>,
    pub(super) qc: Option<&'a str>,
    pub(super) source: Option<&'a str>,
}

/// Trimmed, `None` if blank.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A decimal number, or why not, naming the column.
fn parse_number(column: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!(
            "column `{column}`: {} is not a finite number",
            shown(text)
        )),
        Err(_) => Err(format!(
            "column `{column}`: {} is not a number",
            shown(text)
        )),
    }
}

/// Shared row handling of the long formats.
#[derive(Debug)]
pub(super) struct LongImport {
    tz: chrono_tz::Tz,
    hour_label: HourLabel,
    source: String,
}

impl LongImport {
    /// The row handling for the file at `path`, and the empty output it fills.
    pub(super) fn start(path: &Path, options: &ImportOptions) -> (LongImport, Output) {
        let import = LongImport {
            tz: options.tz,
            hour_label: options.hour_label,
            source: options
                .source
                .clone()
                .unwrap_or_else(|| default_source(path)),
        };
        let out = Output::new(options, import.source.len());
        (import, out)
    }

    /// Validates a row and appends it, or rejects it with the reason.
    pub(super) fn push(&self, out: &mut Output, line: u64, row: &LongRow<'_>) {
        out.count_input();
        if let Err(reason) = self.try_push(out, line, row) {
            out.reject(line, reason);
        }
    }

    fn try_push(&self, out: &mut Output, line: u64, row: &LongRow<'_>) -> Result<(), String> {
        let empty = |name: &str| format!("column `{name}` is empty");
        let site = non_blank(row.site).ok_or_else(|| empty("site"))?;
        let factor = non_blank(row.factor).ok_or_else(|| empty("factor"))?;
        let period_text = non_blank(row.period).ok_or_else(|| empty("period"))?;
        let period = period_text.parse::<Period>().map_err(|_| {
            format!(
                "column `period`: {} is not a period (rtd, min, hour, day, month, year)",
                shown(period_text)
            )
        })?;
        let mut values = [None; 5];
        for ((out_v, cell), name) in values.iter_mut().zip(&row.values).zip(VALUE_COLUMNS) {
            *out_v = match *cell {
                NumCell::Null => None,
                NumCell::Num(v) if v.is_finite() => Some(v),
                NumCell::Num(v) => {
                    return Err(format!("column `{name}`: {v} is not a finite number"))
                }
                NumCell::Text(t) => match t.trim() {
                    "" => None,
                    t => Some(parse_number(name, t)?),
                },
            };
        }
        if values.iter().all(Option::is_none) {
            return Err("no value: value, min, max, cou and zs are all empty".to_owned());
        }
        let time_ms = self.time_ms(row.time, time::label_shift(period, self.hour_label))?;
        let source = non_blank(row.source).unwrap_or(&self.source);
        out.push_row(
            line,
            time_ms,
            site,
            factor,
            period,
            values,
            non_blank(row.flag),
            non_blank(row.qc),
            source,
        );
        Ok(())
    }

    /// The UTC milliseconds of a `time` cell, moved back by `shift`, or why not.
    fn time_ms(&self, cell: TimeCell<'_>, shift: Option<TimeDelta>) -> Result<i64, String> {
        match cell {
            TimeCell::Null => Err("column `time` is empty".to_owned()),
            TimeCell::Text(t) => match t.trim() {
                "" => Err("column `time` is empty".to_owned()),
                t => match time::parse(t) {
                    Some(parsed) => time::resolve(parsed, self.tz, shift)
                        .map_err(|e| format!("column `time`: {}: {e}", shown(t))),
                    None => Err(format!(
                        "column `time`: {} is not a time (RFC 3339, or local \
                         yyyy-MM-dd HH:mm[:ss])",
                        shown(t)
                    )),
                },
            },
            TimeCell::Instant(ms) => match shift {
                None => Ok(ms),
                Some(d) => ms
                    .checked_sub(d.num_milliseconds())
                    .ok_or_else(|| format!("column `time`: {ms} ms is out of range")),
            },
            TimeCell::Wall(ms) => time::naive_of_millis(ms)
                .ok_or_else(|| format!("column `time`: {ms} ms is out of range"))
                .and_then(|naive| {
                    time::resolve(time::Parsed::Local(naive), self.tz, shift)
                        .map_err(|e| format!("column `time`: {e}"))
                }),
        }
    }
}
