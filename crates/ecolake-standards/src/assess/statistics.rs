//! HJ 663's statistics over daily values: the percentile formula, which statistics each
//! pollutant is assessed by, and the completeness a period's daily values need.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Averaging, Pollutant};

/// The `p`-th percentile (0 ≤ p ≤ 100) of `values` by HJ 663: sort ascending
/// `X(1) ≤ … ≤ X(n)`, `k = 1 + (n − 1)·p/100`, `s = ⌊k⌋`,
/// `m = X(s) + (X(s+1) − X(s))·(k − s)` (numpy's `linear`, Excel's `PERCENTILE.INC`).
/// `None` when `values` is empty, `p` is outside 0–100 or a value is NaN.
///
/// ```
/// use ecolake_standards::assess::percentile;
/// assert_eq!(percentile(&[3.0, 4.0, 8.0, 2.0, 5.0, 4.0], 90.0), Some(6.5));
/// ```
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=100.0).contains(&p) || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let k = 1.0 + (sorted.len() - 1) as f64 * p / 100.0;
    let s = k.floor();
    let lower = sorted[s as usize - 1];
    let upper = sorted.get(s as usize).copied().unwrap_or(lower);
    Some(lower + (upper - lower) * (k - s))
}

/// A statistic an assessment compares with a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "p")]
pub enum StatisticKind {
    /// The mean of the daily values, compared with the annual limit.
    Mean,
    /// A percentile of the daily values (daily means, or MDA8 for O3), compared with the
    /// 24-hour limit (MDA8 limit for O3).
    Percentile(u8),
}

impl StatisticKind {
    /// The averaging period whose limit this statistic is compared with.
    pub fn limit_averaging(self, pollutant: Pollutant) -> Averaging {
        match (self, pollutant) {
            (StatisticKind::Mean, _) => Averaging::Annual,
            (StatisticKind::Percentile(_), Pollutant::O3) => Averaging::Mda8,
            (StatisticKind::Percentile(_), _) => Averaging::Day,
        }
    }
}

/// The statistics HJ 663 assesses a pollutant's period by: SO2 and NO2 mean and 98th
/// percentile; PM10 and PM2.5 mean and 95th; CO 95th; O3 90th of MDA8. NOx, TSP, Pb and BaP
/// (not among HJ 663's six items) get their mean against the annual limit.
pub fn statistics_of(pollutant: Pollutant) -> &'static [StatisticKind] {
    use StatisticKind::{Mean, Percentile};
    match pollutant {
        Pollutant::So2 | Pollutant::No2 => &[Mean, Percentile(98)],
        Pollutant::Pm10 | Pollutant::Pm25 => &[Mean, Percentile(95)],
        Pollutant::Co => &[Percentile(95)],
        Pollutant::O3 => &[Percentile(90)],
        Pollutant::Tsp | Pollutant::Nox | Pollutant::Pb | Pollutant::Bap => &[Mean],
    }
}

/// The decimals an assessed statistic is rounded to (GB/T 8170): 0 for µg/m³ gases and
/// particles, 1 for CO (mg/m³), 2 for Pb, 4 for BaP. The six items' places are HJ 663-2013's
/// as recalled (its text was not available; unverified); the Pb and BaP places (one more than
/// their limits) are ecolake's choice.
pub fn decimals_of(pollutant: Pollutant) -> u32 {
    match pollutant {
        Pollutant::Co => 1,
        Pollutant::Pb => 2,
        Pollutant::Bap => 4,
        _ => 0,
    }
}

/// The daily values a year needs and those a month needs (February's in the third field):
/// `(324, 27, 25)` for SO2, NO2, CO, O3, PM10, PM2.5 and NOx; `(60, 5, 5)` for TSP, Pb and BaP
/// (GB 3095 Table 4; CO and O3, which have no annual limit, take the same rule as the others).
pub fn completeness_rule(pollutant: Pollutant) -> (usize, usize, usize) {
    match pollutant {
        Pollutant::Tsp | Pollutant::Pb | Pollutant::Bap => (60, 5, 5),
        _ => (324, 27, 25),
    }
}

/// Whether a period's daily values are complete enough for its statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    /// Valid daily values within the period.
    pub days: usize,
    /// Daily values the period needs in total.
    pub days_needed: usize,
    /// The months (first day of each) with fewer daily values than needed.
    #[serde(serialize_with = "super::date_serde::dates")]
    pub short_months: Vec<NaiveDate>,
    /// Whether both rules are met (and there is at least one daily value).
    pub complete: bool,
}

/// Checks the daily values' dates (each once, all within `start..=end`) against the rule of
/// [`completeness_rule`].
///
/// For a calendar year this is GB 3095 Table 4 as written. For other periods (ecolake's
/// generalisation): a month only partly inside the period may miss as many days as a whole
/// month may (31 − 27 = 4 for a 31-day month), and the total rule applies only to periods of at
/// least 365 days.
pub fn completeness(
    pollutant: Pollutant,
    dates: &[NaiveDate],
    start: NaiveDate,
    end: NaiveDate,
) -> Completeness {
    let (per_year, per_month, per_february) = completeness_rule(pollutant);
    let mut short_months = Vec::new();
    let mut month_start = start.with_day(1).unwrap_or(start);
    while month_start <= end {
        let next = next_month(month_start);
        let month_end = next.pred_opt().unwrap_or(month_start);
        let days_in_month = days_between(month_start, month_end);
        let in_period = days_between(month_start.max(start), month_end.min(end));
        let needed_whole = if month_start.month() == 2 {
            per_february
        } else {
            per_month
        };
        let needed = in_period.saturating_sub(days_in_month - needed_whole);
        let have = dates
            .iter()
            .filter(|d| d.year() == month_start.year() && d.month() == month_start.month())
            .count();
        if have < needed {
            short_months.push(month_start);
        }
        month_start = next;
    }
    let period_days = days_between(start, end);
    let days_needed = if period_days >= 365 { per_year } else { 0 };
    Completeness {
        days: dates.len(),
        days_needed,
        complete: !dates.is_empty() && short_months.is_empty() && dates.len() >= days_needed,
        short_months,
    }
}

/// The number of days in `from..=to`.
fn days_between(from: NaiveDate, to: NaiveDate) -> usize {
    usize::try_from((to - from).num_days() + 1).unwrap_or(0)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
}
