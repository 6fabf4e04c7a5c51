//! Factors: the HJ 212 registry of `ecolake-model` (built in, not stored) and the factors a
//! deployment adds (table `factors`), such as a local water-quality index.

use ecolake_model::{Factor as BuiltIn, Unit};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::Tx;
use crate::entity::{exists, Entity, Kind};
use crate::{Registry, RegistryError};

/// A factor a deployment adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Code, not one of the HJ 212 registry's (`x01001` style for extensions is customary).
    pub code: String,
    /// Name (Chinese).
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Unit of its values, as `ecolake-model` writes units (`mg/L`, `µg/m³`, `1`).
    pub unit: String,
}

/// Whether `code` names a factor: built in or added by this deployment.
pub(crate) async fn known(tx: &mut Tx, code: &str) -> Result<bool, RegistryError> {
    Ok(BuiltIn::lookup(code).is_some() || exists(tx, "factors", "code", code).await?)
}

/// The reason `code` is refused if it names no factor (for references from other entities).
pub(crate) async fn require(tx: &mut Tx, whose: &str, code: &str) -> Result<(), RegistryError> {
    if known(tx, code).await? {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "{whose}: factor `{code}` is neither an HJ 212 factor nor one this registry adds"
        )))
    }
}

fn factor_of(r: &sqlx::any::AnyRow) -> Result<Factor, RegistryError> {
    Ok(Factor {
        code: r.try_get(0)?,
        name: r.try_get(1)?,
        name_en: r.try_get(2)?,
        unit: r.try_get(3)?,
    })
}

impl Entity for Factor {
    const KIND: Kind = Kind::Factors;

    fn key(&self) -> String {
        self.code.clone()
    }

    fn check(&self) -> Result<(), String> {
        crate::entity::check_code("factor", &self.code)?;
        if BuiltIn::lookup(&self.code).is_some() {
            return Err(format!(
                "factor {}: an HJ 212 factor of the built-in registry; add new codes only",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err(format!("factor {}: the name is empty", self.code));
        }
        self.unit
            .parse::<Unit>()
            .map_err(|e| format!("factor {}: unit: {e}", self.code))?;
        Ok(())
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        sqlx::query("SELECT code, name, name_en, unit FROM factors WHERE code = $1")
            .bind(&row.code)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| factor_of(&r))
            .transpose()
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        sqlx::query(
            "INSERT INTO factors (code, name, name_en, unit, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (code) DO UPDATE SET \
             name = excluded.name, name_en = excluded.name_en, unit = excluded.unit, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&row.code)
        .bind(&row.name)
        .bind(row.name_en.clone())
        .bind(&row.unit)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query("SELECT code, name, name_en, unit FROM factors ORDER BY code")
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(factor_of)
            .collect()
    }
}

impl Registry {
    /// Adds or changes a deployment factor.
    pub async fn put_factor(&self, actor: &str, factor: &Factor) -> Result<(), RegistryError> {
        self.put_one(actor, factor).await
    }

    /// The factors this deployment adds, by code.
    pub async fn factors(&self) -> Result<Vec<Factor>, RegistryError> {
        Factor::all(self).await
    }
}
