//! Exact rounding on the decimals that `f64` concentrations stand for.
//!
//! Concentrations arrive as binary floating point: 4.2 is stored as 4.2000000000000001776…, so a
//! naive `ceil` of an IAQI that is exactly 101 can give 102, and a naive truncation of 35.4 to one
//! decimal can give 35.3. The helpers here take the decimal the number stands for:
//!
//! * [`ceil_tol`] rounds up but takes values within [`CEIL_TOL`] above an integer as that integer.
//!   For concentrations with at most three decimals the exact IAQI is either an integer or at
//!   least `1/(1000·ΔBP) ≥ 8.7e-7` away from one (ΔBP ≤ 1140, the widest China segment), while
//!   the floating-point error of the computation is below 1e-10: the tolerance 1e-7 sits between
//!   the two, so the result is the exact ceiling.
//! * [`round_half_even_steps`] is GB/T 8170 rounding (四舍六入五成双) of the decimal: values
//!   within 1e-6 of a half (after scaling) are taken as the half.
//! * [`trunc_decimal`] truncates to a number of decimals, taking values within 1e-9 (relative)
//!   of the next step as that step.
//!
//! The rounding helpers use no libm call and no branch (selects only).

/// 2^52: adding and subtracting it rounds a non-negative `f64` below 2^51 to an integer, ties to
/// even (the default IEEE rounding mode; Rust never changes it).
pub(crate) const MAGIC: f64 = 4_503_599_627_370_496.0;

/// IAQI values within this distance above an integer are that integer.
pub(crate) const CEIL_TOL: f64 = 1e-7;

/// Scaled concentrations are clamped to this before rounding: far above every table's top, and
/// small enough for [`rne`].
const CLAMP: f64 = 1.0e7;

/// Round to the nearest integer, ties to even, for `0 <= x < 2^51` (NaN stays NaN).
#[inline(always)]
pub(crate) fn rne(x: f64) -> f64 {
    (x + MAGIC) - MAGIC
}

/// `ceil(v − CEIL_TOL)` for `0 <= v < 2^50`: the IAQI rounded up, exact for the decimals
/// (see the module documentation). NaN stays NaN.
#[inline(always)]
pub(crate) fn ceil_tol(v: f64) -> f64 {
    // v = n + x: v + 0.5 − tol rounds to n when x < tol and to n + 1 when tol < x < 1 + tol.
    rne(v + (0.5 - CEIL_TOL))
}

/// GB/T 8170 half-even rounding (四舍六入五成双) of a scaled concentration `x = c·scale`
/// (non-negative or NaN) to an integer number of steps; a value within 1e-6 of a half is taken
/// as the half. NaN stays NaN.
#[inline(always)]
pub(crate) fn round_half_even_steps(x: f64) -> f64 {
    let x = if x > CLAMP { CLAMP } else { x };
    let y = rne(x);
    let r = x - y;
    // A near-tie: the decimal is k + 0.5 but the binary number is a hair off it.
    let tie = r.abs() >= 0.5 - 1e-6;
    let lo = if r > 0.0 { y } else { y - 1.0 };
    let half = lo * 0.5;
    let lo_is_odd = rne(half) != half;
    let even = if lo_is_odd { lo + 1.0 } else { lo };
    if tie {
        even
    } else {
        y
    }
}

/// The number of whole `10^-decimals` steps in the decimal `c` (truncation toward zero), for a
/// finite non-negative `c`: `trunc_decimal(35.4, 1) == 354`, `trunc_decimal(0.0719, 3) == 71`.
pub(crate) fn trunc_decimal(c: f64, decimals: u32) -> i64 {
    let c = c.min(1.0e12);
    let x = c * 10f64.powi(decimals as i32);
    let r = x.round();
    let steps = if (x - r).abs() <= 1e-9 * r.max(1.0) {
        r
    } else {
        x.floor()
    };
    steps as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_tol_is_ceil_for_clear_cases() {
        for (v, want) in [
            (0.0, 0.0),
            (0.2, 1.0),
            (50.0, 50.0),
            (50.000_000_000_01, 50.0),
            (50.000_001, 51.0),
            (50.999, 51.0),
            (499.5, 500.0),
        ] {
            assert_eq!(ceil_tol(v), want, "ceil_tol({v})");
        }
        assert!(ceil_tol(f64::NAN).is_nan());
    }

    #[test]
    fn half_even_on_decimals() {
        for (c, scale, want) in [
            (35.5, 1.0, 36.0),
            (36.5, 1.0, 36.0),
            (36.51, 1.0, 37.0),
            (0.5, 1.0, 0.0),
            (1.5, 1.0, 2.0),
            (2.45, 10.0, 2.4),
            (2.55, 10.0, 2.6),
            (2.65, 10.0, 2.6),
            (2.651, 10.0, 2.7),
            (0.05, 10.0, 0.0),
            (0.15, 10.0, 0.2),
        ] {
            let got = round_half_even_steps(c * scale) / scale;
            assert!(
                (got - want).abs() < 1e-12,
                "round_half_even({c}, {scale}) = {got}"
            );
        }
    }

    #[test]
    fn truncation_takes_the_decimal() {
        assert_eq!(trunc_decimal(35.4, 1), 354);
        assert_eq!(trunc_decimal(0.071, 3), 71);
        assert_eq!(trunc_decimal(0.0719, 3), 71);
        assert_eq!(trunc_decimal(9.09, 1), 90);
        assert_eq!(trunc_decimal(304.999, 0), 304);
        assert_eq!(trunc_decimal(0.0, 3), 0);
    }
}
