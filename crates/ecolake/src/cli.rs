//! The command line: one subcommand per job, each with its own args and module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;

/// ecolake — ecological and environmental monitoring data platform.
#[derive(Debug, Parser)]
#[command(name = "ecolake", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// HJ 212 tools: decode a byte stream to JSON, encode JSON to packets.
    #[command(subcommand)]
    Hj212(cmd::hj212::Hj212Command),
    /// Load observation files (CSV, Parquet, PRSA) into the lake of a data directory.
    Import(cmd::import::ImportArgs),
    /// Run SQL on the lake of a data directory, read-only (also while a server writes to it).
    Sql(cmd::sql::SqlArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ECOLAKE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Hj212(c) => cmd::hj212::run(c),
        Command::Import(a) => cmd::import::run(&a),
        Command::Sql(a) => cmd::sql::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("ecolake: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}
