//! LIKE and GLOB pattern matching.
//!
//! | | LIKE | GLOB |
//! | --- | --- | --- |
//! | any sequence | `%` | `*` |
//! | one character | `_` | `?` |
//! | character class | (none) | `[a-z]`, `[^0-9]`, `[]x]` |
//! | case | ASCII letters fold | exact |
//! | escape | `ESCAPE 'c'` | (none; `[*]` matches a star) |
//!
//! Matching is by characters, read from the bytes as SQLite reads them (code points, not
//! Rust `char`s: broken UTF-8 reads as SQLite reads it, see [`crate::value::chars`]), and
//! runs in O(pattern x text) with the classic "remember the
//! last star" backtracking, so no pattern can take exponential time.

use concur_btree::Value;

use super::core::{arg, f};
use super::error::FuncError;
use super::registry::{Arity, FuncCall, ScalarFunction};
use super::text::c_text;
use crate::value::chars::code_points;

/// The functions of this file.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f("like", Arity::Exact(2), like_function),
    f("like", Arity::Exact(3), like_function),
    f("glob", Arity::Exact(2), glob_function),
];

/// SQLite's limit on the length of a LIKE or GLOB pattern, in bytes.
pub const MAX_PATTERN_LENGTH: usize = 50_000;

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// Any run of characters, possibly empty.
    AnySequence,
    /// Any single character.
    AnyOne,
    /// This character (already case-folded for LIKE).
    Literal(u32),
    /// A GLOB class: inclusive ranges, possibly negated.
    Class {
        /// `[^...]`.
        negated: bool,
        /// The ranges (a single character is a range of one).
        ranges: Vec<(u32, u32)>,
    },
    /// A pattern that cannot match anything from here (a dangling escape, an open `[`).
    Never,
}

/// Folds ASCII upper case to lower case (SQLite's LIKE ignores case for ASCII only).
fn fold(c: u32) -> u32 {
    if (u32::from(b'A')..=u32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// The code point of an ASCII character.
const fn ascii(c: u8) -> u32 {
    c as u32
}

/// Compiles a LIKE pattern.
fn compile_like(pattern: &[u8], escape: Option<u32>, no_case: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let points = code_points(pattern);
    let mut chars = points.iter().copied();
    while let Some(c) = chars.next() {
        let token = if Some(c) == escape {
            match chars.next() {
                Some(e) => Token::Literal(if no_case { fold(e) } else { e }),
                None => Token::Never,
            }
        } else if c == ascii(b'%') {
            Token::AnySequence
        } else if c == ascii(b'_') {
            Token::AnyOne
        } else {
            Token::Literal(if no_case { fold(c) } else { c })
        };
        tokens.push(token);
    }
    tokens
}

/// Compiles a GLOB pattern.
fn compile_glob(pattern: &[u8]) -> Vec<Token> {
    let chars = code_points(pattern);
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        let token = match c {
            c if c == ascii(b'*') => Token::AnySequence,
            c if c == ascii(b'?') => Token::AnyOne,
            c if c == ascii(b'[') => {
                let mut negated = false;
                if chars.get(i) == Some(&ascii(b'^')) {
                    negated = true;
                    i += 1;
                }
                let mut ranges = Vec::new();
                if chars.get(i) == Some(&ascii(b']')) {
                    ranges.push((ascii(b']'), ascii(b']')));
                    i += 1;
                }
                let mut closed = false;
                while let Some(&d) = chars.get(i) {
                    i += 1;
                    if d == ascii(b']') {
                        closed = true;
                        break;
                    }
                    match (chars.get(i), chars.get(i + 1)) {
                        (Some(&dash), Some(&hi)) if dash == ascii(b'-') && hi != ascii(b']') => {
                            ranges.push((d, hi));
                            i += 2;
                        }
                        _ => ranges.push((d, d)),
                    }
                }
                if closed {
                    Token::Class { negated, ranges }
                } else {
                    Token::Never
                }
            }
            other => Token::Literal(other),
        };
        tokens.push(token);
    }
    tokens
}

/// True when `token` (not a sequence) matches the single character `c`.
fn matches_one(token: &Token, c: u32, no_case: bool) -> bool {
    match token {
        Token::AnyOne => true,
        Token::Literal(l) => *l == if no_case { fold(c) } else { c },
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Token::AnySequence | Token::Never => false,
    }
}

/// Matches compiled `tokens` against the whole of `text`.
fn matches(tokens: &[Token], text: &[u32], no_case: bool) -> bool {
    let (mut t, mut s) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        match tokens.get(t) {
            Some(Token::AnySequence) => {
                star = Some((t, s));
                t += 1;
                continue;
            }
            Some(token) => {
                if let Some(&c) = text.get(s) {
                    if matches_one(token, c, no_case) {
                        t += 1;
                        s += 1;
                        continue;
                    }
                }
            }
            None => {
                if s == text.len() {
                    return true;
                }
            }
        }
        // Mismatch: let the last star swallow one more character, if it can.
        match star {
            Some((star_t, star_s)) if star_s < text.len() => {
                star = Some((star_t, star_s + 1));
                t = star_t + 1;
                s = star_s + 1;
            }
            _ => return false,
        }
    }
}

/// `text LIKE pattern [ESCAPE escape]`, case-insensitive for ASCII letters.
pub fn like(text: &[u8], pattern: &[u8], escape: Option<u32>) -> Result<bool, FuncError> {
    like_with_case(text, pattern, escape, false)
}

/// LIKE with the case rule chosen: `case_sensitive` is `PRAGMA case_sensitive_like=ON`.
pub fn like_with_case(
    text: &[u8],
    pattern: &[u8],
    escape: Option<u32>,
    case_sensitive: bool,
) -> Result<bool, FuncError> {
    if pattern.len() > MAX_PATTERN_LENGTH {
        return Err(FuncError::Message(
            "LIKE or GLOB pattern too complex".into(),
        ));
    }
    let no_case = !case_sensitive;
    let tokens = compile_like(pattern, escape, no_case);
    let text = code_points(text);
    Ok(matches(&tokens, &text, no_case))
}

/// `text GLOB pattern`.
pub fn glob(text: &[u8], pattern: &[u8]) -> Result<bool, FuncError> {
    if pattern.len() > MAX_PATTERN_LENGTH {
        return Err(FuncError::Message(
            "LIKE or GLOB pattern too complex".into(),
        ));
    }
    let tokens = compile_glob(pattern);
    let text = code_points(text);
    Ok(matches(&tokens, &text, false))
}

/// The character of an ESCAPE clause, `None` unless it is exactly one character.
pub fn escape_char(bytes: &[u8]) -> Option<u32> {
    match code_points(bytes).as_slice() {
        &[c] => Some(c),
        _ => None,
    }
}

/// `like(PATTERN, TEXT [, ESCAPE])`, the function behind `TEXT LIKE PATTERN`.
fn like_function(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let (pattern, text) = (arg(args, 0), arg(args, 1));
    let escape = match args.get(2) {
        None => None,
        Some(Value::Null) => return Ok(Value::Null),
        Some(e) => match escape_char(&c_text(e)) {
            Some(c) => Some(c),
            _ => {
                return Err(FuncError::Message(
                    "ESCAPE expression must be a single character".into(),
                ))
            }
        },
    };
    if matches!(pattern, Value::Null) || matches!(text, Value::Null) {
        return Ok(Value::Null);
    }
    let result = like(&c_text(text), &c_text(pattern), escape)?;
    Ok(Value::Integer(i64::from(result)))
}

/// `glob(PATTERN, TEXT)`, the function behind `TEXT GLOB PATTERN`.
fn glob_function(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let (pattern, text) = (arg(args, 0), arg(args, 1));
    if matches!(pattern, Value::Null) || matches!(text, Value::Null) {
        return Ok(Value::Null);
    }
    let result = glob(&c_text(text), &c_text(pattern))?;
    Ok(Value::Integer(i64::from(result)))
}
