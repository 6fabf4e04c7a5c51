//! Collection responsibilities: which department collects which factor at which site or outlet,
//! so that the same value collected by two departments shows ("one collection, many uses":
//! collect once, share with every department that needs it).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::Tx;
use crate::entity::{check_code, exists, Entity, Kind};
use crate::{Registry, RegistryError};

/// One department collecting one factor at one site or outlet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Responsibility {
    /// The department's code (registered).
    pub department: String,
    /// A site's or an outlet's code (registered).
    pub site: String,
    /// The factor's code (HJ 212 or this deployment's).
    pub factor: String,
}

impl Responsibility {
    /// A responsibility from its three codes.
    pub fn new(department: &str, site: &str, factor: &str) -> Responsibility {
        Responsibility {
            department: department.to_owned(),
            site: site.to_owned(),
            factor: factor.to_owned(),
        }
    }
}

/// Site-factors collected by more than one department: `(site, factor, departments)`, by site
/// and factor, the departments by code.
pub type DuplicateCollection = Vec<(String, String, Vec<String>)>;

fn responsibility_of(r: &sqlx::any::AnyRow) -> Result<Responsibility, RegistryError> {
    Ok(Responsibility {
        department: r.try_get(0)?,
        site: r.try_get(1)?,
        factor: r.try_get(2)?,
    })
}

impl Entity for Responsibility {
    const KIND: Kind = Kind::Responsibilities;

    fn key(&self) -> String {
        format!("{}/{}/{}", self.department, self.site, self.factor)
    }

    fn check(&self) -> Result<(), String> {
        let whose = format!("responsibility {}", self.key());
        check_code("department", &self.department).map_err(|e| format!("{whose}: {e}"))?;
        let site = self.site.trim();
        if site.is_empty() || site.len() > 64 || site != self.site {
            return Err(format!(
                "{whose}: site `{}`: must be a site or outlet code of 1 to 64 characters without \
                 surrounding spaces",
                self.site
            ));
        }
        check_code("factor", &self.factor).map_err(|e| format!("{whose}: {e}"))
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        sqlx::query(
            "SELECT department, site, factor FROM responsibilities \
             WHERE department = $1 AND site = $2 AND factor = $3",
        )
        .bind(&row.department)
        .bind(&row.site)
        .bind(&row.factor)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| responsibility_of(&r))
        .transpose()
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        let whose = format!("responsibility {}", row.key());
        if !exists(tx, "departments", "code", &row.department).await? {
            return Err(RegistryError::Invalid(format!(
                "{whose}: department {} is not in the registry",
                row.department
            )));
        }
        if !exists(tx, "sites", "code", &row.site).await?
            && !exists(tx, "outlets", "code", &row.site).await?
        {
            return Err(RegistryError::Invalid(format!(
                "{whose}: site `{}` is neither a site nor an outlet in the registry",
                row.site
            )));
        }
        crate::factor::require(tx, &whose, &row.factor).await?;
        sqlx::query(
            "INSERT INTO responsibilities (department, site, factor, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (department, site, factor) \
             DO UPDATE SET updated_ms = excluded.updated_ms",
        )
        .bind(&row.department)
        .bind(&row.site)
        .bind(&row.factor)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query(
            "SELECT department, site, factor FROM responsibilities \
             ORDER BY department, site, factor",
        )
        .fetch_all(registry.pool())
        .await?
        .iter()
        .map(responsibility_of)
        .collect()
    }
}

impl Registry {
    /// Records that a department collects a factor at a site or outlet (storing it again
    /// changes nothing but its update time).
    pub async fn put_responsibility(
        &self,
        actor: &str,
        responsibility: &Responsibility,
    ) -> Result<(), RegistryError> {
        self.put_one(actor, responsibility).await
    }

    /// Every responsibility, by department, site and factor.
    pub async fn responsibilities(&self) -> Result<Vec<Responsibility>, RegistryError> {
        Responsibility::all(self).await
    }

    /// The site-factors that more than one department collects: `(site, factor,
    /// departments)`, by site and factor, each with its departments by code.
    pub async fn duplicate_collection(&self) -> Result<DuplicateCollection, RegistryError> {
        let rows = sqlx::query(
            "SELECT r.site, r.factor, r.department FROM responsibilities r \
             WHERE (SELECT COUNT(*) FROM responsibilities o \
                    WHERE o.site = r.site AND o.factor = r.factor) > 1 \
             ORDER BY r.site, r.factor, r.department",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: DuplicateCollection = Vec::new();
        for r in &rows {
            let (site, factor, department): (String, String, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            match out.last_mut() {
                Some((s, f, departments)) if *s == site && *f == factor => {
                    departments.push(department)
                }
                _ => out.push((site, factor, vec![department])),
            }
        }
        Ok(out)
    }
}
