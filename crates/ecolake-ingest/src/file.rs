//! File import: observation files (CSV, Parquet, the PRSA Beijing wide CSV) to Arrow
//! [`RecordBatch`](arrow::record_batch::RecordBatch)es in the store's write schema
//! ([`ecolake_model::observation::write_schema`]).
//!
//! [`read_file`] reads a whole file and returns its batches, the rows it rejected with reasons
//! and warnings about the header. A file that cannot be used at all is an [`ImportError`]; a
//! bad row never is.
//!
//! # Formats
//!
//! **CSV** (`.csv`, or gzip-compressed `.csv.gz`; compression is recognised by the gzip magic
//! bytes, whatever the name): a header row naming columns of the observation schema, `time,
//! site, factor, period, value, min, max, cou, zs, flag, qc, source` (names are matched
//! ignoring ASCII case and surrounding blanks). `time`, `site`, `factor` and `period` are
//! required, and at least one of `value, min, max, cou, zs`; other schema columns are optional.
//! Unknown columns are ignored and reported once in [`FileBatches::warnings`].
//!
//! **Parquet** (`.parquet`): the same column names. `time` may be a timestamp of any unit
//! (with a time zone: an instant; without one: a wall-clock time in [`ImportOptions::tz`]), a
//! date (local midnight) or a string parsed as in CSV. String columns may be `Utf8`,
//! `LargeUtf8`, `Utf8View` or dictionaries of them (integer columns are read as text, e.g. a
//! numeric `site`); number columns any integer, float or decimal type (or strings, parsed as
//! in CSV). Other types are an [`ImportError::ColumnType`]. Row numbers of rejections are the
//! row index + 1.
//!
//! **PRSA** (only when asked for, never detected): the UCI "Beijing Multi-Site Air-Quality"
//! files, see [`FileFormat::Prsa`].
//!
//! # Rows (CSV and Parquet)
//!
//! * Empty fields (blank after trimming) are null. `time`, `site`, `factor` and `period` must
//!   not be empty, and at least one of `value, min, max, cou, zs` must be present: the store
//!   refuses such rows, so they are rejected here already, with their line.
//! * `time` is RFC 3339 (`2024-05-01T08:00:00+08:00`, `…Z`) or a local time in
//!   [`ImportOptions::tz`]: `yyyy-MM-dd HH:mm`, `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-ddTHH:mm:ss`
//!   (a fraction of a second is allowed). A local time repeated by a daylight-saving change is
//!   taken as its first occurrence; one skipped by it rejects the row.
//! * `period` must be one of `rtd, min, hour, day, month, year`.
//! * Numbers must parse as finite decimal numbers (`NaN` and `inf` are rejected).
//! * `source` defaults to `import:<file name>` when the column is absent or the field empty.
//!
//! Each rejection names the column and the value. [`FileBatches::rejected`] keeps the first
//! [`MAX_REJECTED_SHOWN`]; [`FileBatches::rejected_count`] counts them all.
//!
//! # Period labels
//!
//! ecolake stores a period's value at the **start** of the period. Many sources label an hour
//! by its end (CNEMC publishes 15:00–16:00 as "16时"). With [`HourLabel::End`] the time of
//! every row whose period is `min`, `hour` or `day` is moved back by one minute, one hour or
//! one day: on the local wall clock for local times (so a day is a calendar day even across a
//! daylight-saving change), by 60 s, 3600 s or 86,400 s for times with an offset. `rtd` values
//! are instants and `month`/`year` labels are left unchanged.

mod csv;
mod format;
mod header;
mod json;
mod options;
mod output;
mod parquet;
mod prsa;
mod row;
mod time;

use std::path::Path;

pub use format::FileFormat;
pub use options::{HourLabel, ImportOptions};
pub use output::{FileBatches, Rejected, MAX_REJECTED_SHOWN};

use crate::ImportError;

/// Read a whole file into batches of the write schema (see the module documentation).
///
/// # Errors
///
/// [`ImportError`] when the file cannot be opened or read, its format is not given and not
/// recognised, or it has no usable header. Bad rows are not errors but
/// [`FileBatches::rejected`].
pub fn read_file(path: &Path, options: &ImportOptions) -> Result<FileBatches, ImportError> {
    let format = options
        .format
        .or_else(|| FileFormat::detect(path))
        .ok_or_else(|| ImportError::UnknownFormat {
            path: path.to_owned(),
        })?;
    match format {
        FileFormat::Csv => csv::read(path, options),
        FileFormat::Parquet => parquet::read(path, options),
        FileFormat::Prsa => prsa::read(path, options),
        FileFormat::Json => {
            let text = std::fs::read(path).map_err(ImportError::read(path))?;
            json::read(path, &text, options)
        }
    }
}

/// Reads observations sent in a request body (`csv` or `json`), as [`read_file`] reads a file
/// of that format; `name` stands for the file name in messages.
///
/// ```
/// use ecolake_ingest::{read_body, FileFormat, ImportOptions};
///
/// let body = br#"[{"time": "2025-03-01T12:00:00+08:00", "site": "1001A", "factor": "a34004",
///                  "period": "hour", "value": 35},
///                 {"time": "2025-03-01T13:00:00+08:00", "site": "1001A", "factor": "a34004",
///                  "period": "hour", "value": "n/a"}]"#;
/// let options = ImportOptions { source: Some("http".into()), ..ImportOptions::default() };
/// let parsed = read_body("request", body, FileFormat::Json, &options)?;
/// assert_eq!((parsed.rows, parsed.rejected_count), (1, 1));
/// assert_eq!(parsed.rejected[0].reason, "column `value`: `n/a` is not a number");
/// # Ok::<(), ecolake_ingest::ImportError>(())
/// ```
pub fn read_body(
    name: &str,
    body: &[u8],
    format: FileFormat,
    options: &ImportOptions,
) -> Result<FileBatches, ImportError> {
    let path = Path::new(name);
    match format {
        FileFormat::Csv => csv::read_from(path, csv::reader_over(body), options),
        FileFormat::Json => json::read(path, body, options),
        other => Err(ImportError::InvalidOption {
            option: "body format",
            value: other.as_str().to_owned(),
            expected: "csv, json",
        }),
    }
}
