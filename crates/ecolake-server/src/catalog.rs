//! The registry as the API reads it: every site, enterprise, outlet, permit, device and
//! dataset, and the registry's SQL tables, held in memory and read again when the registry has
//! changed (asked at most once per [`CHECK_EVERY`]), so a request reads no database for them.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ecolake_registry::{Dataset, Device, Enterprise, Outlet, Permit, Registry, Site, SqlTable};

/// How often a request may ask the registry whether it changed.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// One reading of the registry.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The registry's change marker when read.
    pub change: i64,
    /// The sites, by code.
    pub sites: Vec<Site>,
    /// The enterprises, by credit code.
    pub enterprises: Vec<Enterprise>,
    /// The outlets, by code.
    pub outlets: Vec<Outlet>,
    /// The permits, by number.
    pub permits: Vec<Permit>,
    /// The devices (no passwords), by MN.
    pub devices: Vec<Device>,
    /// The catalog's datasets, by name.
    pub datasets: Vec<Dataset>,
    /// The registry's tables for SQL sessions.
    pub tables: Vec<SqlTable>,
}

impl Catalog {
    /// Reads the registry.
    pub async fn read(registry: &Registry) -> Result<Catalog, ecolake_registry::RegistryError> {
        let change = registry.last_change().await?;
        Ok(Catalog {
            change,
            sites: registry.sites().await?,
            enterprises: registry.enterprises().await?,
            outlets: registry.outlets().await?,
            permits: registry.permits().await?,
            devices: registry.devices().await?,
            datasets: registry.datasets().await?,
            tables: registry.sql_tables().await?,
        })
    }

    /// A site by code.
    pub fn site(&self, code: &str) -> Option<&Site> {
        self.sites
            .binary_search_by(|s| s.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.sites[i])
    }

    /// A dataset by name.
    pub fn dataset(&self, name: &str) -> Option<&Dataset> {
        self.datasets.iter().find(|d| d.name == name)
    }

    /// The time zone observations of `code` (a site or an outlet) are bucketed in: the site's,
    /// else the zone of a device reporting for it, else China Standard Time.
    pub fn time_zone(&self, code: &str) -> chrono_tz::Tz {
        let zone = self.site(code).map(|s| s.time_zone.as_str()).or_else(|| {
            self.devices
                .iter()
                .find(|d| d.site == code)
                .map(|d| d.time_zone.as_str())
        });
        zone.and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

/// The current [`Catalog`], read again when the registry changes.
#[derive(Debug)]
pub struct CatalogCache {
    current: RwLock<(Arc<Catalog>, Instant)>,
    reload: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    /// A cache holding `first`.
    pub fn new(first: Catalog) -> Self {
        CatalogCache {
            current: RwLock::new((Arc::new(first), Instant::now())),
            reload: tokio::sync::Mutex::new(()),
        }
    }

    /// The catalog, at most [`CHECK_EVERY`] behind the registry.
    pub async fn get(
        &self,
        registry: &Registry,
    ) -> Result<Arc<Catalog>, ecolake_registry::RegistryError> {
        let (catalog, checked) = self.current.read().expect("catalog lock").clone();
        if checked.elapsed() < CHECK_EVERY {
            return Ok(catalog);
        }
        let _one = self.reload.lock().await;
        let (catalog, checked) = self.current.read().expect("catalog lock").clone();
        if checked.elapsed() < CHECK_EVERY {
            return Ok(catalog);
        }
        let fresh = if registry.last_change().await? == catalog.change {
            catalog
        } else {
            Arc::new(Catalog::read(registry).await?)
        };
        *self.current.write().expect("catalog lock") = (fresh.clone(), Instant::now());
        Ok(fresh)
    }

    /// Reads the registry now (after a write through the API, so the writer sees it).
    pub async fn invalidate(&self) {
        let _one = self.reload.lock().await;
        let mut current = self.current.write().expect("catalog lock");
        let now = Instant::now();
        current.1 = now.checked_sub(CHECK_EVERY).unwrap_or(now);
    }
}
