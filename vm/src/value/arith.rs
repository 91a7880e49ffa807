//! Operators and conversions: arithmetic, bit operations, concatenation, CAST, truth.
//!
//! Arithmetic works on the numeric form of its operands (text and blobs are read by
//! [`super::numeric::text_to_number`], so `'12abc' + 1` is 13). When both operands are
//! integers the operation is done in i64, and an overflow redoes it in f64 (SQLite's rule:
//! `9223372036854775807 + 1` is `9.22337203685478e+18`). Division or remainder by zero gives
//! NULL, as does a real result that is NaN (`Inf - Inf`).

use concur_btree::{Text, Value};

use super::affinity::Affinity;
use super::numeric::{parse_real, text_to_numeric_cast, to_integer, to_number, to_real};
use super::render::{value_to_bytes, value_to_text};

/// A binary arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Subtract,
    /// `*`.
    Multiply,
    /// `/`.
    Divide,
    /// `%`.
    Remainder,
}

/// Evaluates `left op right` as SQLite's `OP_Add` .. `OP_Remainder` do.
pub fn arithmetic(left: &Value, op: ArithOp, right: &Value) -> Value {
    // Two integers, the common case, need no conversion.
    if let (Value::Integer(x), Value::Integer(y)) = (left, right) {
        match integer_arithmetic(*x, op, *y) {
            IntOutcome::Value(v) => return Value::Integer(v),
            IntOutcome::Null => return Value::Null,
            IntOutcome::Overflow => return real_arithmetic(left, op, right),
        }
    }
    let a = to_number(left);
    let b = to_number(right);
    match (&a, &b) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Integer(x), Value::Integer(y)) => match integer_arithmetic(*x, op, *y) {
            IntOutcome::Value(v) => Value::Integer(v),
            IntOutcome::Null => Value::Null,
            IntOutcome::Overflow => real_arithmetic(left, op, right),
        },
        _ => real_arithmetic(left, op, right),
    }
}

/// `x op y` when it is an integer: None when it divides by zero (NULL) or overflows (a
/// REAL), which [`arithmetic`] then decides.
#[inline]
pub fn exact_integer_arithmetic(x: i64, op: ArithOp, y: i64) -> Option<i64> {
    match integer_arithmetic(x, op, y) {
        IntOutcome::Value(v) => Some(v),
        IntOutcome::Null | IntOutcome::Overflow => None,
    }
}

/// The result of an operation done in i64.
enum IntOutcome {
    /// The exact result.
    Value(i64),
    /// Division or remainder by zero.
    Null,
    /// The result does not fit: redo in f64.
    Overflow,
}

/// Integer arithmetic with SQLite's special cases.
fn integer_arithmetic(x: i64, op: ArithOp, y: i64) -> IntOutcome {
    let checked = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Subtract => x.checked_sub(y),
        ArithOp::Multiply => x.checked_mul(y),
        ArithOp::Divide => {
            if y == 0 {
                return IntOutcome::Null;
            }
            x.checked_div(y)
        }
        ArithOp::Remainder => {
            if y == 0 {
                return IntOutcome::Null;
            }
            // x % -1 is 0, also for i64::MIN.
            let y = if y == -1 { 1 } else { y };
            x.checked_rem(y)
        }
    };
    match checked {
        Some(v) => IntOutcome::Value(v),
        None => IntOutcome::Overflow,
    }
}

/// Arithmetic in f64 (at least one operand real, or integer overflow). Text operands are
/// read again by the real reader (so `'-' * 1.0` is `-0.0`), and `%` takes the integer
/// values of its operands (`'1e3' % 7` is `1 % 7`), as SQLite does.
fn real_arithmetic(a: &Value, op: ArithOp, b: &Value) -> Value {
    let result = match op {
        ArithOp::Add => to_real(a) + to_real(b),
        ArithOp::Subtract => to_real(a) - to_real(b),
        ArithOp::Multiply => to_real(a) * to_real(b),
        ArithOp::Divide => {
            let divisor = to_real(b);
            if divisor == 0.0 {
                return Value::Null;
            }
            to_real(a) / divisor
        }
        ArithOp::Remainder => {
            // SQLite takes the remainder of the integer parts, as a real.
            let x = to_integer(a);
            let y = to_integer(b);
            if y == 0 {
                return Value::Null;
            }
            let y = if y == -1 { 1 } else { y };
            (x % y) as f64
        }
    };
    if result.is_nan() {
        Value::Null
    } else {
        Value::Real(result)
    }
}

/// A bit operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    /// `&`.
    And,
    /// `|`.
    Or,
    /// `<<`.
    ShiftLeft,
    /// `>>`.
    ShiftRight,
}

/// Evaluates a bit operator: both operands as integers (`'1.9' & 3` is 1), NULL if either is
/// NULL. A negative shift shifts the other way; shifts of 64 or more give 0 (or -1 for a
/// right shift of a negative number).
pub fn bit_operation(left: &Value, op: BitOp, right: &Value) -> Value {
    if matches!(left, Value::Null) || matches!(right, Value::Null) {
        return Value::Null;
    }
    let a = to_integer(left);
    let b = to_integer(right);
    let result = match op {
        BitOp::And => a & b,
        BitOp::Or => a | b,
        BitOp::ShiftLeft | BitOp::ShiftRight => {
            let mut left_shift = op == BitOp::ShiftLeft;
            let mut amount = b;
            if amount < 0 {
                left_shift = !left_shift;
                amount = if amount > -64 { -amount } else { 64 };
            }
            if amount >= 64 {
                if a >= 0 || left_shift {
                    0
                } else {
                    -1
                }
            } else if left_shift {
                ((a as u64) << amount) as i64
            } else {
                a >> amount
            }
        }
    };
    Value::Integer(result)
}

/// `~x`: the bitwise complement of x as an integer; NULL for NULL.
pub fn bit_not(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        other => Value::Integer(!to_integer(other)),
    }
}

/// Unary `-x`, evaluated as `0 - x` (so `-'abc'` is 0 and `-(-9223372036854775808)` is real).
pub fn negate(value: &Value) -> Value {
    arithmetic(&Value::Integer(0), ArithOp::Subtract, value)
}

/// `a || b`: the text forms concatenated; NULL if either is NULL.
pub fn concat(left: &Value, right: &Value) -> Value {
    if matches!(left, Value::Null) || matches!(right, Value::Null) {
        return Value::Null;
    }
    let mut bytes = value_to_bytes(left);
    bytes.extend_from_slice(&value_to_bytes(right));
    Value::Text(Text::from_bytes(bytes))
}

/// A value as a boolean (`sqlite3VdbeBooleanValue`): NULL is unknown (`None`); numbers are
/// true when non-zero; text and blobs are read as reals (`'1abc'` is true, `'abc'` false).
pub fn truth(value: &Value) -> Option<bool> {
    match value {
        Value::Null => None,
        Value::Integer(i) => Some(*i != 0),
        Value::Real(r) => Some(*r != 0.0),
        Value::Text(t) => Some(parse_real(t.as_bytes()).0 != 0.0),
        Value::Blob(b) => Some(parse_real(b).0 != 0.0),
    }
}

/// Turns a three-valued truth back into a value: 1, 0 or NULL.
pub fn truth_value(truth: Option<bool>) -> Value {
    match truth {
        Some(b) => Value::Integer(i64::from(b)),
        None => Value::Null,
    }
}

/// `NOT x` with three-valued logic.
pub fn not(value: &Value) -> Value {
    truth_value(truth(value).map(|b| !b))
}

/// `a AND b` with three-valued logic (false wins over NULL).
pub fn and(left: &Value, right: &Value) -> Value {
    truth_value(and_truth(truth(left), truth(right)))
}

/// `a OR b` with three-valued logic (true wins over NULL).
pub fn or(left: &Value, right: &Value) -> Value {
    truth_value(or_truth(truth(left), truth(right)))
}

/// AND of two three-valued truths (`None` is NULL): false wins over NULL.
pub fn and_truth(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// OR of two three-valued truths (`None` is NULL): true wins over NULL.
pub fn or_truth(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// `CAST(value AS type)` where the type name has the given affinity (see
/// [`Affinity::from_type_name`]). NULL stays NULL. INTEGER reads text with the integer
/// reader (`'1e3'` -> 1, saturating) and truncates reals (saturating); REAL reads the
/// numeric prefix of text (`'abc'` -> 0.0); NUMERIC gives an integer whenever the value is
/// exactly one; TEXT renders numbers; BLOB takes the bytes of the text form.
pub fn cast(value: &Value, affinity: Affinity) -> Value {
    if matches!(value, Value::Null) {
        return Value::Null;
    }
    match affinity {
        Affinity::Integer => Value::Integer(to_integer(value)),
        Affinity::Real => Value::Real(to_real(value)),
        Affinity::Numeric => match value {
            Value::Text(t) => text_to_numeric_cast(t.as_bytes()),
            Value::Blob(b) => text_to_numeric_cast(b),
            other => other.clone(),
        },
        Affinity::Text => Value::Text(value_to_text(value)),
        Affinity::Blob => Value::Blob(value_to_bytes(value)),
    }
}
