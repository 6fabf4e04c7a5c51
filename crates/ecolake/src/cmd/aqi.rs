//! `ecolake aqi`: the air quality index of every row of a CSV, by HJ 633-2012, HJ 633-2026 or
//! the US EPA's 2024 or pre-2024 tables (`ecolake_standards::aqi`).
//!
//! Input columns (any of them, any case, anywhere): `so2, no2, co, o3, o3_8h, pm10, pm25`;
//! every column, these included, is written through unchanged and in order, followed by `aqi,
//! level, category, primary` and one `iaqi_<column>` per pollutant column, in input order.
//! What each column means depends on `--standard` and `--report`:
//!
//! | column | China `realtime` | China `daily` | EPA (both) |
//! |---|---|---|---|
//! | `so2` | 1-hour mean, µg/m³ | 24-hour mean, µg/m³ | 1-hour, ppb (daily: max 1-hour) |
//! | `no2` | 1-hour mean, µg/m³ | 24-hour mean, µg/m³ | 1-hour, ppb (daily: max 1-hour) |
//! | `co` | 1-hour mean, mg/m³ | 24-hour mean, mg/m³ | 8-hour mean, ppm (daily: max 8-hour) |
//! | `o3` | 1-hour mean, µg/m³ | daily max 1-hour, µg/m³ (2012 only) | 1-hour, ppm |
//! | `o3_8h` | not an item | daily max 8-hour mean, µg/m³ | 8-hour mean, ppm (daily: max) |
//! | `pm10` | 1-hour mean on the 24-hour table | 24-hour mean, µg/m³ | 24-hour mean, µg/m³ |
//! | `pm25` | 1-hour mean on the 24-hour table | 24-hour mean, µg/m³ | 24-hour mean, µg/m³ |
//!
//! An `iaqi_<column>` cell is empty when the cell is empty or the column is not an item of the
//! report (`o3_8h` in the China real-time report, `o3` in the HJ 633-2026 daily report, EPA 1-hour
//! O3 below 0.125 ppm …). See [`filter`] for bad cells, bad rows and the exit status.

pub(crate) mod filter;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use csv::ByteRecord;
use ecolake_standards::aqi::{cn, epa, Averaging, Pollutant, PollutantSet};

use super::report;
use filter::Rows;

#[derive(Debug, Args)]
pub struct AqiArgs {
    /// The index and its edition: hj633-2012, hj633-2026 (China: µg/m³, CO mg/m³), epa-2024,
    /// epa-2012 (US EPA: SO2, NO2 ppb; CO, O3 ppm; PM µg/m³).
    #[arg(long, value_enum)]
    standard: Standard,
    /// realtime: hourly values, as CNEMC publishes the hourly AQI (1-hour SO2, NO2, CO, O3;
    /// 1-hour PM on the 24-hour table). daily: daily values (24-hour means, `o3` the day's
    /// maximum 1-hour O3, `o3_8h` its maximum 8-hour mean). For EPA both use each column's
    /// EPA averaging period.
    #[arg(long, value_enum)]
    report: Report,
    /// Language of `category` for the China AQI: en (Excellent … Severely polluted) or zh
    /// (优 … 严重污染). EPA categories are always English.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// Exit with status 3 when some row had a bad cell (the output is complete all the same).
    #[arg(long)]
    strict: bool,
    /// The CSV file (with a header row); `-` or none: stdin.
    file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Standard {
    /// China, HJ 633-2012.
    #[value(name = "hj633-2012")]
    Hj633_2012,
    /// China, HJ 633-2026 (in force from 2026-03-01).
    #[value(name = "hj633-2026")]
    Hj633_2026,
    /// US EPA, the tables of the Technical Assistance Document of May 2024.
    #[value(name = "epa-2024")]
    Epa2024,
    /// US EPA, the tables in force before 2024-05-06.
    #[value(name = "epa-2012")]
    Epa2012,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Report {
    /// Hourly values.
    Realtime,
    /// Daily values.
    Daily,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    /// English category names.
    En,
    /// Chinese category names.
    Zh,
}

/// A pollutant column of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    So2,
    No2,
    Co,
    O3,
    O3_8h,
    Pm10,
    Pm25,
}

impl Column {
    const ALL: [Column; 7] = [
        Column::So2,
        Column::No2,
        Column::Co,
        Column::O3,
        Column::O3_8h,
        Column::Pm10,
        Column::Pm25,
    ];

    fn name(self) -> &'static str {
        match self {
            Column::So2 => "so2",
            Column::No2 => "no2",
            Column::Co => "co",
            Column::O3 => "o3",
            Column::O3_8h => "o3_8h",
            Column::Pm10 => "pm10",
            Column::Pm25 => "pm25",
        }
    }

    /// The column of a sub-index: 8-hour O3 is `o3_8h`, other O3 `o3`.
    fn of(pollutant: Pollutant, averaging: Averaging) -> Column {
        match (pollutant, averaging) {
            (Pollutant::O3, Averaging::Hour8) => Column::O3_8h,
            (Pollutant::O3, _) => Column::O3,
            (Pollutant::So2, _) => Column::So2,
            (Pollutant::No2, _) => Column::No2,
            (Pollutant::Co, _) => Column::Co,
            (Pollutant::Pm10, _) => Column::Pm10,
            (Pollutant::Pm25, _) => Column::Pm25,
        }
    }
}

/// The columns that are items of a China report.
fn items(standard: Standard, report: Report) -> &'static [Column] {
    use Column::*;
    match (standard, report) {
        (Standard::Hj633_2012 | Standard::Hj633_2026, Report::Realtime) => {
            &[So2, No2, Co, O3, Pm10, Pm25]
        }
        (Standard::Hj633_2012, Report::Daily) => &[So2, No2, Co, O3, O3_8h, Pm10, Pm25],
        (Standard::Hj633_2026, Report::Daily) => &[So2, No2, Co, O3_8h, Pm10, Pm25],
        (Standard::Epa2024 | Standard::Epa2012, _) => &Column::ALL,
    }
}

pub fn run(args: &AqiArgs) -> anyhow::Result<ExitCode> {
    filter::run(args.file.as_deref(), args.strict, |names| {
        let mut found: Vec<(usize, Column)> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let Some(c) = Column::ALL
                .into_iter()
                .find(|c| c.name().eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if let Some((j, _)) = found.iter().find(|(_, f)| *f == c) {
                anyhow::bail!("columns {} and {} are both `{}`", j + 1, i + 1, c.name());
            }
            found.push((i, c));
        }
        if found.is_empty() {
            anyhow::bail!(
                "no pollutant column in the header (so2, no2, co, o3, o3_8h, pm10, pm25)"
            );
        }
        notes(args.standard, args.report, &found);
        let mut appended: Vec<String> = ["aqi", "level", "category", "primary"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        appended.extend(found.iter().map(|(_, c)| format!("iaqi_{}", c.name())));
        Ok((
            appended,
            AqiRows {
                standard: args.standard,
                report: args.report,
                lang: args.lang,
                found,
            },
        ))
    })
}

/// Notes on stderr about columns that do not count for the chosen report.
fn notes(standard: Standard, kind: Report, found: &[(usize, Column)]) {
    let china = matches!(standard, Standard::Hj633_2012 | Standard::Hj633_2026);
    if !china {
        return;
    }
    let items = items(standard, kind);
    for (_, c) in found.iter().filter(|(_, c)| !items.contains(c)) {
        let why = match kind {
            Report::Realtime => "the hourly AQI as CNEMC publishes it has no 8-hour O3 item",
            Report::Daily => "the HJ 633-2026 daily AQI has no 1-hour O3 item",
        };
        report(format_args!(
            "note: `{}` is not used: {why}; `iaqi_{}` is empty",
            c.name(),
            c.name()
        ));
    }
    if standard == Standard::Hj633_2026 {
        let absent: Vec<&str> = items
            .iter()
            .filter(|c| !found.iter().any(|(_, f)| f == *c))
            .map(|c| c.name())
            .collect();
        if !absent.is_empty() {
            report(format_args!(
                "note: no column {}: under HJ 633-2026 an AQI of 100 or less with a pollutant \
                 missing is not published (`aqi` empty, the IAQIs are still given)",
                absent.join(", ")
            ));
        }
    }
}

/// The row function of `ecolake aqi`.
struct AqiRows {
    standard: Standard,
    report: Report,
    lang: Lang,
    /// `(field index, column)` of every pollutant column, in input order.
    found: Vec<(usize, Column)>,
}

/// One row's result.
#[derive(Default)]
struct Outcome {
    aqi: Option<u32>,
    level: Option<u8>,
    category: Option<&'static str>,
    primary: PollutantSet,
    /// By `Column as usize`.
    iaqi: [Option<u32>; 7],
}

impl AqiRows {
    fn china(&self, edition: cn::Edition, v: &[Option<f64>; 7]) -> Result<Outcome, String> {
        let at = |c: Column| v[c as usize];
        let r = match self.report {
            Report::Realtime => cn::realtime(
                edition,
                &cn::Realtime {
                    so2: at(Column::So2),
                    no2: at(Column::No2),
                    co: at(Column::Co),
                    o3: at(Column::O3),
                    pm10: at(Column::Pm10),
                    pm25: at(Column::Pm25),
                    so2_24h: None,
                },
            ),
            Report::Daily => cn::daily(
                edition,
                &cn::Daily {
                    so2: at(Column::So2),
                    no2: at(Column::No2),
                    co: at(Column::Co),
                    pm10: at(Column::Pm10),
                    pm25: at(Column::Pm25),
                    o3_1h_max: at(Column::O3),
                    o3_8h_max: at(Column::O3_8h),
                },
            ),
        }
        .map_err(|e| e.to_string())?;
        let mut out = Outcome {
            aqi: r.aqi.map(u32::from),
            level: r.level.map(cn::Level::number),
            category: r.level.map(|l| match self.lang {
                Lang::En => l.category_en(),
                Lang::Zh => l.category_zh(),
            }),
            primary: r.primary,
            ..Outcome::default()
        };
        for s in &r.sub_indices {
            out.iaqi[Column::of(s.pollutant, s.averaging) as usize] = s.iaqi.map(u32::from);
        }
        Ok(out)
    }

    fn epa(table: epa::EpaTable, v: &[Option<f64>; 7]) -> Result<Outcome, String> {
        let at = |c: Column| v[c as usize];
        let input = epa::EpaInput {
            o3_8h: at(Column::O3_8h),
            o3_1h: at(Column::O3),
            pm25_24h: at(Column::Pm25),
            pm10_24h: at(Column::Pm10),
            co_8h: at(Column::Co),
            so2_1h: at(Column::So2),
            so2_24h: None,
            no2_1h: at(Column::No2),
        };
        let r = epa::aqi(table, &input).map_err(|e| e.to_string())?;
        let mut out = Outcome {
            aqi: r.aqi,
            level: r.category.map(|c| c as u8 + 1),
            category: r.category.map(epa::EpaCategory::name),
            primary: r.responsible,
            ..Outcome::default()
        };
        for s in &r.sub_indices {
            out.iaqi[Column::of(s.pollutant, s.averaging) as usize] = s.index;
        }
        Ok(out)
    }
}

impl Rows for AqiRows {
    fn compute(&mut self, row: &ByteRecord, out: &mut ByteRecord) -> Result<(), String> {
        let mut values = [None; 7];
        let mut bad = Vec::new();
        for &(i, c) in &self.found {
            match filter::number(row.get(i).unwrap_or_default(), c.name()) {
                Ok(v) => values[c as usize] = v,
                Err(reason) => bad.push(reason),
            }
        }
        if !bad.is_empty() {
            return Err(bad.join("; "));
        }
        let r = match self.standard {
            Standard::Hj633_2012 => self.china(cn::Edition::Hj633_2012, &values)?,
            Standard::Hj633_2026 => self.china(cn::Edition::Hj633_2026, &values)?,
            Standard::Epa2024 => Self::epa(epa::EpaTable::Epa2024, &values)?,
            Standard::Epa2012 => Self::epa(epa::EpaTable::Epa2012, &values)?,
        };
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        out.push_field(number(r.aqi).as_bytes());
        out.push_field(number(r.level.map(u32::from)).as_bytes());
        out.push_field(r.category.unwrap_or_default().as_bytes());
        let primary: Vec<&str> = r.primary.iter().map(Pollutant::name).collect();
        out.push_field(primary.join(";").as_bytes());
        for &(_, c) in &self.found {
            out.push_field(number(r.iaqi[c as usize]).as_bytes());
        }
        Ok(())
    }
}
