//! Factor codes (监测因子编码): the monitored quantities an HJ 212 message names in its CP data
//! area (`w01018-Rtd=…`), with Chinese and English names, the HJ/T 212-2005 code they replaced,
//! the units and the data type the standard prints, and the canonical unit per [`Medium`].
//!
//! The table holds, one [`Factor`] per code:
//!
//! * every row of HJ 212-2017 Table B.1 (water, from HJ 525-2009), Table B.2 (gas, from HJ
//!   524-2009) and Table B.3 (noise), transcribed as printed ([`water`], [`gas`], [`noise`]);
//! * the information codes (`i`-codes, Tables B.8–B.10) named in spec §7 ([`info`]);
//! * O3 `a05024` (HJ 524, used by ambient-air stations, not in Table B.2) and two ecolake
//!   extension codes, `x01001` dew point and `x01002` precipitation, for which HJ 212 defines
//!   no code ([`extra`]).
//!
//! Process (working-condition) codes `e…`/`g…` carry a 2-digit instance number and are not
//! listed; [`FactorClass::of_code`] still classifies them as [`FactorClass::Process`].
//! Real traffic carries codes that are in no table (other HJ 524 codes, vendor codes such as
//! `O3` or `ele01`): [`Factor::lookup`] returns `None` for them and they must be stored anyway.
//!
//! Units: [`Factor::printed_unit`] is what the standard prints, including the suspect ng/m³ of
//! several ambient items (PM2.5, PM10, TSP, ammonia, methane, As/Cd/Pb/Hg; spec §13);
//! [`Factor::canonical_unit`] is the unit ecolake stores values of the factor in for a medium.
//!
//! ```
//! use ecolake_model::{Factor, FactorClass, Medium, Unit};
//!
//! let cod = Factor::lookup("w01018").unwrap();
//! assert_eq!((cod.name_zh, cod.code_2005), ("化学需氧量", Some("011")));
//! assert_eq!(cod.canonical_unit(Medium::Wastewater), Unit::MilligramPerLitre);
//! let so2 = Factor::from_2005("02", FactorClass::Gas).unwrap();
//! assert_eq!(so2.code, "a21026");
//! ```

mod extra;
mod gas;
mod info;
mod noise;
mod water;

use std::fmt;

use crate::unit::Quantity;
use crate::{Medium, Unit};

/// Which table a factor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorClass {
    /// Water pollutants and parameters, `w` codes (Table B.1, HJ 525).
    Water,
    /// Gas pollutants and parameters, `a` codes (Table B.2, HJ 524), plus HJ 524 codes outside
    /// Table B.2 such as O3 `a05024`.
    Gas,
    /// Noise levels (Table B.3): `LA`, `L5`… `LMn`.
    Noise,
    /// Station information codes `i` + device class + info class + id (Tables B.8–B.10).
    Info,
    /// Process (working-condition) codes: `e` wastewater, `g` flue gas (Tables B.4–B.7).
    Process,
    /// Codes ecolake defines for quantities HJ 212 has no code for (`x` prefix).
    Extension,
}

impl FactorClass {
    /// Every class, in declaration order.
    pub const ALL: [FactorClass; 6] = [
        FactorClass::Water,
        FactorClass::Gas,
        FactorClass::Noise,
        FactorClass::Info,
        FactorClass::Process,
        FactorClass::Extension,
    ];

    /// The snake_case name (`water`, `gas`, `noise`, `info`, `process`, `extension`).
    pub const fn as_str(self) -> &'static str {
        match self {
            FactorClass::Water => "water",
            FactorClass::Gas => "gas",
            FactorClass::Noise => "noise",
            FactorClass::Info => "info",
            FactorClass::Process => "process",
            FactorClass::Extension => "extension",
        }
    }

    /// The class of a code, known or not: the table's class for a listed code, otherwise by
    /// the shape of the code, a prefix letter followed by five ASCII digits: `w` water, `a` gas,
    /// `i` (or `I`, as the standard prints `I33400`) information, `e`/`g` process, `x`
    /// extension. `None` for anything else (`O3`, `ele01`, `ua19004`).
    pub fn of_code(code: &str) -> Option<FactorClass> {
        if let Some(f) = Factor::lookup(code) {
            return Some(f.class);
        }
        let (prefix, rest) = code.split_at_checked(1)?;
        if rest.len() != 5 || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match prefix {
            "w" => Some(FactorClass::Water),
            "a" => Some(FactorClass::Gas),
            "i" | "I" => Some(FactorClass::Info),
            "e" | "g" => Some(FactorClass::Process),
            "x" => Some(FactorClass::Extension),
            _ => None,
        }
    }
}

impl fmt::Display for FactorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One factor code with its names and units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Factor {
    /// The HJ 212-2017 code as sent on the wire, e.g. `"w01018"`, `"a34004"`, `"LA"`.
    pub code: &'static str,
    /// The Chinese name as printed in the standard, e.g. `"化学需氧量"`.
    pub name_zh: &'static str,
    /// An English name, e.g. `"COD (Cr)"`.
    pub name_en: &'static str,
    /// Which table the code comes from.
    pub class: FactorClass,
    /// The HJ/T 212-2005 code (the standard's 原编码 column), e.g. `Some("011")` for COD.
    pub code_2005: Option<&'static str>,
    /// The concentration (or value) unit as printed in the standard; `None` where it prints "–".
    pub printed_unit: Option<Unit>,
    /// The unit of cumulative amounts (`-Cou`) as printed; `None` where it prints "–".
    pub amount_unit: Option<Unit>,
    /// The data type as printed (`"N5.2"`, `"C890"`…, spec §4.1); `None` where it prints "–".
    pub data_type: Option<&'static str>,
    /// Why this row deserves care (suspect printed unit, not in the standard's table…).
    pub note: Option<&'static str>,
}

/// Note on the Table B.2 rows printed with 纳克/立方米.
const NG_AS_PRINTED: &str =
    "Table B.2 prints 纳克/立方米 (ng/m³); spec §13 treats this as suspect: \
     ambient-air practice and GB 3095 use µg/m³, which is the canonical unit";

impl Factor {
    /// A table row; `"–"` (or `""`) in `code_2005` and `data_type` means "not printed".
    #[allow(clippy::too_many_arguments)]
    const fn row(
        class: FactorClass,
        code: &'static str,
        name_zh: &'static str,
        name_en: &'static str,
        code_2005: &'static str,
        printed_unit: Option<Unit>,
        amount_unit: Option<Unit>,
        data_type: &'static str,
    ) -> Factor {
        Factor {
            code,
            name_zh,
            name_en,
            class,
            code_2005: printed(code_2005),
            printed_unit,
            amount_unit,
            data_type: printed(data_type),
            note: None,
        }
    }

    /// The same row with a note.
    const fn note(self, note: &'static str) -> Factor {
        Factor {
            note: Some(note),
            ..self
        }
    }

    /// The factor with this exact (case-sensitive) code, by binary search over the sorted table.
    pub fn lookup(code: &str) -> Option<&'static Factor> {
        ALL.binary_search_by(|f| f.code.cmp(code))
            .ok()
            .map(|i| &ALL[i])
    }

    /// Every factor, sorted by code (byte order: noise `L…` codes first, then `a`, `i`, `w`, `x`).
    pub fn all() -> &'static [Factor] {
        &ALL
    }

    /// The factors of one class, in code order.
    pub fn of_class(class: FactorClass) -> impl Iterator<Item = &'static Factor> {
        ALL.iter().filter(move |f| f.class == class)
    }

    /// Map an HJ/T 212-2005 code (the standard's 原编码 column) to the 2017 factor.
    ///
    /// The 2005 water codes (`B01`, `001`, `011`…) and gas codes (`B02`, `01`, `S01`…) come from
    /// two separate tables and a 2005 packet does not say which one a code belongs to; vendors
    /// reuse them loosely. So the caller says which table applies (typically from the packet's
    /// ST: 32 wastewater → [`FactorClass::Water`], 31 stack gas → [`FactorClass::Gas`]):
    /// `("011", Water)` is COD `w01018`, `("02", Gas)` is SO2 `a21026`. Exact, case-sensitive
    /// match; `None` for an unknown code and for classes without 2005 codes.
    pub fn from_2005(code: &str, class: FactorClass) -> Option<&'static Factor> {
        ALL.iter()
            .find(|f| f.class == class && f.code_2005 == Some(code))
    }

    /// The canonical unit of values of this factor measured in `medium`:
    ///
    /// * mass concentrations in ambient air: µg/m³, except CO, CO2, methane and the hydrocarbons
    ///   (`a21005`, `a05001`, `a05002`, `a24087`, `a24088`) in mg/m³;
    /// * mass concentrations in stack (flue) gas: mg/m³;
    /// * mass concentrations in any water (surface, ground, sea, waste): mg/L;
    /// * everything else (pH, temperature, pressure, flow, wind, humidity, noise dB, counts,
    ///   radioactivity…) keeps its printed unit; a factor without a printed unit (pH,
    ///   Ringelmann blackness, log and parameter `i`-codes) gets [`Unit::Dimensionless`].
    ///
    /// A concentration whose printed unit does not fit the medium (a water factor at a stack, a
    /// gas factor in noise) keeps its printed unit: units never change medium. The known erratum
    /// of Table B.10 (station-house humidity `i33102` printed in °C) is corrected to %.
    pub fn canonical_unit(&self, medium: Medium) -> Unit {
        if self.code == "i33102" {
            return Unit::Percent;
        }
        let Some(printed) = self.printed_unit else {
            return Unit::Dimensionless;
        };
        match (printed.quantity(), medium) {
            // Ambient CO (GB 3095) and the hydrocarbons and CO2 (HJ 604 and station practice)
            // are reported in mg/m³; the other ambient pollutants in µg/m³.
            (Quantity::MassConcentrationAir, Medium::AmbientAir)
                if AMBIENT_MG_PER_M3.contains(&self.code) =>
            {
                Unit::MilligramPerCubicMetre
            }
            (Quantity::MassConcentrationAir, Medium::AmbientAir) => Unit::MicrogramPerCubicMetre,
            (Quantity::MassConcentrationAir, Medium::StackGas) => Unit::MilligramPerCubicMetre,
            (Quantity::MassConcentrationWater, m) if m.is_water() => Unit::MilligramPerLitre,
            _ => printed,
        }
    }
}

impl fmt::Display for Factor {
    /// `code name_zh (name_en)`, e.g. `w01018 化学需氧量 (COD (Cr))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.code, self.name_zh, self.name_en)
    }
}

/// Ambient-air factors whose canonical unit is mg/m³: CO, CO2, methane, total hydrocarbons,
/// non-methane hydrocarbons.
const AMBIENT_MG_PER_M3: [&str; 5] = ["a21005", "a05001", "a05002", "a24087", "a24088"];

/// `None` for the "not printed" dash `–` (or an empty string).
const fn printed(s: &'static str) -> Option<&'static str> {
    if s.is_empty() || bytes_cmp(s.as_bytes(), "–".as_bytes()) == 0 {
        None
    } else {
        Some(s)
    }
}

/// Byte-wise comparison usable in const context, the same order as `str`'s `Ord`.
const fn bytes_cmp(a: &[u8], b: &[u8]) -> i8 {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] < b[i] {
            return -1;
        }
        if a[i] > b[i] {
            return 1;
        }
        i += 1;
    }
    if a.len() < b.len() {
        -1
    } else if a.len() > b.len() {
        1
    } else {
        0
    }
}

/// Concatenate the tables and sort them by code at compile time; a duplicate code fails the
/// build.
const fn build<const N: usize>(parts: &[&[Factor]]) -> [Factor; N] {
    let mut out = [parts[0][0]; N];
    let mut k = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[k] = parts[p][i];
            k += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(k == N, "factor table length mismatch");
    // Insertion sort: a few hundred rows, once, at compile time.
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && bytes_cmp(out[j - 1].code.as_bytes(), out[j].code.as_bytes()) > 0 {
            let t = out[j - 1];
            out[j - 1] = out[j];
            out[j] = t;
            j -= 1;
        }
        i += 1;
    }
    let mut i = 1;
    while i < N {
        assert!(
            bytes_cmp(out[i - 1].code.as_bytes(), out[i].code.as_bytes()) < 0,
            "duplicate factor code"
        );
        i += 1;
    }
    out
}

const PARTS: &[&[Factor]] = &[water::ROWS, gas::ROWS, noise::ROWS, info::ROWS, extra::ROWS];
const COUNT: usize =
    water::ROWS.len() + gas::ROWS.len() + noise::ROWS.len() + info::ROWS.len() + extra::ROWS.len();
/// All factors, sorted by code.
static ALL: [Factor; COUNT] = build(PARTS);

/// Short names for the units of the table rows.
mod u {
    use crate::Unit;

    pub(super) const NONE: Option<Unit> = None;
    pub(super) const ONE: Option<Unit> = Some(Unit::Dimensionless);
    pub(super) const MG_M3: Option<Unit> = Some(Unit::MilligramPerCubicMetre);
    pub(super) const UG_M3: Option<Unit> = Some(Unit::MicrogramPerCubicMetre);
    pub(super) const NG_M3: Option<Unit> = Some(Unit::NanogramPerCubicMetre);
    pub(super) const MG_L: Option<Unit> = Some(Unit::MilligramPerLitre);
    pub(super) const UG_L: Option<Unit> = Some(Unit::MicrogramPerLitre);
    pub(super) const NG_L: Option<Unit> = Some(Unit::NanogramPerLitre);
    pub(super) const L_S: Option<Unit> = Some(Unit::LitrePerSecond);
    pub(super) const M3_S: Option<Unit> = Some(Unit::CubicMetrePerSecond);
    pub(super) const M3: Option<Unit> = Some(Unit::CubicMetre);
    pub(super) const KG: Option<Unit> = Some(Unit::Kilogram);
    pub(super) const G: Option<Unit> = Some(Unit::Gram);
    pub(super) const MG: Option<Unit> = Some(Unit::Milligram);
    pub(super) const DEGC: Option<Unit> = Some(Unit::DegreeCelsius);
    pub(super) const PCT: Option<Unit> = Some(Unit::Percent);
    pub(super) const KPA: Option<Unit> = Some(Unit::Kilopascal);
    pub(super) const M_S: Option<Unit> = Some(Unit::MetrePerSecond);
    pub(super) const DEG: Option<Unit> = Some(Unit::Degree);
    pub(super) const DB: Option<Unit> = Some(Unit::Decibel);
    pub(super) const BQ_L: Option<Unit> = Some(Unit::BecquerelPerLitre);
    pub(super) const US_CM: Option<Unit> = Some(Unit::MicrosiemensPerCentimetre);
    pub(super) const COUNT_L: Option<Unit> = Some(Unit::CountPerLitre);
    pub(super) const COLOUR: Option<Unit> = Some(Unit::ColourDegree);
    pub(super) const M2: Option<Unit> = Some(Unit::SquareMetre);
    pub(super) const DUSTFALL: Option<Unit> = Some(Unit::TonnePerSquareKilometreMonth);
    pub(super) const MM: Option<Unit> = Some(Unit::Millimetre);
    pub(super) const MIN: Option<Unit> = Some(Unit::Minute);
    pub(super) const SEC: Option<Unit> = Some(Unit::Second);
    pub(super) const VOLT: Option<Unit> = Some(Unit::Volt);
    pub(super) const AMP: Option<Unit> = Some(Unit::Ampere);
    pub(super) const KWH: Option<Unit> = Some(Unit::KilowattHour);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_without_duplicates() {
        for w in Factor::all().windows(2) {
            assert!(w[0].code < w[1].code, "{} !< {}", w[0].code, w[1].code);
        }
        for f in Factor::all() {
            assert_eq!(Factor::lookup(f.code), Some(f));
        }
    }

    #[test]
    fn rows_per_class_match_the_spec_tables() {
        // Counted from /work/shared/hj212/spec.md with a script that splits §13.1, §13.2 and
        // §13.3 and counts the markdown table lines starting with "| " minus the header line:
        // Table B.1 water 63, Table B.2 gas 121, Table B.3 noise 12.
        // Gas adds O3 a05024 (not in Table B.2). Info: the 33 i-codes listed in spec §7
        // (i11001, i12001–3, i13001–9, i21001, i22001–3, i22101, i23001, i31001, i32001,
        // i33001–2, i33101–7, i33200–2). Extension: x01001, x01002.
        let count = |c| Factor::of_class(c).count();
        assert_eq!(count(FactorClass::Water), 63);
        assert_eq!(count(FactorClass::Gas), 121 + 1);
        assert_eq!(count(FactorClass::Noise), 12);
        assert_eq!(count(FactorClass::Info), 33);
        assert_eq!(count(FactorClass::Process), 0);
        assert_eq!(count(FactorClass::Extension), 2);
        assert_eq!(Factor::all().len(), 63 + 122 + 12 + 33 + 2);
        assert_eq!(water::ROWS.len(), 63);
        assert_eq!(gas::ROWS.len(), 121);
        assert_eq!(noise::ROWS.len(), 12);
    }

    #[test]
    fn rows_checked_against_the_spec_text() {
        let cod = Factor::lookup("w01018").unwrap();
        assert_eq!(
            *cod,
            Factor {
                code: "w01018",
                name_zh: "化学需氧量",
                name_en: "COD (Cr)",
                class: FactorClass::Water,
                code_2005: Some("011"),
                printed_unit: Some(Unit::MilligramPerLitre),
                amount_unit: Some(Unit::Kilogram),
                data_type: Some("N5.1"),
                note: None,
            }
        );
        let so2 = Factor::lookup("a21026").unwrap();
        assert_eq!((so2.name_zh, so2.name_en), ("二氧化硫", "SO2"));
        assert_eq!(so2.code_2005, Some("02"));
        assert_eq!(so2.printed_unit, Some(Unit::MilligramPerCubicMetre));
        assert_eq!(so2.data_type, Some("N5.2"));
        let la = Factor::lookup("LA").unwrap();
        assert_eq!((la.name_zh, la.class), ("A权声级", FactorClass::Noise));
        assert_eq!(
            (la.printed_unit, la.amount_unit),
            (Some(Unit::Decibel), None)
        );
        assert_eq!(la.data_type, Some("N3.1"));
        let pm25 = Factor::lookup("a34004").unwrap();
        assert_eq!(pm25.printed_unit, Some(Unit::NanogramPerCubicMetre));
        assert_eq!(pm25.amount_unit, Some(Unit::Gram));
        assert!(pm25.note.is_some());
        let hg = Factor::lookup("w20111").unwrap();
        assert_eq!((hg.name_zh, hg.code_2005), ("总汞", Some("020")));
        assert_eq!(
            (hg.printed_unit, hg.amount_unit),
            (Some(Unit::MicrogramPerLitre), Some(Unit::Gram))
        );
        let ph = Factor::lookup("w01001").unwrap();
        assert_eq!(
            (ph.printed_unit, ph.amount_unit, ph.data_type),
            (None, None, Some("N2.2"))
        );
        let dust = Factor::lookup("a34011").unwrap();
        assert_eq!(dust.printed_unit, Some(Unit::TonnePerSquareKilometreMonth));
        assert_eq!(dust.data_type, None);
        let o3 = Factor::lookup("a05024").unwrap();
        assert_eq!(
            (o3.name_zh, o3.class, o3.code_2005),
            ("臭氧", FactorClass::Gas, None)
        );
        assert!(o3.note.unwrap().contains("not in"));
        assert_eq!(Factor::lookup("la"), None, "lookup is case-sensitive");
        assert_eq!(Factor::lookup("a34006"), None);
        assert_eq!(Factor::lookup(""), None);
    }

    #[test]
    fn codes_from_2005() {
        let water = |c| Factor::from_2005(c, FactorClass::Water).map(|f| f.code);
        let gas = |c| Factor::from_2005(c, FactorClass::Gas).map(|f| f.code);
        assert_eq!(water("B01"), Some("w00000"));
        assert_eq!(water("001"), Some("w01001"));
        assert_eq!(water("011"), Some("w01018"));
        assert_eq!(water("060"), Some("w21003"));
        assert_eq!(water("065"), Some("w21001"));
        assert_eq!(water("101"), Some("w21011"));
        assert_eq!(gas("01"), Some("a34013"));
        assert_eq!(gas("02"), Some("a21026"));
        assert_eq!(gas("03"), Some("a21002"));
        assert_eq!(gas("S01"), Some("a19001"));
        assert_eq!(gas("S08"), Some("a01013"));
        assert_eq!(gas("B02"), Some("a00000"));
        assert_eq!(water("02"), None);
        assert_eq!(gas("011"), None);
        assert_eq!(Factor::from_2005("B01", FactorClass::Noise), None);
        // Every printed 2005 code maps back to its row: 2005 codes are unique per table
        // (48 in Table B.1, 45 in Table B.2).
        let mut n = [0; 2];
        for f in Factor::all() {
            if let Some(c) = f.code_2005 {
                assert_eq!(Factor::from_2005(c, f.class), Some(f));
                n[usize::from(f.class == FactorClass::Gas)] += 1;
            }
        }
        assert_eq!(n, [48, 45]);
    }

    #[test]
    fn canonical_units() {
        let unit = |code, m| Factor::lookup(code).unwrap().canonical_unit(m);
        assert_eq!(
            unit("a34004", Medium::AmbientAir),
            Unit::MicrogramPerCubicMetre
        );
        assert_eq!(
            unit("a34004", Medium::StackGas),
            Unit::MilligramPerCubicMetre
        );
        assert_eq!(
            unit("a21005", Medium::AmbientAir),
            Unit::MilligramPerCubicMetre
        );
        assert_eq!(
            unit("a21026", Medium::AmbientAir),
            Unit::MicrogramPerCubicMetre
        );
        assert_eq!(
            unit("a24088", Medium::AmbientAir),
            Unit::MilligramPerCubicMetre,
            "NMHC"
        );
        assert_eq!(
            unit("a21026", Medium::StackGas),
            Unit::MilligramPerCubicMetre
        );
        assert_eq!(
            unit("a05024", Medium::AmbientAir),
            Unit::MicrogramPerCubicMetre
        );
        assert_eq!(
            unit("w20111", Medium::SurfaceWater),
            Unit::MilligramPerLitre
        );
        assert_eq!(
            Factor::lookup("w20111").unwrap().printed_unit,
            Some(Unit::MicrogramPerLitre)
        );
        assert_eq!(unit("w20089", Medium::Groundwater), Unit::MilligramPerLitre);
        assert_eq!(unit("w01018", Medium::Wastewater), Unit::MilligramPerLitre);
        assert_eq!(unit("w01018", Medium::StackGas), Unit::MilligramPerLitre);
        assert_eq!(unit("w01001", Medium::SurfaceWater), Unit::Dimensionless);
        assert_eq!(unit("w01010", Medium::Seawater), Unit::DegreeCelsius);
        assert_eq!(unit("w02003", Medium::SurfaceWater), Unit::CountPerLitre);
        assert_eq!(unit("w00000", Medium::Wastewater), Unit::LitrePerSecond);
        assert_eq!(unit("a00000", Medium::StackGas), Unit::CubicMetrePerSecond);
        assert_eq!(unit("a01006", Medium::AmbientAir), Unit::Kilopascal);
        assert_eq!(unit("a19001", Medium::StackGas), Unit::Percent);
        assert_eq!(unit("a01010", Medium::StackGas), Unit::Dimensionless);
        assert_eq!(unit("LA", Medium::Noise), Unit::Decibel);
        assert_eq!(unit("i33102", Medium::Wastewater), Unit::Percent);
        assert_eq!(unit("i11001", Medium::Wastewater), Unit::Dimensionless);
        assert_eq!(unit("x01002", Medium::AmbientAir), Unit::Millimetre);
        // CO converts from what a station may send into its canonical unit.
        let co = unit("a21005", Medium::AmbientAir);
        assert_eq!(
            Unit::convert(1000.0, Unit::MicrogramPerCubicMetre, co),
            Some(1.0)
        );
    }

    #[test]
    fn classes_of_codes() {
        assert_eq!(FactorClass::of_code("w01018"), Some(FactorClass::Water));
        assert_eq!(FactorClass::of_code("w99999"), Some(FactorClass::Water));
        assert_eq!(FactorClass::of_code("a34006"), Some(FactorClass::Gas));
        assert_eq!(FactorClass::of_code("Leq"), Some(FactorClass::Noise));
        assert_eq!(FactorClass::of_code("i33311"), Some(FactorClass::Info));
        assert_eq!(FactorClass::of_code("I33400"), Some(FactorClass::Info));
        assert_eq!(FactorClass::of_code("e10101"), Some(FactorClass::Process));
        assert_eq!(FactorClass::of_code("g12701"), Some(FactorClass::Process));
        assert_eq!(FactorClass::of_code("x01001"), Some(FactorClass::Extension));
        for bad in [
            "O3", "ele01", "ua19004", "a3400", "a340041", "w0101x", "", "é1234",
        ] {
            assert_eq!(FactorClass::of_code(bad), None, "{bad}");
        }
        for c in FactorClass::ALL {
            assert_eq!(c.to_string(), c.as_str());
        }
    }

    #[test]
    fn row_shapes() {
        for f in Factor::all() {
            assert!(!f.name_zh.is_empty() && !f.name_en.is_empty(), "{}", f.code);
            assert_ne!(f.code_2005, Some("–"));
            if let Some(t) = f.data_type {
                let ok = t == "YYYYMMDDhhmmss"
                    || ((t.starts_with('N') || t.starts_with('C'))
                        && t[1..]
                            .split('.')
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
                assert!(ok, "{}: data type {t}", f.code);
            }
            if f.class != FactorClass::Noise {
                assert_eq!(FactorClass::of_code(f.code), Some(f.class), "{}", f.code);
                assert_eq!(f.code.len(), 6, "{}", f.code);
            }
        }
        assert_eq!(
            Factor::lookup("w01018").unwrap().to_string(),
            "w01018 化学需氧量 (COD (Cr))"
        );
    }
}
