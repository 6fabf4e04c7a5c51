//! Ingestion: turning what devices and files deliver into Arrow batches of observations in the
//! store's write schema ([`ecolake_model::observation::write_schema`]: `time` as UTC
//! milliseconds, `site`, `factor`, `period`, the values `value, min, max, cou, zs`, `flag`,
//! `qc`, `source`).
//!
//! This crate sees the registry and the store only through two traits ([`sink`]): a
//! [`DeviceDirectory`] of registered devices and a [`Sink`] whose write resolves when the data
//! is durable. Live sources submit their batches to the [`Pipeline`], which runs quality
//! control (`ecolake-qc`) and group-commits them to the sink.
//!
//! # HJ 212
//!
//! [`hj212::serve`] is the TCP server data acquisition units talk to; see the [`hj212`]
//! module for what it answers and when.
//!
//! # File import
//!
//! [`read_file`] reads one file — long CSV (optionally `.gz`), long Parquet, or the PRSA
//! Beijing multi-site wide CSV — into [`FileBatches`]: the batches, the rows rejected with
//! a line number and a reason naming the column and value, and warnings about the header.
//! Only a file that cannot be used at all is an [`ImportError`]. See the [`file`](mod@file) module for
//! the columns, the accepted time forms, time zones and [`HourLabel`] (periods labelled by
//! their end are moved to their start).
//!
//! ```
//! use ecolake_ingest::{read_file, HourLabel, ImportOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("cnemc.csv");
//! std::fs::write(
//!     &path,
//!     "time,site,factor,period,value\n\
//!      2018-02-20 07:00,1003A,a34004,hour,35\n\
//!      2018-02-20 08:00,1003A,a34004,hourly,36\n",
//! )?;
//! // CNEMC labels the hour 06:00–07:00 as "07:00": the file labels periods by their end.
//! let options = ImportOptions { hour_label: HourLabel::End, ..ImportOptions::default() };
//! let parsed = read_file(&path, &options)?;
//! assert_eq!(parsed.rows, 1);
//! let time = parsed.batches[0]
//!     .column(0)
//!     .as_any()
//!     .downcast_ref::<arrow::array::TimestampMillisecondArray>()
//!     .unwrap();
//! // 06:00 Beijing time (UTC+8) is 22:00 UTC the day before.
//! assert_eq!(time.value_as_datetime(0).unwrap().to_string(), "2018-02-19 22:00:00");
//! assert_eq!(parsed.rejected_count, 1);
//! assert_eq!(parsed.rejected[0].line, 3);
//! assert!(parsed.rejected[0].reason.contains("`hourly`"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
pub mod file;
pub mod forward;
pub mod hj212;
pub mod mqtt;
mod pipeline;
mod rows;
pub mod sink;

pub use error::ImportError;
pub use file::{
    read_body, read_file, FileBatches, FileFormat, HourLabel, ImportOptions, Rejected,
    MAX_REJECTED_SHOWN,
};
pub use pipeline::{Pipeline, PipelineConfig, PipelineStats, Stopped};
pub use sink::{Device, DeviceDirectory, Journal, Sink, SinkError, Written};
