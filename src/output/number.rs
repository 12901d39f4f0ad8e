//! Numbers as text, as Rust's `Display` writes them (the shortest decimal that reads back as
//! the same `f64`, never with an exponent, whole numbers without a fraction), only faster: a
//! city's outputs hold tens of millions of numbers.
//!
//! ```
//! use lifecircle::output::number::push_f64;
//! let mut s = String::new();
//! for x in [531.8853800705168, 14.0, -0.0, 1e-7, 0.1 + 0.2, 2e20] {
//!     s.clear();
//!     push_f64(&mut s, x);
//!     assert_eq!(s, x.to_string());
//! }
//! ```

use std::fmt::Write;

/// Appends `x` to `out` exactly as `format!("{x}")` would write it.
#[inline]
pub fn push_f64(out: &mut String, x: f64) {
    if x.is_finite() && x.abs() < TWO_POW_52 {
        let mut b = ryu::Buffer::new();
        let s = b.format_finite(x);
        // Ryu finds the same shortest digits, but breaks an exact tie between two of them
        // differently (the value lying halfway, one decimal further: 1e7 + 1/1024 is
        // 10000000.0009765625, written with nine decimals), writes an exponent outside a range
        // of magnitudes, and ".0" on whole numbers. Those cases are written the slow way, or
        // trimmed.
        if !s.contains('e') {
            let s = s.strip_suffix(".0").unwrap_or(s);
            let decimals = s.find('.').map_or(0, |p| s.len() - p - 1);
            if fraction_bits(x) != decimals + 1 {
                out.push_str(s);
                return;
            }
        }
    }
    let _ = write!(out, "{x}");
}

const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// Binary digits after the point of `x` (finite, |x| < 2⁵²): its exact decimal expansion has as
/// many digits after the point.
fn fraction_bits(x: f64) -> usize {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    if mantissa == 0 {
        return 0;
    }
    (-exponent - i64::from(mantissa.trailing_zeros())).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::{push_f64, TWO_POW_52};
    use proptest::prelude::*;

    fn check(x: f64) -> Result<(), TestCaseError> {
        let mut s = String::new();
        push_f64(&mut s, x);
        prop_assert_eq!(s, format!("{x}"), "bits {:#x}", x.to_bits());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Any bit pattern: every magnitude, subnormals, infinities and NaNs.
        #[test]
        fn any_bits_as_display_writes_them(bits in any::<u64>()) {
            check(f64::from_bits(bits))?;
        }

        /// Values with few binary digits after the point, where decimal ties lie.
        #[test]
        fn dyadic_values_as_display_writes_them(whole in 0i64..1 << 40, frac in any::<u64>(), bits in 0u32..60) {
            let scale = (2f64).powi(bits as i32);
            let x = whole as f64 + (frac >> 12) as f64 / (1u64 << 52) as f64;
            check((x * scale).round() / scale)?;
            check(whole as f64 + (frac % 1024) as f64 / 1024.0)?;
        }

        /// Values like the outputs': metres, minutes and degrees, and whole numbers.
        #[test]
        fn output_like_values_as_display_writes_them(
            x in -1.0e7f64..1.0e7,
            whole in -1_000_000i64..1_000_000,
            digits in 0i32..12,
        ) {
            check(x)?;
            check(whole as f64)?;
            let scale = 10f64.powi(digits);
            check((x * scale).round() / scale)?;
        }
    }

    #[test]
    fn edges_of_the_exponent_ranges() {
        for e in -30..30 {
            for m in [1.0, 1.5, 9.999999999999998, 1.0000000000000002] {
                let x = m * 10f64.powi(e);
                check(x).unwrap();
                check(-x).unwrap();
                check(f64::from_bits(x.to_bits() + 1)).unwrap();
                check(f64::from_bits(x.to_bits() - 1)).unwrap();
            }
        }
        for x in [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            1e7 + 1.0 / 1024.0,
            f64::from_bits(0x4300_443f_7a49_c382), // 572329881581680.25 exactly
            TWO_POW_52 - 0.5,
        ] {
            check(x).unwrap();
        }
    }
}
