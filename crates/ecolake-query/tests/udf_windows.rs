//! The clock-hour window functions `o3_8h` and `nowcast` (gaps are missing hours, not skipped
//! rows; bounded and whole-partition execution agree) and the `hj663_percentile` aggregate.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use ecolake_standards::aqi::nowcast::nowcast;
use ecolake_standards::aqi::Pollutant;
use ecolake_standards::assess::percentile;

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn ctx() -> SessionContext {
    let ctx = SessionContext::new();
    ecolake_query::udf::register(&ctx);
    ctx
}

/// A table `obs(site, time, value)` from `(site, hour, value)` rows, split over `parts`
/// partitions.
fn register(ctx: &SessionContext, rows: &[(&str, i64, Option<f64>)], parts: usize) {
    let batch = |rows: &[(&str, i64, Option<f64>)]| {
        RecordBatch::try_from_iter_with_nullable([
            (
                "site",
                Arc::new(StringArray::from(
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                )) as ArrayRef,
                false,
            ),
            (
                "time",
                Arc::new(
                    TimestampMillisecondArray::from(
                        rows.iter().map(|r| T0 + r.1 * HOUR).collect::<Vec<_>>(),
                    )
                    .with_timezone("UTC"),
                ) as ArrayRef,
                false,
            ),
            (
                "value",
                Arc::new(Float64Array::from(
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                )) as ArrayRef,
                true,
            ),
        ])
        .unwrap()
    };
    let chunk = rows.len().div_ceil(parts).max(1);
    let partitions: Vec<Vec<RecordBatch>> = rows.chunks(chunk).map(|c| vec![batch(c)]).collect();
    let schema = partitions[0][0].schema();
    let table = MemTable::try_new(schema, partitions).unwrap();
    ctx.deregister_table("obs").unwrap();
    ctx.register_table("obs", Arc::new(table)).unwrap();
}

async fn run(ctx: &SessionContext, sql: &str) -> RecordBatch {
    let batches = ctx
        .sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn floats(b: &RecordBatch, i: usize) -> Vec<Option<f64>> {
    let c = cast(b.column(i), &DataType::Float64).unwrap();
    c.as_primitive::<Float64Type>().iter().collect()
}

fn close(got: &[Option<f64>], want: &[Option<f64>]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}"),
            _ => assert_eq!(g, w, "{got:?} vs {want:?}"),
        }
    }
}

/// Hours 0–3 and 6–9 (hours 4 and 5 have no row) with value `10·hour`; hour 8 is NULL.
fn gap_rows() -> Vec<(&'static str, i64, Option<f64>)> {
    let mut rows = Vec::new();
    for h in [0i64, 1, 2, 3, 6, 7, 8, 9] {
        rows.push(("S2", h, (h != 8).then_some(10.0 * h as f64)));
    }
    for h in 0..10i64 {
        rows.push(("S1", h, Some(10.0 * h as f64)));
    }
    rows
}

const O3_8H: &str = "SELECT site, time, o3_8h(value, time) OVER (PARTITION BY site ORDER BY time) \
                     AS m FROM obs ORDER BY site, time";

#[tokio::test]
async fn o3_8h_counts_clock_hours_not_rows() {
    let ctx = ctx();
    register(&ctx, &gap_rows(), 1);
    let b = run(&ctx, O3_8H).await;
    let m = floats(&b, 2);
    // S1, hours 0–9 all valid: hours 0–4 have fewer than 6 hours, then the means of 8 hours
    // (5: hours 0–5, 6 valid: 25; 7: hours 0–7: 35; 9: hours 2–9: 55).
    let s1 = [
        None,
        None,
        None,
        None,
        None,
        Some(25.0),
        Some(30.0),
        Some(35.0),
        Some(45.0),
        Some(55.0),
    ];
    close(&m[..10], &s1);
    // S2 (rows at hours 0, 1, 2, 3, 6, 7, 8, 9): at hour 6 the window (hours −1…6) holds
    // hours 0, 1, 2, 3, 6 — five, NULL (8 rows back would have found 6 values); hour 7: hours
    // 0–3, 6, 7 — six, their mean; hour 8 (a NULL value): 1, 2, 3, 6, 7 — five, NULL; hour 9:
    // 2, 3, 6, 7, 9 — five, NULL.
    let s2 = [
        None,
        None,
        None,
        None,
        None,
        Some((0.0 + 10.0 + 20.0 + 30.0 + 60.0 + 70.0) / 6.0),
        None,
        None,
    ];
    close(&m[10..], &s2);
}

/// [`O3_8H`] with an unbounded-following frame in the same window, which forces
/// whole-partition evaluation.
const WHOLE: &str = "SELECT site, time, o3_8h(value, time) OVER (PARTITION BY site ORDER BY time) \
                     AS m, last_value(value) OVER (PARTITION BY site ORDER BY time ROWS BETWEEN \
                     UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l FROM obs \
                     ORDER BY site, time";

#[tokio::test]
async fn bounded_and_whole_partition_execution_agree() {
    let ctx = ctx();
    register(&ctx, &gap_rows(), 3);
    let bounded = run(&ctx, O3_8H).await;
    let whole = run(&ctx, &format!("EXPLAIN {WHOLE}")).await;
    let plan = format!("{:?}", whole.column(1));
    assert!(plan.contains(" WindowAggExec"), "{plan}");
    let plan = run(&ctx, &format!("EXPLAIN {O3_8H}")).await;
    let plan = format!("{:?}", plan.column(1));
    assert!(plan.contains("BoundedWindowAggExec"), "{plan}");
    let whole = run(&ctx, WHOLE).await;
    close(&floats(&bounded, 2), &floats(&whole, 2));
}

#[tokio::test]
async fn windows_need_time_order_and_one_row_per_time() {
    let ctx = ctx();
    register(&ctx, &gap_rows(), 1);
    for sql in [
        "SELECT o3_8h(value, time) OVER (PARTITION BY site ORDER BY time DESC) FROM obs",
        // Both sites in one partition: two rows per time.
        "SELECT o3_8h(value, time) OVER (ORDER BY time) FROM obs",
    ] {
        let err = ctx.sql(sql).await.unwrap().collect().await.unwrap_err();
        assert!(err.to_string().contains("increasing time"), "{err}");
    }
}

#[tokio::test]
async fn nowcast_uses_the_last_12_clock_hours() {
    let ctx = ctx();
    let rows = [
        ("S1", 0, Some(10.0)),
        ("S1", 1, Some(20.0)),
        ("S1", 3, Some(30.0)),
        ("S1", 5, Some(-1.0)),
        ("S1", 20, Some(40.0)),
    ];
    register(&ctx, &rows, 1);
    let b = run(
        &ctx,
        "SELECT nowcast(value, time) OVER (PARTITION BY site ORDER BY time), \
                epa_aqi('PM2.5', '24h', nowcast(value, time) OVER (PARTITION BY site ORDER BY time)) \
         FROM obs ORDER BY time",
    )
    .await;
    let nc = |h: &[Option<f64>]| nowcast(Pollutant::Pm25, h).unwrap();
    let want = [
        // Hour 0: one of the last 3 hours.
        None,
        // Hour 1: 20, 10 → (20 + 0.5·10)/1.5.
        nc(&[Some(20.0), Some(10.0)]),
        // Hour 3: 30, —, 20, 10.
        nc(&[Some(30.0), None, Some(20.0), Some(10.0)]),
        // Hour 5: −1 is missing; then —, 30: one of three.
        None,
        // Hour 20: nothing else within 12 hours.
        None,
    ];
    assert_eq!(want[1], Some(50.0 / 3.0));
    close(&floats(&b, 0), &want);
    // 16.6 → 2024 rows 9.1–35.4 ↔ 51–100: 51 + 49·7.5/26.3 = 64.97 → 65.
    assert_eq!(floats(&b, 1)[1], Some(65.0));
}

#[tokio::test]
async fn hj663_percentile_by_group() {
    let ctx = ctx();
    let mut rows = Vec::new();
    for (i, v) in [3.0, 4.0, 8.0, 2.0, 5.0, 4.0].into_iter().enumerate() {
        rows.push(("A", i as i64, Some(v)));
    }
    rows.push(("A", 10, None));
    rows.push(("B", 0, None));
    for i in 0..365 {
        rows.push(("C", i, Some((i * 37 % 101) as f64)));
    }
    // Several partitions: partial states are merged.
    register(&ctx, &rows, 4);
    let b = run(
        &ctx,
        "SELECT site, hj663_percentile(value, 90), hj663_percentile(value, 95.0) FROM obs \
         GROUP BY site ORDER BY site",
    )
    .await;
    let c: Vec<f64> = (0..365i64).map(|i| (i * 37 % 101) as f64).collect();
    close(&floats(&b, 1), &[Some(6.5), None, percentile(&c, 90.0)]);
    close(
        &floats(&b, 2),
        &[
            percentile(&[3.0, 4.0, 8.0, 2.0, 5.0, 4.0], 95.0),
            None,
            percentile(&c, 95.0),
        ],
    );
    let b = run(
        &ctx,
        "SELECT hj663_percentile(v, 90) FROM (VALUES (3), (4), (8), (2), (5), (4)) t(v)",
    )
    .await;
    assert_eq!(floats(&b, 0), [Some(6.5)]);
    for (sql, msg) in [
        ("SELECT hj663_percentile(value, value) FROM obs", "constant"),
        ("SELECT hj663_percentile(value, 101) FROM obs", "0 to 100"),
    ] {
        let err = match ctx.sql(sql).await {
            Err(e) => e,
            Ok(df) => df.collect().await.unwrap_err(),
        };
        assert!(err.to_string().contains(msg), "{err}");
    }
}
