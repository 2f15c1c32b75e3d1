//! Conversion of exact decimals to `f64` for analysis math, correctly
//! rounded: the result is the `f64` nearest to the decimal value, exactly as
//! Python's `float("…")` or Rust's `str::parse::<f64>` give.

use rust_decimal::Decimal;

/// Powers of ten that are exact in `f64` (10^0 ..= 10^22).
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The `f64` nearest to `d`.
pub fn to_f64(d: Decimal) -> f64 {
    let mantissa = d.mantissa();
    let scale = d.scale() as usize;
    // Clinger's fast path: an exact mantissa divided by an exact power of
    // ten is a single correctly rounded IEEE operation.
    if mantissa.unsigned_abs() < (1u128 << 53) && scale < EXACT_POW10.len() {
        // Through i64: converting an i128 to f64 is a slow library call.
        return mantissa as i64 as f64 / EXACT_POW10[scale];
    }
    d.to_string().parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_the_standard_parser(m in any::<i64>(), scale in 0u32..28) {
            let d = Decimal::new(m, scale);
            let expected: f64 = d.to_string().parse().unwrap();
            prop_assert_eq!(to_f64(d).to_bits(), expected.to_bits());
        }
    }

    #[test]
    fn typical_prices() {
        assert_eq!(to_f64(Decimal::new(97312, 5)), 0.97312);
        assert_eq!(to_f64(Decimal::new(426148, 2)), 4261.48);
    }
}
