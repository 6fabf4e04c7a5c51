//! `ecolake sql`: run SQL on the lake of a data directory, read-only.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::report;
use arrow::record_batch::RecordBatch;
use clap::{Args, ValueEnum};
use ecolake_query::SessionContext;
use ecolake_registry::Registry;
use ecolake_store::Snapshot;

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The data directory (as given to `serve` or `import`).
    #[arg(long)]
    data_dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Memory the query may hold, in MiB; beyond it sorts and aggregations spill to temporary
    /// files or the query fails, instead of the process growing.
    #[arg(long, default_value_t = 2048)]
    memory_limit_mib: usize,
    /// The registry database when it is not `DATA_DIR/registry.db`: `postgres://USER@HOST/DB`
    /// or `sqlite://PATH`.
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
    /// The query. Tables: `observations` (current version of every key),
    /// `observations_history` (every version, with source, received_at and seq), the registry's
    /// `sites`, `enterprises`, `outlets`, `permits`, `permit_limits`, `devices` (no passwords),
    /// `factors`, `divisions`, `basins`, `departments`, `responsibilities`, `datasets`, and each
    /// dataset of the catalog as a view of its name.
    query: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// An aligned text table.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Json,
}

pub fn run(args: &SqlArgs) -> anyhow::Result<ExitCode> {
    if !args.data_dir.is_dir() {
        anyhow::bail!("no data directory at {}", args.data_dir.display());
    }
    let runtime = crate::cmd::runtime()?;
    let batches = runtime.block_on(async {
        let config = ecolake_query::QueryConfig {
            memory_limit: args.memory_limit_mib << 20,
        };
        let registry = existing_registry(&args.data_dir, args.registry.as_deref()).await?;
        let ctx = session(&args.data_dir, registry.as_ref(), &config).await?;
        if let Some(r) = registry {
            r.close().await;
        }
        anyhow::Ok(ecolake_query::run_read_only(&ctx, &args.query).await?)
    })?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    write(&mut out, args.format, &batches)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The registry a read-only command uses: the one at `url`, else `DATA_DIR/registry.db` if it
/// exists (a query does not create one).
pub async fn existing_registry(
    data_dir: &Path,
    url: Option<&str>,
) -> anyhow::Result<Option<Registry>> {
    Ok(match url {
        Some(url) => Some(super::registry::open(data_dir, Some(url)).await?),
        None if data_dir.join(ecolake_registry::DB_FILE).exists() => {
            Some(super::registry::open(data_dir, None).await?)
        }
        None => None,
    })
}

/// A query session over a data directory's lake and `registry` (without one, the registry
/// tables are there and empty).
pub async fn session(
    data_dir: &Path,
    registry: Option<&Registry>,
    config: &ecolake_query::QueryConfig,
) -> anyhow::Result<SessionContext> {
    let snapshot = Snapshot::read_only(data_dir).await?;
    let ctx = ecolake_query::session_with(&snapshot, config).await?;
    let failed = ecolake_query::register_registry(&ctx, registry).await?;
    for (dataset, reason) in &failed {
        report(format_args!("dataset {dataset}: no view: {reason}"));
    }
    Ok(ctx)
}

fn write(out: &mut impl Write, format: Format, batches: &[RecordBatch]) -> anyhow::Result<()> {
    match format {
        Format::Table => {
            let options = arrow::util::display::FormatOptions::default().with_null("NULL");
            let table = arrow::util::pretty::pretty_format_batches_with_options(batches, &options)?;
            writeln!(out, "{table}")?;
        }
        Format::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(out);
            for b in batches {
                w.write(b)?;
            }
        }
        Format::Json => {
            let mut w = arrow::json::LineDelimitedWriter::new(out);
            w.write_batches(&batches.iter().collect::<Vec<_>>())?;
            w.finish()?;
        }
    }
    Ok(())
}
