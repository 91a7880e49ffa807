//! Aggregate functions as accumulators: `step` per row, then `finalize`.
//!
//! `sum`, `total` and `avg` follow SQLite 3.46: integers are added exactly in i64 while all
//! inputs are integers; the first real input (or an i64 overflow) switches to a
//! Kahan-Babuska-Neumaier compensated f64 sum. `sum` over integers that overflowed is the
//! error "integer overflow" (unless a real came after, which makes the sum approximate
//! anyway); `total` never fails.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use concur_btree::{trim_spaces, Text, Value};

use super::error::FuncError;
use super::registry::Arity;
use crate::value::numeric::{parse_int, parse_real, to_real, IntForm, RealForm};
use crate::value::render::value_to_bytes;
use crate::value::{compare_values, Collation};

/// An aggregate in progress.
pub trait Accumulator: Send {
    /// Adds one row's arguments.
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError>;
    /// Adds one row's arguments, which the caller no longer needs: an accumulator that keeps
    /// an argument may take it instead of copying it. Default: [`Accumulator::step`].
    fn step_owned(&mut self, args: &mut [Value]) -> Result<(), FuncError> {
        self.step(args)
    }
    /// The aggregate's value over the rows stepped so far.
    fn finalize(&mut self) -> Result<Value, FuncError>;
    /// For a min or max: whether the last row stepped kept the value it had (the row did
    /// not win, or was NULL after a first value: SQLite's `sqlite3SkipAccumulatorLoad`,
    /// which keeps the row's bare columns from being captured). `None` for other
    /// aggregates, and for a row that DISTINCT did not pass on.
    fn skipped(&self) -> Option<bool> {
        None
    }
}

/// The built-in aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateKind {
    /// `count(*)`: rows.
    CountRows,
    /// `count(X)`: rows where X is not NULL.
    Count,
    /// `sum(X)`.
    Sum,
    /// `total(X)`.
    Total,
    /// `avg(X)`.
    Avg,
    /// `min(X)`.
    Min,
    /// `max(X)`.
    Max,
    /// `group_concat(X [, SEP])` and `string_agg(X, SEP)`.
    GroupConcat,
}

impl AggregateKind {
    /// Name, arity and kind of every built-in aggregate.
    pub const BUILTIN: [(&'static str, Arity, AggregateKind); 10] = [
        ("count", Arity::Exact(0), AggregateKind::CountRows),
        ("count", Arity::Exact(1), AggregateKind::Count),
        ("sum", Arity::Exact(1), AggregateKind::Sum),
        ("total", Arity::Exact(1), AggregateKind::Total),
        ("avg", Arity::Exact(1), AggregateKind::Avg),
        ("min", Arity::Exact(1), AggregateKind::Min),
        ("max", Arity::Exact(1), AggregateKind::Max),
        ("group_concat", Arity::Exact(1), AggregateKind::GroupConcat),
        ("group_concat", Arity::Exact(2), AggregateKind::GroupConcat),
        ("string_agg", Arity::Exact(2), AggregateKind::GroupConcat),
    ];

    /// A fresh accumulator; `collation` applies to `min` and `max`.
    pub fn accumulator(self, collation: Collation) -> Box<dyn Accumulator> {
        match self {
            AggregateKind::CountRows => Box::new(Count {
                rows: 0,
                all_rows: true,
            }),
            AggregateKind::Count => Box::new(Count {
                rows: 0,
                all_rows: false,
            }),
            AggregateKind::Sum => Box::new(Sum::new(SumResult::Sum)),
            AggregateKind::Total => Box::new(Sum::new(SumResult::Total)),
            AggregateKind::Avg => Box::new(Sum::new(SumResult::Avg)),
            AggregateKind::Min => Box::new(Extreme {
                best: None,
                want: Ordering::Less,
                collation,
                skipped: false,
            }),
            AggregateKind::Max => Box::new(Extreme {
                best: None,
                want: Ordering::Greater,
                collation,
                skipped: false,
            }),
            AggregateKind::GroupConcat => Box::new(GroupConcat { text: None }),
        }
    }
}

/// `count(*)` and `count(X)`.
struct Count {
    /// Rows counted.
    rows: i64,
    /// Count every row (`count(*)`), not only non-NULL arguments.
    all_rows: bool,
}

impl Accumulator for Count {
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError> {
        if self.all_rows || !matches!(args.first(), None | Some(Value::Null)) {
            self.rows += 1;
        }
        Ok(())
    }

    fn finalize(&mut self) -> Result<Value, FuncError> {
        Ok(Value::Integer(self.rows))
    }
}

/// Which of the three sums to produce.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SumResult {
    /// `sum`: integer while exact, NULL for no rows.
    Sum,
    /// `total`: always real, 0.0 for no rows.
    Total,
    /// `avg`: real, NULL for no rows.
    Avg,
}

/// The state shared by `sum`, `total` and `avg` (SQLite's `SumCtx`).
struct Sum {
    /// Which result.
    result: SumResult,
    /// The exact sum while every input was an integer.
    integer_sum: i64,
    /// The compensated sum once approximate.
    real_sum: f64,
    /// The running compensation term.
    error: f64,
    /// Non-NULL inputs.
    count: i64,
    /// A real input (or an overflow) made the sum approximate.
    approximate: bool,
    /// The integer sum overflowed (and no real input came after).
    overflowed: bool,
}

/// The numeric class of an aggregate input (`sqlite3_value_numeric_type`).
enum SumInput {
    /// NULL: ignored.
    Null,
    /// An integer.
    Integer(i64),
    /// Anything else, read as a real.
    Real(f64),
}

fn sum_input(value: &Value) -> SumInput {
    match value {
        Value::Null => SumInput::Null,
        Value::Integer(i) => SumInput::Integer(*i),
        Value::Real(r) => SumInput::Real(*r),
        Value::Text(t) => {
            let (real, form) = parse_real(t.as_bytes());
            if form == RealForm::PureInteger {
                if let (i, IntForm::Exact) = parse_int(t.as_bytes()) {
                    return SumInput::Integer(i);
                }
                let i = crate::value::numeric::real_to_i64(real);
                if crate::value::numeric::real_same_as_int(real, i) {
                    return SumInput::Integer(i);
                }
            }
            SumInput::Real(real)
        }
        Value::Blob(_) => SumInput::Real(to_real(value)),
    }
}

impl Sum {
    fn new(result: SumResult) -> Sum {
        Sum {
            result,
            integer_sum: 0,
            real_sum: 0.0,
            error: 0.0,
            count: 0,
            approximate: false,
            overflowed: false,
        }
    }

    /// One Kahan-Babuska-Neumaier step.
    fn add_real(&mut self, r: f64) {
        let s = self.real_sum;
        let t = s + r;
        if s.abs() > r.abs() {
            self.error += (s - t) + r;
        } else {
            self.error += (r - t) + s;
        }
        self.real_sum = t;
    }

    /// Adds an integer to the compensated sum without losing its low bits.
    fn add_integer_approximately(&mut self, i: i64) {
        if !(-4_503_599_627_370_495..=4_503_599_627_370_495).contains(&i) {
            let small = i % 16384;
            self.add_real((i - small) as f64);
            self.add_real(small as f64);
        } else {
            self.add_real(i as f64);
        }
    }

    /// Switches from the exact integer sum to the compensated real sum.
    fn start_approximate(&mut self) {
        let i = self.integer_sum;
        if !(-4_503_599_627_370_495..=4_503_599_627_370_495).contains(&i) {
            let small = i % 16384;
            self.real_sum = (i - small) as f64;
            self.error = small as f64;
        } else {
            self.real_sum = i as f64;
            self.error = 0.0;
        }
        self.approximate = true;
    }

    /// The compensated real value.
    fn real_value(&self) -> f64 {
        if self.error.is_finite() {
            self.real_sum + self.error
        } else {
            self.real_sum
        }
    }
}

impl Accumulator for Sum {
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError> {
        let input = sum_input(args.first().unwrap_or(&Value::Null));
        if matches!(input, SumInput::Null) {
            return Ok(());
        }
        self.count += 1;
        match input {
            SumInput::Null => {}
            SumInput::Integer(i) if !self.approximate => match self.integer_sum.checked_add(i) {
                Some(s) => self.integer_sum = s,
                None => {
                    self.overflowed = true;
                    self.start_approximate();
                    self.add_integer_approximately(i);
                }
            },
            SumInput::Integer(i) => self.add_integer_approximately(i),
            SumInput::Real(r) => {
                if self.approximate {
                    self.overflowed = false;
                } else {
                    self.start_approximate();
                }
                self.add_real(r);
            }
        }
        Ok(())
    }

    fn finalize(&mut self) -> Result<Value, FuncError> {
        // A NaN result (Inf + -Inf) is NULL, as sqlite3_result_double makes it.
        self.finalize_number().map(|v| match v {
            Value::Real(r) if r.is_nan() => Value::Null,
            other => other,
        })
    }
}

impl Sum {
    /// The result before NaN is mapped to NULL.
    fn finalize_number(&self) -> Result<Value, FuncError> {
        match self.result {
            SumResult::Sum if self.count == 0 => Ok(Value::Null),
            SumResult::Sum if self.overflowed => Err(FuncError::IntegerOverflow),
            SumResult::Sum if self.approximate => Ok(Value::Real(self.real_value())),
            SumResult::Sum => Ok(Value::Integer(self.integer_sum)),
            SumResult::Avg if self.count == 0 => Ok(Value::Null),
            SumResult::Avg | SumResult::Total => {
                let total = if self.approximate {
                    self.real_value()
                } else {
                    self.integer_sum as f64
                };
                if self.result == SumResult::Avg {
                    Ok(Value::Real(total / self.count as f64))
                } else {
                    Ok(Value::Real(total))
                }
            }
        }
    }
}

/// `min(X)` / `max(X)`: the first extreme non-NULL value.
struct Extreme {
    /// The best value so far.
    best: Option<Value>,
    /// `Less` for min, `Greater` for max.
    want: Ordering,
    /// How texts compare.
    collation: Collation,
    /// Whether the last step kept `best`.
    skipped: bool,
}

impl Extreme {
    /// Whether `v` takes the place of the best value so far (a NULL never does); records
    /// whether the row skipped.
    fn wins(&mut self, v: &Value) -> bool {
        let wins = match &self.best {
            _ if matches!(v, Value::Null) => false,
            None => true,
            Some(b) => compare_values(v, b, self.collation) == self.want,
        };
        // A NULL before any value does not count as a skip (SQLite's `minmaxStep`).
        self.skipped = !wins && self.best.is_some();
        wins
    }
}

impl Accumulator for Extreme {
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError> {
        let v = args.first().unwrap_or(&Value::Null);
        if self.wins(v) {
            self.best = Some(v.clone());
        }
        Ok(())
    }

    fn skipped(&self) -> Option<bool> {
        Some(self.skipped)
    }

    fn step_owned(&mut self, args: &mut [Value]) -> Result<(), FuncError> {
        let Some(v) = args.first_mut() else {
            return self.step(&[]);
        };
        if self.wins(v) {
            self.best = Some(std::mem::replace(v, Value::Null));
        }
        Ok(())
    }

    fn finalize(&mut self) -> Result<Value, FuncError> {
        Ok(self.best.clone().unwrap_or(Value::Null))
    }
}

/// `group_concat(X [, SEP])` / `string_agg(X, SEP)`.
struct GroupConcat {
    /// The bytes so far; `None` until the first non-NULL value.
    text: Option<Vec<u8>>,
}

impl Accumulator for GroupConcat {
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError> {
        let v = args.first().unwrap_or(&Value::Null);
        if matches!(v, Value::Null) {
            return Ok(());
        }
        let bytes = value_to_bytes(v);
        match &mut self.text {
            None => self.text = Some(bytes),
            Some(text) => {
                match args.get(1) {
                    None => text.push(b','),
                    Some(Value::Null) => {}
                    Some(sep) => text.extend_from_slice(&value_to_bytes(sep)),
                }
                text.extend_from_slice(&bytes);
                if text.len() > super::error::MAX_LENGTH {
                    return Err(FuncError::TooBig);
                }
            }
        }
        Ok(())
    }

    fn finalize(&mut self) -> Result<Value, FuncError> {
        Ok(match &self.text {
            None => Value::Null,
            Some(bytes) => Value::Text(Text::from_bytes(bytes.clone())),
        })
    }
}

/// A value under a collation, ordered as SQLite orders it, so that values equal under the
/// collation are equal keys (texts are folded or trimmed first; `1` and `1.0` are equal).
struct DistinctKey(Value);

impl DistinctKey {
    fn new(value: &Value, collation: Collation) -> DistinctKey {
        DistinctKey(match (value, collation) {
            (Value::Text(t), Collation::NoCase) => Value::Text(Text::from_bytes(
                concur_btree::nocase_bytes(t.as_bytes()).collect(),
            )),
            (Value::Text(t), Collation::Rtrim) => {
                Value::Text(Text::from_bytes(trim_spaces(t.as_bytes()).to_vec()))
            }
            (other, _) => other.clone(),
        })
    }
}

impl PartialEq for DistinctKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DistinctKey {}

impl PartialOrd for DistinctKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DistinctKey {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_values(&self.0, &other.0, Collation::Binary)
    }
}

/// `agg(DISTINCT X)`: passes each distinct first argument (under a collation) once.
pub struct Distinct {
    /// The wrapped aggregate.
    inner: Box<dyn Accumulator>,
    /// The distinct values seen.
    seen: BTreeSet<DistinctKey>,
    /// How values compare for distinctness.
    collation: Collation,
    /// Whether the last row's value was new (and went on to `inner`).
    passed: bool,
}

impl Distinct {
    /// Wraps `inner` so that repeated values of the first argument are skipped.
    pub fn new(inner: Box<dyn Accumulator>, collation: Collation) -> Distinct {
        Distinct {
            inner,
            seen: BTreeSet::new(),
            collation,
            passed: false,
        }
    }
}

impl Accumulator for Distinct {
    fn step(&mut self, args: &[Value]) -> Result<(), FuncError> {
        let v = args.first().unwrap_or(&Value::Null);
        self.passed = self.seen.insert(DistinctKey::new(v, self.collation));
        if self.passed {
            self.inner.step(args)
        } else {
            Ok(())
        }
    }

    fn finalize(&mut self) -> Result<Value, FuncError> {
        self.inner.finalize()
    }

    fn skipped(&self) -> Option<bool> {
        if self.passed {
            self.inner.skipped()
        } else {
            None
        }
    }
}
