//! REAL values as `sqlite3` 3.40.1 prints them.
//!
//! SQLite turns a REAL into text with its own `printf` and the format `%!.15g`: 15
//! significant digits, trailing zeros dropped, plain notation when the decimal exponent is
//! within -4..15 and `d.ddde+XX` otherwise; the `!` flag keeps a `.0` on values without a
//! fractional part, so `1.0`, `100000.0`, `1.0e+301`, `1.0e-05`. Infinities print as `Inf`
//! and `-Inf`; a negative zero prints as `0.0`. Quote and json modes print `%!.20g`, so that
//! the text reads back to the same double (json writes infinities as `1e999`/`-1e999`);
//! insert mode and `.dump` print integral values as `<integer>.0` and infinities as
//! `1e999`/`-1e999`, so the SQL they write loads back exactly.
//!
//! The digits come from the vm's printf ([`concur_vm::value::render`]) in its SQLite 3.40
//! flavour, which reproduces that version's 80-bit `long double` arithmetic: it decides the
//! rounding of values that lie on or next to a tie at the 15th digit, and the 18th to 20th
//! digits of `%!.20g`. The vm itself renders CAST and `||` as SQLite 3.46 does; the shell
//! matches the `sqlite3` 3.40.1 it is compared with.

use concur_vm::value::render::{format_float_sqlite340, FloatFormat, FloatStyle};

/// `%!.<digits>g` in SQLite 3.40's printf.
fn general(value: f64, digits: usize) -> String {
    format_float_sqlite340(
        value,
        &FloatFormat {
            style: FloatStyle::General,
            precision: Some(digits),
            alternate: false,
            alternate2: true,
            sign_prefix: None,
            thousands: false,
            zero_pad: false,
            upper: false,
        },
    )
}

/// Formats `value` as SQLite's `%!.15g`: the text of a REAL in list mode and CAST(x AS TEXT).
pub fn format_real(value: f64) -> String {
    general(value, 15)
}

/// Formats a REAL as quote mode does: `%!.20g` for every value (infinities as `Inf`).
pub fn format_real_quote(value: f64) -> String {
    general(value, 20)
}

/// Formats a REAL as json mode does: `%!.20g`, infinities as `1e999`/`-1e999`.
pub fn format_real_json(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 { "1e999" } else { "-1e999" }.to_string();
    }
    general(value, 20)
}

/// Formats a REAL as insert mode and `.dump` do: infinities as `1e999`/`-1e999`, integral
/// values as `<integer>.0`, others with `%!.20g`.
pub fn format_real_exact(value: f64) -> String {
    if value == f64::INFINITY {
        return "1e999".to_string();
    }
    if value == f64::NEG_INFINITY {
        return "-1e999".to_string();
    }
    // SQLite casts to a 64-bit integer and compares back; the cast saturates here, and values
    // beyond the i64 range never compare equal after it.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&value);
    if in_range && value.fract() == 0.0 {
        // The guard above keeps the value inside i64's range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let integer = value as i64;
        return format!("{integer}.0");
    }
    general(value, 20)
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
        // The 80-bit arithmetic of SQLite 3.40 shows in the last digits (values printed by
        // sqlite3 3.40.1's quote mode).
        assert_eq!(format_real_exact(1e301), "1.0000000000000000047e+301");
        assert_eq!(format_real_exact(1.0 / 3.0), "0.33333333333333331482");
        assert_eq!(
            format_real_exact(123456.789e-300),
            "1.2345678899999999425e-295"
        );
        assert_eq!(format_real_exact(-2.5e-7), "-2.4999999999999998868e-07");
        assert_eq!(format_real_exact(f64::INFINITY), "1e999");
        assert_eq!(format_real_exact(-1e300 * 1e10), "-1e999");
    }
}
