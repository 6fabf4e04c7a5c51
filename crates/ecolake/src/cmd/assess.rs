//! `ecolake assess`: the annual assessment of one air-quality site against GB 3095 with HJ
//! 663's statistics, and its days per AQI level, from the site's hourly observations in the
//! lake of a data directory (read-only, as `ecolake sql` reads it).
//!
//! * Hourly values: `period = 'hour'`, the site's SO2, NO2, CO, O3, PM10 and PM2.5 under their
//!   HJ 212 codes (`a21026, a21004, a21005, a05024, a34002, a34004`, as `ecolake import` and
//!   devices store them) or, failing those, their names (`SO2`, `PM2.5`, `pm25` …). Units as
//!   the lake stores ambient air: µg/m³, CO mg/m³. With `--qc ok` (the default) only values
//!   whose QC verdict is `ok` (or that have none) count.
//! * Days are local days in the site's time zone (`--tz`, else the registry's record of the
//!   site, else Asia/Shanghai); an hour is labelled by its start, as the lake stores it.
//! * Daily values with GB 3095 / HJ 663 validity (`ecolake_standards::assess`): daily means
//!   from 20 valid hours, O3 MDA8 from 14 valid 8-hour windows (or above the limit).
//! * Daily AQI (for the days per level) by HJ 633's daily report from those daily values, the
//!   MDA8 and (HJ 633-2012) the day's maximum 1-hour O3 when the day has 20 valid O3 hours.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Timelike};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};
use ecolake_standards::aqi::cn;
use ecolake_standards::assess::{
    self, assess_period, daily_mean, group_by_day, o3_mda8, DailyValues, DayHours, Edition,
    EditionBasis, Grade, Period, Pollutant, StatisticKind, Unit, MIN_HOURS_PER_DAY,
};
use serde::Serialize;

use super::report;

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The data directory (as given to `serve` or `import`).
    #[arg(long)]
    data_dir: PathBuf,
    /// The site's code, as its observations hold it (e.g. the national station code `1003A`).
    #[arg(long)]
    site: String,
    /// The calendar year: local days in the site's time zone.
    #[arg(long)]
    year: i32,
    /// The GB 3095 limits: gb3095-2012, gb3095-2026-transition, gb3095-2026-final, or
    /// gb3095-2026 (its stage in force at the year's end; the transition stage before 2031).
    /// Default: the edition in force at the year's end. The daily AQI follows: HJ 633-2012 with
    /// GB 3095-2012, HJ 633-2026 with GB 3095-2026.
    #[arg(long, value_parser = clap::builder::ValueParser::new(parse_standard))]
    standard: Option<Standard>,
    /// The grade (class of functional area): I or II.
    #[arg(long, default_value = "II", value_parser = clap::builder::ValueParser::new(parse_grade))]
    grade: Grade,
    /// The time zone of local days. Default: the site's in the registry, else Asia/Shanghai.
    #[arg(long)]
    tz: Option<Tz>,
    /// Which hourly values count: ok (QC verdict `ok`, or none) or all.
    #[arg(long, value_enum, default_value_t = Qc::Ok)]
    qc: Qc,
    /// The registry database when it is not `DATA_DIR/registry.db` (for the site's time zone
    /// and name): `postgres://USER@HOST/DB` or `sqlite://PATH`.
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
}

/// A `--standard`.
#[derive(Debug, Clone, Copy)]
enum Standard {
    /// An edition (and stage) named exactly.
    Edition(Edition),
    /// GB 3095-2026 at the stage in force at the period's end.
    Gb3095_2026,
}

fn parse_standard(s: &str) -> Result<Standard, String> {
    let key: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    if key == "gb30952026" || key == "2026" {
        return Ok(Standard::Gb3095_2026);
    }
    s.parse::<Edition>().map(Standard::Edition).map_err(|_| {
        format!(
            "`{s}` is not gb3095-2012, gb3095-2026, gb3095-2026-transition or gb3095-2026-final"
        )
    })
}

fn parse_grade(s: &str) -> Result<Grade, ecolake_standards::Error> {
    s.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
enum Qc {
    /// Values whose QC verdict is `ok` or that have none.
    Ok,
    /// Every value.
    All,
}

/// The six pollutants and the factor names the lake may hold them under, preferred first.
const FACTORS: [(Pollutant, &[&str]); 6] = [
    (Pollutant::So2, &["a21026", "SO2", "so2"]),
    (Pollutant::No2, &["a21004", "NO2", "no2"]),
    (Pollutant::Co, &["a21005", "CO", "co"]),
    (Pollutant::O3, &["a05024", "O3", "o3"]),
    (Pollutant::Pm10, &["a34002", "PM10", "pm10"]),
    (
        Pollutant::Pm25,
        &["a34004", "PM2.5", "PM25", "pm2.5", "pm25"],
    ),
];

/// `(pollutant index, rank)` of a factor name.
fn lookup(factor: &str) -> Option<(usize, usize)> {
    FACTORS.iter().enumerate().find_map(|(i, (_, names))| {
        names
            .iter()
            .position(|n| *n == factor)
            .map(|rank| (i, rank))
    })
}

/// One pollutant's hourly values for the year.
#[derive(Debug, Default)]
struct Series {
    /// Local hour start → (factor rank, UTC ms, value).
    hours: BTreeMap<NaiveDateTime, (usize, i64, f64)>,
    /// Values left out by QC.
    excluded_qc: usize,
    /// Values left out otherwise: negative, not on a local hour, a local hour given twice.
    skipped: usize,
}

impl Series {
    fn add(&mut self, local: NaiveDateTime, rank: usize, utc_ms: i64, value: f64) {
        if local.minute() != 0 || local.second() != 0 || local.nanosecond() != 0 {
            self.skipped += 1;
            return;
        }
        match self.hours.entry(local) {
            Entry::Vacant(e) => {
                e.insert((rank, utc_ms, value));
            }
            Entry::Occupied(mut e) => {
                let (r, t, _) = *e.get();
                if rank < r || (rank == r && utc_ms < t) {
                    e.insert((rank, utc_ms, value));
                }
                if rank == r {
                    // The same factor twice for one local hour: a repeated hour at a DST change.
                    self.skipped += 1;
                }
            }
        }
    }
}

pub fn run(args: &AssessArgs) -> anyhow::Result<ExitCode> {
    if !args.data_dir.is_dir() {
        anyhow::bail!("no data directory at {}", args.data_dir.display());
    }
    let period = Period::year(args.year)?;
    let runtime = crate::cmd::runtime()?;
    let (site, batches) = runtime.block_on(async {
        let registry =
            super::sql::existing_registry(&args.data_dir, args.registry.as_deref()).await?;
        let site = match &registry {
            Some(r) => r.site(&args.site).await?,
            None => None,
        };
        if let Some(r) = registry {
            r.close().await;
        }
        let config = ecolake_query::QueryConfig::default();
        let ctx = super::sql::session(&args.data_dir, None, &config).await?;
        let batches = ecolake_query::run_read_only(&ctx, &query(&args.site, period)).await?;
        anyhow::Ok((site, batches))
    })?;
    let (tz, tz_from) = match (args.tz, &site) {
        (Some(tz), _) => (tz, "option"),
        (None, Some(s)) => match s.time_zone.parse::<Tz>() {
            Ok(tz) => (tz, "registry"),
            Err(_) => {
                report(format_args!(
                    "site {}: the registry's time zone `{}` is unknown; using Asia/Shanghai",
                    args.site, s.time_zone
                ));
                (chrono_tz::Asia::Shanghai, "default")
            }
        },
        (None, None) => (chrono_tz::Asia::Shanghai, "default"),
    };

    let mut series: Vec<Series> = FACTORS.iter().map(|_| Series::default()).collect();
    for b in &batches {
        let time = cast(b.column(0), &DataType::Int64)?;
        let time = time.as_primitive::<Int64Type>();
        let factor = cast(b.column(1), &DataType::Utf8)?;
        let factor = factor.as_string::<i32>();
        let value = cast(b.column(2), &DataType::Float64)?;
        let value = value.as_primitive::<Float64Type>();
        let qc = cast(b.column(3), &DataType::Utf8)?;
        let qc = qc.as_string::<i32>();
        for row in 0..b.num_rows() {
            if time.is_null(row) || factor.is_null(row) || value.is_null(row) {
                continue;
            }
            let Some((p, rank)) = lookup(factor.value(row)) else {
                continue;
            };
            let Some(local) = DateTime::from_timestamp_millis(time.value(row))
                .map(|t| t.with_timezone(&tz).naive_local())
            else {
                continue;
            };
            if !period.contains(local.date()) {
                continue;
            }
            let s = &mut series[p];
            if args.qc == Qc::Ok && !qc.is_null(row) && qc.value(row) != "ok" {
                s.excluded_qc += 1;
                continue;
            }
            let v = value.value(row);
            if !v.is_finite() || v < 0.0 {
                s.skipped += 1;
                continue;
            }
            s.add(local, rank, time.value(row), v);
        }
    }
    if series.iter().all(|s| s.hours.is_empty()) {
        let excluded: usize = series.iter().map(|s| s.excluded_qc).sum();
        if excluded > 0 {
            anyhow::bail!(
                "site `{}` in {}: all {excluded} hourly values of SO2, NO2, CO, O3, PM10 and \
                 PM2.5 fail QC (`--qc all` counts them)",
                args.site,
                args.year
            );
        }
        anyhow::bail!(
            "site `{}` has no hourly SO2, NO2, CO, O3, PM10 or PM2.5 observations in {} \
             (local days in {tz}) in {}",
            args.site,
            args.year,
            args.data_dir.display()
        );
    }
    warn_co_unit(&args.site, &series[2]);

    let named = match args.standard {
        Some(Standard::Edition(e)) => Some(e),
        Some(Standard::Gb3095_2026) => Some(match Edition::in_force_on(period.end()) {
            Edition::Gb3095_2026Final => Edition::Gb3095_2026Final,
            _ => Edition::Gb3095_2026Transition,
        }),
        None => None,
    };
    // The edition `assess_period` will use: needed first, for the MDA8 validity rule.
    let edition = named.unwrap_or_else(|| Edition::in_force_on(period.end()));
    let aqi_edition = match edition {
        Edition::Gb3095_2012 => cn::Edition::Hj633_2012,
        _ => cn::Edition::Hj633_2026,
    };
    let o3_limit = assess::limit(edition, Pollutant::O3, assess::Averaging::Mda8, args.grade)
        .unwrap_or(f64::INFINITY);

    // Valid daily values per pollutant, and the day's maximum 1-hour O3 for the AQI.
    let mut daily: Vec<Vec<(NaiveDate, f64)>> = Vec::with_capacity(FACTORS.len());
    let mut o3_1h_max: HashMap<NaiveDate, f64> = HashMap::new();
    for (i, (pollutant, _)) in FACTORS.iter().enumerate() {
        let hours = series[i].hours.iter().map(|(t, (_, _, v))| (*t, Some(*v)));
        let days: Vec<DayHours> = group_by_day(hours)?;
        let values = days
            .iter()
            .filter_map(|day| {
                let value = if *pollutant == Pollutant::O3 {
                    if day.valid_hours() >= MIN_HOURS_PER_DAY {
                        if let Some(max) = day.hours.iter().flatten().copied().reduce(f64::max) {
                            o3_1h_max.insert(day.date, max);
                        }
                    }
                    o3_mda8(day).valid_value(o3_limit)
                } else {
                    daily_mean(day).valid_value()
                };
                value.map(|v| (day.date, v))
            })
            .collect();
        daily.push(values);
    }

    let levels = aqi_levels(aqi_edition, period, &daily, &o3_1h_max)?;
    let inputs: Vec<DailyValues<'_>> = FACTORS
        .iter()
        .zip(&daily)
        .map(|((pollutant, _), values)| DailyValues {
            pollutant: *pollutant,
            values,
        })
        .collect();
    let a = assess_period(period, args.grade, named, &inputs, Some(&levels))?;
    anyhow::ensure!(
        a.edition == edition,
        "the assessment chose {} where {edition} was expected",
        a.edition
    );

    let (basis, reason) = match a.edition_basis {
        EditionBasis::Named => ("named", "named with --standard".to_owned()),
        EditionBasis::InForce => (
            "in_force",
            format!("in force on every day of {}", args.year),
        ),
        EditionBasis::InForceAtEnd { changed_on } => (
            "in_force_at_end",
            format!(
                "in force at the end of {}; the year spans its start on {changed_on}",
                args.year
            ),
        ),
    };
    let pollutants = a
        .pollutants
        .iter()
        .zip(&series)
        .map(|(p, s)| pollutant_out(p, s))
        .collect();
    let out = Output {
        site: &args.site,
        site_name: site.as_ref().map(|s| s.name.as_str()),
        year: args.year,
        period: a.period,
        time_zone: tz.name(),
        time_zone_from: tz_from,
        grade: a.grade,
        standard: a.edition,
        standard_basis: basis,
        standard_reason: reason,
        note: a.note.clone(),
        aqi_standard: aqi_edition,
        qc: args.qc,
        compliant: a.meets,
        pollutants,
        aqi_days: a.aqi_days.map(aqi_days_out),
    };
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut stdout, &out)?;
    stdout.write_all(b"\n")?;
    stdout.flush().context("writing stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The query of a site's hourly values of the six pollutants around a period: a day more on
/// each side (local days are within 14 hours of UTC days), cut to local days afterwards.
fn query(site: &str, period: Period) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let factors: Vec<String> = FACTORS
        .iter()
        .flat_map(|(_, names)| names.iter())
        .map(|n| quote(n))
        .collect();
    let instant = |d: NaiveDate| d.format("%Y-%m-%dT00:00:00Z");
    let from = period.start() - TimeDelta::days(1);
    let to = period.end() + TimeDelta::days(2);
    format!(
        "SELECT time, factor, value, qc FROM observations \
         WHERE site = {} AND period = 'hour' AND factor IN ({}) \
         AND time >= TIMESTAMP '{}' AND time < TIMESTAMP '{}'",
        quote(site),
        factors.join(", "),
        instant(from),
        instant(to)
    )
}

/// Each day's AQI level (1–6, `None` without AQI) by HJ 633's daily report.
fn aqi_levels(
    edition: cn::Edition,
    period: Period,
    daily: &[Vec<(NaiveDate, f64)>],
    o3_1h_max: &HashMap<NaiveDate, f64>,
) -> anyhow::Result<Vec<Option<u8>>> {
    let maps: Vec<HashMap<NaiveDate, f64>> =
        daily.iter().map(|v| v.iter().copied().collect()).collect();
    let on = |i: usize, d: NaiveDate| maps[i].get(&d).copied();
    let mut levels = Vec::with_capacity(366);
    let mut day = period.start();
    while day <= period.end() {
        let input = cn::Daily {
            so2: on(0, day),
            no2: on(1, day),
            co: on(2, day),
            o3_1h_max: o3_1h_max.get(&day).copied(),
            o3_8h_max: on(3, day),
            pm10: on(4, day),
            pm25: on(5, day),
        };
        let r = cn::daily(edition, &input).with_context(|| format!("daily AQI of {day}"))?;
        levels.push(r.level.map(cn::Level::number));
        day += TimeDelta::days(1);
    }
    Ok(levels)
}

/// Warns when CO looks like µg/m³: a median above 50 mg/m³ is far above any ambient value.
fn warn_co_unit(site: &str, co: &Series) {
    let mut values: Vec<f64> = co.hours.values().map(|(_, _, v)| *v).collect();
    if values.is_empty() {
        return;
    }
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    if median > 50.0 {
        report(format_args!(
            "warning: site {site}: the median hourly CO is {median}: CO is assessed in mg/m³ \
             (as the lake stores ambient CO); these values look like µg/m³"
        ));
    }
}

/// The JSON of `ecolake assess`.
#[derive(Debug, Serialize)]
struct Output<'a> {
    site: &'a str,
    /// The site's name in the registry, if it is there.
    site_name: Option<&'a str>,
    year: i32,
    period: Period,
    time_zone: &'static str,
    /// `option`, `registry` or `default`.
    time_zone_from: &'static str,
    grade: Grade,
    /// The GB 3095 edition (and stage) whose limits were used.
    standard: Edition,
    /// `named`, `in_force` or `in_force_at_end`.
    standard_basis: &'static str,
    standard_reason: String,
    note: Option<String>,
    /// The HJ 633 edition of the daily AQI.
    aqi_standard: cn::Edition,
    qc: Qc,
    /// All six pollutants complete and compliant; `false` as soon as one complete pollutant
    /// fails; `null` when it cannot be decided.
    compliant: Option<bool>,
    pollutants: Vec<PollutantOut>,
    aqi_days: Option<AqiDaysOut>,
}

#[derive(Debug, Serialize)]
struct PollutantOut {
    pollutant: Pollutant,
    /// The factor names its values were found under.
    factors: Vec<&'static str>,
    unit: Unit,
    /// Hourly values used.
    hours: usize,
    /// Hourly values left out by QC (`--qc ok`).
    hours_excluded_qc: usize,
    /// Hourly values left out as negative, off the local hour or repeated (DST).
    hours_skipped: usize,
    /// Valid daily values (daily means; O3: MDA8).
    valid_days: usize,
    days_needed: usize,
    /// Months (`YYYY-MM`) with fewer valid days than needed.
    short_months: Vec<String>,
    complete: bool,
    annual_mean: Option<StatOut>,
    percentile: Option<StatOut>,
    /// Days above the 24-hour limit (O3: the MDA8 limit).
    days_over_limit: Option<usize>,
    /// Every statistic within its limit; `null` when incomplete.
    compliant: Option<bool>,
}

#[derive(Debug, Serialize)]
struct StatOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<u8>,
    value: f64,
    /// By GB/T 8170: integers, CO 0.1 mg/m³; compliance is judged on it.
    rounded: f64,
    limit: Option<f64>,
    compliant: Option<bool>,
    /// `(rounded − limit)/limit` to 0.01, when above the limit.
    exceedance_multiple: Option<f64>,
}

#[derive(Debug, Serialize)]
struct LevelDays {
    level: u8,
    category: &'static str,
    category_zh: &'static str,
    days: usize,
}

#[derive(Debug, Serialize)]
struct AqiDaysOut {
    levels: Vec<LevelDays>,
    /// Days with a daily AQI.
    valid_days: usize,
    /// Days of the year without one (no or too few data; HJ 633-2026: a pollutant missing and
    /// AQI ≤ 100).
    days_without_aqi: usize,
    /// Days at level 1 or 2.
    good_days: usize,
    /// `good_days / valid_days` in per cent, to 0.1.
    good_ratio_pct: Option<f64>,
}

fn pollutant_out(p: &assess::PollutantAssessment, s: &Series) -> PollutantOut {
    let names: &[&str] = match FACTORS.iter().find(|(q, _)| *q == p.pollutant) {
        Some((_, names)) => names,
        None => &[],
    };
    let mut ranks: Vec<usize> = s.hours.values().map(|(r, _, _)| *r).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let stat = |kind_is_mean: bool| {
        p.statistics
            .iter()
            .find(|st| (st.kind == StatisticKind::Mean) == kind_is_mean)
            .map(|st| StatOut {
                p: match st.kind {
                    StatisticKind::Percentile(q) => Some(q),
                    StatisticKind::Mean => None,
                },
                value: st.value,
                rounded: st.rounded,
                limit: st.limit,
                compliant: st.meets,
                exceedance_multiple: st.exceedance_multiple,
            })
    };
    PollutantOut {
        pollutant: p.pollutant,
        factors: ranks
            .iter()
            .filter_map(|r| names.get(*r).copied())
            .collect(),
        unit: p.unit,
        hours: s.hours.len(),
        hours_excluded_qc: s.excluded_qc,
        hours_skipped: s.skipped,
        valid_days: p.completeness.days,
        days_needed: p.completeness.days_needed,
        short_months: p
            .completeness
            .short_months
            .iter()
            .map(|d| d.format("%Y-%m").to_string())
            .collect(),
        complete: p.completeness.complete,
        annual_mean: stat(true),
        percentile: stat(false),
        days_over_limit: p.days_over_limit,
        compliant: p.meets,
    }
}

fn aqi_days_out(d: assess::AqiDays) -> AqiDaysOut {
    AqiDaysOut {
        levels: cn::Level::ALL
            .iter()
            .map(|l| LevelDays {
                level: l.number(),
                category: l.category_en(),
                category_zh: l.category_zh(),
                days: d.days_by_level[usize::from(l.number()) - 1],
            })
            .collect(),
        valid_days: d.valid_days,
        days_without_aqi: d.days_without_aqi,
        good_days: d.good_days,
        good_ratio_pct: d.good_ratio_pct,
    }
}
