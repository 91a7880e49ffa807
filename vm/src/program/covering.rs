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
//!
//! A full table scan becomes a scan of an index, on the same cursor, when SQLite's planner
//! would make that choice ("full scan via index" in `whereLoopAddBtree`): the index is not
//! partial, holds every column the statement reads through the cursor, and SQLite's width
//! estimates (from the declared types, in `LogEst` units) make its entries narrower than
//! the table's rows. The rows then arrive in index order, which is what aggregates without
//! ORDER BY see in SQLite too. A scan chosen for its rowid order, the scan that finds the
//! rows of an UPDATE or DELETE (SQLite wants those one-pass), and a table marked NOT
//! INDEXED keep the table.

use std::sync::Arc;

use super::compile::Compiler;
use super::insn::{CursorId, Expr, Insn};
use crate::ast;
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

/// A full scan of a table (in rowid order only because that is how a table scans): a
/// candidate for scanning a narrower covering index instead.
#[derive(Debug, Clone)]
pub struct ScanLoop {
    /// The table cursor.
    pub cursor: CursorId,
    /// The table.
    pub table: Arc<Table>,
}

/// SQLite's `LogEst`: ten times the base-2 logarithm of `x`, as an integer (`sqlite3LogEst`).
fn log_est(mut x: u64) -> i32 {
    const FRACTION: [i32; 8] = [0, 2, 3, 5, 6, 7, 8, 9];
    let mut y = 40;
    if x < 8 {
        if x < 2 {
            return 0;
        }
        while x < 8 {
            y -= 10;
            x <<= 1;
        }
    } else {
        while x > 255 {
            y += 40;
            x >>= 4;
        }
        while x > 15 {
            y += 10;
            x >>= 1;
        }
    }
    FRACTION[(x & 7) as usize] + y - 10
}

/// SQLite's estimate of a column's width from its declared type, in units of about four
/// bytes (`sqlite3AffinityType`'s `szEst`): 1 for numeric and untyped columns; for text and
/// blob types the first number after `CHAR` (or after `BLOB(`) over 4, plus 1, or 5 when
/// the type names no size place (`TEXT`, `CLOB`, `BLOB`).
fn column_width(declared_type: &str) -> u64 {
    let lower = declared_type.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    // As SQLite's scan: every position is tested against the last characters seen, and INT
    // makes the type an integer one and ends the scan.
    let mut text_or_blob = false;
    let mut size_from: Option<usize> = None;
    for end in 1..=bytes.len() {
        let last = |n: usize| end.checked_sub(n).map(|start| &bytes[start..end]);
        if last(3) == Some(b"int") {
            return 1;
        }
        match last(4) {
            Some(b"char") => {
                text_or_blob = true;
                size_from = Some(end);
            }
            Some(b"clob" | b"text") => text_or_blob = true,
            Some(b"blob") if !text_or_blob => {
                text_or_blob = true;
                if bytes.get(end) == Some(&b'(') {
                    size_from = Some(end);
                }
            }
            _ => {}
        }
    }
    if !text_or_blob {
        return 1;
    }
    let v: u64 = match size_from {
        Some(from) => {
            let digits: String = lower[from..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            // sqlite3GetInt32 leaves the size at 0 when the number does not fit.
            digits.parse::<i32>().map_or(0, |n| n.unsigned_abs().into())
        }
        None => 16,
    };
    (v / 4 + 1).min(255)
}

/// SQLite's row-width estimates (`estimateTableWidth`, `estimateIndexWidth`) as `LogEst`s:
/// the table's columns (plus the rowid unless a column aliases it) times four, and the
/// index's columns plus its rowid times four.
pub(super) fn table_width(table: &Table) -> i32 {
    let columns: u64 = table
        .columns
        .iter()
        .map(|c| column_width(&c.declared_type))
        .sum();
    let rowid = u64::from(table.rowid_alias.is_none());
    log_est((columns + rowid) * 4)
}

pub(super) fn index_width(table: &Table, index: &Index) -> i32 {
    let columns: u64 = index
        .columns
        .iter()
        .map(|ic| {
            ic.column
                .and_then(|c| table.columns.get(c))
                .map_or(1, |c| column_width(&c.declared_type))
        })
        .sum();
    log_est((columns + 1) * 4)
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
pub(super) fn walk_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
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

/// Whether `insn`, which is not one of the table cursor's own uses a rewrite replaces, can
/// work from `index` instead: it does not operate on `table_cursor` itself, and every column
/// it reads through that cursor is in the index.
fn index_serves(insn: &mut Insn, table_cursor: CursorId, table: &Table, index: &Index) -> bool {
    let mut ok = cursor_operand(insn) != Some(table_cursor);
    exprs_of(insn, &mut |e| {
        walk_mut(e, &mut |x| {
            if let Some(column) = table_column(x, table_cursor) {
                ok &= entry_position(table, index, column).is_some();
            }
        })
    });
    ok
}

/// Rewrites the reads of `insn` through `table_cursor` into reads of `index` entries on
/// `index_cursor`.
fn read_from_index(
    insn: &mut Insn,
    table_cursor: CursorId,
    index_cursor: CursorId,
    table: &Table,
    index: &Index,
) {
    exprs_of(insn, &mut |e| {
        walk_mut(e, &mut |x| {
            let Some(column) = table_column(x, table_cursor) else {
                return;
            };
            if let Some(position) = entry_position(table, index, column) {
                *x = Expr::IdxColumn {
                    cursor: index_cursor,
                    column: position,
                };
            }
        })
    });
}

/// Whether loop `l` may read its index alone, given every instruction of the statement.
fn covered<'a>(l: &IndexLoop, mut code: impl Iterator<Item = &'a mut Insn>) -> bool {
    code.all(|insn| match insn {
        Insn::IdxRowSeek { index, table } if *table == l.table_cursor => *index == l.index_cursor,
        Insn::OpenTable { cursor, .. } | Insn::NullRow { cursor } if *cursor == l.table_cursor => {
            true
        }
        other => index_serves(other, l.table_cursor, &l.table, &l.index),
    })
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
            other => read_from_index(other, l.table_cursor, l.index_cursor, &l.table, &l.index),
        }
    }
}

/// Whether the full scan on `cursor` may read `index` instead of `table`: the cursor is
/// only opened, rewound, stepped forward and nulled, and every column read through it is in
/// the index.
fn scan_covered<'a>(
    cursor: CursorId,
    table: &Table,
    index: &Index,
    mut code: impl Iterator<Item = &'a mut Insn>,
) -> bool {
    code.all(|insn| match insn {
        Insn::OpenTable { cursor: c, .. }
        | Insn::Rewind { cursor: c, .. }
        | Insn::Next { cursor: c, .. }
        | Insn::NullRow { cursor: c }
            if *c == cursor =>
        {
            true
        }
        Insn::IdxRowSeek { table: c, .. } if *c == cursor => false,
        other => index_serves(other, cursor, table, index),
    })
}

/// Turns the full scan on `cursor` into a scan of `index`, on the same cursor number.
fn rewrite_scan<'a>(
    cursor: CursorId,
    table: &Table,
    index: &Index,
    code: impl Iterator<Item = &'a mut Insn>,
) {
    for insn in code {
        match insn {
            Insn::OpenTable { cursor: c, .. } if *c == cursor => {
                *insn = Insn::OpenIndex {
                    cursor,
                    root: index.root,
                    key_info: index.key_info(),
                    name: index.name.clone(),
                }
            }
            other => read_from_index(other, cursor, cursor, table, index),
        }
    }
}

impl Compiler<'_> {
    /// Turns the full table scans recorded since `first` into scans of a covering index
    /// where SQLite would: a complete (not partial) index that holds every column the
    /// statement reads from the table and whose entries SQLite estimates narrower than the
    /// table's rows (`whereLoopAddBtree`'s "full scan via index", which costs the scan by
    /// that width). Of several, the narrowest; of equally narrow ones, the one SQLite meets
    /// first, the latest created.
    pub(super) fn cover_scan_loops(&mut self, first: usize) {
        let loops: Vec<ScanLoop> = self.scan_loops.drain(first..).collect();
        for l in &loops {
            // NOT INDEXED keeps the table scan; INDEXED BY allows only its index, however
            // wide (a loop under INDEXED BY scans its index anyway, see `choose_access`).
            let named = match self.indexed_cursors.iter().find(|(c, _)| *c == l.cursor) {
                Some((_, ast::Indexed::NotIndexed)) => continue,
                Some((_, ast::Indexed::By(name))) => Some(name.as_str().to_string()),
                None => None,
            };
            let table_width = table_width(&l.table);
            let mut best: Option<(i32, Arc<Index>)> = None;
            for index in self.schema.indexes_of(&l.table.name).into_iter().rev() {
                if index.partial.is_some() || index.root == 0 {
                    continue;
                }
                let width = index_width(&l.table, &index);
                if let Some(name) = &named {
                    if !index.name.eq_ignore_ascii_case(name) {
                        continue;
                    }
                } else if width >= table_width || best.as_ref().is_some_and(|(w, _)| *w <= width) {
                    continue;
                }
                let all = self
                    .code
                    .iter_mut()
                    .chain(self.subs.iter_mut().flat_map(|s| s.code.iter_mut()));
                if scan_covered(l.cursor, &l.table, &index, all) {
                    best = Some((width, index));
                }
            }
            if let Some((_, index)) = best {
                let all = self
                    .code
                    .iter_mut()
                    .chain(self.subs.iter_mut().flat_map(|s| s.code.iter_mut()));
                rewrite_scan(l.cursor, &l.table, &index, all);
            }
        }
    }

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

#[cfg(test)]
mod tests {
    use super::{column_width, log_est};

    #[test]
    fn log_est_matches_sqlite() {
        // Values of sqlite3LogEst.
        for (x, want) in [
            (0, 0),
            (1, 0),
            (2, 10),
            (3, 16),
            (4, 20),
            (10, 33),
            (100, 66),
            (1000, 99),
            (1_000_000, 199),
        ] {
            assert_eq!(log_est(x), want, "LogEst({x})");
        }
    }

    #[test]
    fn column_width_follows_the_declared_type_as_sqlite_does() {
        for (declared, want) in [
            ("", 1),
            ("INTEGER", 1),
            ("FLOAT", 1),
            ("TEXT", 5),
            ("CLOB", 5),
            ("BLOB", 5),
            ("BLOB(40)", 11),
            ("VARCHAR(100)", 26),
            ("VARCHAR", 1),
            ("CHARINT", 1),
            ("NVARCHAR(2000)", 255),
        ] {
            assert_eq!(column_width(declared), want, "{declared:?}");
        }
    }
}
