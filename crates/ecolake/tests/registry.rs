//! `ecolake registry import|export` and the registry in `ecolake sql`, through the real binary:
//! the real station lists load with one command each, SQL joins observations with sites, bad
//! rows are reported by line with exit status 1 and nothing applied unless `--partial`, export →
//! import round-trips (device passwords only with `--with-secrets`), DCAT-AP renders, and the
//! same commands work on PostgreSQL with `--registry`.

mod binary;
#[path = "../../ecolake-registry/tests/support/mod.rs"]
mod support;

use std::path::Path;

use binary::{ecolake_in, path_str, sql_csv, stderr, success, workspace};
use serde_json::Value;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn beijing_stations() -> String {
    format!("{SHARED}/beijing_multisite_prsa/beijing_stations.csv")
}

fn cnemc_snapshot(hour: &str) -> String {
    format!("{SHARED}/cnemc/cnemc_national_realtime_{hour}.csv")
}

/// `ecolake sql --format csv QUERY` on DATA with the registry at `url` (or DATA's own).
fn sql_on(cwd: &Path, data: &Path, url: Option<&str>, query: &str) -> String {
    match url {
        None => sql_csv(cwd, data, query),
        Some(url) => success(&ecolake_in(
            cwd,
            &[
                "sql",
                "--data-dir",
                path_str(data),
                "--registry",
                url,
                "--format",
                "csv",
                query,
            ],
        )),
    }
}

/// Asserts that a run succeeded and its stderr ends with `text`.
fn succeeds_ending(out: &std::process::Output, text: &str) {
    success(out);
    let err = stderr(out);
    assert!(err.ends_with(text), "`{text}` does not end:\n{err}");
}

/// Asserts that a run exited with `code` and its stderr contains `text`.
fn fails_with(out: &std::process::Output, code: i32, text: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(text), "`{text}` not in:\n{err}");
}

/// Asserts that a run exited with `code` and its stderr starts with `text`.
fn fails_starting(out: &std::process::Output, code: i32, text: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.starts_with(text), "`{text}` does not start:\n{err}");
}

/// `ecolake registry ARGS… --data-dir DATA [--registry URL]`.
fn registry(cwd: &Path, data: &Path, url: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut all = vec!["registry"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--data-dir", path_str(data)]);
    if let Some(url) = url {
        all.extend_from_slice(&["--registry", url]);
    }
    ecolake_in(cwd, &all)
}

#[test]
fn the_beijing_stations_load_and_sql_joins_observations_with_them() {
    let ws = workspace(&[(
        "obs.csv",
        "time,site,factor,period,value\n\
         2024-05-01T00:00:00Z,1001A,a34004,hour,30\n\
         2024-05-01T01:00:00Z,1001A,a34004,hour,50\n\
         2024-05-01T00:00:00Z,1002A,a34004,hour,8\n\
         2024-05-01T00:00:00Z,9999Z,a34004,hour,99\n",
    )]);
    let data = ws.path().join("data");
    success(&ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "obs.csv"],
    ));
    // Before the registry exists, its tables are there and empty.
    assert_eq!(
        sql_csv(ws.path(), &data, "SELECT count(*) AS n FROM sites"),
        "n\n0\n"
    );
    let out = registry(
        ws.path(),
        &data,
        None,
        &[
            "import",
            "--kind",
            "sites",
            "--format",
            "beijing-stations",
            &beijing_stations(),
        ],
    );
    succeeds_ending(&out, "12 rows of sites, 12 applied\n");
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT s.code, s.name, s.name_en, s.lon, s.lat, s.level, avg(o.value) AS mean \
             FROM observations o JOIN sites s ON o.site = s.code \
             GROUP BY s.code, s.name, s.name_en, s.lon, s.lat, s.level ORDER BY s.code"
        ),
        "code,name,name_en,lon,lat,level,mean\n\
         1001A,万寿西宫,Wanshouxigong,116.3621,39.8784,national,40.0\n\
         1002A,定陵(对照点),Dingling,116.2202,40.2915,national,8.0\n"
    );
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT count(*) AS n, min(code) AS first, max(code) AS last FROM sites \
             WHERE medium = 'air'"
        ),
        "n,first,last\n12,1001A,1012A\n"
    );
}

#[test]
fn a_cnemc_snapshot_loads_its_stations_and_a_later_one_updates_them() {
    let ws = workspace(&[]);
    let data = ws.path().join("data");
    for hour in ["20170707T16", "20180220T07"] {
        let out = registry(
            ws.path(),
            &data,
            None,
            &[
                "import",
                "--kind",
                "sites",
                "--format",
                "cnemc",
                &cnemc_snapshot(hour),
            ],
        );
        succeeds_ending(&out, "1495 rows of sites, 1495 applied\n");
    }
    // 1,495 stations in each hour; 22 codes of 2017 are not in 2018's list, 22 others are new.
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT count(*) AS n, count(DISTINCT level) AS levels FROM sites"
        ),
        "n,levels\n1517,1\n"
    );
    // 1045A is only in 2017's list; 2427A was renamed by 2018 (the later load updates it).
    assert_eq!(
        sql_csv(
            ws.path(),
            &data,
            "SELECT code, name, lon, lat FROM sites WHERE code IN ('1001A', '1045A', '2427A') \
             ORDER BY code"
        ),
        "code,name,lon,lat\n1001A,万寿西宫,116.366,39.8673\n1045A,市政府,119.607,39.9358\n\
         2427A,团城山,115.0264,30.2099\n"
    );
    // A station list given as the wrong kind, or another file as a station list, is refused.
    let out = registry(
        ws.path(),
        &data,
        None,
        &[
            "import",
            "--kind",
            "devices",
            "--format",
            "cnemc",
            &cnemc_snapshot("20170707T16"),
        ],
    );
    fails_with(&out, 1, "as cnemc: format cnemc holds sites, not devices");
    let out = registry(
        ws.path(),
        &data,
        None,
        &[
            "import",
            "--kind",
            "sites",
            "--format",
            "cnemc",
            &beijing_stations(),
        ],
    );
    fails_with(
        &out,
        1,
        "not a CNEMC snapshot: the header lacks positionname",
    );
}

const SITES: &str = "code,name,medium,lon,lat\n\
S1,Site one,air,116.4,39.9\n\
S2,Site two,lava,116.4,39.9\n\
S3,Site three,air,200,39.9\n\
S1,Site one again,air,116.4,39.9\n";

#[test]
fn bad_rows_are_reported_by_line_and_nothing_is_applied_unless_partial() {
    let ws = workspace(&[("sites.csv", SITES)]);
    let data = ws.path().join("data");
    let out = registry(
        ws.path(),
        &data,
        None,
        &["import", "--kind", "sites", "sites.csv"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.starts_with(
            "sites.csv: 4 rows of sites, 0 applied; 3 refused, so nothing was applied \
             (--partial applies the good rows)\n  line 3: column `medium`: unknown variant `lava`"
        ),
        "{report}"
    );
    assert!(
        report.contains("\n  line 4: site S3: longitude 200"),
        "{report}"
    );
    assert!(
        report.contains("\n  line 5: sites S1: also on line 2"),
        "{report}"
    );
    assert_eq!(
        sql_csv(ws.path(), &data, "SELECT count(*) AS n FROM sites"),
        "n\n0\n"
    );

    let out = registry(
        ws.path(),
        &data,
        None,
        &["import", "--kind", "sites", "--partial", "sites.csv"],
    );
    fails_starting(
        &out,
        1,
        "sites.csv: 4 rows of sites, 1 applied, 3 refused\n",
    );
    assert_eq!(
        sql_csv(ws.path(), &data, "SELECT code FROM sites"),
        "code\nS1\n"
    );

    // Usage errors exit 2; a missing file names it.
    let out = registry(
        ws.path(),
        &data,
        None,
        &["import", "--kind", "stations", "sites.csv"],
    );
    fails_with(&out, 2, "kind `stations`: must be one of");
    let out = registry(
        ws.path(),
        &data,
        None,
        &["import", "--kind", "sites", "none.csv"],
    );
    fails_starting(&out, 1, "ecolake: reading none.csv: ");
}

const ENTERPRISE: &str = "credit_code,name\n91110000600001760P,某热电厂\n";
const OUTLET: &str = "code,enterprise,kind,factors\nDA001,91110000600001760P,air,a21026;a21002\n";
const DEVICE: &str = "mn,password,site\n010000A8900016F000169DC0,Pw-123456,DA001\n";

/// Loads an enterprise, its outlet and a device, then exports every kind as CSV and JSON, loads
/// those exports into a second registry (`into`) and checks its exports are the same bytes.
fn round_trip(cwd: &Path, from: (&Path, Option<&str>), into: (&Path, Option<&str>)) {
    for (kind, file) in [
        ("enterprises", "e.csv"),
        ("outlets", "o.csv"),
        ("devices", "d.csv"),
        ("sites", "s.csv"),
    ] {
        let args = ["import", "--kind", kind, "--partial", file];
        let out = registry(cwd, from.0, from.1, &args);
        // s.csv is the bad-row file: its good row lands with --partial.
        assert!(out.status.success() || kind == "sites", "{}", stderr(&out));
    }
    for format in ["csv", "json"] {
        for kind in ["sites", "enterprises", "outlets", "devices"] {
            let mut args = vec!["export", "--kind", kind, "--format", format];
            if kind == "devices" {
                args.push("--with-secrets");
            }
            let exported = success(&registry(cwd, from.0, from.1, &args));
            let file = cwd.join(format!("export-{kind}.{format}"));
            std::fs::write(&file, &exported).unwrap();
            let out = registry(
                cwd,
                into.0,
                into.1,
                &["import", "--kind", kind, path_str(&file)],
            );
            success(&out);
            let again = success(&registry(cwd, into.0, into.1, &args));
            assert_eq!(again, exported, "{kind} as {format}");
        }
    }
    // Without --with-secrets a device has no password column value; with it, the password.
    let plain = success(&registry(
        cwd,
        into.0,
        into.1,
        &["export", "--kind", "devices"],
    ));
    assert!(!plain.contains("Pw-123456"), "{plain}");
    let secret = success(&registry(
        cwd,
        into.0,
        into.1,
        &[
            "export",
            "--kind",
            "devices",
            "--with-secrets",
            "--format",
            "json",
        ],
    ));
    let rows: Value = serde_json::from_str(&secret).unwrap();
    assert_eq!(rows[0]["password"], "Pw-123456", "{secret}");
    // SQL never shows a password.
    let devices = sql_on(cwd, into.0, into.1, "SELECT * FROM devices");
    let header: Vec<&str> = devices.lines().next().unwrap().split(',').collect();
    assert!(
        header.contains(&"mn") && !header.contains(&"password"),
        "{devices}"
    );
    assert!(!devices.contains("Pw-123456") && devices.contains("010000A8900016F000169DC0"));
}

fn round_trip_files() -> tempfile::TempDir {
    workspace(&[
        ("e.csv", ENTERPRISE),
        ("o.csv", OUTLET),
        ("d.csv", DEVICE),
        ("s.csv", SITES),
    ])
}

#[test]
fn export_then_import_round_trips_on_sqlite() {
    let ws = round_trip_files();
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    round_trip(ws.path(), (&a, None), (&b, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_round_trips_on_postgresql() {
    let Some(admin) = support::Pg::server() else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)");
        }
        return;
    };
    let pg = support::Pg::create(admin, "cli_round_trip").await;
    let url = pg.url();
    let ws = round_trip_files();
    let (a, b) = (ws.path().join("a"), ws.path().join("b"));
    // SQLite → PostgreSQL, each with its own data directory (and key file).
    let cwd = ws.path().to_owned();
    let join = tokio::task::spawn_blocking(move || {
        round_trip(&cwd, (&a, None), (&b, Some(&url)));
        (
            sql_on(&cwd, &b, Some(&url), "SELECT code FROM sites"),
            // Without --registry, sql reads the data directory's own (here: none, so empty).
            sql_on(&cwd, &b, None, "SELECT count(*) AS n FROM sites"),
        )
    })
    .await;
    pg.drop_db().await;
    let (on_pg, local) = join.unwrap();
    assert_eq!(on_pg, "code\nS1\n");
    assert_eq!(local, "n\n0\n");
}

#[test]
fn the_catalog_exports_as_dcat_ap_and_its_datasets_are_views() {
    let ws = workspace(&[
        (
            "sites.csv",
            "code,name,medium,lon,lat\n1001A,万寿西宫,air,116.3621,39.8784\n",
        ),
        ("departments.csv", "code,name\nmc,Monitoring centre\n"),
        (
            "datasets.csv",
            "name,title,owner,source,sites,tier,licence\n\
             air_1001a,Hourly air quality at 1001A,mc,observations,1001A,open,CC-BY-4.0\n",
        ),
        (
            "obs.csv",
            "time,site,factor,period,value\n\
             2024-05-01T00:00:00Z,1001A,a34004,hour,30\n\
             2024-05-01T00:00:00Z,1002A,a34004,hour,8\n",
        ),
    ]);
    let data = ws.path().join("data");
    success(&ecolake_in(
        ws.path(),
        &["import", "--data-dir", path_str(&data), "obs.csv"],
    ));
    for kind in ["sites", "departments", "datasets"] {
        let file = format!("{kind}.csv");
        success(&registry(
            ws.path(),
            &data,
            None,
            &["import", "--kind", kind, &file],
        ));
    }
    let out = registry(
        ws.path(),
        &data,
        None,
        &["export", "--kind", "datasets", "--format", "dcat"],
    );
    assert_eq!(out.status.code(), Some(2), "--base-url is required");
    // Coverage from the lake: the view's one row, its time and its site's position.
    let covered = success(&registry(ws.path(), &data, None, &["coverage"]));
    assert_eq!(
        covered,
        "air_1001a\t1 rows\t2024-05-01T00:00:00Z … 2024-05-01T00:00:00Z\t\
         116.3621,39.8784,116.3621,39.8784\n"
    );
    let jsonld = success(&registry(
        ws.path(),
        &data,
        None,
        &[
            "export",
            "--kind",
            "datasets",
            "--format",
            "dcat",
            "--base-url",
            "https://data.example.org/",
        ],
    ));
    let doc: Value = serde_json::from_str(&jsonld).unwrap();
    let text = doc.to_string();
    assert_eq!(doc["@type"], "dcat:Catalog", "{text}");
    assert!(
        text.contains("air_1001a") && text.contains("Monitoring centre"),
        "{text}"
    );
    assert!(text.contains("https://data.example.org/"), "{text}");
    assert!(
        text.contains("dct:temporal") && text.contains("dct:spatial"),
        "{text}"
    );
    // The dataset is a view in SQL: only its site's observations.
    assert_eq!(
        sql_csv(ws.path(), &data, "SELECT site, value FROM air_1001a"),
        "site,value\n1001A,30.0\n"
    );
}
