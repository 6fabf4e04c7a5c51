//! The pollution-equivalent values of the Environmental Protection Tax Law's annexed table
//! (应税污染物和当量值表), compiled from `shared/standards/env_tax_pollution_equivalents.csv`
//! (text extracted from the annex PDFs): 44 air pollutants, 10 class I and 51 other water
//! pollutants, the pH / colour / coliform / residual-chlorine rows and the livestock and small
//! sources rows.

use serde::Serialize;

/// The part of the annexed table a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Air pollutants (大气污染物).
    Air,
    /// Class I water pollutants (第一类水污染物).
    WaterClassI,
    /// Other water pollutants (其他类水污染物).
    WaterOther,
    /// pH, colour, coliform count and residual chlorine, per tonne of wastewater (counted with
    /// the other water pollutants).
    WaterPhColourColiform,
    /// Livestock farms, small enterprises and services, per head, bed or tonne, used only when
    /// neither monitoring nor a material balance is possible (counted with the other water
    /// pollutants).
    WaterLivestockSmallSources,
}

impl Category {
    /// Whether the row is a water pollutant.
    pub fn is_water(self) -> bool {
        self != Category::Air
    }
}

/// The unit of the amount a row's equivalent value is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    /// Kilograms emitted.
    Kg,
    /// Tonnes of wastewater.
    TonneWastewater,
    /// Tonnes of water × dilution times (colour).
    TonneWaterTimesDilution,
    /// Head of livestock (cattle, pigs).
    Head,
    /// Birds (poultry).
    Bird,
    /// Hospital beds.
    Bed,
}

/// A row of the annexed table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EquivalentValue {
    /// The part of the table.
    pub category: Category,
    /// The row number within the air or water table (0 for the unnumbered rows).
    pub no: u8,
    /// The pollutant's name, as in ecolake's source table (English; `烟尘` kept).
    pub name: &'static str,
    /// The pollution-equivalent value: the amount that makes one pollution equivalent.
    pub value: f64,
    /// The unit of `value` and of the amounts taxed.
    pub unit: AmountUnit,
}

const fn e(
    category: Category,
    no: u8,
    name: &'static str,
    value: f64,
    unit: AmountUnit,
) -> EquivalentValue {
    EquivalentValue {
        category,
        no,
        name,
        value,
        unit,
    }
}

use AmountUnit::{Bed, Bird, Head, Kg, TonneWastewater, TonneWaterTimesDilution};
use Category::{Air, WaterClassI, WaterLivestockSmallSources, WaterOther, WaterPhColourColiform};

/// Every row: air first, then class I water, other water, pH/colour/coliform, livestock and
/// small sources, each in the annex's order.
pub const TABLE: [EquivalentValue; 121] = [
    e(Air, 1, "SO2", 0.95, Kg),
    e(Air, 2, "NOx", 0.95, Kg),
    e(Air, 3, "CO", 16.7, Kg),
    e(Air, 4, "chlorine", 0.34, Kg),
    e(Air, 5, "hydrogen chloride", 10.75, Kg),
    e(Air, 6, "fluoride", 0.87, Kg),
    e(Air, 7, "hydrogen cyanide", 0.005, Kg),
    e(Air, 8, "sulfuric acid mist", 0.6, Kg),
    e(Air, 9, "chromic acid mist", 0.0007, Kg),
    e(Air, 10, "mercury & compounds", 0.0001, Kg),
    e(Air, 11, "general dust", 4.0, Kg),
    e(Air, 12, "asbestos dust", 0.53, Kg),
    e(Air, 13, "glass wool dust", 2.13, Kg),
    e(Air, 14, "carbon black dust", 0.59, Kg),
    e(Air, 15, "lead & compounds", 0.02, Kg),
    e(Air, 16, "cadmium & compounds", 0.03, Kg),
    e(Air, 17, "beryllium & compounds", 0.0004, Kg),
    e(Air, 18, "nickel & compounds", 0.13, Kg),
    e(Air, 19, "tin & compounds", 0.27, Kg),
    e(Air, 20, "soot/smoke dust (烟尘)", 2.18, Kg),
    e(Air, 21, "benzene", 0.05, Kg),
    e(Air, 22, "toluene", 0.18, Kg),
    e(Air, 23, "xylene", 0.27, Kg),
    e(Air, 24, "benzo(a)pyrene", 2e-06, Kg),
    e(Air, 25, "formaldehyde", 0.09, Kg),
    e(Air, 26, "acetaldehyde", 0.45, Kg),
    e(Air, 27, "acrolein", 0.06, Kg),
    e(Air, 28, "methanol", 0.67, Kg),
    e(Air, 29, "phenols", 0.35, Kg),
    e(Air, 30, "asphalt fume", 0.19, Kg),
    e(Air, 31, "anilines", 0.21, Kg),
    e(Air, 32, "chlorobenzenes", 0.72, Kg),
    e(Air, 33, "nitrobenzene", 0.17, Kg),
    e(Air, 34, "acrylonitrile", 0.22, Kg),
    e(Air, 35, "vinyl chloride", 0.55, Kg),
    e(Air, 36, "phosgene", 0.04, Kg),
    e(Air, 37, "hydrogen sulfide", 0.29, Kg),
    e(Air, 38, "ammonia", 9.09, Kg),
    e(Air, 39, "trimethylamine", 0.32, Kg),
    e(Air, 40, "methyl mercaptan", 0.04, Kg),
    e(Air, 41, "methyl sulfide", 0.28, Kg),
    e(Air, 42, "dimethyl disulfide", 0.28, Kg),
    e(Air, 43, "styrene", 25.0, Kg),
    e(Air, 44, "carbon disulfide", 20.0, Kg),
    e(WaterClassI, 1, "total mercury", 0.0005, Kg),
    e(WaterClassI, 2, "total cadmium", 0.005, Kg),
    e(WaterClassI, 3, "total chromium", 0.04, Kg),
    e(WaterClassI, 4, "chromium(VI)", 0.02, Kg),
    e(WaterClassI, 5, "total arsenic", 0.02, Kg),
    e(WaterClassI, 6, "total lead", 0.025, Kg),
    e(WaterClassI, 7, "total nickel", 0.025, Kg),
    e(WaterClassI, 8, "benzo(a)pyrene", 3e-07, Kg),
    e(WaterClassI, 9, "total beryllium", 0.01, Kg),
    e(WaterClassI, 10, "total silver", 0.02, Kg),
    e(WaterOther, 11, "SS", 4.0, Kg),
    e(WaterOther, 12, "BOD5", 0.5, Kg),
    e(WaterOther, 13, "CODcr", 1.0, Kg),
    e(WaterOther, 14, "TOC", 0.49, Kg),
    e(WaterOther, 15, "petroleum", 0.1, Kg),
    e(WaterOther, 16, "animal/vegetable oil", 0.16, Kg),
    e(WaterOther, 17, "volatile phenol", 0.08, Kg),
    e(WaterOther, 18, "total cyanide", 0.05, Kg),
    e(WaterOther, 19, "sulfide", 0.125, Kg),
    e(WaterOther, 20, "ammonia nitrogen", 0.8, Kg),
    e(WaterOther, 21, "fluoride", 0.5, Kg),
    e(WaterOther, 22, "formaldehyde", 0.125, Kg),
    e(WaterOther, 23, "anilines", 0.2, Kg),
    e(WaterOther, 24, "nitrobenzenes", 0.2, Kg),
    e(WaterOther, 25, "anionic surfactant (LAS)", 0.2, Kg),
    e(WaterOther, 26, "total copper", 0.1, Kg),
    e(WaterOther, 27, "total zinc", 0.2, Kg),
    e(WaterOther, 28, "total manganese", 0.2, Kg),
    e(WaterOther, 29, "colour developer CD-2", 0.2, Kg),
    e(WaterOther, 30, "total phosphorus", 0.25, Kg),
    e(WaterOther, 31, "elemental phosphorus (as P)", 0.05, Kg),
    e(
        WaterOther,
        32,
        "organophosphorus pesticides (as P)",
        0.05,
        Kg,
    ),
    e(WaterOther, 33, "dimethoate", 0.05, Kg),
    e(WaterOther, 34, "methyl parathion", 0.05, Kg),
    e(WaterOther, 35, "malathion", 0.05, Kg),
    e(WaterOther, 36, "parathion", 0.05, Kg),
    e(
        WaterOther,
        37,
        "pentachlorophenol & Na-PCP (as PCP)",
        0.25,
        Kg,
    ),
    e(WaterOther, 38, "trichloromethane", 0.04, Kg),
    e(WaterOther, 39, "AOX (as Cl)", 0.25, Kg),
    e(WaterOther, 40, "carbon tetrachloride", 0.04, Kg),
    e(WaterOther, 41, "trichloroethylene", 0.04, Kg),
    e(WaterOther, 42, "tetrachloroethylene", 0.04, Kg),
    e(WaterOther, 43, "benzene", 0.02, Kg),
    e(WaterOther, 44, "toluene", 0.02, Kg),
    e(WaterOther, 45, "ethylbenzene", 0.02, Kg),
    e(WaterOther, 46, "o-xylene", 0.02, Kg),
    e(WaterOther, 47, "p-xylene", 0.02, Kg),
    e(WaterOther, 48, "m-xylene", 0.02, Kg),
    e(WaterOther, 49, "chlorobenzene", 0.02, Kg),
    e(WaterOther, 50, "o-dichlorobenzene", 0.02, Kg),
    e(WaterOther, 51, "p-dichlorobenzene", 0.02, Kg),
    e(WaterOther, 52, "p-nitrochlorobenzene", 0.02, Kg),
    e(WaterOther, 53, "2,4-dinitrochlorobenzene", 0.02, Kg),
    e(WaterOther, 54, "phenol", 0.02, Kg),
    e(WaterOther, 55, "m-cresol", 0.02, Kg),
    e(WaterOther, 56, "2,4-dichlorophenol", 0.02, Kg),
    e(WaterOther, 57, "2,4,6-trichlorophenol", 0.02, Kg),
    e(WaterOther, 58, "dibutyl phthalate", 0.02, Kg),
    e(WaterOther, 59, "dioctyl phthalate", 0.02, Kg),
    e(WaterOther, 60, "acrylonitrile", 0.125, Kg),
    e(WaterOther, 61, "total selenium", 0.02, Kg),
    e(
        WaterPhColourColiform,
        0,
        "pH 0-1 or 13-14",
        0.06,
        TonneWastewater,
    ),
    e(
        WaterPhColourColiform,
        0,
        "pH 1-2 or 12-13",
        0.125,
        TonneWastewater,
    ),
    e(
        WaterPhColourColiform,
        0,
        "pH 2-3 or 11-12",
        0.25,
        TonneWastewater,
    ),
    e(
        WaterPhColourColiform,
        0,
        "pH 3-4 or 10-11",
        0.5,
        TonneWastewater,
    ),
    e(
        WaterPhColourColiform,
        0,
        "pH 4-5 or 9-10",
        1.0,
        TonneWastewater,
    ),
    e(WaterPhColourColiform, 0, "pH 5-6", 5.0, TonneWastewater),
    e(
        WaterPhColourColiform,
        0,
        "colour",
        5.0,
        TonneWaterTimesDilution,
    ),
    e(
        WaterPhColourColiform,
        0,
        "coliform count (exceeding)",
        3.3,
        TonneWastewater,
    ),
    e(
        WaterPhColourColiform,
        0,
        "residual chlorine (hospital wastewater disinfected with chlorine)",
        3.3,
        TonneWastewater,
    ),
    e(WaterLivestockSmallSources, 0, "cattle", 0.1, Head),
    e(WaterLivestockSmallSources, 0, "pig", 1.0, Head),
    e(
        WaterLivestockSmallSources,
        0,
        "chicken/duck etc.",
        30.0,
        Bird,
    ),
    e(
        WaterLivestockSmallSources,
        0,
        "small enterprise",
        1.8,
        TonneWastewater,
    ),
    e(
        WaterLivestockSmallSources,
        0,
        "catering/entertainment services",
        0.5,
        TonneWastewater,
    ),
    e(
        WaterLivestockSmallSources,
        0,
        "hospital, disinfecting",
        0.14,
        Bed,
    ),
    e(
        WaterLivestockSmallSources,
        0,
        "hospital, not disinfecting",
        0.07,
        Bed,
    ),
];
