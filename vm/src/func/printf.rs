//! `printf(FORMAT, ...)` / `format(FORMAT, ...)`: SQLite's own printf, not C's.
//!
//! A conversion is `%[flags][width][.precision]type`. Flags: `-` left-justify, `+` and
//! space sign prefixes, `#` alternate form, `!` SQLite's second alternate form (more digits,
//! character-based widths), `0` zero padding, `,` thousands separators. Width and precision
//! may be `*` (taken from the next argument). Types:
//!
//! | type | argument read as | output |
//! | --- | --- | --- |
//! | `d` `i` | integer | signed decimal |
//! | `u` | integer | unsigned decimal of the 64-bit pattern |
//! | `x` `X` `o` | integer | hex / octal of the 64-bit pattern (`#`: `0x`, `0X`, `0`) |
//! | `f` `e` `E` `g` `G` | real | as C, but at most 16 significant digits (26 with `!`) |
//! | `s` `z` | text | the text (precision: bytes, or characters with `!`) |
//! | `q` `Q` `w` | text | `'` doubled; `Q` adds quotes and prints NULL; `w` doubles `"` |
//! | `c` | text | its first character (precision: repeat count) |
//! | `%` | - | a percent sign |
//!
//! Widths count bytes unless `!` is given. A missing argument reads as 0, 0.0 or NULL. An
//! unknown type ends the output there, as in SQLite.

use concur_btree::{Text, Value};

use super::core::f;
use super::error::{FuncError, MAX_LENGTH};
use super::registry::{Arity, FuncCall, ScalarFunction};
use crate::value::numeric::{to_integer, to_real};
use crate::value::render::{format_float, value_to_bytes, FloatFormat, FloatStyle};

/// The functions of this file.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f("printf", Arity::AtLeast(0), printf_function),
    f("format", Arity::AtLeast(0), printf_function),
];

/// `printf(FORMAT, ...)`: NULL when FORMAT is NULL.
fn printf_function(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    match args.first() {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(format) => {
            // A result past the length limit is NULL, as SQLite's printf() gives.
            match printf(&value_to_bytes(format), args.get(1..).unwrap_or(&[])) {
                Ok(bytes) => Ok(Value::Text(Text::from_bytes(bytes))),
                Err(FuncError::TooBig) => Ok(Value::Null),
                Err(e) => Err(e),
            }
        }
    }
}

/// The arguments of one printf call, consumed left to right.
struct Arguments<'a> {
    /// The values after the format.
    values: &'a [Value],
    /// The next one to use.
    next: usize,
}

impl Arguments<'_> {
    fn take(&mut self) -> Option<&Value> {
        let v = self.values.get(self.next);
        self.next += 1;
        v
    }

    fn integer(&mut self) -> i64 {
        self.take().map_or(0, to_integer)
    }

    fn real(&mut self) -> f64 {
        self.take().map_or(0.0, to_real)
    }

    fn text(&mut self) -> Option<Vec<u8>> {
        match self.take() {
            None | Some(Value::Null) => None,
            Some(v) => Some(value_to_bytes(v)),
        }
    }
}

/// The flags and sizes of one conversion.
#[derive(Default)]
struct Spec {
    /// `-`.
    left: bool,
    /// `+` or space.
    sign: Option<char>,
    /// `#`.
    alternate: bool,
    /// `!`.
    alternate2: bool,
    /// `0`.
    zero_pad: bool,
    /// `,`.
    thousands: bool,
    /// Field width.
    width: usize,
    /// Precision, if given.
    precision: Option<usize>,
}

/// Checks a requested size against the string length limit.
fn limited(n: u64) -> Result<usize, FuncError> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_LENGTH)
        .ok_or(FuncError::TooBig)
}

/// Formats `format` with `values` as SQLite's printf does; the result is bytes (a `%.3s`
/// may cut a character, as in SQLite).
pub fn printf(format: &[u8], values: &[Value]) -> Result<Vec<u8>, FuncError> {
    let mut out: Vec<u8> = Vec::new();
    let mut args = Arguments { values, next: 0 };
    let mut i = 0;
    while i < format.len() {
        let c = format[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if i >= format.len() {
            out.push(b'%');
            break;
        }
        let mut spec = Spec::default();
        // Flags.
        while let Some(&c) = format.get(i) {
            match c {
                b'-' => spec.left = true,
                b'+' => spec.sign = Some('+'),
                b' ' => spec.sign = Some(' '),
                b'#' => spec.alternate = true,
                b'!' => spec.alternate2 = true,
                b'0' => spec.zero_pad = true,
                b',' => spec.thousands = true,
                _ => break,
            }
            i += 1;
        }
        // Width.
        if format.get(i) == Some(&b'*') {
            i += 1;
            let w = args.integer() as i32;
            if w < 0 {
                spec.left = true;
                spec.width = limited(u64::from(w.unsigned_abs()))?;
            } else {
                spec.width = limited(w as u64)?;
            }
        } else {
            let mut w: u64 = 0;
            while let Some(d) = format.get(i).filter(|d| d.is_ascii_digit()) {
                w = (w * 10 + u64::from(d - b'0')) & 0x7fff_ffff;
                i += 1;
            }
            spec.width = limited(w)?;
        }
        // Precision.
        if format.get(i) == Some(&b'.') {
            i += 1;
            if format.get(i) == Some(&b'*') {
                i += 1;
                let p = args.integer() as i32;
                spec.precision = if p < 0 {
                    if p == i32::MIN {
                        None
                    } else {
                        Some(limited(u64::from(p.unsigned_abs()))?)
                    }
                } else {
                    Some(limited(p as u64)?)
                };
            } else {
                let mut p: u64 = 0;
                while let Some(d) = format.get(i).filter(|d| d.is_ascii_digit()) {
                    p = (p * 10 + u64::from(d - b'0')) & 0x7fff_ffff;
                    i += 1;
                }
                spec.precision = Some(limited(p)?);
            }
        }
        // Length modifiers mean nothing to SQL values.
        while format.get(i) == Some(&b'l') {
            i += 1;
        }
        let Some(&conversion) = format.get(i) else {
            break;
        };
        i += 1;
        let field: Vec<u8> = match conversion {
            b'd' | b'i' | b'u' | b'x' | b'X' | b'o' | b'r' | b'p' => {
                integer_field(conversion, &mut spec, args.integer())?
            }
            b'f' | b'e' | b'E' | b'g' | b'G' => float_field(conversion, &spec, args.real()),
            b's' | b'z' => {
                let text = args.text().unwrap_or_default();
                let cut = match spec.precision {
                    Some(p) if spec.alternate2 => char_prefix_len(&text, p),
                    Some(p) => text.iter().take(p).take_while(|&&b| b != 0).count(),
                    None => text.iter().take_while(|&&b| b != 0).count(),
                };
                text.get(..cut).unwrap_or(&[]).to_vec()
            }
            b'q' | b'Q' | b'w' => escaped_field(conversion, &spec, args.text()),
            b'c' => {
                let text = args.text().unwrap_or_default();
                let first = text.get(..char_prefix_len(&text, 1)).unwrap_or(&[]);
                let first = if first.is_empty() { &[0u8][..] } else { first };
                let count = spec.precision.unwrap_or(1).max(1);
                spec.alternate2 = true;
                let total = first.len().saturating_mul(count);
                if total > MAX_LENGTH {
                    return Err(FuncError::TooBig);
                }
                first.repeat(count)
            }
            b'%' => b"%".to_vec(),
            b'n' => {
                spec.width = 0;
                Vec::new()
            }
            _ => break,
        };
        pad(&mut out, &field, &spec, conversion);
        if out.len() > MAX_LENGTH {
            return Err(FuncError::TooBig);
        }
    }
    Ok(out)
}

/// Bytes in the first `n` UTF-8 characters of `text` (stopping at a NUL).
fn char_prefix_len(text: &[u8], n: usize) -> usize {
    let mut at = 0;
    let mut chars = 0;
    while chars < n && at < text.len() && text[at] != 0 {
        at += 1;
        while at < text.len() && text[at] & 0xc0 == 0x80 {
            at += 1;
        }
        chars += 1;
    }
    at
}

/// Appends `field` padded with spaces to the width (which counts characters under `!`).
fn pad(out: &mut Vec<u8>, field: &[u8], spec: &Spec, conversion: u8) {
    let mut width = spec.width;
    if spec.alternate2 && matches!(conversion, b's' | b'z' | b'q' | b'Q' | b'w' | b'c') {
        width += field.iter().filter(|&&b| b & 0xc0 == 0x80).count();
    }
    let fill = width.saturating_sub(field.len());
    if !spec.left {
        out.resize(out.len() + fill, b' ');
    }
    out.extend_from_slice(field);
    if spec.left {
        out.resize(out.len() + fill, b' ');
    }
}

/// `%d %i %u %x %X %o` (and the ordinal `%r`): digits, precision zeros, separators, sign.
fn integer_field(conversion: u8, spec: &mut Spec, value: i64) -> Result<Vec<u8>, FuncError> {
    let signed = matches!(conversion, b'd' | b'i' | b'r');
    let (mut magnitude, prefix) = if signed {
        if value < 0 {
            (value.unsigned_abs(), Some('-'))
        } else {
            (value as u64, spec.sign)
        }
    } else {
        (value as u64, None)
    };
    let (base, upper, alternate_prefix): (u64, bool, &str) = match conversion {
        b'x' => (16, false, "0x"),
        b'X' => (16, true, "0X"),
        b'p' => (16, false, ""),
        b'o' => (8, false, "0"),
        _ => (10, false, ""),
    };
    let thousands = spec.thousands && base == 10 && conversion != b'r';
    let alternate = spec.alternate && magnitude != 0;
    let mut precision = spec.precision.unwrap_or(0);
    let prefix_len = usize::from(prefix.is_some());
    if spec.zero_pad && precision < spec.width.saturating_sub(prefix_len) {
        precision = spec.width - prefix_len;
    }
    let mut digits: Vec<u8> = Vec::new();
    let ordinal = if conversion == b'r' {
        let x = magnitude % 10;
        let suffix = if x >= 4 || (magnitude / 10) % 10 == 1 {
            "th"
        } else {
            ["th", "st", "nd", "rd"][x as usize]
        };
        Some(suffix)
    } else {
        None
    };
    loop {
        let d = (magnitude % base) as u8;
        digits.push(match d {
            0..=9 => b'0' + d,
            _ if upper => b'A' + d - 10,
            _ => b'a' + d - 10,
        });
        magnitude /= base;
        if magnitude == 0 {
            break;
        }
    }
    while digits.len() < precision {
        digits.push(b'0');
    }
    digits.reverse();
    if thousands {
        let mut grouped = Vec::with_capacity(digits.len() * 4 / 3 + 1);
        for (k, d) in digits.iter().enumerate() {
            if k > 0 && (digits.len() - k).is_multiple_of(3) {
                grouped.push(b',');
            }
            grouped.push(*d);
        }
        digits = grouped;
    }
    let mut field = Vec::with_capacity(digits.len() + 3);
    if let Some(p) = prefix {
        field.push(p as u8);
    }
    if alternate {
        field.extend_from_slice(alternate_prefix.as_bytes());
    }
    field.extend_from_slice(&digits);
    if let Some(s) = ordinal {
        field.extend_from_slice(s.as_bytes());
    }
    Ok(field)
}

/// `%f %e %E %g %G`, with zero padding inserted after the sign.
fn float_field(conversion: u8, spec: &Spec, value: f64) -> Vec<u8> {
    let style = match conversion {
        b'f' => FloatStyle::Fixed,
        b'e' | b'E' => FloatStyle::Exponent,
        _ => FloatStyle::General,
    };
    let text = format_float(
        value,
        &FloatFormat {
            style,
            precision: spec.precision,
            alternate: spec.alternate,
            alternate2: spec.alternate2,
            sign_prefix: spec.sign,
            thousands: spec.thousands,
            zero_pad: spec.zero_pad,
            upper: conversion.is_ascii_uppercase(),
        },
    );
    let mut field = text.into_bytes();
    let special = value.is_nan() || (value.is_infinite() && !spec.zero_pad);
    if spec.zero_pad && !spec.left && field.len() < spec.width && !special {
        let has_sign = matches!(field.first(), Some(b'-' | b'+' | b' '));
        let at = usize::from(has_sign);
        let zeros = spec.width - field.len();
        field.splice(at..at, vec![b'0'; zeros]);
    }
    field
}

/// `%q` (double `'`), `%Q` (and quote; NULL unquoted) and `%w` (double `"`); precision
/// limits the input bytes used.
fn escaped_field(conversion: u8, spec: &Spec, text: Option<Vec<u8>>) -> Vec<u8> {
    let quote = if conversion == b'w' { b'"' } else { b'\'' };
    let is_null = text.is_none();
    let input = text.unwrap_or_else(|| {
        if conversion == b'Q' {
            b"NULL".to_vec()
        } else {
            b"(NULL)".to_vec()
        }
    });
    let mut limit = input.iter().take_while(|&&b| b != 0).count();
    if let Some(p) = spec.precision {
        limit = if spec.alternate2 {
            char_prefix_len(&input, p)
        } else {
            limit.min(p)
        };
    }
    let needs_quotes = !is_null && conversion == b'Q';
    let mut field = Vec::with_capacity(limit + 2);
    if needs_quotes {
        field.push(quote);
    }
    for &b in input.get(..limit).unwrap_or(&[]) {
        field.push(b);
        if b == quote {
            field.push(b);
        }
    }
    if needs_quotes {
        field.push(quote);
    }
    field
}
