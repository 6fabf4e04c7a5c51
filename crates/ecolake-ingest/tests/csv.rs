//! Long CSV import: times, hour labels, rejections, header errors, gzip, batching.

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, TimestampMillisecondType};
use ecolake_ingest::{
    read_file, FileBatches, FileFormat, HourLabel, ImportError, ImportOptions, Rejected,
    MAX_REJECTED_SHOWN,
};
use ecolake_model::observation::write_schema;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// A cell of the output as text (`None` for null); numbers and times in their natural form.
fn cell(b: &RecordBatch, col: &str, row: usize) -> Option<String> {
    let a = b.column_by_name(col).unwrap();
    if a.is_null(row) {
        return None;
    }
    Some(match col {
        "time" => a
            .as_primitive::<TimestampMillisecondType>()
            .value(row)
            .to_string(),
        "value" | "min" | "max" | "cou" | "zs" => {
            a.as_primitive::<Float64Type>().value(row).to_string()
        }
        _ => a.as_string::<i32>().value(row).to_owned(),
    })
}

/// All values of one column over all batches.
fn column(parsed: &FileBatches, col: &str) -> Vec<Option<String>> {
    parsed
        .batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |i| cell(b, col, i)))
        .collect()
}

fn times(parsed: &FileBatches) -> Vec<i64> {
    column(parsed, "time")
        .into_iter()
        .map(|t| t.unwrap().parse().unwrap())
        .collect()
}

#[test]
fn rfc3339_and_local_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "time,site,factor,period,value\n\
         2024-05-01T08:00:00+08:00,S1,a34004,hour,1\n\
         2024-05-01T00:00:00Z,S1,a34004,hour,2\n\
         2024-05-01 08:00,S1,a34004,hour,3\n\
         2024-05-01 08:00:00,S1,a34004,hour,4\n\
         2024-05-01T08:00:00,S1,a34004,hour,5\n\
         2024-05-01T03:30:00.250-04:30,S1,a34004,rtd,6\n",
    );
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(parsed.rejected, []);
    assert_eq!((parsed.rows, parsed.input_rows), (6, 6));
    let t = ms("2024-05-01T00:00:00Z");
    assert_eq!(
        times(&parsed),
        [t, t, t, t, t, ms("2024-05-01T08:00:00.250Z")]
    );

    // Local times follow the time zone option; RFC 3339 times do not.
    let utc = ImportOptions {
        tz: chrono_tz::UTC,
        ..ImportOptions::default()
    };
    let parsed = read_file(&path, &utc).unwrap();
    let t8 = ms("2024-05-01T08:00:00Z");
    assert_eq!(&times(&parsed)[..5], [t, t, t8, t8, t8]);
}

#[test]
fn hour_label_end_moves_min_hour_and_day_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "time,site,factor,period,value\n\
         2024-05-01 08:00,S1,a34004,hour,1\n\
         2024-05-01 00:00,S1,a34004,day,2\n\
         2024-05-01 08:01,S1,a34004,min,3\n\
         2024-05-01 08:00,S1,a34004,rtd,4\n\
         2024-05-01 00:00,S1,a34004,month,5\n\
         2024-01-01 00:00,S1,a34004,year,6\n\
         2024-05-01T00:00:00Z,S1,a34004,hour,7\n",
    );
    let start = read_file(&path, &ImportOptions::default()).unwrap();
    let end = read_file(
        &path,
        &ImportOptions {
            hour_label: HourLabel::End,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        times(&start),
        [
            ms("2024-05-01T08:00:00+08:00"),
            ms("2024-05-01T00:00:00+08:00"),
            ms("2024-05-01T08:01:00+08:00"),
            ms("2024-05-01T08:00:00+08:00"),
            ms("2024-05-01T00:00:00+08:00"),
            ms("2024-01-01T00:00:00+08:00"),
            ms("2024-05-01T00:00:00Z"),
        ]
    );
    assert_eq!(
        times(&end),
        [
            ms("2024-05-01T07:00:00+08:00"),
            ms("2024-04-30T00:00:00+08:00"),
            ms("2024-05-01T08:00:00+08:00"),
            ms("2024-05-01T08:00:00+08:00"),
            ms("2024-05-01T00:00:00+08:00"),
            ms("2024-01-01T00:00:00+08:00"),
            ms("2024-04-30T23:00:00Z"),
        ]
    );
}

#[test]
fn bad_rows_are_rejected_with_lines_and_good_rows_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "t.csv",
        "time,site,factor,period,value,min,max,flag\n\
         2024-05-01 08:00,S1,a34004,hour,35,30,40,N\n\
         2024-05-01 09:00,S1,a34004,hourly,36,,,N\n\
         2024-05-01 10:00,S1,a34004,hour,abc,,,N\n\
         2024-05-01 11:00,S1,a34004,hour,,x1,,N\n\
         yesterday,S1,a34004,hour,1,,,N\n\
         2024-05-01 13:00,,a34004,hour,1,,,N\n\
         2024-05-01 14:00,S1,a34004,hour,,,,N\n\
         2024-05-01 15:00,S1,a34004,hour,1\n\
         2024-05-01 16:00,S1,a34004,hour,NaN,,,N\n\
         \"2024-05-01 17:00\",\"S1\",\"a34004\",\"hour\",\" 37.5 \",,,\n\
         2024-05-01 25:00,S1,a34004,hour,1,,,N\n\
         \n\
         2024-05-01 18:00,S1,a34004,hour,38,,,\"multi\nline\"\n\
         2024-05-01 19:00,S1,a34004,hour,bad,,,N\n",
    );
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    let reasons: Vec<(u64, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, "column `period`: `hourly` is not a period (rtd, min, hour, day, month, year)"),
            (4, "column `value`: `abc` is not a number"),
            (5, "column `min`: `x1` is not a number"),
            (6, "column `time`: `yesterday` is not a time (RFC 3339, or local yyyy-MM-dd HH:mm[:ss])"),
            (7, "column `site` is empty"),
            (8, "no value: value, min, max, cou and zs are all empty"),
            (9, "the row has 5 fields, the header 8"),
            (10, "column `value`: `NaN` is not a finite number"),
            (12, "column `time`: `2024-05-01 25:00` is not a time (RFC 3339, or local yyyy-MM-dd HH:mm[:ss])"),
            // Line 13 is blank; the record on line 14 spans two lines.
            (16, "column `value`: `bad` is not a number"),
        ]
    );
    assert_eq!(parsed.rejected_count, 10);
    assert_eq!((parsed.rows, parsed.input_rows), (3, 13));
    assert_eq!(
        column(&parsed, "value"),
        [Some("35".into()), Some("37.5".into()), Some("38".into())]
    );
    assert_eq!(column(&parsed, "min"), [Some("30".into()), None, None]);
    assert_eq!(column(&parsed, "max"), [Some("40".into()), None, None]);
    assert_eq!(column(&parsed, "cou"), [None, None, None]);
    assert_eq!(
        column(&parsed, "flag"),
        [Some("N".into()), None, Some("multi\nline".into())]
    );
    assert_eq!(column(&parsed, "qc"), [None, None, None]);
    assert_eq!(
        column(&parsed, "source"),
        vec![Some("import:t.csv".to_owned()); 3]
    );
    assert_eq!(
        times(&parsed),
        [
            ms("2024-05-01T08:00:00+08:00"),
            ms("2024-05-01T17:00:00+08:00"),
            ms("2024-05-01T18:00:00+08:00")
        ]
    );
}

#[test]
fn all_columns_source_and_unknown_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "all.csv",
        "Time,Site,Factor,Period,Value,Min,Max,Cou,Zs,Flag,QC,Source,extra,note\n\
         2024-05-01T00:00:00Z,W1,w01018,day,12.5,10,15,300,13,N,ok,dev-42,x,y\n\
         2024-05-01T00:00:00Z,W1,w01018,day,12.5,,,,,,,,x,y\n",
    );
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(
        parsed.warnings,
        ["ignoring unknown columns `extra`, `note`"]
    );
    assert_eq!(parsed.rows, 2);
    let b = &parsed.batches[0];
    assert_eq!(b.schema(), write_schema());
    let row0: Vec<Option<String>> = write_schema()
        .fields()
        .iter()
        .map(|f| cell(b, f.name(), 0))
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        row0,
        [
            Some(ms("2024-05-01T00:00:00Z").to_string()),
            s("W1"),
            s("w01018"),
            s("day"),
            s("12.5"),
            s("10"),
            s("15"),
            s("300"),
            s("13"),
            s("N"),
            s("ok"),
            s("dev-42"),
        ]
    );
    assert_eq!(cell(b, "source", 1), s("import:all.csv"));
    assert_eq!(cell(b, "flag", 1), None);
}

#[test]
fn header_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opts = ImportOptions::default();
    let err = |path: PathBuf| read_file(&path, &opts).unwrap_err();

    let e = err(write(
        d,
        "a.csv",
        "time,site,period,value\n2024-05-01 00:00,S,hour,1\n",
    ));
    assert!(matches!(&e, ImportError::Header { .. }), "{e}");
    assert!(e.to_string().contains("a.csv"), "{e}");
    assert!(
        e.to_string().contains("missing required column `factor`"),
        "{e}"
    );

    let e = err(write(d, "b.csv", "time,site,factor,period,flag\n"));
    assert!(e.to_string().contains("no value column"), "{e}");

    let e = err(write(d, "c.csv", ""));
    assert!(e.to_string().contains("no header row"), "{e}");

    let e = err(write(d, "d.csv", "time,site,factor,period,value,value\n"));
    assert!(e.to_string().contains("`value` appears twice"), "{e}");

    let e = err(d.join("missing.csv"));
    assert!(matches!(&e, ImportError::Open { .. }), "{e}");
    assert_eq!(e.path(), Some(d.join("missing.csv").as_path()));

    let e = err(write(d, "e.txt", "time,site,factor,period,value\n"));
    assert!(matches!(&e, ImportError::UnknownFormat { .. }), "{e}");
    // The format can be forced.
    let forced = ImportOptions {
        format: Some(FileFormat::Csv),
        ..ImportOptions::default()
    };
    let ok = read_file(&d.join("e.txt"), &forced).unwrap();
    assert_eq!((ok.rows, ok.input_rows), (0, 0));
    assert!(ok.batches.is_empty());
}

#[test]
fn gzip_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(
        b"time,site,factor,period,value\n\
          2024-05-01 08:00,S1,a34004,hour,1\n\
          2024-05-01 09:00,S1,a34004,hour,x\n\
          2024-05-01 10:00,S1,a34004,hour,3\n",
    )
    .unwrap();
    gz.finish().unwrap();
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(parsed.rows, 2);
    assert_eq!(
        parsed.rejected,
        [Rejected {
            line: 3,
            reason: "column `value`: `x` is not a number".into()
        }]
    );
    assert_eq!(
        column(&parsed, "source")[0].as_deref(),
        Some("import:t.csv.gz")
    );

    // A corrupt gzip stream is an error for the file, naming it.
    let bad = dir.path().join("bad.csv.gz");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_file(&bad, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("bad.csv.gz"), "{e}");
}

#[test]
fn rejected_list_is_capped_but_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,site,factor,period,value\n");
    for i in 0..250 {
        text.push_str(&format!("2024-05-01 08:00,S{i},a34004,weekly,1\n"));
        if i % 50 == 0 {
            text.push_str("2024-05-01 08:00,S1,a34004,hour,1\n");
        }
    }
    let path = write(dir.path(), "many.csv", &text);
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(parsed.rows, 5);
    assert_eq!(parsed.rejected_count, 250);
    assert_eq!(parsed.rejected.len(), MAX_REJECTED_SHOWN);
    assert_eq!(MAX_REJECTED_SHOWN, 100);
    // Line 2 is S0, line 3 the good row after it, then S1 on line 4 …
    assert_eq!(parsed.rejected[0].line, 2);
    assert_eq!(parsed.rejected[1].line, 4);
    assert_eq!(parsed.rejected[99].line, 2 + 99 + 2);
    assert!(parsed.rejected[0].reason.contains("`weekly`"));
}

#[test]
fn batches_have_at_most_batch_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,site,factor,period,value\n");
    for h in 0..10 {
        text.push_str(&format!("2024-05-01 {h:02}:00,S1,a34004,hour,{h}\n"));
    }
    let path = write(dir.path(), "b.csv", &text);
    let parsed = read_file(
        &path,
        &ImportOptions {
            batch_rows: 3,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let sizes: Vec<usize> = parsed.batches.iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(parsed.rows, 10);
    let values: Vec<String> = column(&parsed, "value").into_iter().flatten().collect();
    assert_eq!(values, (0..10).map(|h| h.to_string()).collect::<Vec<_>>());
}

#[test]
fn daylight_saving_in_other_zones() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "ny.csv",
        "time,site,factor,period,value\n\
         2024-03-10 01:30,S1,a01001,hour,1\n\
         2024-03-10 02:30,S1,a01001,hour,2\n\
         2024-11-03 01:30,S1,a01001,hour,3\n",
    );
    let parsed = read_file(
        &path,
        &ImportOptions {
            tz: chrono_tz::America::New_York,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        times(&parsed),
        [
            ms("2024-03-10T01:30:00-05:00"),
            ms("2024-11-03T01:30:00-04:00")
        ]
    );
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].line, 3);
    assert!(parsed.rejected[0]
        .reason
        .contains("does not exist in America/New_York"));
}
