//! Pearson and Spearman correlation, with a lag, a two-sided p-value and a correlation
//! matrix; equal to `scipy.stats.pearsonr` / `scipy.stats.spearmanr` on the same pairs.
//!
//! With a lag `k`, the pairs are `(x[t], y[t + k])` for every `t` where both indices exist
//! (`k` may be negative); pairs where either value is missing (NaN or ±∞) are dropped before
//! anything else (Spearman ranks only the kept pairs). The p-value tests `r = 0` against
//! `r ≠ 0` with Student's t on `n − 2` degrees of freedom, for both methods (as scipy does
//! for Spearman, and exactly scipy's beta-distribution p-value for Pearson).

use serde::Serialize;

use super::special::correlation_p;
use super::AnalyticsError;

/// Which correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Pearson's product-moment correlation of the values.
    Pearson,
    /// Spearman's rank correlation (Pearson's of the ranks, average ranks for ties).
    Spearman,
}

/// A correlation coefficient with its significance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correlation {
    /// The coefficient, in [−1, 1].
    pub r: f64,
    /// Two-sided p-value of `r ≠ 0`.
    pub p: f64,
    /// The number of pairs used.
    pub n: usize,
    /// The lag: `x[t]` was paired with `y[t + lag]`.
    pub lag: i64,
}

/// The pairs `(x[t], y[t + lag])` where both values are finite.
fn lagged_pairs(x: &[f64], y: &[f64], lag: i64) -> (Vec<f64>, Vec<f64>) {
    x.iter()
        .enumerate()
        .filter_map(|(t, &a)| {
            let j = i64::try_from(t).ok()?.checked_add(lag)?;
            let b = *y.get(usize::try_from(j).ok()?)?;
            (a.is_finite() && b.is_finite()).then_some((a, b))
        })
        .unzip()
}

/// Pearson's r of paired finite values (two-pass, centred and scaled as scipy does), or
/// `None` when a side is constant.
fn pearson_r(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        sxx += da * da;
        syy += db * db;
        sxy += da * db;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks from 1, ties taking the average of their ranks (scipy's `rankdata` "average").
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end, averaged.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// The coefficient of paired finite values, or `None` when a side is constant.
fn coefficient(x: &[f64], y: &[f64], method: Method) -> Option<f64> {
    match method {
        Method::Pearson => pearson_r(x, y),
        Method::Spearman => pearson_r(&average_ranks(x), &average_ranks(y)),
    }
}

/// The correlation of `x[t]` with `y[t + lag]` by `method`. Needs at least 3 complete pairs
/// and some variation on both sides.
pub fn correlate(
    x: &[f64],
    y: &[f64],
    method: Method,
    lag: i64,
) -> Result<Correlation, AnalyticsError> {
    let (a, b) = lagged_pairs(x, y, lag);
    let n = a.len();
    if n < 3 {
        return Err(AnalyticsError::TooFewPoints {
            what: "a correlation",
            needed: 3,
            got: n,
        });
    }
    let r = coefficient(&a, &b, method)
        .ok_or_else(|| AnalyticsError::Degenerate("a series is constant over the pairs".into()))?;
    Ok(Correlation {
        r,
        p: correlation_p(r, n),
        n,
        lag,
    })
}

/// Pearson's correlation of `x` and `y` (no lag).
pub fn pearson(x: &[f64], y: &[f64]) -> Result<Correlation, AnalyticsError> {
    correlate(x, y, Method::Pearson, 0)
}

/// Spearman's rank correlation of `x` and `y` (no lag).
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation, AnalyticsError> {
    correlate(x, y, Method::Spearman, 0)
}

/// The correlations between every two of several series, each pair over its own complete
/// pairs (pairwise deletion). Entries that cannot be computed (fewer than 3 pairs, a constant
/// series) are NaN, with their `n`; the diagonal is `r = 1, p = 0` where defined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationMatrix {
    /// The method used.
    pub method: Method,
    /// `r[i][j]`, symmetric.
    pub r: Vec<Vec<f64>>,
    /// `p[i][j]`, symmetric.
    pub p: Vec<Vec<f64>>,
    /// `n[i][j]`: the number of complete pairs.
    pub n: Vec<Vec<usize>>,
}

/// The correlation matrix of `series` (equally long or not: index `t` of each is paired).
pub fn correlation_matrix(series: &[&[f64]], method: Method) -> CorrelationMatrix {
    let k = series.len();
    let mut r = vec![vec![f64::NAN; k]; k];
    let mut p = vec![vec![f64::NAN; k]; k];
    let mut n = vec![vec![0; k]; k];
    for i in 0..k {
        for j in i..k {
            let (a, b) = lagged_pairs(series[i], series[j], 0);
            let count = a.len();
            let coef = if count >= 3 {
                coefficient(&a, &b, method)
            } else {
                None
            };
            let (rv, pv) = match coef {
                Some(_) if i == j => (1.0, 0.0),
                Some(c) => (c, correlation_p(c, count)),
                None => (f64::NAN, f64::NAN),
            };
            for (u, v) in [(i, j), (j, i)] {
                r[u][v] = rv;
                p[u][v] = pv;
                n[u][v] = count;
            }
        }
    }
    CorrelationMatrix { method, r, p, n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_ranks_average_ties() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 30.0, 20.0]),
            vec![1.5, 3.5, 1.5, 5.0, 3.5]
        );
    }

    #[test]
    fn analytics_lag_pairs_shift_y() {
        let (a, b) = lagged_pairs(&[1.0, 2.0, 3.0], &[10.0, 20.0, f64::NAN, 40.0], 1);
        assert_eq!((a, b), (vec![1.0, 3.0], vec![20.0, 40.0]));
        let (a, b) = lagged_pairs(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0], -2);
        assert_eq!((a, b), (vec![3.0], vec![10.0]));
    }

    #[test]
    fn analytics_correlation_refuses_degenerate_input() {
        assert!(matches!(
            pearson(&[1.0, 2.0], &[1.0, 2.0]),
            Err(AnalyticsError::TooFewPoints { .. })
        ));
        assert!(matches!(
            spearman(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]),
            Err(AnalyticsError::Degenerate(_))
        ));
        let m = correlation_matrix(&[&[1.0, 2.0, 3.0, 4.0], &[2.0; 4]], Method::Pearson);
        assert_eq!(m.r[0][0], 1.0);
        assert!(m.r[0][1].is_nan() && m.r[1][1].is_nan());
        assert_eq!(m.n[0][1], 4);
    }
}
