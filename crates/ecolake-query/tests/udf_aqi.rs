//! The standards' scalar SQL functions (`iaqi`, `aqi`, `aqi_daily`, the primary pollutants,
//! levels and categories, `epa_aqi`, `water_class`) against hand-derived table values and the
//! standards crate's scalar API, with their NULL rules and edition switching.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Int32Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use ecolake_standards::aqi::cn::{self, Edition};
use ecolake_standards::aqi::{Averaging, Pollutant};

fn ctx() -> SessionContext {
    let ctx = SessionContext::new();
    ecolake_query::udf::register(&ctx);
    ctx
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

/// Column `i` as integers.
fn ints(b: &RecordBatch, i: usize) -> Vec<Option<i32>> {
    let c = cast(b.column(i), &DataType::Int32).unwrap();
    c.as_primitive::<Int32Type>().iter().collect()
}

/// Column `i` as text.
fn texts(b: &RecordBatch, i: usize) -> Vec<Option<String>> {
    let c = cast(b.column(i), &DataType::Utf8).unwrap();
    c.as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}

/// The single integer a query returns.
async fn int(ctx: &SessionContext, sql: &str) -> Option<i32> {
    ints(&run(ctx, &format!("SELECT {sql}")).await, 0)[0]
}

async fn text(ctx: &SessionContext, sql: &str) -> Option<String> {
    texts(&run(ctx, &format!("SELECT {sql}")).await, 0)[0].clone()
}

async fn fails(ctx: &SessionContext, sql: &str) -> String {
    let sql = format!("SELECT {sql}");
    match ctx.sql(&sql).await {
        Err(e) => e.to_string(),
        Ok(df) => match df.collect().await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{sql} should fail"),
        },
    }
}

#[tokio::test]
async fn iaqi_matches_the_tables_by_hand() {
    let ctx = ctx();
    // HJ 633-2012 PM2.5 24h: 50 + 50·(36 − 35)/40 = 51.25 → 52; 100 + 50·0.9/40 = 101.1 → 102.
    assert_eq!(
        int(&ctx, "iaqi('PM2.5', '24h', 36, 'hj633-2012')").await,
        Some(52)
    );
    assert_eq!(
        int(&ctx, "iaqi('PM2.5', '24h', 75.9, 'hj633-2012')").await,
        Some(102)
    );
    // CO 24h: 50 + 50·(2.5 − 2)/2 = 62.5 → 63.
    assert_eq!(
        int(&ctx, "iaqi('CO', '24h', 2.5, 'hj633-2012')").await,
        Some(63)
    );
    // PM2.5 70: 2012 50 + 50·35/40 = 93.75 → 94; 2026 100 + 50·10/55 = 109.1 → 110.
    assert_eq!(
        int(&ctx, "iaqi('pm2.5', '24h', 70, '2012')").await,
        Some(94)
    );
    assert_eq!(
        int(&ctx, "iaqi('PM2.5', '24h', 70, 'HJ 633-2026')").await,
        Some(110)
    );
    // Without an edition: HJ 633-2026.
    assert_eq!(int(&ctx, "iaqi('PM2.5', '24h', 70)").await, Some(110));
    // Factor codes; integers coerce.
    assert_eq!(
        int(&ctx, "iaqi('a34004', '24h', 70, '2012')").await,
        Some(94)
    );
    assert_eq!(int(&ctx, "iaqi('O3', '8h', 170, '2012')").await, Some(110));
    // Above the top: 500; SO2 1h above 800: 2012 not indexed (NULL), 2026 200.
    assert_eq!(
        int(&ctx, "iaqi('PM10', '24h', 700, '2012')").await,
        Some(500)
    );
    assert_eq!(int(&ctx, "iaqi('SO2', '1h', 900, '2012')").await, None);
    assert_eq!(int(&ctx, "iaqi('SO2', '1h', 900, '2026')").await, Some(200));
}

#[tokio::test]
async fn iaqi_equals_the_scalar_api_on_a_column() {
    let ctx = ctx();
    let values: Vec<f64> = (0..2000).map(|i| f64::from(i) * 0.37).collect();
    let batch = RecordBatch::try_from_iter([(
        "c",
        Arc::new(Float64Array::from(values.clone())) as ArrayRef,
    )])
    .unwrap();
    ctx.register_batch("t", batch).unwrap();
    for (p, a) in [
        (Pollutant::Pm25, Averaging::Hour24),
        (Pollutant::O3, Averaging::Hour8),
        (Pollutant::No2, Averaging::Hour1),
        (Pollutant::Co, Averaging::Hour24),
    ] {
        for e in Edition::ALL {
            let sql = format!("SELECT iaqi('{p}', '{a}', c, '{}') FROM t", e.name());
            let got = ints(&run(&ctx, &sql).await, 0);
            for (c, g) in values.iter().zip(got) {
                let want = cn::iaqi(e, p, a, *c).unwrap().map(i32::from);
                assert_eq!(g, want, "{p} {a} {c} {e}");
            }
        }
    }
}

#[tokio::test]
async fn iaqi_nulls_and_errors() {
    let ctx = ctx();
    for bad in ["NULL", "-1", "'NaN'::double", "'inf'::double"] {
        assert_eq!(
            int(&ctx, &format!("iaqi('PM2.5', '24h', {bad})")).await,
            None
        );
    }
    assert_eq!(int(&ctx, "iaqi(NULL, '24h', 50)").await, None);
    assert_eq!(int(&ctx, "iaqi('PM2.5', '24h', 50, NULL)").await, None);
    assert!(fails(&ctx, "iaqi('PM1', '24h', 5)")
        .await
        .contains("unknown pollutant"));
    assert!(fails(&ctx, "iaqi('PM2.5', '1h', 5)")
        .await
        .contains("no PM2.5 1h table"));
    assert!(fails(&ctx, "iaqi('PM2.5', '24h', 5, 'hj633-2030')")
        .await
        .contains("edition"));
    assert!(fails(&ctx, "iaqi('PM2.5', '24h')")
        .await
        .contains("3 to 4 arguments"));
    // Per row: unknown names and missing tables are NULL.
    let batch = RecordBatch::try_from_iter([
        (
            "f",
            Arc::new(StringArray::from(vec![
                "a34004", "a01001", "a21026", "PM10",
            ])) as ArrayRef,
        ),
        (
            "a",
            Arc::new(StringArray::from(vec!["24h", "24h", "24h", "1h"])) as ArrayRef,
        ),
        (
            "v",
            Arc::new(Float64Array::from(vec![36.0, 20.0, 100.0, 80.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    ctx.register_batch("t", batch).unwrap();
    let b = run(&ctx, "SELECT iaqi(f, a, v, '2012') FROM t").await;
    // SO2 24h 100: 50 + 50·50/100 = 75.
    assert_eq!(ints(&b, 0), [Some(52), None, Some(75), None]);
}

#[tokio::test]
async fn the_edition_follows_the_beijing_date() {
    let ctx = ctx();
    // 2026-02-28T15:00Z is 23:00 on 2026-02-28 in Beijing; an hour later it is 2026-03-01.
    let switch_ms = 1_772_294_400_000i64;
    let times = TimestampMillisecondArray::from(vec![switch_ms - 3_600_000, switch_ms])
        .with_timezone("UTC");
    let batch = RecordBatch::try_from_iter([
        ("time", Arc::new(times) as ArrayRef),
        (
            "v",
            Arc::new(Float64Array::from(vec![70.0, 70.0])) as ArrayRef,
        ),
    ])
    .unwrap();
    ctx.register_batch("t", batch).unwrap();
    let b = run(
        &ctx,
        "SELECT iaqi('PM2.5', '24h', v, time), aqi(9, 35, 0.8, 60, 90, v, time) FROM t",
    )
    .await;
    assert_eq!(ints(&b, 0), [Some(94), Some(110)]);
    assert_eq!(ints(&b, 1), [Some(94), Some(110)]);
    assert_eq!(
        int(&ctx, "iaqi('PM2.5', '24h', 70, DATE '2026-02-28')").await,
        Some(94)
    );
    assert_eq!(
        int(&ctx, "iaqi('PM2.5', '24h', 70, DATE '2026-03-01')").await,
        Some(110)
    );
}

#[tokio::test]
async fn realtime_aqi_equals_the_report() {
    let ctx = ctx();
    let hour = cn::Realtime {
        so2: Some(9.0),
        no2: Some(35.0),
        co: Some(0.8),
        o3: Some(60.0),
        pm10: Some(90.0),
        pm25: Some(70.0),
        so2_24h: None,
    };
    for e in Edition::ALL {
        let report = cn::realtime(e, &hour).unwrap();
        let args = format!("9, 35, 0.8, 60, 90, 70, '{}'", e.name());
        assert_eq!(
            int(&ctx, &format!("aqi({args})")).await,
            report.aqi.map(i32::from)
        );
        let primary: Vec<_> = report.primary.iter().map(|p| p.name()).collect();
        assert_eq!(
            text(&ctx, &format!("aqi_primary({args})")).await,
            Some(primary.join(";"))
        );
    }
    // The crate's example: PM10 68 rules under 2012 (59).
    assert_eq!(
        int(&ctx, "aqi(7, 82, 1.2, 0, 68, 36, '2012')").await,
        Some(59)
    );
    assert_eq!(
        text(&ctx, "aqi_primary(7, 82, 1.2, 0, 68, 36, '2012')").await,
        Some("PM10".into())
    );
    // Ties are all primary: PM10 150 and PM2.5 75 are both 100 under 2012.
    assert_eq!(
        text(&ctx, "aqi_primary(5, 20, 0.5, 30, 150, 75, '2012')").await,
        Some("PM10;PM2.5".into())
    );
    // AQI ≤ 50: no primary pollutant (empty text, not NULL).
    assert_eq!(
        text(&ctx, "aqi_primary(5, 20, 0.5, 30, 20, 10, '2026')").await,
        Some(String::new())
    );
    // HJ 633-2026: NO2 missing and AQI ≤ 100 → NA; above 100 it is published.
    assert_eq!(
        int(&ctx, "aqi(5, NULL, 0.5, 30, 20, 10, '2026')").await,
        None
    );
    assert_eq!(
        text(&ctx, "aqi_primary(5, NULL, 0.5, 30, 20, 10, '2026')").await,
        None
    );
    assert_eq!(
        int(&ctx, "aqi(5, NULL, 0.5, 30, 20, 10, '2012')").await,
        Some(20)
    );
    assert_eq!(
        int(&ctx, "aqi(5, -3, 0.5, 30, 20, 80, '2026')").await,
        Some(119)
    );
    // SO2 1h above 800 under 2012 takes the 24-hour SO2 (7th argument): 800 ↔ 200.
    assert_eq!(
        int(&ctx, "aqi(900, 20, 0.5, 30, 20, 10, 800, '2012')").await,
        Some(200)
    );
    assert_eq!(
        int(&ctx, "aqi(900, 20, 0.5, 30, 20, 10, '2012')").await,
        Some(20)
    );
    assert!(fails(&ctx, "aqi(1, 2, 3)")
        .await
        .contains("6 to 8 arguments"));
}

#[tokio::test]
async fn daily_aqi_equals_the_report() {
    let ctx = ctx();
    let day = cn::Daily {
        so2: Some(12.0),
        no2: Some(40.0),
        co: Some(0.9),
        pm10: Some(70.0),
        pm25: Some(40.0),
        o3_1h_max: Some(250.0),
        o3_8h_max: Some(170.0),
    };
    // 2012: the 1-hour O3 maximum 250 is an item, 100 + 50·50/100 = 125; 2026: 8-hour O3 170,
    // 100 + 50·10/55 = 109.1 → 110.
    let want = [(Edition::Hj633_2012, 125), (Edition::Hj633_2026, 110)];
    for (e, aqi) in want {
        let report = cn::daily(e, &day).unwrap();
        assert_eq!(report.aqi, Some(aqi));
        let args = format!("12, 40, 0.9, 250, 170, 70, 40, '{}'", e.name());
        assert_eq!(
            int(&ctx, &format!("aqi_daily({args})")).await,
            Some(i32::from(aqi))
        );
        assert_eq!(
            text(&ctx, &format!("aqi_daily_primary({args})")).await,
            Some("O3".into())
        );
    }
    assert_eq!(
        int(&ctx, "aqi_daily(12, 40, 0.9, NULL, 170, 70, 40)").await,
        Some(110)
    );
    assert!(fails(&ctx, "aqi_daily(1, 2, 3, 4, 5, 6)")
        .await
        .contains("7 to 8"));
}

#[tokio::test]
async fn levels_and_categories() {
    let ctx = ctx();
    for (aqi, level) in [
        ("0", 1),
        ("50", 1),
        ("50.2", 2),
        ("51", 2),
        ("100", 2),
        ("101", 3),
        ("200", 4),
        ("201", 5),
        ("300", 5),
        ("301", 6),
        ("500", 6),
    ] {
        assert_eq!(
            int(&ctx, &format!("aqi_level({aqi})")).await,
            Some(level),
            "{aqi}"
        );
    }
    assert_eq!(int(&ctx, "aqi_level(NULL)").await, None);
    assert_eq!(int(&ctx, "aqi_level(-1)").await, None);
    assert_eq!(text(&ctx, "aqi_category(75)").await, Some("良".into()));
    assert_eq!(
        text(&ctx, "aqi_category(75, 'en')").await,
        Some("Good".into())
    );
    assert_eq!(
        text(&ctx, "aqi_category(320, 'zh')").await,
        Some("严重污染".into())
    );
    assert_eq!(
        text(&ctx, "aqi_category(aqi(9, 35, 0.8, 60, 90, 70, '2026'))").await,
        Some("轻度污染".into())
    );
    assert_eq!(text(&ctx, "aqi_category(NULL)").await, None);
    assert!(fails(&ctx, "aqi_category(75, 'fr')")
        .await
        .contains("language"));
}

#[tokio::test]
async fn epa_sub_indices() {
    let ctx = ctx();
    // PM2.5 9.5: 2024 rows 9.1–35.4 ↔ 51–100 → 52; pre-2024 rows 0–12.0 ↔ 0–50 → 40.
    assert_eq!(int(&ctx, "epa_aqi('PM2.5', '24h', 9.5)").await, Some(52));
    assert_eq!(
        int(&ctx, "epa_aqi('a34004', '24h', 9.5, 'epa-2024')").await,
        Some(52)
    );
    assert_eq!(
        int(&ctx, "epa_aqi('PM2.5', '24h', 9.5, 'epa-2012')").await,
        Some(40)
    );
    assert_eq!(
        int(&ctx, "epa_aqi('PM2.5', '24h', 125.4, '2012')").await,
        Some(187)
    );
    assert_eq!(
        int(&ctx, "epa_aqi('PM2.5', '24h', 9.5, DATE '2024-05-05')").await,
        Some(40)
    );
    assert_eq!(
        int(
            &ctx,
            "epa_aqi('PM2.5', '24h', 9.5, TIMESTAMP '2024-05-06 00:00:00')"
        )
        .await,
        Some(52)
    );
    // 1-hour O3 below 0.125 ppm has no index; NULL and negative values give NULL.
    assert_eq!(int(&ctx, "epa_aqi('O3', '1h', 0.1)").await, None);
    assert_eq!(int(&ctx, "epa_aqi('PM2.5', '24h', -2)").await, None);
    assert!(fails(&ctx, "epa_aqi('a05024', '8h', 0.05)")
        .await
        .contains("unknown"));
    assert!(fails(&ctx, "epa_aqi('CO', '1h', 5)")
        .await
        .contains("no CO 1h rows"));
}

#[tokio::test]
async fn water_classes() {
    let ctx = ctx();
    for (args, class) in [
        ("'tp', 0.21", Some("IV")),
        ("'TP', 0.21, 'river'", Some("IV")),
        ("'w21011', 0.21", Some("IV")),
        ("'tp', 0.03, 'lake'", Some("III")),
        ("'tp', 0.03, 'reservoir'", Some("III")),
        ("'tn', 1.2, 'lake'", Some("IV")),
        ("'tn', 1.2", None),
        ("'do', 5.8", Some("III")),
        ("'nh3n', 0.5", Some("II")),
        ("'ph', 5.5", Some("劣V")),
        ("'ph', 7", Some("I")),
        ("'ph', 15", None),
        ("'fecal_coliform', 50000", Some("劣V")),
        ("'cod', -1", None),
        ("'cod', NULL", None),
    ] {
        let got = text(&ctx, &format!("water_class({args})")).await;
        assert_eq!(got.as_deref(), class, "{args}");
    }
    assert!(fails(&ctx, "water_class('xyz', 1)")
        .await
        .contains("unknown water factor"));
    assert!(fails(&ctx, "water_class('tp', 1, 'sea')")
        .await
        .contains("water body"));
}

#[tokio::test]
async fn functions_run_over_a_mem_table_with_dictionary_names() {
    // The observations' `factor` column is dictionary-encoded: names coerce to text.
    let ctx = ctx();
    let factor = cast(
        &(Arc::new(StringArray::from(vec!["a34004", "w21011", "a34004"])) as ArrayRef),
        &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
    )
    .unwrap();
    let batch = RecordBatch::try_from_iter([
        ("factor", factor),
        (
            "value",
            Arc::new(Float64Array::from(vec![Some(36.0), Some(0.21), None])) as ArrayRef,
        ),
    ])
    .unwrap();
    let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap();
    ctx.register_table("obs", Arc::new(table)).unwrap();
    let b = run(
        &ctx,
        "SELECT iaqi(factor, '24h', value, '2012'), water_class(factor, value) FROM obs",
    )
    .await;
    assert_eq!(ints(&b, 0), [Some(52), None, None]);
    assert_eq!(
        texts(&b, 1),
        [None, Some("IV".to_owned()), None],
        "{:?}",
        b.column(1).data_type()
    );
    assert!(b.column(0).null_count() == 2);
}
