//! HJ 663 daily values and validity: grouping hours into local days, daily means (≥ 20 hours),
//! ozone 8-hour means (≥ 6 hours) and MDA8 (≥ 14 windows unless over the limit), the
//! percentile formula and the completeness rule.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use ecolake_standards::assess::{
    completeness, daily_mean, group_by_day, o3_8h_means, o3_mda8, percentile, DayHours, Pollutant,
};
use ecolake_standards::Error;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, 0, 0).unwrap()
}

fn day_with(values: impl Fn(usize) -> Option<f64>) -> DayHours {
    let mut day = DayHours::empty(date(2024, 7, 1));
    for (h, v) in day.hours.iter_mut().enumerate() {
        *v = values(h);
    }
    day
}

#[test]
fn grouping_hours_into_local_days() {
    let days = group_by_day([
        (at(2024, 7, 2, 0), Some(5.0)),
        (at(2024, 7, 1, 23), Some(4.0)),
        (at(2024, 7, 1, 0), None),
        (at(2024, 7, 2, 5), Some(6.0)),
    ])
    .unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].date, date(2024, 7, 1));
    assert_eq!(days[0].hours[23], Some(4.0));
    assert_eq!(days[0].valid_hours(), 1);
    assert_eq!(days[1].hours[0], Some(5.0));
    assert_eq!(days[1].hours[5], Some(6.0));

    let twice = group_by_day([(at(2024, 7, 1, 3), Some(1.0)), (at(2024, 7, 1, 3), None)]);
    assert!(matches!(twice, Err(Error::Inconsistent { .. })));
    let off_hour = date(2024, 7, 1).and_hms_opt(3, 30, 0).unwrap();
    assert!(matches!(
        group_by_day([(off_hour, Some(1.0))]),
        Err(Error::Inconsistent { .. })
    ));
    assert!(matches!(
        group_by_day([(at(2024, 7, 1, 3), Some(-1.0))]),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        group_by_day([(at(2024, 7, 1, 3), Some(f64::NAN))]),
        Err(Error::NotFinite { .. })
    ));
}

#[test]
fn daily_mean_needs_twenty_hours() {
    // Hours 0..=19 valid with values 0..=19: mean 9.5, valid.
    let twenty = day_with(|h| (h < 20).then_some(h as f64));
    let m = daily_mean(&twenty);
    assert_eq!((m.mean, m.valid_hours, m.is_valid()), (Some(9.5), 20, true));
    assert_eq!(m.valid_value(), Some(9.5));
    let nineteen = day_with(|h| (h < 19).then_some(h as f64));
    let m = daily_mean(&nineteen);
    assert_eq!(
        (m.mean, m.valid_hours, m.is_valid()),
        (Some(9.0), 19, false)
    );
    assert_eq!(m.valid_value(), None);
    let none = daily_mean(&day_with(|_| None));
    assert_eq!((none.mean, none.valid_hours), (None, 0));
}

#[test]
fn o3_windows_end_08_to_24_within_the_day() {
    // Value = hour: window i (hours i..i+8) has mean i + 3.5; the last ends 24:00 (hours 16–23).
    let day = day_with(|h| Some(h as f64));
    let means = o3_8h_means(&day);
    for (i, m) in means.iter().enumerate() {
        assert_eq!(*m, Some(i as f64 + 3.5));
    }
    let mda8 = o3_mda8(&day);
    assert_eq!((mda8.max, mda8.valid_windows), (Some(19.5), 17));
    assert!(mda8.is_valid(160.0));
}

#[test]
fn eight_hour_window_needs_six_hours() {
    // Window 0 (hours 0–7) with hours 0 and 1 missing: 6 valid → mean of 2..=7 = 4.5.
    let six = day_with(|h| (h >= 2).then_some(h as f64));
    assert_eq!(o3_8h_means(&six)[0], Some(4.5));
    // Hours 0–2 missing: window 0 has 5 valid hours → none.
    let five = day_with(|h| (h >= 3).then_some(h as f64));
    assert_eq!(o3_8h_means(&five)[0], None);
    assert_eq!(o3_8h_means(&five)[1], Some(5.5)); // hours 1–8: 3..=8 valid, mean 5.5
}

#[test]
fn mda8_needs_fourteen_windows_unless_over_the_limit() {
    // Hours 16–23 missing: window i has min(8, 16 − i) valid hours → windows 0..=10 valid (11).
    let evening_missing = |level: f64| day_with(move |h| (h < 16).then_some(level));
    let low = o3_mda8(&evening_missing(100.0));
    assert_eq!((low.max, low.valid_windows), (Some(100.0), 11));
    assert!(!low.is_valid(160.0));
    assert_eq!(low.valid_value(160.0), None);
    let high = o3_mda8(&evening_missing(170.0));
    assert!(
        high.is_valid(160.0),
        "fewer windows but over the limit: valid"
    );
    assert_eq!(high.valid_value(160.0), Some(170.0));
    let at_limit = o3_mda8(&evening_missing(160.0));
    assert!(
        !at_limit.is_valid(160.0),
        "equal to the limit does not exceed it"
    );
    // Hours 21–23 missing: windows 0..=14 have ≥ 6 hours (window 14: hours 14–20 = 7), 15 has
    // 6 (15–20), 16 has 5 → 16 valid windows.
    let late = o3_mda8(&day_with(|h| (h < 21).then_some(50.0)));
    assert_eq!(late.valid_windows, 16);
    assert!(late.is_valid(160.0));
    // Hours 18–23 missing: windows 0..=12 valid (window 12: hours 12–17 = 6) → 13 windows.
    let thirteen = o3_mda8(&day_with(|h| (h < 18).then_some(50.0)));
    assert_eq!(thirteen.valid_windows, 13);
    assert!(!thirteen.is_valid(160.0));
    // Hours 19–23 missing → 14 windows: valid.
    let fourteen = o3_mda8(&day_with(|h| (h < 19).then_some(50.0)));
    assert_eq!(fourteen.valid_windows, 14);
    assert!(fourteen.is_valid(160.0));
}

#[test]
fn percentile_formula() {
    assert_eq!(percentile(&[3.0, 4.0, 8.0, 2.0, 5.0, 4.0], 90.0), Some(6.5));
    // k = 1 + 3·0.5 = 2.5 → 2 + (3 − 2)·0.5.
    assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 50.0), Some(2.5));
    assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 0.0), Some(1.0));
    assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 100.0), Some(4.0));
    assert_eq!(percentile(&[7.0], 98.0), Some(7.0));
    // n = 365, p = 95: k = 1 + 364·0.95 = 346.8 → X(346) + 0.8·(X(347) − X(346)).
    let year: Vec<f64> = (1..=365).map(f64::from).collect();
    let p95 = percentile(&year, 95.0).unwrap();
    assert!((p95 - 346.8).abs() < 1e-9);
    assert_eq!(percentile(&[], 50.0), None);
    assert_eq!(percentile(&[1.0], 101.0), None);
    assert_eq!(percentile(&[1.0, f64::NAN], 50.0), None);
}

#[test]
fn completeness_of_a_calendar_year() {
    let year = |y| (date(y, 1, 1), date(y, 12, 31));
    let (start, end) = year(2015);
    let all: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= end).collect();
    let c = completeness(Pollutant::Pm25, &all, start, end);
    assert!(c.complete);
    assert_eq!((c.days, c.days_needed), (365, 324));

    // January with 26 days: short.
    let short_jan: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| !(d.month() == 1 && d.day() > 26))
        .collect();
    let c = completeness(Pollutant::Pm25, &short_jan, start, end);
    assert!(!c.complete);
    assert_eq!(c.short_months, vec![date(2015, 1, 1)]);

    // Every month at its minimum (27, February 25): 12 + 7·0 … = 322 days < 324.
    let minimal: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| d.day() <= if d.month() == 2 { 25 } else { 27 })
        .collect();
    assert_eq!(minimal.len(), 322);
    let c = completeness(Pollutant::So2, &minimal, start, end);
    assert!(c.short_months.is_empty());
    assert!(!c.complete, "324 days a year are needed");

    // February 2016 has 29 days: 25 suffice.
    let (s16, e16) = year(2016);
    let feb: Vec<NaiveDate> = s16
        .iter_days()
        .take_while(|d| *d <= e16)
        .filter(|d| !(d.month() == 2 && d.day() > 25))
        .collect();
    assert!(completeness(Pollutant::O3, &feb, s16, e16).complete);

    // TSP, Pb, BaP: 60 a year, 5 a month.
    let five_a_month: Vec<NaiveDate> = all.iter().copied().filter(|d| d.day() <= 5).collect();
    let c = completeness(Pollutant::Tsp, &five_a_month, start, end);
    assert_eq!((c.days, c.days_needed, c.complete), (60, 60, true));
}

#[test]
fn completeness_of_a_partial_period() {
    // 2025-06-15..=07-31: June has 16 days in the period and may miss 3 (30 − 27): needs 13.
    let (start, end) = (date(2025, 6, 15), date(2025, 7, 31));
    let days: Vec<NaiveDate> = start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !(d.month() == 6 && d.day() > 27)) // June 15–27: 13 days
        .collect();
    let c = completeness(Pollutant::No2, &days, start, end);
    assert_eq!((c.days_needed, c.complete), (0, true));
    let fewer: Vec<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| *d != date(2025, 6, 20))
        .collect();
    let c = completeness(Pollutant::No2, &fewer, start, end);
    assert_eq!(c.short_months, vec![date(2025, 6, 1)]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn percentile_is_bounded_and_monotone(
            values in proptest::collection::vec(0.0f64..1000.0, 1..60),
            p in 0.0f64..100.0,
            q in 0.0f64..100.0,
        ) {
            let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
            let a = percentile(&values, lo).unwrap();
            let b = percentile(&values, hi).unwrap();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(a <= b + 1e-9);
            prop_assert!(min <= a && b <= max);
        }

        #[test]
        fn mda8_is_the_largest_valid_window(
            hours in proptest::collection::vec(proptest::option::of(0.0f64..400.0), 24),
        ) {
            let mut day = DayHours::empty(date(2024, 1, 1));
            day.hours.copy_from_slice(&hours);
            let means = o3_8h_means(&day);
            let mda8 = o3_mda8(&day);
            prop_assert_eq!(mda8.valid_windows, means.iter().flatten().count());
            for m in means.iter().flatten() {
                prop_assert!(*m <= mda8.max.unwrap());
            }
        }
    }
}
