//! GB 3838-2002 Table 1 (class limits I–V) and Table 2 (supplementary items of centralised
//! drinking-water sources), compiled from `shared/standards/gb3838_2002_surface_water.csv`
//! (verified from the standard's page images).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{Factor, WaterClass, Waterbody};
use crate::Error;

/// The limits of pH for every class I–V: 6 ≤ pH ≤ 9.
pub const PH_RANGE: (f64, f64) = (6.0, 9.0);

/// The class I–V limits of a factor for a kind of water body, or `None` when the factor is not
/// evaluated there (total nitrogen in rivers).
///
/// For pH the five limits are the upper bound 9 (the lower bound is [`PH_RANGE`]); for dissolved
/// oxygen they are minima (class I: 7.5 mg/L — the alternative "or 90 % saturation" needs the
/// water temperature and is not evaluated here); for every other factor they are maxima.
pub fn class_limits(factor: Factor, waterbody: Waterbody) -> Option<[f64; 5]> {
    let limits = match factor {
        Factor::Ph => [9.0; 5],
        Factor::Do => [7.5, 6.0, 5.0, 3.0, 2.0],
        Factor::CodMn => [2.0, 4.0, 6.0, 10.0, 15.0],
        Factor::Cod => [15.0, 15.0, 20.0, 30.0, 40.0],
        Factor::Bod5 => [3.0, 3.0, 4.0, 6.0, 10.0],
        Factor::Nh3n => [0.15, 0.5, 1.0, 1.5, 2.0],
        Factor::Tp => match waterbody {
            Waterbody::River => [0.02, 0.1, 0.2, 0.3, 0.4],
            Waterbody::Lake => [0.01, 0.025, 0.05, 0.1, 0.2],
        },
        Factor::Tn => match waterbody {
            Waterbody::River => return None,
            Waterbody::Lake => [0.2, 0.5, 1.0, 1.5, 2.0],
        },
        Factor::Cu => [0.01, 1.0, 1.0, 1.0, 1.0],
        Factor::Zn => [0.05, 1.0, 1.0, 2.0, 2.0],
        Factor::F => [1.0, 1.0, 1.0, 1.5, 1.5],
        Factor::Se => [0.01, 0.01, 0.01, 0.02, 0.02],
        Factor::As => [0.05, 0.05, 0.05, 0.1, 0.1],
        Factor::Hg => [0.00005, 0.00005, 0.0001, 0.001, 0.001],
        Factor::Cd => [0.001, 0.005, 0.005, 0.005, 0.01],
        Factor::Cr6 => [0.01, 0.05, 0.05, 0.05, 0.1],
        Factor::Pb => [0.01, 0.01, 0.05, 0.05, 0.1],
        Factor::Cn => [0.005, 0.05, 0.2, 0.2, 0.2],
        Factor::Phenol => [0.002, 0.002, 0.005, 0.01, 0.1],
        Factor::Oil => [0.05, 0.05, 0.05, 0.5, 1.0],
        Factor::Las => [0.2, 0.2, 0.2, 0.3, 0.3],
        Factor::S2 => [0.05, 0.1, 0.2, 0.5, 1.0],
        Factor::FecalColiform => [200.0, 2000.0, 10000.0, 20000.0, 40000.0],
    };
    Some(limits)
}

/// The limit of one class (I–V) for a factor and water body; `None` for 劣V (no limit) and for
/// total nitrogen in rivers. For pH it is the upper bound 9.
pub fn class_limit(factor: Factor, waterbody: Waterbody, class: WaterClass) -> Option<f64> {
    let limits = class_limits(factor, waterbody)?;
    class.limit_index().map(|i| limits[i])
}

/// A supplementary item of GB 3838-2002 Table 2, which applies to centralised surface
/// drinking-water sources (one limit, no classes). Names: `sulfate, chloride, nitrate, iron,
/// manganese`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementaryItem {
    /// Sulfate (as SO₄²⁻), mg/L.
    Sulfate,
    /// Chloride (as Cl⁻), mg/L.
    Chloride,
    /// Nitrate (as N), mg/L.
    Nitrate,
    /// Iron, mg/L.
    Iron,
    /// Manganese, mg/L.
    Manganese,
}

impl SupplementaryItem {
    /// Every Table 2 item, in the table's order.
    pub const ALL: [SupplementaryItem; 5] = [
        SupplementaryItem::Sulfate,
        SupplementaryItem::Chloride,
        SupplementaryItem::Nitrate,
        SupplementaryItem::Iron,
        SupplementaryItem::Manganese,
    ];

    /// The item's name (`sulfate` …).
    pub fn name(self) -> &'static str {
        match self {
            SupplementaryItem::Sulfate => "sulfate",
            SupplementaryItem::Chloride => "chloride",
            SupplementaryItem::Nitrate => "nitrate",
            SupplementaryItem::Iron => "iron",
            SupplementaryItem::Manganese => "manganese",
        }
    }

    /// The Table 2 limit in mg/L (a value equal to it meets it).
    pub fn limit(self) -> f64 {
        match self {
            SupplementaryItem::Sulfate | SupplementaryItem::Chloride => 250.0,
            SupplementaryItem::Nitrate => 10.0,
            SupplementaryItem::Iron => 0.3,
            SupplementaryItem::Manganese => 0.1,
        }
    }

    /// Whether a concentration (mg/L) meets the limit (`≤`).
    pub fn meets(self, value: f64) -> Result<bool, Error> {
        super::check_value(self.name(), value)?;
        Ok(value <= self.limit())
    }
}

impl fmt::Display for SupplementaryItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SupplementaryItem {
    type Err = Error;

    /// Parses an item name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SupplementaryItem::ALL
            .into_iter()
            .find(|i| i.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::Unknown {
                kind: "supplementary water item",
                name: s.to_owned(),
            })
    }
}
