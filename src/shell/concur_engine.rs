//! The shell's engine traits over concur's own SQL engine (`concur_vm`).
//!
//! A prepared statement takes its first step at once, so that errors the engine finds while
//! compiling (it compiles at the first step: `no such table`, ...) are reported as prepare
//! errors, worded `Parse error` as `sqlite3` words them. The first row, if any, is kept for the
//! shell's first `step`. A first-step error with SQLITE_ERROR (1) counts as a prepare error;
//! every other code (constraints, I/O, ...) as a runtime error.

use super::engine::{
    Engine, EngineConn, EngineDb, EngineError, EngineStatement, ErrorPhase, Prepared, Value,
};
use crate::database::Database;
use concur_vm::parser::Parser;

/// concur's SQL engine as the shell sees it.
pub struct ConcurEngine;

impl Engine for ConcurEngine {
    fn open(&self, path: &str, readonly: bool) -> Result<Box<dyn EngineDb>, EngineError> {
        let db = if path.is_empty() || path == ":memory:" {
            Database::open_in_memory()
        } else if readonly {
            Database::open_read_only(path)
        } else {
            Database::open(path)
        };
        match db {
            Ok(db) => Ok(Box::new(db)),
            Err(e) => Err(EngineError {
                message: e.to_string(),
                code: e.code() & 0xff,
                phase: ErrorPhase::Open,
                offset: None,
            }),
        }
    }

    fn version(&self) -> String {
        format!("concur {}", env!("CARGO_PKG_VERSION"))
    }
}

impl EngineDb for Database {
    fn connect(&self) -> Result<Box<dyn EngineConn>, EngineError> {
        Ok(Box::new(Database::connect(self).raw()))
    }
}

/// Maps an engine error to the shell's, with the parse position when there is one.
fn shell_error(error: concur_vm::Error, phase: ErrorPhase) -> EngineError {
    let offset = match &error {
        concur_vm::Error::Parse(parse) => Some(parse.position().offset),
        _ => None,
    };
    EngineError {
        message: error.to_string(),
        code: error.code() & 0xff,
        phase,
        offset,
    }
}

impl EngineConn for concur_vm::Connection {
    fn prepare(&mut self, sql: &str) -> Result<Prepared<'_>, EngineError> {
        // Find where the first statement ends; blank text prepares to nothing.
        let parsed = Parser::new(sql)
            .next_statement()
            .map_err(|e| shell_error(e.into(), ErrorPhase::Prepare))?;
        let Some(parsed) = parsed else {
            return Ok(Prepared {
                statement: None,
                used: sql.len(),
            });
        };
        let used = parsed.end.min(sql.len());
        let text = sql.get(..used).unwrap_or(sql);
        let mut statement = concur_vm::Connection::prepare(self, text)
            .map_err(|e| shell_error(e, ErrorPhase::Prepare))?;
        let first = match self.step(&mut statement) {
            Ok(row) => row,
            Err(e) if e.code() == 1 => return Err(shell_error(e, ErrorPhase::Prepare)),
            Err(e) => return Err(shell_error(e, ErrorPhase::Step)),
        };
        Ok(Prepared {
            statement: Some(Box::new(ConcurStatement {
                conn: self,
                statement,
                first: Some(first),
            })),
            used,
        })
    }

    fn changes(&self) -> i64 {
        concur_vm::Connection::changes(self)
    }

    fn total_changes(&self) -> i64 {
        concur_vm::Connection::total_changes(self)
    }

    fn is_autocommit(&self) -> bool {
        concur_vm::Connection::is_autocommit(self)
    }
}

/// A statement being stepped on its connection.
struct ConcurStatement<'c> {
    /// The connection that runs it.
    conn: &'c mut concur_vm::Connection,
    /// The statement.
    statement: concur_vm::Statement,
    /// The result of the first step, taken at prepare time and not yet handed out.
    first: Option<Option<Vec<Value>>>,
}

impl EngineStatement for ConcurStatement<'_> {
    fn column_names(&self) -> Vec<String> {
        self.statement.columns().to_vec()
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError> {
        if let Some(first) = self.first.take() {
            return Ok(first);
        }
        self.conn
            .step(&mut self.statement)
            .map_err(|e| shell_error(e, ErrorPhase::Step))
    }
}
