//! How the two engines' answers must agree.
//!
//! Values agree when they have the same storage class and value; a REAL computed by a query
//! may differ in the last bits (summation order), so query results allow a relative error of
//! 1e-12, while stored table contents must be bit for bit equal. Where SQLite leaves a choice
//! (see [`super::select::Shape`]), the checker accepts every answer SQLite could have given,
//! and nothing else: rows are compared as multisets, in order where ORDER BY fixes one, and
//! loosely (under the column's collation) only where SQLite may pick any of equal values.

use std::cmp::Ordering;

use concur_btree::Value;

use super::schema::Coll;
use super::select::{OrderKey, Shape};

/// Storage class rank in SQLite's sort order: NULL, numbers, text, blob.
fn class(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Integer(_) | Value::Real(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    }
}

/// An integer against a real, exactly (no rounding of the integer).
fn int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r >= 9.223_372_036_854_776e18 {
        return Ordering::Less;
    }
    if r < -9.223_372_036_854_776e18 {
        return Ordering::Greater;
    }
    let t = r.trunc() as i64;
    match i.cmp(&t) {
        Ordering::Equal => 0.0f64
            .partial_cmp(&(r - r.trunc()))
            .unwrap_or(Ordering::Equal),
        o => o,
    }
}

/// Text bytes as collation `coll` sees them. NOCASE folds ASCII letters up to the first NUL
/// and no further: SQLite's `sqlite3StrNICmp` stops there, and past it only the length
/// counts, which zeros in place of the rest keep.
fn collate(s: &concur_btree::Text, coll: Coll) -> Vec<u8> {
    let s = s.as_bytes();
    let t = match coll {
        Coll::Rtrim | Coll::Loosest => {
            &s[..s.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1)]
        }
        _ => s,
    };
    match coll {
        Coll::Nocase | Coll::Loosest => {
            let nul = t.iter().position(|&b| b == 0).map_or(t.len(), |i| i + 1);
            let mut folded = t[..nul].to_ascii_lowercase();
            folded.resize(t.len(), 0);
            folded
        }
        _ => t.to_vec(),
    }
}

/// SQLite's comparison of two values under `coll` (NULLs equal each other and sort first).
pub fn sql_cmp(a: &Value, b: &Value, coll: Coll) -> Ordering {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Integer(x), Value::Real(y)) => int_real(*x, *y),
        (Value::Real(x), Value::Integer(y)) => int_real(*y, *x).reverse(),
        (Value::Text(x), Value::Text(y)) => collate(x, coll).cmp(&collate(y, coll)),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// Exact agreement: same class and value; when `tolerant`, reals within 1e-12 relative and
/// texts that are the same real in more than 17 significant digits (see
/// [`long_double_digits`]), else
/// bit for bit.
pub fn same_value(a: &Value, b: &Value, tolerant: bool) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) if tolerant => {
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Text(x), Value::Text(y)) if tolerant && x != y => {
            long_double_digits(&x.to_string_lossy(), &y.to_string_lossy())
        }
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Where SQLite leaves a choice: past the 17th significant digit, SQLite's text of a real
/// in more digits (`quote()`, `printf('%!.20e')`) comes from scaling in x87 long double, and
/// its last digits can differ from the exact ones concur prints. Such texts agree when they
/// have the same sign and exponent, the same first 17 digits, and read back as the same
/// f64. Their lengths may differ: `%!` drops trailing zeros, so where SQLite's last digit
/// came out 0 its text is a digit shorter (`9.94849289261468751e+22` against
/// `9.948492892614687509e+22`).
fn long_double_digits(x: &str, y: &str) -> bool {
    let parts = |s: &str| -> Option<(String, String)> {
        let (mantissa, exponent) = s.split_once('e')?;
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        (digits.len() > 17 && mantissa.trim_start_matches('-').chars().nth(1) == Some('.'))
            .then(|| (digits, exponent.to_string()))
    };
    let (Some((dx, ex)), Some((dy, ey))) = (parts(x), parts(y)) else {
        return false;
    };
    x.starts_with('-') == y.starts_with('-')
        && ex == ey
        && dx[..17] == dy[..17]
        && x.parse::<f64>()
            .ok()
            .is_some_and(|v| y.parse::<f64>().ok() == Some(v))
}

/// Whether two result values agree under `shape` in column `i`.
fn cell_matches(a: &Value, b: &Value, shape: &Shape, i: usize) -> bool {
    if same_value(a, b, true) {
        return true;
    }
    if shape.loose {
        let coll = shape.colls.get(i).copied().unwrap_or(Coll::Loosest);
        return sql_cmp(a, b, coll) == Ordering::Equal && class(a) == class(b);
    }
    false
}

/// Whether two result rows agree under `shape`.
fn row_matches(a: &[Value], b: &[Value], shape: &Shape) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .enumerate()
            .all(|(i, (x, y))| cell_matches(x, y, shape, i))
}

/// A total order for sorting rows before a multiset comparison.
fn canonical(a: &[Value], b: &[Value], shape: &Shape) -> Ordering {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let coll = if shape.loose {
            shape.colls.get(i).copied().unwrap_or(Coll::Loosest)
        } else {
            Coll::Binary
        };
        let o = sql_cmp(x, y, coll);
        if o != Ordering::Equal {
            return o;
        }
        if !shape.loose {
            let t = matches!(x, Value::Real(_)).cmp(&matches!(y, Value::Real(_)));
            if t != Ordering::Equal {
                return t;
            }
        }
    }
    a.len().cmp(&b.len())
}

/// Whether `ours` and `theirs` hold the same rows, in any order.
fn same_multiset(ours: &[Vec<Value>], theirs: &[Vec<Value>], shape: &Shape) -> bool {
    let mut a: Vec<&Vec<Value>> = ours.iter().collect();
    let mut b: Vec<&Vec<Value>> = theirs.iter().collect();
    a.sort_by(|x, y| canonical(x, y, shape));
    b.sort_by(|x, y| canonical(x, y, shape));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| row_matches(x, y, shape))
}

/// Two rows compared by the ORDER BY key.
fn key_cmp(a: &[Value], b: &[Value], keys: &[OrderKey]) -> Ordering {
    for k in keys {
        let (Some(x), Some(y)) = (a.get(k.column), b.get(k.column)) else {
            return Ordering::Equal;
        };
        let o = match (x, y) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Value::Null) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let o = sql_cmp(x, y, k.coll);
                if k.desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Splits sorted rows into runs tied on the key.
fn runs<'a>(rows: &'a [Vec<Value>], keys: &[OrderKey]) -> Vec<&'a [Vec<Value>]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len() || key_cmp(&rows[i - 1], &rows[i], keys) != Ordering::Equal {
            out.push(&rows[start..i]);
            start = i;
        }
    }
    out
}

/// Checks a query result of ours against SQLite's; the error says what differs.
pub fn check_rows(ours: &[Vec<Value>], theirs: &[Vec<Value>], shape: &Shape) -> Result<(), String> {
    if ours.len() != theirs.len() {
        return Err(format!("{} rows, SQLite {}", ours.len(), theirs.len()));
    }
    let Some(keys) = &shape.order else {
        return if same_multiset(ours, theirs, shape) {
            Ok(())
        } else {
            Err("different rows".into())
        };
    };
    for (i, w) in ours.windows(2).enumerate() {
        if key_cmp(&w[0], &w[1], keys) == Ordering::Greater {
            return Err(format!("rows {i} and {} out of ORDER BY order", i + 1));
        }
    }
    // Which of several rows equal under the result collation a DISTINCT, GROUP BY or
    // compound keeps is not specified (SQLite keeps whichever its plan meets first or last),
    // and the one kept may sort elsewhere under an ORDER BY with another collation
    // (`SELECT n ... UNION ... ORDER BY 1 COLLATE BINARY` over 'B' and 'b' of a NOCASE
    // column). Rows in ORDER BY order that match SQLite's as a loose multiset are then as
    // good an answer as SQLite's own; a LIMIT may cut a different set, so it gets no pass.
    if shape.loose && !shape.limited && same_multiset(ours, theirs, shape) {
        return Ok(());
    }
    let a = runs(ours, keys);
    let b = runs(theirs, keys);
    if a.len() != b.len() {
        return Err(format!(
            "{} groups of equal sort keys, SQLite {}",
            a.len(),
            b.len()
        ));
    }
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if x.len() != y.len() || key_cmp(&x[0], &y[0], keys) != Ordering::Equal {
            return Err(format!("sort group {i} differs"));
        }
        let edge = shape.limited && (i == 0 || i + 1 == a.len());
        if !edge && !same_multiset(x, y, shape) {
            return Err(format!("rows of sort group {i} differ"));
        }
    }
    Ok(())
}

/// Checks stored rows (in rowid order) exactly.
pub fn check_table(ours: &[Vec<Value>], theirs: &[Vec<Value>]) -> Result<(), String> {
    if ours.len() != theirs.len() {
        return Err(format!("{} rows, SQLite {}", ours.len(), theirs.len()));
    }
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        if a.len() != b.len() || !a.iter().zip(b).all(|(x, y)| same_value(x, y, false)) {
            return Err(format!(
                "row {i} differs: ours {}, SQLite {}",
                show_row(a),
                show_row(b)
            ));
        }
    }
    Ok(())
}

/// A value for a report, long texts and blobs shortened.
pub fn show(v: &Value) -> String {
    match v {
        Value::Text(t) if t.len() > 60 => {
            let t = t.to_string_lossy();
            let head: String = t.chars().take(40).collect();
            format!("Text({head:?}... {} chars)", t.chars().count())
        }
        Value::Blob(b) if b.len() > 24 => format!("Blob({:02x?}... {} bytes)", &b[..16], b.len()),
        Value::Real(r) => format!("Real({r:e})"),
        other => format!("{other:?}"),
    }
}

/// A row for a report.
pub fn show_row(r: &[Value]) -> String {
    let cells: Vec<String> = r.iter().map(show).collect();
    format!("[{}]", cells.join(", "))
}

/// Rows for a report (at most 30).
pub fn show_rows(rows: &[Vec<Value>]) -> String {
    let mut s: Vec<String> = rows.iter().take(30).map(|r| show_row(r)).collect();
    if rows.len() > 30 {
        s.push(format!("... {} rows", rows.len()));
    }
    s.join("\n    ")
}

#[cfg(test)]
mod tests {
    use super::long_double_digits;

    #[test]
    fn long_double_texts_agree_only_on_the_same_real() {
        // SQLite's last digit came out 0 and `%!` dropped it.
        assert!(long_double_digits(
            "9.94849289261468751e+22",
            "9.948492892614687509e+22"
        ));
        assert!(long_double_digits(
            "3.987028325365007715e+23",
            "3.987028325365007714e+23"
        ));
        // A different 17th digit, exponent or sign is a different answer.
        assert!(!long_double_digits(
            "9.948492892614687609e+22",
            "9.948492892614687509e+22"
        ));
        assert!(!long_double_digits(
            "9.948492892614687509e+21",
            "9.948492892614687509e+22"
        ));
        assert!(!long_double_digits(
            "-9.948492892614687509e+22",
            "9.948492892614687509e+22"
        ));
        // Texts of 17 digits or fewer are compared exactly elsewhere.
        assert!(!long_double_digits(
            "8.50705917302346e+37",
            "8.50705917302347e+37"
        ));
    }
}
