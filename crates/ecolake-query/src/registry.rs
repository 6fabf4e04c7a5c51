//! Registering the registry in a session: its tables (`sites`, `enterprises`, `outlets`,
//! `permits`, `permit_limits`, `devices` without passwords, `datasets` …) as in-memory tables
//! read once when the session starts, and each dataset of the catalog as a view of its name.

use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::execution::context::SessionContext;
use ecolake_registry::{Registry, SqlTable};

use crate::QueryError;

/// What registering the registry did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Registered {
    /// Tables registered.
    pub tables: usize,
    /// Dataset views registered.
    pub views: usize,
    /// Datasets whose view could not be created, with the reason (a dataset over a table the
    /// session lacks, a filter on a column its source does not have). The other tables and
    /// views are still there.
    pub failed_views: Vec<(String, String)>,
}

/// Registers the tables and dataset views of `registry`, or, without one, every registry table
/// empty (so queries that join sites run, and return nothing, before a registry exists).
/// Register the observation tables first: dataset views over observations name them.
pub async fn register_registry(
    ctx: &SessionContext,
    registry: Option<&Registry>,
) -> Result<Registered, QueryError> {
    let (tables, views) = match registry {
        Some(r) => (r.sql_tables().await?, r.sql_views().await?),
        None => (ecolake_registry::empty_sql_tables()?, Vec::new()),
    };
    let mut done = Registered {
        tables: tables.len(),
        ..Registered::default()
    };
    for SqlTable { name, batch } in tables {
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
        ctx.register_table(name, Arc::new(table))?;
    }
    for view in views {
        let name = view.name.replace('"', "\"\"");
        let created = ctx
            .sql(&format!(
                "CREATE OR REPLACE VIEW \"{name}\" AS {}",
                view.sql
            ))
            .await;
        match created {
            Ok(_) => done.views += 1,
            Err(e) => {
                tracing::warn!(dataset = %view.name, error = %e, "dataset view not created");
                done.failed_views.push((view.name, e.to_string()));
            }
        }
    }
    Ok(done)
}
