//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers, users, API keys and the audit log, on SQLite or PostgreSQL through sqlx
//! (issue #4, in progress).
//!
//! So far: [`codes`], the validation of the identification codes every registry entry carries.

pub mod codes;
