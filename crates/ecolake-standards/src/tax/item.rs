//! A taxable item: a row of the annexed table, found by medium and name.

use std::fmt;

use serde::Serialize;

use super::{AmountUnit, Category, EquivalentValue, TABLE};
use crate::Error;

/// The medium an outlet discharges to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// Air (rate 1.2–12 CNY per pollution equivalent).
    Air,
    /// Water (rate 1.4–14 CNY per pollution equivalent).
    Water,
}

/// A row of the annexed table of taxable pollutants and their equivalent values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
pub struct TaxItem {
    index: u8,
}

/// Short names for common rows: `(medium, alias, name in the table)`.
const ALIASES: &[(Medium, &str, &str)] = &[
    (Medium::Air, "soot", "soot/smoke dust (烟尘)"),
    (Medium::Air, "smoke dust", "soot/smoke dust (烟尘)"),
    (Medium::Air, "烟尘", "soot/smoke dust (烟尘)"),
    (Medium::Air, "dust", "general dust"),
    (Medium::Air, "nh3", "ammonia"),
    (Medium::Air, "h2s", "hydrogen sulfide"),
    (Medium::Air, "hcl", "hydrogen chloride"),
    (Medium::Air, "bap", "benzo(a)pyrene"),
    (Medium::Water, "cod", "CODcr"),
    (Medium::Water, "nh3n", "ammonia nitrogen"),
    (Medium::Water, "nh3-n", "ammonia nitrogen"),
    (Medium::Water, "tp", "total phosphorus"),
    (Medium::Water, "hg", "total mercury"),
    (Medium::Water, "cd", "total cadmium"),
    (Medium::Water, "cr", "total chromium"),
    (Medium::Water, "cr6", "chromium(VI)"),
    (Medium::Water, "as", "total arsenic"),
    (Medium::Water, "pb", "total lead"),
    (Medium::Water, "ni", "total nickel"),
    (Medium::Water, "be", "total beryllium"),
    (Medium::Water, "ag", "total silver"),
    (Medium::Water, "bap", "benzo(a)pyrene"),
    (Medium::Water, "oil", "petroleum"),
    (Medium::Water, "volatile_phenol", "volatile phenol"),
    (Medium::Water, "cn", "total cyanide"),
    (Medium::Water, "s2", "sulfide"),
    (Medium::Water, "f", "fluoride"),
    (Medium::Water, "las", "anionic surfactant (LAS)"),
    (Medium::Water, "cu", "total copper"),
    (Medium::Water, "zn", "total zinc"),
    (Medium::Water, "mn", "total manganese"),
    (Medium::Water, "se", "total selenium"),
    (Medium::Water, "coliform", "coliform count (exceeding)"),
    (
        Medium::Water,
        "residual chlorine",
        "residual chlorine (hospital wastewater disinfected with chlorine)",
    ),
];

impl TaxItem {
    /// Every row, in table order.
    pub fn all() -> impl Iterator<Item = TaxItem> {
        (0..TABLE.len()).filter_map(|i| u8::try_from(i).ok().map(|index| TaxItem { index }))
    }

    /// Finds a row by medium and name: the table's name (`SO2`, `CODcr`, `total mercury`,
    /// `pig` …) or a short alias (`cod`, `nh3n`, `tp`, `hg`, `烟尘` …), ASCII case ignored.
    /// Names such as `benzene` or `fluoride` exist for both media; the medium decides.
    ///
    /// # Errors
    /// [`Error::Unknown`] when no row of that medium has the name.
    pub fn find(medium: Medium, name: &str) -> Result<TaxItem, Error> {
        let wanted = name.trim();
        let name = ALIASES
            .iter()
            .find(|(m, alias, _)| *m == medium && alias.eq_ignore_ascii_case(wanted))
            .map_or(wanted, |(_, _, name)| name);
        TaxItem::all()
            .find(|item| item.medium() == medium && item.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::Unknown {
                kind: "taxable pollutant",
                name: wanted.to_owned(),
            })
    }

    /// The pH row for wastewater of this pH (amount in tonnes of wastewater); `None` for
    /// 6 ≤ pH ≤ 9, which is not taxed. Acid bands include their lower bound (5–6 is
    /// 5 ≤ pH < 6), alkaline bands their upper bound (9–10 is 9 < pH ≤ 10), as the table's note
    /// says.
    ///
    /// # Errors
    /// [`Error::NotFinite`], or [`Error::OutOfRange`] outside 0–14.
    pub fn for_ph(ph: f64) -> Result<Option<TaxItem>, Error> {
        if !ph.is_finite() {
            return Err(Error::NotFinite { what: "pH" });
        }
        if !(0.0..=14.0).contains(&ph) {
            return Err(Error::OutOfRange {
                what: "pH",
                value: ph,
                allowed: "0..=14",
            });
        }
        // Band k (1..=5) is pH < k or pH > 14 − k; then 5 ≤ pH < 6.
        const BANDS: [&str; 5] = [
            "pH 0-1 or 13-14",
            "pH 1-2 or 12-13",
            "pH 2-3 or 11-12",
            "pH 3-4 or 10-11",
            "pH 4-5 or 9-10",
        ];
        let band = (1u8..)
            .zip(BANDS)
            .find(|(k, _)| !(f64::from(*k)..=14.0 - f64::from(*k)).contains(&ph))
            .map(|(_, name)| name);
        let name = match band {
            Some(name) => name,
            None if ph < 6.0 => "pH 5-6",
            None => return Ok(None),
        };
        TaxItem::find(Medium::Water, name).map(Some)
    }

    /// The row of the table.
    pub fn entry(self) -> &'static EquivalentValue {
        &TABLE[usize::from(self.index)]
    }

    /// The pollutant's name in the table.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The part of the table.
    pub fn category(self) -> Category {
        self.entry().category
    }

    /// The medium.
    pub fn medium(self) -> Medium {
        if self.category().is_water() {
            Medium::Water
        } else {
            Medium::Air
        }
    }

    /// The pollution-equivalent value (amount per pollution equivalent).
    pub fn equivalent_value(self) -> f64 {
        self.entry().value
    }

    /// The unit of the amounts of this item.
    pub fn unit(self) -> AmountUnit {
        self.entry().unit
    }

    /// The position in the table, used to break ties.
    pub(crate) fn order(self) -> u8 {
        self.index
    }
}

impl fmt::Display for TaxItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<TaxItem> for &'static str {
    fn from(item: TaxItem) -> Self {
        item.name()
    }
}
