//! The durable observation store: every monitoring value lives here for decades.
//!
//! A write is validated (rows with a missing key, a non-finite value or an impossible time are
//! rejected with a reason; the rest are kept), given a sequence number and a receive time,
//! appended to the write-ahead log ([`wal`]) with group commit and acknowledged only after the
//! fsync that covers it, then added to the in-memory [`memtable`] where queries see it at once.
//! The memtable is flushed by size or age to Parquet files in the [`lake`], partitioned by
//! (period, UTC day, month or year by period), sorted by (site, factor, time), recorded in a [`lake::manifest`] that is
//! replaced atomically; only then are the WAL segments it covers deleted. Every version of a key
//! (site, factor, period, time) is kept: the one with the highest `seq` is current.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ecolake_store::StoreError> {
//! use ecolake_store::{Store, StoreConfig};
//!
//! let store = Store::open("data".as_ref(), StoreConfig::default()).await?;
//! // let outcome = store.write(batch).await?;   // returns after the WAL fsync
//! let snapshot = store.snapshot();               // what queries read
//! store.close().await?;
//! # Ok(()) }
//! ```

mod config;
mod error;
pub mod lake;
mod lock;
pub mod memtable;
mod snapshot;
mod store;
mod validate;
pub mod wal;

pub use config::StoreConfig;
pub use error::StoreError;
pub use lake::manifest::{FileKind, FileMeta, Manifest};
pub use lake::storage::{LakeLocation, LakeStorage};
pub use lake::PartitionKey;
pub use snapshot::Snapshot;
pub use store::{Store, WriteOutcome};
pub use validate::Rejection;
