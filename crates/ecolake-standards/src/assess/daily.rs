//! Daily statistics of one site's hourly values for local days: the daily (24-hour) mean and
//! ozone's 8-hour moving means and daily maximum 8-hour mean (MDA8), with the GB 3095 Table 4 /
//! HJ 663 validity rules.
//!
//! An hour is labelled by its **start** (`hours[7]` is 07:00–08:00 local), as ecolake stores
//! periods; sources that label the end (CNEMC's "8时" = 07:00–08:00) must be shifted by one hour
//! first. A `None` hour is missing or invalid (less than 45 minutes of data,
//! [`MIN_MINUTES_PER_HOUR`]).

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use serde::Serialize;

use crate::Error;

/// Minutes of sampling an hourly value needs (GB 3095 Table 4).
pub const MIN_MINUTES_PER_HOUR: u32 = 45;
/// Valid hourly values a daily mean needs (SO2, NO2, CO, PM10, PM2.5, NOx).
pub const MIN_HOURS_PER_DAY: usize = 20;
/// Valid hourly values an 8-hour mean of ozone needs.
pub const MIN_HOURS_PER_8H: usize = 6;
/// Valid 8-hour means an MDA8 needs, unless it exceeds the limit anyway.
pub const MIN_8H_MEANS_PER_DAY: usize = 14;
/// The 8-hour windows of a day: starting 00:00 … 16:00, i.e. ending 08:00 … 24:00.
pub const WINDOWS_PER_DAY: usize = 17;

/// The 24 hourly values of one site and pollutant for one local day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DayHours {
    /// The local date.
    #[serde(serialize_with = "super::date_serde::date")]
    pub date: NaiveDate,
    /// `hours[h]` is the mean of `h:00`–`h+1:00` local time; `None` when missing or invalid.
    pub hours: [Option<f64>; 24],
}

impl DayHours {
    /// A day with no hourly values yet.
    pub fn empty(date: NaiveDate) -> Self {
        DayHours {
            date,
            hours: [None; 24],
        }
    }

    /// The number of valid hourly values.
    pub fn valid_hours(&self) -> usize {
        self.hours.iter().flatten().count()
    }
}

/// Groups hourly values labelled by their local start time into days, sorted by date. Days
/// without any value given are absent; hours not given are `None`.
///
/// # Errors
/// [`Error::Inconsistent`] for a time not on the hour or an hour given twice;
/// [`Error::NotFinite`] and [`Error::Negative`] for such values.
pub fn group_by_day<I>(values: I) -> Result<Vec<DayHours>, Error>
where
    I: IntoIterator<Item = (NaiveDateTime, Option<f64>)>,
{
    let mut days: Vec<DayHours> = Vec::new();
    let mut given: Vec<[bool; 24]> = Vec::new();
    for (time, value) in values {
        if time.minute() != 0 || time.second() != 0 || time.nanosecond() != 0 {
            return Err(Error::Inconsistent {
                what: "hourly values",
                reason: format!("{time} is not on the hour"),
            });
        }
        if let Some(v) = value {
            check_concentration(v)?;
        }
        let date = time.date();
        // Input is usually in time order: look at the last day first.
        let index = match days.iter().rposition(|d| d.date == date) {
            Some(i) => i,
            None => {
                days.push(DayHours::empty(date));
                given.push([false; 24]);
                days.len() - 1
            }
        };
        let hour = time.hour() as usize;
        if std::mem::replace(&mut given[index][hour], true) {
            return Err(Error::Inconsistent {
                what: "hourly values",
                reason: format!("{time} given twice"),
            });
        }
        days[index].hours[hour] = value;
    }
    days.sort_by_key(|d| d.date);
    Ok(days)
}

/// A day's mean of hourly values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyMean {
    /// The local date.
    #[serde(serialize_with = "super::date_serde::date")]
    pub date: NaiveDate,
    /// The arithmetic mean of the valid hours; `None` when there are none.
    pub mean: Option<f64>,
    /// The number of valid hours.
    pub valid_hours: usize,
}

impl DailyMean {
    /// Whether the mean is a valid daily value (at least [`MIN_HOURS_PER_DAY`] hours).
    pub fn is_valid(&self) -> bool {
        self.valid_hours >= MIN_HOURS_PER_DAY
    }

    /// The mean when it is a valid daily value.
    pub fn valid_value(&self) -> Option<f64> {
        self.mean.filter(|_| self.is_valid())
    }
}

/// The daily mean of a day's hourly values.
pub fn daily_mean(day: &DayHours) -> DailyMean {
    let (sum, n) = day
        .hours
        .iter()
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    DailyMean {
        date: day.date,
        mean: (n > 0).then(|| sum / n as f64),
        valid_hours: n,
    }
}

/// The day's 8-hour moving means of ozone: element `i` covers hours `i..i+8` (labelled at its
/// end, `i+8`:00, as GB 3095 labels them), so the 17 windows end 08:00 … 24:00 and all lie in
/// the day (HJ 663-2013's daily window set). A window is `Some` when it has at least
/// [`MIN_HOURS_PER_8H`] valid hours; its mean is over those hours.
pub fn o3_8h_means(day: &DayHours) -> [Option<f64>; WINDOWS_PER_DAY] {
    let mut means = [None; WINDOWS_PER_DAY];
    for (start, mean) in means.iter_mut().enumerate() {
        let (sum, n) = day.hours[start..start + 8]
            .iter()
            .flatten()
            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
        if n >= MIN_HOURS_PER_8H {
            *mean = Some(sum / n as f64);
        }
    }
    means
}

/// A day's maximum 8-hour mean of ozone (MDA8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mda8 {
    /// The local date.
    #[serde(serialize_with = "super::date_serde::date")]
    pub date: NaiveDate,
    /// The largest valid 8-hour mean of the day; `None` when no window is valid.
    pub max: Option<f64>,
    /// The number of valid 8-hour means (0–17).
    pub valid_windows: usize,
}

impl Mda8 {
    /// Whether the MDA8 is a valid daily value against `limit` (µg/m³, normally the MDA8
    /// limit of the grade assessed): at least [`MIN_8H_MEANS_PER_DAY`] valid 8-hour means, or
    /// fewer with a maximum above the limit (HJ 663 6.1.2 as a third-party manifest quotes it).
    pub fn is_valid(&self, limit: f64) -> bool {
        self.valid_windows >= MIN_8H_MEANS_PER_DAY || self.max.is_some_and(|m| m > limit)
    }

    /// The MDA8 when it is a valid daily value against `limit`.
    pub fn valid_value(&self, limit: f64) -> Option<f64> {
        self.max.filter(|_| self.is_valid(limit))
    }
}

/// The daily maximum 8-hour mean of a day's hourly ozone values, over the 17 windows of
/// [`o3_8h_means`].
pub fn o3_mda8(day: &DayHours) -> Mda8 {
    let means = o3_8h_means(day);
    Mda8 {
        date: day.date,
        max: means.iter().flatten().copied().reduce(f64::max),
        valid_windows: means.iter().flatten().count(),
    }
}

fn check_concentration(v: f64) -> Result<(), Error> {
    if !v.is_finite() {
        return Err(Error::NotFinite {
            what: "hourly concentration",
        });
    }
    if v < 0.0 {
        return Err(Error::Negative {
            what: "hourly concentration",
            value: v,
        });
    }
    Ok(())
}
