//! The US EPA Air Quality Index (Technical Assistance Document, EPA-454/B-24-002, May 2024),
//! with the 2024 tables ([`EpaTable::Epa2024`], PM2.5 rule effective 2024-05-06) and the
//! tables in force before ([`EpaTable::Epa2012`]: 2012 PM2.5, 2015 O3, TAD September 2018).
//!
//! * Concentrations are **truncated** first — O3 to 0.001 ppm, PM2.5 to 0.1 µg/m³, PM10 to
//!   1 µg/m³, CO to 0.1 ppm, SO2 and NO2 to 1 ppb — on the decimal the `f64` stands for (35.4
//!   stays 35.4), then `I = (Ihi−Ilo)/(BPhi−BPlo)·(C−BPlo)+Ilo` is **rounded half up** (125.5 →
//!   126), all in exact integer arithmetic.
//! * Above the top breakpoint the last row is extrapolated (TAD 2024 footnote 4; we do the same
//!   for the pre-2024 tables), so the AQI can exceed 500.
//! * O3: the 8-hour index is required, the 1-hour one optional, the AQI takes the larger. 1-hour
//!   O3 below 0.125 ppm has no index (ignored); 8-hour O3 above 0.200 ppm has none either (the
//!   TAD: 8-hour values do not define AQI ≥ 301; use the 1-hour value).
//! * SO2: a 1-hour value below 305 ppb uses the 1-hour rows; at 305 ppb or more the 24-hour mean
//!   is used (its rows start at 305); a 1-hour value ≥ 305 with a 24-hour mean below 305 gives
//!   200. Our choices where the TAD is silent: 1-hour ≥ 305 without a 24-hour mean, and a
//!   24-hour mean below 305 without a 1-hour value, have no SO2 index.
//! * The AQI is the largest sub-index; all pollutants that reach it are "responsible".
//!
//! Units: O3 and CO ppm, SO2 and NO2 ppb, PM µg/m³.
//!
//! ```
//! use ecolake_standards::aqi::epa::{self, EpaCategory, EpaInput, EpaTable};
//!
//! // PM2.5 9.5 µg/m³: 2024 rows 9.1–35.4 ↔ 51–100: 51 + 49·0.4/26.3 = 51.75 → 52.
//! let day = EpaInput { pm25_24h: Some(9.5), o3_8h: Some(0.040), ..Default::default() };
//! let r = epa::aqi(EpaTable::Epa2024, &day)?;
//! assert_eq!(r.aqi, Some(52));
//! assert_eq!(r.category, Some(EpaCategory::Moderate));
//! // The pre-2024 rows 0–12.0 ↔ 0–50 give 50·9.5/12 = 39.6 → 40.
//! assert_eq!(epa::aqi(EpaTable::Epa2012, &day)?.aqi, Some(40));
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

use crate::aqi::exact::trunc_decimal;
use crate::aqi::{check_concentration, Averaging, Pollutant, PollutantSet};
use crate::Error;

mod tables;

pub(crate) use tables::decimals;
use tables::{index, rows_for};

/// Which EPA breakpoint tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EpaTable {
    /// The tables in force before 2024-05-06 (`epa-2012`): PM2.5 0–12.0 ↔ 0–50, and
    /// 301–400 / 401–500 rows for every pollutant.
    Epa2012,
    /// TAD May 2024 (`epa-2024`): PM2.5 0–9.0 ↔ 0–50, one 301–500 row per pollutant.
    Epa2024,
}

impl EpaTable {
    /// The effective date of the 2024 PM2.5 rule and tables: 2024-05-06.
    pub const SWITCH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2024, 5, 6) {
        Some(d) => d,
        None => panic!("valid date"),
    };

    /// The tables for data of a date: 2024 from 2024-05-06, 2012 before.
    pub fn for_date(date: NaiveDate) -> EpaTable {
        if date >= Self::SWITCH_DATE {
            EpaTable::Epa2024
        } else {
            EpaTable::Epa2012
        }
    }

    /// `epa-2012` or `epa-2024`.
    pub const fn name(self) -> &'static str {
        match self {
            EpaTable::Epa2012 => "epa-2012",
            EpaTable::Epa2024 => "epa-2024",
        }
    }
}

impl fmt::Display for EpaTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EpaTable {
    type Err = Error;

    /// Accepts `epa-2024`, `epa-2012` (any case), `2024`, `2012`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "epa-2024" | "epa2024" | "2024" => Ok(EpaTable::Epa2024),
            "epa-2012" | "epa2012" | "2012" => Ok(EpaTable::Epa2012),
            _ => Err(Error::Unknown {
                kind: "EPA table",
                name: s.to_string(),
            }),
        }
    }
}

impl Serialize for EpaTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// An EPA AQI category (`aqi_us_levels.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EpaCategory {
    /// 0–50, green.
    Good,
    /// 51–100, yellow.
    Moderate,
    /// 101–150, orange.
    UnhealthyForSensitiveGroups,
    /// 151–200, red.
    Unhealthy,
    /// 201–300, purple.
    VeryUnhealthy,
    /// 301 and above (including above 500), maroon.
    Hazardous,
}

impl EpaCategory {
    /// The category of an AQI value.
    pub const fn from_aqi(aqi: u32) -> EpaCategory {
        match aqi {
            0..=50 => EpaCategory::Good,
            51..=100 => EpaCategory::Moderate,
            101..=150 => EpaCategory::UnhealthyForSensitiveGroups,
            151..=200 => EpaCategory::Unhealthy,
            201..=300 => EpaCategory::VeryUnhealthy,
            _ => EpaCategory::Hazardous,
        }
    }

    /// `Good`, `Moderate`, `Unhealthy for Sensitive Groups`, `Unhealthy`, `Very Unhealthy`,
    /// `Hazardous`.
    pub const fn name(self) -> &'static str {
        match self {
            EpaCategory::Good => "Good",
            EpaCategory::Moderate => "Moderate",
            EpaCategory::UnhealthyForSensitiveGroups => "Unhealthy for Sensitive Groups",
            EpaCategory::Unhealthy => "Unhealthy",
            EpaCategory::VeryUnhealthy => "Very Unhealthy",
            EpaCategory::Hazardous => "Hazardous",
        }
    }

    /// `Green`, `Yellow`, `Orange`, `Red`, `Purple`, `Maroon`.
    pub const fn colour(self) -> &'static str {
        match self {
            EpaCategory::Good => "Green",
            EpaCategory::Moderate => "Yellow",
            EpaCategory::UnhealthyForSensitiveGroups => "Orange",
            EpaCategory::Unhealthy => "Red",
            EpaCategory::VeryUnhealthy => "Purple",
            EpaCategory::Hazardous => "Maroon",
        }
    }

    /// (R, G, B) of TAD 2024; purple is (143, 63, 151) (older documents used (153, 0, 76)).
    pub const fn rgb(self) -> (u8, u8, u8) {
        match self {
            EpaCategory::Good => (0, 228, 0),
            EpaCategory::Moderate => (255, 255, 0),
            EpaCategory::UnhealthyForSensitiveGroups => (255, 126, 0),
            EpaCategory::Unhealthy => (255, 0, 0),
            EpaCategory::VeryUnhealthy => (143, 63, 151),
            EpaCategory::Hazardous => (126, 0, 35),
        }
    }

    /// (C, M, Y, K) in percent, as `aqi_us_levels.csv` gives them.
    pub const fn cmyk(self) -> (u8, u8, u8, u8) {
        match self {
            EpaCategory::Good => (40, 0, 100, 0),
            EpaCategory::Moderate => (0, 0, 100, 0),
            EpaCategory::UnhealthyForSensitiveGroups => (0, 52, 100, 0),
            EpaCategory::Unhealthy => (0, 100, 100, 0),
            EpaCategory::VeryUnhealthy => (5, 58, 0, 41),
            EpaCategory::Hazardous => (30, 100, 100, 30),
        }
    }
}

impl Serialize for EpaCategory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The concentration as the EPA computes with it: truncated to the pollutant's decimals
/// (O3 3, PM2.5 1, PM10 0, CO 1, SO2 0, NO2 0), exactly for the decimal the `f64` stands for.
pub fn truncate(pollutant: Pollutant, concentration: f64) -> Result<f64, Error> {
    check_concentration(pollutant.name(), concentration)?;
    let d = decimals(pollutant);
    Ok(trunc_decimal(concentration, d) as f64 / 10f64.powi(d as i32))
}

/// The sub-index of one concentration on one row set (ppm for O3 and CO, ppb for SO2 and NO2,
/// µg/m³ for PM), truncated and rounded as the TAD says.
///
/// `Ok(None)` where the table defines no index: 1-hour O3 below 0.125 ppm, 8-hour O3 above
/// 0.200 ppm, 1-hour SO2 of 305 ppb or more and 24-hour SO2 below 305 ppb (the SO2 rule of
/// [`aqi`] decides those). Pairs without rows (e.g. PM2.5 1h, CO 1h) are [`Error::Unknown`].
pub fn sub_index(
    table: EpaTable,
    pollutant: Pollutant,
    averaging: Averaging,
    concentration: f64,
) -> Result<Option<u32>, Error> {
    let rows = rows_for(table == EpaTable::Epa2024, pollutant, averaging).ok_or_else(|| {
        Error::Unknown {
            kind: "EPA AQI table",
            name: format!("{} {}", pollutant.name(), averaging.name()),
        }
    })?;
    check_concentration(pollutant.name(), concentration)?;
    let steps = trunc_decimal(concentration, decimals(pollutant));
    let last = rows[rows.len() - 1].c_hi;
    let capped = matches!(
        (pollutant, averaging),
        (Pollutant::O3, Averaging::Hour8) | (Pollutant::So2, Averaging::Hour1)
    );
    if capped && steps > i64::from(last) {
        return Ok(None);
    }
    Ok(index(rows, steps))
}

/// The concentrations of one location and period for the EPA AQI (all optional; absent JSON
/// fields deserialise as missing).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EpaInput {
    /// O3 8-hour mean, ppm.
    pub o3_8h: Option<f64>,
    /// O3 1-hour mean, ppm.
    pub o3_1h: Option<f64>,
    /// PM2.5 24-hour mean (or NowCast), µg/m³.
    pub pm25_24h: Option<f64>,
    /// PM10 24-hour mean (or NowCast), µg/m³.
    pub pm10_24h: Option<f64>,
    /// CO 8-hour mean, ppm.
    pub co_8h: Option<f64>,
    /// SO2 1-hour value (the daily maximum for a daily AQI), ppb.
    pub so2_1h: Option<f64>,
    /// SO2 24-hour mean, ppb.
    pub so2_24h: Option<f64>,
    /// NO2 1-hour value, ppb.
    pub no2_1h: Option<f64>,
}

/// One sub-index of an EPA AQI.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpaSubIndex {
    /// The pollutant.
    pub pollutant: Pollutant,
    /// The averaging period of the concentration used.
    pub averaging: Averaging,
    /// The truncated concentration.
    pub concentration: f64,
    /// The index; `None` where the rows define none.
    pub index: Option<u32>,
}

/// An EPA AQI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpaAqi {
    /// The tables used.
    pub table: EpaTable,
    /// The AQI: the largest sub-index; `None` if there is none.
    pub aqi: Option<u32>,
    /// The category of the AQI.
    pub category: Option<EpaCategory>,
    /// The pollutants whose sub-index equals the AQI.
    pub responsible: PollutantSet,
    /// The sub-index of every concentration given.
    pub sub_indices: Vec<EpaSubIndex>,
}

/// The EPA AQI of a set of concentrations; see [the module documentation](self) for the rules.
pub fn aqi(table: EpaTable, input: &EpaInput) -> Result<EpaAqi, Error> {
    use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
    let mut subs = Vec::with_capacity(8);
    let mut push = |p: Pollutant, a: Averaging, c: Option<f64>| -> Result<(), Error> {
        if let Some(c) = c {
            subs.push(EpaSubIndex {
                pollutant: p,
                averaging: a,
                concentration: truncate(p, c)?,
                index: sub_index(table, p, a, c)?,
            });
        }
        Ok(())
    };
    push(Pollutant::O3, H8, input.o3_8h)?;
    push(Pollutant::O3, H1, input.o3_1h)?;
    push(Pollutant::Pm25, H24, input.pm25_24h)?;
    push(Pollutant::Pm10, H24, input.pm10_24h)?;
    push(Pollutant::Co, H8, input.co_8h)?;
    push(Pollutant::No2, H1, input.no2_1h)?;
    if let Some(s) = so2(table, input.so2_1h, input.so2_24h)? {
        subs.push(s);
    }
    let aqi = subs.iter().filter_map(|s| s.index).max();
    let responsible = match aqi {
        Some(a) => subs
            .iter()
            .filter(|s| s.index == Some(a))
            .map(|s| s.pollutant)
            .collect(),
        None => PollutantSet::EMPTY,
    };
    Ok(EpaAqi {
        table,
        aqi,
        category: aqi.map(EpaCategory::from_aqi),
        responsible,
        sub_indices: subs,
    })
}

/// The SO2 sub-index by the 1-hour / 24-hour rule.
fn so2(
    table: EpaTable,
    one_hour: Option<f64>,
    day: Option<f64>,
) -> Result<Option<EpaSubIndex>, Error> {
    use Averaging::{Hour1 as H1, Hour24 as H24};
    let p = Pollutant::So2;
    let one = one_hour.map(|c| truncate(p, c)).transpose()?;
    let day_t = day.map(|c| truncate(p, c)).transpose()?;
    let sub = |a, c: f64, index| EpaSubIndex {
        pollutant: p,
        averaging: a,
        concentration: c,
        index,
    };
    Ok(match (one, day_t) {
        (Some(c1), _) if c1 < 305.0 => Some(sub(H1, c1, sub_index(table, p, H1, c1)?)),
        (Some(_), Some(c24)) if c24 >= 305.0 => Some(sub(H24, c24, sub_index(table, p, H24, c24)?)),
        (Some(c1), Some(_)) => Some(sub(H1, c1, Some(200))),
        (Some(c1), None) => Some(sub(H1, c1, None)),
        (None, Some(c24)) => Some(sub(H24, c24, sub_index(table, p, H24, c24)?)),
        (None, None) => None,
    })
}
