//! `water_class(factor, value [, waterbody])` → `Utf8` `I`, `II`, `III`, `IV`, `V` or `劣V`: the
//! GB 3838-2002 class of one value (`ecolake_standards::water::classify`).
//!
//! Factors are the standards crate's names (`ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f,
//! se, as, hg, cd, cr6, pb, cn, phenol, oil, las, s2, fecal_coliform`, any case) or the HJ 212
//! codes ecolake stores them under ([`WATER_CODES`]); values in mg/L (pH dimensionless, fecal
//! coliform per litre), the canonical unit of water factors in ecolake. The water body is
//! `river` (default) or `lake` (`reservoir`): it selects the TP limits and whether TN is
//! classified. NULL for NULL values, negative or non-finite values, a pH outside 0–14, and TN
//! in a river (not evaluated).

use std::sync::Arc;

use arrow::array::{AsArray, StringArray};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use ecolake_standards::water::{classify, Factor, Waterbody};

use super::args::{arity, names, number, rows, text, Keys};

/// The HJ 212-2017 codes (Table B.1, `ecolake_model::Factor`) of the GB 3838-2002 basic items;
/// for the metals both the "total" code (总铜 `w20122`) and the plain one (铜 `w20138`).
pub(super) const WATER_CODES: [(&str, Factor); 30] = [
    ("w01001", Factor::Ph),
    ("w01009", Factor::Do),
    ("w01019", Factor::CodMn),
    ("w01018", Factor::Cod),
    ("w01017", Factor::Bod5),
    ("w21003", Factor::Nh3n),
    ("w21011", Factor::Tp),
    ("w21001", Factor::Tn),
    ("w20122", Factor::Cu),
    ("w20123", Factor::Zn),
    ("w21017", Factor::F),
    ("w20128", Factor::Se),
    ("w20119", Factor::As),
    ("w20111", Factor::Hg),
    ("w20115", Factor::Cd),
    ("w20117", Factor::Cr6),
    ("w20120", Factor::Pb),
    ("w21016", Factor::Cn),
    ("w23002", Factor::Phenol),
    ("w22001", Factor::Oil),
    ("w19002", Factor::Las),
    ("w21019", Factor::S2),
    ("w02003", Factor::FecalColiform),
    ("w20138", Factor::Cu),
    ("w20139", Factor::Zn),
    ("w20140", Factor::Se),
    ("w20141", Factor::As),
    ("w20142", Factor::Hg),
    ("w20143", Factor::Cd),
    ("w20144", Factor::Pb),
];

/// A factor by its name or HJ 212 code.
fn factor(name: &str) -> Option<Factor> {
    let name = name.trim();
    WATER_CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
        .or_else(|| name.parse().ok())
}

/// `water_class`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct WaterClass {
    signature: Signature,
}

impl WaterClass {
    pub(super) fn new() -> Self {
        WaterClass {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for WaterClass {
    fn name(&self) -> &str {
        "water_class"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let f = self.name();
        arity(arg_types, f, (2, 3))?;
        let mut out = vec![
            text(&arg_types[0], f, "the factor")?,
            number(&arg_types[1], f, "the value")?,
        ];
        if let Some(dt) = arg_types.get(2) {
            out.push(text(dt, f, "the water body")?);
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let f = self.name();
        let n = rows(&args.args, args.number_rows);
        let factors = names(&args.args[0], f, "water factor", factor)?;
        let bodies = match args.args.get(2) {
            Some(arg) => names(arg, f, "water body (river, lake)", |s| {
                s.parse::<Waterbody>().ok()
            })?,
            None => Keys::Const(Some(Waterbody::River)),
        };
        let values = super::args::floats(&args.args[1], n)?;
        let values = values.as_primitive::<Float64Type>();
        let out: StringArray = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let class = classify(factors.get(i)?, v?, bodies.get(i)?).ok()??;
                Some(class.name())
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_models_water_factors() {
        for (code, f) in WATER_CODES {
            assert!(ecolake_model::Factor::lookup(code).is_some(), "{code}");
            assert_eq!(factor(code), Some(f));
            assert_eq!(factor(f.name()), Some(f));
        }
        for f in Factor::ALL {
            assert_eq!(factor(f.name()), Some(f));
        }
        assert_eq!(factor("NH3N"), Some(Factor::Nh3n));
        assert_eq!(factor("w01010"), None); // water temperature
    }
}
