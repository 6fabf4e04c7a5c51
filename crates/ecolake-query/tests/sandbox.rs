//! The SQL sandbox: a caller restricted to site `A` never sees a row of site `B` — through
//! `observations`, `observations_history`, joins, subqueries or dataset views, whether the
//! rows sit in flushed files, revised (dirty) partitions or the memtable — and every attempt
//! to reach something else (internal tables, qualified names, files, `information_schema`,
//! table functions, DDL, DML, `COPY`, `SET`, `EXPLAIN`, several statements) is refused with
//! its error kind. Also the row limit, the time limit and the memory limit of the stream.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{
    Array, ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use ecolake_query::sandbox::{limited_stream, plan_sandboxed, runtime, sandbox_session, Sandbox};
use ecolake_query::{QueryConfig, SandboxError};
use ecolake_registry::{Registry, Site, SiteMedium, SqlView};
use ecolake_store::{Store, StoreConfig};
use futures::StreamExt;

const HOUR: i64 = 3_600_000;
/// 2024-01-01T00:00:00Z.
const START: i64 = 1_704_067_200_000;
const HOURS: i64 = 48;
const REVISED: i64 = 6;

type Row = (i64, &'static str, &'static str, &'static str, f64);

fn batch(rows: &[Row]) -> RecordBatch {
    let text = |f: &dyn Fn(&Row) -> &'static str| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    RecordBatch::try_from_iter([
        (
            "time",
            Arc::new(
                TimestampMillisecondArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                    .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("site", text(&|r| r.1)),
        ("factor", text(&|r| r.2)),
        ("period", text(&|r| r.3)),
        (
            "value",
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

/// Sites `A` (values below 1000) and `B` (1000 and above): 48 hours of two factors, flushed;
/// then the first 6 hours revised and a daily value of `B`, not flushed (memtable, dirty
/// partitions, history).
async fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, StoreConfig::default()).await.unwrap();
    let mut rows = Vec::new();
    for (site, base) in [("A", 0.0), ("B", 1000.0)] {
        for factor in ["a34004", "a21026"] {
            for h in 0..HOURS {
                rows.push((START + h * HOUR, site, factor, "hour", base + h as f64));
            }
        }
    }
    store.write(&batch(&rows)).await.unwrap();
    store.flush().await.unwrap();
    let mut revised = Vec::new();
    for (site, base) in [("A", 500.0), ("B", 5000.0)] {
        for factor in ["a34004", "a21026"] {
            for h in 0..REVISED {
                revised.push((START + h * HOUR, site, factor, "hour", base + h as f64));
            }
        }
    }
    revised.push((START, "B", "a34004", "day", 9999.0));
    store.write(&batch(&revised)).await.unwrap();
    store
}

async fn registry(dir: &std::path::Path) -> Registry {
    let registry = Registry::open_in(dir).await.unwrap();
    for code in ["A", "B"] {
        let site = Site::new(code, code, SiteMedium::Air, 116.0, 39.9);
        registry.put_site("test", &site).await.unwrap();
    }
    registry
}

/// A sandbox that may read site `A`, with the registry's tables and two dataset views.
async fn session_for_a(store: &Store, registry: &Registry, memory: usize) -> SessionContext {
    let sandbox = Sandbox {
        rows: Some("site = 'A'".into()),
        tables: registry.sql_tables().await.unwrap(),
        views: vec![
            SqlView {
                name: "air_pm25".into(),
                sql: "SELECT * FROM observations WHERE factor = 'a34004' \
                      AND site IN (SELECT code FROM sites WHERE medium = 'air')"
                    .into(),
            },
            SqlView {
                name: "broken".into(),
                sql: "SELECT * FROM no_such_table".into(),
            },
        ],
    };
    let runtime = runtime(&QueryConfig {
        memory_limit: memory,
    })
    .unwrap();
    sandbox_session(&store.snapshot(), runtime, &sandbox)
        .await
        .unwrap()
}

/// Runs `sql` in the sandbox: its batches, or the first error.
async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, SandboxError> {
    let df = plan_sandboxed(ctx, sql).await?;
    let mut stream = limited_stream(df, 1_000_000, Duration::from_secs(60));
    let mut out = Vec::new();
    while let Some(batch) = stream.next().await {
        out.push(batch?);
    }
    Ok(out)
}

/// Every value of column `i`, as text.
fn column(batches: &[RecordBatch], i: usize) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let c = cast(b.column(i), &DataType::Utf8).unwrap();
        let c = c.as_any().downcast_ref::<StringArray>().unwrap();
        out.extend((0..c.len()).map(|r| c.value(r).to_owned()));
    }
    out
}

fn one(batches: &[RecordBatch]) -> String {
    let values = column(batches, 0);
    assert_eq!(values.len(), 1, "{values:?}");
    values[0].clone()
}

#[tokio::test]
async fn rows_outside_the_predicate_never_appear() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let registry = registry(&dir.path().join("registry")).await;
    let ctx = session_for_a(&store, &registry, 1 << 30).await;

    // Every path to the rows: each must show only A (values below 1000).
    let hidden = |batches: &[RecordBatch]| {
        column(batches, 0)
            .iter()
            .any(|v| v.contains('B') || v.parse::<f64>().is_ok_and(|x| x >= 1000.0))
    };
    for sql in [
        "SELECT DISTINCT site FROM observations",
        "SELECT DISTINCT site FROM observations_history",
        "SELECT value FROM observations",
        "SELECT value FROM observations_history",
        "SELECT DISTINCT site FROM observations WHERE site = 'B' OR site <> 'A' OR true",
        "SELECT max(value) FROM observations_history WHERE period = 'day'",
        "SELECT o.site FROM sites s LEFT JOIN observations o ON o.site = s.code",
        "SELECT value FROM observations o JOIN sites s ON s.code = o.site WHERE s.code = 'B'",
        "SELECT value FROM observations WHERE site IN (SELECT code FROM sites)",
        "SELECT (SELECT max(value) FROM observations_history)",
        "SELECT value FROM air_pm25",
        "SELECT DISTINCT site FROM air_pm25",
        "WITH x AS (SELECT * FROM observations_history) SELECT value FROM x",
        "SELECT value FROM (SELECT * FROM observations UNION ALL SELECT * FROM air_pm25) t",
        "SELECT value FROM observations ORDER BY value DESC LIMIT 3",
    ] {
        let batches = run(&ctx, sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(
            !hidden(&batches),
            "{sql} shows B: {:?}",
            column(&batches, 0)
        );
    }

    // What A has: 96 current values (6 revised: 500 + h), 108 versions.
    let count = |sql: &'static str| {
        let ctx = &ctx;
        async move { one(&run(ctx, sql).await.unwrap()) }
    };
    assert_eq!(count("SELECT count(*) FROM observations").await, "96");
    assert_eq!(
        count("SELECT count(*) FROM observations_history").await,
        "108"
    );
    assert_eq!(
        count("SELECT count(*) FROM observations WHERE value >= 500").await,
        "12"
    );
    assert_eq!(count("SELECT count(*) FROM air_pm25").await, "48");
    // The registry tables are as given: both sites.
    assert_eq!(count("SELECT count(*) FROM sites").await, "2");
}

#[tokio::test]
async fn failing_filters_are_not_evaluated_on_hidden_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let registry = registry(&dir.path().join("registry")).await;
    let ctx = session_for_a(&store, &registry, 1 << 30).await;
    // Each fails on a row of B (a cast of 'x' to an integer) and not on A's rows: had it been
    // evaluated on B's rows, the error would tell that B has rows.
    let oracle = "CAST(CASE WHEN site = 'B' THEN 'x' ELSE '1' END AS INT) = 1";
    for (sql, want) in [
        (
            format!("SELECT count(*) FROM observations WHERE {oracle}"),
            "96",
        ),
        (
            format!("SELECT count(*) FROM observations_history WHERE {oracle}"),
            "108",
        ),
        (
            format!("SELECT count(*) FROM observations WHERE factor = 'a34004' AND {oracle}"),
            "48",
        ),
        (
            format!("SELECT count(*) FROM air_pm25 WHERE {oracle}"),
            "48",
        ),
        (
            "SELECT count(*) FROM observations o JOIN sites s ON s.code = o.site \
             AND CAST(CASE WHEN o.site = 'B' THEN 'x' ELSE '1' END AS INT) = 1"
                .to_owned(),
            "96",
        ),
        (
            "SELECT count(*) FROM observations WHERE seq - 1000000 < 0 OR true".to_owned(),
            "96",
        ),
    ] {
        let got = run(&ctx, &sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(one(&got), want, "{sql}");
    }
}

#[tokio::test]
async fn safe_filters_reach_the_parquet_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    store.flush().await.unwrap();
    store.compact().await.unwrap();
    let registry = registry(&dir.path().join("registry")).await;
    let ctx = session_for_a(&store, &registry, 1 << 30).await;
    let df = plan_sandboxed(
        &ctx,
        "SELECT value FROM observations WHERE factor = 'a21026' \
         AND time >= TIMESTAMP '2024-01-02 00:00:00'",
    )
    .await
    .unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let text = datafusion::physical_plan::displayable(plan.as_ref())
        .indent(true)
        .to_string();
    let scans: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("DataSourceExec") && l.contains("parquet"))
        .collect();
    assert!(!scans.is_empty(), "{text}");
    for scan in scans {
        assert!(
            scan.contains("predicate=site@1 = A AND factor@2 = a21026 AND time@0 >="),
            "the filters and the row predicate are pushed into the scan: {text}"
        );
    }
}

/// The kind of a refusal, as the cases above name it.
fn kind(e: &SandboxError) -> &'static str {
    match e {
        SandboxError::Invalid(_) => "invalid_sql",
        SandboxError::Forbidden { .. } => "sql_forbidden",
        SandboxError::NotAQuery { .. } => "sql_not_a_query",
        SandboxError::RowLimit { .. } => "sql_row_limit",
        SandboxError::Timeout { .. } => "sql_timeout",
        SandboxError::Resources(_) => "sql_resources_exhausted",
        SandboxError::Internal(_) => "internal",
    }
}

fn forbidden(table: &str) -> SandboxError {
    SandboxError::Forbidden {
        table: table.into(),
    }
}

fn not_a_query(statement: &str) -> SandboxError {
    SandboxError::NotAQuery {
        statement: statement.into(),
    }
}

#[tokio::test]
async fn escapes_are_refused_with_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let registry = registry(&dir.path().join("registry")).await;
    let ctx = session_for_a(&store, &registry, 1 << 30).await;
    let cases: Vec<(&str, SandboxError)> = vec![
        ("SELECT * FROM _lake_clean", forbidden("_lake_clean")),
        ("SELECT * FROM \"_lake_dirty\"", forbidden("_lake_dirty")),
        ("SELECT * FROM _lake_history", forbidden("_lake_history")),
        ("select * from _MEMTABLE", forbidden("_memtable")),
        ("SELECT * FROM \"Observations\"", forbidden("Observations")),
        ("SELECT * FROM public.observations", forbidden("public.observations")),
        (
            "SELECT * FROM datafusion.public._lake_clean",
            forbidden("datafusion.public._lake_clean"),
        ),
        (
            "WITH x AS (SELECT * FROM _lake_clean) SELECT * FROM x",
            forbidden("_lake_clean"),
        ),
        (
            "WITH observations AS (SELECT * FROM _lake_history) SELECT * FROM observations",
            forbidden("_lake_history"),
        ),
        (
            "SELECT * FROM observations WHERE seq IN (SELECT seq FROM _lake_dirty)",
            forbidden("_lake_dirty"),
        ),
        ("SELECT (SELECT count(*) FROM _memtable)", forbidden("_memtable")),
        (
            "SELECT * FROM (SELECT * FROM (SELECT * FROM _lake_clean) a) b",
            forbidden("_lake_clean"),
        ),
        (
            "SELECT * FROM observations o WHERE EXISTS (SELECT 1 FROM _lake_history h WHERE h.seq = o.seq)",
            forbidden("_lake_history"),
        ),
        ("SELECT * FROM information_schema.tables", forbidden("information_schema.tables")),
        ("SELECT * FROM information_schema.views", forbidden("information_schema.views")),
        ("SELECT * FROM information_schema.df_settings", forbidden("information_schema.df_settings")),
        ("SELECT * FROM '/etc/passwd'", forbidden("/etc/passwd")),
        ("SELECT * FROM 'file:///etc/passwd'", forbidden("file:///etc/passwd")),
        ("SELECT * FROM read_parquet('/etc/passwd')", forbidden("read_parquet(…)")),
        ("SELECT * FROM read_csv('/etc/passwd')", forbidden("read_csv(…)")),
        ("SELECT * FROM broken", forbidden("broken")),
        ("SELECT * FROM no_such_table", forbidden("no_such_table")),
        ("COPY (SELECT * FROM observations) TO '/tmp/out.csv'", not_a_query("COPY")),
        ("COPY observations TO '/tmp/out.parquet'", not_a_query("COPY")),
        ("CREATE TABLE t AS SELECT * FROM observations", not_a_query("CREATE TABLE")),
        (
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
            not_a_query("CREATE EXTERNAL TABLE"),
        ),
        ("CREATE VIEW v AS SELECT * FROM _lake_clean", not_a_query("CREATE VIEW")),
        ("CREATE OR REPLACE VIEW observations AS SELECT * FROM _lake_clean", not_a_query("CREATE VIEW")),
        ("DROP TABLE observations", not_a_query("DROP TABLE")),
        ("DROP VIEW air_pm25", not_a_query("DROP VIEW")),
        ("INSERT INTO sites SELECT * FROM sites", not_a_query("INSERT")),
        ("DELETE FROM sites", not_a_query("DELETE")),
        ("UPDATE sites SET name = 'x'", not_a_query("UPDATE")),
        ("SET datafusion.execution.target_partitions = 1", not_a_query("SET")),
        ("RESET datafusion.execution.target_partitions", not_a_query("RESET")),
        ("SHOW TABLES", not_a_query("SHOW TABLES")),
        ("SHOW ALL", not_a_query("SHOW ALL")),
        ("DESCRIBE observations", not_a_query("DESCRIBE")),
        ("EXPLAIN SELECT * FROM observations", not_a_query("EXPLAIN")),
        ("EXPLAIN ANALYZE SELECT * FROM observations", not_a_query("EXPLAIN")),
        ("PREPARE p AS SELECT 1", not_a_query("PREPARE")),
        ("SELECT * INTO t FROM observations", not_a_query("CREATE MEMORY TABLE")),
    ];
    for (sql, want) in cases {
        let got = run(&ctx, sql).await.err();
        assert_eq!(got.as_ref(), Some(&want), "{sql}: {got:?}");
    }
    // Kinds that carry a message.
    for (sql, code) in [
        ("SELECT 1; SELECT 2", "invalid_sql"),
        ("SELECT 1; DROP TABLE observations", "invalid_sql"),
        ("", "invalid_sql"),
        ("SELEC 1", "invalid_sql"),
        ("SELECT no_such_column FROM observations", "invalid_sql"),
        ("SELECT no_such_function(1)", "invalid_sql"),
        ("SELECT CAST('x' AS INT)", "invalid_sql"),
        (
            "SELECT * FROM TABLE(generate_series(1, 3))",
            "sql_forbidden",
        ),
        (
            "SELECT * FROM observations, LATERAL (SELECT * FROM _lake_clean) x",
            "sql_forbidden",
        ),
    ] {
        let got = run(&ctx, sql).await.err();
        assert_eq!(got.as_ref().map(kind), Some(code), "{sql}: {got:?}");
    }
    // Allowed: the harmless table functions, recursive CTEs, VALUES, the UDFs.
    for (sql, want) in [
        ("SELECT count(*) FROM generate_series(1, 3)", "3"),
        ("SELECT count(*) FROM range(5)", "5"),
        (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) \
             SELECT count(*) FROM r",
            "5",
        ),
        ("SELECT count(*) FROM (VALUES (1), (2)) t(x)", "2"),
        ("VALUES (42)", "42"),
        ("SELECT aqi_level(75)", "2"),
        (
            "WITH _lake_clean AS (SELECT 7 AS x) SELECT x FROM _lake_clean",
            "7",
        ),
    ] {
        let got = run(&ctx, sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(one(&got), want, "{sql}");
    }
    // Nothing was created or changed.
    assert_eq!(
        one(&run(&ctx, "SELECT count(*) FROM observations")
            .await
            .unwrap()),
        "96"
    );
}

#[tokio::test]
async fn only_sandbox_sessions_are_planned() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let plain = ecolake_query::session(&store.snapshot()).await.unwrap();
    let got = plan_sandboxed(&plain, "SELECT * FROM _lake_clean")
        .await
        .err();
    assert!(matches!(got, Some(SandboxError::Internal(_))), "{got:?}");
}

#[tokio::test]
async fn unrestricted_sandbox_sees_everything_but_internals() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let sandbox = Sandbox::default();
    let runtime = runtime(&QueryConfig::default()).unwrap();
    let ctx = sandbox_session(&store.snapshot(), runtime, &sandbox)
        .await
        .unwrap();
    let sites: BTreeSet<String> = column(
        &run(&ctx, "SELECT DISTINCT site FROM observations")
            .await
            .unwrap(),
        0,
    )
    .into_iter()
    .collect();
    assert_eq!(sites, BTreeSet::from(["A".to_owned(), "B".to_owned()]));
    assert_eq!(
        run(&ctx, "SELECT * FROM _lake_clean").await.err(),
        Some(forbidden("_lake_clean"))
    );
    // No registry tables were given: none is there.
    assert_eq!(
        run(&ctx, "SELECT * FROM sites").await.err(),
        Some(forbidden("sites"))
    );
}

#[tokio::test]
async fn a_predicate_may_use_the_registry_tables() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let registry = registry(&dir.path().join("registry")).await;
    let sandbox = Sandbox {
        rows: Some("site IN (SELECT code FROM sites WHERE code <> 'B')".into()),
        tables: registry.sql_tables().await.unwrap(),
        views: Vec::new(),
    };
    let runtime = runtime(&QueryConfig::default()).unwrap();
    let ctx = sandbox_session(&store.snapshot(), runtime, &sandbox)
        .await
        .unwrap();
    let got = run(&ctx, "SELECT DISTINCT site FROM observations_history")
        .await
        .unwrap();
    assert_eq!(column(&got, 0), ["A"]);
    let got = run(&ctx, "SELECT count(*) FROM observations")
        .await
        .unwrap();
    assert_eq!(one(&got), "96");
}

#[tokio::test]
async fn a_predicate_cannot_add_clauses() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir.path().join("data")).await;
    let runtime = runtime(&QueryConfig::default()).unwrap();
    for rows in [
        "site = 'A') OR (true",
        "site = 'A' UNION SELECT * FROM _lake_clean",
    ] {
        let sandbox = Sandbox {
            rows: Some(rows.into()),
            ..Sandbox::default()
        };
        let got = sandbox_session(&store.snapshot(), runtime.clone(), &sandbox).await;
        assert!(got.is_err(), "{rows}");
    }
}

#[tokio::test]
async fn the_stream_stops_at_the_row_limit() {
    let ctx = empty_sandbox(1 << 30).await;
    let rows = |batches: &[RecordBatch]| batches.iter().map(|b| b.num_rows()).sum::<usize>();

    let df = plan_sandboxed(
        &ctx,
        "SELECT value FROM generate_series(1, 100000) ORDER BY value",
    )
    .await
    .unwrap();
    let stream = limited_stream(df, 2_500, Duration::from_secs(60));
    assert_eq!(stream.schema().field(0).name(), "value");
    let items: Vec<_> = stream.collect().await;
    let (last, batches) = items.split_last().unwrap();
    let batches: Vec<RecordBatch> = batches.iter().map(|b| b.clone().unwrap()).collect();
    assert_eq!(rows(&batches), 2_500);
    assert_eq!(column(&batches, 0).last().map(String::as_str), Some("2500"));
    assert_eq!(
        last.clone().err(),
        Some(SandboxError::RowLimit { max_rows: 2_500 })
    );

    // Exactly the limit: no error.
    let df = plan_sandboxed(&ctx, "SELECT * FROM generate_series(1, 100)")
        .await
        .unwrap();
    let items: Vec<_> = limited_stream(df, 100, Duration::from_secs(60))
        .collect()
        .await;
    let batches: Vec<RecordBatch> = items.into_iter().map(|b| b.unwrap()).collect();
    assert_eq!(rows(&batches), 100);

    // Zero rows allowed: the first row is over the limit.
    let df = plan_sandboxed(&ctx, "SELECT 1").await.unwrap();
    let items: Vec<_> = limited_stream(df, 0, Duration::from_secs(60))
        .collect()
        .await;
    assert_eq!(items, vec![Err(SandboxError::RowLimit { max_rows: 0 })]);
}

#[tokio::test]
async fn the_stream_stops_at_the_deadline() {
    let ctx = empty_sandbox(1 << 30).await;
    let df = plan_sandboxed(
        &ctx,
        "SELECT count(*) FROM generate_series(1, 100000) a CROSS JOIN generate_series(1, 100000) b",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let items: Vec<_> = limited_stream(df, 10, Duration::from_millis(300))
        .collect()
        .await;
    assert_eq!(
        items,
        vec![Err(SandboxError::Timeout {
            limit: Duration::from_millis(300)
        })]
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_memory_limit_is_an_error_of_its_own() {
    let ctx = empty_sandbox(4 << 20).await;
    let got = run(
        &ctx,
        "SELECT array_agg(value) FROM generate_series(1, 5000000)",
    )
    .await;
    assert!(
        matches!(got, Err(SandboxError::Resources(_))),
        "{:?}",
        got.err()
    );
}

async fn empty_sandbox(memory: usize) -> SessionContext {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default())
        .await
        .unwrap();
    let runtime = runtime(&QueryConfig {
        memory_limit: memory,
    })
    .unwrap();
    sandbox_session(&store.snapshot(), runtime, &Sandbox::default())
        .await
        .unwrap()
}
