//! HJ 212 data flags (`xxx-Flag`): the state of the instrument when a value was made.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A data flag of HJ 212-2017 (`N F M S D C T B`) or HJ/T 212-2005 (adds `P`, and `0`–`3` for
/// ambient-air stations). Multi-letter vendor flags (`Md`, `St`, `Sd`) are not members: callers
/// keep them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DataFlag {
    /// `N`: instrument normal.
    Normal,
    /// `F`: instrument stopped (2005: emission source stopped).
    Stopped,
    /// `M`: maintenance.
    Maintenance,
    /// `S`: manually entered set value.
    SetValue,
    /// `D`: instrument fault.
    Fault,
    /// `C`: calibration.
    Calibration,
    /// `T`: value above the measuring range.
    OverRange,
    /// `B`: instrument ↔ data-logger communication failure (2017 only).
    CommFailure,
    /// `P`: power failure (2005 only).
    PowerFailure,
    /// `0`–`3`: ambient-air station flags of 2005 (calibration data, meteorological parameter,
    /// abnormal, normal).
    AirStation2005(u8),
}

impl DataFlag {
    /// The flags HJ 212-2017 defines.
    pub const HJ212_2017: [DataFlag; 8] = [
        DataFlag::Normal,
        DataFlag::Stopped,
        DataFlag::Maintenance,
        DataFlag::SetValue,
        DataFlag::Fault,
        DataFlag::Calibration,
        DataFlag::OverRange,
        DataFlag::CommFailure,
    ];

    /// The wire letter.
    pub fn as_str(self) -> &'static str {
        match self {
            DataFlag::Normal => "N",
            DataFlag::Stopped => "F",
            DataFlag::Maintenance => "M",
            DataFlag::SetValue => "S",
            DataFlag::Fault => "D",
            DataFlag::Calibration => "C",
            DataFlag::OverRange => "T",
            DataFlag::CommFailure => "B",
            DataFlag::PowerFailure => "P",
            DataFlag::AirStation2005(0) => "0",
            DataFlag::AirStation2005(1) => "1",
            DataFlag::AirStation2005(2) => "2",
            DataFlag::AirStation2005(_) => "3",
        }
    }

    /// Whether HJ 212-2017 defines this flag.
    pub fn in_2017(self) -> bool {
        Self::HJ212_2017.contains(&self)
    }

    /// Whether HJ/T 212-2005 defines this flag (it lacks `B`).
    pub fn in_2005(self) -> bool {
        self != DataFlag::CommFailure
    }

    /// Whether a value with this flag is a valid measurement of the environment (`N`).
    pub fn is_normal(self) -> bool {
        matches!(self, DataFlag::Normal | DataFlag::AirStation2005(3))
    }
}

impl fmt::Display for DataFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DataFlag {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "N" => DataFlag::Normal,
            "F" => DataFlag::Stopped,
            "M" => DataFlag::Maintenance,
            "S" => DataFlag::SetValue,
            "D" => DataFlag::Fault,
            "C" => DataFlag::Calibration,
            "T" => DataFlag::OverRange,
            "B" => DataFlag::CommFailure,
            "P" => DataFlag::PowerFailure,
            "0" => DataFlag::AirStation2005(0),
            "1" => DataFlag::AirStation2005(1),
            "2" => DataFlag::AirStation2005(2),
            "3" => DataFlag::AirStation2005(3),
            _ => return Err(Error::UnknownDataFlag(s.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_round_trip() {
        for s in [
            "N", "F", "M", "S", "D", "C", "T", "B", "P", "0", "1", "2", "3",
        ] {
            assert_eq!(s.parse::<DataFlag>().unwrap().as_str(), s);
        }
        assert!("Md".parse::<DataFlag>().is_err());
        assert!("n".parse::<DataFlag>().is_err(), "flags are case-sensitive");
    }

    #[test]
    fn editions() {
        assert!(DataFlag::CommFailure.in_2017() && !DataFlag::CommFailure.in_2005());
        assert!(DataFlag::PowerFailure.in_2005() && !DataFlag::PowerFailure.in_2017());
        assert_eq!(DataFlag::HJ212_2017.len(), 8);
    }
}
