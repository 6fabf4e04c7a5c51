//! Subcommands.

pub mod hj212;
pub mod import;
pub mod sql;
