//! The platform's HJ 212 requests end to end: `ecolake serve`, a device on its HJ 212 port (the
//! simulator, or a scripted socket that misbehaves on purpose), `ecolake hj212 request` and the
//! HTTP API, `ecolake sql` as the judge of what history requests brought in.

mod binary;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use binary::server::Server;
use binary::{ecolake_in, sql_csv, stderr, workspace};
use chrono::Timelike;
use ecolake_hj212::{decode, encode, Item, Packet, Profile};
use serde_json::Value;

const SIM_MN: &str = "SIM000000000000000000001";
const RAW_MN: &str = "RAW000000000000000000001";

/// A server with the simulator's device registered (`RAW_MN` is registered by the test that
/// uses it, while the server runs).
fn setup() -> (tempfile::TempDir, Server) {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    binary::register(
        cwd,
        &data,
        "code,name,medium,lon,lat\nCMD1,cmd site,air,116.4,39.9\nCMD2,raw site,air,116.5,39.9\n",
        &format!("mn,password,site\n{SIM_MN},123456,CMD1\n"),
    );
    let server = Server::start(cwd, &data, &[]);
    (ws, server)
}

/// `ecolake hj212 request --mn MN ACTION…`: its exit code and printed exchange.
fn request(cwd: &Path, server: &Server, mn: &str, action: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["hj212", "request", "--mn", mn, "--server", &server.http];
    args.extend_from_slice(action);
    let out = ecolake_in(cwd, &args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(
        json.is_object() || out.status.code() != Some(0),
        "{}",
        stderr(&out)
    );
    (out.status.code(), json)
}

/// Starts the simulator as one device for `seconds` (it answers requests meanwhile).
fn simulator(cwd: &Path, server: &Server, seconds: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ecolake"))
        .args(["hj212", "simulate", "--target", &server.hj212])
        .args(["--devices", "1", "--rate", "2", "--duration", seconds])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the server has stored `n` data packets.
fn wait_for_packets(server: &Server, n: u64) {
    let start = Instant::now();
    while server.stats()["hj212"]["data_packets"]
        .as_u64()
        .unwrap_or(0)
        < n
    {
        assert!(start.elapsed() < Duration::from_secs(30), "no uploads");
        // Polling another process's counters; bounded above.
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_simulator_answers_history_interval_and_time_requests() {
    let (ws, server) = setup();
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    // Not connected yet: the server cannot reach the device.
    let (code, _) = request(cwd, &server, SIM_MN, &["get-time"]);
    assert_eq!(code, Some(1));
    let mut sim = simulator(cwd, &server, "60");
    wait_for_packets(&server, 1);

    let (code, set) = request(cwd, &server, SIM_MN, &["set-rtd-interval", "60"]);
    assert_eq!(
        (code, set["state"].as_str()),
        (Some(0), Some("succeeded")),
        "{set}"
    );
    assert_eq!(
        (set["qn_rtn"].as_u64(), set["exe_rtn"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, get) = request(cwd, &server, SIM_MN, &["get-rtd-interval"]);
    assert_eq!(get["result"]["RtdInterval"], "60", "{get}");
    let (_, time) = request(cwd, &server, SIM_MN, &["get-time"]);
    assert_eq!(
        time["result"]["SystemTime"].as_str().map(str::len),
        Some(14),
        "{time}"
    );

    // Six hours of hourly data, asked again: six uploads, each stored as history.
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let last = now.with_minute(0).unwrap().with_second(0).unwrap() - chrono::Duration::hours(1);
    let first = last - chrono::Duration::hours(5);
    let fmt = |t: chrono::DateTime<chrono_tz::Tz>| t.format("%Y-%m-%dT%H:%M").to_string();
    let (code, history) = request(
        cwd,
        &server,
        SIM_MN,
        &[
            "history",
            "--cn",
            "2061",
            "--begin",
            &fmt(first),
            "--end",
            &fmt(last),
        ],
    );
    assert_eq!(code, Some(0), "{history}");
    assert_eq!(history["state"], "succeeded", "{history}");
    assert_eq!(history["data_packets"], 6, "{history}");
    assert_eq!(history["rows"], 60, "{history}");
    assert_eq!(
        history["params"]["BeginTime"],
        first.format("%Y%m%d%H%M%S").to_string()
    );
    // The requests and their answers are in the device's frames (for commissioning).
    let frames = server.get(&format!("/api/v1/devices/{SIM_MN}/frames?limit=32"));
    let id = history["id"].as_u64().unwrap();
    assert!(
        frames.contains(&format!("\"result\":\"request {id}\"")),
        "{frames}"
    );
    assert!(
        frames.contains(&format!("(history for request {id})")),
        "{frames}"
    );

    // A range the station has no data for: ExeRtn=100.
    let future = now + chrono::Duration::days(2);
    let (code, none) = request(
        cwd,
        &server,
        SIM_MN,
        &["history", "--begin", &fmt(future), "--end", &fmt(future)],
    );
    assert_eq!(
        (code, none["state"].as_str()),
        (Some(0), Some("no_data")),
        "{none}"
    );

    // Bad parameters never reach the device.
    let out = ecolake_in(
        cwd,
        &[
            "hj212",
            "request",
            "--mn",
            SIM_MN,
            "--server",
            &server.http,
            "set-rtd-interval",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("RtdInterval of CN 1062 must be a whole number in 30..=3600"));

    // The API lists the device's exchanges, newest first.
    let list = server.get(&format!("/api/v1/devices/{SIM_MN}/commands"));
    let list: Value = serde_json::from_str(list.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let cns: Vec<u64> = list["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cn"].as_u64().unwrap())
        .collect();
    assert_eq!(cns, [2061, 2061, 1011, 1061, 1062]);

    let _ = sim.kill();
    let _ = sim.wait();
    server.stop();
    let hours = sql_csv(
        cwd,
        &data,
        "SELECT count(*) AS n, count(DISTINCT time) AS hours, min(qc) AS qc FROM observations \
         WHERE site = 'CMD1' AND period = 'hour'",
    );
    assert_eq!(hours, "n,hours,qc\n60,6,ok\n");
}

/// A device scripted by the test: it registers its MN on a connection and then answers (or
/// does not answer) the platform's requests as each case needs.
struct Device {
    reader: BufReader<TcpStream>,
}

impl Device {
    fn connect(server: &Server) -> Device {
        let stream = TcpStream::connect(&server.hj212).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut d = Device {
            reader: BufReader::new(stream),
        };
        // An accepted upload makes the server know the link. The device was registered while
        // the server runs: it is refused (9011 QnRtn=4) until the server has re-read the
        // registry, then acknowledged (9014).
        let start = Instant::now();
        loop {
            let t = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
            let packet = Packet {
                qn: Some(t.format("%Y%m%d%H%M%S%3f").to_string().into()),
                st: "22".into(),
                cn: "2011".into(),
                pw: Some("123456".into()),
                mn: RAW_MN.into(),
                flag: Some(5),
                datatime: Some(t.format("%Y%m%d%H%M%S").to_string().into()),
                items: vec![Item {
                    code: "a34004".into(),
                    field: "Rtd".into(),
                    value: "35.0".into(),
                    flag: Some("N".into()),
                }],
                ..Packet::default()
            };
            d.send(&packet);
            let (reply, _) = d.next();
            if reply.cn == "9014" {
                return d;
            }
            assert_eq!(reply.param("QnRtn"), Some("4"), "{reply:?}");
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the device was never accepted"
            );
            // The server re-reads a changed registry every 2 s; ask again a little later.
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn send(&mut self, packet: &Packet<'_>) {
        let wire = encode(packet, &Profile::default()).unwrap();
        self.reader.get_mut().write_all(&wire).unwrap();
    }

    /// The next packet the server sends, with when it arrived.
    fn next(&mut self) -> (Packet<'static>, Instant) {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line).unwrap();
        let p = decode(&line, &Profile::default())
            .unwrap()
            .packet
            .into_owned();
        (p, Instant::now())
    }

    /// Replies to `to` with a 9011 or 9012 carrying `key=value`.
    fn reply(&mut self, to: &Packet<'_>, cn: &str, key: &str, value: &str) {
        let p = Packet {
            qn: to.qn.clone(),
            st: "91".into(),
            cn: cn.to_owned().into(),
            pw: to.pw.clone(),
            mn: to.mn.clone(),
            flag: Some(4),
            params: vec![(key.to_owned().into(), value.to_owned().into())],
            ..Packet::default()
        };
        self.send(&p);
    }
}

fn post_command(server: &Server, body: &str) -> (u16, Value) {
    server.post(
        &format!("/api/v1/devices/{RAW_MN}/commands"),
        "application/json",
        body,
    )
}

fn wait_for_end(server: &Server, id: u64) -> Value {
    let answer = server.get(&format!("/api/v1/commands/{id}?wait=30"));
    serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

#[test]
fn requests_follow_table_1_timeouts_resends_and_refusals() {
    let (ws, server) = setup();
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    binary::register(
        cwd,
        &data,
        "code,name,medium,lon,lat\nCMD2,raw site,air,116.5,39.9\n",
        &format!("mn,password,site\n{RAW_MN},123456,CMD2\n"),
    );
    let mut device = Device::connect(&server);

    // Unanswered: sent, then resent ReCount times OverTime apart (same QN), then timed out.
    let (status, sent) = post_command(&server, r#"{"cn": 1061, "over_time_s": 1, "re_count": 2}"#);
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["state"], "sent");
    // One exchange per device at a time.
    let (status, busy) = post_command(&server, r#"{"cn": 1011}"#);
    assert_eq!(
        (status, busy["code"].as_str()),
        (409, Some("device_busy")),
        "{busy}"
    );
    let sends: Vec<(Packet<'static>, Instant)> = (0..3).map(|_| device.next()).collect();
    for (p, _) in &sends {
        assert_eq!(
            (p.cn.as_ref(), p.qn.as_deref()),
            ("1061", sent["qn"].as_str())
        );
        assert_eq!(p.flag, Some(5), "a request asks for an answer");
    }
    for pair in sends.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(gap >= Duration::from_millis(900), "resent after {gap:?}");
    }
    let ended = wait_for_end(&server, sent["id"].as_u64().unwrap());
    assert_eq!(ended["state"], "timed_out", "{ended}");
    assert_eq!(ended["sends"], 3, "{ended}");

    // Accepted (9011 QnRtn=1) and then silent: the execution timeout ends it.
    let (_, sent) = post_command(
        &server,
        r#"{"cn": 1062, "params": {"RtdInterval": "60"}, "over_time_s": 1}"#,
    );
    let (p, _) = device.next();
    assert_eq!(p.param("RtdInterval"), Some("60"));
    device.reply(&p, "9011", "QnRtn", "1");
    let ended = wait_for_end(&server, sent["id"].as_u64().unwrap());
    assert_eq!(
        (ended["state"].as_str(), ended["qn_rtn"].as_u64()),
        (Some("timed_out"), Some(1)),
        "{ended}"
    );
    assert!(
        ended["message"].as_str().unwrap().contains("no 9012"),
        "{ended}"
    );

    // Refused (QnRtn=2), and failed (ExeRtn=2).
    let (_, sent) = post_command(&server, r#"{"cn": 1011}"#);
    let (p, _) = device.next();
    device.reply(&p, "9011", "QnRtn", "2");
    let ended = wait_for_end(&server, sent["id"].as_u64().unwrap());
    assert_eq!(ended["state"], "refused", "{ended}");
    let (_, sent) = post_command(&server, r#"{"cn": 1012}"#);
    let (p, _) = device.next();
    assert_eq!(
        p.param("SystemTime").map(str::len),
        Some(14),
        "the server's time is filled in"
    );
    device.reply(&p, "9011", "QnRtn", "1");
    device.reply(&p, "9012", "ExeRtn", "2");
    let ended = wait_for_end(&server, sent["id"].as_u64().unwrap());
    assert_eq!(
        (ended["state"].as_str(), ended["exe_rtn"].as_u64()),
        (Some("failed"), Some(2)),
        "{ended}"
    );

    // Requests the API refuses before sending.
    for (body, code) in [
        (r#"{"cn": 9014}"#, "bad_command"),
        (r#"{"cn": 1072, "params": {"NewPW": "x"}}"#, "bad_command"),
        (
            r#"{"cn": 2061, "params": {"BeginTime": "20250302000000", "EndTime": "20250301000000"}}"#,
            "bad_command",
        ),
        (
            r#"{"cn": 1064, "params": {"MinInterval": "7"}}"#,
            "bad_command",
        ),
        (r#"{"cn": "x"}"#, "bad_command"),
    ] {
        let (status, e) = post_command(&server, body);
        assert_eq!(
            (status, e["code"].as_str()),
            (400, Some(code)),
            "{body}: {e}"
        );
    }
    // A closed connection: the device is unreachable.
    drop(device);
    let start = Instant::now();
    while server.stats()["hj212"]["connections_open"] != 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the close went unnoticed"
        );
        // The server notices the close on its next read; bounded above.
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, e) = post_command(&server, r#"{"cn": 1011}"#);
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("device_not_connected")),
        "{e}"
    );
    server.stop();
}
