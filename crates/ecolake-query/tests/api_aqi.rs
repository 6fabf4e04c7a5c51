//! The AQI reads of the REST API (`aqi_daily`, `aqi_hourly`, `aqi_latest`) against the
//! standards crate's reports, on synthetic hours across the HJ 633-2026 switch (2026-03-01)
//! with gaps, and restricted by the `rows` predicate.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Int64Type, TimestampMillisecondType};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use ecolake_query::api::{aqi_daily, aqi_daily_days, aqi_hourly, aqi_latest_at};
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
/// S2 has no values in the last 3 hours (its newest AQI is older than S1's).
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
        (1, "a34004") => ((day == 2 || day == 4) && lh < 6) || h >= DAYS * 24 - 3,
        (0, "a05024") => (day == 3 && (lh == 9 || lh == 10)) || (day == 5 && lh > 9),
        (1, _) => h >= DAYS * 24 - 3,
        _ => false,
    };
    (!gap).then_some(v)
}

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
    store.write(&batch(&rows)).await.unwrap();
    store.flush().await.unwrap();
    // Other periods and factors, unflushed: ignored.
    let noise = [
        (START, "S1", "a34004", "day", 900.0),
        (START, "S1", "a01001", "hour", 12.0),
    ];
    store.write(&batch(&noise)).await.unwrap();
    store
}

fn local(h: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(START + h * HOUR + 8 * HOUR)
        .unwrap()
        .naive_utc()
}

fn realtime(s: usize, h: i64) -> cn::Report {
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
    cn::realtime(Edition::for_date(local(h).date()), &hour).unwrap()
}

fn expected_daily(s: usize) -> BTreeMap<NaiveDate, cn::Report> {
    let days =
        |code: &str| group_by_day((0..DAYS * 24).map(|h| (local(h), value(s, code, h)))).unwrap();
    let by_code: Vec<_> = CODES.iter().map(|c| days(c)).collect();
    let mut out = BTreeMap::new();
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
        out.insert(
            o3.date,
            cn::daily(Edition::for_date(o3.date), &input).unwrap(),
        );
    }
    out
}

fn texts(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let c = cast(b.column_by_name(name).unwrap(), &DataType::Utf8).unwrap();
    c.as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let c = b.column_by_name(name).unwrap();
    assert_eq!(c.data_type(), &DataType::Int64, "{name}");
    c.as_primitive::<Int64Type>().iter().collect()
}

fn one(batches: &[RecordBatch]) -> RecordBatch {
    let schema = batches.first().map(|b| b.schema()).unwrap();
    concat_batches(&schema, batches).unwrap()
}

fn primary(report: &cn::Report) -> Option<String> {
    let names: Vec<_> = report.primary.iter().map(|p| p.name()).collect();
    report.aqi.map(|_| names.join(";"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_reports_match_the_standard() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let ctx = ecolake_query::session(&store.snapshot()).await.unwrap();
    let first = NaiveDate::from_ymd_opt(2026, 2, 26).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
    for (s, site) in SITES.iter().enumerate() {
        let want = expected_daily(s);
        // By days, and by instants (Beijing midnight of the first day to that after the last).
        let by_days = one(&aqi_daily_days(&ctx, None, site, first, last).await.unwrap());
        let by_ms = one(&aqi_daily(
            &ctx,
            None,
            site,
            Some(START),
            Some(START + DAYS * 24 * HOUR),
        )
        .await
        .unwrap());
        assert_eq!(by_days, by_ms);
        let b = by_days;
        assert_eq!(b.num_rows(), want.len(), "{site}");
        let (day, aqi, level, category, primaries) = (
            texts(&b, "day"),
            ints(&b, "aqi"),
            ints(&b, "level"),
            texts(&b, "category"),
            texts(&b, "primary_pollutants"),
        );
        assert!(texts(&b, "site")
            .iter()
            .all(|s| s.as_deref() == Some(*site)));
        for (i, (d, report)) in want.iter().enumerate() {
            let key = format!("{site} {d}");
            assert_eq!(day[i], Some(d.to_string()), "{key}");
            assert_eq!(aqi[i], report.aqi.map(i64::from), "{key}");
            assert_eq!(
                level[i],
                report.level.map(|l| i64::from(l.number())),
                "{key}"
            );
            assert_eq!(
                category[i].as_deref(),
                report.level.map(|l| l.category_zh()),
                "{key}"
            );
            assert_eq!(primaries[i], primary(report), "{key}");
        }
        // One day only, and a range past the data.
        let b = one(&aqi_daily_days(&ctx, None, site, last, last).await.unwrap());
        assert_eq!(texts(&b, "day"), [Some(last.to_string())]);
    }
    // A site outside the predicate: no days.
    let got = aqi_daily_days(&ctx, Some("site = 'S1'"), "S2", first, last)
        .await
        .unwrap();
    assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    // A site code cannot inject SQL.
    let got = aqi_daily_days(&ctx, None, "S1' OR '1' = '1", first, last)
        .await
        .unwrap();
    assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    let got = aqi_daily_days(&ctx, None, "{rows}{start}'", first, last)
        .await
        .unwrap();
    assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    // Too long a range, or reversed: refused.
    let far = NaiveDate::from_ymd_opt(2040, 1, 1).unwrap();
    assert!(aqi_daily_days(&ctx, None, "S1", first, far).await.is_err());
    assert!(aqi_daily_days(&ctx, None, "S1", last, first).await.is_err());
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hourly_and_latest_aqi_match_the_standard() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let ctx = ecolake_query::session(&store.snapshot()).await.unwrap();
    let end = START + DAYS * 24 * HOUR;
    let b = one(&aqi_hourly(&ctx, None, "S1", Some(START), Some(end))
        .await
        .unwrap());
    assert_eq!(b.num_rows(), (DAYS * 24) as usize);
    let time = b
        .column_by_name("time")
        .unwrap()
        .as_primitive::<TimestampMillisecondType>();
    let (aqi, level, primaries) = (
        ints(&b, "aqi"),
        ints(&b, "level"),
        texts(&b, "primary_pollutants"),
    );
    for h in 0..DAYS * 24 {
        let i = h as usize;
        let want = realtime(0, h);
        assert_eq!(time.value(i), START + h * HOUR);
        assert_eq!(aqi[i], want.aqi.map(i64::from), "hour {h}");
        assert_eq!(
            level[i],
            want.level.map(|l| i64::from(l.number())),
            "hour {h}"
        );
        assert_eq!(primaries[i], primary(&want), "hour {h}");
    }
    assert_eq!(
        b.schema()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>(),
        [
            "site",
            "time",
            "aqi",
            "level",
            "category",
            "category_en",
            "primary_pollutants",
            "so2",
            "no2",
            "co",
            "o3",
            "pm10",
            "pm25"
        ]
    );

    // Latest: per site the newest hour with an AQI, a few minutes after the data ends.
    let now = end + 5 * 60_000;
    let newest = |s: usize| {
        (0..DAYS * 24)
            .rev()
            .find_map(|h| realtime(s, h).aqi.map(|a| (START + h * HOUR, i64::from(a))))
            .unwrap()
    };
    let sites: Vec<String> = SITES.iter().map(|s| s.to_string()).collect();
    for (asked, rows, want) in [
        (sites.clone(), None, vec![0, 1]),
        (Vec::new(), None, vec![0, 1]),
        (sites.clone(), Some("site = 'S2'"), vec![1]),
        (vec!["S1".to_owned()], None, vec![0]),
    ] {
        let got = aqi_latest_at(&ctx, rows, &asked, now).await.unwrap();
        let b = one(&got);
        let site = texts(&b, "site");
        let time = b
            .column_by_name("time")
            .unwrap()
            .as_primitive::<TimestampMillisecondType>();
        let aqi = ints(&b, "aqi");
        assert_eq!(b.num_rows(), want.len(), "{asked:?} {rows:?}");
        for (i, &s) in want.iter().enumerate() {
            assert_eq!(site[i].as_deref(), Some(SITES[s]));
            assert_eq!((time.value(i), aqi[i].unwrap()), newest(s), "{}", SITES[s]);
        }
    }
    assert!(newest(1).0 < newest(0).0);
    // Long after the data: found by widening; before it: nothing.
    let later = aqi_latest_at(&ctx, None, &sites, now + 20 * 24 * HOUR)
        .await
        .unwrap();
    assert_eq!(one(&later).num_rows(), 2);
    let before = aqi_latest_at(&ctx, None, &sites, START - HOUR)
        .await
        .unwrap();
    assert_eq!(before.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    store.close().await.unwrap();
}
