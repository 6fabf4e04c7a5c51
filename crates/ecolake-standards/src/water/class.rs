//! The surface-water classes of GB 3838-2002: I–V and 劣V ("worse than V").

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Error;

/// A GB 3838-2002 water-quality class, ordered from best (`I`) to worst (`WorseThanV`).
///
/// `Display` (and serde) give `I`, `II`, `III`, `IV`, `V` and `劣V`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub enum WaterClass {
    /// Class I: source water, national nature reserves.
    I,
    /// Class II: first-grade protection zones of centralised drinking-water sources …
    II,
    /// Class III: second-grade protection zones, fisheries, swimming.
    III,
    /// Class IV: industrial water, recreation without direct contact.
    IV,
    /// Class V: agricultural water, general landscape.
    V,
    /// Worse than class V (劣V): the value misses even the class V limit.
    WorseThanV,
}

impl WaterClass {
    /// Every class, best first.
    pub const ALL: [WaterClass; 6] = [
        WaterClass::I,
        WaterClass::II,
        WaterClass::III,
        WaterClass::IV,
        WaterClass::V,
        WaterClass::WorseThanV,
    ];

    /// The classes that have limits (I–V), best first.
    pub const WITH_LIMITS: [WaterClass; 5] = [
        WaterClass::I,
        WaterClass::II,
        WaterClass::III,
        WaterClass::IV,
        WaterClass::V,
    ];

    /// The class's display name: `I` … `V`, `劣V`.
    pub fn name(self) -> &'static str {
        match self {
            WaterClass::I => "I",
            WaterClass::II => "II",
            WaterClass::III => "III",
            WaterClass::IV => "IV",
            WaterClass::V => "V",
            WaterClass::WorseThanV => "劣V",
        }
    }

    /// The position of a class with limits in a row of five limits (I → 0 … V → 4); `None`
    /// for 劣V.
    pub(crate) fn limit_index(self) -> Option<usize> {
        WaterClass::WITH_LIMITS.iter().position(|c| *c == self)
    }
}

impl fmt::Display for WaterClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<WaterClass> for &'static str {
    fn from(class: WaterClass) -> Self {
        class.name()
    }
}

impl FromStr for WaterClass {
    type Err = Error;

    /// Parses `I` … `V` and `劣V`, also with the Unicode Roman numerals (`Ⅲ`, `劣Ⅴ`) and the
    /// ASCII spellings `worse_than_v` / `>V`; ASCII case is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let class = match t {
            "Ⅰ" => Some(WaterClass::I),
            "Ⅱ" => Some(WaterClass::II),
            "Ⅲ" => Some(WaterClass::III),
            "Ⅳ" => Some(WaterClass::IV),
            "Ⅴ" => Some(WaterClass::V),
            "劣V" | "劣Ⅴ" | "劣v" | ">V" | ">v" => Some(WaterClass::WorseThanV),
            _ if t.eq_ignore_ascii_case("worse_than_v") => Some(WaterClass::WorseThanV),
            _ => WaterClass::WITH_LIMITS
                .into_iter()
                .find(|c| c.name().eq_ignore_ascii_case(t)),
        };
        class.ok_or_else(|| Error::Unknown {
            kind: "water class",
            name: s.to_owned(),
        })
    }
}
