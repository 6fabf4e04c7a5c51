//! US EPA AQI and NowCast: every row of `aqi_us_epa_breakpoints.csv` for both tables, the TAD's
//! truncation and rounding (exact on decimals), the O3 and SO2 rules, extrapolation above 500,
//! categories against `aqi_us_levels.csv`. Expectations are derived by hand in comments.

use chrono::NaiveDate;
use ecolake_standards::aqi::epa::{self, EpaCategory, EpaInput, EpaTable};
use ecolake_standards::aqi::nowcast::{nowcast, nowcast_aqi};
use ecolake_standards::aqi::{Averaging, Pollutant, PollutantSet};
use ecolake_standards::Error;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/standards/");

const NEW: EpaTable = EpaTable::Epa2024;
const OLD: EpaTable = EpaTable::Epa2012;

/// The CSV rows: (table, pollutant, averaging, aqi_lo, aqi_hi, conc_lo, conc_hi as strings).
fn csv_rows() -> Vec<(EpaTable, Pollutant, Averaging, u32, u32, String, String)> {
    let mut reader = csv::Reader::from_path(format!("{SHARED}aqi_us_epa_breakpoints.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let table = if r[0].starts_with("EPA TAD 2024") {
                NEW
            } else {
                assert!(r[0].starts_with("EPA pre-2024"), "{}", &r[0]);
                OLD
            };
            (
                table,
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
                r[6].to_string(),
                r[7].to_string(),
            )
        })
        .collect()
}

fn idx(t: EpaTable, p: Pollutant, a: Averaging, c: f64) -> Option<u32> {
    epa::sub_index(t, p, a, c).unwrap()
}

/// One truncation step of a pollutant (0.001 ppm O3, 0.1 PM2.5/CO, 1 otherwise).
fn step(p: Pollutant) -> f64 {
    match p {
        Pollutant::O3 => 0.001,
        Pollutant::Pm25 | Pollutant::Co => 0.1,
        _ => 1.0,
    }
}

#[test]
fn every_row_of_both_tables() {
    let rows = csv_rows();
    assert_eq!(rows.len(), 39 + 45);
    for (t, p, a, ilo, ihi, clo, chi) in &rows {
        let (lo, hi): (f64, f64) = (clo.parse().unwrap(), chi.parse().unwrap());
        assert_eq!(idx(*t, *p, *a, lo), Some(*ilo), "{t} {p} {a} at {clo}");
        assert_eq!(idx(*t, *p, *a, hi), Some(*ihi), "{t} {p} {a} at {chi}");
        // Just below the next step the value truncates to the breakpoint.
        let below_next = hi + 0.9 * step(*p);
        let top = !rows
            .iter()
            .any(|r| (r.0, r.1, r.2) == (*t, *p, *a) && r.3 == ihi + 1);
        if !top {
            assert_eq!(
                idx(*t, *p, *a, below_next),
                Some(*ihi),
                "{t} {p} {a} at {below_next}"
            );
            // One step above: the next row's low index.
            assert_eq!(
                idx(*t, *p, *a, hi + step(*p)),
                Some(ihi + 1),
                "{t} {p} {a} above {chi}"
            );
        }
        // One step above the low breakpoint, rounded half up: ilo + ⌊(2·ΔI + ΔC)/(2·ΔC)⌋ with ΔC
        // in steps.
        let dc = ((hi - lo) / step(*p)).round() as u32;
        let want = ilo + (2 * (ihi - ilo) + dc) / (2 * dc);
        assert_eq!(
            idx(*t, *p, *a, lo + step(*p)),
            Some(want),
            "{t} {p} {a} above {clo}"
        );
    }
}

#[test]
fn worked_numbers() {
    use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
    // O3 8h 0.078: 101 + 49·(78 − 71)/(85 − 71) = 125.5 → 126 (half up; python-aqi's 2008
    // table gives 106).
    assert_eq!(idx(NEW, Pollutant::O3, H8, 0.078), Some(126));
    // PM2.5 9.5: 2024 51 + 49·(95 − 91)/(354 − 91) = 51.75 → 52; 2012 50·95/120 = 39.6 → 40.
    assert_eq!(idx(NEW, Pollutant::Pm25, H24, 9.5), Some(52));
    assert_eq!(idx(OLD, Pollutant::Pm25, H24, 9.5), Some(40));
    // PM2.5 125.4: 2024 top of 55.5–125.4 ↔ 151–200 = 200; 2012 151 + 49·699/949 = 187.1 → 187.
    assert_eq!(idx(NEW, Pollutant::Pm25, H24, 125.4), Some(200));
    assert_eq!(idx(OLD, Pollutant::Pm25, H24, 125.4), Some(187));
    // CO 8h 10.7: 101 + 49·(107 − 95)/(124 − 95) = 121.3 → 121.
    assert_eq!(idx(NEW, Pollutant::Co, H8, 10.7), Some(121));
    // NO2 1h 120.9 ppb → 120: 101 + 49·(120 − 101)/(360 − 101) = 104.6 → 105.
    assert_eq!(idx(NEW, Pollutant::No2, H1, 120.9), Some(105));
}

#[test]
fn truncation_is_exact_on_decimals() {
    // 0.071 is 0.07099999999999999 in binary: naive truncation would give 0.070 (index 100).
    assert_eq!(epa::truncate(Pollutant::O3, 0.071).unwrap(), 0.071);
    assert_eq!(idx(NEW, Pollutant::O3, Averaging::Hour8, 0.071), Some(101));
    // 12.1 is 12.099999999999999: 2012 row 12.1–35.4 starts at 51 (naive: 12.0 → 50).
    assert_eq!(idx(OLD, Pollutant::Pm25, Averaging::Hour24, 12.1), Some(51));
    assert_eq!(epa::truncate(Pollutant::Pm25, 35.4).unwrap(), 35.4);
    assert_eq!(epa::truncate(Pollutant::Pm25, 35.49).unwrap(), 35.4);
    assert_eq!(epa::truncate(Pollutant::Co, 9.45).unwrap(), 9.4);
    assert_eq!(epa::truncate(Pollutant::Pm10, 154.99).unwrap(), 154.0);
    assert_eq!(epa::truncate(Pollutant::So2, 304.9).unwrap(), 304.0);
    // Values a few ulps below the decimal, as arithmetic produces them: 0.3 − 0.1 is
    // 0.19999999999999998 and 30.2 − 4.9 is 25.299999999999997 (naive truncation: 0.1, 25.2);
    // the double just below 35.4 is still 35.4, below 0.071 still 0.071.
    assert_eq!(epa::truncate(Pollutant::Co, 0.3 - 0.1).unwrap(), 0.2);
    assert_eq!(epa::truncate(Pollutant::Pm25, 30.2 - 4.9).unwrap(), 25.3);
    let below = |x: f64| f64::from_bits(x.to_bits() - 1);
    assert_eq!(epa::truncate(Pollutant::Pm25, below(35.4)).unwrap(), 35.4);
    assert_eq!(
        idx(NEW, Pollutant::O3, Averaging::Hour8, below(0.071)),
        Some(101)
    );
    // 35.45 → 35.4 → 100; 35.5 → 101.
    assert_eq!(
        idx(NEW, Pollutant::Pm25, Averaging::Hour24, 35.45),
        Some(100)
    );
    assert_eq!(
        idx(NEW, Pollutant::Pm25, Averaging::Hour24, 35.5),
        Some(101)
    );
}

#[test]
fn so2_rule() {
    let so2 = |one: Option<f64>, day: Option<f64>| {
        let r = epa::aqi(
            NEW,
            &EpaInput {
                so2_1h: one,
                so2_24h: day,
                ..Default::default()
            },
        );
        r.unwrap().aqi
    };
    // 1h 304.9 → 304: top of 186–304 ↔ 151–200 = 200. 1h 150: 101 + 49·74/109 = 134.3 → 134.
    assert_eq!(so2(Some(304.9), None), Some(200));
    assert_eq!(so2(Some(150.0), Some(400.0)), Some(134));
    // 1h ≥ 305 with 24h < 305 ⇒ 200 (python-aqi computes 232 from the 1h value).
    assert_eq!(so2(Some(400.0), Some(100.0)), Some(200));
    // 1h ≥ 305 with 24h 400: 201 + 99·(400 − 305)/(604 − 305) = 232.5 → 232 (24h rows).
    assert_eq!(so2(Some(400.0), Some(400.0)), Some(232));
    // Our choices: 1h ≥ 305 without a 24h mean, or a 24h mean < 305 alone: no index.
    assert_eq!(so2(Some(400.0), None), None);
    assert_eq!(so2(None, Some(100.0)), None);
    assert_eq!(so2(None, Some(305.0)), Some(201));
}

#[test]
fn ozone_rules_and_the_aqi() {
    let o3 = |h8: f64, h1: Option<f64>| {
        epa::aqi(
            NEW,
            &EpaInput {
                o3_8h: Some(h8),
                o3_1h: h1,
                ..Default::default()
            },
        )
        .unwrap()
    };
    // 8h 0.060: 51 + 49·5/15 = 67.3 → 67; 1h 0.124 < 0.125 is ignored.
    let r = o3(0.060, Some(0.124));
    assert_eq!((r.aqi, r.sub_indices[1].index), (Some(67), None));
    // 1h 0.130: 101 + 49·5/39 = 107.3 → 107 beats the 8h index.
    let r = o3(0.060, Some(0.130));
    assert_eq!(r.aqi, Some(107));
    assert_eq!(r.category, Some(EpaCategory::UnhealthyForSensitiveGroups));
    assert_eq!(
        r.responsible,
        [Pollutant::O3].into_iter().collect::<PollutantSet>()
    );
    // 8h above 0.200 defines no index (TAD: use the 1h value).
    assert_eq!(o3(0.201, None).aqi, None);
    // 1h 0.450: 301 + 199·45/199 = 346.
    assert_eq!(o3(0.250, Some(0.450)).aqi, Some(346));
}

#[test]
fn above_500_extrapolates_the_top_row() {
    use Averaging::Hour24 as H24;
    // PM2.5 400.0: 301 + 199·(4000 − 2255)/(3254 − 2255) = 648.6 → 649.
    assert_eq!(idx(NEW, Pollutant::Pm25, H24, 400.0), Some(649));
    // PM10 700: 301 + 199·275/179 = 606.7 → 607 (2024); 2012 401 + 99·195/99 = 596.
    assert_eq!(idx(NEW, Pollutant::Pm10, H24, 700.0), Some(607));
    assert_eq!(idx(OLD, Pollutant::Pm10, H24, 700.0), Some(596));
    let r = epa::aqi(
        NEW,
        &EpaInput {
            pm10_24h: Some(700.0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.category, Some(EpaCategory::Hazardous));
}

#[test]
fn responsible_pollutants_tie() {
    // PM10 154 → 100 and NO2 100 ppb → 100.
    let input = EpaInput {
        pm10_24h: Some(154.0),
        no2_1h: Some(100.0),
        ..Default::default()
    };
    let r = epa::aqi(NEW, &input).unwrap();
    assert_eq!(r.aqi, Some(100));
    assert_eq!(r.responsible.to_string(), "NO2,PM10");
}

#[test]
fn categories_equal_the_shared_csv() {
    let mut reader = csv::Reader::from_path(format!("{SHARED}aqi_us_levels.csv")).unwrap();
    let mut n = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let min: u32 = row[0].parse().unwrap();
        let c = EpaCategory::from_aqi(min);
        if !row[1].is_empty() {
            assert_eq!(EpaCategory::from_aqi(row[1].parse().unwrap()), c);
            assert_ne!(EpaCategory::from_aqi(row[1].parse::<u32>().unwrap() + 1), c);
        }
        assert_eq!(c.name(), &row[2]);
        assert_eq!(c.colour(), &row[3]);
        let n8 = |i: usize| row[i].parse::<u8>().unwrap();
        assert_eq!(c.rgb(), (n8(4), n8(5), n8(6)));
        assert_eq!(c.cmyk(), (n8(7), n8(8), n8(9), n8(10)));
        n += 1;
    }
    assert_eq!(n, 6);
    assert_eq!(EpaCategory::VeryUnhealthy.rgb(), (143, 63, 151));
}

#[test]
fn tables_by_name_and_date() {
    assert_eq!("epa-2024".parse::<EpaTable>().unwrap(), NEW);
    assert_eq!("EPA-2012".parse::<EpaTable>().unwrap(), OLD);
    assert!("epa-2018".parse::<EpaTable>().is_err());
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(EpaTable::for_date(d(2024, 5, 5)), OLD);
    assert_eq!(EpaTable::for_date(d(2024, 5, 6)), NEW);
    assert!(matches!(
        epa::sub_index(NEW, Pollutant::Pm25, Averaging::Hour1, 5.0),
        Err(Error::Unknown { .. })
    ));
    assert!(matches!(
        epa::sub_index(NEW, Pollutant::Pm25, Averaging::Hour24, -5.0),
        Err(Error::Negative { .. })
    ));
}

#[test]
fn nowcast_examples() {
    // Range 90 − 10 = 80 of max 90: w* = 0.11 → w = 0.5. With w = 1/2 the weights are
    // 2^(11−i)/2^11: NowCast = Σ cᵢ·2^(11−i) / 4095 = 71310/4095 = 17.4139…
    let hours = [
        13.0, 16.0, 10.0, 21.0, 74.0, 64.0, 53.0, 82.0, 90.0, 75.0, 80.0, 50.0,
    ]
    .map(Some);
    let nc = nowcast(Pollutant::Pm25, &hours).unwrap().unwrap();
    assert!((nc - 71310.0 / 4095.0).abs() < 1e-12, "{nc}");
    // Truncated to 17.4: 2012 51 + 49·(174 − 121)/233 = 62.1 → 62; 2024 51 + 49·83/263 → 66.
    assert_eq!(nowcast_aqi(OLD, Pollutant::Pm25, &hours).unwrap(), Some(62));
    assert_eq!(nowcast_aqi(NEW, Pollutant::Pm25, &hours).unwrap(), Some(66));
    // Steady air: max 12, min 10 ⇒ w = 1 − 2/12 = 5/6; hour 3 missing keeps its exponent.
    let mut hours = [
        10.0, 12.0, 11.0, 0.0, 10.5, 12.0, 11.0, 10.0, 10.0, 11.0, 12.0, 10.0,
    ]
    .map(Some);
    hours[3] = None;
    let w: f64 = 5.0 / 6.0;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, c) in hours.iter().enumerate() {
        if let Some(c) = c {
            num += w.powi(i as i32) * c;
            den += w.powi(i as i32);
        }
    }
    let nc = nowcast(Pollutant::Pm10, &hours).unwrap().unwrap();
    assert!((nc - num / den).abs() < 1e-12);
    // Two hours only: 20, 10 ⇒ w = 0.5: (20 + 5)/1.5.
    let nc = nowcast(Pollutant::Pm25, &[Some(20.0), Some(10.0)])
        .unwrap()
        .unwrap();
    assert!((nc - 25.0 / 1.5).abs() < 1e-12);
    // All zero: 0.
    assert_eq!(
        nowcast(Pollutant::Pm25, &[Some(0.0); 12]).unwrap(),
        Some(0.0)
    );
}

#[test]
fn nowcast_needs_two_of_the_last_three_hours() {
    let h = |v: [Option<f64>; 4]| nowcast(Pollutant::Pm25, &v).unwrap();
    assert!(h([Some(5.0), None, Some(6.0), Some(7.0)]).is_some());
    assert!(h([None, Some(5.0), Some(6.0), None]).is_some());
    assert!(h([None, None, Some(6.0), Some(7.0)]).is_none());
    assert!(h([Some(5.0), None, None, Some(7.0)]).is_none());
    assert!(nowcast(Pollutant::Pm25, &[]).unwrap().is_none());
    assert!(matches!(
        nowcast(Pollutant::O3, &[Some(0.05); 3]),
        Err(Error::Unknown { .. })
    ));
    assert!(matches!(
        nowcast(Pollutant::Pm25, &[Some(5.0), Some(-1.0)]),
        Err(Error::Negative { .. })
    ));
    // Values beyond the 12th are ignored.
    let mut v = vec![Some(10.0); 12];
    v.push(Some(1000.0));
    assert_eq!(nowcast(Pollutant::Pm10, &v).unwrap(), Some(10.0));
}
