//! # Sessions: the vm-level connection
//!
//! A [`Connection`] owns the transaction state of one user connection over a shared
//! [`Store`]: parse and compile (with a statement cache keyed by SQL text), bind, step,
//! reset; autocommit; `BEGIN`/`COMMIT`/`ROLLBACK`; SQL savepoints; PRAGMAs; EXPLAIN; DDL.
//!
//! ## Transactions
//!
//! | state | how it starts | how it ends |
//! | --- | --- | --- |
//! | autocommit | any statement outside BEGIN | when the statement finishes (commit) or fails (rollback) |
//! | explicit | `BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE|CONCURRENT]`, or `SAVEPOINT` outside one | `COMMIT`/`END`, `ROLLBACK`, or `RELEASE` of the outermost savepoint |
//!
//! A deferred transaction starts as a reader and upgrades to the writer at its first write.
//!
//! ## Statement atomicity
//!
//! In an explicit transaction, a writing statement that has a *statement journal* (SQLite's
//! `usesStmtJournal`) runs inside a storage savepoint: on success the savepoint is released,
//! on failure rolled back, so a failed statement undoes exactly its own changes and the
//! transaction stays usable, as in SQLite. Two kinds of statement run without one:
//!
//! - INSERT/UPDATE OR FAIL (SQLite gives them none): rows written before a failure stay.
//! - An INSERT of a single row that can only fail before it writes (see
//!   `writes_one_row_after_its_checks` in `program/compile.rs`): nothing to undo, and no
//!   savepoint to pay for on every row of a bulk load.
//!
//! A storage failure (I/O error, full disk, corruption) in the middle of a statement without
//! a journal ends the whole transaction, as `sqlite3VdbeHalt` does. Outside an explicit
//! transaction no statement needs a savepoint: a failure rolls back the implicit
//! transaction.
//!
//! ## Running a statement again
//!
//! A bulk load runs one prepared INSERT per row, so what a re-execution costs beyond its
//! own work matters:
//!
//! - **Program.** A statement keeps the program and execution state of its last run, with
//!   the catalog generation the program was compiled for; while the connection's catalog is
//!   that generation, the next run takes both back without asking the prepared statement.
//! - **Prepared again.** A caller that prepares the same text for each execution (as
//!   `prepare_cached` callers do) gets a new statement each time. A finalized statement
//!   leaves its execution state (registers, cursor slots, aggregations, all released) and
//!   its parameter slots (all NULL) with the connection, and the next statement prepared
//!   for the same program takes them: a point query prepared per execution allocates
//!   neither.
//! - **Catalog check.** The schema cookie is read before a statement to see whether another
//!   connection changed the catalog. While this connection's transaction writes, no other
//!   connection can, and this one replaces its catalog whenever it changes or rolls back
//!   DDL; so a writing transaction checks the cookie once, and again only after its catalog
//!   was replaced.
//! - **Bindings.** SQLite keeps bindings across executions, and so does
//!   [`Statement::bind`]. A caller that binds every parameter afresh for each run (the root
//!   crate does) says so with [`Statement::bind_for_one_execution`]; a parameter that a
//!   single VALUES row reads once is then moved into the row (`MoveParam`) instead of being
//!   copied, which spares an allocation per bound text or blob.

use std::collections::HashMap;
use std::sync::Arc;

use concur_btree::Value;

use crate::ast::{self, Statement as Ast, TransactionMode};
use crate::error::{Error, Result};
use crate::exec::{Counters, Env, Vm};
use crate::func::FunctionRegistry;
use crate::parser::Parser;
use crate::program::{compile, explain_rows, Program, ProgramKind};
use crate::schema::{alter, ddl, Schema};
use crate::storage::{code, Store, Txn, TxnMode};

mod pragma;

/// How many prepared statements the cache keeps.
const CACHE_CAPACITY: usize = 64;

/// How many execution states of finalized statements a connection keeps for reuse.
const SPARE_CAPACITY: usize = 16;

/// The hasher of the statement cache: FxHash (a rotate, xor and multiply per eight bytes),
/// several times cheaper than SipHash on SQL text. The cache holds at most
/// [`CACHE_CAPACITY`] entries, so collisions cannot cost much.
#[derive(Default, Clone, Copy)]
struct TextHasher(u64);

impl std::hash::Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`TextHasher`]s.
type TextHash = std::hash::BuildHasherDefault<TextHasher>;

/// A parsed statement, shared through the cache.
#[derive(Debug)]
pub struct Prepared {
    /// The statement.
    pub statement: Ast,
    /// Its text (CREATE statements store it in `sqlite_schema`).
    pub sql: String,
    /// Parameter names by index (`None` for `?`).
    pub parameters: Vec<Option<String>>,
    /// The compiled program with the generation of the catalog it was compiled against.
    compiled: std::sync::Mutex<Option<(u64, Arc<Program>)>>,
}

/// A prepared statement being executed: bind, step, reset.
pub struct Statement {
    /// The parsed statement.
    prepared: Arc<Prepared>,
    /// Bound values by index (index 0 is `?1`).
    params: Vec<Value>,
    /// Whether the bindings are for the next execution only (see
    /// [`Statement::bind_for_one_execution`]).
    params_single_use: bool,
    /// The running execution.
    run: Option<Running>,
    /// Result column names of the last execution.
    columns: Arc<[String]>,
    /// The state of the last finished execution and its program, recycled by the next
    /// execution of the same program instead of allocating a new one.
    spare: Option<(Arc<Program>, Box<Vm>)>,
    /// The catalog generation `spare`'s program was compiled for: while the catalog is that
    /// one, the next execution takes the program without asking the prepared statement.
    spare_generation: u64,
}

/// An execution in progress.
enum Running {
    /// A compiled program.
    Program {
        /// The program.
        program: Arc<Program>,
        /// Its state (boxed: a statement's run moves in and out of place on every execute).
        vm: Box<Vm>,
        /// The statement savepoint (writes).
        savepoint: Option<usize>,
    },
    /// Rows computed in one go (PRAGMA, EXPLAIN, DDL).
    Rows(std::vec::IntoIter<Vec<Value>>),
    /// Finished.
    Done,
}

impl Statement {
    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.prepared.sql
    }

    /// The number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.prepared.parameters.len()
    }

    /// The index (1-based) of the parameter called `name` (with its sigil, `:a`).
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.prepared
            .parameters
            .iter()
            .position(|p| p.as_deref() == Some(name))
            .map(|i| i + 1)
    }

    /// Binds `value` to parameter `index` (1-based).
    pub fn bind(&mut self, index: usize, value: Value) -> Result<()> {
        if index == 0 || index > self.prepared.parameters.len() {
            return Err(Error::with_code(code::RANGE, "column index out of range"));
        }
        if self.params.len() < index {
            self.params.resize(index, Value::Null);
        }
        self.params[index - 1] = value;
        Ok(())
    }

    /// Clears all bindings (to NULL, keeping the slots for the next binds).
    pub fn clear_bindings(&mut self) {
        self.params.fill(Value::Null);
    }

    /// Declares the current bindings to be for the next execution only: it may move a bound
    /// value into the row it writes instead of copying it, so afterwards some parameters may
    /// read as NULL, as after [`Statement::clear_bindings`]. For callers that bind every
    /// parameter again before each execution (the root crate's `Statement`); they lose
    /// nothing and save a copy of each bound text or blob an INSERT stores.
    pub fn bind_for_one_execution(&mut self) {
        self.params_single_use = true;
    }

    /// Result column names (known after the first step).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Ends the current execution (if any), keeping its state for reuse.
    fn retire(&mut self, next: Option<Running>) -> Option<usize> {
        self.params_single_use = false;
        match std::mem::replace(&mut self.run, next) {
            Some(Running::Program {
                program,
                mut vm,
                savepoint,
            }) => {
                vm.release();
                self.spare = Some((program, vm));
                savepoint
            }
            _ => None,
        }
    }

    /// Whether the statement only reads.
    pub fn is_query(&self) -> bool {
        matches!(self.prepared.statement, Ast::Select(_))
    }
}

/// A connection: transaction state, catalog cache, statement cache, counters.
pub struct Connection {
    /// The database.
    store: Arc<dyn Store>,
    /// The open transaction.
    txn: Option<Box<dyn Txn>>,
    /// Whether the open transaction was started by BEGIN or SAVEPOINT.
    explicit: bool,
    /// SQL savepoints: name and storage depth, oldest first.
    savepoints: Vec<(String, usize)>,
    /// Whether the open transaction was started by SAVEPOINT (RELEASE of the last one
    /// commits it).
    savepoint_txn: bool,
    /// The catalog.
    schema: Arc<Schema>,
    /// The catalog as last checked against the cookie of the open transaction while it
    /// writes: a writer's catalog changes only through this connection, which puts a new
    /// catalog in `schema` when it does, so while the two are the same `Arc` the check
    /// need not be repeated.
    schema_checked: Option<Arc<Schema>>,
    /// Built-in functions.
    functions: Arc<FunctionRegistry>,
    /// changes(), last_insert_rowid() and friends.
    counters: Counters,
    /// Parsed statements by SQL text.
    cache: HashMap<String, Arc<Prepared>, TextHash>,
    /// What finalized statements leave for reuse, newest last: a statement prepared again
    /// from the cache (a `prepare` per execution, as `prepare_cached` callers do) takes its
    /// program's execution state and parameter slots from here instead of allocating new
    /// ones.
    spares: Vec<Spare>,
}

/// A finalized statement's execution state and parameter slots, kept for the next statement
/// of the same program.
struct Spare {
    /// The program `vm` ran.
    program: Arc<Program>,
    /// The execution state, released (no cursors, no rows held).
    vm: Box<Vm>,
    /// The parameter slots, all NULL.
    params: Vec<Value>,
}

impl Connection {
    /// A connection to `store`.
    pub fn new(store: Arc<dyn Store>) -> Connection {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        Connection {
            store,
            txn: None,
            explicit: false,
            savepoints: Vec::new(),
            savepoint_txn: false,
            schema: Arc::new(Schema::default()),
            schema_checked: None,
            functions: Arc::new(FunctionRegistry::builtin()),
            counters: Counters {
                random_state: seed,
                ..Counters::default()
            },
            cache: HashMap::default(),
            spares: Vec::new(),
        }
    }

    /// Whether the connection is in autocommit mode (no BEGIN in effect).
    pub fn is_autocommit(&self) -> bool {
        !self.explicit
    }

    /// `changes()`.
    pub fn changes(&self) -> i64 {
        self.counters.changes
    }

    /// `total_changes()`.
    pub fn total_changes(&self) -> i64 {
        self.counters.total_changes
    }

    /// `last_insert_rowid()`.
    pub fn last_insert_rowid(&self) -> i64 {
        self.counters.last_insert_rowid
    }

    /// Parses the first statement of `sql` (through the cache).
    pub fn prepare(&mut self, sql: &str) -> Result<Statement> {
        let prepared = match self.cache.get(sql) {
            Some(p) => p.clone(),
            None => {
                let mut parser = Parser::new(sql);
                let Some(parsed) = parser.next_statement()? else {
                    return Err(Error::with_code(code::MISUSE, "not an SQL statement"));
                };
                let text = sql
                    .get(parsed.span.start..parsed.span.end)
                    .unwrap_or(sql)
                    .to_string();
                let p = Arc::new(Prepared {
                    statement: parsed.statement,
                    sql: text,
                    parameters: parsed.parameters,
                    compiled: std::sync::Mutex::new(None),
                });
                if self.cache.len() >= CACHE_CAPACITY {
                    self.cache.clear();
                }
                self.cache.insert(sql.to_string(), p.clone());
                p
            }
        };
        let mut stmt = Statement {
            prepared,
            params: Vec::new(),
            params_single_use: false,
            run: None,
            columns: Arc::default(),
            spare: None,
            spare_generation: u64::MAX,
        };
        self.adopt_spare(&mut stmt);
        Ok(stmt)
    }

    /// Gives a newly prepared `stmt` what a finalized statement of the same program left,
    /// when its program is compiled for the current catalog: the first run then allocates
    /// neither an execution state nor parameter slots.
    fn adopt_spare(&mut self, stmt: &mut Statement) {
        let generation = self.schema.generation;
        let program = match stmt.prepared.compiled.lock() {
            Ok(slot) => match slot.as_ref() {
                Some((g, program)) if *g == generation => program.clone(),
                _ => return,
            },
            Err(_) => return,
        };
        let Some(spare) = self.take_spare(&program) else {
            return;
        };
        stmt.params = spare.params;
        stmt.spare = Some((spare.program, spare.vm));
        stmt.spare_generation = generation;
    }

    /// Takes the newest spare a finalized statement of `program` left, if any.
    fn take_spare(&mut self, program: &Arc<Program>) -> Option<Spare> {
        let at = self
            .spares
            .iter()
            .rposition(|spare| Arc::ptr_eq(&spare.program, program))?;
        Some(self.spares.remove(at))
    }

    /// Runs every statement of `sql`, discarding rows.
    pub fn execute_batch(&mut self, sql: &str) -> Result<()> {
        let mut parser = Parser::new(sql);
        while let Some(parsed) = parser.next_statement()? {
            let text = sql
                .get(parsed.span.start..parsed.span.end)
                .unwrap_or_default()
                .to_string();
            let mut stmt = Statement {
                prepared: Arc::new(Prepared {
                    statement: parsed.statement,
                    sql: text,
                    parameters: parsed.parameters,
                    compiled: std::sync::Mutex::new(None),
                }),
                params: Vec::new(),
                params_single_use: false,
                run: None,
                columns: Arc::default(),
                spare: None,
                spare_generation: u64::MAX,
            };
            while self.step(&mut stmt)?.is_some() {}
        }
        Ok(())
    }

    /// Runs one statement with `params` and returns its column names and rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
        let mut stmt = self.prepare(sql)?;
        for (i, v) in params.iter().enumerate() {
            stmt.bind(i + 1, v.clone())?;
        }
        let mut rows = Vec::new();
        while let Some(row) = self.step(&mut stmt)? {
            rows.push(row);
        }
        Ok((stmt.columns.to_vec(), rows))
    }

    /// Runs one statement with `params`; returns the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        self.query(sql, params)?;
        Ok(self.counters.changes)
    }

    /// Resets `stmt` so the next step starts it again (bindings are kept).
    pub fn reset(&mut self, stmt: &mut Statement) {
        if matches!(stmt.run, Some(Running::Program { .. })) {
            let savepoint = stmt.retire(None);
            let _ = self.finish_statement(savepoint, Ok(()));
        } else {
            stmt.run = None;
        }
    }

    /// Ends `stmt` for good, as `sqlite3_finalize`: resets it and keeps its execution state
    /// for the next statement that runs the same program.
    pub fn finalize(&mut self, stmt: &mut Statement) {
        self.reset(stmt);
        if let Some((program, vm)) = stmt.spare.take() {
            if self.spares.len() >= SPARE_CAPACITY {
                self.spares.remove(0);
            }
            let mut params = std::mem::take(&mut stmt.params);
            params.fill(Value::Null);
            self.spares.push(Spare {
                program,
                vm,
                params,
            });
        }
    }

    /// Reloads the catalog when the schema cookie moved.
    fn refresh_schema(&mut self) -> Result<()> {
        let Some(txn) = self.txn.as_deref() else {
            return Ok(());
        };
        let cookie = txn.schema_cookie()?;
        if cookie != self.schema.cookie || self.schema.rows.is_empty() && cookie != 0 {
            self.schema = Arc::new(Schema::load(txn)?);
        }
        Ok(())
    }

    /// Makes sure a transaction is open; writers get the write lock.
    fn ensure_txn(&mut self, write: bool) -> Result<()> {
        match self.txn.as_mut() {
            None => {
                let mode = if write { TxnMode::Write } else { TxnMode::Read };
                self.txn = Some(self.store.begin(mode)?);
            }
            Some(txn) if txn.is_writer() => {
                let checked = self.schema_checked.as_ref();
                if checked.is_some_and(|s| Arc::ptr_eq(s, &self.schema)) {
                    return Ok(());
                }
            }
            Some(txn) if write => txn.begin_write()?,
            Some(_) => {}
        }
        self.refresh_schema()?;
        self.schema_checked = match self.txn.as_deref() {
            Some(txn) if txn.is_writer() => Some(self.schema.clone()),
            _ => None,
        };
        Ok(())
    }

    /// Rolls back the transaction, explicit or not, with its SQL savepoints; the catalog is
    /// read again afterwards.
    fn end_transaction_rolled_back(&mut self) -> Result<()> {
        self.explicit = false;
        self.savepoints.clear();
        self.schema = Arc::new(Schema::default());
        match self.txn.take() {
            Some(txn) => Ok(txn.rollback()?),
            None => Ok(()),
        }
    }

    /// Ends a statement: releases or rolls back its savepoint, commits or rolls back an
    /// autocommit transaction.
    fn finish_statement(&mut self, savepoint: Option<usize>, outcome: Result<()>) -> Result<()> {
        let mut result = outcome;
        if let (Some(sp), Some(txn)) = (savepoint, self.txn.as_deref()) {
            if result.is_err() {
                let _ = txn.rollback_to_savepoint(sp);
            }
            if let Err(e) = txn.release_savepoint(sp) {
                result = result.and(Err(e.into()));
            }
        }
        if !self.explicit {
            if let Some(txn) = self.txn.take() {
                let ended = if result.is_ok() {
                    txn.commit()
                } else {
                    txn.rollback()
                };
                if let Err(e) = ended {
                    result = result.and(Err(e.into()));
                }
            }
        }
        if result.is_err() {
            // The catalog may have changed and changed back.
            self.schema = Arc::new(Schema::default());
        }
        result
    }

    /// Starts `stmt` without producing a row, if it has not started yet: opens its
    /// transaction and compiles it, so the errors SQLite reports while preparing (`no such
    /// table`, `no such column`, ...) come from here and not from a later [`step`]. A
    /// statement that is not a compiled program (DDL, PRAGMA, transaction control, EXPLAIN)
    /// runs to completion here and leaves its rows for [`step`]. Calling it is optional:
    /// the first [`step`] starts a statement that was not started.
    ///
    /// [`step`]: Connection::step
    pub fn start(&mut self, stmt: &mut Statement) -> Result<()> {
        if stmt.run.is_some() {
            return Ok(());
        }
        match self.start_run(stmt) {
            Ok(run) => {
                stmt.run = Some(run);
                Ok(())
            }
            Err(e) => {
                stmt.run = Some(Running::Done);
                if !self.explicit {
                    if let Some(txn) = self.txn.take() {
                        let _ = txn.rollback();
                    }
                }
                Err(e)
            }
        }
    }

    /// Advances `stmt`: the next row, or None when it is done.
    pub fn step(&mut self, stmt: &mut Statement) -> Result<Option<Vec<Value>>> {
        let mut row = Vec::new();
        Ok(self.step_into(stmt, &mut row)?.then_some(row))
    }

    /// Advances `stmt`: the next row replaces the contents of `row` (true), or the statement
    /// is done (false, `row` unchanged). Reusing one vector spares an allocation per row.
    pub fn step_into(&mut self, stmt: &mut Statement, row: &mut Vec<Value>) -> Result<bool> {
        self.start(stmt)?;
        match stmt.run.as_mut() {
            Some(Running::Program {
                program,
                vm,
                savepoint,
            }) => {
                let Some(txn) = self.txn.as_deref() else {
                    return Err(Error::with_code(code::MISUSE, "no transaction"));
                };
                let mut env = Env {
                    txn,
                    counters: &mut self.counters,
                    params: &mut stmt.params,
                    params_single_use: stmt.params_single_use,
                };
                let before = env.counters.changes;
                let result = vm.step_into(program, &mut env, row);
                let kind = program.kind;
                let on_constraint = if vm.aborted() {
                    Some(ast::ConflictResolution::Abort)
                } else {
                    program.on_constraint
                };
                let statement_journal = program.statement_journal;
                let sp = *savepoint;
                match result {
                    Ok(true) => Ok(true),
                    Ok(false) => {
                        stmt.retire(Some(Running::Done));
                        if kind == ProgramKind::Write {
                            self.counters.total_changes +=
                                self.counters.changes + self.counters.trigger_changes;
                        }
                        let _ = before;
                        self.finish_statement(sp, Ok(()))?;
                        Ok(false)
                    }
                    Err(e) => {
                        stmt.retire(Some(Running::Done));
                        let constraint = matches!(e, Error::Constraint { .. });
                        // As SQLite's `sqlite3VdbeHalt`: a statement that keeps its
                        // changes (OR FAIL) counts them; one rolled back counts none.
                        let keeps = matches!(on_constraint, Some(ast::ConflictResolution::Fail))
                            && constraint;
                        if kind == ProgramKind::Write {
                            if keeps {
                                self.counters.total_changes += self.counters.changes;
                            } else {
                                self.counters.changes = 0;
                            }
                        }
                        match on_constraint {
                            Some(ast::ConflictResolution::Fail) if constraint => {
                                // Keep what the statement wrote before the failure.
                                let _ = self.finish_statement(sp, Ok(()));
                                Err(e)
                            }
                            Some(ast::ConflictResolution::Rollback) if constraint => {
                                let _ = self.finish_statement(sp, Err(e.clone()));
                                let _ = self.end_transaction_rolled_back();
                                Err(e)
                            }
                            _ if !statement_journal && self.explicit && storage_failure(&e) => {
                                // A write failed half-way with nothing to undo it with: as
                                // SQLite's `sqlite3VdbeHalt` does, end the transaction.
                                let _ = self.end_transaction_rolled_back();
                                Err(e)
                            }
                            _ if !statement_journal && self.explicit => {
                                // No statement journal to undo with (SQLite's
                                // `sqlite3VdbeHalt`): the rows stay, counted as no change.
                                let _ = self.finish_statement(sp, Ok(()));
                                Err(e)
                            }
                            _ => {
                                let e = self.finish_statement(sp, Err(e)).err();
                                Err(e.unwrap_or_else(|| Error::msg("statement failed")))
                            }
                        }
                    }
                }
            }
            Some(Running::Rows(rows)) => match rows.next() {
                Some(next) => {
                    *row = next;
                    Ok(true)
                }
                None => Ok(false),
            },
            Some(Running::Done) | None => Ok(false),
        }
    }

    /// Starts executing `stmt`.
    fn start_run(&mut self, stmt: &mut Statement) -> Result<Running> {
        let write = match &stmt.prepared.statement {
            Ast::Select(_) => false,
            Ast::Insert(_) | Ast::Update(_) | Ast::Delete(_) => true,
            _ => {
                let prepared = stmt.prepared.clone();
                let (columns, rows) = self.run_other(&prepared.statement, &prepared.sql)?;
                stmt.columns = columns.into();
                return Ok(Running::Rows(rows.into_iter()));
            }
        };
        self.ensure_txn(write)?;
        let generation = self.schema.generation;
        let (program, vm) = match stmt.spare.take() {
            // The last execution's program and state, compiled for this very catalog.
            Some((program, mut vm)) if stmt.spare_generation == generation => {
                vm.recycle();
                (program, vm)
            }
            spare => {
                let program = self.program(&stmt.prepared)?;
                let vm = match spare {
                    Some((old, mut vm)) if Arc::ptr_eq(&old, &program) => {
                        vm.recycle();
                        vm
                    }
                    _ => match self.take_spare(&program) {
                        Some(spare) => {
                            let mut vm = spare.vm;
                            vm.recycle();
                            vm
                        }
                        None => Box::new(Vm::new(&program)),
                    },
                };
                stmt.spare_generation = generation;
                (program, vm)
            }
        };
        if !Arc::ptr_eq(&stmt.columns, &program.columns) {
            stmt.columns = program.columns.clone();
        }
        if write {
            self.counters.changes = 0;
            self.counters.trigger_changes = 0;
        }
        // Outside an explicit transaction a failed statement rolls back its whole implicit
        // transaction, and a statement without a statement journal cannot stop half-way:
        // neither needs a savepoint.
        let savepoint = if write && self.explicit && program.statement_journal {
            match self.txn.as_deref() {
                Some(txn) => Some(txn.savepoint()?),
                None => None,
            }
        } else {
            None
        };
        self.counters.now_ms.set(None);
        Ok(Running::Program {
            program,
            vm,
            savepoint,
        })
    }

    /// The compiled program of `prepared` for the current schema.
    fn program(&mut self, prepared: &Prepared) -> Result<Arc<Program>> {
        let generation = self.schema.generation;
        if let Ok(slot) = prepared.compiled.lock() {
            if let Some((g, p)) = slot.as_ref() {
                if *g == generation {
                    return Ok(p.clone());
                }
            }
        }
        let program = Arc::new(compile(&self.schema, &self.functions, &prepared.statement)?);
        if let Ok(mut slot) = prepared.compiled.lock() {
            *slot = Some((generation, program.clone()));
        }
        Ok(program)
    }

    /// Runs a write outside the program path (DDL) inside a statement savepoint.
    fn ddl<T>(&mut self, f: impl FnOnce(&dyn Txn, &Schema) -> Result<T>) -> Result<T> {
        self.ensure_txn(true)?;
        let schema = self.schema.clone();
        let Some(txn) = self.txn.as_deref() else {
            return Err(Error::with_code(code::MISUSE, "no transaction"));
        };
        let sp = txn.savepoint()?;
        let result = f(txn, &schema);
        let outcome = result.as_ref().map(|_| ()).map_err(Clone::clone);
        self.finish_statement(Some(sp), outcome)?;
        self.schema = Arc::new(Schema::default());
        if let Some(txn) = self.txn.as_deref() {
            self.schema = Arc::new(Schema::load(txn)?);
        }
        result
    }

    /// Executes a statement that is not a compiled program.
    #[allow(clippy::type_complexity)]
    fn run_other(&mut self, statement: &Ast, sql: &str) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
        let none = || (Vec::new(), Vec::new());
        match statement {
            Ast::CreateTable(create) => {
                if let ast::CreateTableBody::AsSelect(select) = &create.body {
                    return self.create_table_as(create, select).map(|_| none());
                }
                self.ddl(|txn, schema| ddl::create_table(txn, schema, create, sql))?;
                Ok(none())
            }
            Ast::CreateIndex(create) => {
                let computed = self.index_entries(create)?;
                self.ddl(|txn, schema| {
                    ddl::create_index(txn, schema, create, sql, computed.as_deref())
                })?;
                Ok(none())
            }
            Ast::CreateView(create) => {
                // Check that the view compiles.
                self.ensure_txn(false)?;
                let check = Ast::Select(create.select.clone());
                compile(&self.schema, &self.functions, &check)?;
                self.ddl(|txn, schema| ddl::create_view(txn, schema, create, sql))?;
                Ok(none())
            }
            Ast::CreateTrigger(create) => {
                self.ddl(|txn, schema| ddl::create_trigger(txn, schema, create, sql))?;
                Ok(none())
            }
            Ast::Drop {
                kind,
                if_exists,
                name,
            } => {
                self.ddl(|txn, schema| {
                    ddl::drop(txn, schema, *kind, name.name.as_str(), *if_exists)
                })?;
                Ok(none())
            }
            Ast::Reindex(Some(name)) => {
                self.ensure_txn(false)?;
                let n = name.name.as_str();
                let known = self.schema.table(n).is_some()
                    || self.schema.indexes.contains_key(&n.to_ascii_lowercase())
                    || crate::value::Collation::from_name(n).is_some();
                self.finish_statement(None, Ok(()))?;
                if !known {
                    return Err(Error::msg("unable to identify the object to be reindexed"));
                }
                Ok(none())
            }
            Ast::Reindex(None) | Ast::Analyze(_) => {
                self.ensure_txn(false)?;
                self.finish_statement(None, Ok(()))?;
                Ok(none())
            }
            Ast::Begin(mode) => {
                if self.explicit {
                    return Err(Error::msg(
                        "cannot start a transaction within a transaction",
                    ));
                }
                let mode = match mode {
                    TransactionMode::Deferred => TxnMode::Read,
                    TransactionMode::Immediate | TransactionMode::Exclusive => TxnMode::Write,
                    TransactionMode::Concurrent => TxnMode::Concurrent,
                };
                self.txn = Some(self.store.begin(mode)?);
                self.explicit = true;
                self.savepoint_txn = false;
                Ok(none())
            }
            Ast::Commit => {
                if !self.explicit {
                    return Err(Error::msg("cannot commit - no transaction is active"));
                }
                self.explicit = false;
                self.savepoints.clear();
                if let Some(txn) = self.txn.take() {
                    txn.commit()?;
                }
                Ok(none())
            }
            Ast::Rollback { savepoint: None } => {
                if !self.explicit {
                    return Err(Error::msg("cannot rollback - no transaction is active"));
                }
                self.end_transaction_rolled_back()?;
                Ok(none())
            }
            Ast::Rollback {
                savepoint: Some(name),
            } => {
                let Some(pos) = self
                    .savepoints
                    .iter()
                    .rposition(|(n, _)| n.eq_ignore_ascii_case(name.as_str()))
                else {
                    return Err(Error::msg(format!("no such savepoint: {}", name.0)));
                };
                let depth = self.savepoints[pos].1;
                self.savepoints.truncate(pos + 1);
                if let Some(txn) = self.txn.as_deref() {
                    txn.rollback_to_savepoint(depth)?;
                }
                self.schema = Arc::new(Schema::default());
                self.refresh_schema()?;
                Ok(none())
            }
            Ast::Savepoint(name) => {
                if !self.explicit {
                    if self.txn.is_none() {
                        self.txn = Some(self.store.begin(TxnMode::Read)?);
                    }
                    self.savepoint_txn = true;
                }
                self.explicit = true;
                let depth = match self.txn.as_deref() {
                    Some(txn) => txn.savepoint()?,
                    None => 0,
                };
                self.savepoints.push((name.0.clone(), depth));
                Ok(none())
            }
            Ast::Release(name) => {
                let Some(pos) = self
                    .savepoints
                    .iter()
                    .rposition(|(n, _)| n.eq_ignore_ascii_case(name.as_str()))
                else {
                    return Err(Error::msg(format!("no such savepoint: {}", name.0)));
                };
                let depth = self.savepoints[pos].1;
                self.savepoints.truncate(pos);
                if let Some(txn) = self.txn.as_deref() {
                    txn.release_savepoint(depth)?;
                }
                if self.savepoints.is_empty() && self.savepoint_txn {
                    self.explicit = false;
                    self.savepoint_txn = false;
                    if let Some(txn) = self.txn.take() {
                        txn.commit()?;
                    }
                }
                Ok(none())
            }
            Ast::Pragma { name, value } => self.pragma(name.name.as_str(), value.as_ref()),
            Ast::Explain {
                query_plan,
                statement,
            } => {
                self.ensure_txn(false)?;
                let program = compile(&self.schema, &self.functions, statement);
                self.finish_statement(None, Ok(()))?;
                let program = program?;
                if *query_plan {
                    let mut rows = Vec::new();
                    for insn in &program.code {
                        if let crate::program::Insn::OpenTable { name, .. }
                        | crate::program::Insn::OpenIndex { name, .. } = insn
                        {
                            let id = rows.len() as i64 + 2;
                            rows.push(vec![
                                Value::Integer(id),
                                Value::Integer(0),
                                Value::Integer(0),
                                Value::Text(format!("OPEN {name}").into()),
                            ]);
                        }
                    }
                    let names = ["id", "parent", "notused", "detail"];
                    return Ok((names.iter().map(|s| s.to_string()).collect(), rows));
                }
                let names = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"];
                Ok((
                    names.iter().map(|s| s.to_string()).collect(),
                    explain_rows(&program),
                ))
            }
            Ast::CreateVirtualTable { .. } => Err(Error::msg("virtual tables are not supported")),
            Ast::AlterTable { table, action } => {
                let name = table.name.0.clone();
                match action.as_ref() {
                    ast::AlterTableAction::RenameTable(new) => {
                        let new = new.0.clone();
                        self.ddl(|txn, schema| ddl::rename_table(txn, schema, &name, &new))?;
                    }
                    ast::AlterTableAction::AddColumn(def) => {
                        let default = def.constraints.iter().find_map(|c| match &c.constraint {
                            ast::ColumnConstraint::Default(e) => Some(e.clone()),
                            _ => None,
                        });
                        let value = match default {
                            Some(e) => {
                                let select = format!("SELECT {e}");
                                let (_, rows) = self.query(&select, &[])?;
                                rows.into_iter()
                                    .next()
                                    .and_then(|r| r.into_iter().next())
                                    .unwrap_or(Value::Null)
                            }
                            None => Value::Null,
                        };
                        self.ddl(|txn, schema| ddl::add_column(txn, schema, &name, def, &value))?;
                    }
                    ast::AlterTableAction::RenameColumn { old, new } => {
                        let quoted = new_name_quoted(sql);
                        let (old, new) = (old.0.clone(), new.0.clone());
                        self.ddl(|txn, schema| {
                            alter::rename_column(txn, schema, &name, &old, &new, quoted)
                        })?;
                    }
                    ast::AlterTableAction::DropColumn(column) => {
                        let column = column.0.clone();
                        self.ddl(|txn, schema| alter::drop_column(txn, schema, &name, &column))?;
                    }
                }
                Ok(none())
            }
            Ast::Vacuum { .. } => Ok(none()),
            Ast::Attach { .. } | Ast::Detach(_) => Err(Error::msg("ATTACH is not supported")),
            Ast::Select(_) | Ast::Insert(_) | Ast::Update(_) | Ast::Delete(_) => Err(
                Error::with_code(code::INTERNAL, "program statement in run_other"),
            ),
        }
    }

    /// The entries (keys, then rowid) of a new partial or expression index over the rows
    /// already in its table, computed by a query; None for a plain-column index.
    fn index_entries(&mut self, create: &ast::CreateIndex) -> Result<Option<Vec<Vec<Value>>>> {
        let plain = create.where_clause.is_none()
            && create.columns.iter().all(|c| {
                let mut e = &c.expr;
                while let ast::Expr::Collate { expr, .. } = e {
                    e = expr;
                }
                matches!(e, ast::Expr::Column { .. })
            });
        if plain {
            return Ok(None);
        }
        self.ensure_txn(false)?;
        self.refresh_schema()?;
        let table = create.table.as_str();
        if self.schema.table(table).is_none() {
            return Ok(None);
        }
        let keys: Vec<String> = create.columns.iter().map(|c| c.expr.to_string()).collect();
        let filter = create
            .where_clause
            .as_ref()
            .map_or(String::new(), |w| format!(" WHERE {w}"));
        let select = format!(
            "SELECT {}, rowid FROM {}{filter}",
            keys.join(", "),
            quote_name(table)
        );
        Ok(Some(self.query(&select, &[])?.1))
    }

    /// `CREATE TABLE ... AS SELECT`.
    fn create_table_as(&mut self, create: &ast::CreateTable, select: &ast::Select) -> Result<()> {
        self.ensure_txn(true)?;
        let program = compile(
            &self.schema,
            &self.functions,
            &Ast::Select(Box::new(select.clone())),
        );
        let program = match program {
            Ok(p) => p,
            Err(e) => {
                self.finish_statement(None, Err(e.clone())).ok();
                return Err(e);
            }
        };
        let mut columns = Vec::new();
        for name in program.columns.iter() {
            columns.push(format!("\"{}\"", name.replace('"', "\"\"")));
        }
        let create_sql = format!(
            "CREATE TABLE {}({})",
            quote_name(create.name.name.as_str()),
            columns.join(",")
        );
        self.finish_statement(None, Ok(()))?;
        let parsed = crate::parser::parse_statement(&create_sql)?;
        let Ast::CreateTable(table) = parsed else {
            return Err(Error::with_code(code::INTERNAL, "CREATE TABLE AS"));
        };
        let mut table = table;
        table.if_not_exists = create.if_not_exists;
        self.ddl(|txn, schema| ddl::create_table(txn, schema, &table, &create_sql))?;
        let insert = format!(
            "INSERT INTO {} {}",
            quote_name(create.name.name.as_str()),
            select
        );
        self.execute_batch(&insert)
    }
}

/// `name` quoted as an identifier.
fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether the last name of an `ALTER TABLE ... RENAME COLUMN a TO b` text is quoted.
fn new_name_quoted(sql: &str) -> bool {
    let mut lexer = crate::lexer::Lexer::new(sql);
    let mut last = None;
    loop {
        let t = lexer.next_token();
        match t.kind {
            crate::lexer::TokenKind::Eof => break,
            crate::lexer::TokenKind::Semi => {}
            _ => last = Some(t.span),
        }
    }
    last.and_then(|span| sql.as_bytes().get(span.start))
        .is_some_and(|b| matches!(b, b'"' | b'[' | b'`' | b'\''))
}

/// Whether `e` is a storage failure that can strike in the middle of a write (I/O error,
/// disk full, out of memory, corruption found while changing a tree), after which a
/// statement without a statement journal may have left a tree half-changed.
fn storage_failure(e: &Error) -> bool {
    const NOMEM: i32 = 7;
    matches!(e, Error::Storage(_))
        && matches!(
            e.code() & 0xff,
            NOMEM | code::INTERNAL | code::IOERR | code::CORRUPT | code::FULL
        )
}
