//! Dense LU factorization with partial pivoting, for the kriging system.

/// `P·A = L·U` of a square matrix, stored compactly (L's unit diagonal implied).
#[derive(Debug, Clone)]
pub(crate) struct Lu {
    n: usize,
    /// Row-major `n × n`: U on and above the diagonal, L's multipliers below.
    lu: Vec<f64>,
    /// `perm[k]`: the row of `A` that ended up in row `k`.
    perm: Vec<usize>,
}

impl Lu {
    /// Factors the row-major `n × n` matrix `a`; `None` when a pivot is zero or negligible
    /// (below `1e-13 ·` the largest entry), i.e. the matrix is singular to working precision.
    pub(crate) fn factor(mut a: Vec<f64>, n: usize) -> Option<Self> {
        debug_assert_eq!(a.len(), n * n);
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !scale.is_finite() || scale == 0.0 {
            return None;
        }
        let tiny = scale * 1e-13;
        let mut perm: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let (mut p, mut best) = (k, a[k * n + k].abs());
            for r in k + 1..n {
                let v = a[r * n + k].abs();
                if v > best {
                    (p, best) = (r, v);
                }
            }
            if best.is_nan() || best <= tiny {
                return None;
            }
            if p != k {
                for c in 0..n {
                    a.swap(k * n + c, p * n + c);
                }
                perm.swap(k, p);
            }
            let pivot = a[k * n + k];
            for r in k + 1..n {
                let f = a[r * n + k] / pivot;
                a[r * n + k] = f;
                if f != 0.0 {
                    for c in k + 1..n {
                        a[r * n + c] -= f * a[k * n + c];
                    }
                }
            }
        }
        Some(Self { n, lu: a, perm })
    }

    /// Solves `A·x = b`.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for r in 0..n {
            let row = &self.lu[r * n..r * n + r];
            let s: f64 = row.iter().zip(&x[..r]).map(|(l, v)| l * v).sum();
            x[r] -= s;
        }
        for r in (0..n).rev() {
            let row = &self.lu[r * n + r + 1..(r + 1) * n];
            let s: f64 = row.iter().zip(&x[r + 1..]).map(|(u, v)| u * v).sum();
            x[r] = (x[r] - s) / self.lu[r * n + r];
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_lu_solves_with_zero_diagonal() {
        // The kriging shape: zero diagonal, a row and column of ones.
        let a = vec![0.0, -1.0, 1.0, -1.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        let lu = Lu::factor(a.clone(), 3).unwrap();
        let b = [-0.5, -0.5, 1.0];
        let x = lu.solve(&b);
        for r in 0..3 {
            let ax: f64 = (0..3).map(|c| a[r * 3 + c] * x[c]).sum();
            assert!((ax - b[r]).abs() < 1e-14, "{x:?}");
        }
        assert!((x[0] - 0.5).abs() < 1e-15);
    }

    #[test]
    fn analytics_lu_detects_singular() {
        assert!(Lu::factor(vec![1.0, 2.0, 2.0, 4.0], 2).is_none());
        assert!(Lu::factor(vec![0.0; 4], 2).is_none());
        assert!(Lu::factor(vec![f64::NAN, 1.0, 1.0, 1.0], 2).is_none());
    }
}
