//! `ecolake sql`: run SQL on the lake of a data directory, read-only.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::report;
use arrow::record_batch::RecordBatch;
use clap::{Args, ValueEnum};
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let batches = runtime.block_on(async {
        let snapshot = Snapshot::read_only(&args.data_dir).await?;
        let config = ecolake_query::QueryConfig {
            memory_limit: args.memory_limit_mib << 20,
        };
        let ctx = ecolake_query::session_with(&snapshot, &config).await?;
        // Without a registry database yet, the registry tables are there and empty.
        let registry = match &args.registry {
            Some(url) => Some(super::registry::open(&args.data_dir, Some(url)).await?),
            None if args.data_dir.join(ecolake_registry::DB_FILE).exists() => {
                Some(super::registry::open(&args.data_dir, None).await?)
            }
            None => None,
        };
        let registered = ecolake_query::register_registry(&ctx, registry.as_ref()).await?;
        for (dataset, reason) in &registered.failed_views {
            report(format_args!("dataset {dataset}: no view: {reason}"));
        }
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
