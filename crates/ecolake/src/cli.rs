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
    /// HJ 212 tools: decode a byte stream to JSON, encode JSON to packets, simulate devices.
    #[command(subcommand)]
    Hj212(cmd::hj212::Hj212Command),
    /// Load observation files (CSV, Parquet, PRSA) into the lake of a data directory.
    Import(cmd::import::ImportArgs),
    /// Run SQL on the lake and the registry of a data directory, read-only (also while a
    /// server writes to it).
    Sql(cmd::sql::SqlArgs),
    /// Run the platform: the HJ 212 gateway devices connect to and the HTTP API, on the store
    /// and registry of a data directory, until SIGTERM or SIGINT.
    Serve(cmd::serve::ServeArgs),
    /// The registry of sites, sources, permits, devices and datasets: bulk import and export.
    #[command(subcommand)]
    Registry(cmd::registry::RegistryCommand),
    /// The API's users, keys and grants, and the audit log: bootstrap the first admin key,
    /// create users and keys, share conditional datasets, verify the audit log.
    #[command(subcommand)]
    Admin(cmd::admin::AdminCommand),
    /// The air quality index (HJ 633-2012, HJ 633-2026, US EPA) of every row of a CSV: the
    /// rows pass through with aqi, level, category, primary and `iaqi_<pollutant>` appended.
    Aqi(cmd::aqi::AqiArgs),
    /// The GB 3838-2002 surface-water class of every row of a CSV: the rows pass through with
    /// class, worst_factors and `class_<factor>` appended.
    WaterClass(cmd::water_class::WaterClassArgs),
    /// The annual assessment of an air-quality site against GB 3095 (HJ 663 statistics,
    /// compliance, days per AQI level) from its hourly observations in the lake, as JSON.
    Assess(cmd::assess::AssessArgs),
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
        Command::Registry(c) => cmd::registry::run(c),
        Command::Admin(c) => cmd::admin::run(c),
        Command::Serve(a) => cmd::serve::run(&a),
        Command::Aqi(a) => cmd::aqi::run(&a),
        Command::WaterClass(a) => cmd::water_class::run(&a),
        Command::Assess(a) => cmd::assess::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("ecolake: {}", chain(&e));
            }
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes, `: `-separated, leaving out a cause whose text the message before
/// already shows (errors that name their cause in their own message and also expose it as a
/// source, like an I/O error under "writing FILE: …", would otherwise print it twice).
fn chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_the_message_shows_is_not_repeated() {
        let io = std::io::Error::other("No space left on device");
        let e = anyhow::Error::new(ecolake_store::StoreError::io("writing", "/lake/x", io))
            .context("flushing");
        assert_eq!(
            super::chain(&e),
            "flushing: writing /lake/x: No space left on device"
        );
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(super::chain(&e), "outer: inner");
    }
}
