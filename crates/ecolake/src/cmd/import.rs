//! `ecolake import`: load observation files (CSV, Parquet, the PRSA Beijing files) into the
//! lake of a data directory, reporting rows accepted and rejected with reasons.

use std::path::PathBuf;
use std::process::ExitCode;

use super::report;
use clap::Args;
use ecolake_ingest::{read_file, FileFormat, HourLabel, ImportOptions};
use ecolake_qc::{Checker, Origin, Rules};
use ecolake_store::{LakeLocation, Store, StoreConfig};

/// Rejections shown per file.
const SHOWN: usize = 100;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The data directory (created if missing).
    #[arg(long)]
    data_dir: PathBuf,
    /// File format: csv, parquet or prsa (the Beijing multi-site wide CSV). Default: by the
    /// file's extension (.csv, .csv.gz, .parquet).
    #[arg(long, value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<FileFormat>()))]
    format: Option<FileFormat>,
    /// Time zone of local times (`yyyy-MM-dd HH:mm:ss` without an offset).
    #[arg(long, default_value = "Asia/Shanghai")]
    tz: chrono_tz::Tz,
    /// Whether the file labels a period by its start or its end (CNEMC labels 15:00–16:00 as
    /// hour 16: `--hour-label end`).
    #[arg(long, default_value = "start", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<HourLabel>()))]
    hour_label: HourLabel,
    /// Where the lake is, when not in the data directory: `s3://bucket/prefix` (credentials,
    /// region and endpoint from the `AWS_*` environment variables). Recorded in the data
    /// directory at first use; later commands find it there.
    #[arg(long)]
    lake: Option<String>,
    /// A CSV of QC rules overriding the built-in ones (as for `serve`).
    #[arg(long)]
    qc_rules: Option<PathBuf>,
    /// Files to import.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let runtime = crate::cmd::runtime()?;
    runtime.block_on(import(args))
}

async fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let config = StoreConfig {
        lake: LakeLocation {
            url: args.lake.clone(),
            options: Vec::new(),
        },
        ..StoreConfig::default()
    };
    // Files get the same quality control as live data, as history (never `late`).
    let mut checker = Checker::new(match &args.qc_rules {
        Some(path) => Rules::builtin_with(path)?,
        None => Rules::builtin(),
    });
    let store = Store::open_as(&args.data_dir, config, "ecolake import").await?;
    let options = ImportOptions {
        format: args.format,
        tz: args.tz,
        hour_label: args.hour_label,
        ..ImportOptions::default()
    };
    let (mut total_ok, mut total_bad) = (0u64, 0u64);
    for path in &args.files {
        let parsed = match read_file(path, &options) {
            Ok(p) => p,
            Err(e) => {
                // Most errors name the file already.
                let text = e.to_string();
                if text.contains(&*path.to_string_lossy()) {
                    report(format_args!("{text}"));
                } else {
                    report(format_args!("{}: {text}", path.display()));
                }
                continue;
            }
        };
        for w in &parsed.warnings {
            report(format_args!("{}: {w}", path.display()));
        }
        let mut rejected: Vec<String> = parsed
            .rejected
            .iter()
            .map(|r| format!("line {}: {}", r.line, r.reason))
            .collect();
        let mut bad = parsed.rejected_count;
        let (mut ok, mut row_base) = (0u64, 0usize);
        for batch in &parsed.batches {
            let received_ms = chrono::Utc::now().timestamp_millis();
            let checked = checker.check(batch, Origin::History { received_ms })?;
            let outcome = store.write(&checked).await?;
            ok += outcome.accepted as u64;
            bad += outcome.rejected.len() as u64;
            for r in outcome
                .rejected
                .iter()
                .take(SHOWN.saturating_sub(rejected.len()))
            {
                let line = parsed.lines.get(row_base + r.row).copied().unwrap_or(0);
                rejected.push(format!("line {line}: {}", r.reason));
            }
            row_base += batch.num_rows();
        }
        report(format_args!(
            "{}: {ok} rows accepted, {bad} rejected",
            path.display()
        ));
        for r in rejected.iter().take(SHOWN) {
            report(format_args!("  {r}"));
        }
        if bad as usize > SHOWN {
            report(format_args!("  … and {} more", bad as usize - SHOWN));
        }
        total_ok += ok;
        total_bad += bad;
    }
    store.close().await?;
    report(format_args!(
        "imported {total_ok} rows into {} ({total_bad} rejected)",
        args.data_dir.display()
    ));
    Ok(if total_ok == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
