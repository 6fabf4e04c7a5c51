//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers, users, API keys and the audit log, on SQLite or PostgreSQL through sqlx.
//! Filled by the registry issue (#4).
