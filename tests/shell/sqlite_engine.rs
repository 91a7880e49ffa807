//! The shell's engine traits implemented over SQLite (rusqlite, bundled), so the golden tests
//! run the concur shell against a real SQL engine and compare with `sqlite3` 3.40.1.
//!
//! Statements are split with the shell's own `first_statement_len` (rusqlite does not expose
//! the prepare tail), and each is run to completion when prepared, its rows buffered: the
//! shell still sees rows first and a runtime error after them. Error offsets are passed on
//! only for the errors 3.40.1 reports offsets for (syntax errors, unrecognized tokens, unknown
//! columns); the bundled SQLite is newer and reports more.

use concur::shell::complete::{first_statement_len, is_blank_statement};
use concur::shell::{
    Engine, EngineConn, EngineDb, EngineError, EngineStatement, ErrorPhase, Prepared, Value,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Opens SQLite databases for the shell.
pub struct SqliteEngine;

/// Numbers the in-memory databases so that each `open` gets its own.
static MEMORY_DATABASES: AtomicUsize = AtomicUsize::new(0);

fn engine_error(error: rusqlite::Error, phase: ErrorPhase) -> EngineError {
    match error {
        rusqlite::Error::SqlInputError {
            error, msg, offset, ..
        } => {
            let keeps_offset = msg.starts_with("near \"")
                || msg.starts_with("unrecognized token")
                || msg.starts_with("no such column");
            EngineError {
                code: error.extended_code & 0xff,
                message: msg,
                phase,
                offset: if keeps_offset {
                    usize::try_from(offset).ok()
                } else {
                    None
                },
            }
        }
        rusqlite::Error::SqliteFailure(error, msg) => EngineError {
            code: error.extended_code & 0xff,
            message: msg.unwrap_or_else(|| error.to_string()),
            phase,
            offset: None,
        },
        other => EngineError::new(phase, other.to_string()),
    }
}

struct SqliteDb {
    uri: String,
    flags: OpenFlags,
    /// Keeps a shared in-memory database alive while the shell has it open.
    _keep: Connection,
}

impl Engine for SqliteEngine {
    fn open(&self, path: &str, readonly: bool) -> Result<Box<dyn EngineDb>, EngineError> {
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if readonly {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let uri = if path.is_empty() || path == ":memory:" {
            let n = MEMORY_DATABASES.fetch_add(1, Ordering::Relaxed);
            format!(
                "file:concur-shell-test-{}-{n}?mode=memory&cache=shared",
                std::process::id()
            )
        } else {
            path.to_string()
        };
        let keep = Connection::open_with_flags(&uri, flags)
            .map_err(|e| engine_error(e, ErrorPhase::Open))?;
        Ok(Box::new(SqliteDb {
            uri,
            flags,
            _keep: keep,
        }))
    }

    fn version(&self) -> String {
        format!("SQLite {} (rusqlite test engine)", rusqlite::version())
    }
}

impl EngineDb for SqliteDb {
    fn connect(&self) -> Result<Box<dyn EngineConn>, EngineError> {
        let conn = Connection::open_with_flags(&self.uri, self.flags)
            .map_err(|e| engine_error(e, ErrorPhase::Open))?;
        Ok(Box::new(SqliteConn { conn }))
    }
}

struct SqliteConn {
    conn: Connection,
}

struct BufferedStatement {
    columns: Vec<String>,
    rows: VecDeque<Vec<Value>>,
    error: Option<EngineError>,
}

impl EngineConn for SqliteConn {
    fn prepare(&mut self, sql: &str) -> Result<Prepared<'_>, EngineError> {
        let used = first_statement_len(sql).unwrap_or(sql.len());
        let text = &sql[..used];
        if is_blank_statement(text) {
            return Ok(Prepared {
                statement: None,
                used,
            });
        }
        let mut stmt = self
            .conn
            .prepare(text)
            .map_err(|e| engine_error(e, ErrorPhase::Prepare))?;
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let count = columns.len();
        let mut buffered = BufferedStatement {
            columns,
            rows: VecDeque::new(),
            error: None,
        };
        let mut rows = stmt.raw_query();
        loop {
            match rows.next() {
                Ok(Some(row)) => {
                    let mut values = Vec::with_capacity(count);
                    for i in 0..count {
                        values.push(match row.get_ref(i) {
                            Ok(ValueRef::Null) | Err(_) => Value::Null,
                            Ok(ValueRef::Integer(v)) => Value::Integer(v),
                            Ok(ValueRef::Real(v)) => Value::Real(v),
                            Ok(ValueRef::Text(t)) => {
                                Value::Text(String::from_utf8_lossy(t).into_owned())
                            }
                            Ok(ValueRef::Blob(b)) => Value::Blob(b.to_vec()),
                        });
                    }
                    buffered.rows.push_back(values);
                }
                Ok(None) => break,
                Err(e) => {
                    buffered.error = Some(engine_error(e, ErrorPhase::Step));
                    break;
                }
            }
        }
        Ok(Prepared {
            statement: Some(Box::new(buffered)),
            used,
        })
    }

    fn changes(&self) -> i64 {
        i64::try_from(self.conn.changes()).unwrap_or(i64::MAX)
    }

    fn total_changes(&self) -> i64 {
        i64::try_from(self.conn.total_changes()).unwrap_or(i64::MAX)
    }

    fn is_autocommit(&self) -> bool {
        self.conn.is_autocommit()
    }
}

impl EngineStatement for BufferedStatement {
    fn column_names(&self) -> Vec<String> {
        self.columns.clone()
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError> {
        if let Some(row) = self.rows.pop_front() {
            return Ok(Some(row));
        }
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(None),
        }
    }
}
