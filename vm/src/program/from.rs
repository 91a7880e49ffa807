//! FROM clauses: tables, views, CTEs (recursive ones too) and subqueries become loops and
//! name-resolution items; USING and NATURAL become ON terms with merged columns; `*` and
//! `t.*` expand to the items' columns.

use super::select::{split_and, CompiledTerm, Level, OnTerm, SeriesLevel};
use crate::func::series::SERIES_COLUMNS;
use crate::value::{Affinity, Collation};
use std::collections::HashMap;

use super::compile::{no_meta, ColumnMeta, Compiler, CteDef, FromItem, JoinedBy, Source};
use super::insn::{Expr, Insn};
use crate::ast::{self, CompoundOp, JoinConstraint, JoinOperator, ResultColumn, SelectCore};
use crate::error::{Error, Result};

impl Compiler<'_> {
    /// Adds the FROM items to the current scope; returns the loops.
    pub(super) fn open_from(
        &mut self,
        from: &ast::FromClause,
    ) -> Result<(Vec<Level>, Vec<OnTerm>)> {
        let mut levels = Vec::new();
        let mut on_terms = Vec::new();
        // With a RIGHT or FULL join anywhere, every ON term stays with its loop: the
        // unmatched rows must not be judged by WHERE terms.
        let keeps_unmatched = from.joins.iter().any(|j| {
            matches!(
                j.operator,
                JoinOperator::Right { .. } | JoinOperator::Full { .. }
            )
        });
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
            let level_index = levels.len();
            // The ON terms of an outer join belong to its loop (see `Compiler::all_loops`
            // for how RIGHT and FULL joins bring out the unmatched rows).
            let on_level = if left_join || right_join || (keeps_unmatched && constraint.is_some()) {
                Some(level_index)
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
            from_item.joined_by = match operator {
                JoinOperator::Right { .. } => JoinedBy::Right,
                JoinOperator::Full { .. } => JoinedBy::Full,
                _ => JoinedBy::Inner,
            };
            for name in &using {
                let left = self.using_left_side(name, keeps_unmatched)?;
                if !from_item
                    .columns
                    .iter()
                    .any(|c| c.name.eq_ignore_ascii_case(name))
                {
                    return Err(Error::msg(format!(
                        "cannot join using column {name} - column not present in both tables"
                    )));
                }
                let term = ast::Expr::Binary {
                    op: ast::BinaryOp::Eq,
                    left: Box::new(left),
                    right: Box::new(qualified(&from_item.name, name)),
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
                keeps_unmatched: full_join || right_join,
                ..level
            });
        }
        Ok((levels, on_terms))
    }

    /// The left side of the equality a USING (or NATURAL) column `name` stands for: the
    /// column of the left-most earlier item that has it, or, in a query with a RIGHT or FULL
    /// join (`keeps_unmatched`), the first non-NULL of every earlier item's, all but the
    /// first merged by USING themselves (as SQLite's `sqlite3ProcessJoin`).
    fn using_left_side(&self, name: &str, keeps_unmatched: bool) -> Result<ast::Expr> {
        let not_present = || {
            Error::msg(format!(
                "cannot join using column {name} - column not present in both tables"
            ))
        };
        let items = self.scopes.last().map_or(&[][..], |s| &s.items[..]);
        let has = |i: &FromItem| i.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name));
        let mut with_column = items.iter().filter(|i| has(i));
        let first = with_column.next().ok_or_else(not_present)?;
        let mut sides = vec![qualified(&first.name, name)];
        if keeps_unmatched {
            for item in with_column {
                if !item.merged.iter().any(|m| m.eq_ignore_ascii_case(name)) {
                    return Err(Error::msg(format!(
                        "ambiguous reference to {name} in USING()"
                    )));
                }
                sides.push(qualified(&item.name, name));
            }
        }
        Ok(first_non_null(sides))
    }

    /// Opens one FROM item: a table, a view, a CTE or a subquery.
    pub(super) fn open_item(&mut self, item: &ast::TableOrSubquery) -> Result<(Level, FromItem)> {
        match item {
            ast::TableOrSubquery::Table {
                name,
                alias,
                indexed,
                ..
            } => {
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
                                    keeps_unmatched: false,
                                    series: None,
                                },
                                FromItem {
                                    name: shown,
                                    columns: metas.clone(),
                                    source: Source::Ephemeral { cursor },
                                    merged: Vec::new(),
                                    joined_by: JoinedBy::Inner,
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
                    if let Some(indexed) = indexed {
                        // SQLite's `sqlite3IndexedByLookup`: the index must be the table's.
                        if let ast::Indexed::By(index) = indexed {
                            let known = self.schema.indexes_of(&table.name).iter().any(|i| {
                                i.root != 0 && i.name.eq_ignore_ascii_case(index.as_str())
                            });
                            if !known {
                                return Err(Error::msg(format!("no such index: {}", index.0)));
                            }
                        }
                        self.indexed_cursors.push((cursor, indexed.clone()));
                    }
                    self.emit(Insn::OpenTable {
                        cursor,
                        root: table.root,
                        name: table.name.clone(),
                    });
                    self.compile_partial_conditions(&table, cursor);
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
                                ..no_meta("")
                            })
                            .collect(),
                        source: Source::Table {
                            cursor,
                            rowid_alias: table.rowid_alias,
                        },
                        merged: Vec::new(),
                        joined_by: JoinedBy::Inner,
                        has_rowid: true,
                    };
                    return Ok((
                        Level {
                            cursor,
                            table: Some(table),
                            left_join: false,
                            keeps_unmatched: false,
                            series: None,
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
                if name
                    .schema
                    .as_ref()
                    .is_none_or(|s| s.as_str().eq_ignore_ascii_case("main"))
                    && is_series(name.name.as_str())
                {
                    return Ok(self.series_item(shown, Vec::new()));
                }
                Err(Error::msg(format!("no such table: {}", name.name.0)))
            }
            ast::TableOrSubquery::Subquery { select, alias } => {
                let shown = alias.as_ref().map_or(String::new(), |a| a.0.clone());
                self.materialized(select, &[], &shown)
            }
            ast::TableOrSubquery::Function { name, args, alias } => {
                if self.schema.table(name.name.as_str()).is_some()
                    || self.schema.view(name.name.as_str()).is_some()
                {
                    return Err(Error::msg(format!("'{}' is not a function", name.name.0)));
                }
                if !is_series(name.name.as_str()) {
                    return Err(Error::msg(format!("no such table: {}", name.name.0)));
                }
                if args.len() > 3 {
                    return Err(Error::msg(
                        "too many arguments on generate_series() - max 3",
                    ));
                }
                let shown = alias.as_ref().unwrap_or(&name.name).0.clone();
                Ok(self.series_item(shown, args.clone()))
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

    /// A `generate_series` FROM item; its arguments are compiled once every FROM item is
    /// in scope (see [`Compiler::series_arguments`]).
    fn series_item(&mut self, shown: String, args: Vec<ast::Expr>) -> (Level, FromItem) {
        let cursor = self.cursor();
        let columns = SERIES_COLUMNS
            .iter()
            .map(|name| ColumnMeta {
                name: (*name).to_string(),
                affinity: Some(Affinity::Blob),
                collation: Collation::Binary,
                explicit: false,
                from_column: false,
                ..no_meta("")
            })
            .collect();
        (
            Level {
                cursor,
                table: None,
                left_join: false,
                keeps_unmatched: false,
                series: Some(Box::new(SeriesLevel {
                    written: args,
                    args: [None, None, None],
                })),
            },
            FromItem {
                name: shown,
                columns,
                source: Source::Series { cursor },
                merged: Vec::new(),
                joined_by: JoinedBy::Inner,
                has_rowid: true,
            },
        )
    }

    /// Compiles the arguments of the `generate_series` loops: the written ones, then an
    /// equality WHERE (or own ON) term on a hidden column (`start = 1`) for each one not
    /// written, which the loop then consumes. START must be given one way or the other.
    pub(super) fn series_arguments(
        &mut self,
        levels: &mut [Level],
        compiled: &mut Vec<CompiledTerm>,
    ) -> Result<()> {
        for (position, level) in levels.iter_mut().enumerate() {
            let cursor = level.cursor;
            let Some(series) = level.series.as_mut() else {
                continue;
            };
            for (slot, e) in series.args.iter_mut().zip(&series.written) {
                *slot = Some(self.expr(e)?);
            }
            for (k, slot) in series.args.iter_mut().enumerate() {
                if slot.is_some() {
                    continue;
                }
                let found = compiled.iter().position(|(expr, on_level, used)| {
                    (on_level.is_none() || *on_level == Some(position))
                        && used.as_ref().is_some_and(|u| u.contains(&cursor))
                        && hidden_equality(expr, cursor, k + 1).is_some()
                });
                if let Some(i) = found {
                    let (expr, ..) = compiled.remove(i);
                    *slot = hidden_equality(&expr, cursor, k + 1);
                }
            }
            if series.args[0].is_none() {
                return Err(Error::msg(
                    "first argument to \"generate_series()\" missing or unusable",
                ));
            }
        }
        Ok(())
    }

    /// A FROM item read from a subquery materialized into an ephemeral table.
    pub(super) fn materialized(
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
        let mut columns: Vec<ColumnMeta> = metas
            .into_iter()
            .enumerate()
            .map(|(i, mut m)| {
                if let Some(n) = names.get(i) {
                    m.name = n.clone();
                }
                m.explicit = false;
                m.affinity = m.column_affinity();
                m.compound_affinity = None;
                m
            })
            .collect();
        make_names_unique(&mut columns);
        Ok((
            Level {
                cursor,
                table: None,
                left_join: false,
                keeps_unmatched: false,
                series: None,
            },
            FromItem {
                name: shown.to_string(),
                columns,
                source: Source::Ephemeral { cursor },
                merged: Vec::new(),
                joined_by: JoinedBy::Inner,
                has_rowid: false,
            },
        ))
    }

    /// WITH RECURSIVE: the initial select fills the queue; each queued row becomes the
    /// one-row table the recursive select reads, whose rows join the result and the queue.
    pub(super) fn recursive_cte(
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
                    keeps_unmatched: false,
                    series: None,
                },
                FromItem {
                    name: shown.to_string(),
                    columns: metas,
                    source: Source::Ephemeral { cursor },
                    merged: Vec::new(),
                    joined_by: JoinedBy::Inner,
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
                    for (i, item) in items.iter().enumerate() {
                        for c in item.columns.iter().take(visible_columns(item)) {
                            if item.merged.iter().any(|m| m.eq_ignore_ascii_case(&c.name)) {
                                continue;
                            }
                            out.push((star_column(&items, i, &c.name), c.name.clone()));
                        }
                    }
                }
                ResultColumn::TableStar(t) => {
                    let i = items
                        .iter()
                        .position(|i| i.name.eq_ignore_ascii_case(t.as_str()))
                        .ok_or_else(|| Error::msg(format!("no such table: {}", t.0)))?;
                    let item = &items[i];
                    for c in item.columns.iter().take(visible_columns(item)) {
                        out.push((star_column(&items, i, &c.name), c.name.clone()));
                    }
                }
                ResultColumn::Expr { expr, alias, text } => {
                    let name = match (alias, expr, &text.0) {
                        (Some(a), _, _) => a.0.clone(),
                        (None, ast::Expr::Column { column, .. }, _) => column.column.0.clone(),
                        (None, _, Some(text)) => text.clone(),
                        (None, e, None) => e.to_string(),
                    };
                    out.push((expr.clone(), name));
                }
            }
        }
        Ok(out)
    }
}

/// As SQLite's `sqlite3ColumnsFromExprList`: a column whose name an earlier column has
/// (ignoring case) is renamed `name:1`, `name:2`, ... (a `:digits` suffix of its own
/// replaced), so that `*` and names reach every column of a subquery.
fn make_names_unique(columns: &mut [ColumnMeta]) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for column in columns.iter_mut() {
        let mut count = 0u32;
        while seen.contains(&column.name.to_ascii_lowercase()) {
            let stem = match column.name.rsplit_once(':') {
                Some((stem, digits)) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                    stem.to_string()
                }
                _ => column.name.clone(),
            };
            count += 1;
            column.name = format!("{stem}:{count}");
        }
        seen.insert(column.name.to_ascii_lowercase());
    }
}

/// The expression `*` or `t.*` gives column `name` of item `i`: the item's own column, or,
/// for one that a later RIGHT or FULL join merges by USING, the unqualified name, which
/// resolves to the item (or the first non-NULL of the items) such a reference means (as
/// SQLite's `selectExpander`).
fn star_column(items: &[FromItem], i: usize, name: &str) -> ast::Expr {
    let later = items.get(i + 1..).unwrap_or_default();
    let merged_later = later.iter().any(|l| l.joined_by != JoinedBy::Inner)
        && later
            .iter()
            .any(|l| l.merged.iter().any(|m| m.eq_ignore_ascii_case(name)));
    match items.get(i) {
        Some(item) if !merged_later => qualified(&item.name, name),
        _ => qualified("", name),
    }
}

/// `coalesce(sides...)`, or the one side there is.
pub(super) fn first_non_null(mut sides: Vec<ast::Expr>) -> ast::Expr {
    if sides.len() == 1 {
        if let Some(only) = sides.pop() {
            return only;
        }
    }
    ast::Expr::Function(Box::new(ast::FunctionCall {
        name: ast::Name("coalesce".to_string()),
        args: ast::FunctionArgs::List {
            distinct: false,
            args: sides,
        },
        filter: None,
        over: None,
    }))
}

/// `table.column` as an expression (unqualified for an empty `table`).
pub(super) fn qualified(table: &str, column: &str) -> ast::Expr {
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

/// Whether `select` mentions table `name` in a FROM clause (for recursive CTEs).
pub(super) fn references_table(select: &ast::Select, name: &str) -> bool {
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

/// Whether `name` names the table-valued function `generate_series`.
fn is_series(name: &str) -> bool {
    name.eq_ignore_ascii_case("generate_series")
}

/// The other side of `expr` when it is `hidden = other` (either way round) on column
/// `column` of series cursor `cursor`, and `other` does not read that cursor.
fn hidden_equality(expr: &Expr, cursor: super::insn::CursorId, column: usize) -> Option<Expr> {
    let Expr::Compare {
        op: crate::value::CompareOp::Eq,
        is: false,
        left,
        right,
        ..
    } = expr
    else {
        return None;
    };
    let is_hidden = |e: &Expr| matches!(e, Expr::Column { cursor: c, column: k, rowid: false } if *c == cursor && *k == column);
    let reads_cursor = |e: &Expr| {
        let mut reads = false;
        let mut correlated = false;
        super::access::cursors_of(e, &mut |c| reads |= c == cursor, &mut correlated, &[]);
        reads
    };
    if is_hidden(left) && !reads_cursor(right) {
        Some(right.as_ref().clone())
    } else if is_hidden(right) && !reads_cursor(left) {
        Some(left.as_ref().clone())
    } else {
        None
    }
}

/// How many leading columns of `item` `*` shows (a series hides start, stop and step).
fn visible_columns(item: &FromItem) -> usize {
    match item.source {
        Source::Series { .. } => 1,
        _ => item.columns.len(),
    }
}
