//! The HTTP API's authorization end to end: the real `ecolake serve`, a registry with datasets of
//! every tier written through the API, observations at sites each dataset covers (and one no
//! dataset covers), and callers of every role — each endpoint that returns data must return
//! exactly the sites the rule allows, SQL and downloads included.

mod binary;

use std::collections::BTreeSet;

use binary::server::{Server, ADMIN_TOKEN};
use binary::workspace;
use serde_json::{json, Value};

const E1: &str = "91110000600001760P";
const E2: &str = "91350100M000100Y43";

/// Every site with data: S_OPEN (open dataset), S_COND (conditional, owned by WATER),
/// S_RESTR (restricted, owned by BUREAU), O1/O2 (outlets of E1/E2, restricted, BUREAU), S_NONE
/// (no dataset).
const ALL: [&str; 6] = ["O1", "O2", "S_COND", "S_NONE", "S_OPEN", "S_RESTR"];

fn post_registry(server: &Server, kind: &str, csv: &str) {
    let a = server.request(
        "POST",
        &format!("/api/v1/registry/{kind}"),
        Some(ADMIN_TOKEN),
        Some(("text/csv", csv)),
    );
    assert_eq!(a.status, 200, "{kind}: {}", a.body);
    assert_eq!(a.json()["errors"], json!([]), "{kind}");
}

/// A key of `body` (JSON), created by the admin: its token.
fn key(server: &Server, body: Value) -> String {
    let a = server.request(
        "POST",
        "/api/v1/keys",
        Some(ADMIN_TOKEN),
        Some(("application/json", &body.to_string())),
    );
    assert_eq!(a.status, 201, "{body}: {}", a.body);
    a.json()["token"].as_str().unwrap().to_owned()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The sites in a JSON answer's `items`.
fn sites_of(v: &Value) -> BTreeSet<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {v}"))
        .iter()
        .map(|r| r["site"].as_str().unwrap().to_owned())
        .collect()
}

/// Sites an SQL query's JSON answer names in its `site` column.
fn sql_sites(server: &Server, token: Option<&str>, sql: &str) -> (u16, BTreeSet<String>, String) {
    let body = json!({ "sql": sql }).to_string();
    let a = server.request(
        "POST",
        "/api/v1/sql",
        token,
        Some(("application/json", &body)),
    );
    let sites = if a.status == 200 {
        a.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["site"].as_str().unwrap().to_owned())
            .collect()
    } else {
        BTreeSet::new()
    };
    (a.status, sites, a.body)
}

fn setup(server: &Server) {
    post_registry(
        server,
        "departments",
        "code,name\nBUREAU,生态环境局\nWATER,水务局\n",
    );
    post_registry(
        server,
        "sites",
        "code,name,medium,lon,lat\nS_OPEN,开放站,air,116.1,39.9\nS_COND,条件站,surface_water,116.2,39.9\n\
         S_RESTR,受限站,air,116.3,39.9\nS_NONE,无目录站,air,116.4,39.9\n",
    );
    post_registry(
        server,
        "enterprises",
        &format!("credit_code,name\n{E1},甲公司\n{E2},乙公司\n"),
    );
    post_registry(
        server,
        "outlets",
        &format!("code,enterprise,kind\nO1,{E1},air\nO2,{E2},water\n"),
    );
    post_registry(
        server,
        "datasets",
        "name,title,owner,source,sites,tier\n\
         air_open,开放空气,BUREAU,observations,S_OPEN,open\n\
         water_cond,条件水质,WATER,observations,S_COND,conditional\n\
         restr,受限,BUREAU,observations,S_RESTR,restricted\n\
         outlets_all,排放口,BUREAU,observations,O1;O2,restricted\n",
    );
    let mut csv = String::from("time,site,factor,period,value\n");
    for site in ALL {
        for h in 0..3 {
            csv.push_str(&format!(
                "2025-03-01T0{h}:00:00+08:00,{site},a34004,hour,{}\n",
                30 + h
            ));
        }
    }
    let (status, body) = server.post("/api/v1/observations", "text/csv", &csv);
    assert_eq!((status, &body["accepted"]), (200, &json!(18)), "{body}");
}

#[test]
fn every_endpoint_returns_exactly_what_each_role_may_read() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &[]);
    setup(&server);

    let operator = key(
        &server,
        json!({"name": "op", "role": "operator", "department": "BUREAU"}),
    );
    let analyst = key(&server, json!({"name": "an", "role": "analyst"}));
    let granted = key(&server, json!({"name": "gr", "role": "analyst"}));
    let water = key(
        &server,
        json!({"name": "wa", "role": "analyst", "department": "WATER"}),
    );
    let e1 = key(
        &server,
        json!({"name": "e1", "role": "enterprise", "enterprise": E1}),
    );
    let e2 = key(
        &server,
        json!({"name": "e2", "role": "enterprise", "enterprise": E2}),
    );

    // The sharing workflow: the analyst asks, the operator approves, the grant shows.
    let ask = server.request(
        "POST",
        "/api/v1/access-requests",
        Some(&granted),
        Some((
            "application/json",
            r#"{"dataset": "water_cond", "purpose": "basin study"}"#,
        )),
    );
    assert_eq!(ask.status, 201, "{}", ask.body);
    let id = ask.json()["request"]["id"].as_i64().unwrap();
    // Only staff decide; the requester cannot approve its own request.
    let self_approve = server.request(
        "POST",
        &format!("/api/v1/access-requests/{id}/approve"),
        Some(&granted),
        Some(("application/json", "{}")),
    );
    assert_eq!(self_approve.status, 403, "{}", self_approve.body);
    assert_eq!(self_approve.json()["code"], "forbidden");
    let approve = server.request(
        "POST",
        &format!("/api/v1/access-requests/{id}/approve"),
        Some(&operator),
        Some((
            "application/json",
            r#"{"until": "2099-01-01T00:00:00Z", "note": "ok"}"#,
        )),
    );
    assert_eq!(approve.status, 200, "{}", approve.body);
    // A restricted dataset cannot be asked for.
    let ask = server.request(
        "POST",
        "/api/v1/access-requests",
        Some(&analyst),
        Some((
            "application/json",
            r#"{"dataset": "restr", "purpose": "x"}"#,
        )),
    );
    assert_eq!(ask.status, 400, "{}", ask.body);

    let principals: [(&str, Option<&str>, &[&str], bool); 8] = [
        ("anonymous", None, &["S_OPEN"], false),
        ("admin", Some(ADMIN_TOKEN), &ALL, true),
        (
            "operator",
            Some(&operator),
            &["O1", "O2", "S_OPEN", "S_RESTR"],
            true,
        ),
        ("analyst", Some(&analyst), &["S_OPEN"], true),
        (
            "granted analyst",
            Some(&granted),
            &["S_COND", "S_OPEN"],
            true,
        ),
        ("water analyst", Some(&water), &["S_COND", "S_OPEN"], true),
        ("enterprise 1", Some(&e1), &["O1", "S_OPEN"], false),
        ("enterprise 2", Some(&e2), &["O2", "S_OPEN"], false),
    ];
    let window = "from=2025-02-28T00:00:00Z&to=2025-03-02T00:00:00Z";
    for (who, token, readable, sql) in principals {
        let expected = set(readable);
        // Raw observations, JSON and CSV.
        let a = server.request(
            "GET",
            &format!("/api/v1/observations?{window}"),
            token,
            None,
        );
        assert_eq!(a.status, 200, "{who}: {}", a.body);
        assert_eq!(sites_of(&a.json()), expected, "{who}: observations");
        let a = server.request(
            "GET",
            &format!("/api/v1/observations?{window}&format=csv"),
            token,
            None,
        );
        assert_eq!(a.status, 200, "{who}: {}", a.body);
        let csv_sites: BTreeSet<String> = a
            .body
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(1).map(str::to_owned))
            .collect();
        assert_eq!(csv_sites, expected, "{who}: csv download");
        // Aggregates.
        let a = server.request(
            "GET",
            &format!("/api/v1/observations?{window}&every=1d&agg=max"),
            token,
            None,
        );
        assert_eq!(a.status, 200, "{who}: {}", a.body);
        assert_eq!(sites_of(&a.json()), expected, "{who}: daily maxima");
        // Each site asked for by name, and its latest values.
        for site in ALL {
            let a = server.request(
                "GET",
                &format!("/api/v1/observations?site={site}&{window}"),
                token,
                None,
            );
            let got = sites_of(&a.json());
            assert_eq!(
                got.contains(site),
                expected.contains(site),
                "{who}: ?site={site}"
            );
            let a = server.request("GET", &format!("/api/v1/sites/{site}/latest"), token, None);
            assert_eq!(a.status, 200, "{who}: {}", a.body);
            let n = a.json()["values"].as_array().map_or(0, Vec::len);
            assert_eq!(
                n > 0,
                expected.contains(site),
                "{who}: {site}/latest: {}",
                a.body
            );
        }
        // SQL: only analysts and staff; the same rows through every table and view.
        let (status, sites, body) = sql_sites(
            &server,
            token,
            "SELECT DISTINCT site FROM observations ORDER BY site",
        );
        if !sql {
            assert!(matches!(status, 401 | 403), "{who}: sql {status} {body}");
            continue;
        }
        assert_eq!(status, 200, "{who}: {body}");
        assert_eq!(sites, expected, "{who}: sql observations");
        let (_, sites, _) = sql_sites(
            &server,
            token,
            "SELECT DISTINCT site FROM observations_history",
        );
        assert_eq!(sites, expected, "{who}: sql history");
        let (status, sites, body) = sql_sites(&server, token, "SELECT site FROM water_cond");
        if expected.contains("S_COND") {
            assert_eq!((status, sites), (200, set(&["S_COND"])), "{who}: {body}");
        } else {
            assert_eq!(status, 403, "{who}: view water_cond: {body}");
        }
        // Internal tables are out of reach for everyone, admins included.
        for sql in [
            "SELECT site FROM _lake_clean",
            "SELECT site FROM \"_memtable\"",
            "SELECT * FROM information_schema.tables",
            "COPY (SELECT 1) TO '/tmp/x.csv'",
            "CREATE TABLE t AS SELECT 1",
        ] {
            let (status, _, body) = sql_sites(&server, token, sql);
            assert_eq!(status, 403, "{who}: {sql}: {body}");
        }
    }
    server.stop();
}

#[test]
fn credentials_are_checked_and_never_fall_back_to_anonymous() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &[]);
    for token in [
        "nonsense",
        "elk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let a = server.request("GET", "/api/v1/sites", Some(token), None);
        assert_eq!(a.status, 401, "{}", a.body);
        assert_eq!(a.json()["code"], "unauthorized");
        assert!(a.header("www-authenticate").is_some());
    }
    let a = server.request_with(
        "GET",
        "/api/v1/sites",
        None,
        None,
        &[("Authorization", "Basic eDp5")],
    );
    assert_eq!(a.status, 401, "{}", a.body);
    // Revoked: 401 from the next request on.
    let created = server.request(
        "POST",
        "/api/v1/keys",
        Some(ADMIN_TOKEN),
        Some((
            "application/json",
            r#"{"name": "short", "role": "analyst"}"#,
        )),
    );
    let created = created.json();
    let (id, token) = (
        created["key"]["id"].as_str().unwrap().to_owned(),
        created["token"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        server
            .request("GET", "/api/v1/me", Some(&token), None)
            .status,
        200
    );
    let listed = server.request("GET", "/api/v1/keys", Some(ADMIN_TOKEN), None);
    assert!(
        !listed.body.contains(&token),
        "a listing never shows a token"
    );
    let revoked = server.request(
        "DELETE",
        &format!("/api/v1/keys/{id}"),
        Some(ADMIN_TOKEN),
        None,
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let a = server.request("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(a.status, 401, "{}", a.body);
    // An analyst is not an admin: 403 on admin routes; anonymous: 401.
    let analyst = server.request(
        "POST",
        "/api/v1/keys",
        Some(ADMIN_TOKEN),
        Some(("application/json", r#"{"name": "a", "role": "analyst"}"#)),
    );
    let analyst = analyst.json()["token"].as_str().unwrap().to_owned();
    for (path, method) in [
        ("/api/v1/keys", "GET"),
        ("/api/v1/audit", "GET"),
        ("/api/v1/ingest/stats", "GET"),
        ("/api/v1/quarantine", "GET"),
    ] {
        assert_eq!(
            server.request(method, path, Some(&analyst), None).status,
            403,
            "{path}"
        );
        assert_eq!(
            server.request(method, path, None, None).status,
            401,
            "{path}"
        );
    }
    // The log never holds a token.
    let log = server.stop().join("\n");
    assert!(!log.contains(&token) && !log.contains(ADMIN_TOKEN), "{log}");
}
