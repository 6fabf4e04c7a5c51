//! Pollution sources: enterprises (排污单位), keyed by their unified social credit code, and
//! their outlets (排放口), each discharging to air or water, with the factors monitored there.
//!
//! Outlet codes are unique in the whole platform: observations name an outlet in their `site`
//! column, so an outlet may not take a site's code. The customary form is the enterprise's credit
//! code and the permit's outlet number, `91110000600001760P-DA001` (`DA…` air, `DW…` water).

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codes;
use crate::db::Tx;
use crate::entity::{check_code, exists, split_list, Entity, Kind};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

/// An enterprise that discharges pollutants (排污单位).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// Unified social credit code (统一社会信用代码, GB 32100): 18 characters, the check
    /// character verified.
    pub credit_code: String,
    /// Name as registered.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Industry (GB/T 4754 code such as `D4411`), if known.
    #[serde(default)]
    pub industry: Option<String>,
    /// Administrative division (GB/T 2260 code, registered), if known.
    #[serde(default)]
    pub division: Option<String>,
    /// WGS84 longitude, degrees (given together with `lat`, or not at all).
    #[serde(default)]
    pub lon: Option<f64>,
    /// WGS84 latitude, degrees (given together with `lon`, or not at all).
    #[serde(default)]
    pub lat: Option<f64>,
    /// On the list of key pollutant-discharging units (重点排污单位); `false` unless stated.
    #[serde(default)]
    pub key_discharger: bool,
}

/// Checks an optional position: both coordinates or neither, and within range.
fn check_optional_position(whose: &str, lon: Option<f64>, lat: Option<f64>) -> Result<(), String> {
    match (lon, lat) {
        (None, None) => Ok(()),
        (Some(lon), Some(lat)) => {
            codes::check_position(lon, lat).map_err(|e| format!("{whose}: {e}"))
        }
        _ => Err(format!("{whose}: lon and lat must be given together")),
    }
}

impl Enterprise {
    /// An enterprise with the required fields and the defaults for the rest.
    pub fn new(credit_code: &str, name: &str) -> Enterprise {
        Enterprise {
            credit_code: credit_code.to_owned(),
            name: name.to_owned(),
            name_en: None,
            industry: None,
            division: None,
            lon: None,
            lat: None,
            key_discharger: false,
        }
    }

    /// Why the enterprise cannot be stored, judged on the row alone, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        codes::check_credit_code(&self.credit_code).map_err(|e| format!("enterprise {e}"))?;
        let whose = format!("enterprise {}", self.credit_code);
        if self.name.trim().is_empty() {
            return Err(format!("{whose}: the name is empty"));
        }
        if let Some(industry) = &self.industry {
            codes::check_industry_code(industry).map_err(|e| format!("{whose}: {e}"))?;
        }
        if let Some(division) = &self.division {
            codes::check_division_code(division).map_err(|e| format!("{whose}: {e}"))?;
        }
        check_optional_position(&whose, self.lon, self.lat)
    }
}

vocabulary!(
    /// Where an outlet discharges to (the `kind` column).
    #[derive(PartialOrd, Ord)]
    OutletKind, "outlet kind", {
        Air = "air" => "Flue gas or process exhaust (废气排放口).",
        Water = "water" => "Wastewater (废水排放口).",
    }
);

/// An outlet of an enterprise (排放口).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlet {
    /// Code, unique in the platform (sites included): 1 to 64 ASCII letters, digits, `_`, `-`,
    /// `.`; customarily `<credit_code>-<permit outlet number>` (`91110000600001760P-DA001`).
    pub code: String,
    /// The enterprise's credit code (registered).
    pub enterprise: String,
    /// Name (`1号锅炉排放口`).
    #[serde(default)]
    pub name: Option<String>,
    /// Air or water.
    pub kind: OutletKind,
    /// WGS84 longitude, degrees (given together with `lat`, or not at all).
    #[serde(default)]
    pub lon: Option<f64>,
    /// WGS84 latitude, degrees (given together with `lon`, or not at all).
    #[serde(default)]
    pub lat: Option<f64>,
    /// Stack height above ground, metres (positive).
    #[serde(default)]
    pub height_m: Option<f64>,
    /// Reference oxygen content for converted concentrations (基准氧含量), percent by volume,
    /// at least 0 and below 21; air outlets only.
    #[serde(default)]
    pub reference_o2: Option<f64>,
    /// The factors monitored there, `;`-separated codes (HJ 212 or this deployment's); stored
    /// trimmed, without blanks and duplicates, in the order given.
    #[serde(default)]
    pub factors: String,
}

impl Outlet {
    /// An outlet with the required fields and no optional ones.
    pub fn new(code: &str, enterprise: &str, kind: OutletKind) -> Outlet {
        Outlet {
            code: code.to_owned(),
            enterprise: enterprise.to_owned(),
            name: None,
            kind,
            lon: None,
            lat: None,
            height_m: None,
            reference_o2: None,
            factors: String::new(),
        }
    }

    /// The monitored factor codes, as stored: trimmed, no blanks, no duplicates.
    pub fn factor_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for code in split_list(&self.factors) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    /// Why the outlet cannot be stored, judged on the row alone, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        check_code("outlet", &self.code)?;
        let whose = format!("outlet {}", self.code);
        if self.enterprise.trim().is_empty() {
            return Err(format!("{whose}: the enterprise is empty"));
        }
        check_optional_position(&whose, self.lon, self.lat)?;
        if let Some(h) = self.height_m {
            if !(h.is_finite() && h > 0.0) {
                return Err(format!(
                    "{whose}: height_m {h}: must be a positive number of metres"
                ));
            }
        }
        if let Some(o2) = self.reference_o2 {
            if self.kind != OutletKind::Air {
                return Err(format!(
                    "{whose}: reference_o2 is for air outlets only, this one is {}",
                    self.kind
                ));
            }
            if !(o2.is_finite() && (0.0..21.0).contains(&o2)) {
                return Err(format!(
                    "{whose}: reference_o2 {o2}: must be a percentage at least 0 and below 21"
                ));
            }
        }
        Ok(())
    }
}

/// The columns [`enterprise_of`] reads, in its order.
macro_rules! enterprise_columns {
    () => {
        "credit_code, name, name_en, industry, division, lon, lat, key_discharger"
    };
}

fn enterprise_of(r: &AnyRow) -> Result<Enterprise, RegistryError> {
    let key: i64 = r.try_get(7)?;
    Ok(Enterprise {
        credit_code: r.try_get(0)?,
        name: r.try_get(1)?,
        name_en: r.try_get(2)?,
        industry: r.try_get(3)?,
        division: r.try_get(4)?,
        lon: r.try_get(5)?,
        lat: r.try_get(6)?,
        key_discharger: match key {
            0 => false,
            1 => true,
            other => {
                return Err(RegistryError::Corrupt(format!(
                    "enterprises.key_discharger {other}: must be 0 or 1"
                )))
            }
        },
    })
}

/// One enterprise by credit code.
pub(crate) async fn enterprise_by_code<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    credit_code: &str,
) -> Result<Option<Enterprise>, RegistryError> {
    sqlx::query(concat!(
        "SELECT ",
        enterprise_columns!(),
        " FROM enterprises WHERE credit_code = $1"
    ))
    .bind(credit_code)
    .fetch_optional(db)
    .await?
    .map(|r| enterprise_of(&r))
    .transpose()
}

impl Entity for Enterprise {
    const KIND: Kind = Kind::Enterprises;

    fn key(&self) -> String {
        self.credit_code.clone()
    }

    fn check(&self) -> Result<(), String> {
        Enterprise::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        enterprise_by_code(&mut **tx, &row.credit_code).await
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        if let Some(division) = &row.division {
            if !exists(tx, "divisions", "code", division).await? {
                return Err(RegistryError::Invalid(format!(
                    "enterprise {}: division {division} is not in the registry",
                    row.credit_code
                )));
            }
        }
        sqlx::query(
            "INSERT INTO enterprises (credit_code, name, name_en, industry, division, lon, lat, \
             key_discharger, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, \
             name_en = excluded.name_en, industry = excluded.industry, \
             division = excluded.division, lon = excluded.lon, lat = excluded.lat, \
             key_discharger = excluded.key_discharger, updated_ms = excluded.updated_ms",
        )
        .bind(&row.credit_code)
        .bind(&row.name)
        .bind(row.name_en.clone())
        .bind(row.industry.clone())
        .bind(row.division.clone())
        .bind(row.lon)
        .bind(row.lat)
        .bind(i64::from(row.key_discharger))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        let mut rows = sqlx::query(concat!(
            "SELECT ",
            enterprise_columns!(),
            " FROM enterprises"
        ))
        .fetch_all(registry.pool())
        .await?
        .iter()
        .map(enterprise_of)
        .collect::<Result<Vec<_>, _>>()?;
        // Byte order on both back ends (PostgreSQL would sort by the database's collation).
        rows.sort_by(|a, b| a.credit_code.cmp(&b.credit_code));
        Ok(rows)
    }
}

/// The columns [`outlet_of`] reads, in its order.
macro_rules! outlet_columns {
    () => {
        "code, enterprise, name, kind, lon, lat, height_m, reference_o2, factors"
    };
}

fn outlet_of(r: &AnyRow) -> Result<Outlet, RegistryError> {
    let kind: String = r.try_get(3)?;
    Ok(Outlet {
        code: r.try_get(0)?,
        enterprise: r.try_get(1)?,
        name: r.try_get(2)?,
        kind: kind.parse().map_err(RegistryError::Corrupt)?,
        lon: r.try_get(4)?,
        lat: r.try_get(5)?,
        height_m: r.try_get(6)?,
        reference_o2: r.try_get(7)?,
        factors: r.try_get(8)?,
    })
}

/// One outlet by code.
pub(crate) async fn outlet_by_code<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    code: &str,
) -> Result<Option<Outlet>, RegistryError> {
    sqlx::query(concat!(
        "SELECT ",
        outlet_columns!(),
        " FROM outlets WHERE code = $1"
    ))
    .bind(code)
    .fetch_optional(db)
    .await?
    .map(|r| outlet_of(&r))
    .transpose()
}

/// Outlets in code (byte) order.
fn by_code(mut outlets: Vec<Outlet>) -> Vec<Outlet> {
    outlets.sort_by(|a, b| a.code.cmp(&b.code));
    outlets
}

impl Entity for Outlet {
    const KIND: Kind = Kind::Outlets;

    fn key(&self) -> String {
        self.code.clone()
    }

    fn check(&self) -> Result<(), String> {
        Outlet::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        outlet_by_code(&mut **tx, &row.code).await
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        let whose = format!("outlet {}", row.code);
        if !exists(tx, "enterprises", "credit_code", &row.enterprise).await? {
            return Err(RegistryError::Invalid(format!(
                "{whose}: enterprise {} is not in the registry",
                row.enterprise
            )));
        }
        if exists(tx, "sites", "code", &row.code).await? {
            return Err(RegistryError::Invalid(format!(
                "{whose}: a site has this code (site and outlet codes are one namespace)"
            )));
        }
        if let Some(before) = outlet_by_code(&mut **tx, &row.code).await? {
            if before.enterprise != row.enterprise
                && exists(tx, "permit_limits", "outlet", &row.code).await?
            {
                return Err(RegistryError::Invalid(format!(
                    "{whose}: permit limits of enterprise {} name it; it cannot move to \
                     enterprise {}",
                    before.enterprise, row.enterprise
                )));
            }
        }
        let factors = row.factor_codes();
        for factor in &factors {
            crate::factor::require(tx, &whose, factor).await?;
        }
        sqlx::query(
            "INSERT INTO outlets (code, enterprise, name, kind, lon, lat, height_m, reference_o2, \
             factors, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (code) DO UPDATE SET enterprise = excluded.enterprise, \
             name = excluded.name, kind = excluded.kind, lon = excluded.lon, lat = excluded.lat, \
             height_m = excluded.height_m, reference_o2 = excluded.reference_o2, \
             factors = excluded.factors, updated_ms = excluded.updated_ms",
        )
        .bind(&row.code)
        .bind(&row.enterprise)
        .bind(row.name.clone())
        .bind(row.kind.as_str())
        .bind(row.lon)
        .bind(row.lat)
        .bind(row.height_m)
        .bind(row.reference_o2)
        .bind(factors.join(";"))
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        let rows = sqlx::query(concat!("SELECT ", outlet_columns!(), " FROM outlets"))
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(outlet_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(by_code(rows))
    }
}

impl Registry {
    /// Inserts or updates an enterprise (after [`Enterprise::check`]; its division must be
    /// registered), with its audit record.
    pub async fn put_enterprise(
        &self,
        actor: &str,
        enterprise: &Enterprise,
    ) -> Result<(), RegistryError> {
        self.put_one(actor, enterprise).await
    }

    /// One enterprise by credit code.
    pub async fn enterprise(&self, credit_code: &str) -> Result<Option<Enterprise>, RegistryError> {
        enterprise_by_code(self.pool(), credit_code).await
    }

    /// Every enterprise, by credit code.
    pub async fn enterprises(&self) -> Result<Vec<Enterprise>, RegistryError> {
        Enterprise::all(self).await
    }

    /// Inserts or updates an outlet (after [`Outlet::check`]; its enterprise and factors must
    /// be registered, its code no site's), with its audit record. An outlet that permit limits
    /// name cannot move to another enterprise.
    pub async fn put_outlet(&self, actor: &str, outlet: &Outlet) -> Result<(), RegistryError> {
        self.put_one(actor, outlet).await
    }

    /// One outlet by code.
    pub async fn outlet(&self, code: &str) -> Result<Option<Outlet>, RegistryError> {
        outlet_by_code(self.pool(), code).await
    }

    /// Every outlet, by code.
    pub async fn outlets(&self) -> Result<Vec<Outlet>, RegistryError> {
        Outlet::all(self).await
    }

    /// The outlets of one enterprise, by code.
    pub async fn outlets_of(&self, enterprise: &str) -> Result<Vec<Outlet>, RegistryError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            outlet_columns!(),
            " FROM outlets WHERE enterprise = $1"
        ))
        .bind(enterprise)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(outlet_of)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(by_code(rows))
    }
}
