//! The registry of sites, enterprises, outlets, permits and devices, the data-resource catalog
//! with sharing tiers and the audit log, on SQLite or PostgreSQL through sqlx (issue #4).
//!
//! Every entry kind ([`Kind`]) — divisions, basins, departments, sites, enterprises, outlets,
//! permits and their limits, devices (passwords encrypted under a key file outside the
//! database), deployment factors, collection responsibilities and datasets with their sharing
//! tier — is checked, stored and audited the same way on both back ends ([`Registry`]), and
//! bulk-imported or exported as CSV or JSON ([`Registry::import`], [`Registry::export`]), with
//! the published station lists as import formats ([`Format`]); the catalog renders as DCAT-AP
//! JSON-LD ([`dcat`]); query sessions read every kind as an Arrow table and every dataset as a
//! view ([`Registry::sql_tables`], [`Registry::sql_views`]).
//!
//! The API's identities live here too (issue #7): users and login sessions, API keys, roles and
//! scopes, turning a bearer token into a [`Principal`] ([`Registry::authenticate`]), grants of
//! conditional datasets and the requests for them ([`grant`]), and the audit log, sealed as an
//! HMAC chain and anchored to a file outside the database ([`audit`]).

pub mod audit;
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
pub mod grant;
pub mod identity;
mod keyfile;
mod permit;
mod responsibility;
mod secret;
mod site;
mod source;
mod stations;
mod tables;
mod vocabulary;

pub use audit::{AuditEvent, AuditRecord, AuditVerification, AUDIT_ANCHOR_FILE, AUDIT_KEY_FILE};
pub use dataset::{
    BoundingBox, Coverage, Dataset, DatasetSource, DatasetTheme, SharingTier, UpdateFrequency,
};
pub use db::{Backend, Registry, DB_FILE};
pub use device::{Device, ProtocolEdition, ReportsFor, CRC_DIALECTS};
pub use division::{Basin, Department, Division};
pub use entity::{split_list, Kind};
pub use error::RegistryError;
pub use exchange::{Format, ImportOptions, ImportReport, RowError};
pub use factor::Factor;
pub use grant::{AccessRequest, Grant, GranteeKind, RequestStatus};
pub use identity::{
    ApiKey, AuthError, NewKey, NewUser, Principal, PrincipalKind, Role, Scope, Scopes, User,
};
pub use permit::{Averaging, Permit, PermitLimit};
pub use responsibility::{DuplicateCollection, Responsibility};
pub use secret::{Password, KEY_FILE};
pub use site::{Site, SiteMedium};
pub use source::{Enterprise, Outlet, OutletKind};
pub use tables::{empty_sql_tables, SqlTable, SqlView};
