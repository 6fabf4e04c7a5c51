//! What every registry test file shares: the same test on SQLite and on PostgreSQL.
//! PostgreSQL runs when `ECOLAKE_TEST_POSTGRES` is set (`.ci/run` sets it; the value is the
//! server URL, or `1` for `postgres://postgres@127.0.0.1:5432/test`): each test creates its own
//! database and drops it. Without the variable the PostgreSQL half is skipped, saying so.

#![allow(dead_code)]

use ecolake_registry::{Backend, Registry};
use sqlx::Connection;

/// A fresh PostgreSQL database for one test; dropped by [`Pg::drop_db`].
pub struct Pg {
    admin: String,
    name: String,
}

impl Pg {
    /// The server's admin URL, if `ECOLAKE_TEST_POSTGRES` is set.
    pub fn server() -> Option<String> {
        let v = std::env::var("ECOLAKE_TEST_POSTGRES").ok()?;
        Some(if v == "1" {
            "postgres://postgres@127.0.0.1:5432/test".to_owned()
        } else {
            v
        })
    }

    /// Creates a database named after `test`, the process and the time.
    pub async fn create(admin: String, test: &str) -> Pg {
        let name = format!(
            "ecolake_{test}_{}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        );
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("ECOLAKE_TEST_POSTGRES is set but {admin} fails: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        Pg { admin, name }
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        let mut u = url::Url::parse(&self.admin).unwrap();
        u.set_path(&self.name);
        u.to_string()
    }

    /// Drops the database (closing its connections).
    pub async fn drop_db(self) {
        let mut conn = sqlx::PgConnection::connect(&self.admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
}

/// Runs `test` on a new SQLite registry, then on a new PostgreSQL one if configured (each with
/// its own data directory: key files and the audit anchor are per registry).
pub async fn on_both<F, Fut>(name: &str, test: F)
where
    F: Fn(Registry) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::open_in(dir.path()).await.unwrap();
    assert_eq!(registry.backend(), Backend::Sqlite);
    test(registry).await;
    match Pg::server() {
        Some(admin) => {
            let pg = Pg::create(admin, name).await;
            let pg_dir = tempfile::tempdir().unwrap();
            let registry = Registry::open(&pg.url(), pg_dir.path()).await.unwrap();
            assert_eq!(registry.backend(), Backend::Postgres);
            test(registry.clone()).await;
            registry.close().await;
            pg.drop_db().await;
        }
        #[allow(clippy::print_stderr)]
        None => eprintln!("{name}: PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)"),
    }
}
