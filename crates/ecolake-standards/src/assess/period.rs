//! The assessment of one site's (or city's) daily values over a period against GB 3095 with
//! HJ 663's statistics: edition choice, statistics, rounding, compliance, exceedance multiples.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    completeness, decimals_of, limit, percentile, round_gbt8170, statistics_of, AqiDays,
    Completeness, Edition, Grade, Pollutant, StatisticKind, Unit,
};
use crate::Error;

/// A period of local days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    #[serde(serialize_with = "super::date_serde::date")]
    start: NaiveDate,
    #[serde(serialize_with = "super::date_serde::date")]
    end: NaiveDate,
}

impl Period {
    /// The days `start..=end`.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, Error> {
        if end < start {
            return Err(Error::Inconsistent {
                what: "period",
                reason: format!("ends ({end}) before it starts ({start})"),
            });
        }
        Ok(Period { start, end })
    }

    /// A calendar year.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] for a year chrono cannot represent.
    pub fn year(year: i32) -> Result<Self, Error> {
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(start), Some(end)) => Ok(Period { start, end }),
            _ => Err(Error::Inconsistent {
                what: "period",
                reason: format!("year {year} out of range"),
            }),
        }
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Whether `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start..=self.end).contains(&date)
    }
}

/// Why an assessment used its edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum EditionBasis {
    /// The caller named it.
    Named,
    /// It was in force on every day of the period.
    InForce,
    /// The period spans a change of edition (or stage); the one in force on its last day was
    /// used.
    InForceAtEnd {
        /// The first day of the edition used.
        #[serde(serialize_with = "super::date_serde::date")]
        changed_on: NaiveDate,
    },
}

/// One pollutant's valid daily values: daily means, or MDA8 for O3 (see
/// [`DailyMean::valid_value`](super::DailyMean::valid_value) and
/// [`Mda8::valid_value`](super::Mda8::valid_value)), in the pollutant's unit (CO in mg/m³).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyValues<'a> {
    /// The pollutant.
    pub pollutant: Pollutant,
    /// `(local date, value)`, each date at most once; dates outside the period are ignored.
    pub values: &'a [(NaiveDate, f64)],
}

/// One statistic of a pollutant compared with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Statistic {
    /// Which statistic.
    pub kind: StatisticKind,
    /// The statistic as computed.
    pub value: f64,
    /// The statistic rounded by GB/T 8170 to [`decimals_of`] places; compliance is judged on it.
    pub rounded: f64,
    /// The limit it is compared with; `None` when the edition sets none.
    pub limit: Option<f64>,
    /// Whether `rounded ≤ limit`.
    pub meets: Option<bool>,
    /// `(rounded − limit)/limit`, rounded by GB/T 8170 to 2 places, when the limit is exceeded.
    pub exceedance_multiple: Option<f64>,
}

/// The assessment of one pollutant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollutantAssessment {
    /// The pollutant.
    pub pollutant: Pollutant,
    /// The unit of its values and limits.
    pub unit: Unit,
    /// Whether its daily values are complete enough.
    pub completeness: Completeness,
    /// Its statistics ([`statistics_of`]); empty when it has no daily value in the period.
    pub statistics: Vec<Statistic>,
    /// Days whose value, rounded like the statistics, exceeds the 24-hour limit (MDA8 limit for
    /// O3), when there is one.
    pub days_over_limit: Option<usize>,
    /// Whether it meets the standard: every statistic meets its limit. `None` when the data are
    /// incomplete or no statistic has a limit.
    pub meets: Option<bool>,
}

/// The assessment of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The period.
    pub period: Period,
    /// The grade assessed against.
    pub grade: Grade,
    /// The edition whose limits were used.
    pub edition: Edition,
    /// Why that edition.
    pub edition_basis: EditionBasis,
    /// A sentence for reports when the period spans a change of edition.
    pub note: Option<String>,
    /// The pollutants, in input order.
    pub pollutants: Vec<PollutantAssessment>,
    /// Whether the site meets the standard: all six basic items ([`Pollutant::BASIC`]) given,
    /// complete and meeting. `Some(false)` as soon as a complete basic item fails; `None` when
    /// it cannot be decided. Other pollutants are judged only in their own entries.
    pub meets: Option<bool>,
    /// Days at each AQI level and the good-day ratio, when levels were given.
    pub aqi_days: Option<AqiDays>,
}

/// Assesses a period's daily values against a GB 3095 grade with HJ 663's statistics.
///
/// The edition is `edition` when given; otherwise the one in force on every day of the period,
/// or, when the period spans a change (2026-03-01, 2031-01-01), the one in force on its last
/// day, which [`Assessment::edition_basis`] and [`Assessment::note`] then say.
/// `aqi_levels` are the period's daily AQI levels (1–6, `None` for a day without AQI).
///
/// # Errors
/// [`Error::Inconsistent`] for a pollutant given twice or a date given twice;
/// [`Error::NotFinite`] / [`Error::Negative`] for such values; errors of
/// [`aqi_level_days`](super::aqi_level_days).
pub fn assess_period(
    period: Period,
    grade: Grade,
    edition: Option<Edition>,
    daily: &[DailyValues<'_>],
    aqi_levels: Option<&[Option<u8>]>,
) -> Result<Assessment, Error> {
    let (edition, edition_basis) = choose_edition(period, edition);
    let note = match edition_basis {
        EditionBasis::InForceAtEnd { changed_on } => Some(format!(
            "The period {} to {} spans the change of GB 3095 on {changed_on}; it is assessed \
             with {edition}, in force at its end.",
            period.start, period.end
        )),
        _ => None,
    };
    let mut pollutants = Vec::with_capacity(daily.len());
    for (i, series) in daily.iter().enumerate() {
        if daily[..i].iter().any(|s| s.pollutant == series.pollutant) {
            return Err(Error::Inconsistent {
                what: "daily values",
                reason: format!("pollutant {} given twice", series.pollutant),
            });
        }
        pollutants.push(assess_pollutant(period, grade, edition, series)?);
    }
    let meets = overall(&pollutants);
    let aqi_days = aqi_levels.map(super::aqi_level_days).transpose()?;
    Ok(Assessment {
        period,
        grade,
        edition,
        edition_basis,
        note,
        pollutants,
        meets,
        aqi_days,
    })
}

fn choose_edition(period: Period, named: Option<Edition>) -> (Edition, EditionBasis) {
    if let Some(edition) = named {
        return (edition, EditionBasis::Named);
    }
    let at_end = Edition::in_force_on(period.end);
    if Edition::in_force_on(period.start) == at_end {
        (at_end, EditionBasis::InForce)
    } else {
        let changed_on = at_end.first_day().unwrap_or(period.end);
        (at_end, EditionBasis::InForceAtEnd { changed_on })
    }
}

fn assess_pollutant(
    period: Period,
    grade: Grade,
    edition: Edition,
    series: &DailyValues<'_>,
) -> Result<PollutantAssessment, Error> {
    let pollutant = series.pollutant;
    let mut seen = HashSet::with_capacity(series.values.len());
    let mut dates = Vec::with_capacity(series.values.len());
    let mut values = Vec::with_capacity(series.values.len());
    for &(date, value) in series.values {
        if !value.is_finite() {
            return Err(Error::NotFinite {
                what: "daily value",
            });
        }
        if value < 0.0 {
            return Err(Error::Negative {
                what: "daily value",
                value,
            });
        }
        if !seen.insert(date) {
            return Err(Error::Inconsistent {
                what: "daily values",
                reason: format!("{pollutant} on {date} given twice"),
            });
        }
        if period.contains(date) {
            dates.push(date);
            values.push(value);
        }
    }
    let completeness = completeness(pollutant, &dates, period.start, period.end);
    let decimals = decimals_of(pollutant);
    let statistics: Vec<Statistic> = statistics_of(pollutant)
        .iter()
        .filter_map(|&kind| {
            let value = match kind {
                StatisticKind::Mean if !values.is_empty() => {
                    values.iter().sum::<f64>() / values.len() as f64
                }
                StatisticKind::Mean => return None,
                StatisticKind::Percentile(p) => percentile(&values, f64::from(p))?,
            };
            let rounded = round_gbt8170(value, decimals);
            let limit = limit(edition, pollutant, kind.limit_averaging(pollutant), grade);
            let meets = limit.map(|l| rounded <= l);
            let exceedance_multiple = limit
                .filter(|l| rounded > *l)
                .map(|l| round_gbt8170((rounded - l) / l, 2));
            Some(Statistic {
                kind,
                value,
                rounded,
                limit,
                meets,
                exceedance_multiple,
            })
        })
        .collect();
    let daily_averaging = StatisticKind::Percentile(0).limit_averaging(pollutant);
    let days_over_limit = limit(edition, pollutant, daily_averaging, grade).map(|l| {
        values
            .iter()
            .filter(|v| round_gbt8170(**v, decimals) > l)
            .count()
    });
    let judged: Vec<bool> = statistics.iter().filter_map(|s| s.meets).collect();
    let meets = (completeness.complete && !judged.is_empty()).then(|| judged.iter().all(|m| *m));
    Ok(PollutantAssessment {
        pollutant,
        unit: pollutant.unit(),
        completeness,
        statistics,
        days_over_limit,
        meets,
    })
}

fn overall(pollutants: &[PollutantAssessment]) -> Option<bool> {
    let basic = |p: &&PollutantAssessment| Pollutant::BASIC.contains(&p.pollutant);
    if pollutants
        .iter()
        .filter(basic)
        .any(|p| p.meets == Some(false))
    {
        return Some(false);
    }
    let all_basic_meet = Pollutant::BASIC.iter().all(|basic| {
        pollutants
            .iter()
            .any(|p| p.pollutant == *basic && p.meets == Some(true))
    });
    all_basic_meet.then_some(true)
}
