//! The `ecolake hj212` command line, end to end: the real binary, real stdin and stdout.
//! Snapshots (insta) pin the JSON contract of `decode`; `encode` must invert it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

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
