//! Spatial interpolation: ordinary kriging against pykrige 1.7
//! (`tests/data/analytics/kriging.json`), variogram fitting on fields simulated from a known
//! model, IDW and kriging properties, contours and the grid's JSON.

use ecolake_query::analytics::spatial::{
    contours, empirical_variogram, fit_empirical, fit_variogram, idw, idw_at, EmpiricalVariogram,
    GridSpec, IdwOptions, ModelKind, OrdinaryKriging, Site, VariogramModel,
};
use ecolake_query::analytics::AnalyticsError;
use proptest::prelude::*;
use serde_json::Value;

const KRIGING: &str = include_str!("data/analytics/kriging.json");

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn model_of(name: &str, p: &Value) -> VariogramModel {
    let f = |k: &str| p[k].as_f64().unwrap();
    match name {
        "linear" => VariogramModel::Linear {
            slope: f("slope"),
            nugget: f("nugget"),
        },
        "spherical" => VariogramModel::Spherical {
            psill: f("psill"),
            range: f("range"),
            nugget: f("nugget"),
        },
        "exponential" => VariogramModel::Exponential {
            psill: f("psill"),
            range: f("range"),
            nugget: f("nugget"),
        },
        "gaussian" => VariogramModel::Gaussian {
            psill: f("psill"),
            range: f("range"),
            nugget: f("nugget"),
        },
        other => panic!("unknown model {other}"),
    }
}

#[test]
#[allow(clippy::print_stderr)]
fn ordinary_kriging_equals_pykrige() {
    let data: Value = serde_json::from_str(KRIGING).unwrap();
    let s = &data["sites"];
    let sites: Vec<Site> = floats(&s["x"])
        .into_iter()
        .zip(floats(&s["y"]))
        .zip(floats(&s["z"]))
        .map(|((x, y), z)| Site::new(x, y, z))
        .collect();
    let g = &data["grid"];
    let spec = GridSpec::new(
        g["x0"].as_f64().unwrap(),
        g["y0"].as_f64().unwrap(),
        g["dx"].as_f64().unwrap(),
        g["dy"].as_f64().unwrap(),
        g["nx"].as_u64().unwrap() as usize,
        g["ny"].as_u64().unwrap() as usize,
    )
    .unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let (mut worst_z, mut worst_var): (f64, f64) = (0.0, 0.0);
    for case in cases {
        let name = case["model"].as_str().unwrap();
        let model = model_of(name, &case["params"]);
        let ok = OrdinaryKriging::new(&sites, model).unwrap();
        let grid = ok.grid(&spec, None).unwrap();
        let want_z = floats(&case["expected_values"]);
        let want_var = floats(&case["expected_variance"]);
        assert_eq!(grid.values.values.len(), want_z.len());
        let scale = want_var.iter().copied().fold(0.0, f64::max);
        for (k, (&got, &want)) in grid.values.values.iter().zip(&want_z).enumerate() {
            let e = (got - want).abs() / want.abs();
            assert!(e <= 1e-6, "{name} value {k}: {got} vs {want}");
            worst_z = worst_z.max(e);
        }
        for (k, (&got, &want)) in grid.variance.values.iter().zip(&want_var).enumerate() {
            // The variance is ~0 at the node on a site: relative to the largest there.
            let e = (got - want).abs() / want.abs().max(1e-6 * scale);
            assert!(e <= 1e-6, "{name} variance {k}: {got} vs {want}");
            worst_var = worst_var.max(e);
        }
        // The node (3, 4) is on site 0: exact, even with a nugget.
        let at_site = grid.values.get(3, 4).unwrap();
        assert!((at_site - sites[0].value).abs() < 1e-9, "{name}");
    }
    eprintln!("max relative error against pykrige: values {worst_z:e}, variance {worst_var:e}");
}

/// A deterministic normal generator (SplitMix64 and Box–Muller).
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Realizations of a zero-mean Gaussian field with variogram `model` at random sites in a
/// 100 × 100 square: the covariance is `sill − γ(h)` (and `sill` at `h = 0`), simulated by
/// its Cholesky factor.
fn simulate(model: VariogramModel, n: usize, realizations: usize, seed: u64) -> Vec<Vec<Site>> {
    let mut rng = Normal(seed);
    let xy: Vec<(f64, f64)> = (0..n)
        .map(|_| (100.0 * rng.uniform(), 100.0 * rng.uniform()))
        .collect();
    let sill = model.sill().unwrap();
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let h = (xy[i].0 - xy[j].0).hypot(xy[i].1 - xy[j].1);
            c[i * n + j] = if i == j { sill } else { sill - model.gamma(h) };
        }
    }
    // In-place Cholesky: c = L·Lᵀ, L in the lower triangle.
    for j in 0..n {
        let d = c[j * n + j] - (0..j).map(|k| c[j * n + k].powi(2)).sum::<f64>();
        assert!(d > 0.0, "covariance not positive definite");
        c[j * n + j] = d.sqrt();
        for i in j + 1..n {
            let s = c[i * n + j] - (0..j).map(|k| c[i * n + k] * c[j * n + k]).sum::<f64>();
            c[i * n + j] = s / c[j * n + j];
        }
    }
    (0..realizations)
        .map(|_| {
            let e: Vec<f64> = (0..n).map(|_| rng.sample()).collect();
            (0..n)
                .map(|i| {
                    let v = (0..=i).map(|k| c[i * n + k] * e[k]).sum();
                    Site::new(xy[i].0, xy[i].1, v)
                })
                .collect()
        })
        .collect()
}

/// The empirical variograms of the realizations (same sites, so same bins), averaged.
fn pooled(fields: &[Vec<Site>], n_lags: usize, max_lag: f64) -> EmpiricalVariogram {
    let all: Vec<EmpiricalVariogram> = fields
        .iter()
        .map(|f| empirical_variogram(f, n_lags, Some(max_lag)).unwrap())
        .collect();
    let mut out = all[0].clone();
    for (k, g) in out.semivariance.iter_mut().enumerate() {
        *g = all.iter().map(|e| e.semivariance[k]).sum::<f64>() / all.len() as f64;
    }
    out
}

fn assert_within(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance * want,
        "{what}: fitted {got}, true {want}"
    );
}

#[test]
fn variogram_fit_recovers_known_models() {
    for (kind, truth) in [
        (
            ModelKind::Exponential,
            VariogramModel::Exponential {
                psill: 4.0,
                range: 30.0,
                nugget: 0.5,
            },
        ),
        (
            ModelKind::Spherical,
            VariogramModel::Spherical {
                psill: 2.0,
                range: 25.0,
                nugget: 0.2,
            },
        ),
    ] {
        let fields = simulate(truth, 300, 64, 7);
        let fit = fit_empirical(&pooled(&fields, 15, 60.0), kind).unwrap();
        let label = format!("{kind:?}: {:?}", fit.model);
        assert_within(
            &label,
            fit.model.sill().unwrap(),
            truth.sill().unwrap(),
            0.2,
        );
        assert_within(
            &label,
            fit.model.range().unwrap(),
            truth.range().unwrap(),
            0.2,
        );
        assert!(fit.model.nugget() < 0.5 * truth.sill().unwrap(), "{label}");
        assert!(fit.rmse.is_finite() && fit.rmse > 0.0, "{label}");
        assert!(
            fit.rmse < 0.1 * truth.sill().unwrap(),
            "{label}: rmse {}",
            fit.rmse
        );
        assert_eq!(fit.empirical.lags.len(), 15);
        // One realization alone: a fit with its error reported, and usable for kriging.
        let one = fit_variogram(&fields[0], kind, 12, None).unwrap();
        assert!(one.rmse.is_finite() && one.weighted_rmse.is_finite());
        let ok = OrdinaryKriging::new(&fields[0], one.model).unwrap();
        let spec = GridSpec::from_bbox([0.0, 0.0, 100.0, 100.0], 11, 11).unwrap();
        let grid = ok.grid(&spec, Some(30.0)).unwrap();
        assert!(grid.values.values.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn kriging_and_idw_refuse_bad_input() {
    let a = Site::new(0.0, 0.0, 1.0);
    let b = Site::new(1.0, 0.0, 2.0);
    let linear = VariogramModel::Linear {
        slope: 1.0,
        nugget: 0.0,
    };
    assert!(matches!(
        OrdinaryKriging::new(&[a, a, b], linear),
        Err(AnalyticsError::SingularMatrix(_))
    ));
    assert!(matches!(
        OrdinaryKriging::new(&[a], linear),
        Err(AnalyticsError::TooFewPoints { .. })
    ));
    let bad = VariogramModel::Spherical {
        psill: 1.0,
        range: 0.0,
        nugget: 0.0,
    };
    assert!(matches!(
        OrdinaryKriging::new(&[a, b], bad),
        Err(AnalyticsError::InvalidParameter { .. })
    ));
    assert!(fit_variogram(&[a, b], ModelKind::Spherical, 5, None).is_err());
}

#[test]
fn grid_json_and_contours() {
    let sites = [
        Site::new(0.0, 0.0, 0.0),
        Site::new(10.0, 0.0, 10.0),
        Site::new(0.0, 10.0, 10.0),
        Site::new(10.0, 10.0, 20.0),
    ];
    let spec = GridSpec::from_bbox([0.0, 0.0, 20.0, 10.0], 21, 11).unwrap();
    let options = IdwOptions {
        radius: Some(8.0),
        ..IdwOptions::default()
    };
    let grid = idw(&sites, &spec, &options).unwrap();
    let json = serde_json::to_value(&grid).unwrap();
    assert_eq!(json["nx"], 21);
    assert_eq!(json["cell_size"], serde_json::json!([1.0, 1.0]));
    // (20, 0) is 10 from the nearest site: no value, null in JSON.
    assert_eq!(json["values"][20], Value::Null);
    assert_eq!(json["values"][0], 0.0);

    let fc = contours(&grid, &[5.0, 15.0]).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    for (f, level) in features.iter().zip([5.0, 15.0]) {
        assert_eq!(f["properties"]["level"], level);
        let lines = f["geometry"]["coordinates"].as_array().unwrap();
        assert!(!lines.is_empty(), "{f}");
        for p in lines.iter().flat_map(|l| l.as_array().unwrap()) {
            let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
            assert!((0.0..=20.0).contains(&x) && (0.0..=10.0).contains(&y));
        }
    }
}

fn site_sets() -> impl Strategy<Value = Vec<Site>> {
    prop::collection::vec((0u32..100, 0u32..100, -50.0f64..50.0), 3..25).prop_map(|v| {
        let mut seen = std::collections::HashSet::new();
        v.into_iter()
            .filter(|&(x, y, _)| seen.insert((x, y)))
            .map(|(x, y, z)| Site::new(f64::from(x) / 10.0, f64::from(y) / 10.0, z))
            .collect()
    })
}

fn models() -> impl Strategy<Value = VariogramModel> {
    (0.5f64..5.0, 1.0f64..8.0, 0.0f64..1.0, 0usize..4).prop_map(|(psill, range, nugget, k)| match k
    {
        0 => VariogramModel::Spherical {
            psill,
            range,
            nugget,
        },
        1 => VariogramModel::Exponential {
            psill,
            range,
            nugget,
        },
        2 => VariogramModel::Gaussian {
            psill,
            range,
            nugget: nugget + 0.1,
        },
        _ => VariogramModel::Linear {
            slope: psill,
            nugget,
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kriging_is_exact_at_the_sites(sites in site_sets(), model in models()) {
        prop_assume!(sites.len() >= 2);
        let ok = match OrdinaryKriging::new(&sites, model) {
            Ok(ok) => ok,
            // A Gaussian model without enough nugget can be numerically singular: refused,
            // not wrong.
            Err(AnalyticsError::SingularMatrix(_)) => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        for s in &sites {
            let p = ok.predict(s.x, s.y);
            prop_assert!((p.value - s.value).abs() < 1e-6 * (1.0 + s.value.abs()), "{p:?} {s:?}");
            prop_assert!(p.variance.abs() < 1e-6);
        }
    }

    #[test]
    fn idw_stays_within_the_data(sites in site_sets(), x in -2.0f64..12.0, y in -2.0f64..12.0,
                                 power in 0.5f64..4.0, k in 1usize..6) {
        let options = IdwOptions { power, max_neighbours: Some(k), radius: None };
        let v = idw_at(&sites, x, y, &options).unwrap();
        let lo = sites.iter().map(|s| s.value).fold(f64::INFINITY, f64::min);
        let hi = sites.iter().map(|s| s.value).fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(v >= lo - 1e-9 && v <= hi + 1e-9);
        for s in &sites {
            prop_assert_eq!(idw_at(&sites, s.x, s.y, &options).unwrap(), s.value);
        }
    }
}
