//! The UCI "Beijing Multi-Site Air-Quality" (PRSA) wide CSV files, see
//! [`super::FileFormat::Prsa`].

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ecolake_model::{Factor, Medium, Period, Unit};

use super::csv::{header, line, next_record, reader, width_mismatch};
use super::output::{default_source, shown_bytes, Output};
use super::{time, FileBatches, ImportOptions};
use crate::ImportError;

/// The station list looked for beside the data file.
pub(crate) const STATIONS_FILE: &str = "beijing_stations.csv";

/// How a measurement column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A decimal number in `unit`.
    Number(Unit),
    /// A 16-point compass direction, stored in degrees.
    Compass,
}

/// A measurement column of the PRSA files: its name, factor code and how it is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measure {
    /// The column name in the file.
    pub column: &'static str,
    /// The HJ 212 (or ecolake extension) factor code.
    pub factor: &'static str,
    kind: Kind,
}

const fn number(column: &'static str, factor: &'static str, unit: Unit) -> Measure {
    Measure {
        column,
        factor,
        kind: Kind::Number(unit),
    }
}

/// The measurement columns, in file order, with the unit the file uses (UCI dataset notes:
/// all pollutants in µg/m³, including CO).
pub(crate) const MEASURES: [Measure; 12] = [
    number("PM2.5", "a34004", Unit::MicrogramPerCubicMetre),
    number("PM10", "a34002", Unit::MicrogramPerCubicMetre),
    number("SO2", "a21026", Unit::MicrogramPerCubicMetre),
    number("NO2", "a21004", Unit::MicrogramPerCubicMetre),
    number("CO", "a21005", Unit::MicrogramPerCubicMetre),
    number("O3", "a05024", Unit::MicrogramPerCubicMetre),
    number("TEMP", "a01001", Unit::DegreeCelsius),
    number("PRES", "a01006", Unit::Hectopascal),
    number("DEWP", "x01001", Unit::DegreeCelsius),
    number("RAIN", "x01002", Unit::Millimetre),
    Measure {
        column: "wd",
        factor: "a01008",
        kind: Kind::Compass,
    },
    number("WSPM", "a01007", Unit::MetrePerSecond),
];

/// The 16 compass points, clockwise from north, 22.5° apart.
const COMPASS: [&str; 16] = [
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW",
    "NNW",
];

/// Degrees of a compass point (exact: multiples of 22.5).
fn compass_degrees(point: &[u8]) -> Option<f64> {
    COMPASS
        .iter()
        .position(|p| p.as_bytes() == point)
        .map(|i| i as f64 * 22.5)
}

/// The unit a factor is stored in at an ambient-air station.
fn stored_unit(factor: &str, file_unit: Unit) -> Unit {
    Factor::lookup(factor).map_or(file_unit, |f| f.canonical_unit(Medium::AmbientAir))
}

/// A measurement column found in the file, ready for conversion.
#[derive(Debug, Clone, Copy)]
struct Slot {
    index: usize,
    measure: Measure,
    /// File unit and stored unit, for numbers.
    convert: Option<(Unit, Unit)>,
}

/// PRSA station name → national station code.
#[derive(Debug)]
struct Stations {
    entries: Vec<(String, String)>,
    path: PathBuf,
}

impl Stations {
    fn load(path: &Path) -> Result<Stations, ImportError> {
        let bad = |reason: String| ImportError::Stations {
            path: path.to_owned(),
            reason,
        };
        let mut reader = reader(path)?;
        let names = header(path, &mut reader)?;
        let find = |want: &str| {
            names
                .iter()
                .position(|n| {
                    n.trim_start_matches('\u{feff}')
                        .trim()
                        .eq_ignore_ascii_case(want)
                })
                .ok_or_else(|| bad(format!("no column `{want}`")))
        };
        let (code_col, name_col) = (find("stationcode")?, find("prsa_station")?);
        let mut entries = Vec::new();
        for record in reader.records() {
            let record = record.map_err(ImportError::csv(path))?;
            let line = record.position().map_or(0, |p| p.line());
            match (record.get(name_col), record.get(code_col)) {
                (Some(name), Some(code)) if !name.trim().is_empty() && !code.trim().is_empty() => {
                    entries.push((name.trim().to_owned(), code.trim().to_owned()));
                }
                _ => return Err(bad(format!("line {line}: empty station name or code"))),
            }
        }
        if entries.is_empty() {
            return Err(bad("no stations".to_owned()));
        }
        Ok(Stations {
            entries,
            path: path.to_owned(),
        })
    }

    /// The index of the entry for a station name, trying `hint` first.
    fn find(&self, name: &[u8], hint: usize) -> Option<usize> {
        if self
            .entries
            .get(hint)
            .is_some_and(|e| e.0.as_bytes() == name)
        {
            return Some(hint);
        }
        self.entries.iter().position(|e| e.0.as_bytes() == name)
    }
}

/// Column positions of the time and station.
#[derive(Debug, Clone, Copy)]
struct Keys {
    year: usize,
    month: usize,
    day: usize,
    hour: usize,
    station: usize,
}

/// A small unsigned integer field, or a rejection reason naming the column.
fn int_field(record: &::csv::ByteRecord, index: usize, name: &str) -> Result<u32, String> {
    let raw = record.get(index).unwrap_or_default();
    let t = raw.trim_ascii();
    if t.is_empty() || t.len() > 9 || !t.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "column `{name}`: {} is not a whole number",
            shown_bytes(raw)
        ));
    }
    Ok(t.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

pub(super) fn read(path: &Path, options: &ImportOptions) -> Result<FileBatches, ImportError> {
    let stations_path = options.stations.clone().unwrap_or_else(|| {
        path.parent()
            .unwrap_or_else(|| Path::new(""))
            .join(STATIONS_FILE)
    });
    let stations = Stations::load(&stations_path)?;
    let stations_name = stations.path.file_name().map_or_else(
        || stations.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );

    let mut reader = reader(path)?;
    let names = header(path, &mut reader)?;
    let position = |want: &str| names.iter().position(|n| n.trim() == want);
    let mut missing = Vec::new();
    let mut key = |want: &'static str| {
        position(want).unwrap_or_else(|| {
            missing.push(format!("`{want}`"));
            0
        })
    };
    let keys = Keys {
        year: key("year"),
        month: key("month"),
        day: key("day"),
        hour: key("hour"),
        station: key("station"),
    };
    if !missing.is_empty() {
        return Err(ImportError::Header {
            path: path.to_owned(),
            reason: format!("missing PRSA column(s) {}", missing.join(", ")),
        });
    }
    let slots: Vec<Slot> = MEASURES
        .iter()
        .filter_map(|m| {
            let index = position(m.column)?;
            let convert = match m.kind {
                Kind::Number(unit) => Some((unit, stored_unit(m.factor, unit))),
                Kind::Compass => None,
            };
            Some(Slot {
                index,
                measure: *m,
                convert,
            })
        })
        .collect();
    if slots.is_empty() {
        return Err(ImportError::Header {
            path: path.to_owned(),
            reason: "no PRSA measurement column (PM2.5, PM10, SO2, NO2, CO, O3, TEMP, PRES, \
                     DEWP, RAIN, wd, WSPM)"
                .to_owned(),
        });
    }

    let source = options
        .source
        .clone()
        .unwrap_or_else(|| default_source(path));
    let mut out = Output::new(options, source.len());
    let known = |n: &str| {
        matches!(n, "No" | "year" | "month" | "day" | "hour" | "station")
            || MEASURES.iter().any(|m| m.column == n)
    };
    let unknown: Vec<String> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !known(n))
        .map(str::to_owned)
        .collect();
    out.warn_unknown_columns(&unknown);
    let absent: Vec<&str> = MEASURES
        .iter()
        .filter(|m| position(m.column).is_none())
        .map(|m| m.column)
        .collect();
    if !absent.is_empty() {
        out.warn(format!("no column for {}", absent.join(", ")));
    }

    let period = Period::Hour;
    let shift = time::label_shift(period, options.hour_label);
    let width = names.len();
    let mut hint = 0;
    let mut record = ::csv::ByteRecord::new();
    while next_record(path, &mut reader, &mut record)? {
        out.count_input();
        let line = line(&record);
        if let Some(reason) = width_mismatch(&record, width) {
            out.reject(line, reason);
            continue;
        }
        let time_ms = match row_time(&record, keys, options.tz, shift) {
            Ok(t) => t,
            Err(reason) => {
                out.reject(line, reason);
                continue;
            }
        };
        let station = record.get(keys.station).unwrap_or_default().trim_ascii();
        let Some(s) = stations.find(station, hint) else {
            out.reject(
                line,
                format!(
                    "column `station`: {} is not in {stations_name}",
                    shown_bytes(station)
                ),
            );
            continue;
        };
        hint = s;
        let site = stations.entries[s].1.as_str();
        for slot in &slots {
            let raw = record.get(slot.index).unwrap_or_default().trim_ascii();
            if raw.is_empty() || raw == b"NA" {
                continue;
            }
            let value = match slot.convert {
                None => compass_degrees(raw).ok_or_else(|| {
                    format!(
                        "column `{}`: {} is not a 16-point compass direction",
                        slot.measure.column,
                        shown_bytes(raw)
                    )
                }),
                Some((from, to)) => std::str::from_utf8(raw)
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        format!(
                            "column `{}`: {} is not a number",
                            slot.measure.column,
                            shown_bytes(raw)
                        )
                    })
                    .and_then(|v| {
                        Unit::convert(v, from, to).ok_or_else(|| {
                            format!(
                                "column `{}`: cannot convert {from} to {to}",
                                slot.measure.column
                            )
                        })
                    }),
            };
            match value {
                Ok(v) => {
                    out.push_value(line, time_ms, site, slot.measure.factor, period, v, &source)
                }
                Err(reason) => out.reject(line, reason),
            }
        }
    }
    Ok(out.finish())
}

/// The UTC milliseconds of a row's start of hour, or a rejection reason.
fn row_time(
    record: &::csv::ByteRecord,
    keys: Keys,
    tz: chrono_tz::Tz,
    shift: Option<chrono::TimeDelta>,
) -> Result<i64, String> {
    let year = int_field(record, keys.year, "year")?;
    let month = int_field(record, keys.month, "month")?;
    let day = int_field(record, keys.day, "day")?;
    let hour = int_field(record, keys.hour, "hour")?;
    let date = i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .ok_or_else(|| format!("year, month, day {year}-{month}-{day} is not a date"))?;
    let naive = date
        .and_hms_opt(hour, 0, 0)
        .ok_or_else(|| format!("column `hour`: {hour} is not an hour (0–23)"))?;
    time::resolve(time::Parsed::Local(naive), tz, shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_codes_exist_and_units_convert() {
        for m in MEASURES {
            let f = Factor::lookup(m.factor).unwrap_or_else(|| panic!("{} {}", m.column, m.factor));
            let stored = f.canonical_unit(Medium::AmbientAir);
            match m.kind {
                Kind::Number(unit) => assert!(unit.is_commensurable(stored), "{}", m.column),
                Kind::Compass => assert_eq!(stored, Unit::Degree),
            }
        }
        let conv = |c: &str| {
            let m = MEASURES.iter().find(|m| m.column == c).unwrap();
            let Kind::Number(u) = m.kind else { panic!() };
            (u, stored_unit(m.factor, u))
        };
        assert_eq!(
            conv("CO"),
            (Unit::MicrogramPerCubicMetre, Unit::MilligramPerCubicMetre)
        );
        assert_eq!(conv("PRES"), (Unit::Hectopascal, Unit::Kilopascal));
        for same in [
            "PM2.5", "PM10", "SO2", "NO2", "O3", "TEMP", "DEWP", "RAIN", "WSPM",
        ] {
            let (a, b) = conv(same);
            assert_eq!(a, b, "{same}");
        }
    }

    #[test]
    fn compass_points() {
        assert_eq!(compass_degrees(b"N"), Some(0.0));
        assert_eq!(compass_degrees(b"NNE"), Some(22.5));
        assert_eq!(compass_degrees(b"E"), Some(90.0));
        assert_eq!(compass_degrees(b"NNW"), Some(337.5));
        assert_eq!(compass_degrees(b"n"), None);
        assert_eq!(compass_degrees(b"NA"), None);
        assert_eq!(compass_degrees(b"CALM"), None);
    }
}
