//! Forwarding to an upstream platform end to end: two real servers, the local one forwarding
//! one device's data to the other under the upstream's MN and password. The upstream is down
//! while data arrives and the local server is killed with SIGKILL before it comes up: the
//! store is the queue and the cursor is durable, so once the upstream listens every row of the
//! forwarded device reaches it, and nothing of the other device does.

mod binary;

use std::time::Duration;

use binary::server::Server;
use binary::{path_str, sql_csv, workspace};
use serde_json::Value;

const FORWARDED: &str = "SIM000000000000000000001";
const UPSTREAM_MN: &str = "37010200000000000000FF01";
const UPSTREAM_PW: &str = "up-pw-1";

/// The status of the only upstream.
fn status(server: &Server) -> Value {
    let (code, json) = server.get_json("/api/v1/forward");
    assert_eq!(code, 200, "{json}");
    json["upstreams"][0].clone()
}

/// Polls the status until `done` holds (a minute at most).
fn wait_until(server: &Server, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    binary::poll_until(Duration::from_secs(60), what, || {
        let s = status(server);
        match done(&s) {
            true => Ok(s),
            false => Err(format!("{s:#}\nlog: {:?}", server.log.lock().unwrap())),
        }
    })
}

#[test]
fn an_upstream_that_was_down_gets_every_row_of_its_devices_once_it_is_up() {
    let ws = workspace(&[]);
    let cwd = ws.path();
    let (local, upstream) = (cwd.join("local"), cwd.join("upstream"));
    binary::register(
        cwd,
        &local,
        "code,name,medium,lon,lat\nLOC1,local site,air,116.4,39.9\nLOC2,other site,air,116.5,39.9\n",
        "mn,password,site\nSIM000000000000000000001,123456,LOC1\nSIM000000000000000000002,123456,LOC2\n",
    );
    binary::register(
        cwd,
        &upstream,
        "code,name,medium,lon,lat\nPROV1,provincial site,air,116.4,39.9\n",
        &format!("mn,password,site\n{UPSTREAM_MN},{UPSTREAM_PW},PROV1\n"),
    );
    // A port for the upstream, free now, taken only later.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let up_addr = format!("127.0.0.1:{port}");
    let config = cwd.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[[forward]]\nname = \"province\"\naddress = \"{up_addr}\"\nst = \"22\"\n\
             over_time = 2\nre_count = 1\n\n[[forward.devices]]\nmn = \"{FORWARDED}\"\n\
             upstream_mn = \"{UPSTREAM_MN}\"\npassword = \"{UPSTREAM_PW}\"\n"
        ),
    )
    .unwrap();
    let serve_args = ["--config", path_str(&config)];

    // Data arrives while the upstream is down: acknowledged to the devices all the same.
    let server = Server::start(cwd, &local, &serve_args);
    let (summary, _) = binary::simulate(
        cwd,
        &server.hj212,
        &["--devices", "2", "--rate", "20", "--duration", "2"],
    );
    assert!(summary["acked"].as_u64().unwrap() >= 20, "{summary}");
    let down = wait_until(&server, "a failed attempt", |s| {
        s["failures"].as_u64() > Some(0)
    });
    assert_eq!(down["packets_acked"], 0, "{down:#}");
    assert_eq!(down["cursor_seq"], 0, "nothing delivered: {down:#}");
    assert!(
        down["last_error"].as_str().unwrap().contains(&up_addr),
        "{down:#}"
    );
    // SIGKILL: the queue is the store, whose WAL has every acknowledged row.
    drop(server);

    let upstream_server = Server::start_at(cwd, &upstream, &up_addr, &[]);
    let server = Server::start(cwd, &local, &serve_args);
    let done = wait_until(&server, "the backlog delivered", |s| {
        s["packets_acked"].as_u64() > Some(0) && s["cursor_seq"] == s["store_seq"]
    });
    assert_eq!(done["refusals"], 0, "{done:#}");
    assert_eq!(done["state"], "idle", "{done:#}");

    let local_rows = sql_csv(
        cwd,
        &local,
        &format!(
            "SELECT time, factor, period, value, flag FROM observations \
             WHERE source = '{FORWARDED}' ORDER BY time, factor"
        ),
    );
    let upstream_rows = sql_csv(
        cwd,
        &upstream,
        &format!(
            "SELECT time, factor, period, value, flag FROM observations \
             WHERE source = '{UPSTREAM_MN}' AND site = 'PROV1' ORDER BY time, factor"
        ),
    );
    assert!(local_rows.lines().count() > 20, "{local_rows}");
    assert_eq!(
        upstream_rows, local_rows,
        "the upstream has the device's rows, exactly"
    );
    let others = sql_csv(
        cwd,
        &upstream,
        &format!("SELECT count(*) AS n FROM observations WHERE source <> '{UPSTREAM_MN}'"),
    );
    assert_eq!(others, "n\n0\n", "only the mapped device is forwarded");
    // The other device's data stayed local.
    let local_other = sql_csv(
        cwd,
        &local,
        "SELECT count(*) > 0 AS some FROM observations WHERE source = 'SIM000000000000000000002'",
    );
    assert_eq!(local_other, "some\ntrue\n");
    let cursor: Value = serde_json::from_slice(
        &std::fs::read(local.join("forward").join("province.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(cursor["upstream"], "province");
    server.stop();
    // Stopped cleanly, the saved cursor is where the status said.
    let cursor: Value = serde_json::from_slice(
        &std::fs::read(local.join("forward").join("province.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(cursor["seq"], done["cursor_seq"]);
    upstream_server.stop();
}
