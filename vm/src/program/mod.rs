//! # Programs: the bytecode a statement compiles to
//!
//! Every SELECT, INSERT, UPDATE and DELETE becomes a [`Program`]: a vector of [`Insn`]s with
//! jump targets, run by the interpreter in [`crate::exec`], in the spirit of SQLite's VDBE.
//! Loops, seeks, sorting, grouping and writes are instructions; an expression is a compiled
//! tree ([`Expr`]) evaluated inside one instruction (`Eval`, `IfNot`), so the interpreter
//! never walks the AST and never resolves a name.
//!
//! ```text
//!  SELECT b FROM t WHERE a > 5 ORDER BY b
//!
//!  addr opcode        p1 p2 p3  comment
//!  0    Limit ...                 (only with LIMIT/OFFSET)
//!  1    OpenTable     0  2      t
//!  2    Rewind        0  7
//!  3    IfNot         ...  6      a > 5
//!  4    Eval          ...  1      b
//!  5    EphInsert     0  1  1     into the sorter
//!  6    Next          0  3
//!  7    Sort          0
//!  ...  (loop over the sorted rows emitting ResultRow)
//! ```
//!
//! Subqueries are separate instruction vectors ([`SubProgram`]) sharing the statement's
//! registers and cursors, so a correlated subquery reads the outer row straight from the
//! outer cursor. A subquery writes its rows into an ephemeral table; an uncorrelated one runs
//! once per execution and is then cached. `x IN (SELECT ...)` of an uncorrelated subquery
//! probes an ordered copy of its values by binary search, built on the first probe after
//! each run (SQLite's ephemeral index of them); a correlated one, which runs again for each
//! use, is searched row by row.
//!
//! Registers, cursors, ephemeral tables, distinct sets and aggregations are numbered per
//! statement by the compiler and allocated by the interpreter when the statement starts.

mod access;
mod compile;
mod covering;
mod dml;
mod explain;
mod from;
mod insn;
mod join_order;
mod loops;
mod select;
mod view_dml;

pub use compile::{compile, literal as literal_value};
pub use explain::explain_rows;
pub use insn::{
    Addr, AggCall, BinOp, CursorId, Expr, Insn, IntOperand, Reg, SeekOp, UniqueConstraint, Upsert,
    WriteTarget,
};

/// A subquery's code.
#[derive(Debug, Clone, Default)]
pub struct SubProgram {
    /// The instructions.
    pub code: Vec<Insn>,
    /// The ephemeral table receiving its rows.
    pub result: usize,
    /// Whether it reads a cursor of an enclosing query (then it reruns on every use).
    pub correlated: bool,
}

/// What kind of statement a program runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    /// A query: produces rows, writes nothing.
    Query,
    /// INSERT, UPDATE or DELETE.
    Write,
}

/// A compiled statement.
#[derive(Debug, Clone)]
pub struct Program {
    /// The main code.
    pub code: Vec<Insn>,
    /// Subquery code, by number.
    pub subs: Vec<SubProgram>,
    /// Register count.
    pub registers: usize,
    /// Cursor count.
    pub cursors: usize,
    /// Ephemeral table count.
    pub ephemerals: usize,
    /// Distinct set count.
    pub sets: usize,
    /// Aggregation count.
    pub aggregations: usize,
    /// Result column names (shared with the statements that run the program).
    pub columns: std::sync::Arc<[String]>,
    /// Query or write.
    pub kind: ProgramKind,
    /// The statement's `OR` conflict clause: FAIL keeps the rows written before a
    /// constraint failure, ROLLBACK ends the transaction; others undo the statement.
    pub on_constraint: Option<crate::ast::ConflictResolution>,
    /// Whether the statement runs in a statement journal, as SQLite's `usesStmtJournal`:
    /// without one (INSERT or UPDATE OR FAIL, which no constraint can make abort), a
    /// statement that fails in an explicit transaction for any reason keeps the rows it
    /// wrote before the failure.
    pub statement_journal: bool,
}
