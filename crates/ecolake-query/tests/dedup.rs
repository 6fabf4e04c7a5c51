//! Dedup property: random writes — duplicates, revisions, late data — with random flushes and
//! restarts; `observations` must equal a reference model's latest version of every key and
//! `observations_history` every version, before and after flushes, compaction and restart. On
//! a local lake and on an S3 lake (a Moto server, see `support`).

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray, UInt64Array,
};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use ecolake_store::{LakeLocation, Store, StoreConfig};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Row {
    site: u8,
    factor: u8,
    period: &'static str,
    /// Hours since 2024-01-01 (spans several daily partitions).
    hour: u16,
    value: i32,
}

#[derive(Debug, Clone)]
enum Op {
    Write(Vec<Row>),
    Flush,
    Compact,
    /// Close (flushing) and open again.
    Reopen,
    /// Stop without flushing and open again: the WAL is replayed.
    Restart,
}

fn row() -> impl Strategy<Value = Row> {
    (
        0u8..3,
        0u8..3,
        prop::sample::select(vec!["hour", "min"]),
        0u16..72,
        -1000i32..1000,
    )
        .prop_map(|(site, factor, period, hour, value)| Row {
            site,
            factor,
            period,
            hour,
            value,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::collection::vec(row(), 1..20).prop_map(Op::Write),
        2 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::Reopen),
        1 => Just(Op::Restart),
    ]
}

const BASE_MS: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

fn batch(rows: &[Row]) -> RecordBatch {
    let s = |f: &dyn Fn(&Row) -> String| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(
                TimestampMillisecondArray::from(
                    rows.iter()
                        .map(|r| BASE_MS + i64::from(r.hour) * 3_600_000)
                        .collect::<Vec<_>>(),
                )
                .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("site", s(&|r| format!("S{}", r.site))),
        ("factor", s(&|r| format!("a3400{}", r.factor))),
        ("period", s(&|r| r.period.to_owned())),
        (
            "value",
            Arc::new(Float64Array::from(
                rows.iter().map(|r| f64::from(r.value)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

type Key = (String, String, String, i64);

/// (site, factor, period, time ms) → [(seq, value)] in write order.
#[derive(Default)]
struct Model(BTreeMap<Key, Vec<(u64, f64)>>);

async fn query(store: &Store, sql: &str) -> Vec<(Key, u64, f64)> {
    let ctx = ecolake_query::session(&store.snapshot()).await.unwrap();
    let batches = ecolake_query::run_read_only(&ctx, sql).await.unwrap();
    let mut out = Vec::new();
    for b in batches {
        let text = |i| cast(b.column(i), &DataType::Utf8).unwrap();
        let (site, factor, period) = (text(0), text(1), text(2));
        let (site, factor, period) = (
            site.as_any().downcast_ref::<StringArray>().unwrap(),
            factor.as_any().downcast_ref::<StringArray>().unwrap(),
            period.as_any().downcast_ref::<StringArray>().unwrap(),
        );
        let time = b
            .column(3)
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
            .unwrap();
        let seq = b.column(4).as_any().downcast_ref::<UInt64Array>().unwrap();
        let value = b.column(5).as_any().downcast_ref::<Float64Array>().unwrap();
        for i in 0..b.num_rows() {
            out.push((
                (
                    site.value(i).to_owned(),
                    factor.value(i).to_owned(),
                    period.value(i).to_owned(),
                    time.value(i),
                ),
                seq.value(i),
                value.value(i),
            ));
        }
    }
    out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    out
}

async fn check(store: &Store, model: &Model) {
    let cols = "site, factor, period, time, seq, value";
    let current = query(store, &format!("SELECT {cols} FROM observations")).await;
    let expected: Vec<(Key, u64, f64)> = model
        .0
        .iter()
        .map(|(k, versions)| {
            let (seq, v) = versions.iter().max_by_key(|(s, _)| *s).unwrap();
            (k.clone(), *seq, *v)
        })
        .collect();
    assert_eq!(
        current, expected,
        "observations = latest version of every key"
    );
    let history = query(store, &format!("SELECT {cols} FROM observations_history")).await;
    let mut all: Vec<(Key, u64, f64)> = model
        .0
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |(s, v)| (k.clone(), *s, *v)))
        .collect();
    all.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert_eq!(history, all, "observations_history = every version");
    // A filter on key columns is pushed below the dedup and must not change the answer.
    let one = query(store, &format!("SELECT {cols} FROM observations WHERE site = 'S1' AND time >= TIMESTAMP '2024-01-02T00:00:00Z'")).await;
    let filtered: Vec<_> = expected
        .iter()
        .filter(|(k, _, _)| k.0 == "S1" && k.3 >= BASE_MS + 86_400_000)
        .cloned()
        .collect();
    assert_eq!(one, filtered, "key filters");
}

/// `max_rows`: the compaction's bound (small ones merge only some files of a partition).
fn run(ops: Vec<Op>, lake: LakeLocation, max_rows: u64) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig {
            lake,
            compact_max_rows: max_rows,
            ..StoreConfig::default()
        };
        let mut store = Store::open(dir.path(), config.clone()).await.unwrap();
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Write(rows) => {
                    let outcome = store.write(&batch(&rows)).await.unwrap();
                    assert_eq!(outcome.accepted, rows.len());
                    for (i, r) in rows.iter().enumerate() {
                        let key = (
                            format!("S{}", r.site),
                            format!("a3400{}", r.factor),
                            r.period.to_owned(),
                            BASE_MS + i64::from(r.hour) * 3_600_000,
                        );
                        model
                            .0
                            .entry(key)
                            .or_default()
                            .push((outcome.first_seq + i as u64, f64::from(r.value)));
                    }
                }
                Op::Flush => store.flush().await.unwrap(),
                Op::Compact => {
                    store.flush().await.unwrap();
                    store.compact().await.unwrap();
                    let snap = store.snapshot();
                    assert!(snap.mem.is_empty());
                    let clean = snap.clean_partitions();
                    let current: Vec<_> = snap.files(ecolake_store::FileKind::Current).collect();
                    if max_rows == u64::MAX {
                        assert!(
                            current.iter().all(|f| clean.contains(&f.partition)),
                            "compaction leaves every partition clean"
                        );
                    }
                    for f in current.iter().filter(|f| !clean.contains(&f.partition)) {
                        // What stays dirty is what the bound kept from merging.
                        let rows: u64 = current
                            .iter()
                            .filter(|g| g.partition == f.partition)
                            .map(|g| g.rows)
                            .sum();
                        assert!(rows > max_rows, "{:?}: {rows} rows", f.partition);
                    }
                }
                Op::Reopen => {
                    store.close().await.unwrap();
                    store = Store::open(dir.path(), config.clone()).await.unwrap();
                }
                Op::Restart => {
                    store.close_unflushed().await.unwrap();
                    store = Store::open(dir.path(), config.clone()).await.unwrap();
                }
            }
            check(&store, &model).await;
        }
        store.close().await.unwrap();
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn current_and_history_match_a_reference_model(
        ops in prop::collection::vec(op(), 1..12),
        max_rows in prop_oneof![Just(u64::MAX), 1u64..40],
    ) {
        run(ops, LakeLocation::default(), max_rows);
    }
}

/// The same property on an S3 lake: every case in its own prefix of one bucket.
#[test]
fn on_s3_current_and_history_match_a_reference_model() {
    let moto = support::Moto::start();
    moto.bucket("dedup");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 6,
        ..ProptestConfig::default()
    });
    let case = std::cell::Cell::new(0);
    runner
        .run(&prop::collection::vec(op(), 1..12), |ops| {
            case.set(case.get() + 1);
            run(
                ops,
                moto.location("dedup", &format!("case-{}", case.get())),
                u64::MAX,
            );
            Ok(())
        })
        .unwrap();
}
