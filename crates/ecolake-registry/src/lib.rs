//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers, users, API keys and the audit log, on SQLite or PostgreSQL through sqlx
//! (issue #4, in progress).
//!
//! So far: [`codes`] (the identification codes every entry carries), [`Site`]s with
//! administrative divisions, and the audit log, on both back ends ([`Registry`]).

pub mod codes;
mod db;
mod error;
mod site;

pub use db::{AuditRecord, Backend, Registry};
pub use error::RegistryError;
pub use site::{Site, SiteMedium};
