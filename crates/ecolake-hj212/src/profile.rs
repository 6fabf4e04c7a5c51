//! How to read one device: edition, CRC dialect, strictness, size limit.

use std::fmt;
use std::str::FromStr;

use crate::CrcDialect;

/// Which edition of the protocol a device speaks. The Flag version bits cannot tell all of them
/// apart (HJ 212-2025 and the surface-water station protocol both write version 2), so the
/// edition is device configuration; `Auto` reads the version bits where that is unambiguous.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Edition {
    /// Decide per packet from the Flag version bits (0 → 2005, otherwise 2017 rules).
    #[default]
    Auto,
    /// HJ/T 212-2005.
    Hj212_2005,
    /// HJ 212-2017.
    Hj212_2017,
    /// HJ 212-2025 (in force 2026-01-01; decoded with the 2017 rules it shares).
    Hj212_2025,
    /// The national surface-water automatic-station variant ("地表水2017").
    SurfaceWater,
}

impl Edition {
    /// Every edition.
    pub const ALL: [Edition; 5] = [
        Edition::Auto,
        Edition::Hj212_2005,
        Edition::Hj212_2017,
        Edition::Hj212_2025,
        Edition::SurfaceWater,
    ];

    /// The name used in profiles and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Auto => "auto",
            Edition::Hj212_2005 => "2005",
            Edition::Hj212_2017 => "2017",
            Edition::Hj212_2025 => "2025",
            Edition::SurfaceWater => "surface-water",
        }
    }

    /// The edition that governs a packet with these Flag version bits (`None` = no Flag).
    pub fn resolve(self, version: Option<u8>) -> Edition {
        match (self, version) {
            (Edition::Auto, None | Some(0)) => Edition::Hj212_2005,
            (Edition::Auto, Some(_)) => Edition::Hj212_2017,
            (e, _) => e,
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Edition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Edition::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| format!("unknown edition '{s}' (auto, 2005, 2017, 2025, surface-water)"))
    }
}

/// Strict reads the standard; lenient also accepts what real devices send, with warnings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Reject deviations the standard forbids.
    #[default]
    Strict,
    /// Accept the deviations real devices produce, reporting each as a warning.
    Lenient,
}

/// How to decode one device's packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// The protocol edition.
    pub edition: Edition,
    /// The CRC the device writes.
    pub crc: CrcDialect,
    /// Strict or lenient.
    pub mode: Mode,
    /// The largest data segment accepted (the standard's limit is 1024 bytes; some devices
    /// send more).
    pub max_segment: usize,
}

/// The standard's limit on a data segment.
pub const MAX_SEGMENT: usize = 1024;

impl Default for Profile {
    fn default() -> Self {
        Profile {
            edition: Edition::Auto,
            crc: CrcDialect::Hj212,
            mode: Mode::Strict,
            max_segment: MAX_SEGMENT,
        }
    }
}

impl Profile {
    /// The default profile in lenient mode.
    pub fn lenient() -> Self {
        Profile {
            mode: Mode::Lenient,
            ..Profile::default()
        }
    }

    /// Whether deviations are accepted with a warning.
    pub fn is_lenient(&self) -> bool {
        self.mode == Mode::Lenient
    }
}
