//! File import: observation files (CSV, Parquet, the PRSA Beijing wide CSV) to Arrow
//! [`RecordBatch`]es in the store's write schema
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
mod parquet;
mod prsa;
mod time;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Builder, StringBuilder, TimestampMillisecondBuilder};
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::write_schema;
use ecolake_model::Period;

use crate::ImportError;

/// How many rejections [`FileBatches::rejected`] keeps.
pub const MAX_REJECTED_SHOWN: usize = 100;

/// The format of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Long CSV with the observation columns, optionally gzip-compressed.
    Csv,
    /// Parquet with the observation columns.
    Parquet,
    /// The UCI "Beijing Multi-Site Air-Quality" (PRSA) wide CSV, optionally gzip-compressed:
    /// `No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station`,
    /// one row per station-hour, local time ([`ImportOptions::tz`], Beijing UTC+8 by default),
    /// `hour` labelling the start of the hour (see [`HourLabel`]).
    ///
    /// Every non-missing cell becomes one `hour` row: `site` is the national station code
    /// from the station list ([`ImportOptions::stations`]: columns `stationcode` and
    /// `prsa_station`), `source` is `import:<file name>`, values are converted to the
    /// canonical ambient-air unit of the factor:
    ///
    /// | column | factor | unit in file → stored |
    /// |---|---|---|
    /// | PM2.5 | `a34004` | µg/m³ |
    /// | PM10 | `a34002` | µg/m³ |
    /// | SO2 | `a21026` | µg/m³ |
    /// | NO2 | `a21004` | µg/m³ |
    /// | CO | `a21005` | µg/m³ → mg/m³ (÷ 1000) |
    /// | O3 | `a05024` | µg/m³ |
    /// | TEMP | `a01001` | °C |
    /// | PRES | `a01006` | hPa → kPa (÷ 10) |
    /// | DEWP | `x01001` (dew point, ecolake extension) | °C |
    /// | RAIN | `x01002` (precipitation, ecolake extension) | mm |
    /// | wd | `a01008` | 16-point compass (`N`, `NNE` … `NNW`) → degrees (0, 22.5 … 337.5) |
    /// | WSPM | `a01007` | m/s |
    ///
    /// `NA` (or an empty cell) is a missing value: that value is skipped, not the row. A
    /// value that does not parse (or a compass point not in the list) is rejected on its
    /// own, naming the column and value; a row whose time or station is bad (a station not in
    /// the list) is rejected whole. `No` is ignored; other unknown columns are warned about.
    Prsa,
}

impl FileFormat {
    /// The format's name (`csv`, `parquet`, `prsa`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Prsa => "prsa",
        }
    }

    /// The format by the file's extension (ASCII case ignored): `.csv` and `.csv.gz` are
    /// [`FileFormat::Csv`], `.parquet` is [`FileFormat::Parquet`]. PRSA files are CSV files
    /// too and are never detected: ask for [`FileFormat::Prsa`].
    pub fn detect(path: &Path) -> Option<FileFormat> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".csv") || name.ends_with(".csv.gz") {
            Some(FileFormat::Csv)
        } else if name.ends_with(".parquet") {
            Some(FileFormat::Parquet)
        } else {
            None
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileFormat {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(FileFormat::Csv),
            "parquet" => Ok(FileFormat::Parquet),
            "prsa" => Ok(FileFormat::Prsa),
            _ => Err(ImportError::InvalidOption {
                option: "format",
                value: s.to_owned(),
                expected: "csv, parquet, prsa",
            }),
        }
    }
}

/// Whether a file labels a `min`, `hour` or `day` period by its start or its end (see the
/// module documentation, "Period labels").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HourLabel {
    /// The label is the start of the period (what ecolake stores). The default.
    #[default]
    Start,
    /// The label is the end of the period: rows are moved back by one period.
    End,
}

impl HourLabel {
    /// The name (`start`, `end`).
    pub fn as_str(self) -> &'static str {
        match self {
            HourLabel::Start => "start",
            HourLabel::End => "end",
        }
    }
}

impl fmt::Display for HourLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HourLabel {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "start" => Ok(HourLabel::Start),
            "end" => Ok(HourLabel::End),
            _ => Err(ImportError::InvalidOption {
                option: "hour label",
                value: s.to_owned(),
                expected: "start, end",
            }),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The format; `None`: by the file name ([`FileFormat::detect`]).
    pub format: Option<FileFormat>,
    /// The time zone of local times. Default `Asia/Shanghai` (UTC+8, no daylight saving
    /// since 1992).
    pub tz: chrono_tz::Tz,
    /// Whether `min`/`hour`/`day` labels are period starts or ends. Default
    /// [`HourLabel::Start`].
    pub hour_label: HourLabel,
    /// Rows per output batch (at least 1). Default 65,536.
    pub batch_rows: usize,
    /// The PRSA station list; default `beijing_stations.csv` in the data file's folder.
    pub stations: Option<PathBuf>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            tz: chrono_tz::Asia::Shanghai,
            hour_label: HourLabel::Start,
            batch_rows: 65_536,
            stations: None,
        }
    }
}

/// A row (or, for PRSA, a single value) that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The 1-based line in the file where the row starts (the header is line 1), or the row
    /// index + 1 for Parquet.
    pub line: u64,
    /// Why, naming the column and the value.
    pub reason: String,
}

/// What [`read_file`] made of a file.
#[derive(Debug, Clone, Default)]
pub struct FileBatches {
    /// The accepted rows in the write schema, at most [`ImportOptions::batch_rows`] each.
    pub batches: Vec<RecordBatch>,
    /// Rows in `batches` (output rows; a PRSA input row gives up to 12).
    pub rows: u64,
    /// Data records read from the file (CSV records after the header, Parquet rows).
    pub input_rows: u64,
    /// The first [`MAX_REJECTED_SHOWN`] rejections, in file order.
    pub rejected: Vec<Rejected>,
    /// All rejections.
    pub rejected_count: u64,
    /// Remarks about the file as a whole (ignored unknown columns), each once.
    pub warnings: Vec<String>,
}

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
    }
}

/// `import:<file name>`, the default `source`.
fn default_source(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_else(|| path.to_string_lossy());
    format!("import:{name}")
}

/// Opens a text file, decompressing it if it starts with the gzip magic bytes.
fn open_text(path: &Path) -> Result<Box<dyn Read>, ImportError> {
    let file = File::open(path).map_err(|source| ImportError::Open {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(|source| ImportError::Read {
        path: path.to_owned(),
        source,
    })?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// A value for a rejection reason: quoted, shortened if long.
fn shown(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        None => format!("`{value}`"),
        Some((i, _)) => format!("`{}…`", &value[..i]),
    }
}

/// A value for a rejection reason from raw bytes.
fn shown_bytes(value: &[u8]) -> String {
    shown(&String::from_utf8_lossy(value))
}

/// The value columns, in schema order.
const VALUE_COLUMNS: [&str; 5] = ["value", "min", "max", "cou", "zs"];

/// The columns of one batch being built.
struct Columns {
    len: usize,
    time: TimestampMillisecondBuilder,
    site: StringBuilder,
    factor: StringBuilder,
    period: StringBuilder,
    values: [Float64Builder; 5],
    flag: StringBuilder,
    qc: StringBuilder,
    source: StringBuilder,
}

impl Columns {
    fn new(rows: usize, source_len: usize) -> Columns {
        let rows = rows.min(1 << 20);
        let text = || StringBuilder::with_capacity(rows, rows * 8);
        Columns {
            len: 0,
            time: TimestampMillisecondBuilder::with_capacity(rows).with_timezone("UTC"),
            site: text(),
            factor: text(),
            period: text(),
            values: std::array::from_fn(|_| Float64Builder::with_capacity(rows)),
            flag: StringBuilder::with_capacity(rows, 0),
            qc: StringBuilder::with_capacity(rows, 0),
            source: StringBuilder::with_capacity(rows, rows * source_len),
        }
    }

    fn finish(mut self) -> RecordBatch {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(12);
        columns.push(Arc::new(self.time.finish()));
        columns.push(Arc::new(self.site.finish()));
        columns.push(Arc::new(self.factor.finish()));
        columns.push(Arc::new(self.period.finish()));
        for v in &mut self.values {
            columns.push(Arc::new(v.finish()));
        }
        columns.push(Arc::new(self.flag.finish()));
        columns.push(Arc::new(self.qc.finish()));
        columns.push(Arc::new(self.source.finish()));
        RecordBatch::try_new(write_schema(), columns).expect("the builders follow the write schema")
    }
}

/// The result of a file being built: batches, rejections, warnings.
struct Output {
    columns: Columns,
    batch_rows: usize,
    source_len: usize,
    result: FileBatches,
}

impl Output {
    fn new(options: &ImportOptions, source_len: usize) -> Output {
        let batch_rows = options.batch_rows.max(1);
        Output {
            columns: Columns::new(batch_rows, source_len),
            batch_rows,
            source_len,
            result: FileBatches::default(),
        }
    }

    fn warn(&mut self, warning: String) {
        self.result.warnings.push(warning);
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.result.rejected_count += 1;
        if self.result.rejected.len() < MAX_REJECTED_SHOWN {
            self.result.rejected.push(Rejected { line, reason });
        }
    }

    /// Appends a row with only `value` (PRSA).
    fn push_value(
        &mut self,
        time_ms: i64,
        site: &str,
        factor: &str,
        period: &str,
        value: f64,
        source: &str,
    ) {
        let c = &mut self.columns;
        c.time.append_value(time_ms);
        c.site.append_value(site);
        c.factor.append_value(factor);
        c.period.append_value(period);
        c.values[0].append_value(value);
        for v in &mut c.values[1..] {
            v.append_null();
        }
        c.flag.append_null();
        c.qc.append_null();
        c.source.append_value(source);
        self.row_done();
    }

    /// Appends a full row.
    #[allow(clippy::too_many_arguments)]
    fn push_row(
        &mut self,
        time_ms: i64,
        site: &str,
        factor: &str,
        period: Period,
        values: [Option<f64>; 5],
        flag: Option<&str>,
        qc: Option<&str>,
        source: &str,
    ) {
        let c = &mut self.columns;
        c.time.append_value(time_ms);
        c.site.append_value(site);
        c.factor.append_value(factor);
        c.period.append_value(period.as_str());
        for (b, v) in c.values.iter_mut().zip(values) {
            b.append_option(v);
        }
        c.flag.append_option(flag);
        c.qc.append_option(qc);
        c.source.append_value(source);
        self.row_done();
    }

    fn row_done(&mut self) {
        self.columns.len += 1;
        if self.columns.len >= self.batch_rows {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.columns.len == 0 {
            return;
        }
        let full = std::mem::replace(
            &mut self.columns,
            Columns::new(self.batch_rows, self.source_len),
        );
        self.result.rows += full.len as u64;
        self.result.batches.push(full.finish());
    }

    fn finish(mut self) -> FileBatches {
        self.flush();
        self.result
    }
}

/// A `time` cell of a long (CSV, Parquet) row.
#[derive(Debug, Clone, Copy)]
enum TimeCell<'a> {
    /// Null or absent.
    Null,
    /// Text, parsed by [`time::parse`].
    Text(&'a str),
    /// Milliseconds since the epoch of an instant.
    Instant(i64),
    /// Milliseconds since the epoch of a wall-clock time in the import's time zone.
    Wall(i64),
}

/// A number cell of a long row.
#[derive(Debug, Clone, Copy)]
enum NumCell<'a> {
    /// Null or absent.
    Null,
    /// A number.
    Num(f64),
    /// Text to parse.
    Text(&'a str),
}

/// One row of a long file, before validation.
#[derive(Debug, Clone, Copy)]
struct LongRow<'a> {
    time: TimeCell<'a>,
    site: Option<&'a str>,
    factor: Option<&'a str>,
    period: Option<&'a str>,
    values: [NumCell<'a>; 5],
    flag: Option<&'a str>,
    qc: Option<&'a str>,
    source: Option<&'a str>,
}

/// Trimmed, `None` if blank.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A decimal number, or why not, naming the column.
fn parse_number(column: &str, text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!(
            "column `{column}`: {} is not a finite number",
            shown(text)
        )),
        Err(_) => Err(format!(
            "column `{column}`: {} is not a number",
            shown(text)
        )),
    }
}

/// Shared row handling of the long formats.
struct LongImport {
    tz: chrono_tz::Tz,
    hour_label: HourLabel,
    source: String,
}

impl LongImport {
    fn new(path: &Path, options: &ImportOptions) -> LongImport {
        LongImport {
            tz: options.tz,
            hour_label: options.hour_label,
            source: default_source(path),
        }
    }

    /// Validates a row and appends it, or rejects it with the reason.
    fn push(&self, out: &mut Output, line: u64, row: &LongRow<'_>) {
        out.result.input_rows += 1;
        if let Err(reason) = self.try_push(out, row) {
            out.reject(line, reason);
        }
    }

    fn try_push(&self, out: &mut Output, row: &LongRow<'_>) -> Result<(), String> {
        let required = |name: &str, v: Option<&'_ str>| -> Result<(), String> {
            match v {
                Some(_) => Ok(()),
                None => Err(format!("column `{name}` is empty")),
            }
        };
        let site = non_blank(row.site);
        let factor = non_blank(row.factor);
        let period_text = non_blank(row.period);
        required("site", site)?;
        required("factor", factor)?;
        required("period", period_text)?;
        let (site, factor, period_text) = (
            site.unwrap_or_default(),
            factor.unwrap_or_default(),
            period_text.unwrap_or_default(),
        );
        let period = period_text.parse::<Period>().map_err(|_| {
            format!(
                "column `period`: {} is not a period (rtd, min, hour, day, month, year)",
                shown(period_text)
            )
        })?;
        let mut values = [None; 5];
        for ((out_v, cell), name) in values.iter_mut().zip(&row.values).zip(VALUE_COLUMNS) {
            *out_v = match *cell {
                NumCell::Null => None,
                NumCell::Num(v) if v.is_finite() => Some(v),
                NumCell::Num(v) => {
                    return Err(format!("column `{name}`: {v} is not a finite number"))
                }
                NumCell::Text(t) => match t.trim() {
                    "" => None,
                    t => Some(parse_number(name, t)?),
                },
            };
        }
        if values.iter().all(Option::is_none) {
            return Err("no value: value, min, max, cou and zs are all empty".to_owned());
        }
        let shift = time::label_shift(period, self.hour_label);
        let time_ms = match row.time {
            TimeCell::Null => Err("column `time` is empty".to_owned()),
            TimeCell::Text(t) => match t.trim() {
                "" => Err("column `time` is empty".to_owned()),
                t => match time::parse(t) {
                    Some(parsed) => time::resolve(parsed, self.tz, shift)
                        .map_err(|e| format!("column `time`: {}: {e}", shown(t))),
                    None => Err(format!(
                        "column `time`: {} is not a time (RFC 3339, or local \
                         yyyy-MM-dd HH:mm[:ss])",
                        shown(t)
                    )),
                },
            },
            TimeCell::Instant(ms) => match shift {
                None => Ok(ms),
                Some(d) => Ok(ms - d.num_milliseconds()),
            },
            TimeCell::Wall(ms) => time::naive_of_millis(ms)
                .ok_or_else(|| format!("column `time`: {ms} ms is out of range"))
                .and_then(|naive| {
                    time::resolve(time::Parsed::Local(naive), self.tz, shift)
                        .map_err(|e| format!("column `time`: {e}"))
                }),
        }?;
        let source = non_blank(row.source).unwrap_or(&self.source);
        out.push_row(
            time_ms,
            site,
            factor,
            period,
            values,
            non_blank(row.flag),
            non_blank(row.qc),
            source,
        );
        Ok(())
    }
}

/// The long-format columns a header names, by position.
#[derive(Debug, Default)]
struct LongColumns {
    time: Option<usize>,
    site: Option<usize>,
    factor: Option<usize>,
    period: Option<usize>,
    values: [Option<usize>; 5],
    flag: Option<usize>,
    qc: Option<usize>,
    source: Option<usize>,
}

/// The required columns found in a long header.
#[derive(Debug, Clone, Copy)]
struct Required {
    time: usize,
    site: usize,
    factor: usize,
    period: usize,
}

impl LongColumns {
    /// Maps header names (ASCII case and surrounding blanks ignored, a UTF-8 byte order mark
    /// on the first name removed) to columns. Returns the map and the unknown names, or why the
    /// header is unusable.
    fn from_header<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<(LongColumns, Required, Vec<String>), String> {
        let mut cols = LongColumns::default();
        let mut unknown = Vec::new();
        for (i, raw) in names.into_iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            let slot = match name.to_ascii_lowercase().as_str() {
                "time" => &mut cols.time,
                "site" => &mut cols.site,
                "factor" => &mut cols.factor,
                "period" => &mut cols.period,
                "value" => &mut cols.values[0],
                "min" => &mut cols.values[1],
                "max" => &mut cols.values[2],
                "cou" => &mut cols.values[3],
                "zs" => &mut cols.values[4],
                "flag" => &mut cols.flag,
                "qc" => &mut cols.qc,
                "source" => &mut cols.source,
                _ => {
                    unknown.push(name.to_owned());
                    continue;
                }
            };
            if slot.is_some() {
                return Err(format!("column `{name}` appears twice"));
            }
            *slot = Some(i);
        }
        let missing: Vec<&str> = [
            ("time", cols.time),
            ("site", cols.site),
            ("factor", cols.factor),
            ("period", cols.period),
        ]
        .into_iter()
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "missing required column{} {}",
                if missing.len() > 1 { "s" } else { "" },
                missing
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if cols.values.iter().all(Option::is_none) {
            return Err("no value column (one of `value`, `min`, `max`, `cou`, `zs`)".to_owned());
        }
        let required = Required {
            time: cols.time.unwrap_or_default(),
            site: cols.site.unwrap_or_default(),
            factor: cols.factor.unwrap_or_default(),
            period: cols.period.unwrap_or_default(),
        };
        Ok((cols, required, unknown))
    }
}

/// The warning about ignored columns, if any.
fn unknown_columns_warning(unknown: &[String]) -> Option<String> {
    (!unknown.is_empty()).then(|| {
        format!(
            "ignoring unknown column{} {}",
            if unknown.len() > 1 { "s" } else { "" },
            unknown
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_extension() {
        for f in [FileFormat::Csv, FileFormat::Parquet, FileFormat::Prsa] {
            assert_eq!(f.as_str().parse::<FileFormat>().unwrap(), f);
            assert_eq!(f.to_string(), f.as_str());
        }
        assert!(matches!(
            "xlsx".parse::<FileFormat>(),
            Err(ImportError::InvalidOption { value, .. }) if value == "xlsx"
        ));
        let d = |p: &str| FileFormat::detect(Path::new(p));
        assert_eq!(d("a/b.csv"), Some(FileFormat::Csv));
        assert_eq!(d("B.CSV.GZ"), Some(FileFormat::Csv));
        assert_eq!(d("x.parquet"), Some(FileFormat::Parquet));
        assert_eq!(d("x.gz"), None);
        assert_eq!(d("x.txt"), None);
        assert_eq!(
            d("PRSA_Data_Dongsi_20130301-20170228.csv.gz"),
            Some(FileFormat::Csv)
        );
    }

    #[test]
    fn hour_labels_by_name() {
        assert_eq!("start".parse::<HourLabel>().unwrap(), HourLabel::Start);
        assert_eq!("end".parse::<HourLabel>().unwrap(), HourLabel::End);
        assert!("END".parse::<HourLabel>().is_err());
        assert_eq!(HourLabel::default(), HourLabel::Start);
        assert_eq!(HourLabel::End.to_string(), "end");
    }

    #[test]
    fn option_types_fit_a_command_line_parser() {
        // What clap's `ValueParser::new(|s| s.parse::<T>())` needs of the value and the error.
        fn value<T: Clone + Send + Sync + 'static>() {}
        fn error<E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>>() {}
        value::<FileFormat>();
        value::<HourLabel>();
        error::<ImportError>();
    }

    #[test]
    fn default_options() {
        let o = ImportOptions::default();
        assert_eq!(o.tz, chrono_tz::Asia::Shanghai);
        assert_eq!(o.batch_rows, 65_536);
        assert_eq!(
            (o.format, o.hour_label, o.stations),
            (None, HourLabel::Start, None)
        );
    }

    #[test]
    fn shown_values_are_quoted_and_shortened() {
        assert_eq!(shown("abc"), "`abc`");
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("`{}…`", "é".repeat(60)));
    }

    #[test]
    fn header_mapping() {
        let (c, r, unknown) =
            LongColumns::from_header(["\u{feff}Time", " SITE ", "factor", "period", "zs", "x"])
                .unwrap();
        assert_eq!((r.time, r.site, r.factor, r.period), (0, 1, 2, 3));
        assert_eq!(c.values, [None, None, None, None, Some(4)]);
        assert_eq!(unknown, ["x"]);
        let e = LongColumns::from_header(["time", "value"]).unwrap_err();
        assert_eq!(e, "missing required columns `site`, `factor`, `period`");
        let e = LongColumns::from_header(["time", "site", "factor", "period"]).unwrap_err();
        assert!(e.starts_with("no value column"), "{e}");
        let e = LongColumns::from_header(["time", "site", "site"]).unwrap_err();
        assert_eq!(e, "column `site` appears twice");
    }
}
