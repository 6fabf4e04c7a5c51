//! The empirical variogram of sites in lag bins, and a weighted least-squares fit of a model.
//!
//! The fit is our own (not pykrige's): for a fixed range the model is linear in its partial
//! sill and nugget, so those come from a closed-form weighted least-squares solve constrained
//! to be non-negative; the range is then chosen by a grid search over `(0, 2·max lag]`
//! followed by a golden-section refinement around the best node (variable projection). The
//! weights are the bins' pair counts, so well-populated lags count more. The result reports
//! the root-mean-square error of the fit over the bins, plain and weighted.

use serde::{Deserialize, Serialize};

use super::kriging::VariogramModel;
use super::{check_sites, Site};
use crate::analytics::AnalyticsError;

/// The semivariance of site values in distance bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmpiricalVariogram {
    /// The mean pair distance of each non-empty bin.
    pub lags: Vec<f64>,
    /// `Σ (zᵢ − zⱼ)² / (2 N)` over the bin's pairs.
    pub semivariance: Vec<f64>,
    /// `N`: the number of pairs in each bin.
    pub counts: Vec<usize>,
}

/// The empirical (Matheron) variogram of `sites` in `n_lags` equal bins from 0 to `max_lag`
/// (default: half the largest distance between two sites); farther pairs are ignored and
/// empty bins are left out. Needs 3 sites.
pub fn empirical_variogram(
    sites: &[Site],
    n_lags: usize,
    max_lag: Option<f64>,
) -> Result<EmpiricalVariogram, AnalyticsError> {
    check_sites(sites, "an empirical variogram", 3)?;
    if !(1..=10_000).contains(&n_lags) {
        return Err(AnalyticsError::invalid(
            "n_lags",
            "must be between 1 and 10000",
        ));
    }
    let max_lag = match max_lag {
        Some(m) if m.is_finite() && m > 0.0 => m,
        Some(_) => return Err(AnalyticsError::invalid("max_lag", "must be positive")),
        None => {
            let mut far = 0.0f64;
            for (i, a) in sites.iter().enumerate() {
                for b in &sites[i + 1..] {
                    far = far.max(a.distance(b.x, b.y));
                }
            }
            if far <= 0.0 {
                return Err(AnalyticsError::Degenerate("all sites at one place".into()));
            }
            far / 2.0
        }
    };
    let width = max_lag / n_lags as f64;
    let mut dist = vec![0.0; n_lags];
    let mut sq = vec![0.0; n_lags];
    let mut counts = vec![0usize; n_lags];
    for (i, a) in sites.iter().enumerate() {
        for b in &sites[i + 1..] {
            let d = a.distance(b.x, b.y);
            if d > max_lag {
                continue;
            }
            let k = ((d / width) as usize).min(n_lags - 1);
            dist[k] += d;
            sq[k] += (a.value - b.value).powi(2);
            counts[k] += 1;
        }
    }
    let mut out = EmpiricalVariogram {
        lags: Vec::new(),
        semivariance: Vec::new(),
        counts: Vec::new(),
    };
    for k in (0..n_lags).filter(|&k| counts[k] > 0) {
        let c = counts[k] as f64;
        out.lags.push(dist[k] / c);
        out.semivariance.push(sq[k] / (2.0 * c));
        out.counts.push(counts[k]);
    }
    Ok(out)
}

/// The kind of variogram model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// [`VariogramModel::Linear`].
    Linear,
    /// [`VariogramModel::Spherical`].
    Spherical,
    /// [`VariogramModel::Exponential`].
    Exponential,
    /// [`VariogramModel::Gaussian`].
    Gaussian,
}

impl ModelKind {
    /// The model with these parameters (`range` is ignored by the linear model, whose
    /// `psill` is the slope).
    fn model(self, psill: f64, range: f64, nugget: f64) -> VariogramModel {
        match self {
            Self::Linear => VariogramModel::Linear {
                slope: psill,
                nugget,
            },
            Self::Spherical => VariogramModel::Spherical {
                psill,
                range,
                nugget,
            },
            Self::Exponential => VariogramModel::Exponential {
                psill,
                range,
                nugget,
            },
            Self::Gaussian => VariogramModel::Gaussian {
                psill,
                range,
                nugget,
            },
        }
    }
}

/// A fitted variogram model and how well it fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariogramFit {
    /// The fitted model.
    pub model: VariogramModel,
    /// The root-mean-square difference between the model and the empirical semivariances,
    /// over the bins.
    pub rmse: f64,
    /// The same, each bin weighted by its pair count (the quantity minimized).
    pub weighted_rmse: f64,
    /// The empirical variogram fitted.
    pub empirical: EmpiricalVariogram,
}

/// The weighted sum of squared residuals of `psill·f + nugget`.
fn sse(f: &[f64], y: &[f64], w: &[f64], psill: f64, nugget: f64) -> f64 {
    f.iter()
        .zip(y)
        .zip(w)
        .map(|((f, y), w)| w * (y - psill * f - nugget).powi(2))
        .sum()
}

/// Non-negative weighted least squares of `y ≈ psill·f + nugget`: `(psill, nugget, sse)`.
fn nnls2(f: &[f64], y: &[f64], w: &[f64]) -> (f64, f64, f64) {
    let (mut sw, mut sf, mut sff, mut sy, mut sfy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for ((&f, &y), &w) in f.iter().zip(y).zip(w) {
        sw += w;
        sf += w * f;
        sff += w * f * f;
        sy += w * y;
        sfy += w * f * y;
    }
    let mut candidates = vec![(0.0, (sy / sw).max(0.0))];
    if sff > 0.0 {
        candidates.push(((sfy / sff).max(0.0), 0.0));
    }
    let det = sff * sw - sf * sf;
    if det > 1e-12 * sff * sw {
        let psill = (sw * sfy - sf * sy) / det;
        let nugget = (sff * sy - sf * sfy) / det;
        if psill >= 0.0 && nugget >= 0.0 {
            candidates.push((psill, nugget));
        }
    }
    candidates
        .into_iter()
        .map(|(p, n)| (p, n, sse(f, y, w, p, n)))
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .unwrap_or((0.0, 0.0, f64::INFINITY))
}

/// Fits `kind` to an empirical variogram (at least 3 bins) by weighted least squares.
pub fn fit_empirical(
    empirical: &EmpiricalVariogram,
    kind: ModelKind,
) -> Result<VariogramFit, AnalyticsError> {
    let bins = empirical.lags.len();
    if bins < 3 {
        return Err(AnalyticsError::TooFewPoints {
            what: "a variogram fit (lag bins)",
            needed: 3,
            got: bins,
        });
    }
    let h = &empirical.lags;
    let y = &empirical.semivariance;
    let w: Vec<f64> = empirical.counts.iter().map(|&c| c as f64).collect();
    let solve = |range: f64| {
        let shape = kind.model(1.0, range, 0.0);
        let f: Vec<f64> = h.iter().map(|&h| shape.gamma(h)).collect();
        nnls2(&f, y, &w)
    };
    let (psill, range, nugget) = if kind == ModelKind::Linear {
        let (slope, nugget, _) = solve(1.0);
        (slope, 1.0, nugget)
    } else {
        let max_h = h.iter().copied().fold(0.0, f64::max);
        if max_h <= 0.0 {
            return Err(AnalyticsError::Degenerate("all lags are zero".into()));
        }
        const NODES: usize = 200;
        let step = 2.0 * max_h / NODES as f64;
        let best = (1..=NODES)
            .map(|k| (k, solve(k as f64 * step).2))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(1, |(k, _)| k);
        // Golden-section search on [best − 1, best + 1] nodes.
        let (mut a, mut b) = ((best - 1) as f64 * step, (best + 1) as f64 * step);
        a = a.max(step * 1e-3);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (solve(c).2, solve(d).2);
        for _ in 0..80 {
            if fc <= fd {
                (b, d, fd) = (d, c, fc);
                c = b - g * (b - a);
                fc = solve(c).2;
            } else {
                (a, c, fc) = (c, d, fd);
                d = a + g * (b - a);
                fd = solve(d).2;
            }
        }
        let node = best as f64 * step;
        let range = if fc.min(fd) <= solve(node).2 {
            (a + b) / 2.0
        } else {
            node
        };
        let (psill, nugget, _) = solve(range);
        (psill, range, nugget)
    };
    let model = kind.model(psill, range, nugget);
    let (mut sq, mut wsq, mut sw) = (0.0, 0.0, 0.0);
    for ((&h, &y), &w) in h.iter().zip(y).zip(&w) {
        let r = model.gamma(h) - y;
        sq += r * r;
        wsq += w * r * r;
        sw += w;
    }
    Ok(VariogramFit {
        model,
        rmse: (sq / bins as f64).sqrt(),
        weighted_rmse: (wsq / sw).sqrt(),
        empirical: empirical.clone(),
    })
}

/// The empirical variogram of `sites` ([`empirical_variogram`]) and the fit of `kind` to it
/// ([`fit_empirical`]).
pub fn fit_variogram(
    sites: &[Site],
    kind: ModelKind,
    n_lags: usize,
    max_lag: Option<f64>,
) -> Result<VariogramFit, AnalyticsError> {
    let empirical = empirical_variogram(sites, n_lags, max_lag)?;
    fit_empirical(&empirical, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_fit_recovers_an_exact_model() {
        let truth = VariogramModel::Spherical {
            psill: 3.0,
            range: 40.0,
            nugget: 0.5,
        };
        let lags: Vec<f64> = (1..=15).map(|k| k as f64 * 4.0).collect();
        let emp = EmpiricalVariogram {
            semivariance: lags.iter().map(|&h| truth.gamma(h)).collect(),
            counts: vec![100; lags.len()],
            lags,
        };
        let fit = fit_empirical(&emp, ModelKind::Spherical).unwrap();
        let (Some(sill), Some(range)) = (fit.model.sill(), fit.model.range()) else {
            panic!("{fit:?}")
        };
        assert!((sill - 3.5).abs() < 1e-6, "{fit:?}");
        assert!((range - 40.0).abs() < 1e-4, "{fit:?}");
        assert!(fit.rmse < 1e-6);
        let lin = fit_empirical(&emp, ModelKind::Linear).unwrap();
        assert!(lin.rmse > 0.1);
    }

    #[test]
    fn analytics_empirical_variogram_bins() {
        let sites = [
            Site::new(0.0, 0.0, 0.0),
            Site::new(1.0, 0.0, 1.0),
            Site::new(3.0, 0.0, 3.0),
        ];
        // Distances 1, 3, 2; half of the largest is 1.5: only the pair at distance 1.
        let e = empirical_variogram(&sites, 3, None).unwrap();
        assert_eq!(e.lags, vec![1.0]);
        assert_eq!(e.semivariance, vec![0.5]);
        let e = empirical_variogram(&sites, 3, Some(3.3)).unwrap();
        assert_eq!(e.counts, vec![1, 1, 1]);
        assert_eq!(e.semivariance, vec![0.5, 2.0, 4.5]);
        assert!(fit_empirical(
            &empirical_variogram(&sites, 3, None).unwrap(),
            ModelKind::Gaussian
        )
        .is_err());
    }
}
