//! Long CSV files (optionally gzip-compressed), see the parent module for the columns; and the
//! CSV reading the PRSA files and station lists share with them.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::header::{LongHeader, VALUE_COLUMNS};
use super::row::{LongImport, LongRow, NumCell, TimeCell};
use super::{FileBatches, ImportOptions};
use crate::ImportError;

/// Opens a text file, decompressing it if it starts with the gzip magic bytes.
fn open_text(path: &Path) -> Result<Box<dyn Read>, ImportError> {
    let file = File::open(path).map_err(ImportError::open(path))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(ImportError::read(path))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// A CSV reader over a (possibly gzip-compressed) file: quotes, no comment lines, records of
/// varying length allowed (a record whose length differs from the header is rejected).
pub(super) fn reader(path: &Path) -> Result<::csv::Reader<Box<dyn Read>>, ImportError> {
    Ok(reader_over(open_text(path)?))
}

/// A CSV reader over any text (a request body), read as [`reader`] reads files.
pub(super) fn reader_over<R: Read>(text: R) -> ::csv::Reader<R> {
    ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(text)
}

/// The header names as text, or an [`ImportError::Header`].
pub(super) fn header<R: Read>(
    path: &Path,
    reader: &mut ::csv::Reader<R>,
) -> Result<Vec<String>, ImportError> {
    let header = reader
        .byte_headers()
        .map_err(ImportError::csv(path))?
        .clone();
    let bad = |reason: String| ImportError::Header {
        path: path.to_owned(),
        reason,
    };
    if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
        return Err(bad("the file is empty (no header row)".to_owned()));
    }
    header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            std::str::from_utf8(name)
                .map(str::to_owned)
                .map_err(|_| bad(format!("column {} of the header is not UTF-8", i + 1)))
        })
        .collect()
}

/// Reads the next record into `record`: `false` at the end of the file.
pub(super) fn next_record<R: Read>(
    path: &Path,
    reader: &mut ::csv::Reader<R>,
    record: &mut ::csv::ByteRecord,
) -> Result<bool, ImportError> {
    reader
        .read_byte_record(record)
        .map_err(ImportError::csv(path))
}

/// The 1-based line where `record` starts.
pub(super) fn line(record: &::csv::ByteRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// The rejection reason of a record whose field count differs from the header's, if it does.
pub(super) fn width_mismatch(record: &::csv::ByteRecord, width: usize) -> Option<String> {
    (record.len() != width)
        .then(|| format!("the row has {} fields, the header {width}", record.len()))
}

pub(super) fn read(path: &Path, options: &ImportOptions) -> Result<FileBatches, ImportError> {
    read_from(path, reader(path)?, options)
}

/// Reads long CSV from `reader`; `path` names it in messages and in the default `source`.
pub(super) fn read_from<R: Read>(
    path: &Path,
    mut reader: ::csv::Reader<R>,
    options: &ImportOptions,
) -> Result<FileBatches, ImportError> {
    let names = header(path, &mut reader)?;
    let LongHeader {
        columns: cols,
        required: req,
        unknown,
    } = LongHeader::read(path, names.iter().map(String::as_str))?;
    let (import, mut out) = LongImport::start(path, options);
    out.warn_unknown_columns(&unknown);
    let width = names.len();
    let mut record = ::csv::ByteRecord::new();
    while next_record(path, &mut reader, &mut record)? {
        let line = line(&record);
        if let Some(reason) = width_mismatch(&record, width) {
            out.count_input();
            out.reject(line, reason);
            continue;
        }
        // Fields as text; a used field that is not UTF-8 rejects the row.
        let mut bad = None;
        let mut text = |i: Option<usize>, name: &'static str| {
            let raw = record.get(i?)?;
            match std::str::from_utf8(raw) {
                Ok(s) => Some(s),
                Err(_) => {
                    bad.get_or_insert_with(|| format!("column `{name}` is not valid UTF-8"));
                    None
                }
            }
        };
        let time = text(Some(req.time), "time");
        let row = LongRow {
            time: time.map_or(TimeCell::Null, TimeCell::Text),
            site: text(Some(req.site), "site"),
            factor: text(Some(req.factor), "factor"),
            period: text(Some(req.period), "period"),
            values: std::array::from_fn(|k| {
                text(cols.values[k], VALUE_COLUMNS[k]).map_or(NumCell::Null, NumCell::Text)
            }),
            flag: text(cols.flag, "flag"),
            qc: text(cols.qc, "qc"),
            source: text(cols.source, "source"),
        };
        if let Some(reason) = bad {
            out.count_input();
            out.reject(line, reason);
            continue;
        }
        import.push(&mut out, line, &row);
    }
    Ok(out.finish())
}
