//! The medium a value was measured in. The medium decides the canonical unit of a mass
//! concentration (see [`Factor::canonical_unit`](crate::Factor::canonical_unit)): µg/m³ in ambient
//! air, mg/m³ in stack gas, mg/L in every water.
//!
//! ```
//! use ecolake_model::Medium;
//!
//! assert_eq!(Medium::from_system_code("31"), Some(Medium::StackGas));
//! assert_eq!("ambient_air".parse::<Medium>().unwrap(), Medium::AmbientAir);
//! assert_eq!(Medium::Wastewater.to_string(), "wastewater");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Where a value was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// Ambient (outdoor) air: air-quality stations, VOC stations, construction-site dust.
    AmbientAir,
    /// Flue gas in a stack or duct (CEMS, atmospheric pollution sources).
    StackGas,
    /// Rivers, lakes and reservoirs.
    SurfaceWater,
    /// Groundwater, including groundwater pollution sources.
    Groundwater,
    /// Sea water, including marine pollution sources.
    Seawater,
    /// Wastewater discharged by a pollution source, and wastewater treatment processes.
    Wastewater,
    /// Acoustic environment or a noise source.
    Noise,
    /// Soil, including soil pollution sources.
    Soil,
    /// Anything else (vibration, radiation, electromagnetic, vendor extensions).
    Other,
}

impl Medium {
    /// Every medium, in declaration order.
    pub const ALL: [Medium; 9] = [
        Medium::AmbientAir,
        Medium::StackGas,
        Medium::SurfaceWater,
        Medium::Groundwater,
        Medium::Seawater,
        Medium::Wastewater,
        Medium::Noise,
        Medium::Soil,
        Medium::Other,
    ];

    /// The snake_case name used in SQL, files and APIs (`ambient_air`, `stack_gas`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Medium::AmbientAir => "ambient_air",
            Medium::StackGas => "stack_gas",
            Medium::SurfaceWater => "surface_water",
            Medium::Groundwater => "groundwater",
            Medium::Seawater => "seawater",
            Medium::Wastewater => "wastewater",
            Medium::Noise => "noise",
            Medium::Soil => "soil",
            Medium::Other => "other",
        }
    }

    /// The medium of an HJ 212 system code `ST` (spec §5.1, 2017 Table 5):
    ///
    /// | ST | medium |
    /// |---|---|
    /// | 21 surface water quality | [`SurfaceWater`](Medium::SurfaceWater) |
    /// | 22 ambient air quality, 27 VOC, 39 construction-site dust | [`AmbientAir`](Medium::AmbientAir) |
    /// | 23 acoustic environment, 36 noise source | [`Noise`](Medium::Noise) |
    /// | 24 groundwater quality, 33 groundwater pollution source | [`Groundwater`](Medium::Groundwater) |
    /// | 25 soil quality, 35 soil pollution source | [`Soil`](Medium::Soil) |
    /// | 26 sea water quality, 34 marine pollution source | [`Seawater`](Medium::Seawater) |
    /// | 31 atmospheric pollution source, 51 flue-gas process | [`StackGas`](Medium::StackGas) |
    /// | 32 wastewater pollution source, 52 wastewater process | [`Wastewater`](Medium::Wastewater) |
    ///
    /// Every other code (37 vibration, 38 radioactive, 41 electromagnetic, 91 system interaction,
    /// vendor extensions such as 80) gives `None`: the caller decides, e.g. from station
    /// configuration.
    pub fn from_system_code(st: &str) -> Option<Medium> {
        Some(match st {
            "21" => Medium::SurfaceWater,
            "22" | "27" | "39" => Medium::AmbientAir,
            "23" | "36" => Medium::Noise,
            "24" | "33" => Medium::Groundwater,
            "25" | "35" => Medium::Soil,
            "26" | "34" => Medium::Seawater,
            "31" | "51" => Medium::StackGas,
            "32" | "52" => Medium::Wastewater,
            _ => return None,
        })
    }

    /// Whether this is one of the waters (surface, ground, sea, waste), whose mass
    /// concentrations are per litre.
    pub const fn is_water(self) -> bool {
        matches!(
            self,
            Medium::SurfaceWater | Medium::Groundwater | Medium::Seawater | Medium::Wastewater
        )
    }

    /// Whether this is ambient air or stack gas, whose mass concentrations are per cubic metre.
    pub const fn is_air(self) -> bool {
        matches!(self, Medium::AmbientAir | Medium::StackGas)
    }
}

impl fmt::Display for Medium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Medium {
    type Err = Error;

    /// Parses the exact snake_case name of [`Medium::as_str`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Medium::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Error::UnknownMedium(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Medium::ALL {
            assert_eq!(m.as_str().parse::<Medium>(), Ok(m));
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!(
            "Ambient Air".parse::<Medium>(),
            Err(Error::UnknownMedium("Ambient Air".into()))
        );
    }

    #[test]
    fn system_codes() {
        let expected = [
            ("21", Some(Medium::SurfaceWater)),
            ("22", Some(Medium::AmbientAir)),
            ("23", Some(Medium::Noise)),
            ("24", Some(Medium::Groundwater)),
            ("25", Some(Medium::Soil)),
            ("26", Some(Medium::Seawater)),
            ("27", Some(Medium::AmbientAir)),
            ("31", Some(Medium::StackGas)),
            ("32", Some(Medium::Wastewater)),
            ("33", Some(Medium::Groundwater)),
            ("34", Some(Medium::Seawater)),
            ("35", Some(Medium::Soil)),
            ("36", Some(Medium::Noise)),
            ("37", None),
            ("38", None),
            ("39", Some(Medium::AmbientAir)),
            ("41", None),
            ("51", Some(Medium::StackGas)),
            ("52", Some(Medium::Wastewater)),
            ("80", None),
            ("91", None),
            ("", None),
            ("2", None),
        ];
        for (st, medium) in expected {
            assert_eq!(Medium::from_system_code(st), medium, "ST={st}");
        }
    }

    #[test]
    fn water_and_air() {
        let waters: Vec<_> = Medium::ALL.into_iter().filter(|m| m.is_water()).collect();
        assert_eq!(
            waters,
            [
                Medium::SurfaceWater,
                Medium::Groundwater,
                Medium::Seawater,
                Medium::Wastewater
            ]
        );
        assert!(Medium::AmbientAir.is_air() && Medium::StackGas.is_air());
        assert!(!Medium::Noise.is_air() && !Medium::Noise.is_water());
    }
}
