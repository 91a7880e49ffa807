//! Compiling INSERT, UPDATE and DELETE.
//!
//! UPDATE and DELETE run in two passes, as SQLite does when a write could disturb its own
//! scan: the first loop collects the rowids that WHERE selects into an ephemeral table, the
//! second seeks each one and writes. INSERT ... SELECT materializes the SELECT first, so
//! `INSERT INTO t SELECT * FROM t` reads only the rows that existed before it.

use std::sync::Arc;

use concur_btree::Value;

use super::compile::{no_meta, ColumnMeta, Compiler, FromItem, JoinedBy, Scope, Source};
use super::insn::{Expr, Insn, UniqueConstraint, Upsert, WriteTarget};
use super::select::Dest;
use crate::ast::{self, ConflictResolution};
use crate::ast::{TriggerEvent, TriggerTime};
use crate::error::{Error, Result};
use crate::schema::{Index, Table, Trigger};
use crate::value::Collation;

impl Compiler<'_> {
    /// The table a write targets, rejecting views and `sqlite_schema`.
    fn write_table(&self, name: &ast::QualifiedName) -> Result<Arc<Table>> {
        let n = name.name.as_str();
        if n.eq_ignore_ascii_case("sqlite_schema") || n.eq_ignore_ascii_case("sqlite_master") {
            return Err(Error::msg(format!("table {n} may not be modified")));
        }
        if self.schema.view(n).is_some() {
            return Err(Error::msg(format!(
                "cannot modify {n} because it is a view"
            )));
        }
        self.schema
            .tables
            .get(&n.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| Error::msg(format!("no such table: {n}")))
    }

    /// Builds the write target of `table`: scratch registers, CHECKs and index keys.
    fn write_target(&mut self, table: &Arc<Table>) -> Result<Arc<WriteTarget>> {
        let scratch_rowid = self.reg();
        let scratch_start = self.regs(table.columns.len());
        self.scopes.push(Scope {
            items: vec![row_item(table, scratch_rowid, scratch_start)],
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = (|| -> Result<WriteTarget> {
            let mut checks = Vec::new();
            for c in &table.checks {
                checks.push((self.expr(c)?, c.to_string()));
            }
            let mut defaults = Vec::new();
            for column in &table.columns {
                defaults.push(match (&column.default, column.not_null) {
                    (Some(d), true) => Some(self.expr(d)?),
                    _ => None,
                });
            }
            let indexes = self.schema.indexes_of(&table.name);
            let mut index_keys = Vec::new();
            let mut index_where = Vec::new();
            for index in &indexes {
                let mut keys = Vec::new();
                for column in &index.columns {
                    keys.push(match &column.expr {
                        Some(e) => Some(self.expr(e)?),
                        None => None,
                    });
                }
                index_keys.push(keys);
                index_where.push(match &index.partial {
                    Some(w) => Some(self.expr(w)?),
                    None => None,
                });
            }
            Ok(WriteTarget {
                table: table.clone(),
                indexes,
                scratch_rowid,
                scratch_start,
                checks,
                index_keys,
                index_where,
                sequence_root: if table.autoincrement {
                    self.schema
                        .table(crate::schema::ddl::SEQUENCE_TABLE)
                        .map(|t| t.root)
                } else {
                    None
                },
                counts_changes: self.firing.is_empty(),
                defaults,
            })
        })();
        self.scopes.pop();
        Ok(Arc::new(result?))
    }

    /// Compiles INSERT.
    pub fn insert(&mut self, insert: &ast::Insert) -> Result<Vec<String>> {
        self.with_ctes(insert.with.as_ref(), |this| this.insert_body(insert))
    }

    /// The INSERT itself, with its WITH clause in scope.
    fn insert_body(&mut self, insert: &ast::Insert) -> Result<Vec<String>> {
        if let Some(view) =
            self.writable_view(&insert.table, |e| matches!(e, TriggerEvent::Insert))?
        {
            return self.view_insert(&view, insert);
        }
        let table = self.write_table(&insert.table)?;
        let conflict = insert.or_conflict.unwrap_or(ConflictResolution::Abort);
        // Which table column each supplied value goes to (none for DEFAULT VALUES, where
        // every column takes its default).
        let targets: Vec<usize> = if matches!(insert.source, ast::InsertSource::DefaultValues) {
            Vec::new()
        } else if insert.columns.is_empty() {
            (0..table.columns.len()).collect()
        } else {
            let mut t = Vec::new();
            for name in &insert.columns {
                match table.column_index(name.as_str()) {
                    Some(i) => t.push(i),
                    None if super::compile::is_rowid_name(name.as_str()) => {
                        t.push(usize::MAX);
                    }
                    None => {
                        return Err(Error::msg(format!(
                            "table {} has no column named {}",
                            table.name, name.0
                        )))
                    }
                }
            }
            t
        };
        let target = self.write_target(&table)?;
        let rowid = self.reg();
        let start = self.regs(table.columns.len());
        let returning = self.returning(&table, &insert.returning, rowid, start)?;
        self.scopes.push(Scope {
            sub: self.current_sub(),
            ..Default::default()
        });
        let upsert = if insert.upsert.is_empty() {
            None
        } else {
            let cursor = self.cursor();
            self.emit(Insn::OpenTable {
                cursor,
                root: table.root,
                name: table.name.clone(),
            });
            let conflict_rowid = self.reg();
            let mut clauses = Vec::new();
            for clause in &insert.upsert {
                let named = upsert_target(&table, &target, clause)?;
                let plan = match &clause.action {
                    ast::UpsertAction::Nothing => None,
                    ast::UpsertAction::Update { sets, where_clause } => Some(UpsertPlan {
                        sets: sets.clone(),
                        where_clause: where_clause.clone(),
                        cursor,
                        conflict_rowid,
                        alias: insert.alias.as_ref().map(|a| a.0.clone()),
                    }),
                };
                clauses.push((named, plan));
            }
            Some(UpsertClauses {
                conflict_rowid,
                clauses,
            })
        };
        let result = self.insert_rows(
            insert,
            &table,
            &targets,
            &target,
            rowid,
            start,
            conflict,
            &returning.1,
            upsert.as_ref(),
        );
        self.scopes.pop();
        result?;
        Ok(returning.0)
    }

    /// Emits the row loop of an INSERT.
    #[allow(clippy::too_many_arguments)]
    fn insert_rows(
        &mut self,
        insert: &ast::Insert,
        table: &Arc<Table>,
        targets: &[usize],
        target: &Arc<WriteTarget>,
        rowid: usize,
        start: usize,
        conflict: ConflictResolution,
        returning: &[Expr],
        upsert: Option<&UpsertClauses>,
    ) -> Result<()> {
        let width = targets.len();
        let check_width = |n: usize| -> Result<()> {
            if n != width {
                if insert.columns.is_empty() {
                    return Err(Error::msg(format!(
                        "table {} has {} columns but {} values were supplied",
                        table.name,
                        table.columns.len(),
                        n
                    )));
                }
                return Err(Error::msg(format!("{n} values for {width} columns")));
            }
            Ok(())
        };
        let fill_defaults = |c: &mut Compiler<'_>| -> Result<()> {
            c.emit(Insn::Value {
                value: Value::Null,
                dest: rowid,
            });
            for (i, column) in table.columns.iter().enumerate() {
                if targets.contains(&i) {
                    continue;
                }
                let value = match &column.default {
                    Some(d) => c.expr(d)?,
                    None => Expr::Const(Value::Null),
                };
                c.emit(Insn::Eval {
                    expr: value,
                    dest: start + i,
                });
            }
            Ok(())
        };
        let place_value = |c: &mut Compiler<'_>, slot: usize, value: Expr| {
            let dest = if slot == usize::MAX {
                rowid
            } else {
                start + slot
            };
            c.emit(Insn::Eval { expr: value, dest });
            if Some(slot) == table.rowid_alias {
                c.emit(Insn::Eval {
                    expr: Expr::Reg(dest),
                    dest: rowid,
                });
            }
        };
        let insert_insn = |c: &mut Compiler<'_>, skip: usize| -> Result<()> {
            let row = Some((rowid, start));
            c.fire_triggers(table, &Event::Insert, TriggerTime::Before, row, None)?;
            let clauses = upsert.map_or(&[][..], |u| &u.clauses[..]);
            let labels: Vec<Option<usize>> = clauses
                .iter()
                .map(|(_, plan)| plan.as_ref().map(|_| c.label()))
                .collect();
            let route = upsert.map(|u| Upsert {
                conflict_rowid: u.conflict_rowid,
                clauses: clauses
                    .iter()
                    .zip(&labels)
                    .map(|((named, _), label)| (*named, *label))
                    .collect(),
            });
            let upserts = route.is_some();
            let at = c.code.len();
            c.emit(Insn::InsertRow {
                target: target.clone(),
                rowid,
                start,
                conflict,
                if_ignored: skip,
                count_change: true,
                upsert: route,
                keep_row: true,
            });
            c.emit_returning(returning);
            c.fire_triggers(table, &Event::Insert, TriggerTime::After, row, None)?;
            // Nothing after the write (no RETURNING, no AFTER trigger, no DO UPDATE) reads
            // the row back: the values may move into the store.
            if !upserts && c.code.len() == at + 1 {
                if let Some(Insn::InsertRow { keep_row, .. }) = c.code.get_mut(at) {
                    *keep_row = false;
                }
            }
            for ((_, plan), label) in clauses.iter().zip(&labels) {
                if let (Some(plan), Some(label)) = (plan, label) {
                    c.emit(Insn::Goto { target: skip });
                    c.place(*label);
                    c.upsert_update(plan, table, target, (rowid, start), skip, returning)?;
                }
            }
            Ok(())
        };
        match &insert.source {
            ast::InsertSource::DefaultValues => {
                fill_defaults(self)?;
                let skip = self.label();
                insert_insn(self, skip)?;
                self.place(skip);
            }
            ast::InsertSource::Select(select)
                if select.compounds.is_empty()
                    && select.order_by.is_empty()
                    && select.limit.is_none()
                    && select.with.is_none()
                    && matches!(select.first, ast::SelectCore::Values(_)) =>
            {
                let ast::SelectCore::Values(rows) = &select.first else {
                    return Ok(());
                };
                // The code of a single row runs once per execution, unless it is a
                // trigger's (which runs per triggering row).
                let once = rows.len() == 1 && self.firing.is_empty() && self.sub_stack.is_empty();
                for row in rows {
                    check_width(row.len())?;
                    fill_defaults(self)?;
                    for (slot, e) in targets.iter().zip(row) {
                        let x = self.expr(e)?;
                        if once && matches!(x, Expr::Param(_)) {
                            self.param_moves.push(self.code.len());
                        }
                        place_value(self, *slot, x);
                    }
                    let skip = self.label();
                    insert_insn(self, skip)?;
                    self.place(skip);
                }
            }
            ast::InsertSource::Select(select) => {
                let saved = self.scopes.pop();
                let result = self.subquery(select, false);
                if let Some(s) = saved {
                    self.scopes.push(s);
                }
                let (sub, metas) = result?;
                check_width(metas.len())?;
                self.emit(Insn::RunSub { sub });
                let eph = self.subs.get(sub).map_or(0, |s| s.result);
                let cursor = self.cursor();
                self.emit(Insn::OpenEphemeral { cursor, eph });
                let end = self.label();
                let top = self.label();
                let next = self.label();
                self.emit(Insn::Rewind {
                    cursor,
                    if_empty: end,
                });
                self.place(top);
                fill_defaults(self)?;
                for (i, slot) in targets.iter().enumerate() {
                    place_value(self, *slot, Expr::EphColumn { cursor, column: i });
                }
                insert_insn(self, next)?;
                self.place(next);
                self.emit(Insn::Next {
                    cursor,
                    target: top,
                });
                self.place(end);
            }
        }
        Ok(())
    }

    /// Emits the first pass of UPDATE/DELETE: rowids matching WHERE into an ephemeral table.
    /// Returns (table cursor, ephemeral table, item).
    fn collect_rowids(
        &mut self,
        table: &Arc<Table>,
        alias: Option<&ast::Name>,
        indexed: Option<&ast::Indexed>,
        where_clause: Option<&ast::Expr>,
    ) -> Result<(usize, usize)> {
        let eph = self.ephemeral();
        self.emit(Insn::ClearEphemeral { eph });
        let name = alias.map_or(table.name.clone(), |a| a.0.clone());
        let select = ast::Select {
            with: None,
            first: ast::SelectCore::Select(Box::new(ast::SelectClause {
                distinct: false,
                columns: vec![ast::ResultColumn::Expr {
                    expr: ast::Expr::Column {
                        column: ast::ColumnRef {
                            schema: None,
                            table: Some(ast::Name(name.clone())),
                            column: ast::Name("rowid".to_string()),
                        },
                        double_quoted: false,
                    },
                    alias: None,
                    text: ast::SourceText::default(),
                }],
                from: Some(ast::FromClause {
                    first: ast::TableOrSubquery::Table {
                        name: ast::QualifiedName {
                            schema: None,
                            name: ast::Name(table.name.clone()),
                        },
                        alias: alias.cloned(),
                        indexed: indexed.cloned(),
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
        };
        self.one_pass_depth = Some(self.scopes.len() + 1);
        let selected = self.select(&select, Dest::Ephemeral(eph));
        self.one_pass_depth = None;
        selected?;
        let cursor = self.cursor();
        self.emit(Insn::OpenTable {
            cursor,
            root: table.root,
            name: table.name.clone(),
        });
        Ok((cursor, eph))
    }

    /// Compiles UPDATE.
    pub fn update(&mut self, update: &ast::Update) -> Result<Vec<String>> {
        self.with_ctes(update.with.as_ref(), |this| this.update_body(update))
    }

    /// The UPDATE itself, with its WITH clause in scope.
    fn update_body(&mut self, update: &ast::Update) -> Result<Vec<String>> {
        if let Some(view) =
            self.writable_view(&update.table, |e| matches!(e, TriggerEvent::Update(_)))?
        {
            return self.view_update(&view, update);
        }
        let table = self.write_table(&update.table)?;
        let target = self.write_target(&table)?;
        let precomputed = update.from.is_some();
        let (cursor, eph) = match &update.from {
            Some(from) => self.collect_update_from(&table, update, from)?,
            None => {
                let mark = self.code.len();
                let found = self.collect_rowids(
                    &table,
                    update.alias.as_ref(),
                    update.indexed.as_ref(),
                    update.where_clause.as_ref(),
                )?;
                let scanned: Vec<u32> = self.code[mark..]
                    .iter()
                    .filter_map(|insn| match insn {
                        Insn::OpenIndex { root, .. } => Some(*root),
                        _ => None,
                    })
                    .collect();
                if self.update_visits_in_rowid_order(&table, update, &target, &scanned) {
                    self.emit(Insn::Sort {
                        eph: found.1,
                        keys: vec![(0, Collation::Binary, false, false)],
                    });
                }
                found
            }
        };
        let name = update
            .alias
            .as_ref()
            .map_or(table.name.clone(), |a| a.0.clone());
        let mut item = table_item(&table, cursor);
        item.name = name;
        self.scopes.push(Scope {
            items: vec![item],
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = self.update_loop(update, &table, &target, cursor, eph, precomputed);
        self.scopes.pop();
        result
    }

    /// Whether SQLite's UPDATE visits its rows in rowid order rather than in the order its
    /// WHERE scan found them. The order shows where a statement stops part-way (OR FAIL
    /// keeps the rows before the failing one) and which rows OR IGNORE skips.
    ///
    /// SQLite updates each row as its scan finds it ("one-pass") unless something rules that
    /// out: a trigger (RETURNING is one, as SQLite codes it), a changed rowid, a REPLACE
    /// conflict policy, a subquery in WHERE, or a scan through an index the statement itself
    /// changes. Then it first collects the rowids in a RowSet, which hands them back in
    /// ascending order (`update.c`, `rowset.c`).
    /// `scanned` holds the roots of the indexes concur's own scan reads.
    fn update_visits_in_rowid_order(
        &self,
        table: &Table,
        update: &ast::Update,
        target: &WriteTarget,
        scanned: &[u32],
    ) -> bool {
        let changed: Vec<usize> = update
            .sets
            .iter()
            .flat_map(|s| s.columns.iter())
            .filter_map(|c| table.column_index(c.as_str()))
            .collect();
        let rowid_changes =
            update.sets.iter().flat_map(|s| s.columns.iter()).any(|c| {
                match table.column_index(c.as_str()) {
                    Some(i) => Some(i) == table.rowid_alias,
                    None => super::compile::is_rowid_name(c.as_str()),
                }
            });
        // RETURNING counts: SQLite codes it as a trigger of the statement.
        let has_update_trigger = !update.returning.is_empty()
            || self
                .schema
                .triggers_of(&table.name)
                .iter()
                .any(|t| matches!(t.event, TriggerEvent::Update(_)));
        let mut subquery = false;
        if let Some(w) = &update.where_clause {
            super::compile::walk(w, &mut |e| {
                subquery |= matches!(
                    e,
                    ast::Expr::Exists(_) | ast::Expr::Subquery(_) | ast::Expr::InSelect { .. }
                );
            });
        }
        // Whether the statement writes this index: a key column or the partial-index
        // condition reads a changed column (expressions are taken to read every column).
        let writes = |index: &Index| {
            let reads_changed = |e: &ast::Expr| {
                let mut hit = false;
                super::compile::walk(e, &mut |x| {
                    if let ast::Expr::Column { column, .. } = x {
                        hit |= table
                            .column_index(column.column.as_str())
                            .is_some_and(|i| changed.contains(&i));
                    }
                });
                hit
            };
            index.columns.iter().any(|c| match (c.column, &c.expr) {
                (Some(i), _) => changed.contains(&i),
                (None, Some(e)) => reads_changed(e),
                (None, None) => false,
            }) || index.partial.as_ref().is_some_and(reads_changed)
        };
        let replace = update.or_conflict == Some(ConflictResolution::Replace)
            || (update.or_conflict.is_none()
                && target
                    .indexes
                    .iter()
                    .any(|i| i.on_conflict == Some(ConflictResolution::Replace) && writes(i)));
        let scans_written_index = target
            .indexes
            .iter()
            .any(|i| scanned.contains(&i.root) && writes(i));
        rowid_changes || has_update_trigger || subquery || replace || scans_written_index
    }

    /// The first pass of UPDATE ... FROM: the join of the target with the FROM tables,
    /// filtered by WHERE, gives each target rowid with its SET values.
    fn collect_update_from(
        &mut self,
        table: &Arc<Table>,
        update: &ast::Update,
        from: &ast::FromClause,
    ) -> Result<(usize, usize)> {
        let eph = self.ephemeral();
        self.emit(Insn::ClearEphemeral { eph });
        let name = update
            .alias
            .as_ref()
            .map_or(table.name.clone(), |a| a.0.clone());
        let mut columns = vec![ast::ResultColumn::Expr {
            expr: ast::Expr::Column {
                column: ast::ColumnRef {
                    schema: None,
                    table: Some(ast::Name(name)),
                    column: ast::Name("rowid".to_string()),
                },
                double_quoted: false,
            },
            alias: None,
            text: ast::SourceText::default(),
        }];
        for set in &update.sets {
            columns.push(ast::ResultColumn::Expr {
                expr: set.value.clone(),
                alias: None,
                text: ast::SourceText::default(),
            });
        }
        let mut joins = vec![ast::Join {
            operator: ast::JoinOperator::Comma,
            table: from.first.clone(),
            constraint: None,
        }];
        joins.extend(from.joins.iter().cloned());
        let select = ast::Select {
            with: None,
            first: ast::SelectCore::Select(Box::new(ast::SelectClause {
                distinct: false,
                columns,
                from: Some(ast::FromClause {
                    first: ast::TableOrSubquery::Table {
                        name: ast::QualifiedName {
                            schema: None,
                            name: ast::Name(table.name.clone()),
                        },
                        alias: update.alias.clone(),
                        indexed: update.indexed.clone(),
                    },
                    joins,
                }),
                where_clause: update.where_clause.clone(),
                group_by: Vec::new(),
                having: None,
                windows: Vec::new(),
            })),
            compounds: Vec::new(),
            order_by: Vec::new(),
            limit: None,
        };
        self.one_pass_depth = Some(self.scopes.len() + 1);
        let selected = self.select(&select, Dest::Ephemeral(eph));
        self.one_pass_depth = None;
        selected?;
        // As SQLite's ephemeral table keyed by the target's rowid: each target row is
        // updated once, with the last of its joined rows, and in rowid order.
        self.emit(Insn::Sort {
            eph,
            keys: vec![(0, Collation::Binary, false, false)],
        });
        self.emit(Insn::KeepLastOfEach { eph });
        let cursor = self.cursor();
        self.emit(Insn::OpenTable {
            cursor,
            root: table.root,
            name: table.name.clone(),
        });
        Ok((cursor, eph))
    }

    /// The second pass of UPDATE; returns the RETURNING column names.
    fn update_loop(
        &mut self,
        update: &ast::Update,
        table: &Arc<Table>,
        target: &Arc<WriteTarget>,
        cursor: usize,
        eph: usize,
        precomputed: bool,
    ) -> Result<Vec<String>> {
        let rows = self.cursor();
        let mut values: Vec<Option<Expr>> = vec![None; table.columns.len()];
        let mut new_rowid = None;
        for (k, set) in update.sets.iter().enumerate() {
            if set.columns.len() != 1 {
                return Err(Error::msg("row value assignments are not supported yet"));
            }
            let name = set.columns[0].as_str();
            let x = if precomputed {
                Expr::EphColumn {
                    cursor: rows,
                    column: 1 + k,
                }
            } else {
                self.expr(&set.value)?
            };
            match table.column_index(name) {
                Some(i) => {
                    if Some(i) == table.rowid_alias {
                        new_rowid = Some(x.clone());
                    }
                    values[i] = Some(x);
                }
                None if super::compile::is_rowid_name(name) => new_rowid = Some(x),
                None => return Err(Error::msg(format!("no such column: {name}"))),
            }
        }
        let conflict = update.or_conflict.unwrap_or(ConflictResolution::Abort);
        self.emit(Insn::OpenEphemeral { cursor: rows, eph });
        let end = self.label();
        let top = self.label();
        let next = self.label();
        self.emit(Insn::Rewind {
            cursor: rows,
            if_empty: end,
        });
        self.place(top);
        let key = self.reg();
        self.emit(Insn::Eval {
            expr: Expr::EphColumn {
                cursor: rows,
                column: 0,
            },
            dest: key,
        });
        self.emit(Insn::SeekRowid {
            cursor,
            key,
            not_found: next,
        });
        let set_columns: Vec<String> = update
            .sets
            .iter()
            .flat_map(|s| s.columns.iter().map(|c| c.0.clone()))
            .collect();
        let has_triggers = !self.schema.triggers_of(&table.name).is_empty();
        let old = if has_triggers {
            Some(self.load_old(table, cursor))
        } else {
            None
        };
        let rowid = self.reg();
        let start = self.regs(table.columns.len());
        let (names, returning) = self.returning(table, &update.returning, rowid, start)?;
        self.emit(Insn::Eval {
            expr: new_rowid.unwrap_or(Expr::Rowid(cursor)),
            dest: rowid,
        });
        for (i, v) in values.into_iter().enumerate() {
            let expr = v.unwrap_or(Expr::Column {
                cursor,
                column: i,
                rowid: Some(i) == table.rowid_alias,
            });
            self.emit(Insn::Eval {
                expr,
                dest: start + i,
            });
        }
        let event = Event::Update(set_columns);
        let new = Some((rowid, start));
        self.fire_triggers(table, &event, TriggerTime::Before, new, old)?;
        if old.is_some() {
            // A BEFORE trigger may have moved the cursor's row.
            self.emit(Insn::SeekRowid {
                cursor,
                key,
                not_found: next,
            });
        }
        self.emit(Insn::UpdateRow {
            target: target.clone(),
            cursor,
            rowid,
            start,
            conflict,
            if_ignored: next,
            aborts_statement: false,
        });
        self.emit_returning(&returning);
        self.fire_triggers(table, &event, TriggerTime::After, new, old)?;
        self.place(next);
        self.emit(Insn::Next {
            cursor: rows,
            target: top,
        });
        self.place(end);
        Ok(names)
    }

    /// Compiles DELETE.
    pub fn delete(&mut self, delete: &ast::Delete) -> Result<Vec<String>> {
        self.with_ctes(delete.with.as_ref(), |this| this.delete_body(delete))
    }

    /// The DELETE itself, with its WITH clause in scope.
    fn delete_body(&mut self, delete: &ast::Delete) -> Result<Vec<String>> {
        if let Some(view) =
            self.writable_view(&delete.table, |e| matches!(e, TriggerEvent::Delete))?
        {
            return self.view_delete(&view, delete);
        }
        let table = self.write_table(&delete.table)?;
        let target = self.write_target(&table)?;
        let (cursor, eph) = self.collect_rowids(
            &table,
            delete.alias.as_ref(),
            delete.indexed.as_ref(),
            delete.where_clause.as_ref(),
        )?;
        let rows = self.cursor();
        self.emit(Insn::OpenEphemeral { cursor: rows, eph });
        let end = self.label();
        let top = self.label();
        let next = self.label();
        self.emit(Insn::Rewind {
            cursor: rows,
            if_empty: end,
        });
        self.place(top);
        let key = self.reg();
        self.emit(Insn::Eval {
            expr: Expr::EphColumn {
                cursor: rows,
                column: 0,
            },
            dest: key,
        });
        self.emit(Insn::SeekRowid {
            cursor,
            key,
            not_found: next,
        });
        let has_triggers = !self.schema.triggers_of(&table.name).is_empty();
        let old = if has_triggers || !delete.returning.is_empty() {
            Some(self.load_old(&table, cursor))
        } else {
            None
        };
        let (names, returning) = match old {
            Some((rowid, start)) => self.returning(&table, &delete.returning, rowid, start)?,
            None => (Vec::new(), Vec::new()),
        };
        self.emit_returning(&returning);
        self.fire_triggers(&table, &Event::Delete, TriggerTime::Before, None, old)?;
        if old.is_some() {
            self.emit(Insn::SeekRowid {
                cursor,
                key,
                not_found: next,
            });
        }
        self.emit(Insn::DeleteRow { target, cursor });
        self.fire_triggers(&table, &Event::Delete, TriggerTime::After, None, old)?;
        self.place(next);
        self.emit(Insn::Next {
            cursor: rows,
            target: top,
        });
        self.place(end);
        Ok(names)
    }
}

/// The DO UPDATE branch of an upsert.
struct UpsertPlan {
    /// The assignments.
    sets: Vec<ast::SetClause>,
    /// `DO UPDATE ... WHERE`.
    where_clause: Option<ast::Expr>,
    /// A table cursor for the conflicting row.
    cursor: usize,
    /// Register receiving the conflicting row's rowid.
    conflict_rowid: usize,
    /// The INSERT's `AS alias`.
    alias: Option<String>,
}

/// The ON CONFLICT clauses of an INSERT, compiled.
struct UpsertClauses {
    /// Register receiving the conflicting row's rowid.
    conflict_rowid: usize,
    /// Each clause: the constraint it names (None: any), and its DO UPDATE (None: DO
    /// NOTHING).
    clauses: Vec<(Option<UniqueConstraint>, Option<UpsertPlan>)>,
}

/// The constraint an ON CONFLICT clause names, as SQLite's `sqlite3UpsertAnalyzeTarget`
/// matches it: the rowid (INTEGER PRIMARY KEY or `rowid`), or a UNIQUE or PRIMARY KEY index
/// (not partial) over exactly the target's columns, in any order. None for no target.
fn upsert_target(
    table: &Table,
    target: &WriteTarget,
    clause: &ast::Upsert,
) -> Result<Option<UniqueConstraint>> {
    if clause.target.is_empty() {
        return Ok(None);
    }
    let mismatch =
        || Error::msg("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint");
    // Each term as (column, explicit COLLATE). A term without COLLATE matches an index
    // column of any collation; one with COLLATE only an index column of that collation. A
    // term naming the rowid (or its INTEGER PRIMARY KEY alias) resolves to the rowid, which
    // no index column is, so it only matches as the whole target.
    let mut columns = Vec::new();
    let mut rowid = false;
    for term in &clause.target {
        let explicit = match &term.expr {
            ast::Expr::Collate { collation, .. } => {
                Some(Collation::from_name(collation.as_str()).ok_or_else(|| {
                    Error::msg(format!("no such collation sequence: {}", collation.0))
                })?)
            }
            _ => None,
        };
        let ast::Expr::Column { column, .. } = super::select::strip_collate(&term.expr) else {
            return Err(mismatch());
        };
        let name = column.column.as_str();
        match table.column_index(name) {
            Some(i) if Some(i) == table.rowid_alias => rowid = true,
            Some(i) => columns.push((i, explicit)),
            None if super::compile::is_rowid_name(name) => rowid = true,
            None => return Err(Error::msg(format!("no such column: {name}"))),
        }
    }
    if rowid {
        if clause.target.len() == 1 {
            return Ok(Some(UniqueConstraint::Rowid));
        }
        return Err(mismatch());
    }
    // Newest first, as SQLite walks its table's index list: of two UNIQUE indexes on the
    // same column under different collations, a target without COLLATE names the newer.
    for (i, index) in target.indexes.iter().enumerate().rev() {
        if !index.unique || index.partial.is_some() || index.columns.len() != columns.len() {
            continue;
        }
        let matched = index.columns.iter().all(|key| {
            columns.iter().any(|(c, coll)| {
                key.column == Some(*c) && (coll.is_none() || *coll == Some(key.collation))
            })
        });
        if matched {
            return Ok(Some(UniqueConstraint::Index(i)));
        }
    }
    Err(mismatch())
}

/// What fires a trigger.
pub(super) enum Event {
    /// INSERT.
    Insert,
    /// UPDATE of these columns.
    Update(Vec<String>),
    /// DELETE.
    Delete,
}

impl Compiler<'_> {
    /// Emits the DO UPDATE of an upsert: the conflicting row is updated with the SET
    /// values, where `excluded` names the row that was to be inserted.
    fn upsert_update(
        &mut self,
        plan: &UpsertPlan,
        table: &Arc<Table>,
        target: &Arc<WriteTarget>,
        (rowid, start): (usize, usize),
        done: usize,
        returning: &[Expr],
    ) -> Result<()> {
        let cursor = plan.cursor;
        self.emit(Insn::SeekRowid {
            cursor,
            key: plan.conflict_rowid,
            not_found: done,
        });
        let mut existing = table_item(table, cursor);
        if let Some(a) = &plan.alias {
            existing.name = a.clone();
        }
        let mut excluded = row_item(table, rowid, start);
        excluded.name = "excluded".to_string();
        // SQLite reads `excluded.x` as a bare register: it has neither the column's affinity
        // nor its collation when compared (`excluded.c = 0` is false for a TEXT column's '0').
        for c in &mut excluded.columns {
            c.affinity = None;
            c.collation = Collation::Binary;
        }
        // `excluded` sits in an outer scope so that plain names mean the existing row.
        self.scopes.push(Scope {
            items: vec![excluded],
            sub: self.current_sub(),
            ..Default::default()
        });
        self.scopes.push(Scope {
            items: vec![existing],
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = (|| -> Result<()> {
            if let Some(w) = &plan.where_clause {
                let w = self.expr(w)?;
                self.emit(Insn::IfNot {
                    expr: w,
                    target: done,
                    jump_if_null: true,
                });
            }
            let mut values: Vec<Option<Expr>> = vec![None; table.columns.len()];
            let mut new_rowid = None;
            for set in &plan.sets {
                for (k, name) in set.columns.iter().enumerate() {
                    let x = if set.columns.len() == 1 {
                        self.expr(&set.value)?
                    } else {
                        match &set.value {
                            ast::Expr::Row(items) if items.len() == set.columns.len() => {
                                self.expr(&items[k])?
                            }
                            _ => return Err(Error::msg("row value misused")),
                        }
                    };
                    match table.column_index(name.as_str()) {
                        Some(i) => {
                            if Some(i) == table.rowid_alias {
                                new_rowid = Some(x.clone());
                            }
                            values[i] = Some(x);
                        }
                        None => return Err(Error::msg(format!("no such column: {}", name.0))),
                    }
                }
            }
            let new_rowid_reg = self.reg();
            let new_start = self.regs(table.columns.len());
            self.emit(Insn::Eval {
                expr: new_rowid.unwrap_or(Expr::Rowid(cursor)),
                dest: new_rowid_reg,
            });
            for (i, v) in values.into_iter().enumerate() {
                let expr = v.unwrap_or(Expr::Column {
                    cursor,
                    column: i,
                    rowid: Some(i) == table.rowid_alias,
                });
                self.emit(Insn::Eval {
                    expr,
                    dest: new_start + i,
                });
            }
            self.emit(Insn::UpdateRow {
                target: target.clone(),
                cursor,
                rowid: new_rowid_reg,
                start: new_start,
                conflict: ConflictResolution::Abort,
                if_ignored: done,
                aborts_statement: true,
            });
            if !returning.is_empty() {
                // RETURNING reports the row as updated; its expressions read the inserted
                // row's registers, which are free again now.
                self.emit(Insn::Eval {
                    expr: Expr::Reg(new_rowid_reg),
                    dest: rowid,
                });
                for i in 0..table.columns.len() {
                    self.emit(Insn::Eval {
                        expr: Expr::Reg(new_start + i),
                        dest: start + i,
                    });
                }
                self.emit_returning(returning);
            }
            Ok(())
        })();
        self.scopes.pop();
        self.scopes.pop();
        result
    }

    /// Compiles a RETURNING list over the row in registers; returns names and expressions.
    fn returning(
        &mut self,
        table: &Table,
        list: &[ast::ResultColumn],
        rowid: usize,
        start: usize,
    ) -> Result<(Vec<String>, Vec<Expr>)> {
        if list.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        self.scopes.push(Scope {
            items: vec![row_item(table, rowid, start)],
            sub: self.current_sub(),
            ..Default::default()
        });
        let result = (|| -> Result<(Vec<String>, Vec<Expr>)> {
            let columns = self.result_columns(list)?;
            let mut names = Vec::new();
            let mut exprs = Vec::new();
            for (e, name) in columns {
                if self.has_aggregate(&e) {
                    return Err(Error::msg(
                        "aggregate functions are not allowed in RETURNING",
                    ));
                }
                exprs.push(self.expr(&e)?);
                names.push(name);
            }
            Ok((names, exprs))
        })();
        self.scopes.pop();
        result
    }

    /// Emits one RETURNING row.
    fn emit_returning(&mut self, exprs: &[Expr]) {
        if exprs.is_empty() {
            return;
        }
        let start = self.regs(exprs.len());
        for (i, e) in exprs.iter().enumerate() {
            self.emit(Insn::Eval {
                expr: e.clone(),
                dest: start + i,
            });
        }
        self.emit(Insn::ResultRow {
            start,
            count: exprs.len(),
        });
    }

    /// Copies the current row of `cursor` into fresh registers (the OLD row of triggers).
    fn load_old(&mut self, table: &Table, cursor: usize) -> (usize, usize) {
        let rowid = self.reg();
        let start = self.regs(table.columns.len());
        self.emit(Insn::Eval {
            expr: Expr::Rowid(cursor),
            dest: rowid,
        });
        for i in 0..table.columns.len() {
            self.emit(Insn::Eval {
                expr: Expr::Column {
                    cursor,
                    column: i,
                    rowid: Some(i) == table.rowid_alias,
                },
                dest: start + i,
            });
        }
        (rowid, start)
    }

    /// Emits the bodies of the triggers on `table` for `event` at `time`, with the NEW and
    /// OLD rows in registers (rowid register, first column register). A trigger does not
    /// fire itself recursively (SQLite's default, `recursive_triggers` off).
    pub(super) fn fire_triggers(
        &mut self,
        table: &Table,
        event: &Event,
        time: TriggerTime,
        new: Option<(usize, usize)>,
        old: Option<(usize, usize)>,
    ) -> Result<()> {
        for trigger in self.schema.triggers_of(&table.name) {
            if trigger.time != time || self.firing.iter().any(|f| f == &trigger.name) {
                continue;
            }
            let fires = match (&trigger.event, event) {
                (TriggerEvent::Insert, Event::Insert) | (TriggerEvent::Delete, Event::Delete) => {
                    true
                }
                (TriggerEvent::Update(of), Event::Update(set)) => {
                    of.is_empty()
                        || of
                            .iter()
                            .any(|c| set.iter().any(|s| s.eq_ignore_ascii_case(c.as_str())))
                }
                _ => false,
            };
            if !fires {
                continue;
            }
            let mut items = Vec::new();
            if let Some((rowid, start)) = new {
                let mut item = row_item(table, rowid, start);
                item.name = "new".to_string();
                items.push(item);
            }
            if let Some((rowid, start)) = old {
                let mut item = row_item(table, rowid, start);
                item.name = "old".to_string();
                items.push(item);
            }
            self.firing.push(trigger.name.clone());
            self.scopes.push(Scope {
                items,
                sub: self.current_sub(),
                ..Default::default()
            });
            let result = self.trigger_body(&trigger);
            self.scopes.pop();
            self.firing.pop();
            result?;
        }
        Ok(())
    }

    /// Emits one trigger's WHEN test and statements.
    fn trigger_body(&mut self, trigger: &Trigger) -> Result<()> {
        let skip = self.label();
        if let Some(when) = &trigger.when {
            let w = self.expr(when)?;
            self.emit(Insn::IfNot {
                expr: w,
                target: skip,
                jump_if_null: true,
            });
        }
        for statement in &trigger.body {
            match statement {
                ast::Statement::Insert(i) => {
                    self.insert(i)?;
                }
                ast::Statement::Update(u) => {
                    self.update(u)?;
                }
                ast::Statement::Delete(d) => {
                    self.delete(d)?;
                }
                ast::Statement::Select(s) => {
                    let eph = self.ephemeral();
                    self.select(s, Dest::Ephemeral(eph))?;
                    self.emit(Insn::ClearEphemeral { eph });
                }
                _ => return Err(Error::msg("unsupported statement in a trigger")),
            }
        }
        self.place(skip);
        Ok(())
    }
}

/// The FROM item of a table read through `cursor`.
pub(super) fn table_item(table: &Table, cursor: usize) -> FromItem {
    FromItem {
        name: table.name.clone(),
        columns: metas(table),
        source: Source::Table {
            cursor,
            rowid_alias: table.rowid_alias,
        },
        merged: Vec::new(),
        joined_by: JoinedBy::Inner,
        has_rowid: true,
    }
}

/// The FROM item of a row held in registers.
fn row_item(table: &Table, rowid: usize, start: usize) -> FromItem {
    FromItem {
        name: table.name.clone(),
        columns: metas(table),
        source: Source::Registers { rowid, start },
        merged: Vec::new(),
        joined_by: JoinedBy::Inner,
        has_rowid: true,
    }
}

/// Column metadata of a table.
fn metas(table: &Table) -> Vec<ColumnMeta> {
    table
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
        .collect()
}
