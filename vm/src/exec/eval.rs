//! Evaluating compiled expressions.

use std::borrow::Cow;

use concur_btree::Value;

use super::{internal, Cursor, Env, Vm};
use crate::ast::{RaiseAction, UnaryOp};
use crate::error::{Error, Result};
use crate::func::pattern::{glob, like};
use crate::func::FuncCall;
use crate::program::{BinOp, Expr, IntOperand, Program};
use crate::storage::code;
use crate::value::{
    and, and_truth, apply_comparison_affinity, arithmetic, bit_not, bit_operation, cast,
    compare_op, compare_values, comparison_makes_text, concat, exact_integer_arithmetic, is,
    is_not, negate, not, or, or_truth, truth, truth_value, value_to_string, Affinity, ArithOp,
    Collation, CompareOp,
};

/// Compares `a` and `b` (with their affinities) by `op`, three-valued.
fn compare(
    a: Value,
    a_affinity: Option<Affinity>,
    b: Value,
    b_affinity: Option<Affinity>,
    op: CompareOp,
    collation: Collation,
) -> Option<bool> {
    let (a, b) = apply_comparison_affinity(a, a_affinity, b, b_affinity);
    compare_op(&a, op, &b, collation)
}

impl Vm {
    /// The values of uncorrelated subprogram `sub`'s result (in ephemeral table `eph`) as an
    /// `IN (SELECT ...)` probes them: the first column with `affinity` applied, NULLs first,
    /// then in `collation`'s order, as SQLite's ephemeral index of the values holds them.
    /// Built on the first probe after each run of the subprogram, so that each probe is a
    /// binary search instead of a pass over every row. None when there is no such
    /// subprogram.
    fn in_set(
        &mut self,
        sub: usize,
        eph: usize,
        affinity: Option<Affinity>,
        collation: Collation,
    ) -> Option<&[Value]> {
        let rows = self.ephs.get(eph)?;
        let set = self.in_sets.get_mut(sub)?;
        let values = set.get_or_insert_with(|| {
            let mut values: Vec<Value> = rows
                .iter()
                .map(|row| {
                    let v = row.first().cloned().unwrap_or(Value::Null);
                    affinity.map_or(v.clone(), |a| a.apply(v))
                })
                .collect();
            values.sort_by(|a, b| compare_values(a, b, collation));
            values
        });
        Some(values)
    }

    /// Evaluates `e`, borrowing it when it is a constant (the right operand of most
    /// comparisons and arithmetic), which saves a call and a copy per row.
    #[inline]
    fn operand<'p>(
        &mut self,
        program: &Program,
        e: &'p Expr,
        env: &mut Env<'_>,
    ) -> Result<Cow<'p, Value>> {
        match e {
            Expr::Const(v) => Ok(Cow::Borrowed(v)),
            _ => self.leaf(program, e, env).map(Cow::Owned),
        }
    }

    /// Column `column` of the row under `cursor` (its rowid when `rowid`), NULL on the
    /// NULL row of an outer join.
    fn column_of(&mut self, cursor: usize, column: usize, rowid: bool) -> Result<Value> {
        Ok(match self.cursor(cursor)? {
            Cursor::Table { null: true, .. } | Cursor::Series { null: true, .. } => Value::Null,
            Cursor::Table { inner, .. } if rowid => Value::Integer(inner.rowid()?),
            Cursor::Table { inner, .. } => inner.column(column)?,
            Cursor::Series { series, .. } if rowid => Value::Integer(series.rowid()),
            Cursor::Series { series, .. } => series.column(column),
            _ => return Err(internal("column of a non-table cursor")),
        })
    }

    /// Evaluates `e`, reading a column or doing arithmetic without a call of [`Vm::eval`]
    /// (whose frame is much larger): the operands of most comparisons and arithmetic, and
    /// most result columns.
    #[inline]
    pub(super) fn leaf(&mut self, program: &Program, e: &Expr, env: &mut Env<'_>) -> Result<Value> {
        match e {
            Expr::Column {
                cursor,
                column,
                rowid,
            } => self.column_of(*cursor, *column, *rowid),
            Expr::Binary(BinOp::Arith(op), a, b) => self.arithmetic_of(program, *op, a, b, env),
            _ => self.eval(program, e, env),
        }
    }

    /// `e` when it is an integer that is cheap to find: an integer constant, an integer in
    /// a column (or a rowid), or integer arithmetic on such operands that neither
    /// overflows nor divides by zero. None when the general evaluation must decide, also
    /// on an error, which that evaluation then meets: the expressions read here have no
    /// effects, so evaluating them again is safe. Inline, so that a constant costs a test;
    /// columns and arithmetic have small frames of their own.
    #[inline(always)]
    fn integer_of(&mut self, e: &Expr) -> Option<i64> {
        match e {
            Expr::Const(Value::Integer(i)) => Some(*i),
            Expr::Column {
                cursor,
                column,
                rowid,
            } => self.integer_column(*cursor, *column, *rowid),
            Expr::Binary(BinOp::Arith(op), a, b) => self.integer_arithmetic(*op, a, b),
            _ => None,
        }
    }

    /// The integer of an [`IntOperand`]; None when a column or rowid it reads is not an
    /// integer (or NULL, or on the NULL row), or when its arithmetic overflows or divides
    /// by zero: the caller then evaluates the whole expression.
    pub(super) fn int_operand(&mut self, o: &IntOperand) -> Option<i64> {
        match o {
            IntOperand::Arith(op, a, b) => {
                let x = self.int_leaf(a)?;
                let y = self.int_leaf(b)?;
                exact_integer_arithmetic(x, *op, y)
            }
            _ => self.int_leaf(o),
        }
    }

    /// [`Vm::int_operand`] inline for the leaves (constants, columns, rowids), so that
    /// `column op constant` takes no call per operand.
    #[inline(always)]
    fn int_leaf(&mut self, o: &IntOperand) -> Option<i64> {
        match o {
            IntOperand::Const(i) => Some(*i),
            IntOperand::Column { cursor, column } => match self.cursors.get_mut(*cursor) {
                Some(Some(Cursor::Table { inner, null: false })) => {
                    inner.column_integer(*column).ok().flatten()
                }
                _ => None,
            },
            IntOperand::Rowid(cursor) => self.integer_column(*cursor, 0, true),
            IntOperand::Arith(..) => self.int_operand(o),
        }
    }

    /// [`Vm::integer_of`] for a column.
    #[inline(never)]
    fn integer_column(&mut self, cursor: usize, column: usize, rowid: bool) -> Option<i64> {
        match self.cursors.get_mut(cursor) {
            Some(Some(Cursor::Table { inner, null: false })) => {
                if rowid {
                    inner.rowid().ok()
                } else {
                    inner.column_integer(column).ok().flatten()
                }
            }
            _ => None,
        }
    }

    /// [`Vm::integer_of`] for `a op b`.
    #[inline(never)]
    fn integer_arithmetic(&mut self, op: ArithOp, a: &Expr, b: &Expr) -> Option<i64> {
        let x = self.integer_of(a)?;
        let y = self.integer_of(b)?;
        exact_integer_arithmetic(x, op, y)
    }

    /// `a op b`, in a frame of its own, small next to [`Vm::eval`]'s.
    #[inline(never)]
    fn arithmetic_of(
        &mut self,
        program: &Program,
        op: ArithOp,
        a: &Expr,
        b: &Expr,
        env: &mut Env<'_>,
    ) -> Result<Value> {
        let l = self.leaf(program, a, env)?;
        let r = self.operand(program, b, env)?;
        Ok(arithmetic(&l, op, &r))
    }

    /// Evaluates `e` as a condition (WHERE, ON, HAVING, WHEN): true, false or NULL
    /// (`None`). Comparisons and their AND/OR/NOT combinations are decided without building
    /// a value for each step; anything else is evaluated and its truth taken.
    pub(super) fn eval_truth(
        &mut self,
        program: &Program,
        e: &Expr,
        env: &mut Env<'_>,
    ) -> Result<Option<bool>> {
        match e {
            Expr::Compare {
                op,
                is: is_op,
                left,
                right,
                left_affinity,
                right_affinity,
                collation,
            } => {
                // Two integers compare as they are (collation and IS only matter for other
                // classes), unless an affinity would turn one into text: first without
                // building values, when both sides are integer columns, constants or
                // arithmetic on them.
                let makes_text = comparison_makes_text(*left_affinity, *right_affinity);
                if !makes_text {
                    if let Some(x) = self.integer_of(left) {
                        if let Some(y) = self.integer_of(right) {
                            return Ok(Some(op.holds(x.cmp(&y))));
                        }
                    }
                }
                let l = self.leaf(program, left, env)?;
                let r = self.operand(program, right, env)?;
                if let (Value::Integer(x), Value::Integer(y)) = (&l, &*r) {
                    if !makes_text {
                        return Ok(Some(op.holds(x.cmp(y))));
                    }
                }
                let (l, r) =
                    apply_comparison_affinity(l, *left_affinity, r.into_owned(), *right_affinity);
                Ok(if *is_op {
                    Some(if *op == CompareOp::Eq {
                        is(&l, &r, *collation)
                    } else {
                        is_not(&l, &r, *collation)
                    })
                } else {
                    compare_op(&l, *op, &r, *collation)
                })
            }
            Expr::Binary(BinOp::And, a, b) => {
                let l = self.eval_truth(program, a, env)?;
                if l == Some(false) {
                    return Ok(l);
                }
                let r = self.eval_truth(program, b, env)?;
                Ok(and_truth(l, r))
            }
            Expr::Binary(BinOp::Or, a, b) => {
                let l = self.eval_truth(program, a, env)?;
                if l == Some(true) {
                    return Ok(l);
                }
                let r = self.eval_truth(program, b, env)?;
                Ok(or_truth(l, r))
            }
            Expr::Unary(UnaryOp::Not, x) => Ok(self.eval_truth(program, x, env)?.map(|t| !t)),
            _ => Ok(truth(&self.eval(program, e, env)?)),
        }
    }

    /// Evaluates `e`.
    pub(super) fn eval(&mut self, program: &Program, e: &Expr, env: &mut Env<'_>) -> Result<Value> {
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Param(i) => env
                .params
                .get(i.wrapping_sub(1))
                .cloned()
                .unwrap_or(Value::Null),
            Expr::Reg(r) => self.regs.get(*r).cloned().unwrap_or(Value::Null),
            Expr::Column {
                cursor,
                column,
                rowid,
            } => self.column_of(*cursor, *column, *rowid)?,
            Expr::Rowid(cursor) => match self.cursor(*cursor)? {
                Cursor::Table { inner, null } => {
                    if *null {
                        Value::Null
                    } else {
                        Value::Integer(inner.rowid()?)
                    }
                }
                Cursor::Series { series, null } => {
                    if *null {
                        Value::Null
                    } else {
                        Value::Integer(series.rowid())
                    }
                }
                _ => return Err(internal("rowid of a non-table cursor")),
            },
            Expr::IdxColumn { cursor, column } => match self.cursor(*cursor)? {
                Cursor::Index { inner, null, .. } => {
                    if *null {
                        Value::Null
                    } else {
                        inner.key()?.get(*column).cloned().unwrap_or(Value::Null)
                    }
                }
                _ => return Err(internal("index column of a non-index cursor")),
            },
            Expr::EphColumn { cursor, column } => {
                let (eph, pos, null) = match self.cursor(*cursor)? {
                    Cursor::Ephemeral { eph, pos, null } => (*eph, *pos, *null),
                    _ => return Err(internal("ephemeral column of another cursor")),
                };
                if null {
                    Value::Null
                } else {
                    self.ephs
                        .get(eph)
                        .and_then(|rows| rows.get(pos))
                        .and_then(|row| row.get(*column))
                        .cloned()
                        .unwrap_or(Value::Null)
                }
            }
            Expr::Unary(op, x) => {
                let v = self.eval(program, x, env)?;
                match op {
                    UnaryOp::Negate => negate(&v),
                    UnaryOp::Plus => v,
                    UnaryOp::BitNot => bit_not(&v),
                    UnaryOp::Not => not(&v),
                }
            }
            Expr::Binary(op, a, b) => {
                let l = self.leaf(program, a, env)?;
                match op {
                    BinOp::And => {
                        if truth(&l) == Some(false) {
                            return Ok(Value::Integer(0));
                        }
                        let r = self.eval(program, b, env)?;
                        and(&l, &r)
                    }
                    BinOp::Or => {
                        if truth(&l) == Some(true) {
                            return Ok(Value::Integer(1));
                        }
                        let r = self.eval(program, b, env)?;
                        or(&l, &r)
                    }
                    BinOp::Arith(op) => {
                        let r = self.operand(program, b, env)?;
                        arithmetic(&l, *op, &r)
                    }
                    BinOp::Bit(op) => {
                        let r = self.eval(program, b, env)?;
                        bit_operation(&l, *op, &r)
                    }
                    BinOp::Concat => {
                        let r = self.eval(program, b, env)?;
                        concat(&l, &r)
                    }
                }
            }
            Expr::Compare { .. } => truth_value(self.eval_truth(program, e, env)?),
            Expr::Between {
                negated,
                expr,
                low,
                high,
                affinities,
                collation,
            } => {
                let x = self.eval(program, expr, env)?;
                let lo = self.eval(program, low, env)?;
                let hi = self.eval(program, high, env)?;
                let a = compare(
                    x.clone(),
                    affinities[0],
                    lo,
                    affinities[1],
                    CompareOp::Ge,
                    *collation,
                );
                let b = compare(
                    x,
                    affinities[0],
                    hi,
                    affinities[2],
                    CompareOp::Le,
                    *collation,
                );
                let v = and(&truth_value(a), &truth_value(b));
                if *negated {
                    not(&v)
                } else {
                    v
                }
            }
            Expr::InList {
                negated,
                expr,
                list,
                affinity,
                collation,
            } => {
                if list.is_empty() {
                    return Ok(Value::Integer(i64::from(*negated)));
                }
                let x = self.eval(program, expr, env)?;
                let mut saw_null = matches!(x, Value::Null);
                let mut found = false;
                if !saw_null {
                    for item in list {
                        let v = self.eval(program, item, env)?;
                        match compare(x.clone(), *affinity, v, None, CompareOp::Eq, *collation) {
                            Some(true) => {
                                found = true;
                                break;
                            }
                            Some(false) => {}
                            None => saw_null = true,
                        }
                    }
                }
                in_result(found, saw_null, *negated)
            }
            Expr::InSelect {
                negated,
                expr,
                sub,
                affinity,
                sub_affinity,
                collation,
            } => {
                let x = self.eval(program, expr, env)?;
                let eph = self.run_sub(program, *sub, env)?;
                let rows = self.ephs.get(eph).map_or(0, Vec::len);
                if rows == 0 {
                    return Ok(Value::Integer(i64::from(*negated)));
                }
                if matches!(x, Value::Null) {
                    return Ok(in_result(false, true, *negated));
                }
                // The comparison affinity, as SQLite's `sqlite3CompareAffinity` combines the
                // two sides (BLOB counts as an affinity here): NUMERIC when both have one and
                // either is numeric, none when both have a non-numeric one, else the one
                // there is. It applies to both sides.
                let combined = match (affinity, sub_affinity) {
                    (Some(a), Some(b)) if a.is_numeric() || b.is_numeric() => {
                        Some(Affinity::Numeric)
                    }
                    (Some(_), Some(_)) | (None, None) => None,
                    (Some(a), None) | (None, Some(a)) => Some(*a),
                };
                let x = combined.map_or(x.clone(), |a| a.apply(x.clone()));
                let correlated = program.subs.get(*sub).is_none_or(|s| s.correlated);
                if !correlated {
                    if let Some(set) = self.in_set(*sub, eph, combined, *collation) {
                        let found = set
                            .binary_search_by(|v| compare_values(v, &x, *collation))
                            .is_ok();
                        let saw_null = set.first().is_some_and(|v| matches!(v, Value::Null));
                        return Ok(in_result(found, saw_null, *negated));
                    }
                }
                // A correlated subquery runs again for each use: one pass over its rows.
                let mut saw_null = false;
                let mut found = false;
                for v in self.ephs[eph]
                    .iter()
                    .map(|r| r.first().cloned().unwrap_or(Value::Null))
                {
                    let v = combined.map_or(v.clone(), |a| a.apply(v));
                    match compare(x.clone(), None, v, None, CompareOp::Eq, *collation) {
                        Some(true) => {
                            found = true;
                            break;
                        }
                        Some(false) => {}
                        None => saw_null = true,
                    }
                }
                in_result(found, saw_null, *negated)
            }
            Expr::Exists(sub) => {
                let eph = self.run_sub(program, *sub, env)?;
                Value::Integer(i64::from(self.ephs.get(eph).is_some_and(|r| !r.is_empty())))
            }
            Expr::Scalar(sub) => {
                let eph = self.run_sub(program, *sub, env)?;
                self.ephs
                    .get(eph)
                    .and_then(|rows| rows.first())
                    .and_then(|row| row.first())
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            Expr::Like {
                negated,
                glob: is_glob,
                expr,
                pattern,
                escape,
            } => {
                let x = self.eval(program, expr, env)?;
                let p = self.eval(program, pattern, env)?;
                let esc = match escape {
                    Some(e) => Some(self.eval(program, e, env)?),
                    None => None,
                };
                if matches!(x, Value::Null) || matches!(p, Value::Null) {
                    return Ok(Value::Null);
                }
                let esc_char = match esc {
                    None => None,
                    Some(Value::Null) => return Ok(Value::Null),
                    Some(v) => {
                        match crate::func::pattern::escape_char(&crate::func::text::c_text(&v)) {
                            Some(c) => Some(c),
                            _ => {
                                return Err(Error::msg(
                                    "ESCAPE expression must be a single character",
                                ))
                            }
                        }
                    }
                };
                // SQLite matches C strings: text and pattern end at their first NUL.
                let text = crate::func::text::c_text(&x);
                let pat = crate::func::text::c_text(&p);
                let m = if *is_glob {
                    glob(&text, &pat)?
                } else {
                    like(&text, &pat, esc_char)?
                };
                Value::Integer(i64::from(m != *negated))
            }
            Expr::Function {
                body,
                args,
                collation,
                ..
            } => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(program, a, env)?);
                }
                let mut call = FuncCall {
                    context: env.counters,
                    collation: *collation,
                };
                body(&mut call, &values)?
            }
            Expr::Case {
                operand,
                when_then,
                else_expr,
                collation,
                comparisons,
            } => {
                let base = match operand {
                    Some(o) => Some(self.eval(program, o, env)?),
                    None => None,
                };
                for (i, (w, t)) in when_then.iter().enumerate() {
                    let v = self.eval(program, w, env)?;
                    let hit = match (&base, comparisons.get(i)) {
                        (Some(b), Some((ba, wa, coll))) => {
                            let (b, v) = apply_comparison_affinity(b.clone(), *ba, v, *wa);
                            compare_op(&b, CompareOp::Eq, &v, *coll) == Some(true)
                        }
                        (Some(b), None) => {
                            compare_op(b, CompareOp::Eq, &v, *collation) == Some(true)
                        }
                        (None, _) => truth(&v) == Some(true),
                    };
                    if hit {
                        return self.eval(program, t, env);
                    }
                }
                match else_expr {
                    Some(e) => self.eval(program, e, env)?,
                    None => Value::Null,
                }
            }
            Expr::Cast(x, affinity) => {
                let v = self.eval(program, x, env)?;
                cast(&v, *affinity)
            }
            Expr::IsNull(x) => Value::Integer(i64::from(matches!(
                self.eval(program, x, env)?,
                Value::Null
            ))),
            Expr::NotNull(x) => Value::Integer(i64::from(!matches!(
                self.eval(program, x, env)?,
                Value::Null
            ))),
            Expr::AggValue { agg, index } => self
                .aggs
                .get(*agg)
                .and_then(|a| a.values.get(*index))
                .cloned()
                .unwrap_or(Value::Null),
            Expr::Captured { agg, index } => self
                .aggs
                .get(*agg)
                .and_then(|a| a.captured.get(*index))
                .cloned()
                .unwrap_or(Value::Null),
            Expr::Raise(action, message) => {
                let text = match message {
                    Some(m) => value_to_string(&self.eval(program, m, env)?),
                    None => String::new(),
                };
                return Err(match action {
                    RaiseAction::Ignore => {
                        Error::with_code(code::CONSTRAINT_TRIGGER, "RAISE(IGNORE)")
                    }
                    _ => Error::Constraint {
                        code: code::CONSTRAINT_TRIGGER,
                        message: text,
                    },
                });
            }
            Expr::ApplyAffinity(x, affinity) => {
                let v = self.eval(program, x, env)?;
                affinity.apply(v)
            }
            Expr::RealAffinity(x) => match self.eval(program, x, env)? {
                Value::Integer(i) => Value::Real(i as f64),
                other => other,
            },
        })
    }
}

/// The value of an IN test.
fn in_result(found: bool, saw_null: bool, negated: bool) -> Value {
    if found {
        Value::Integer(i64::from(!negated))
    } else if saw_null {
        Value::Null
    } else {
        Value::Integer(i64::from(negated))
    }
}
