//! Statistics over observations: trend, correlation and spatial interpolation, in pure Rust.
//!
//! - [`trend`]: the Mann–Kendall test (with the ties correction), Sen's slope and the seasonal
//!   Kendall test, numerically equal to `pymannkendall` 1.4.3 (`original_test`,
//!   `seasonal_test`, `sens_slope`, `seasonal_sens_slope`).
//! - [`correlation`]: Pearson and Spearman correlation with a lag and a two-sided p-value, and
//!   a correlation matrix, equal to `scipy.stats.pearsonr` / `spearmanr`.
//! - [`spatial`]: inverse-distance weighting, ordinary kriging (equal to `pykrige`'s
//!   `OrdinaryKriging` with the same model and parameters), variogram fitting and GeoJSON
//!   contours.
//! - SQL: [`register`] adds the aggregates `mk_trend(time, value [, alpha])` and
//!   `sen_slope(time, value)` to a DataFusion session.
//!
//! Every function returns an [`AnalyticsError`] for input it cannot use (too few points, bad
//! parameters, a singular kriging system); none panics on user data.

pub mod correlation;
pub mod spatial;
mod special;
mod sql;
pub mod trend;

use datafusion::execution::context::SessionContext;

pub use sql::{mk_trend_udaf, sen_slope_udaf};

/// Why an analytics function refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// Fewer usable (finite) points than the method needs.
    #[error("{what} needs at least {needed} usable points, got {got}")]
    TooFewPoints {
        /// The method that refused.
        what: &'static str,
        /// How many points it needs.
        needed: usize,
        /// How many usable points it was given.
        got: usize,
    },
    /// A parameter is out of its domain (a negative power, a zero period, a NaN coordinate…).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The input has no variation where the method needs some (a constant series in a
    /// correlation, all sites at one place).
    #[error("degenerate input: {0}")]
    Degenerate(String),
    /// The kriging system cannot be solved (duplicate sites with a zero nugget, a model
    /// that is not conditionally negative definite on these sites…).
    #[error("singular kriging matrix: {0}")]
    SingularMatrix(String),
}

impl AnalyticsError {
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}

/// Registers the analytics' SQL aggregates in `ctx`: `mk_trend` and `sen_slope` (see the
/// documentation of [`mk_trend_udaf`] and [`sen_slope_udaf`]).
pub fn register(ctx: &SessionContext) {
    ctx.register_udaf(mk_trend_udaf());
    ctx.register_udaf(sen_slope_udaf());
}
