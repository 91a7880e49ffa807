//! Text and blob functions: lengths, case, substrings, trimming, searching, characters.
//!
//! Text functions work on characters (UTF-8 sequences, stepped over as SQLite steps over
//! them, also where the bytes are not UTF-8: see [`crate::value::chars`]), blob functions
//! on bytes. A number given to a text function is first turned into its text form. Where
//! SQLite treats text as a C string (`length`, `substr`, `unicode`), a NUL character ends
//! the text.

use concur_btree::{Text, Value};

use super::core::{arg, f, int32};
use super::error::{FuncError, MAX_LENGTH};
use super::registry::{Arity, FuncCall, ScalarFunction};
use crate::value::chars::{char_count, char_offset, char_slices, read_char, until_nul};
use crate::value::numeric::to_integer;
use crate::value::render::value_to_bytes;

/// The functions of this file.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f("length", Arity::Exact(1), length),
    f("octet_length", Arity::Exact(1), octet_length),
    f("lower", Arity::Exact(1), lower),
    f("upper", Arity::Exact(1), upper),
    f("substr", Arity::Exact(2), substr),
    f("substr", Arity::Exact(3), substr),
    f("substring", Arity::Exact(2), substr),
    f("substring", Arity::Exact(3), substr),
    f("trim", Arity::Exact(1), trim),
    f("trim", Arity::Exact(2), trim),
    f("ltrim", Arity::Exact(1), ltrim),
    f("ltrim", Arity::Exact(2), ltrim),
    f("rtrim", Arity::Exact(1), rtrim),
    f("rtrim", Arity::Exact(2), rtrim),
    f("replace", Arity::Exact(3), replace),
    f("instr", Arity::Exact(2), instr),
    f("char", Arity::AtLeast(0), char_function),
    f("unicode", Arity::Exact(1), unicode),
    f("concat", Arity::AtLeast(1), concat),
    f("concat_ws", Arity::AtLeast(2), concat_ws),
];

/// The bytes of a value's text form up to their first NUL (SQLite's C-string view of text).
pub(crate) fn c_text(value: &Value) -> Vec<u8> {
    let mut bytes = value_to_bytes(value);
    let end = until_nul(&bytes).len();
    bytes.truncate(end);
    bytes
}

/// [`c_text`] as a `String`, for the readers that parse it (dates and their modifiers):
/// bytes that are not UTF-8 read as U+FFFD, which no such reader accepts.
pub(crate) fn c_string(value: &Value) -> String {
    String::from_utf8_lossy(&c_text(value)).into_owned()
}

/// Text of the bytes SQLite would hand back as text.
fn text_from_bytes(bytes: Vec<u8>) -> Value {
    Value::Text(Text::from_bytes(bytes))
}

/// `length(X)`: characters of text (up to a NUL), bytes of a blob, characters of a
/// number's text form.
fn length(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        Value::Blob(b) => Value::Integer(b.len() as i64),
        other => Value::Integer(char_count(&c_text(other)) as i64),
    })
}

/// `octet_length(X)`: bytes of the value's text (or blob) form.
fn octet_length(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        other => Value::Integer(value_to_bytes(other).len() as i64),
    })
}

/// `lower(X)`: ASCII letters to lower case.
fn lower(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        other => text_from_bytes(value_to_bytes(other).to_ascii_lowercase()),
    })
}

/// `upper(X)`: ASCII letters to upper case.
fn upper(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        other => text_from_bytes(value_to_bytes(other).to_ascii_uppercase()),
    })
}

/// `substr(X, Y [, Z])`: Z characters (bytes, for a blob) of X starting at the Y-th, counting
/// from 1; a negative Y counts from the end, a negative Z takes the characters before Y,
/// Y = 0 is the position before the first character.
fn substr(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    if matches!(arg(args, 1), Value::Null)
        || (args.len() == 3 && matches!(arg(args, 2), Value::Null))
        || matches!(x, Value::Null)
    {
        return Ok(Value::Null);
    }
    // SQLite reads an empty blob as a NULL pointer and returns NULL.
    if matches!(x, Value::Blob(b) if b.is_empty()) {
        return Ok(Value::Null);
    }
    let mut start = int32(arg(args, 1));
    let mut count;
    let mut negative_count = false;
    if args.len() == 3 {
        count = int32(arg(args, 2));
        if count < 0 {
            count = -count;
            negative_count = true;
        }
    } else {
        count = MAX_LENGTH as i64;
    }
    let text = match x {
        Value::Blob(_) => None,
        other => Some(c_text(other)),
    };
    let len = match (&text, x) {
        (Some(t), _) => char_count(t) as i64,
        (None, Value::Blob(b)) => b.len() as i64,
        _ => 0,
    };
    if start < 0 {
        start += len;
        if start < 0 {
            count += start;
            if count < 0 {
                count = 0;
            }
            start = 0;
        }
    } else if start > 0 {
        start -= 1;
    } else if count > 0 {
        count -= 1;
    }
    if negative_count {
        start -= count;
        if start < 0 {
            count += start;
            start = 0;
        }
    }
    let start = start.max(0) as usize;
    let count = count.max(0) as usize;
    Ok(match (text, x) {
        (Some(t), _) => {
            let from = char_offset(&t, start);
            let to = from + char_offset(t.get(from..).unwrap_or(&[]), count);
            text_from_bytes(t.get(from..to).unwrap_or(&[]).to_vec())
        }
        (None, Value::Blob(b)) => {
            let from = start.min(b.len());
            let to = from.saturating_add(count).min(b.len());
            Value::Blob(b.get(from..to).unwrap_or(&[]).to_vec())
        }
        _ => Value::Null,
    })
}

/// Which ends `trim` works on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// `ltrim`.
    Left,
    /// `rtrim`.
    Right,
    /// `trim`.
    Both,
}

/// The trim family: removes characters of the set (default one space) from the ends.
fn trim_ends(args: &[Value], ends: Ends) -> Result<Value, FuncError> {
    let x = arg(args, 0);
    if matches!(x, Value::Null) {
        return Ok(Value::Null);
    }
    let set: Vec<Vec<u8>> = match args.get(1) {
        None => vec![b" ".to_vec()],
        Some(Value::Null) => return Ok(Value::Null),
        Some(chars) => char_slices(&c_text(chars)).map(<[u8]>::to_vec).collect(),
    };
    let bytes = value_to_bytes(x);
    let mut from = 0;
    let mut to = bytes.len();
    if !set.is_empty() {
        if ends != Ends::Right {
            while let Some(n) = set
                .iter()
                .find(|c| bytes.get(from..to).is_some_and(|s| s.starts_with(c)))
            {
                from += n.len();
            }
        }
        if ends != Ends::Left {
            while let Some(n) = set
                .iter()
                .find(|c| bytes.get(from..to).is_some_and(|s| s.ends_with(c)))
            {
                to -= n.len();
            }
        }
    }
    Ok(text_from_bytes(bytes.get(from..to).unwrap_or(&[]).to_vec()))
}

/// `trim(X [, Y])`.
fn trim(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    trim_ends(args, Ends::Both)
}

/// `ltrim(X [, Y])`.
fn ltrim(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    trim_ends(args, Ends::Left)
}

/// `rtrim(X [, Y])`.
fn rtrim(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    trim_ends(args, Ends::Right)
}

/// `replace(X, Y, Z)`: every Y in X replaced by Z (byte-wise, left to right); X itself when
/// Y is empty.
fn replace(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let (x, y, z) = (arg(args, 0), arg(args, 1), arg(args, 2));
    if matches!(x, Value::Null) || matches!(y, Value::Null) {
        return Ok(Value::Null);
    }
    let haystack = value_to_bytes(x);
    let pattern = value_to_bytes(y);
    if pattern.first().is_none_or(|&b| b == 0) {
        return Ok(text_from_bytes(haystack));
    }
    if matches!(z, Value::Null) {
        return Ok(Value::Null);
    }
    let replacement = value_to_bytes(z);
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack
            .get(i..)
            .is_some_and(|rest| rest.starts_with(&pattern))
        {
            out.extend_from_slice(&replacement);
            if out.len() > MAX_LENGTH {
                return Err(FuncError::TooBig);
            }
            i += pattern.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    Ok(text_from_bytes(out))
}

/// `instr(X, Y)`: the 1-based position of the first Y in X (characters for text, bytes when
/// both are blobs), 0 if absent.
fn instr(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let (x, y) = (arg(args, 0), arg(args, 1));
    if matches!(x, Value::Null) || matches!(y, Value::Null) {
        return Ok(Value::Null);
    }
    let haystack = value_to_bytes(x);
    let needle = value_to_bytes(y);
    if needle.is_empty() {
        return Ok(Value::Integer(1));
    }
    let both_blobs = matches!(x, Value::Blob(_)) && matches!(y, Value::Blob(_));
    let mut position = 1i64;
    let mut i = 0usize;
    while i + needle.len() <= haystack.len() {
        if haystack.get(i..i + needle.len()) == Some(&needle[..]) {
            return Ok(Value::Integer(position));
        }
        position += 1;
        i += 1;
        while !both_blobs && haystack.get(i).is_some_and(|b| b & 0xc0 == 0x80) {
            i += 1;
        }
    }
    Ok(Value::Integer(0))
}

/// `char(X, ...)`: the text of the given code points (U+FFFD for values out of range).
fn char_function(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let mut bytes = Vec::with_capacity(args.len() * 4);
    for v in args {
        let x = to_integer(v);
        let c = if !(0..=0x10ffff).contains(&x) {
            0xfffd
        } else {
            x as u32
        };
        // Encoded by hand, as SQLite does, so that surrogates come out as SQLite's bytes.
        if c < 0x80 {
            bytes.push(c as u8);
        } else if c < 0x800 {
            bytes.extend([0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]);
        } else if c < 0x10000 {
            bytes.extend([
                0xe0 | (c >> 12) as u8,
                0x80 | ((c >> 6) & 0x3f) as u8,
                0x80 | (c & 0x3f) as u8,
            ]);
        } else {
            bytes.extend([
                0xf0 | (c >> 18) as u8,
                0x80 | ((c >> 12) & 0x3f) as u8,
                0x80 | ((c >> 6) & 0x3f) as u8,
                0x80 | (c & 0x3f) as u8,
            ]);
        }
    }
    Ok(text_from_bytes(bytes))
}

/// `unicode(X)`: the code point of the first character of X; NULL for empty text.
fn unicode(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        other => match read_char(&c_text(other)) {
            Some((c, _)) => Value::Integer(i64::from(c)),
            None => Value::Null,
        },
    })
}

/// Joins the text forms of the non-empty, non-NULL `values` with `separator` (SQLite's
/// `concatFuncCore`: an empty value adds no separator either).
fn join(values: &[Value], separator: &[u8]) -> Value {
    let mut out: Vec<u8> = Vec::new();
    for v in values.iter().filter(|v| !matches!(v, Value::Null)) {
        let bytes = value_to_bytes(v);
        if bytes.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.extend_from_slice(separator);
        }
        out.extend_from_slice(&bytes);
    }
    text_from_bytes(out)
}

/// `concat(X, ...)`: the text forms of the non-NULL arguments, joined.
fn concat(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(join(args, b""))
}

/// `concat_ws(SEP, X, ...)`: the non-NULL, non-empty arguments joined by SEP; NULL if SEP
/// is NULL.
fn concat_ws(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        separator => join(args.get(1..).unwrap_or(&[]), &value_to_bytes(separator)),
    })
}
