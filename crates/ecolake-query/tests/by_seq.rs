//! `history_by_seq`: how forwarding reads the store — every version with `seq` in a range, of
//! the sources or sites asked for, in `seq` order, across flushed lake files and unflushed
//! rows, however odd the names (they are values, never spliced into SQL).

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Float64Array, StringArray, TimestampMillisecondArray};
use arrow::datatypes::UInt64Type;
use arrow::record_batch::RecordBatch;
use ecolake_store::{Store, StoreConfig};

/// `n` hourly rows of one site and source, values counting from `v0`.
fn rows(site: &str, source: &str, n: usize, v0: f64) -> RecordBatch {
    let time: Vec<i64> = (0..n as i64)
        .map(|i| 1_704_067_200_000 + i * 3_600_000)
        .collect();
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
        ),
        (
            "site",
            Arc::new(StringArray::from(vec![site; n])) as ArrayRef,
        ),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"; n])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["hour"; n])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from_iter_values(
                (0..n).map(|i| v0 + i as f64),
            )) as ArrayRef,
        ),
        (
            "source",
            Arc::new(StringArray::from(vec![source; n])) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn seqs(batches: &[RecordBatch]) -> Vec<u64> {
    batches
        .iter()
        .flat_map(|b| {
            let s = b
                .column_by_name("seq")
                .unwrap()
                .as_primitive::<UInt64Type>();
            (0..s.len()).map(|i| s.value(i)).collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn rows_by_seq_across_lake_files_and_memtable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default())
        .await
        .unwrap();
    // seq 1-4: MN1 at S1; 5-8: MN2 at "O'Hare\\x" (a quote and a backslash); flushed.
    store.write(&rows("S1", "MN1", 4, 0.0)).await.unwrap();
    store
        .write(&rows("O'Hare\\x", "MN2", 4, 10.0))
        .await
        .unwrap();
    store.flush().await.unwrap();
    // seq 9-12: MN1 again, the same keys re-sent (new versions); 13-14: MN3; unflushed.
    store.write(&rows("S1", "MN1", 4, 100.0)).await.unwrap();
    store.write(&rows("S3", "MN3", 2, 0.0)).await.unwrap();
    assert_eq!(store.visible_seq(), 14);
    let snapshot = store.snapshot();
    let read = |range, sources: &[&str], sites: &[&str], limit| {
        let (sources, sites): (Vec<String>, Vec<String>) = (
            sources.iter().map(|s| s.to_string()).collect(),
            sites.iter().map(|s| s.to_string()).collect(),
        );
        let snapshot = snapshot.clone();
        async move {
            seqs(
                &ecolake_query::history_by_seq(&snapshot, range, &sources, &sites, limit)
                    .await
                    .unwrap(),
            )
        }
    };
    // Every version of MN1, flushed and unflushed, in seq order.
    assert_eq!(
        read((0, 14), &["MN1"], &[], 100).await,
        [1, 2, 3, 4, 9, 10, 11, 12]
    );
    // By site, with a name SQL would have to escape; or by source; the range bounds hold.
    assert_eq!(read((0, 14), &[], &["O'Hare\\x"], 100).await, [5, 6, 7, 8]);
    assert_eq!(read((6, 13), &["MN3", "MN2"], &[], 100).await, [7, 8, 13]);
    // The limit keeps the first rows by seq.
    assert_eq!(read((2, 14), &["MN1"], &["S3"], 3).await, [3, 4, 9]);
    // Nothing asked for, nothing read.
    assert!(read((0, 14), &[], &[], 100).await.is_empty());
    store.close().await.unwrap();
}
