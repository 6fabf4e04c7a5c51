//! Ordinary kriging with pykrige's conventions (`pykrige.ok.OrdinaryKriging`, version 1.7):
//!
//! - the variogram models and their "effective" ranges are pykrige's (see
//!   [`VariogramModel::gamma`]): `psill` is the partial sill (sill − nugget);
//! - the kriging matrix holds `−γ(dᵢⱼ)` with the diagonal forced to 0 (so the nugget does not
//!   smooth: kriging at a site returns its value), bordered by ones for the unbiasedness
//!   constraint; the right-hand side is `−γ(d)`, set to 0 where `d ≤ 1e-10` (pykrige's
//!   `exact_values=True`);
//! - the kriging variance is `σ² = Σᵢ xᵢ·(−bᵢ)` over the solution `x` and right-hand side `b`
//!   of that system, Lagrange row included, exactly pykrige's `sigmasq`.
//!
//! Given the same model and parameters, values and variances equal pykrige's
//! `OrdinaryKriging(x, y, z, variogram_model=…, variogram_parameters={…}).execute('grid',
//! gridx, gridy)` to rounding (isotropic, Euclidean coordinates, all sites used).
//!
//! Cost: one LU factorization of the `(n+1)²` system (O(n³)), then O(n²) per grid node.

use serde::{Deserialize, Serialize};

use super::linalg::Lu;
use super::{check_sites, Grid, GridSpec, Site, COINCIDENT};
use crate::analytics::AnalyticsError;

/// A variogram model with its parameters, as pykrige defines them (`h` is the distance).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum VariogramModel {
    /// `γ(h) = slope·h + nugget`.
    Linear {
        /// The slope (≥ 0).
        slope: f64,
        /// The nugget (≥ 0).
        nugget: f64,
    },
    /// `γ(h) = psill·(3h/(2r) − h³/(2r³)) + nugget` for `h ≤ r`, `psill + nugget` beyond.
    Spherical {
        /// The partial sill: sill − nugget (≥ 0).
        psill: f64,
        /// The range `r` (> 0), where the sill is reached.
        range: f64,
        /// The nugget (≥ 0).
        nugget: f64,
    },
    /// `γ(h) = psill·(1 − exp(−h/(r/3))) + nugget`: 95 % of the sill at the effective
    /// range `r`.
    Exponential {
        /// The partial sill: sill − nugget (≥ 0).
        psill: f64,
        /// The effective range `r` (> 0).
        range: f64,
        /// The nugget (≥ 0).
        nugget: f64,
    },
    /// `γ(h) = psill·(1 − exp(−h²/(4r/7)²)) + nugget`: about 95 % of the sill at the
    /// effective range `r`.
    Gaussian {
        /// The partial sill: sill − nugget (≥ 0).
        psill: f64,
        /// The effective range `r` (> 0).
        range: f64,
        /// The nugget (≥ 0).
        nugget: f64,
    },
}

impl VariogramModel {
    /// The semivariance at distance `h ≥ 0` (the model's value, `nugget` at `h = 0`; kriging
    /// itself uses 0 at `h = 0`).
    pub fn gamma(&self, h: f64) -> f64 {
        match *self {
            Self::Linear { slope, nugget } => slope * h + nugget,
            Self::Spherical {
                psill,
                range,
                nugget,
            } => {
                if h <= range {
                    psill * ((3.0 * h) / (2.0 * range) - h.powi(3) / (2.0 * range.powi(3))) + nugget
                } else {
                    psill + nugget
                }
            }
            Self::Exponential {
                psill,
                range,
                nugget,
            } => psill * (1.0 - (-h / (range / 3.0)).exp()) + nugget,
            Self::Gaussian {
                psill,
                range,
                nugget,
            } => psill * (1.0 - (-(h * h) / (range * 4.0 / 7.0).powi(2)).exp()) + nugget,
        }
    }

    /// The nugget.
    pub fn nugget(&self) -> f64 {
        match *self {
            Self::Linear { nugget, .. }
            | Self::Spherical { nugget, .. }
            | Self::Exponential { nugget, .. }
            | Self::Gaussian { nugget, .. } => nugget,
        }
    }

    /// The sill (`psill + nugget`); `None` for the unbounded linear model.
    pub fn sill(&self) -> Option<f64> {
        match *self {
            Self::Linear { .. } => None,
            Self::Spherical { psill, nugget, .. }
            | Self::Exponential { psill, nugget, .. }
            | Self::Gaussian { psill, nugget, .. } => Some(psill + nugget),
        }
    }

    /// The range; `None` for the linear model.
    pub fn range(&self) -> Option<f64> {
        match *self {
            Self::Linear { .. } => None,
            Self::Spherical { range, .. }
            | Self::Exponential { range, .. }
            | Self::Gaussian { range, .. } => Some(range),
        }
    }

    /// Checks the parameters: finite, non-negative, a positive range.
    pub fn check(&self) -> Result<(), AnalyticsError> {
        let (a, nugget, range) = match *self {
            Self::Linear { slope, nugget } => (slope, nugget, 1.0),
            Self::Spherical {
                psill,
                range,
                nugget,
            }
            | Self::Exponential {
                psill,
                range,
                nugget,
            }
            | Self::Gaussian {
                psill,
                range,
                nugget,
            } => (psill, nugget, range),
        };
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if !(ok(a) && ok(nugget)) {
            return Err(AnalyticsError::invalid(
                "variogram",
                "the sill (or slope) and nugget must be finite and non-negative",
            ));
        }
        if !(range.is_finite() && range > 0.0) {
            return Err(AnalyticsError::invalid(
                "variogram",
                "the range must be positive",
            ));
        }
        Ok(())
    }
}

/// A kriged value with its kriging variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// The estimate.
    pub value: f64,
    /// The kriging variance (pykrige's `sigmasq`; ~0 at a site).
    pub variance: f64,
}

/// Kriged values and their variances on a grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KrigedGrid {
    /// The estimates.
    pub values: Grid,
    /// The kriging variances.
    pub variance: Grid,
}

/// An ordinary-kriging system over a set of sites, factored once, to predict anywhere.
#[derive(Debug, Clone)]
pub struct OrdinaryKriging {
    sites: Vec<Site>,
    model: VariogramModel,
    lu: Lu,
}

impl OrdinaryKriging {
    /// Builds and factors the kriging system of `sites` (at least 2, finite) with `model`.
    /// Fails with [`AnalyticsError::SingularMatrix`] when the system cannot be solved
    /// (typically two sites at the same place).
    pub fn new(sites: &[Site], model: VariogramModel) -> Result<Self, AnalyticsError> {
        model.check()?;
        check_sites(sites, "ordinary kriging", 2)?;
        let n = sites.len();
        let m = n + 1;
        let mut a = vec![0.0; m * m];
        for (i, si) in sites.iter().enumerate() {
            for (j, sj) in sites.iter().enumerate() {
                if i != j {
                    a[i * m + j] = -model.gamma(si.distance(sj.x, sj.y));
                }
            }
            a[i * m + n] = 1.0;
            a[n * m + i] = 1.0;
        }
        let lu = Lu::factor(a, m).ok_or_else(|| {
            AnalyticsError::SingularMatrix(format!(
                "{n} sites with {model:?} (duplicate sites, or a model with no variation?)"
            ))
        })?;
        Ok(Self {
            sites: sites.to_vec(),
            model,
            lu,
        })
    }

    /// The variogram model.
    pub fn model(&self) -> &VariogramModel {
        &self.model
    }

    /// The kriged value and variance at `(x, y)`.
    pub fn predict(&self, x: f64, y: f64) -> Prediction {
        let n = self.sites.len();
        let mut b: Vec<f64> = self
            .sites
            .iter()
            .map(|s| {
                let d = s.distance(x, y);
                if d <= COINCIDENT {
                    0.0
                } else {
                    -self.model.gamma(d)
                }
            })
            .collect();
        b.push(1.0);
        let w = self.lu.solve(&b);
        let value = w[..n]
            .iter()
            .zip(&self.sites)
            .map(|(w, s)| w * s.value)
            .sum();
        let variance = w.iter().zip(&b).map(|(w, b)| w * -b).sum();
        Prediction { value, variance }
    }

    /// The distance from `(x, y)` to the nearest site.
    fn nearest(&self, x: f64, y: f64) -> f64 {
        self.sites
            .iter()
            .map(|s| s.distance(x, y))
            .fold(f64::INFINITY, f64::min)
    }

    /// Kriges every node of `spec`; with `max_distance`, nodes farther than that from every
    /// site get NaN (value and variance).
    pub fn grid(
        &self,
        spec: &GridSpec,
        max_distance: Option<f64>,
    ) -> Result<KrigedGrid, AnalyticsError> {
        if let Some(d) = max_distance {
            if d.is_nan() || d <= 0.0 {
                return Err(AnalyticsError::invalid("max_distance", "must be positive"));
            }
        }
        let mut variances = Vec::with_capacity(spec.nx * spec.ny);
        let values = spec.map(|x, y| {
            if max_distance.is_some_and(|d| self.nearest(x, y) > d) {
                variances.push(f64::NAN);
                return f64::NAN;
            }
            let p = self.predict(x, y);
            variances.push(p.variance);
            p.value
        });
        let variance = Grid {
            bbox: values.bbox,
            nx: values.nx,
            ny: values.ny,
            cell_size: values.cell_size,
            values: variances,
        };
        Ok(KrigedGrid { values, variance })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_variogram_models_match_pykrige_formulas() {
        let sph = VariogramModel::Spherical {
            psill: 2.0,
            range: 10.0,
            nugget: 0.5,
        };
        assert_eq!(sph.gamma(0.0), 0.5);
        assert!((sph.gamma(5.0) - (2.0 * (0.75 - 0.0625) + 0.5)).abs() < 1e-15);
        assert_eq!(sph.gamma(20.0), 2.5);
        let exp = VariogramModel::Exponential {
            psill: 1.0,
            range: 3.0,
            nugget: 0.0,
        };
        assert!((exp.gamma(3.0) - (1.0 - (-3.0f64).exp())).abs() < 1e-15);
        let gau = VariogramModel::Gaussian {
            psill: 1.0,
            range: 7.0,
            nugget: 0.0,
        };
        assert!((gau.gamma(4.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert_eq!(sph.sill(), Some(2.5));
        assert!(VariogramModel::Linear {
            slope: -1.0,
            nugget: 0.0
        }
        .check()
        .is_err());
    }

    #[test]
    fn analytics_kriging_is_exact_at_sites_and_refuses_duplicates() {
        let sites = [
            Site::new(0.0, 0.0, 1.0),
            Site::new(1.0, 0.0, 2.0),
            Site::new(0.0, 1.0, 4.0),
        ];
        let model = VariogramModel::Exponential {
            psill: 1.0,
            range: 2.0,
            nugget: 0.3,
        };
        let ok = OrdinaryKriging::new(&sites, model).unwrap();
        for s in &sites {
            let p = ok.predict(s.x, s.y);
            assert!((p.value - s.value).abs() < 1e-12);
            assert!(p.variance.abs() < 1e-12);
        }
        let dup = [sites[0], sites[0], sites[1]];
        let linear = VariogramModel::Linear {
            slope: 1.0,
            nugget: 0.0,
        };
        assert!(matches!(
            OrdinaryKriging::new(&dup, linear),
            Err(AnalyticsError::SingularMatrix(_))
        ));
    }
}
