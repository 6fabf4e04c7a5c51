//! The China air quality index, HJ 633-2012 (环境空气质量指数（AQI）技术规定（试行）) and HJ
//! 633-2026 (in force from 2026-03-01; [`Edition::for_date`] picks one).
//!
//! * [`iaqi`]: the individual index (IAQI) of one concentration on the continuous segments of
//!   the edition's table, `(IH−IL)/(BPH−BPL)·(C−BPL)+IL`, **rounded up** to an integer (2012
//!   clause 6.2, 2026 clause 4.2.6). HJ 633-2026 first rounds the concentration half-even (GB/T
//!   8170) to an integer, CO to 0.1 mg/m³ (clause 4.2.2). Above the top breakpoint of a table the
//!   IAQI is **500** (our choice: the standards stop at 500 and HJ 633-2026 states the AQI range
//!   as 1–500), except for the special rules: SO2 1h above 800 µg/m³ — 2012: not indexed, the
//!   report uses the 24-hour SO2 IAQI; 2026: IAQI 200 — and O3 8h above 800 µg/m³ — 2012: not
//!   indexed, the report uses the 1-hour O3 IAQI; 2026: IAQI 300.
//! * [`realtime`]: the hourly AQI **as CNEMC publishes it** (verified on its archives): the
//!   maximum IAQI of the 1-hour SO2, NO2, CO, O3, PM10 and PM2.5 values, PM on the 24-hour
//!   table, O3 8h not included. Under HJ 633-2026 this is also the standard's own definition;
//!   HJ 633-2012's list of real-time indicators also names the 8-hour O3 and 24-hour PM moving
//!   means, which CNEMC publishes but does not put in the AQI (we follow CNEMC). A missing
//!   pollutant is left out; under HJ 633-2026 (clause 5.3.1) the AQI is then published only if
//!   it exceeds 100, otherwise it is NA (`aqi: None`; `max_iaqi` still holds the computed
//!   value).
//! * [`daily`]: the daily AQI. HJ 633-2012: seven items — SO2, NO2, CO, PM10, PM2.5 24-hour
//!   means, the daily maximum 1-hour O3 and the daily maximum 8-hour O3. HJ 633-2026: six — the
//!   same without the 1-hour O3. The missing-pollutant rule of 2026 applies here too.
//! * The AQI is the maximum IAQI; its [`Level`] gives the category, colours and health advice.
//!   Primary pollutants (首要污染物): only when AQI > 50, every pollutant whose IAQI equals the
//!   AQI (ties are all primary). Exceeding pollutants (超标污染物, IAQI > 100): HJ 633-2012
//!   only; the 2026 edition removed the notion, so the set is empty there.
//!
//! Concentrations are µg/m³, CO mg/m³. A negative or non-finite concentration is an error
//! ([`Error::Negative`], [`Error::NotFinite`]); a missing one is `None`.
//!
//! ```
//! use ecolake_standards::aqi::{cn, Averaging, Pollutant};
//!
//! // PM2.5 75.9 µg/m³ on the 2012 table: 100 + 50·(75.9 − 75)/40 = 101.125, rounded up.
//! let e = cn::Edition::Hj633_2012;
//! assert_eq!(cn::iaqi(e, Pollutant::Pm25, Averaging::Hour24, 75.9)?, Some(102));
//! // The 2026 table puts 75 µg/m³ higher: 100 + 50·(75 − 60)/55 = 113.6…
//! let e = cn::Edition::for_date(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
//! assert_eq!(cn::iaqi(e, Pollutant::Pm25, Averaging::Hour24, 75.0)?, Some(114));
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::aqi::{check_concentration, Averaging, Pollutant};
use crate::Error;

mod level;
mod report;
mod tables;

pub use level::Level;
pub use report::{daily, realtime, Daily, Realtime, Report, ReportKind, SpecialRule, SubIndex};
pub use tables::{breakpoints, Breakpoint};

pub(crate) use tables::{table, Table, FALLBACK, INVALID, MISSING};

/// An edition of HJ 633.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Edition {
    /// HJ 633-2012, applied (with GB 3095-2012) until 2026-02-28.
    Hj633_2012,
    /// HJ 633-2026, in force from 2026-03-01: new PM10/PM2.5 breakpoints at IAQI 100,
    /// concentrations rounded before indexing, fixed IAQIs for SO2 1h / O3 8h above 800.
    Hj633_2026,
}

impl Edition {
    /// Both editions, oldest first.
    pub const ALL: [Edition; 2] = [Edition::Hj633_2012, Edition::Hj633_2026];

    /// The first day of HJ 633-2026 (and GB 3095-2026): 2026-03-01.
    pub const SWITCH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 3, 1) {
        Some(d) => d,
        None => panic!("valid date"),
    };

    /// The edition in force on a local (Beijing) date: HJ 633-2026 from 2026-03-01, HJ
    /// 633-2012 before. Pass the date of the data (for an hour labelled by its end, such as
    /// CNEMC's `00:00`, the date of the hour's start).
    pub fn for_date(date: NaiveDate) -> Edition {
        if date >= Self::SWITCH_DATE {
            Edition::Hj633_2026
        } else {
            Edition::Hj633_2012
        }
    }

    /// `HJ 633-2012` or `HJ 633-2026`.
    pub const fn name(self) -> &'static str {
        match self {
            Edition::Hj633_2012 => "HJ 633-2012",
            Edition::Hj633_2026 => "HJ 633-2026",
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Edition {
    type Err = Error;

    /// Accepts `HJ 633-2012`, `hj633-2026`, `HJ-633-2012`, `2012`, `2026` (case, spaces,
    /// dashes and underscores ignored).
    fn from_str(s: &str) -> Result<Self, Error> {
        let key: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "hj6332012" | "2012" => Ok(Edition::Hj633_2012),
            "hj6332026" | "2026" => Ok(Edition::Hj633_2026),
            _ => Err(Error::Unknown {
                kind: "edition",
                name: s.to_string(),
            }),
        }
    }
}

impl Serialize for Edition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The table of `(pollutant, averaging)` or an [`Error::Unknown`] naming the pair.
pub(crate) fn table_or_err(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
) -> Result<&'static Table, Error> {
    table(edition, pollutant, averaging).ok_or_else(|| Error::Unknown {
        kind: "IAQI table",
        name: format!("{} {}", pollutant.name(), averaging.name()),
    })
}

/// The IAQI of one concentration (µg/m³; CO mg/m³) on the edition's table for the pollutant and
/// averaging period.
///
/// `Ok(None)` where the edition does not index the value: HJ 633-2012 SO2 1h or O3 8h above
/// 800 µg/m³ (the reports then use the 24-hour SO2 / 1-hour O3 index). Above any other table's
/// top the IAQI is 500. PM has only the 24-hour table (the real-time report puts 1-hour PM on
/// it); asking for a table the standard lacks (e.g. PM2.5 1h, O3 24h) is [`Error::Unknown`].
pub fn iaqi(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
    concentration: f64,
) -> Result<Option<u16>, Error> {
    let t = table_or_err(edition, pollutant, averaging)?;
    check_concentration(pollutant.name(), concentration)?;
    Ok(to_iaqi(t.index(concentration)))
}

/// An evaluated IAQI as an integer; `None` for the markers (fallback, missing, invalid).
pub(crate) fn to_iaqi(v: i16) -> Option<u16> {
    if v >= 0 {
        Some(v as u16)
    } else {
        None
    }
}
