//! Compiling SELECT: FROM items, nested-loop joins with access paths chosen from WHERE,
//! aggregation, DISTINCT, ORDER BY through a sorter, LIMIT/OFFSET, compound selects.
//!
//! ## Access paths
//!
//! WHERE (and ON) is split into AND-terms; each term is evaluated in the innermost loop that
//! reads a table it mentions. For each loop, in FROM order, the planner looks for terms
//! `column op expr` whose other side reads only outer loops, and picks, in this order: rowid
//! (or INTEGER PRIMARY KEY) equality, the index with the longest equality prefix (plus a range
//! on its next column), a rowid range, an index range, else a full scan. Every term stays a
//! filter, so a seek only has to be a superset of the matching rows.

use std::collections::HashMap;
use std::sync::Arc;

use super::compile::{no_meta, ColumnMeta, Compiler, CteDef, FromItem, Source};
use super::insn::{CursorId, Expr, Insn, Reg, SeekOp};
use crate::ast::{self, CompoundOp, JoinConstraint, JoinOperator, ResultColumn, SelectCore};
use crate::error::{Error, Result};
use crate::schema::{Index, Table};
use crate::value::{Affinity, Collation, CompareOp};

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
type OnTerm = (ast::Expr, Option<usize>);

/// A compiled term, the LEFT JOIN loop it belongs to, and the cursors it reads (None: it
/// runs a correlated subquery, so it needs every loop).
type CompiledTerm = (Expr, Option<usize>, Option<Vec<CursorId>>);

/// One loop of a join.
#[derive(Debug, Clone)]
struct Level {
    /// The cursor its columns are read through.
    cursor: CursorId,
    /// The table, for table items.
    table: Option<Arc<Table>>,
    /// Whether it is the right side of a LEFT JOIN.
    left_join: bool,
    /// Whether it is the right side of a FULL JOIN (its unmatched rows come out too).
    full_join: bool,
}

/// A WHERE or ON term.
#[derive(Debug, Clone)]
struct Term {
    /// The compiled condition.
    expr: Expr,
    /// The innermost loop it needs.
    level: usize,
    /// For ON terms of a LEFT JOIN: the loop they belong to.
    on_level: Option<usize>,
}

/// How one loop reads its table.
#[derive(Debug, Clone)]
pub enum Access {
    /// Every row.
    Scan,
    /// One rowid.
    RowidEq(Expr),
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
    /// An index: equality keys, then optional bounds on the next column.
    Index {
        /// The index.
        index: Arc<Index>,
        /// Equality keys.
        eq: Vec<Expr>,
        /// Lower bound (key, inclusive).
        low: Option<(Expr, bool)>,
        /// Upper bound (key, inclusive).
        high: Option<(Expr, bool)>,
    },
}

/// Limit and offset counters.
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    /// LIMIT counter register.
    limit: Option<Reg>,
    /// OFFSET counter register.
    offset: Option<Reg>,
}

impl Compiler<'_> {
    /// Compiles a complete SELECT into `dest`; returns its result columns.
    pub fn select(&mut self, select: &ast::Select, dest: Dest) -> Result<Vec<ColumnMeta>> {
        let pushed = if let Some(with) = &select.with {
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
            true
        } else {
            false
        };
        let result = if select.compounds.is_empty() {
            self.core(&select.first, &select.order_by, select.limit.as_ref(), dest)
        } else {
            self.compound(select, dest)
        };
        if pushed {
            self.ctes.pop();
        }
        result
    }

    /// Emits LIMIT/OFFSET counters; jumps to `end` when the limit is zero.
    fn limits(&mut self, limit: Option<&ast::Limit>, end: usize) -> Result<Limits> {
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
    fn scoped_const_expr(&mut self, e: &ast::Expr) -> Result<Expr> {
        let saved = self.scopes.pop();
        let result = self.expr(e);
        if let Some(s) = saved {
            self.scopes.push(s);
        }
        result
    }

    /// Sends the row in `start..start+count` to `dest`, honouring limits; `skip` continues
    /// with the next row, `end` stops the query.
    fn output(
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
    fn compound(&mut self, select: &ast::Select, dest: Dest) -> Result<Vec<ColumnMeta>> {
        let acc = self.ephemeral();
        self.emit(Insn::ClearEphemeral { eph: acc });
        let metas = self.core(&select.first, &[], None, Dest::Ephemeral(acc))?;
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
            self.emit(Insn::Compound {
                op: *op,
                left: acc,
                right,
            });
        }
        let mut keys = Vec::new();
        for (i, term) in select.order_by.iter().enumerate() {
            let column = match &term.expr {
                ast::Expr::Literal(ast::Literal::Integer(k))
                    if *k >= 1 && (*k as usize) <= metas.len() =>
                {
                    *k as usize - 1
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
                _ => metas[column].collation,
            };
            let desc = term.order == Some(ast::SortOrder::Desc);
            let nulls_first = match term.nulls {
                Some(ast::NullsOrder::First) => true,
                Some(ast::NullsOrder::Last) => false,
                None => !desc,
            };
            keys.push((column, collation, desc, nulls_first));
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
            self.emit(Insn::Eval {
                expr: Expr::EphColumn { cursor, column: i },
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
    fn core(
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
    fn values(
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

    /// Adds the FROM items to the current scope; returns the loops.
    fn open_from(&mut self, from: &ast::FromClause) -> Result<(Vec<Level>, Vec<OnTerm>)> {
        let mut levels = Vec::new();
        let mut on_terms = Vec::new();
        let mut items = vec![(JoinOperator::Comma, &from.first, None)];
        for join in &from.joins {
            items.push((join.operator, &join.table, join.constraint.as_ref()));
        }
        for (operator, item, constraint) in items {
            let natural = matches!(
                operator,
                JoinOperator::Inner { natural: true }
                    | JoinOperator::Left { natural: true }
                    | JoinOperator::Right { natural: true }
                    | JoinOperator::Full { natural: true }
            );
            let full_join = matches!(operator, JoinOperator::Full { .. });
            let left_join = matches!(operator, JoinOperator::Left { .. }) || full_join;
            let right_join = matches!(operator, JoinOperator::Right { .. });
            if full_join && levels.len() != 1 {
                return Err(Error::msg(
                    "FULL JOIN is supported only as the first join of a FROM clause",
                ));
            }
            let level_index = levels.len();
            // `A RIGHT JOIN B` runs as `B LEFT JOIN A`: B's loop goes outside and A's loop
            // (at position 1 after the swap) gets the null row.
            if right_join && level_index != 1 {
                return Err(Error::msg(
                    "RIGHT JOIN is supported only as the first join of a FROM clause",
                ));
            }
            let on_level = if left_join {
                Some(level_index)
            } else if right_join {
                Some(1)
            } else {
                None
            };
            let (level, from_item) = self.open_item(item)?;
            // USING / NATURAL: equality terms and merged columns.
            let mut using: Vec<String> = Vec::new();
            if natural {
                for c in &from_item.columns {
                    let earlier = self.scopes.last().is_some_and(|s| {
                        s.items.iter().any(|i| {
                            i.columns
                                .iter()
                                .any(|x| x.name.eq_ignore_ascii_case(&c.name))
                        })
                    });
                    if earlier {
                        using.push(c.name.clone());
                    }
                }
            }
            if let Some(JoinConstraint::Using(names)) = constraint {
                using.extend(names.iter().map(|n| n.0.clone()));
            }
            let mut from_item = from_item;
            for name in &using {
                let left = self.scopes.last().and_then(|s| {
                    s.items.iter().find(|i| {
                        !i.merged.iter().any(|m| m.eq_ignore_ascii_case(name))
                            && i.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
                    })
                });
                let Some(left) = left else {
                    return Err(Error::msg(format!(
                        "cannot join using column {name} - column not present in both tables"
                    )));
                };
                if !from_item
                    .columns
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case(name))
                {
                    return Err(Error::msg(format!(
                        "cannot join using column {name} - column not present in both tables"
                    )));
                }
                let qualified = |t: &str| ast::Expr::Column {
                    column: ast::ColumnRef {
                        schema: None,
                        table: Some(ast::Name(t.to_string())),
                        column: ast::Name(name.clone()),
                    },
                    double_quoted: false,
                };
                let term = ast::Expr::Binary {
                    op: ast::BinaryOp::Eq,
                    left: Box::new(qualified(&left.name)),
                    right: Box::new(qualified(&from_item.name)),
                };
                on_terms.push((term, on_level));
                from_item.merged.push(name.clone());
            }
            if let Some(JoinConstraint::On(e)) = constraint {
                let mut parts = Vec::new();
                split_and(e, &mut parts);
                for p in parts {
                    on_terms.push((p.clone(), on_level));
                }
            }
            if let Some(scope) = self.scopes.last_mut() {
                scope.items.push(from_item);
            }
            levels.push(Level {
                left_join,
                full_join,
                ..level
            });
            if right_join {
                levels[0].left_join = true;
                levels.swap(0, 1);
            }
        }
        Ok((levels, on_terms))
    }

    /// Opens one FROM item: a table, a view, a CTE or a subquery.
    fn open_item(&mut self, item: &ast::TableOrSubquery) -> Result<(Level, FromItem)> {
        match item {
            ast::TableOrSubquery::Table { name, alias, .. } => {
                let key = name.name.as_str().to_ascii_lowercase();
                let shown = alias.as_ref().unwrap_or(&name.name).0.clone();
                if name.schema.is_none() {
                    let cte = self.ctes.iter().rev().find_map(|m| m.get(&key)).cloned();
                    if let Some(cte) = cte.filter(|c| !c.hidden) {
                        if let Some((eph, metas)) = &cte.current {
                            let cursor = self.cursor();
                            self.emit(Insn::OpenEphemeral { cursor, eph: *eph });
                            return Ok((
                                Level {
                                    cursor,
                                    table: None,
                                    left_join: false,
                                    full_join: false,
                                },
                                FromItem {
                                    name: shown,
                                    columns: metas.clone(),
                                    source: Source::Ephemeral { cursor },
                                    merged: Vec::new(),
                                    has_rowid: false,
                                },
                            ));
                        }
                        let names: Vec<String> =
                            cte.cte.columns.iter().map(|c| c.0.clone()).collect();
                        if cte.recursive && references_table(&cte.cte.select, &key) {
                            return self.recursive_cte(&cte, &key, &names, &shown);
                        }
                        // Hide this CTE while compiling its own body.
                        let mut hidden = cte.clone();
                        hidden.hidden = true;
                        self.ctes.push(HashMap::from([(key.clone(), hidden)]));
                        let result = self.materialized(&cte.cte.select, &names, &shown);
                        self.ctes.pop();
                        return result;
                    }
                }
                if let Some(table) = self.schema.table(name.name.as_str()) {
                    let cursor = self.cursor();
                    self.emit(Insn::OpenTable {
                        cursor,
                        root: table.root,
                        name: table.name.clone(),
                    });
                    let item = FromItem {
                        name: shown,
                        columns: table
                            .columns
                            .iter()
                            .map(|c| ColumnMeta {
                                name: c.name.clone(),
                                affinity: Some(c.affinity),
                                collation: c.collation,
                                explicit: false,
                                from_column: false,
                            })
                            .collect(),
                        source: Source::Table {
                            cursor,
                            rowid_alias: table.rowid_alias,
                        },
                        merged: Vec::new(),
                        has_rowid: true,
                    };
                    return Ok((
                        Level {
                            cursor,
                            table: Some(table),
                            left_join: false,
                            full_join: false,
                        },
                        item,
                    ));
                }
                if let Some(view) = self.schema.view(name.name.as_str()) {
                    if self.expanding.iter().any(|v| v == &key) {
                        return Err(Error::msg(format!(
                            "view {} is circularly defined",
                            view.name
                        )));
                    }
                    self.expanding.push(key);
                    let saved_ctes = std::mem::take(&mut self.ctes);
                    let result = self.materialized(&view.select, &view.columns, &shown);
                    self.ctes = saved_ctes;
                    self.expanding.pop();
                    return result;
                }
                Err(Error::msg(format!("no such table: {}", name.name.0)))
            }
            ast::TableOrSubquery::Subquery { select, alias } => {
                let shown = alias.as_ref().map_or(String::new(), |a| a.0.clone());
                self.materialized(select, &[], &shown)
            }
            ast::TableOrSubquery::Function { name, .. } => {
                Err(Error::msg(format!("no such table: {}", name.name.0)))
            }
            ast::TableOrSubquery::Nested { from, alias } => {
                if from.joins.is_empty() {
                    let mut inner = from.first.clone();
                    if let (Some(a), ast::TableOrSubquery::Table { alias: slot, .. }) =
                        (alias, &mut inner)
                    {
                        *slot = Some(a.clone());
                    }
                    return self.open_item(&inner);
                }
                // A parenthesized join: run it as a subquery of all its columns.
                let select = ast::Select {
                    with: None,
                    first: SelectCore::Select(Box::new(ast::SelectClause {
                        distinct: false,
                        columns: vec![ResultColumn::Star],
                        from: Some((**from).clone()),
                        where_clause: None,
                        group_by: Vec::new(),
                        having: None,
                        windows: Vec::new(),
                    })),
                    compounds: Vec::new(),
                    order_by: Vec::new(),
                    limit: None,
                };
                let shown = alias.as_ref().map_or(String::new(), |a| a.0.clone());
                self.materialized(&select, &[], &shown)
            }
        }
    }

    /// A FROM item read from a subquery materialized into an ephemeral table.
    fn materialized(
        &mut self,
        select: &ast::Select,
        names: &[String],
        shown: &str,
    ) -> Result<(Level, FromItem)> {
        // The subquery cannot see this query's FROM items.
        let saved = self.scopes.pop();
        let result = self.subquery(select, false);
        if let Some(s) = saved {
            self.scopes.push(s);
        }
        let (sub, metas) = result?;
        if !names.is_empty() && names.len() != metas.len() {
            return Err(Error::msg(format!(
                "table {shown} has {} values for {} columns",
                metas.len(),
                names.len()
            )));
        }
        self.emit(Insn::RunSub { sub });
        let cursor = self.cursor();
        let eph = self.subs.get(sub).map_or(0, |s| s.result);
        self.emit(Insn::OpenEphemeral { cursor, eph });
        let columns = metas
            .into_iter()
            .enumerate()
            .map(|(i, mut m)| {
                if let Some(n) = names.get(i) {
                    m.name = n.clone();
                }
                m.explicit = false;
                m
            })
            .collect();
        Ok((
            Level {
                cursor,
                table: None,
                left_join: false,
                full_join: false,
            },
            FromItem {
                name: shown.to_string(),
                columns,
                source: Source::Ephemeral { cursor },
                merged: Vec::new(),
                has_rowid: false,
            },
        ))
    }

    /// WITH RECURSIVE: the initial select fills the queue; each queued row becomes the
    /// one-row table the recursive select reads, whose rows join the result and the queue.
    fn recursive_cte(
        &mut self,
        cte: &CteDef,
        key: &str,
        names: &[String],
        shown: &str,
    ) -> Result<(Level, FromItem)> {
        let select = &cte.cte.select;
        let [(op, step_core)] = select.compounds.as_slice() else {
            return Err(Error::msg(format!(
                "recursive common table expression {} must be one initial select and one recursive select",
                cte.cte.name.0
            )));
        };
        let union = match op {
            CompoundOp::UnionAll => false,
            CompoundOp::Union => true,
            _ => {
                return Err(Error::msg(format!(
                    "circular reference: {}",
                    cte.cte.name.0
                )))
            }
        };
        let saved = self.scopes.pop();
        let result = (|| -> Result<(Level, FromItem)> {
            let init_select = ast::Select {
                with: None,
                first: select.first.clone(),
                compounds: Vec::new(),
                order_by: Vec::new(),
                limit: None,
            };
            let mut hidden = cte.clone();
            hidden.hidden = true;
            self.ctes.push(HashMap::from([(key.to_string(), hidden)]));
            let init = self.subquery(&init_select, false);
            self.ctes.pop();
            let (init, metas) = init?;
            if !names.is_empty() && names.len() != metas.len() {
                return Err(Error::msg(format!(
                    "table {shown} has {} values for {} columns",
                    metas.len(),
                    names.len()
                )));
            }
            let metas: Vec<ColumnMeta> = metas
                .into_iter()
                .enumerate()
                .map(|(i, mut m)| {
                    if let Some(n) = names.get(i) {
                        m.name = n.clone();
                    }
                    m.explicit = false;
                    m
                })
                .collect();
            let current = self.ephemeral();
            let mut reference = cte.clone();
            reference.current = Some((current, metas.clone()));
            self.ctes
                .push(HashMap::from([(key.to_string(), reference)]));
            let step_select = ast::Select {
                with: None,
                first: step_core.clone(),
                compounds: Vec::new(),
                order_by: Vec::new(),
                limit: None,
            };
            let step = self.subquery(&step_select, false);
            self.ctes.pop();
            let (step, step_metas) = step?;
            if step_metas.len() != metas.len() {
                return Err(Error::msg(
                    "SELECTs to the left and right of UNION do not have the same number of result columns",
                ));
            }
            if let Some(s) = self.subs.get_mut(step) {
                s.correlated = true;
            }
            let limit = match &select.limit {
                Some(l) => Some(self.expr(&l.count)?),
                None => None,
            };
            let result = self.ephemeral();
            self.emit(Insn::Recursive {
                init,
                step,
                result,
                current,
                union,
                limit,
            });
            let cursor = self.cursor();
            self.emit(Insn::OpenEphemeral {
                cursor,
                eph: result,
            });
            Ok((
                Level {
                    cursor,
                    table: None,
                    left_join: false,
                    full_join: false,
                },
                FromItem {
                    name: shown.to_string(),
                    columns: metas,
                    source: Source::Ephemeral { cursor },
                    merged: Vec::new(),
                    has_rowid: false,
                },
            ))
        })();
        if let Some(s) = saved {
            self.scopes.push(s);
        }
        result
    }

    /// Expands the result columns to (expression, name) pairs.
    pub fn result_columns(&self, columns: &[ResultColumn]) -> Result<Vec<(ast::Expr, String)>> {
        let mut out = Vec::new();
        let items = self
            .scopes
            .last()
            .map(|s| s.items.clone())
            .unwrap_or_default();
        for column in columns {
            match column {
                ResultColumn::Star => {
                    if items.is_empty() {
                        return Err(Error::msg("no tables specified"));
                    }
                    for item in &items {
                        for c in &item.columns {
                            if item.merged.iter().any(|m| m.eq_ignore_ascii_case(&c.name)) {
                                continue;
                            }
                            out.push((qualified(&item.name, &c.name), c.name.clone()));
                        }
                    }
                }
                ResultColumn::TableStar(t) => {
                    let item = items
                        .iter()
                        .find(|i| i.name.eq_ignore_ascii_case(t.as_str()))
                        .ok_or_else(|| Error::msg(format!("no such table: {}", t.0)))?;
                    for c in &item.columns {
                        out.push((qualified(&item.name, &c.name), c.name.clone()));
                    }
                }
                ResultColumn::Expr { expr, alias } => {
                    let name = match (alias, expr) {
                        (Some(a), _) => a.0.clone(),
                        (None, ast::Expr::Column { column, .. }) => column.column.0.clone(),
                        (None, e) => e.to_string(),
                    };
                    out.push((expr.clone(), name));
                }
            }
        }
        Ok(out)
    }

    /// Compiles one SELECT clause (the scope is already pushed).
    fn select_clause(
        &mut self,
        clause: &ast::SelectClause,
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        dest: Dest,
    ) -> Result<Vec<ColumnMeta>> {
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
        let levels = if on_terms.iter().all(|(_, l)| l.is_none()) {
            join_order(levels, &compiled)
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
                distinct_set,
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
                        distinct_set,
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
        Ok(metas)
    }

    /// A GROUP BY term: an ordinal or alias names a result column.
    fn group_term(&self, g: &ast::Expr, columns: &[(ast::Expr, String)]) -> Result<ast::Expr> {
        match g {
            ast::Expr::Literal(ast::Literal::Integer(k)) => {
                if *k < 1 || *k as usize > columns.len() {
                    return Err(Error::msg(format!(
                        "1st GROUP BY term out of range - should be between 1 and {}",
                        columns.len()
                    )));
                }
                Ok(columns[*k as usize - 1].0.clone())
            }
            _ => Ok(g.clone()),
        }
    }

    /// Compiles the result columns and ORDER BY keys.
    #[allow(clippy::type_complexity)]
    fn compile_outputs(
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
                ast::Expr::Literal(ast::Literal::Integer(k)) => {
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

    /// Emits one output row: evaluates the columns, checks DISTINCT, and sends the row to the
    /// sorter or to `dest`. Returns the sorter and its width when one is used.
    #[allow(clippy::too_many_arguments)]
    fn emit_row_with(
        &mut self,
        cols: &[Expr],
        keys: &[(Expr, Collation, bool, bool)],
        distinct: Option<usize>,
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
        if let Some(set) = distinct {
            self.emit(Insn::Distinct {
                set,
                start,
                count: cols.len(),
                collations: vec![Collation::Binary; cols.len()],
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
    fn sorted_output(
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

    /// Emits the join loops with `body` innermost; for `A FULL JOIN B` then a second pass
    /// over B emits each B row that no A row matches, with A's columns NULL.
    fn all_loops(
        &mut self,
        levels: &[Level],
        terms: &[Term],
        outer_next: usize,
        body: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        let [a, b] = levels else {
            return self.loops(levels, terms, 0, outer_next, body);
        };
        if !b.full_join {
            return self.loops(levels, terms, 0, outer_next, body);
        }
        let first_end = self.label();
        self.loops(levels, terms, 0, first_end, body)?;
        self.place(first_end);
        let done = self.label();
        let b_top = self.label();
        let b_next = self.label();
        self.emit(Insn::Rewind {
            cursor: b.cursor,
            if_empty: done,
        });
        self.place(b_top);
        let matched = self.reg();
        self.emit(Insn::Value {
            value: concur_btree::Value::Integer(0),
            dest: matched,
        });
        let a_top = self.label();
        let a_next = self.label();
        let a_end = self.label();
        self.emit(Insn::Rewind {
            cursor: a.cursor,
            if_empty: a_end,
        });
        self.place(a_top);
        for t in terms.iter().filter(|t| t.on_level == Some(1)) {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: a_next,
                jump_if_null: true,
            });
        }
        self.emit(Insn::Value {
            value: concur_btree::Value::Integer(1),
            dest: matched,
        });
        self.emit(Insn::Goto { target: a_end });
        self.place(a_next);
        self.emit(Insn::Next {
            cursor: a.cursor,
            target: a_top,
        });
        self.place(a_end);
        self.emit(Insn::IfPos {
            reg: matched,
            target: b_next,
        });
        self.emit(Insn::NullRow { cursor: a.cursor });
        for t in terms.iter().filter(|t| t.on_level.is_none()) {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: b_next,
                jump_if_null: true,
            });
        }
        body(self, b_next)?;
        self.place(b_next);
        self.emit(Insn::Next {
            cursor: b.cursor,
            target: b_top,
        });
        self.place(done);
        Ok(())
    }

    /// Emits the nested loops from `depth` inward, with `body` innermost. `body` receives
    /// the label that continues with the next row.
    fn loops(
        &mut self,
        levels: &[Level],
        terms: &[Term],
        depth: usize,
        outer_next: usize,
        body: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        if levels.is_empty() {
            for t in terms {
                self.emit(Insn::IfNot {
                    expr: t.expr.clone(),
                    target: outer_next,
                    jump_if_null: true,
                });
            }
            return body(self, outer_next);
        }
        let Some(level) = levels.get(depth) else {
            return body(self, outer_next);
        };
        let cursor = level.cursor;
        let next = self.label();
        let scan_end = self.label();
        let body_label = self.label();
        let matched = if level.left_join {
            let r = self.reg();
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(0),
                dest: r,
            });
            Some(r)
        } else {
            None
        };
        let access = match self.ordered_access.take() {
            Some((c, access)) if c == cursor => access,
            _ => self.choose_access(levels, terms, depth),
        };
        let reverse = matches!(access, Access::Scan) && std::mem::take(&mut self.reverse_scan);
        let mut loops = true;
        let mut index_cursor = None;
        // For IN access: (list cursor, its loop head, its next label, key register).
        let mut in_loop = None;
        match &access {
            Access::Scan if reverse => self.emit(Insn::Last {
                cursor,
                if_empty: scan_end,
            }),
            Access::Scan => self.emit(Insn::Rewind {
                cursor,
                if_empty: scan_end,
            }),
            Access::RowidEq(key) => {
                let r = self.reg();
                self.emit(Insn::Eval {
                    expr: key.clone(),
                    dest: r,
                });
                self.emit(Insn::SeekRowid {
                    cursor,
                    key: r,
                    not_found: scan_end,
                });
                loops = false;
            }
            Access::RowidRange(low, _) => match low {
                Some((key, inclusive)) => {
                    let r = self.reg();
                    self.emit(Insn::Eval {
                        expr: key.clone(),
                        dest: r,
                    });
                    self.emit(Insn::SeekRowidRange {
                        cursor,
                        op: if *inclusive { SeekOp::Ge } else { SeekOp::Gt },
                        key: r,
                        not_found: scan_end,
                    });
                }
                None => self.emit(Insn::Rewind {
                    cursor,
                    if_empty: scan_end,
                }),
            },
            Access::In { index, list } => {
                let values = self.ephemeral();
                let empty = self.ephemeral();
                self.emit(Insn::ClearEphemeral { eph: values });
                let r = self.reg();
                for x in list {
                    self.emit(Insn::Eval {
                        expr: x.clone(),
                        dest: r,
                    });
                    self.emit(Insn::EphInsert {
                        eph: values,
                        start: r,
                        count: 1,
                    });
                }
                self.emit(Insn::ClearEphemeral { eph: empty });
                self.emit(Insn::Compound {
                    op: CompoundOp::Union,
                    left: values,
                    right: empty,
                });
                if let Some(index) = index {
                    let ic = self.cursor();
                    index_cursor = Some(ic);
                    self.emit(Insn::OpenIndex {
                        cursor: ic,
                        root: index.root,
                        key_info: index.key_info(),
                        name: index.name.clone(),
                    });
                }
                let ec = self.cursor();
                self.emit(Insn::OpenEphemeral {
                    cursor: ec,
                    eph: values,
                });
                self.emit(Insn::Rewind {
                    cursor: ec,
                    if_empty: scan_end,
                });
                let in_top = self.label();
                let in_next = self.label();
                self.place(in_top);
                let key = self.reg();
                self.emit(Insn::Eval {
                    expr: Expr::EphColumn {
                        cursor: ec,
                        column: 0,
                    },
                    dest: key,
                });
                match index_cursor {
                    Some(ic) => self.emit(Insn::IdxSeek {
                        cursor: ic,
                        op: SeekOp::Ge,
                        start: key,
                        count: 1,
                        not_found: in_next,
                    }),
                    None => {
                        self.emit(Insn::SeekRowid {
                            cursor,
                            key,
                            not_found: in_next,
                        });
                        loops = false;
                    }
                }
                in_loop = Some((ec, in_top, in_next, key));
            }
            Access::Index { index, eq, low, .. } => {
                let ic = self.cursor();
                index_cursor = Some(ic);
                self.emit(Insn::OpenIndex {
                    cursor: ic,
                    root: index.root,
                    key_info: index.key_info(),
                    name: index.name.clone(),
                });
                let n = eq.len() + usize::from(low.is_some());
                let start = self.regs(n.max(1));
                for (i, k) in eq.iter().enumerate() {
                    self.emit(Insn::Eval {
                        expr: k.clone(),
                        dest: start + i,
                    });
                }
                let op = match low {
                    Some((k, inclusive)) => {
                        self.emit(Insn::Eval {
                            expr: k.clone(),
                            dest: start + eq.len(),
                        });
                        if *inclusive {
                            SeekOp::Ge
                        } else {
                            SeekOp::Gt
                        }
                    }
                    None => SeekOp::Ge,
                };
                self.emit(Insn::IdxSeek {
                    cursor: ic,
                    op,
                    start,
                    count: n,
                    not_found: scan_end,
                });
            }
        }
        let top = self.label();
        self.place(top);
        // Range ends.
        match &access {
            Access::RowidRange(_, Some((key, inclusive))) => {
                let r = self.reg();
                self.emit(Insn::Eval {
                    expr: key.clone(),
                    dest: r,
                });
                self.emit(Insn::RowidCompare {
                    cursor,
                    op: if *inclusive {
                        CompareOp::Gt
                    } else {
                        CompareOp::Ge
                    },
                    key: r,
                    target: scan_end,
                });
            }
            Access::In { index: Some(_), .. } => {
                if let (Some(ic), Some((_, _, in_next, key))) = (index_cursor, in_loop) {
                    self.emit(Insn::IdxCompare {
                        cursor: ic,
                        op: CompareOp::Gt,
                        start: key,
                        count: 1,
                        target: in_next,
                    });
                    self.emit(Insn::IdxRowSeek {
                        index: ic,
                        table: cursor,
                    });
                }
            }
            Access::Index { eq, high, .. } => {
                if let Some(ic) = index_cursor {
                    let n = eq.len() + usize::from(high.is_some());
                    if n > 0 {
                        let start = self.regs(n);
                        for (i, k) in eq.iter().enumerate() {
                            self.emit(Insn::Eval {
                                expr: k.clone(),
                                dest: start + i,
                            });
                        }
                        let op = match high {
                            Some((k, inclusive)) => {
                                self.emit(Insn::Eval {
                                    expr: k.clone(),
                                    dest: start + eq.len(),
                                });
                                if *inclusive {
                                    CompareOp::Gt
                                } else {
                                    CompareOp::Ge
                                }
                            }
                            None => CompareOp::Gt,
                        };
                        self.emit(Insn::IdxCompare {
                            cursor: ic,
                            op,
                            start,
                            count: n,
                            target: scan_end,
                        });
                    }
                    self.emit(Insn::IdxRowSeek {
                        index: ic,
                        table: cursor,
                    });
                }
            }
            _ => {}
        }
        for t in terms.iter().filter(|t| t.on_level == Some(depth)) {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: next,
                jump_if_null: true,
            });
        }
        if let Some(r) = matched {
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(1),
                dest: r,
            });
        }
        self.place(body_label);
        for t in terms
            .iter()
            .filter(|t| t.on_level.is_none() && t.level == depth)
        {
            self.emit(Insn::IfNot {
                expr: t.expr.clone(),
                target: next,
                jump_if_null: true,
            });
        }
        if depth + 1 < levels.len() {
            self.loops(levels, terms, depth + 1, next, body)?;
        } else {
            body(self, next)?;
        }
        self.place(next);
        if loops && reverse {
            self.emit(Insn::Prev {
                cursor,
                target: top,
            });
        } else if loops {
            self.emit(Insn::Next {
                cursor: index_cursor.unwrap_or(cursor),
                target: top,
            });
        }
        if let Some((ec, in_top, in_next, _)) = in_loop {
            self.place(in_next);
            self.emit(Insn::Next {
                cursor: ec,
                target: in_top,
            });
        }
        self.place(scan_end);
        if let Some(r) = matched {
            let done = self.label();
            self.emit(Insn::IfPos {
                reg: r,
                target: done,
            });
            self.emit(Insn::NullRow { cursor });
            if let Some(ic) = index_cursor {
                self.emit(Insn::NullRow { cursor: ic });
            }
            self.emit(Insn::Value {
                value: concur_btree::Value::Integer(1),
                dest: r,
            });
            self.emit(Insn::Goto { target: body_label });
            self.place(done);
        }
        Ok(())
    }

    /// Whether a one-table query can produce ORDER BY order from its loop: rowid order of a
    /// table scan or rowid range (a descending rowid order scans backwards), or the order of
    /// an index whose columns after its equality prefix are the ORDER BY columns (ascending,
    /// same collation). Sets the access path the loop must then use.
    fn order_from_loop(
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
        let is_rowid = |e: &Expr| match e {
            Expr::Rowid(c) => *c == cursor,
            Expr::Column {
                cursor: c, rowid, ..
            } => *c == cursor && *rowid,
            _ => false,
        };
        if let [(key, _, desc, nulls_first)] = keys {
            if is_rowid(key) {
                match (&access, desc) {
                    (Access::Scan, false)
                    | (Access::RowidRange(..), false)
                    | (Access::RowidEq(_), _) => {
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
                for index in self.schema.indexes_of(&table.name) {
                    if index.partial.is_none() && index.root != 0 && fits(&index, 0) {
                        self.ordered_access = Some((
                            cursor,
                            Access::Index {
                                index,
                                eq: Vec::new(),
                                low: None,
                                high: None,
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
    fn choose_access(&self, levels: &[Level], terms: &[Term], depth: usize) -> Access {
        let Some(level) = levels.get(depth) else {
            return Access::Scan;
        };
        let Some(table) = &level.table else {
            return Access::Scan;
        };
        let cursor = level.cursor;
        let outer: Vec<CursorId> = levels[..depth].iter().map(|l| l.cursor).collect();
        // (column or None for rowid, op, key expr, key affinity source, collation)
        let mut candidates: Vec<(Option<usize>, CompareOp, Expr, Collation)> = Vec::new();
        for t in terms {
            if t.on_level.is_some() && t.on_level != Some(depth) {
                continue;
            }
            let Expr::Compare {
                op,
                is: false,
                left,
                right,
                left_affinity,
                right_affinity,
                collation,
            } = &t.expr
            else {
                continue;
            };
            for (col_side, other, col_aff, other_aff, op) in [
                (left, right, *left_affinity, *right_affinity, *op),
                (right, left, *right_affinity, *left_affinity, flip(*op)),
            ] {
                let column = match col_side.as_ref() {
                    Expr::Column {
                        cursor: c,
                        column,
                        rowid,
                    } if *c == cursor => {
                        if *rowid {
                            None
                        } else {
                            Some(*column)
                        }
                    }
                    Expr::Rowid(c) if *c == cursor => None,
                    _ => continue,
                };
                if op == CompareOp::Ne {
                    continue;
                }
                let mut ok = true;
                let mut correlated = false;
                cursors_of(
                    other,
                    &mut |c| {
                        if !outer.contains(&c) {
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
                if let Some(key) = key {
                    candidates.push((column, op, key, *collation));
                }
            }
        }
        if let Some((_, _, key, _)) = candidates
            .iter()
            .find(|(c, op, ..)| c.is_none() && *op == CompareOp::Eq)
        {
            return Access::RowidEq(key.clone());
        }
        let mut best: Option<(usize, Access)> = None;
        for index in self.schema.indexes_of(&table.name) {
            if index.partial.is_some() || index.root == 0 {
                continue;
            }
            let mut eq = Vec::new();
            let mut low = None;
            let mut high = None;
            for ic in &index.columns {
                let Some(col) = ic.column else { break };
                let matches = |op: CompareOp| {
                    candidates.iter().find(|(c, o, _, coll)| {
                        *c == Some(col)
                            && *o == op
                            && (*coll == ic.collation || !is_text_affinity(table, col))
                    })
                };
                if let Some((_, _, key, _)) = matches(CompareOp::Eq) {
                    eq.push(key.clone());
                    continue;
                }
                if !ic.desc {
                    low = matches(CompareOp::Gt)
                        .map(|(_, _, k, _)| (k.clone(), false))
                        .or_else(|| matches(CompareOp::Ge).map(|(_, _, k, _)| (k.clone(), true)));
                    high = matches(CompareOp::Lt)
                        .map(|(_, _, k, _)| (k.clone(), false))
                        .or_else(|| matches(CompareOp::Le).map(|(_, _, k, _)| (k.clone(), true)));
                }
                break;
            }
            let score = eq.len() * 4 + usize::from(low.is_some()) + usize::from(high.is_some());
            if score == 0 {
                continue;
            }
            let full_unique = index.unique && eq.len() == index.columns.len();
            let score = score + if full_unique { 100 } else { 0 };
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Access::Index {
                        index,
                        eq,
                        low,
                        high,
                    },
                ));
            }
        }
        if let Some((score, access)) = &best {
            if *score >= 4 {
                return access.clone();
            }
        }
        if let Some(access) = self.in_access(table, cursor, &outer, terms, depth) {
            return access;
        }
        let rowid_bound = |op: CompareOp| {
            candidates
                .iter()
                .find(|(c, o, ..)| c.is_none() && *o == op)
                .map(|(_, _, k, _)| k.clone())
        };
        let low = rowid_bound(CompareOp::Gt)
            .map(|k| (k, false))
            .or_else(|| rowid_bound(CompareOp::Ge).map(|k| (k, true)));
        let high = rowid_bound(CompareOp::Lt)
            .map(|k| (k, false))
            .or_else(|| rowid_bound(CompareOp::Le).map(|k| (k, true)));
        if low.is_some() || high.is_some() {
            return Access::RowidRange(low, high);
        }
        if let Some((_, access)) = best {
            return access;
        }
        Access::Scan
    }
}

impl Compiler<'_> {
    /// An IN-list access path for loop `depth`, when a term `column IN (list)` has a list
    /// that reads only outer loops and the column is the rowid or leads an index.
    fn in_access(
        &self,
        table: &Table,
        cursor: CursorId,
        outer: &[CursorId],
        terms: &[Term],
        depth: usize,
    ) -> Option<Access> {
        for t in terms {
            if t.on_level.is_some() && t.on_level != Some(depth) {
                continue;
            }
            let Expr::InList {
                negated: false,
                expr,
                list,
                affinity,
                collation,
            } = &t.expr
            else {
                continue;
            };
            let column = match expr.as_ref() {
                Expr::Column {
                    cursor: c,
                    column,
                    rowid,
                } if *c == cursor => (!*rowid).then_some(*column),
                Expr::Rowid(c) if *c == cursor => None,
                _ => continue,
            };
            let mut ok = true;
            let mut correlated = false;
            for x in list {
                cursors_of(
                    x,
                    &mut |c| {
                        if !outer.contains(&c) {
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
            let Some(column) = column else {
                return Some(Access::In {
                    index: None,
                    list: list.clone(),
                });
            };
            let keys: Option<Vec<Expr>> =
                list.iter().map(|x| seek_key(x, *affinity, None)).collect();
            let Some(keys) = keys else { continue };
            for index in self.schema.indexes_of(&table.name) {
                let Some(first) = index.columns.first() else {
                    continue;
                };
                if index.partial.is_none()
                    && index.root != 0
                    && first.column == Some(column)
                    && (first.collation == *collation || !is_text_affinity(table, column))
                {
                    return Some(Access::In {
                        index: Some(index),
                        list: keys,
                    });
                }
            }
        }
        None
    }
}

/// Orders the loops of an inner join greedily: next comes the table that the most terms
/// can be checked on together with the tables already placed (ties keep FROM order), so
/// filtered and joined tables come before unconstrained ones.
fn join_order(levels: Vec<Level>, terms: &[CompiledTerm]) -> Vec<Level> {
    if levels.len() < 3 {
        return levels;
    }
    let mut remaining = levels;
    let mut placed: Vec<Level> = Vec::new();
    while !remaining.is_empty() {
        let mut best = 0;
        let mut best_score = -1i64;
        for (i, candidate) in remaining.iter().enumerate() {
            let mut score = 0i64;
            for (_, _, used) in terms {
                let Some(used) = used else { continue };
                if !used.contains(&candidate.cursor) {
                    continue;
                }
                let ready = used.iter().all(|c| {
                    *c == candidate.cursor
                        || placed.iter().any(|p| p.cursor == *c)
                        || !remaining.iter().any(|r| r.cursor == *c)
                });
                if ready {
                    score += 1;
                }
            }
            if score > best_score {
                best_score = score;
                best = i;
            }
        }
        placed.push(remaining.remove(best));
    }
    placed
}

/// Whether column `col` of `table` has TEXT-like affinity (collation matters for it).
fn is_text_affinity(table: &Table, col: usize) -> bool {
    table
        .columns
        .get(col)
        .is_some_and(|c| matches!(c.affinity, Affinity::Text | Affinity::Blob))
}

/// The seek key for `column op other`, converted as the comparison converts `other`; None
/// when the comparison would convert the column's values instead (the index order does not
/// apply).
fn seek_key(
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
fn flip(op: CompareOp) -> CompareOp {
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
        | Expr::ApplyAffinity(x, _) => go(x, f, correlated),
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

/// `e` without outer COLLATE clauses.
fn strip_collate(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Collate { expr, .. } => strip_collate(expr),
        other => other,
    }
}

/// `table.column` as an expression.
fn qualified(table: &str, column: &str) -> ast::Expr {
    ast::Expr::Column {
        column: ast::ColumnRef {
            schema: None,
            table: if table.is_empty() {
                None
            } else {
                Some(ast::Name(table.to_string()))
            },
            column: ast::Name(column.to_string()),
        },
        double_quoted: false,
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

/// Whether `select` mentions table `name` in a FROM clause (for recursive CTEs).
fn references_table(select: &ast::Select, name: &str) -> bool {
    let core_refs = |core: &SelectCore| {
        match core {
        SelectCore::Select(c) => c.from.as_ref().is_some_and(|f| {
            std::iter::once(&f.first)
                .chain(f.joins.iter().map(|j| &j.table))
                .any(|t| matches!(t, ast::TableOrSubquery::Table { name: n, .. } if n.name.matches(name)))
        }),
        SelectCore::Values(_) => false,
    }
    };
    core_refs(&select.first) || select.compounds.iter().any(|(_, c)| core_refs(c))
}
