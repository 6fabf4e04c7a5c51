//! The one period vocabulary of ecolake: `rtd, min, hour, day, month, year`.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The aggregation period of a value. A period's value is stored at the start of its period.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A real-time (instantaneous) value, HJ 212 `-Rtd` of CN 2011.
    Rtd,
    /// A minute-data value (CN 2051; the device's minute interval, 1–30 min).
    Min,
    /// An hourly value (CN 2061).
    Hour,
    /// A daily value (CN 2031).
    Day,
    /// A monthly value (computed; HJ 212 has no monthly upload).
    Month,
    /// A yearly value (computed).
    Year,
}

impl Period {
    /// All periods, shortest first.
    pub const ALL: [Period; 6] = [
        Period::Rtd,
        Period::Min,
        Period::Hour,
        Period::Day,
        Period::Month,
        Period::Year,
    ];

    /// The name used in SQL, files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Rtd => "rtd",
            Period::Min => "min",
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// The period of the data an HJ 212 data upload carries (CN 2011, 2051, 2061, 2031).
    pub fn from_hj212_command(cn: u16) -> Option<Period> {
        match cn {
            2011 => Some(Period::Rtd),
            2051 => Some(Period::Min),
            2061 => Some(Period::Hour),
            2031 => Some(Period::Day),
            _ => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::UnknownPeriod(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Period::ALL {
            assert_eq!(p.as_str().parse::<Period>().unwrap(), p);
        }
        assert!(
            matches!("hourly".parse::<Period>(), Err(Error::UnknownPeriod(s)) if s == "hourly")
        );
    }

    #[test]
    fn ordered_shortest_first() {
        assert!(Period::Rtd < Period::Min && Period::Day < Period::Year);
    }

    #[test]
    fn hj212_data_commands() {
        assert_eq!(Period::from_hj212_command(2061), Some(Period::Hour));
        assert_eq!(Period::from_hj212_command(2041), None);
    }
}
