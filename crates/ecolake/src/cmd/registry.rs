//! `ecolake registry import|export`: bulk load and dump the registry (sites, sources, permits,
//! devices, the dataset catalog …) as CSV or JSON, load the published station lists, and
//! render the catalog as DCAT-AP JSON-LD.
//!
//! Exit status: 0 when every row was applied (import) or written (export); 1 when any row was
//! refused (nothing applied unless `--partial`; the report on stderr names each row's line and
//! reason) or the command failed; 2 for a usage error.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::report;
use clap::{Args, Subcommand, ValueEnum};
use ecolake_registry::{Format, ImportOptions, Kind, Registry};

/// Refused rows shown per file.
const SHOWN: usize = 100;

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Load entries of one kind from a CSV or JSON file, or a published station list.
    Import(ImportArgs),
    /// Write every entry of one kind as CSV or JSON (or the catalog as DCAT-AP JSON-LD).
    Export(ExportArgs),
    /// Compute what the lake holds of each dataset of the catalog (rows, time span, bounding
    /// box) and record it as the dataset's coverage.
    Coverage(CoverageArgs),
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    location: Location,
}

/// Where the registry is.
#[derive(Debug, Args)]
pub struct Location {
    /// The data directory: holds `registry.db` (unless --registry names another database) and
    /// `registry.key`, the key that encrypts device passwords.
    #[arg(long)]
    data_dir: PathBuf,
    /// The registry database when it is not `DATA_DIR/registry.db`: `postgres://USER@HOST/DB`
    /// or `sqlite://PATH`.
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    location: Location,
    /// What the file holds: divisions, basins, departments, sites, enterprises, outlets,
    /// permits, permit-limits, devices, factors, responsibilities or datasets.
    #[arg(long, value_parser = parse_kind)]
    kind: Kind,
    /// csv, json (an array or JSON lines), beijing-stations (`beijing_stations.csv`) or cnemc
    /// (a CNEMC national real-time snapshot); the last two are sites. Default: by the file's
    /// extension (.json, .jsonl, .ndjson are JSON; anything else CSV).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// Apply the good rows of a file that has bad ones (by default a file with any bad row
    /// changes nothing).
    #[arg(long)]
    partial: bool,
    /// The file (`-` for stdin).
    file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    location: Location,
    /// Which entries (as for import).
    #[arg(long, value_parser = parse_kind)]
    kind: Kind,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
    /// Include device passwords (in clear text: the file is then as secret as the key file).
    /// Without it devices are written without passwords, and importing them keeps the stored
    /// ones.
    #[arg(long)]
    with_secrets: bool,
    /// The platform's public address, under which DCAT distributions are published (needed by
    /// --format dcat), e.g. `https://data.example.gov.cn`.
    #[arg(long, value_name = "URL", required_if_eq("format", "dcat"))]
    base_url: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// CSV with a header row of the field names.
    Csv,
    /// A JSON array, one object per line.
    Json,
    /// The dataset catalog as DCAT-AP JSON-LD (--kind datasets).
    Dcat,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

pub fn run(command: RegistryCommand) -> anyhow::Result<ExitCode> {
    let runtime = crate::cmd::runtime()?;
    runtime.block_on(async {
        match command {
            RegistryCommand::Import(a) => import(&a).await,
            RegistryCommand::Export(a) => export(&a).await,
            RegistryCommand::Coverage(a) => coverage(&a).await,
        }
    })
}

/// Opens the registry a command names.
pub async fn open(data_dir: &Path, url: Option<&str>) -> anyhow::Result<Registry> {
    Ok(match url {
        Some(url) => Registry::open(url, data_dir).await?,
        None => Registry::open_in(data_dir).await?,
    })
}

async fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let data = if args.file.as_os_str() == "-" {
        let mut data = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut data)
            .context("reading stdin")?;
        data
    } else {
        std::fs::read(&args.file).with_context(|| format!("reading {name}"))?
    };
    let format = args.format.unwrap_or_else(|| Format::of_path(&args.file));
    let registry = open(&args.location.data_dir, args.location.registry.as_deref()).await?;
    let options = ImportOptions {
        actor: actor("import"),
        partial: args.partial,
    };
    let done = registry
        .import(args.kind, format, &data, &options)
        .await
        .with_context(|| format!("{name}: {} as {format}", args.kind))?;
    registry.close().await;

    let refused = done.errors.len();
    let outcome = if refused == 0 {
        String::new()
    } else if args.partial {
        format!(", {refused} refused")
    } else {
        format!("; {refused} refused, so nothing was applied (--partial applies the good rows)")
    };
    report(format_args!(
        "{name}: {} rows of {}, {} applied{outcome}",
        done.rows, args.kind, done.applied
    ));
    for e in done.errors.iter().take(SHOWN) {
        report(format_args!("  {e}"));
    }
    if refused > SHOWN {
        report(format_args!("  … and {} more", refused - SHOWN));
    }
    Ok(if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if args.format == ExportFormat::Dcat && args.kind != Kind::Datasets {
        anyhow::bail!("--format dcat renders the dataset catalog: use --kind datasets");
    }
    if args.with_secrets && args.kind != Kind::Devices {
        anyhow::bail!("--with-secrets applies to --kind devices only");
    }
    let registry = open(&args.location.data_dir, args.location.registry.as_deref()).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let rows = match (args.format, args.base_url.as_deref()) {
        (ExportFormat::Dcat, Some(base_url)) => registry.export_dcat(base_url, &mut out).await?,
        (ExportFormat::Dcat, None) => anyhow::bail!("--format dcat needs --base-url"),
        (ExportFormat::Csv, _) => {
            registry
                .export(args.kind, Format::Csv, args.with_secrets, &mut out)
                .await?
        }
        (ExportFormat::Json, _) => {
            registry
                .export(args.kind, Format::Json, args.with_secrets, &mut out)
                .await?
        }
    };
    out.flush().context("writing the export")?;
    registry.close().await;
    if let Some(path) = &args.output {
        report(format_args!(
            "{}: {rows} {} written",
            path.display(),
            args.kind
        ));
    }
    Ok(ExitCode::SUCCESS)
}

async fn coverage(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    let Location { data_dir, registry } = &args.location;
    if !data_dir.is_dir() {
        anyhow::bail!("no data directory at {}", data_dir.display());
    }
    let registry = open(data_dir, registry.as_deref()).await?;
    let config = ecolake_query::QueryConfig::default();
    let ctx = super::sql::session(data_dir, Some(&registry), &config).await?;
    let done = ecolake_query::refresh_coverage(&ctx, &registry, &actor("coverage")).await?;
    registry.close().await;
    let mut out = io::stdout().lock();
    for (name, c) in &done {
        let time = |ms: Option<i64>| {
            ms.and_then(chrono::DateTime::from_timestamp_millis)
                .map_or("-".to_owned(), |t| {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                })
        };
        let bbox = c.bbox.map_or("-".to_owned(), |b| {
            format!("{},{},{},{}", b.west, b.south, b.east, b.north)
        });
        writeln!(
            out,
            "{name}\t{} rows\t{} … {}\t{bbox}",
            c.rows,
            time(c.from_ms),
            time(c.to_ms)
        )?;
    }
    report(format_args!("coverage of {} datasets recorded", done.len()));
    Ok(ExitCode::SUCCESS)
}

/// Who a command acts as, for the audit log: the command and the operating-system user.
fn actor(command: &str) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user} (ecolake registry {command})")
}
