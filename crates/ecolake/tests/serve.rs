//! `ecolake serve` end to end: the real binary on free ports, devices registered through the
//! CLI, the simulator as the HJ 212 client, `ecolake sql` as the judge.

mod binary;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use binary::server::Server;
use binary::{ecolake_in, path_str, simulate, sql_csv, stderr, success, workspace};

/// Sites `SIMSITE1` … `SIMSITEn`.
fn sites_csv(n: usize) -> String {
    let mut out = String::from("code,name,medium,lon,lat\n");
    for i in 1..=n {
        out.push_str(&format!("SIMSITE{i},模拟站{i},air,116.{i},39.9\n"));
    }
    out
}

/// Devices `SIM…1` … `SIM…n`, each at its own site (the simulated devices of one run report
/// the same times, so two at one site would write the same keys).
fn devices_csv(n: usize) -> String {
    let mut out = String::from("mn,password,site\n");
    for i in 1..=n {
        out.push_str(&format!("{},123456,SIMSITE{i}\n", mn(i)));
    }
    out
}

fn mn(i: usize) -> String {
    format!("SIM{i:021}")
}

/// Runs the simulator as two unknown devices (`BAD…`) and as one registered device with a
/// wrong password: (the unknown devices' summary and output, the wrong password's summary).
fn refused_runs(cwd: &Path, target: &str) -> (serde_json::Value, Output, serde_json::Value) {
    let (bad, out) = short_run(cwd, target, "BAD");
    let (wrong, _) = simulate(
        cwd,
        target,
        &[
            "--devices",
            "1",
            "--rate",
            "10",
            "--duration",
            "0.3",
            "--password",
            "guess",
        ],
    );
    (bad, out, wrong)
}

/// Half a second of two simulated devices `PREFIX…1`, `PREFIX…2` (about ten packets).
fn short_run(cwd: &Path, target: &str, prefix: &str) -> (serde_json::Value, Output) {
    simulate(
        cwd,
        target,
        &[
            "--devices",
            "2",
            "--rate",
            "20",
            "--duration",
            "0.5",
            "--mn-prefix",
            prefix,
        ],
    )
}

fn register_sim(cwd: &Path, data: &Path, devices: usize) {
    binary::register(cwd, data, &sites_csv(devices), &devices_csv(devices));
}

/// The (source, UTC ms) of every row key in `observations`, with its row count.
fn stored_keys(cwd: &Path, data: &Path) -> Vec<(String, i64, u64)> {
    let csv = sql_csv(
        cwd,
        data,
        "SELECT source, CAST(time AS BIGINT) AS t, count(*) AS n FROM observations \
         GROUP BY source, time ORDER BY source, t",
    );
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

/// The acknowledged (MN, UTC ms) of a simulator's `--acked-log`.
fn acked_keys(path: &Path) -> BTreeSet<(String, i64)> {
    use chrono::TimeZone;
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let (mn, t) = l.split_once(',').unwrap();
            let naive = chrono::NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S").unwrap();
            let utc = chrono_tz::Asia::Shanghai
                .from_local_datetime(&naive)
                .unwrap()
                .timestamp_millis();
            (mn.to_owned(), utc)
        })
        .collect()
}

/// The two sets are equal; else the first few differences.
fn assert_same(stored: &BTreeSet<(String, i64)>, acked: &BTreeSet<(String, i64)>) {
    let extra: Vec<_> = stored.difference(acked).take(5).collect();
    let missing: Vec<_> = acked.difference(stored).take(5).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "stored but not acked: {extra:?}; acked but not stored: {missing:?}"
    );
}

#[test]
fn devices_upload_and_every_acked_packet_is_stored_once() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    register_sim(cwd, &data, 4);
    let server = Server::start(cwd, &data, &[]);
    assert!(server.get("/health").starts_with("HTTP/1.1 200"));

    let log = cwd.join("acked.csv");
    let (summary, out) = simulate(
        cwd,
        &server.hj212,
        &[
            "--devices",
            "4",
            "--rate",
            "200",
            "--duration",
            "2",
            "--acked-log",
            path_str(&log),
        ],
    );
    success(&out);
    let acked = summary["acked"].as_u64().unwrap();
    assert_eq!(summary["sent"], acked, "{summary}");
    assert!(acked >= 300, "{summary}");

    // An unknown MN and a wrong password are refused (9011), and nothing of them is stored.
    let (bad, out, wrong) = refused_runs(cwd, &server.hj212);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        (bad["acked"].as_u64(), bad["rejected"].as_u64()),
        (Some(0), bad["sent"].as_u64()),
        "{bad}"
    );
    assert_eq!(wrong["acked"], 0, "{wrong}");
    let json = server.stats();
    assert!(
        json["hj212"]["unknown_device"].as_u64().unwrap() >= 2,
        "{json}"
    );
    assert!(
        json["hj212"]["bad_password"].as_u64().unwrap() >= 1,
        "{json}"
    );
    assert_eq!(json["hj212"]["acks"], acked, "{json}");

    // Commissioning: a device's recent frames, received and sent, with what became of each.
    let tail = |mn: &str| {
        success(&ecolake_in(
            cwd,
            &[
                "hj212",
                "tail",
                "--mn",
                mn,
                "--server",
                &server.http,
                "--limit",
                "4",
            ],
        ))
    };
    let good = tail(&mn(2)); // device 1 also ran with a wrong password
    assert_eq!(good.lines().count(), 8, "{good}");
    assert!(
        good.contains("  in 127.0.0.1:") && good.contains("  10 rows\n    ##"),
        "{good}"
    );
    assert!(
        good.contains("out 127.0.0.1:") && good.contains("  sent\n    ##0087QN="),
        "{good}"
    );
    let unknown = tail("BAD000000000000000000001");
    assert!(
        unknown.contains("refused: unknown MN") && unknown.contains("QnRtn=4"),
        "{unknown}"
    );
    let none = ecolake_in(
        cwd,
        &["hj212", "tail", "--mn", "NOSUCH", "--server", &server.http],
    );
    assert!(
        stderr(&none).contains("no frames of MN NOSUCH"),
        "{}",
        stderr(&none)
    );

    let log_lines = server.stop();
    assert!(log_lines.iter().any(|l| l == "stopped"), "{log_lines:?}");

    // Every acknowledged packet is ten rows, once; nothing else is stored.
    let stored = stored_keys(cwd, &data);
    let keys: BTreeSet<(String, i64)> = stored.iter().map(|(s, t, _)| (s.clone(), *t)).collect();
    let acked_log = acked_keys(&log);
    assert_eq!(acked_log.len() as u64, acked);
    assert_same(&keys, &acked_log);
    assert!(stored.iter().all(|k| k.2 == 10), "a packet is ten rows");
    let qc = sql_csv(
        cwd,
        &data,
        "SELECT count(*) AS n FROM observations WHERE qc IS NULL",
    );
    assert_eq!(qc, "n\n0\n", "every value has a QC verdict");
}

#[test]
fn a_killed_server_keeps_every_acked_packet() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    register_sim(cwd, &data, 8);
    let mut server = Server::start(cwd, &data, &[]);
    let log = cwd.join("acked.csv");
    let sim = Command::new(env!("CARGO_BIN_EXE_ecolake"))
        .args(["hj212", "simulate", "--target", &server.hj212])
        .args(["--devices", "8", "--rate", "800", "--duration", "3"])
        .args(["--acked-log", path_str(&log)])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill mid-run: wait until data has been acknowledged, then SIGKILL.
    let start = Instant::now();
    loop {
        let stats = server.get("/api/v1/ingest/stats");
        if stats.contains("\"acks\":") && !stats.contains("\"acks\":0,") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no acks: {stats}"
        );
        // Polling another process's counters, bounded above by the assertion.
        std::thread::sleep(Duration::from_millis(50));
    }
    // The kill must land mid-run, with packets acknowledged and more in flight: a delay
    // into the 3 s run, not a wait for an event.
    std::thread::sleep(Duration::from_millis(700));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let out = sim.wait_with_output().unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let acked = acked_keys(&log);
    assert!(
        !acked.is_empty() && summary["errors"].as_u64().unwrap() > 0,
        "{summary}"
    );

    // What the WAL holds (read-only replay) has every acknowledged packet, each once.
    let check = || {
        let stored = stored_keys(cwd, &data);
        let keys: BTreeSet<(String, i64)> =
            stored.iter().map(|(s, t, _)| (s.clone(), *t)).collect();
        let missing: Vec<_> = acked.difference(&keys).take(5).collect();
        assert!(
            missing.is_empty(),
            "acked packets missing after the crash: {missing:?}"
        );
        assert!(stored.iter().all(|k| k.2 == 10), "a packet is ten rows");
    };
    check();
    // A restart recovers the same; a clean stop flushes it to the lake.
    let server = Server::start(cwd, &data, &[]);
    server.stop();
    check();
}

#[test]
fn observations_are_posted_as_json_and_csv_with_per_row_errors() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &[]);
    let (status, body) = server.post(
        "/api/v1/observations",
        "application/json",
        r#"[{"time": "2025-03-01T12:00:00+08:00", "site": "S1", "factor": "a34004", "period": "hour", "value": 35},
            {"time": 1740805200000, "site": "S1", "factor": "a34004", "period": "hour", "value": -4, "flag": "N"},
            {"time": "2025-03-01T14:00:00+08:00", "site": "S1", "factor": "a34004", "period": "hour", "value": "high"},
            {"time": "2025-03-01T15:00:00+08:00", "factor": "a34004", "period": "hour", "value": 1}]"#,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({"rows": 4, "accepted": 2, "rejected": 2, "errors": [
            {"line": 3, "reason": "column `value`: `high` is not a number"},
            {"line": 4, "reason": "column `site` is empty"},
        ]})
    );
    let (status, body) = server.post(
        "/api/v1/observations",
        "text/csv",
        "time,site,factor,period,value\n2025-03-01 12:00:00,S2,a21026,hour,9\n2025-03-01 13:00:00,S2,a21026,hourly,9\n",
    );
    assert_eq!(
        (status, &body["accepted"], &body["rejected"]),
        (200, &1.into(), &1.into()),
        "{body}"
    );
    assert_eq!(body["errors"][0]["line"], 3);

    // Nothing usable: 422; not JSON at all: 400; another type: 415; all in one error format.
    let (status, body) = server.post(
        "/api/v1/observations",
        "application/x-ndjson",
        "{\"site\": 1}\n",
    );
    assert_eq!(status, 422, "{body}");
    let (status, body) = server.post("/api/v1/observations", "application/json", "[{");
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad_body")),
        "{body}"
    );
    let (status, body) = server.post("/api/v1/observations", "text/plain", "x");
    assert_eq!(
        (status, body["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{body}"
    );
    server.stop();

    let rows = sql_csv(
        cwd,
        &data,
        "SELECT site, factor, value, qc, source FROM observations ORDER BY site, time",
    );
    assert_eq!(
        rows,
        "site,factor,value,qc,source\nS1,a34004,35.0,ok,http\nS1,a34004,-4.0,negative,http\nS2,a21026,9.0,ok,http\n"
    );
}

/// The data uploads of the HJ 212 conformance corpus, sent by their devices (registered with
/// the MN and PW each packet carries, lenient): every one that asks for an answer gets its
/// 9014 echoing its QN, and the data of every one is in `observations`.
#[test]
fn the_corpus_uploads_are_acknowledged_and_stored() {
    use std::collections::BTreeMap;
    let corpus = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/hj212/corpus.jsonl"),
    )
    .expect("the shared corpus beside the clone");
    let uploads: Vec<serde_json::Value> = corpus
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|c| {
            let e = &c["expect"];
            c["kind"] == "valid"
                && ["2011", "2051", "2061", "2031", "2021", "2041"]
                    .contains(&e["cn"].as_str().unwrap_or(""))
                && e["datatime"].is_string()
                && e["pw"].is_string()
        })
        .collect();
    assert!(uploads.len() >= 20, "{} uploads", uploads.len());
    // One device per MN: its password, and edition 2005 when its packets carry no Flag.
    let mut devices: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for c in &uploads {
        let e = &c["expect"];
        let edition = if e["flag"].is_null() { "2005" } else { "2017" };
        devices
            .entry(e["mn"].as_str().unwrap().to_owned())
            .or_insert((e["pw"].as_str().unwrap().to_owned(), edition));
    }
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let mut sites = String::from("code,name,medium,lon,lat\n");
    let mut csv = String::from("mn,password,site,edition,strict\n");
    for (i, (mn, (pw, edition))) in devices.iter().enumerate() {
        sites.push_str(&format!("C{i},corpus {i},air,116.0,40.0\n"));
        csv.push_str(&format!("{mn},{pw},C{i},{edition},false\n"));
    }
    binary::register(cwd, &data, &sites, &csv);
    let server = Server::start(cwd, &data, &[]);
    let (mut acks, mut wanted) = (0, 0);
    for c in &uploads {
        let e = &c["expect"];
        if e["pw"].as_str() != devices.get(e["mn"].as_str().unwrap()).map(|d| d.0.as_str()) {
            continue;
        }
        let mut s = std::net::TcpStream::connect(&server.hj212).unwrap();
        s.write_all(c["message"].as_str().unwrap().as_bytes())
            .unwrap();
        let wants_ack = e["flag"].as_u64().is_some_and(|f| f & 1 == 1);
        if wants_ack {
            wanted += 1;
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut line = String::new();
            BufReader::new(&s).read_line(&mut line).unwrap();
            let reply = ecolake_hj212::decode(line.as_bytes(), &Default::default())
                .unwrap_or_else(|err| panic!("{}: bad reply {line:?}: {err}", c["id"]));
            assert_eq!(reply.packet.cn, "9014", "{}: {line}", c["id"]);
            assert_eq!(reply.packet.qn.as_deref(), e["qn"].as_str(), "{}", c["id"]);
            acks += 1;
        }
    }
    assert!(
        wanted >= 10 && acks == wanted,
        "{acks} acks for {wanted} requests"
    );
    let stats = server.get("/api/v1/ingest/stats");
    server.stop();
    assert!(stats.contains("\"decode_errors\":0,"), "{stats}");
    // Every upload's device and time has rows (uploads of one device at one time share them).
    let stored: BTreeSet<String> = sql_csv(cwd, &data, "SELECT DISTINCT source FROM observations")
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect();
    let expected: BTreeSet<String> = uploads
        .iter()
        .map(|c| c["expect"]["mn"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored, expected);
}

/// The archived lines (`DIR/frames/*/*.jsonl`) as JSON.
fn archived_lines(data: &Path) -> Vec<serde_json::Value> {
    let mut lines = Vec::new();
    for day in std::fs::read_dir(data.join("frames")).unwrap() {
        for file in std::fs::read_dir(day.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            lines.extend(text.lines().map(|l| serde_json::from_str(l).unwrap()));
        }
    }
    lines
}

/// A device's frames survive a restart: they are archived raw under the data directory, the
/// newest are read back at start, `seq` goes on, and a time window reads the archive.
#[test]
fn a_devices_frames_survive_a_restart() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    register_sim(cwd, &data, 2);
    let server = Server::start(cwd, &data, &[]);
    let upload = |server: &Server, prefix: &str| short_run(cwd, &server.hj212, prefix).0;
    let ok = upload(&server, "SIM");
    assert!(ok["acked"].as_u64().unwrap() >= 4, "{ok}");
    let bad = upload(&server, "BAD");
    assert_eq!(bad["acked"], 0, "{bad}");
    let path = format!("/api/v1/devices/{}/frames?limit=1000", mn(1));
    let (_, before) = server.get_json(&path);
    let frames = before["frames"].as_array().unwrap().clone();
    assert!(frames.len() >= 4, "{before}");
    server.stop();

    // Raw, one line per frame: the registered device's frames in and out, nothing of the
    // unknown MNs (not quarantined: the standard says to store nothing of them).
    let lines = archived_lines(&data);
    let of = |mn: &str| lines.iter().filter(|l| l["mn"] == mn).count();
    assert_eq!(of(&mn(1)), frames.len());
    assert_eq!(of("BAD000000000000000000001"), 0);
    let first = lines.iter().find(|l| l["seq"] == frames[0]["seq"]).unwrap();
    assert!(
        first["text"].as_str().unwrap().ends_with("\r\n") && first["direction"] == "in",
        "{first}"
    );

    let server = Server::start(cwd, &data, &[]);
    let (_, after) = server.get_json(&path);
    assert_eq!(after, before, "the recent frames are back");
    let tail = success(&ecolake_in(
        cwd,
        &[
            "hj212",
            "tail",
            "--mn",
            &mn(1),
            "--server",
            &server.http,
            "--limit",
            "2",
        ],
    ));
    assert_eq!(tail.lines().count(), 4, "{tail}");
    let last_seq = frames.last().unwrap()["seq"].as_u64().unwrap();
    upload(&server, "SIM");
    let (_, newer) = server.get_json(&format!("{path}&after={last_seq}"));
    let newer = newer["frames"].as_array().unwrap();
    assert!(!newer.is_empty(), "seq goes on after the restart");
    // The archive writes its queue once a second; its counters say so.
    binary::poll_until(Duration::from_secs(10), "frames archived", || {
        let stats = server.stats();
        match stats["frame_archive"]["frames_written"].as_u64() >= Some(newer.len() as u64) {
            true => Ok(()),
            false => Err(stats.to_string()),
        }
    });
    assert_eq!(server.stats()["frame_archive"]["frames_dropped"], 0);

    // Older frames by time, from the archive (epoch ms or RFC 3339).
    let (from, to) = (
        frames[0]["at_ms"].as_i64().unwrap(),
        frames.last().unwrap()["at_ms"].as_i64().unwrap() + 1,
    );
    let (status, window) = server.get_json(&format!(
        "/api/v1/devices/{}/frames?from={from}&to={to}",
        mn(1)
    ));
    assert_eq!(status, 200, "{window}");
    assert_eq!(
        (&window["frames"], &window["more"]),
        (&before["frames"], &false.into())
    );
    let (_, window) = server.get_json(&format!(
        "/api/v1/devices/{}/frames?from={from}&to={to}&limit=2",
        mn(1)
    ));
    assert_eq!(
        (window["frames"][1]["seq"].as_u64(), &window["more"]),
        (frames[1]["seq"].as_u64(), &true.into())
    );
    let (status, bad) = server.get_json(&format!("/api/v1/devices/{}/frames?from=soon", mn(1)));
    assert_eq!(
        (status, bad["code"].as_str()),
        (400, Some("bad_query")),
        "{bad}"
    );
    server.stop();

    // Without an archive there is nothing to read a window from.
    let server = Server::start(cwd, &data, &["--frame-retention-days", "0"]);
    let (status, none) = server.get_json(&format!("/api/v1/devices/{}/frames?to={to}", mn(1)));
    assert_eq!(
        (status, none["code"].as_str()),
        (404, Some("no_frame_archive"))
    );
    assert_eq!(server.get_json(&path).1["frames"], serde_json::json!([]));
    assert!(server.stats()["frame_archive"].is_null());
    server.stop();
}

/// `--quarantine-unknown` (here from a `--config` file): unknown MNs' uploads are refused all
/// the same (QnRtn=4) and become no rows, but their raw frames are kept, counted and listed
/// for review; wrong-password uploads are never kept.
#[test]
fn unknown_devices_uploads_are_quarantined_for_review() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    register_sim(cwd, &data, 1);
    // The file's `hj212` cannot be bound: the test server's `--hj212` flag must win.
    std::fs::write(
        cwd.join("serve.toml"),
        "quarantine_unknown = true\nhj212 = \"192.0.2.1:9212\"\nframe_retention_days = 7\n",
    )
    .unwrap();
    let server = Server::start(cwd, &data, &["--config", "serve.toml"]);
    let (bad, out, wrong) = refused_runs(cwd, &server.hj212);
    assert_eq!(out.status.code(), Some(1), "nothing acknowledged");
    let sent = bad["sent"].as_u64().unwrap();
    assert!(sent >= 4 && bad["rejected"] == sent, "{bad}");
    assert_eq!(wrong["acked"], 0, "{wrong}");
    let stats = server.stats();
    assert_eq!(stats["hj212"]["quarantined"], sent, "{stats}");
    assert_eq!(stats["hj212"]["unknown_device"], sent, "{stats}");
    assert!(
        stats["hj212"]["bad_password"].as_u64().unwrap() >= 1,
        "{stats}"
    );

    let (status, list) = server.get_json("/api/v1/quarantine");
    assert_eq!(status, 200);
    let list = list["quarantined"].as_array().unwrap().clone();
    let mns: BTreeSet<&str> = list.iter().map(|q| q["mn"].as_str().unwrap()).collect();
    assert_eq!(
        mns,
        BTreeSet::from(["BAD000000000000000000001", "BAD000000000000000000002"])
    );
    let counted: u64 = list.iter().map(|q| q["frames"].as_u64().unwrap()).sum();
    assert_eq!(counted, sent);
    let q = &list[0];
    assert!(
        q["first_ms"].as_i64() <= q["last_ms"].as_i64()
            && q["sample"]
                .as_str()
                .unwrap()
                .contains(q["mn"].as_str().unwrap()),
        "{q}"
    );
    let (_, frames) = server.get_json("/api/v1/devices/BAD000000000000000000001/frames");
    let kept = &frames["frames"][0];
    assert_eq!(kept["quarantined"], true, "{frames}");
    assert_eq!(kept["result"], "refused: unknown MN; quarantined");
    assert!(frames["frames"][1]["text"]
        .as_str()
        .unwrap()
        .contains("QnRtn=4"));
    server.stop();

    // Archived and marked; the wrong password's packets are archived as refusals only.
    let lines = archived_lines(&data);
    let quarantined: Vec<_> = lines.iter().filter(|l| l["quarantined"] == true).collect();
    assert_eq!(quarantined.len() as u64, sent);
    assert!(quarantined
        .iter()
        .all(|l| l["mn"].as_str().unwrap().starts_with("BAD")));
    assert!(lines
        .iter()
        .any(|l| l["mn"] == mn(1).as_str() && l["result"] == "refused: wrong password"));
    // No rows of them at all.
    assert_eq!(
        sql_csv(cwd, &data, "SELECT count(*) AS n FROM observations"),
        "n\n0\n"
    );

    // Errors in the file name the key and the file; the binary stops before serving.
    std::fs::write(cwd.join("typo.toml"), "quarantine_unknwon = true\n").unwrap();
    let out = ecolake_in(
        cwd,
        &[
            "serve",
            "--data-dir",
            path_str(&data),
            "--config",
            "typo.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("quarantine_unknwon") && err.contains("typo.toml"),
        "{err}"
    );
}
