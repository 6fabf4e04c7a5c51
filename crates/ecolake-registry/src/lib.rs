//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers, users, API keys and the audit log, on SQLite or PostgreSQL through sqlx
//! (issue #4, in progress).
//!
//! So far: [`codes`] (the identification codes every entry carries), [`Site`]s with
//! administrative divisions, and the audit log, on both back ends ([`Registry`]).

pub mod codes;
mod db;
mod division;
mod entity;
mod error;
mod factor;
mod site;

pub use db::{AuditRecord, Backend, Registry};
pub use division::{Basin, Department, Division};
pub use entity::{split_list, Kind};
pub use error::RegistryError;
pub use factor::Factor;
pub use site::{Site, SiteMedium};
