//! The lake on S3 (a Moto server, see `support`): writes, flushes, revisions, compaction,
//! garbage collection, reopening, a read-only snapshot from the data directory alone, and the
//! refusals that keep a data directory to one lake.

mod support;

use std::sync::Arc;
use std::time::Duration;

use arrow::array::TimestampMillisecondArray;
use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use ecolake_store::{FileKind, LakeLocation, Snapshot, Store, StoreConfig};

const BASE_MS: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

/// `hours` hourly values of a34004 at S1 and S2 from 2024-01-01, each `value + hour`.
fn batch(hours: i64, value: f64) -> RecordBatch {
    let n = (2 * hours) as usize;
    let text = |f: &dyn Fn(usize) -> String| -> ArrayRef {
        Arc::new(StringArray::from((0..n).map(f).collect::<Vec<_>>()))
    };
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(
                TimestampMillisecondArray::from(
                    (0..n)
                        .map(|i| BASE_MS + (i as i64 / 2) * 3_600_000)
                        .collect::<Vec<_>>(),
                )
                .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("site", text(&|i| format!("S{}", i % 2 + 1))),
        ("factor", text(&|_| "a34004".to_owned())),
        ("period", text(&|_| "hour".to_owned())),
        (
            "value",
            Arc::new(Float64Array::from(
                (0..n).map(|i| value + (i / 2) as f64).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

async fn scalar(snapshot: &Snapshot, sql: &str) -> f64 {
    let ctx = ecolake_query::session(snapshot).await.unwrap();
    let batches = ecolake_query::run_read_only(&ctx, sql).await.unwrap();
    let column = batches[0].column(0);
    if let Some(f) = column.as_any().downcast_ref::<Float64Array>() {
        f.value(0)
    } else {
        column
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0) as f64
    }
}

/// The error of an open that must fail.
fn refused(opened: Result<Store, ecolake_store::StoreError>, what: &str) -> String {
    match opened {
        Ok(_) => panic!("{what}"),
        Err(e) => e.to_string(),
    }
}

fn config(lake: LakeLocation) -> StoreConfig {
    StoreConfig {
        lake,
        gc_grace: Duration::ZERO,
        ..StoreConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lake_on_s3_keeps_current_and_history_through_compaction_and_reopening() {
    let moto = support::Moto::start();
    moto.bucket("lake");
    let lake = moto.location("lake", "bureau/observations-lake");
    let dir = tempfile::tempdir().unwrap();

    let store = Store::open(dir.path(), config(lake.clone())).await.unwrap();
    // Two months of hourly data (two monthly partitions), then January sent again revised.
    store.write(&batch(24 * 60, 10.0)).await.unwrap();
    store.flush().await.unwrap();
    store.write(&batch(24 * 31, 20.0)).await.unwrap();
    store.flush().await.unwrap();
    let snapshot = store.snapshot();
    let files: Vec<_> = snapshot.files(FileKind::Current).cloned().collect();
    assert!(files.len() >= 3, "two flushes, January in both: {files:?}");
    assert!(
        snapshot
            .url_of(&files[0])
            .starts_with("s3://lake/bureau/observations-lake/observations/period=hour/"),
        "{}",
        snapshot.url_of(&files[0])
    );
    let current = "SELECT count(*) FROM observations";
    let history = "SELECT count(*) FROM observations_history";
    let sum = "SELECT sum(value) FROM observations";
    let want_sum: f64 = (0..24 * 31).map(|h| 2.0 * (20.0 + h as f64)).sum::<f64>()
        + (24 * 31..24 * 60)
            .map(|h| 2.0 * (10.0 + h as f64))
            .sum::<f64>();
    for _ in 0..2 {
        let snapshot = store.snapshot();
        assert_eq!(scalar(&snapshot, current).await, 2.0 * 24.0 * 60.0);
        assert_eq!(scalar(&snapshot, history).await, 2.0 * 24.0 * 91.0);
        assert_eq!(scalar(&snapshot, sum).await, want_sum);
        store.compact().await.unwrap();
    }
    // After compaction every partition is one file and the replaced objects are gone.
    let snapshot = store.snapshot();
    let clean = snapshot.clean_partitions();
    assert!(snapshot
        .files(FileKind::Current)
        .all(|f| clean.contains(&f.partition)));
    let listed = snapshot.storage.list().await.unwrap();
    let mut expected: Vec<String> = snapshot
        .manifest
        .files
        .iter()
        .map(|f| f.rel_path())
        .collect();
    expected.push("_manifest.json".into());
    let mut listed = listed;
    listed.sort();
    expected.sort();
    assert_eq!(
        listed, expected,
        "the bucket holds exactly the manifest's objects"
    );
    store.close().await.unwrap();

    // The data directory records the URL: a read-only snapshot needs only the settings.
    let settings = LakeLocation {
        url: None,
        ..lake.clone()
    };
    let reader = Snapshot::read_only_at(dir.path(), &settings).await.unwrap();
    assert_eq!(scalar(&reader, current).await, 2.0 * 24.0 * 60.0);
    assert_eq!(scalar(&reader, sum).await, want_sum);

    // Reopening (recorded URL) goes on where it stopped, including unflushed rows.
    let store = Store::open(dir.path(), config(settings)).await.unwrap();
    store.write(&batch(1, 99.0)).await.unwrap();
    store.close_unflushed().await.unwrap();
    let store = Store::open(dir.path(), config(lake.clone())).await.unwrap();
    let snapshot = store.snapshot();
    assert_eq!(
        scalar(
            &snapshot,
            "SELECT max(value) FROM observations WHERE time = TIMESTAMP '2024-01-01T00:00:00Z'"
        )
        .await,
        99.0
    );
    assert_eq!(scalar(&snapshot, current).await, 2.0 * 24.0 * 60.0);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_has_one_lake() {
    let moto = support::Moto::start();
    moto.bucket("one");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), config(moto.location("one", "a")))
        .await
        .unwrap();
    store.close().await.unwrap();
    let e = refused(
        Store::open(dir.path(), config(moto.location("one", "b"))).await,
        "a second URL is refused",
    );
    assert!(e.contains("s3://one/b") && e.contains("s3://one/a"), "{e}");

    // A local lake with data is not silently replaced by an S3 one.
    let local = tempfile::tempdir().unwrap();
    let store = Store::open(local.path(), StoreConfig::default())
        .await
        .unwrap();
    store.write(&batch(1, 1.0)).await.unwrap();
    store.close().await.unwrap();
    let e = refused(
        Store::open(local.path(), config(moto.location("one", "c"))).await,
        "switching a local lake to S3 is refused",
    );
    assert!(e.contains("already has a local lake"), "{e}");

    // A bucket that does not exist is an error naming the object, not a panic.
    let e = refused(
        Store::open(
            tempfile::tempdir().unwrap().path(),
            config(moto.location("missing-bucket", "x")),
        )
        .await,
        "an unknown bucket is an error",
    );
    assert!(
        e.contains("s3://missing-bucket/x") && e.contains("NoSuchBucket"),
        "{e}"
    );
}
