//! Covering-index reads: a loop that reaches its table's rows through an index never seeks
//! the table when the index holds every column the statement reads from it.
//!
//! The decision is made after a SELECT's code is emitted, when every use of the table
//! cursor is known: in the statement's code and in the subprograms of its (correlated)
//! subqueries. The loop is covered when the table cursor is used only by
//!
//! | use | rewritten to |
//! | --- | --- |
//! | `OpenRead` of the table | `Noop` |
//! | `IdxRowSeek` from the loop's index cursor | `Noop` |
//! | `NullRow` (LEFT JOIN) | `NullRow` of the index cursor |
//! | a column the index holds, or the rowid | a column of the index entry |
//!
//! Anything else (a write through the cursor, a column the index lacks) leaves the loop
//! as it was. Index entries hold the same values as the row's record (the key columns with
//! the column's affinity applied, then the rowid), so the results do not change; the
//! EXPLAIN listing shows no table cursor, as SQLite's does.

use std::sync::Arc;

use super::compile::Compiler;
use super::insn::{CursorId, Expr, Insn};
use crate::schema::{Index, Table};

/// A loop that reads its table through an index: the candidates for covering.
#[derive(Debug, Clone)]
pub struct IndexLoop {
    /// The table cursor.
    pub table_cursor: CursorId,
    /// The index cursor.
    pub index_cursor: CursorId,
    /// The table.
    pub table: Arc<Table>,
    /// The index.
    pub index: Arc<Index>,
}

/// Where column `column` (None: the rowid) of `table` sits in entries of `index`.
fn entry_position(table: &Table, index: &Index, column: Option<usize>) -> Option<usize> {
    let column = match column {
        Some(c) if Some(c) == table.rowid_alias => None,
        other => other,
    };
    match column {
        None => Some(index.columns.len()),
        Some(c) => index.columns.iter().position(|ic| ic.column == Some(c)),
    }
}

/// Calls `f` on every expression of `insn` (mutably).
fn exprs_of(insn: &mut Insn, f: &mut dyn FnMut(&mut Expr)) {
    match insn {
        Insn::Eval { expr, .. } | Insn::IfNot { expr, .. } | Insn::Limit { expr, .. } => f(expr),
        Insn::SeriesRewind { args, .. } => {
            for a in args.iter_mut().flatten() {
                f(a);
            }
        }
        Insn::AggStep {
            keys,
            calls,
            captured,
            ..
        } => {
            keys.iter_mut().for_each(&mut *f);
            captured.iter_mut().for_each(&mut *f);
            for call in calls {
                call.args.iter_mut().for_each(&mut *f);
                if let Some(x) = call.filter.as_mut() {
                    f(x);
                }
            }
        }
        Insn::AggEnsure { calls, .. } => {
            for call in calls {
                call.args.iter_mut().for_each(&mut *f);
                if let Some(x) = call.filter.as_mut() {
                    f(x);
                }
            }
        }
        Insn::Recursive {
            limit: Some(expr), ..
        } => f(expr),
        _ => {}
    }
}

/// Calls `f` on `e` and each sub-expression (mutably), parents first.
fn walk_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    f(e);
    match e {
        Expr::Unary(_, x)
        | Expr::Cast(x, _)
        | Expr::IsNull(x)
        | Expr::NotNull(x)
        | Expr::ApplyAffinity(x, _)
        | Expr::RealAffinity(x) => walk_mut(x, f),
        Expr::Binary(_, a, b) => {
            walk_mut(a, f);
            walk_mut(b, f);
        }
        Expr::Compare { left, right, .. } => {
            walk_mut(left, f);
            walk_mut(right, f);
        }
        Expr::Between {
            expr, low, high, ..
        } => {
            walk_mut(expr, f);
            walk_mut(low, f);
            walk_mut(high, f);
        }
        Expr::InList { expr, list, .. } => {
            walk_mut(expr, f);
            for x in list {
                walk_mut(x, f);
            }
        }
        Expr::InSelect { expr, .. } => walk_mut(expr, f),
        Expr::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            walk_mut(expr, f);
            walk_mut(pattern, f);
            if let Some(x) = escape {
                walk_mut(x, f);
            }
        }
        Expr::Function { args, .. } => {
            for x in args {
                walk_mut(x, f);
            }
        }
        Expr::Case {
            operand,
            when_then,
            else_expr,
            ..
        } => {
            if let Some(o) = operand {
                walk_mut(o, f);
            }
            for (w, t) in when_then {
                walk_mut(w, f);
                walk_mut(t, f);
            }
            if let Some(x) = else_expr {
                walk_mut(x, f);
            }
        }
        Expr::Raise(_, Some(m)) => walk_mut(m, f),
        _ => {}
    }
}

/// The cursor an instruction works on as a cursor (not through an expression), if any.
fn cursor_operand(insn: &Insn) -> Option<CursorId> {
    match insn {
        Insn::OpenTable { cursor, .. }
        | Insn::OpenIndex { cursor, .. }
        | Insn::OpenEphemeral { cursor, .. }
        | Insn::Rewind { cursor, .. }
        | Insn::SeriesRewind { cursor, .. }
        | Insn::Last { cursor, .. }
        | Insn::Next { cursor, .. }
        | Insn::Prev { cursor, .. }
        | Insn::SeekRowid { cursor, .. }
        | Insn::SeekRowidRange { cursor, .. }
        | Insn::RowidCompare { cursor, .. }
        | Insn::IdxSeek { cursor, .. }
        | Insn::IdxCompare { cursor, .. }
        | Insn::NullRow { cursor }
        | Insn::UpdateRow { cursor, .. }
        | Insn::DeleteRow { cursor, .. } => Some(*cursor),
        _ => None,
    }
}

/// Whether loop `l` may read its index alone, given every instruction of the statement.
fn covered<'a>(l: &IndexLoop, code: impl Iterator<Item = &'a mut Insn>) -> bool {
    let mut ok = true;
    for insn in code {
        match insn {
            Insn::IdxRowSeek { index, table } if *table == l.table_cursor => {
                ok &= *index == l.index_cursor;
            }
            Insn::OpenTable { cursor, .. } | Insn::NullRow { cursor }
                if *cursor == l.table_cursor => {}
            other => {
                if cursor_operand(other) == Some(l.table_cursor) {
                    ok = false;
                }
                exprs_of(other, &mut |e| {
                    walk_mut(e, &mut |x| {
                        if let Some(column) = table_column(x, l.table_cursor) {
                            ok &= entry_position(&l.table, &l.index, column).is_some();
                        }
                    })
                });
            }
        }
        if !ok {
            return false;
        }
    }
    ok
}

/// What `x` reads of the table open on `table_cursor`: `Some(Some(column))` for a column,
/// `Some(None)` for the rowid, `None` when it reads nothing of that table.
fn table_column(x: &Expr, table_cursor: usize) -> Option<Option<usize>> {
    match x {
        Expr::Column {
            cursor,
            column,
            rowid,
        } if *cursor == table_cursor => Some((!*rowid).then_some(*column)),
        Expr::Rowid(cursor) if *cursor == table_cursor => Some(None),
        _ => None,
    }
}

/// Rewrites the uses of a covered loop's table cursor to index reads.
fn rewrite<'a>(l: &IndexLoop, code: impl Iterator<Item = &'a mut Insn>) {
    for insn in code {
        match insn {
            Insn::IdxRowSeek { table, .. } if *table == l.table_cursor => *insn = Insn::Noop,
            Insn::OpenTable { cursor, .. } if *cursor == l.table_cursor => *insn = Insn::Noop,
            Insn::NullRow { cursor } if *cursor == l.table_cursor => {
                *insn = Insn::NullRow {
                    cursor: l.index_cursor,
                }
            }
            other => exprs_of(other, &mut |e| {
                walk_mut(e, &mut |x| {
                    let Some(column) = table_column(x, l.table_cursor) else {
                        return;
                    };
                    if let Some(position) = entry_position(&l.table, &l.index, column) {
                        *x = Expr::IdxColumn {
                            cursor: l.index_cursor,
                            column: position,
                        };
                    }
                })
            }),
        }
    }
}

impl Compiler<'_> {
    /// Turns the index loops recorded since `first` into covering-index reads where the
    /// index holds everything the statement reads from the table.
    pub(super) fn cover_index_loops(&mut self, first: usize) {
        let loops: Vec<IndexLoop> = self.index_loops.drain(first..).collect();
        for l in &loops {
            let all = self
                .code
                .iter_mut()
                .chain(self.subs.iter_mut().flat_map(|s| s.code.iter_mut()));
            if covered(l, all) {
                let all = self
                    .code
                    .iter_mut()
                    .chain(self.subs.iter_mut().flat_map(|s| s.code.iter_mut()));
                rewrite(l, all);
            }
        }
    }
}
