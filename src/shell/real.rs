//! REAL values as `sqlite3` prints them.
//!
//! SQLite turns a REAL into text with its own `printf` and the format `%!.15g`: 15
//! significant digits, trailing zeros dropped, plain notation when the decimal exponent is
//! within -4..15 and `d.ddde+XX` otherwise; the `!` flag keeps a `.0` on values without a
//! fractional part, so `1.0`, `100000.0`, `1.0e+301`, `1.0e-05`. Infinities print as `Inf`
//! and `-Inf`; a negative zero prints as `0.0`. The shell's quote, insert and json modes use
//! `%!.20g` for values that are not integral, so that the text reads back to the same double.
//!
//! Digits here come from Rust's correctly rounded conversion. SQLite 3.40.1 rounds with 80-bit
//! `long double` arithmetic, which agrees at 15 digits but not always at 20 (its 20th digit of
//! `1e301` is an artifact of that arithmetic).

/// Formats `value` as SQLite's `%!.15g`: the text of a REAL in list mode and CAST(x AS TEXT).
pub fn format_real(value: f64) -> String {
    format_real_digits(value, 15)
}

/// Formats `value` as SQLite's `%!.<digits>g`.
pub fn format_real_digits(value: f64, digits: usize) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Inf" } else { "-Inf" }.to_string();
    }
    let digits = digits.max(1);
    // SQLite tests `value < 0.0`, so a negative zero prints without its sign.
    let negative = value < 0.0;
    let magnitude = value.abs();
    // `{:.Ne}` rounds correctly to N+1 significant digits: "d.ddddde<exp>".
    let scientific = format!("{:.*e}", digits - 1, magnitude);
    let (mantissa, exponent) = match scientific.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (scientific.as_str(), 0),
    };
    let significant: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let significant = if magnitude == 0.0 {
        "0".to_string()
    } else {
        significant.trim_end_matches('0').to_string()
    };
    let significant = if significant.is_empty() {
        "0".to_string()
    } else {
        significant
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let digits_i32 = i32::try_from(digits).unwrap_or(i32::MAX);
    if exponent < -4 || exponent >= digits_i32 {
        let (first, rest) = significant.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let abs = exponent.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    } else if exponent < 0 {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(&significant);
    } else {
        let int_len = usize::try_from(exponent).unwrap_or(0) + 1;
        if significant.len() <= int_len {
            out.push_str(&significant);
            for _ in significant.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (int_part, frac) = significant.split_at(int_len);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac);
        }
    }
    out
}

/// Formats a REAL as the quote, insert and json modes do: infinities as `1e999`/`-1e999`,
/// integral values as `<integer>.0`, others with `%!.20g`.
pub fn format_real_exact(value: f64) -> String {
    if value == f64::INFINITY {
        return "1e999".to_string();
    }
    if value == f64::NEG_INFINITY {
        return "-1e999".to_string();
    }
    // SQLite casts to a 64-bit integer and compares back; the cast saturates here, and values
    // beyond the i64 range never compare equal after it.
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.2e18 {
        // The guard above keeps the value inside i64's range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let integer = value as i64;
        return format!("{integer}.0");
    }
    format_real_digits(value, 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_digits_as_sqlite_prints_them() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (-0.0, "0.0"),
            (0.0, "0.0"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.333333333333333"),
            (1e301, "1.0e+301"),
            (1e5, "100000.0"),
            (1e14, "100000000000000.0"),
            (1e15, "1.0e+15"),
            (1e-5, "1.0e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (123456789012345678.0, "1.23456789012346e+17"),
            (0.1 + 0.2, "0.3"),
            (-1.25e-300, "-1.25e-300"),
            (f64::INFINITY, "Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (2.5, "2.5"),
        ];
        for (value, text) in cases {
            assert_eq!(format_real(*value), *text, "value {value:e}");
        }
    }

    #[test]
    fn exact_forms_for_quote_mode() {
        assert_eq!(format_real_exact(2.5), "2.5");
        assert_eq!(format_real_exact(-0.0), "0.0");
        assert_eq!(format_real_exact(3.0), "3.0");
        assert_eq!(format_real_exact(0.1), "0.10000000000000000555");
        assert_eq!(format_real_exact(f64::INFINITY), "1e999");
        assert_eq!(format_real_exact(-1e300 * 1e10), "-1e999");
    }
}
