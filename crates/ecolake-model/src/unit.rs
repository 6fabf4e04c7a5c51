//! Units of measurement: every unit printed in the HJ 212-2017 factor tables (Appendix B), the
//! units of the information codes, and the few more ecolake needs (µg/m³ for ambient air, hPa, mm).
//!
//! A [`Unit`] displays as its Unicode symbol (`µg/m³`, `°C`, with U+00B5 MICRO SIGN) and parses
//! from that symbol or an ASCII spelling (`ug/m3`, `degC`, `m3/s`). Values convert between
//! commensurable units only: mass concentration in air (ng/µg/mg/g per m³), mass concentration in
//! water (ng/µg/mg per L), pressure (Pa/hPa/kPa), mass (mg/g/kg/t), volume (L/m³), volume flow
//! (L/s, m³/s, m³/h) and time (s/min/h). Mass concentrations in air and in water are deliberately
//! not commensurable with each other: a value never changes medium by unit conversion.
//!
//! ```
//! use ecolake_model::Unit;
//!
//! let ug: Unit = "ug/m3".parse().unwrap();
//! assert_eq!(ug.symbol(), "µg/m³");
//! assert_eq!(Unit::convert(1000.0, ug, Unit::MilligramPerCubicMetre), Some(1.0));
//! assert_eq!(Unit::convert(1.0, Unit::MilligramPerLitre, Unit::MilligramPerCubicMetre), None);
//! ```

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A unit of measurement of a factor value or amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// mg/m³ — mass concentration in air or flue gas.
    MilligramPerCubicMetre,
    /// µg/m³ — mass concentration in ambient air.
    MicrogramPerCubicMetre,
    /// ng/m³ — mass concentration in air (printed by Table B.2 for several ambient items).
    NanogramPerCubicMetre,
    /// g/m³ — mass concentration in air.
    GramPerCubicMetre,
    /// mg/L — mass concentration in water.
    MilligramPerLitre,
    /// µg/L — mass concentration in water.
    MicrogramPerLitre,
    /// ng/L — mass concentration in water.
    NanogramPerLitre,
    /// L/s — volume flow (wastewater flow, w00000).
    LitrePerSecond,
    /// m³/s — volume flow (flue gas flow, a00000).
    CubicMetrePerSecond,
    /// m³/h — volume flow (common on flue-gas displays).
    CubicMetrePerHour,
    /// m³ — volume (cumulative flow amounts).
    CubicMetre,
    /// L — volume.
    Litre,
    /// t — mass (tonne).
    Tonne,
    /// kg — mass (emission amounts).
    Kilogram,
    /// g — mass (emission amounts of trace pollutants).
    Gram,
    /// mg — mass (emission amounts of ultra-trace pollutants).
    Milligram,
    /// °C — temperature.
    DegreeCelsius,
    /// % — humidity, O2 content, load.
    Percent,
    /// Pa — pressure.
    Pascal,
    /// hPa — pressure (meteorology).
    Hectopascal,
    /// kPa — pressure (the standard's unit for air and flue-gas pressure).
    Kilopascal,
    /// m/s — speed (wind, flue-gas velocity).
    MetrePerSecond,
    /// ° — plane angle (wind direction).
    Degree,
    /// dB — sound level.
    Decibel,
    /// Bq/L — radioactivity in water.
    BecquerelPerLitre,
    /// µS/cm — electrical conductivity.
    MicrosiemensPerCentimetre,
    /// count/L — bacteria (个/L).
    CountPerLitre,
    /// Colour degree (色度 度, platinum-cobalt scale) of water.
    ColourDegree,
    /// m² — area (duct cross-section).
    SquareMetre,
    /// t/(km²·month) — dustfall deposition.
    TonnePerSquareKilometreMonth,
    /// mm — length (precipitation).
    Millimetre,
    /// h — time.
    Hour,
    /// min — time.
    Minute,
    /// s — time.
    Second,
    /// V — voltage.
    Volt,
    /// A — electric current.
    Ampere,
    /// kWh — electric energy.
    KilowattHour,
    /// No unit (pH, Ringelmann blackness, state codes; 无量纲). Its symbol is the empty string.
    Dimensionless,
}

/// What a unit measures; units of the same quantity convert into each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    MassConcentrationAir,
    MassConcentrationWater,
    VolumeFlow,
    Volume,
    Mass,
    Pressure,
    Time,
    Other(Unit),
}

impl Unit {
    /// Every unit, in declaration order.
    pub const ALL: [Unit; 38] = [
        Unit::MilligramPerCubicMetre,
        Unit::MicrogramPerCubicMetre,
        Unit::NanogramPerCubicMetre,
        Unit::GramPerCubicMetre,
        Unit::MilligramPerLitre,
        Unit::MicrogramPerLitre,
        Unit::NanogramPerLitre,
        Unit::LitrePerSecond,
        Unit::CubicMetrePerSecond,
        Unit::CubicMetrePerHour,
        Unit::CubicMetre,
        Unit::Litre,
        Unit::Tonne,
        Unit::Kilogram,
        Unit::Gram,
        Unit::Milligram,
        Unit::DegreeCelsius,
        Unit::Percent,
        Unit::Pascal,
        Unit::Hectopascal,
        Unit::Kilopascal,
        Unit::MetrePerSecond,
        Unit::Degree,
        Unit::Decibel,
        Unit::BecquerelPerLitre,
        Unit::MicrosiemensPerCentimetre,
        Unit::CountPerLitre,
        Unit::ColourDegree,
        Unit::SquareMetre,
        Unit::TonnePerSquareKilometreMonth,
        Unit::Millimetre,
        Unit::Hour,
        Unit::Minute,
        Unit::Second,
        Unit::Volt,
        Unit::Ampere,
        Unit::KilowattHour,
        Unit::Dimensionless,
    ];

    /// The Unicode symbol (`µg/m³` with U+00B5, `°C`, `t/(km²·month)`); empty for
    /// [`Unit::Dimensionless`].
    pub const fn symbol(self) -> &'static str {
        match self {
            Unit::MilligramPerCubicMetre => "mg/m³",
            Unit::MicrogramPerCubicMetre => "µg/m³",
            Unit::NanogramPerCubicMetre => "ng/m³",
            Unit::GramPerCubicMetre => "g/m³",
            Unit::MilligramPerLitre => "mg/L",
            Unit::MicrogramPerLitre => "µg/L",
            Unit::NanogramPerLitre => "ng/L",
            Unit::LitrePerSecond => "L/s",
            Unit::CubicMetrePerSecond => "m³/s",
            Unit::CubicMetrePerHour => "m³/h",
            Unit::CubicMetre => "m³",
            Unit::Litre => "L",
            Unit::Tonne => "t",
            Unit::Kilogram => "kg",
            Unit::Gram => "g",
            Unit::Milligram => "mg",
            Unit::DegreeCelsius => "°C",
            Unit::Percent => "%",
            Unit::Pascal => "Pa",
            Unit::Hectopascal => "hPa",
            Unit::Kilopascal => "kPa",
            Unit::MetrePerSecond => "m/s",
            Unit::Degree => "°",
            Unit::Decibel => "dB",
            Unit::BecquerelPerLitre => "Bq/L",
            Unit::MicrosiemensPerCentimetre => "µS/cm",
            Unit::CountPerLitre => "count/L",
            Unit::ColourDegree => "colour deg",
            Unit::SquareMetre => "m²",
            Unit::TonnePerSquareKilometreMonth => "t/(km²·month)",
            Unit::Millimetre => "mm",
            Unit::Hour => "h",
            Unit::Minute => "min",
            Unit::Second => "s",
            Unit::Volt => "V",
            Unit::Ampere => "A",
            Unit::KilowattHour => "kWh",
            Unit::Dimensionless => "",
        }
    }

    /// Other spellings [`FromStr`] accepts besides the symbol: ASCII, Greek mu (U+03BC), the
    /// Chinese or vendor spellings seen in configuration files.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Unit::MilligramPerCubicMetre => &["mg/m3", "mg/Nm3", "mg/Nm³"],
            Unit::MicrogramPerCubicMetre => &["ug/m3", "μg/m³", "μg/m3", "µg/m3"],
            Unit::NanogramPerCubicMetre => &["ng/m3"],
            Unit::GramPerCubicMetre => &["g/m3"],
            Unit::MilligramPerLitre => &["mg/l"],
            Unit::MicrogramPerLitre => &["ug/L", "ug/l", "μg/L", "µg/l", "μg/l"],
            Unit::NanogramPerLitre => &["ng/l"],
            Unit::LitrePerSecond => &["l/s"],
            Unit::CubicMetrePerSecond => &["m3/s"],
            Unit::CubicMetrePerHour => &["m3/h"],
            Unit::CubicMetre => &["m3"],
            Unit::Litre => &["l"],
            Unit::Tonne => &[],
            Unit::Kilogram => &[],
            Unit::Gram => &[],
            Unit::Milligram => &[],
            Unit::DegreeCelsius => &["degC", "℃"],
            Unit::Percent => &[],
            Unit::Pascal => &[],
            Unit::Hectopascal => &[],
            Unit::Kilopascal => &["KPa"],
            Unit::MetrePerSecond => &[],
            Unit::Degree => &["deg"],
            Unit::Decibel => &["dB(A)", "dBA"],
            Unit::BecquerelPerLitre => &[],
            Unit::MicrosiemensPerCentimetre => &["uS/cm", "μS/cm"],
            Unit::CountPerLitre => &["个/L"],
            Unit::ColourDegree => &["colour_deg", "度"],
            Unit::SquareMetre => &["m2"],
            Unit::TonnePerSquareKilometreMonth => &["t/(km2.month)", "t/(km2*month)"],
            Unit::Millimetre => &[],
            Unit::Hour => &[],
            Unit::Minute => &[],
            Unit::Second => &[],
            Unit::Volt => &[],
            Unit::Ampere => &[],
            Unit::KilowattHour => &["KWh"],
            Unit::Dimensionless => &["1", "无量纲"],
        }
    }

    /// What the unit measures and its scale to the quantity's base unit as (power of ten,
    /// multiplier, divisor), all exact: value in base = value × 10^exp × mul / div.
    fn scale(self) -> (Quantity, i32, f64, f64) {
        use Quantity::*;
        match self {
            Unit::NanogramPerCubicMetre => (MassConcentrationAir, -6, 1.0, 1.0),
            Unit::MicrogramPerCubicMetre => (MassConcentrationAir, -3, 1.0, 1.0),
            Unit::MilligramPerCubicMetre => (MassConcentrationAir, 0, 1.0, 1.0),
            Unit::GramPerCubicMetre => (MassConcentrationAir, 3, 1.0, 1.0),
            Unit::NanogramPerLitre => (MassConcentrationWater, -6, 1.0, 1.0),
            Unit::MicrogramPerLitre => (MassConcentrationWater, -3, 1.0, 1.0),
            Unit::MilligramPerLitre => (MassConcentrationWater, 0, 1.0, 1.0),
            Unit::LitrePerSecond => (VolumeFlow, -3, 1.0, 1.0),
            Unit::CubicMetrePerSecond => (VolumeFlow, 0, 1.0, 1.0),
            Unit::CubicMetrePerHour => (VolumeFlow, 0, 1.0, 3600.0),
            Unit::Litre => (Volume, -3, 1.0, 1.0),
            Unit::CubicMetre => (Volume, 0, 1.0, 1.0),
            Unit::Milligram => (Mass, -6, 1.0, 1.0),
            Unit::Gram => (Mass, -3, 1.0, 1.0),
            Unit::Kilogram => (Mass, 0, 1.0, 1.0),
            Unit::Tonne => (Mass, 3, 1.0, 1.0),
            Unit::Pascal => (Pressure, 0, 1.0, 1.0),
            Unit::Hectopascal => (Pressure, 2, 1.0, 1.0),
            Unit::Kilopascal => (Pressure, 3, 1.0, 1.0),
            Unit::Second => (Time, 0, 1.0, 1.0),
            Unit::Minute => (Time, 0, 60.0, 1.0),
            Unit::Hour => (Time, 0, 3600.0, 1.0),
            other => (Other(other), 0, 1.0, 1.0),
        }
    }

    /// What this unit measures.
    pub(crate) fn quantity(self) -> Quantity {
        self.scale().0
    }

    /// Whether values convert between `self` and `other` (always true for a unit and itself).
    pub fn is_commensurable(self, other: Unit) -> bool {
        self.quantity() == other.quantity()
    }

    /// The factor to multiply a value in `self` by to get it in `to`, or `None` when the units
    /// measure different things. Prefer [`Unit::convert`], which is exact for decimal prefixes.
    pub fn factor_to(self, to: Unit) -> Option<f64> {
        Unit::convert(1.0, self, to)
    }

    /// Convert `value` from `from` to `to`; `None` when the units are not commensurable.
    ///
    /// Decimal prefixes are applied by multiplying or dividing by an exact power of ten, so
    /// `1013.25 hPa` becomes exactly the `f64` nearest to `101.325 kPa`.
    pub fn convert(value: f64, from: Unit, to: Unit) -> Option<f64> {
        if from == to {
            return Some(value);
        }
        let (q_from, e_from, m_from, d_from) = from.scale();
        let (q_to, e_to, m_to, d_to) = to.scale();
        if q_from != q_to {
            return None;
        }
        // value × 10^e_from × m_from / d_from = x × 10^e_to × m_to / d_to
        let mut v = value;
        if m_from != m_to || d_from != d_to {
            v = v * m_from * d_to / (d_from * m_to);
        }
        Some(times_pow10(v, e_from - e_to))
    }
}

/// `v × 10^exp`, dividing for negative exponents so that decimal results round correctly.
fn times_pow10(v: f64, exp: i32) -> f64 {
    if exp >= 0 {
        v * 10f64.powi(exp)
    } else {
        v / 10f64.powi(-exp)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Unit {
    type Err = Error;

    /// Accepts the symbol, the aliases (ASCII `ug/m3`, `mg/L`, `degC`, `deg`, `m3/s`, Greek mu,
    /// `℃`, `KPa`…), the snake_case serde name (`milligram_per_litre`) and, for
    /// [`Unit::Dimensionless`], the empty string, `1`, `dimensionless`, `无量纲` and the
    /// dashes the standard prints for "no unit" (`-`, `–`, `--`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if matches!(t, "-" | "–" | "--") {
            return Ok(Unit::Dimensionless);
        }
        Unit::ALL
            .into_iter()
            .find(|u| u.symbol() == t || u.aliases().contains(&t) || u.serde_name() == t)
            .ok_or_else(|| Error::UnknownUnit(s.to_owned()))
    }
}

impl Unit {
    /// The snake_case name serde uses.
    fn serde_name(self) -> &'static str {
        match self {
            Unit::MilligramPerCubicMetre => "milligram_per_cubic_metre",
            Unit::MicrogramPerCubicMetre => "microgram_per_cubic_metre",
            Unit::NanogramPerCubicMetre => "nanogram_per_cubic_metre",
            Unit::GramPerCubicMetre => "gram_per_cubic_metre",
            Unit::MilligramPerLitre => "milligram_per_litre",
            Unit::MicrogramPerLitre => "microgram_per_litre",
            Unit::NanogramPerLitre => "nanogram_per_litre",
            Unit::LitrePerSecond => "litre_per_second",
            Unit::CubicMetrePerSecond => "cubic_metre_per_second",
            Unit::CubicMetrePerHour => "cubic_metre_per_hour",
            Unit::CubicMetre => "cubic_metre",
            Unit::Litre => "litre",
            Unit::Tonne => "tonne",
            Unit::Kilogram => "kilogram",
            Unit::Gram => "gram",
            Unit::Milligram => "milligram",
            Unit::DegreeCelsius => "degree_celsius",
            Unit::Percent => "percent",
            Unit::Pascal => "pascal",
            Unit::Hectopascal => "hectopascal",
            Unit::Kilopascal => "kilopascal",
            Unit::MetrePerSecond => "metre_per_second",
            Unit::Degree => "degree",
            Unit::Decibel => "decibel",
            Unit::BecquerelPerLitre => "becquerel_per_litre",
            Unit::MicrosiemensPerCentimetre => "microsiemens_per_centimetre",
            Unit::CountPerLitre => "count_per_litre",
            Unit::ColourDegree => "colour_degree",
            Unit::SquareMetre => "square_metre",
            Unit::TonnePerSquareKilometreMonth => "tonne_per_square_kilometre_month",
            Unit::Millimetre => "millimetre",
            Unit::Hour => "hour",
            Unit::Minute => "minute",
            Unit::Second => "second",
            Unit::Volt => "volt",
            Unit::Ampere => "ampere",
            Unit::KilowattHour => "kilowatt_hour",
            Unit::Dimensionless => "dimensionless",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for u in Unit::ALL {
            assert!(seen.insert(u.symbol()), "duplicate symbol {}", u.symbol());
            assert_eq!(u.symbol().parse::<Unit>(), Ok(u));
            assert_eq!(u.to_string(), u.symbol());
            assert_eq!(u.serde_name().parse::<Unit>(), Ok(u));
            for a in u.aliases() {
                assert_eq!(a.parse::<Unit>(), Ok(u), "alias {a}");
            }
        }
    }

    #[test]
    fn aliases_name_one_unit_only() {
        let mut seen = std::collections::HashMap::new();
        for u in Unit::ALL {
            for s in u.aliases().iter().chain([&u.symbol(), &u.serde_name()]) {
                assert_eq!(seen.insert(*s, u), None, "{s} names two units");
            }
        }
    }

    #[test]
    fn serde_names_follow_the_variant_names() {
        // `serde_name` must agree with `#[serde(rename_all = "snake_case")]`: derive the snake
        // case of the variant name (its Debug form) and compare.
        for u in Unit::ALL {
            let mut snake = String::new();
            for (i, c) in format!("{u:?}").chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(snake, u.serde_name());
        }
        let set: std::collections::HashSet<_> = Unit::ALL.into_iter().collect();
        assert_eq!(set.len(), Unit::ALL.len());
    }

    #[test]
    fn ascii_spellings() {
        assert_eq!("ug/m3".parse(), Ok(Unit::MicrogramPerCubicMetre));
        assert_eq!("μg/m³".parse(), Ok(Unit::MicrogramPerCubicMetre)); // Greek mu
        assert_eq!("mg/m3".parse(), Ok(Unit::MilligramPerCubicMetre));
        assert_eq!("ng/m3".parse(), Ok(Unit::NanogramPerCubicMetre));
        assert_eq!("mg/L".parse(), Ok(Unit::MilligramPerLitre));
        assert_eq!("ug/L".parse(), Ok(Unit::MicrogramPerLitre));
        assert_eq!("degC".parse(), Ok(Unit::DegreeCelsius));
        assert_eq!("℃".parse(), Ok(Unit::DegreeCelsius));
        assert_eq!("m3/s".parse(), Ok(Unit::CubicMetrePerSecond));
        assert_eq!("deg".parse(), Ok(Unit::Degree));
        assert_eq!("–".parse(), Ok(Unit::Dimensionless));
        assert_eq!(
            "furlong".parse::<Unit>(),
            Err(Error::UnknownUnit("furlong".into()))
        );
    }

    #[test]
    fn conversions() {
        use Unit::*;
        // CO: 1000 µg/m³ is 1 mg/m³.
        assert_eq!(
            Unit::convert(1000.0, MicrogramPerCubicMetre, MilligramPerCubicMetre),
            Some(1.0)
        );
        assert_eq!(
            Unit::convert(1013.25, Hectopascal, Kilopascal),
            Some(101.325)
        );
        assert_eq!(Unit::convert(101.325, Kilopascal, Pascal), Some(101_325.0));
        assert_eq!(
            Unit::convert(35.0, MicrogramPerCubicMetre, NanogramPerCubicMetre),
            Some(35_000.0)
        );
        assert_eq!(
            Unit::convert(0.05, MicrogramPerLitre, MilligramPerLitre),
            Some(0.00005)
        );
        assert_eq!(Unit::convert(2.5, Tonne, Kilogram), Some(2500.0));
        assert_eq!(Unit::convert(1500.0, Milligram, Gram), Some(1.5));
        assert_eq!(Unit::convert(1.0, CubicMetre, Litre), Some(1000.0));
        assert_eq!(
            Unit::convert(1.0, CubicMetrePerSecond, CubicMetrePerHour),
            Some(3600.0)
        );
        assert_eq!(
            Unit::convert(250.0, LitrePerSecond, CubicMetrePerSecond),
            Some(0.25)
        );
        assert_eq!(Unit::convert(90.0, Minute, Hour), Some(1.5));
        assert_eq!(
            Unit::convert(21.5, DegreeCelsius, DegreeCelsius),
            Some(21.5)
        );
        // Not commensurable.
        assert_eq!(
            Unit::convert(1.0, MilligramPerLitre, MilligramPerCubicMetre),
            None
        );
        assert_eq!(Unit::convert(1.0, DegreeCelsius, Kilopascal), None);
        assert_eq!(Unit::convert(1.0, Percent, Dimensionless), None);
        assert_eq!(
            MilligramPerCubicMetre.factor_to(MicrogramPerCubicMetre),
            Some(1000.0)
        );
        assert!(Gram.is_commensurable(Tonne));
        assert!(!Gram.is_commensurable(GramPerCubicMetre));
    }
}
