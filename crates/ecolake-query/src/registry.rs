//! Registering the registry in a session: its tables (`sites`, `enterprises`, `outlets`,
//! `permits`, `permit_limits`, `devices` without passwords, `datasets` …) as in-memory tables
//! read once when the session starts, and each dataset of the catalog as a view of its name;
//! and keeping the catalog's coverage current from what those views hold.

use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::execution::context::SessionContext;
use ecolake_registry::{BoundingBox, Coverage, Registry, SqlTable};

use crate::QueryError;

/// Registers the tables and dataset views of `registry`, or, without one, every registry table
/// empty (so queries that join sites run, and return nothing, before a registry exists).
/// Register the observation tables first: dataset views over observations name them.
///
/// Returns the datasets whose view could not be created, with the reason (a filter on a
/// column its source lacks …); every other table and view is registered.
pub async fn register_registry(
    ctx: &SessionContext,
    registry: Option<&Registry>,
) -> Result<Vec<(String, String)>, QueryError> {
    let (tables, views) = match registry {
        Some(r) => (r.sql_tables().await?, r.sql_views().await?),
        None => (ecolake_registry::empty_sql_tables()?, Vec::new()),
    };
    let mut failed = Vec::new();
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
        if let Err(e) = created {
            tracing::warn!(dataset = %view.name, error = %e, "dataset view not created");
            failed.push((view.name, e.to_string()));
        }
    }
    Ok(failed)
}

/// Computes what the lake holds of every dataset of the catalog whose view the session has
/// (rows; first and last `time` where the view has one; the bounding box of its `lon`/`lat`,
/// or of the sites its `site` column names) and records it in the registry's catalog. Returns
/// the coverage of each dataset, by name.
pub async fn refresh_coverage(
    ctx: &SessionContext,
    registry: &Registry,
    actor: &str,
) -> Result<Vec<(String, Coverage)>, QueryError> {
    let mut out = Vec::new();
    for dataset in registry.datasets().await? {
        let name = dataset.name;
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let Ok(view) = ctx.table(quoted.as_str()).await else {
            continue;
        };
        let has = |c: &str| view.schema().field_with_unqualified_name(c).is_ok();
        let times = if has("time") {
            "CAST(min(time) AS BIGINT), CAST(max(time) AS BIGINT)"
        } else {
            "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)"
        };
        let counted = scalars(ctx, &format!("SELECT count(*), {times} FROM {quoted}")).await?;
        let located = if has("lon") && has("lat") {
            Some(format!(
                "SELECT min(lon), min(lat), max(lon), max(lat) FROM {quoted}"
            ))
        } else if has("site") {
            Some(format!(
                "SELECT min(lon), min(lat), max(lon), max(lat) FROM sites \
                 WHERE code IN (SELECT DISTINCT site FROM {quoted})"
            ))
        } else {
            None
        };
        let bbox = match located {
            Some(sql) => match scalars(ctx, &sql).await?[..] {
                [Some(west), Some(south), Some(east), Some(north)] => Some(BoundingBox {
                    west,
                    south,
                    east,
                    north,
                }),
                _ => None,
            },
            None => None,
        };
        let coverage = Coverage {
            bbox,
            rows: counted[0].unwrap_or(0.0) as i64,
            from_ms: counted[1].map(|t| t as i64),
            to_ms: counted[2].map(|t| t as i64),
            updated_ms: chrono::Utc::now().timestamp_millis(),
        };
        registry
            .update_dataset_coverage(actor, &name, &coverage)
            .await?;
        out.push((name, coverage));
    }
    Ok(out)
}

/// The one row of an aggregate query, every column as a float (`None` for NULL). Times and
/// counts below 2^53 are exact as floats.
async fn scalars(ctx: &SessionContext, sql: &str) -> Result<Vec<Option<f64>>, QueryError> {
    use arrow::array::{Array, Float64Array};
    use arrow::datatypes::DataType;
    let batches = ctx.sql(sql).await?.collect().await?;
    let Some(batch) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Ok(Vec::new());
    };
    batch
        .columns()
        .iter()
        .map(|column| {
            let column = arrow::compute::cast(column, &DataType::Float64)
                .map_err(datafusion::error::DataFusionError::from)?;
            let column = column
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("cast to Float64 gives a Float64Array");
            Ok((!column.is_null(0)).then(|| column.value(0)))
        })
        .collect()
}
