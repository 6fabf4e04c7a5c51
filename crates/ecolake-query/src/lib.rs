//! SQL over the lake: an Apache DataFusion session whose tables are the observation store's
//! snapshot. `observations` shows the current version of every key (the latest write), in
//! every query, whether the key's versions sit in one compacted file, in several flushed files
//! or in the memtable; `observations_history` shows every version with its source,
//! `received_at` and `seq`. [`register_registry`] adds the registry's tables (`sites`,
//! `outlets`, `permits` …) and the catalog's datasets as views. [`sandbox`] runs SQL from API
//! callers over only what each may read; [`api`] answers the REST endpoints' reads (series,
//! aggregates, latest values, AQI).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let snapshot = ecolake_store::Snapshot::read_only("data".as_ref()).await?;
//! let ctx = ecolake_query::session(&snapshot).await?;
//! let batches = ecolake_query::run_read_only(&ctx, "SELECT count(*) FROM observations").await?;
//! # Ok(()) }
//! ```

pub mod analytics;
pub mod api;
mod error;
mod lake;
mod registry;
pub mod sandbox;
pub mod udf;

pub use datafusion::execution::context::SessionContext;
pub use error::{QueryError, SandboxError};
pub use lake::{history_by_seq, run_read_only, session, session_config, session_with, QueryConfig};
pub use registry::{refresh_coverage, register_registry};
