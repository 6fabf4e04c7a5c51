//! SQL from callers of the HTTP API, in a sandbox: a session per request that holds only what
//! the caller may read, and a check that the caller's SQL is one query over those tables.
//!
//! A sandbox session ([`sandbox_session`]) has these tables, and no others:
//!
//! * `observations` and `observations_history`, restricted to the rows that pass the
//!   sandbox's `rows` predicate. The predicate is applied inside, behind a barrier: the
//!   caller's own filters are pushed below it only when they cannot fail (so an error cannot
//!   reveal a hidden row), and the internal tables they are built from (`_lake_clean`,
//!   `_lake_dirty`, `_lake_history`, `_memtable`) are in a separate session, unreachable by
//!   any name;
//! * the registry tables given (`sites`, `outlets` …), as they are given;
//! * the dataset views given, defined over the restricted `observations` (a view never shows
//!   a row outside `rows`).
//!
//! No `information_schema`, no files or URLs as tables, no table functions but
//! `generate_series` and `range`. [`plan_sandboxed`] accepts exactly one query (`SELECT`,
//! `WITH … SELECT`, `VALUES`); DDL, DML, `COPY`, `SET`, `EXPLAIN` and anything naming another
//! table are refused with a [`SandboxError`] whose kind says why. [`limited_stream`] runs the
//! query as a stream with a row and a time limit; the memory limit is the shared
//! [`runtime`]'s.
//!
//! ```no_run
//! # async fn demo(snapshot: ecolake_store::Snapshot) -> Result<(), Box<dyn std::error::Error>> {
//! use ecolake_query::sandbox::{limited_stream, plan_sandboxed, runtime, sandbox_session, Sandbox};
//! use futures::StreamExt;
//!
//! let runtime = runtime(&ecolake_query::QueryConfig::default())?; // once, shared
//! let sandbox = Sandbox {
//!     rows: Some("site IN ('1003A', '1004A')".into()),
//!     tables: ecolake_registry::empty_sql_tables()?,
//!     views: vec![],
//! };
//! let ctx = sandbox_session(&snapshot, runtime, &sandbox).await?;
//! let df = plan_sandboxed(&ctx, "SELECT site, avg(value) FROM observations GROUP BY site").await?;
//! let mut rows = limited_stream(df, 100_000, std::time::Duration::from_secs(30));
//! while let Some(batch) = rows.next().await {
//!     let batch = batch?; // Err(RowLimit) after the first 100,000 rows if there are more
//! }
//! # Ok(()) }
//! ```

mod check;
mod restricted;
mod stream;

use std::collections::BTreeSet;
use std::sync::Arc;

use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SQLOptions, SessionContext};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::sql::parser::DFParser;
use ecolake_registry::{SqlTable, SqlView};
use ecolake_store::Snapshot;

use crate::lake::session_config;
use crate::{QueryConfig, QueryError, SandboxError};

pub use stream::{limited_stream, LimitedStream};

/// What one caller may read.
#[derive(Debug, Clone, Default)]
pub struct Sandbox {
    /// A SQL boolean expression over the columns of observations (`site`, `factor`,
    /// `period`, `time` …) that every row of `observations` and `observations_history` must
    /// pass; it may use subqueries over the registry tables of `tables`, e.g.
    /// `site IN (SELECT code FROM outlets WHERE enterprise = '91…')`. `None`: every row.
    pub rows: Option<String>,
    /// The registry tables the caller may see (already filtered for the caller).
    pub tables: Vec<SqlTable>,
    /// The dataset views the caller may read. Each is defined over the restricted
    /// `observations` and the tables of `tables`: it shows its rows that pass `rows` (so
    /// `rows` should admit every dataset given here); a view that cannot be created over them
    /// (it needs a table the caller does not have) is left out, with a warning in the log.
    pub views: Vec<SqlView>,
}

/// Marks a session built by [`sandbox_session`]; [`plan_sandboxed`] refuses any other.
#[derive(Debug)]
struct SandboxMarker;

/// The runtime shared by every sandbox session: its memory pool bounds the memory of all
/// the queries running at once together (beyond it, operators spill or the query fails with
/// [`SandboxError::Resources`]), and its caches (Parquet footers and page indexes, file
/// statistics) serve every request.
pub fn runtime(config: &QueryConfig) -> Result<Arc<RuntimeEnv>, QueryError> {
    Ok(RuntimeEnvBuilder::new()
        .with_memory_limit(config.memory_limit, 1.0)
        .build_arc()?)
}

/// A session over `snapshot` holding only what `sandbox` lets the caller read (see the
/// module documentation). Cheap enough to build per request (a few milliseconds: no file is
/// read).
pub async fn sandbox_session(
    snapshot: &Snapshot,
    runtime: Arc<RuntimeEnv>,
    sandbox: &Sandbox,
) -> Result<SessionContext, QueryError> {
    let tables = sandbox
        .tables
        .iter()
        .map(|SqlTable { name, batch }| {
            let table = MemTable::try_new(batch.schema(), vec![vec![batch.clone()]])?;
            Ok((*name, Arc::new(table)))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;

    // The inner session: the lake's internal tables, the unrestricted views, the tables the
    // predicate may use. Only plans built here leave it.
    let inner = SessionContext::new_with_config_rt(session_config(), Arc::clone(&runtime));
    crate::lake::register(&inner, snapshot).await?;
    for (name, table) in &tables {
        inner.register_table(*name, Arc::clone(table) as _)?;
    }
    let filter = match sandbox.rows.as_deref() {
        Some(rows) => {
            // One expression, written back from its syntax tree: the text cannot close the
            // parenthesis and add clauses.
            let expr = DFParser::parse_sql_into_expr(rows)?;
            format!(" WHERE ({})", expr.expr)
        }
        None => String::new(),
    };
    let restricted = |table: &'static str| {
        let inner = &inner;
        let sql = format!("SELECT * FROM {table}{filter}");
        async move {
            let plan = inner.sql(&sql).await?.into_unoptimized_plan();
            Ok::<_, QueryError>(Arc::new(restricted::Restricted::new(plan)))
        }
    };

    let config = session_config()
        .with_information_schema(false)
        .with_extension(Arc::new(SandboxMarker));
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    crate::udf::register(&ctx);
    ctx.register_table("observations", restricted("observations").await?)?;
    ctx.register_table(
        "observations_history",
        restricted("observations_history").await?,
    )?;
    for (name, table) in tables {
        if ctx.table_exist(name)? {
            tracing::warn!(
                table = name,
                "registry table shadows a sandbox table; left out"
            );
            continue;
        }
        ctx.register_table(name, table)?;
    }
    for view in &sandbox.views {
        let name = view.name.replace('"', "\"\"");
        let created = ctx
            .sql(&format!("CREATE VIEW \"{name}\" AS {}", view.sql))
            .await;
        if let Err(e) = created {
            tracing::warn!(dataset = %view.name, error = %e, "dataset view left out of a sandbox");
        }
    }
    Ok(ctx)
}

/// Plans one statement of a caller in a session from [`sandbox_session`]: it must be a single
/// query, and every table it names must be one of the session's (or a common table expression
/// of the query itself, or `generate_series`/`range`). The plan is checked again after
/// planning. Nothing runs yet: pass the result to [`limited_stream`].
pub async fn plan_sandboxed(ctx: &SessionContext, sql: &str) -> Result<DataFrame, SandboxError> {
    let state = ctx.state();
    if state.config().get_extension::<SandboxMarker>().is_none() {
        return Err(SandboxError::Internal(
            "plan_sandboxed needs a session from sandbox_session".into(),
        ));
    }
    let allowed = table_names(ctx);
    let limit = state.config_options().sql_parser.recursion_limit.get();
    let statement = check::parse_one(sql, limit)?;
    let ctes = check::check_statement(&statement, &allowed)?;
    let plan = state.statement_to_plan(statement).await?;
    check::check_plan(&plan, &allowed, &ctes)?;
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(&plan)
        .map_err(|e| SandboxError::NotAQuery {
            statement: e.strip_backtrace(),
        })?;
    Ok(DataFrame::new(state, plan))
}

/// The tables of a session's default schema.
fn table_names(ctx: &SessionContext) -> BTreeSet<String> {
    let state = ctx.state();
    let names = &state.config_options().catalog;
    ctx.catalog(&names.default_catalog)
        .and_then(|c| c.schema(&names.default_schema))
        .map(|s| s.table_names().into_iter().collect())
        .unwrap_or_default()
}
