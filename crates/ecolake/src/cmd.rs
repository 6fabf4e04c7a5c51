//! Subcommands.

pub mod hj212;
pub mod import;
pub mod registry;
pub mod serve;
pub mod sql;

/// Prints one line of a command's report to stderr (stdout carries the command's data).
#[allow(clippy::print_stderr)]
pub fn report(msg: std::fmt::Arguments<'_>) {
    eprintln!("{msg}");
}
