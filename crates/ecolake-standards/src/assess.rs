//! Ambient-air assessment: GB 3095 limits (2012; 2026 transition and final stages) and HJ 663's
//! validity rules and statistics.
//!
//! * [`limit`]: a limit by [`Edition`], [`Pollutant`], [`Averaging`] and [`Grade`];
//!   [`Edition::in_force_on`] picks the edition for a date (2012 before 2026-03-01, 2026
//!   transition to 2030-12-31, final from 2031-01-01).
//! * [`group_by_day`], [`daily_mean`], [`o3_8h_means`], [`o3_mda8`]: one site's hourly values
//!   (labelled by their start, local time) to daily values with validity: a daily mean needs 20
//!   valid hours; an 8-hour mean 6 valid hours; the MDA8 is the maximum of the 17 windows ending
//!   08:00 … 24:00 and needs 14 valid windows unless it exceeds the limit.
//! * [`assess_period`]: HJ 663's statistics of the daily values (SO2, NO2: mean and 98th
//!   percentile; PM10, PM2.5: mean and 95th; CO: 95th; O3: 90th of MDA8), the completeness rule
//!   (324 days a year, 27 a month, 25 in February), rounding by GB/T 8170 ([`round_gbt8170`]),
//!   compliance and exceedance multiples `(C − S)/S`, and days per AQI level
//!   ([`aqi_level_days`]).
//!
//! HJ 663-2026 (in force 2026-03-01) was not available to ecolake: the 2013 rules above are
//! assumed unchanged in it (GB 3095's validity table is identical in 2012 and 2026); its
//! exceptional-event handling and three-year moving evaluation are not implemented. HJ 663's
//! rounding places are not in ecolake's sources either: statistics are rounded to integers
//! (CO to 0.1 mg/m³), exceedance multiples to 0.01 and the good-day ratio to 0.1 %, as HJ
//! 663-2013 is recalled to do, and compliance is judged on the rounded statistic.
//!
//! ```
//! use chrono::NaiveDate;
//! use ecolake_standards::assess::{self, Averaging, Edition, Grade, Pollutant};
//!
//! let day = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
//! let edition = Edition::in_force_on(day);
//! assert_eq!(edition, Edition::Gb3095_2026Transition);
//! assert_eq!(assess::limit(edition, Pollutant::Pm25, Averaging::Day, Grade::II), Some(60.0));
//! ```

mod aqi_days;
mod daily;
mod date_serde;
mod limits;
mod period;
pub(crate) mod rounding;
mod statistics;

pub use aqi_days::{aqi_level_days, AqiDays};
pub use daily::{
    daily_mean, group_by_day, o3_8h_means, o3_mda8, DailyMean, DayHours, Mda8,
    MIN_8H_MEANS_PER_DAY, MIN_HOURS_PER_8H, MIN_HOURS_PER_DAY, MIN_MINUTES_PER_HOUR,
    WINDOWS_PER_DAY,
};
pub use limits::{limit, Averaging, Edition, Grade, Pollutant, Unit};
pub use period::{
    assess_period, Assessment, DailyValues, EditionBasis, Period, PollutantAssessment, Statistic,
};
pub use rounding::round_gbt8170;
pub use statistics::{
    completeness, completeness_rule, decimals_of, percentile, statistics_of, Completeness,
    StatisticKind,
};
