//! The Environmental Protection Tax (环境保护税) on air and water pollutants: pollution
//! equivalents, the per-outlet top-N rule, local rates within the legal ranges, and the
//! concentration-based reductions.
//!
//! * [`TaxItem`]: a row of the law's annexed table ([`TABLE`]: 44 air, 10 class I water,
//!   51 other water pollutants, pH/colour/coliform/residual chlorine, livestock and small
//!   sources), found by medium and name.
//! * [`outlet_tax`]: equivalents = amount (kg) / equivalent value (Art. 8); per outlet the top 3
//!   air, top 5 class I water and top 3 other water pollutants by equivalents (Art. 9); one of
//!   COD/BOD5/TOC; tax = equivalents × rate (Art. 11), the rate within 1.2–12 (air) or 1.4–14
//!   (water) CNY per equivalent; 75 % when the concentration is at least 30 % below the
//!   standard, 50 % when at least 50 % below (Art. 13).
//!
//! Amounts and taxes are not rounded. Solid waste and noise are not covered.
//!
//! ```
//! use ecolake_standards::tax::{outlet_tax, Discharge, Medium, TaxItem};
//!
//! let so2 = Discharge { item: TaxItem::find(Medium::Air, "SO2")?, amount: 95.0, concentration: None };
//! let tax = outlet_tax(Medium::Air, 1.2, &[so2])?;
//! // 95 kg / 0.95 kg = 100 equivalents × 1.2 CNY = 120 CNY.
//! assert!((tax.tax_cny - 120.0).abs() < 1e-9);
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

mod item;
mod outlet;
mod table;

pub use item::{Medium, TaxItem};
pub use outlet::{
    check_rate, outlet_tax, outlet_tax_with, Concentration, Discharge, ItemTax, NotTaxed,
    OutletTax, Reduction, TopN, AIR_RATE_RANGE, WATER_RATE_RANGE,
};
pub use table::{AmountUnit, Category, EquivalentValue, TABLE};
