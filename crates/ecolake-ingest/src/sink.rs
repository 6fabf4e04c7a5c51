//! The two traits through which ingestion sees the rest of the platform: where data goes
//! ([`Sink`]) and who may send it ([`DeviceDirectory`]). The binary implements them with the
//! store and the registry; tests may implement them with anything real.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use ecolake_hj212::Profile;

/// What a sink did with a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows made durable.
    pub accepted: usize,
    /// Rows refused: the row's index in the batch written and why.
    pub rejected: Vec<(usize, String)>,
}

/// Why a sink could not write (the disk is full, the store is closed …). Shared, because one
/// failed write answers every submission it carried.
pub type SinkError = Arc<dyn std::error::Error + Send + Sync>;

/// Where accepted observations go. `write` resolves only when the accepted rows are durable:
/// ingestion acknowledges data to its sender after that and never before.
pub trait Sink: Send + Sync + 'static {
    /// Writes a batch in the store's write schema.
    fn write(&self, batch: RecordBatch) -> impl Future<Output = Result<Written, SinkError>> + Send;
}

/// One registered data acquisition unit, as ingestion needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// Its MN.
    pub mn: String,
    /// The password its packets must carry.
    pub password: String,
    /// The site or outlet code its data is stored under.
    pub site: String,
    /// How to decode it (edition, CRC dialect, strictness).
    pub profile: Profile,
    /// The time zone of its clock (`DataTime`).
    pub time_zone: chrono_tz::Tz,
    /// Factor code → multiplier from the unit it sends to the canonical unit (only factors
    /// that need one).
    pub scale: HashMap<String, f64>,
    /// Whether its packets are accepted.
    pub enabled: bool,
}

/// Who may send data: registered devices by MN.
pub trait DeviceDirectory: Send + Sync + 'static {
    /// The device with this MN, if registered.
    fn device(&self, mn: &str) -> Option<Arc<Device>>;
}
