//! What every registry entity has in common: a kind, a key, a check of the row alone, reads and
//! an upsert that the generic [`put`] wraps with the audit record. One implementation per entity
//! module; bulk import and export ([`crate::exchange`]) work on any of them.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::db::Tx;
use crate::{Registry, RegistryError};

/// The kinds of registry entries (the `--kind` of `ecolake registry import|export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Administrative divisions (GB/T 2260).
    Divisions,
    /// River basins.
    Basins,
    /// Departments (owners of datasets, collectors of data).
    Departments,
    /// Monitoring sites.
    Sites,
    /// Enterprises (pollution sources).
    Enterprises,
    /// Their outlets.
    Outlets,
    /// Discharge permits.
    Permits,
    /// Permit limits per outlet and factor.
    PermitLimits,
    /// Data acquisition units (HJ 212 devices).
    Devices,
    /// Factors a deployment adds to the HJ 212 registry.
    Factors,
    /// Which department collects which factor where.
    Responsibilities,
    /// The data resource catalog.
    Datasets,
}

impl Kind {
    /// Every kind, in the order a whole registry is loaded (references point backwards).
    pub const ALL: [Kind; 12] = [
        Kind::Divisions,
        Kind::Basins,
        Kind::Departments,
        Kind::Sites,
        Kind::Enterprises,
        Kind::Outlets,
        Kind::Permits,
        Kind::PermitLimits,
        Kind::Devices,
        Kind::Factors,
        Kind::Responsibilities,
        Kind::Datasets,
    ];

    /// The name on the command line (`permit-limits`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Divisions => "divisions",
            Kind::Basins => "basins",
            Kind::Departments => "departments",
            Kind::Sites => "sites",
            Kind::Enterprises => "enterprises",
            Kind::Outlets => "outlets",
            Kind::Permits => "permits",
            Kind::PermitLimits => "permit-limits",
            Kind::Devices => "devices",
            Kind::Factors => "factors",
            Kind::Responsibilities => "responsibilities",
            Kind::Datasets => "datasets",
        }
    }

    /// The table (in the database, the audit log and SQL sessions: `permit_limits`).
    pub fn table(self) -> &'static str {
        match self {
            Kind::PermitLimits => "permit_limits",
            k => k.as_str(),
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.table() == s)
            .ok_or_else(|| {
                format!(
                    "kind `{s}`: must be one of {}",
                    Kind::ALL.map(Kind::as_str).join(", ")
                )
            })
    }
}

/// Expands `$go!(Type)` for the entity type of `$kind`: the one table from kinds to types.
macro_rules! by_kind {
    ($kind:expr, $go:ident) => {
        match $kind {
            Kind::Divisions => $go!(crate::Division),
            Kind::Basins => $go!(crate::Basin),
            Kind::Departments => $go!(crate::Department),
            Kind::Sites => $go!(crate::Site),
            Kind::Factors => $go!(crate::Factor),
            Kind::Enterprises => $go!(crate::Enterprise),
            Kind::Outlets => $go!(crate::Outlet),
            Kind::Permits => $go!(crate::Permit),
            Kind::PermitLimits => $go!(crate::PermitLimit),
            Kind::Devices => $go!(crate::Device),
            Kind::Responsibilities => $go!(crate::Responsibility),
            Kind::Datasets => $go!(crate::Dataset),
        }
    };
}
pub(crate) use by_kind;

/// One kind of registry row. Rows are flat (no nested structs, lists as `;`-separated text), so
/// the same serde form is a CSV record, a JSON object and a SQL table row.
pub(crate) trait Entity: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Which kind.
    const KIND: Kind;

    /// The row's key, as messages and the audit log name it (`permit/outlet/factor/averaging`
    /// for composite keys).
    fn key(&self) -> String;

    /// Why the row cannot be stored, judged on the row alone (codes, ranges, required fields);
    /// the reason names the row's key and the field.
    fn check(&self) -> Result<(), String>;

    /// The row as the audit log records it. Secrets never appear here.
    fn audit_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("registry rows serialise")
    }

    /// The stored row with `row`'s key, if any (as [`Entity::all`] returns it).
    async fn fetch(
        registry: &Registry,
        tx: &mut Tx,
        row: &Self,
    ) -> Result<Option<Self>, RegistryError>;

    /// Checks the row's references (a missing one is [`RegistryError::Invalid`] naming it) and
    /// inserts or updates it, setting `created_ms`/`updated_ms` to `now` as appropriate.
    async fn store(
        registry: &Registry,
        tx: &mut Tx,
        row: &Self,
        now: i64,
    ) -> Result<(), RegistryError>;

    /// Every row, in key order.
    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError>;
}

/// Checks, writes and audits one row inside `tx`: the audit record holds the row before and the
/// row as stored after.
pub(crate) async fn put<E: Entity>(
    registry: &Registry,
    tx: &mut Tx,
    actor: &str,
    row: &E,
) -> Result<(), RegistryError> {
    row.check().map_err(RegistryError::Invalid)?;
    let before = E::fetch(registry, tx, row).await?;
    let now = chrono::Utc::now().timestamp_millis();
    E::store(registry, tx, row, now).await?;
    // The log records the row as stored (with what the store computed, such as a parent).
    let after = E::fetch(registry, tx, row).await?;
    let action = if before.is_some() { "update" } else { "insert" };
    crate::audit::change(
        registry,
        tx,
        now,
        actor,
        E::KIND.table(),
        &row.key(),
        action,
        before.map(|b| b.audit_value()).as_ref(),
        after.map(|a| a.audit_value()).as_ref(),
    )
    .await
}

/// Whether a row with this key exists in `table` (`column = key`): for reference checks.
pub(crate) async fn exists(
    tx: &mut Tx,
    table: &'static str,
    column: &'static str,
    key: &str,
) -> Result<bool, RegistryError> {
    let sql = format!("SELECT 1 FROM {table} WHERE {column} = $1");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// Splits a `;`-separated list (blank items dropped, items trimmed).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks an identifier-like code: 1 to 64 characters of ASCII letters, digits, `_`, `-`, `.`.
pub(crate) fn check_code(what: &str, code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} code `{code}`: must be 1 to 64 ASCII letters, digits, `_`, `-` or `.`"
        ))
    }
}
