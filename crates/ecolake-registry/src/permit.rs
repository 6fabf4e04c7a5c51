//! Discharge permits (排污许可证) and their limits: per outlet and factor, the concentration
//! limit over an averaging period and the outlet's annual allowance (t/a) for the factor.
//!
//! The allowance is the outlet's: a limit row's `allowance_t_per_year` is what that outlet may
//! discharge of the factor in a year, and the permit's allowance for a factor
//! ([`Registry::permit_allowances`]) is the sum over its outlets. Rows of one outlet and factor
//! that differ only in their averaging period (an hourly and a daily limit) may repeat the
//! allowance or leave it empty, but may not state different ones.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ecolake_model::{Factor as BuiltIn, Unit};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Tx;
use crate::entity::{exists, Entity, Kind};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

/// A discharge permit of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    /// Permit number as issued (`91110000600001760P001V`): 1 to 64 characters, no surrounding
    /// spaces, no control characters and no `/` (limit keys are `/`-separated).
    pub number: String,
    /// The enterprise's credit code (registered).
    pub enterprise: String,
    /// First day of validity, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day of validity, `YYYY-MM-DD`, not before `valid_from`.
    pub valid_to: String,
}

/// Checks a `YYYY-MM-DD` date.
fn check_date(whose: &str, field: &str, s: &str) -> Result<NaiveDate, String> {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if s.len() == 10 && d.format("%Y-%m-%d").to_string() == s => Ok(d),
        _ => Err(format!(
            "{whose}: {field} `{s}`: must be a calendar date written YYYY-MM-DD"
        )),
    }
}

impl Permit {
    /// A permit of `enterprise` valid from `valid_from` to `valid_to` (`YYYY-MM-DD`).
    pub fn new(number: &str, enterprise: &str, valid_from: &str, valid_to: &str) -> Permit {
        Permit {
            number: number.to_owned(),
            enterprise: enterprise.to_owned(),
            valid_from: valid_from.to_owned(),
            valid_to: valid_to.to_owned(),
        }
    }

    /// Why the permit cannot be stored, judged on the row alone, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let n = &self.number;
        if n.is_empty()
            || n.chars().count() > 64
            || n.trim() != n
            || n.chars().any(|c| c.is_control() || c == '/')
        {
            return Err(format!(
                "permit number `{n}`: must be 1 to 64 characters without surrounding spaces, \
                 control characters or `/`"
            ));
        }
        let whose = format!("permit {n}");
        if self.enterprise.trim().is_empty() {
            return Err(format!("{whose}: the enterprise is empty"));
        }
        let from = check_date(&whose, "valid_from", &self.valid_from)?;
        let to = check_date(&whose, "valid_to", &self.valid_to)?;
        if to < from {
            return Err(format!(
                "{whose}: valid_to {} is before valid_from {}",
                self.valid_to, self.valid_from
            ));
        }
        Ok(())
    }

    /// Whether the permit is valid on `date` (both ends included).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        let d = date.format("%Y-%m-%d").to_string();
        self.valid_from <= d && d <= self.valid_to
    }
}

vocabulary!(
    /// The period a limit value is averaged over (the `averaging` column).
    #[derive(PartialOrd, Ord)]
    Averaging, "averaging", {
        Hour = "hour" => "Hourly mean.",
        Day = "day" => "Daily mean.",
        Month = "month" => "Monthly mean.",
        Year = "year" => "Annual mean.",
    }
);

/// One limit of a permit: an outlet's limit for a factor over an averaging period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermitLimit {
    /// The permit's number (registered).
    pub permit: String,
    /// The outlet's code (registered, of the permit's enterprise).
    pub outlet: String,
    /// The factor's code (HJ 212 or this deployment's).
    pub factor: String,
    /// The limit value (positive), in `unit` (column `limit_value` in the database).
    pub limit: f64,
    /// Unit of the limit, stored as `ecolake-model` writes it (`mg/m3` is stored `mg/m³`); it
    /// must measure the same quantity as the factor's unit.
    pub unit: String,
    /// Averaging period of the limit.
    pub averaging: Averaging,
    /// The outlet's annual allowance for the factor, tonnes per year (0 or more), if set.
    #[serde(default)]
    pub allowance_t_per_year: Option<f64>,
}

impl PermitLimit {
    /// Why the limit cannot be stored, judged on the row alone, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let whose = format!("permit limit {}", Entity::key(self));
        for (field, value) in [
            ("permit", &self.permit),
            ("outlet", &self.outlet),
            ("factor", &self.factor),
        ] {
            if value.trim().is_empty() {
                return Err(format!("{whose}: the {field} is empty"));
            }
        }
        if !(self.limit.is_finite() && self.limit > 0.0) {
            return Err(format!(
                "{whose}: limit {}: must be a positive number",
                self.limit
            ));
        }
        self.unit
            .parse::<Unit>()
            .map_err(|e| format!("{whose}: unit: {e}"))?;
        if let Some(a) = self.allowance_t_per_year {
            if !(a.is_finite() && a >= 0.0) {
                return Err(format!(
                    "{whose}: allowance_t_per_year {a}: must be a number of tonnes, 0 or more"
                ));
            }
        }
        Ok(())
    }
}

/// A unit as messages show it (`1` for dimensionless).
fn shown(u: Unit) -> &'static str {
    match u.symbol() {
        "" => "1",
        s => s,
    }
}

fn permit_of(r: &AnyRow) -> Result<Permit, RegistryError> {
    Ok(Permit {
        number: r.try_get(0)?,
        enterprise: r.try_get(1)?,
        valid_from: r.try_get(2)?,
        valid_to: r.try_get(3)?,
    })
}

/// One permit by number.
async fn permit_by_number<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    number: &str,
) -> Result<Option<Permit>, RegistryError> {
    sqlx::query("SELECT number, enterprise, valid_from, valid_to FROM permits WHERE number = $1")
        .bind(number)
        .fetch_optional(db)
        .await?
        .map(|r| permit_of(&r))
        .transpose()
}

impl Entity for Permit {
    const KIND: Kind = Kind::Permits;

    fn key(&self) -> String {
        self.number.clone()
    }

    fn check(&self) -> Result<(), String> {
        Permit::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        permit_by_number(&mut **tx, &row.number).await
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        let whose = format!("permit {}", row.number);
        if !exists(tx, "enterprises", "credit_code", &row.enterprise).await? {
            return Err(RegistryError::Invalid(format!(
                "{whose}: enterprise {} is not in the registry",
                row.enterprise
            )));
        }
        if let Some(before) = permit_by_number(&mut **tx, &row.number).await? {
            if before.enterprise != row.enterprise
                && exists(tx, "permit_limits", "permit", &row.number).await?
            {
                return Err(RegistryError::Invalid(format!(
                    "{whose}: it has limits for outlets of enterprise {}; it cannot move to \
                     enterprise {}",
                    before.enterprise, row.enterprise
                )));
            }
        }
        sqlx::query(
            "INSERT INTO permits (number, enterprise, valid_from, valid_to, created_ms, \
             updated_ms) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (number) DO UPDATE SET enterprise = excluded.enterprise, \
             valid_from = excluded.valid_from, valid_to = excluded.valid_to, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&row.number)
        .bind(&row.enterprise)
        .bind(&row.valid_from)
        .bind(&row.valid_to)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        let mut rows = sqlx::query("SELECT number, enterprise, valid_from, valid_to FROM permits")
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(permit_of)
            .collect::<Result<Vec<_>, _>>()?;
        // Byte order on both back ends (PostgreSQL would sort by the database's collation).
        rows.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(rows)
    }
}

/// The columns [`limit_of`] reads, in its order.
macro_rules! limit_columns {
    () => {
        "permit, outlet, factor, limit_value, unit, averaging, allowance_t_per_year"
    };
}

fn limit_of(r: &AnyRow) -> Result<PermitLimit, RegistryError> {
    let averaging: String = r.try_get(5)?;
    Ok(PermitLimit {
        permit: r.try_get(0)?,
        outlet: r.try_get(1)?,
        factor: r.try_get(2)?,
        limit: r.try_get(3)?,
        unit: r.try_get(4)?,
        averaging: averaging.parse().map_err(RegistryError::Corrupt)?,
        allowance_t_per_year: r.try_get(6)?,
    })
}

/// Limits in key order: permit, outlet, factor (bytes), averaging (shortest first).
fn in_key_order(mut limits: Vec<PermitLimit>) -> Vec<PermitLimit> {
    limits.sort_by(|a, b| {
        (&a.permit, &a.outlet, &a.factor, a.averaging).cmp(&(
            &b.permit,
            &b.outlet,
            &b.factor,
            b.averaging,
        ))
    });
    limits
}

/// The unit of a factor's values, if it has one: the HJ 212 table's or the deployment's.
async fn factor_unit(tx: &mut Tx, code: &str) -> Result<Option<Unit>, RegistryError> {
    if let Some(f) = BuiltIn::lookup(code) {
        return Ok(f.printed_unit);
    }
    let unit: Option<String> = sqlx::query("SELECT unit FROM factors WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(unit.and_then(|u| u.parse().ok()))
}

impl Entity for PermitLimit {
    const KIND: Kind = Kind::PermitLimits;

    fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.permit, self.outlet, self.factor, self.averaging
        )
    }

    fn check(&self) -> Result<(), String> {
        PermitLimit::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        sqlx::query(concat!(
            "SELECT ",
            limit_columns!(),
            " FROM permit_limits WHERE permit = $1 AND outlet = $2 AND factor = $3 \
             AND averaging = $4"
        ))
        .bind(&row.permit)
        .bind(&row.outlet)
        .bind(&row.factor)
        .bind(row.averaging.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| limit_of(&r))
        .transpose()
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, now: i64) -> Result<(), RegistryError> {
        let whose = format!("permit limit {}", Entity::key(row));
        let invalid = |reason: String| Err(RegistryError::Invalid(format!("{whose}: {reason}")));
        let Some(permit) = permit_by_number(&mut **tx, &row.permit).await? else {
            return invalid(format!("permit {} is not in the registry", row.permit));
        };
        let Some(outlet) = crate::source::outlet_by_code(&mut **tx, &row.outlet).await? else {
            return invalid(format!("outlet {} is not in the registry", row.outlet));
        };
        if outlet.enterprise != permit.enterprise {
            return invalid(format!(
                "outlet {} belongs to enterprise {}, but permit {} is enterprise {}'s",
                outlet.code, outlet.enterprise, permit.number, permit.enterprise
            ));
        }
        crate::factor::require(tx, &whose, &row.factor).await?;
        let unit: Unit = match row.unit.parse() {
            Ok(u) => u,
            Err(e) => return invalid(format!("unit: {e}")),
        };
        if let Some(factor_unit) = factor_unit(tx, &row.factor).await? {
            if Unit::convert(1.0, unit, factor_unit).is_none() {
                return invalid(format!(
                    "unit {} does not measure factor {}, whose unit is {}",
                    shown(unit),
                    row.factor,
                    shown(factor_unit)
                ));
            }
        }
        if let Some(allowance) = row.allowance_t_per_year {
            let others = sqlx::query(
                "SELECT averaging, allowance_t_per_year FROM permit_limits WHERE permit = $1 \
                 AND outlet = $2 AND factor = $3 AND averaging <> $4 \
                 AND allowance_t_per_year IS NOT NULL",
            )
            .bind(&row.permit)
            .bind(&row.outlet)
            .bind(&row.factor)
            .bind(row.averaging.as_str())
            .fetch_all(&mut **tx)
            .await?;
            for other in &others {
                let averaging: String = other.try_get(0)?;
                let stated: f64 = other.try_get(1)?;
                if stated != allowance {
                    return invalid(format!(
                        "allowance_t_per_year {allowance} differs from {stated} on the {averaging} \
                         limit of the same outlet and factor (the allowance is the outlet's \
                         per factor)"
                    ));
                }
            }
        }
        sqlx::query(
            "INSERT INTO permit_limits (permit, outlet, factor, limit_value, unit, averaging, \
             allowance_t_per_year, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (permit, outlet, factor, averaging) DO UPDATE SET \
             limit_value = excluded.limit_value, unit = excluded.unit, \
             allowance_t_per_year = excluded.allowance_t_per_year, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&row.permit)
        .bind(&row.outlet)
        .bind(&row.factor)
        .bind(row.limit)
        .bind(unit.symbol())
        .bind(row.averaging.as_str())
        .bind(row.allowance_t_per_year)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        let rows = sqlx::query(concat!("SELECT ", limit_columns!(), " FROM permit_limits"))
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(limit_of)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(in_key_order(rows))
    }
}

impl Registry {
    /// Inserts or updates a permit (after [`Permit::check`]; its enterprise must be registered),
    /// with its audit record. A permit with limits cannot move to another enterprise.
    pub async fn put_permit(&self, actor: &str, permit: &Permit) -> Result<(), RegistryError> {
        self.put_one(actor, permit).await
    }

    /// One permit by number.
    pub async fn permit(&self, number: &str) -> Result<Option<Permit>, RegistryError> {
        permit_by_number(self.pool(), number).await
    }

    /// Every permit, by number.
    pub async fn permits(&self) -> Result<Vec<Permit>, RegistryError> {
        Permit::all(self).await
    }

    /// The permits of one enterprise, by number.
    pub async fn permits_of(&self, enterprise: &str) -> Result<Vec<Permit>, RegistryError> {
        let mut rows = sqlx::query(
            "SELECT number, enterprise, valid_from, valid_to FROM permits WHERE enterprise = $1",
        )
        .bind(enterprise)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(permit_of)
        .collect::<Result<Vec<_>, _>>()?;
        rows.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(rows)
    }

    /// The enterprise's permit in force on `date`. Where validity periods overlap (a renewal
    /// issued before the old permit ends), the one that took effect last; on the same day, the
    /// greatest number.
    pub async fn permit_in_force(
        &self,
        enterprise: &str,
        date: NaiveDate,
    ) -> Result<Option<Permit>, RegistryError> {
        Ok(self
            .permits_of(enterprise)
            .await?
            .into_iter()
            .filter(|p| p.in_force_on(date))
            .max_by(|a, b| (&a.valid_from, &a.number).cmp(&(&b.valid_from, &b.number))))
    }

    /// Inserts or updates a permit limit (after [`PermitLimit::check`]; its permit, outlet and
    /// factor must be registered and the outlet be the permit's enterprise's), with its audit
    /// record. The unit is stored as `ecolake-model` writes it.
    pub async fn put_permit_limit(
        &self,
        actor: &str,
        limit: &PermitLimit,
    ) -> Result<(), RegistryError> {
        self.put_one(actor, limit).await
    }

    /// One permit limit by its key.
    pub async fn permit_limit(
        &self,
        permit: &str,
        outlet: &str,
        factor: &str,
        averaging: Averaging,
    ) -> Result<Option<PermitLimit>, RegistryError> {
        sqlx::query(concat!(
            "SELECT ",
            limit_columns!(),
            " FROM permit_limits WHERE permit = $1 AND outlet = $2 AND factor = $3 \
             AND averaging = $4"
        ))
        .bind(permit)
        .bind(outlet)
        .bind(factor)
        .bind(averaging.as_str())
        .fetch_optional(self.pool())
        .await?
        .map(|r| limit_of(&r))
        .transpose()
    }

    /// The limits of one permit, by outlet, factor and averaging period (shortest first).
    pub async fn permit_limits(&self, permit: &str) -> Result<Vec<PermitLimit>, RegistryError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            limit_columns!(),
            " FROM permit_limits WHERE permit = $1"
        ))
        .bind(permit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(limit_of)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(in_key_order(rows))
    }

    /// Every permit limit, by permit, outlet, factor and averaging period (shortest first).
    pub async fn permit_limits_all(&self) -> Result<Vec<PermitLimit>, RegistryError> {
        PermitLimit::all(self).await
    }

    /// The permit's annual allowance per factor, tonnes per year, by factor code: the sum over
    /// its outlets of each outlet's allowance for the factor (see the module documentation).
    /// Factors no limit row gives an allowance for are left out.
    pub async fn permit_allowances(
        &self,
        permit: &str,
    ) -> Result<Vec<(String, f64)>, RegistryError> {
        let mut per_outlet: BTreeMap<(String, String), f64> = BTreeMap::new();
        for limit in self.permit_limits(permit).await? {
            if let Some(a) = limit.allowance_t_per_year {
                per_outlet.entry((limit.factor, limit.outlet)).or_insert(a);
            }
        }
        let mut per_factor: BTreeMap<String, f64> = BTreeMap::new();
        for ((factor, _), a) in per_outlet {
            *per_factor.entry(factor).or_insert(0.0) += a;
        }
        Ok(per_factor.into_iter().collect())
    }
}
