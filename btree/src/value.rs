//! SQL values: SQLite's five storage classes.

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
    /// UTF-8 text. Text read from a file that is not valid UTF-8 is converted lossily.
    Text(String),
    /// A byte string.
    Blob(Vec<u8>),
}
