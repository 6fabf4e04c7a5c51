//! What a caller may read: the one rule every path that returns data applies.
//!
//! A caller may read
//! - every dataset of tier `open`;
//! - a `conditional` dataset it holds an active grant for (as a user, as a key, or through its
//!   department), or that its department owns;
//! - a `restricted` dataset its department owns;
//! - its own data: an `enterprise` caller, the observations of its enterprise's outlets and of
//!   the sites its devices report for;
//! - everything, as an admin.
//!
//! Observations are readable where one of those datasets covers them: the row predicate is the
//! OR of the readable observation datasets' conditions (and `site IN (own sites)`);
//! observations no dataset covers are readable by admins only. SQL sessions, the observation,
//! latest and AQI endpoints and downloads all read through [`Access::rows`].
//!
//! Registry metadata (sites, enterprises, outlets, permits, limits, factors, divisions …) is
//! public (disclosure is a duty), less the fields the configuration hides from callers who are
//! not staff; devices are shown to staff, and to an enterprise its own.

use std::collections::BTreeSet;

use ecolake_registry::{DatasetSource, Principal, Role, SharingTier};

use crate::auth::Caller;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::ApiState;

/// What one caller may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Everything (an admin).
    pub all: bool,
    /// The datasets the caller may read, by name.
    pub datasets: BTreeSet<String>,
    /// The sites and outlets whose observations are the caller's own.
    pub own_sites: BTreeSet<String>,
    /// The SQL condition on observations' columns that keeps what the caller may read;
    /// `None`: every row.
    pub rows: Option<String>,
}

impl Access {
    /// The access of `caller` given the registry in `catalog`.
    pub async fn of(
        state: &ApiState,
        caller: &Caller,
        catalog: &Catalog,
    ) -> Result<Access, ApiError> {
        let granted = match &caller.principal {
            Some(p) => {
                let now = chrono::Utc::now().timestamp_millis();
                state.registry.granted_datasets(p, now).await?
            }
            None => Vec::new(),
        };
        Ok(Access::decide(caller.principal.as_ref(), catalog, &granted))
    }

    /// The rule, given the datasets `principal` holds grants for.
    pub fn decide(principal: Option<&Principal>, catalog: &Catalog, granted: &[String]) -> Access {
        let role = principal.map_or(Role::Public, |p| p.role);
        if role == Role::Admin {
            return Access {
                all: true,
                datasets: catalog.datasets.iter().map(|d| d.name.clone()).collect(),
                own_sites: BTreeSet::new(),
                rows: None,
            };
        }
        let department = principal.and_then(|p| p.department.as_deref());
        let datasets: BTreeSet<String> = catalog
            .datasets
            .iter()
            .filter(|d| {
                let owned = department == Some(d.owner.as_str());
                match d.tier {
                    SharingTier::Open => true,
                    SharingTier::Conditional => owned || granted.contains(&d.name),
                    SharingTier::Restricted => owned,
                }
            })
            .map(|d| d.name.clone())
            .collect();
        let own_sites: BTreeSet<String> = match principal {
            Some(p) if p.role == Role::Enterprise => {
                let enterprise = p.enterprise.as_deref().unwrap_or("");
                let outlets: BTreeSet<&str> = catalog
                    .outlets
                    .iter()
                    .filter(|o| o.enterprise == enterprise)
                    .map(|o| o.code.as_str())
                    .collect();
                let mut own: BTreeSet<String> = outlets.iter().map(|&o| o.to_owned()).collect();
                // A device of the enterprise may report for a site rather than an outlet.
                own.extend(
                    catalog
                        .devices
                        .iter()
                        .filter(|d| outlets.contains(d.site.as_str()))
                        .map(|d| d.site.clone()),
                );
                own
            }
            _ => BTreeSet::new(),
        };
        let mut conditions = Vec::new();
        for d in catalog
            .datasets
            .iter()
            .filter(|d| datasets.contains(&d.name))
        {
            if d.source != DatasetSource::Observations {
                continue;
            }
            match d.condition() {
                Some(c) => conditions.push(format!("({c})")),
                None => {
                    return Access {
                        all: false,
                        datasets,
                        own_sites,
                        rows: None,
                    }
                }
            }
        }
        if !own_sites.is_empty() {
            let list: Vec<String> = own_sites.iter().map(|s| literal(s)).collect();
            conditions.push(format!("(site IN ({}))", list.join(", ")));
        }
        let rows = if conditions.is_empty() {
            "FALSE".to_owned()
        } else {
            conditions.join(" OR ")
        };
        Access {
            all: false,
            datasets,
            own_sites,
            rows: Some(rows),
        }
    }

    /// Whether the caller may read the dataset `name`.
    pub fn may_read(&self, name: &str) -> bool {
        self.all || self.datasets.contains(name)
    }
}

/// `s` as a SQL string literal.
pub(crate) fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
