//! The store benchmark of issue #3: `cargo bench -p ecolake-query --bench lake`.
//!
//! One run, one lake, one generated data set: `LAKE_BENCH_SITES` sites (default 1,000) × ten
//! HJ 212 factors × minute data for `LAKE_BENCH_DAYS` days (default 7, from 2024-03-01 UTC),
//! plus one site-factor (`Y0001`, PM2.5 `a34004`) at minute resolution for
//! `LAKE_BENCH_YEAR_DAYS` days (default 365: the year 2023), all written into the same store.
//! Values follow a diurnal cycle around a per-site level with autocorrelated and measurement
//! noise (seeded, deterministic), rounded to the resolution analyzers report. It measures
//!
//! 1. the sustained durable append rate: `LAKE_BENCH_WRITERS` tasks (default 6) write one
//!    minute of every site and factor per batch; a write returns after the WAL fsync that
//!    covers it; the memtable bound is the default, so flushes (and compactions) run meanwhile.
//!    The final flush and compaction are timed separately;
//! 2. lake bytes on disk per current row at rest, after that flush and compaction;
//! 3. query latency of (a) one site-factor's hourly means over a year, (b) every site's daily
//!    means of one day, (c) the latest value of every site-factor, through `observations`, and
//!    of DuckDB (its Python package, installed with pip if missing) running the same SQL over
//!    the same Parquet files. Both engines' answers are checked against each other and
//!    against values computed from the generated data; a difference fails the run.
//!
//! Other settings: `LAKE_BENCH_RUNS` (timed runs per query, default 5, after one untimed
//! warm-up run), `LAKE_BENCH_DIR` (data directory; default a temporary directory under
//! `$CARGO_TARGET_DIR/tmp` or the system's), `LAKE_BENCH_KEEP=1` (keep it),
//! `LAKE_BENCH_PYTHON` (default `python3`).
//!
//! Without `--bench` in its arguments (as `cargo test --all-targets` runs it) a tiny
//! configuration goes through the same code with a small memtable (so that queries also read
//! partitions that need a merge on read), skips DuckDB and asserts the answers.

// A benchmark reports on stdout.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit};
use ecolake_model::observation::write_schema;
use ecolake_store::{FileKind, Snapshot, Store, StoreConfig};
use parquet::file::reader::{FileReader, SerializedFileReader};

mod data;
mod duckdb;
mod measure;

use data::*;
use duckdb::*;
use measure::*;

fn fmt_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "**met**"
    } else {
        "not met"
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let ram = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or_else(
            || "? GiB".into(),
            |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0),
        );
    let profile = if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    };
    format!(
        "{cores} cores (available_parallelism), {cpu}, {ram} RAM, {} {}, {profile}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

/// The data directory: `LAKE_BENCH_DIR` (must be new or empty) or a temporary one.
fn data_dir(bench: bool) -> (PathBuf, Option<tempfile::TempDir>) {
    if let (true, Ok(dir)) = (bench, std::env::var("LAKE_BENCH_DIR")) {
        let dir = PathBuf::from(dir);
        let empty = std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_none());
        assert!(empty, "LAKE_BENCH_DIR={} is not empty", dir.display());
        return (dir, None);
    }
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(|t| PathBuf::from(t).join("tmp"))
        .filter(|t| std::fs::create_dir_all(t).is_ok())
        .unwrap_or_else(std::env::temp_dir);
    let tmp = tempfile::Builder::new()
        .prefix("lake-bench-")
        .tempdir_in(base)
        .expect("a temporary directory");
    (tmp.path().to_path_buf(), Some(tmp))
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let scale = Scale::from_env(bench);
    let (dir, tmp) = data_dir(bench);
    let keep = bench && std::env::var("LAKE_BENCH_KEEP").is_ok_and(|v| v == "1");
    let config = StoreConfig {
        // The year-long series lies in 2023: keep every partition (retention is not measured).
        retention_days: BTreeMap::new(),
        // Replaced files go at once, so that a reader globbing the directory (DuckDB) reads
        // exactly the manifest's files.
        gc_grace: Duration::ZERO,
        // In test mode, several flushes per partition, so that queries merge versions too.
        memtable_bytes: if bench {
            StoreConfig::default().memtable_bytes
        } else {
            1 << 20
        },
        ..StoreConfig::default()
    };

    println!(
        "ecolake store benchmark (issue #3){}",
        if bench { "" } else { " — test mode" }
    );
    println!("machine: {}", machine());
    println!(
        "data: {} sites × {} factors × minute data for {} days from 2024-03-01 ({} rows) \
         + {YEAR_SITE}/{YEAR_FACTOR} minute data for {} days from 2023-01-01 ({} rows) = {} rows",
        scale.sites,
        FACTORS.len(),
        scale.days,
        fmt_int((scale.minutes() * scale.sites * FACTORS.len()) as u64),
        scale.year_days,
        fmt_int(scale.year_days as u64 * 1440),
        fmt_int(scale.rows())
    );
    println!(
        "store: {} (default StoreConfig except retention off and gc_grace 0); data dir {}",
        if bench {
            "memtable 256 MiB"
        } else {
            "memtable 1 MiB"
        },
        dir.display()
    );

    let t = Instant::now();
    let (data, expected) = generate(&scale);
    let data = Arc::new(data);
    println!(
        "generated {} write batches in {} (not timed below)",
        fmt_int((data.minutes.len() + data.year.len()) as u64),
        fmt_dur(t.elapsed())
    );
    let queries = queries(&scale);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (appended, flush_s, compact_s, rest, session, ours) = runtime.block_on(async {
        let store = Arc::new(Store::open(&dir, config).await.expect("open the store"));
        println!(
            "appending with {} concurrent writers, one minute of all sites per batch…",
            scale.writers
        );
        let appended = append(&store, &data, &scale).await;
        drop(data); // the batches' memory, before the queries
        let t = Instant::now();
        store.flush().await.expect("flush");
        let flush_s = t.elapsed();
        if !bench {
            // Before compaction: partitions with several files are merged on read.
            let snapshot = store.snapshot();
            let dirty =
                snapshot.files(FileKind::Current).count() - snapshot.clean_partitions().len();
            println!("before compaction: {dirty} current files in partitions merged on read");
            let (_, timings) = run_ours(&snapshot, &queries, 1).await;
            for (q, (t, want)) in queries.iter().zip(timings.iter().zip(&expected)) {
                compare(
                    &format!("ecolake before compaction, {}", q.title),
                    &t.answer,
                    want,
                )
                .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let t = Instant::now();
        store.compact().await.expect("compact");
        let compact_s = t.elapsed();
        let snapshot = store.snapshot();
        assert!(snapshot.mem.is_empty(), "everything is flushed");
        let clean = snapshot.clean_partitions();
        assert!(
            snapshot
                .files(FileKind::Current)
                .all(|f| clean.contains(&f.partition)),
            "compaction leaves every partition clean"
        );
        let rest = at_rest(&snapshot, &dir);
        assert_eq!(
            count_rows(&snapshot).await,
            scale.rows(),
            "rows in observations"
        );
        let (session, ours) = run_ours(&snapshot, &queries, scale.runs).await;
        let store = Arc::into_inner(store).expect("the writers are done");
        store.close().await.expect("close");
        (appended, flush_s, compact_s, rest, session, ours)
    });

    // Our answers against the generated data.
    for (q, (t, want)) in queries.iter().zip(ours.iter().zip(&expected)) {
        compare(&format!("ecolake, {}", q.title), &t.answer, want)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(rest.current_rows, scale.rows(), "current rows in the lake");

    let duck = if bench {
        match run_duckdb(&dir, &queries, scale.runs) {
            Ok(d) => Some(d),
            Err(e) => {
                println!("DuckDB not run: {e}");
                None
            }
        }
    } else {
        None
    };
    if let Some(d) = &duck {
        assert_eq!(d.files as usize, rest.current_files, "files DuckDB reads");
        assert_eq!(d.rows, scale.rows(), "rows DuckDB reads");
        for (q, (theirs, mine)) in queries.iter().zip(d.timings.iter().zip(&ours)) {
            compare(
                &format!("DuckDB vs ecolake, {}", q.title),
                &theirs.answer,
                &mine.answer,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    report(
        &scale,
        &appended,
        flush_s,
        compact_s,
        &rest,
        session,
        &queries,
        &ours,
        duck.as_ref(),
    );

    if keep {
        println!("kept the data directory {}", dir.display());
        if let Some(t) = tmp {
            let _ = t.keep();
        }
    } else if tmp.is_none() {
        std::fs::remove_dir_all(&dir).expect("remove the data directory");
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    scale: &Scale,
    a: &Append,
    flush_s: Duration,
    compact_s: Duration,
    rest: &AtRest,
    session: Duration,
    queries: &[Query],
    ours: &[Timing],
    duck: Option<&Duck>,
) {
    let rows = scale.rows();
    let rate = rows as f64 / a.seconds;
    let pct = |p: f64| {
        let i = ((a.latencies.len() as f64 - 1.0) * p).round() as usize;
        fmt_dur(a.latencies[i])
    };
    println!();
    println!(
        "append: {} rows in {:.1} s; write latency p50 {}, p99 {}, max {}; at the last \
         acknowledgement {} rows were unflushed, the manifest had {} versions and {} files",
        fmt_int(rows),
        a.seconds,
        pct(0.5),
        pct(0.99),
        pct(1.0),
        fmt_int(a.unflushed_rows),
        a.manifest_versions,
        a.files_at_end
    );
    println!(
        "lake at rest: {} current files, {} rows, {} bytes; history {} rows, {} bytes",
        rest.current_files,
        fmt_int(rest.current_rows),
        fmt_int(rest.current_bytes),
        fmt_int(rest.history_rows),
        fmt_int(rest.history_bytes)
    );
    println!("bytes per current row by column:");
    for (c, b) in &rest.columns {
        println!(
            "  {c:<34} {:>6.3}",
            *b as f64 / rest.current_rows.max(1) as f64
        );
    }
    println!(
        "our engine: one session over the compacted snapshot ({} to build), reused for every \
         run; each run plans and executes, collecting Arrow batches",
        fmt_dur(session)
    );
    if let Some(d) = duck {
        println!(
            "DuckDB {} (Python), {} threads, in-memory database with a view over \
             read_parquet('DIR/lake/observations/**/*.parquet', hive_partitioning = false) \
             ({} files, {} rows); timed inside Python around execute() (the query runs to a \
             materialised result); converting results to Python objects, not counted, took at \
             most {}",
            d.version,
            d.threads,
            d.files,
            fmt_int(d.rows),
            fmt_dur(d.fetch_max)
        );
        println!(
            "query (c) differs in syntax: ecolake `last_value(value ORDER BY time)`, DuckDB \
             `arg_max(value, time)`; (a) and (b) are the same SQL text"
        );
    }
    println!(
        "runs: 1 untimed warm-up + {} timed runs per query and engine; answers checked \
         row by row against the generated data{}",
        scale.runs,
        if duck.is_some() {
            " and between the engines (values within 1e-9 relative)"
        } else {
            ""
        }
    );
    println!();
    println!("| figure | ecolake | target | |");
    println!("|---|---|---|---|");
    println!(
        "| sustained durable append rate | **{:.2} M rows/s** ({} rows in {:.1} s, {} writers) | ≥ 1,000,000 rows/s | {} |",
        rate / 1e6,
        fmt_int(rows),
        a.seconds,
        scale.writers,
        met(rate >= 1e6)
    );
    println!(
        "| final flush, then compaction | {} + {} | — | |",
        fmt_dur(flush_s),
        fmt_dur(compact_s)
    );
    let per_row = rest.current_bytes as f64 / rest.current_rows as f64;
    println!(
        "| lake bytes per current row at rest | **{per_row:.2}** ({:.1} MB / {} rows{}) | ≤ 5 | {} |",
        rest.current_bytes as f64 / 1e6,
        fmt_int(rest.current_rows),
        if rest.history_bytes > 0 {
            format!(", + {:.1} MB history", rest.history_bytes as f64 / 1e6)
        } else {
            String::new()
        },
        met(per_row <= 5.0)
    );
    println!();
    println!("| query | rows | ecolake median (min) | DuckDB median (min) | target: ecolake ≤ DuckDB | checksum |");
    println!("|---|---|---|---|---|---|");
    for (i, q) in queries.iter().enumerate() {
        let o = &ours[i];
        let (theirs, verdict) = match duck.map(|d| &d.timings[i]) {
            Some(t) => (
                format!("{} ({})", fmt_dur(t.median()), fmt_dur(t.min())),
                met(o.median() <= t.median()).to_owned(),
            ),
            None => ("—".into(), "not compared".into()),
        };
        println!(
            "| {} | {} | **{}** ({}) | {} | {} | {:.6} |",
            q.title,
            fmt_int(o.answer.len() as u64),
            fmt_dur(o.median()),
            fmt_dur(o.min()),
            theirs,
            verdict,
            checksum(&o.answer)
        );
    }
}
