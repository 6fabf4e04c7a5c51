//! Rounding by GB/T 8170 (round half to even, "四舍六入五成双") on the decimal value a number
//! prints as, and exact decimal comparisons, so that `0.125` → `0.12` and `0.15` → `0.2`
//! although neither is exact in binary.

/// The decimal digits of a finite `f64` as it prints (shortest round-trip form):
/// `value = sign · mantissa · 10^exponent`.
fn decimal(x: f64) -> Option<(bool, u128, i32)> {
    if !x.is_finite() {
        return None;
    }
    // `{:e}` is the shortest representation that round-trips, e.g. `1.25e-1`.
    let text = format!("{:e}", x.abs());
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: u128 = format!("{int_part}{frac_part}").parse().ok()?;
    let frac_len = i32::try_from(frac_part.len()).ok()?;
    Some((x.is_sign_negative(), digits, exponent - frac_len))
}

/// Rounds `x` to `decimals` places by GB/T 8170: a discarded part over half rounds up, under
/// half rounds down, exactly half rounds to the even neighbour; judged on the decimal value
/// `x` prints as. Non-finite values are returned unchanged.
///
/// ```
/// use ecolake_standards::assess::round_gbt8170;
/// assert_eq!(round_gbt8170(2.5, 0), 2.0);
/// assert_eq!(round_gbt8170(3.5, 0), 4.0);
/// assert_eq!(round_gbt8170(0.15, 1), 0.2); // 0.15 is 0.1499… in binary, 0.15 in decimal
/// assert_eq!(round_gbt8170(0.125, 2), 0.12);
/// assert_eq!(round_gbt8170(2.51, 0), 3.0);
/// ```
pub fn round_gbt8170(x: f64, decimals: u32) -> f64 {
    let Some((negative, digits, exponent)) = decimal(x) else {
        return x;
    };
    let d = i32::try_from(decimals).unwrap_or(i32::MAX);
    let shift = -d - exponent;
    if shift <= 0 {
        return x; // already has no more than `decimals` places
    }
    // `digits` < 10^17, so from 18 discarded places on the value is under half a unit.
    let quotient = if shift > 18 {
        0
    } else {
        let unit = 10u128.pow(shift.unsigned_abs());
        let (q, r) = (digits / unit, digits % unit);
        let half = unit / 2;
        if r > half || (r == half && q % 2 == 1) {
            q + 1
        } else {
            q
        }
    };
    // quotient < 10^17 and 10^decimals are exact for the decimals used here; one division
    // gives the double nearest to the decimal result.
    let magnitude = quotient as f64 / 10f64.powi(d);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Whether `a · num ≤ b · den` holds for the decimal values `a` and `b` print as (both
/// non-negative and finite), computed exactly; used for "at least 30 % below the standard"
/// (`a · 10 ≤ b · 7`). Falls back to floating point when the exponents are too far apart for
/// exact integers (where no tie is possible anyway).
pub(crate) fn scaled_at_most(a: f64, num: u32, b: f64, den: u32) -> bool {
    if let (Some((false, ma, ea)), Some((false, mb, eb))) = (decimal(a), decimal(b)) {
        let lhs = ma * u128::from(num);
        let rhs = mb * u128::from(den);
        let shift = (ea - eb).unsigned_abs();
        if shift <= 20 {
            let scale = 10u128.pow(shift);
            return if ea >= eb {
                lhs.checked_mul(scale).is_some_and(|l| l <= rhs)
            } else {
                rhs.checked_mul(scale).is_none_or(|r| lhs <= r)
            };
        }
    }
    a * f64::from(num) <= b * f64::from(den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_even_on_decimals() {
        assert_eq!(round_gbt8170(0.5, 0), 0.0);
        assert_eq!(round_gbt8170(1.5, 0), 2.0);
        assert_eq!(round_gbt8170(-2.5, 0), -2.0);
        assert_eq!(round_gbt8170(-2.6, 0), -3.0);
        assert_eq!(round_gbt8170(1.05, 1), 1.0);
        assert_eq!(round_gbt8170(1.0500001, 1), 1.1);
        assert_eq!(round_gbt8170(0.25, 1), 0.2);
        assert_eq!(round_gbt8170(0.35, 1), 0.4);
        assert_eq!(round_gbt8170(123.0, 0), 123.0);
        assert_eq!(round_gbt8170(1e-30, 2), 0.0);
        assert_eq!(round_gbt8170(1e20, 1), 1e20);
        assert!(round_gbt8170(f64::NAN, 1).is_nan());
    }

    #[test]
    fn scaled_comparison_is_exact() {
        // 0.07 · 10 = 0.7 ≤ 0.1 · 7 = 0.7, although 0.07 * 10.0 > 0.1 * 7.0 may be false in f64.
        assert!(scaled_at_most(0.07, 10, 0.1, 7));
        assert!(scaled_at_most(35.0, 10, 50.0, 7));
        assert!(!scaled_at_most(35.000001, 10, 50.0, 7));
        assert!(scaled_at_most(0.0, 10, 50.0, 7));
        assert!(scaled_at_most(1e-30, 10, 1e30, 7));
        assert!(!scaled_at_most(1e30, 10, 1e-30, 7));
    }
}
