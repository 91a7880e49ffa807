//! Core scalar functions: NULL handling, types, numbers, blobs and the connection counters.

use concur_btree::Value;

use super::error::{FuncError, MAX_LENGTH};
use super::registry::{Arity, FuncCall, ScalarFunction};
use crate::value::chars::code_points;
use crate::value::numeric::{parse_real, to_integer, to_real, RealForm};
use crate::value::render::{format_float, value_to_bytes, FloatFormat, FloatStyle};
use crate::value::{compare_values, quote, truth};

/// The functions of this file.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f("abs", Arity::Exact(1), abs),
    f("coalesce", Arity::AtLeast(2), coalesce),
    f("ifnull", Arity::Exact(2), coalesce),
    f("nullif", Arity::Exact(2), nullif),
    f("iif", Arity::Exact(3), iif),
    f("typeof", Arity::Exact(1), type_of),
    f("min", Arity::AtLeast(2), min),
    f("max", Arity::AtLeast(2), max),
    f("sign", Arity::Exact(1), sign),
    f("round", Arity::Exact(1), round),
    f("round", Arity::Exact(2), round),
    nondeterministic("random", Arity::Exact(0), random),
    nondeterministic("randomblob", Arity::Exact(1), random_blob),
    f("zeroblob", Arity::Exact(1), zero_blob),
    f("hex", Arity::Exact(1), hex),
    f("unhex", Arity::Exact(1), unhex),
    f("unhex", Arity::Exact(2), unhex),
    f("quote", Arity::Exact(1), quote_function),
    f("likely", Arity::Exact(1), first_argument),
    f("unlikely", Arity::Exact(1), first_argument),
    f("likelihood", Arity::Exact(2), first_argument),
    nondeterministic("changes", Arity::Exact(0), changes),
    nondeterministic("total_changes", Arity::Exact(0), total_changes),
    nondeterministic("last_insert_rowid", Arity::Exact(0), last_insert_rowid),
];

/// A deterministic function entry.
pub(crate) const fn f(
    name: &'static str,
    arity: Arity,
    body: super::registry::ScalarBody,
) -> ScalarFunction {
    ScalarFunction {
        name,
        arity,
        deterministic: true,
        body,
    }
}

/// A non-deterministic function entry.
pub(crate) const fn nondeterministic(
    name: &'static str,
    arity: Arity,
    body: super::registry::ScalarBody,
) -> ScalarFunction {
    ScalarFunction {
        name,
        arity,
        deterministic: false,
        body,
    }
}

/// The argument at `i`, NULL when absent (arity is checked before the call).
pub(crate) fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// `sqlite3_value_int`: the integer value truncated to 32 bits, as SQLite's C API does.
pub(crate) fn int32(value: &Value) -> i64 {
    i64::from(to_integer(value) as i32)
}

/// `abs(X)`: integers stay integers (`abs(-9223372036854775808)` is an error); anything else
/// is read as a real.
fn abs(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(match arg(args, 0) {
        Value::Null => Value::Null,
        Value::Integer(i) => Value::Integer(i.checked_abs().ok_or(FuncError::IntegerOverflow)?),
        // Not f64::abs: SQLite negates only values below zero, so -0.0 stays -0.0.
        other => {
            let r = to_real(other);
            Value::Real(if r < 0.0 { -r } else { r })
        }
    })
}

/// `coalesce(X, Y, ...)` and `ifnull(X, Y)`: the first argument that is not NULL.
fn coalesce(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(args
        .iter()
        .find(|v| !matches!(v, Value::Null))
        .cloned()
        .unwrap_or(Value::Null))
}

/// `nullif(X, Y)`: NULL when X equals Y (under the call's collation), else X.
fn nullif(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let (x, y) = (arg(args, 0), arg(args, 1));
    if compare_values(x, y, call.collation).is_eq() {
        Ok(Value::Null)
    } else {
        Ok(x.clone())
    }
}

/// `iif(X, Y, Z)`: Y when X is true, else Z.
fn iif(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(if truth(arg(args, 0)) == Some(true) {
        arg(args, 1).clone()
    } else {
        arg(args, 2).clone()
    })
}

/// `typeof(X)`: the storage class name.
fn type_of(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let name = match arg(args, 0) {
        Value::Null => "null",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Text(_) => "text",
        Value::Blob(_) => "blob",
    };
    Ok(Value::Text(name.to_string().into()))
}

/// The scalar `min`/`max`: NULL if any argument is NULL, else the extreme argument. On ties
/// `min` returns the last of the equal arguments and `max` the first, as SQLite does
/// (`min(-0.0, 0)` is the integer 0).
fn extreme(call: &FuncCall<'_>, args: &[Value], want: std::cmp::Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for v in args {
        if matches!(v, Value::Null) {
            return Value::Null;
        }
        best = match best {
            Some(b) => {
                let ordering = compare_values(v, b, call.collation);
                let take = if want == std::cmp::Ordering::Less {
                    ordering != std::cmp::Ordering::Greater
                } else {
                    ordering == std::cmp::Ordering::Greater
                };
                Some(if take { v } else { b })
            }
            None => Some(v),
        };
    }
    best.cloned().unwrap_or(Value::Null)
}

/// `min(X, Y, ...)`.
fn min(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(extreme(call, args, std::cmp::Ordering::Less))
}

/// `max(X, Y, ...)`.
fn max(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(extreme(call, args, std::cmp::Ordering::Greater))
}

/// `sign(X)`: -1, 0 or 1; NULL unless X is a number or a text that is wholly a number.
fn sign(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let x = match arg(args, 0) {
        Value::Integer(i) => *i as f64,
        Value::Real(r) => *r,
        Value::Text(t) => match parse_real(t.as_bytes()) {
            (r, RealForm::PureInteger | RealForm::PureReal) => r,
            _ => return Ok(Value::Null),
        },
        Value::Null | Value::Blob(_) => return Ok(Value::Null),
    };
    Ok(Value::Integer(if x < 0.0 {
        -1
    } else if x > 0.0 {
        1
    } else {
        0
    }))
}

/// `round(X [, N])`: always a real. With N = 0, half away from zero; with N > 0 (at most
/// 30), through SQLite's printf (`%!.Nf`) and back.
fn round(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let mut digits = 0;
    if args.len() == 2 {
        let n = arg(args, 1);
        if matches!(n, Value::Null) {
            return Ok(Value::Null);
        }
        digits = int32(n).clamp(0, 30);
    }
    let x = arg(args, 0);
    if matches!(x, Value::Null) {
        return Ok(Value::Null);
    }
    let r = to_real(x);
    let rounded = if !(-4_503_599_627_370_496.0..=4_503_599_627_370_496.0).contains(&r) {
        r
    } else if digits == 0 {
        ((r + if r < 0.0 { -0.5 } else { 0.5 }) as i64) as f64
    } else {
        let text = format_float(
            r,
            &FloatFormat {
                style: FloatStyle::Fixed,
                precision: Some(digits as usize),
                alternate: false,
                alternate2: true,
                sign_prefix: None,
                thousands: false,
                zero_pad: false,
                upper: false,
            },
        );
        parse_real(text.as_bytes()).0
    };
    Ok(Value::Real(rounded))
}

/// `random()`: a random integer.
fn random(call: &mut FuncCall<'_>, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Integer(call.context.random_u64() as i64))
}

/// The byte count argument of `randomblob`/`zeroblob`, checked against the length limit.
fn blob_length(value: &Value, minimum: i64) -> Result<usize, FuncError> {
    let n = to_integer(value).max(minimum);
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_LENGTH)
        .ok_or(FuncError::TooBig)
}

/// `randomblob(N)`: N random bytes (at least 1).
fn random_blob(call: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let n = blob_length(arg(args, 0), 1)?;
    let mut bytes = Vec::with_capacity(n);
    while bytes.len() < n {
        let word = call.context.random_u64().to_le_bytes();
        let take = (n - bytes.len()).min(8);
        bytes.extend_from_slice(word.get(..take).unwrap_or(&[]));
    }
    Ok(Value::Blob(bytes))
}

/// `zeroblob(N)`: N zero bytes (none for N < 0).
fn zero_blob(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Blob(vec![0; blob_length(arg(args, 0), 0)?]))
}

/// `hex(X)`: upper-case hex of the blob, or of the text form's UTF-8 bytes ('' for NULL).
fn hex(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let bytes = match arg(args, 0) {
        Value::Null => Vec::new(),
        other => value_to_bytes(other),
    };
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push_str(&format!("{b:02X}"));
    }
    Ok(Value::Text(out.into()))
}

/// `unhex(X [, Y])`: the blob whose hex is X, skipping characters of Y between byte pairs;
/// NULL if X has any other non-hex character or an odd hex digit.
fn unhex(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let hex = match arg(args, 0) {
        Value::Null => return Ok(Value::Null),
        other => value_to_bytes(other),
    };
    let pass: Vec<u32> = match args.get(1) {
        None => Vec::new(),
        Some(Value::Null) => return Ok(Value::Null),
        Some(other) => code_points(&value_to_bytes(other)),
    };
    let digits = code_points(&hex);
    let mut chars = digits.into_iter().take_while(|&c| c != 0);
    let hex_digit = |c: u32| char::from_u32(c).and_then(|c| c.to_digit(16));
    let mut out = Vec::with_capacity(hex.len() / 2);
    while let Some(c) = chars.next() {
        let Some(high) = hex_digit(c) else {
            if pass.contains(&c) {
                continue;
            }
            return Ok(Value::Null);
        };
        let Some(low) = chars.next().and_then(hex_digit) else {
            return Ok(Value::Null);
        };
        out.push(((high << 4) | low) as u8);
    }
    Ok(Value::Blob(out))
}

/// `quote(X)`: the SQL literal of X.
fn quote_function(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Text(quote(arg(args, 0))))
}

/// `likely(X)`, `unlikely(X)`, `likelihood(X, P)`: X itself (planner hints).
fn first_argument(_: &mut FuncCall<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(arg(args, 0).clone())
}

/// `changes()`.
fn changes(call: &mut FuncCall<'_>, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Integer(call.context.changes()))
}

/// `total_changes()`.
fn total_changes(call: &mut FuncCall<'_>, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Integer(call.context.total_changes()))
}

/// `last_insert_rowid()`.
fn last_insert_rowid(call: &mut FuncCall<'_>, _: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Integer(call.context.last_insert_rowid()))
}
