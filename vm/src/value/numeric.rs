//! Text to number conversion, as SQLite's `sqlite3AtoF` and `sqlite3Atoi64` do it.
//!
//! SQLite reads a number out of text in two ways. The *real reader* accepts
//! `[space] [sign] digits [. digits] [e [sign] digits] [space]` and reports whether the whole
//! text was a number, a pure integer, or only had a numeric prefix. The *integer reader*
//! accepts `[space] [sign] digits [space]`, saturates at the i64 bounds and reports extra text
//! or overflow. Arithmetic, CAST and affinity each combine the two readers differently; the
//! combinations live here so that every caller agrees with SQLite.

use concur_btree::Value;

use super::longdouble::scale_decimal_sqlite346;

/// SQLite's `sqlite3Isspace`: space, tab, newline, vertical tab, form feed, carriage return.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// What the real reader found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealForm {
    /// The whole text (around optional spaces) is an integer literal such as `" -12 "`.
    PureInteger,
    /// The whole text is a number with a decimal point or an exponent such as `"1.5e3"`.
    PureReal,
    /// Not a number, but a prefix with a decimal point or exponent is (`"3.5e2x"`).
    RealPrefix,
    /// Not a number; at most an integer prefix (`"12abc"`), or nothing numeric at all.
    NotNumber,
}

/// Reads a real number from `bytes` as `sqlite3AtoF` does: the value of the longest numeric
/// prefix (0.0 when there is none) and the form of the text.
pub fn parse_real(bytes: &[u8]) -> (f64, RealForm) {
    let mut i = 0;
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    let start = i;
    let mut negative = false;
    if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
        negative = bytes[i] == b'-';
        i += 1;
    }
    let mut digits = 0usize;
    let mut mantissa_end;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    mantissa_end = i;
    let mut has_point = false;
    if i < bytes.len() && bytes[i] == b'.' {
        has_point = true;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
        mantissa_end = i;
    }
    let mut has_exponent = false;
    let mut exponent_valid = true;
    let mut number_end = mantissa_end;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        has_exponent = true;
        exponent_valid = false;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            exponent_valid = true;
        }
        if exponent_valid {
            number_end = i;
        }
    }
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    let value = if digits == 0 {
        if negative {
            -0.0
        } else {
            0.0
        }
    } else {
        decimal_to_f64(&bytes[start..number_end], negative)
    };
    let kind_count = 1 + usize::from(has_point) + usize::from(has_exponent);
    let consumed_all = i == bytes.len();
    let form = if consumed_all && digits > 0 && exponent_valid {
        if kind_count == 1 {
            RealForm::PureInteger
        } else {
            RealForm::PureReal
        }
    } else if kind_count >= 2 && (kind_count == 3 || exponent_valid) && digits > 0 {
        RealForm::RealPrefix
    } else {
        RealForm::NotNumber
    };
    (value, form)
}

/// Converts a validated numeric literal (sign, digits, point, exponent) to a double as
/// SQLite 3.46's `sqlite3AtoF` does, which is not always the nearest double: it keeps up to
/// 19 or 20 significant digits in a u64 `s` and a power of ten `e`, then scales `s` in
/// `long double` arithmetic ([`scale_decimal_sqlite346`]), so `'1.797693134862315708e+308'`
/// (which rounds down to `DBL_MAX`) reads as infinity.
fn decimal_to_f64(literal: &[u8], negative: bool) -> f64 {
    /// Significand digits stop being added once `s` reaches this.
    const FULL: u64 = (u64::MAX - 9) / 10;
    let mut s: u64 = 0;
    let mut d: i32 = 0;
    let mut i = 0;
    if i < literal.len() && (literal[i] == b'-' || literal[i] == b'+') {
        i += 1;
    }
    while i < literal.len() && literal[i].is_ascii_digit() {
        s = s * 10 + u64::from(literal[i] - b'0');
        i += 1;
        if s >= FULL {
            // The remaining integer digits only scale the value.
            while i < literal.len() && literal[i].is_ascii_digit() {
                i += 1;
                d = d.saturating_add(1);
            }
        }
    }
    if i < literal.len() && literal[i] == b'.' {
        i += 1;
        while i < literal.len() && literal[i].is_ascii_digit() {
            if s < FULL {
                s = s * 10 + u64::from(literal[i] - b'0');
                d -= 1;
            }
            i += 1;
        }
    }
    let mut e: i32 = 0;
    let mut esign = 1;
    if i < literal.len() && (literal[i] == b'e' || literal[i] == b'E') {
        i += 1;
        if i < literal.len() && (literal[i] == b'-' || literal[i] == b'+') {
            if literal[i] == b'-' {
                esign = -1;
            }
            i += 1;
        }
        while i < literal.len() && literal[i].is_ascii_digit() {
            e = if e < 10_000 {
                e * 10 + i32::from(literal[i] - b'0')
            } else {
                10_000
            };
            i += 1;
        }
    }
    let magnitude = if s == 0 {
        0.0
    } else {
        let mut e = e * esign + d;
        while e > 0 && s < u64::MAX / 10 {
            s *= 10;
            e -= 1;
        }
        while e < 0 && s.is_multiple_of(10) {
            s /= 10;
            e += 1;
        }
        if e == 0 {
            s as f64
        } else {
            scale_decimal_sqlite346(s, e)
        }
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// The outcome of the integer reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntForm {
    /// The whole text is an integer that fits in i64.
    Exact,
    /// An integer prefix followed by other text (or no digits at all: the value is 0).
    Prefix,
    /// The digits do not fit in i64; the value saturated.
    Overflow,
}

/// Reads an integer from `bytes` as `sqlite3Atoi64` does: saturating at the i64 bounds.
pub fn parse_int(bytes: &[u8]) -> (i64, IntForm) {
    let mut i = 0;
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
        negative = bytes[i] == b'-';
        i += 1;
    }
    let sign_end = i;
    while i < bytes.len() && bytes[i] == b'0' {
        i += 1;
    }
    let digits_start = i;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        let d = u64::from(bytes[i] - b'0');
        match magnitude.checked_mul(10).and_then(|m| m.checked_add(d)) {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    let significant = i - digits_start;
    let no_digits = significant == 0 && digits_start == sign_end;
    let trailing_text = bytes[i..].iter().any(|&b| !is_space(b));
    let limit = if negative {
        1u64 << 63
    } else {
        i64::MAX as u64
    };
    if overflow || magnitude > limit {
        let saturated = if negative { i64::MIN } else { i64::MAX };
        return (saturated, IntForm::Overflow);
    }
    let value = if negative {
        0i64.wrapping_sub_unsigned(magnitude)
    } else {
        magnitude as i64
    };
    let form = if no_digits || trailing_text {
        IntForm::Prefix
    } else {
        IntForm::Exact
    };
    (value, form)
}

/// SQLite's `sqlite3RealToI64`: truncation toward zero, saturating at the i64 bounds.
pub fn real_to_i64(r: f64) -> i64 {
    if r.is_nan() {
        0
    } else if r < -9_223_372_036_854_774_784.0 {
        i64::MIN
    } else if r > 9_223_372_036_854_774_784.0 {
        i64::MAX
    } else {
        r as i64
    }
}

/// SQLite's `sqlite3RealSameAsInt`: `r` is zero or exactly `i`, with `|i| < 2^51`.
pub fn real_same_as_int(r: f64, i: i64) -> bool {
    r == 0.0
        || (r.to_bits() == (i as f64).to_bits()
            && (-2_251_799_813_685_248..2_251_799_813_685_248).contains(&i))
}

/// The number a text or blob stands for in arithmetic (`computeNumericType`): an integer
/// when the text is an integer (or has only an integer prefix), else a real.
pub fn text_to_number(bytes: &[u8]) -> Value {
    let (real, form) = parse_real(bytes);
    match form {
        RealForm::NotNumber => {
            let (int, int_form) = parse_int(bytes);
            if int_form != IntForm::Overflow {
                Value::Integer(int)
            } else {
                Value::Real(real)
            }
        }
        RealForm::RealPrefix | RealForm::PureReal => Value::Real(real),
        RealForm::PureInteger => match parse_int(bytes) {
            (int, IntForm::Exact) => Value::Integer(int),
            _ => Value::Real(real),
        },
    }
}

/// The number a text becomes under `CAST(x AS NUMERIC)` (`sqlite3VdbeMemNumerify`): an
/// integer whenever the value is one exactly (so `'1e3'` gives 1000), else a real.
pub fn text_to_numeric_cast(bytes: &[u8]) -> Value {
    let (real, form) = parse_real(bytes);
    if matches!(form, RealForm::NotNumber | RealForm::PureInteger) {
        let (int, int_form) = parse_int(bytes);
        if int_form != IntForm::Overflow {
            return Value::Integer(int);
        }
    }
    let int = real_to_i64(real);
    if real_same_as_int(real, int) {
        Value::Integer(int)
    } else {
        Value::Real(real)
    }
}

/// The integer value of any value, as `sqlite3VdbeIntValue` (used by CAST AS INTEGER and by
/// functions taking integer arguments): text by the integer reader, reals truncated and
/// saturated, NULL 0.
pub fn to_integer(value: &Value) -> i64 {
    match value {
        Value::Null => 0,
        Value::Integer(i) => *i,
        Value::Real(r) => real_to_i64(*r),
        Value::Text(t) => parse_int(t.as_bytes()).0,
        Value::Blob(b) => parse_int(b).0,
    }
}

/// The real value of any value, as `sqlite3VdbeRealValue`: text by the real reader (its
/// numeric prefix, 0.0 if none), NULL 0.0.
pub fn to_real(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Integer(i) => *i as f64,
        Value::Real(r) => *r,
        Value::Text(t) => parse_real(t.as_bytes()).0,
        Value::Blob(b) => parse_real(b).0,
    }
}

/// The numeric form of a value for arithmetic: integers and reals as they are, text and
/// blobs through [`text_to_number`], NULL stays NULL.
pub fn to_number(value: &Value) -> Value {
    match value {
        Value::Text(t) => text_to_number(t.as_bytes()),
        Value::Blob(b) => text_to_number(b),
        other => other.clone(),
    }
}
