//! Subcommands.

pub mod admin;
pub mod aqi;
pub mod assess;
pub mod hj212;
pub mod import;
pub mod registry;
pub mod serve;
pub mod sql;
pub mod water_class;

/// Prints one line of a command's report to stderr (stdout carries the command's data).
#[allow(clippy::print_stderr)]
pub fn report(msg: std::fmt::Arguments<'_>) {
    eprintln!("{msg}");
}

/// The tokio runtime a command runs its async work on (every worker thread, all drivers).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")
}
