//! FROM clauses: tables, views, CTEs (recursive ones too) and subqueries become loops and
//! name-resolution items; USING and NATURAL become ON terms with merged columns; `*` and
//! `t.*` expand to the items' columns.

use super::select::{split_and, Level, OnTerm};
use std::collections::HashMap;

use super::compile::{ColumnMeta, Compiler, CteDef, FromItem, Source};
use super::insn::Insn;
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
    pub(super) fn open_item(&mut self, item: &ast::TableOrSubquery) -> Result<(Level, FromItem)> {
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
}

/// `table.column` as an expression.
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
