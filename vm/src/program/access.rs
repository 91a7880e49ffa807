//! The planner: which access path each loop of a join takes, and whether a loop's order
//! already gives ORDER BY. (In which order the loops run is `join_order`'s choice.)
//!
//! A WHERE/ON term stays a filter unless the seek enforces it exactly (an equality on the
//! rowid or an index column, see `Access::Index::enforced`), so an access path otherwise
//! only has to produce a superset of the matching rows: a seek key is converted the way the
//! comparison would convert it, and a term whose comparison would convert the *column's*
//! values instead (a TEXT column compared with a number) cannot drive a seek. The
//! preference order is rowid equality, an index with a full unique equality match, the
//! index with the longest equality prefix (plus a range on its next column), IN lists (and
//! an uncorrelated `rowid IN (SELECT ...)`, one lookup per distinct value) on the rowid or
//! a leading index column, a rowid range, an index range, a full scan of a partial index,
//! and last a full scan of the table.
//!
//! An equality is also `column IS x` and `column IS NULL` (SQLite's WO_IS and WO_ISNULL):
//! the seek then finds NULL entries for a NULL key, so the seek enforces no term. The scan
//! that finds an UPDATE's or DELETE's rows takes a rowid range through an index on the
//! rowid alias when that index holds what the WHERE clause reads and is narrower than the
//! table, as SQLite's costs make it (see `rowid_range_by_alias_index`).
//!
//! A partial index serves a loop only when the terms imply its condition, part by part
//! (split at AND), as SQLite's `sqlite3ExprImpliesExpr` decides: a term that is the part
//! itself (both compiled over the loop's cursor and compared expression by expression,
//! a comparison also commuted when its column is on the right), a term that is one side of
//! a part that is an OR, or, for a part that requires a column non-NULL (`c IS NOT NULL`),
//! a term that cannot hold for a NULL `c` (`exprImpliesNotNull`: a comparison other than
//! IS, arithmetic, BETWEEN or IN on `c`, or `c` itself as a truth value). A loop left of a
//! RIGHT or FULL JOIN uses no partial index (SQLite's `JT_LTORJ`). SQLite's cost model then
//! prefers a full scan of such an index to a scan of the table (it counts the index at half
//! the rows), and of several the one whose entries it estimates narrowest from the declared
//! types, and so does concur: the order a scan meets its rows shows where an UPDATE OR FAIL
//! stops.
//!
//! `NOT INDEXED` leaves a table only its rowid paths. `INDEXED BY x` leaves it only index x,
//! as SQLite's `whereLoopAddBtree` probes nothing else: no rowid path and no table scan, so
//! a loop that x cannot seek scans the whole of x (looking up each row when x does not
//! cover the statement).

use super::select::{Access, Level, Term};

use std::sync::Arc;

use super::compile::Compiler;
use super::insn::{CursorId, Expr};
use crate::ast;
use crate::schema::{Index, Table};
use crate::value::{Affinity, Collation, CompareOp};
use concur_btree::Value;

impl Compiler<'_> {
    /// The indexes loop `cursor` over `table` may read: none under NOT INDEXED, only the
    /// named one under INDEXED BY, else every index of the table.
    pub(super) fn usable_indexes(&self, table: &Table, cursor: CursorId) -> Vec<Arc<Index>> {
        let all = self.schema.indexes_of(&table.name);
        match self.indexed_cursors.iter().find(|(c, _)| *c == cursor) {
            Some((_, ast::Indexed::NotIndexed)) => Vec::new(),
            Some((_, ast::Indexed::By(name))) => all
                .into_iter()
                .filter(|index| index.name.eq_ignore_ascii_case(name.as_str()))
                .collect(),
            None => all,
        }
    }

    /// The index an INDEXED BY clause names for loop `cursor`.
    fn indexed_by(&self, table: &Table, cursor: CursorId) -> Option<Arc<Index>> {
        match self.indexed_cursors.iter().find(|(c, _)| *c == cursor) {
            Some((_, ast::Indexed::By(_))) => self.usable_indexes(table, cursor).pop(),
            _ => None,
        }
    }

    /// Whether a one-table query can produce ORDER BY order from its loop: rowid order of a
    /// table scan or rowid range (a descending rowid order scans backwards), or the order of
    /// an index whose columns after its equality prefix are the ORDER BY columns (ascending,
    /// same collation). Sets the access path the loop must then use.
    pub(super) fn order_from_loop(
        &mut self,
        levels: &[Level],
        terms: &[Term],
        keys: &[(Expr, Collation, bool, bool)],
    ) -> bool {
        let [level] = levels else { return false };
        let Some(table) = &level.table else {
            return false;
        };
        if keys.is_empty() {
            return false;
        }
        let cursor = level.cursor;
        let access = self.choose_access(levels, terms, 0);
        let is_rowid = |e: &Expr| loop_column(e, cursor) == Some(None);
        if let [(key, _, desc, nulls_first)] = keys {
            if is_rowid(key) {
                match (&access, desc) {
                    (Access::Scan, false)
                    | (Access::RowidRange(..), false)
                    | (Access::RowidEq(..), _) => {
                        let _ = nulls_first;
                        self.ordered_access = Some((cursor, access));
                        return true;
                    }
                    (Access::Scan, true) => {
                        self.ordered_access = Some((cursor, access));
                        self.reverse_scan = true;
                        return true;
                    }
                    _ => return false,
                }
            }
        }
        // Every key ascending, NULLs first, a plain column of this table.
        let mut wanted = Vec::new();
        for (key, collation, desc, nulls_first) in keys {
            match key {
                Expr::Column {
                    cursor: c,
                    column,
                    rowid: false,
                } if *c == cursor && !*desc && *nulls_first => wanted.push((*column, *collation)),
                _ => return false,
            }
        }
        let fits = |index: &Index, skip: usize| {
            index.columns.len() >= skip + wanted.len()
                && index.columns[skip..]
                    .iter()
                    .zip(&wanted)
                    .all(|(ic, (col, coll))| {
                        ic.column == Some(*col) && !ic.desc && ic.collation == *coll
                    })
        };
        match &access {
            Access::Index { index, eq, .. } if fits(index, eq.len()) => {
                self.ordered_access = Some((cursor, access.clone()));
                true
            }
            Access::Scan => {
                for index in self.usable_indexes(table, cursor) {
                    if index.partial.is_none() && index.root != 0 && fits(&index, 0) {
                        self.ordered_access = Some((
                            cursor,
                            Access::Index {
                                index,
                                eq: Vec::new(),
                                low: None,
                                high: None,
                                enforced: Vec::new(),
                            },
                        ));
                        return true;
                    }
                }
                false
            }
            _ => false,
        }
    }

    /// Picks the access path of loop `depth`.
    pub(super) fn choose_access(&self, levels: &[Level], terms: &[Term], depth: usize) -> Access {
        let Some(level) = levels.get(depth) else {
            return Access::Scan;
        };
        let Some(table) = &level.table else {
            return Access::Scan;
        };
        let cursor = level.cursor;
        let access = self.choose_access_of(levels, table, cursor, terms, depth);
        match (self.indexed_by(table, cursor), &access) {
            (
                Some(index),
                Access::Scan
                | Access::RowidEq(..)
                | Access::RowidRange(..)
                | Access::In { index: None, .. }
                | Access::InSub { .. },
            ) if index.partial.is_none() && index.root != 0 => Access::Index {
                index,
                eq: Vec::new(),
                low: None,
                high: None,
                enforced: Vec::new(),
            },
            _ => access,
        }
    }

    /// [`Compiler::choose_access`] among the paths the table's INDEXED BY or NOT INDEXED
    /// leaves, before INDEXED BY turns a rowid path or scan into a scan of its index.
    fn choose_access_of(
        &self,
        levels: &[Level],
        table: &Table,
        cursor: CursorId,
        terms: &[Term],
        depth: usize,
    ) -> Access {
        let Some(level) = levels.get(depth) else {
            return Access::Scan;
        };
        // A key may read the loops outside this one: those before it, and those of the
        // statements a correlated subquery sits in (fixed while it runs, as SQLite treats
        // them); not this loop or the loops inside it.
        let inner: Vec<CursorId> = levels[depth..].iter().map(|l| l.cursor).collect();
        let mut candidates: Vec<Candidate> = Vec::new();
        for (term_index, t) in terms.iter().enumerate() {
            if t.on_level.is_some() && t.on_level != Some(depth) {
                continue;
            }
            // An IS term seeks the NULL entries it also matches, except a WHERE term on the
            // right of a LEFT JOIN, which also tests the NULL row (SQLite's
            // `whereLoopAddBtreeIndex` skips WO_IS and WO_ISNULL terms there alike).
            let is_seekable = t.on_level.is_some() || !level.left_join;
            // `column IS NULL`: an equality with NULL, under any collation.
            if let Expr::IsNull(x) = &t.expr {
                if let (Some(Some(column)), true) = (loop_column(x, cursor), is_seekable) {
                    candidates.push(Candidate {
                        column: Some(column),
                        op: CompareOp::Eq,
                        key: Expr::Const(Value::Null),
                        collation: None,
                        exact: None,
                        matches_null: true,
                        alias_key: None,
                    });
                }
                continue;
            }
            // The term as comparisons `col_side op other`: a comparison read both ways, or
            // `x BETWEEN a AND b` as `x >= a` and `x <= b`.
            let (sides, collation, is) = match &t.expr {
                Expr::Compare {
                    op,
                    is,
                    left,
                    right,
                    left_affinity,
                    right_affinity,
                    collation,
                } => (
                    [
                        (left, right, *left_affinity, *right_affinity, *op),
                        (right, left, *right_affinity, *left_affinity, flip(*op)),
                    ],
                    collation,
                    *is,
                ),
                Expr::Between {
                    negated: false,
                    expr,
                    low,
                    high,
                    affinities,
                    collation,
                } => (
                    [
                        (expr, low, affinities[0], affinities[1], CompareOp::Ge),
                        (expr, high, affinities[0], affinities[2], CompareOp::Le),
                    ],
                    collation,
                    false,
                ),
                _ => continue,
            };
            for (col_side, other, col_aff, other_aff, op) in sides {
                let Some(column) = loop_column(col_side, cursor) else {
                    continue;
                };
                // `rowid IS x` seeks as `rowid = x` does (no rowid is NULL); `column IS x`
                // seeks the entries equal to x, NULL ones when x is NULL.
                if op == CompareOp::Ne || (is && (op != CompareOp::Eq || !is_seekable)) {
                    continue;
                }
                let mut ok = true;
                let mut correlated = false;
                cursors_of(
                    other,
                    &mut |c| {
                        if inner.contains(&c) {
                            ok = false;
                        }
                    },
                    &mut correlated,
                    &self.subs,
                );
                if !ok || correlated {
                    continue;
                }
                let key = match column {
                    None => Some(other.as_ref().clone()),
                    Some(_) => seek_key(other, col_aff, other_aff),
                };
                // A rowid term also bounds an index on the rowid alias, whose entries hold
                // the rowid as an INTEGER column value.
                let alias_key = match column {
                    None => seek_key(other, Some(Affinity::Integer), other_aff),
                    Some(_) => None,
                };
                // An equality (not IS) that this loop tests: on a LEFT JOIN's right side
                // only an ON term, since a WHERE term also tests the NULL row.
                let tested_here = match t.on_level {
                    Some(_) => true,
                    None => !level.left_join && t.level == depth,
                };
                let exact = (op == CompareOp::Eq && !is && tested_here).then_some(term_index);
                if let Some(key) = key {
                    candidates.push(Candidate {
                        column,
                        op,
                        key,
                        collation: Some(*collation),
                        exact,
                        matches_null: is,
                        alias_key,
                    });
                }
            }
        }
        if let Some(c) = candidates
            .iter()
            .find(|c| c.column.is_none() && c.op == CompareOp::Eq)
        {
            return Access::RowidEq(c.key.clone(), c.exact);
        }
        let mut best: Option<(usize, Access)> = None;
        // A partial index the terms imply, for a full scan when nothing seeks: the one whose
        // scan SQLite costs lowest (`whereLoopAddBtree`'s full scan via an index, which
        // weighs the index's row width against the table's: `15 * szIdxRow / szTabRow`);
        // newest first among equals.
        let mut partial_scan: Option<Arc<Index>> = None;
        let table_width = super::covering::table_width(table).max(1);
        let scan_cost =
            |index: &Index| 15 * super::covering::index_width(table, index) / table_width;
        // A loop left of a RIGHT or FULL JOIN uses no partial index, as in SQLite
        // (`JT_LTORJ`): its rows that no term keeps still decide which rows of the right
        // side are unmatched.
        let left_of_right_join = levels[depth + 1..].iter().any(|l| l.keeps_unmatched);
        // Newest first, as SQLite links each new index at the head of its table's list and
        // keeps the first of equally good paths.
        for index in self.usable_indexes(table, cursor).into_iter().rev() {
            if index.root == 0 {
                continue;
            }
            if let Some(condition) = &index.partial {
                if left_of_right_join {
                    continue;
                }
                let compiled = self
                    .partial_conditions
                    .iter()
                    .find(|(c, name, _)| *c == cursor && name.eq_ignore_ascii_case(&index.name))
                    .map(|(_, _, parts)| parts.as_slice());
                let usable = PartialIndex {
                    table,
                    condition,
                    compiled,
                };
                if !usable.applies(terms, cursor, level, depth) {
                    continue;
                }
                if partial_scan
                    .as_ref()
                    .is_none_or(|p| scan_cost(&index) < scan_cost(p))
                {
                    partial_scan = Some(index.clone());
                }
            }
            let mut eq = Vec::new();
            let mut enforced = Vec::new();
            let mut matches_null = false;
            let mut low = None;
            let mut high = None;
            for ic in &index.columns {
                let Some(col) = ic.column else { break };
                let matches = |op: CompareOp| {
                    candidates.iter().find(|c| {
                        c.column == Some(col)
                            && c.op == op
                            && c.collation.is_none_or(|k| k == ic.collation)
                    })
                };
                if let Some(c) = matches(CompareOp::Eq) {
                    eq.push(c.key.clone());
                    enforced.extend(c.exact);
                    matches_null |= c.matches_null;
                    continue;
                }
                let lower = matches(CompareOp::Gt)
                    .map(|c| (c.key.clone(), false))
                    .or_else(|| matches(CompareOp::Ge).map(|c| (c.key.clone(), true)));
                let upper = matches(CompareOp::Lt)
                    .map(|c| (c.key.clone(), false))
                    .or_else(|| matches(CompareOp::Le).map(|c| (c.key.clone(), true)));
                // The bounds in index order: a descending column holds its largest values
                // first, so the upper bound is where the range starts.
                (low, high) = if ic.desc {
                    (upper, lower)
                } else {
                    (lower, upper)
                };
                break;
            }
            if matches_null {
                // The seek must then find NULL keys, which the guard of an enforced
                // equality (`column = NULL` holds for no row) would skip: every term is
                // tested again on the rows the seek finds instead.
                enforced.clear();
            }
            let score = eq.len() * 4 + usize::from(low.is_some()) + usize::from(high.is_some());
            if score == 0 {
                continue;
            }
            let full_unique = index.unique && eq.len() == index.columns.len();
            let score = score + if full_unique { 100 } else { 0 };
            // Of equally good indexes, the one with the fewest columns, as SQLite's cost model
            // (which counts an index entry's width) prefers it.
            let better = best.as_ref().is_none_or(|(s, b)| {
                score > *s
                    || (score == *s
                        && matches!(b, Access::Index { index: bi, .. }
                            if index.columns.len() < bi.columns.len()))
            });
            if better {
                best = Some((
                    score,
                    Access::Index {
                        index,
                        eq,
                        low,
                        high,
                        enforced,
                    },
                ));
            }
        }
        if let Some((score, access)) = &best {
            if *score >= 4 {
                return access.clone();
            }
        }
        if let Some(access) = self.in_access(table, cursor, &inner, terms, level, depth) {
            return access;
        }
        let (low, high) = rowid_bounds(&candidates, |c| Some(c.key.clone()));
        if low.is_some() || high.is_some() {
            if let Some(access) = self.rowid_range_by_alias_index(table, cursor, terms, &candidates)
            {
                return access;
            }
            return Access::RowidRange(low, high);
        }
        if let Some((_, access)) = best {
            return access;
        }
        match partial_scan {
            Some(index) => Access::Index {
                index,
                eq: Vec::new(),
                low: None,
                high: None,
                enforced: Vec::new(),
            },
            None => Access::Scan,
        }
    }
}

impl Compiler<'_> {
    /// For the scan that finds the rows of an UPDATE or DELETE, a rowid range read through
    /// an index on the rowid alias instead of the table, when SQLite's planner would make
    /// that choice. Its WHERE loop counts as used only the columns the WHERE clause reads
    /// (SQLite finds each row's other columns afterwards, by rowid), so any index holding
    /// those covers the loop, and `whereLoopAddBtreeIndex` costs a covered index range at
    /// `nOut + 1 + 15 * szIdxRow / szTabRow` against the rowid range's `nOut + 16`: an
    /// index narrower than the table wins, the narrowest first, newest first among equals.
    /// The rows then come in that index's order (descending for `c0 DESC`), which decides
    /// where an OR FAIL statement stops and which rows OR IGNORE skips.
    fn rowid_range_by_alias_index(
        &self,
        table: &Table,
        cursor: CursorId,
        terms: &[Term],
        candidates: &[Candidate],
    ) -> Option<Access> {
        if self.one_pass_depth != Some(self.scopes.len()) {
            return None;
        }
        let alias = table.rowid_alias?;
        let mut used = Vec::new();
        for t in terms {
            let mut e = t.expr.clone();
            super::covering::walk_mut(&mut e, &mut |e| {
                if let Expr::Column {
                    cursor: c, column, ..
                } = e
                {
                    if *c == cursor && !used.contains(column) {
                        used.push(*column);
                    }
                }
            });
        }
        let (lower, upper) = rowid_bounds(candidates, |c| c.alias_key.clone());
        let table_width = super::covering::table_width(table);
        let mut best: Option<(i32, Arc<Index>)> = None;
        for index in self.usable_indexes(table, cursor).into_iter().rev() {
            let Some(first) = index.columns.first() else {
                continue;
            };
            let holds = |column: usize| {
                column == alias || index.columns.iter().any(|ic| ic.column == Some(column))
            };
            if index.root == 0
                || index.partial.is_some()
                || first.column != Some(alias)
                || index.columns.iter().any(|ic| ic.column.is_none())
                || !used.iter().all(|&c| holds(c))
            {
                continue;
            }
            let width = super::covering::index_width(table, &index);
            if width < table_width && best.as_ref().is_none_or(|(w, _)| width < *w) {
                best = Some((width, index.clone()));
            }
        }
        let (_, index) = best?;
        let desc = index.columns.first().is_some_and(|ic| ic.desc);
        let (low, high) = if desc { (upper, lower) } else { (lower, upper) };
        if low.is_none() && high.is_none() {
            return None;
        }
        Some(Access::Index {
            index,
            eq: Vec::new(),
            low,
            high,
            enforced: Vec::new(),
        })
    }
}

/// A range bound: its key and whether it is inclusive.
type RangeBound = Option<(Expr, bool)>;

/// The lower and upper bounds that the rowid candidates set (a strict bound first, as the
/// seeks prefer it), keyed by `key`.
fn rowid_bounds(
    candidates: &[Candidate],
    key: impl Fn(&Candidate) -> Option<Expr>,
) -> (RangeBound, RangeBound) {
    let bound = |op: CompareOp, inclusive: bool| {
        candidates
            .iter()
            .find(|c| c.column.is_none() && c.op == op)
            .and_then(&key)
            .map(|k| (k, inclusive))
    };
    (
        bound(CompareOp::Gt, false).or_else(|| bound(CompareOp::Ge, true)),
        bound(CompareOp::Lt, false).or_else(|| bound(CompareOp::Le, true)),
    )
}

/// A partial index of a loop's table, with its condition as written and, when the loop
/// compiled it, its parts compiled over the loop's cursor.
struct PartialIndex<'a> {
    /// The table.
    table: &'a Table,
    /// The index's condition.
    condition: &'a ast::Expr,
    /// The condition's parts (split at AND), compiled over the loop's cursor.
    compiled: Option<&'a [Option<Expr>]>,
}

impl PartialIndex<'_> {
    /// Whether the terms that loop `depth` (on `cursor`) must satisfy imply the index's
    /// condition, so that every row the loop can produce is in the index. Each part of the
    /// condition (split at AND) must be implied by some term, as SQLite's
    /// `sqlite3ExprImpliesExpr` has it: the term is the part itself, or one side of a part
    /// that is an OR, or the part requires a column non-NULL and the term cannot hold while
    /// that column is NULL. On the right side of a LEFT JOIN only its ON terms count (a
    /// WHERE term there also sees the NULL row).
    fn applies(&self, terms: &[Term], cursor: CursorId, level: &Level, depth: usize) -> bool {
        let mut parts = Vec::new();
        super::select::split_and(self.condition, &mut parts);
        let compiled = self.compiled.filter(|c| c.len() == parts.len());
        let usable = || {
            terms.iter().filter(|t| match t.on_level {
                Some(on) => on == depth,
                None => !level.left_join,
            })
        };
        parts.iter().enumerate().all(|(i, part)| {
            let stated = compiled.and_then(|c| c[i].as_ref());
            if let Some(stated) = stated {
                if usable().any(|t| implies_by_match(&t.expr, stated)) {
                    return true;
                }
            }
            not_null_column(self.table, part).is_some_and(|column| {
                usable().any(|t| implies_not_null(&t.expr, cursor, column, false))
            })
        })
    }
}

/// Whether term `e` implies condition `part` by matching it: it is the same expression, or
/// the same as either side of a `part` that is an OR. A comparison with a column on its
/// right also matches commuted (`5 < b` is `b > 5`), as SQLite adds the commuted copy of
/// such a term to the WHERE clause.
fn implies_by_match(e: &Expr, part: &Expr) -> bool {
    if same_expr(e, part) || commuted(e).is_some_and(|c| same_expr(&c, part)) {
        return true;
    }
    match part {
        Expr::Binary(super::insn::BinOp::Or, a, b) => {
            implies_by_match(e, a) || implies_by_match(e, b)
        }
        _ => false,
    }
}

/// Which column of table cursor `cursor` expression `e` reads, if it is one: `Some(None)`
/// for the rowid (also under its INTEGER PRIMARY KEY name), `Some(Some(i))` for column `i`.
fn loop_column(e: &Expr, cursor: CursorId) -> Option<Option<usize>> {
    match e {
        Expr::Column {
            cursor: c,
            column,
            rowid,
        } if *c == cursor => Some((!*rowid).then_some(*column)),
        Expr::Rowid(c) if *c == cursor => Some(None),
        _ => None,
    }
}

/// An OR of equalities on one column of `cursor` (`c = 1 OR c = 2 OR 3 = c`) as the IN list
/// it amounts to (`c IN (1, 2, 3)`), for an access path, as SQLite's `exprAnalyzeOrTerm`
/// rewrites it: every equality compares the same column under the same collation, and each
/// other side has no affinity or the column's own (`okToChngToIN`), so it converts as a
/// value of the list would. The OR stays a filter. None for anything else.
fn or_as_in_list(e: &Expr, cursor: CursorId) -> Option<Expr> {
    fn alternatives<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::Binary(super::insn::BinOp::Or, a, b) => {
                alternatives(a, out);
                alternatives(b, out);
            }
            _ => out.push(e),
        }
    }
    let mut parts = Vec::new();
    alternatives(e, &mut parts);
    if parts.len() < 2 {
        return None;
    }
    let on_cursor = |x: &Expr| loop_column(x, cursor).is_some();
    let mut column: Option<(&Expr, Option<Affinity>, Collation)> = None;
    let mut list = Vec::new();
    for part in parts {
        let Expr::Compare {
            op: CompareOp::Eq,
            is: false,
            left,
            right,
            left_affinity,
            right_affinity,
            collation,
        } = part
        else {
            return None;
        };
        let (tested, tested_affinity, value, value_affinity) = if on_cursor(left) {
            (left, left_affinity, right, right_affinity)
        } else if on_cursor(right) {
            (right, right_affinity, left, left_affinity)
        } else {
            return None;
        };
        if value_affinity.is_some() && value_affinity != tested_affinity {
            return None;
        }
        match column {
            None => column = Some((tested, *tested_affinity, *collation)),
            Some((c, _, coll)) if same_expr(c, tested) && coll == *collation => {}
            Some(_) => return None,
        }
        list.push((**value).clone());
    }
    let (tested, affinity, collation) = column?;
    Some(Expr::InList {
        negated: false,
        expr: Box::new(tested.clone()),
        list,
        affinity,
        collation,
    })
}

/// Comparison `e` with its operands swapped, when its right operand is a column and its
/// operator one SQLite commutes (`=`, `<`, `<=`, `>`, `>=` and IS).
fn commuted(e: &Expr) -> Option<Expr> {
    let Expr::Compare {
        op,
        is,
        left,
        right,
        left_affinity,
        right_affinity,
        collation,
    } = e
    else {
        return None;
    };
    if !matches!(**right, Expr::Column { .. }) {
        return None;
    }
    let op = match op {
        CompareOp::Eq => CompareOp::Eq,
        CompareOp::Lt if !is => CompareOp::Gt,
        CompareOp::Le if !is => CompareOp::Ge,
        CompareOp::Gt if !is => CompareOp::Lt,
        CompareOp::Ge if !is => CompareOp::Le,
        _ => return None,
    };
    Some(Expr::Compare {
        op,
        is: *is,
        left: right.clone(),
        right: left.clone(),
        left_affinity: *right_affinity,
        right_affinity: *left_affinity,
        collation: *collation,
    })
}

/// Whether two compiled expressions are the same expression, as SQLite's
/// `sqlite3ExprCompare` finds two resolved trees equal: the same shape, columns and
/// operators, constants of the same class and value, affinities and collations. A shape it
/// does not know (parameters, subqueries, aggregates) is never the same: matching too little
/// only leaves an index unused.
fn same_expr(a: &Expr, b: &Expr) -> bool {
    let both = |x: &Option<Box<Expr>>, y: &Option<Box<Expr>>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => same_expr(x, y),
        _ => false,
    };
    let all = |x: &[Expr], y: &[Expr]| {
        x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_expr(x, y))
    };
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) => same_constant(x, y),
        (
            Expr::Column {
                cursor: c1,
                column: k1,
                rowid: r1,
            },
            Expr::Column {
                cursor: c2,
                column: k2,
                rowid: r2,
            },
        ) => c1 == c2 && k1 == k2 && r1 == r2,
        (Expr::Rowid(x), Expr::Rowid(y)) => x == y,
        (Expr::Unary(o1, x), Expr::Unary(o2, y)) => o1 == o2 && same_expr(x, y),
        (Expr::Binary(o1, a1, b1), Expr::Binary(o2, a2, b2)) => {
            o1 == o2 && same_expr(a1, a2) && same_expr(b1, b2)
        }
        (
            Expr::Compare {
                op: o1,
                is: i1,
                left: l1,
                right: r1,
                left_affinity: la1,
                right_affinity: ra1,
                collation: c1,
            },
            Expr::Compare {
                op: o2,
                is: i2,
                left: l2,
                right: r2,
                left_affinity: la2,
                right_affinity: ra2,
                collation: c2,
            },
        ) => {
            o1 == o2
                && i1 == i2
                && la1 == la2
                && ra1 == ra2
                && c1 == c2
                && same_expr(l1, l2)
                && same_expr(r1, r2)
        }
        (
            Expr::Between {
                negated: n1,
                expr: e1,
                low: lo1,
                high: hi1,
                affinities: a1,
                collation: c1,
            },
            Expr::Between {
                negated: n2,
                expr: e2,
                low: lo2,
                high: hi2,
                affinities: a2,
                collation: c2,
            },
        ) => {
            n1 == n2
                && a1 == a2
                && c1 == c2
                && same_expr(e1, e2)
                && same_expr(lo1, lo2)
                && same_expr(hi1, hi2)
        }
        (
            Expr::InList {
                negated: n1,
                expr: e1,
                list: l1,
                affinity: a1,
                collation: c1,
            },
            Expr::InList {
                negated: n2,
                expr: e2,
                list: l2,
                affinity: a2,
                collation: c2,
            },
        ) => n1 == n2 && a1 == a2 && c1 == c2 && same_expr(e1, e2) && all(l1, l2),
        (
            Expr::Like {
                negated: n1,
                glob: g1,
                expr: e1,
                pattern: p1,
                escape: x1,
            },
            Expr::Like {
                negated: n2,
                glob: g2,
                expr: e2,
                pattern: p2,
                escape: x2,
            },
        ) => n1 == n2 && g1 == g2 && same_expr(e1, e2) && same_expr(p1, p2) && both(x1, x2),
        (
            Expr::Function {
                name: f1,
                args: a1,
                collation: c1,
                ..
            },
            Expr::Function {
                name: f2,
                args: a2,
                collation: c2,
                ..
            },
        ) => f1 == f2 && c1 == c2 && all(a1, a2),
        (Expr::Cast(x, a1), Expr::Cast(y, a2))
        | (Expr::ApplyAffinity(x, a1), Expr::ApplyAffinity(y, a2)) => a1 == a2 && same_expr(x, y),
        (Expr::IsNull(x), Expr::IsNull(y))
        | (Expr::NotNull(x), Expr::NotNull(y))
        | (Expr::RealAffinity(x), Expr::RealAffinity(y)) => same_expr(x, y),
        _ => false,
    }
}

/// Whether two constants are the same literal: the same class and value (a REAL by its
/// bits, so 1.0 is not the integer 1 and -0.0 is not 0.0).
fn same_constant(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// The column of `table` that `part` requires non-NULL (`c IS NOT NULL`, `c NOTNULL`,
/// `c NOT NULL`), if that is what it says: not the rowid alias, which is never NULL and
/// which SQLite does not reason about here either.
fn not_null_column(table: &Table, part: &ast::Expr) -> Option<usize> {
    let operand = match part {
        ast::Expr::NotNull(x) => x,
        ast::Expr::Binary {
            op: ast::BinaryOp::IsNot,
            left,
            right,
        } if matches!(**right, ast::Expr::Literal(ast::Literal::Null)) => left,
        _ => return None,
    };
    let ast::Expr::Column { column, .. } = &**operand else {
        return None;
    };
    if column
        .table
        .as_ref()
        .is_some_and(|t| !t.as_str().eq_ignore_ascii_case(&table.name))
    {
        return None;
    }
    table
        .column_index(column.column.as_str())
        .filter(|&i| Some(i) != table.rowid_alias)
}

/// Whether `e` cannot be true while column `column` of `cursor` is NULL, by SQLite's rules
/// (`exprImpliesNotNull`): the column itself, or an operator that is NULL when the column
/// is. `seen_not` is set below a negation or a comparison, where BETWEEN and IN (SELECT)
/// no longer count.
fn implies_not_null(e: &Expr, cursor: CursorId, column: usize, seen_not: bool) -> bool {
    use super::insn::BinOp;
    use crate::ast::UnaryOp;
    use crate::value::{ArithOp, BitOp};
    let on = |x: &Expr, seen_not: bool| implies_not_null(x, cursor, column, seen_not);
    match e {
        Expr::Column {
            cursor: c,
            column: k,
            rowid: false,
        } => *c == cursor && *k == column,
        Expr::RealAffinity(x) | Expr::ApplyAffinity(x, _) => on(x, seen_not),
        Expr::Compare {
            is: false,
            left,
            right,
            ..
        } => on(right, true) || on(left, true),
        Expr::Binary(op, a, b) => match op {
            BinOp::Arith(ArithOp::Add | ArithOp::Subtract)
            | BinOp::Bit(BitOp::Or | BitOp::ShiftLeft | BitOp::ShiftRight)
            | BinOp::Concat => on(b, true) || on(a, true),
            BinOp::Arith(ArithOp::Multiply | ArithOp::Divide | ArithOp::Remainder)
            | BinOp::Bit(BitOp::And) => on(b, seen_not) || on(a, seen_not),
            BinOp::And | BinOp::Or => false,
        },
        Expr::Unary(UnaryOp::Negate | UnaryOp::Plus, x) => on(x, seen_not),
        Expr::Unary(UnaryOp::BitNot | UnaryOp::Not, x) => on(x, true),
        Expr::Between {
            negated: false,
            expr,
            low,
            high,
            ..
        } => !seen_not && (on(low, true) || on(high, true) || on(expr, true)),
        // `NULL NOT IN ()` is true: an empty list implies nothing (SQLite does not check).
        Expr::InList {
            negated,
            expr,
            list,
            ..
        } => !(*negated && list.is_empty()) && on(expr, true),
        Expr::InSelect { negated, expr, .. } => !seen_not && !*negated && on(expr, true),
        _ => false,
    }
}

impl Compiler<'_> {
    /// Compiles the condition of each partial index of `table` over table cursor `cursor`,
    /// part by part, for [`PartialIndex::applies`] to match with the loop's terms. A part
    /// that does not compile is left out: the planner then only reasons about NULLs there.
    pub(super) fn compile_partial_conditions(&mut self, table: &Table, cursor: CursorId) {
        for index in self.schema.indexes_of(&table.name) {
            let Some(condition) = &index.partial else {
                continue;
            };
            let mut parts = Vec::new();
            super::select::split_and(condition, &mut parts);
            self.scopes.push(super::compile::Scope {
                items: vec![super::dml::table_item(table, cursor)],
                sub: self.current_sub(),
                ..Default::default()
            });
            let compiled = parts.iter().map(|part| self.expr(part).ok()).collect();
            self.scopes.pop();
            self.partial_conditions
                .push((cursor, index.name.clone(), compiled));
        }
    }

    /// An IN-list access path for loop `depth`, when a term `column IN (list)` has a list
    /// that reads only outer loops (none of `inner`, this loop and those inside it) and the
    /// column is the rowid or leads an index.
    pub(super) fn in_access(
        &self,
        table: &Table,
        cursor: CursorId,
        inner: &[CursorId],
        terms: &[Term],
        level: &Level,
        depth: usize,
    ) -> Option<Access> {
        for (term, t) in terms.iter().enumerate() {
            if t.on_level.is_some() && t.on_level != Some(depth) {
                continue;
            }
            if let Expr::InSelect {
                negated: false,
                expr,
                sub,
                ..
            } = &t.expr
            {
                let on_rowid = loop_column(expr, cursor) == Some(None);
                if on_rowid && self.subs.get(*sub).is_some_and(|s| !s.correlated) {
                    // On a LEFT JOIN's right side a WHERE term also tests the NULL row, so
                    // only an ON term is enforced by the lookups.
                    let enforced = t.on_level.is_some() || !level.left_join;
                    return Some(Access::InSub {
                        sub: *sub,
                        term: enforced.then_some(term),
                    });
                }
                continue;
            }
            let rewritten = or_as_in_list(&t.expr, cursor);
            let Expr::InList {
                negated: false,
                expr,
                list,
                affinity,
                collation,
            } = rewritten.as_ref().unwrap_or(&t.expr)
            else {
                continue;
            };
            let Some(column) = loop_column(expr, cursor) else {
                continue;
            };
            let mut ok = true;
            let mut correlated = false;
            for x in list {
                cursors_of(
                    x,
                    &mut |c| {
                        if inner.contains(&c) {
                            ok = false;
                        }
                    },
                    &mut correlated,
                    &self.subs,
                );
            }
            if !ok || correlated {
                continue;
            }
            // Rowid keys take INTEGER affinity before the list drops duplicates, so '2'
            // and 2 are one key.
            let Some(column) = column else {
                return Some(Access::In {
                    index: None,
                    list: list
                        .iter()
                        .map(|x| Expr::ApplyAffinity(Box::new(x.clone()), Affinity::Integer))
                        .collect(),
                });
            };
            let keys: Option<Vec<Expr>> =
                list.iter().map(|x| seek_key(x, *affinity, None)).collect();
            let Some(keys) = keys else { continue };
            // The narrowest index the column leads (SQLite's cost model counts an index
            // entry's width).
            let chosen = self
                .usable_indexes(table, cursor)
                .into_iter()
                .filter(|index| {
                    index.partial.is_none()
                        && index.root != 0
                        && index.columns.first().is_some_and(|first| {
                            first.column == Some(column) && first.collation == *collation
                        })
                })
                .min_by_key(|index| index.columns.len());
            if let Some(index) = chosen {
                return Some(Access::In {
                    index: Some(index),
                    list: keys,
                });
            }
        }
        None
    }
}

/// Moves each `generate_series` loop after the loops its arguments read (an inner join
/// only), keeping the other loops' order.
pub(super) fn series_after_arguments(
    mut levels: Vec<Level>,
    subs: &[super::SubProgram],
) -> Vec<Level> {
    let mut i = 0;
    let mut moves = 0;
    while i < levels.len() && moves <= levels.len() * levels.len() {
        let mut needs = Vec::new();
        if let Some(series) = &levels[i].series {
            let mut correlated = false;
            for arg in series.args.iter().flatten() {
                cursors_of(arg, &mut |c| needs.push(c), &mut correlated, subs);
            }
        }
        let last_needed = levels
            .iter()
            .enumerate()
            .skip(i + 1)
            .filter(|(_, l)| needs.contains(&l.cursor))
            .map(|(k, _)| k)
            .max();
        match last_needed {
            Some(k) => {
                let level = levels.remove(i);
                levels.insert(k, level);
                moves += 1;
            }
            None => i += 1,
        }
    }
    levels
}

/// A comparison that a seek of one loop could use: `column op key`.
struct Candidate {
    /// The column; None for the rowid.
    column: Option<usize>,
    /// The comparison, with the column on the left.
    op: CompareOp,
    /// The key, converted as the comparison converts it.
    key: Expr,
    /// The comparison's collation; None for `IS NULL`, which any collation serves.
    collation: Option<Collation>,
    /// The term (an index into the loop's terms) when a seek by this key enforces it
    /// exactly.
    exact: Option<usize>,
    /// Whether a NULL key matches the NULL entries (an IS term), rather than nothing.
    matches_null: bool,
    /// For a rowid term: its key for a seek of an index on the rowid alias (the rowid
    /// converted as an INTEGER column converts it).
    alias_key: Option<Expr>,
}

/// The seek key for `column op other`, converted as the comparison converts `other`; None
/// when the comparison would convert the column's values instead (the index order does not
/// apply).
pub(super) fn seek_key(
    other: &Expr,
    column: Option<Affinity>,
    other_affinity: Option<Affinity>,
) -> Option<Expr> {
    let numeric = |a: Option<Affinity>| a.is_some_and(Affinity::is_numeric);
    match column {
        Some(a) if a.is_numeric() => {
            if numeric(other_affinity) {
                Some(other.clone())
            } else {
                Some(Expr::ApplyAffinity(
                    Box::new(other.clone()),
                    Affinity::Numeric,
                ))
            }
        }
        Some(Affinity::Text) => match other_affinity {
            None => Some(Expr::ApplyAffinity(Box::new(other.clone()), Affinity::Text)),
            Some(Affinity::Text) | Some(Affinity::Blob) => Some(other.clone()),
            _ => None,
        },
        _ => match other_affinity {
            None | Some(Affinity::Blob) => Some(other.clone()),
            _ => None,
        },
    }
}

/// The operator with its operands swapped.
pub(super) fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// Calls `f` with every cursor `e` reads; sets `correlated` when it runs a correlated
/// subquery (whose cursors are not visible here).
pub fn cursors_of(
    e: &Expr,
    f: &mut dyn FnMut(CursorId),
    correlated: &mut bool,
    subs: &[super::SubProgram],
) {
    let go = |x: &Expr, f: &mut dyn FnMut(CursorId), c: &mut bool| cursors_of(x, f, c, subs);
    match e {
        Expr::Column { cursor, .. }
        | Expr::IdxColumn { cursor, .. }
        | Expr::EphColumn { cursor, .. }
        | Expr::Rowid(cursor) => f(*cursor),
        Expr::Unary(_, x)
        | Expr::Cast(x, _)
        | Expr::IsNull(x)
        | Expr::NotNull(x)
        | Expr::ApplyAffinity(x, _)
        | Expr::RealAffinity(x) => go(x, f, correlated),
        Expr::Binary(_, a, b) => {
            go(a, f, correlated);
            go(b, f, correlated);
        }
        Expr::Compare { left, right, .. } => {
            go(left, f, correlated);
            go(right, f, correlated);
        }
        Expr::Between {
            expr, low, high, ..
        } => {
            go(expr, f, correlated);
            go(low, f, correlated);
            go(high, f, correlated);
        }
        Expr::InList { expr, list, .. } => {
            go(expr, f, correlated);
            for x in list {
                go(x, f, correlated);
            }
        }
        Expr::InSelect { expr, sub, .. } => {
            go(expr, f, correlated);
            if subs.get(*sub).is_some_and(|s| s.correlated) {
                *correlated = true;
            }
        }
        Expr::Exists(sub) | Expr::Scalar(sub) => {
            if subs.get(*sub).is_some_and(|s| s.correlated) {
                *correlated = true;
            }
        }
        Expr::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            go(expr, f, correlated);
            go(pattern, f, correlated);
            if let Some(e) = escape {
                go(e, f, correlated);
            }
        }
        Expr::Function { args, .. } => {
            for x in args {
                go(x, f, correlated);
            }
        }
        Expr::Case {
            operand,
            when_then,
            else_expr,
            ..
        } => {
            if let Some(o) = operand {
                go(o, f, correlated);
            }
            for (w, t) in when_then {
                go(w, f, correlated);
                go(t, f, correlated);
            }
            if let Some(e) = else_expr {
                go(e, f, correlated);
            }
        }
        Expr::Raise(_, Some(m)) => go(m, f, correlated),
        Expr::Const(_)
        | Expr::Param(_)
        | Expr::Reg(_)
        | Expr::AggValue { .. }
        | Expr::Captured { .. }
        | Expr::Raise(_, None) => {}
    }
}
