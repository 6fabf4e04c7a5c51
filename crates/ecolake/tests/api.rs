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

#[test]
fn quotas_answer_429_with_retry_after_and_open_answers_are_cacheable() {
    let ws = workspace(&[(
        "serve.toml",
        "[api]\nanonymous_rate_per_min = 3\nanonymous_rate_per_hour = 100\n",
    )]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &["--config", "serve.toml"]);
    let first = server.request("GET", "/api/v1/sites", None, None);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("2"));
    assert!(first.header("x-ratelimit-reset").is_some());
    // An open answer: public, with a strong ETag that revalidates to 304.
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").expect("an ETag").to_owned();
    let again = server.request_with(
        "GET",
        "/api/v1/sites",
        None,
        None,
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert_eq!(again.body, "");
    server.request("GET", "/api/v1/datasets", None, None);
    let refused = server.request("GET", "/api/v1/sites", None, None);
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.json()["code"], "rate_limited");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // A signed-in caller has its own quota; its answers are private.
    let admin = server.request("GET", "/api/v1/sites", Some(ADMIN_TOKEN), None);
    assert_eq!(admin.status, 200);
    assert_eq!(admin.header("x-ratelimit-limit"), Some("600"));
    assert_eq!(admin.header("cache-control"), Some("private, max-age=60"));
    // Security headers on every answer, errors included.
    for a in [&admin, &refused] {
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(a.header("x-frame-options"), Some("DENY"));
    }
    server.stop();
}

#[test]
fn the_openapi_document_describes_every_route() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &[]);
    let a = server.request("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(a.status, 200);
    let doc = a.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/sites",
        "/api/v1/observations",
        "/api/v1/sites/{code}/latest",
        "/api/v1/aqi/latest",
        "/api/v1/sql",
        "/api/v1/keys",
        "/api/v1/access-requests",
        "/api/v1/audit",
        "/api/v1/ingest/stats",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Unknown routes and methods answer in the one error format.
    let a = server.request("GET", "/api/v1/nothing", None, None);
    assert_eq!(
        (a.status, a.json()["code"].as_str()),
        (404, Some("not_found"))
    );
    let a = server.request("DELETE", "/api/v1/sites", Some(ADMIN_TOKEN), None);
    assert_eq!(
        (a.status, a.json()["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    server.stop();
}

/// `ecolake admin verify-audit` on `data`: its exit code and output.
fn verify_audit(cwd: &std::path::Path, data: &std::path::Path) -> (Option<i32>, String) {
    let out = binary::ecolake_in(
        cwd,
        &[
            "admin",
            "verify-audit",
            "--data-dir",
            binary::path_str(data),
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn requests_downloads_and_failed_logins_are_audited_and_tampering_is_detected() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    let server = Server::start(cwd, &data, &[]);
    setup(&server);
    let login = server.request(
        "POST",
        "/api/v1/auth/login",
        None,
        Some((
            "application/json",
            r#"{"name": "nobody", "password": "wrong password"}"#,
        )),
    );
    assert_eq!(
        (login.status, login.json()["code"].as_str()),
        (401, Some("login_failed"))
    );
    let download = server.request(
        "GET",
        "/api/v1/observations?site=S_OPEN&format=csv",
        None,
        None,
    );
    assert_eq!(download.status, 200);
    let me = server.request("GET", "/api/v1/me", Some(ADMIN_TOKEN), None);
    assert_eq!(me.json()["role"], "admin");
    // The writer appends in batches: poll the log through the API until the requests show.
    let records = binary::poll_until(
        std::time::Duration::from_secs(20),
        "the requests reach the audit log",
        || {
            let a = server.request("GET", "/api/v1/audit?limit=1000", Some(ADMIN_TOKEN), None);
            let records = a.json()["records"].as_array().cloned().unwrap_or_default();
            let has = |kind: &str, key: &str| {
                records.iter().any(|r| {
                    r["kind"] == kind && r["key"].as_str().is_some_and(|k| k.contains(key))
                })
            };
            if has("login_failure", "nobody")
                && has("export", "/api/v1/observations")
                && has("request", "/api/v1/me")
                && has("change", "S_OPEN")
            {
                Ok(records)
            } else {
                Err(format!("{} records so far", records.len()))
            }
        },
    );
    let text = serde_json::to_string(&records).unwrap();
    assert!(!text.contains(ADMIN_TOKEN) && !text.contains("wrong password"));
    let export = records.iter().find(|r| r["kind"] == "export").unwrap();
    assert!(
        export["actor"].as_str().unwrap().starts_with("anonymous@"),
        "{export}"
    );
    server.stop();

    let (code, out) = verify_audit(cwd, &data);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("audit log intact"), "{out}");
    // Edit one request record in the database: the chain breaks at it.
    let db = data.join("registry.db");
    let edit = |sql: &str| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let url = format!("sqlite://{}", db.display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        })
    };
    edit("UPDATE audit_log SET actor = 'someone else' WHERE kind = 'export'");
    let (code, out) = verify_audit(cwd, &data);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("NOT intact"), "{out}");
    // Delete the newest records: the anchor written at shutdown names a record now missing.
    edit("DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 3 FROM audit_log)");
    let (code, out) = verify_audit(cwd, &data);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("deleted"), "{out}");
}

#[test]
fn tls_serves_https_and_hj212_over_tls_beside_plain_hj212() {
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    // A self-signed certificate for 127.0.0.1 (openssl, as an operator would make one).
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args([
            "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let server = Server::start(
        cwd,
        &data,
        &[
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
            "--hj212-tls",
            "127.0.0.1:0",
        ],
    );
    let curl = |url: &str| {
        std::process::Command::new("curl")
            .args(["-s", "-i", "--max-time", "10", "--cacert", "cert.pem", url])
            .current_dir(cwd)
            .output()
            .unwrap()
    };
    let https = curl(&format!("https://{}/health", server.http));
    let text = String::from_utf8_lossy(&https.stdout);
    assert!(
        https.status.success() && text.starts_with("HTTP/1.1 200"),
        "{text}"
    );
    assert!(
        text.to_lowercase()
            .contains("strict-transport-security: max-age="),
        "{text}"
    );
    // Plain HTTP to the TLS port gets no answer.
    let plain = curl(&format!("http://{}/health", server.http));
    assert!(!String::from_utf8_lossy(&plain.stdout).starts_with("HTTP/1.1 200"));
    // HJ 212 over TLS: the handshake verifies against the certificate.
    let tls = server
        .hj212_tls
        .clone()
        .expect("the TLS listener's address");
    let handshake = std::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &tls,
            "-CAfile",
            "cert.pem",
            "-verify_return_error",
        ])
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&handshake.stdout);
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    server.stop();
}
