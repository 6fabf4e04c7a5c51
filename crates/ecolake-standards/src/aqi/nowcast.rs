//! The EPA NowCast for PM2.5 and PM10 (in use since 2013-08-01 / 2014-12-09).
//!
//! From the last 12 hourly means `c₀` (the current hour) … `c₁₁`:
//! `w* = 1 − (max − min)/max` over the available hours, `w = max(w*, 0.5)`, and
//! `NowCast = Σ wⁱ·cᵢ / Σ wⁱ` over the available hours `i`. At least 2 of the 3 most recent
//! hours (`c₀`, `c₁`, `c₂`) must be available, otherwise there is no NowCast.
//!
//! [`nowcast`] returns the unrounded value; [`nowcast_aqi`] truncates it as every PM
//! concentration is truncated (PM2.5 to 0.1, PM10 to 1 µg/m³) and indexes it on the 24-hour
//! rows. Where the rule is silent: when every available hour is 0 (max = 0) we take `w = 1`
//! and the NowCast is 0; values beyond the 12th are ignored. The ozone NowCast (2019, a 2-week
//! 1h/8h relation) is not implemented: asking for O3 is [`Error::Unknown`].
//!
//! ```
//! use ecolake_standards::aqi::{nowcast, Pollutant};
//!
//! // 20, 10 then missing: w* = 1 − 10/20 = 0.5, NowCast = (20 + 0.5·10)/(1 + 0.5) = 16.67.
//! let hours = [Some(20.0), Some(10.0), None];
//! let nc = nowcast::nowcast(Pollutant::Pm25, &hours)?.unwrap();
//! assert!((nc - 50.0 / 3.0).abs() < 1e-12);
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

use crate::aqi::epa::{sub_index, EpaTable};
use crate::aqi::{check_concentration, Averaging, Pollutant};
use crate::Error;

/// The number of hours the NowCast uses.
pub const HOURS: usize = 12;

/// The minimum weight factor for PM.
pub const MIN_WEIGHT: f64 = 0.5;

/// The NowCast concentration (µg/m³) of PM2.5 or PM10 from hourly means, most recent first;
/// `None` when fewer than 2 of the 3 most recent hours are available.
pub fn nowcast(pollutant: Pollutant, hourly: &[Option<f64>]) -> Result<Option<f64>, Error> {
    if !matches!(pollutant, Pollutant::Pm25 | Pollutant::Pm10) {
        return Err(Error::Unknown {
            kind: "NowCast pollutant",
            name: pollutant.name().to_string(),
        });
    }
    let hours = &hourly[..hourly.len().min(HOURS)];
    for c in hours.iter().flatten() {
        check_concentration(pollutant.name(), *c)?;
    }
    let recent = hours.iter().take(3).filter(|c| c.is_some()).count();
    if recent < 2 {
        return Ok(None);
    }
    let values = hours.iter().flatten();
    let max = values.clone().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let min = values.fold(f64::INFINITY, |a, &b| a.min(b));
    let w = if max > 0.0 {
        (1.0 - (max - min) / max).max(MIN_WEIGHT)
    } else {
        1.0
    };
    let (mut num, mut den, mut wi) = (0.0, 0.0, 1.0);
    for c in hours {
        if let Some(c) = c {
            num += wi * c;
            den += wi;
        }
        wi *= w;
    }
    Ok(Some(num / den))
}

/// The AQI of the NowCast: truncated (PM2.5 0.1, PM10 1 µg/m³) and indexed on the table's
/// 24-hour PM rows; `None` when there is no NowCast.
pub fn nowcast_aqi(
    table: EpaTable,
    pollutant: Pollutant,
    hourly: &[Option<f64>],
) -> Result<Option<u32>, Error> {
    match nowcast(pollutant, hourly)? {
        Some(c) => sub_index(table, pollutant, Averaging::Hour24, c),
        None => Ok(None),
    }
}
