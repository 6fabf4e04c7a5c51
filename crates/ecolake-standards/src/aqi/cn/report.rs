//! The real-time (hourly) and daily AQI reports of HJ 633, one station at a time.
//!
//! The columnar [`crate::aqi::batch`] functions compute the same AQI, level and primary
//! pollutants (a property test checks it); these build the full report with every sub-index.

use serde::{Deserialize, Serialize};

use super::{table, to_iaqi, Edition, Level, FALLBACK};
use crate::aqi::{check_concentration, Averaging, Pollutant, PollutantSet};
use crate::Error;

/// The concentrations of one station-hour for the real-time report (µg/m³; CO mg/m³).
///
/// All are 1-hour means, except `so2_24h`, the 24-hour moving mean of SO2, which only HJ
/// 633-2012 uses (its SO2 index when the 1-hour SO2 exceeds 800 µg/m³). With CNEMC data mind
/// the field names: CNEMC's `o3_24h` is the current 1-hour O3 (this `o3`), its `o3` the day's
/// maximum. Deserialises from JSON with absent fields as missing.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Realtime {
    /// SO2 1-hour mean.
    pub so2: Option<f64>,
    /// NO2 1-hour mean.
    pub no2: Option<f64>,
    /// CO 1-hour mean, mg/m³.
    pub co: Option<f64>,
    /// O3 1-hour mean.
    pub o3: Option<f64>,
    /// PM10 1-hour mean (indexed on the 24-hour table).
    pub pm10: Option<f64>,
    /// PM2.5 1-hour mean (indexed on the 24-hour table).
    pub pm25: Option<f64>,
    /// SO2 24-hour moving mean (HJ 633-2012 SO2 1h > 800 rule only).
    pub so2_24h: Option<f64>,
}

/// The concentrations of one station-day for the daily report (µg/m³; CO mg/m³).
/// Deserialises from JSON with absent fields as missing.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Daily {
    /// SO2 24-hour mean.
    pub so2: Option<f64>,
    /// NO2 24-hour mean.
    pub no2: Option<f64>,
    /// CO 24-hour mean, mg/m³.
    pub co: Option<f64>,
    /// PM10 24-hour mean.
    pub pm10: Option<f64>,
    /// PM2.5 24-hour mean.
    pub pm25: Option<f64>,
    /// The day's maximum 1-hour O3 (an item of HJ 633-2012 only).
    pub o3_1h_max: Option<f64>,
    /// The day's maximum 8-hour moving mean of O3.
    pub o3_8h_max: Option<f64>,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The hourly (real-time) report, 实时报.
    Realtime,
    /// The daily report, 日报.
    Daily,
}

/// A rule of the standard that replaced the plain table lookup for a sub-index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialRule {
    /// HJ 633-2012: SO2 1h above 800 µg/m³ is not indexed; the SO2 IAQI is the 24-hour one
    /// (none if the 24-hour mean is not given).
    So2Above800Uses24h,
    /// HJ 633-2026: SO2 1h above 800 µg/m³ has IAQI 200.
    So2Above800Is200,
    /// HJ 633-2012: O3 8h above 800 µg/m³ is not indexed; the O3 IAQI is the 1-hour one (none if
    /// the 1-hour maximum is not given).
    O3Above800Uses1h,
    /// HJ 633-2026: O3 8h above 800 µg/m³ has IAQI 300.
    O3Above800Is300,
    /// Above the table's top breakpoint: IAQI 500.
    CappedAt500,
}

/// The IAQI of one item of a report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SubIndex {
    /// The pollutant.
    pub pollutant: Pollutant,
    /// The averaging period of the concentration (1-hour PM is indexed on the 24-hour table).
    pub averaging: Averaging,
    /// The concentration as given (µg/m³; CO mg/m³); `None` when missing.
    pub concentration: Option<f64>,
    /// The IAQI; `None` when the concentration is missing or a 2012 rule needs an average that
    /// was not given.
    pub iaqi: Option<u16>,
    /// The special rule applied, if any.
    pub rule: Option<SpecialRule>,
}

/// An AQI report for one station and hour or day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The edition applied.
    pub edition: Edition,
    /// Real-time or daily.
    pub kind: ReportKind,
    /// The AQI to publish: the maximum IAQI; `None` (NA) when there is no IAQI at all or, under
    /// HJ 633-2026, when a pollutant is missing and the maximum is 100 or less.
    pub aqi: Option<u16>,
    /// The maximum of the available IAQIs, published or not.
    pub max_iaqi: Option<u16>,
    /// The level of `aqi`.
    pub level: Option<Level>,
    /// The primary pollutants: those whose IAQI equals the AQI, when it is published and > 50.
    pub primary: PollutantSet,
    /// The pollutants with IAQI > 100 (HJ 633-2012 only; empty under 2026 and when NA).
    pub exceeding: PollutantSet,
    /// The pollutants with an item whose concentration is missing.
    pub missing: PollutantSet,
    /// Every item of the report, in the standard's order.
    pub sub_indices: Vec<SubIndex>,
}

/// One item: validates and indexes `c` on the `(pollutant, table)` table.
fn item(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
    table_averaging: Averaging,
    c: Option<f64>,
) -> Result<(SubIndex, bool), Error> {
    let t = table(edition, pollutant, table_averaging).expect("the reports use existing tables");
    let mut sub = SubIndex {
        pollutant,
        averaging,
        concentration: c,
        iaqi: None,
        rule: None,
    };
    let Some(c) = c else {
        return Ok((sub, false));
    };
    check_concentration(pollutant.name(), c)?;
    let v = t.index(c);
    let over = t.is_over(c);
    sub.iaqi = to_iaqi(v);
    sub.rule = match (over, pollutant, table_averaging, edition) {
        (false, ..) => None,
        (true, Pollutant::So2, Averaging::Hour1, Edition::Hj633_2012) => {
            Some(SpecialRule::So2Above800Uses24h)
        }
        (true, Pollutant::So2, Averaging::Hour1, Edition::Hj633_2026) => {
            Some(SpecialRule::So2Above800Is200)
        }
        (true, Pollutant::O3, Averaging::Hour8, Edition::Hj633_2012) => {
            Some(SpecialRule::O3Above800Uses1h)
        }
        (true, Pollutant::O3, Averaging::Hour8, Edition::Hj633_2026) => {
            Some(SpecialRule::O3Above800Is300)
        }
        (true, ..) => Some(SpecialRule::CappedAt500),
    };
    Ok((sub, v == FALLBACK))
}

/// The validated optional concentration (for inputs that are not an item of the report).
fn checked(what: &'static str, c: Option<f64>) -> Result<Option<f64>, Error> {
    if let Some(c) = c {
        check_concentration(what, c)?;
    }
    Ok(c)
}

/// The real-time (hourly) AQI as CNEMC publishes it: see [the module documentation](super).
///
/// Items: SO2, NO2, CO, O3 1-hour means on their 1-hour tables and PM10, PM2.5 1-hour means on
/// the 24-hour tables. HJ 633-2012 SO2 above 800 µg/m³ takes the IAQI of `so2_24h`.
pub fn realtime(edition: Edition, input: &Realtime) -> Result<Report, Error> {
    use Averaging::{Hour1 as H1, Hour24 as H24};
    let so2_24h = checked("SO2 24h", input.so2_24h)?;
    let (mut so2, so2_fallback) = item(edition, Pollutant::So2, H1, H1, input.so2)?;
    if so2_fallback {
        let (sub24, _) = item(edition, Pollutant::So2, H24, H24, so2_24h)?;
        so2.iaqi = sub24.iaqi;
    }
    let subs = vec![
        so2,
        item(edition, Pollutant::No2, H1, H1, input.no2)?.0,
        item(edition, Pollutant::Co, H1, H1, input.co)?.0,
        item(edition, Pollutant::O3, H1, H1, input.o3)?.0,
        item(edition, Pollutant::Pm10, H1, H24, input.pm10)?.0,
        item(edition, Pollutant::Pm25, H1, H24, input.pm25)?.0,
    ];
    Ok(assemble(edition, ReportKind::Realtime, subs))
}

/// The daily AQI: see [the module documentation](super).
///
/// HJ 633-2012 has seven items (the five 24-hour means, the maximum 1-hour O3 and the maximum
/// 8-hour O3); HJ 633-2026 six (no 1-hour O3: `o3_1h_max` is then only validated).
pub fn daily(edition: Edition, input: &Daily) -> Result<Report, Error> {
    use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
    let mut subs = vec![
        item(edition, Pollutant::So2, H24, H24, input.so2)?.0,
        item(edition, Pollutant::No2, H24, H24, input.no2)?.0,
        item(edition, Pollutant::Co, H24, H24, input.co)?.0,
        item(edition, Pollutant::Pm10, H24, H24, input.pm10)?.0,
        item(edition, Pollutant::Pm25, H24, H24, input.pm25)?.0,
    ];
    let o3_1h = checked("O3 1h", input.o3_1h_max)?;
    let (mut o3_8h, o3_fallback) = item(edition, Pollutant::O3, H8, H8, input.o3_8h_max)?;
    if edition == Edition::Hj633_2012 {
        let (o3_1h, _) = item(edition, Pollutant::O3, H1, H1, o3_1h)?;
        if o3_fallback {
            o3_8h.iaqi = o3_1h.iaqi;
        }
        subs.push(o3_1h);
    }
    subs.push(o3_8h);
    Ok(assemble(edition, ReportKind::Daily, subs))
}

/// AQI, level, primary, exceeding and missing pollutants from the sub-indices.
fn assemble(edition: Edition, kind: ReportKind, sub_indices: Vec<SubIndex>) -> Report {
    let max_iaqi = sub_indices.iter().filter_map(|s| s.iaqi).max();
    let missing: PollutantSet = sub_indices
        .iter()
        .filter(|s| s.concentration.is_none())
        .map(|s| s.pollutant)
        .collect();
    let aqi = match (edition, max_iaqi) {
        (Edition::Hj633_2026, Some(m)) if !missing.is_empty() && m <= 100 => None,
        _ => max_iaqi,
    };
    let mut primary = PollutantSet::EMPTY;
    let mut exceeding = PollutantSet::EMPTY;
    if let Some(a) = aqi {
        for s in &sub_indices {
            match s.iaqi {
                Some(i) if a > 50 && i == a => primary.insert(s.pollutant),
                _ => {}
            }
            match s.iaqi {
                Some(i) if edition == Edition::Hj633_2012 && i > 100 => {
                    exceeding.insert(s.pollutant)
                }
                _ => {}
            }
        }
    }
    Report {
        edition,
        kind,
        aqi,
        max_iaqi,
        level: aqi.map(Level::from_aqi),
        primary,
        exceeding,
        missing,
        sub_indices,
    }
}
