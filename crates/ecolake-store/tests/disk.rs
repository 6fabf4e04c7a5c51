//! A full disk and an unwritable directory, on a real (small) file system: a tmpfs mounted for
//! each test. Writes and flushes must fail with an error naming the path and the OS error,
//! nothing acknowledged may be lost, and the same open store must work again once space (or
//! write access) returns.
//!
//! Mounting needs root (CAP_SYS_ADMIN); without it these tests fail, saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{
    Array, ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use ecolake_store::{FileKind, Snapshot, Store, StoreConfig};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// 2024-01-01T00:00:00Z.
const BASE_MS: i64 = 1_704_067_200_000;
const DAY_MS: i64 = 86_400_000;
const MIB: u64 = 1 << 20;

/// A tmpfs of a given size mounted on a fresh temporary directory; unmounted when dropped
/// (also when a test panics), so nothing is left mounted.
struct Tmpfs {
    dir: tempfile::TempDir,
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what}: {cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Tmpfs {
    fn mount(bytes: u64) -> Tmpfs {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mounted = run(
            "mounting a tmpfs",
            Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={bytes}")])
                .arg("tmpfs")
                .arg(dir.path()),
        );
        if let Err(e) = mounted {
            panic!(
                "{e}\nThis test mounts a small tmpfs to fill it up: it needs root \
                 (CAP_SYS_ADMIN) and the `mount` command. It is not skipped."
            );
        }
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        run(
            "remounting the tmpfs",
            Command::new("mount")
                .args(["-o", &format!("remount,{options}")])
                .arg(self.path()),
        )
        .unwrap();
    }

    /// Gives the file system `bytes` in all.
    fn resize(&self, bytes: u64) {
        self.remount(&format!("size={bytes}"));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let path = self.dir.path().to_path_buf();
        if run("unmounting", Command::new("umount").arg(&path)).is_err() {
            // Something still has a file open (a panic mid-test): detach it all the same.
            let _ = run(
                "unmounting lazily",
                Command::new("umount").arg("-l").arg(&path),
            );
        }
    }
}

/// Batch `b`: `rows` rows with the distinct values `b * rows ..`, spread over four days
/// (four partitions), every (site, factor, time) distinct.
fn batch(b: u64, rows: u64) -> RecordBatch {
    let values: Vec<u64> = (b * rows..(b + 1) * rows).collect();
    let (mut time, mut site, mut factor) = (Vec::new(), Vec::new(), Vec::new());
    for v in &values {
        let (day, k) = (v % 4, v / 4);
        time.push(BASE_MS + day as i64 * DAY_MS + (k / 500) as i64 * 60_000);
        site.push(format!("S{:03}", k % 50));
        factor.push(format!("a{:05}", k / 50 % 10));
    }
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
        ),
        ("site", Arc::new(StringArray::from(site)) as ArrayRef),
        ("factor", Arc::new(StringArray::from(factor)) as ArrayRef),
        (
            "period",
            Arc::new(StringArray::from(vec!["min"; rows as usize])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from_iter_values(
                values.iter().map(|v| *v as f64),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn values_of(batches: &[RecordBatch], seen: &mut BTreeMap<u64, u32>) {
    for b in batches {
        let v = b
            .column_by_name("value")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        for i in 0..v.len() {
            *seen.entry(v.value(i) as u64).or_insert(0) += 1;
        }
    }
}

/// Every value a snapshot holds (unflushed rows and every listed lake file, read with a plain
/// Parquet reader), with how often it appears.
fn values(dir: &Path, snapshot: &Snapshot) -> BTreeMap<u64, u32> {
    let mut seen = BTreeMap::new();
    values_of(&snapshot.mem, &mut seen);
    for f in snapshot
        .files(FileKind::Current)
        .chain(snapshot.files(FileKind::History))
    {
        let path = dir.join("lake").join(f.rel_path());
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        values_of(&batches, &mut seen);
    }
    seen
}

/// Checks that exactly the values of the acknowledged batches are there, each once.
fn assert_exactly(seen: &BTreeMap<u64, u32>, acked: &BTreeSet<u64>, rows: u64, when: &str) {
    let expected: BTreeSet<u64> = acked
        .iter()
        .flat_map(|b| b * rows..(b + 1) * rows)
        .collect();
    let missing: Vec<u64> = expected
        .iter()
        .filter(|v| !seen.contains_key(v))
        .take(5)
        .copied()
        .collect();
    assert!(
        missing.is_empty(),
        "{when}: acknowledged values lost, e.g. {missing:?}"
    );
    let doubled: Vec<(&u64, &u32)> = seen.iter().filter(|(_, n)| **n != 1).take(5).collect();
    assert!(
        doubled.is_empty(),
        "{when}: values not exactly once: {doubled:?}"
    );
    let extra: Vec<&u64> = seen
        .keys()
        .filter(|v| !expected.contains(v))
        .take(5)
        .collect();
    assert!(
        extra.is_empty(),
        "{when}: values of writes that failed (never acknowledged) are there: {extra:?}"
    );
}

/// Fills the file system holding `path` with a file there until it is full, then gives back
/// `leave` bytes. Returns the file's size.
fn ballast(path: &Path, leave: u64) -> u64 {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .unwrap();
    let chunk = vec![0xA5u8; 64 << 10];
    let mut len = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => len += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("writing the ballast: {e}"),
        }
    }
    let keep = len.saturating_sub(leave);
    f.set_len(keep).unwrap();
    f.sync_all().unwrap();
    keep
}

fn config() -> StoreConfig {
    StoreConfig {
        // Nothing is flushed unless the test asks (or closes): the WAL fills the disk.
        memtable_bytes: 64 << 20,
        max_unflushed_bytes: 256 << 20,
        flush_age: Duration::from_secs(3600),
        wal_segment_bytes: 512 << 10,
        compact_interval: Duration::from_secs(3600),
        ..StoreConfig::default()
    }
}

fn assert_clear(error: &str, path_under: &Path, os_error: &str) {
    assert!(
        error.contains(&path_under.display().to_string()),
        "the error names the path (under {}): {error}",
        path_under.display()
    );
    assert!(
        error.contains(os_error),
        "the error says `{os_error}`: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_clearly_and_the_same_store_recovers_when_space_returns() {
    let fs = Tmpfs::mount(8 * MIB);
    let dir = fs.path().join("data");
    let rows = 1000;
    let store = Arc::new(Store::open(&dir, config()).await.unwrap());

    // Four concurrent writers (so that failed appends share a group commit) until the disk is
    // full: each stops at its first error.
    let mut tasks = Vec::new();
    for w in 0..4u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut b) = (Vec::new(), w);
            loop {
                match store.write(&batch(b, rows)).await {
                    Ok(out) => {
                        assert_eq!(out.accepted, rows as usize);
                        acked.push(b);
                    }
                    Err(e) => return (acked, b, e.to_string()),
                }
                b += 4;
                assert!(b < 4_000, "8 MiB never filled up");
            }
        }));
    }
    let mut acked = BTreeSet::new();
    let mut failed = BTreeSet::new();
    let mut next = 0;
    for t in tasks {
        let (ok, bad, error) = t.await.unwrap();
        assert_clear(&error, &dir.join("wal"), "No space left on device");
        acked.extend(ok);
        failed.insert(bad);
        next = next.max(bad + 1);
    }
    assert!(acked.len() > 20, "{} batches fit", acked.len());
    assert!(acked.is_disjoint(&failed));

    // Still full: a write fails again (it does not hang, it is not acknowledged) ...
    let e = store
        .write(&batch(next, rows))
        .await
        .unwrap_err()
        .to_string();
    assert_clear(&e, &dir.join("wal"), "No space left on device");
    next += 1;
    // ... and what was acknowledged is all there, and nothing else.
    assert_exactly(&values(&dir, &store.snapshot()), &acked, rows, "while full");

    // Space returns: the same open store writes again, across WAL rotations.
    fs.resize(32 * MIB);
    for _ in 0..20 {
        store.write(&batch(next, rows)).await.unwrap();
        acked.insert(next);
        next += 1;
    }
    assert_exactly(
        &values(&dir, &store.snapshot()),
        &acked,
        rows,
        "after space returned",
    );

    // The WAL holds every acknowledged record and no garbage between them: a replay (as after
    // a crash) gets them all, each once.
    let store = Arc::into_inner(store).unwrap();
    store.close_unflushed().await.unwrap();
    let replayed = Snapshot::read_only(&dir).await.unwrap();
    assert_exactly(&values(&dir, &replayed), &acked, rows, "read-only replay");
    let store = Store::open(&dir, config()).await.unwrap();
    assert_exactly(&values(&dir, &store.snapshot()), &acked, rows, "reopened");
    store.close().await.unwrap();
    let store = Store::open(&dir, config()).await.unwrap();
    let snapshot = store.snapshot();
    assert!(snapshot.mem.is_empty(), "close flushed everything");
    assert_exactly(
        &values(&dir, &snapshot),
        &acked,
        rows,
        "flushed and reopened",
    );
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flush_without_space_fails_clearly_and_succeeds_once_space_returns() {
    let fs = Tmpfs::mount(16 * MIB);
    let dir = fs.path().join("data");
    let rows = 1000;
    let store = Store::open(&dir, config()).await.unwrap();
    let acked: BTreeSet<u64> = (0..30).collect();
    for b in &acked {
        store.write(&batch(*b, rows)).await.unwrap();
    }

    // No space at all: the flush cannot even start a new WAL segment.
    let ballast_path = fs.path().join("ballast");
    ballast(&ballast_path, 0);
    let e = store.flush().await.unwrap_err().to_string();
    assert_clear(&e, &dir, "No space left on device");
    assert_exactly(
        &values(&dir, &store.snapshot()),
        &acked,
        rows,
        "first failed flush",
    );

    // Room for a WAL segment but not for the Parquet files: the lake write fails.
    fs::remove_file(&ballast_path).unwrap();
    ballast(&ballast_path, 8 << 10);
    let e = store.flush().await.unwrap_err().to_string();
    assert_clear(&e, &dir.join("lake"), "No space left on device");
    let snapshot = store.snapshot();
    assert!(
        snapshot.manifest.files.is_empty(),
        "a failed flush commits nothing: {:?}",
        snapshot.manifest.files
    );
    assert_exactly(
        &values(&dir, &snapshot),
        &acked,
        rows,
        "second failed flush",
    );

    // Space returns: the same store flushes everything, and the WAL it covered is gone.
    fs::remove_file(&ballast_path).unwrap();
    store.flush().await.unwrap();
    let snapshot = store.snapshot();
    assert!(snapshot.mem.is_empty());
    assert!(
        snapshot.manifest.files.len() >= 4,
        "four days, four partitions"
    );
    assert_exactly(&values(&dir, &snapshot), &acked, rows, "flushed");
    let mut leftovers = Vec::new();
    let mut stack = vec![dir.join("lake")];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".tmp") {
                leftovers.push(p);
            }
        }
    }
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    store.close_unflushed().await.unwrap();

    let store = Store::open(&dir, config()).await.unwrap();
    let snapshot = store.snapshot();
    assert!(snapshot.mem.is_empty(), "nothing is replayed twice");
    assert_exactly(&values(&dir, &snapshot), &acked, rows, "reopened");
    store.close().await.unwrap();
}

/// Sets or clears the immutable attribute (which stops root too) on each path.
fn immutable(on: bool, paths: &[PathBuf]) {
    for p in paths {
        if let Err(e) = run(
            "changing the immutable attribute",
            Command::new("chattr")
                .arg(if on { "+i" } else { "-i" })
                .arg(p),
        ) {
            panic!("{e}\nThis test needs root and `chattr` (e2fsprogs).");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_directory_fails_clearly_and_the_store_recovers() {
    let fs = Tmpfs::mount(16 * MIB);
    let dir = fs.path().join("data");
    let rows = 1000;
    // A tiny segment size: every write after the first in a segment needs a new segment file.
    let tiny = StoreConfig {
        wal_segment_bytes: 1,
        ..config()
    };
    let store = Store::open(&dir, tiny.clone()).await.unwrap();
    let mut acked = BTreeSet::new();
    for b in 0..3 {
        store.write(&batch(b, rows)).await.unwrap();
        acked.insert(b);
    }
    store.flush().await.unwrap();
    store.write(&batch(3, rows)).await.unwrap();
    acked.insert(3);

    // While the store runs, its directories become unwritable. As root, permission bits do
    // not stop writes and a read-only remount is refused while files are open for writing
    // (EBUSY), so the immutable attribute stands in: no file can be created in them.
    let locked = vec![dir.join("wal"), dir.join("lake")];
    immutable(true, &locked);
    let e = store.write(&batch(4, rows)).await.unwrap_err().to_string();
    assert_clear(&e, &dir.join("wal"), "Operation not permitted");
    let e = store.flush().await.unwrap_err().to_string();
    assert_clear(&e, &dir, "Operation not permitted");
    assert_exactly(&values(&dir, &store.snapshot()), &acked, rows, "unwritable");
    let reader = Snapshot::read_only(&dir).await.unwrap();
    assert_exactly(
        &values(&dir, &reader),
        &acked,
        rows,
        "unwritable, read-only view",
    );
    immutable(false, &locked);
    for b in 5..8 {
        store.write(&batch(b, rows)).await.unwrap();
        acked.insert(b);
    }
    store.flush().await.unwrap();
    store.write(&batch(8, rows)).await.unwrap();
    acked.insert(8);
    assert_exactly(
        &values(&dir, &store.snapshot()),
        &acked,
        rows,
        "writable again",
    );
    // Leave some rows only in the WAL.
    store.close_unflushed().await.unwrap();

    // The whole file system read-only: a writer cannot open the store, and says why; a reader
    // still sees every acknowledged row (flushed or only in the WAL).
    fs.remount("ro");
    let e = Store::open(&dir, tiny.clone())
        .await
        .unwrap_err()
        .to_string();
    assert_clear(&e, &dir, "Read-only file system");
    let reader = Snapshot::read_only(&dir).await.unwrap();
    assert!(!reader.mem.is_empty() && !reader.manifest.files.is_empty());
    assert_exactly(
        &values(&dir, &reader),
        &acked,
        rows,
        "read-only file system",
    );

    // Writable again: the store opens, replays, writes and flushes.
    fs.remount("rw");
    let store = Store::open(&dir, tiny).await.unwrap();
    store.write(&batch(9, rows)).await.unwrap();
    acked.insert(9);
    store.close().await.unwrap();
    let reader = Snapshot::read_only(&dir).await.unwrap();
    assert!(reader.mem.is_empty());
    assert_exactly(&values(&dir, &reader), &acked, rows, "reopened read-write");
}

/// Writes wait (backpressure) while more than `max_unflushed_bytes` are unflushed. When the
/// flushes that would end the wait fail for lack of space, the write must fail too, with the
/// reason, instead of waiting for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_held_back_by_a_failing_flush_fails_instead_of_waiting_for_ever() {
    let fs = Tmpfs::mount(16 * MIB);
    let dir = fs.path().join("data");
    let rows = 1000;
    let bound = StoreConfig {
        max_unflushed_bytes: 1 << 20,
        ..config()
    };
    let store = Store::open(&dir, bound).await.unwrap();
    let unflushed = |s: &Store| {
        s.snapshot()
            .mem
            .iter()
            .map(RecordBatch::get_array_memory_size)
            .sum::<usize>()
    };
    let mut b = 0;
    while unflushed(&store) <= 1 << 20 {
        store.write(&batch(b, rows)).await.unwrap();
        b += 1;
    }
    let ballast_path = fs.path().join("ballast");
    ballast(&ballast_path, 0);
    let held = tokio::time::timeout(Duration::from_secs(3), store.write(&batch(b, rows))).await;
    let e = held
        .expect("the write returns while the disk is full")
        .unwrap_err()
        .to_string();
    assert_clear(&e, &dir, "No space left on device");
    fs::remove_file(&ballast_path).unwrap();
    store.write(&batch(b, rows)).await.unwrap();
    store.close().await.unwrap();
}
