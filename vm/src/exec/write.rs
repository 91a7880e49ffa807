//! Writing rows: affinity, NOT NULL, CHECK, rowid allocation, UNIQUE checks with conflict
//! resolution, and index maintenance.
//!
//! Constraint failures use SQLite's messages and extended codes:
//!
//! | failure | message | code |
//! | --- | --- | --- |
//! | NOT NULL | `NOT NULL constraint failed: t.a` | 1299 |
//! | CHECK | `CHECK constraint failed: <expr>` | 275 |
//! | rowid / INTEGER PRIMARY KEY | `UNIQUE constraint failed: t.id` | 1555 |
//! | UNIQUE index | `UNIQUE constraint failed: t.a, t.b` | 2067 |

use concur_btree::Value;

use super::{internal, Cursor, Env, Vm};
use crate::ast::ConflictResolution;
use crate::error::{Error, Result};
use crate::program::{Program, UniqueConstraint, Upsert, WriteTarget};
use crate::schema::ddl::sequence_row;
use crate::storage::code;
use crate::value::{truth, Affinity};

/// What a constraint check decided.
enum Outcome {
    /// Go on writing.
    Proceed,
    /// Skip this row (OR IGNORE).
    Skip,
    /// A uniqueness conflict with this existing row, for the DO UPDATE at the address, on
    /// this constraint.
    Conflict(i64, usize, UniqueConstraint),
}

/// What an InsertRow did.
pub(super) enum Inserted {
    /// The row was written.
    Yes,
    /// OR IGNORE / DO NOTHING skipped it.
    Skipped,
    /// Upsert: it conflicts with this existing row; run the DO UPDATE at the address.
    Conflict(i64, usize),
}

impl Vm {
    /// Places a row in the target's scratch registers.
    fn load_scratch(&mut self, target: &WriteTarget, rowid: i64, values: &[Value]) {
        if target.checks.is_empty() && target.indexes.is_empty() {
            // Only CHECK and index key expressions read the scratch registers.
            return;
        }
        self.regs[target.scratch_rowid] = Value::Integer(rowid);
        for (i, v) in values.iter().enumerate() {
            self.regs[target.scratch_start + i] = v.clone();
        }
        if let Some(alias) = target.table.rowid_alias {
            self.regs[target.scratch_start + alias] = Value::Integer(rowid);
        }
    }

    /// The entry of index `i` for the row in the scratch registers (key columns then rowid);
    /// None when a partial index excludes the row.
    fn index_entry(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        i: usize,
        env: &mut Env<'_>,
    ) -> Result<Option<Vec<Value>>> {
        if let Some(Some(w)) = target.index_where.get(i) {
            let v = self.eval(program, w, env)?;
            if truth(&v) != Some(true) {
                return Ok(None);
            }
        }
        let index = &target.indexes[i];
        let mut key = Vec::with_capacity(index.columns.len() + 1);
        for (k, column) in index.columns.iter().enumerate() {
            let v = match (
                column.column,
                target.index_keys.get(i).and_then(|ks| ks.get(k)),
            ) {
                (_, Some(Some(expr))) => self.eval(program, expr, env)?,
                (Some(c), _) => self.regs[target.scratch_start + c].clone(),
                (None, _) => Value::Null,
            };
            key.push(v);
        }
        key.push(self.regs[target.scratch_rowid].clone());
        Ok(Some(key))
    }

    /// Deletes row `rowid` (holding `values`) and its index entries.
    pub(super) fn delete_row(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid: i64,
        values: &[Value],
        env: &mut Env<'_>,
    ) -> Result<()> {
        self.load_scratch(target, rowid, values);
        for i in 0..target.indexes.len() {
            if let Some(key) = self.index_entry(program, target, i, env)? {
                env.txn.delete_index(
                    target.indexes[i].root,
                    &key,
                    &target.indexes[i].key_info(),
                )?;
            }
        }
        env.txn.delete_row(target.table.root, rowid)?;
        Ok(())
    }

    /// Applies column affinities and checks NOT NULL and CHECK for a new row, leaving it in
    /// the scratch registers.
    fn prepare_row(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid: i64,
        values: &mut [Value],
        conflict: ConflictResolution,
        env: &mut Env<'_>,
    ) -> Result<Outcome> {
        let table = &target.table;
        for (i, column) in table.columns.iter().enumerate() {
            if Some(i) == table.rowid_alias {
                values[i] = Value::Null;
                continue;
            }
            let v = std::mem::replace(&mut values[i], Value::Null);
            values[i] = column.affinity.apply(v);
            if column.not_null && matches!(values[i], Value::Null) {
                if conflict == ConflictResolution::Ignore {
                    return Ok(Outcome::Skip);
                }
                // OR REPLACE puts the column's default in place of the NULL (ABORT when
                // there is none, or it is NULL too).
                let default = target.defaults.get(i).and_then(Option::as_ref);
                if let (ConflictResolution::Replace, Some(d)) = (conflict, default) {
                    let v = self.eval(program, d, env)?;
                    values[i] = column.affinity.apply(v);
                    if !matches!(values[i], Value::Null) {
                        continue;
                    }
                }
                return Err(Error::Constraint {
                    code: code::CONSTRAINT_NOTNULL,
                    message: format!("NOT NULL constraint failed: {}.{}", table.name, column.name),
                });
            }
        }
        self.load_scratch(target, rowid, values);
        for (check, text) in &target.checks {
            let v = self.eval(program, check, env)?;
            if truth(&v) == Some(false) {
                if conflict == ConflictResolution::Ignore {
                    return Ok(Outcome::Skip);
                }
                return Err(Error::Constraint {
                    code: code::CONSTRAINT_CHECK,
                    message: format!("CHECK constraint failed: {text}"),
                });
            }
        }
        Ok(Outcome::Proceed)
    }

    /// Resolves conflicts of the row in the scratch registers with existing rows other than
    /// `own` (the row being updated): the rowid, then each UNIQUE index.
    ///
    /// Indexes are checked in SQLite's order: newest first, those whose resolution is REPLACE
    /// after the others, so a row that breaks two constraints fails on the same one.
    /// With ON CONFLICT clauses (`upsert`), the constraints they name are checked first, in
    /// clause order, as SQLite does; a conflict on a constraint that a clause covers (by
    /// name, or a last clause without a target) is that clause's to handle: DO NOTHING skips
    /// the row, DO UPDATE reports the conflicting row. Other conflicts take the statement's
    /// resolution.
    #[allow(clippy::too_many_arguments)]
    fn resolve_conflicts(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid: i64,
        own: Option<i64>,
        conflict: ConflictResolution,
        upsert: Option<&Upsert>,
        env: &mut Env<'_>,
    ) -> Result<Outcome> {
        // (Collected only when there are ON CONFLICT clauses: no allocation otherwise.)
        let mut named: Vec<UniqueConstraint> = Vec::new();
        for (clause, _) in upsert.map_or(&[][..], |u| &u.clauses[..]) {
            if let Some(c) = clause {
                if !named.contains(c) {
                    named.push(*c);
                }
            }
        }
        // Then the rowid, then the indexes newest first (SQLite links each new index at the
        // head of the table's list), those that REPLACE last.
        let replaces = |i: usize| {
            conflict == ConflictResolution::Replace
                || conflict == ConflictResolution::Abort
                    && target.indexes[i].on_conflict == Some(ConflictResolution::Replace)
        };
        let newest_first = (0..target.indexes.len()).rev();
        let others = newest_first.clone().filter(|&i| !replaces(i));
        let last = newest_first.filter(|&i| replaces(i));
        let rest = std::iter::once(UniqueConstraint::Rowid)
            .chain(others.chain(last).map(UniqueConstraint::Index))
            .filter(|c| !named.contains(c));
        for constraint in named.iter().copied().chain(rest) {
            let Some(other) = self.clash(program, target, rowid, own, constraint, env)? else {
                continue;
            };
            let clause = upsert.and_then(|u| {
                u.clauses
                    .iter()
                    .find(|(named, _)| named.is_none() || *named == Some(constraint))
            });
            if let Some((_, action)) = clause {
                return Ok(match action {
                    Some(addr) => Outcome::Conflict(other, *addr, constraint),
                    None => Outcome::Skip,
                });
            }
            let table = &target.table;
            let (effective, code, names) = match constraint {
                UniqueConstraint::Rowid => {
                    let column = table
                        .rowid_alias
                        .map_or("rowid".to_string(), |i| table.columns[i].name.clone());
                    (
                        conflict,
                        code::CONSTRAINT_PRIMARYKEY,
                        vec![format!("{}.{}", table.name, column)],
                    )
                }
                UniqueConstraint::Index(i) => {
                    let index = &target.indexes[i];
                    let effective = match (conflict, index.on_conflict) {
                        (ConflictResolution::Abort, Some(c)) => c,
                        (c, _) => c,
                    };
                    let names = index
                        .columns
                        .iter()
                        .map(|c| match c.column {
                            Some(col) => format!("{}.{}", table.name, table.columns[col].name),
                            None => format!("index '{}'", index.name),
                        })
                        .collect();
                    let code = if index.primary_key {
                        code::CONSTRAINT_PRIMARYKEY
                    } else {
                        code::CONSTRAINT_UNIQUE
                    };
                    (effective, code, names)
                }
            };
            match effective {
                ConflictResolution::Ignore => return Ok(Outcome::Skip),
                ConflictResolution::Replace => {
                    let mut rows = env.txn.table_cursor(table.root)?;
                    if rows.seek(other)? {
                        let old = rows.row()?;
                        let saved = self.scratch(target);
                        self.delete_row(program, target, other, &old, env)?;
                        self.restore_scratch(target, saved);
                    }
                }
                _ => {
                    return Err(Error::Constraint {
                        code,
                        message: format!("UNIQUE constraint failed: {}", names.join(", ")),
                    });
                }
            }
        }
        Ok(Outcome::Proceed)
    }

    /// The rowid of an existing row (other than `own`, the row an UPDATE rewrites) that the
    /// row in the scratch registers collides with on `constraint`, if any. An index entry
    /// of an existing row with the new row's rowid is a collision too: the upsert target's
    /// index is checked before the rowid, as SQLite defers the rowid check.
    fn clash(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid: i64,
        own: Option<i64>,
        constraint: UniqueConstraint,
        env: &mut Env<'_>,
    ) -> Result<Option<i64>> {
        let i = match constraint {
            UniqueConstraint::Rowid => {
                if own == Some(rowid) {
                    return Ok(None);
                }
                return Ok(env
                    .txn
                    .contains_row(target.table.root, rowid)?
                    .then_some(rowid));
            }
            UniqueConstraint::Index(i) => i,
        };
        let index = target.indexes[i].clone();
        if !index.unique {
            return Ok(None);
        }
        let Some(key) = self.index_entry(program, target, i, env)? else {
            return Ok(None);
        };
        let n = index.columns.len();
        if key[..n].iter().any(|v| matches!(v, Value::Null)) {
            return Ok(None);
        }
        let info = index.key_info();
        let mut cursor = env.txn.index_cursor(index.root, &info)?;
        let mut found = cursor.seek_ge(&key[..n], true)?;
        while found {
            if cursor.compare_key(&info, &key[..n])? != std::cmp::Ordering::Equal {
                break;
            }
            let Some(other) = cursor.entry_rowid()? else {
                return Err(internal("index entry without rowid"));
            };
            if Some(other) != own {
                return Ok(Some(other));
            }
            found = cursor.next()?;
        }
        Ok(None)
    }

    /// A copy of the scratch registers.
    fn scratch(&self, target: &WriteTarget) -> Vec<Value> {
        let mut v = vec![self.regs[target.scratch_rowid].clone()];
        v.extend_from_slice(
            &self.regs[target.scratch_start..target.scratch_start + target.table.columns.len()],
        );
        v
    }

    /// Restores the scratch registers saved by [`Vm::scratch`].
    fn restore_scratch(&mut self, target: &WriteTarget, saved: Vec<Value>) {
        for (i, v) in saved.into_iter().enumerate() {
            if i == 0 {
                self.regs[target.scratch_rowid] = v;
            } else {
                self.regs[target.scratch_start + i - 1] = v;
            }
        }
    }

    /// Writes the row in the scratch registers and its index entries.
    fn write_row(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid: i64,
        values: &[Value],
        env: &mut Env<'_>,
    ) -> Result<()> {
        env.txn.insert_row(target.table.root, rowid, values)?;
        self.write_index_entries(program, target, env)
    }

    /// Writes the index entries of the row in the scratch registers.
    fn write_index_entries(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        env: &mut Env<'_>,
    ) -> Result<()> {
        for i in 0..target.indexes.len() {
            if let Some(key) = self.index_entry(program, target, i, env)? {
                env.txn.insert_index(
                    target.indexes[i].root,
                    &key,
                    &target.indexes[i].key_info(),
                )?;
            }
        }
        Ok(())
    }

    /// Executes InsertRow; false when the row was skipped.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_row(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        rowid_reg: usize,
        start: usize,
        conflict: ConflictResolution,
        count_change: bool,
        upsert: Option<&Upsert>,
        keep_row: bool,
        env: &mut Env<'_>,
    ) -> Result<Inserted> {
        let table = &target.table;
        let row = &mut self.regs[start..start + table.columns.len()];
        let mut values = std::mem::take(&mut self.row);
        values.clear();
        if upsert.is_some() {
            // DO UPDATE reads the proposed row (`excluded.*`) from these registers.
            values.extend_from_slice(row);
        } else {
            // Written back below once the row is stored; a skipped or failed row's registers
            // are not read again (the next row, if any, fills every one of them).
            values.extend(row.iter_mut().map(|v| std::mem::replace(v, Value::Null)));
        }
        // AUTOINCREMENT: new rowids go past the largest ever used, kept in sqlite_sequence.
        let sequence = match target.sequence_root {
            Some(root) => Some((root, sequence_row(env.txn, root, &table.name)?)),
            None => None,
        };
        let used = sequence.and_then(|(_, row)| row).map_or(0, |(_, seq)| seq);
        let rowid = match Affinity::Integer.apply(self.regs[rowid_reg].clone()) {
            Value::Null => {
                let max = env.txn.max_rowid(table.root)?;
                // Only AUTOINCREMENT looks past the table (a table whose rows are all
                // negative gets max + 1 otherwise, as in SQLite).
                let max = if sequence.is_some() {
                    max.max(used)
                } else {
                    max
                };
                match max.checked_add(1) {
                    Some(next) => next,
                    None if sequence.is_none() => random_free_rowid(table.root, env)?,
                    None => return Err(full()),
                }
            }
            Value::Integer(i) => i,
            _ => return Err(Error::with_code(code::MISMATCH, "datatype mismatch")),
        };
        if let Outcome::Skip =
            self.prepare_row(program, target, rowid, &mut values, conflict, env)?
        {
            return Ok(Inserted::Skipped);
        }
        if upsert.is_some() {
            if let Some(alias) = table.rowid_alias {
                self.regs[start + alias] = Value::Integer(rowid);
            }
        }
        match self.resolve_conflicts(program, target, rowid, None, conflict, upsert, env)? {
            Outcome::Skip => return Ok(Inserted::Skipped),
            Outcome::Conflict(existing, addr, constraint) => {
                // `excluded.*` reads the proposed row as SQLite holds it when the conflict
                // is found: it applies the columns' affinities before the CHECK constraints
                // and before the first UNIQUE index, but not before the rowid's check. So
                // a rowid conflict in a table without CHECKs sees the values as given.
                if constraint != UniqueConstraint::Rowid || !target.checks.is_empty() {
                    for (i, v) in values.iter().enumerate() {
                        if Some(i) != table.rowid_alias {
                            self.regs[start + i] = v.clone();
                        }
                    }
                }
                return Ok(Inserted::Conflict(existing, addr));
            }
            Outcome::Proceed => {}
        }
        if keep_row {
            self.write_row(program, target, rowid, &values, env)?;
        } else {
            env.txn.insert_row_owned(table.root, rowid, &mut values)?;
            self.write_index_entries(program, target, env)?;
            values.clear();
        }
        if let Some((root, row)) = sequence {
            if rowid > used {
                let at = match row {
                    Some((at, _)) => at,
                    None => env.txn.max_rowid(root)?.saturating_add(1),
                };
                let entry = [
                    Value::Text(table.name.clone().into()),
                    Value::Integer(rowid),
                ];
                env.txn.insert_row(root, at, &entry)?;
            }
        }
        // The stored row, for AFTER triggers and RETURNING (`values` is empty when
        // nothing reads it: see `keep_row`).
        self.regs[rowid_reg] = Value::Integer(rowid);
        for (i, v) in values.drain(..).enumerate() {
            self.regs[start + i] = if Some(i) == table.rowid_alias {
                Value::Integer(rowid)
            } else {
                v
            };
        }
        self.row = values;
        if count_change {
            env.counters.count_change(target.counts_changes);
            if target.counts_changes {
                env.counters.last_insert_rowid = rowid;
            }
        }
        Ok(Inserted::Yes)
    }

    /// Executes UpdateRow; false when OR IGNORE skipped the row.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_row(
        &mut self,
        program: &Program,
        target: &WriteTarget,
        cursor: usize,
        rowid_reg: usize,
        start: usize,
        conflict: ConflictResolution,
        env: &mut Env<'_>,
    ) -> Result<bool> {
        let table = &target.table;
        let (old_rowid, old_values) = match self.cursor(cursor)? {
            Cursor::Table { inner, .. } => (inner.rowid()?, inner.row()?),
            _ => return Err(internal("update through a non-table cursor")),
        };
        let rowid = match Affinity::Integer.apply(self.regs[rowid_reg].clone()) {
            Value::Integer(i) => i,
            _ => return Err(Error::with_code(code::MISMATCH, "datatype mismatch")),
        };
        let mut values = self.regs[start..start + table.columns.len()].to_vec();
        if let Outcome::Skip =
            self.prepare_row(program, target, rowid, &mut values, conflict, env)?
        {
            return Ok(false);
        }
        match self.resolve_conflicts(
            program,
            target,
            rowid,
            Some(old_rowid),
            conflict,
            None,
            env,
        )? {
            Outcome::Proceed => {}
            Outcome::Skip | Outcome::Conflict(..) => return Ok(false),
        }
        let saved = self.scratch(target);
        self.delete_row(program, target, old_rowid, &old_values, env)?;
        self.restore_scratch(target, saved);
        self.write_row(program, target, rowid, &values, env)?;
        self.regs[rowid_reg] = Value::Integer(rowid);
        for (i, v) in values.drain(..).enumerate() {
            self.regs[start + i] = if Some(i) == table.rowid_alias {
                Value::Integer(rowid)
            } else {
                v
            };
        }
        self.row = values;
        env.counters.count_change(target.counts_changes);
        Ok(true)
    }
}

/// SQLITE_FULL: no rowid left to give.
fn full() -> Error {
    Error::with_code(code::FULL, "database or disk is full")
}

/// A new rowid for a table whose largest rowid is i64::MAX (and that is not AUTOINCREMENT):
/// as SQLite, up to 100 random candidates in 1..=2^62, the first one no row has; SQLITE_FULL
/// when all of them are taken.
fn random_free_rowid(root: u32, env: &mut Env<'_>) -> Result<i64> {
    use crate::func::FuncContext;
    let mut cursor = env.txn.table_cursor(root)?;
    for _ in 0..100 {
        let candidate = (env.counters.random_u64() & (u64::MAX >> 2)) as i64 + 1;
        if !cursor.seek(candidate)? {
            return Ok(candidate);
        }
    }
    Err(full())
}
