//! Subcommands.

pub mod hj212;
