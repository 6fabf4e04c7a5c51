//! The reference: DuckDB (its Python package) over the same Parquet files.

use super::*;

pub const DUCKDB_SCRIPT: &str = r#"
import json, sys, time
import duckdb

cfg = json.load(open(sys.argv[1]))
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(
    "CREATE VIEW observations AS SELECT * FROM read_parquet('%s', hive_partitioning = false)"
    % cfg["glob"]
)
out = {
    "version": duckdb.__version__,
    "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
    "files": con.execute("SELECT count(*) FROM glob('%s')" % cfg["glob"]).fetchone()[0],
    "rows": con.execute("SELECT count(*) FROM observations").fetchone()[0],
    "queries": {},
}
for q in cfg["queries"]:
    con.execute(q["sql"]).fetchall()  # warm-up, not timed
    seconds, fetch = [], []
    for _ in range(cfg["runs"]):
        t0 = time.perf_counter()
        result = con.execute(q["sql"])  # runs the query to a materialised result
        t1 = time.perf_counter()
        result.fetchall()  # conversion to Python objects: reported, not counted
        t2 = time.perf_counter()
        seconds.append(t1 - t0)
        fetch.append(t2 - t1)
    rows = [list(r) for r in con.execute(q["fetch"]).fetchall()]
    out["queries"][q["id"]] = {"seconds": seconds, "fetch_seconds": fetch, "rows": rows}
print(json.dumps(out))
"#;

/// What DuckDB did.
pub struct Duck {
    pub version: String,
    pub threads: String,
    pub files: u64,
    pub rows: u64,
    pub timings: Vec<Timing>,
    pub fetch_max: Duration,
}

pub fn python() -> String {
    std::env::var("LAKE_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Makes `import duckdb` work, installing the package with pip if needed.
pub fn ensure_duckdb() -> Result<(), String> {
    let importable = || {
        Command::new(python())
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if importable() {
        return Ok(());
    }
    println!(
        "DuckDB's Python package is missing: running `{} -m pip install duckdb`",
        python()
    );
    let out = Command::new(python())
        .args(["-m", "pip", "install", "duckdb"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    if !out.status.success() || !importable() {
        return Err(format!(
            "pip install duckdb failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    println!("  installed.");
    Ok(())
}

pub fn run_duckdb(dir: &Path, queries: &[Query], runs: usize) -> Result<Duck, String> {
    ensure_duckdb()?;
    let glob = dir.join("lake/observations/**/*.parquet");
    let cfg = serde_json::json!({
        "glob": glob.to_string_lossy(),
        "runs": runs,
        "queries": queries.iter().map(|q| serde_json::json!({
            "id": q.id, "sql": q.duckdb, "fetch": q.duckdb_fetch,
        })).collect::<Vec<_>>(),
    });
    let script = dir.join("duckdb_bench.py");
    let cfg_path = dir.join("duckdb_bench.json");
    std::fs::write(&script, DUCKDB_SCRIPT).map_err(|e| e.to_string())?;
    std::fs::write(&cfg_path, cfg.to_string()).map_err(|e| e.to_string())?;
    let out = Command::new(python())
        .arg(&script)
        .arg(&cfg_path)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    if !out.status.success() {
        return Err(format!(
            "the DuckDB script failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("DuckDB output: {e}"))?;
    let mut timings = Vec::new();
    let mut fetch_max = Duration::ZERO;
    for q in queries {
        let r = &v["queries"][q.id];
        let secs = |k: &str| -> Vec<Duration> {
            r[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_f64())
                        .map(Duration::from_secs_f64)
                        .collect()
                })
                .unwrap_or_default()
        };
        fetch_max = fetch_max.max(secs("fetch_seconds").into_iter().max().unwrap_or_default());
        let mut answer: Answer = r["rows"]
            .as_array()
            .ok_or("DuckDB output without rows")?
            .iter()
            .map(|row| {
                let row = row.as_array().expect("a row is a list");
                let key: Vec<String> = row[..row.len() - 1]
                    .iter()
                    .map(|k| match k {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                (
                    key.join("|"),
                    row[row.len() - 1].as_f64().unwrap_or(f64::NAN),
                )
            })
            .collect();
        answer.sort_by(|a, b| a.0.cmp(&b.0));
        timings.push(Timing {
            runs: secs("seconds"),
            answer,
        });
    }
    Ok(Duck {
        version: v["version"].as_str().unwrap_or("?").to_owned(),
        threads: v["threads"].to_string(),
        files: v["files"].as_u64().unwrap_or(0),
        rows: v["rows"].as_u64().unwrap_or(0),
        timings,
        fetch_max,
    })
}
