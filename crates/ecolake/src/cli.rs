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
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hj212(c) => cmd::hj212::run(c),
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
