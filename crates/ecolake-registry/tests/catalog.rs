//! The data resource catalog: datasets on both back ends (see `support`), the SQL of their views
//! (run on SQLite and PostgreSQL, parsed with DataFusion's parser) and their DCAT-AP JSON-LD.

mod support;

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use ecolake_registry::{
    dcat, BoundingBox, Coverage, Dataset, DatasetSource, DatasetTheme, Department, Registry,
    RegistryError, SharingTier, Site, SiteMedium, UpdateFrequency,
};
use serde_json::{json, Value};
use sqlx::{Connection, Row};
use support::on_both;

const BASE: &str = "https://eco.example.org";
const EU: &str = "http://publications.europa.eu/resource/authority";

fn emc() -> Department {
    Department {
        code: "bj-emc".into(),
        name: "北京市生态环境监测中心".into(),
        name_en: Some("Beijing Environmental Monitoring Center".into()),
    }
}

/// A department, two divisions and two sites to refer to.
async fn setup(registry: &Registry) {
    registry.put_department("loader", &emc()).await.unwrap();
    for (code, name) in [("110000", "北京市"), ("110101", "东城区")] {
        registry.put_division("loader", code, name).await.unwrap();
    }
    for code in ["1001A", "1003A"] {
        let mut s = Site::new(code, "站点", SiteMedium::Air, 116.4, 39.9);
        s.division = Some("110101".into());
        registry.put_site("loader", &s).await.unwrap();
    }
}

/// A dataset of bj-emc without filters or optional fields.
fn dataset(name: &str, title: &str, source: &str, tier: &str) -> Dataset {
    let (source, tier) = (source.parse().unwrap(), tier.parse().unwrap());
    Dataset::new(name, title, "bj-emc", source, tier)
}

/// Reads datasets from CSV.
fn read_csv(data: &[u8]) -> Result<Vec<Dataset>, csv::Error> {
    csv::Reader::from_reader(data).deserialize().collect()
}

fn air_hourly() -> Dataset {
    let mut d = dataset(
        "air_hourly",
        "北京市空气质量小时数据",
        "observations",
        "open",
    );
    d.title_en = Some("Beijing hourly air quality".into());
    d.description = Some("国控站点小时浓度".into());
    d.theme = Some(DatasetTheme::Air);
    d.sites = Some("1001A;1003A".into());
    d.factors = Some("a34004;a21026".into());
    d.periods = Some("hour".into());
    d.medium = Some(SiteMedium::Air);
    d.division = Some("110000".into());
    d.update_frequency = Some(UpdateFrequency::Hourly);
    d.licence = Some("CC-BY-4.0".into());
    d
}

fn sites_catalog() -> Dataset {
    let mut d = dataset("air_sites", "空气监测点位", "sites", "conditional");
    d.medium = Some(SiteMedium::Air);
    d.division = Some("110101".into());
    d
}

fn coverage() -> Coverage {
    Coverage {
        bbox: Some(BoundingBox {
            west: 116.2,
            south: 39.8,
            east: 116.5,
            north: 40.1,
        }),
        from_ms: Some(1_704_067_200_000),
        to_ms: Some(1_735_689_600_000),
        rows: 17_520,
        updated_ms: 1_735_700_000_000,
    }
}

/// The reason an entry was refused.
fn refused(result: Result<(), RegistryError>) -> String {
    match result {
        Err(RegistryError::Invalid(e)) => e,
        other => panic!("not refused: {other:?}"),
    }
}

fn dataset_log(log: &[ecolake_registry::AuditRecord]) -> Vec<&ecolake_registry::AuditRecord> {
    log.iter().filter(|r| r.entity == "datasets").collect()
}

#[tokio::test]
async fn datasets_are_stored_updated_and_audited() {
    on_both("datasets", |registry| async move {
        setup(&registry).await;
        for d in [air_hourly(), sites_catalog()] {
            registry.put_dataset("curator", &d).await.unwrap();
        }
        assert_eq!(
            registry.dataset("air_hourly").await.unwrap(),
            Some(air_hourly())
        );
        assert_eq!(registry.dataset("nothing").await.unwrap(), None);

        let mut changed = air_hourly();
        changed.title = "空气质量小时数据".into();
        changed.tier = SharingTier::Restricted;
        changed.sites = None;
        changed.licence = Some("https://example.org/licence".into());
        registry.put_dataset("analyst", &changed).await.unwrap();
        assert_eq!(
            registry.datasets().await.unwrap(),
            [changed.clone(), sites_catalog()]
        );
        assert_eq!(registry.datasets_visible_to_public().await.unwrap(), []);
        let mut open = sites_catalog();
        open.tier = SharingTier::Open;
        registry.put_dataset("analyst", &open).await.unwrap();
        assert_eq!(
            registry.datasets_visible_to_public().await.unwrap(),
            [open.clone()]
        );

        let log = registry.audit_log().await.unwrap();
        let log = dataset_log(&log);
        let what: Vec<_> = log
            .iter()
            .map(|r| (r.entity_key.as_str(), r.action.as_str(), r.actor.as_str()))
            .collect();
        assert_eq!(
            what,
            [
                ("air_hourly", "insert", "curator"),
                ("air_sites", "insert", "curator"),
                ("air_hourly", "update", "analyst"),
                ("air_sites", "update", "analyst"),
            ]
        );
        assert_eq!(log[0].before_json, None);
        let before: Dataset = serde_json::from_str(log[2].before_json.as_deref().unwrap()).unwrap();
        let after: Dataset = serde_json::from_str(log[2].after_json.as_deref().unwrap()).unwrap();
        assert_eq!((before, after), (air_hourly(), changed));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_datasets_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_datasets", |registry| async move {
        setup(&registry).await;
        let audited = registry.audit_log().await.unwrap().len();
        // Audit ids are gap-free from 1: the last change is the number of records.
        assert!(audited > 0);
        assert_eq!(registry.last_change().await.unwrap(), audited as i64);
        let air = |changes: &[(&str, &str)]| changed(air_hourly(), changes);
        let sites = |changes: &[(&str, &str)]| changed(sites_catalog(), changes);
        let long = "a".repeat(65);
        #[rustfmt::skip]
        let cases = [
            (air(&[("name", "Air")]), "dataset name `Air`: must be"),
            (air(&[("name", "1air")]), "starting with a letter"),
            (air(&[("name", "a-b")]), "dataset name `a-b`"),
            (air(&[("name", &long)]), "1 to 64"),
            (air(&[("name", "select")]), "SQL reserved word"),
            (air(&[("name", "sites")]), "the name of a table"),
            (air(&[("title", " ")]), "air_hourly: the title is empty"),
            (air(&[("owner", "nobody")]), "owner department `nobody` is not in the registry"),
            (air(&[("factors", "a34004;x99999")]), "air_hourly: factor `x99999` is neither"),
            (air(&[("periods", "hour;hourly")]), "period `hourly` is not one of rtd, min, hour,"),
            (air(&[("division", "120000")]), "air_hourly: division 120000 is not in the registry"),
            (air(&[("division", "1100")]), "division code `1100`"),
            (air(&[("sites", "1001A;9999A")]), "site `9999A` is neither a site nor an outlet"),
            (air(&[("sites", " ; ")]), "`sites` has no items"),
            (air(&[("sites", "a\\b")]), "site `a\\b`: must be at most 64 characters, without"),
            (sites(&[("factors", "a34004")]), "source sites has no `factors` filter"),
            (sites(&[("source", "enterprises")]), "source enterprises has no medium column"),
            (sites(&[("source", "permits")]), "source permits has no medium column"),
            (sites(&[("source", "outlets"), ("sites", "O1")]), "outlets has no `sites` filter"),
        ];
        for (dataset, reason) in cases {
            let e = refused(registry.put_dataset("curator", &dataset).await);
            assert!(e.contains(reason), "{reason}: {e}");
        }
        assert_eq!(registry.datasets().await.unwrap(), []);
        assert_eq!(registry.audit_log().await.unwrap().len(), audited);
        assert_eq!(
            registry.last_change().await.unwrap(),
            audited as i64,
            "nothing changed"
        );
        registry.close().await;
    })
    .await;
}

#[test]
fn unknown_tiers_media_and_themes_are_refused_when_read() {
    for (field, value, listed) in [
        ("tier", "secret", "conditional"),
        ("medium", "river", "surface_water"),
        ("theme", "weather", "pollution-source"),
        ("source", "devices", "permit_limits"),
        ("update_frequency", "fortnightly", "irregular"),
    ] {
        let mut v = serde_json::to_value(air_hourly()).unwrap();
        v[field] = Value::from(value);
        let e = serde_json::from_value::<Dataset>(v)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("unknown variant `{value}`")) && e.contains(listed),
            "{e}"
        );
    }
    let e = "secret".parse::<SharingTier>().unwrap_err();
    assert_eq!(
        e,
        "tier `secret`: must be one of open, conditional, restricted"
    );
    assert_eq!("hourly".parse(), Ok(UpdateFrequency::Hourly));
}

#[test]
fn datasets_round_trip_through_csv_and_read_with_the_minimal_columns() {
    let mut with_coverage = air_hourly();
    with_coverage.coverage_rows = Some(3);
    with_coverage.coverage_west = Some(116.25);
    let rows = [air_hourly(), sites_catalog(), with_coverage];
    let mut w = csv::Writer::from_writer(Vec::new());
    for d in &rows {
        w.serialize(d).unwrap();
    }
    let data = w.into_inner().unwrap();
    let text = String::from_utf8(data.clone()).unwrap();
    assert!(text.starts_with("name,title,title_en,description,description_en,owner,theme,"));
    assert_eq!(read_csv(&data).unwrap(), rows);

    let minimal = "name,title,owner,source,tier\nnoise,噪声,bj-emc,observations,open\n";
    let expected = dataset("noise", "噪声", "observations", "open");
    assert_eq!(read_csv(minimal.as_bytes()).unwrap(), [expected]);
    let bad = "name,title,owner,source,tier\nnoise,噪声,bj-emc,observations,secret\n";
    let e = read_csv(bad.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("secret"), "{e}");
}

#[tokio::test]
async fn coverage_is_updated_audited_and_kept_across_puts() {
    on_both("coverage", |registry| async move {
        setup(&registry).await;
        // Coverage given with a put is ignored.
        let mut given = air_hourly();
        given.coverage_rows = Some(99);
        given.coverage_north = Some(41.0);
        registry.put_dataset("curator", &given).await.unwrap();
        let stored = registry.dataset("air_hourly").await.unwrap().unwrap();
        assert_eq!(stored, air_hourly());
        assert_eq!(stored.coverage(), None);

        registry
            .update_dataset_coverage("lake", "air_hourly", &coverage())
            .await
            .unwrap();
        let covered = registry.dataset("air_hourly").await.unwrap().unwrap();
        assert_eq!(covered.coverage(), Some(coverage()));
        assert_eq!(covered.coverage_north, Some(40.1));
        assert_eq!(covered.coverage_rows, Some(17_520));

        // A later put changes the metadata, not the coverage.
        let mut retitled = given.clone();
        retitled.title = "新标题".into();
        retitled.coverage_rows = Some(1);
        retitled.coverage_west = None;
        registry.put_dataset("curator", &retitled).await.unwrap();
        let kept = registry.dataset("air_hourly").await.unwrap().unwrap();
        assert_eq!(kept.title, "新标题");
        assert_eq!(kept.coverage(), Some(coverage()));

        // An empty dataset: no box, no times.
        let empty = Coverage {
            bbox: None,
            from_ms: None,
            to_ms: None,
            rows: 0,
            updated_ms: 1_735_800_000_000,
        };
        registry
            .update_dataset_coverage("lake", "air_hourly", &empty)
            .await
            .unwrap();
        let d = registry.dataset("air_hourly").await.unwrap().unwrap();
        assert_eq!(d.coverage(), Some(empty));
        assert_eq!((d.bbox(), d.coverage_west), (None, None));

        let log = registry.audit_log().await.unwrap();
        let log = dataset_log(&log);
        let what: Vec<_> = log
            .iter()
            .map(|r| (r.action.as_str(), r.actor.as_str()))
            .collect();
        assert_eq!(
            what,
            [
                ("insert", "curator"),
                ("update", "lake"),
                ("update", "curator"),
                ("update", "lake")
            ]
        );
        let after: Dataset = serde_json::from_str(log[1].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after.coverage(), Some(coverage()));
        let before: Dataset = serde_json::from_str(log[1].before_json.as_deref().unwrap()).unwrap();
        assert_eq!(before.coverage(), None);

        // Refused: a missing dataset, a box out of range or inside out, times reversed.
        let (mut bad_lat, mut inside_out, mut reversed) = (coverage(), coverage(), coverage());
        bad_lat.bbox.as_mut().unwrap().north = 91.0;
        inside_out.bbox.as_mut().unwrap().west = 117.0;
        reversed.to_ms = Some(0);
        for (name, c, reason) in [
            ("nothing", coverage(), "dataset nothing: not in the catalog"),
            ("air_hourly", bad_lat, "coverage: latitude 91"),
            ("air_hourly", inside_out, "the box is inside out"),
            ("air_hourly", reversed, "is after to 0 ms"),
        ] {
            let e = refused(registry.update_dataset_coverage("lake", name, &c).await);
            assert!(e.contains(reason), "{reason}: {e}");
        }
        assert_eq!(
            registry
                .dataset("air_hourly")
                .await
                .unwrap()
                .unwrap()
                .coverage(),
            Some(empty)
        );
        assert_eq!(dataset_log(&registry.audit_log().await.unwrap()).len(), 4);
        registry.close().await;
    })
    .await;
}

/// `d` with fields changed as a JSON object would give them (`""` for none).
fn changed(d: Dataset, changes: &[(&str, &str)]) -> Dataset {
    let mut v = serde_json::to_value(d).unwrap();
    for (field, value) in changes {
        v[*field] = if value.is_empty() {
            Value::Null
        } else {
            Value::from(*value)
        };
    }
    serde_json::from_value(v).unwrap()
}

/// A dataset over `source` with the given filters (unchecked: view_sql must be safe anyway).
fn view(source: &str, filters: &[(&str, &str)]) -> Dataset {
    changed(dataset("v", "视图", source, "open"), filters)
}

#[test]
fn view_sql_has_one_condition_per_filter() {
    let obs = "SELECT * FROM observations WHERE";
    let sites = "site IN (SELECT code FROM sites WHERE";
    let enterprises = "enterprise IN (SELECT credit_code FROM enterprises WHERE";
    let outlets = format!("SELECT code FROM outlets WHERE {enterprises}");
    let hostile_division = "division = '11'' OR ''1''=''1'";
    #[rustfmt::skip]
    let cases = [
        (view("observations", &[]), "SELECT * FROM observations".to_owned()),
        (view("observations", &[("sites", "1001A; 1003A"), ("factors", "a34004"), ("periods", "hour;day")]),
            format!("{obs} site IN ('1001A', '1003A') AND factor IN ('a34004') AND period IN ('hour', 'day')")),
        (view("observations", &[("medium", "air")]), format!("{obs} {sites} medium = 'air')")),
        (view("observations", &[("medium", "outlet")]),
            format!("{obs} {sites} medium = 'outlet' UNION ALL SELECT code FROM outlets)")),
        (view("observations", &[("division", "110000")]),
            format!("{obs} {sites} division LIKE '11%' UNION ALL {outlets} division LIKE '11%'))")),
        (view("observations", &[("division", "110100"), ("medium", "surface_water")]),
            format!("{obs} {sites} medium = 'surface_water' AND division LIKE '1101%')")),
        (view("observations", &[("division", "110105")]),
            format!("{obs} {sites} division = '110105' UNION ALL {outlets} division = '110105'))")),
        (view("sites", &[("medium", "air"), ("division", "110000")]),
            "SELECT * FROM sites WHERE medium = 'air' AND division LIKE '11%'".to_owned()),
        (view("enterprises", &[("division", "120000")]),
            "SELECT * FROM enterprises WHERE division LIKE '12%'".to_owned()),
        (view("permits", &[("division", "110000")]),
            format!("SELECT * FROM permits WHERE {enterprises} division LIKE '11%')")),
        (view("permit_limits", &[("division", "110000")]),
            format!("SELECT * FROM permit_limits WHERE outlet IN ({outlets} division LIKE '11%'))")),
        // A filter the source cannot apply is still written, on a column it lacks: the view
        // fails rather than shows everything.
        (view("enterprises", &[("medium", "air")]),
            "SELECT * FROM enterprises WHERE medium = 'air'".to_owned()),
        // Hostile values stay inside their literals.
        (view("observations", &[("sites", "x') OR 1=1 --")]),
            format!("{obs} site IN ('x'') OR 1=1 --')")),
        (view("observations", &[("sites", "a\\' OR 1=1 --")]),
            format!("{obs} site IN (concat('a', chr(92), ''' OR 1=1 --'))")),
        (view("observations", &[("division", "11' OR '1'='1")]),
            format!("{obs} {sites} {hostile_division} UNION ALL {outlets} {hostile_division}))")),
    ];
    for (d, sql) in cases {
        assert_eq!(d.view_sql(), sql);
        // The condition alone is what follows `WHERE`.
        let source = format!("SELECT * FROM {}", d.source);
        match d.condition() {
            None => assert_eq!(sql, source),
            Some(c) => assert_eq!(sql, format!("{source} WHERE {c}")),
        }
    }
}

/// The value of a string literal expression of a view (`'…'`, or `concat` of those and `chr`).
fn literal(e: &sqlparser::ast::Expr) -> Option<String> {
    use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value as V};
    match e {
        Expr::Value(v) => match &v.value {
            V::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        Expr::Function(f) => {
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let args: Vec<&Expr> = list
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect::<Option<_>>()?;
            match (f.name.to_string().as_str(), &args[..]) {
                ("concat", args) => args.iter().map(|a| literal(a)).collect(),
                ("chr", [Expr::Value(v)]) => match &v.value {
                    V::Number(n, _) => char::from_u32(n.parse().ok()?).map(String::from),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

#[test]
fn hostile_values_cannot_break_out_of_their_literals() {
    use sqlparser::ast::{visit_expressions, BinaryOperator, Expr};
    use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
    let hostile = [
        "x') OR 1=1 --",
        "a\\' OR 1=1 --",
        "\\",
        "it''s",
        "a\\\\'b",
        "'",
        "/* c */' OR 'a'='a",
        "x\n') OR (1=1",
        "DROP TABLE sites",
    ];
    let dialects: [&dyn Dialect; 3] = [&GenericDialect {}, &MySqlDialect {}, &PostgreSqlDialect {}];
    for value in hostile {
        let filters = [("sites", value), ("factors", value), ("periods", value)];
        let d = view("observations", &filters);
        let sql = d.view_sql();
        for dialect in dialects {
            let statements = sqlparser::parser::Parser::parse_sql(dialect, &sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            assert_eq!(statements.len(), 1, "{sql}");
            let mut lists = Vec::new();
            let mut columns = BTreeSet::new();
            let _ = visit_expressions(&statements, |e| {
                match e {
                    Expr::InList { expr, list, .. } => {
                        lists.push(list.iter().map(literal).collect::<Vec<_>>());
                        if let Expr::Identifier(i) = &**expr {
                            columns.insert(i.value.clone());
                        }
                    }
                    Expr::BinaryOp { op, .. } => assert_eq!(*op, BinaryOperator::And, "{sql}"),
                    _ => {}
                }
                ControlFlow::<()>::Continue(())
            });
            let expected = [Some(value.to_owned())];
            assert_eq!(lists, [&expected[..]; 3], "{dialect:?}: {sql}");
            assert_eq!(
                columns,
                BTreeSet::from(["factor", "period", "site"].map(String::from))
            );
        }
    }
}

/// The view of each dataset, run on a database with a few sites, outlets and observations: the
/// codes it returns.
async fn run_views(url: &str) {
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(url).await.unwrap();
    const HOSTILE: &str = "x') OR 1=1 --";
    for ddl in [
        "CREATE TEMP TABLE sites (code TEXT, medium TEXT, division TEXT)",
        "CREATE TEMP TABLE enterprises (credit_code TEXT, division TEXT)",
        "CREATE TEMP TABLE outlets (code TEXT, enterprise TEXT)",
        "CREATE TEMP TABLE permits (number TEXT, enterprise TEXT)",
        "CREATE TEMP TABLE permit_limits (permit TEXT, outlet TEXT, factor TEXT)",
        "CREATE TEMP TABLE observations (site TEXT, factor TEXT, period TEXT)",
        "INSERT INTO enterprises VALUES ('E1', '110105'), ('E2', '120101')",
        "INSERT INTO outlets VALUES ('O1', 'E1'), ('O2', 'E2')",
        "INSERT INTO permits VALUES ('P1', 'E1'), ('P2', 'E2')",
        "INSERT INTO permit_limits VALUES ('P1', 'O1', 'a21026'), ('P2', 'O2', 'a21026')",
    ] {
        sqlx::query(ddl).execute(&mut db).await.unwrap();
    }
    let sites = [
        ("1001A", "air", "110101"),
        ("1003A", "air", "110105"),
        ("T01", "air", "120101"),
        ("W01", "surface_water", "110101"),
        ("S01", "outlet", "110101"),
        (HOSTILE, "air", "130000"),
    ];
    for (code, medium, division) in sites {
        sqlx::query("INSERT INTO sites VALUES ($1, $2, $3)")
            .bind(code)
            .bind(medium)
            .bind(division)
            .execute(&mut db)
            .await
            .unwrap();
    }
    for sql in [
        "CREATE TEMP TABLE samples (factor TEXT, period TEXT)",
        "INSERT INTO samples VALUES ('a34004', 'hour'), ('a34004', 'day'), ('a21026', 'hour')",
        "INSERT INTO observations SELECT c.code, s.factor, s.period \
         FROM (SELECT code FROM sites UNION ALL SELECT code FROM outlets) c, samples s",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let all = ["1001A", "1003A", "O1", "O2", "S01", "T01", "W01", HOSTILE];
    let obs = "observations";
    #[rustfmt::skip]
    let cases: Vec<(Dataset, &str, usize, &[&str])> = vec![
        (view(obs, &[]), "site", 24, &all),
        (view(obs, &[("sites", "1001A;O2")]), "site", 6, &["1001A", "O2"]),
        (view(obs, &[("factors", "a34004"), ("periods", "hour")]), "site", 8, &all),
        (view(obs, &[("medium", "air")]), "site", 12, &["1001A", "1003A", "T01", HOSTILE]),
        (view(obs, &[("medium", "outlet")]), "site", 9, &["O1", "O2", "S01"]),
        (view(obs, &[("division", "110000")]), "site", 15, &["1001A", "1003A", "O1", "S01", "W01"]),
        (view(obs, &[("division", "120100")]), "site", 6, &["O2", "T01"]),
        (view(obs, &[("division", "110105")]), "site", 6, &["1003A", "O1"]),
        (view(obs, &[("medium", "air"), ("division", "110000")]), "site", 6, &["1001A", "1003A"]),
        (view(obs, &[("medium", "outlet"), ("division", "110000")]), "site", 6, &["O1", "S01"]),
        (view(obs, &[("sites", HOSTILE)]), "site", 3, &[HOSTILE]),
        (view(obs, &[("sites", "nope') OR ('1'='1")]), "site", 0, &[]),
        (view(obs, &[("factors", "a34004' OR '1'='1")]), "site", 0, &[]),
        (view(obs, &[("division", "11' OR '1'='1")]), "site", 0, &[]),
        (view("sites", &[("medium", "air"), ("division", "110000")]), "code", 2, &["1001A", "1003A"]),
        (view("enterprises", &[("division", "120000")]), "credit_code", 1, &["E2"]),
        (view("outlets", &[("division", "110000")]), "code", 1, &["O1"]),
        (view("permits", &[("division", "120000")]), "number", 1, &["P2"]),
        (view("permit_limits", &[("division", "110000")]), "outlet", 1, &["O1"]),
    ];
    for (d, column, rows, expected) in cases {
        let sql = d.view_sql();
        let got = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{url}: {sql}: {e}"));
        let got_codes: BTreeSet<String> = got.iter().map(|r| r.get::<String, _>(column)).collect();
        let expected: BTreeSet<String> = expected.iter().map(|c| c.to_string()).collect();
        assert_eq!((got.len(), got_codes), (rows, expected), "{url}: {sql}");
    }
    // A filter the source lacks fails instead of showing everything.
    let refused = view("enterprises", &[("medium", "air")]).view_sql();
    assert!(sqlx::query(sqlx::AssertSqlSafe(refused))
        .fetch_all(&mut db)
        .await
        .is_err());
    db.close().await.unwrap();
}

#[tokio::test]
async fn views_select_what_their_filters_say_on_both_databases() {
    run_views("sqlite::memory:").await;
    match std::env::var("ECOLAKE_TEST_POSTGRES") {
        // Temporary tables: private to the connection, gone when it closes.
        Ok(v) => {
            run_views(if v == "1" {
                "postgres://postgres@127.0.0.1:5432/test"
            } else {
                &v
            })
            .await
        }
        #[allow(clippy::print_stderr)]
        Err(_) => eprintln!("views: PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)"),
    }
}

/// Every term (key) and every `@type` of `v` is a prefixed name whose prefix `context` declares.
fn assert_declared_prefixes(v: &Value, context: &serde_json::Map<String, Value>) {
    let declared = |name: &str| {
        let (prefix, local) = name
            .split_once(':')
            .unwrap_or_else(|| panic!("`{name}` is not a prefixed name"));
        assert!(
            !local.starts_with("//"),
            "`{name}` is a full IRI, not a term"
        );
        assert!(
            context.contains_key(prefix),
            "prefix `{prefix}` of `{name}` is not declared"
        );
    };
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "@context" {
                    continue;
                }
                if !key.starts_with('@') {
                    declared(key);
                }
                if key == "@type" {
                    match value {
                        Value::String(t) => declared(t),
                        Value::Array(ts) => ts.iter().for_each(|t| declared(t.as_str().unwrap())),
                        other => panic!("@type {other}"),
                    }
                }
                assert_declared_prefixes(value, context);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| assert_declared_prefixes(i, context)),
        _ => {}
    }
}

#[tokio::test]
async fn the_catalog_renders_as_dcat_ap_json_ld() {
    on_both("dcat", |registry| async move {
        setup(&registry).await;
        for d in [air_hourly(), sites_catalog()] {
            registry.put_dataset("curator", &d).await.unwrap();
        }
        let mut secret = sites_catalog();
        secret.name = "enterprise_register".into();
        secret.source = DatasetSource::Enterprises;
        secret.medium = None;
        secret.tier = SharingTier::Restricted;
        secret.theme = Some(DatasetTheme::Other);
        secret.licence = Some("内部使用".into());
        registry.put_dataset("curator", &secret).await.unwrap();
        registry
            .update_dataset_coverage("lake", "air_hourly", &coverage())
            .await
            .unwrap();
        let datasets = registry.datasets().await.unwrap();
        let departments = registry.departments().await.unwrap();
        let doc = dcat::catalog_jsonld(&datasets, &departments, "https://eco.example.org/");

        // It is JSON, with an inline context (no remote one) and only declared prefixes.
        let reparsed: Value = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(reparsed, doc);
        let context = doc["@context"]
            .as_object()
            .expect("an inline @context object");
        for prefix in ["dcat", "dct", "foaf", "xsd", "locn", "vcard", "adms"] {
            assert!(
                context[prefix].as_str().unwrap().starts_with("http://"),
                "{prefix}"
            );
        }
        assert_declared_prefixes(&doc, context);
        assert_eq!(doc["@type"], "dcat:Catalog");

        let entries = doc["dcat:dataset"].as_array().unwrap();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["dct:identifier"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["air_hourly", "air_sites", "enterprise_register"]);
        let sql = format!("{BASE}/api/v1/sql");
        for (entry, d) in entries.iter().zip(&datasets) {
            let name = &d.name;
            assert_eq!(entry["@type"], "dcat:Dataset");
            assert_eq!(entry["@id"], format!("{BASE}/api/v1/datasets/{name}"));
            let zh = entry["dct:title"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["@language"] == "zh")
                .expect("a Chinese title");
            assert_eq!(zh["@value"], d.title.as_str());
            let access = match d.tier {
                SharingTier::Open => "PUBLIC",
                SharingTier::Conditional => "RESTRICTED",
                SharingTier::Restricted => "NON_PUBLIC",
            };
            assert_eq!(
                entry["dct:accessRights"]["@id"],
                format!("{EU}/access-right/{access}")
            );
            assert_eq!(entry["dct:publisher"]["foaf:name"][0]["@value"], emc().name);
            let distributions = entry["dcat:distribution"].as_array().unwrap();
            let formats = [
                ("csv", "CSV", "text/csv"),
                ("json", "JSON", "application/json"),
                ("parquet", "PARQUET", "application/vnd.apache.parquet"),
            ];
            assert_eq!(distributions.len(), formats.len());
            for (dist, (param, file_type, media)) in distributions.iter().zip(formats) {
                let url = format!("{BASE}/api/v1/observations?dataset={name}&format={param}");
                assert_eq!(dist["@type"], "dcat:Distribution");
                assert_eq!(dist["dcat:accessURL"]["@id"], url);
                assert_eq!(dist["dcat:downloadURL"]["@id"], url);
                assert_eq!(
                    dist["dct:format"]["@id"],
                    format!("{EU}/file-type/{file_type}")
                );
                assert_eq!(
                    dist["dcat:mediaType"]["@id"],
                    format!("https://www.iana.org/assignments/media-types/{media}")
                );
                assert_eq!(dist["dcat:accessService"]["@id"], sql);
                assert_eq!(dist["dcat:accessService"]["dcat:endpointURL"]["@id"], sql);
            }
            // Coverage only where the lake reported it.
            let covered = d.name == "air_hourly";
            assert_eq!(entry.get("dct:spatial").is_some(), covered, "{name}");
            assert_eq!(entry.get("dct:temporal").is_some(), covered, "{name}");
            assert_eq!(entry.get("dct:modified").is_some(), covered, "{name}");
        }

        let air = &entries[0];
        let expected = json!({
            "dct:spatial": {
                "@type": "dct:Location",
                "dcat:bbox": {
                    "@value": "POLYGON((116.2 39.8, 116.5 39.8, 116.5 40.1, 116.2 40.1, 116.2 39.8))",
                    "@type": "gsp:wktLiteral",
                },
            },
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": "2024-01-01T00:00:00Z", "@type": "xsd:dateTime"},
                "dcat:endDate": {"@value": "2025-01-01T00:00:00Z", "@type": "xsd:dateTime"},
            },
            "dct:modified": {"@value": "2025-01-01T02:53:20Z", "@type": "xsd:dateTime"},
            "dct:title": [
                {"@value": "北京市空气质量小时数据", "@language": "zh"},
                {"@value": "Beijing hourly air quality", "@language": "en"},
            ],
            "dct:description": [{"@value": "国控站点小时浓度", "@language": "zh"}],
            "dcat:theme": {"@id": format!("{EU}/data-theme/ENVI")},
            "dcat:keyword": "air",
            "dct:accrualPeriodicity": {"@id": format!("{EU}/frequency/HOURLY")},
            "dct:license": {
                "@id": "https://spdx.org/licenses/CC-BY-4.0",
                "@type": "dct:LicenseDocument",
                "dct:identifier": "CC-BY-4.0",
            },
        });
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&air[key], value, "{key}");
        }
        let other = &entries[2];
        assert!(other.get("dcat:theme").is_none());
        assert!(other.get("dct:accrualPeriodicity").is_none());
        assert_eq!(other["dct:license"]["dct:title"], "内部使用");
        // No description given: the title stands in (DCAT-AP requires one).
        assert_eq!(other["dct:description"], other["dct:title"]);

        // One dataset alone, with its context; a publisher missing from the departments is named
        // by its code.
        let alone = dcat::dataset_jsonld(&datasets[1], &[], BASE);
        assert_declared_prefixes(&alone, alone["@context"].as_object().unwrap());
        assert_eq!(alone["dct:publisher"]["foaf:name"][0]["@value"], "bj-emc");
        registry.close().await;
    })
    .await;
}
