//! The CSV filter shared by `ecolake aqi` and `ecolake water-class`: reads a CSV with a header
//! row by row (streaming: one record in memory at a time) from a file or stdin, writes every
//! row to stdout unchanged with computed cells appended, and reports rows it cannot evaluate
//! on stderr by line number, giving them empty appended cells.
//!
//! * A row whose number of fields differs from the header's is reported and not written.
//! * Exit status: 0 when the input was read to the end, also when some rows were bad (each is
//!   reported, then a count); with `--strict`, [`BAD_ROWS_EXIT`] when some row was bad (the
//!   output is still complete). 1 for an input that cannot be read or has an unusable header.
//! * A closed stdout (`… | head`) ends the command quietly with status 0.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use csv::ByteRecord;

use crate::cmd::report;

/// Bad rows reported one by one; the rest are only counted.
const SHOWN: u64 = 100;

/// The exit status under `--strict` when some row had a bad cell or a wrong number of fields.
pub const BAD_ROWS_EXIT: u8 = 3;

/// What a filter computes from each row.
pub trait Rows {
    /// Appends the computed cells of `row` to `out` (one per appended column), or says why the
    /// row cannot be evaluated, naming the column(s).
    fn compute(&mut self, row: &ByteRecord, out: &mut ByteRecord) -> Result<(), String>;
}

/// The input as named in messages: the path, or `stdin`.
fn input_name(file: Option<&Path>) -> String {
    match file {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "stdin".to_owned(),
    }
}

/// The header's names: trimmed, without a UTF-8 byte-order mark (lossy for non-UTF-8 bytes).
fn names(header: &ByteRecord) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let raw = if i == 0 {
                raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw)
            } else {
                raw
            };
            String::from_utf8_lossy(raw).trim().to_owned()
        })
        .collect()
}

/// Shows a cell in a message: at most 40 characters, in backquotes.
pub fn shown(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("`{head}…`")
    } else {
        format!("`{head}`")
    }
}

/// A cell's number: `None` when the cell is empty (or blank), else a finite, non-negative
/// number, or why not (naming `column`).
pub fn number(raw: &[u8], column: &str) -> Result<Option<f64>, String> {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!(
            "column `{column}`: {} is not a finite number",
            shown(text)
        )),
        Ok(v) if v < 0.0 => Err(format!("column `{column}`: {text} is negative")),
        Ok(v) => Ok(Some(v)),
        Err(_) => Err(format!(
            "column `{column}`: {} is not a number",
            shown(text)
        )),
    }
}

/// Runs a filter over `file` (`None` or `-`: stdin). `setup` gets the header's names and
/// returns the appended column names and the row function.
pub fn run<R: Rows>(
    file: Option<&Path>,
    strict: bool,
    setup: impl FnOnce(&[String]) -> anyhow::Result<(Vec<String>, R)>,
) -> anyhow::Result<ExitCode> {
    let name = input_name(file);
    let input: Box<dyn Read> = match file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(File::open(p).with_context(|| format!("opening {name}"))?)
        }
        _ => Box::new(io::stdin().lock()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .with_context(|| format!("reading {name}"))?
        .clone();
    if header.is_empty() {
        anyhow::bail!("{name}: no header (the input is empty)");
    }
    let (appended, mut rows) = setup(&names(&header)).with_context(|| name.clone())?;
    let mut writer = csv::Writer::from_writer(io::stdout().lock());
    let mut out_header = header.clone();
    for a in &appended {
        out_header.push_field(a.as_bytes());
    }
    let mut done = || -> Result<(u64, u64), Fail> {
        writer.write_byte_record(&out_header)?;
        let (mut total, mut bad) = (0u64, 0u64);
        let mut record = ByteRecord::new();
        let mut out = ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Fail::Input(e)),
            }
            total += 1;
            let line = record.position().map_or(0, |p| p.line());
            let mut problem = None;
            if record.len() != header.len() {
                problem = Some(format!(
                    "{} fields, the header has {}: row left out",
                    record.len(),
                    header.len()
                ));
            } else {
                out.clear();
                for field in &record {
                    out.push_field(field);
                }
                if let Err(reason) = rows.compute(&record, &mut out) {
                    out.truncate(record.len());
                    for _ in &appended {
                        out.push_field(b"");
                    }
                    problem = Some(reason);
                }
                writer.write_byte_record(&out)?;
            }
            if let Some(reason) = problem {
                bad += 1;
                if bad <= SHOWN {
                    report(format_args!("{name}: line {line}: {reason}"));
                }
            }
        }
        writer.flush().map_err(csv::Error::from)?;
        Ok((total, bad))
    };
    let (total, bad) = match done() {
        Ok(counts) => counts,
        Err(Fail::Output(e)) if is_broken_pipe(&e) => return Ok(ExitCode::SUCCESS),
        Err(Fail::Output(e)) => return Err(e).context("writing stdout"),
        Err(Fail::Input(e)) => return Err(e).with_context(|| format!("reading {name}")),
    };
    if bad > 0 {
        if bad > SHOWN {
            report(format_args!("{name}: … and {} more bad rows", bad - SHOWN));
        }
        report(format_args!("{name}: {total} rows, {bad} bad"));
        if strict {
            return Ok(ExitCode::from(BAD_ROWS_EXIT));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Why a run stopped: the input could not be read, or stdout not written.
enum Fail {
    Input(csv::Error),
    Output(csv::Error),
}

impl From<csv::Error> for Fail {
    fn from(e: csv::Error) -> Self {
        Fail::Output(e)
    }
}

fn is_broken_pipe(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(err) if err.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(number(b"", "pm25"), Ok(None));
        assert_eq!(number(b"  ", "pm25"), Ok(None));
        assert_eq!(number(b" 36 ", "pm25"), Ok(Some(36.0)));
        assert_eq!(number(b"-0", "pm25"), Ok(Some(0.0)));
        assert_eq!(
            number(b"-3", "pm25"),
            Err("column `pm25`: -3 is negative".to_owned())
        );
        assert_eq!(
            number(b"abc", "so2"),
            Err("column `so2`: `abc` is not a number".to_owned())
        );
        assert_eq!(
            number(b"NaN", "so2"),
            Err("column `so2`: `NaN` is not a finite number".to_owned())
        );
        assert!(number(b"inf", "so2").is_err());
    }

    #[test]
    fn header_names_lose_the_bom_and_blanks() {
        let header = ByteRecord::from(vec!["\u{feff}site", " pm25 "]);
        assert_eq!(names(&header), ["site", "pm25"]);
    }
}
