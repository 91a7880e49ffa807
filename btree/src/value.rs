//! SQL values: SQLite's five storage classes, and how they compare.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use crate::collation::Collation;

/// One SQL value, as stored in a record and passed through the SQL layer.
///
/// Ordering across classes follows SQLite: NULL < INTEGER/REAL (compared numerically) < TEXT
/// (compared by a collation) < BLOB (compared with memcmp).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Integer(i64),
    /// An IEEE 754 double.
    Real(f64),
    /// Text: UTF-8 by intention, kept byte for byte as it was stored or made (see [`Text`]).
    Text(Text),
    /// A byte string.
    Blob(Vec<u8>),
}

impl Value {
    /// The rank of the value's storage class in SQLite's cross-class order.
    fn class_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }

    /// Compares two values as SQLite sorts them, TEXT under `collation`.
    ///
    /// Two NULLs compare equal here (as in an index or ORDER BY); SQL's `=` on NULL is the
    /// SQL layer's business.
    pub fn compare(&self, other: &Value, collation: Collation) -> Ordering {
        match (self, other) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
            (Value::Real(a), Value::Real(b)) => compare_reals(*a, *b),
            (Value::Integer(i), Value::Real(r)) => compare_int_real(*i, *r),
            (Value::Real(r), Value::Integer(i)) => compare_int_real(*i, *r).reverse(),
            (Value::Text(a), Value::Text(b)) => collation.compare_bytes(a.as_bytes(), b.as_bytes()),
            (Value::Blob(a), Value::Blob(b)) => a.cmp(b),
            _ => self.class_rank().cmp(&other.class_rank()),
        }
    }
}

/// The bytes of a TEXT value.
///
/// SQLite never checks that text is UTF-8: a file may hold any bytes as text (`CAST(x'ff' AS
/// TEXT)` makes such a value), and its functions read broken sequences by fixed rules. So a
/// `Text` keeps its bytes exactly, and a row that is read and written back stays as it was.
/// [`Text::to_str`] gives the text as a `str` when it is valid UTF-8;
/// [`Text::to_string_lossy`] always does, with U+FFFD for what is not.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(Vec<u8>);

impl Text {
    /// Text of exactly these bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Text {
        Text(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text as a `str`, or `None` when its bytes are not valid UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The text as a `str`, every invalid sequence replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s.into_bytes())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.as_bytes().to_vec())
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text(s.as_bytes().to_vec())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for Text {
    /// As a string's `Debug`; bytes that are not UTF-8 show as `\xNN` escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_str() {
            Some(s) => fmt::Debug::fmt(s, f),
            None => write!(f, "\"{}\"", self.0.escape_ascii()),
        }
    }
}

impl fmt::Display for Text {
    /// The text, invalid sequences as U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

/// Orders two doubles; NaN (which SQLite never stores: it becomes NULL) sorts below every
/// number so that the order stays total.
fn compare_reals(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Compares an integer with a double exactly, the way SQLite does without long double: no
/// precision is lost for integers beyond 2^53.
pub fn compare_int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    // -2^63 is exactly representable; everything below it is below every i64.
    if r < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    if r >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    // r is now within i64 range, so truncation toward zero is exact for its integer part.
    let truncated = r as i64;
    match i.cmp(&truncated) {
        Ordering::Equal => {}
        unequal => return unequal,
    }
    // Same integer part: the fractional part of r decides. i as f64 is exact when i equals
    // trunc(r), because trunc(r) is itself a double.
    let as_real = i as f64;
    compare_reals(as_real, r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn classes_order_null_numbers_text_blob() {
        let ordered = [
            Value::Null,
            Value::Integer(-5),
            Value::Real(-4.5),
            Value::Integer(3),
            Value::Real(3.5),
            Value::Text("a".into()),
            Value::Text("b".into()),
            Value::Blob(vec![]),
            Value::Blob(vec![0]),
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(a.compare(b, Collation::Binary), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn large_integers_compare_exactly_with_doubles() {
        let big = 9_007_199_254_740_993i64; // 2^53 + 1: not representable as f64
        let r = 9_007_199_254_740_992.0f64; // 2^53
        assert_eq!(compare_int_real(big, r), Ordering::Greater);
        assert_eq!(compare_int_real(big - 1, r), Ordering::Equal);
        assert_eq!(
            compare_int_real(i64::MAX, 9_223_372_036_854_775_808.0),
            Ordering::Less
        );
        assert_eq!(
            compare_int_real(i64::MIN, -9_223_372_036_854_775_808.0),
            Ordering::Equal
        );
        assert_eq!(compare_int_real(i64::MIN, -1e19), Ordering::Greater);
        assert_eq!(compare_int_real(-1, -0.5), Ordering::Less);
        assert_eq!(compare_int_real(0, -0.5), Ordering::Greater);
        assert_eq!(compare_int_real(2, 2.0), Ordering::Equal);
    }
}
