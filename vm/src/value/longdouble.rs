//! SQLite 3.40's digits of a real: its printf as it runs on x86-64, in 80-bit `long double`.
//!
//! Before 3.43, SQLite's printf found the digits of a floating-point value with `long double`
//! arithmetic (x87 extended precision on x86-64 Linux: a 64-bit significand, round to nearest
//! even): it added a rounding term of `0.5 * 10^-precision`, scaled the value into [1, 10) by
//! powers of ten, and then peeled one digit at a time with `digit = (int)v; v = (v - digit) *
//! 10`, up to 16 significant digits (26 with the `!` flag). The result is right to about 19
//! significant digits, so it agrees with exact rounding except on values that lie within
//! about 1e-19 of a rounding tie, where the extended arithmetic rounds either way, and past
//! the 17th digit, where the digits are artifacts of the arithmetic (`%!.20g` of 1e301 is
//! `1.0000000000000000047e+301`). The `sqlite3` 3.40.1 shell prints every REAL through this
//! path, so the concur shell reproduces it bit for bit.
//!
//! [`Extended`] is a software model of the x87 format, with exactly the operations the
//! algorithm needs, each correctly rounded to 64 bits: add, subtract, multiply, divide.
//!
//! ```text
//!   value = significand * 2^exponent      significand: u64 with its top bit set (or 0)
//!   arithmetic: exact result in u128 (+ a sticky bit) -> round to nearest even at 64 bits
//! ```

use super::render::{DecodedReal, FloatStyle};

/// A non-negative x87 extended-precision value: `significand * 2^exponent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Extended {
    /// The significand, normalized so bit 63 is set; 0 for zero.
    significand: u64,
    /// The power of two the significand is scaled by.
    exponent: i32,
}

impl Extended {
    /// Zero.
    const ZERO: Extended = Extended {
        significand: 0,
        exponent: 0,
    };

    /// The value of a finite, non-negative double (exact: 53 bits fit in 64).
    fn from_f64(value: f64) -> Extended {
        let bits = value.abs().to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mantissa, exponent) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased - 1075)
        };
        Extended::normalize(u128::from(mantissa), exponent, false)
    }

    /// The value `wide * 2^exponent` (with `sticky` set when nonzero bits below `wide` were
    /// dropped), rounded to nearest even at 64 significant bits.
    fn normalize(wide: u128, exponent: i32, sticky: bool) -> Extended {
        if wide == 0 {
            return Extended::ZERO;
        }
        let shift = wide.leading_zeros() as i32;
        let wide = wide << shift;
        let exponent = exponent - shift + 64;
        let high = (wide >> 64) as u64;
        let low = wide as u64;
        let half = 1u64 << 63;
        let round_up = low > half || (low == half && (sticky || high & 1 == 1));
        if !round_up {
            return Extended {
                significand: high,
                exponent,
            };
        }
        match high.checked_add(1) {
            Some(significand) => Extended {
                significand,
                exponent,
            },
            None => Extended {
                significand: half,
                exponent: exponent + 1,
            },
        }
    }

    /// `self * other`.
    fn mul(self, other: Extended) -> Extended {
        let product = u128::from(self.significand) * u128::from(other.significand);
        Extended::normalize(product, self.exponent + other.exponent, false)
    }

    /// `self / other` (`other` nonzero).
    fn div(self, other: Extended) -> Extended {
        if self.significand == 0 || other.significand == 0 {
            return Extended::ZERO;
        }
        let divisor = u128::from(other.significand);
        let numerator = u128::from(self.significand) << 64;
        let quotient = numerator / divisor;
        let remainder = numerator % divisor;
        // 64 more quotient bits, and whether anything is left after them.
        let extra = (remainder << 64) / divisor;
        let sticky = (remainder << 64) % divisor != 0;
        let exponent = self.exponent - other.exponent - 64;
        if quotient >> 64 != 0 {
            let wide = (quotient << 63) | (extra >> 1);
            Extended::normalize(wide, exponent - 63, sticky || extra & 1 == 1)
        } else {
            Extended::normalize((quotient << 64) | extra, exponent - 64, sticky)
        }
    }

    /// The two operands aligned to the larger one's scale with 62 guard bits: (larger,
    /// smaller, common exponent, whether the smaller lost bits). `self` must not be smaller.
    fn align(self, other: Extended) -> (u128, u128, i32, bool) {
        let big = u128::from(self.significand) << 62;
        let gap = (self.exponent - other.exponent).max(0) as u32;
        let small = u128::from(other.significand) << 62;
        let (small, lost) = if gap >= 127 {
            (0, other.significand != 0)
        } else {
            (small >> gap, small & ((1u128 << gap) - 1) != 0)
        };
        (big, small, self.exponent - 62, lost)
    }

    /// `self + other`.
    fn add(self, other: Extended) -> Extended {
        let (a, b) = if self.less_than(other) {
            (other, self)
        } else {
            (self, other)
        };
        if b.significand == 0 {
            return a;
        }
        let (big, small, exponent, lost) = a.align(b);
        Extended::normalize(big + small, exponent, lost)
    }

    /// `self - other`, for `other <= self`.
    fn sub(self, other: Extended) -> Extended {
        if other.significand == 0 {
            return self;
        }
        let (big, small, exponent, lost) = self.align(other);
        // Bits lost from the subtrahend make the exact difference a little smaller: borrow one
        // unit of the lowest guard bit and mark the result inexact.
        let small = small + u128::from(lost);
        Extended::normalize(big.saturating_sub(small), exponent, lost)
    }

    /// `self < other`.
    fn less_than(self, other: Extended) -> bool {
        match (self.significand, other.significand) {
            (0, b) => b != 0,
            (_, 0) => false,
            _ => (self.exponent, self.significand) < (other.exponent, other.significand),
        }
    }

    /// The integer part, for values below 2^63 (C's `(int)` truncation).
    fn truncate(self) -> u64 {
        if self.significand == 0 || self.exponent <= -64 {
            return 0;
        }
        if self.exponent >= 0 {
            return u64::MAX;
        }
        self.significand >> (-self.exponent) as u32
    }

    /// The integer `n` as an extended value.
    fn from_u64(n: u64) -> Extended {
        Extended::normalize(u128::from(n), 0, false)
    }
}

/// The rounding term SQLite 3.40 adds for `precision` digits: `0.5 * 10^-(precision % 10)`
/// from a table of doubles, then multiplied in double arithmetic by 1e-10 per ten digits.
fn rounder(precision: usize) -> f64 {
    const TABLE: [f64; 10] = [
        5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10,
    ];
    let mut index = precision & 0xfff;
    let mut rounder = TABLE[index % 10];
    while index >= 10 {
        rounder *= 1.0e-10;
        index -= 10;
    }
    rounder
}

/// The digits SQLite 3.40's printf prints for the finite value `r` in `style` with
/// `precision` (already reduced by one for %g, as SQLite does), `!` flag as `alternate2`.
/// Returns the digits (`16` of them, `26` with `!`; later digits print as `0`) with the
/// position of the decimal point after rounding.
pub fn decode_real_sqlite340(
    r: f64,
    style: FloatStyle,
    precision: usize,
    alternate2: bool,
) -> DecodedReal {
    let negative = r < 0.0;
    if r.is_nan() {
        return DecodedReal {
            negative: false,
            digits: Vec::new(),
            decimal_point: 0,
            special: Some(true),
        };
    }
    let infinite = DecodedReal {
        negative,
        digits: Vec::new(),
        decimal_point: 0,
        special: Some(false),
    };
    if r.is_infinite() {
        return infinite;
    }
    let rounder_f64 = rounder(precision);
    let mut rounder = Extended::from_f64(rounder_f64);
    let mut value = Extended::from_f64(r);
    if style == FloatStyle::Fixed {
        // Small fixed-point precisions also round away the double's own error.
        let bits = r.to_bits();
        let binary_exponent = -1023 + ((bits >> 52) & 0x7ff) as i32;
        let precision = i32::try_from(precision).unwrap_or(i32::MAX);
        if precision.saturating_add(binary_exponent / 3) < 15 {
            let tweak = value.mul(Extended::from_f64(3e-16));
            // `rounder` is a double: the sum is rounded back to double precision.
            let sum = rounder_f64 + to_f64(tweak);
            rounder = Extended::from_f64(sum);
        }
        value = value.add(rounder);
    }
    let mut exponent = 0i32;
    if value.significand != 0 {
        let e100 = Extended::from_f64(1e100);
        let e10 = Extended::from_f64(1e10);
        let ten = Extended::from_u64(10);
        let one = Extended::from_u64(1);
        let mut scale = one;
        while !value.less_than(e100.mul(scale)) && exponent <= 350 {
            scale = scale.mul(e100);
            exponent += 100;
        }
        while !value.less_than(e10.mul(scale)) && exponent <= 350 {
            scale = scale.mul(e10);
            exponent += 10;
        }
        while !value.less_than(ten.mul(scale)) && exponent <= 350 {
            scale = scale.mul(ten);
            exponent += 1;
        }
        value = value.div(scale);
        let e_minus8 = Extended::from_f64(1e-8);
        let e8 = Extended::from_f64(1e8);
        while value.less_than(e_minus8) {
            value = value.mul(e8);
            exponent -= 8;
        }
        while value.less_than(one) {
            value = value.mul(ten);
            exponent -= 1;
        }
        if exponent > 350 {
            return infinite;
        }
    }
    if style != FloatStyle::Fixed {
        value = value.add(rounder);
        if !value.less_than(Extended::from_u64(10)) {
            value = value.mul(Extended::from_f64(0.1));
            exponent += 1;
        }
    }
    let count = if alternate2 { 26 } else { 16 };
    let ten = Extended::from_u64(10);
    let mut digits = Vec::with_capacity(count);
    for _ in 0..count {
        let digit = value.truncate().min(9);
        digits.push(b'0' + digit as u8);
        value = value.sub(Extended::from_u64(digit)).mul(ten);
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if value_is_zero(&digits) {
        digits = b"0".to_vec();
    }
    DecodedReal {
        negative,
        digits,
        decimal_point: exponent + 1,
        special: None,
    }
}

/// `s * 10^e` (`e` nonzero) as SQLite's `sqlite3AtoF` (3.43 to 3.46) computes it on x86-64:
/// `s` as a `long double`, multiplied by `1.0e+100L`, `1.0e+10L`, then `10.0L` (or the
/// negative powers) as often as `e` needs, each product rounded to 64 bits; a result above
/// `DBL_MAX` is infinity (even one that would round down to `DBL_MAX`: SQLite compares before
/// it rounds), anything else is rounded once to a double.
pub fn scale_decimal_sqlite346(s: u64, e: i32) -> f64 {
    /// A long double literal: its significand and power of two, correctly rounded.
    const fn lit(significand: u64, exponent: i32) -> Extended {
        Extended {
            significand,
            exponent,
        }
    }
    const E100: Extended = lit(0x924d_692c_a61b_e758, 269);
    const E10: Extended = lit(0x9502_f900_0000_0000, -30);
    const E1: Extended = lit(0xa000_0000_0000_0000, -60);
    const EM100: Extended = lit(0xdff9_7724_7029_7ebd, -396);
    const EM10: Extended = lit(0xdbe6_fece_bded_d5bf, -97);
    const EM1: Extended = lit(0xcccc_cccc_cccc_cccd, -67);
    const DBL_MAX: Extended = lit(0xffff_ffff_ffff_f800, 960);
    let mut r = Extended::from_u64(s);
    let mut e = e;
    if e > 0 {
        for (step, factor) in [(100, E100), (10, E10), (1, E1)] {
            while e >= step {
                e -= step;
                r = r.mul(factor);
                if DBL_MAX.less_than(r) {
                    // Only grows from here (and the exponent must not overflow).
                    return f64::INFINITY;
                }
            }
        }
    } else {
        for (step, factor) in [(100, EM100), (10, EM10), (1, EM1)] {
            while e <= -step {
                e += step;
                r = r.mul(factor);
                if r.exponent < -1300 {
                    // Far below the smallest subnormal, and only shrinks from here.
                    return 0.0;
                }
            }
        }
    }
    if DBL_MAX.less_than(r) {
        return f64::INFINITY;
    }
    round_to_f64(r)
}

/// A finite extended value rounded once to the nearest double (ties to even), through the
/// subnormal range down to zero, as the x87 `fstp` to a double does.
fn round_to_f64(value: Extended) -> f64 {
    if value.significand == 0 {
        return 0.0;
    }
    // The value is significand * 2^exponent; its leading bit has weight 2^(exponent + 63).
    let top = value.exponent + 63;
    // Bits of the significand a double keeps: 53, fewer below the normal range.
    let keep = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if keep <= 0 {
        // Below half the smallest subnormal (or exactly half of it: ties to even, zero).
        let half_min = keep == 0 && value.significand > 1 << 63;
        return if half_min { f64::from_bits(1) } else { 0.0 };
    }
    let shift = (64 - keep) as u32;
    let kept = value.significand >> shift;
    let dropped = value.significand & ((1u64 << shift) - 1);
    let half = 1u64 << (shift - 1);
    let kept = if dropped > half || (dropped == half && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    };
    // kept * 2^(exponent + shift), in two exact steps so no step leaves the double range.
    let scale = value.exponent + shift as i32;
    let first = scale.clamp(-1000, 1000);
    (kept as f64) * 2f64.powi(first) * 2f64.powi(scale - first)
}

/// Whether every digit is `0`.
fn value_is_zero(digits: &[u8]) -> bool {
    digits.iter().all(|&d| d == b'0')
}

/// The extended value rounded to a double (for SQLite's `double` rounder variable).
fn to_f64(value: Extended) -> f64 {
    if value.significand == 0 {
        return 0.0;
    }
    // Round to 53 bits, then scale; the values met here are far from the double limits.
    let shift = 11;
    let kept = value.significand >> shift;
    let dropped = value.significand & ((1 << shift) - 1);
    let half = 1u64 << (shift - 1);
    let kept = if dropped > half || (dropped == half && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    };
    (kept as f64) * 2f64.powi(value.exponent + shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_arithmetic_is_exact_where_it_must_be() {
        let x = |v: f64| Extended::from_f64(v);
        assert_eq!(x(3.0).mul(x(7.0)), x(21.0));
        assert_eq!(x(21.0).div(x(7.0)), x(3.0));
        assert_eq!(x(0.5).add(x(0.25)), x(0.75));
        assert_eq!(x(10.0).sub(x(9.0)), x(1.0));
        assert_eq!(to_f64(x(0.1)), 0.1);
        assert_eq!(x(1e300).div(x(1e300)), x(1.0));
        // 1/3 rounded at 64 bits: 0xAAAA...AB * 2^-65.
        let third = x(1.0).div(x(3.0));
        assert_eq!(third.significand, 0xAAAA_AAAA_AAAA_AAAB);
        assert_eq!(third.exponent, -65);
    }
}
