//! Mann–Kendall, Sen's slope and the seasonal Kendall test against pymannkendall 1.4.3
//! (`tests/data/analytics/trend.json`, made by `generate.py` there), and their properties.

use ecolake_query::analytics::trend::{
    mann_kendall, seasonal_kendall, seasonal_sens_slope, sens_slope, MannKendall, Trend,
};
use proptest::prelude::*;
use serde_json::Value;

const TREND: &str = include_str!("data/analytics/trend.json");

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// Relative error of `got` against `want`, with an absolute floor of `floor`.
fn rel(got: f64, want: f64, floor: f64) -> f64 {
    let diff = (got - want).abs();
    if diff <= floor {
        0.0
    } else {
        diff / want.abs().max(f64::MIN_POSITIVE)
    }
}

fn run(case: &Value) -> MannKendall {
    let x = floats(&case["x"]);
    let alpha = case["alpha"].as_f64().unwrap();
    match case["test"].as_str().unwrap() {
        "original" => mann_kendall(&x, alpha).unwrap(),
        "seasonal" => {
            let period = case["period"].as_u64().unwrap() as usize;
            seasonal_kendall(&x, period, alpha).unwrap()
        }
        other => panic!("unknown test {other}"),
    }
}

#[test]
#[allow(clippy::print_stderr)]
fn equals_pymannkendall() {
    let data: Value = serde_json::from_str(TREND).unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() >= 14);
    let (mut worst, mut worst_p): (f64, f64) = (0.0, 0.0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let want = &case["expected"];
        let got = run(case);
        assert_eq!(
            got.trend.as_str(),
            want["trend"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(got.h, want["h"].as_bool().unwrap(), "{name}");
        assert_eq!(got.s as f64, want["s"].as_f64().unwrap(), "{name}");
        // p: pymannkendall computes 2·(1 − Φ(|z|)), exact only to ~1e-16 absolute (0 for
        // |z| > 8.3); ours is erfc, so compare with that absolute floor.
        let checks = [
            ("p", got.p, 1e-15),
            ("z", got.z, 0.0),
            ("tau", got.tau, 0.0),
            ("var_s", got.var_s, 0.0),
            ("slope", got.slope, 1e-15),
            ("intercept", got.intercept, 1e-14),
        ];
        for (field, value, floor) in checks {
            let e = rel(value, want[field].as_f64().unwrap(), floor);
            assert!(e <= 1e-9, "{name}.{field}: {value} vs {}", want[field]);
            worst = worst.max(e);
        }
        // Where pymannkendall's p is itself precise (p ≥ 1e-6), no floor.
        let want_p = want["p"].as_f64().unwrap();
        if want_p >= 1e-6 {
            let e = rel(got.p, want_p, 0.0);
            assert!(e <= 1e-9, "{name}.p: {} vs {want_p}", got.p);
            worst_p = worst_p.max(e);
        }
    }
    eprintln!("max relative error against pymannkendall: {worst:e} (p ≥ 1e-6: {worst_p:e})");
}

#[test]
fn documented_example_matches_pymannkendall() {
    // pymannkendall.original_test([1, 2, 2, 3, 5, 4, 7]).
    let r = mann_kendall(&[1.0, 2.0, 2.0, 3.0, 5.0, 4.0, 7.0], 0.05).unwrap();
    assert_eq!(r.trend, Trend::Increasing);
    assert_eq!((r.s, r.n), (18, 7));
    assert!((r.p - 0.009809151645794323).abs() < 1e-15);
    assert!((r.z - 2.58248538606335).abs() < 1e-14);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["trend"], "increasing");
    assert_eq!(json["s"], 18);
}

#[test]
fn seasonal_slope_is_per_cycle() {
    // Each month rises by 2 per year; the seasonal pattern itself does not matter.
    let x: Vec<f64> = (0..36)
        .map(|i| 2.0 * (i / 12) as f64 + [0.0, 5.0, -3.0, 1.0][i % 4])
        .collect();
    let s = seasonal_sens_slope(&x, 12).unwrap();
    assert_eq!(s.slope, 2.0);
    let r = seasonal_kendall(&x, 12, 0.05).unwrap();
    assert_eq!(r.s, 12 * 3);
    assert_eq!(r.trend, Trend::Increasing);
}

fn series() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            8 => (-50i32..50).prop_map(|v| f64::from(v) / 4.0),
            1 => Just(f64::NAN),
        ],
        3..80,
    )
    .prop_filter("needs 3 present values", |x| {
        x.iter().filter(|v| v.is_finite()).count() >= 3
    })
}

proptest! {
    #[test]
    fn reversing_negates_s_and_z(x in series()) {
        let fwd = mann_kendall(&x, 0.05).unwrap();
        let rev: Vec<f64> = x.iter().rev().copied().collect();
        let bwd = mann_kendall(&rev, 0.05).unwrap();
        prop_assert_eq!(fwd.s, -bwd.s);
        prop_assert_eq!(fwd.var_s, bwd.var_s);
        prop_assert_eq!(fwd.z, -bwd.z);
        prop_assert_eq!(fwd.p, bwd.p);
        prop_assert_eq!(fwd.slope, -bwd.slope);
    }

    #[test]
    fn monotone_transform_keeps_the_test(x in series()) {
        let a = mann_kendall(&x, 0.05).unwrap();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v.powi(3) + 7.0).collect();
        let b = mann_kendall(&y, 0.05).unwrap();
        prop_assert_eq!((a.s, a.var_s, a.z, a.p, a.trend), (b.s, b.var_s, b.z, b.p, b.trend));
    }

    #[test]
    fn period_one_is_the_original_test(x in series()) {
        let a = mann_kendall(&x, 0.05).unwrap();
        let b = seasonal_kendall(&x, 1, 0.05).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn sen_recovers_a_line(a in -100i32..100, b in -20i32..20, n in 2usize..60) {
        let (a, b) = (f64::from(a), f64::from(b) / 8.0);
        let x: Vec<f64> = (0..n).map(|i| a + b * i as f64).collect();
        let s = sens_slope(&x).unwrap();
        prop_assert!((s.slope - b).abs() < 1e-12);
        prop_assert!((s.intercept - a).abs() < 1e-9);
    }

    #[test]
    fn p_and_tau_are_in_range(x in series()) {
        let r = mann_kendall(&x, 0.05).unwrap();
        prop_assert!((0.0..=1.0).contains(&r.p));
        prop_assert!((-1.0..=1.0).contains(&r.tau));
        prop_assert_eq!(r.h, r.trend != Trend::NoTrend);
    }
}
