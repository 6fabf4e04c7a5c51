//! Pearson and Spearman correlation (with lags and missing values) against
//! `scipy.stats.pearsonr` / `spearmanr` (`tests/data/analytics/correlation.json`), and
//! their properties.

use ecolake_query::analytics::correlation::{
    correlate, correlation_matrix, pearson, spearman, Method,
};
use proptest::prelude::*;
use serde_json::Value;

const CORRELATION: &str = include_str!("data/analytics/correlation.json");

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn rel(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1e-300)
}

#[test]
#[allow(clippy::print_stderr)]
fn equals_scipy() {
    let data: Value = serde_json::from_str(CORRELATION).unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 32);
    let (mut worst_r, mut worst_p): (f64, f64) = (0.0, 0.0);
    for case in cases {
        let x = floats(&case["x"]);
        let y = floats(&case["y"]);
        let lag = case["lag"].as_i64().unwrap();
        let method = match case["method"].as_str().unwrap() {
            "pearson" => Method::Pearson,
            _ => Method::Spearman,
        };
        let got = correlate(&x, &y, method, lag).unwrap();
        let label = format!("{} {method:?} lag {lag}", case["name"]);
        assert_eq!(got.n as u64, case["n"].as_u64().unwrap(), "{label}");
        let (er, ep) = (
            rel(got.r, case["r"].as_f64().unwrap()),
            rel(got.p, case["p"].as_f64().unwrap()),
        );
        assert!(er <= 1e-12, "{label}: r {} vs {}", got.r, case["r"]);
        assert!(ep <= 1e-9, "{label}: p {} vs {}", got.p, case["p"]);
        worst_r = worst_r.max(er);
        worst_p = worst_p.max(ep);
    }
    eprintln!("max relative error against scipy: r {worst_r:e}, p {worst_p:e}");
}

#[test]
fn small_known_values() {
    // scipy.stats.pearsonr([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) = (0.7745966692414835, 0.1240270626575546)
    let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]).unwrap();
    assert!((r.r - 0.7745966692414835).abs() < 1e-15);
    assert!((r.p - 0.1240270626575546).abs() < 1e-12);
    // scipy.stats.spearmanr (ties averaged) = (0.7378647873726218, 0.15461852312844926).
    let s = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 5.0, 4.0, 5.0]).unwrap();
    assert!((s.r - 0.7378647873726218).abs() < 1e-15);
    assert!((s.p - 0.15461852312844926).abs() < 1e-12);
}

#[test]
fn matrix_matches_pairwise_calls() {
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [2.0, 1.0, 4.0, 3.0, f64::NAN, 7.0];
    let c = [6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
    let m = correlation_matrix(&[&a, &b, &c], Method::Spearman);
    let ab = spearman(&a, &b).unwrap();
    assert_eq!((m.r[0][1], m.p[1][0], m.n[0][1]), (ab.r, ab.p, 5));
    assert!((m.r[0][2] + 1.0).abs() < 1e-15);
    assert_eq!(m.r[1][1], 1.0);
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["method"], "spearman");
}

fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (4usize..60).prop_flat_map(|n| {
        (
            prop::collection::vec(-1000i32..1000, n),
            prop::collection::vec(-1000i32..1000, n),
        )
            .prop_map(|(x, y)| {
                (
                    x.into_iter().map(f64::from).collect(),
                    y.into_iter().map(f64::from).collect(),
                )
            })
    })
}

proptest! {
    #[test]
    fn symmetric_bounded_and_rank_invariant((x, y) in pairs()) {
        let Ok(xy) = spearman(&x, &y) else { return Ok(()) };
        let yx = spearman(&y, &x).unwrap();
        prop_assert!((xy.r - yx.r).abs() < 1e-12);
        prop_assert!((-1.0..=1.0).contains(&xy.r) && (0.0..=1.0).contains(&xy.p));
        // Spearman only sees ranks: a monotone transform changes nothing.
        let x3: Vec<f64> = x.iter().map(|v| v * v * v + 5.0).collect();
        let t = spearman(&x3, &y).unwrap();
        prop_assert!((t.r - xy.r).abs() < 1e-12);
        let p = pearson(&x, &y).unwrap();
        prop_assert!((-1.0..=1.0).contains(&p.r));
    }

    #[test]
    fn lag_is_a_shift((x, y) in pairs(), lag in 0i64..3) {
        let shifted = &y[lag as usize..];
        let a = correlate(&x, &y, Method::Pearson, lag);
        let b = correlate(&x, shifted, Method::Pearson, 0);
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert_eq!((a.r, a.n), (b.r, b.n)),
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
        }
        // A negative lag pairs the other way round.
        let c = correlate(&y, &x, Method::Pearson, -lag);
        let d = correlate(&x, &y, Method::Pearson, lag);
        if let (Ok(c), Ok(d)) = (c, d) {
            prop_assert!((c.r - d.r).abs() < 1e-12);
            prop_assert_eq!(c.n, d.n);
        }
    }
}
