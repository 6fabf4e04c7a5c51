//! Figures for the API's reads on a year of hourly data (3 sites × 6 AQI factors × 8,784
//! hours of 2024, flushed and compacted): each read is checked for its row count and timed
//! (median of several runs, printed; run with `--nocapture` to see them). Test builds are
//! unoptimised for this crate (dependencies at opt-level 1): release is several times faster.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use datafusion::prelude::SessionContext;
use ecolake_query::api::{
    aqi_daily, aqi_latest_at, latest_at, series, Agg, Every, SeriesRequest, AQI_FACTORS,
};
use ecolake_query::sandbox::{limited_stream, plan_sandboxed, runtime, sandbox_session, Sandbox};
use ecolake_query::QueryConfig;
use ecolake_store::{Store, StoreConfig};
use futures::StreamExt;

const HOUR: i64 = 3_600_000;
/// 2024-01-01T00:00:00+08:00.
const START: i64 = 1_704_038_400_000;
const HOURS: i64 = 8_784;
const SITES: [&str; 3] = ["Y1", "Y2", "Y3"];

async fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, StoreConfig::default()).await.unwrap();
    for site in SITES {
        let mut time = Vec::new();
        let (mut sites, mut factors, mut periods, mut values) = (vec![], vec![], vec![], vec![]);
        for (k, (code, _)) in AQI_FACTORS.iter().enumerate() {
            for h in 0..HOURS {
                time.push(START + h * HOUR);
                sites.push(site);
                factors.push(*code);
                periods.push("hour");
                let level = [8.0, 30.0, 0.8, 60.0, 70.0, 40.0][k];
                values.push(level * (1.0 + 0.5 * ((h % 24) as f64 / 24.0)) + (h % 7) as f64);
            }
        }
        let batch = RecordBatch::try_from_iter([
            (
                "time",
                Arc::new(TimestampMillisecondArray::from(time).with_timezone("UTC")) as ArrayRef,
            ),
            ("site", Arc::new(StringArray::from(sites)) as ArrayRef),
            ("factor", Arc::new(StringArray::from(factors)) as ArrayRef),
            ("period", Arc::new(StringArray::from(periods)) as ArrayRef),
            ("value", Arc::new(Float64Array::from(values)) as ArrayRef),
        ])
        .unwrap();
        store.write(&batch).await.unwrap();
    }
    store.flush().await.unwrap();
    store.compact().await.unwrap();
    store
}

/// The median duration of `runs` runs of `f`, and its last result.
async fn timed<T, F, Fut>(runs: usize, mut f: F) -> (Duration, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f().await);
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last.expect("at least one run"))
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_hours() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let snapshot = store.snapshot();
    let runtime = runtime(&QueryConfig::default()).unwrap();
    let sandbox = Sandbox {
        rows: Some("site IN ('Y1', 'Y2')".into()),
        tables: ecolake_registry::empty_sql_tables().unwrap(),
        views: Vec::new(),
    };
    let (built, _) = timed(20, || sandbox_session(&snapshot, runtime.clone(), &sandbox)).await;
    let ctx: SessionContext = sandbox_session(&snapshot, runtime.clone(), &sandbox)
        .await
        .unwrap();
    let mut report = vec![format!("sandbox_session: {built:?}")];

    let year = |every: Option<Every>, agg: Agg, factors: Vec<String>, limit: usize| SeriesRequest {
        sites: vec!["Y1".into()],
        factors,
        period: Some("hour".into()),
        from_ms: Some(START),
        to_ms: Some(START + HOURS * HOUR),
        every,
        agg,
        time_zone: chrono_tz::Asia::Shanghai,
        limit,
        after: None,
    };
    let all: Vec<String> = Vec::new();
    let cases = [
        (
            "hourly mean, 1 site × 6 factors, a year",
            year(Some(Every::Hour), Agg::Mean, all.clone(), 100_000),
            6 * HOURS as usize,
        ),
        (
            "daily p95, 1 site × 6 factors, a year",
            year(Some(Every::Day), Agg::P95, all.clone(), 100_000),
            6 * 366,
        ),
        (
            "monthly mean, 1 site × 6 factors, a year",
            year(Some(Every::Month), Agg::Mean, all.clone(), 100_000),
            6 * 12,
        ),
        (
            "raw, 1 factor, a year (8,784 rows)",
            year(None, Agg::Mean, vec!["a34004".into()], 100_000),
            HOURS as usize,
        ),
        (
            "raw, first page of 1,000",
            year(None, Agg::Mean, all.clone(), 1_000),
            1_000,
        ),
    ];
    for (name, request, want) in cases {
        let (t, page) = timed(5, || series(&ctx, None, &request)).await;
        assert_eq!(rows(&page.unwrap().batches), want, "{name}");
        report.push(format!("series {name}: {t:?}"));
    }
    // The same hourly aggregation in a plain session with the predicate passed in.
    let plain = ecolake_query::session(&snapshot).await.unwrap();
    let request = year(Some(Every::Hour), Agg::Mean, all.clone(), 100_000);
    let (t, page) = timed(5, || series(&plain, Some("site IN ('Y1', 'Y2')"), &request)).await;
    assert_eq!(rows(&page.unwrap().batches), 6 * HOURS as usize);
    report.push(format!("series hourly mean, plain session + rows: {t:?}"));

    let now = START + HOURS * HOUR + 10 * 60_000;
    let (t, got) = timed(5, || latest_at(&ctx, None, "Y1", now)).await;
    assert_eq!(rows(&got.unwrap()), 6);
    report.push(format!("latest (recent data): {t:?}"));
    let (t, got) = timed(5, || latest_at(&ctx, None, "Y1", now + 40 * 24 * HOUR)).await;
    assert_eq!(rows(&got.unwrap()), 6);
    report.push(format!("latest (newest data 40 days old: 3 rounds): {t:?}"));
    let sites: Vec<String> = SITES.iter().map(|s| s.to_string()).collect();
    let (t, got) = timed(5, || aqi_latest_at(&ctx, None, &sites, now)).await;
    assert_eq!(rows(&got.unwrap()), 2, "Y3 is outside the predicate");
    report.push(format!("aqi_latest (3 sites asked): {t:?}"));
    let (t, got) = timed(3, || {
        aqi_daily(&ctx, None, "Y1", Some(START), Some(START + HOURS * HOUR))
    })
    .await;
    assert_eq!(rows(&got.unwrap()), 366);
    report.push(format!("aqi_daily, a year: {t:?}"));
    let sql = "SELECT site, factor, avg(value), hj663_percentile(value, 95) FROM observations \
               GROUP BY site, factor";
    let (t, got) = timed(5, || async {
        let df = plan_sandboxed(&ctx, sql).await.unwrap();
        let stream = limited_stream(df, 1000, Duration::from_secs(60));
        stream
            .map(|b| b.unwrap().num_rows())
            .collect::<Vec<_>>()
            .await
    })
    .await;
    assert_eq!(got.iter().sum::<usize>(), 12);
    report.push(format!(
        "sandboxed SQL, per-site-factor mean and p95 of 2 sites: {t:?}"
    ));
    // The figures are this test's output.
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "\nAPI figures (debug build, median):\n  {}",
            report.join("\n  ")
        );
    }
    store.close().await.unwrap();
}
