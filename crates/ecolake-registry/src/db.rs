//! The registry database: SQLite (a file, WAL mode) or PostgreSQL through sqlx's `Any` driver,
//! one schema and one set of migrations (`migrations/`, embedded in the binary) for both. Every
//! change is written in one transaction with its audit record.

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::division::{Basin, Department, Division};
use crate::entity::Entity;
use crate::site::Site;
use crate::RegistryError;

/// The SQLite registry's file in a data directory.
pub const DB_FILE: &str = "registry.db";

/// The PostgreSQL advisory lock registry writers take (per database): "ecolake" in ASCII.
const WRITE_LOCK_KEY: i64 = 0x0065_636f_6c61_6b65;

/// A registry transaction.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

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
    /// The data directory (the key file lives there).
    data_dir: std::path::PathBuf,
    /// Serialises this process's writes (SQLite allows one writer; audit ids are max + 1).
    write: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The audit key, once read from its file.
    pub(crate) audit_key: crate::audit::KeyCache,
}

impl Registry {
    /// The registry in `DATA_DIR/registry.db` (created if missing).
    pub async fn open_in(data_dir: &Path) -> Result<Registry, RegistryError> {
        std::fs::create_dir_all(data_dir).map_err(|e| RegistryError::Io {
            path: data_dir.to_path_buf(),
            source: e,
        })?;
        let path = data_dir.join(DB_FILE);
        Registry::open(&format!("sqlite://{}?mode=rwc", path.display()), data_dir).await
    }

    /// Opens the registry at `url` (`sqlite://PATH?mode=rwc` or `postgres://…`) and brings its
    /// schema up to date. `data_dir` is the platform's data directory: it holds the key files
    /// that encrypt device passwords and seal the audit log, which never go into the database.
    /// Audit records written before the log was sealed (by an older version) are sealed now.
    pub async fn open(url: &str, data_dir: &Path) -> Result<Registry, RegistryError> {
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
                        // A writer waits this long for another process's write to end.
                        sqlx::query("PRAGMA busy_timeout = 30000")
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
        let registry = Registry {
            pool,
            backend,
            data_dir: data_dir.to_path_buf(),
            write: Default::default(),
            audit_key: Default::default(),
        };
        registry.seal_audit().await?;
        Ok(registry)
    }

    /// The data directory given at open.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
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
        self.put_one(actor, site).await
    }

    /// Writes one row of any entity in its own transaction, with its audit record.
    pub(crate) async fn put_one<E: Entity>(
        &self,
        actor: &str,
        row: &E,
    ) -> Result<(), RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        crate::entity::put(self, &mut tx, actor, row).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a write: this process's write lock and a transaction that holds the database's
    /// write lock from its first statement, so writers in other processes wait instead of
    /// interleaving (the audit log's next id is read inside the transaction). SQLite: `BEGIN
    /// IMMEDIATE`, waiting up to the busy timeout; PostgreSQL: a transaction-scoped advisory
    /// lock, released at commit or rollback.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<(tokio::sync::OwnedMutexGuard<()>, Tx), RegistryError> {
        let one = self.write.clone().lock_owned().await;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok((one, tx))
    }

    /// The connection pool (for the entity modules' reads).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
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
        self.put_one(actor, &Division::new(code, name)).await
    }

    /// Every division, by code.
    pub async fn divisions(&self) -> Result<Vec<Division>, RegistryError> {
        Division::all(self).await
    }

    /// Inserts or renames a river basin.
    pub async fn put_basin(&self, actor: &str, basin: &Basin) -> Result<(), RegistryError> {
        self.put_one(actor, basin).await
    }

    /// Every basin, by code.
    pub async fn basins(&self) -> Result<Vec<Basin>, RegistryError> {
        Basin::all(self).await
    }

    /// Inserts or renames a department.
    pub async fn put_department(
        &self,
        actor: &str,
        department: &Department,
    ) -> Result<(), RegistryError> {
        self.put_one(actor, department).await
    }

    /// Every department, by code.
    pub async fn departments(&self) -> Result<Vec<Department>, RegistryError> {
        Department::all(self).await
    }

    /// One site.
    pub async fn site(&self, code: &str) -> Result<Option<Site>, RegistryError> {
        crate::site::by_code(&self.pool, code).await
    }

    /// Every site, by code.
    pub async fn sites(&self) -> Result<Vec<Site>, RegistryError> {
        Site::all(self).await
    }
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
