//! Monitoring sites (监测点位): where values are measured.

use serde::{Deserialize, Serialize};

use crate::codes;

/// What a site monitors (the `medium` column; the CSV contract of issue #4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteMedium {
    /// Ambient air.
    Air,
    /// Rivers, lakes, reservoirs.
    SurfaceWater,
    /// Groundwater.
    Groundwater,
    /// Soil.
    Soil,
    /// Acoustic environment.
    Noise,
    /// Radiation.
    Radiation,
    /// Sea water.
    Ocean,
    /// A pollution source's outlet.
    Outlet,
}

impl SiteMedium {
    /// Every medium, in the order of the contract.
    pub const ALL: [SiteMedium; 8] = [
        SiteMedium::Air,
        SiteMedium::SurfaceWater,
        SiteMedium::Groundwater,
        SiteMedium::Soil,
        SiteMedium::Noise,
        SiteMedium::Radiation,
        SiteMedium::Ocean,
        SiteMedium::Outlet,
    ];

    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteMedium::Air => "air",
            SiteMedium::SurfaceWater => "surface_water",
            SiteMedium::Groundwater => "groundwater",
            SiteMedium::Soil => "soil",
            SiteMedium::Noise => "noise",
            SiteMedium::Radiation => "radiation",
            SiteMedium::Ocean => "ocean",
            SiteMedium::Outlet => "outlet",
        }
    }
}

impl std::str::FromStr for SiteMedium {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteMedium::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "medium `{s}`: must be one of {}",
                    SiteMedium::ALL.map(SiteMedium::as_str).join(", ")
                )
            })
    }
}

/// A monitoring site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Unique code (national station code such as `1001A`, or a local one).
    pub code: String,
    /// Name (Chinese as published).
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// What it monitors.
    pub medium: SiteMedium,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// Administrative division (GB/T 2260 code), if known.
    pub division: Option<String>,
    /// River basin, if any.
    pub basin: Option<String>,
    /// `national`, `provincial`, `city` …, if known.
    pub level: Option<String>,
    /// `active` unless stated.
    pub status: String,
    /// IANA time zone of the site's devices (default `Asia/Shanghai`).
    pub time_zone: String,
}

impl Site {
    /// A site with the required fields and the defaults for the rest.
    pub fn new(code: &str, name: &str, medium: SiteMedium, lon: f64, lat: f64) -> Site {
        Site {
            code: code.to_owned(),
            name: name.to_owned(),
            name_en: None,
            medium,
            lon,
            lat,
            division: None,
            basin: None,
            level: None,
            status: "active".to_owned(),
            time_zone: "Asia/Shanghai".to_owned(),
        }
    }

    /// Why the site cannot be stored, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let code = self.code.trim();
        if code.is_empty() || code.len() > 64 || code != self.code {
            return Err(format!(
                "site code `{}`: must be 1 to 64 characters without surrounding spaces",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err(format!("site {}: the name is empty", self.code));
        }
        codes::check_position(self.lon, self.lat)
            .map_err(|e| format!("site {}: {e}", self.code))?;
        if let Some(d) = &self.division {
            codes::check_division_code(d).map_err(|e| format!("site {}: {e}", self.code))?;
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "site {}: time zone `{}` is not an IANA time zone",
                self.code, self.time_zone
            ));
        }
        Ok(())
    }
}
