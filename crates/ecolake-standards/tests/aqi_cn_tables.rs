//! HJ 633 IAQI tables: the compiled breakpoints against `aqi_cn_iaqi_breakpoints.csv`, and
//! `cn::iaqi` against a reference written here in exact integer arithmetic from the CSV —
//! at every breakpoint, just above every breakpoint, at every concentration where the IAQI is
//! an integer, and on a 0.01 grid over every table of both editions.

use std::collections::BTreeMap;

use ecolake_standards::aqi::cn::{self, Edition};
use ecolake_standards::aqi::{Averaging, Pollutant};

const BREAKPOINTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/standards/aqi_cn_iaqi_breakpoints.csv"
);

type Key = (Edition, Pollutant, Averaging);

/// The CSV's tables: (concentration, IAQI) pairs in file order.
fn csv_tables() -> BTreeMap<Key, Vec<(i64, i64)>> {
    let mut reader = csv::Reader::from_path(BREAKPOINTS).expect("shared breakpoint table");
    let mut tables: BTreeMap<Key, Vec<(i64, i64)>> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("csv row");
        let edition: Edition = row[0].parse().expect("edition name");
        let pollutant: Pollutant = row[2].parse().expect("pollutant name");
        let averaging: Averaging = row[3].parse().expect("averaging");
        let unit = if pollutant == Pollutant::Co {
            "mg/m3"
        } else {
            "ug/m3"
        };
        assert_eq!(&row[4], unit);
        let iaqi: i64 = row[5].parse().expect("iaqi");
        let conc: i64 = row[6].parse().expect("integer breakpoint");
        tables
            .entry((edition, pollutant, averaging))
            .or_default()
            .push((conc, iaqi));
    }
    tables
}

/// The reference IAQI of a concentration in thousandths of the unit (µg/m³ or mg/m³), from the
/// CSV breakpoints, in integer arithmetic. `None`: not indexed (2012 SO2 1h / O3 8h > 800).
fn reference(key: Key, points: &[(i64, i64)], milli: i64) -> Option<i64> {
    let (edition, pollutant, averaging) = key;
    // HJ 633-2026 4.2.2: GB/T 8170 half-even rounding to 1 µg/m³ (CO 0.1 mg/m³) first.
    let milli = if edition == Edition::Hj633_2026 {
        let step = if pollutant == Pollutant::Co {
            100
        } else {
            1000
        };
        let (q, r) = (milli / step, milli % step);
        let q = match (2 * r).cmp(&step) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal => q + q % 2,
        };
        q * step
    } else {
        milli
    };
    let top = points[points.len() - 1].0 * 1000;
    if milli > top {
        return match (edition, pollutant, averaging) {
            (Edition::Hj633_2012, Pollutant::So2, Averaging::Hour1) => None,
            (Edition::Hj633_2012, Pollutant::O3, Averaging::Hour8) => None,
            (Edition::Hj633_2026, Pollutant::So2, Averaging::Hour1) => Some(200),
            (Edition::Hj633_2026, Pollutant::O3, Averaging::Hour8) => Some(300),
            _ => Some(500), // our documented cap
        };
    }
    let k = points
        .windows(2)
        .position(|w| milli <= w[1].0 * 1000)
        .expect("within the table");
    let ((bpl, il), (bph, ih)) = (points[k], points[k + 1]);
    let num = (ih - il) * (milli - bpl * 1000);
    let den = (bph - bpl) * 1000;
    Some(il + (num + den - 1) / den)
}

/// `cn::iaqi` of a concentration given in thousandths (the `f64` nearest the decimal, as a CSV
/// parser produces it).
fn lib(key: Key, milli: i64) -> Option<i64> {
    let c = milli as f64 / 1000.0;
    cn::iaqi(key.0, key.1, key.2, c)
        .expect("a valid concentration")
        .map(i64::from)
}

#[test]
fn compiled_tables_equal_the_shared_csv() {
    let tables = csv_tables();
    assert_eq!(tables.len(), 20, "10 tables per edition");
    for (key, points) in &tables {
        let compiled = cn::breakpoints(key.0, key.1, key.2).expect("compiled table");
        let compiled: Vec<(i64, i64)> = compiled
            .iter()
            .map(|b| (i64::from(b.concentration), i64::from(b.iaqi)))
            .collect();
        assert_eq!(&compiled, points, "{key:?}");
    }
    // Pairs the standards do not have.
    for e in Edition::ALL {
        assert!(cn::breakpoints(e, Pollutant::Pm25, Averaging::Hour1).is_none());
        assert!(cn::breakpoints(e, Pollutant::O3, Averaging::Hour24).is_none());
        assert!(cn::breakpoints(e, Pollutant::Co, Averaging::Hour8).is_none());
    }
}

#[test]
fn every_breakpoint_gives_its_iaqi_exactly() {
    for (key, points) in csv_tables() {
        for &(conc, iaqi) in &points {
            let got = cn::iaqi(key.0, key.1, key.2, conc as f64).unwrap();
            assert_eq!(got.map(i64::from), Some(iaqi), "{key:?} at {conc}");
        }
    }
}

#[test]
fn just_above_every_breakpoint_rounds_up() {
    for (key, points) in csv_tables() {
        for w in points.windows(2) {
            let ((bpl, il), (bph, _)) = (w[0], w[1]);
            for delta in [1, 10, 100, 1000] {
                let milli = bpl * 1000 + delta;
                if milli >= bph * 1000 {
                    continue;
                }
                let want = reference(key, &points, milli);
                assert_eq!(lib(key, milli), want, "{key:?} at {milli}e-3");
                if key.0 == Edition::Hj633_2012 && delta <= 10 {
                    // 0.001 or 0.01 above a breakpoint is the next integer (slopes ≤ 25/unit).
                    assert_eq!(want, Some(il + 1), "{key:?} at {milli}e-3");
                }
            }
        }
    }
}

#[test]
fn integer_iaqi_points_are_exact_and_the_next_thousandth_rounds_up() {
    // On segment [BPL, BPH] the IAQI is an integer IL + j at C = BPL + j·ΔBP/ΔI: a decimal
    // with at most two places (ΔI is 50 or 100). Floating point must not push it to IL + j + 1.
    let mut checked = 0;
    for (key, points) in csv_tables() {
        if key.0 != Edition::Hj633_2012 {
            continue; // 2026 rounds these decimals away first; the sweep covers it
        }
        for w in points.windows(2) {
            let ((bpl, il), (bph, ih)) = (w[0], w[1]);
            for j in 0..(ih - il) {
                let num = j * (bph - bpl) * 1000;
                if num % (ih - il) != 0 {
                    continue;
                }
                let milli = bpl * 1000 + num / (ih - il);
                assert_eq!(lib(key, milli), Some(il + j), "{key:?} at {milli}e-3");
                assert_eq!(
                    lib(key, milli + 1),
                    Some(il + j + 1),
                    "{key:?} at {milli}e-3 + 1e-3"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 2000, "{checked} points");
}

#[test]
fn sweep_every_table_on_a_hundredth_grid() {
    let mut checked = 0u64;
    for (key, points) in csv_tables() {
        let top = points[points.len() - 1].0 * 1000;
        let mut milli = 0;
        while milli <= top + 5000 {
            assert_eq!(
                lib(key, milli),
                reference(key, &points, milli),
                "{key:?} at {milli}e-3"
            );
            milli += 10;
            checked += 1;
        }
        // Thousandths around each breakpoint (and the 2026 rounding halves at .5).
        for &(bp, _) in &points {
            for milli in (bp * 1000 - 2000).max(0)..=bp * 1000 + 2000 {
                assert_eq!(
                    lib(key, milli),
                    reference(key, &points, milli),
                    "{key:?} at {milli}e-3"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 2_000_000, "{checked} values");
}

#[test]
fn hj633_2026_rounds_half_even_before_indexing() {
    let e = Edition::Hj633_2026;
    let pm25 = |c| cn::iaqi(e, Pollutant::Pm25, Averaging::Hour24, c).unwrap();
    // Segment 35–60 ↔ 50–100, 2 IAQI per µg/m³. 35.5 → 36 (even): 52; 36.5 → 36 as well;
    // 35.4 → 35: exactly 50; 36.51 → 37: 54.
    assert_eq!(pm25(35.5), Some(52));
    assert_eq!(pm25(36.5), Some(52));
    assert_eq!(pm25(35.4), Some(50));
    assert_eq!(pm25(36.51), Some(54));
    let co = |c| cn::iaqi(e, Pollutant::Co, Averaging::Hour24, c).unwrap();
    // CO to 0.1 mg/m³: 2.45 → 2.4 (4 even): 50 + 25·0.4 = 60; 2.55 → 2.6: 65; 2.65 → 2.6: 65.
    assert_eq!(co(2.45), Some(60));
    assert_eq!(co(2.55), Some(65));
    assert_eq!(co(2.65), Some(65));
    // 2012 does not round: CO 2.45 → 50 + 25·0.45 = 61.25 → 62.
    assert_eq!(
        cn::iaqi(Edition::Hj633_2012, Pollutant::Co, Averaging::Hour24, 2.45).unwrap(),
        Some(62)
    );
    // SO2 1h 800.4 rounds to 800 (IAQI 200 from the table), 800.6 to 801 (rule: 200).
    let so2 = |c| cn::iaqi(e, Pollutant::So2, Averaging::Hour1, c).unwrap();
    assert_eq!(so2(800.4), Some(200));
    assert_eq!(so2(800.6), Some(200));
}

#[test]
fn above_the_tables() {
    let (old, new) = (Edition::Hj633_2012, Edition::Hj633_2026);
    let f = |e, p, a, c| cn::iaqi(e, p, a, c).unwrap();
    // SO2 1h > 800: 2012 not indexed (the report uses the 24h IAQI); 2026 IAQI 200.
    assert_eq!(f(old, Pollutant::So2, Averaging::Hour1, 800.0), Some(200));
    assert_eq!(f(old, Pollutant::So2, Averaging::Hour1, 801.0), None);
    assert_eq!(f(new, Pollutant::So2, Averaging::Hour1, 5000.0), Some(200));
    // O3 8h > 800: 2012 not indexed (the report uses the 1h IAQI); 2026 IAQI 300.
    assert_eq!(f(old, Pollutant::O3, Averaging::Hour8, 800.5), None);
    assert_eq!(f(new, Pollutant::O3, Averaging::Hour8, 801.0), Some(300));
    // Every other table: capped at 500.
    assert_eq!(f(old, Pollutant::Pm25, Averaging::Hour24, 500.0), Some(500));
    assert_eq!(f(old, Pollutant::Pm25, Averaging::Hour24, 999.0), Some(500));
    assert_eq!(f(new, Pollutant::Co, Averaging::Hour1, 1.0e9), Some(500));
}

#[test]
fn bad_concentrations_are_errors() {
    use ecolake_standards::Error;
    let e = Edition::Hj633_2012;
    let f = |c| cn::iaqi(e, Pollutant::No2, Averaging::Hour1, c);
    assert!(matches!(f(-1.0), Err(Error::Negative { .. })));
    assert!(matches!(f(f64::NAN), Err(Error::NotFinite { .. })));
    assert!(matches!(f(f64::INFINITY), Err(Error::NotFinite { .. })));
    assert!(matches!(
        cn::iaqi(e, Pollutant::Pm25, Averaging::Hour1, 10.0),
        Err(Error::Unknown { .. })
    ));
    assert_eq!(f(-0.0).unwrap(), Some(0));
}
