//! Comparison: SQLite's order of values, collations, and three-valued comparison operators.

use std::cmp::Ordering;

use concur_btree::Value;

/// A collating sequence: how two texts compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Collation {
    /// Byte-wise comparison of the UTF-8 encodings (`memcmp`, then length).
    #[default]
    Binary,
    /// As BINARY after folding the 26 ASCII upper-case letters to lower case.
    NoCase,
    /// As BINARY after removing trailing spaces (U+0020 only).
    Rtrim,
}

impl Collation {
    /// The collation called `name` (case-insensitive), if it is one of the built-in three.
    pub fn from_name(name: &str) -> Option<Collation> {
        if name.eq_ignore_ascii_case("BINARY") {
            Some(Collation::Binary)
        } else if name.eq_ignore_ascii_case("NOCASE") {
            Some(Collation::NoCase)
        } else if name.eq_ignore_ascii_case("RTRIM") {
            Some(Collation::Rtrim)
        } else {
            None
        }
    }

    /// The same collation as the B-tree layer names it.
    pub fn to_btree(self) -> concur_btree::Collation {
        match self {
            Collation::Binary => concur_btree::Collation::Binary,
            Collation::NoCase => concur_btree::Collation::NoCase,
            Collation::Rtrim => concur_btree::Collation::RTrim,
        }
    }

    /// Compares two texts under this collation.
    pub fn compare(self, a: &[u8], b: &[u8]) -> Ordering {
        self.to_btree().compare_bytes(a, b)
    }
}

/// The rank of a value's storage class in SQLite's order: NULL, numbers, text, blob.
fn class_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Integer(_) | Value::Real(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    }
}

/// Compares an integer with a real exactly (no rounding of the integer to f64), as
/// `sqlite3IntFloatCompare`. A NaN sorts below every integer.
pub fn compare_int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    if r >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    let truncated = r as i64;
    match i.cmp(&truncated) {
        Ordering::Equal => {}
        other => return other,
    }
    // Same integer part: the fraction of r decides.
    let fraction = r - truncated as f64;
    if fraction > 0.0 {
        Ordering::Less
    } else if fraction < 0.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Compares two reals, with NaN below every other real (SQLite never stores NaN).
fn compare_reals(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()).reverse())
}

/// The total order SQLite sorts by (`sqlite3MemCompare`): NULL < numbers (integers and reals
/// compared exactly by value) < text (by `collation`) < blob (memcmp, then length).
pub fn compare_values(a: &Value, b: &Value, collation: Collation) -> Ordering {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Real(x), Value::Real(y)) => compare_reals(*x, *y),
        (Value::Integer(x), Value::Real(y)) => compare_int_real(*x, *y),
        (Value::Real(x), Value::Integer(y)) => compare_int_real(*y, *x).reverse(),
        (Value::Text(x), Value::Text(y)) => collation.compare(x.as_bytes(), y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class_rank(a).cmp(&class_rank(b)),
    }
}

/// A comparison operator of SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=` or `==`.
    Eq,
    /// `<>` or `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CompareOp {
    /// True when an ordering between left and right satisfies this operator.
    pub fn holds(self, ordering: Ordering) -> bool {
        match self {
            CompareOp::Eq => ordering == Ordering::Equal,
            CompareOp::Ne => ordering != Ordering::Equal,
            CompareOp::Lt => ordering == Ordering::Less,
            CompareOp::Le => ordering != Ordering::Greater,
            CompareOp::Gt => ordering == Ordering::Greater,
            CompareOp::Ge => ordering != Ordering::Less,
        }
    }
}

/// Evaluates `a op b` with three-valued logic: `None` (SQL NULL) when either side is NULL.
/// Affinity conversions must already have been applied (see
/// [`super::affinity::apply_comparison_affinity`]).
pub fn compare_op(a: &Value, op: CompareOp, b: &Value, collation: Collation) -> Option<bool> {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return None;
    }
    Some(op.holds(compare_values(a, b, collation)))
}

/// `a IS b`: like `=`, but NULL IS NULL is true and NULL IS x is false; never NULL.
pub fn is(a: &Value, b: &Value, collation: Collation) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => compare_values(a, b, collation) == Ordering::Equal,
    }
}

/// `a IS NOT b`: the negation of [`is`].
pub fn is_not(a: &Value, b: &Value, collation: Collation) -> bool {
    !is(a, b, collation)
}
