//! Monitoring sites (监测点位): where values are measured.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codes;
use crate::db::Tx;
use crate::entity::{exists, Entity, Kind};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

vocabulary!(
    /// What a site monitors (the `medium` column; the CSV contract of issue #4).
    SiteMedium, "medium", {
        Air = "air" => "Ambient air.",
        SurfaceWater = "surface_water" => "Rivers, lakes, reservoirs.",
        Groundwater = "groundwater" => "Groundwater.",
        Soil = "soil" => "Soil.",
        Noise = "noise" => "Acoustic environment.",
        Radiation = "radiation" => "Radiation.",
        Ocean = "ocean" => "Sea water.",
        Outlet = "outlet" => "A pollution source's outlet.",
    }
);

/// A monitoring site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Unique code (national station code such as `1001A`, or a local one).
    pub code: String,
    /// Name (Chinese as published).
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// What it monitors.
    pub medium: SiteMedium,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// Administrative division (GB/T 2260 code), if known.
    #[serde(default)]
    pub division: Option<String>,
    /// River basin, if any.
    #[serde(default)]
    pub basin: Option<String>,
    /// `national`, `provincial`, `city` …, if known.
    #[serde(default)]
    pub level: Option<String>,
    /// `active` unless stated.
    #[serde(default = "active")]
    pub status: String,
    /// IANA time zone of the site's devices (default `Asia/Shanghai`).
    #[serde(default = "shanghai")]
    pub time_zone: String,
}

fn active() -> String {
    "active".to_owned()
}

fn shanghai() -> String {
    "Asia/Shanghai".to_owned()
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

/// The columns [`site_of`] reads, in its order.
macro_rules! site_columns {
    () => {
        "code, name, name_en, medium, lon, lat, division, basin, level, status, time_zone"
    };
}
const SITE_BY_CODE: &str = concat!("SELECT ", site_columns!(), " FROM sites WHERE code = $1");
const ALL_SITES: &str = concat!("SELECT ", site_columns!(), " FROM sites ORDER BY code");

fn site_of(r: &AnyRow) -> Result<Site, RegistryError> {
    let medium: String = r.try_get(3)?;
    Ok(Site {
        code: r.try_get(0)?,
        name: r.try_get(1)?,
        name_en: r.try_get(2)?,
        medium: medium
            .parse::<SiteMedium>()
            .map_err(RegistryError::Corrupt)?,
        lon: r.try_get(4)?,
        lat: r.try_get(5)?,
        division: r.try_get(6)?,
        basin: r.try_get(7)?,
        level: r.try_get(8)?,
        status: r.try_get(9)?,
        time_zone: r.try_get(10)?,
    })
}

/// One site by code.
pub(crate) async fn by_code<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    code: &str,
) -> Result<Option<Site>, RegistryError> {
    sqlx::query(SITE_BY_CODE)
        .bind(code)
        .fetch_optional(db)
        .await?
        .map(|r| site_of(&r))
        .transpose()
}

impl Entity for Site {
    const KIND: Kind = Kind::Sites;

    fn key(&self) -> String {
        self.code.clone()
    }

    fn check(&self) -> Result<(), String> {
        Site::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        by_code(&mut **tx, &row.code).await
    }

    async fn store(_: &Registry, tx: &mut Tx, site: &Self, now: i64) -> Result<(), RegistryError> {
        if let Some(division) = &site.division {
            if !exists(tx, "divisions", "code", division).await? {
                return Err(RegistryError::Invalid(format!(
                    "site {}: division {division} is not in the registry",
                    site.code
                )));
            }
        }
        if let Some(basin) = &site.basin {
            if !exists(tx, "basins", "code", basin).await? {
                return Err(RegistryError::Invalid(format!(
                    "site {}: basin {basin} is not in the registry",
                    site.code
                )));
            }
        }
        sqlx::query(
            "INSERT INTO sites (code, name, name_en, medium, lon, lat, division, basin, level, \
             status, time_zone, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, \
             medium = excluded.medium, lon = excluded.lon, lat = excluded.lat, \
             division = excluded.division, basin = excluded.basin, level = excluded.level, \
             status = excluded.status, time_zone = excluded.time_zone, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&site.code)
        .bind(&site.name)
        .bind(site.name_en.clone())
        .bind(site.medium.as_str())
        .bind(site.lon)
        .bind(site.lat)
        .bind(site.division.clone())
        .bind(site.basin.clone())
        .bind(site.level.clone())
        .bind(&site.status)
        .bind(&site.time_zone)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query(ALL_SITES)
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(site_of)
            .collect()
    }
}
