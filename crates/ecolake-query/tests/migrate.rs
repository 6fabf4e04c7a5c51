//! A lake written in format version 1 (every period partitioned by day) is read correctly as
//! it is, and migrated in place when a writer opens it: hourly data moves into month
//! partitions, versions stay current or history as they were, and queries answer the same.

use std::sync::Arc;
use std::time::Duration;

use arrow::array::TimestampMillisecondArray;
use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use ecolake_store::{FileKind, Manifest, PartitionKey, Snapshot, Store, StoreConfig};

const DAY_MS: i64 = 86_400_000;
const JAN_15_MS: i64 = 1_705_276_800_000; // 2024-01-15T00:00:00Z

/// 24 values of `period` on day `day` after 2024-01-15 at S1, each `value + i`.
fn day_batch(period: &str, day: i64, value: f64) -> RecordBatch {
    let step = if period == "hour" { 3_600_000 } else { 60_000 };
    let text = |v: &str| -> ArrayRef { Arc::new(StringArray::from(vec![v; 24])) };
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(
                TimestampMillisecondArray::from(
                    (0..24)
                        .map(|i| JAN_15_MS + day * DAY_MS + i * step)
                        .collect::<Vec<_>>(),
                )
                .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("site", text("S1")),
        ("factor", text("a34004")),
        ("period", text(period)),
        (
            "value",
            Arc::new(Float64Array::from(
                (0..24).map(|i| value + f64::from(i)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

/// Rewrites a lake written by this build into the version 1 layout: every file goes to the
/// day partition of its first row, as version 1 would have put it (each file here holds one
/// day).
fn make_version_1(dir: &std::path::Path) {
    let lake = dir.join("lake");
    let path = lake.join("_manifest.json");
    let mut manifest: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for f in &mut manifest.files {
        let from = lake.join(f.rel_path());
        f.partition = PartitionKey::new(&f.partition.period, f.min_time.div_euclid(DAY_MS));
        assert_eq!(
            f.max_time.div_euclid(DAY_MS),
            f.partition.day,
            "one day per file"
        );
        let to = lake.join(f.rel_path());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(from, to).unwrap();
    }
    manifest.format_version = 1;
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

async fn answers(snapshot: &Snapshot) -> Vec<String> {
    let ctx = ecolake_query::session(snapshot).await.unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT period, count(*) AS n, sum(value) AS s FROM observations GROUP BY period ORDER BY period",
        "SELECT period, count(*) AS n, sum(value) AS s FROM observations_history GROUP BY period ORDER BY period",
        "SELECT count(*) AS n, sum(value) AS s FROM observations WHERE period = 'hour' AND time >= TIMESTAMP '2024-01-16T00:00:00Z'",
    ] {
        for b in ecolake_query::run_read_only(&ctx, sql).await.unwrap() {
            let n = b.column_by_name("n").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
            let s = b.column_by_name("s").unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
            for i in 0..b.num_rows() {
                out.push(format!("{sql}: {} {}", n.value(i), s.value(i)));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_lake_is_read_as_it_is_and_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        gc_grace: Duration::ZERO,
        ..StoreConfig::default()
    };
    let store = Store::open(dir.path(), config.clone()).await.unwrap();
    // Hourly data on two days, the first sent twice (a revision), and minute data: one flush
    // each, so that every file holds one day.
    for (period, day, value) in [
        ("hour", 0, 10.0),
        ("hour", 1, 20.0),
        ("hour", 0, 30.0),
        ("min", 0, 1.0),
    ] {
        store.write(&day_batch(period, day, value)).await.unwrap();
        store.flush().await.unwrap();
    }
    // A revision of the second day stays in the WAL (a crash before the flush).
    store.write(&day_batch("hour", 1, 40.0)).await.unwrap();
    let expected = answers(&store.snapshot()).await;
    let hours_sum: f64 = (0..24).map(|i| 30.0 + 40.0 + 2.0 * f64::from(i)).sum();
    assert!(
        expected[0].ends_with(&format!(" 48 {hours_sum}")),
        "{expected:?}"
    );
    store.close_unflushed().await.unwrap();
    make_version_1(dir.path());

    // Read as it is, with an unflushed revision in the WAL overlapping the day partitions.
    let reader = Snapshot::read_only(dir.path()).await.unwrap();
    assert_eq!(reader.manifest.format_version, 1);
    assert_eq!(
        answers(&reader).await,
        expected,
        "a version 1 lake, read as it is"
    );

    // A writer migrates it.
    let store = Store::open(dir.path(), config.clone()).await.unwrap();
    let snapshot = store.snapshot();
    assert_eq!(snapshot.manifest.format_version, 2);
    let partitions: Vec<String> = snapshot
        .manifest
        .files
        .iter()
        .map(|f| format!("{:?} {}", f.kind, f.partition))
        .collect();
    assert!(
        snapshot
            .manifest
            .files
            .iter()
            .all(|f| f.partition.is_aligned()),
        "{partitions:?}"
    );
    assert_eq!(
        snapshot
            .files(FileKind::Current)
            .filter(|f| f.partition.period == "hour")
            .map(|f| f.partition.date())
            .collect::<Vec<_>>(),
        ["2024-01-01"],
        "the three hourly files of two day partitions become one file of the month"
    );
    assert_eq!(answers(&snapshot).await, expected, "after migration");
    // The day-partition files go once their grace period is over.
    store.compact().await.unwrap();
    store.compact().await.unwrap();
    assert!(!dir
        .path()
        .join("lake/observations/period=hour/date=2024-01-15")
        .exists());
    assert_eq!(
        answers(&store.snapshot()).await,
        expected,
        "after compaction"
    );
    store.close().await.unwrap();
}
