//! Column affinity: the type preference a column declares, and what it does to values.

use concur_btree::{Text, Value};

use super::numeric::{parse_int, parse_real, real_same_as_int, real_to_i64, IntForm, RealForm};
use super::render::value_to_text;

/// The five column affinities of SQLite (section 3.1 of the datatype documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Affinity {
    /// BLOB (also called "none"): values are stored as given.
    Blob,
    /// TEXT: numbers are converted to text.
    Text,
    /// NUMERIC: text that looks like a number becomes an integer when it is one exactly,
    /// else a real.
    Numeric,
    /// INTEGER: as NUMERIC (the difference only shows in CAST).
    Integer,
    /// REAL: as NUMERIC, then integers become reals.
    Real,
}

impl Affinity {
    /// The affinity of a column declared with type name `declared` (the five rules of
    /// section 3.1, applied in order, on the ASCII-uppercased name):
    /// contains "INT" -> INTEGER; "CHAR", "CLOB" or "TEXT" -> TEXT; "BLOB" or no type ->
    /// BLOB; "REAL", "FLOA" or "DOUB" -> REAL; anything else NUMERIC.
    pub fn from_type_name(declared: &str) -> Affinity {
        let upper = declared.to_ascii_uppercase();
        if upper.contains("INT") {
            Affinity::Integer
        } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
            Affinity::Text
        } else if upper.contains("BLOB") || upper.trim().is_empty() {
            Affinity::Blob
        } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    /// True for NUMERIC, INTEGER and REAL.
    pub fn is_numeric(self) -> bool {
        matches!(self, Affinity::Numeric | Affinity::Integer | Affinity::Real)
    }

    /// Converts `value` as storing it into a column of this affinity does.
    pub fn apply(self, value: Value) -> Value {
        match self {
            Affinity::Blob => value,
            Affinity::Text => match value {
                Value::Integer(_) | Value::Real(_) => Value::Text(value_to_text(&value)),
                other => other,
            },
            Affinity::Numeric | Affinity::Integer => match value {
                Value::Text(t) => text_to_column_number(t),
                Value::Real(r) => real_to_integer_if_exact(r),
                other => other,
            },
            // A real that is an integer is stored as one and read back as a real, so -0.0
            // comes back as 0.0.
            Affinity::Real => match value {
                Value::Text(t) => match text_to_column_number(t) {
                    Value::Integer(i) => Value::Real(i as f64),
                    other => other,
                },
                Value::Real(r) => match real_to_integer_if_exact(r) {
                    Value::Integer(i) => Value::Real(i as f64),
                    other => other,
                },
                Value::Integer(i) => Value::Real(i as f64),
                other => other,
            },
        }
    }
}

/// `applyNumericAffinity(.., 1)`: a text that is wholly a number becomes that number, as an
/// integer when it is one exactly (`'1e3'` -> 1000, `'1.0'` -> 1); other text stays text.
fn text_to_column_number(text: Text) -> Value {
    let (real, form) = parse_real(text.as_bytes());
    match form {
        RealForm::NotNumber | RealForm::RealPrefix => Value::Text(text),
        RealForm::PureInteger | RealForm::PureReal => {
            let int = real_to_i64(real);
            if form == RealForm::PureInteger && real_same_as_int(real, int) {
                return Value::Integer(int);
            }
            if form == RealForm::PureInteger {
                if let (i, IntForm::Exact) = parse_int(text.as_bytes()) {
                    return Value::Integer(i);
                }
            }
            real_to_integer_if_exact(real)
        }
    }
}

/// `sqlite3VdbeIntegerAffinity`: a real that is exactly an integer strictly inside the i64
/// range becomes that integer.
fn real_to_integer_if_exact(r: f64) -> Value {
    let int = real_to_i64(r);
    if r == int as f64 && int > i64::MIN && int < i64::MAX {
        Value::Integer(int)
    } else {
        Value::Real(r)
    }
}

/// The affinity of an expression operand, as the comparison rules see it: a column (or CAST)
/// has an affinity, any other expression has none.
pub type OperandAffinity = Option<Affinity>;

/// Whether the comparison affinity rules turn a number operand into text: one side has TEXT
/// affinity and the other none (see [`apply_comparison_affinity`]). When this is false, two
/// numbers compare as they are.
pub fn comparison_makes_text(
    left_affinity: OperandAffinity,
    right_affinity: OperandAffinity,
) -> bool {
    (left_affinity == Some(Affinity::Text) && right_affinity.is_none())
        || (right_affinity == Some(Affinity::Text) && left_affinity.is_none())
}

/// The affinity conversions applied to the two operands of a comparison (section 4.2):
/// if one operand has INTEGER, REAL or NUMERIC affinity and the other has TEXT, BLOB or no
/// affinity, NUMERIC affinity is applied to the other; else if one has TEXT affinity and the
/// other none, TEXT affinity is applied to the other. Returns the converted operands.
pub fn apply_comparison_affinity(
    left: Value,
    left_affinity: OperandAffinity,
    right: Value,
    right_affinity: OperandAffinity,
) -> (Value, Value) {
    let numeric = |a: OperandAffinity| a.is_some_and(Affinity::is_numeric);
    let textlike_or_none =
        |a: OperandAffinity| matches!(a, None | Some(Affinity::Text | Affinity::Blob));
    if numeric(left_affinity) && textlike_or_none(right_affinity) {
        return (left, Affinity::Numeric.apply(right));
    }
    if numeric(right_affinity) && textlike_or_none(left_affinity) {
        return (Affinity::Numeric.apply(left), right);
    }
    let none = |a: OperandAffinity| a.is_none();
    if left_affinity == Some(Affinity::Text) && none(right_affinity) {
        return (left, Affinity::Text.apply(right));
    }
    if right_affinity == Some(Affinity::Text) && none(left_affinity) {
        return (Affinity::Text.apply(left), right);
    }
    (left, right)
}
