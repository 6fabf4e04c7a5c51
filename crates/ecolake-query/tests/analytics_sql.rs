//! The SQL aggregates `mk_trend` and `sen_slope`: rows shuffled across partitions, grouped by
//! site, against pymannkendall (`tests/data/analytics/trend.json`) and the Rust functions.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, StringArray, StructArray,
    TimestampMillisecondArray,
};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use ecolake_query::analytics::trend::mann_kendall;
use serde_json::Value;

const TREND: &str = include_str!("data/analytics/trend.json");

/// The reference case `name`: its values (NaN for null) and pymannkendall's result.
fn case(name: &str) -> (Vec<f64>, Value) {
    let data: Value = serde_json::from_str(TREND).unwrap();
    let case = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone();
    let x = case["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    (x, case["expected"].clone())
}

/// A table `t(site, time, value, idx)` holding each series hourly from 2024-01-01 (NaN as
/// NULL), rows shuffled and dealt over three partitions.
async fn context(series: &[(&str, &[f64])]) -> SessionContext {
    let mut rows: Vec<(String, i64, Option<f64>)> = Vec::new();
    for (site, x) in series {
        for (i, &v) in x.iter().enumerate() {
            let time = 1_704_067_200_000 + i as i64 * 3_600_000;
            rows.push((site.to_string(), time, (!v.is_nan()).then_some(v)));
        }
    }
    // A fixed shuffle (multiplicative permutation of the indices).
    let n = rows.len();
    let step = (1..n)
        .rev()
        .find(|s| gcd(*s, n) == 1 && *s > n / 3)
        .unwrap_or(1);
    let shuffled: Vec<_> = (0..n).map(|k| rows[(k * step) % n].clone()).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("site", DataType::Utf8, false),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("value", DataType::Float64, true),
        Field::new("idx", DataType::Int64, false),
    ]));
    let batch = |part: &[(String, i64, Option<f64>)]| {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                part.iter().map(|r| r.0.clone()),
            )),
            Arc::new(
                TimestampMillisecondArray::from_iter_values(part.iter().map(|r| r.1))
                    .with_timezone("UTC"),
            ),
            Arc::new(Float64Array::from_iter(part.iter().map(|r| r.2))),
            Arc::new(Int64Array::from_iter_values(
                part.iter().map(|r| (r.1 - 1_704_067_200_000) / 3_600_000),
            )),
        ];
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    };
    let third = n.div_ceil(3);
    let partitions: Vec<Vec<RecordBatch>> =
        shuffled.chunks(third).map(|c| vec![batch(c)]).collect();
    let ctx = SessionContext::new();
    ecolake_query::analytics::register(&ctx);
    ctx.register_table(
        "t",
        Arc::new(MemTable::try_new(schema, partitions).unwrap()),
    )
    .unwrap();
    ctx
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

async fn query(ctx: &SessionContext, sql: &str) -> RecordBatch {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn close(got: f64, want: f64, floor: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs() + floor
}

#[tokio::test]
async fn mk_trend_by_site_equals_pymannkendall() {
    let names = ["n50_nan", "n10_ties", "n30_decreasing", "n200_leading_nan"];
    let data: Vec<(Vec<f64>, Value)> = names.iter().map(|n| case(n)).collect();
    let series: Vec<(&str, &[f64])> = names
        .iter()
        .zip(&data)
        .map(|(n, (x, _))| (*n, x.as_slice()))
        .collect();
    let short = [1.0, 2.0];
    let mut all = series.clone();
    all.push(("short", &short));
    let ctx = context(&all).await;
    let batch = query(
        &ctx,
        "SELECT site, mk_trend(time, value) AS r, sen_slope(time, value) AS slope \
         FROM t GROUP BY site ORDER BY site",
    )
    .await;
    assert_eq!(batch.num_rows(), 5);
    let sites = batch.column(0).as_string::<i32>();
    let r: &StructArray = batch.column(1).as_struct();
    let slopes = batch.column(2).as_primitive::<Float64Type>();
    let f64_field = |name: &str, row: usize| {
        r.column_by_name(name)
            .unwrap()
            .as_primitive::<Float64Type>()
            .value(row)
    };
    for row in 0..batch.num_rows() {
        let site = sites.value(row);
        if site == "short" {
            assert!(r.is_null(row), "two values: NULL");
            assert_eq!(slopes.value(row), 1.0, "two values make one slope");
            continue;
        }
        let k = names.iter().position(|n| *n == site).unwrap();
        let (x, want) = &data[k];
        let trend = r
            .column_by_name("trend")
            .unwrap()
            .as_string::<i32>()
            .value(row);
        assert_eq!(trend, want["trend"].as_str().unwrap(), "{site}");
        let s = r
            .column_by_name("s")
            .unwrap()
            .as_primitive::<Int64Type>()
            .value(row);
        assert_eq!(s as f64, want["s"].as_f64().unwrap(), "{site}");
        for (field, floor) in [("p", 1e-15), ("z", 0.0), ("tau", 0.0), ("var_s", 0.0)] {
            let got = f64_field(field, row);
            assert!(
                close(got, want[field].as_f64().unwrap(), floor),
                "{site}.{field}: {got}"
            );
        }
        for (field, floor) in [("slope", 1e-15), ("intercept", 1e-14)] {
            let got = f64_field(field, row);
            assert!(
                close(got, want[field].as_f64().unwrap(), floor),
                "{site}.{field}: {got}"
            );
        }
        assert_eq!(slopes.value(row), f64_field("slope", row), "{site}");
        // And exactly the Rust function on the ordered series.
        let rust = mann_kendall(x, 0.05).unwrap();
        assert_eq!(f64_field("z", row), rust.z);
        assert_eq!(f64_field("intercept", row), rust.intercept);
        let n = r
            .column_by_name("n")
            .unwrap()
            .as_primitive::<Int64Type>()
            .value(row);
        assert_eq!(n as usize, rust.n);
    }
}

#[tokio::test]
async fn alpha_integer_time_and_field_access() {
    let (x, want) = case("n120_nan_alpha_0.1");
    let ctx = context(&[("a", &x)]).await;
    let batch = query(
        &ctx,
        "SELECT mk_trend(time, value, 0.1)['h'] AS h, mk_trend(idx, value)['p'] AS p, \
         mk_trend(CAST(idx AS DOUBLE) / 24.0, value)['slope'] AS slope_float_time, \
         sen_slope(idx, value) AS slope FROM t",
    )
    .await;
    assert!(batch.column(0).as_boolean().value(0));
    assert_eq!(want["h"], true);
    let p = batch.column(1).as_primitive::<Float64Type>().value(0);
    assert!(close(p, want["p"].as_f64().unwrap(), 1e-15));
    let slope = want["slope"].as_f64().unwrap();
    for c in [2, 3] {
        let got = batch.column(c).as_primitive::<Float64Type>().value(0);
        assert!(close(got, slope, 1e-15), "column {c}: {got} vs {slope}");
    }
}

#[tokio::test]
async fn bad_calls_are_refused() {
    let ctx = context(&[("a", &[1.0, 2.0, 3.0])]).await;
    for (sql, why) in [
        (
            "SELECT mk_trend(value) FROM t",
            "expected (time, value [, alpha])",
        ),
        (
            "SELECT mk_trend(time, value, 2.0) FROM t",
            "alpha must be a constant in (0, 1)",
        ),
        (
            "SELECT mk_trend(time, value, value) FROM t",
            "alpha must be a constant",
        ),
        (
            "SELECT sen_slope(time, value, 0.1) FROM t",
            "expected (time, value)",
        ),
        (
            "SELECT mk_trend(time, site) FROM t",
            "value and alpha must be numbers",
        ),
        (
            "SELECT mk_trend(site, value) FROM t",
            "time must be a timestamp, date or number",
        ),
    ] {
        let result = match ctx.sql(sql).await {
            Ok(df) => df.collect().await.map(|_| ()),
            Err(e) => Err(e),
        };
        let error = result.expect_err(sql).to_string();
        assert!(error.contains(why), "{sql}: {error}");
    }
}
