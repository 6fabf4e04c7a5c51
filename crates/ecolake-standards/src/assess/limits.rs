//! GB 3095 ambient-air concentration limits: the 2012 edition (with its 2018 amendment) and the
//! 2026 edition's transition and final stages, compiled from
//! `shared/standards/gb3095_limits.csv` (verified from the standards' page images).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use crate::Error;

/// An edition (and stage) of GB 3095, the ambient air quality standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub enum Edition {
    /// GB 3095-2012 with its 2018 amendment; used for every date before 2026-03-01 (it was in
    /// force nationwide from 2016-01-01; earlier data are assessed against it too, since the
    /// 1996 edition is not carried).
    Gb3095_2012,
    /// GB 3095-2026, transition stage: 2026-03-01 to 2030-12-31.
    Gb3095_2026Transition,
    /// GB 3095-2026, final stage: from 2031-01-01.
    Gb3095_2026Final,
}

impl Edition {
    /// Every edition, oldest first.
    pub const ALL: [Edition; 3] = [
        Edition::Gb3095_2012,
        Edition::Gb3095_2026Transition,
        Edition::Gb3095_2026Final,
    ];

    /// The edition's name: `GB 3095-2012`, `GB 3095-2026 transition`, `GB 3095-2026 final`.
    pub fn name(self) -> &'static str {
        match self {
            Edition::Gb3095_2012 => "GB 3095-2012",
            Edition::Gb3095_2026Transition => "GB 3095-2026 transition",
            Edition::Gb3095_2026Final => "GB 3095-2026 final",
        }
    }

    /// The first day the edition applies to (`None` for 2012: every earlier date).
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            Edition::Gb3095_2012 => None,
            Edition::Gb3095_2026Transition => NaiveDate::from_ymd_opt(2026, 3, 1),
            Edition::Gb3095_2026Final => NaiveDate::from_ymd_opt(2031, 1, 1),
        }
    }

    /// The edition in force on a (local) date.
    pub fn in_force_on(date: NaiveDate) -> Edition {
        Edition::ALL
            .into_iter()
            .rev()
            .find(|e| e.first_day().is_none_or(|first| date >= first))
            .unwrap_or(Edition::Gb3095_2012)
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Edition> for &'static str {
    fn from(edition: Edition) -> Self {
        edition.name()
    }
}

impl FromStr for Edition {
    type Err = Error;

    /// Parses `2012`, `2026-transition`, `2026-final` or the full names (`GB 3095-2012` …);
    /// ASCII case, blanks, `_` and `-` are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        let key = key.strip_prefix("gb3095").unwrap_or(&key);
        match key {
            "2012" => Ok(Edition::Gb3095_2012),
            "2026transition" => Ok(Edition::Gb3095_2026Transition),
            "2026final" => Ok(Edition::Gb3095_2026Final),
            _ => Err(Error::Unknown {
                kind: "GB 3095 edition",
                name: s.to_owned(),
            }),
        }
    }
}

/// A GB 3095 grade (class of functional area): I for nature reserves and scenic areas, II for
/// residential, commercial, industrial and rural areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Grade {
    /// Grade I (一级).
    I,
    /// Grade II (二级).
    II,
}

impl fmt::Display for Grade {
    /// `I` or `II`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grade::I => "I",
            Grade::II => "II",
        })
    }
}

impl FromStr for Grade {
    type Err = Error;

    /// Parses `I`/`1` or `II`/`2` (ASCII case ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "I" | "1" => Ok(Grade::I),
            "II" | "2" => Ok(Grade::II),
            _ => Err(Error::Unknown {
                kind: "GB 3095 grade",
                name: s.to_owned(),
            }),
        }
    }
}

/// A pollutant limited by GB 3095.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub enum Pollutant {
    /// Sulphur dioxide, µg/m³.
    So2,
    /// Nitrogen dioxide, µg/m³.
    No2,
    /// Carbon monoxide, **mg/m³**.
    Co,
    /// Ozone, µg/m³.
    O3,
    /// Particulate matter ≤ 10 µm, µg/m³.
    Pm10,
    /// Particulate matter ≤ 2.5 µm, µg/m³.
    Pm25,
    /// Total suspended particulates, µg/m³.
    Tsp,
    /// Nitrogen oxides (as NO2), µg/m³.
    Nox,
    /// Lead, µg/m³.
    Pb,
    /// Benzo(a)pyrene, µg/m³.
    Bap,
}

impl Pollutant {
    /// Every pollutant, in the order of GB 3095's tables.
    pub const ALL: [Pollutant; 10] = [
        Pollutant::So2,
        Pollutant::No2,
        Pollutant::Co,
        Pollutant::O3,
        Pollutant::Pm10,
        Pollutant::Pm25,
        Pollutant::Tsp,
        Pollutant::Nox,
        Pollutant::Pb,
        Pollutant::Bap,
    ];

    /// The six basic items a site or city must all meet.
    pub const BASIC: [Pollutant; 6] = [
        Pollutant::So2,
        Pollutant::No2,
        Pollutant::Co,
        Pollutant::O3,
        Pollutant::Pm10,
        Pollutant::Pm25,
    ];

    /// The name as GB 3095 writes it: `SO2`, `PM2.5`, `BaP` …
    pub fn name(self) -> &'static str {
        match self {
            Pollutant::So2 => "SO2",
            Pollutant::No2 => "NO2",
            Pollutant::Co => "CO",
            Pollutant::O3 => "O3",
            Pollutant::Pm10 => "PM10",
            Pollutant::Pm25 => "PM2.5",
            Pollutant::Tsp => "TSP",
            Pollutant::Nox => "NOx",
            Pollutant::Pb => "Pb",
            Pollutant::Bap => "BaP",
        }
    }

    /// The unit of concentrations and limits: mg/m³ for CO, µg/m³ otherwise.
    pub fn unit(self) -> Unit {
        if self == Pollutant::Co {
            Unit::MilligramPerM3
        } else {
            Unit::MicrogramPerM3
        }
    }
}

impl fmt::Display for Pollutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Pollutant> for &'static str {
    fn from(pollutant: Pollutant) -> Self {
        pollutant.name()
    }
}

impl FromStr for Pollutant {
    type Err = Error;

    /// Parses a name ignoring ASCII case, `.` and `_`: `so2`, `pm2.5`, `PM25`, `pm2_5`, `bap` …
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '.' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        Pollutant::ALL
            .into_iter()
            .find(|p| p.name().replace('.', "").eq_ignore_ascii_case(&key))
            .ok_or_else(|| Error::Unknown {
                kind: "pollutant",
                name: s.to_owned(),
            })
    }
}

/// A concentration unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Unit {
    /// µg/m³.
    #[serde(rename = "ug/m3")]
    MicrogramPerM3,
    /// mg/m³ (CO).
    #[serde(rename = "mg/m3")]
    MilligramPerM3,
}

/// An averaging period of GB 3095.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Averaging {
    /// Calendar-year mean.
    Annual,
    /// Calendar-quarter mean (lead only).
    Quarterly,
    /// 24-hour (daily) mean.
    Day,
    /// Daily maximum 8-hour mean (ozone only).
    Mda8,
    /// 1-hour mean.
    Hour,
}

/// The GB 3095 limit of a pollutant for an averaging period and grade, in the pollutant's
/// [`unit`](Pollutant::unit); `None` when the standard sets none (e.g. an annual limit for O3).
pub fn limit(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
    grade: Grade,
) -> Option<f64> {
    use Averaging::{Annual, Day, Hour, Mda8, Quarterly};
    use Edition::{Gb3095_2012 as E12, Gb3095_2026Final as Fin, Gb3095_2026Transition as Tr};
    use Pollutant::{Bap, Co, No2, Nox, Pb, Pm10, Pm25, So2, Tsp, O3};
    // (grade I, grade II)
    let pair: (f64, f64) = match (pollutant, averaging, edition) {
        (So2, Annual, E12 | Tr) => (20.0, 60.0),
        (So2, Annual, Fin) => (20.0, 20.0),
        (So2, Day, E12 | Tr) => (50.0, 150.0),
        (So2, Day, Fin) => (50.0, 50.0),
        (So2, Hour, E12 | Tr) => (150.0, 500.0),
        (So2, Hour, Fin) => (150.0, 150.0),
        (No2, Annual, E12 | Tr) => (40.0, 40.0),
        (No2, Annual, Fin) => (30.0, 30.0),
        (No2, Day, E12 | Tr) => (80.0, 80.0),
        (No2, Day, Fin) => (50.0, 50.0),
        (No2, Hour, _) => (200.0, 200.0),
        (Co, Day, _) => (4.0, 4.0),
        (Co, Hour, _) => (10.0, 10.0),
        (O3, Mda8, _) => (100.0, 160.0),
        (O3, Hour, _) => (160.0, 200.0),
        (Pm10, Annual, E12) => (40.0, 70.0),
        (Pm10, Annual, Tr) => (40.0, 60.0),
        (Pm10, Annual, Fin) => (20.0, 50.0),
        (Pm10, Day, E12) => (50.0, 150.0),
        (Pm10, Day, Tr) => (50.0, 120.0),
        (Pm10, Day, Fin) => (50.0, 100.0),
        (Pm25, Annual, E12) => (15.0, 35.0),
        (Pm25, Annual, Tr) => (15.0, 30.0),
        (Pm25, Annual, Fin) => (10.0, 25.0),
        (Pm25, Day, E12) => (35.0, 75.0),
        (Pm25, Day, Tr) => (35.0, 60.0),
        (Pm25, Day, Fin) => (25.0, 50.0),
        (Tsp, Annual, _) => (80.0, 200.0),
        (Tsp, Day, _) => (120.0, 300.0),
        (Nox, Annual, E12 | Tr) => (50.0, 50.0),
        (Nox, Annual, Fin) => (40.0, 40.0),
        (Nox, Day, E12 | Tr) => (100.0, 100.0),
        (Nox, Day, Fin) => (70.0, 70.0),
        (Nox, Hour, _) => (250.0, 250.0),
        (Pb, Annual, _) => (0.5, 0.5),
        (Pb, Quarterly, _) => (1.0, 1.0),
        (Bap, Annual, _) => (0.001, 0.001),
        (Bap, Day, _) => (0.0025, 0.0025),
        _ => return None,
    };
    Some(match grade {
        Grade::I => pair.0,
        Grade::II => pair.1,
    })
}
