//! The REST endpoints' reads: series pages with stable cursors, aggregates per local hour, day
//! and month across DST changes (checked against an independent chrono-tz bucketing and
//! HJ 663's percentile), the latest values with a widening look-back, and the `rows`
//! predicate on all of them.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow::datatypes::{Float64Type, Int64Type, TimestampMillisecondType};
use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use ecolake_query::api::{latest_at, series, Agg, Cursor, Every, SeriesRequest};
use ecolake_store::{Store, StoreConfig};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

type Row = (i64, String, String, String, f64);

fn batch(rows: &[Row]) -> RecordBatch {
    let text = |f: &dyn Fn(&Row) -> String| -> ArrayRef {
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
        ("site", text(&|r| r.1.clone())),
        ("factor", text(&|r| r.2.clone())),
        ("period", text(&|r| r.3.clone())),
        (
            "value",
            Arc::new(Float64Array::from(
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn row(t: i64, site: &str, factor: &str, period: &str, v: f64) -> Row {
    (t, site.into(), factor.into(), period.into(), v)
}

fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
    chrono::Utc
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .timestamp_millis()
}

/// 2024-02-25 to 2024-11-05 UTC, hourly: site `A` value `h % 97` (so buckets have spread),
/// site `B` 10,000 + h; factor `a34004`; plus a few `a21026` values of `A`. Flushed, then a
/// revision of `A`'s first hour left in the memtable.
async fn store(dir: &std::path::Path) -> (Store, Vec<Row>) {
    let store = Store::open(dir, StoreConfig::default()).await.unwrap();
    let (start, end) = (ms(2024, 2, 25, 0), ms(2024, 11, 5, 0));
    let mut rows = Vec::new();
    let mut t = start;
    let mut h = 0i64;
    while t < end {
        rows.push(row(t, "A", "a34004", "hour", (h % 97) as f64));
        rows.push(row(t, "B", "a34004", "hour", 10_000.0 + h as f64));
        if h % 50 == 0 {
            rows.push(row(t, "A", "a21026", "hour", h as f64));
        }
        t += HOUR;
        h += 1;
    }
    store.write(&batch(&rows)).await.unwrap();
    store.flush().await.unwrap();
    let revision = row(start, "A", "a34004", "hour", 96.5);
    store
        .write(&batch(std::slice::from_ref(&revision)))
        .await
        .unwrap();
    rows[0] = revision;
    (store, rows)
}

async fn session(store: &Store) -> SessionContext {
    ecolake_query::session(&store.snapshot()).await.unwrap()
}

/// Rows of series batches as (time, site, factor, period, value, n).
type Out = (i64, String, String, String, Option<f64>, Option<i64>);

fn rows_of(batches: &[RecordBatch]) -> Vec<Out> {
    let mut out = Vec::new();
    for b in batches {
        let time = b.column(0).as_primitive::<TimestampMillisecondType>();
        let text = |i: usize| b.column(i).as_string::<i32>();
        let value = b.column(4).as_primitive::<Float64Type>();
        let n = b
            .schema()
            .index_of("n")
            .ok()
            .map(|i| b.column(i).as_primitive::<Int64Type>().clone());
        for i in 0..b.num_rows() {
            out.push((
                time.value(i),
                text(1).value(i).to_owned(),
                text(2).value(i).to_owned(),
                text(3).value(i).to_owned(),
                value.is_valid(i).then(|| value.value(i)),
                n.as_ref().map(|n| n.value(i)),
            ));
        }
    }
    out
}

/// Every page of `request`, following the cursors.
async fn all_pages(ctx: &SessionContext, rows: Option<&str>, request: &SeriesRequest) -> Vec<Out> {
    let mut request = request.clone();
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let page = series(ctx, rows, &request).await.unwrap();
        let got = rows_of(&page.batches);
        assert!(got.len() <= request.limit);
        out.extend(got);
        match page.next {
            Some(next) => {
                let token = next.encode();
                assert_eq!(Cursor::decode(&token).unwrap(), next);
                request.after = Some(next);
            }
            None => return out,
        }
    }
    panic!("more than 10,000 pages");
}

#[tokio::test]
async fn raw_pages_are_complete_ordered_and_restricted() {
    let dir = tempfile::tempdir().unwrap();
    let (store, rows) = store(dir.path()).await;
    let ctx = session(&store).await;
    let request = SeriesRequest {
        from_ms: Some(ms(2024, 3, 1, 0)),
        to_ms: Some(ms(2024, 3, 8, 0)),
        limit: 37,
        ..SeriesRequest::default()
    };
    let got = all_pages(&ctx, Some("site = 'A'"), &request).await;
    let mut want: Vec<Out> = rows
        .iter()
        .filter(|r| r.1 == "A" && r.0 >= ms(2024, 3, 1, 0) && r.0 < ms(2024, 3, 8, 0))
        .map(|r| (r.0, r.1.clone(), r.2.clone(), r.3.clone(), Some(r.4), None))
        .collect();
    want.sort_by(|a, b| (a.0, &a.1, &a.2, &a.3).cmp(&(b.0, &b.1, &b.2, &b.3)));
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);

    // Unrestricted: both sites, sites and factors filtered.
    let request = SeriesRequest {
        sites: vec!["B".into()],
        factors: vec!["a34004".into()],
        period: Some("hour".into()),
        from_ms: Some(ms(2024, 3, 1, 0)),
        to_ms: Some(ms(2024, 3, 2, 0)),
        limit: 1000,
        ..SeriesRequest::default()
    };
    let got = all_pages(&ctx, None, &request).await;
    assert_eq!(got.len(), 24);
    assert!(got.iter().all(|r| r.1 == "B" && r.4 >= Some(10_000.0)));
    // B under a predicate that excludes it: nothing.
    assert!(all_pages(&ctx, Some("site = 'A'"), &request)
        .await
        .is_empty());
    assert!(Cursor::decode("zz").is_err());
    assert!(Cursor::decode("5b315d").is_err());
}

/// The start (UTC ms) of the local bucket of `t`, computed independently with chrono-tz.
fn bucket(t: i64, every: Every, tz: Tz) -> i64 {
    let local = tz.timestamp_millis_opt(t).unwrap();
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .timestamp_millis()
    };
    match every {
        // Whole-hour offsets keep local hours on UTC hours; others (+05:30) shift them.
        Every::Hour => t - i64::from(local.minute()) * 60_000 - i64::from(local.second()) * 1000,
        Every::Day => midnight(local.date_naive()),
        Every::Month => midnight(local.date_naive().with_day(1).unwrap()),
    }
}

/// HJ 663's percentile.
fn hj663(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let k = 1.0 + (values.len() - 1) as f64 * p / 100.0;
    let s = k.floor() as usize;
    let low = values[s - 1];
    let high = values.get(s).copied().unwrap_or(low);
    low + (high - low) * (k - s as f64)
}

fn expected(
    rows: &[Row],
    site: &str,
    every: Every,
    agg: Agg,
    tz: Tz,
    range: (i64, i64),
) -> Vec<(i64, f64, i64)> {
    let mut groups: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for r in rows {
        if r.1 == site && r.2 == "a34004" && r.0 >= range.0 && r.0 < range.1 {
            groups.entry(bucket(r.0, every, tz)).or_default().push(r.4);
        }
    }
    groups
        .into_iter()
        .map(|(t, mut v)| {
            let n = v.len() as i64;
            let x = match agg {
                Agg::Mean => v.iter().sum::<f64>() / v.len() as f64,
                Agg::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                Agg::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Agg::Count => n as f64,
                Agg::P95 => hj663(&mut v, 95.0),
            };
            (t, x, n)
        })
        .collect()
}

#[tokio::test]
async fn local_buckets_follow_the_time_zone_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let (store, rows) = store(dir.path()).await;
    let ctx = session(&store).await;
    let range = (ms(2024, 3, 1, 0), ms(2024, 11, 1, 0));
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let cases = [
        (Every::Day, Agg::Mean, berlin),
        (Every::Day, Agg::P95, berlin),
        (Every::Month, Agg::Max, berlin),
        (Every::Month, Agg::Count, berlin),
        (Every::Hour, Agg::Min, berlin),
        (Every::Day, Agg::Mean, chrono_tz::Asia::Shanghai),
        (Every::Hour, Agg::Mean, kolkata),
        (Every::Day, Agg::Max, kolkata),
    ];
    for (every, agg, tz) in cases {
        let request = SeriesRequest {
            sites: vec!["A".into()],
            factors: vec!["a34004".into()],
            from_ms: Some(range.0),
            to_ms: Some(range.1),
            every: Some(every),
            agg,
            time_zone: tz,
            limit: 100_000,
            ..SeriesRequest::default()
        };
        let page = series(&ctx, None, &request).await.unwrap();
        assert!(page.next.is_none());
        let got: Vec<(i64, f64, i64)> = rows_of(&page.batches)
            .into_iter()
            .map(|r| (r.0, r.4.unwrap(), r.5.unwrap()))
            .collect();
        let want = expected(&rows, "A", every, agg, tz, range);
        assert_eq!(got.len(), want.len(), "{every} {agg} {tz}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.0, g.2), (w.0, w.2), "{every} {agg} {tz}");
            assert!(
                (g.1 - w.1).abs() < 1e-9,
                "{every} {agg} {tz}: {g:?} vs {w:?}"
            );
        }
    }

    // The DST days themselves, by hand: Berlin's 2024-03-31 has 23 hours from 23:00 UTC the
    // day before, 2024-10-27 has 25; the repeated hour 02:00 of 10-27 is two hourly buckets.
    let day = |every: Every| SeriesRequest {
        sites: vec!["A".into()],
        factors: vec!["a34004".into()],
        every: Some(every),
        agg: Agg::Count,
        time_zone: berlin,
        limit: 100_000,
        ..SeriesRequest::default()
    };
    let days = rows_of(&series(&ctx, None, &day(Every::Day)).await.unwrap().batches);
    let find = |t: i64| days.iter().find(|r| r.0 == t).map(|r| r.5.unwrap());
    assert_eq!(find(ms(2024, 3, 30, 23)), Some(23));
    assert_eq!(find(ms(2024, 10, 26, 22)), Some(25));
    let hours = rows_of(&series(&ctx, None, &day(Every::Hour)).await.unwrap().batches);
    for t in [ms(2024, 10, 27, 0), ms(2024, 10, 27, 1)] {
        let local = berlin.timestamp_millis_opt(t).unwrap();
        assert_eq!(local.hour(), 2);
        assert_eq!(hours.iter().filter(|r| r.0 == t).count(), 1);
    }
    let months = rows_of(
        &series(&ctx, None, &day(Every::Month))
            .await
            .unwrap()
            .batches,
    );
    let march = months.iter().find(|r| r.0 == ms(2024, 2, 29, 23)).unwrap();
    assert_eq!(march.5, Some(31 * 24 - 1));
    // Kolkata (UTC+05:30): hourly buckets start at :30 UTC.
    let request = SeriesRequest {
        time_zone: kolkata,
        ..day(Every::Hour)
    };
    let hours = rows_of(&series(&ctx, None, &request).await.unwrap().batches);
    assert!(hours.iter().all(|r| r.0.rem_euclid(HOUR) == HOUR / 2));
}

#[tokio::test]
async fn aggregate_pages_join_up_and_respect_the_predicate() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store(dir.path()).await;
    let ctx = session(&store).await;
    let request = SeriesRequest {
        every: Some(Every::Day),
        agg: Agg::Mean,
        time_zone: chrono_tz::Asia::Shanghai,
        limit: 100_000,
        ..SeriesRequest::default()
    };
    let whole = rows_of(&series(&ctx, None, &request).await.unwrap().batches);
    let paged = all_pages(
        &ctx,
        None,
        &SeriesRequest {
            limit: 29,
            ..request.clone()
        },
    )
    .await;
    assert_eq!(whole, paged);
    assert!(whole.iter().any(|r| r.1 == "B") && whole.iter().any(|r| r.2 == "a21026"));
    let restricted = all_pages(
        &ctx,
        Some("site <> 'B'"),
        &SeriesRequest {
            limit: 29,
            ..request
        },
    )
    .await;
    let want: Vec<Out> = whole.into_iter().filter(|r| r.1 != "B").collect();
    assert_eq!(restricted, want);
}

#[tokio::test]
async fn latest_widens_its_window_and_shows_current_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default())
        .await
        .unwrap();
    let now = ms(2025, 6, 15, 12) + 1234;
    let mut rows = Vec::new();
    for h in 1..200 {
        rows.push(row(now - h * HOUR - 1234, "A", "a34004", "hour", h as f64));
        rows.push(row(
            now - (h + 4) * HOUR - 1234,
            "A",
            "a21026",
            "hour",
            h as f64,
        ));
        // C stopped reporting 100 days ago.
        rows.push(row(
            now - 100 * DAY - h * HOUR,
            "C",
            "a34004",
            "hour",
            h as f64,
        ));
    }
    rows.push(row(ms(2025, 6, 12, 16), "A", "a34004", "day", 33.0));
    rows.push(row(
        ms(2025, 5, 1, 0) - 8 * HOUR,
        "A",
        "a34004",
        "month",
        44.0,
    ));
    rows.push(row(
        ms(2025, 4, 1, 0) - 8 * HOUR,
        "A",
        "a34004",
        "month",
        55.0,
    ));
    store.write(&batch(&rows)).await.unwrap();
    store.flush().await.unwrap();
    // A revision of A's newest hour, not flushed.
    store
        .write(&batch(&[row(
            now - HOUR - 1234,
            "A",
            "a34004",
            "hour",
            7.5,
        )]))
        .await
        .unwrap();
    let ctx = session(&store).await;

    let got = latest_at(&ctx, None, "A", now).await.unwrap();
    let b = arrow::compute::concat_batches(&got[0].schema(), &got).unwrap();
    let text = |i: usize| {
        let c = b.column(i).as_string::<i32>();
        (0..c.len())
            .map(|r| c.value(r).to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(text(0), ["a21026", "a34004", "a34004", "a34004"]);
    assert_eq!(text(1), ["hour", "day", "hour", "month"]);
    let time = b.column(2).as_primitive::<TimestampMillisecondType>();
    let value = b.column(3).as_primitive::<Float64Type>();
    assert_eq!(time.value(0), now - 5 * HOUR - 1234);
    assert_eq!(time.value(1), ms(2025, 6, 12, 16));
    assert_eq!(time.value(2), now - HOUR - 1234);
    assert_eq!(value.values().to_vec(), [1.0, 33.0, 7.5, 44.0]);
    assert_eq!(b.schema().field(4).name(), "flag");

    // C: nothing in 2, 32 days; found within 512.
    let got = latest_at(&ctx, None, "C", now).await.unwrap();
    let rows_c: usize = got.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows_c, 1);
    let t = got[0]
        .column(2)
        .as_primitive::<TimestampMillisecondType>()
        .value(0);
    assert_eq!(t, now - 100 * DAY - HOUR);
    // Unknown site, and a site outside the predicate: empty.
    for (site, rows) in [("Z", None), ("C", Some("site = 'A'"))] {
        let got = latest_at(&ctx, rows, site, now).await.unwrap();
        assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 0, "{site}");
    }
}
