//! The median of all pairwise slopes `(x[j] − x[i]) / (j − i)`, exactly, in bounded memory.
//!
//! Up to [`DIRECT_LIMIT`] slopes are collected and the median selected (O(N) after the O(n²)
//! enumeration). Beyond that, a deterministic sample of slopes brackets the median, one more
//! pass counts the slopes below the bracket and keeps only those inside it, and the median is
//! selected among those: the same value as the full sort (the slopes are computed by the
//! same expression in every pass), in O(n²) time and about 2 % of the slopes' memory.

/// Series are the runs within which pairs are formed (one series for Sen's slope, one per
/// season for the seasonal slope); a NaN is a gap: it keeps its position but forms no slope.
pub(super) type Series = [Vec<f64>];

/// At most this many slopes are collected directly (32 MiB).
const DIRECT_LIMIT: usize = 4 << 20;
/// The sample size of the bracketing pass.
const SAMPLE: usize = 1 << 17;

/// Calls `f` with every finite pairwise slope of every series.
fn for_each_slope(series: &Series, mut f: impl FnMut(f64)) {
    for s in series {
        for i in 0..s.len() {
            let xi = s[i];
            if !xi.is_finite() {
                continue;
            }
            for (j, &xj) in s.iter().enumerate().skip(i + 1) {
                if xj.is_finite() {
                    f((xj - xi) / (j - i) as f64);
                }
            }
        }
    }
}

/// The slope of the pair `(i, j)` of `s`, if both are finite.
fn slope(s: &[f64], i: usize, j: usize) -> Option<f64> {
    let (xi, xj) = (s[i], s[j]);
    (xi.is_finite() && xj.is_finite()).then(|| (xj - xi) / (j - i) as f64)
}

/// The median of all finite pairwise slopes (the mean of the two middle ones for an even
/// count, as numpy's `nanmedian`), or `None` when there is no pair.
pub(super) fn median_slope(series: &Series) -> Option<f64> {
    // Every pair of finite values makes one slope.
    let count: usize = series
        .iter()
        .map(|s| {
            let m = s.iter().filter(|v| v.is_finite()).count();
            m * m.saturating_sub(1) / 2
        })
        .sum();
    if count == 0 {
        return None;
    }
    let (k_lo, k_hi) = ((count - 1) / 2, count / 2);
    if count <= DIRECT_LIMIT {
        let mut all = Vec::with_capacity(count);
        for_each_slope(series, |v| all.push(v));
        return Some(median_of_ranks(&mut all, k_lo, k_hi));
    }
    let mut sample = sample_slopes(series);
    sample.sort_unstable_by(f64::total_cmp);
    let m = sample.len();
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    if m > 0 {
        let margin = 6.0 / (m as f64).sqrt();
        let q_lo = k_lo as f64 / count as f64 - margin;
        let q_hi = k_hi as f64 / count as f64 + margin;
        if q_lo > 0.0 {
            lo = sample[((q_lo * m as f64) as usize).min(m - 1)];
        }
        if q_hi < 1.0 {
            hi = sample[((q_hi * m as f64) as usize).min(m - 1)];
        }
    }
    loop {
        let mut below = 0usize;
        let mut inside = Vec::new();
        for_each_slope(series, |v| {
            if v < lo {
                below += 1;
            } else if v <= hi {
                inside.push(v);
            }
        });
        if below > k_lo {
            lo = f64::NEG_INFINITY;
        } else if below + inside.len() <= k_hi {
            hi = f64::INFINITY;
        } else {
            return Some(median_of_ranks(&mut inside, k_lo - below, k_hi - below));
        }
    }
}

/// The mean of the values of ranks `k_lo` and `k_hi` (0-based) in `v`.
fn median_of_ranks(v: &mut [f64], k_lo: usize, k_hi: usize) -> f64 {
    let (_, &mut a, upper) = v.select_nth_unstable_by(k_lo, f64::total_cmp);
    if k_hi == k_lo {
        return a;
    }
    // The next rank is the smallest of the upper part.
    let b = upper.iter().copied().fold(f64::INFINITY, f64::min);
    (a + b) / 2.0
}

/// About [`SAMPLE`] slopes at pseudo-random pairs (a fixed xorshift sequence, so the result
/// is deterministic; the sample only chooses the bracket, never the answer).
fn sample_slopes(series: &Series) -> Vec<f64> {
    let usable: Vec<&Vec<f64>> = series.iter().filter(|s| s.len() >= 2).collect();
    let mut out = Vec::with_capacity(SAMPLE);
    if usable.is_empty() {
        return out;
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for _ in 0..SAMPLE * 8 {
        if out.len() == SAMPLE {
            break;
        }
        let s = usable[next(usable.len())];
        let (i, j) = (next(s.len()), next(s.len()));
        if i == j {
            continue;
        }
        if let Some(v) = slope(s, i.min(j), i.max(j)) {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(series: &Series) -> Option<f64> {
        let mut all = Vec::new();
        for_each_slope(series, |v| all.push(v));
        if all.is_empty() {
            return None;
        }
        all.sort_by(f64::total_cmp);
        let n = all.len();
        Some((all[(n - 1) / 2] + all[n / 2]) / 2.0)
    }

    #[test]
    fn analytics_median_slope_small_cases() {
        assert_eq!(median_slope(&[vec![1.0]]), None);
        assert_eq!(median_slope(&[vec![1.0, f64::NAN, 3.0]]), Some(1.0));
        assert_eq!(median_slope(&[vec![0.0, 1.0, 4.0]]), Some(2.0));
        assert_eq!(median_slope(&[vec![0.0, 1.0], vec![0.0, 3.0]]), Some(2.0));
    }

    #[test]
    fn analytics_median_slope_bracketed_equals_sort() {
        // 3000 points: 4.5 million slopes, above the direct limit.
        let mut state = 12345u64;
        let x: Vec<f64> = (0..3000)
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                let noise = (state >> 11) as f64 / (1u64 << 53) as f64;
                if i % 97 == 0 {
                    f64::NAN
                } else {
                    0.01 * i as f64 + noise
                }
            })
            .collect();
        let series = [x];
        assert_eq!(median_slope(&series), brute(&series));
    }
}
