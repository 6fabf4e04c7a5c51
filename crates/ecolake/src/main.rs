//! `ecolake`: one binary to collect, keep, analyse and share environmental monitoring data.

mod cli;
mod cmd;

fn main() -> std::process::ExitCode {
    cli::run()
}
