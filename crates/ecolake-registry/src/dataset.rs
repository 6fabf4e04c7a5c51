//! The data resource catalog (数据资源目录): a dataset is a named, filtered view over
//! observations or a registry table, owned by a department, with its sharing tier and its
//! coverage (kept current from the lake by [`Registry::update_dataset_coverage`]).
//!
//! [`Dataset::view_sql`] is the SQL of the view a dataset stands for; the API restricts what a
//! caller sees with it, so every value in it is a quoted literal and every identifier comes from
//! this module. [`crate::dcat`] renders the catalog as DCAT-AP JSON-LD.

use ecolake_model::Period;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codes;
use crate::db::Tx;
use crate::entity::{exists, split_list, Entity, Kind};
use crate::site::SiteMedium;
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

vocabulary!(
    /// Who may see a dataset (the `tier` column).
    SharingTier, "tier", {
        Open = "open" => "Anyone (无条件共享).",
        Conditional = "conditional" => "Shared on an approved request (有条件共享).",
        Restricted = "restricted" => "Not shared outside the owner (不予共享).",
    }
);

vocabulary!(
    /// What a dataset is a view of (the `source` column): observations or a registry table.
    DatasetSource, "source", {
        Observations = "observations" => "The lake's observations.",
        Sites = "sites" => "The monitoring sites.",
        Enterprises = "enterprises" => "The enterprises (pollution sources).",
        Outlets = "outlets" => "Their outlets.",
        Permits = "permits" => "Discharge permits.",
        PermitLimits = "permit_limits" => "Permit limits.",
    }
);

vocabulary!(
    /// The subject of a dataset (the `theme` column). Every theme but `other` is environmental
    /// (EU data theme `ENVI` in DCAT).
    DatasetTheme, "theme", {
        Air = "air" => "Air quality, the atmosphere.",
        Water = "water" => "Surface water, groundwater, the sea.",
        Soil = "soil" => "Soil.",
        Noise = "noise" => "The acoustic environment.",
        Radiation = "radiation" => "Radiation.",
        Ecology = "ecology" => "Ecosystems, biodiversity.",
        PollutionSource = "pollution-source" => "Pollution sources: enterprises, outlets, permits.",
        Other = "other" => "Anything else.",
    }
);

vocabulary!(
    /// How often a dataset changes (the `update_frequency` column; the EU frequency authority in
    /// DCAT).
    UpdateFrequency, "update frequency", {
        Continuous = "continuous" => "As values arrive (real time).",
        Hourly = "hourly" => "Hourly.",
        Daily = "daily" => "Daily.",
        Weekly = "weekly" => "Weekly.",
        Monthly = "monthly" => "Monthly.",
        Annual = "annual" => "Yearly.",
        Irregular = "irregular" => "Without a schedule.",
    }
);

/// A dataset of the catalog: one row of the `datasets` table (and one CSV record or JSON object
/// of `ecolake registry import|export --kind datasets`).
///
/// Filters (`sites`, `factors`, `periods`, `medium`, `division`) restrict the view; an absent
/// filter restricts nothing. The `coverage_*` columns are the lake's: a put keeps the stored
/// values and ignores those given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Identifier and SQL view name: lowercase ASCII letters, digits and `_`, starting with a
    /// letter, at most 64 (see [`Dataset::check_name`]).
    pub name: String,
    /// Title (Chinese).
    pub title: String,
    /// English title.
    #[serde(default)]
    pub title_en: Option<String>,
    /// Description (Chinese).
    #[serde(default)]
    pub description: Option<String>,
    /// English description.
    #[serde(default)]
    pub description_en: Option<String>,
    /// The owning department's code.
    pub owner: String,
    /// Subject.
    #[serde(default)]
    pub theme: Option<DatasetTheme>,
    /// What it is a view of.
    pub source: DatasetSource,
    /// Observations only: `;`-separated site or outlet codes.
    #[serde(default)]
    pub sites: Option<String>,
    /// Observations only: `;`-separated factor codes.
    #[serde(default)]
    pub factors: Option<String>,
    /// Observations only: `;`-separated periods (`rtd`, `min`, `hour`, `day`, `month`, `year`).
    #[serde(default)]
    pub periods: Option<String>,
    /// Sites of this medium (observations, or the `sites` source).
    #[serde(default)]
    pub medium: Option<SiteMedium>,
    /// Within this registered division (GB/T 2260) or below it: `110000` covers `11xxxx`,
    /// `110100` covers `1101xx`. Outlets, permits and limits are in their enterprise's division.
    #[serde(default)]
    pub division: Option<String>,
    /// How often it changes.
    #[serde(default)]
    pub update_frequency: Option<UpdateFrequency>,
    /// Licence: an SPDX identifier (`CC-BY-4.0`), a URL or free text.
    #[serde(default)]
    pub licence: Option<String>,
    /// Who may see it.
    pub tier: SharingTier,
    /// Coverage: westmost longitude (WGS84 degrees).
    #[serde(default)]
    pub coverage_west: Option<f64>,
    /// Coverage: southmost latitude.
    #[serde(default)]
    pub coverage_south: Option<f64>,
    /// Coverage: eastmost longitude.
    #[serde(default)]
    pub coverage_east: Option<f64>,
    /// Coverage: northmost latitude.
    #[serde(default)]
    pub coverage_north: Option<f64>,
    /// Coverage: the first observation time (UTC ms).
    #[serde(default)]
    pub coverage_from_ms: Option<i64>,
    /// Coverage: the last observation time (UTC ms).
    #[serde(default)]
    pub coverage_to_ms: Option<i64>,
    /// Coverage: rows in the view.
    #[serde(default)]
    pub coverage_rows: Option<i64>,
    /// When the coverage was last computed (UTC ms).
    #[serde(default)]
    pub coverage_updated_ms: Option<i64>,
}

/// A WGS84 bounding box, degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    /// Westmost longitude.
    pub west: f64,
    /// Southmost latitude.
    pub south: f64,
    /// Eastmost longitude.
    pub east: f64,
    /// Northmost latitude.
    pub north: f64,
}

/// What the lake holds of a dataset, for [`Registry::update_dataset_coverage`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Coverage {
    /// Where, if it has located rows.
    pub bbox: Option<BoundingBox>,
    /// The first observation time (UTC ms), if any.
    pub from_ms: Option<i64>,
    /// The last observation time (UTC ms), if any.
    pub to_ms: Option<i64>,
    /// Rows.
    pub rows: i64,
    /// When this was computed (UTC ms).
    pub updated_ms: i64,
}

/// Names a dataset may not take: SQL reserved words (a view named so would need quoting) and
/// the tables of a SQL session (a view named so would hide them).
const RESERVED_NAMES: &str = "\
    all and any as asc between both by case cast check collate column constraint create \
    cross current default delete desc distinct drop else end except exists false fetch for \
    foreign from full group having in inner insert intersect interval into is join lateral \
    leading left like limit natural not null offset on or order outer over partition primary \
    references right select set some table then to trailing true union unique update user \
    using values when where window with observations sites enterprises outlets permits \
    permit_limits devices datasets divisions basins departments factors responsibilities \
    audit_log";

impl Dataset {
    /// A dataset with the required fields and no filters, coverage or optional metadata.
    pub fn new(
        name: &str,
        title: &str,
        owner: &str,
        source: DatasetSource,
        tier: SharingTier,
    ) -> Dataset {
        Dataset {
            name: name.to_owned(),
            title: title.to_owned(),
            title_en: None,
            description: None,
            description_en: None,
            owner: owner.to_owned(),
            theme: None,
            source,
            sites: None,
            factors: None,
            periods: None,
            medium: None,
            division: None,
            update_frequency: None,
            licence: None,
            tier,
            coverage_west: None,
            coverage_south: None,
            coverage_east: None,
            coverage_north: None,
            coverage_from_ms: None,
            coverage_to_ms: None,
            coverage_rows: None,
            coverage_updated_ms: None,
        }
    }

    /// Checks a dataset name: 1 to 64 lowercase ASCII letters, digits and `_`, starting with a
    /// letter, neither a SQL reserved word nor the name of a table of the SQL session.
    pub fn check_name(name: &str) -> Result<(), String> {
        let b = name.as_bytes();
        let ok = matches!(b.first(), Some(b'a'..=b'z'))
            && b.len() <= 64
            && b.iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
        if !ok {
            return Err(format!(
                "dataset name `{name}`: must be 1 to 64 lowercase ASCII letters, digits or `_`, \
                 starting with a letter"
            ));
        }
        if RESERVED_NAMES.split_whitespace().any(|w| w == name) {
            return Err(format!(
                "dataset name `{name}`: a SQL reserved word or the name of a table"
            ));
        }
        Ok(())
    }

    /// Why the dataset cannot be stored, judged on the row alone (the coverage is not judged:
    /// a put ignores it).
    pub fn check(&self) -> Result<(), String> {
        Dataset::check_name(&self.name)?;
        let n = &self.name;
        if self.title.trim().is_empty() {
            return Err(format!("dataset {n}: the title is empty"));
        }
        crate::entity::check_code("department", &self.owner)
            .map_err(|e| format!("dataset {n}: owner: {e}"))?;
        let source = self.source;
        if source != DatasetSource::Observations {
            for (field, value) in [
                ("sites", &self.sites),
                ("factors", &self.factors),
                ("periods", &self.periods),
            ] {
                if value.is_some() {
                    return Err(format!(
                        "dataset {n}: source {source} has no `{field}` filter (sites, factors \
                         and periods filter observations only)"
                    ));
                }
            }
            if self.medium.is_some() && source != DatasetSource::Sites {
                return Err(format!(
                    "dataset {n}: source {source} has no medium column (a medium filters \
                     observations or sites)"
                ));
            }
        }
        for site in self.list("sites", &self.sites)? {
            if site.len() > 64 || site.contains('\\') || site.chars().any(char::is_control) {
                return Err(format!(
                    "dataset {n}: site `{site}`: must be at most 64 characters, without `\\` or \
                     control characters"
                ));
            }
        }
        for factor in self.list("factors", &self.factors)? {
            crate::entity::check_code("factor", &factor)
                .map_err(|e| format!("dataset {n}: {e}"))?;
        }
        for period in self.list("periods", &self.periods)? {
            if period.parse::<Period>().is_err() {
                let names: Vec<&str> = Period::ALL.iter().map(|p| p.as_str()).collect();
                return Err(format!(
                    "dataset {n}: period `{period}` is not one of {}",
                    names.join(", ")
                ));
            }
        }
        if let Some(division) = &self.division {
            codes::check_division_code(division).map_err(|e| format!("dataset {n}: {e}"))?;
        }
        Ok(())
    }

    /// The items of a list filter; a filter given but empty is refused.
    fn list(&self, field: &str, value: &Option<String>) -> Result<Vec<String>, String> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let items = split_list(value);
        if items.is_empty() {
            return Err(format!(
                "dataset {}: `{field}` has no items (leave it out for no filter)",
                self.name
            ));
        }
        Ok(items)
    }

    /// The coverage bounding box, when all four sides are known.
    pub fn bbox(&self) -> Option<BoundingBox> {
        Some(BoundingBox {
            west: self.coverage_west?,
            south: self.coverage_south?,
            east: self.coverage_east?,
            north: self.coverage_north?,
        })
    }

    /// The coverage, if it was ever computed.
    pub fn coverage(&self) -> Option<Coverage> {
        Some(Coverage {
            bbox: self.bbox(),
            from_ms: self.coverage_from_ms,
            to_ms: self.coverage_to_ms,
            rows: self.coverage_rows.unwrap_or(0),
            updated_ms: self.coverage_updated_ms?,
        })
    }

    /// Sets the `coverage_*` fields.
    fn set_coverage(&mut self, c: &Coverage) {
        self.coverage_west = c.bbox.map(|b| b.west);
        self.coverage_south = c.bbox.map(|b| b.south);
        self.coverage_east = c.bbox.map(|b| b.east);
        self.coverage_north = c.bbox.map(|b| b.north);
        self.coverage_from_ms = c.from_ms;
        self.coverage_to_ms = c.to_ms;
        self.coverage_rows = Some(c.rows);
        self.coverage_updated_ms = Some(c.updated_ms);
    }

    /// Why the `coverage_*` fields cannot be stored, if they cannot.
    fn check_coverage(&self) -> Result<(), String> {
        let n = &self.name;
        if let Some(b) = self.bbox() {
            codes::check_position(b.west, b.south)
                .and_then(|()| codes::check_position(b.east, b.north))
                .map_err(|e| format!("dataset {n}: coverage: {e}"))?;
            if b.west > b.east || b.south > b.north {
                return Err(format!(
                    "dataset {n}: coverage: the box is inside out (west > east or south > north)"
                ));
            }
        }
        if let (Some(from), Some(to)) = (self.coverage_from_ms, self.coverage_to_ms) {
            if from > to {
                return Err(format!(
                    "dataset {n}: coverage: from {from} ms is after to {to} ms"
                ));
            }
        }
        if self.coverage_rows.is_some_and(|r| r < 0) {
            return Err(format!("dataset {n}: coverage: negative row count"));
        }
        Ok(())
    }

    /// The SQL (DataFusion dialect, also valid on SQLite and PostgreSQL) of the view this dataset
    /// stands for: `SELECT * FROM <source>`, with `WHERE` and [`Dataset::condition`] when the
    /// dataset has filters.
    pub fn view_sql(&self) -> String {
        match self.condition() {
            Some(c) => format!("SELECT * FROM {} WHERE {c}", self.source.as_str()),
            None => format!("SELECT * FROM {}", self.source.as_str()),
        }
    }

    /// The condition on the rows of the dataset's source (observations or a registry table)
    /// that the dataset keeps, `None` when it keeps every row: one condition per filter, joined
    /// by `AND`. The conditions of several datasets over observations may be combined with
    /// `OR` (each in parentheses) into one row predicate.
    ///
    /// Over observations: `site IN (…)`, `factor IN (…)`, `period IN (…)`; a medium or a division
    /// keeps the sites (and outlets, whose division is their enterprise's) that have it:
    /// `site IN (SELECT code FROM sites WHERE medium = 'air' AND division LIKE '11%' UNION ALL
    /// SELECT code FROM outlets WHERE …)`. Over a registry table: `medium = …` (sites) and the
    /// division of the row, or of its enterprise (outlets, permits, permit limits).
    ///
    /// Every value is a string literal with its quotes doubled (a backslash becomes `chr(92)`, so
    /// dialects that read backslash escapes read the same value); table and column names are
    /// fixed here. A filter [`Dataset::check`] refuses is still written, on a column the source
    /// lacks, so the view fails instead of showing more than the dataset names.
    pub fn condition(&self) -> Option<String> {
        use DatasetSource as S;
        let mut conditions = Vec::new();
        for (column, value) in [
            ("site", &self.sites),
            ("factor", &self.factors),
            ("period", &self.periods),
        ] {
            let items = value.as_deref().map(split_list).unwrap_or_default();
            if !items.is_empty() {
                let literals: Vec<String> = items.iter().map(|i| sql_literal(i)).collect();
                conditions.push(format!("{column} IN ({})", literals.join(", ")));
            }
        }
        let division = self.division.as_deref().map(division_match);
        match self.source {
            S::Observations => {
                if let Some(c) = observed_sites(self.medium, division.as_deref()) {
                    conditions.push(c);
                }
            }
            source => {
                if let Some(m) = self.medium {
                    conditions.push(format!("medium = {}", sql_literal(m.as_str())));
                }
                if let Some(d) = division {
                    conditions.push(match source {
                        S::Outlets | S::Permits => enterprise_in(&d),
                        S::PermitLimits => format!(
                            "outlet IN (SELECT code FROM outlets WHERE {})",
                            enterprise_in(&d)
                        ),
                        _ => d,
                    });
                }
            }
        }
        (!conditions.is_empty()).then(|| conditions.join(" AND "))
    }
}

/// `s` as a SQL string literal: quotes doubled; with a backslash, `concat('…', chr(92), '…')`.
fn sql_literal(s: &str) -> String {
    let quoted = |p: &str| format!("'{}'", p.replace('\'', "''"));
    if s.contains('\\') {
        let parts: Vec<String> = s.split('\\').map(quoted).collect();
        format!("concat({})", parts.join(", chr(92), "))
    } else {
        quoted(s)
    }
}

/// The condition on a `division` column for a division and all below it.
fn division_match(code: &str) -> String {
    if codes::check_division_code(code).is_ok() {
        if code.ends_with("0000") {
            return format!("division LIKE '{}%'", &code[..2]);
        }
        if code.ends_with("00") {
            return format!("division LIKE '{}%'", &code[..4]);
        }
    }
    format!("division = {}", sql_literal(code))
}

/// The condition on an `enterprise` column: enterprises matching `division`.
fn enterprise_in(division: &str) -> String {
    format!("enterprise IN (SELECT credit_code FROM enterprises WHERE {division})")
}

/// The condition on observations' `site` for a medium and a division condition.
fn observed_sites(medium: Option<SiteMedium>, division: Option<&str>) -> Option<String> {
    if medium.is_none() && division.is_none() {
        return None;
    }
    let mut site_conditions = Vec::new();
    if let Some(m) = medium {
        site_conditions.push(format!("medium = {}", sql_literal(m.as_str())));
    }
    site_conditions.extend(division.map(str::to_owned));
    let mut sets = vec![format!(
        "SELECT code FROM sites WHERE {}",
        site_conditions.join(" AND ")
    )];
    if matches!(medium, None | Some(SiteMedium::Outlet)) {
        sets.push(match division {
            Some(d) => format!("SELECT code FROM outlets WHERE {}", enterprise_in(d)),
            None => "SELECT code FROM outlets".to_owned(),
        });
    }
    Some(format!("site IN ({})", sets.join(" UNION ALL ")))
}

/// `SELECT` of the columns [`dataset_of`] reads, in its order, `FROM datasets`, then `$rest`.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT name, title, title_en, description, description_en, owner, theme, source, \
             sites, factors, periods, medium, division, update_frequency, licence, tier, \
             coverage_west, coverage_south, coverage_east, coverage_north, coverage_from_ms, \
             coverage_to_ms, coverage_rows, coverage_updated_ms FROM datasets",
            $rest
        )
    };
}

/// A stored vocabulary value (an unknown one is corruption).
fn parsed<T: std::str::FromStr<Err = String>>(
    v: Option<String>,
) -> Result<Option<T>, RegistryError> {
    v.map(|v| v.parse::<T>().map_err(RegistryError::Corrupt))
        .transpose()
}

/// A stored vocabulary value of a NOT NULL column.
fn required<T: std::str::FromStr<Err = String>>(v: String) -> Result<T, RegistryError> {
    v.parse::<T>().map_err(RegistryError::Corrupt)
}

fn dataset_of(r: &AnyRow) -> Result<Dataset, RegistryError> {
    Ok(Dataset {
        name: r.try_get(0)?,
        title: r.try_get(1)?,
        title_en: r.try_get(2)?,
        description: r.try_get(3)?,
        description_en: r.try_get(4)?,
        owner: r.try_get(5)?,
        theme: parsed(r.try_get(6)?)?,
        source: required(r.try_get(7)?)?,
        sites: r.try_get(8)?,
        factors: r.try_get(9)?,
        periods: r.try_get(10)?,
        medium: parsed(r.try_get(11)?)?,
        division: r.try_get(12)?,
        update_frequency: parsed(r.try_get(13)?)?,
        licence: r.try_get(14)?,
        tier: required(r.try_get(15)?)?,
        coverage_west: r.try_get(16)?,
        coverage_south: r.try_get(17)?,
        coverage_east: r.try_get(18)?,
        coverage_north: r.try_get(19)?,
        coverage_from_ms: r.try_get(20)?,
        coverage_to_ms: r.try_get(21)?,
        coverage_rows: r.try_get(22)?,
        coverage_updated_ms: r.try_get(23)?,
    })
}

/// One dataset by name.
async fn by_name<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    name: &str,
) -> Result<Option<Dataset>, RegistryError> {
    sqlx::query(select!(" WHERE name = $1"))
        .bind(name)
        .fetch_optional(db)
        .await?
        .map(|r| dataset_of(&r))
        .transpose()
}

impl Entity for Dataset {
    const KIND: Kind = Kind::Datasets;

    fn key(&self) -> String {
        self.name.clone()
    }

    fn check(&self) -> Result<(), String> {
        Dataset::check(self)
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        by_name(&mut **tx, &row.name).await
    }

    async fn store(_: &Registry, tx: &mut Tx, d: &Self, now: i64) -> Result<(), RegistryError> {
        let n = &d.name;
        if !exists(tx, "departments", "code", &d.owner).await? {
            return Err(RegistryError::Invalid(format!(
                "dataset {n}: owner department `{}` is not in the registry",
                d.owner
            )));
        }
        let whose = format!("dataset {n}");
        for factor in d.factors.as_deref().map(split_list).unwrap_or_default() {
            crate::factor::require(tx, &whose, &factor).await?;
        }
        for site in d.sites.as_deref().map(split_list).unwrap_or_default() {
            if !exists(tx, "sites", "code", &site).await?
                && !exists(tx, "outlets", "code", &site).await?
            {
                return Err(RegistryError::Invalid(format!(
                    "dataset {n}: site `{site}` is neither a site nor an outlet in the registry"
                )));
            }
        }
        if let Some(division) = &d.division {
            if !exists(tx, "divisions", "code", division).await? {
                return Err(RegistryError::Invalid(format!(
                    "dataset {n}: division {division} is not in the registry"
                )));
            }
        }
        // The coverage columns are left alone: only `update_dataset_coverage` writes them.
        sqlx::query(
            "INSERT INTO datasets (name, title, title_en, description, description_en, owner, \
             theme, source, sites, factors, periods, medium, division, update_frequency, \
             licence, tier, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $17) \
             ON CONFLICT (name) DO UPDATE SET title = excluded.title, \
             title_en = excluded.title_en, description = excluded.description, \
             description_en = excluded.description_en, owner = excluded.owner, \
             theme = excluded.theme, source = excluded.source, sites = excluded.sites, \
             factors = excluded.factors, periods = excluded.periods, medium = excluded.medium, \
             division = excluded.division, update_frequency = excluded.update_frequency, \
             licence = excluded.licence, tier = excluded.tier, updated_ms = excluded.updated_ms",
        )
        .bind(n)
        .bind(&d.title)
        .bind(d.title_en.clone())
        .bind(d.description.clone())
        .bind(d.description_en.clone())
        .bind(&d.owner)
        .bind(d.theme.map(|t| t.as_str()))
        .bind(d.source.as_str())
        .bind(d.sites.clone())
        .bind(d.factors.clone())
        .bind(d.periods.clone())
        .bind(d.medium.map(|m| m.as_str()))
        .bind(d.division.clone())
        .bind(d.update_frequency.map(|f| f.as_str()))
        .bind(d.licence.clone())
        .bind(d.tier.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        sqlx::query(select!(" ORDER BY name"))
            .fetch_all(registry.pool())
            .await?
            .iter()
            .map(dataset_of)
            .collect()
    }
}

/// A coverage update: the stored dataset with new `coverage_*` values, of which the store writes
/// only those (so the generic audited put records the dataset before and after).
#[derive(Debug, Serialize, Deserialize)]
#[serde(transparent)]
struct CoverageUpdate(Dataset);

impl Entity for CoverageUpdate {
    const KIND: Kind = Kind::Datasets;

    fn key(&self) -> String {
        self.0.name.clone()
    }

    fn check(&self) -> Result<(), String> {
        self.0.check_coverage()
    }

    async fn fetch(_: &Registry, tx: &mut Tx, row: &Self) -> Result<Option<Self>, RegistryError> {
        Ok(by_name(&mut **tx, &row.0.name).await?.map(CoverageUpdate))
    }

    async fn store(_: &Registry, tx: &mut Tx, row: &Self, _now: i64) -> Result<(), RegistryError> {
        let d = &row.0;
        let done = sqlx::query(
            "UPDATE datasets SET coverage_west = $1, coverage_south = $2, coverage_east = $3, \
             coverage_north = $4, coverage_from_ms = $5, coverage_to_ms = $6, \
             coverage_rows = $7, coverage_updated_ms = $8 WHERE name = $9",
        )
        .bind(d.coverage_west)
        .bind(d.coverage_south)
        .bind(d.coverage_east)
        .bind(d.coverage_north)
        .bind(d.coverage_from_ms)
        .bind(d.coverage_to_ms)
        .bind(d.coverage_rows)
        .bind(d.coverage_updated_ms)
        .bind(&d.name)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_in_catalog(&d.name));
        }
        Ok(())
    }

    async fn all(registry: &Registry) -> Result<Vec<Self>, RegistryError> {
        Ok(Dataset::all(registry)
            .await?
            .into_iter()
            .map(CoverageUpdate)
            .collect())
    }
}

fn not_in_catalog(name: &str) -> RegistryError {
    RegistryError::Invalid(format!("dataset {name}: not in the catalog"))
}

impl Registry {
    /// Inserts or updates a dataset (after [`Dataset::check`]; the owner, factors, sites and
    /// division must be in the registry), with its audit record. The stored coverage is kept;
    /// the `coverage_*` values given are ignored.
    pub async fn put_dataset(&self, actor: &str, dataset: &Dataset) -> Result<(), RegistryError> {
        self.put_one(actor, dataset).await
    }

    /// Records what the lake holds of a dataset, with its audit record. A dataset not in the
    /// catalog, or a coverage out of range, is [`RegistryError::Invalid`].
    pub async fn update_dataset_coverage(
        &self,
        actor: &str,
        name: &str,
        coverage: &Coverage,
    ) -> Result<(), RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        let Some(mut dataset) = by_name(&mut *tx, name).await? else {
            return Err(not_in_catalog(name));
        };
        dataset.set_coverage(coverage);
        crate::entity::put(self, &mut tx, actor, &CoverageUpdate(dataset)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One dataset.
    pub async fn dataset(&self, name: &str) -> Result<Option<Dataset>, RegistryError> {
        by_name(self.pool(), name).await
    }

    /// Every dataset, by name.
    pub async fn datasets(&self) -> Result<Vec<Dataset>, RegistryError> {
        Dataset::all(self).await
    }

    /// The datasets anyone may see (tier `open`), by name.
    pub async fn datasets_visible_to_public(&self) -> Result<Vec<Dataset>, RegistryError> {
        sqlx::query(select!(" WHERE tier = 'open' ORDER BY name"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(dataset_of)
            .collect()
    }
}
