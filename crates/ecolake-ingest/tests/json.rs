//! JSON observations (array or NDJSON), as files and as request bodies.

use ecolake_ingest::{read_body, read_file, FileFormat, ImportOptions};

#[test]
fn ndjson_rejects_bad_lines_on_their_own() {
    let body = concat!(
        r#"{"time": "2025-03-01 12:00:00", "site": "S1", "factor": "a34004", "period": "hour", "value": 35, "extra": 1}"#,
        "\n\n",
        "{not json}\n",
        r#"{"time": 1740801600000, "site": "S1", "factor": "a21026", "period": "hour", "min": "4.5", "max": 9}"#,
        "\n",
        r#"{"time": true, "site": "S1", "factor": "a21026", "period": "hour", "value": 1}"#,
        "\n",
        r#"{"time": 1740801600000, "site": ["S1"], "factor": "a21026", "period": "hour", "value": 1}"#,
        "\n",
        r#"[1]"#,
        "\n",
    );
    let parsed = read_body(
        "b",
        body.as_bytes(),
        FileFormat::Json,
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (parsed.input_rows, parsed.rows, parsed.rejected_count),
        (6, 2, 4)
    );
    let reasons: Vec<(u64, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(reasons[0].0, 3);
    assert!(
        reasons[0].1.starts_with("not JSON: key must be a string"),
        "{reasons:?}"
    );
    assert_eq!(
        &reasons[1..],
        [
            (5, "column `time`: expected text or a number, got true"),
            (6, "column `site`: expected text, got [\"S1\"]"),
            (7, "not a JSON object"),
        ]
    );
    assert_eq!(parsed.warnings, ["ignoring unknown column `extra`"]);
    assert_eq!(parsed.lines, [1, 4]);
}

#[test]
fn json_files_are_detected_and_read_like_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("obs.json");
    std::fs::write(
        &path,
        r#"[{"time": "2025-03-01T12:00:00+08:00", "site": "S1", "factor": "a34004", "period": "hour", "value": 35}]"#,
    )
    .unwrap();
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(parsed.rows, 1);
    let source = parsed.batches[0].column_by_name("source").unwrap();
    let text = arrow::util::display::array_value_to_string(source, 0).unwrap();
    assert_eq!(text, "import:obs.json");
    // An array that is not valid JSON is unusable as a whole.
    std::fs::write(&path, "[{").unwrap();
    let e = read_file(&path, &ImportOptions::default()).unwrap_err();
    assert!(
        e.to_string().contains("not a JSON array of observations"),
        "{e}"
    );
}
