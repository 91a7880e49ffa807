//! Compiling SELECT: FROM items, nested-loop joins with access paths chosen from WHERE,
//! aggregation, DISTINCT, ORDER BY through a sorter, LIMIT/OFFSET, compound selects.
//!
//! The parts live beside this file: FROM items in [`super::from`], the loops in
//! [`super::loops`], and the planner (access paths, join order, ORDER BY from an index) in
//! [`super::access`].

use super::access::{cursors_of, series_after_arguments};
use std::collections::HashMap;
use std::sync::Arc;

use super::compile::{no_meta, ColumnMeta, Compiler, CteDef, ValueKinds};
use super::insn::{CursorId, Expr, Insn, Reg};
use crate::ast::{self, CompoundOp, SelectCore};
use crate::error::{Error, Result};
use crate::schema::{Index, Table};
use crate::value::{Affinity, Collation};

/// Where a query's rows go.
#[derive(Debug, Clone, Copy)]
pub enum Dest {
    /// Result rows of the statement.
    Result,
    /// Appended to an ephemeral table.
    Ephemeral(usize),
    /// The first row appended to an ephemeral table, then the subprogram ends.
    First(usize),
}

/// An ON or USING term with the LEFT JOIN loop it belongs to.
pub(super) type OnTerm = (ast::Expr, Option<usize>);

/// A compiled term, the LEFT JOIN loop it belongs to, and the cursors it reads (None: it
/// runs a correlated subquery, so it needs every loop).
pub(super) type CompiledTerm = (Expr, Option<usize>, Option<Vec<CursorId>>);

/// One loop of a join.
#[derive(Debug, Clone)]
pub(super) struct Level {
    /// The cursor its columns are read through.
    pub(super) cursor: CursorId,
    /// The table, for table items.
    pub(super) table: Option<Arc<Table>>,
    /// Whether it is the right side of a LEFT JOIN.
    pub(super) left_join: bool,
    /// Whether it is the right side of a RIGHT or FULL JOIN: its rows that no row of the
    /// loops before it matches come out too, with those loops' columns NULL.
    pub(super) keeps_unmatched: bool,
    /// For a `generate_series` loop: its arguments.
    pub(super) series: Option<Box<SeriesLevel>>,
}

/// The arguments of a `generate_series` loop.
#[derive(Debug, Clone)]
pub(super) struct SeriesLevel {
    /// The arguments as written in FROM.
    pub(super) written: Vec<ast::Expr>,
    /// START, STOP and STEP, compiled (None: not given).
    pub(super) args: [Option<Expr>; 3],
}

/// A WHERE or ON term.
#[derive(Debug, Clone)]
pub(super) struct Term {
    /// The compiled condition.
    pub(super) expr: Expr,
    /// The innermost loop it needs.
    pub(super) level: usize,
    /// For ON terms of a LEFT JOIN: the loop they belong to.
    pub(super) on_level: Option<usize>,
}

/// How one loop reads its table.
#[derive(Debug, Clone)]
pub enum Access {
    /// Every row.
    Scan,
    /// One rowid, and the term (an index into the loop's terms) that the lookup enforces
    /// exactly, if one does (see [`Access::Index::enforced`]).
    RowidEq(Expr, Option<usize>),
    /// A rowid range.
    RowidRange(Option<(Expr, bool)>, Option<(Expr, bool)>),
    /// Each distinct value of an IN list: a rowid lookup (no index) or an equality scan
    /// of an index whose first column is the tested column.
    In {
        /// The index; None for the rowid.
        index: Option<Arc<Index>>,
        /// The list values (converted as the comparison converts them).
        list: Vec<Expr>,
    },
    /// Each distinct value of an uncorrelated `rowid IN (SELECT ...)`, as a rowid lookup
    /// (SQLite's plan for it): the values take INTEGER affinity and are made distinct, and
    /// the lookup names a row only where `OP_SeekRowid` would, so that a REAL such as
    /// -2^63 finds no row as in SQLite.
    InSub {
        /// The subprogram whose first result column gives the values.
        sub: usize,
        /// The IN term (an index into the loop's terms), when the lookups enforce it (see
        /// [`Access::Index::enforced`]).
        term: Option<usize>,
    },
    /// An index: equality keys, then optional bounds on the next column.
    Index {
        /// The index.
        index: Arc<Index>,
        /// Equality keys.
        eq: Vec<Expr>,
        /// Where the range starts in index order (key, inclusive): the lower bound of an
        /// ascending column's values, the upper bound of a descending one's.
        low: Option<(Expr, bool)>,
        /// Where it ends in index order (key, inclusive).
        high: Option<(Expr, bool)>,
        /// The terms (indexes into the loop's terms) that the equality keys enforce
        /// exactly: `column = key` comparisons (not IS) under the index column's collation.
        /// The loop does not test them again, as SQLite's does not, and finds no row for a
        /// NULL key (which the index would match with its NULL entries).
        enforced: Vec<usize>,
    },
}

/// Limit and offset counters.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Limits {
    /// LIMIT counter register.
    pub(super) limit: Option<Reg>,
    /// OFFSET counter register.
    pub(super) offset: Option<Reg>,
}

impl Compiler<'_> {
    /// Compiles a complete SELECT into `dest`; returns its result columns.
    pub fn select(&mut self, select: &ast::Select, dest: Dest) -> Result<Vec<ColumnMeta>> {
        self.with_ctes(select.with.as_ref(), |this| {
            if select.compounds.is_empty() {
                this.core(&select.first, &select.order_by, select.limit.as_ref(), dest)
            } else {
                this.compound(select, dest)
            }
        })
    }

    /// Runs `compile` with the common table expressions of `with` in scope (a SELECT's, or
    /// an INSERT's, UPDATE's or DELETE's leading WITH).
    pub(super) fn with_ctes<T>(
        &mut self,
        with: Option<&ast::With>,
        compile: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let Some(with) = with else {
            return compile(self);
        };
        let mut map = HashMap::new();
        for cte in &with.ctes {
            map.insert(
                cte.name.as_str().to_ascii_lowercase(),
                CteDef {
                    cte: cte.clone(),
                    recursive: with.recursive,
                    hidden: false,
                    current: None,
                },
            );
        }
        self.ctes.push(map);
        let result = compile(self);
        self.ctes.pop();
        result
    }

    /// Emits LIMIT/OFFSET counters; jumps to `end` when the limit is zero.
    pub(super) fn limits(&mut self, limit: Option<&ast::Limit>, end: usize) -> Result<Limits> {
        let Some(limit) = limit else {
            return Ok(Limits::default());
        };
        let count = self.scoped_const_expr(&limit.count)?;
        let r = self.reg();
        self.emit(Insn::Limit {
            expr: count,
            dest: r,
            offset: false,
        });
        self.emit(Insn::IfZero {
            reg: r,
            target: end,
        });
        let offset = match &limit.offset {
            Some(o) => {
                let o = self.scoped_const_expr(o)?;
                let r = self.reg();
                self.emit(Insn::Limit {
                    expr: o,
                    dest: r,
                    offset: true,
                });
                Some(r)
            }
            None => None,
        };
        Ok(Limits {
            limit: Some(r),
            offset,
        })
    }

    /// Compiles an expression that may not name the query's own columns (LIMIT/OFFSET).
    pub(super) fn scoped_const_expr(&mut self, e: &ast::Expr) -> Result<Expr> {
        let saved = self.scopes.pop();
        let result = self.expr(e);
        if let Some(s) = saved {
            self.scopes.push(s);
        }
        result
    }

    /// Sends the row in `start..start+count` to `dest`, honouring limits; `skip` continues
    /// with the next row, `end` stops the query.
    pub(super) fn output(
        &mut self,
        dest: Dest,
        start: Reg,
        count: usize,
        limits: Limits,
        skip: usize,
        end: usize,
    ) {
        if let Some(offset) = limits.offset {
            self.emit(Insn::OffsetSkip {
                reg: offset,
                target: skip,
            });
        }
        match dest {
            Dest::Result => self.emit(Insn::ResultRow { start, count }),
            Dest::Ephemeral(eph) => self.emit(Insn::EphInsert { eph, start, count }),
            Dest::First(eph) => {
                self.emit(Insn::EphInsert { eph, start, count });
                self.emit(Insn::Halt);
            }
        }
        if let Some(limit) = limits.limit {
            self.emit(Insn::DecrJumpZero {
                reg: limit,
                target: end,
            });
        }
    }

    /// Compiles a compound select.
    pub(super) fn compound(&mut self, select: &ast::Select, dest: Dest) -> Result<Vec<ColumnMeta>> {
        let acc = self.ephemeral();
        self.emit(Insn::ClearEphemeral { eph: acc });
        let mut metas = self.core(&select.first, &[], None, Dest::Ephemeral(acc))?;
        let mut collations = vec![None; metas.len()];
        note_collations(&mut collations, &metas);
        // Per column, each arm's affinity and what it may produce; and the last arm's
        // operand affinities.
        let mut arms: Vec<Vec<(Option<Affinity>, ValueKinds)>> =
            metas.iter().map(|m| vec![(m.affinity, m.kinds)]).collect();
        let mut last: Vec<Option<Affinity>> = Vec::new();
        let mut combines = Vec::new();
        for (op, core) in &select.compounds {
            let right = self.ephemeral();
            self.emit(Insn::ClearEphemeral { eph: right });
            let more = self.core(core, &[], None, Dest::Ephemeral(right))?;
            if more.len() != metas.len() {
                let word = match op {
                    CompoundOp::Union => "UNION",
                    CompoundOp::UnionAll => "UNION ALL",
                    CompoundOp::Intersect => "INTERSECT",
                    CompoundOp::Except => "EXCEPT",
                };
                return Err(Error::msg(format!(
                    "SELECTs to the left and right of {word} do not have the same number of result columns"
                )));
            }
            note_collations(&mut collations, &more);
            for (column, m) in arms.iter_mut().zip(&more) {
                column.push((m.affinity, m.kinds));
            }
            last = more.iter().map(|m| m.affinity).collect();
            combines.push(self.code.len());
            self.emit(Insn::Compound {
                op: *op,
                left: acc,
                right,
                collations: Vec::new(),
            });
        }
        // As SQLite's `multiSelectCollSeq`: a column compares under the collation of the
        // leftmost arm whose expression has one (a column or COLLATE), else BINARY; every
        // combining step and the ORDER BY use the same ones.
        let collations: Vec<Collation> = collations
            .into_iter()
            .map(|c| c.unwrap_or(Collation::Binary))
            .collect();
        for at in combines {
            if let Some(Insn::Compound { collations: c, .. }) = self.code.get_mut(at) {
                c.clone_from(&collations);
            }
        }
        let casts = written_casts(&select.first);
        for (i, m) in metas.iter_mut().enumerate() {
            let cast = casts.get(i).copied().unwrap_or(false);
            m.compound_affinity = Some(compound_column_affinity(&arms[i], cast));
            m.affinity = last.get(i).copied().flatten();
        }
        // As SQLite's `convertCompoundSelectToSubquery`: a compound with a UNION, INTERSECT
        // or EXCEPT whose ORDER BY has a COLLATE runs as `SELECT * FROM (compound) ORDER BY
        // ...`, so its rows are read back as a subquery's (a REAL column's integers become
        // reals) and a term without COLLATE sorts by the first arm's collation.
        let as_subquery = select
            .compounds
            .iter()
            .any(|(op, _)| *op != CompoundOp::UnionAll)
            && select.order_by.iter().any(|t| has_collate(&t.expr));
        let mut keys = Vec::new();
        for (i, term) in select.order_by.iter().enumerate() {
            // An ordinal may carry a COLLATE (`ORDER BY 1 COLLATE NOCASE`).
            let column = match strip_collate(&term.expr) {
                e if term_ordinal(e).is_some_and(|k| k >= 1 && (k as usize) <= metas.len()) => {
                    term_ordinal(e).unwrap_or(1) as usize - 1
                }
                other => {
                    let bare = strip_collate(other);
                    let found = match bare {
                        ast::Expr::Column { column, .. } => metas
                            .iter()
                            .position(|m| m.name.eq_ignore_ascii_case(column.column.as_str())),
                        _ => None,
                    };
                    found.ok_or_else(|| {
                        Error::msg(format!(
                            "{} ORDER BY term does not match any column in the result set",
                            ordinal(i + 1)
                        ))
                    })?
                }
            };
            let collation = match &term.expr {
                ast::Expr::Collate { collation, .. } => Collation::from_name(collation.as_str())
                    .ok_or_else(|| {
                        Error::msg(format!("no such collation sequence: {}", collation.0))
                    })?,
                _ if as_subquery => metas[column].collation,
                _ => collations[column],
            };
            let desc = term.order == Some(ast::SortOrder::Desc);
            let nulls_first = match term.nulls {
                Some(ast::NullsOrder::First) => true,
                Some(ast::NullsOrder::Last) => false,
                None => !desc,
            };
            keys.push((column, collation, desc, nulls_first));
        }
        // Read back as a subquery's rows, a REAL column's integers are reals before the
        // ORDER BY sees them (two integers may become one real and tie).
        let reals: Vec<usize> = metas
            .iter()
            .enumerate()
            .filter(|(_, m)| as_subquery && m.column_affinity() == Some(Affinity::Real))
            .map(|(i, _)| i)
            .collect();
        if !reals.is_empty() {
            self.emit(Insn::EphRealAffinity {
                eph: acc,
                columns: reals,
            });
        }
        if !keys.is_empty() {
            self.emit(Insn::Sort { eph: acc, keys });
        }
        let end = self.label();
        self.scopes.push(super::compile::Scope {
            sub: self.current_sub(),
            ..Default::default()
        });
        let limits = self.limits(select.limit.as_ref(), end);
        self.scopes.pop();
        let limits = limits?;
        let cursor = self.cursor();
        self.emit(Insn::OpenEphemeral { cursor, eph: acc });
        self.emit(Insn::Rewind {
            cursor,
            if_empty: end,
        });
        let top = self.label();
        let next = self.label();
        self.place(top);
        let start = self.regs(metas.len());
        for i in 0..metas.len() {
            let read = Expr::EphColumn { cursor, column: i };
            self.emit(Insn::Eval {
                expr: read,
                dest: start + i,
            });
        }
        self.output(dest, start, metas.len(), limits, next, end);
        self.place(next);
        self.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.place(end);
        Ok(metas)
    }

    /// Compiles one core with its ORDER BY and LIMIT.
    pub(super) fn core(
        &mut self,
        core: &SelectCore,
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        dest: Dest,
    ) -> Result<Vec<ColumnMeta>> {
        let clause = match core {
            SelectCore::Values(rows) => return self.values(rows, order_by, limit, dest),
            SelectCore::Select(clause) => clause,
        };
        self.scopes.push(super::compile::Scope {
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = self.select_clause(clause, order_by, limit, dest);
        self.scopes.pop();
        result
    }

    /// VALUES rows.
    pub(super) fn values(
        &mut self,
        rows: &[Vec<ast::Expr>],
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        dest: Dest,
    ) -> Result<Vec<ColumnMeta>> {
        let width = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != width) {
            return Err(Error::msg("all VALUES must have the same number of terms"));
        }
        if !order_by.is_empty() || limit.is_some() {
            // Rare: materialize, then treat as a compound of one core.
            let select = ast::Select {
                with: None,
                first: SelectCore::Values(rows.to_vec()),
                compounds: vec![(CompoundOp::UnionAll, SelectCore::Values(Vec::new()))],
                order_by: order_by.to_vec(),
                limit: limit.cloned(),
            };
            let _ = select;
            return Err(Error::msg("ORDER BY and LIMIT on VALUES are not supported"));
        }
        self.scopes.push(super::compile::Scope {
            sub: self.current_sub(),
            ..Default::default()
        });
        let end = self.label();
        let start = self.regs(width);
        let mut result = Ok(());
        for row in rows {
            for (i, e) in row.iter().enumerate() {
                match self.expr(e) {
                    Ok(x) => self.emit(Insn::Eval {
                        expr: x,
                        dest: start + i,
                    }),
                    Err(e) => result = Err(e),
                }
            }
            let skip = self.label();
            self.output(dest, start, width, Limits::default(), skip, end);
            self.place(skip);
        }
        self.place(end);
        self.scopes.pop();
        result?;
        Ok((0..width)
            .map(|i| no_meta(&format!("column{}", i + 1)))
            .collect())
    }

    /// Compiles one SELECT clause (the scope is already pushed).
    pub(super) fn select_clause(
        &mut self,
        clause: &ast::SelectClause,
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        dest: Dest,
    ) -> Result<Vec<ColumnMeta>> {
        let first_index_loop = self.index_loops.len();
        let first_scan_loop = self.scan_loops.len();
        let end = self.label();
        let limits = self.limits(limit, end)?;
        let (levels, on_terms) = match &clause.from {
            Some(from) => self.open_from(from)?,
            None => (Vec::new(), Vec::new()),
        };
        let columns = self.result_columns(&clause.columns)?;
        if let Some(scope) = self.scopes.last_mut() {
            scope.aliases = columns
                .iter()
                .filter(|(e, _)| !matches!(e, ast::Expr::Column { .. }))
                .map(|(e, n)| (n.clone(), e.clone()))
                .collect();
        }
        // Terms.
        let mut where_parts = Vec::new();
        if let Some(w) = &clause.where_clause {
            if self.has_aggregate(w) {
                return Err(Error::msg("misuse of aggregate function"));
            }
            split_and(w, &mut where_parts);
        }
        // Compile every term and note the cursors it reads (None: all of them).
        let mut compiled = Vec::new();
        for (e, on_level) in on_terms
            .iter()
            .map(|(e, l)| (e, *l))
            .chain(where_parts.into_iter().map(|e| (e, None)))
        {
            let expr = self.expr(e)?;
            let mut used = Vec::new();
            let mut correlated_sub = false;
            cursors_of(
                &expr,
                &mut |c| used.push(c),
                &mut correlated_sub,
                &self.subs,
            );
            compiled.push((expr, on_level, (!correlated_sub).then_some(used)));
        }
        let mut levels = levels;
        self.series_arguments(&mut levels, &mut compiled)?;
        let levels = if on_terms.iter().all(|(_, l)| l.is_none())
            && levels.iter().all(|l| !l.keeps_unmatched)
        {
            let cross = cross_joins(clause.from.as_ref(), levels.len());
            series_after_arguments(self.join_order(levels, &compiled, &cross), &self.subs)
        } else {
            levels
        };
        let cursor_level: HashMap<CursorId, usize> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.cursor, i))
            .collect();
        let last = levels.len().saturating_sub(1);
        let mut terms = Vec::new();
        for (expr, on_level, used) in compiled {
            let mut level = 0;
            match used {
                Some(used) => {
                    for c in used {
                        if let Some(l) = cursor_level.get(&c) {
                            level = level.max(*l);
                        }
                    }
                }
                None => level = last,
            }
            if let Some(l) = on_level {
                level = level.max(l);
            }
            terms.push(Term {
                expr,
                level,
                on_level,
            });
        }
        let aggregate = !clause.group_by.is_empty()
            || columns.iter().any(|(e, _)| self.has_aggregate(e))
            || clause
                .having
                .as_ref()
                .is_some_and(|h| self.has_aggregate(h))
            || order_by.iter().any(|t| self.has_aggregate(&t.expr));
        if clause.having.is_some() && !aggregate {
            return Err(Error::msg("a GROUP BY clause is required before HAVING"));
        }
        let metas: Vec<ColumnMeta>;
        if aggregate {
            let agg = self.aggregations;
            self.aggregations += 1;
            let mut keys = Vec::new();
            let mut key_collations = Vec::new();
            for g in &clause.group_by {
                let g = self.group_term(g, &columns)?;
                if self.has_aggregate(&g) {
                    return Err(Error::msg(
                        "aggregate functions are not allowed in the GROUP BY clause",
                    ));
                }
                let (x, m) = self.expr_meta(&g)?;
                keys.push(x);
                key_collations.push(m.collation);
            }
            if let Some(scope) = self.scopes.last_mut() {
                scope.agg = Some(super::compile::AggContext {
                    agg,
                    ..Default::default()
                });
            }
            let compiled = self.compile_outputs(&columns, order_by);
            let having = match (&clause.having, &compiled) {
                (Some(h), Ok(_)) => Some(self.expr(h)),
                _ => None,
            };
            let ctx = self.scopes.last_mut().and_then(|s| s.agg.take());
            let (cols, col_metas, order_keys) = compiled?;
            let having = having.transpose()?;
            let ctx = ctx.unwrap_or_default();
            let distinct_collations: Vec<Collation> =
                col_metas.iter().map(|m| m.collation).collect();
            metas = col_metas;
            let sorter_eph = if order_keys.is_empty() {
                None
            } else {
                let eph = self.ephemeral();
                self.emit(Insn::ClearEphemeral { eph });
                Some(eph)
            };
            let distinct_set = if clause.distinct {
                let set = self.set();
                self.emit(Insn::ClearSet { set });
                Some(set)
            } else {
                None
            };
            self.emit(Insn::AggReset { agg });
            let step = Insn::AggStep {
                agg,
                keys,
                collations: key_collations,
                calls: ctx.calls.clone(),
                captured: ctx.captured.clone(),
            };
            let loops_end = self.label();
            self.all_loops(
                &levels,
                &terms,
                loops_end,
                &mut |c: &mut Compiler<'_>, _next| {
                    c.emit(step.clone());
                    Ok(())
                },
            )?;
            self.place(loops_end);
            if clause.group_by.is_empty() {
                self.emit(Insn::AggEnsure {
                    agg,
                    calls: ctx.calls.clone(),
                    captured: ctx.captured.len(),
                });
            }
            self.emit(Insn::AggRewind { agg, if_empty: end });
            let top = self.label();
            let next = self.label();
            self.place(top);
            if let Some(h) = having {
                self.emit(Insn::IfNot {
                    expr: h,
                    target: next,
                    jump_if_null: true,
                });
            }
            let sorter = self.emit_row_with(
                &cols,
                &order_keys,
                distinct_set.map(|set| (set, distinct_collations.as_slice())),
                sorter_eph,
                dest,
                limits,
                next,
                end,
            )?;
            self.place(next);
            self.emit(Insn::AggNext { agg, target: top });
            if let Some((eph, n)) = sorter {
                self.sorted_output(eph, n, &order_keys, dest, limits, end);
            }
        } else {
            let (cols, col_metas, order_keys) = self.compile_outputs(&columns, order_by)?;
            let distinct_collations: Vec<Collation> =
                col_metas.iter().map(|m| m.collation).collect();
            metas = col_metas;
            let loops_end = self.label();
            let mut sorter = None;
            let distinct = clause.distinct;
            // An ORDER BY that the single loop's rowid or index order already gives needs
            // no sorter.
            let order_keys = if self.order_from_loop(&levels, &terms, &order_keys) {
                Vec::new()
            } else {
                order_keys
            };
            let cols_c = cols.clone();
            let keys_c = order_keys.clone();
            // With a sorter, the loops feed it; else the loops emit directly.
            let pre_sorter = if !order_keys.is_empty() {
                let eph = self.ephemeral();
                self.emit(Insn::ClearEphemeral { eph });
                Some(eph)
            } else {
                None
            };
            let distinct_set = if distinct {
                let set = self.set();
                self.emit(Insn::ClearSet { set });
                Some(set)
            } else {
                None
            };
            self.all_loops(
                &levels,
                &terms,
                loops_end,
                &mut |c: &mut Compiler<'_>, next| {
                    sorter = c.emit_row_with(
                        &cols_c,
                        &keys_c,
                        distinct_set.map(|set| (set, distinct_collations.as_slice())),
                        pre_sorter,
                        dest,
                        limits,
                        next,
                        end,
                    )?;
                    Ok(())
                },
            )?;
            self.place(loops_end);
            if let Some((eph, n)) = sorter {
                self.sorted_output(eph, n, &order_keys, dest, limits, end);
            }
        }
        self.place(end);
        self.cover_index_loops(first_index_loop);
        self.cover_scan_loops(first_scan_loop);
        Ok(metas)
    }

    /// A GROUP BY term: an ordinal or alias names a result column.
    pub(super) fn group_term(
        &self,
        g: &ast::Expr,
        columns: &[(ast::Expr, String)],
    ) -> Result<ast::Expr> {
        // An ordinal may carry a COLLATE (`GROUP BY 1 COLLATE NOCASE`), which then applies
        // to the result column it names.
        match strip_collate(g) {
            e if term_ordinal(e).is_some() => {
                let k = &term_ordinal(e).unwrap_or(0);
                if *k < 1 || *k as usize > columns.len() {
                    return Err(Error::msg(format!(
                        "1st GROUP BY term out of range - should be between 1 and {}",
                        columns.len()
                    )));
                }
                let column = columns[*k as usize - 1].0.clone();
                Ok(match g {
                    ast::Expr::Collate { collation, .. } => ast::Expr::Collate {
                        expr: Box::new(column),
                        collation: collation.clone(),
                    },
                    _ => column,
                })
            }
            _ => Ok(g.clone()),
        }
    }

    /// Compiles the result columns and ORDER BY keys.
    #[allow(clippy::type_complexity)]
    pub(super) fn compile_outputs(
        &mut self,
        columns: &[(ast::Expr, String)],
        order_by: &[ast::OrderingTerm],
    ) -> Result<(
        Vec<Expr>,
        Vec<ColumnMeta>,
        Vec<(Expr, Collation, bool, bool)>,
    )> {
        let mut cols = Vec::new();
        let mut metas = Vec::new();
        for (e, name) in columns {
            let (x, mut m) = self.expr_meta(e)?;
            m.name = name.clone();
            cols.push(x);
            metas.push(m);
        }
        let mut keys = Vec::new();
        for (i, term) in order_by.iter().enumerate() {
            let bare = strip_collate(&term.expr);
            let (x, m) = match bare {
                e if term_ordinal(e).is_some() => {
                    let k = &term_ordinal(e).unwrap_or(0);
                    if *k < 1 || *k as usize > cols.len() {
                        return Err(Error::msg(format!(
                            "{} ORDER BY term out of range - should be between 1 and {}",
                            ordinal(i + 1),
                            cols.len()
                        )));
                    }
                    (
                        cols[*k as usize - 1].clone(),
                        metas[*k as usize - 1].clone(),
                    )
                }
                ast::Expr::Column { column, .. }
                    if column.table.is_none()
                        && columns
                            .iter()
                            .any(|(_, n)| n.eq_ignore_ascii_case(column.column.as_str())) =>
                {
                    let k = columns
                        .iter()
                        .position(|(_, n)| n.eq_ignore_ascii_case(column.column.as_str()))
                        .unwrap_or(0);
                    (cols[k].clone(), metas[k].clone())
                }
                _ => self.expr_meta(bare)?,
            };
            let collation = match &term.expr {
                ast::Expr::Collate { collation, .. } => Collation::from_name(collation.as_str())
                    .ok_or_else(|| {
                        Error::msg(format!("no such collation sequence: {}", collation.0))
                    })?,
                _ => m.collation,
            };
            let desc = term.order == Some(ast::SortOrder::Desc);
            let nulls_first = match term.nulls {
                Some(ast::NullsOrder::First) => true,
                Some(ast::NullsOrder::Last) => false,
                None => !desc,
            };
            keys.push((x, collation, desc, nulls_first));
        }
        Ok((cols, metas, keys))
    }

    /// Emits one output row: evaluates the columns, checks DISTINCT (the set, and the
    /// collation of each result column, which SQLite's DISTINCT compares under), and sends
    /// the row to the sorter or to `dest`. Returns the sorter and its width when one is used.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit_row_with(
        &mut self,
        cols: &[Expr],
        keys: &[(Expr, Collation, bool, bool)],
        distinct: Option<(usize, &[Collation])>,
        sorter: Option<usize>,
        dest: Dest,
        limits: Limits,
        next: usize,
        end: usize,
    ) -> Result<Option<(usize, usize)>> {
        let width = cols.len() + if sorter.is_some() { keys.len() } else { 0 };
        let start = self.regs(width);
        for (i, x) in cols.iter().enumerate() {
            self.emit(Insn::Eval {
                expr: x.clone(),
                dest: start + i,
            });
        }
        if let Some((set, collations)) = distinct {
            self.emit(Insn::Distinct {
                set,
                start,
                count: cols.len(),
                collations: collations.to_vec(),
                if_seen: next,
            });
        }
        match sorter {
            Some(eph) => {
                for (i, (x, ..)) in keys.iter().enumerate() {
                    self.emit(Insn::Eval {
                        expr: x.clone(),
                        dest: start + cols.len() + i,
                    });
                }
                self.emit(Insn::EphInsert {
                    eph,
                    start,
                    count: width,
                });
                Ok(Some((eph, cols.len())))
            }
            None => {
                self.output(dest, start, cols.len(), limits, next, end);
                Ok(None)
            }
        }
    }

    /// Sorts the sorter and emits its rows.
    pub(super) fn sorted_output(
        &mut self,
        eph: usize,
        width: usize,
        keys: &[(Expr, Collation, bool, bool)],
        dest: Dest,
        limits: Limits,
        end: usize,
    ) {
        self.emit(Insn::Sort {
            eph,
            keys: keys
                .iter()
                .enumerate()
                .map(|(i, (_, c, d, n))| (width + i, *c, *d, *n))
                .collect(),
        });
        let cursor = self.cursor();
        self.emit(Insn::OpenEphemeral { cursor, eph });
        self.emit(Insn::Rewind {
            cursor,
            if_empty: end,
        });
        let top = self.label();
        let next = self.label();
        self.place(top);
        let start = self.regs(width);
        for i in 0..width {
            self.emit(Insn::Eval {
                expr: Expr::EphColumn { cursor, column: i },
                dest: start + i,
            });
        }
        self.output(dest, start, width, limits, next, end);
        self.place(next);
        self.emit(Insn::Next {
            cursor,
            target: top,
        });
    }
}

/// Fills the still unknown entries of `collations` from one compound arm's result columns:
/// a column reference (also under CAST or unary +) or an explicit COLLATE has a collation,
/// other expressions none.
fn note_collations(collations: &mut [Option<Collation>], metas: &[ColumnMeta]) {
    for (c, m) in collations.iter_mut().zip(metas) {
        if c.is_none() && (m.explicit || m.from_column || m.collation != Collation::Binary) {
            *c = Some(m.collation);
        }
    }
}

/// As SQLite's `sqlite3SubqueryColumnTypes` for a compound select (3.46): a column takes
/// the affinity of the leftmost arm that has one (`arms`: each arm's affinity and what it
/// may produce, in order), except that TEXT becomes BLOB when another arm may give a
/// number, a numeric affinity becomes BLOB when another arm may give text, and a numeric
/// affinity from a CAST in the first arm (`first_is_cast`) becomes NUMERIC (SQLite's
/// FLEXNUM: no REAL conversion on reading).
pub(super) fn compound_column_affinity(
    arms: &[(Option<Affinity>, ValueKinds)],
    first_is_cast: bool,
) -> Option<Affinity> {
    let chosen = arms.iter().position(|(a, _)| a.is_some())?;
    let others = arms
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != chosen)
        .fold(ValueKinds::NULL, |k, (_, (_, kinds))| k.union(*kinds));
    match arms[chosen].0 {
        Some(Affinity::Text) if others.number => Some(Affinity::Blob),
        Some(a) if a.is_numeric() && others.text => Some(Affinity::Blob),
        Some(a) if a.is_numeric() && first_is_cast && chosen == 0 => Some(Affinity::Numeric),
        other => other,
    }
}

/// For each result column of `core` written before any `*`: whether it is a CAST.
fn written_casts(core: &SelectCore) -> Vec<bool> {
    let SelectCore::Select(clause) = core else {
        return Vec::new();
    };
    clause
        .columns
        .iter()
        .map_while(|c| match c {
            ast::ResultColumn::Expr { expr, .. } => Some(matches!(expr, ast::Expr::Cast { .. })),
            _ => None,
        })
        .collect()
}

/// Whether `e` has a COLLATE outside its subqueries.
fn has_collate(e: &ast::Expr) -> bool {
    let mut found = false;
    super::compile::walk(e, &mut |x| {
        found |= matches!(x, ast::Expr::Collate { .. });
    });
    found
}

/// Splits `e` at its top-level ANDs.
pub fn split_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match e {
        ast::Expr::Binary {
            op: ast::BinaryOp::And,
            left,
            right,
        } => {
            split_and(left, out);
            split_and(right, out);
        }
        other => out.push(other),
    }
}

/// The integer an ORDER BY or GROUP BY term is, if it is one: `3`, `-3` or `+3` under any
/// COLLATE, which makes it an ordinal. As SQLite's `sqlite3ExprIsInteger`, only values that
/// fit 32 bits count; a wider integer is a constant expression.
pub(super) fn term_ordinal(e: &ast::Expr) -> Option<i64> {
    match strip_collate(e) {
        ast::Expr::Literal(ast::Literal::Integer(k)) => i32::try_from(*k).ok().map(i64::from),
        ast::Expr::Unary {
            op: ast::UnaryOp::Negate,
            operand,
        } => term_ordinal(operand).and_then(i64::checked_neg),
        ast::Expr::Unary {
            op: ast::UnaryOp::Plus,
            operand,
        } => term_ordinal(operand),
        _ => None,
    }
}

/// `e` without outer COLLATE clauses.
pub(super) fn strip_collate(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Collate { expr, .. } => strip_collate(expr),
        other => other,
    }
}

/// "1st", "2nd", "3rd", "4th", ...
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Per loop of `from` (which has `loops` loops): whether it is the right side of a CROSS
/// JOIN, which keeps it after the loops left of it. When the loops do not line up with
/// the FROM items, every loop counts as one, which keeps FROM order.
fn cross_joins(from: Option<&ast::FromClause>, loops: usize) -> Vec<bool> {
    match from {
        Some(from) if from.joins.len() + 1 == loops => std::iter::once(false)
            .chain(
                from.joins
                    .iter()
                    .map(|j| matches!(j.operator, ast::JoinOperator::Cross)),
            )
            .collect(),
        _ => vec![true; loops],
    }
}
