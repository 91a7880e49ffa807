//! The Rust API: [`Database`], [`Connection`], [`Statement`], [`Rows`], [`Row`], shaped like
//! rusqlite's so that its users feel at home.
//!
//! ```
//! let db = concur::Database::open_in_memory()?;
//! let conn = db.connect();
//! conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)", ())?;
//! conn.execute("INSERT INTO t(v) VALUES (?1)", ("hi",))?;
//! let n: i64 = conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0))?;
//! assert_eq!(n, 1);
//! let mut stmt = conn.prepare("SELECT id, v FROM t WHERE id >= ?1")?;
//! let mut rows = stmt.query((1,))?;
//! while let Some(row) = rows.next()? {
//!     let v: String = row.get(1)?;
//!     assert_eq!(v, "hi");
//! }
//! # Ok::<(), concur::Error>(())
//! ```

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use concur_btree::Value;
use concur_vm::{MemStore, Store};

use crate::error::{Error, Result};
use crate::params::{FromValue, Params};

/// One database, shared by the connections of every thread that uses it.
#[derive(Clone)]
pub struct Database {
    /// The storage every connection runs on.
    store: Arc<dyn Store>,
}

impl Database {
    /// Opens the database file at `path`, creating it if it does not exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        crate::storage::open_file(path.as_ref(), false).map(|store| Database { store })
    }

    /// Opens the database file at `path` for reading only.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Database> {
        crate::storage::open_file(path.as_ref(), true).map(|store| Database { store })
    }

    /// A new, empty database in memory, gone when the last handle is dropped.
    pub fn open_in_memory() -> Result<Database> {
        Ok(Database {
            store: Arc::new(MemStore::new()),
        })
    }

    /// A new connection: a session with its own transaction state. Use one per thread.
    pub fn connect(&self) -> Connection {
        Connection {
            inner: RefCell::new(concur_vm::Connection::new(self.store.clone())),
        }
    }
}

/// A session on a [`Database`]: runs statements, holds the transaction state.
pub struct Connection {
    /// The SQL engine's connection.
    inner: RefCell<concur_vm::Connection>,
}

impl Connection {
    /// The SQL engine's connection, for callers that drive it directly (the shell).
    pub fn raw(self) -> concur_vm::Connection {
        self.inner.into_inner()
    }

    /// Runs one statement with `params` and returns the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let mut stmt = self.prepare(sql)?;
        stmt.execute(params)
    }

    /// Runs every statement of `sql`, without parameters, discarding rows.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(self.inner.borrow_mut().execute_batch(sql)?)
    }

    /// Runs a query and maps its first row with `f`; `Error::QueryReturnedNoRows` if none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let mut stmt = self.prepare(sql)?;
        let mut rows = stmt.query(params)?;
        match rows.next()? {
            Some(row) => f(row),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    /// Prepares one statement for repeated execution.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        let stmt = self.inner.borrow_mut().prepare(sql)?;
        Ok(Statement { conn: self, stmt })
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    pub fn changes(&self) -> i64 {
        self.inner.borrow().changes()
    }

    /// The rowid of the most recent successful INSERT.
    pub fn last_insert_rowid(&self) -> i64 {
        self.inner.borrow().last_insert_rowid()
    }

    /// True when no transaction is open.
    pub fn is_autocommit(&self) -> bool {
        self.inner.borrow().is_autocommit()
    }

    /// Starts `BEGIN` and returns a guard that rolls back unless committed.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }

    /// Starts `BEGIN CONCURRENT` and returns a guard that rolls back unless committed.
    pub fn transaction_concurrent(&self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN CONCURRENT")?;
        Ok(Transaction {
            conn: self,
            done: false,
        })
    }
}

/// An open transaction; dropping it without [`Transaction::commit`] rolls it back.
pub struct Transaction<'c> {
    /// The connection it runs on.
    conn: &'c Connection,
    /// Set once committed or rolled back.
    done: bool,
}

impl Transaction<'_> {
    /// Commits the transaction.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }

    /// Rolls the transaction back.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A prepared statement.
pub struct Statement<'c> {
    /// The connection it runs on.
    conn: &'c Connection,
    /// The engine's statement.
    stmt: concur_vm::Statement,
}

impl<'c> Statement<'c> {
    /// Binds `params`, replacing earlier bindings.
    fn bind(&mut self, params: impl Params) -> Result<()> {
        self.conn.inner.borrow_mut().reset(&mut self.stmt);
        self.stmt.clear_bindings();
        params.bind(&mut self.stmt)?;
        // Every execution binds afresh (from NULL), so the engine may move bound values.
        self.stmt.bind_for_one_execution();
        Ok(())
    }

    /// Runs the statement to completion and returns the rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        self.bind(params)?;
        let mut conn = self.conn.inner.borrow_mut();
        let mut row = Vec::new();
        while conn.step_into(&mut self.stmt, &mut row)? {}
        Ok(conn.changes().max(0) as usize)
    }

    /// Runs the statement and returns its rows, read one by one with [`Rows::next`].
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_, 'c>> {
        self.bind(params)?;
        Ok(Rows {
            stmt: self,
            row: Row { values: Vec::new() },
        })
    }

    /// The result column names (known once the statement has run).
    pub fn column_names(&self) -> Vec<String> {
        self.stmt.columns().to_vec()
    }
}

/// A statement dropped mid-run ends its run: an autocommit transaction it opened commits (a
/// reader lets go of its snapshot), as `sqlite3_finalize` does.
impl Drop for Statement<'_> {
    fn drop(&mut self) {
        if let Ok(mut conn) = self.conn.inner.try_borrow_mut() {
            conn.finalize(&mut self.stmt);
        }
    }
}

/// The rows of a running query. Dropping them resets the statement (as rusqlite's `Rows`
/// does), so a query read only in part does not keep its transaction open.
pub struct Rows<'s, 'c> {
    /// The statement being stepped.
    stmt: &'s mut Statement<'c>,
    /// The current row; its vector is reused by every step.
    row: Row,
}

impl Drop for Rows<'_, '_> {
    fn drop(&mut self) {
        let stmt = &mut *self.stmt;
        if let Ok(mut conn) = stmt.conn.inner.try_borrow_mut() {
            conn.reset(&mut stmt.stmt);
        }
    }
}

impl Rows<'_, '_> {
    /// The next row, or `None` when the query is done.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&Row>> {
        let stmt = &mut *self.stmt;
        let more = stmt
            .conn
            .inner
            .borrow_mut()
            .step_into(&mut stmt.stmt, &mut self.row.values)?;
        Ok(more.then_some(&self.row))
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's values by column.
    values: Vec<Value>,
}

impl Row {
    /// Column `i` (from 0) converted to `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let value = self.values.get(i).ok_or(Error::InvalidColumnIndex(i))?;
        T::from_value(value)
    }

    /// Every value of the row.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}
