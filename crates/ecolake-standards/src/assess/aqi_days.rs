//! Days at each AQI level and the good-day ratio (优良天数比例) of a period, from daily AQI
//! levels computed elsewhere (the `aqi` module), so that this module does not depend on it.

use serde::Serialize;

use super::round_gbt8170;
use crate::Error;

/// The days of a period by AQI level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AqiDays {
    /// `days_by_level[i]` is the number of days at level `i + 1` (1 优 excellent … 6 严重污染
    /// severe).
    pub days_by_level: [usize; 6],
    /// Days without an AQI (no valid daily value).
    pub days_without_aqi: usize,
    /// Days with an AQI.
    pub valid_days: usize,
    /// Days at level 1 or 2 (优良, good).
    pub good_days: usize,
    /// `good_days / valid_days`; `None` when there is no valid day.
    pub good_ratio: Option<f64>,
    /// The ratio in per cent, rounded by GB/T 8170 to one decimal.
    pub good_ratio_pct: Option<f64>,
}

/// Counts a period's daily AQI levels (`Some(1..=6)`, `None` for a day without AQI).
///
/// # Errors
/// [`Error::OutOfRange`] for a level outside 1–6.
///
/// ```
/// use ecolake_standards::assess::aqi_level_days;
/// let days = aqi_level_days(&[Some(1), Some(2), Some(3), None])?;
/// assert_eq!(days.good_days, 2);
/// assert_eq!(days.good_ratio_pct, Some(66.7));
/// # Ok::<(), ecolake_standards::Error>(())
/// ```
pub fn aqi_level_days(levels: &[Option<u8>]) -> Result<AqiDays, Error> {
    let mut days_by_level = [0usize; 6];
    let mut days_without_aqi = 0;
    for level in levels {
        match *level {
            None => days_without_aqi += 1,
            Some(l @ 1..=6) => days_by_level[usize::from(l) - 1] += 1,
            Some(l) => {
                return Err(Error::OutOfRange {
                    what: "AQI level",
                    value: f64::from(l),
                    allowed: "1..=6",
                })
            }
        }
    }
    let valid_days: usize = days_by_level.iter().sum();
    let good_days = days_by_level[0] + days_by_level[1];
    let good_ratio = (valid_days > 0).then(|| good_days as f64 / valid_days as f64);
    Ok(AqiDays {
        days_by_level,
        days_without_aqi,
        valid_days,
        good_days,
        good_ratio,
        good_ratio_pct: (valid_days > 0)
            .then(|| round_gbt8170((good_days * 100) as f64 / valid_days as f64, 1)),
    })
}
