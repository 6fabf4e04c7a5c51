//! Bulk import and export of registry entries as CSV or JSON (`ecolake registry import|export`).
//!
//! Import validates every row (its codes, then its references inside one transaction, each row
//! under a savepoint) and reports each bad row with its line and reason. Without `partial`,
//! a file with any bad row changes nothing; with it, the good rows are applied. Export writes
//! the same formats, so export → import round-trips.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::entity::{by_kind, put, Entity, Kind};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

vocabulary!(
    /// A file format of import and export (`--format`).
    Format, "format", {
        Csv = "csv" => "CSV with a header row naming the fields (UTF-8, an optional BOM).",
        Json = "json" => "A JSON array of objects, or one object per line (JSON lines).",
        BeijingStations = "beijing-stations" => "The Beijing national station list (`beijing_stations.csv`), read as sites; import only.",
        Cnemc = "cnemc" => "The stations of a CNEMC national real-time snapshot, read as sites; import only.",
    }
);

impl Format {
    /// The kind a station-list format reads (sites), or `None` for the general formats.
    fn only_kind(self) -> Option<Kind> {
        match self {
            Format::Csv | Format::Json => None,
            Format::BeijingStations | Format::Cnemc => Some(Kind::Sites),
        }
    }

    /// The format a file name implies (`.json`/`.jsonl`/`.ndjson` → JSON, else CSV).
    pub fn of_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json" | "jsonl" | "ndjson") => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Who imports (for the audit log).
    pub actor: String,
    /// Apply the good rows of a file that has bad ones.
    pub partial: bool,
}

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file (1 = the first line; the CSV header is line 1), for JSON arrays the
    /// line where the object starts.
    pub line: u64,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The kind imported.
    pub kind: Kind,
    /// Rows read.
    pub rows: usize,
    /// Rows written (0 when a file with errors was refused whole).
    pub applied: usize,
    /// The refused rows, in file order.
    pub errors: Vec<RowError>,
}

/// A row read from a file, with its line.
pub(crate) type Parsed<E> = Vec<(u64, Result<E, String>)>;

impl Registry {
    /// Imports `data` (the bytes of one file) as rows of `kind`.
    ///
    /// A file that cannot be read as `format` at all (bad header, unknown column) is an error;
    /// bad rows are reported in the [`ImportReport`].
    pub async fn import(
        &self,
        kind: Kind,
        format: Format,
        data: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportReport, RegistryError> {
        match (format, format.only_kind()) {
            (Format::BeijingStations, Some(k)) if k == kind => {
                let rows = crate::stations::beijing_stations(data)?;
                return self.import_rows(rows, options).await;
            }
            (Format::Cnemc, Some(k)) if k == kind => {
                let rows = crate::stations::cnemc_sites(data)?;
                return self.import_rows(rows, options).await;
            }
            (_, Some(k)) => {
                return Err(RegistryError::Invalid(format!(
                    "format {format} holds {k}, not {kind}"
                )))
            }
            (_, None) => {}
        }
        macro_rules! go {
            ($ty:ty) => {{
                let rows = parse::<$ty>(format, data)?;
                self.import_rows::<$ty>(rows, options).await
            }};
        }
        by_kind!(kind, go)
    }

    /// Imports parsed rows (see [`Registry::import`]).
    pub(crate) async fn import_rows<E: Entity>(
        &self,
        rows: Parsed<E>,
        options: &ImportOptions,
    ) -> Result<ImportReport, RegistryError> {
        let mut report = ImportReport {
            kind: E::KIND,
            rows: rows.len(),
            applied: 0,
            errors: Vec::new(),
        };
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let (_one, mut tx) = self.begin_write().await?;
        for (line, row) in rows {
            let row = match row {
                Ok(row) => row,
                Err(reason) => {
                    report.errors.push(RowError { line, reason });
                    continue;
                }
            };
            if let Some(first) = first_line.get(&row.key()) {
                report.errors.push(RowError {
                    line,
                    reason: format!(
                        "{} {}: also on line {first}; a file may name each entry once",
                        E::KIND,
                        row.key()
                    ),
                });
                continue;
            }
            first_line.insert(row.key(), line);
            sqlx::query("SAVEPOINT import_row")
                .execute(&mut *tx)
                .await?;
            match put(self, &mut tx, &options.actor, &row).await {
                Ok(()) => {
                    sqlx::query("RELEASE SAVEPOINT import_row")
                        .execute(&mut *tx)
                        .await?;
                    report.applied += 1;
                }
                Err(e) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT import_row")
                        .execute(&mut *tx)
                        .await?;
                    report.errors.push(RowError {
                        line,
                        reason: row_reason(e)?,
                    });
                }
            }
        }
        if report.errors.is_empty() || options.partial {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
            report.applied = 0;
        }
        Ok(report)
    }

    /// Writes the data resource catalog as DCAT-AP JSON-LD (`--format dcat`), with download URLs
    /// under `base_url`.
    pub async fn export_dcat(
        &self,
        base_url: &str,
        out: &mut dyn Write,
    ) -> Result<usize, RegistryError> {
        let datasets = self.datasets().await?;
        let doc = crate::dcat::catalog_jsonld(&datasets, &self.departments().await?, base_url);
        serde_json::to_writer_pretty(&mut *out, &doc)
            .map_err(|e| RegistryError::Invalid(format!("writing JSON-LD: {e}")))?;
        out.write_all(b"\n").map_err(|e| RegistryError::Io {
            path: "(output)".into(),
            source: e,
        })?;
        Ok(datasets.len())
    }

    /// Writes every row of `kind` to `out` as `format`; returns the number of rows.
    /// Device passwords are written only when `secrets` is set (see [`Registry::import`]: a
    /// device row without a password keeps the stored one).
    pub async fn export(
        &self,
        kind: Kind,
        format: Format,
        secrets: bool,
        out: &mut dyn Write,
    ) -> Result<usize, RegistryError> {
        if format.only_kind().is_some() {
            return Err(RegistryError::Invalid(format!(
                "format {format} is read on import only; export writes csv or json"
            )));
        }
        macro_rules! go {
            ($ty:ty) => {{
                let rows = <$ty as Entity>::all(self).await?;
                write_rows(format, &rows, out)
            }};
        }
        if kind == Kind::Devices && secrets {
            return write_rows(format, &self.devices_with_passwords().await?, out);
        }
        by_kind!(kind, go)
    }
}

/// The reason a row failed, or the error itself if it is not about the row (the database is
/// unreachable).
fn row_reason(e: RegistryError) -> Result<String, RegistryError> {
    match e {
        RegistryError::Invalid(reason) => Ok(reason),
        RegistryError::Database(sqlx::Error::Database(d)) => {
            Ok(format!("refused by the database: {d}"))
        }
        other => Err(other),
    }
}

/// The field names of `E` (its CSV columns), in declaration order.
pub(crate) fn field_names<E: Entity>() -> Vec<String> {
    use serde_arrow::schema::SchemaLike;
    Vec::<arrow::datatypes::FieldRef>::from_type::<E>(tracing_options())
        .map(|fields| fields.iter().map(|f| f.name().clone()).collect())
        .unwrap_or_default()
}

/// How registry rows map to Arrow: unit enums are strings.
pub(crate) fn tracing_options() -> serde_arrow::schema::TracingOptions {
    serde_arrow::schema::TracingOptions::default()
        .enums_without_data_as_strings(true)
        .allow_null_fields(true)
}

/// The UTF-8 byte-order mark some tools write at the start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads the rows of a file.
pub(crate) fn parse<E: Entity>(format: Format, data: &[u8]) -> Result<Parsed<E>, RegistryError> {
    match format {
        Format::Json => parse_json(data.strip_prefix(BOM).unwrap_or(data)),
        _ => parse_csv(data),
    }
}

fn parse_csv<E: Entity>(data: &[u8]) -> Result<Parsed<E>, RegistryError> {
    let (mut reader, headers) = csv_reader(data, "the CSV header")?;
    let fields = field_names::<E>();
    for h in &headers {
        if !fields.iter().any(|f| f == h) {
            return Err(RegistryError::Invalid(format!(
                "column `{h}` is not a field of {} (fields: {})",
                E::KIND,
                fields.join(", ")
            )));
        }
    }
    Ok(csv_rows(&mut reader, &headers, |record| {
        record
            .deserialize::<E>(Some(&headers))
            .map_err(|e| csv_reason(&e, &headers, record))
    }))
}

/// A CSV reader over `data` (trimmed fields, a leading BOM skipped) and its header row;
/// `what` names the header in the error.
pub(crate) fn csv_reader<'a>(
    data: &'a [u8],
    what: &str,
) -> Result<(csv::Reader<&'a [u8]>, csv::StringRecord), RegistryError> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers = reader
        .headers()
        .map_err(|e| RegistryError::Invalid(format!("{what}: {e}")))?
        .clone();
    Ok((reader, headers))
}

/// Every record after the header as `row` reads it, with its line; a malformed record is a
/// refused row, and reading stops at one the reader cannot get past.
pub(crate) fn csv_rows<E>(
    reader: &mut csv::Reader<&[u8]>,
    headers: &csv::StringRecord,
    mut row: impl FnMut(&csv::StringRecord) -> Result<E, String>,
) -> Parsed<E> {
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                rows.push((line, row(&record)));
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let reason = csv_reason(&e, headers, &record);
                rows.push((line, Err(format!("malformed CSV: {reason}"))));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
    }
    rows
}

/// A CSV error without the position (the line is reported beside it), naming the column.
/// serde reports an unknown enum variant without its field, so that column is found by value.
fn csv_reason(e: &csv::Error, headers: &csv::StringRecord, record: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let index = err.field().map(|i| i as usize).or_else(|| {
                let text = err.kind().to_string();
                let variant = text.strip_prefix("unknown variant `")?.split('`').next()?;
                record.iter().position(|v| v == variant)
            });
            let column = index
                .and_then(|i| headers.get(i))
                .map(|h| format!("column `{h}`: "))
                .unwrap_or_default();
            format!("{column}{}", err.kind())
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        _ => e.to_string(),
    }
}

fn parse_json<E: Entity>(data: &[u8]) -> Result<Parsed<E>, RegistryError> {
    let line_of = |offset: usize| {
        1 + data[..offset.min(data.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    let start = data.iter().position(|b| !b.is_ascii_whitespace());
    let mut rows = Vec::new();
    if start.is_some_and(|i| data[i] == b'[') {
        // An array: find where each element starts so errors can name the line.
        let values: Vec<serde_json::Value> = serde_json::from_slice(data).map_err(|e| {
            RegistryError::Invalid(format!("malformed JSON at line {}: {e}", e.line()))
        })?;
        let mut offsets = element_offsets(data).into_iter();
        for v in values {
            let line = offsets.next().map_or(0, line_of);
            rows.push((line, json_row::<E>(v)));
        }
    } else {
        let mut stream =
            serde_json::Deserializer::from_slice(data).into_iter::<serde_json::Value>();
        loop {
            let offset = stream.byte_offset();
            let at = offset
                + data[offset..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            match stream.next() {
                None => break,
                Some(Ok(v)) => rows.push((line_of(at), json_row::<E>(v))),
                Some(Err(e)) => {
                    rows.push((line_of(at), Err(format!("malformed JSON: {e}"))));
                    break;
                }
            }
        }
    }
    Ok(rows)
}

fn json_row<E: Entity>(v: serde_json::Value) -> Result<E, String> {
    let fields = field_names::<E>();
    if let Some(obj) = v.as_object() {
        if let Some(k) = obj.keys().find(|k| !fields.iter().any(|f| f == *k)) {
            return Err(format!("field `{k}` is not a field of {}", E::KIND));
        }
    } else {
        return Err(format!("a {} row must be a JSON object", E::KIND));
    }
    serde_json::from_value(v).map_err(|e| e.to_string())
}

/// Byte offsets where the top-level elements of a JSON array start.
fn element_offsets(data: &[u8]) -> Vec<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut out = Vec::new();
    let mut expect_element = false;
    for (i, &b) in data.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expect_element && !b.is_ascii_whitespace() && b != b']' {
            out.push(i);
            expect_element = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expect_element = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_element = true,
            _ => {}
        }
    }
    out
}

/// Writes rows as CSV (header from the field names, also when there are no rows) or a JSON
/// array with one object per line.
pub(crate) fn write_rows<E: Entity + Serialize>(
    format: Format,
    rows: &[E],
    out: &mut dyn Write,
) -> Result<usize, RegistryError> {
    let io = |e: std::io::Error| RegistryError::Io {
        path: "(output)".into(),
        source: e,
    };
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            w.write_record(field_names::<E>())
                .map_err(|e| RegistryError::Invalid(e.to_string()))?;
            for row in rows {
                w.serialize(row)
                    .map_err(|e| RegistryError::Invalid(format!("writing CSV: {e}")))?;
            }
            w.flush().map_err(io)?;
        }
        // JSON (export refuses the station-list formats before here).
        _ => {
            out.write_all(b"[").map_err(io)?;
            for (i, row) in rows.iter().enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })
                    .map_err(io)?;
                serde_json::to_writer(&mut *out, row)
                    .map_err(|e| RegistryError::Invalid(format!("writing JSON: {e}")))?;
            }
            out.write_all(b"\n]\n").map_err(io)?;
        }
    }
    Ok(rows.len())
}
