//! The registry database: SQLite (a file, WAL mode) or PostgreSQL through sqlx's `Any` driver,
//! one schema and one set of migrations (`migrations/`, embedded in the binary) for both. Every
//! change is written in one transaction with its audit record.

use std::path::Path;

use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use crate::site::{Site, SiteMedium};
use crate::RegistryError;

/// The registry's migrations, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database holds the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// An open registry.
#[derive(Debug, Clone)]
pub struct Registry {
    pool: AnyPool,
    backend: Backend,
    /// Serialises this process's writes (SQLite allows one writer; audit ids are max + 1).
    write: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the log, from 1.
    pub id: i64,
    /// When (UTC ms).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// Table (`sites` …).
    pub entity: String,
    /// The row's key.
    pub entity_key: String,
    /// `insert` or `update`.
    pub action: String,
    /// The row before (JSON), for an update.
    pub before_json: Option<String>,
    /// The row after (JSON).
    pub after_json: Option<String>,
}

impl Registry {
    /// The registry in `DATA_DIR/registry.db` (created if missing).
    pub async fn open_in(data_dir: &Path) -> Result<Registry, RegistryError> {
        std::fs::create_dir_all(data_dir).map_err(|e| RegistryError::Io {
            path: data_dir.to_path_buf(),
            source: e,
        })?;
        let path = data_dir.join("registry.db");
        Registry::open(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Opens the registry at `url` (`sqlite://PATH?mode=rwc` or `postgres://…`) and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> Result<Registry, RegistryError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(RegistryError::Url(url.to_owned()));
        };
        let redacted = redact(url);
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| RegistryError::Connect {
                url: redacted.clone(),
                source: e,
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| RegistryError::Migrate {
                url: redacted,
                source: e,
            })?;
        Ok(Registry {
            pool,
            backend,
            write: Default::default(),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Inserts or updates a site (after [`Site::check`]), with its audit record.
    pub async fn put_site(&self, actor: &str, site: &Site) -> Result<(), RegistryError> {
        site.check().map_err(RegistryError::Invalid)?;
        let _one = self.write.lock().await;
        let now = chrono::Utc::now().timestamp_millis();
        let mut tx = self.pool.begin().await?;
        let before = sqlx::query(SITE_BY_CODE)
            .bind(&site.code)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| site_of(&r))
            .transpose()?;
        if let Some(division) = &site.division {
            let known = sqlx::query("SELECT code FROM divisions WHERE code = $1")
                .bind(division)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(RegistryError::Invalid(format!(
                    "site {}: division {division} is not in the registry",
                    site.code
                )));
            }
        }
        let action = if before.is_some() { "update" } else { "insert" };
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
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            now,
            actor,
            "sites",
            &site.code,
            action,
            before.as_ref(),
            Some(site),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts or renames an administrative division (GB/T 2260). Its parent (`110105` →
    /// `110100` → `110000`) must be registered first, except for a province; a city-level code
    /// whose city is not a unit of its own (`110100` under a municipality) may be skipped: the
    /// nearest registered ancestor becomes the parent.
    pub async fn put_division(
        &self,
        actor: &str,
        code: &str,
        name: &str,
    ) -> Result<(), RegistryError> {
        crate::codes::check_division_code(code).map_err(RegistryError::Invalid)?;
        if name.trim().is_empty() {
            return Err(RegistryError::Invalid(format!(
                "division {code}: the name is empty"
            )));
        }
        let _one = self.write.lock().await;
        let now = chrono::Utc::now().timestamp_millis();
        let mut tx = self.pool.begin().await?;
        let mut parent = crate::codes::parent_division(code);
        while let Some(p) = parent.clone() {
            let known = sqlx::query("SELECT code FROM divisions WHERE code = $1")
                .bind(&p)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_some() {
                break;
            }
            parent = crate::codes::parent_division(&p);
        }
        if parent.is_none() && !code.ends_with("0000") {
            return Err(RegistryError::Invalid(format!(
                "division {code}: its province {}0000 is not in the registry",
                &code[..2]
            )));
        }
        let before: Option<String> = sqlx::query("SELECT name FROM divisions WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        sqlx::query(
            "INSERT INTO divisions (code, name, parent, created_ms, updated_ms)              VALUES ($1, $2, $3, $4, $4) ON CONFLICT (code) DO UPDATE SET              name = excluded.name, parent = excluded.parent, updated_ms = excluded.updated_ms",
        )
        .bind(code)
        .bind(name)
        .bind(parent.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = |name: &str| serde_json::json!({"code": code, "name": name, "parent": parent});
        let action = if before.is_some() { "update" } else { "insert" };
        let (before, after) = (before.as_deref().map(row), Some(row(name)));
        audit(
            &mut tx,
            now,
            actor,
            "divisions",
            code,
            action,
            before.as_ref(),
            after.as_ref(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One site.
    pub async fn site(&self, code: &str) -> Result<Option<Site>, RegistryError> {
        sqlx::query(SITE_BY_CODE)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| site_of(&r))
            .transpose()
    }

    /// Every site, by code.
    pub async fn sites(&self) -> Result<Vec<Site>, RegistryError> {
        sqlx::query(ALL_SITES)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(site_of)
            .collect()
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRecord>, RegistryError> {
        let rows = sqlx::query(
            "SELECT id, at_ms, actor, entity, entity_key, action, before_json, after_json \
             FROM audit_log ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get(0)?,
                    at_ms: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    entity: r.try_get(3)?,
                    entity_key: r.try_get(4)?,
                    action: r.try_get(5)?,
                    before_json: r.try_get(6)?,
                    after_json: r.try_get(7)?,
                })
            })
            .collect()
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

#[allow(clippy::too_many_arguments)]
async fn audit<T: Serialize>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
    actor: &str,
    entity: &str,
    key: &str,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), RegistryError> {
    let json =
        |v: Option<&T>| v.map(|v| serde_json::to_string(v).expect("registry rows serialise"));
    let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    sqlx::query(
        "INSERT INTO audit_log (id, at_ms, actor, entity, entity_key, action, before_json, \
         after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(now)
    .bind(actor)
    .bind(entity)
    .bind(key)
    .bind(action)
    .bind(json(before))
    .bind(json(after))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
