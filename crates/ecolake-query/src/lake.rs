//! Registering a store snapshot as the tables `observations` and `observations_history`.
//!
//! Versions of one key always share a partition (the key includes period and time), so
//! deduplication is per partition. A *clean* partition (one current file whose keys are unique,
//! nothing unflushed) is read as it is, with filter and projection push-down and row-group and
//! page pruning; the others go through a window that keeps the highest `seq` of each key.
//! Filters on key columns pass through that window (they are its partition keys), so they are
//! pushed down there too.

use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SQLOptions, SessionConfig, SessionContext};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use ecolake_model::observation;
use ecolake_store::{FileKind, FileMeta, Snapshot};

use crate::QueryError;

/// The session settings the lake is read with: Parquet filter push-down with late
/// materialisation and the page index.
pub fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new().with_information_schema(true);
    let options = config.options_mut();
    options.execution.parquet.pushdown_filters = true;
    options.execution.parquet.reorder_filters = true;
    options.execution.parquet.enable_page_index = true;
    options.execution.time_zone = Some("UTC".into());
    config
}

/// Resources a query session may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryConfig {
    /// Bytes of memory the session's operators may hold (sorts, joins, aggregations, windows);
    /// beyond it they spill to temporary files or fail with a resources-exhausted error,
    /// instead of the process growing.
    pub memory_limit: usize,
}

impl Default for QueryConfig {
    fn default() -> Self {
        QueryConfig {
            memory_limit: 2 << 30,
        }
    }
}

/// A session over `snapshot` with the tables `observations` and `observations_history`, with
/// the default [`QueryConfig`].
pub async fn session(snapshot: &Snapshot) -> Result<SessionContext, QueryError> {
    session_with(snapshot, &QueryConfig::default()).await
}

/// A session over `snapshot` with the tables `observations` and `observations_history`.
pub async fn session_with(
    snapshot: &Snapshot,
    config: &QueryConfig,
) -> Result<SessionContext, QueryError> {
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(config.memory_limit, 1.0)
        .build_arc()?;
    let ctx = SessionContext::new_with_config_rt(session_config(), runtime);
    crate::udf::register(&ctx);
    register(&ctx, snapshot).await?;
    Ok(ctx)
}

/// Registers a snapshot's tables in an existing session (replacing earlier ones).
pub async fn register(ctx: &SessionContext, snapshot: &Snapshot) -> Result<(), QueryError> {
    if let Some((url, store)) = snapshot.storage.object_store() {
        ctx.register_object_store(&url, store);
    }
    let clean = snapshot.clean_partitions();
    let (clean_files, dirty_files): (Vec<&FileMeta>, Vec<&FileMeta>) = snapshot
        .files(FileKind::Current)
        .partition(|f| clean.contains(&f.partition));
    let history: Vec<&FileMeta> = snapshot.files(FileKind::History).collect();
    ctx.register_table("_lake_clean", files_table(snapshot, &clean_files).await?)?;
    ctx.register_table("_lake_dirty", files_table(snapshot, &dirty_files).await?)?;
    ctx.register_table("_lake_history", files_table(snapshot, &history).await?)?;
    ctx.register_table("_memtable", memory_table(&snapshot.mem)?)?;

    let columns = observation::schema()
        .fields()
        .iter()
        .map(|f| format!("\"{}\"", f.name()))
        .collect::<Vec<_>>()
        .join(", ");
    ctx.sql(&format!(
        "CREATE OR REPLACE VIEW observations_history AS
           SELECT {columns} FROM _lake_clean
           UNION ALL SELECT {columns} FROM _lake_dirty
           UNION ALL SELECT {columns} FROM _lake_history
           UNION ALL SELECT {columns} FROM _memtable"
    ))
    .await?;
    ctx.sql(&format!(
        "CREATE OR REPLACE VIEW observations AS
           SELECT {columns} FROM _lake_clean
           UNION ALL
           SELECT {columns} FROM (
             SELECT *, row_number() OVER (
               PARTITION BY site, factor, period, time ORDER BY seq DESC) AS _version
             FROM (SELECT {columns} FROM _lake_dirty UNION ALL SELECT {columns} FROM _memtable)
           ) WHERE _version = 1"
    ))
    .await?;
    Ok(())
}

async fn files_table(
    snapshot: &Snapshot,
    files: &[&FileMeta],
) -> Result<Arc<dyn datafusion::catalog::TableProvider>, QueryError> {
    if files.is_empty() {
        return memory_table(&[]);
    }
    let urls = files
        .iter()
        .map(|f| ListingTableUrl::parse(snapshot.url_of(f)))
        .collect::<Result<Vec<_>, _>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(observation::schema());
    Ok(Arc::new(ListingTable::try_new(config)?))
}

fn memory_table(
    batches: &[RecordBatch],
) -> Result<Arc<dyn datafusion::catalog::TableProvider>, QueryError> {
    let partitions = if batches.is_empty() {
        vec![vec![]]
    } else {
        vec![batches.to_vec()]
    };
    Ok(Arc::new(MemTable::try_new(
        observation::schema(),
        partitions,
    )?))
}

/// Runs one read-only SQL statement (queries only: no DDL, DML or `SET`).
pub async fn run_read_only(
    ctx: &SessionContext,
    sql: &str,
) -> Result<Vec<RecordBatch>, QueryError> {
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let df = ctx.sql_with_options(sql, options).await?;
    Ok(df.collect().await?)
}

/// The rows of `observations_history` with `after < seq <= upto` whose `source` is one of
/// `sources` or whose `site` is one of `sites`, in `seq` order, at most `limit`: how a reader
/// that follows the store by `seq` (forwarding to upstream platforms) reads it. Only the lake
/// files and unflushed batches whose `seq` range meets the range are read.
pub async fn history_by_seq(
    snapshot: &Snapshot,
    (after, upto): (u64, u64),
    sources: &[String],
    sites: &[String],
    limit: usize,
) -> Result<Vec<RecordBatch>, QueryError> {
    use datafusion::prelude::{col, lit, Expr};
    let any_of = |column: &str, values: &[String]| {
        (!values.is_empty())
            .then(|| col(column).in_list(values.iter().map(|v| lit(v.as_str())).collect(), false))
    };
    let Some(whose) = [any_of("source", sources), any_of("site", sites)]
        .into_iter()
        .flatten()
        .reduce(Expr::or)
    else {
        return Ok(Vec::new());
    };
    let ctx = session(&snapshot.seq_range(after, upto)).await?;
    let rows = ctx
        .table("observations_history")
        .await?
        .filter(
            col("seq")
                .gt(lit(after))
                .and(col("seq").lt_eq(lit(upto)))
                .and(whose),
        )?
        .select_columns(&[
            "time", "site", "factor", "period", "value", "min", "max", "cou", "zs", "flag",
            "source", "seq",
        ])?
        .sort(vec![col("seq").sort(true, false)])?
        .limit(0, Some(limit))?
        .collect()
        .await?;
    Ok(rows)
}
