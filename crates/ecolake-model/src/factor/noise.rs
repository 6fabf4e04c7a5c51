//! Table B.3 of HJ 212-2017: noise factor codes, every row as printed, in the standard's
//! order. All are sound levels in dB with data type N3.1; none has a 2005 code or an amount.

use super::u::*;
use super::{Factor, FactorClass};
use crate::Unit;

/// A Table B.3 row.
const fn n(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    code_2005: &'static str,
    unit: Option<Unit>,
    amount: Option<Unit>,
    data_type: &'static str,
) -> Factor {
    Factor::row(
        FactorClass::Noise,
        code,
        zh,
        en,
        code_2005,
        unit,
        amount,
        data_type,
    )
}

/// Table B.3, 12 rows.
#[rustfmt::skip]
pub(super) const ROWS: &[Factor] = &[
    n("LA", "A权声级", "A-weighted sound level", "–", DB, NONE, "N3.1"),
    n("L5", "累计百分声级L5", "percentile level L5", "–", DB, NONE, "N3.1"),
    n("L10", "累计百分声级L10", "percentile level L10", "–", DB, NONE, "N3.1"),
    n("L50", "累计百分声级L50", "percentile level L50", "–", DB, NONE, "N3.1"),
    n("L90", "累计百分声级L90", "percentile level L90", "–", DB, NONE, "N3.1"),
    n("L95", "累计百分声级L95", "percentile level L95", "–", DB, NONE, "N3.1"),
    n("Leq", "等效声级", "equivalent level", "–", DB, NONE, "N3.1"),
    n("Ldn", "昼夜等效声级", "day-night equivalent level", "–", DB, NONE, "N3.1"),
    n("Ld", "昼间等效声级", "daytime equivalent level", "–", DB, NONE, "N3.1"),
    n("Ln", "夜间等效声级", "night-time equivalent level", "–", DB, NONE, "N3.1"),
    n("LMx", "最大的瞬时声级", "max instantaneous level", "–", DB, NONE, "N3.1"),
    n("LMn", "最小的瞬时声级", "min instantaneous level", "–", DB, NONE, "N3.1"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_b3() {
        assert_eq!(ROWS.len(), 12);
        for f in ROWS {
            assert_eq!(f.class, FactorClass::Noise);
            assert_eq!((f.printed_unit, f.amount_unit), (Some(Unit::Decibel), None));
            assert_eq!((f.code_2005, f.data_type), (None, Some("N3.1")));
        }
        let codes: Vec<_> = ROWS.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            ["LA", "L5", "L10", "L50", "L90", "L95", "Leq", "Ldn", "Ld", "Ln", "LMx", "LMn"]
        );
    }
}
