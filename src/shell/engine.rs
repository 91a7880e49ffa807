//! The SQL engine as the shell sees it.
//!
//! The shell never names a concrete database: it drives whatever implements these three traits.
//! The `concur` binary and the golden tests plug in concur's own engine
//! ([`super::ConcurEngine`]); the golden tests compare its output byte for byte with
//! `sqlite3` 3.40.1's.
//!
//! The shape follows SQLite's C interface, because that is what the shell needs: statements are
//! prepared one at a time from the front of a longer text (the engine reports how much text the
//! statement used), and a prepared statement is stepped row by row, so a runtime error after
//! some rows leaves those rows printed, as in `sqlite3`.

use std::fmt;

pub use concur_btree::Value;

/// Where in a statement's life an error happened; the shell words its error line by it
/// (`Parse error` or `Runtime error`, as `sqlite3` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPhase {
    /// The statement could not be prepared (syntax error, unknown table, ...).
    Prepare,
    /// The statement failed while running (constraint violation, overflow, ...).
    Step,
    /// Opening a database or a connection failed.
    Open,
}

/// An error reported by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    /// The message, worded as SQLite words it (`no such table: t`).
    pub message: String,
    /// The primary SQLite result code (1 for SQLITE_ERROR, 19 for SQLITE_CONSTRAINT, ...).
    pub code: i32,
    /// When the statement was being prepared or run.
    pub phase: ErrorPhase,
    /// Byte offset of the offending token within the statement text, when known
    /// (`sqlite3_error_offset`); the shell then prints the statement with a marker.
    pub offset: Option<usize>,
}

impl EngineError {
    /// An SQLITE_ERROR (code 1) with the given message and phase, and no offset.
    pub fn new(phase: ErrorPhase, message: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            code: 1,
            phase,
            offset: None,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// Opens databases.
pub trait Engine {
    /// Opens the database at `path` (`:memory:` or an empty path means a new in-memory
    /// database), read-only when `readonly` is set.
    fn open(&self, path: &str, readonly: bool) -> Result<Box<dyn EngineDb>, EngineError>;

    /// The engine's version line, printed by `-version` and `.version`.
    fn version(&self) -> String;
}

/// One open database, shared by its connections.
pub trait EngineDb {
    /// Opens a new connection to this database. Every connection sees the others' committed
    /// changes; each has its own transaction state.
    fn connect(&self) -> Result<Box<dyn EngineConn>, EngineError>;
}

/// A statement prepared from the front of a SQL text.
pub struct Prepared<'c> {
    /// The statement, or `None` when the text held only whitespace, comments or `;`.
    pub statement: Option<Box<dyn EngineStatement + 'c>>,
    /// How many bytes of the text the statement used, its `;` included.
    pub used: usize,
}

/// One connection: a session with its own transaction state.
pub trait EngineConn {
    /// Prepares the first statement in `sql`.
    fn prepare(&mut self, sql: &str) -> Result<Prepared<'_>, EngineError>;

    /// Rows changed by the most recent INSERT, UPDATE or DELETE (`sqlite3_changes`).
    fn changes(&self) -> i64;

    /// Rows changed since the connection opened (`sqlite3_total_changes`).
    fn total_changes(&self) -> i64;

    /// True when no transaction is open (`sqlite3_get_autocommit`).
    fn is_autocommit(&self) -> bool;
}

/// A prepared statement being stepped.
pub trait EngineStatement {
    /// The names of the result columns (empty for statements that return no rows).
    fn column_names(&self) -> Vec<String>;

    /// Runs the statement to its next row: `Ok(Some(values))` for a row, `Ok(None)` when done.
    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError>;
}
