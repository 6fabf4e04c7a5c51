//! Factors outside the HJ 212-2017 tables.
//!
//! * O3 `a05024` (臭氧): an HJ 524 code that ambient-air stations send (spec §13: seen in public
//!   code, flash520 and IceCoffee), but Table B.2 does not list it. HJ 212 prints no unit for it;
//!   its unit is µg/m³ as in ambient-air practice (GB 3095).
//! * ecolake extension codes, prefix `x` (no HJ 212 or HJ 524 code starts with `x`), for
//!   meteorological quantities HJ 212 has no code for. They are ecolake's own: a data logger
//!   never sends them; ecolake uses them for values from other sources (weather feeds, manual
//!   entry) so that they live in the same factor vocabulary.
//!
//! Other HJ 524 codes seen in traffic (a34006, a34007, a34047–49, a01030, a06xxx…) are not
//! listed: their names are not in spec.md and are not guessed here.

use super::u::*;
use super::{Factor, FactorClass};

/// The rows outside the standard's tables, 3 rows.
#[rustfmt::skip]
pub(super) const ROWS: &[Factor] = &[
    Factor::row(FactorClass::Gas, "a05024", "臭氧", "ozone (O3)", "–", UG_M3, NONE, "–")
        .note("HJ 524 code, not in HJ 212-2017 Table B.2; used by ambient-air stations. HJ 212 prints no unit: µg/m³ as in ambient-air practice (GB 3095)"),
    // Dew point: an ecolake extension, HJ 212 defines no code for it.
    Factor::row(FactorClass::Extension, "x01001", "露点温度", "dew point", "–", DEGC, NONE, "–")
        .note("ecolake extension: HJ 212 defines no code for dew point"),
    // Precipitation: an ecolake extension, HJ 212 defines no code for it.
    Factor::row(FactorClass::Extension, "x01002", "降水量", "precipitation", "–", MM, NONE, "–")
        .note("ecolake extension: HJ 212 defines no code for precipitation"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;

    #[test]
    fn rows_outside_the_standard() {
        let codes: Vec<_> = ROWS.iter().map(|f| (f.code, f.class)).collect();
        assert_eq!(
            codes,
            [
                ("a05024", FactorClass::Gas),
                ("x01001", FactorClass::Extension),
                ("x01002", FactorClass::Extension),
            ]
        );
        assert!(ROWS
            .iter()
            .all(|f| f.note.is_some() && f.code_2005.is_none()));
        assert_eq!(ROWS[1].printed_unit, Some(Unit::DegreeCelsius));
        assert_eq!(ROWS[2].printed_unit, Some(Unit::Millimetre));
    }
}
