//! Kills a writer (SIGKILL) at random points during sustained writes — mid-append, mid-flush,
//! mid-compaction — restarts, and checks that every acknowledged row is present exactly once
//! and the lake is readable. Repeated many times within a time bound.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arrow::array::{Array, Float64Array};
use ecolake_store::{lake::compact, FileKind, Snapshot, Store, StoreConfig};

/// Every value in the lake and the unflushed WAL, with how often it appears.
fn values(dir: &std::path::Path) -> HashMap<u64, u32> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let batches = rt.block_on(async {
        let snap = Snapshot::read_only(dir)
            .await
            .expect("the lake is readable");
        let files: Vec<_> = snap
            .files(FileKind::Current)
            .chain(snap.files(FileKind::History))
            .cloned()
            .collect();
        let mut batches = snap.mem.clone();
        batches.extend(
            compact::read(&snap.storage, &files)
                .await
                .expect("every listed file is readable"),
        );
        batches
    });
    let mut seen = HashMap::new();
    for b in batches {
        let v = b
            .column_by_name("value")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone();
        for i in 0..v.len() {
            *seen.entry(v.value(i) as u64).or_insert(0) += 1;
        }
    }
    seen
}

#[test]
fn sigkill_at_random_points_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 500u64;
    let mut acked: Vec<u64> = Vec::new();
    let mut start = 0u64;
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut rounds = 0;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    while Instant::now() < deadline || rounds < 5 {
        rounds += 1;
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = Command::new(env!("CARGO_BIN_EXE_store-load"))
            .arg(dir.path())
            .args(["--start", &start.to_string(), "--rows", &rows.to_string()])
            .args([
                "--memtable-bytes",
                "200000",
                "--compact-ms",
                "300",
                "--writers",
                "3",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| {
                    l.strip_prefix("ack ")
                        .and_then(|r| r.split(' ').next()?.parse::<u64>().ok())
                })
                .collect::<Vec<u64>>()
        });
        std::thread::sleep(Duration::from_millis(150 + rng % 1200));
        child.kill().unwrap();
        child.wait().unwrap();
        let batches = reader.join().unwrap();
        acked.extend(&batches);
        // Writes in flight at the kill may be durable without an ack: never reuse their numbers.
        start = batches.iter().max().map_or(start, |b| b + 1).max(start) + 16;

        // Recovery must succeed, and every acknowledged row be there exactly once.
        let seen = values(dir.path());
        for b in &acked {
            for v in b * rows..(b + 1) * rows {
                assert_eq!(
                    seen.get(&v),
                    Some(&1),
                    "round {rounds}: value {v} of acked batch {b}"
                );
            }
        }
        // Opening as a writer recovers (truncates a torn tail) without losing anything.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = Store::open(dir.path(), StoreConfig::default())
                .await
                .expect("recovers");
            store.close().await.expect("closes");
        });
        let again = values(dir.path());
        for b in &acked {
            assert_eq!(
                again.get(&(b * rows)),
                Some(&1),
                "after recovery, batch {b}"
            );
        }
    }
    assert!(
        acked.len() > 20,
        "the writer made progress: {} batches in {rounds} rounds",
        acked.len()
    );
}
