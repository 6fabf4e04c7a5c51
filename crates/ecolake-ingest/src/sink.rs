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

/// The accepted rows in the order they were accepted, for readers that follow the store
/// (forwarding to upstream platforms). Every accepted row has a unique, increasing `seq`.
pub trait Journal: Send + Sync + 'static {
    /// The highest `seq` below which every accepted row can be read (writes in progress hold
    /// it back, so a row read later never has a lower `seq` than this).
    fn visible(&self) -> u64;

    /// The rows with `after < seq <= upto` whose `source` is one of `sources` or whose `site`
    /// is one of `sites`, in `seq` order, at most `limit`: columns `time` (UTC ms), `site`,
    /// `factor`, `period`, `value`, `min`, `max`, `cou`, `zs`, `flag`, `source`, `seq` (the
    /// store's types or plain ones).
    fn read(
        &self,
        after: u64,
        upto: u64,
        sources: &[String],
        sites: &[String],
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RecordBatch>, SinkError>> + Send;
}
