//! Long CSV files (optionally gzip-compressed), see the parent module for the columns.

use std::path::Path;

use super::{
    open_text, unknown_columns_warning, FileBatches, ImportOptions, LongColumns, LongImport,
    LongRow, NumCell, Output, TimeCell,
};
use crate::ImportError;

/// A CSV reader over a (possibly gzip-compressed) file: quotes, no comment lines, records of
/// varying length allowed (a record whose length differs from the header is rejected).
pub(super) fn reader(path: &Path) -> Result<::csv::Reader<Box<dyn std::io::Read>>, ImportError> {
    Ok(::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(open_text(path)?))
}

/// The header names as text, or an [`ImportError::Header`].
pub(super) fn header(
    path: &Path,
    reader: &mut ::csv::Reader<Box<dyn std::io::Read>>,
) -> Result<Vec<String>, ImportError> {
    let header = reader
        .byte_headers()
        .map_err(|source| ImportError::Csv {
            path: path.to_owned(),
            source,
        })?
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

pub(super) fn read(path: &Path, options: &ImportOptions) -> Result<FileBatches, ImportError> {
    let mut reader = reader(path)?;
    let names = header(path, &mut reader)?;
    let (cols, req, unknown) =
        LongColumns::from_header(names.iter().map(String::as_str)).map_err(|reason| {
            ImportError::Header {
                path: path.to_owned(),
                reason,
            }
        })?;
    let import = LongImport::new(path, options);
    let mut out = Output::new(options, import.source.len());
    if let Some(w) = unknown_columns_warning(&unknown) {
        out.warn(w);
    }
    let width = names.len();
    let mut record = ::csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(source) => {
                return Err(ImportError::Csv {
                    path: path.to_owned(),
                    source,
                })
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != width {
            out.result.input_rows += 1;
            out.reject(
                line,
                format!("the row has {} fields, the header {width}", record.len()),
            );
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
            values: [
                text(cols.values[0], "value").map_or(NumCell::Null, NumCell::Text),
                text(cols.values[1], "min").map_or(NumCell::Null, NumCell::Text),
                text(cols.values[2], "max").map_or(NumCell::Null, NumCell::Text),
                text(cols.values[3], "cou").map_or(NumCell::Null, NumCell::Text),
                text(cols.values[4], "zs").map_or(NumCell::Null, NumCell::Text),
            ],
            flag: text(cols.flag, "flag"),
            qc: text(cols.qc, "qc"),
            source: text(cols.source, "source"),
        };
        if let Some(reason) = bad {
            out.result.input_rows += 1;
            out.reject(line, reason);
            continue;
        }
        import.push(&mut out, line, &row);
    }
    Ok(out.finish())
}
