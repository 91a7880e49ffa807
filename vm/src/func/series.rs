//! The table-valued function `generate_series(START, STOP, STEP)`, as SQLite's `series.c`
//! extension (3.46) computes it.
//!
//! The table has one visible column, `value`, and three hidden ones, `start`, `stop` and
//! `step`, which the function's arguments (or equality terms of WHERE on them) set:
//!
//! | argument | absent | NULL | otherwise |
//! | --- | --- | --- | --- |
//! | START | error: first argument missing | no rows | its integer value |
//! | STOP | 4294967295 | no rows | its integer value |
//! | STEP | 1 | no rows | its integer value; 0 means 1 |
//!
//! The rows are START, START+STEP, START+2*STEP, ... while they do not pass STOP: with a
//! positive step the sequence climbs to STOP (none when STOP < START), with a negative step
//! it falls to STOP (none when STOP > START). The step count is computed in unsigned 64-bit
//! arithmetic, so spans of the whole integer range neither overflow nor loop.

use concur_btree::Value;

use crate::value::numeric::to_integer;

/// The column names of `generate_series`, visible `value` first.
pub const SERIES_COLUMNS: [&str; 4] = ["value", "start", "stop", "step"];

/// STOP when it is not given (SQLite's default, 0xffffffff).
const DEFAULT_STOP: i64 = 0xffff_ffff;

/// One run of the sequence: where it is and where it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// START as given (the `start` column).
    start: i64,
    /// STOP as given (the `stop` column).
    stop: i64,
    /// The step (the `step` column).
    step: i64,
    /// Index of the last member (members are `start + step * i` for `i` in 0..=last).
    last: u64,
    /// Index of the current member.
    index: u64,
    /// The current member.
    value: i64,
    /// Whether the cursor is on a member.
    on_row: bool,
}

/// The unsigned distance from `low` to `high` (`high >= low`).
fn span(high: i64, low: i64) -> u64 {
    (high as u64).wrapping_sub(low as u64)
}

impl Series {
    /// The sequence for the given arguments (None: the argument was not given), positioned
    /// on its first member.
    pub fn new(start: Option<&Value>, stop: Option<&Value>, step: Option<&Value>) -> Series {
        let given = [start, stop, step];
        let null = given.iter().flatten().any(|v| matches!(v, Value::Null));
        let mut base = start.map_or(0, to_integer);
        let mut term = stop.map_or(DEFAULT_STOP, to_integer);
        let mut stride = match step.map_or(1, to_integer) {
            0 => 1,
            s => s,
        };
        let (shown_start, shown_stop) = (base, term);
        if null {
            (base, term, stride) = (1, 0, 1);
        }
        let (on_row, last) = if term < base {
            if stride < 0 {
                let distance = span(base, term);
                // A step of i64::MIN has no positive negation: SQLite then takes one more
                // member only when the span is the whole range.
                let last = match stride.checked_neg() {
                    Some(down) => distance / down as u64,
                    None => u64::from(distance == u64::MAX),
                };
                (true, last)
            } else {
                (false, 0)
            }
        } else if term > base {
            if stride > 0 {
                (true, span(term, base) / stride as u64)
            } else {
                (false, 0)
            }
        } else {
            (true, 0)
        };
        Series {
            start: shown_start,
            stop: shown_stop,
            step: stride,
            last,
            index: 0,
            value: base,
            on_row,
        }
    }

    /// Whether the cursor is on a member.
    pub fn on_row(&self) -> bool {
        self.on_row
    }

    /// Moves to the next member; returns whether there is one.
    pub fn advance(&mut self) -> bool {
        if self.on_row && self.index < self.last {
            self.index += 1;
            self.value = self.value.wrapping_add(self.step);
        } else {
            self.on_row = false;
        }
        self.on_row
    }

    /// Column `column` of the current row: value, start, stop, step.
    pub fn column(&self, column: usize) -> Value {
        Value::Integer(match column {
            1 => self.start,
            2 => self.stop,
            3 => self.step,
            _ => self.value,
        })
    }

    /// The rowid of the current row (the member itself, as SQLite reports it).
    pub fn rowid(&self) -> i64 {
        self.value
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// All members of the series over integer arguments.
    fn members(start: i64, stop: Option<i64>, step: Option<i64>) -> Vec<i64> {
        let (a, b, c) = (
            Value::Integer(start),
            stop.map(Value::Integer),
            step.map(Value::Integer),
        );
        let mut s = Series::new(Some(&a), b.as_ref(), c.as_ref());
        let mut out = Vec::new();
        while s.on_row() && out.len() < 100 {
            out.push(s.rowid());
            s.advance();
        }
        out
    }

    #[test]
    fn climbs_and_falls_to_stop() {
        assert_eq!(members(1, Some(5), None), vec![1, 2, 3, 4, 5]);
        assert_eq!(members(1, Some(10), Some(4)), vec![1, 5, 9]);
        assert_eq!(members(5, Some(1), Some(-2)), vec![5, 3, 1]);
        assert_eq!(members(5, Some(1), None), Vec::<i64>::new());
        assert_eq!(members(1, Some(5), Some(-1)), Vec::<i64>::new());
        assert_eq!(members(3, Some(3), Some(0)), vec![3]);
    }

    #[test]
    fn spans_of_the_whole_range_end() {
        let all = members(i64::MAX - 2, Some(i64::MAX), None);
        assert_eq!(all, vec![i64::MAX - 2, i64::MAX - 1, i64::MAX]);
        let down = members(i64::MIN + 2, Some(i64::MIN), Some(i64::MIN));
        assert_eq!(down, vec![i64::MIN + 2]);
    }
}
