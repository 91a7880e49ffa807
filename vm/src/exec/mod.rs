//! # The interpreter
//!
//! [`Vm`] runs a [`Program`] one result row at a time: [`Vm::step`] executes instructions from
//! the saved program counter until a `ResultRow` (returning the row) or `Halt` (returning
//! None). All state of one execution lives here: registers, open cursors, ephemeral tables
//! (materialized subqueries, sorters, compound results), distinct sets and aggregations.
//!
//! Subprograms (subqueries) run to completion inside the evaluation of the expression that
//! needs them, with their own program counter but the same registers and cursors; an
//! uncorrelated one runs once per execution.
//!
//! Everything the program reads or writes goes through the [`Txn`] in [`Env`]; the connection's
//! counters (`changes()`, `last_insert_rowid()`) live in [`Counters`].

mod eval;
mod write;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use concur_btree::Value;

use crate::ast::CompoundOp;
use crate::error::{Error, Result};
use crate::func::{Accumulator, AggregateKind, Distinct, FuncContext};
use crate::program::{Expr, Insn, Program, SeekOp};
use crate::storage::{code, IndexCursor, KeyInfo, OrderedKey, TableCursor, Txn};
use crate::value::{compare_values, Affinity, Collation, CompareOp};

/// The connection's counters that functions and DML read and update.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    pub changes: i64,
    /// Rows changed since the connection opened.
    pub total_changes: i64,
    /// Rows changed by trigger bodies during the current statement (they count for
    /// `total_changes` only).
    pub trigger_changes: i64,
    /// The rowid of the last successful INSERT.
    pub last_insert_rowid: i64,
    /// State of the random generator.
    pub random_state: u64,
    /// 'now' of the current statement, in ms since the epoch: read from the clock on first
    /// use within a statement (as SQLite does), so statements without date functions never
    /// ask the clock. The session clears it when a statement starts.
    pub now_ms: std::cell::Cell<Option<i64>>,
}

impl Counters {
    /// Counts one written row: the statement's own, or one a trigger body wrote.
    pub fn count_change(&mut self, own: bool) {
        if own {
            self.changes += 1;
        } else {
            self.trigger_changes += 1;
        }
    }
}

impl FuncContext for Counters {
    fn changes(&self) -> i64 {
        self.changes
    }

    fn total_changes(&self) -> i64 {
        self.total_changes
    }

    fn last_insert_rowid(&self) -> i64 {
        self.last_insert_rowid
    }

    fn random_u64(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.random_state.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn now_unix_ms(&self) -> i64 {
        if let Some(ms) = self.now_ms.get() {
            return ms;
        }
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        self.now_ms.set(Some(ms));
        ms
    }
}

/// What a running program reaches outside itself.
pub struct Env<'a> {
    /// The transaction.
    pub txn: &'a dyn Txn,
    /// The connection's counters.
    pub counters: &'a mut Counters,
    /// Bound parameters (index 0 is `?1`).
    pub params: &'a mut [Value],
    /// Whether [`Insn::MoveParam`] may move a parameter out (the caller binds them all
    /// again before the next execution).
    pub params_single_use: bool,
}

/// An open cursor.
enum Cursor {
    /// A table cursor; `null` is the LEFT JOIN null-row state.
    Table {
        /// The storage cursor.
        inner: Box<dyn TableCursor>,
        /// Null-row state.
        null: bool,
    },
    /// An index cursor.
    Index {
        /// The storage cursor.
        inner: Box<dyn IndexCursor>,
        /// The index's root page.
        root: u32,
        /// Key ordering.
        key_info: KeyInfo,
        /// Null-row state.
        null: bool,
    },
    /// A `generate_series` cursor.
    Series {
        /// The sequence and its position.
        series: crate::func::series::Series,
        /// Null-row state.
        null: bool,
    },
    /// A cursor over an ephemeral table.
    Ephemeral {
        /// The table.
        eph: usize,
        /// The current row.
        pos: usize,
        /// Null-row state.
        null: bool,
    },
}

/// One group of an aggregation.
struct Group {
    /// One accumulator per aggregate call.
    accumulators: Vec<Box<dyn Accumulator>>,
    /// Captured bare-column values: from the row a min or max last took its value from,
    /// else from the group's first row (see `Vm::agg_step`).
    captured: Vec<Value>,
    /// Whether a row of the group has been captured.
    seen: bool,
}

/// The state of one aggregation.
#[derive(Default)]
struct Aggregation {
    /// Group number by key.
    map: BTreeMap<OrderedKey, usize>,
    /// The groups.
    groups: Vec<Group>,
    /// Group numbers in key order, for output.
    order: Vec<usize>,
    /// Output position in `order`.
    pos: usize,
    /// Finalized aggregate values of the current group.
    values: Vec<Value>,
    /// Captured values of the current group.
    captured: Vec<Value>,
    /// Whether the last min or max stepped kept its value (SQLite's `regHit` register,
    /// which lasts from row to row).
    min_max_skipped: bool,
    /// Key ordering.
    key_info: Option<Arc<KeyInfo>>,
    /// The key vector of the last row whose group already existed, emptied, for the next
    /// row's key: only a new group keeps its key.
    spare_key: Vec<Value>,
}

/// The execution state of one program.
pub struct Vm {
    /// Registers.
    regs: Vec<Value>,
    /// Cursors.
    cursors: Vec<Option<Cursor>>,
    /// Ephemeral tables.
    ephs: Vec<Vec<Vec<Value>>>,
    /// Distinct sets.
    sets: Vec<BTreeSet<OrderedKey>>,
    /// Aggregations.
    aggs: Vec<Aggregation>,
    /// Which uncorrelated subprograms already ran.
    sub_done: Vec<bool>,
    /// Per uncorrelated subprogram: the values of its last result in the order an
    /// `IN (SELECT ...)` probes them by binary search, once it has been probed (see
    /// `Vm::in_set`).
    in_sets: Vec<Option<Vec<Value>>>,
    /// Scratch space for the arguments of an aggregate step.
    args: Vec<Value>,
    /// Scratch space for the row an insert stores (its buffer kept from row to row).
    row: Vec<Value>,
    /// The main program counter.
    pc: usize,
    /// Whether the program halted.
    halted: bool,
    /// Whether the program failed where SQLite's policy is ABORT whatever the statement's OR
    /// clause says (see `Insn::UpdateRow`).
    aborted: bool,
}

/// Converts a storage error.
fn internal(message: &str) -> Error {
    Error::with_code(code::INTERNAL, message)
}

impl Vm {
    /// A fresh state for `program`.
    pub fn new(program: &Program) -> Vm {
        Vm {
            regs: vec![Value::Null; program.registers],
            cursors: (0..program.cursors).map(|_| None).collect(),
            ephs: vec![Vec::new(); program.ephemerals],
            sets: vec![BTreeSet::new(); program.sets],
            aggs: (0..program.aggregations)
                .map(|_| Aggregation::default())
                .collect(),
            sub_done: vec![false; program.subs.len()],
            in_sets: vec![None; program.subs.len()],
            args: Vec::new(),
            row: Vec::new(),
            pc: 0,
            halted: false,
            aborted: false,
        }
    }

    /// Drops what an execution holds in the store or in bulk (cursors, ephemeral rows,
    /// distinct sets, aggregations) once it has finished, keeping the rest for
    /// [`Vm::recycle`].
    pub fn release(&mut self) {
        for cursor in &mut self.cursors {
            *cursor = None;
        }
        for eph in &mut self.ephs {
            *eph = Vec::new();
        }
        for set in &mut self.sets {
            set.clear();
        }
        for set in &mut self.in_sets {
            *set = None;
        }
        for agg in &mut self.aggs {
            *agg = Aggregation::default();
        }
    }

    /// Makes a released state equal to `Vm::new` of the same program again, without
    /// allocating.
    pub fn recycle(&mut self) {
        self.release();
        for reg in &mut self.regs {
            *reg = Value::Null;
        }
        for done in &mut self.sub_done {
            *done = false;
        }
        self.pc = 0;
        self.halted = false;
        self.aborted = false;
    }

    /// Whether the last failure must roll back the whole statement whatever its OR clause
    /// says: a constraint failed in the DO UPDATE of an upsert, which SQLite always runs
    /// under ABORT.
    pub fn aborted(&self) -> bool {
        self.aborted
    }

    /// Runs until the next result row (Some) or the end (None).
    pub fn step(&mut self, program: &Program, env: &mut Env<'_>) -> Result<Option<Vec<Value>>> {
        let mut row = Vec::new();
        Ok(self.step_into(program, env, &mut row)?.then_some(row))
    }

    /// Runs until the next result row, which replaces the contents of `row` (true), or the
    /// end (false). A caller that passes the same vector every time allocates no row.
    ///
    /// The values are moved out of their registers: the compiler evaluates every result
    /// row into registers of its own just before the `ResultRow` (see `Compiler::output`),
    /// and nothing reads them afterwards.
    pub fn step_into(
        &mut self,
        program: &Program,
        env: &mut Env<'_>,
        row: &mut Vec<Value>,
    ) -> Result<bool> {
        if self.halted {
            return Ok(false);
        }
        let mut pc = self.pc;
        let result = self.run(program, &program.code, &mut pc, env);
        self.pc = pc;
        match result {
            Ok(Some((start, count))) => {
                row.clear();
                row.extend(
                    self.regs[start..start + count]
                        .iter_mut()
                        .map(|v| std::mem::replace(v, Value::Null)),
                );
                Ok(true)
            }
            Ok(None) => {
                self.halted = true;
                Ok(false)
            }
            Err(e) => {
                self.halted = true;
                Err(e)
            }
        }
    }

    /// Runs subprogram `sub` (unless it is uncorrelated and already ran).
    fn run_sub(&mut self, program: &Program, sub: usize, env: &mut Env<'_>) -> Result<usize> {
        let Some(s) = program.subs.get(sub) else {
            return Err(internal("no such subprogram"));
        };
        if !s.correlated && self.sub_done.get(sub).copied().unwrap_or(false) {
            return Ok(s.result);
        }
        if let Some(e) = self.ephs.get_mut(s.result) {
            e.clear();
        }
        if let Some(set) = self.in_sets.get_mut(sub) {
            *set = None;
        }
        let mut pc = 0;
        while self.run(program, &s.code, &mut pc, env)?.is_some() {}
        if let Some(d) = self.sub_done.get_mut(sub) {
            *d = true;
        }
        Ok(s.result)
    }

    /// The cursor `id`.
    fn cursor(&mut self, id: usize) -> Result<&mut Cursor> {
        self.cursors
            .get_mut(id)
            .and_then(Option::as_mut)
            .ok_or_else(|| internal("cursor not open"))
    }

    /// Executes `code` from `pc` until a result row or Halt.
    fn run(
        &mut self,
        program: &Program,
        code: &[Insn],
        pc: &mut usize,
        env: &mut Env<'_>,
    ) -> Result<Option<(usize, usize)>> {
        loop {
            let Some(insn) = code.get(*pc) else {
                return Ok(None);
            };
            *pc += 1;
            match insn {
                Insn::Goto { target } => *pc = *target,
                Insn::Halt => return Ok(None),
                Insn::OpenTable { cursor, root, .. } => {
                    let inner = env.txn.table_cursor(*root)?;
                    self.cursors[*cursor] = Some(Cursor::Table { inner, null: false });
                }
                Insn::OpenIndex {
                    cursor,
                    root,
                    key_info,
                    ..
                } => {
                    // Opened again on each row of an outer loop (the inner side of a join):
                    // the cursor already open on this index is kept, since what follows an
                    // open always positions it (a seek, or a rewind) before reading.
                    if let Some(Some(Cursor::Index {
                        root: open, null, ..
                    })) = self.cursors.get_mut(*cursor)
                    {
                        if *open == *root {
                            *null = false;
                            continue;
                        }
                    }
                    let inner = env.txn.index_cursor(*root, key_info)?;
                    self.cursors[*cursor] = Some(Cursor::Index {
                        inner,
                        root: *root,
                        key_info: key_info.clone(),
                        null: false,
                    });
                }
                Insn::OpenEphemeral { cursor, eph } => {
                    self.cursors[*cursor] = Some(Cursor::Ephemeral {
                        eph: *eph,
                        pos: usize::MAX,
                        null: false,
                    });
                }
                Insn::ClearEphemeral { eph } => self.ephs[*eph].clear(),
                Insn::EphInsert { eph, start, count } => {
                    let row = self.regs[*start..*start + *count].to_vec();
                    self.ephs[*eph].push(row);
                }
                Insn::EphRealAffinity { eph, columns } => {
                    for row in &mut self.ephs[*eph] {
                        for &c in columns {
                            if let Some(v) = row.get_mut(c) {
                                if let Value::Integer(i) = *v {
                                    *v = Value::Real(i as f64);
                                }
                            }
                        }
                    }
                }
                Insn::Sort { eph, keys } => {
                    self.ephs[*eph].sort_by(|a, b| sort_compare(a, b, keys));
                }
                Insn::KeepLastOfEach { eph } => {
                    let rows = &mut self.ephs[*eph];
                    // `dedup_by` keeps the first of a run: reversed, that is the last.
                    rows.reverse();
                    rows.dedup_by(|a, b| a.first() == b.first());
                    rows.reverse();
                }
                Insn::SeriesRewind {
                    cursor,
                    args,
                    if_empty,
                } => {
                    let mut values = [None, None, None];
                    for (slot, arg) in values.iter_mut().zip(args.iter()) {
                        if let Some(e) = arg {
                            *slot = Some(self.eval(program, e, env)?);
                        }
                    }
                    let [start, stop, step] = &values;
                    let series = crate::func::series::Series::new(
                        start.as_ref(),
                        stop.as_ref(),
                        step.as_ref(),
                    );
                    let found = series.on_row();
                    self.cursors[*cursor] = Some(Cursor::Series {
                        series,
                        null: false,
                    });
                    if !found {
                        *pc = *if_empty;
                    }
                }
                Insn::Rewind { cursor, if_empty } | Insn::Last { cursor, if_empty } => {
                    let last = matches!(insn, Insn::Last { .. });
                    let ephs = &self.ephs;
                    let found = match self.cursors.get_mut(*cursor).and_then(Option::as_mut) {
                        Some(Cursor::Table { inner, null }) => {
                            *null = false;
                            if last {
                                inner.last()?
                            } else {
                                inner.first()?
                            }
                        }
                        Some(Cursor::Index { inner, null, .. }) => {
                            *null = false;
                            if last {
                                inner.last()?
                            } else {
                                inner.first()?
                            }
                        }
                        Some(Cursor::Series { series, null }) => {
                            *null = false;
                            series.on_row()
                        }
                        Some(Cursor::Ephemeral { eph, pos, null }) => {
                            *null = false;
                            let n = ephs[*eph].len();
                            *pos = if last { n.wrapping_sub(1) } else { 0 };
                            n > 0
                        }
                        None => return Err(internal("cursor not open")),
                    };
                    if !found {
                        *pc = *if_empty;
                    }
                }
                Insn::Next { cursor, target } | Insn::Prev { cursor, target } => {
                    let back = matches!(insn, Insn::Prev { .. });
                    let ephs = &self.ephs;
                    let more = match self.cursors.get_mut(*cursor).and_then(Option::as_mut) {
                        Some(Cursor::Table { inner, null }) => {
                            !*null && if back { inner.prev()? } else { inner.next()? }
                        }
                        Some(Cursor::Index { inner, null, .. }) => {
                            !*null && if back { inner.prev()? } else { inner.next()? }
                        }
                        Some(Cursor::Series { series, null }) => !*null && series.advance(),
                        Some(Cursor::Ephemeral { eph, pos, null }) => {
                            if *null {
                                false
                            } else if back {
                                *pos = pos.wrapping_sub(1);
                                *pos < ephs[*eph].len()
                            } else {
                                *pos = pos.wrapping_add(1);
                                *pos < ephs[*eph].len()
                            }
                        }
                        None => return Err(internal("cursor not open")),
                    };
                    if more {
                        *pc = *target;
                    }
                }
                Insn::SeekRowid {
                    cursor,
                    key,
                    not_found,
                } => {
                    let rowid = rowid_key(&self.regs[*key]);
                    let Cursor::Table { inner, null } = self.cursor(*cursor)? else {
                        return Err(internal("rowid seek on a non-table cursor"));
                    };
                    *null = false;
                    let found = match rowid {
                        Some(r) => inner.seek(r)?,
                        None => false,
                    };
                    if !found {
                        *pc = *not_found;
                    }
                }
                Insn::SeekRowidRange {
                    cursor,
                    op,
                    key,
                    not_found,
                } => {
                    let start = range_start(&self.regs[*key], *op);
                    let Cursor::Table { inner, null } = self.cursor(*cursor)? else {
                        return Err(internal("rowid seek on a non-table cursor"));
                    };
                    *null = false;
                    let found = match start {
                        Some(r) => inner.seek_ge(r)?,
                        None => false,
                    };
                    if !found {
                        *pc = *not_found;
                    }
                }
                Insn::RowidCompare {
                    cursor,
                    op,
                    key,
                    target,
                } => {
                    let bound = Affinity::Numeric.apply(self.regs[*key].clone());
                    let Cursor::Table { inner, .. } = self.cursor(*cursor)? else {
                        return Err(internal("rowid compare on a non-table cursor"));
                    };
                    let rowid = Value::Integer(inner.rowid()?);
                    let stop = match bound {
                        Value::Null => true,
                        b => op.holds(compare_values(&rowid, &b, Collation::Binary)),
                    };
                    if stop {
                        *pc = *target;
                    }
                }
                Insn::IdxSeek {
                    cursor,
                    op,
                    start,
                    count,
                    not_found,
                } => {
                    let key = self.regs[*start..*start + *count].to_vec();
                    let Cursor::Index { inner, null, .. } = self.cursor(*cursor)? else {
                        return Err(internal("index seek on a non-index cursor"));
                    };
                    *null = false;
                    let found = match op {
                        SeekOp::Ge => inner.seek_ge(&key, true)?,
                        SeekOp::Gt => inner.seek_ge(&key, false)?,
                        SeekOp::Le => inner.seek_le(&key, true)?,
                        SeekOp::Lt => inner.seek_le(&key, false)?,
                    };
                    if !found {
                        *pc = *not_found;
                    }
                }
                Insn::IdxCompare {
                    cursor,
                    op,
                    start,
                    count,
                    target,
                } => {
                    let Some(Some(Cursor::Index {
                        inner, key_info, ..
                    })) = self.cursors.get_mut(*cursor)
                    else {
                        return Err(internal("index compare on a non-index cursor"));
                    };
                    let key = self
                        .regs
                        .get(*start..*start + *count)
                        .ok_or_else(|| internal("index compare past the registers"))?;
                    let ordering = inner.compare_key(key_info, key)?;
                    if op.holds(ordering) {
                        *pc = *target;
                    }
                }
                Insn::IdxRowSeek { index, table } => {
                    let rowid = match self.cursor(*index)? {
                        Cursor::Index { inner, .. } => match inner.entry_rowid()? {
                            Some(r) => r,
                            None => {
                                return Err(Error::Storage(crate::storage::StorageError::corrupt(
                                    "index entry without a rowid",
                                )))
                            }
                        },
                        _ => return Err(internal("not an index cursor")),
                    };
                    let Cursor::Table { inner, null } = self.cursor(*table)? else {
                        return Err(internal("not a table cursor"));
                    };
                    *null = false;
                    if !inner.seek(rowid)? {
                        return Err(Error::Storage(crate::storage::StorageError::corrupt(
                            format!("index entry points at missing row {rowid}"),
                        )));
                    }
                }
                Insn::NullRow { cursor } => match self.cursor(*cursor)? {
                    Cursor::Table { null, .. }
                    | Cursor::Index { null, .. }
                    | Cursor::Series { null, .. }
                    | Cursor::Ephemeral { null, .. } => *null = true,
                },
                Insn::Value { value, dest } => self.regs[*dest] = value.clone(),
                Insn::Eval { expr, dest } => {
                    let v = self.leaf(program, expr, env)?;
                    self.regs[*dest] = v;
                }
                Insn::MoveParam { index, dest } => {
                    let v = match env.params.get_mut(index.wrapping_sub(1)) {
                        Some(v) if env.params_single_use => std::mem::replace(v, Value::Null),
                        Some(v) => v.clone(),
                        None => Value::Null,
                    };
                    self.regs[*dest] = v;
                }
                Insn::IfNot {
                    expr,
                    target,
                    jump_if_null,
                } => {
                    let jump = match self.eval_truth(program, expr, env)? {
                        Some(t) => !t,
                        None => *jump_if_null,
                    };
                    if jump {
                        *pc = *target;
                    }
                }
                Insn::IfNotInt {
                    op,
                    left,
                    right,
                    expr,
                    target,
                    jump_if_null,
                } => {
                    let holds = match (self.int_operand(left), self.int_operand(right)) {
                        (Some(x), Some(y)) => Some(op.holds(x.cmp(&y))),
                        _ => self.eval_truth(program, expr, env)?,
                    };
                    let jump = match holds {
                        Some(t) => !t,
                        None => *jump_if_null,
                    };
                    if jump {
                        *pc = *target;
                    }
                }
                Insn::IfPos { reg, target } => {
                    if matches!(self.regs[*reg], Value::Integer(i) if i > 0) {
                        *pc = *target;
                    }
                }
                Insn::Limit { expr, dest, offset } => {
                    let v = self.eval(program, expr, env)?;
                    let n = limit_value(&v)?;
                    self.regs[*dest] = Value::Integer(if *offset { n.max(0) } else { n });
                }
                Insn::OffsetSkip { reg, target } => {
                    if let Value::Integer(n) = &mut self.regs[*reg] {
                        if *n > 0 {
                            *n -= 1;
                            *pc = *target;
                        }
                    }
                }
                Insn::DecrJumpZero { reg, target } => {
                    if let Value::Integer(n) = &mut self.regs[*reg] {
                        if *n > 0 {
                            *n -= 1;
                            if *n == 0 {
                                *pc = *target;
                            }
                        }
                    }
                }
                Insn::IfZero { reg, target } => {
                    if matches!(self.regs[*reg], Value::Integer(0)) {
                        *pc = *target;
                    }
                }
                Insn::ResultRow { start, count } => return Ok(Some((*start, *count))),
                Insn::Distinct {
                    set,
                    start,
                    count,
                    collations,
                    if_seen,
                } => {
                    let info = KeyInfo {
                        columns: collations
                            .iter()
                            .map(|c| crate::storage::KeyColumn {
                                collation: *c,
                                desc: false,
                            })
                            .collect(),
                    };
                    let key = OrderedKey::new(
                        self.regs[*start..*start + *count].to_vec(),
                        Arc::new(info),
                    );
                    if !self.sets[*set].insert(key) {
                        *pc = *if_seen;
                    }
                }
                Insn::ClearSet { set } => self.sets[*set].clear(),
                Insn::AggReset { agg } => self.aggs[*agg] = Aggregation::default(),
                Insn::AggStep {
                    agg,
                    keys,
                    collations,
                    calls,
                    captured,
                } => self.agg_step(program, *agg, keys, collations, calls, captured, env)?,
                Insn::AggEnsure {
                    agg,
                    calls,
                    captured,
                } => {
                    let a = &mut self.aggs[*agg];
                    if a.groups.is_empty() {
                        let info = Arc::new(KeyInfo::default());
                        a.map.insert(OrderedKey::new(Vec::new(), info), 0);
                        a.groups.push(new_group(calls, *captured));
                    }
                }
                Insn::AggRewind { agg, if_empty } => {
                    let a = &mut self.aggs[*agg];
                    a.order = a.map.values().copied().collect();
                    a.pos = 0;
                    if a.order.is_empty() {
                        *pc = *if_empty;
                    } else {
                        load_group(a)?;
                    }
                }
                Insn::AggNext { agg, target } => {
                    let a = &mut self.aggs[*agg];
                    a.pos += 1;
                    if a.pos < a.order.len() {
                        load_group(a)?;
                        *pc = *target;
                    }
                }
                Insn::InsertRow {
                    target,
                    rowid,
                    start,
                    conflict,
                    if_ignored,
                    count_change,
                    upsert,
                    keep_row,
                } => {
                    match self.insert_row(
                        program,
                        target,
                        *rowid,
                        *start,
                        *conflict,
                        *count_change,
                        upsert.as_ref(),
                        *keep_row,
                        env,
                    )? {
                        write::Inserted::Yes => {}
                        write::Inserted::Skipped => *pc = *if_ignored,
                        write::Inserted::Conflict(existing, addr) => {
                            if let Some(u) = upsert {
                                self.regs[u.conflict_rowid] = Value::Integer(existing);
                                *pc = addr;
                            }
                        }
                    }
                }
                Insn::UpdateRow {
                    target,
                    cursor,
                    rowid,
                    start,
                    conflict,
                    if_ignored,
                    aborts_statement,
                } => {
                    let updated =
                        self.update_row(program, target, *cursor, *rowid, *start, *conflict, env);
                    match updated {
                        Ok(true) => {}
                        Ok(false) => *pc = *if_ignored,
                        Err(e) => {
                            self.aborted |= *aborts_statement;
                            return Err(e);
                        }
                    }
                }
                Insn::DeleteRow { target, cursor } => {
                    let (rowid, values) = match self.cursor(*cursor)? {
                        Cursor::Table { inner, .. } => (inner.rowid()?, inner.row()?),
                        _ => return Err(internal("delete through a non-table cursor")),
                    };
                    self.delete_row(program, target, rowid, &values, env)?;
                    env.counters.count_change(target.counts_changes);
                }
                Insn::RunSub { sub } => {
                    self.run_sub(program, *sub, env)?;
                }
                Insn::Compound {
                    op,
                    left,
                    right,
                    collations,
                } => {
                    let right_rows = std::mem::take(&mut self.ephs[*right]);
                    let left_rows = std::mem::take(&mut self.ephs[*left]);
                    self.ephs[*left] = compound(*op, left_rows, right_rows, collations);
                }
                Insn::Recursive {
                    init,
                    step,
                    result,
                    current,
                    union,
                    limit,
                } => {
                    let limit = match limit {
                        Some(l) => {
                            let v = self.eval(program, l, env)?;
                            limit_value(&v)?
                        }
                        None => -1,
                    };
                    self.recursive(program, *init, *step, *result, *current, *union, limit, env)?;
                }
                Insn::Noop => {}
            }
        }
    }

    /// Adds one row to aggregation `agg`.
    #[allow(clippy::too_many_arguments)]
    fn agg_step(
        &mut self,
        program: &Program,
        agg: usize,
        keys: &[Expr],
        collations: &[Collation],
        calls: &[crate::program::AggCall],
        captured: &[Expr],
        env: &mut Env<'_>,
    ) -> Result<()> {
        let mut key = std::mem::take(&mut self.aggs[agg].spare_key);
        key.clear();
        for k in keys {
            key.push(self.leaf(program, k, env)?);
        }
        let info = match &self.aggs[agg].key_info {
            Some(i) => i.clone(),
            None => {
                let i = Arc::new(KeyInfo {
                    columns: collations
                        .iter()
                        .map(|c| crate::storage::KeyColumn {
                            collation: *c,
                            desc: false,
                        })
                        .collect(),
                });
                self.aggs[agg].key_info = Some(i.clone());
                i
            }
        };
        let key = OrderedKey::new(key, info);
        let group = match self.aggs[agg].map.get(&key) {
            Some(g) => {
                let g = *g;
                self.aggs[agg].spare_key = key.values;
                g
            }
            None => {
                let a = &mut self.aggs[agg];
                let g = a.groups.len();
                a.groups.push(new_group(calls, captured.len()));
                a.map.insert(key, g);
                g
            }
        };
        for (i, call) in calls.iter().enumerate() {
            if let Some(f) = &call.filter {
                let v = self.eval(program, f, env)?;
                if crate::value::truth(&v) != Some(true) {
                    continue;
                }
            }
            let mut args = std::mem::take(&mut self.args);
            args.clear();
            for a in &call.args {
                args.push(self.leaf(program, a, env)?);
            }
            let acc = self.aggs[agg].groups[group]
                .accumulators
                .get_mut(i)
                .ok_or_else(|| internal("missing accumulator"))?;
            acc.step_owned(&mut args)?;
            self.args = args;
        }
        // Bare columns, as SQLite's `updateAccumulator`: with a min or max among the calls,
        // from each row the last one stepped did not skip (its flag, SQLite's `regHit`, stays
        // from the row before when no min or max saw this row); else from the first row of
        // the group.
        let a = &mut self.aggs[agg];
        let capture = if calls
            .iter()
            .any(|c| matches!(c.kind, AggregateKind::Min | AggregateKind::Max))
        {
            if let Some(skipped) = a.groups[group]
                .accumulators
                .iter()
                .rev()
                .find_map(|acc| acc.skipped())
            {
                a.min_max_skipped = skipped;
            }
            !a.min_max_skipped
        } else {
            !a.groups[group].seen
        };
        a.groups[group].seen = true;
        if capture {
            for (i, c) in captured.iter().enumerate() {
                let v = self.eval(program, c, env)?;
                if let Some(slot) = self.aggs[agg].groups[group].captured.get_mut(i) {
                    *slot = v;
                }
            }
        }
        Ok(())
    }
}

impl Vm {
    /// Evaluates a recursive CTE (see [`Insn::Recursive`]).
    #[allow(clippy::too_many_arguments)]
    fn recursive(
        &mut self,
        program: &Program,
        init: usize,
        step: usize,
        result: usize,
        current: usize,
        union: bool,
        limit: i64,
        env: &mut Env<'_>,
    ) -> Result<()> {
        let info = Arc::new(KeyInfo::default());
        let mut seen: BTreeSet<OrderedKey> = BTreeSet::new();
        let mut out: Vec<Vec<Value>> = Vec::new();
        let mut queue: std::collections::VecDeque<Vec<Value>> = std::collections::VecDeque::new();
        let full = |out: &Vec<Vec<Value>>| limit >= 0 && out.len() as i64 >= limit;
        let init_eph = self.run_sub(program, init, env)?;
        for row in std::mem::take(&mut self.ephs[init_eph]) {
            if union && !seen.insert(OrderedKey::new(row.clone(), info.clone())) {
                continue;
            }
            if full(&out) {
                break;
            }
            out.push(row.clone());
            queue.push_back(row);
        }
        while let Some(row) = queue.pop_front() {
            if full(&out) {
                break;
            }
            self.ephs[current] = vec![row];
            let step_eph = self.run_sub(program, step, env)?;
            for row in std::mem::take(&mut self.ephs[step_eph]) {
                if union && !seen.insert(OrderedKey::new(row.clone(), info.clone())) {
                    continue;
                }
                if full(&out) {
                    break;
                }
                out.push(row.clone());
                queue.push_back(row);
            }
        }
        self.ephs[result] = out;
        Ok(())
    }
}

/// A fresh group for `calls`.
fn new_group(calls: &[crate::program::AggCall], captured: usize) -> Group {
    Group {
        accumulators: calls
            .iter()
            .map(|c| {
                let acc = c.kind.accumulator(c.collation);
                if c.distinct {
                    Box::new(Distinct::new(acc, c.collation)) as Box<dyn Accumulator>
                } else {
                    acc
                }
            })
            .collect(),
        captured: vec![Value::Null; captured],
        seen: false,
    }
}

/// Finalizes the current group of `a` into its output values.
fn load_group(a: &mut Aggregation) -> Result<()> {
    let Some(g) = a.order.get(a.pos).copied() else {
        return Ok(());
    };
    let group = &mut a.groups[g];
    let mut values = Vec::with_capacity(group.accumulators.len());
    for acc in &mut group.accumulators {
        values.push(acc.finalize()?);
    }
    a.values = values;
    a.captured = group.captured.clone();
    Ok(())
}

/// Orders two sorter rows by `keys` (column, collation, desc, nulls first).
fn sort_compare(a: &[Value], b: &[Value], keys: &[(usize, Collation, bool, bool)]) -> Ordering {
    for (column, collation, desc, nulls_first) in keys {
        let x = a.get(*column).unwrap_or(&Value::Null);
        let y = b.get(*column).unwrap_or(&Value::Null);
        let ordering = match (x, y) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => {
                if *nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Value::Null) => {
                if *nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            _ => {
                let o = compare_values(x, y, *collation);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Combines two row sets by a compound operator; the result of UNION, INTERSECT and EXCEPT
/// is distinct (rows compared column by column under `collations`) and sorted.
fn compound(
    op: CompoundOp,
    left: Vec<Vec<Value>>,
    right: Vec<Vec<Value>>,
    collations: &[Collation],
) -> Vec<Vec<Value>> {
    let info = Arc::new(KeyInfo {
        columns: collations
            .iter()
            .map(|c| crate::storage::KeyColumn {
                collation: *c,
                desc: false,
            })
            .collect(),
    });
    // Like SQLite's ephemeral index, a later equal row replaces an earlier one.
    let set = |rows: Vec<Vec<Value>>| -> BTreeSet<OrderedKey> {
        let mut s = BTreeSet::new();
        for r in rows {
            s.replace(OrderedKey::new(r, info.clone()));
        }
        s
    };
    match op {
        CompoundOp::UnionAll => {
            let mut all = left;
            all.extend(right);
            all
        }
        CompoundOp::Union => {
            let mut s = set(left);
            for k in set(right) {
                s.replace(k);
            }
            s.into_iter().map(|k| k.values).collect()
        }
        CompoundOp::Except => {
            let r = set(right);
            set(left)
                .into_iter()
                .filter(|k| !r.contains(k))
                .map(|k| k.values)
                .collect()
        }
        CompoundOp::Intersect => {
            let r = set(right);
            set(left)
                .into_iter()
                .filter(|k| r.contains(k))
                .map(|k| k.values)
                .collect()
        }
    }
}

/// The rowid a seek key names, after numeric affinity; None when it names no rowid. As
/// SQLite's `OP_SeekRowid` (through `sqlite3RealSameAsInt`), a real names a rowid only when it
/// is integral and within +-2^51: `rowid = -9.2233720368547758e18` finds no row, not even
/// rowid i64::MIN.
fn rowid_key(v: &Value) -> Option<i64> {
    const LIMIT: f64 = 2_251_799_813_685_248.0;
    match Affinity::Numeric.apply(v.clone()) {
        Value::Integer(i) => Some(i),
        Value::Real(r) if r.fract() == 0.0 && (-LIMIT..LIMIT).contains(&r) => Some(r as i64),
        _ => None,
    }
}

/// The first rowid of a range starting at `key` (`op` is Ge or Gt); None when empty.
fn range_start(key: &Value, op: SeekOp) -> Option<i64> {
    let strict = op == SeekOp::Gt;
    match Affinity::Numeric.apply(key.clone()) {
        Value::Integer(i) => {
            if strict {
                i.checked_add(1)
            } else {
                Some(i)
            }
        }
        Value::Real(r) => {
            if r.is_nan() || r >= 9.223_372_036_854_776e18 {
                return None;
            }
            if r < -9.223_372_036_854_776e18 {
                return Some(i64::MIN);
            }
            let c = r.ceil();
            let start = if strict && c == r { c + 1.0 } else { c };
            if start >= 9.223_372_036_854_776e18 {
                None
            } else {
                Some(start as i64)
            }
        }
        _ => None,
    }
}

/// The integer value of a LIMIT/OFFSET expression.
fn limit_value(v: &Value) -> Result<i64> {
    match Affinity::Numeric.apply(v.clone()) {
        Value::Integer(i) => Ok(i),
        Value::Real(r) if r.fract() == 0.0 && r.abs() < 9.2e18 => Ok(r as i64),
        _ => Err(Error::with_code(code::MISMATCH, "datatype mismatch")),
    }
}

/// `a op b` as an ordering test (re-exported for the writer).
pub fn holds(op: CompareOp, ordering: Ordering) -> bool {
    op.holds(ordering)
}
