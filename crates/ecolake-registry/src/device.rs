//! Devices (数采仪, data acquisition units): the HJ 212 devices that report for a site or an
//! outlet, with the profile their packets are decoded with and their password, which is stored
//! encrypted (see [`crate::secret`]) and never read back by the ordinary reads, the audit log or
//! any message.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codes;
use crate::db::Tx;
use crate::entity::{exists, split_list, Entity, Kind};
use crate::secret::{self, Password};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

/// The CRC dialects of `ecolake-hj212` (`CrcDialect::as_str` in `crates/ecolake-hj212/src/crc.rs`),
/// kept here rather than depending on the codec crate; keep the two lists equal.
pub const CRC_DIALECTS: [&str; 5] = [
    "hj212",
    "hj212-signed",
    "hj212-utf16",
    "modbus-be",
    "modbus-le",
];

vocabulary!(
    /// The HJ 212 edition a device speaks (as `ecolake-hj212` names editions in profiles).
    #[derive(Default)]
    ProtocolEdition, "edition", {
        Hj212_2005 = "2005" => "HJ/T 212-2005.",
        #[default]
        Hj212_2017 = "2017" => "HJ 212-2017 (the default).",
        Hj212_2025 = "2025" => "HJ 212-2025.",
        SurfaceWater = "surface-water" => "The national surface-water automatic-station variant.",
    }
);

/// What a device's `site` names: a monitoring site or an outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportsFor {
    /// A monitoring site (`sites`).
    Site,
    /// An outlet of an enterprise (`outlets`).
    Outlet,
}

impl ReportsFor {
    fn as_str(self) -> &'static str {
        match self {
            ReportsFor::Site => "site",
            ReportsFor::Outlet => "outlet",
        }
    }
}

/// A data acquisition unit (数采仪).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// HJ 212 device code (MN), the key.
    pub mn: String,
    /// The password (the `PW` of its packets). Required for a new device; on an update, none
    /// (or empty) keeps the stored one. Reads give none except
    /// [`Registry::device_password`] and [`Registry::devices_with_passwords`].
    #[serde(default)]
    pub password: Option<Password>,
    /// The code of the site or the outlet it reports for (a site's code is looked up first).
    pub site: String,
    /// Whether `site` is a site or an outlet: filled when read; when given on a write, `site` is
    /// looked up only there.
    #[serde(default)]
    pub reports_for: Option<ReportsFor>,
    /// Protocol edition (default `2017`).
    #[serde(default)]
    pub edition: ProtocolEdition,
    /// CRC dialect, one of [`CRC_DIALECTS`] (default `hj212`).
    #[serde(default = "hj212")]
    pub crc: String,
    /// Strict decoding (default); lenient decoding accepts and flags deviations.
    #[serde(default = "yes")]
    pub strict: bool,
    /// IANA time zone of its clock (default `Asia/Shanghai`).
    #[serde(default = "shanghai")]
    pub time_zone: String,
    /// Incoming units that differ from the canonical ones: `;`-separated `factor=unit` pairs
    /// (`a21026=mg/m³;w01018=ug/L`); stored trimmed, empty when none.
    #[serde(default)]
    pub units: String,
    /// Expected reporting interval, seconds (default 60).
    #[serde(default = "sixty")]
    pub interval_s: i64,
    /// Whether its packets are accepted (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// When the stored password was set (UTC ms). Written only with a password: a row that
    /// gives it (an export being restored) keeps it, a row without it (a new password) gets
    /// the time of writing; a time in the future is refused.
    #[serde(default)]
    pub password_set_ms: Option<i64>,
}

fn hj212() -> String {
    "hj212".to_owned()
}

fn yes() -> bool {
    true
}

fn shanghai() -> String {
    "Asia/Shanghai".to_owned()
}

fn sixty() -> i64 {
    60
}

/// The `(factor, unit)` pairs of a `units` field, trimmed, blanks dropped (not checked).
fn unit_pairs(units: &str) -> Vec<(String, String)> {
    split_list(units)
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((f, u)) => (f.trim().to_owned(), u.trim().to_owned()),
            None => (pair, String::new()),
        })
        .collect()
}

impl Device {
    /// A device with the required fields and the defaults for the rest.
    pub fn new(mn: &str, password: &str, site: &str) -> Device {
        Device {
            mn: mn.to_owned(),
            password: Some(Password::new(password)),
            site: site.to_owned(),
            reports_for: None,
            edition: ProtocolEdition::default(),
            crc: hj212(),
            strict: true,
            time_zone: shanghai(),
            units: String::new(),
            interval_s: 60,
            enabled: true,
            password_set_ms: None,
        }
    }

    /// The incoming-unit overrides as `(factor, unit)` pairs.
    pub fn unit_overrides(&self) -> Vec<(String, ecolake_model::Unit)> {
        unit_pairs(&self.units)
            .into_iter()
            .filter_map(|(f, u)| u.parse().ok().map(|u| (f, u)))
            .collect()
    }

    /// The new password this row sets, if any (an empty one sets none).
    fn new_password(&self) -> Option<&Password> {
        self.password.as_ref().filter(|p| !p.is_empty())
    }

    /// `units` as stored: the pairs trimmed, joined by `;`.
    fn stored_units(&self) -> String {
        unit_pairs(&self.units)
            .into_iter()
            .map(|(f, u)| format!("{f}={u}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Why the device cannot be stored, judged on the row alone, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        codes::check_mn(&self.mn).map_err(|e| format!("device {e}"))?;
        let mn = &self.mn;
        if let Some(pw) = self.new_password() {
            pw.check(mn)?;
        }
        let site = self.site.trim();
        if site.is_empty() || site.len() > 64 || site != self.site {
            return Err(format!(
                "device {mn}: site `{}`: must be a site or outlet code of 1 to 64 characters \
                 without surrounding spaces",
                self.site
            ));
        }
        if !CRC_DIALECTS.contains(&self.crc.as_str()) {
            return Err(format!(
                "device {mn}: CRC dialect `{}` is not one of {}",
                self.crc,
                CRC_DIALECTS.join(", ")
            ));
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "device {mn}: time zone `{}` is not an IANA time zone",
                self.time_zone
            ));
        }
        let mut seen: Vec<String> = Vec::new();
        for (factor, unit) in unit_pairs(&self.units) {
            if factor.is_empty() || unit.is_empty() {
                return Err(format!(
                    "device {mn}: units: `{factor}{}` is not a `factor=unit` pair",
                    if unit.is_empty() { "" } else { "=…" }
                ));
            }
            crate::entity::check_code("factor", &factor)
                .map_err(|e| format!("device {mn}: units: {e}"))?;
            if let Err(e) = unit.parse::<ecolake_model::Unit>() {
                return Err(format!("device {mn}: units: {factor}={unit}: {e}"));
            }
            if seen.contains(&factor) {
                return Err(format!(
                    "device {mn}: units: factor {factor} is given more than once"
                ));
            }
            seen.push(factor);
        }
        if self.interval_s <= 0 {
            return Err(format!(
                "device {mn}: interval_s {}: must be a positive number of seconds",
                self.interval_s
            ));
        }
        Ok(())
    }

    /// The `(site, outlet)` columns for `site`: the one it names (see [`Device::reports_for`]).
    async fn resolve(&self, tx: &mut Tx) -> Result<(Option<&str>, Option<&str>), RegistryError> {
        let code = self.site.as_str();
        if self.reports_for != Some(ReportsFor::Outlet) && exists(tx, "sites", "code", code).await?
        {
            return Ok((Some(code), None));
        }
        if self.reports_for != Some(ReportsFor::Site) && exists(tx, "outlets", "code", code).await?
        {
            return Ok((None, Some(code)));
        }
        let looked = match self.reports_for {
            None => "neither a site nor an outlet",
            Some(ReportsFor::Site) => "not a site",
            Some(ReportsFor::Outlet) => "not an outlet",
        };
        Err(RegistryError::Invalid(format!(
            "device {}: site `{code}` is {looked} in the registry",
            self.mn
        )))
    }
}

/// The columns [`device_of`] reads, in its order (never the password).
macro_rules! device_columns {
    () => {
        "mn, site, outlet, edition, crc, strict, time_zone, units, interval_s, enabled, \
         password_set_ms"
    };
}
const DEVICE_BY_MN: &str = concat!("SELECT ", device_columns!(), " FROM devices WHERE mn = $1");
const ALL_DEVICES: &str = concat!("SELECT ", device_columns!(), " FROM devices ORDER BY mn");
const DEVICES_FOR: &str = concat!(
    "SELECT ",
    device_columns!(),
    " FROM devices WHERE site = $1 OR outlet = $1 ORDER BY mn"
);
const ALL_WITH_PASSWORDS: &str = concat!(
    "SELECT ",
    device_columns!(),
    ", password_enc FROM devices ORDER BY mn"
);

/// A stored device, without its password.
fn device_of(r: &AnyRow) -> Result<Device, RegistryError> {
    let mn: String = r.try_get(0)?;
    let site: Option<String> = r.try_get(1)?;
    let outlet: Option<String> = r.try_get(2)?;
    let (site, reports_for) = match (site, outlet) {
        (Some(s), None) => (s, ReportsFor::Site),
        (None, Some(o)) => (o, ReportsFor::Outlet),
        _ => {
            return Err(RegistryError::Corrupt(format!(
                "device {mn}: reports for both or neither of a site and an outlet"
            )))
        }
    };
    let edition: String = r.try_get(3)?;
    let strict: i64 = r.try_get(5)?;
    let enabled: i64 = r.try_get(9)?;
    Ok(Device {
        password: None,
        site,
        reports_for: Some(reports_for),
        edition: edition
            .parse()
            .map_err(|e| RegistryError::Corrupt(format!("device {mn}: {e}")))?,
        crc: r.try_get(4)?,
        strict: strict != 0,
        time_zone: r.try_get(6)?,
        units: r.try_get(7)?,
        interval_s: r.try_get(8)?,
        enabled: enabled != 0,
        password_set_ms: Some(r.try_get(10)?),
        mn,
    })
}

/// One device by MN, without its password.
async fn by_mn<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    mn: &str,
) -> Result<Option<Device>, RegistryError> {
    sqlx::query(DEVICE_BY_MN)
        .bind(mn)
        .fetch_optional(db)
        .await?
        .map(|r| device_of(&r))
        .transpose()
}

impl Entity for Device {
    const KIND: Kind = Kind::Devices;

    fn key(&self) -> String {
        self.mn.clone()
    }

    fn check(&self) -> Result<(), String> {
        Device::check(self)
    }

    /// The row without the password: `"password": "set"` (every stored device has one); when
    /// it was last set is `password_set_ms`, so a change of password shows as a new time.
    fn audit_value(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("registry rows serialise");
        if let Some(obj) = v.as_object_mut() {
            obj.insert("password".into(), "set".into());
        }
        v
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        by_mn(&mut **tx, &row.mn).await
    }

    async fn store(
        registry: &Registry,
        tx: &mut Tx,
        d: &Self,
        now: i64,
    ) -> Result<(), RegistryError> {
        let stored = exists(tx, "devices", "mn", &d.mn).await?;
        if !stored && d.new_password().is_none() {
            return Err(RegistryError::Invalid(format!(
                "device {}: a password is required for a new device",
                d.mn
            )));
        }
        let (site, outlet) = d.resolve(tx).await?;
        for (factor, _) in unit_pairs(&d.units) {
            crate::factor::require(tx, &format!("device {}: units", d.mn), &factor).await?;
        }
        let units = d.stored_units();
        if d.password_set_ms.is_some_and(|t| t > now) {
            return Err(RegistryError::Invalid(format!(
                "device {}: password_set_ms {} is in the future",
                d.mn,
                d.password_set_ms.unwrap_or_default()
            )));
        }
        match d.new_password() {
            Some(password) => {
                let enc = secret::key_for_write(registry, tx)
                    .await?
                    .encrypt(&d.mn, password)?;
                sqlx::query(
                    "INSERT INTO devices (mn, password_enc, password_set_ms, site, outlet, \
                     edition, crc, strict, time_zone, units, interval_s, enabled, created_ms, \
                     updated_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                     ON CONFLICT (mn) DO UPDATE SET password_enc = excluded.password_enc, \
                     password_set_ms = excluded.password_set_ms, site = excluded.site, \
                     outlet = excluded.outlet, edition = excluded.edition, crc = excluded.crc, \
                     strict = excluded.strict, time_zone = excluded.time_zone, \
                     units = excluded.units, interval_s = excluded.interval_s, \
                     enabled = excluded.enabled, updated_ms = excluded.updated_ms",
                )
                .bind(&d.mn)
                .bind(enc)
                .bind(d.password_set_ms.unwrap_or(now))
                .bind(site)
                .bind(outlet)
                .bind(d.edition.as_str())
                .bind(&d.crc)
                .bind(i64::from(d.strict))
                .bind(&d.time_zone)
                .bind(units)
                .bind(d.interval_s)
                .bind(i64::from(d.enabled))
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "UPDATE devices SET site = $2, outlet = $3, edition = $4, crc = $5, \
                     strict = $6, time_zone = $7, units = $8, interval_s = $9, enabled = $10, \
                     updated_ms = $11 WHERE mn = $1",
                )
                .bind(&d.mn)
                .bind(site)
                .bind(outlet)
                .bind(d.edition.as_str())
                .bind(&d.crc)
                .bind(i64::from(d.strict))
                .bind(&d.time_zone)
                .bind(units)
                .bind(d.interval_s)
                .bind(i64::from(d.enabled))
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query(ALL_DEVICES)
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(device_of)
            .collect()
    }
}

impl Registry {
    /// Registers a device or updates the one with its MN (a password is required for a new
    /// device; an update without one keeps the stored password).
    pub async fn put_device(&self, actor: &str, device: &Device) -> Result<(), RegistryError> {
        self.put_one(actor, device).await
    }

    /// Registers a new device; refuses an MN that is already registered.
    pub async fn add_device(&self, actor: &str, device: &Device) -> Result<(), RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        if let Some(old) = by_mn(&mut *tx, &device.mn).await? {
            let what = old.reports_for.map_or("site", ReportsFor::as_str);
            return Err(RegistryError::Invalid(format!(
                "device MN {} is already registered (for {what} {})",
                device.mn, old.site
            )));
        }
        crate::entity::put(self, &mut tx, actor, device).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One device, without its password.
    pub async fn device(&self, mn: &str) -> Result<Option<Device>, RegistryError> {
        by_mn(self.pool(), mn).await
    }

    /// Every device, by MN, without passwords.
    pub async fn devices(&self) -> Result<Vec<Device>, RegistryError> {
        Device::all(self).await
    }

    /// The devices that report for the site or outlet `code`, by MN, without passwords.
    pub async fn devices_for(&self, code: &str) -> Result<Vec<Device>, RegistryError> {
        sqlx::query(DEVICES_FOR)
            .bind(code)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(device_of)
            .collect()
    }

    /// A device's password, decrypted (for the platform's own commands to the device); none if
    /// the MN is not registered.
    pub async fn device_password(&self, mn: &str) -> Result<Option<Password>, RegistryError> {
        let Some(row) = sqlx::query("SELECT password_enc FROM devices WHERE mn = $1")
            .bind(mn)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let stored: String = row.try_get(0)?;
        let key = secret::key_for_read(self, 1)?;
        key.decrypt(mn, &stored).map(Some)
    }

    /// Every device with its password decrypted, by MN (for an export that includes secrets).
    pub async fn devices_with_passwords(&self) -> Result<Vec<Device>, RegistryError> {
        let rows = sqlx::query(ALL_WITH_PASSWORDS)
            .fetch_all(self.pool())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = secret::key_for_read(self, rows.len())?;
        rows.iter()
            .map(|r| {
                let mut d = device_of(r)?;
                let stored: String = r.try_get(11)?;
                d.password = Some(key.decrypt(&d.mn, &stored)?);
                Ok(d)
            })
            .collect()
    }
}
