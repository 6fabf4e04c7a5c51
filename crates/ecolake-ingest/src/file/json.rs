//! JSON observations: an array of objects or NDJSON (see [`FileFormat::Json`](super::FileFormat::Json)).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::header::VALUE_COLUMNS;
use super::output::Output;
use super::row::{LongImport, LongRow, NumCell, TimeCell};
use super::{FileBatches, ImportOptions};
use crate::ImportError;

const KNOWN: [&str; 12] = [
    "time", "site", "factor", "period", "value", "min", "max", "cou", "zs", "flag", "qc", "source",
];

pub(super) fn read(
    path: &Path,
    text: &[u8],
    options: &ImportOptions,
) -> Result<FileBatches, ImportError> {
    let (import, mut out) = LongImport::start(path, options);
    let mut unknown = BTreeSet::new();
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_some_and(|i| text[i] == b'[') {
        let rows: Vec<Value> = serde_json::from_slice(text).map_err(|e| ImportError::Header {
            path: path.to_owned(),
            reason: format!("not a JSON array of observations: {e}"),
        })?;
        for (i, row) in rows.iter().enumerate() {
            push(&import, &mut out, i as u64 + 1, row, &mut unknown);
        }
    } else {
        for (i, line) in text.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line_no = i as u64 + 1;
            match serde_json::from_slice::<Value>(line) {
                Ok(row) => push(&import, &mut out, line_no, &row, &mut unknown),
                Err(e) => {
                    out.count_input();
                    out.reject(line_no, format!("not JSON: {e}"));
                }
            }
        }
    }
    let unknown: Vec<String> = unknown.into_iter().collect();
    out.warn_unknown_columns(&unknown);
    Ok(out.finish())
}

fn push(
    import: &LongImport,
    out: &mut Output,
    line: u64,
    row: &Value,
    unknown: &mut BTreeSet<String>,
) {
    let Some(object) = row.as_object() else {
        out.count_input();
        out.reject(line, "not a JSON object".to_owned());
        return;
    };
    for key in object.keys() {
        if !KNOWN.contains(&key.as_str()) && unknown.len() < 100 {
            unknown.insert(key.clone());
        }
    }
    match long_row(object) {
        Ok(long) => import.push(out, line, &long),
        Err(reason) => {
            out.count_input();
            out.reject(line, reason);
        }
    }
}

/// The row's cells, or why a key has the wrong JSON type.
fn long_row(object: &Map<String, Value>) -> Result<LongRow<'_>, String> {
    let text = |key: &str| -> Result<Option<&str>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("column `{key}`: expected text, got {other}")),
        }
    };
    let time = match object.get("time") {
        None | Some(Value::Null) => TimeCell::Null,
        Some(Value::String(s)) => TimeCell::Text(s),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(ms) => TimeCell::Instant(ms),
            None => return Err(format!("column `time`: {n} is not whole milliseconds")),
        },
        Some(other) => {
            return Err(format!(
                "column `time`: expected text or a number, got {other}"
            ))
        }
    };
    let mut values = [NumCell::Null; 5];
    for (cell, key) in values.iter_mut().zip(VALUE_COLUMNS) {
        *cell = match object.get(key) {
            None | Some(Value::Null) => NumCell::Null,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) => NumCell::Num(v),
                None => return Err(format!("column `{key}`: {n} is not a number")),
            },
            Some(Value::String(s)) => NumCell::Text(s),
            Some(other) => return Err(format!("column `{key}`: expected a number, got {other}")),
        };
    }
    Ok(LongRow {
        time,
        site: text("site")?,
        factor: text("factor")?,
        period: text("period")?,
        values,
        flag: text("flag")?,
        qc: text("qc")?,
        source: text("source")?,
    })
}
