//! `store-load`: a write load on a data directory, for the crash test and the append
//! benchmark. Writes batches of distinct minute values and prints `ack <batch> <first_seq>
//! <rows>` after each write is acknowledged (durable), then a summary line.
//!
//! ```text
//! store-load DIR [--start B] [--batches N] [--rows R] [--sites S] [--memtable-bytes M]
//!            [--compact-ms C] [--writers W]
//! ```

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use ecolake_store::{Store, StoreConfig};

/// 2024-01-01T00:00:00Z.
const BASE_MS: i64 = 1_704_067_200_000;

/// Batch `b` of `rows` rows: value `v = b * rows + i` at site `v % sites`, factor
/// `v / sites % 10`, minute `v / (sites * 10)`; every (site, factor, time) distinct.
pub fn batch(b: u64, rows: usize, sites: u64) -> RecordBatch {
    let values: Vec<u64> = (0..rows as u64).map(|i| b * rows as u64 + i).collect();
    let site: Vec<String> = values
        .iter()
        .map(|v| format!("S{:04}", v % sites))
        .collect();
    let factor: Vec<String> = values
        .iter()
        .map(|v| format!("a{:05}", v / sites % 10))
        .collect();
    let time: Vec<i64> = values
        .iter()
        .map(|v| BASE_MS + (v / (sites * 10)) as i64 * 60_000)
        .collect();
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
        ),
        ("site", Arc::new(StringArray::from(site)) as ArrayRef),
        ("factor", Arc::new(StringArray::from(factor)) as ArrayRef),
        (
            "period",
            Arc::new(StringArray::from(vec!["min"; rows])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from_iter_values(
                values.iter().map(|v| *v as f64),
            )) as ArrayRef,
        ),
    ])
    .expect("a valid batch")
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: store-load DIR [options]"));
    let start: u64 = arg(&args, "--start", 0);
    let batches: u64 = arg(&args, "--batches", u64::MAX);
    let rows: usize = arg(&args, "--rows", 1000);
    let sites: u64 = arg(&args, "--sites", 100);
    let writers: u64 = arg(&args, "--writers", 4);
    let config = StoreConfig {
        memtable_bytes: arg(
            &args,
            "--memtable-bytes",
            StoreConfig::default().memtable_bytes,
        ),
        compact_interval: Duration::from_millis(arg(&args, "--compact-ms", 60_000)),
        gc_grace: Duration::from_millis(0),
        ..StoreConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let store = Arc::new(
            Store::open_as(&dir, config, "store-load")
                .await
                .expect("open"),
        );
        let t0 = Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, u64, usize)>();
        let mut tasks = Vec::new();
        for w in 0..writers {
            let (store, tx) = (store.clone(), tx.clone());
            tasks.push(tokio::spawn(async move {
                let mut b = start + w;
                while b < start.saturating_add(batches) {
                    let data = batch(b, rows, sites);
                    let out = store.write(&data).await.expect("write");
                    assert_eq!(out.accepted, rows);
                    let _ = tx.send((b, out.first_seq, rows));
                    b += writers;
                }
            }));
        }
        drop(tx);
        let mut out = std::io::stdout().lock();
        let mut total = 0u64;
        while let Some((b, seq, n)) = rx.recv().await {
            total += n as u64;
            let _ = writeln!(out, "ack {b} {seq} {n}");
            let _ = out.flush();
        }
        for t in tasks {
            t.await.expect("writer");
        }
        let secs = t0.elapsed().as_secs_f64();
        let _ = writeln!(
            out,
            "done rows={total} seconds={secs:.3} rows_per_s={:.0}",
            total as f64 / secs
        );
        let store = Arc::into_inner(store).expect("writers done");
        store.close().await.expect("close");
    });
}
