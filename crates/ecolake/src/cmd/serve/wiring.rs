//! The binary's side of ingestion's traits: the registry's devices as a [`DeviceDirectory`],
//! the store as a [`Sink`] and as forwarding's [`Journal`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use arrow::record_batch::RecordBatch;
use ecolake_hj212::{CrcDialect, Edition, Mode, Profile};
use ecolake_ingest::{Device, DeviceDirectory, Journal, Sink, SinkError, Written};
use ecolake_model::{Factor, Medium};
use ecolake_registry::{OutletKind, Registry, SiteMedium};
use ecolake_store::Store;
use tracing::warn;

/// The registered devices, reloaded from the registry when it has changed (checked every few
/// seconds: a device registered while the server runs is accepted soon after, a disabled one
/// refused).
#[derive(Debug, Default)]
pub struct RegistryDirectory {
    devices: RwLock<Arc<HashMap<String, Arc<Device>>>>,
    /// The registry's last change when the devices were read.
    seen: AtomicI64,
}

impl DeviceDirectory for RegistryDirectory {
    fn device(&self, mn: &str) -> Option<Arc<Device>> {
        self.devices
            .read()
            .expect("directory lock")
            .get(mn)
            .cloned()
    }
}

impl RegistryDirectory {
    /// Reads the devices again if the registry changed since they were read.
    pub async fn refresh(&self, registry: &Registry) -> anyhow::Result<()> {
        if registry.last_change().await? != self.seen.load(Ordering::Relaxed) {
            self.reload(registry).await?;
        }
        Ok(())
    }

    /// Reads every device (with its password) and what its site says about units.
    pub async fn reload(&self, registry: &Registry) -> anyhow::Result<usize> {
        // Read the marker first: a change made while reading is read again next time.
        let change = registry.last_change().await?;
        let mut media: HashMap<String, Medium> = registry
            .sites()
            .await?
            .into_iter()
            .map(|s| (s.code, medium_of_site(s.medium)))
            .collect();
        for o in registry.outlets().await? {
            let m = match o.kind {
                OutletKind::Air => Medium::StackGas,
                OutletKind::Water => Medium::Wastewater,
            };
            media.insert(o.code, m);
        }
        let mut devices = HashMap::new();
        for d in registry.devices_with_passwords().await? {
            let medium = media.get(&d.site).copied().unwrap_or(Medium::Other);
            match device(&d, medium) {
                Ok(dev) => {
                    devices.insert(d.mn.clone(), Arc::new(dev));
                }
                Err(e) => warn!("device {}: {e}; its packets are refused", d.mn),
            }
        }
        let n = devices.len();
        *self.devices.write().expect("directory lock") = Arc::new(devices);
        self.seen.store(change, Ordering::Relaxed);
        Ok(n)
    }
}

fn medium_of_site(m: SiteMedium) -> Medium {
    match m {
        SiteMedium::Air => Medium::AmbientAir,
        SiteMedium::SurfaceWater => Medium::SurfaceWater,
        SiteMedium::Groundwater => Medium::Groundwater,
        SiteMedium::Soil => Medium::Soil,
        SiteMedium::Noise => Medium::Noise,
        SiteMedium::Ocean => Medium::Seawater,
        SiteMedium::Radiation | SiteMedium::Outlet => Medium::Other,
    }
}

/// The ingestion view of a registered device.
fn device(d: &ecolake_registry::Device, medium: Medium) -> Result<Device, String> {
    let edition: Edition = d.edition.as_str().parse()?;
    let crc: CrcDialect = d.crc.parse()?;
    let time_zone: chrono_tz::Tz = d
        .time_zone
        .parse()
        .map_err(|_| format!("unknown time zone `{}`", d.time_zone))?;
    let mut scale = HashMap::new();
    for (factor, unit) in d.unit_overrides() {
        let canonical = Factor::lookup(&factor).map(|f| f.canonical_unit(medium));
        match canonical.and_then(|c| unit.factor_to(c)) {
            Some(s) => {
                if s != 1.0 {
                    scale.insert(factor, s);
                }
            }
            None => return Err(format!("cannot convert {factor} from {unit}")),
        }
    }
    Ok(Device {
        mn: d.mn.clone(),
        password: d
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default(),
        site: d.site.clone(),
        profile: Profile {
            edition,
            crc,
            mode: if d.strict {
                Mode::Strict
            } else {
                Mode::Lenient
            },
            ..Profile::default()
        },
        time_zone,
        scale,
        enabled: d.enabled,
    })
}

/// The store as ingestion's sink: a write resolves after the WAL fsync that covers it.
#[derive(Debug)]
pub struct StoreSink(pub Arc<Store>);

impl Sink for StoreSink {
    async fn write(&self, batch: RecordBatch) -> Result<Written, SinkError> {
        let outcome = self
            .0
            .write(&batch)
            .await
            .map_err(|e| Arc::new(e) as SinkError)?;
        Ok(Written {
            accepted: outcome.accepted,
            rejected: outcome
                .rejected
                .into_iter()
                .map(|r| (r.row, r.reason))
                .collect(),
        })
    }
}

/// The store as forwarding's journal.
#[derive(Debug)]
pub struct StoreJournal(pub Arc<Store>);

impl Journal for StoreJournal {
    fn visible(&self) -> u64 {
        self.0.visible_seq()
    }

    async fn read(
        &self,
        after: u64,
        upto: u64,
        sources: &[String],
        sites: &[String],
        limit: usize,
    ) -> Result<Vec<RecordBatch>, SinkError> {
        let snapshot = self.0.snapshot();
        ecolake_query::history_by_seq(&snapshot, (after, upto), sources, sites, limit)
            .await
            .map_err(|e| Arc::new(e) as SinkError)
    }
}
