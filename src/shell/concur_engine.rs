//! The shell's engine traits over concur's own SQL engine (`concur_vm`).
//!
//! Preparing a statement parses it and then starts it ([`concur_vm::Connection::start`]),
//! which compiles it against the catalog, so the errors SQLite finds while preparing (`no such
//! table`, `no such column`, ...) are prepare errors here too, worded `Parse error` as
//! `sqlite3` words them. Statements that are not compiled programs (DDL, PRAGMA) run to
//! completion when started; their failures count as prepare errors when their code is
//! SQLITE_ERROR, as SQLite's would (`table t already exists`), and as runtime errors otherwise
//! (a UNIQUE index over duplicate rows) or when the statement is transaction control
//! (`cannot commit - no transaction is active`). Errors from stepping are always runtime errors.
//! Error offsets come from the parser for syntax errors and from [`super::locate`] for the
//! name-resolution errors that SQLite marks.

use super::engine::{
    Engine, EngineConn, EngineDb, EngineError, EngineStatement, ErrorPhase, Prepared, Value,
};
use super::locate::error_offset;
use crate::database::Database;
use concur_vm::ast::Statement as Ast;
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

/// Maps an engine error to the shell's, with the position in `sql` that it points at when
/// SQLite reports one.
fn shell_error(error: concur_vm::Error, phase: ErrorPhase, sql: &str) -> EngineError {
    let offset = match &error {
        concur_vm::Error::Parse(parse) => Some(parse.position().offset),
        _ if phase == ErrorPhase::Prepare => error_offset(sql, &error.to_string()),
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
            .map_err(|e| shell_error(e.into(), ErrorPhase::Prepare, sql))?;
        let Some(parsed) = parsed else {
            return Ok(Prepared {
                statement: None,
                used: sql.len(),
            });
        };
        let used = parsed.end.min(sql.len());
        let text = sql.get(..used).unwrap_or(sql);
        let mut statement = concur_vm::Connection::prepare(self, text)
            .map_err(|e| shell_error(e, ErrorPhase::Prepare, text))?;
        // SQLite fails transaction control (`cannot commit - no transaction is active`, `no
        // such savepoint`) while running it, not while preparing it.
        let controls_transaction = matches!(
            parsed.statement,
            Ast::Begin(_)
                | Ast::Commit
                | Ast::Rollback { .. }
                | Ast::Savepoint(_)
                | Ast::Release(_)
        );
        if let Err(e) = self.start(&mut statement) {
            let phase = if e.code() & 0xff == 1 && !controls_transaction {
                ErrorPhase::Prepare
            } else {
                ErrorPhase::Step
            };
            return Err(shell_error(e, phase, text));
        }
        Ok(Prepared {
            statement: Some(Box::new(ConcurStatement {
                conn: self,
                statement,
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
}

impl EngineStatement for ConcurStatement<'_> {
    fn column_names(&self) -> Vec<String> {
        self.statement.columns().to_vec()
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError> {
        self.conn
            .step(&mut self.statement)
            .map_err(|e| shell_error(e, ErrorPhase::Step, ""))
    }
}
