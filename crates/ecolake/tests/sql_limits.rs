//! `ecolake sql --memory-limit-mib`: a query that needs more memory than allowed fails with the
//! pool's error (and exit status 1) instead of growing the process; the same query runs within
//! the default limit.

mod binary;

use binary::ecolake_in as ecolake;

#[test]
fn a_query_past_the_memory_limit_fails_clearly() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(
        ws.path().join("o.csv"),
        "time,site,factor,period,value\n2024-05-01T08:00:00Z,S1,a34004,hour,1\n",
    )
    .unwrap();
    let out = ecolake(ws.path(), &["import", "--data-dir", "data", "o.csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Three million groups: tens of MiB of hash table.
    let query = "SELECT count(*) AS n FROM (SELECT value, count(*) FROM \
                 generate_series(1, 3000000) AS t(value) GROUP BY value)";
    let sql = |limit: &str| {
        ecolake(
            ws.path(),
            &[
                "sql",
                "--data-dir",
                "data",
                "--format",
                "csv",
                "--memory-limit-mib",
                limit,
                query,
            ],
        )
    };
    let out = sql("1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Failed to allocate") && stderr.contains("pool_size: 1024.0 KB"),
        "{stderr}"
    );
    let out = sql("2048");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n3000000\n");
}
