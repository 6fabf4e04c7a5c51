//! Golden test on real data: UCI "Beijing Multi-Site Air-Quality" hourly files
//! (`shared/data/beijing_multisite_prsa/`, local Beijing time, all pollutants in µg/m³
//! including CO, which is divided by 1000 here). Hours are taken as labelled by their start
//! (the dataset does not say).
//!
//! The expected figures come from an independent throwaway pandas/numpy script (not
//! committed): for one station and calendar year it pivots each pollutant to a days × 24-hour
//! table; daily mean = row mean where ≥ 20 hours are present; O3: for windows starting at hours
//! 0…16, the mean of the present hours when ≥ 6, MDA8 = the largest, kept when ≥ 14 windows or
//! above 160 µg/m³; then n, months short of 27 (February 25) days, sum, maximum and its date,
//! annual mean, `numpy.percentile(method="linear")` (98 SO2/NO2, 95 CO/PM10/PM2.5, 90 O3),
//! rounding with `decimal.Decimal(repr(x)).quantize(…, ROUND_HALF_EVEN)` (CO to 0.1, others to
//! integers), compliance against GB 3095-2012 Grade II and `(rounded − limit)/limit` rounded the
//! same way to 0.01, and the days whose rounded value exceeds the 24-hour (MDA8) limit.

use chrono::{Datelike, NaiveDate};
use ecolake_standards::assess::{
    assess_period, daily_mean, group_by_day, limit, o3_mda8, Assessment, Averaging, DailyValues,
    Edition, Grade, Period, Pollutant,
};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/beijing_multisite_prsa"
);

const COLUMNS: [(Pollutant, &str); 6] = [
    (Pollutant::So2, "SO2"),
    (Pollutant::No2, "NO2"),
    (Pollutant::Co, "CO"),
    (Pollutant::O3, "O3"),
    (Pollutant::Pm10, "PM10"),
    (Pollutant::Pm25, "PM2.5"),
];

/// One pollutant's expected figures.
struct Expected {
    pollutant: Pollutant,
    days: usize,
    short_months: &'static [u32],
    sum: f64,
    max: (f64, &'static str),
    /// (value, rounded, meets, multiple)
    mean: Option<(f64, f64, bool, Option<f64>)>,
    percentile: (f64, f64, bool, Option<f64>),
    days_over_limit: usize,
}

/// Reads a station's gzip CSV.
fn read_station(station: &str) -> String {
    use std::io::Read;
    let path = format!("{DATA}/PRSA_Data_{station}_20130301-20170228.csv.gz");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    text
}

/// Each pollutant's valid daily values.
type Series = Vec<(Pollutant, Vec<(NaiveDate, f64)>)>;

/// Daily values per pollutant for a calendar year: daily means, and MDA8 for O3.
fn daily_values(station: &str, year: i32) -> (Series, O3Days) {
    let text = read_station(station);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (y, m, d, h) = (col("year"), col("month"), col("day"), col("hour"));
    let mut hourly: Vec<Vec<_>> = vec![Vec::new(); COLUMNS.len()];
    for record in reader.records() {
        let r = record.unwrap();
        if r[y].parse::<i32>().unwrap() != year {
            continue;
        }
        let date =
            NaiveDate::from_ymd_opt(year, r[m].parse().unwrap(), r[d].parse().unwrap()).unwrap();
        let time = date.and_hms_opt(r[h].parse().unwrap(), 0, 0).unwrap();
        for (i, (pollutant, name)) in COLUMNS.iter().enumerate() {
            let cell = &r[col(name)];
            let value = (cell != "NA").then(|| {
                let v: f64 = cell.parse().unwrap();
                if *pollutant == Pollutant::Co {
                    v / 1000.0 // µg/m³ → mg/m³
                } else {
                    v
                }
            });
            hourly[i].push((time, value));
        }
    }
    let o3_limit = limit(
        Edition::Gb3095_2012,
        Pollutant::O3,
        Averaging::Mda8,
        Grade::II,
    )
    .unwrap();
    let mut o3_days = O3Days::default();
    let series = COLUMNS
        .iter()
        .zip(hourly)
        .map(|((pollutant, _), hours)| {
            let days = group_by_day(hours).unwrap();
            assert_eq!(days.len(), 365 + usize::from(year % 4 == 0));
            let values = days
                .iter()
                .filter_map(|day| {
                    let value = if *pollutant == Pollutant::O3 {
                        let mda8 = o3_mda8(day);
                        if mda8.max.is_some() && mda8.valid_windows < 14 {
                            if mda8.is_valid(o3_limit) {
                                o3_days.kept_over_limit.push(day.date);
                            } else {
                                o3_days.rejected += 1;
                            }
                        }
                        mda8.valid_value(o3_limit)
                    } else {
                        let mean = daily_mean(day);
                        if *pollutant == Pollutant::Pm25 && mean.mean.is_some() && !mean.is_valid()
                        {
                            o3_days.pm25_rejected += 1;
                        }
                        mean.valid_value()
                    };
                    value.map(|v| (day.date, v))
                })
                .collect();
            (*pollutant, values)
        })
        .collect();
    (series, o3_days)
}

/// Days the MDA8 rule kept or rejected with fewer than 14 windows, and PM2.5 days with 1–19 h.
#[derive(Default)]
struct O3Days {
    kept_over_limit: Vec<NaiveDate>,
    rejected: usize,
    pm25_rejected: usize,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn check(station: &str, year: i32, expected: &[Expected]) -> (Assessment, O3Days) {
    let (series, o3_days) = daily_values(station, year);
    let daily: Vec<DailyValues<'_>> = series
        .iter()
        .map(|(pollutant, values)| DailyValues {
            pollutant: *pollutant,
            values,
        })
        .collect();
    let a = assess_period(Period::year(year).unwrap(), Grade::II, None, &daily, None).unwrap();
    assert_eq!(a.edition, Edition::Gb3095_2012);
    for e in expected {
        let tag = format!("{station} {year} {}", e.pollutant);
        let (_, values) = series.iter().find(|(p, _)| *p == e.pollutant).unwrap();
        let got = a
            .pollutants
            .iter()
            .find(|p| p.pollutant == e.pollutant)
            .unwrap();
        assert_eq!(got.completeness.days, e.days, "{tag} days");
        let short: Vec<u32> = got
            .completeness
            .short_months
            .iter()
            .map(|d| d.month())
            .collect();
        assert_eq!(short, e.short_months, "{tag} short months");
        assert_eq!(
            got.completeness.complete,
            e.short_months.is_empty() && e.days >= 324
        );
        let sum: f64 = values.iter().map(|(_, v)| v).sum();
        assert!(close(sum, e.sum), "{tag} sum {sum} vs {}", e.sum);
        let (max_date, max) = values
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .unwrap();
        assert!(close(max, e.max.0), "{tag} max");
        assert_eq!(max_date.to_string(), e.max.1, "{tag} max date");
        let mut stats = got.statistics.iter();
        let expected_stats = e.mean.iter().chain(std::iter::once(&e.percentile));
        for (value, rounded, meets, multiple) in expected_stats {
            let s = stats.next().unwrap();
            assert!(
                close(s.value, *value),
                "{tag} {:?} {} vs {value}",
                s.kind,
                s.value
            );
            assert_eq!(s.rounded, *rounded, "{tag} {:?} rounded", s.kind);
            assert_eq!(s.meets, Some(*meets), "{tag} {:?} meets", s.kind);
            assert_eq!(
                s.exceedance_multiple, *multiple,
                "{tag} {:?} multiple",
                s.kind
            );
        }
        assert!(stats.next().is_none());
        assert_eq!(
            got.days_over_limit,
            Some(e.days_over_limit),
            "{tag} days over limit"
        );
    }
    (a, o3_days)
}

#[test]
fn dongsi_2014() {
    use Pollutant::*;
    let expected = [
        Expected {
            pollutant: So2,
            days: 361,
            short_months: &[],
            sum: 8505.230451251648,
            max: (143.13636363636363, "2014-02-24"),
            mean: Some((23.560195155821738, 24.0, true, None)),
            percentile: (98.21847826086969, 98.0, true, None),
            days_over_limit: 0,
        },
        Expected {
            pollutant: No2,
            days: 318,
            short_months: &[1, 2],
            sum: 17704.925494071147,
            max: (138.79166666666666, "2014-11-20"),
            mean: Some((55.67586633355707, 56.0, false, Some(0.4))),
            percentile: (118.03666666666666, 118.0, false, Some(0.48)),
            days_over_limit: 44,
        },
        Expected {
            pollutant: Co,
            days: 359,
            short_months: &[2],
            sum: 486.73068087709396,
            max: (6.066666666666666, "2014-12-09"),
            mean: None,
            percentile: (3.0305615942028967, 3.0, true, None),
            days_over_limit: 4,
        },
        Expected {
            pollutant: Pm10,
            days: 360,
            short_months: &[],
            sum: 41705.16977931489,
            max: (412.2083333333333, "2014-01-16"),
            mean: Some((115.84769383143026, 116.0, false, Some(0.66))),
            percentile: (272.82128623188413, 273.0, false, Some(0.82)),
            days_over_limit: 91,
        },
        Expected {
            pollutant: Pm25,
            days: 360,
            short_months: &[],
            sum: 31020.752782326366,
            max: (426.3333333333333, "2014-02-15"),
            mean: Some((86.16875772868435, 86.0, false, Some(1.46))),
            percentile: (232.92083333333335, 233.0, false, Some(2.11)),
            days_over_limit: 159,
        },
        Expected {
            pollutant: O3,
            days: 356,
            short_months: &[],
            sum: 34333.01845238095,
            max: (246.875, "2014-05-30"),
            mean: None,
            percentile: (182.3125, 182.0, false, Some(0.14)),
            days_over_limit: 65,
        },
    ];
    let (a, o3_days) = check("Dongsi", 2014, &expected);
    // PM10, PM2.5 and O3 are complete and fail: the site fails.
    assert_eq!(a.meets, Some(false));
    assert!(o3_days.kept_over_limit.is_empty());
    assert_eq!(o3_days.rejected, 9);
    assert_eq!(o3_days.pm25_rejected, 5);
}

#[test]
fn dingling_2016() {
    use Pollutant::*;
    let expected = [
        Expected {
            pollutant: So2,
            days: 353,
            short_months: &[9],
            sum: 2556.5522586109546,
            max: (42.791666666666664, "2016-01-16"),
            mean: Some((7.2423576731188515, 7.0, true, None)),
            percentile: (30.871666666666666, 31.0, true, None),
            days_over_limit: 0,
        },
        Expected {
            pollutant: No2,
            days: 354,
            short_months: &[9],
            sum: 9074.143713532845,
            max: (150.04166666666666, "2016-12-21"),
            mean: Some((25.633174332013688, 26.0, true, None)),
            percentile: (87.03083333333333, 87.0, false, Some(0.09)),
            days_over_limit: 17,
        },
        Expected {
            pollutant: Co,
            days: 350,
            short_months: &[9],
            sum: 306.98428242047805,
            max: (7.695833333333334, "2016-12-21"),
            mean: None,
            percentile: (2.4170833333333346, 2.4, true, None),
            days_over_limit: 4,
        },
        Expected {
            pollutant: Pm10,
            days: 355,
            short_months: &[9],
            sum: 28810.001406926407,
            max: (401.0, "2016-12-21"),
            mean: Some((81.15493354063777, 81.0, false, Some(0.16))),
            percentile: (203.7797101449276, 204.0, false, Some(0.36)),
            days_over_limit: 40,
        },
        Expected {
            pollutant: Pm25,
            days: 351,
            short_months: &[9, 10],
            sum: 21166.251642198382,
            max: (400.375, "2016-12-21"),
            mean: Some((60.30271123133442, 60.0, false, Some(0.71))),
            percentile: (176.64583333333331, 177.0, false, Some(1.36)),
            days_over_limit: 101,
        },
        Expected {
            pollutant: O3,
            days: 341,
            short_months: &[7, 9],
            sum: 33528.66666666667,
            max: (312.0, "2016-05-30"),
            mean: None,
            // p90 is exactly 190.5: GB/T 8170 rounds it to the even 190, (190 − 160)/160 = 0.1875 → 0.19.
            percentile: (190.5, 190.0, false, Some(0.19)),
            days_over_limit: 61,
        },
    ];
    let (a, o3_days) = check("Dingling", 2016, &expected);
    // Every item misses September's 27 days: no verdict for the site.
    assert_eq!(a.meets, None);
    let kept: Vec<String> = o3_days
        .kept_over_limit
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        kept,
        [
            "2016-05-17",
            "2016-05-23",
            "2016-05-30",
            "2016-05-31",
            "2016-07-22",
            "2016-09-23"
        ]
    );
    assert_eq!(o3_days.rejected, 14);
}
