//! `Store::visible_seq` under concurrent writes: whenever a reader sees the watermark at `v`,
//! every row with `seq <= v` is in the snapshot it takes next — writes finish out of `seq`
//! order, and a reader that follows the store by `seq` (forwarding) must never skip one.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, Float64Array, StringArray, TimestampMillisecondArray, UInt64Array,
};
use arrow::record_batch::RecordBatch;
use ecolake_store::{Store, StoreConfig};

const WRITERS: u64 = 8;
const BATCHES: u64 = 40;
const ROWS: u64 = 25;

fn batch(writer: u64, b: u64) -> RecordBatch {
    let n = ROWS as usize;
    let time: Vec<i64> = (0..ROWS)
        .map(|r| 1_704_067_200_000 + ((b * ROWS + r) as i64) * 60_000)
        .collect();
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
        ),
        (
            "site",
            Arc::new(StringArray::from(vec![format!("W{writer}"); n])) as ArrayRef,
        ),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"; n])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["min"; n])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Float64Array::from(vec![1.0; n])) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn seqs(store: &Store) -> Vec<u64> {
    let mut all: Vec<u64> = store
        .snapshot()
        .mem
        .iter()
        .flat_map(|b| {
            let s = b
                .column_by_name("seq")
                .unwrap()
                .as_any()
                .downcast_ref::<UInt64Array>()
                .unwrap();
            (0..s.len()).map(|i| s.value(i)).collect::<Vec<_>>()
        })
        .collect();
    all.sort_unstable();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_seq_up_to_the_visible_one_is_in_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        Store::open(dir.path(), StoreConfig::default())
            .await
            .unwrap(),
    );
    assert_eq!(store.visible_seq(), 0, "an empty store");
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for b in 0..BATCHES {
                    store.write(&batch(w, b)).await.unwrap();
                }
            })
        })
        .collect();
    let reader = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut checks = 0;
            loop {
                let visible = store.visible_seq();
                let seen = seqs(&store);
                let below = seen.partition_point(|s| *s <= visible);
                assert_eq!(
                    below as u64, visible,
                    "a row at or below {visible} is missing"
                );
                checks += 1;
                if visible == WRITERS * BATCHES * ROWS {
                    return checks;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    assert!(reader.await.unwrap() > 1);
    assert_eq!(store.visible_seq(), WRITERS * BATCHES * ROWS);
    let store = Arc::try_unwrap(store).unwrap();
    store.close_unflushed().await.unwrap();
    // Reopened, the replayed rows are all visible.
    let store = Store::open(dir.path(), StoreConfig::default())
        .await
        .unwrap();
    assert_eq!(store.visible_seq(), WRITERS * BATCHES * ROWS);
    store.close().await.unwrap();
}
