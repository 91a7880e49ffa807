//! Writes to views: INSERT, UPDATE and DELETE on a view run its `INSTEAD OF` triggers, one
//! firing per affected view row, with NEW and OLD holding view rows. A view without such a
//! trigger cannot be modified, as in SQLite.

use std::sync::Arc;

use concur_btree::Value;

use super::compile::{Compiler, Scope};
use super::insn::{Expr, Insn};
use crate::ast::{self, TriggerEvent, TriggerTime};
use crate::error::{Error, Result};
use crate::schema::{Column, Table, View};
use crate::value::{Affinity, Collation};

impl Compiler<'_> {
    /// The view `name` when a write to it should run INSTEAD OF triggers for `event`
    /// (None when `name` is not a view).
    pub(super) fn writable_view(
        &self,
        name: &ast::QualifiedName,
        event: fn(&TriggerEvent) -> bool,
    ) -> Result<Option<Arc<View>>> {
        let Some(view) = self.schema.view(name.name.as_str()) else {
            return Ok(None);
        };
        let has = self
            .schema
            .triggers_of(&view.name)
            .iter()
            .any(|t| t.time == TriggerTime::InsteadOf && event(&t.event));
        if !has {
            return Err(Error::msg(format!(
                "cannot modify {} because it is a view",
                view.name
            )));
        }
        Ok(Some(view))
    }

    /// A table-shaped description of a view's columns, for NEW/OLD rows.
    fn view_shape(&mut self, view: &View) -> Result<Arc<Table>> {
        let saved = std::mem::take(&mut self.scopes);
        let result = self.subquery(&view.select, false);
        self.scopes = saved;
        let (_, metas) = result?;
        let columns = metas
            .iter()
            .enumerate()
            .map(|(i, m)| Column {
                name: view
                    .columns
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| m.name.clone()),
                declared_type: String::new(),
                affinity: m.column_affinity().unwrap_or(Affinity::Blob),
                collation: Collation::Binary,
                not_null: false,
                default: None,
                primary_key: false,
            })
            .collect();
        Ok(Arc::new(Table {
            name: view.name.clone(),
            root: 0,
            columns,
            rowid_alias: None,
            checks: Vec::new(),
            autoincrement: false,
            sql: String::new(),
        }))
    }

    /// Loops over the rows of `select` (materialized), running `each` with the row's
    /// ephemeral cursor.
    fn for_each_row(
        &mut self,
        select: &ast::Select,
        each: &mut dyn FnMut(&mut Compiler<'_>, usize) -> Result<()>,
    ) -> Result<()> {
        let (sub, _) = self.subquery(select, false)?;
        self.emit(Insn::RunSub { sub });
        let eph = self.subs.get(sub).map_or(0, |s| s.result);
        let cursor = self.cursor();
        self.emit(Insn::OpenEphemeral { cursor, eph });
        let end = self.label();
        let top = self.label();
        self.emit(Insn::Rewind {
            cursor,
            if_empty: end,
        });
        self.place(top);
        each(self, cursor)?;
        self.emit(Insn::Next {
            cursor,
            target: top,
        });
        self.place(end);
        Ok(())
    }

    /// INSERT into a view.
    pub(super) fn view_insert(&mut self, view: &View, insert: &ast::Insert) -> Result<Vec<String>> {
        let shape = self.view_shape(view)?;
        let n = shape.columns.len();
        let targets: Vec<usize> = if insert.columns.is_empty() {
            (0..n).collect()
        } else {
            let mut t = Vec::new();
            for c in &insert.columns {
                t.push(shape.column_index(c.as_str()).ok_or_else(|| {
                    Error::msg(format!("table {} has no column named {}", view.name, c.0))
                })?);
            }
            t
        };
        let ast::InsertSource::Select(select) = &insert.source else {
            return Err(Error::msg("DEFAULT VALUES on a view is not supported"));
        };
        let rowid = self.reg();
        let start = self.regs(n);
        self.for_each_row(select, &mut |c, cursor| {
            c.emit(Insn::Value {
                value: Value::Null,
                dest: rowid,
            });
            for i in 0..n {
                let expr = match targets.iter().position(|t| *t == i) {
                    Some(k) => Expr::EphColumn { cursor, column: k },
                    None => Expr::Const(Value::Null),
                };
                c.emit(Insn::Eval {
                    expr,
                    dest: start + i,
                });
            }
            c.fire_view_triggers(&shape, TriggerEvent::Insert, Some((rowid, start)), None)
        })?;
        Ok(Vec::new())
    }

    /// `SELECT *, extra... FROM view WHERE ...` over the view's rows.
    fn view_rows(
        view: &View,
        extra: Vec<ast::Expr>,
        where_clause: Option<&ast::Expr>,
    ) -> ast::Select {
        let mut columns = vec![ast::ResultColumn::Star];
        columns.extend(extra.into_iter().map(|expr| ast::ResultColumn::Expr {
            expr,
            alias: None,
            text: ast::SourceText::default(),
        }));
        ast::Select {
            with: None,
            first: ast::SelectCore::Select(Box::new(ast::SelectClause {
                distinct: false,
                columns,
                from: Some(ast::FromClause {
                    first: ast::TableOrSubquery::Table {
                        name: ast::QualifiedName {
                            schema: None,
                            name: ast::Name(view.name.clone()),
                        },
                        alias: None,
                        indexed: None,
                    },
                    joins: Vec::new(),
                }),
                where_clause: where_clause.cloned(),
                group_by: Vec::new(),
                having: None,
                windows: Vec::new(),
            })),
            compounds: Vec::new(),
            order_by: Vec::new(),
            limit: None,
        }
    }

    /// DELETE from a view.
    pub(super) fn view_delete(&mut self, view: &View, delete: &ast::Delete) -> Result<Vec<String>> {
        let shape = self.view_shape(view)?;
        let n = shape.columns.len();
        let rowid = self.reg();
        let start = self.regs(n);
        let select = Self::view_rows(view, Vec::new(), delete.where_clause.as_ref());
        self.for_each_row(&select, &mut |c, cursor| {
            c.emit(Insn::Value {
                value: Value::Null,
                dest: rowid,
            });
            for i in 0..n {
                c.emit(Insn::Eval {
                    expr: Expr::EphColumn { cursor, column: i },
                    dest: start + i,
                });
            }
            c.fire_view_triggers(&shape, TriggerEvent::Delete, None, Some((rowid, start)))
        })?;
        Ok(Vec::new())
    }

    /// UPDATE of a view.
    pub(super) fn view_update(&mut self, view: &View, update: &ast::Update) -> Result<Vec<String>> {
        let shape = self.view_shape(view)?;
        let n = shape.columns.len();
        let mut assigned = Vec::new();
        let mut values = Vec::new();
        for set in &update.sets {
            let [column] = set.columns.as_slice() else {
                return Err(Error::msg("row value assignments are not supported yet"));
            };
            let i = shape
                .column_index(column.as_str())
                .ok_or_else(|| Error::msg(format!("no such column: {}", column.0)))?;
            assigned.push(i);
            values.push(set.value.clone());
        }
        let old_rowid = self.reg();
        let old = self.regs(n);
        let new_rowid = self.reg();
        let new = self.regs(n);
        let names: Vec<String> = assigned
            .iter()
            .map(|i| shape.columns[*i].name.clone())
            .collect();
        let select = Self::view_rows(view, values, update.where_clause.as_ref());
        self.for_each_row(&select, &mut |c, cursor| {
            c.emit(Insn::Value {
                value: Value::Null,
                dest: old_rowid,
            });
            c.emit(Insn::Value {
                value: Value::Null,
                dest: new_rowid,
            });
            for i in 0..n {
                c.emit(Insn::Eval {
                    expr: Expr::EphColumn { cursor, column: i },
                    dest: old + i,
                });
                let column = match assigned.iter().rposition(|a| *a == i) {
                    Some(k) => n + k,
                    None => i,
                };
                c.emit(Insn::Eval {
                    expr: Expr::EphColumn { cursor, column },
                    dest: new + i,
                });
            }
            c.fire_view_triggers(
                &shape,
                TriggerEvent::Update(names.iter().map(|s| ast::Name(s.clone())).collect()),
                Some((new_rowid, new)),
                Some((old_rowid, old)),
            )
        })?;
        Ok(Vec::new())
    }

    /// Fires the INSTEAD OF triggers of a view for `event`.
    fn fire_view_triggers(
        &mut self,
        shape: &Table,
        event: TriggerEvent,
        new: Option<(usize, usize)>,
        old: Option<(usize, usize)>,
    ) -> Result<()> {
        let event = match event {
            TriggerEvent::Insert => super::dml::Event::Insert,
            TriggerEvent::Delete => super::dml::Event::Delete,
            TriggerEvent::Update(cols) => {
                super::dml::Event::Update(cols.into_iter().map(|c| c.0).collect())
            }
        };
        let saved = std::mem::take(&mut self.scopes);
        self.scopes.push(Scope {
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = self.fire_triggers(shape, &event, TriggerTime::InsteadOf, new, old);
        self.scopes = saved;
        result
    }
}
