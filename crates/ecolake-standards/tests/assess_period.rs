//! Period assessment: statistics, GB/T 8170 rounding, compliance, exceedance multiples, the
//! edition across 2026-03-01, and days per AQI level.

use chrono::NaiveDate;
use ecolake_standards::assess::{
    aqi_level_days, assess_period, round_gbt8170, DailyValues, Edition, EditionBasis, Grade,
    Period, Pollutant, StatisticKind,
};
use ecolake_standards::Error;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Every day of `period` with `value(day index)`.
fn series(period: Period, value: impl Fn(usize) -> f64) -> Vec<(NaiveDate, f64)> {
    period
        .start()
        .iter_days()
        .take_while(|d| *d <= period.end())
        .enumerate()
        .map(|(i, d)| (d, value(i)))
        .collect()
}

#[test]
fn a_site_meeting_grade_ii() {
    let year = Period::year(2019).unwrap();
    let levels = [
        (Pollutant::So2, 10.0),
        (Pollutant::No2, 20.0),
        (Pollutant::Co, 1.0),
        (Pollutant::O3, 100.0),
        (Pollutant::Pm10, 50.0),
        (Pollutant::Pm25, 30.0),
    ];
    let data: Vec<(Pollutant, Vec<(NaiveDate, f64)>)> = levels
        .iter()
        .map(|(p, v)| (*p, series(year, |_| *v)))
        .collect();
    let daily: Vec<DailyValues<'_>> = data
        .iter()
        .map(|(p, v)| DailyValues {
            pollutant: *p,
            values: v,
        })
        .collect();
    let a = assess_period(year, Grade::II, None, &daily, None).unwrap();
    assert_eq!(a.edition, Edition::Gb3095_2012);
    assert_eq!(a.edition_basis, EditionBasis::InForce);
    assert_eq!(a.note, None);
    assert_eq!(a.meets, Some(true));
    let kinds: Vec<Vec<StatisticKind>> = a
        .pollutants
        .iter()
        .map(|p| p.statistics.iter().map(|s| s.kind).collect())
        .collect();
    use StatisticKind::{Mean, Percentile};
    assert_eq!(
        kinds,
        [
            vec![Mean, Percentile(98)],
            vec![Mean, Percentile(98)],
            vec![Percentile(95)],
            vec![Percentile(90)],
            vec![Mean, Percentile(95)],
            vec![Mean, Percentile(95)],
        ]
    );
    // Against grade I the PM10 annual mean 50 > 40 fails: (50 − 40)/40 = 0.25.
    let a = assess_period(year, Grade::I, None, &daily, None).unwrap();
    assert_eq!(a.meets, Some(false));
    let pm10 = &a.pollutants[4];
    assert_eq!(pm10.meets, Some(false));
    assert_eq!(pm10.statistics[0].limit, Some(40.0));
    assert_eq!(pm10.statistics[0].exceedance_multiple, Some(0.25));
    assert_eq!(pm10.statistics[1].meets, Some(true)); // p95 50 ≤ 50
    assert_eq!(pm10.days_over_limit, Some(0));
}

#[test]
fn rounding_decides_compliance() {
    let year = Period::year(2019).unwrap();
    let check = |value: f64| {
        let v = series(year, |_| value);
        let a = assess_period(
            year,
            Grade::II,
            None,
            &[DailyValues {
                pollutant: Pollutant::Pm25,
                values: &v,
            }],
            None,
        )
        .unwrap();
        a.pollutants[0].statistics[0]
    };
    // 35.5 → 36 (half to even) > 35: fails, (36 − 35)/35 = 0.0286 → 0.03.
    let s = check(35.5);
    assert_eq!((s.value, s.rounded, s.meets), (35.5, 36.0, Some(false)));
    assert_eq!(s.exceedance_multiple, Some(0.03));
    // 34.5 → 34, 35.4 → 35: meet.
    assert_eq!(check(34.5).rounded, 34.0);
    assert_eq!(check(35.4).meets, Some(true));
    assert_eq!(check(35.4).exceedance_multiple, None);
    assert_eq!(round_gbt8170(190.5, 0), 190.0);
    assert_eq!(round_gbt8170(2.45, 1), 2.4);
    assert_eq!(round_gbt8170(2.4500001, 1), 2.5);
}

#[test]
fn percentile_statistics_and_days_over_limit() {
    let year = Period::year(2018).unwrap();
    // PM2.5 day i has value i + 1 (1..=365): mean 183, p95 = 346.8 → 347 > 75: multiple
    // (347 − 75)/75 = 3.6267 → 3.63; days over 75: 365 − 75 = 290.
    let v = series(year, |i| (i + 1) as f64);
    let a = assess_period(
        year,
        Grade::II,
        None,
        &[DailyValues {
            pollutant: Pollutant::Pm25,
            values: &v,
        }],
        None,
    )
    .unwrap();
    let pm = &a.pollutants[0];
    assert_eq!(pm.statistics[0].value, 183.0);
    assert!((pm.statistics[1].value - 346.8).abs() < 1e-9);
    assert_eq!(pm.statistics[1].rounded, 347.0);
    assert_eq!(pm.statistics[1].limit, Some(75.0));
    assert_eq!(pm.statistics[1].exceedance_multiple, Some(3.63));
    assert_eq!(pm.days_over_limit, Some(290));
    assert!(pm.completeness.complete);
    // Only one basic item given: the site's compliance is failed already (a complete item fails).
    assert_eq!(a.meets, Some(false));
}

#[test]
fn co_is_rounded_to_a_tenth() {
    let year = Period::year(2019).unwrap();
    let v = series(year, |_| 4.05); // 4.05 → 4.0 (half to even) ≤ 4: meets
    let daily = [DailyValues {
        pollutant: Pollutant::Co,
        values: &v,
    }];
    let a = assess_period(year, Grade::II, None, &daily, None).unwrap();
    let s = a.pollutants[0].statistics[0];
    assert_eq!((s.rounded, s.meets), (4.0, Some(true)));
    assert_eq!(a.pollutants[0].days_over_limit, Some(0));
    assert_eq!(a.meets, None, "the other basic items are missing");
}

#[test]
fn edition_across_2026_03_01() {
    let period = Period::new(date(2025, 6, 1), date(2026, 5, 31)).unwrap();
    let v = series(period, |_| 65.0);
    let daily = [DailyValues {
        pollutant: Pollutant::Pm25,
        values: &v,
    }];
    let a = assess_period(period, Grade::II, None, &daily, None).unwrap();
    assert_eq!(a.edition, Edition::Gb3095_2026Transition);
    assert_eq!(
        a.edition_basis,
        EditionBasis::InForceAtEnd {
            changed_on: date(2026, 3, 1)
        }
    );
    let note = a.note.as_deref().unwrap();
    assert!(
        note.contains("2026-03-01") && note.contains("GB 3095-2026 transition"),
        "{note}"
    );
    // Transition 24-h limit 60: p95 65 fails; the 2012 limit 75 would pass.
    assert_eq!(a.pollutants[0].statistics[1].limit, Some(60.0));
    assert_eq!(a.pollutants[0].statistics[1].meets, Some(false));
    assert_eq!(a.pollutants[0].days_over_limit, Some(365));

    let named = assess_period(period, Grade::II, Some(Edition::Gb3095_2012), &daily, None).unwrap();
    assert_eq!(named.edition_basis, EditionBasis::Named);
    assert_eq!(named.note, None);
    assert_eq!(named.pollutants[0].statistics[1].meets, Some(true));

    let to_final = Period::new(date(2030, 7, 1), date(2031, 6, 30)).unwrap();
    let a = assess_period(to_final, Grade::II, None, &[], None).unwrap();
    assert_eq!(a.edition, Edition::Gb3095_2026Final);
    assert_eq!(
        a.edition_basis,
        EditionBasis::InForceAtEnd {
            changed_on: date(2031, 1, 1)
        }
    );

    let json = serde_json::to_value(&named).unwrap();
    assert_eq!(json["edition"], "GB 3095-2012");
    assert_eq!(json["edition_basis"]["basis"], "named");
    assert_eq!(json["period"]["start"], "2025-06-01");
    assert_eq!(json["pollutants"][0]["pollutant"], "PM2.5");
    assert_eq!(json["pollutants"][0]["unit"], "ug/m3");
    assert_eq!(
        json["pollutants"][0]["statistics"][1]["kind"]["kind"],
        "percentile"
    );
    assert_eq!(json["pollutants"][0]["statistics"][1]["kind"]["p"], 95);
}

#[test]
fn incomplete_data_leave_compliance_open() {
    let year = Period::year(2019).unwrap();
    // Only the first 300 days: March onward short, total short.
    let v: Vec<(NaiveDate, f64)> = series(year, |_| 10.0).into_iter().take(300).collect();
    let a = assess_period(
        year,
        Grade::II,
        None,
        &[DailyValues {
            pollutant: Pollutant::So2,
            values: &v,
        }],
        None,
    )
    .unwrap();
    let so2 = &a.pollutants[0];
    assert!(!so2.completeness.complete);
    assert_eq!(
        so2.completeness.short_months,
        vec![date(2019, 11, 1), date(2019, 12, 1)]
    );
    assert_eq!(
        so2.statistics[0].meets,
        Some(true),
        "the statistic still compares"
    );
    assert_eq!(so2.meets, None);
    let json = serde_json::to_value(so2).unwrap();
    assert_eq!(json["completeness"]["short_months"][0], "2019-11-01");
}

#[test]
fn bad_inputs() {
    let year = Period::year(2019).unwrap();
    let v = series(year, |_| 10.0);
    let twice = [
        DailyValues {
            pollutant: Pollutant::So2,
            values: &v,
        },
        DailyValues {
            pollutant: Pollutant::So2,
            values: &v,
        },
    ];
    assert!(matches!(
        assess_period(year, Grade::II, None, &twice, None),
        Err(Error::Inconsistent { .. })
    ));
    let dup = [(date(2019, 1, 1), 1.0), (date(2019, 1, 1), 2.0)];
    let one = [DailyValues {
        pollutant: Pollutant::No2,
        values: &dup,
    }];
    assert!(matches!(
        assess_period(year, Grade::II, None, &one, None),
        Err(Error::Inconsistent { .. })
    ));
    let neg = [(date(2019, 1, 1), -1.0)];
    let one = [DailyValues {
        pollutant: Pollutant::No2,
        values: &neg,
    }];
    assert!(matches!(
        assess_period(year, Grade::II, None, &one, None),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        Period::new(date(2019, 2, 1), date(2019, 1, 1)),
        Err(Error::Inconsistent { .. })
    ));
    // Days outside the period are ignored.
    let outside = [(date(2018, 12, 31), 1000.0), (date(2019, 1, 1), 10.0)];
    let one = [DailyValues {
        pollutant: Pollutant::No2,
        values: &outside,
    }];
    let a = assess_period(year, Grade::II, None, &one, None).unwrap();
    assert_eq!(a.pollutants[0].completeness.days, 1);
    assert_eq!(a.pollutants[0].statistics[0].value, 10.0);
}

#[test]
fn aqi_level_days_and_good_ratio() {
    // 2 excellent, 3 good, 1 light, 1 severe, 1 without AQI: 5 of 7 = 71.43 % → 71.4.
    let levels = [
        Some(1),
        Some(2),
        Some(2),
        Some(1),
        Some(3),
        None,
        Some(6),
        Some(2),
    ];
    let d = aqi_level_days(&levels).unwrap();
    assert_eq!(d.days_by_level, [2, 3, 1, 0, 0, 1]);
    assert_eq!((d.days_without_aqi, d.valid_days, d.good_days), (1, 7, 5));
    assert!((d.good_ratio.unwrap() - 5.0 / 7.0).abs() < 1e-15);
    assert_eq!(d.good_ratio_pct, Some(71.4));
    // 1 of 16 = 6.25 % → 6.2 (half to even).
    let mut sixteen = vec![Some(3u8); 15];
    sixteen.push(Some(1));
    assert_eq!(aqi_level_days(&sixteen).unwrap().good_ratio_pct, Some(6.2));
    let none = aqi_level_days(&[None, None]).unwrap();
    assert_eq!((none.good_ratio, none.good_ratio_pct), (None, None));
    assert!(matches!(
        aqi_level_days(&[Some(7)]),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        aqi_level_days(&[Some(0)]),
        Err(Error::OutOfRange { .. })
    ));

    let year = Period::year(2019).unwrap();
    let a = assess_period(year, Grade::II, None, &[], Some(&levels)).unwrap();
    assert_eq!(a.aqi_days, Some(d));
    assert_eq!(a.meets, None);
}
