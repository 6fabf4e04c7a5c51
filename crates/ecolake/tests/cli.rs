//! The command line, end to end: the real binary, real stdin and stdout, real files.
//! Snapshots (insta) pin the JSON contract of `hj212 decode` (`encode` must invert it) and the
//! output formats of `sql`; `import` is checked by what it reports and what `sql` then reads.

mod binary;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use serde_json::Value;

use binary::{ecolake_in, path_str, sql_csv, stderr, success, workspace};

fn corpus() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/hj212/corpus.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn message(id: &str) -> Vec<u8> {
    let case = corpus()
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id}"));
    case["message"].as_str().unwrap().as_bytes().to_vec()
}

fn ecolake(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecolake"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

/// A stream a TCP server could receive: modem noise, good packets, bad ones, a 2005 packet,
/// a packet split across what would be two reads, and a truncated tail.
fn mixed_stream() -> Vec<u8> {
    let mut s = b"\0\0AT+CIPSEND=128\r\n".to_vec();
    for id in [
        "std-A-1062-example",
        "c-bad-crc",
        "c-all-data-flags",
        "c-length-too-small",
        "h2005-2051-minute",
        "c-duplicate-header",
        "std-C49-split-pno1",
        "std-C49-split-pno2",
        "c-multichar-flag",
        "repo-tonyxia-modbus-le-crc",
        "c-space-in-header",
        "std-C2-1011-space-after-cp",
    ] {
        s.extend_from_slice(&message(id));
    }
    s.extend_from_slice(b"garbage##xx\r\n");
    s.extend_from_slice(&message("c-truncated-mid-cp"));
    s
}

fn lines(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("every line is one JSON object");
        assert!(v["ok"].is_boolean() && v["offset"].is_u64(), "{line}");
    }
    text
}

#[test]
fn decode_strict() {
    let out = ecolake(&["hj212", "decode"], &mixed_stream());
    insta::assert_snapshot!(lines(&out));
}

#[test]
fn decode_lenient() {
    let out = ecolake(&["hj212", "decode", "--lenient"], &mixed_stream());
    insta::assert_snapshot!(lines(&out));
}

#[test]
fn decode_with_a_device_profile() {
    // The live device that writes CRC-16/MODBUS low byte first.
    let input = message("repo-tonyxia-modbus-le-crc");
    let strict = ecolake(&["hj212", "decode"], &input);
    let v: Value = serde_json::from_str(lines(&strict).trim()).unwrap();
    assert_eq!(v["error"], "crc_mismatch");
    assert_eq!(v["crc_dialect_match"], "modbus-le");
    let profiled = ecolake(&["hj212", "decode", "--crc", "modbus-le"], &input);
    let v: Value = serde_json::from_str(lines(&profiled).trim()).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 31);
}

#[test]
fn decode_reads_a_file_argument() {
    let dir = std::env::temp_dir().join(format!("ecolake-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("capture.bin");
    std::fs::write(&path, message("std-C5-1061-empty-cp")).unwrap();
    let out = ecolake(&["hj212", "decode", path.to_str().unwrap()], b"");
    let v: Value = serde_json::from_str(lines(&out).trim()).unwrap();
    assert_eq!(
        (v["cn"].as_str(), v["cp_empty"].as_bool()),
        (Some("1061"), Some(true))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn encode_inverts_decode() {
    let canonical: Vec<u8> = [
        "std-A-1062-example",
        "c-all-data-flags",
        "h2005-2051-minute",
        "std-C49-split-pno1",
        "repo-zblzbl-st80-power",
        "std-C46-3021-set-param",
    ]
    .iter()
    .flat_map(|id| message(id))
    .collect();
    let decoded = ecolake(&["hj212", "decode"], &canonical);
    let json = lines(&decoded);
    let encoded = ecolake(&["hj212", "encode"], json.as_bytes());
    assert!(
        encoded.status.success(),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&encoded.stdout),
        String::from_utf8_lossy(&canonical)
    );
    // decode → encode → decode is the identity on the JSON too.
    let again = ecolake(&["hj212", "decode"], &encoded.stdout);
    assert_eq!(lines(&again), json);
}

#[test]
fn encode_reports_bad_lines_and_keeps_the_good_ones() {
    let good = lines(&ecolake(
        &["hj212", "decode"],
        &message("std-C5-1061-empty-cp"),
    ));
    let input = format!(
        "{good}not json\n{{\"ok\":false,\"error\":\"garbage\",\"offset\":0,\"bytes\":3}}\n{{\"st\":\"32\",\"cn\":\"2011\",\"mn\":\"M1\",\"params\":[[\"A\",\"x;y\"]]}}\n{good}"
    );
    let out = ecolake(&["hj212", "encode"], input.as_bytes());
    assert!(
        !out.status.success(),
        "a bad line makes the exit status non-zero"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2:"), "{stderr}");
    assert!(
        stderr.contains("line 4:") && stderr.contains("reserves"),
        "{stderr}"
    );
    assert!(stderr.contains("skipped 1 error record"), "{stderr}");
    let expected = [
        message("std-C5-1061-empty-cp"),
        message("std-C5-1061-empty-cp"),
    ]
    .concat();
    assert_eq!(out.stdout, expected, "both good lines are encoded");
}

#[test]
fn encode_splits_long_packets_when_asked() {
    let mut items = Vec::new();
    for i in 0..40 {
        items.push(serde_json::json!({"code": format!("a{:05}", i), "field": "Rtd", "value": "12.345", "flag": "N"}));
    }
    let packet = serde_json::json!({
        "qn": "20250301120000123", "st": "31", "cn": "2011", "pw": "123456",
        "mn": "0123456789ABCDEF01234567", "flag": 5, "datatime": "20250301120000", "items": items,
    });
    let line = format!("{packet}\n");
    let refused = ecolake(&["hj212", "encode"], line.as_bytes());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("split"));
    let split = ecolake(&["hj212", "encode", "--split"], line.as_bytes());
    assert!(split.status.success());
    let decoded = lines(&ecolake(&["hj212", "decode"], &split.stdout));
    let parts: Vec<Value> = decoded
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(parts.len() >= 2);
    let total: usize = parts
        .iter()
        .map(|p| p["items"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 40);
    for (i, p) in parts.iter().enumerate() {
        assert_eq!(p["ok"], true);
        assert_eq!(p["pno"], i + 1);
        assert_eq!(p["pnum"], parts.len());
        assert_eq!(p["flag"], 7, "version 1, D and A");
    }
}

#[test]
fn bad_options_are_refused_clearly() {
    let out = ecolake(&["hj212", "decode", "--crc", "crc32"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown CRC dialect 'crc32'"));
}

// ---- `ecolake import` and `ecolake sql` ----

const GOOD_AND_BAD: &str = "\
time,site,factor,period,value,flag
2024-05-01T08:00:00+08:00,1001A,a34004,hour,35.5,N
2024-05-01T09:00:00+08:00,1001A,a34004,hour,41,N
2024-05-01T10:00:00+08:00,,a34004,hour,12,N
2024-05-01T11:00:00+08:00,1001A,a34004,hour,NaN,N
2024-05-01T12:00:00+08:00,1001A,a34004,hour,-inf,N
1900-01-01T00:00:00Z,1001A,a34004,hour,7,N
2024-05-01T13:00:00+08:00,1001A,a21026,hour,9.25,N
";

#[test]
fn import_keeps_good_rows_and_reports_each_bad_one_with_its_reason() {
    let ws = workspace(&[("obs.csv", GOOD_AND_BAD)]);
    let data = ws.path().join("data");
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "obs.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("obs.csv: 3 rows accepted, 4 rejected"),
        "{report}"
    );
    for reason in [
        "line 4: column `site` is empty",
        "line 5: column `value`: `NaN` is not a finite number",
        "line 6: column `value`: `-inf` is not a finite number",
    ] {
        assert!(report.contains(reason), "missing `{reason}` in:\n{report}");
    }
    // The store refuses a time before 1950 (the CSV reader takes any valid date).
    assert!(
        report
            .lines()
            .any(|l| l.contains("1900-01-01") && l.contains("outside 1950-01-01")),
        "{report}"
    );
    assert!(
        report.contains("(4 rejected)") && report.contains("imported 3 rows into"),
        "{report}"
    );
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT time, site, factor, value FROM observations ORDER BY time"
        ),
        "time,site,factor,value\n\
         2024-05-01T00:00:00Z,1001A,a34004,35.5\n\
         2024-05-01T01:00:00Z,1001A,a34004,41.0\n\
         2024-05-01T05:00:00Z,1001A,a21026,9.25\n"
    );
}

#[test]
fn import_lists_the_first_hundred_rejections_and_counts_the_rest() {
    let mut csv = String::from("time,site,factor,period,value\n");
    for i in 0..120 {
        csv.push_str(&format!("2024-05-01 08:{:02}:00,,a34004,min,{i}\n", i % 60));
    }
    for _ in 0..5 {
        csv.push_str("1949-12-31 23:00:00,S1,a34004,hour,1\n");
    }
    csv.push_str("2024-05-01 08:00:00,S1,a34004,hour,1\n");
    let ws = workspace(&[("many.csv", &csv)]);
    let data = ws.path().join("data");
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "many.csv"],
    );
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("many.csv: 1 rows accepted, 125 rejected"),
        "{report}"
    );
    let listed = report.lines().filter(|l| l.starts_with("  ")).count();
    // 100 reasons and the line saying how many more there are.
    assert_eq!(listed, 101, "{report}");
    assert!(
        report.contains("line 2: column `site` is empty"),
        "{report}"
    );
    assert!(
        report.contains("line 101: column `site` is empty"),
        "{report}"
    );
    assert!(!report.contains("line 102:"), "{report}");
    assert!(report.contains("… and 25 more"), "{report}");
}

#[test]
fn import_fails_when_nothing_is_accepted() {
    let ws = workspace(&[(
        "bad.csv",
        "time,site,factor,period,value\n\
         2024-05-01 08:00:00,,a34004,hour,1\n\
         2024-05-01 09:00:00,S1,a34004,hour,nan\n\
         2024-05-01 10:00:00,S1,a34004,fortnight,1\n",
    )]);
    let data = ws.path().join("data");
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "bad.csv"],
    );
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("bad.csv: 0 rows accepted, 3 rejected"),
        "{report}"
    );
    assert!(report.contains("`fortnight` is not a period"), "{report}");
    // A file that cannot be read at all accepts nothing either.
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "missing.csv"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.csv"), "{}", stderr(&out));
}

#[test]
fn import_into_a_new_relative_data_directory() {
    // The README's `ecolake import --data-dir data …`: a directory to create, named relative
    // to the working directory.
    let ws = workspace(&[("obs.csv", GOOD_AND_BAD)]);
    let out = ecolake_in(ws.path(), &["import", "--data-dir", "data", "obs.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = ecolake_in(
        ws.path(),
        &[
            "sql",
            "--data-dir",
            "data",
            "--format",
            "csv",
            "SELECT count(*) AS n FROM observations",
        ],
    );
    assert_eq!(success(&out), "n\n3\n");
}

#[test]
fn import_resolves_local_times_in_the_zone_and_moves_end_labels_to_the_start() {
    // New York is UTC-5 in January. Labels mark the end of the period: the hour labelled
    // 16:00 starts at 15:00 local (20:00Z), the day labelled 16 January is 15 January, the
    // minute labelled 16:01 starts at 16:00; real-time values are instants, not periods, and
    // times with an offset are instants moved back by the period.
    let ws = workspace(&[(
        "local.csv",
        "time,site,factor,period,value\n\
         2024-01-15 16:00:00,S1,a34004,hour,1\n\
         2024-01-16 00:00:00,S1,a34004,day,2\n\
         2024-01-15 16:01:00,S1,a34004,min,3\n\
         2024-01-15 16:00:00,S1,a34004,rtd,4\n\
         2024-01-15T16:00:00Z,S2,a34004,hour,5\n",
    )]);
    let data = ws.path().join("data");
    let out = ecolake_in(
        ws.path(),
        &[
            "import",
            "--data-dir",
            path_str(&data),
            "--tz",
            "America/New_York",
            "--hour-label",
            "end",
            "local.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("5 rows accepted, 0 rejected"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT time, site, period, value FROM observations ORDER BY value"
        ),
        "time,site,period,value\n\
         2024-01-15T20:00:00Z,S1,hour,1.0\n\
         2024-01-15T05:00:00Z,S1,day,2.0\n\
         2024-01-15T21:00:00Z,S1,min,3.0\n\
         2024-01-15T21:00:00Z,S1,rtd,4.0\n\
         2024-01-15T15:00:00Z,S2,hour,5.0\n"
    );
    // The default zone is Asia/Shanghai (UTC+8) and labels are period starts.
    let data2 = ws.path().join("data2");
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data2), "local.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        sql_csv(
            ws.path(),
            &data2,
            "SELECT time FROM observations WHERE value = 1"
        ),
        "time\n2024-01-15T08:00:00Z\n"
    );
    // An unknown zone is refused before anything is read.
    let out = ecolake_in(
        ws.path(),
        &[
            "import",
            "--data-dir",
            path_str(&data2),
            "--tz",
            "Mars/Olympus",
            "local.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Mars/Olympus"), "{}", stderr(&out));
}

/// Every lake file of a data directory.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn import_reads_parquet() {
    // The lake's own files are Parquet with the observation columns: import them elsewhere.
    let ws = workspace(&[("obs.csv", GOOD_AND_BAD)]);
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&a), "obs.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let files = parquet_files(&a.join("lake"));
    assert!(!files.is_empty(), "import flushes to Parquet on close");
    let mut args = vec!["import", "--data-dir", path_str(&b)];
    args.extend(files.iter().map(|f| path_str(f)));
    let out = ecolake_in(ws.path(), &args);
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let accepted: u64 = report
        .lines()
        .filter_map(|l| l.split(" rows accepted").next()?.rsplit(": ").next())
        .filter_map(|n| n.parse::<u64>().ok())
        .sum();
    assert_eq!(accepted, 3, "{report}");
    let query = "SELECT time, site, factor, period, value, flag, source FROM observations \
                 ORDER BY time";
    let copied = sql_csv(ws.path(), &b, query);
    assert_eq!(copied, sql_csv(ws.path(), &a, query));
    assert!(copied.contains("2024-05-01T05:00:00Z,1001A,a21026,hour,9.25,N,import:obs.csv"));
    // A CSV file given as Parquet is an error naming the file, not a crash.
    let out = ecolake_in(
        ws.path(),
        &[
            "import",
            "--data-dir",
            path_str(&b),
            "--format",
            "parquet",
            "obs.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("obs.csv"), "{}", stderr(&out));
}

/// A small lake for the output formats: nulls, several periods, a text with a comma.
fn formats_lake() -> (tempfile::TempDir, PathBuf) {
    let ws = workspace(&[(
        "f.csv",
        "time,site,factor,period,value,min,max,flag,qc\n\
         2024-05-01T00:00:00Z,1001A,a34004,hour,35.5,30,41,N,\n\
         2024-05-01T01:00:00Z,1001A,a34004,hour,,12.25,13,D,\"ok, checked\"\n\
         2024-05-01T00:00:00Z,1002A,a21026,day,9,,,,\n",
    )]);
    let data = ws.path().join("data");
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "f.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (ws, data)
}

const FORMATS_QUERY: &str = "SELECT time, site, factor, period, value, min, max, flag, qc \
                             FROM observations ORDER BY site, time";

#[test]
fn sql_table_format() {
    let (ws, data) = formats_lake();
    let out = ecolake_in(
        ws.path(),
        &["sql", "--data-dir", path_str(&data), FORMATS_QUERY],
    );
    insta::assert_snapshot!(success(&out));
}

#[test]
fn sql_csv_format() {
    let (ws, data) = formats_lake();
    insta::assert_snapshot!(sql_csv(ws.path(), &data, FORMATS_QUERY));
}

#[test]
fn sql_json_format() {
    let (ws, data) = formats_lake();
    let out = ecolake_in(
        ws.path(),
        &[
            "sql",
            "--data-dir",
            path_str(&data),
            "--format",
            "json",
            FORMATS_QUERY,
        ],
    );
    let text = success(&out);
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["qc"], "ok, checked");
    assert_eq!(rows[1]["min"], 12.25);
    insta::assert_snapshot!(text);
}

#[test]
fn sql_refuses_ddl_dml_and_settings() {
    let (ws, data) = formats_lake();
    let before = sql_csv(ws.path(), &data, FORMATS_QUERY);
    let target = ws.path().join("copied.csv");
    let copy = format!("COPY observations TO '{}'", target.display());
    for (statement, says) in [
        ("CREATE TABLE t (a INT)", "DDL not supported"),
        ("CREATE VIEW v AS SELECT 1", "DDL not supported"),
        ("DROP TABLE observations", "DDL not supported"),
        (
            "INSERT INTO observations (site) VALUES ('x')",
            "DML not supported",
        ),
        ("DELETE FROM observations", "DML not supported"),
        (copy.as_str(), "DML not supported"),
        (
            "SET datafusion.execution.batch_size = 1",
            "Statement not supported",
        ),
    ] {
        let out = ecolake_in(
            ws.path(),
            &["sql", "--data-dir", path_str(&data), statement],
        );
        assert_eq!(out.status.code(), Some(1), "{statement}");
        assert!(out.stdout.is_empty(), "{statement}");
        let e = stderr(&out);
        assert!(
            e.starts_with("ecolake: ") && e.contains(says),
            "{statement}: {e}"
        );
    }
    assert!(!target.exists(), "COPY wrote a file");
    assert_eq!(sql_csv(ws.path(), &data, FORMATS_QUERY), before);
}

/// A batch in the write schema: (site, hour of 2024-05-01, value) rows of PM2.5.
fn hourly(rows: &[(&str, i64, f64)]) -> RecordBatch {
    const MAY_1: i64 = 1_714_521_600_000;
    let time: Vec<i64> = rows.iter().map(|r| MAY_1 + r.1 * 3_600_000).collect();
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
        ),
        (
            "site",
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))) as ArrayRef,
        ),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"; rows.len()])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["hour"; rows.len()])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))) as ArrayRef,
        ),
    ])
    .unwrap()
}

#[test]
fn a_second_writer_is_refused_and_sql_sees_the_first_writers_unflushed_rows() {
    let ws = workspace(&[("obs.csv", GOOD_AND_BAD)]);
    let data = ws.path().join("data");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // This process holds the write lock, with rows in the lake and rows only in its WAL.
    let store = rt.block_on(async {
        let config = ecolake_store::StoreConfig::default();
        let store = ecolake_store::Store::open_as(&data, config, "test-holder")
            .await
            .unwrap();
        store
            .write(&hourly(&[("S1", 0, 1.0), ("S1", 1, 2.0)]))
            .await
            .unwrap();
        store.flush().await.unwrap();
        // A new version of (S1, hour 1) and a new key, acknowledged but not flushed.
        store
            .write(&hourly(&[("S1", 1, 20.0), ("S2", 0, 3.0)]))
            .await
            .unwrap();
        store
    });

    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "obs.csv"],
    );
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        e.contains("locked by another writer")
            && e.contains(&format!("test-holder (pid {})", std::process::id())),
        "{e}"
    );

    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT site, time, value FROM observations ORDER BY site, time"
        ),
        "site,time,value\n\
         S1,2024-05-01T00:00:00Z,1.0\n\
         S1,2024-05-01T01:00:00Z,20.0\n\
         S2,2024-05-01T00:00:00Z,3.0\n"
    );
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT count(*) AS versions FROM observations_history"
        ),
        "versions\n4\n"
    );

    rt.block_on(store.close()).unwrap();
    // Once the lock is free, the import runs.
    let out = ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "obs.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        sql_csv(ws.path(), &data, "SELECT count(*) AS n FROM observations"),
        "n\n6\n"
    );
}
