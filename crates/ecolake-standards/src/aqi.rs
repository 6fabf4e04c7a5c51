//! Air quality indices: the China AQI of HJ 633-2012 and HJ 633-2026 ([`cn`]), the US EPA AQI
//! with its 2024 and pre-2024 tables ([`epa`]), the EPA NowCast for PM ([`nowcast`]) and a
//! columnar, allocation-free China AQI for millions of station-hours ([`batch`]).
//!
//! * [`Pollutant`] names the six pollutants (`SO2`, `NO2`, `CO`, `O3`, `PM10`, `PM2.5`) and
//!   [`Averaging`] their averaging periods (`1h`, `8h`, `24h`); [`PollutantSet`] is a set of
//!   pollutants (primary, exceeding or missing pollutants), one bit per pollutant.
//! * China: [`cn::iaqi`] is one sub-index (IAQI); [`cn::realtime`] the hourly AQI as the national
//!   monitoring centre (CNEMC) publishes it; [`cn::daily`] the daily AQI; [`cn::Level`] the six
//!   levels with names, colours and the health advice; [`cn::Edition::for_date`] picks the
//!   edition in force (HJ 633-2026 from 2026-03-01).
//! * US: [`epa::aqi`] with [`epa::EpaTable::Epa2024`] (TAD May 2024) or
//!   [`epa::EpaTable::Epa2012`] (the tables in force before 2024-05-06), [`nowcast::nowcast`].
//!
//! Every number is exact for the decimals a monitor reports: China IAQIs are computed on the
//! continuous segments and rounded up, with values within 1e-7 above an integer taken as that
//! integer (so 50.000000000001 from binary floating point is 50, and any concentration with at
//! most three decimals gets the exact ceiling); EPA truncation and rounding are done on the
//! decimal the `f64` stands for (35.4 truncates to 35.4, never 35.3).
//!
//! ```
//! use ecolake_standards::aqi::{cn, Pollutant};
//!
//! let hour = cn::Realtime {
//!     so2: Some(7.0),
//!     no2: Some(82.0),
//!     co: Some(1.2),
//!     o3: Some(0.0),
//!     pm10: Some(68.0),
//!     pm25: Some(36.0),
//!     ..Default::default()
//! };
//! let report = cn::realtime(cn::Edition::Hj633_2012, &hour)?;
//! assert_eq!(report.aqi, Some(59)); // PM10 68 µg/m³: 50 + 50·(68 − 50)/100 = 59
//! assert_eq!(report.level, Some(cn::Level::Two));
//! assert_eq!(report.level.unwrap().category_zh(), "良");
//! assert!(report.primary.contains(Pollutant::Pm10));
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::Error;

pub mod batch;
pub mod cn;
pub mod epa;
mod exact;
pub mod nowcast;

/// One of the six pollutants of the AQI.
///
/// The discriminant is the pollutant's bit in a [`PollutantSet`] and its index in
/// [`Pollutant::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pollutant {
    /// Sulphur dioxide, SO2 (µg/m³ in China, ppb for the EPA).
    So2 = 0,
    /// Nitrogen dioxide, NO2 (µg/m³ in China, ppb for the EPA).
    No2 = 1,
    /// Carbon monoxide, CO (mg/m³ in China, ppm for the EPA).
    Co = 2,
    /// Ozone, O3 (µg/m³ in China, ppm for the EPA).
    O3 = 3,
    /// Particulate matter up to 10 µm, PM10 (µg/m³).
    Pm10 = 4,
    /// Fine particulate matter up to 2.5 µm, PM2.5 (µg/m³).
    Pm25 = 5,
}

impl Pollutant {
    /// The six pollutants in their conventional order (SO2, NO2, CO, O3, PM10, PM2.5).
    pub const ALL: [Pollutant; 6] = [
        Pollutant::So2,
        Pollutant::No2,
        Pollutant::Co,
        Pollutant::O3,
        Pollutant::Pm10,
        Pollutant::Pm25,
    ];

    /// The name as the standards write it: `SO2`, `NO2`, `CO`, `O3`, `PM10`, `PM2.5`.
    pub const fn name(self) -> &'static str {
        match self {
            Pollutant::So2 => "SO2",
            Pollutant::No2 => "NO2",
            Pollutant::Co => "CO",
            Pollutant::O3 => "O3",
            Pollutant::Pm10 => "PM10",
            Pollutant::Pm25 => "PM2.5",
        }
    }

    /// The Chinese name CNEMC uses for a primary pollutant (`细颗粒物(PM2.5)`, `臭氧` …).
    pub const fn name_zh(self) -> &'static str {
        match self {
            Pollutant::So2 => "二氧化硫",
            Pollutant::No2 => "二氧化氮",
            Pollutant::Co => "一氧化碳",
            Pollutant::O3 => "臭氧",
            Pollutant::Pm10 => "颗粒物(PM10)",
            Pollutant::Pm25 => "细颗粒物(PM2.5)",
        }
    }

    /// The unit of the China AQI tables: `mg/m3` for CO, `ug/m3` for the others.
    pub const fn unit_cn(self) -> &'static str {
        match self {
            Pollutant::Co => "mg/m3",
            _ => "ug/m3",
        }
    }

    /// The unit of the EPA tables: `ppm` (O3, CO), `ppb` (SO2, NO2) or `ug/m3` (PM).
    pub const fn unit_epa(self) -> &'static str {
        match self {
            Pollutant::O3 | Pollutant::Co => "ppm",
            Pollutant::So2 | Pollutant::No2 => "ppb",
            Pollutant::Pm10 | Pollutant::Pm25 => "ug/m3",
        }
    }

    /// The index in [`Pollutant::ALL`] (and the bit in a [`PollutantSet`]).
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Pollutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Pollutant {
    type Err = Error;

    /// Accepts the names of [`Pollutant::name`] in any case, and `PM25` / `PM2_5` for PM2.5.
    fn from_str(s: &str) -> Result<Self, Error> {
        let found = match s.trim().to_ascii_uppercase().as_str() {
            "SO2" => Pollutant::So2,
            "NO2" => Pollutant::No2,
            "CO" => Pollutant::Co,
            "O3" => Pollutant::O3,
            "PM10" => Pollutant::Pm10,
            "PM2.5" | "PM25" | "PM2_5" => Pollutant::Pm25,
            _ => {
                return Err(Error::Unknown {
                    kind: "pollutant",
                    name: s.to_string(),
                })
            }
        };
        Ok(found)
    }
}

impl Serialize for Pollutant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// An averaging period of a concentration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Averaging {
    /// A 1-hour mean.
    Hour1,
    /// An 8-hour moving mean (O3 in China; O3 and CO for the EPA).
    Hour8,
    /// A 24-hour mean.
    Hour24,
}

impl Averaging {
    /// `1h`, `8h` or `24h`.
    pub const fn name(self) -> &'static str {
        match self {
            Averaging::Hour1 => "1h",
            Averaging::Hour8 => "8h",
            Averaging::Hour24 => "24h",
        }
    }
}

impl fmt::Display for Averaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Averaging {
    type Err = Error;

    /// Accepts `1h`, `8h`, `24h` in any case.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1h" => Ok(Averaging::Hour1),
            "8h" => Ok(Averaging::Hour8),
            "24h" => Ok(Averaging::Hour24),
            _ => Err(Error::Unknown {
                kind: "averaging period",
                name: s.to_string(),
            }),
        }
    }
}

impl Serialize for Averaging {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A set of pollutants, bit `p as u8` for pollutant `p` (the batch API's primary-pollutant
/// byte). Serialises as the list of names in [`Pollutant::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PollutantSet(u8);

impl PollutantSet {
    /// The empty set.
    pub const EMPTY: PollutantSet = PollutantSet(0);

    /// The set with these bits (bits above the sixth are dropped).
    pub const fn from_bits(bits: u8) -> PollutantSet {
        PollutantSet(bits & 0x3f)
    }

    /// The bits, `1 << (p as u8)` for each member `p`.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether `p` is in the set.
    pub const fn contains(self, p: Pollutant) -> bool {
        self.0 & (1 << p as u8) != 0
    }

    /// Adds `p`.
    pub fn insert(&mut self, p: Pollutant) {
        self.0 |= 1 << p as u8;
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of pollutants in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The members in [`Pollutant::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Pollutant> {
        Pollutant::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Pollutant> for PollutantSet {
    fn from_iter<I: IntoIterator<Item = Pollutant>>(iter: I) -> Self {
        let mut set = PollutantSet::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

impl fmt::Display for PollutantSet {
    /// The names joined by `,` (empty for the empty set).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(p.name())?;
        }
        Ok(())
    }
}

impl Serialize for PollutantSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Rejects a concentration that is not finite or is negative; `what` names it in the error.
fn check_concentration(what: &'static str, value: f64) -> Result<(), Error> {
    if !value.is_finite() {
        return Err(Error::NotFinite { what });
    }
    if value < 0.0 {
        return Err(Error::Negative { what, value });
    }
    Ok(())
}
