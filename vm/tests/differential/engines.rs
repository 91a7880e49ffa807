//! The two engines behind one interface: run a statement, get its rows or its error, and the
//! connection state after it (changes(), last_insert_rowid(), autocommit).

use concur_btree::Value;
use concur_vm::Connection;

/// What a statement produced.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It ran to completion, yielding these rows.
    Rows(Vec<Vec<Value>>),
    /// It failed.
    Error {
        /// The result code (extended where the engine gives one).
        code: i32,
        /// The message.
        message: String,
    },
}

/// A statement's outcome and the connection state after it.
#[derive(Debug, Clone)]
pub struct Run {
    /// Rows or error.
    pub outcome: Outcome,
    /// `changes()` after the statement.
    pub changes: i64,
    /// `total_changes()` after the statement.
    pub total_changes: i64,
    /// `last_insert_rowid()` after the statement.
    pub last_rowid: i64,
    /// Whether the connection is in autocommit mode after the statement.
    pub autocommit: bool,
}

/// Runs `sql` (one statement) on concur.
pub fn run_concur(conn: &mut Connection, sql: &str) -> Run {
    let outcome = (|| {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = Vec::new();
        while let Some(row) = conn.step(&mut stmt)? {
            rows.push(row);
        }
        Ok::<_, concur_vm::Error>(rows)
    })();
    Run {
        outcome: match outcome {
            Ok(rows) => Outcome::Rows(rows),
            Err(e) => Outcome::Error {
                code: e.code(),
                message: e.to_string(),
            },
        },
        changes: conn.changes(),
        total_changes: conn.total_changes(),
        last_rowid: conn.last_insert_rowid(),
        autocommit: conn.is_autocommit(),
    }
}

/// A rusqlite error as code and message.
fn sqlite_error(e: rusqlite::Error) -> Outcome {
    match e {
        rusqlite::Error::SqliteFailure(f, m) => Outcome::Error {
            code: f.extended_code,
            message: m.unwrap_or_default(),
        },
        rusqlite::Error::SqlInputError { error, msg, .. } => Outcome::Error {
            code: error.extended_code,
            message: msg,
        },
        other => Outcome::Error {
            code: -1,
            message: other.to_string(),
        },
    }
}

/// Runs `sql` (one statement) on SQLite.
pub fn run_sqlite(db: &rusqlite::Connection, sql: &str) -> Run {
    let outcome = (|| {
        let mut stmt = db.prepare(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut r = Vec::with_capacity(n);
            for i in 0..n {
                r.push(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(i) => Value::Integer(i),
                    rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        Value::Text(concur_btree::Text::from_bytes(t.to_vec()))
                    }
                    rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(r);
        }
        Ok::<_, rusqlite::Error>(out)
    })();
    Run {
        outcome: match outcome {
            Ok(rows) => Outcome::Rows(rows),
            Err(e) => sqlite_error(e),
        },
        changes: db.changes() as i64,
        total_changes: db.total_changes() as i64,
        last_rowid: db.last_insert_rowid(),
        autocommit: db.is_autocommit(),
    }
}

/// Whether concur's error code agrees with SQLite's: equal extended codes where concur gives
/// an extended one, equal primary codes otherwise.
pub fn codes_agree(ours: i32, theirs: i32) -> bool {
    if ours > 0xff {
        ours == theirs
    } else {
        ours == theirs & 0xff
    }
}
