//! `ecolake import --lake s3://…` and `ecolake sql` on that lake, with the endpoint and
//! credentials in the `AWS_*` environment variables, against a Moto S3 server.

#[path = "../../ecolake-query/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

const OBS: &str = "\
time,site,factor,period,value
2024-05-01T08:00:00+08:00,1001A,a34004,hour,35.5
2024-05-01T09:00:00+08:00,1001A,a34004,hour,41
2024-05-01T09:00:00+08:00,1002A,a34004,hour,oops
";

/// Runs the binary in `cwd` with the S3 settings of `moto`'s lake in the environment.
fn ecolake(cwd: &Path, moto: &support::Moto, args: &[&str]) -> Output {
    let location = moto.location("unused", "unused");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecolake"));
    for (key, value) in &location.options {
        command.env(key.to_ascii_uppercase(), value);
    }
    command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[test]
fn import_into_an_s3_lake_and_query_it_from_the_data_directory() {
    let moto = support::Moto::start();
    moto.bucket("bureau");
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("obs.csv"), OBS).unwrap();
    let import = [
        "import",
        "--data-dir",
        "data",
        "--lake",
        "s3://bureau/lake",
        "obs.csv",
    ];
    let out = ecolake(ws.path(), &moto, &import);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "two rows accepted, one rejected: {stderr}"
    );
    assert!(stderr.contains("oops"), "{stderr}");
    // The data directory holds the WAL and the lake's URL; the lake's files are in the bucket.
    assert!(!ws.path().join("data/lake").exists());
    assert_eq!(
        std::fs::read_to_string(ws.path().join("data/lake-location")).unwrap(),
        "s3://bureau/lake\n"
    );
    let sql = [
        "sql",
        "--data-dir",
        "data",
        "--format",
        "csv",
        "SELECT site, count(*) AS n, sum(value) AS s FROM observations GROUP BY site",
    ];
    let out = ecolake(ws.path(), &moto, &sql);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "site,n,s\n1001A,2,76.5\n"
    );

    // Importing the same file again changes nothing current (same keys, new versions).
    ecolake(ws.path(), &moto, &import);
    let out = ecolake(ws.path(), &moto, &sql);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "site,n,s\n1001A,2,76.5\n"
    );

    // Another lake for the same data directory is refused, naming both.
    let mut other = import;
    other[4] = "s3://bureau/elsewhere";
    let out = ecolake(ws.path(), &moto, &other);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("s3://bureau/elsewhere") && stderr.contains("s3://bureau/lake"),
        "{stderr}"
    );
}
