//! Administrative divisions (GB/T 2260) and river basins: where sites and enterprises are.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::codes;
use crate::db::Tx;
use crate::entity::{exists, Entity, Kind};
use crate::{Registry, RegistryError};

/// An administrative division (行政区划).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    /// Six-digit GB/T 2260 code.
    pub code: String,
    /// Name as published (`东城区`).
    pub name: String,
    /// The nearest registered ancestor (`110000` for `110101` when `110100` is not registered).
    /// Computed when stored; a row that gives another is refused.
    #[serde(default)]
    pub parent: Option<String>,
}

impl Division {
    /// A division by code and name (the parent is found when it is stored).
    pub fn new(code: &str, name: &str) -> Division {
        Division {
            code: code.to_owned(),
            name: name.to_owned(),
            parent: None,
        }
    }

    /// The nearest registered ancestor of `self`, or why there must be one.
    async fn registered_parent(&self, tx: &mut Tx) -> Result<Option<String>, RegistryError> {
        let mut parent = codes::parent_division(&self.code);
        while let Some(p) = parent.clone() {
            if exists(tx, "divisions", "code", &p).await? {
                return Ok(Some(p));
            }
            parent = codes::parent_division(&p);
        }
        if self.code.ends_with("0000") {
            Ok(None)
        } else {
            Err(RegistryError::Invalid(format!(
                "division {}: its province {}0000 is not in the registry",
                self.code,
                &self.code[..2]
            )))
        }
    }
}

impl Entity for Division {
    const KIND: Kind = Kind::Divisions;

    fn key(&self) -> String {
        self.code.clone()
    }

    fn check(&self) -> Result<(), String> {
        codes::check_division_code(&self.code)?;
        if self.name.trim().is_empty() {
            return Err(format!("division {}: the name is empty", self.code));
        }
        Ok(())
    }

    fn audit_value(&self) -> serde_json::Value {
        serde_json::json!({"code": self.code, "name": self.name, "parent": self.parent})
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        sqlx::query("SELECT code, name, parent FROM divisions WHERE code = $1")
            .bind(&row.code)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| {
                Ok(Division {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    parent: r.try_get(2)?,
                })
            })
            .transpose()
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        let parent = row.registered_parent(tx).await?;
        if row.parent.is_some() && row.parent != parent {
            return Err(RegistryError::Invalid(format!(
                "division {}: parent {} given, but its nearest registered ancestor is {}",
                row.code,
                row.parent.as_deref().unwrap_or_default(),
                parent.as_deref().unwrap_or("none")
            )));
        }
        sqlx::query(
            "INSERT INTO divisions (code, name, parent, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (code) DO UPDATE SET \
             name = excluded.name, parent = excluded.parent, updated_ms = excluded.updated_ms",
        )
        .bind(&row.code)
        .bind(&row.name)
        .bind(parent)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query("SELECT code, name, parent FROM divisions ORDER BY code")
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Division {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    parent: r.try_get(2)?,
                })
            })
            .collect()
    }
}

/// A named thing with a code: a river basin or a department.
macro_rules! coded_entity {
    ($ty:ident, $kind:expr, $table:literal, $what:literal) => {
        impl Entity for $ty {
            const KIND: Kind = $kind;

            fn key(&self) -> String {
                self.code.clone()
            }

            fn check(&self) -> Result<(), String> {
                crate::entity::check_code($what, &self.code)?;
                if self.name.trim().is_empty() {
                    return Err(format!(concat!($what, " {}: the name is empty"), self.code));
                }
                Ok(())
            }

            async fn fetch(
                _: &Registry,
                tx: &mut Tx,
                row: &Self,
            ) -> Result<Option<Self>, RegistryError> {
                sqlx::query(concat!(
                    "SELECT code, name, name_en FROM ",
                    $table,
                    " WHERE code = $1"
                ))
                .bind(&row.code)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| {
                    Ok($ty {
                        code: r.try_get(0)?,
                        name: r.try_get(1)?,
                        name_en: r.try_get(2)?,
                    })
                })
                .transpose()
            }

            async fn store(
                _: &Registry,
                tx: &mut Tx,
                row: &Self,
                now: i64,
            ) -> Result<(), RegistryError> {
                sqlx::query(concat!(
                    "INSERT INTO ",
                    $table,
                    " (code, name, name_en, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     name_en = excluded.name_en, updated_ms = excluded.updated_ms"
                ))
                .bind(&row.code)
                .bind(&row.name)
                .bind(row.name_en.clone())
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
                sqlx::query(concat!(
                    "SELECT code, name, name_en FROM ",
                    $table,
                    " ORDER BY code"
                ))
                .fetch_all(registry.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok($ty {
                        code: r.try_get(0)?,
                        name: r.try_get(1)?,
                        name_en: r.try_get(2)?,
                    })
                })
                .collect()
            }
        }
    };
}

/// A river basin (流域), such as `yangtze`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basin {
    /// Code (letters, digits, `_`, `-`, `.`).
    pub code: String,
    /// Name (`长江流域`).
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
}

/// A department: owns datasets, collects data, may be granted access (issue #7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Code (letters, digits, `_`, `-`, `.`), such as `bj-emc`.
    pub code: String,
    /// Name (`北京市生态环境监测中心`).
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
}

coded_entity!(Basin, Kind::Basins, "basins", "basin");
coded_entity!(Department, Kind::Departments, "departments", "department");
