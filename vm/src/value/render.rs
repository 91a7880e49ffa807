//! Text form of values: how SQLite turns numbers into text.
//!
//! A real becomes text through SQLite's own printf with the format `%!.15g`: at most 15
//! significant digits, trailing zeros removed, but always a decimal point and a digit after
//! it (`1.0`, `1.0e+301`), exponent form when the decimal exponent is below -4 or above 14,
//! `Inf`/`-Inf` for infinities and `0.0` for both zeros. `CAST(r AS TEXT)`, the `||`
//! operator, TEXT affinity and the sqlite3 shell all use this one rule.
//!
//! Digits come from [`decode_real`], the counterpart of `sqlite3FpDecode`: the first 18
//! significant digits of the exact value (19 from 1e18 up), truncated as SQLite's scaled
//! integer is, then rounded half-up to the requested number of digits, at most 16 (26 with
//! the `!` flag); digits past that limit print as zeros, as SQLite prints them.

use concur_btree::{Text, Value};

use super::chars::until_nul;

pub use super::longdouble::decode_real_sqlite340;

/// A real value split into decimal digits, as `sqlite3FpDecode` produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedReal {
    /// True for a negative value (including -0.0 only when not zero: zero is always `+`).
    pub negative: bool,
    /// The significant digits, ASCII, without trailing zeros (`"0"` for zero).
    pub digits: Vec<u8>,
    /// Position of the decimal point relative to the first digit: value = 0.d1d2.. * 10^dp.
    pub decimal_point: i32,
    /// Set for infinities (`Some(false)`) and NaN (`Some(true)`).
    pub special: Option<bool>,
}

/// Decodes `r` rounded to `round` significant digits when `round > 0`, or to `-round`
/// digits after the decimal point when `round <= 0`; never more than `max_digits`.
pub fn decode_real(r: f64, round: i32, max_digits: i32) -> DecodedReal {
    if r.is_nan() {
        return DecodedReal {
            negative: false,
            digits: Vec::new(),
            decimal_point: 0,
            special: Some(true),
        };
    }
    let negative = r < 0.0;
    if r.is_infinite() {
        return DecodedReal {
            negative,
            digits: Vec::new(),
            decimal_point: 0,
            special: Some(false),
        };
    }
    if r == 0.0 {
        return DecodedReal {
            negative: false,
            digits: b"0".to_vec(),
            decimal_point: 1,
            special: None,
        };
    }
    // SQLite scales the value into [1e17, 1e19) and truncates it to an integer: 18 digits
    // for values below 1e18, 19 digits from there up. Take the same digits from the exact
    // expansion (SQLite's scaling runs in long double, so a 19th digit may differ by one).
    let text = format!("{:.30e}", r.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let width = if r.abs() >= 1e18 { 19 } else { 18 };
    let mut digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .take(width)
        .collect();
    let mut decimal_point = exponent + 1;
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let mut round = round;
    if round <= 0 {
        round = decimal_point - round;
        if round == 0 && digits.first().is_some_and(|&d| d >= b'5') {
            digits.insert(0, b'0');
            decimal_point += 1;
            round = 1;
        }
    }
    let n = digits.len() as i32;
    if round > 0 && (round < n || n > max_digits) {
        let keep = round.min(max_digits) as usize;
        let round_up = digits.get(keep).is_some_and(|&d| d >= b'5');
        digits.truncate(keep);
        if round_up {
            let mut j = keep;
            loop {
                if j == 0 {
                    digits.insert(0, b'1');
                    decimal_point += 1;
                    break;
                }
                j -= 1;
                if digits[j] == b'9' {
                    digits[j] = b'0';
                } else {
                    digits[j] += 1;
                    break;
                }
            }
        }
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    DecodedReal {
        negative,
        digits,
        decimal_point,
        special: None,
    }
}

/// The three floating-point conversions of printf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatStyle {
    /// `%f`: fixed notation.
    Fixed,
    /// `%e` / `%E`: exponent notation.
    Exponent,
    /// `%g` / `%G`: the shorter of the two, trailing zeros removed.
    General,
}

/// Options of one floating-point conversion in SQLite's printf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloatFormat {
    /// Which conversion.
    pub style: FloatStyle,
    /// Digits requested (`None`: 6).
    pub precision: Option<usize>,
    /// `#`: keep the decimal point (and, for %g, trailing zeros).
    pub alternate: bool,
    /// `!`: up to 26 digits, and %g keeps one digit after the point.
    pub alternate2: bool,
    /// `+` or space before non-negative numbers.
    pub sign_prefix: Option<char>,
    /// `,`: thousands separators in the integer part.
    pub thousands: bool,
    /// `0` flag: infinities print as 9.0e+999 and NaN as null.
    pub zero_pad: bool,
    /// `%E`/`%G`: upper-case exponent letter.
    pub upper: bool,
}

/// Formats `r` as SQLite's printf does for the given conversion (without field width).
pub fn format_float(r: f64, f: &FloatFormat) -> String {
    let mut precision = f.precision.unwrap_or(6).min(100_000) as i32;
    let round = match f.style {
        FloatStyle::Fixed => -precision,
        FloatStyle::General => {
            if precision == 0 {
                precision = 1;
            }
            precision
        }
        FloatStyle::Exponent => precision + 1,
    };
    let d = decode_real(r, round, if f.alternate2 { 26 } else { 16 });
    lay_out(d, f, precision)
}

/// Formats `r` as SQLite 3.40's printf does on x86-64: the same layout as
/// [`format_float`], with digits from the 80-bit `long double` arithmetic of that version
/// ([`decode_real_sqlite340`]). The `sqlite3` 3.40.1 shell prints REALs this way.
pub fn format_float_sqlite340(r: f64, f: &FloatFormat) -> String {
    let precision = f.precision.unwrap_or(6).min(100_000);
    let reduced = if f.style == FloatStyle::General && precision > 0 {
        precision - 1
    } else {
        precision
    };
    let d = decode_real_sqlite340(r, f.style, reduced, f.alternate2);
    let precision = precision as i32;
    let precision = if f.style == FloatStyle::General {
        precision.max(1)
    } else {
        precision
    };
    lay_out(d, f, precision)
}

/// Lays out decoded digits as printf's %f, %e or %g (`precision` as given, at least 1 for
/// %g): sign, digits around the decimal point, trailing zeros, exponent.
fn lay_out(mut d: DecodedReal, f: &FloatFormat, mut precision: i32) -> String {
    match d.special {
        Some(true) => return if f.zero_pad { "null" } else { "NaN" }.to_string(),
        Some(false) if f.zero_pad => {
            d.digits = b"9".to_vec();
            d.decimal_point = 1000;
        }
        Some(false) => {
            return if d.negative {
                "-Inf".to_string()
            } else {
                match f.sign_prefix {
                    Some(p) => format!("{p}Inf"),
                    None => "Inf".to_string(),
                }
            };
        }
        None => {}
    }
    let mut out = String::new();
    if d.negative {
        out.push('-');
    } else if let Some(p) = f.sign_prefix {
        out.push(p);
    }
    let exp = d.decimal_point - 1;
    let mut style = f.style;
    let remove_trailing_zeros;
    if style == FloatStyle::General {
        precision -= 1;
        remove_trailing_zeros = !f.alternate;
        if exp < -4 || exp > precision {
            style = FloatStyle::Exponent;
        } else {
            precision -= exp;
            style = FloatStyle::Fixed;
        }
    } else {
        remove_trailing_zeros = f.alternate2;
    }
    let mut e2 = if style == FloatStyle::Exponent {
        0
    } else {
        exp
    };
    let with_point = precision > 0 || f.alternate || f.alternate2;
    let mut next = 0usize;
    let take = |next: &mut usize| {
        let c = d.digits.get(*next).map_or('0', |&b| b as char);
        *next += 1;
        c
    };
    if e2 < 0 {
        out.push('0');
    } else {
        while e2 >= 0 {
            out.push(take(&mut next));
            if f.thousands && e2 % 3 == 0 && e2 > 1 {
                out.push(',');
            }
            e2 -= 1;
        }
    }
    if with_point {
        out.push('.');
    }
    e2 += 1;
    while e2 < 0 && precision > 0 {
        out.push('0');
        precision -= 1;
        e2 += 1;
    }
    while precision > 0 {
        out.push(take(&mut next));
        precision -= 1;
    }
    if remove_trailing_zeros && with_point {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            if f.alternate2 {
                out.push('0');
            } else {
                out.pop();
            }
        }
    }
    if style == FloatStyle::Exponent {
        let mut e = d.decimal_point - 1;
        out.push(if f.upper { 'E' } else { 'e' });
        if e < 0 {
            out.push('-');
            e = -e;
        } else {
            out.push('+');
        }
        if e >= 100 {
            out.push(char::from(b'0' + (e / 100) as u8));
            e %= 100;
        }
        out.push(char::from(b'0' + (e / 10) as u8));
        out.push(char::from(b'0' + (e % 10) as u8));
    }
    out
}

/// `%!.15g`: the text form of a real everywhere in SQLite (CAST, `||`, the shell).
pub fn real_to_text(r: f64) -> String {
    format_float(
        r,
        &FloatFormat {
            style: FloatStyle::General,
            precision: Some(15),
            alternate: false,
            alternate2: true,
            sign_prefix: None,
            thousands: false,
            zero_pad: false,
            upper: false,
        },
    )
}

/// The text a value converts to (`CAST(x AS TEXT)`): integers in decimal, reals by
/// [`real_to_text`], text as is, blob bytes as they are (SQLite does not check them either),
/// NULL as the empty text (callers that must keep NULL check for it first).
pub fn value_to_text(value: &Value) -> Text {
    match value {
        Value::Text(t) => t.clone(),
        Value::Blob(b) => Text::from_bytes(b.clone()),
        other => Text::from(value_to_string(other)),
    }
}

/// [`value_to_text`] as a `String`, for the readers that parse it (dates, modifiers,
/// pragma arguments): bytes that are not UTF-8 read as U+FFFD.
pub fn value_to_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => real_to_text(*r),
        Value::Text(t) => t.to_string_lossy().into_owned(),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// The bytes of a value's text form (blobs as they are).
pub fn value_to_bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::Blob(b) => b.clone(),
        Value::Text(t) => t.as_bytes().to_vec(),
        other => value_to_string(other).into_bytes(),
    }
}

/// `text` as an SQL string literal: in single quotes, each `'` doubled.
pub fn string_literal(text: &[u8]) -> Vec<u8> {
    quoted_with(text, b'\'')
}

/// `text` between two `quote` bytes, each `quote` inside doubled (SQL strings, CSV fields).
pub fn quoted_with(text: &[u8], quote: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(quote);
    for &b in text {
        if b == quote {
            out.push(quote);
        }
        out.push(b);
    }
    out.push(quote);
    out
}

/// `quote(x)`: the SQL literal for a value. Text in single quotes with `'` doubled (cut at
/// the first NUL, as SQLite's `%Q` does); blobs as `X'..'` in upper-case hex; reals as
/// `%!0.15g` when that reads back as the same value, else `%!0.20e`; NULL as `NULL`.
pub fn quote(value: &Value) -> Text {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string().into(),
        Value::Real(r) => {
            let mut f = FloatFormat {
                style: FloatStyle::General,
                precision: Some(15),
                alternate: false,
                alternate2: true,
                sign_prefix: None,
                thousands: false,
                zero_pad: true,
                upper: false,
            };
            let short = format_float(*r, &f);
            let back = super::numeric::parse_real(short.as_bytes()).0;
            if back == *r {
                short.into()
            } else {
                f.style = FloatStyle::Exponent;
                f.precision = Some(20);
                format_float(*r, &f).into()
            }
        }
        Value::Text(t) => Text::from_bytes(string_literal(until_nul(t.as_bytes()))),
        Value::Blob(b) => {
            let mut out = String::with_capacity(b.len() * 2 + 3);
            out.push_str("X'");
            for byte in b {
                out.push_str(&format!("{byte:02X}"));
            }
            out.push('\'');
            out.into()
        }
    }
}
