//! What an import produces: the accepted rows, built into [`RecordBatch`]es of the write
//! schema ([`write_schema`]) and cut at [`ImportOptions::batch_rows`], and the report beside
//! them: the rejections ([`Rejected`], the first [`MAX_REJECTED_SHOWN`] kept, all counted)
//! and the warnings about the file.

use arrow::record_batch::RecordBatch;
use ecolake_model::Period;
use std::path::Path;

use crate::rows::Columns;

use super::ImportOptions;

/// How many rejections [`FileBatches::rejected`] keeps.
pub const MAX_REJECTED_SHOWN: usize = 100;

/// A row (or, for PRSA, a single value) that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The 1-based line in the file where the row starts (the header is line 1), or the row
    /// index + 1 for Parquet.
    pub line: u64,
    /// Why, naming the column and the value.
    pub reason: String,
}

/// What [`read_file`](super::read_file) made of a file.
#[derive(Debug, Clone, Default)]
pub struct FileBatches {
    /// The accepted rows in the write schema, at most [`ImportOptions::batch_rows`] each.
    pub batches: Vec<RecordBatch>,
    /// Rows in `batches` (output rows; a PRSA input row gives up to 12).
    pub rows: u64,
    /// The line (as in [`Rejected::line`]) each row of `batches` came from, in order, so that
    /// a row refused later (by the store) can be reported where it is in the file.
    pub lines: Vec<u64>,
    /// Data records read from the file (CSV records after the header, Parquet rows).
    pub input_rows: u64,
    /// The first [`MAX_REJECTED_SHOWN`] rejections, in file order.
    pub rejected: Vec<Rejected>,
    /// All rejections.
    pub rejected_count: u64,
    /// Remarks about the file as a whole (ignored unknown columns), each once.
    pub warnings: Vec<String>,
}

/// `import:<file name>`, the default `source`.
pub(super) fn default_source(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_else(|| path.to_string_lossy());
    format!("import:{name}")
}

/// A value for a rejection reason: quoted, shortened if long.
pub(super) fn shown(value: &str) -> String {
    const MAX: usize = 60;
    match value.char_indices().nth(MAX) {
        None => format!("`{value}`"),
        Some((i, _)) => format!("`{}…`", &value[..i]),
    }
}

/// A value for a rejection reason from raw bytes.
pub(super) fn shown_bytes(value: &[u8]) -> String {
    shown(&String::from_utf8_lossy(value))
}

/// `column `a`` or `columns `a`, `b``: names for a message about the header.
pub(super) fn column_list<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "column{} {}",
        if names.len() > 1 { "s" } else { "" },
        names
            .iter()
            .map(|n| format!("`{}`", n.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The result of a file being built: batches, rejections, warnings.
pub(super) struct Output {
    columns: Columns,
    batch_rows: usize,
    source_len: usize,
    result: FileBatches,
}

impl Output {
    /// An empty result; `source_len` (the length of the usual `source`) sizes the builders.
    pub(super) fn new(options: &ImportOptions, source_len: usize) -> Output {
        let batch_rows = options.batch_rows.max(1);
        Output {
            columns: Columns::new(batch_rows, source_len),
            batch_rows,
            source_len,
            result: FileBatches::default(),
        }
    }

    /// Counts a data record read from the file.
    pub(super) fn count_input(&mut self) {
        self.result.input_rows += 1;
    }

    pub(super) fn warn(&mut self, warning: String) {
        self.result.warnings.push(warning);
    }

    /// Warns once about the header's unknown columns, if any.
    pub(super) fn warn_unknown_columns<S: AsRef<str>>(&mut self, unknown: &[S]) {
        if !unknown.is_empty() {
            self.warn(format!("ignoring unknown {}", column_list(unknown)));
        }
    }

    pub(super) fn reject(&mut self, line: u64, reason: String) {
        self.result.rejected_count += 1;
        if self.result.rejected.len() < MAX_REJECTED_SHOWN {
            self.result.rejected.push(Rejected { line, reason });
        }
    }

    /// Appends a row with only `value` (PRSA), from `line`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_value(
        &mut self,
        line: u64,
        time_ms: i64,
        site: &str,
        factor: &str,
        period: Period,
        value: f64,
        source: &str,
    ) {
        let values = [Some(value), None, None, None, None];
        self.push_row(
            line, time_ms, site, factor, period, values, None, None, source,
        );
    }

    /// Appends a full row, from `line`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_row(
        &mut self,
        line: u64,
        time_ms: i64,
        site: &str,
        factor: &str,
        period: Period,
        values: [Option<f64>; 5],
        flag: Option<&str>,
        qc: Option<&str>,
        source: &str,
    ) {
        self.columns
            .push(time_ms, site, factor, period, values, flag, qc, source);
        self.result.lines.push(line);
        self.row_done();
    }

    fn row_done(&mut self) {
        if self.columns.len() >= self.batch_rows {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.columns.len() == 0 {
            return;
        }
        let full = std::mem::replace(
            &mut self.columns,
            Columns::new(self.batch_rows, self.source_len),
        );
        self.result.rows += full.len() as u64;
        self.result.batches.push(full.finish());
    }

    /// The last batch cut and the result.
    pub(super) fn finish(mut self) -> FileBatches {
        self.flush();
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_values_are_quoted_and_shortened() {
        assert_eq!(shown("abc"), "`abc`");
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("`{}…`", "é".repeat(60)));
    }

    #[test]
    fn column_lists() {
        assert_eq!(column_list(&["x"]), "column `x`");
        assert_eq!(column_list(&["a", "b"]), "columns `a`, `b`");
    }
}
