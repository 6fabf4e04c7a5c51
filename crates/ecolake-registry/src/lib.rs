//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers, users, API keys and the audit log, on SQLite or PostgreSQL through sqlx
//! (issue #4, in progress).
//!
//! Every entry kind ([`Kind`]) — divisions, basins, departments, sites, enterprises, outlets,
//! permits and their limits, devices (passwords encrypted under a key file outside the
//! database), deployment factors, collection responsibilities and datasets with their sharing
//! tier — is checked, stored and audited the same way on both back ends ([`Registry`]), and
//! bulk-imported or exported as CSV or JSON ([`Registry::import`], [`Registry::export`]); the
//! catalog renders as DCAT-AP JSON-LD ([`dcat`]). Still to come: the `ecolake registry` CLI,
//! the registry tables in SQL sessions, and users and API keys (issue #7).

pub mod codes;
mod dataset;
mod db;
pub mod dcat;
mod device;
mod division;
mod entity;
mod error;
mod exchange;
mod factor;
mod permit;
mod responsibility;
mod secret;
mod site;
mod source;

pub use dataset::{
    BoundingBox, Coverage, Dataset, DatasetSource, DatasetTheme, SharingTier, UpdateFrequency,
};
pub use db::{AuditRecord, Backend, Registry};
pub use device::{Device, ProtocolEdition, ReportsFor, CRC_DIALECTS};
pub use division::{Basin, Department, Division};
pub use entity::{split_list, Kind};
pub use error::RegistryError;
pub use exchange::{Format, ImportOptions, ImportReport, RowError};
pub use factor::Factor;
pub use permit::{Averaging, Permit, PermitLimit};
pub use responsibility::{DuplicateCollection, Responsibility};
pub use secret::{Password, KEY_FILE};
pub use site::{Site, SiteMedium};
pub use source::{Enterprise, Outlet, OutletKind};
