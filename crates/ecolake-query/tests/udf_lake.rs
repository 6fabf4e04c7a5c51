//! The standards' functions over a real store's `observations`: the documented "daily AQI per
//! station for a year" query (24-hour means with 20 valid hours, O3 MDA8 from `o3_8h` over an
//! hour grid, `aqi_daily` with the edition of each day) and the hourly `aqi`, checked against
//! the standards crate's daily statistics and reports on synthetic data that crosses the
//! HJ 633-2026 switch (2026-03-01) and has gaps.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Int32Type};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use ecolake_standards::aqi::cn::{self, Edition};
use ecolake_standards::assess::{daily_mean, group_by_day, o3_mda8};
use ecolake_store::{Store, StoreConfig};

const HOUR: i64 = 3_600_000;
/// 2026-02-26 00:00 in Beijing.
const START: i64 = 1_772_035_200_000;
const DAYS: i64 = 6;
const SITES: [&str; 2] = ["S1", "S2"];
const CODES: [&str; 6] = ["a21026", "a21004", "a21005", "a05024", "a34002", "a34004"];

/// The synthetic hourly value of a site, factor and hour since [`START`]; `None`: no row.
fn value(site: usize, code: &str, h: i64) -> Option<f64> {
    let (d, lh) = ((h / 24) as f64, h % 24);
    let s = site as f64;
    let v = match code {
        "a21026" => 5.0 + (lh % 7) as f64,
        "a21004" => 20.0 + 2.0 * (lh % 5) as f64 + 10.0 * s,
        "a21005" => 0.5 + 0.1 * (lh % 4) as f64,
        "a05024" => 30.0 + 10.0 * (12 - (lh - 14).abs()).max(0) as f64 + 5.0 * d,
        "a34002" => 50.0 + 8.0 * d + (lh % 3) as f64 + 5.0 * s,
        _ => 30.0 + 9.0 * d + (lh % 6) as f64 + 4.0 * s,
    };
    let day = h / 24;
    let gap = match (site, code) {
        // S2 PM2.5: 18 hours on 02-28 (2012) and on 03-02 (2026): no valid daily mean.
        (1, "a34004") => (day == 2 || day == 4) && lh < 6,
        // S1 O3: hours 09 and 10 missing on 03-01; only 00–09 on 03-03 (MDA8 not valid).
        (0, "a05024") => (day == 3 && (lh == 9 || lh == 10)) || (day == 5 && lh > 9),
        _ => false,
    };
    (!gap).then_some(v)
}

/// A row to write: time (ms), site, factor, period, value.
type Row<'a> = (i64, &'a str, &'a str, &'a str, f64);

fn batch(rows: &[Row<'_>]) -> RecordBatch {
    let text = |f: &dyn Fn(&Row<'_>) -> String| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    RecordBatch::try_from_iter([
        (
            "time",
            Arc::new(
                TimestampMillisecondArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                    .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("site", text(&|r| r.1.to_owned())),
        ("factor", text(&|r| r.2.to_owned())),
        ("period", text(&|r| r.3.to_owned())),
        (
            "value",
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

/// A store holding the synthetic hours, plus rows the queries must ignore.
async fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, StoreConfig::default()).await.unwrap();
    let mut rows = Vec::new();
    for (s, site) in SITES.iter().enumerate() {
        for code in CODES {
            for h in 0..DAYS * 24 {
                if let Some(v) = value(s, code, h) {
                    rows.push((START + h * HOUR, *site, code, "hour", v));
                }
            }
        }
    }
    let outcome = store.write(&batch(&rows)).await.unwrap();
    assert_eq!(outcome.accepted, rows.len());
    store.flush().await.unwrap();
    // Unflushed: a daily PM2.5 value and hourly temperatures (other period, other factor).
    let noise = [
        (START, "S1", "a34004", "day", 900.0),
        (START, "S1", "a01001", "hour", 12.0),
        (START + HOUR, "S2", "a01001", "hour", 11.0),
    ];
    store.write(&batch(&noise)).await.unwrap();
    store
}

/// The documented query (`/tmp/udf-doc.md`), for the year 2026 in Beijing.
const DAILY_AQI: &str = "
WITH hourly AS (
  SELECT site, factor, time, value,
         CAST(time + INTERVAL '8 hours' AS DATE) AS day
  FROM observations
  WHERE period = 'hour'
    AND factor IN ('a21026', 'a21004', 'a21005', 'a05024', 'a34002', 'a34004')
    AND time >= TIMESTAMP '2025-12-31 16:00:00' AND time < TIMESTAMP '2026-12-31 16:00:00'
),
means AS (
  SELECT site, day, factor,
         CASE WHEN count(value) >= 20 THEN avg(value) END AS mean
  FROM hourly WHERE factor <> 'a05024'
  GROUP BY site, day, factor
),
grid AS (
  SELECT s.site, g.value AS time
  FROM (SELECT DISTINCT site FROM hourly WHERE factor = 'a05024') s
  CROSS JOIN generate_series(TIMESTAMP '2025-12-31 16:00:00',
                             TIMESTAMP '2026-12-31 15:00:00', INTERVAL '1 hour') g
),
o3 AS (
  SELECT g.site, h.value,
         CAST(g.time + INTERVAL '8 hours' AS DATE) AS day,
         date_part('hour', g.time + INTERVAL '8 hours') AS local_hour,
         o3_8h(h.value, g.time) OVER (PARTITION BY g.site ORDER BY g.time) AS o3_8h
  FROM grid g
  LEFT JOIN hourly h ON h.site = g.site AND h.time = g.time AND h.factor = 'a05024'
),
o3_daily AS (
  SELECT site, day, max(value) AS o3_1h_max,
         CASE WHEN count(o3_8h) FILTER (WHERE local_hour >= 7) >= 14
                OR max(o3_8h) FILTER (WHERE local_hour >= 7) > 160
              THEN max(o3_8h) FILTER (WHERE local_hour >= 7) END AS o3_8h_max
  FROM o3 GROUP BY site, day
),
days AS (
  SELECT m.site, m.day,
         max(mean) FILTER (WHERE factor = 'a21026') AS so2,
         max(mean) FILTER (WHERE factor = 'a21004') AS no2,
         max(mean) FILTER (WHERE factor = 'a21005') AS co,
         max(mean) FILTER (WHERE factor = 'a34002') AS pm10,
         max(mean) FILTER (WHERE factor = 'a34004') AS pm25
  FROM means m GROUP BY m.site, m.day
),
report AS (
  SELECT d.site, d.day,
         aqi_daily(d.so2, d.no2, d.co, o.o3_1h_max, o.o3_8h_max, d.pm10, d.pm25, d.day) AS aqi,
         aqi_daily_primary(d.so2, d.no2, d.co, o.o3_1h_max, o.o3_8h_max, d.pm10, d.pm25,
                           d.day) AS primary_pollutants
  FROM days d LEFT JOIN o3_daily o ON o.site = d.site AND o.day = d.day
)
SELECT site, day, aqi, aqi_level(aqi) AS level, aqi_category(aqi) AS category,
       primary_pollutants
FROM report
ORDER BY site, day";

/// A column as text.
fn texts(b: &RecordBatch, i: usize) -> Vec<Option<String>> {
    let c = cast(b.column(i), &DataType::Utf8).unwrap();
    c.as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}

fn ints(b: &RecordBatch, i: usize) -> Vec<Option<i32>> {
    let c = cast(b.column(i), &DataType::Int32).unwrap();
    c.as_primitive::<Int32Type>().iter().collect()
}

/// Beijing local time of an hour since [`START`].
fn local(h: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(START + h * HOUR + 8 * HOUR)
        .unwrap()
        .naive_utc()
}

/// The daily report of every site and day by the standards crate.
fn expected_daily() -> BTreeMap<(String, NaiveDate), cn::Report> {
    let mut out = BTreeMap::new();
    for (s, site) in SITES.iter().enumerate() {
        let days = |code: &str| {
            group_by_day((0..DAYS * 24).map(|h| (local(h), value(s, code, h)))).unwrap()
        };
        let by_code: Vec<_> = CODES.iter().map(|c| days(c)).collect();
        for (i, o3) in by_code[3].iter().enumerate() {
            let mean = |k: usize| daily_mean(&by_code[k][i]).valid_value();
            let input = cn::Daily {
                so2: mean(0),
                no2: mean(1),
                co: mean(2),
                pm10: mean(4),
                pm25: mean(5),
                o3_1h_max: o3.hours.iter().flatten().copied().reduce(f64::max),
                o3_8h_max: o3_mda8(o3).valid_value(160.0),
            };
            let report = cn::daily(Edition::for_date(o3.date), &input).unwrap();
            out.insert((site.to_string(), o3.date), report);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_aqi_per_station_for_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let ctx = ecolake_query::session(&store.snapshot()).await.unwrap();
    let batches = ecolake_query::run_read_only(&ctx, DAILY_AQI).await.unwrap();
    let b = concat_batches(&batches[0].schema(), &batches).unwrap();
    let want = expected_daily();
    assert_eq!(b.num_rows(), want.len());
    let (site, day, aqi, level, category, primary) = (
        texts(&b, 0),
        texts(&b, 1),
        ints(&b, 2),
        ints(&b, 3),
        texts(&b, 4),
        texts(&b, 5),
    );
    for (i, ((s, d), report)) in want.iter().enumerate() {
        let key = format!("{s} {d}");
        assert_eq!(site[i].as_deref(), Some(s.as_str()), "{key}");
        assert_eq!(day[i], Some(d.to_string()), "{key}");
        assert_eq!(aqi[i], report.aqi.map(i32::from), "{key}");
        assert_eq!(
            level[i],
            report.level.map(|l| i32::from(l.number())),
            "{key}"
        );
        assert_eq!(
            category[i].as_deref(),
            report.level.map(|l| l.category_zh()),
            "{key}"
        );
        let names: Vec<_> = report.primary.iter().map(|p| p.name()).collect();
        let names = report.aqi.map(|_| names.join(";"));
        assert_eq!(primary[i], names, "{key}");
    }
    // The cases the data was built for: S2 on 03-02 misses PM2.5 with an AQI ≤ 100 (NA under
    // HJ 633-2026) and S1 on 03-03 misses the MDA8 with PM2.5 above 100 (published).
    let s2 = &want[&(
        "S2".to_owned(),
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
    )];
    assert_eq!((s2.aqi, s2.max_iaqi.is_some()), (None, true));
    let s1 = &want[&(
        "S1".to_owned(),
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
    )];
    assert!(s1.aqi.is_some_and(|a| a > 100), "{s1:?}");
    assert!(want.values().any(|r| r.edition == Edition::Hj633_2012));
    store.close().await.unwrap();
}

/// The hourly AQI of every station-hour, pivoted from `observations`, with each hour's
/// edition from its time.
const HOURLY_AQI: &str = "
SELECT site, time,
       aqi(max(value) FILTER (WHERE factor = 'a21026'), max(value) FILTER (WHERE factor = 'a21004'),
           max(value) FILTER (WHERE factor = 'a21005'), max(value) FILTER (WHERE factor = 'a05024'),
           max(value) FILTER (WHERE factor = 'a34002'), max(value) FILTER (WHERE factor = 'a34004'),
           time) AS aqi
FROM observations
WHERE period = 'hour'
GROUP BY site, time
ORDER BY site, time";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hourly_aqi_from_observations() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let ctx = ecolake_query::session(&store.snapshot()).await.unwrap();
    let batches = ecolake_query::run_read_only(&ctx, HOURLY_AQI)
        .await
        .unwrap();
    let b = concat_batches(&batches[0].schema(), &batches).unwrap();
    assert_eq!(b.num_rows(), SITES.len() * (DAYS * 24) as usize);
    let aqi = ints(&b, 2);
    let mut i = 0;
    for (s, site) in SITES.iter().enumerate() {
        for h in 0..DAYS * 24 {
            let v = |k: usize| value(s, CODES[k], h);
            let hour = cn::Realtime {
                so2: v(0),
                no2: v(1),
                co: v(2),
                o3: v(3),
                pm10: v(4),
                pm25: v(5),
                so2_24h: None,
            };
            let edition = Edition::for_date(local(h).date());
            let want = cn::realtime(edition, &hour).unwrap().aqi.map(i32::from);
            assert_eq!(aqi[i], want, "{site} hour {h}");
            i += 1;
        }
    }
    store.close().await.unwrap();
}
