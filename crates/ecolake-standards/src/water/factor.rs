//! The water-quality factors of GB 3838-2002 Table 1 and the kind of water body.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Error;

/// A basic item of GB 3838-2002 Table 1 (water temperature excepted: its limit is a change,
/// not a concentration).
///
/// The names (`FromStr`, `Display`, serde) are the CLI column names: `ph, do, codmn, cod, bod5,
/// nh3n, tp, tn, cu, zn, f, se, as, hg, cd, cr6, pb, cn, phenol, oil, las, s2,
/// fecal_coliform`. Concentrations are in mg/L, pH is dimensionless and fecal coliform is a
/// count per litre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub enum Factor {
    /// pH (dimensionless), 6–9 in every class.
    Ph,
    /// Dissolved oxygen, mg/L (at least).
    Do,
    /// Permanganate index (CODMn), mg/L.
    CodMn,
    /// Chemical oxygen demand (CODcr), mg/L.
    Cod,
    /// Five-day biochemical oxygen demand, mg/L.
    Bod5,
    /// Ammonia nitrogen (NH3-N), mg/L.
    Nh3n,
    /// Total phosphorus (as P), mg/L; limits differ for rivers and lakes/reservoirs.
    Tp,
    /// Total nitrogen (as N), mg/L; evaluated for lakes and reservoirs only.
    Tn,
    /// Copper, mg/L.
    Cu,
    /// Zinc, mg/L.
    Zn,
    /// Fluoride (as F⁻), mg/L.
    F,
    /// Selenium, mg/L.
    Se,
    /// Arsenic, mg/L.
    As,
    /// Mercury, mg/L.
    Hg,
    /// Cadmium, mg/L.
    Cd,
    /// Chromium (VI), mg/L.
    Cr6,
    /// Lead, mg/L.
    Pb,
    /// Cyanide, mg/L.
    Cn,
    /// Volatile phenol, mg/L.
    Phenol,
    /// Petroleum, mg/L.
    Oil,
    /// Anionic surfactant (LAS), mg/L.
    Las,
    /// Sulfide, mg/L.
    S2,
    /// Fecal coliform, count per litre.
    FecalColiform,
}

impl Factor {
    /// Every factor, in the order of GB 3838-2002 Table 1.
    pub const ALL: [Factor; 23] = [
        Factor::Ph,
        Factor::Do,
        Factor::CodMn,
        Factor::Cod,
        Factor::Bod5,
        Factor::Nh3n,
        Factor::Tp,
        Factor::Tn,
        Factor::Cu,
        Factor::Zn,
        Factor::F,
        Factor::Se,
        Factor::As,
        Factor::Hg,
        Factor::Cd,
        Factor::Cr6,
        Factor::Pb,
        Factor::Cn,
        Factor::Phenol,
        Factor::Oil,
        Factor::Las,
        Factor::S2,
        Factor::FecalColiform,
    ];

    /// The CLI column name (`nh3n`, `fecal_coliform` …).
    pub fn name(self) -> &'static str {
        match self {
            Factor::Ph => "ph",
            Factor::Do => "do",
            Factor::CodMn => "codmn",
            Factor::Cod => "cod",
            Factor::Bod5 => "bod5",
            Factor::Nh3n => "nh3n",
            Factor::Tp => "tp",
            Factor::Tn => "tn",
            Factor::Cu => "cu",
            Factor::Zn => "zn",
            Factor::F => "f",
            Factor::Se => "se",
            Factor::As => "as",
            Factor::Hg => "hg",
            Factor::Cd => "cd",
            Factor::Cr6 => "cr6",
            Factor::Pb => "pb",
            Factor::Cn => "cn",
            Factor::Phenol => "phenol",
            Factor::Oil => "oil",
            Factor::Las => "las",
            Factor::S2 => "s2",
            Factor::FecalColiform => "fecal_coliform",
        }
    }

    /// The unit of the factor's values: `mg/L`, `1` (pH) or `count/L` (fecal coliform).
    pub fn unit(self) -> &'static str {
        match self {
            Factor::Ph => "1",
            Factor::FecalColiform => "count/L",
            _ => "mg/L",
        }
    }

    /// How a value is compared with the class limits.
    pub fn comparison(self) -> Comparison {
        match self {
            Factor::Ph => Comparison::Range,
            Factor::Do => Comparison::AtLeast,
            _ => Comparison::AtMost,
        }
    }
}

/// How GB 3838-2002 compares a factor's value with its class limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The value must be at most the limit (`≤`): every pollutant.
    AtMost,
    /// The value must be at least the limit (`≥`): dissolved oxygen.
    AtLeast,
    /// The value must lie in a closed range: pH 6–9 (the same range for classes I–V).
    Range,
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Factor> for &'static str {
    fn from(factor: Factor) -> Self {
        factor.name()
    }
}

impl FromStr for Factor {
    type Err = Error;

    /// Parses a CLI column name, ignoring ASCII case and surrounding blanks.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Factor::ALL
            .into_iter()
            .find(|factor| factor.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::Unknown {
                kind: "water factor",
                name: s.to_owned(),
            })
    }
}

/// The kind of surface water: it selects the total-phosphorus limits and whether total
/// nitrogen is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Waterbody {
    /// A river (or canal, estuary …): river TP limits; TN not evaluated.
    River,
    /// A lake or reservoir: lake TP limits; TN evaluated.
    Lake,
}

impl Waterbody {
    /// The name used by `FromStr` and `Display`: `river` or `lake`.
    pub fn name(self) -> &'static str {
        match self {
            Waterbody::River => "river",
            Waterbody::Lake => "lake",
        }
    }
}

impl fmt::Display for Waterbody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Waterbody {
    type Err = Error;

    /// Parses `river` or `lake` (ASCII case ignored); `reservoir` is accepted as `lake`, since
    /// GB 3838-2002 gives lakes and reservoirs the same limits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        if wanted.eq_ignore_ascii_case("river") {
            Ok(Waterbody::River)
        } else if wanted.eq_ignore_ascii_case("lake") || wanted.eq_ignore_ascii_case("reservoir") {
            Ok(Waterbody::Lake)
        } else {
            Err(Error::Unknown {
                kind: "waterbody",
                name: s.to_owned(),
            })
        }
    }
}
