//! Running the real `ecolake` binary from the CLI test files: in a directory, without stdin,
//! with helpers for what a run must print.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary in `cwd` without stdin (with the test servers' admin token in
/// `ECOLAKE_TOKEN`, for the commands that call a server's API).
pub fn ecolake_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecolake"))
        .args(args)
        .env("ECOLAKE_TOKEN", server::ADMIN_TOKEN)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The stdout of a run that must succeed.
pub fn success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status.code(),
        stderr(out)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A fresh directory with `files` (name, contents) in it.
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

pub mod server;

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `ecolake sql --format csv` of `query` on `data`.
pub fn sql_csv(cwd: &Path, data: &Path, query: &str) -> String {
    success(&ecolake_in(
        cwd,
        &[
            "sql",
            "--data-dir",
            path_str(data),
            "--format",
            "csv",
            query,
        ],
    ))
}

/// Registers sites and devices from CSV texts (`ecolake registry import`).
pub fn register(cwd: &Path, data: &Path, sites_csv: &str, devices_csv: &str) {
    std::fs::write(cwd.join("sites.csv"), sites_csv).unwrap();
    std::fs::write(cwd.join("devices.csv"), devices_csv).unwrap();
    for (kind, file) in [("sites", "sites.csv"), ("devices", "devices.csv")] {
        success(&ecolake_in(
            cwd,
            &[
                "registry",
                "import",
                "--data-dir",
                path_str(data),
                "--kind",
                kind,
                file,
            ],
        ));
    }
}

/// `ecolake hj212 simulate --target TARGET EXTRA…`: its JSON summary and the whole output.
pub fn simulate(cwd: &Path, target: &str, extra: &[&str]) -> (serde_json::Value, Output) {
    let mut args = vec!["hj212", "simulate", "--target", target];
    args.extend_from_slice(extra);
    let out = ecolake_in(cwd, &args);
    let summary = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON summary; stderr: {}", stderr(&out)));
    (summary, out)
}

/// Calls `probe` until it gives a value, at most `limit`; panics with `what` and the last
/// probe's description (`Err`) after that. For state another process changes: there is no
/// event to wait on, so this polls every 50 ms.
pub fn poll_until<T>(
    limit: Duration,
    what: &str,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let start = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) => assert!(start.elapsed() < limit, "{what}: {last}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
