//! # The storage interface
//!
//! Everything the executor reads or writes goes through the traits of this module, so that the
//! MVCC layer can implement them over its version store and the B-tree without any change in
//! `vm`. The shape follows SQLite's own split between the VDBE and `btree.c`:
//!
//! | trait | what it is | SQLite analogue |
//! | --- | --- | --- |
//! | [`Store`] | a database; hands out transactions | `Btree` / `BtShared` |
//! | [`Txn`] | one transaction: cursors, writes, savepoints, schema cookie | `sqlite3BtreeBeginTrans` .. `Commit` |
//! | [`TableCursor`] | a position in a rowid table | `BtCursor` on an intkey tree |
//! | [`IndexCursor`] | a position in an index | `BtCursor` on an index tree |
//!
//! Two stores implement them today:
//!
//! | store | what it is |
//! | --- | --- |
//! | [`FileStore`] | a SQLite database file and its WAL, through the pager and the B-tree layer: SQLite's transaction model (snapshot readers, one writer), see `file/mod.rs` |
//! | [`MemStore`] | ordered maps in memory, for `:memory:` databases and executor tests |
//!
//! Besides rows, a store answers the storage PRAGMAs: [`Txn::page_info`] (`page_size`,
//! `page_count`, `freelist_count`), [`Txn::check_integrity`] (the structural half of
//! `integrity_check`), [`Store::checkpoint`] (`wal_checkpoint`), and the settings
//! `journal_mode`, `synchronous` and `busy_timeout`.
//!
//! ## Rows and keys
//!
//! A table row is its rowid plus its column values (`&[Value]`): the adapter encodes and
//! decodes SQLite records, so `vm` never sees record bytes. An index entry is a key of values
//! whose last member is the rowid of the row it points to, exactly like a SQLite index record.
//! [`KeyInfo`] says how keys order: one collation and one direction per key column (the
//! trailing rowid always compares as a BINARY ascending integer).
//!
//! ## Seeks
//!
//! Index seeks take a *prefix* of the key. A prefix compares equal to every key that starts
//! with it, so "first entry `>=` prefix" lands on the first entry of the group and "last entry
//! `<=` prefix" on its last entry, which is how SQLite's `OP_SeekGE`/`OP_SeekLE` with a partial
//! key behave.
//!
//! ## Mutation during a scan
//!
//! Cursors must stay valid when the same transaction writes the tree they walk (an UPDATE
//! deleting the row under its own cursor, an INSERT ... SELECT from the same table): after a
//! write, `next`/`prev` continue from the cursor's last key as if the cursor had been re-seeked
//! there. Methods take `&self` on [`Txn`] (writers use interior mutability) so that the
//! executor can hold open cursors while it writes.
//!
//! ## Savepoints
//!
//! [`Txn::savepoint`] marks the current state; [`Txn::rollback_to_savepoint`] undoes every write
//! after the mark (the mark stays, as `ROLLBACK TO` in SQL); [`Txn::release_savepoint`] forgets
//! the mark and those after it, keeping the writes. The executor wraps each writing statement in
//! one, so a failed statement undoes exactly its own changes; SQL `SAVEPOINT` uses the same.

mod file;
mod memory;

pub use concur_pager::CheckpointMode;
pub use file::{FileStore, AUTOCHECKPOINT_PAGES, DEFAULT_BUSY_TIMEOUT_MS};
pub use memory::MemStore;

use std::cmp::Ordering;
use std::sync::Arc;

use concur_btree::Value;

use crate::value::{compare_values, Collation};

/// SQLite primary and extended result codes used by storage errors and the executor.
pub mod code {
    /// Generic error.
    pub const ERROR: i32 = 1;
    /// Internal logic error.
    pub const INTERNAL: i32 = 2;
    /// Access permission denied.
    pub const PERM: i32 = 3;
    /// The database file is locked.
    pub const BUSY: i32 = 5;
    /// A write conflict under snapshot isolation (`SQLITE_BUSY_SNAPSHOT`).
    pub const BUSY_SNAPSHOT: i32 = 517;
    /// Attempt to write a read-only database.
    pub const READONLY: i32 = 8;
    /// Disk I/O error.
    pub const IOERR: i32 = 10;
    /// The database image is malformed.
    pub const CORRUPT: i32 = 11;
    /// The database is full.
    pub const FULL: i32 = 13;
    /// The schema changed.
    pub const SCHEMA: i32 = 17;
    /// String or blob too big.
    pub const TOOBIG: i32 = 18;
    /// A constraint failed.
    pub const CONSTRAINT: i32 = 19;
    /// CHECK constraint failed.
    pub const CONSTRAINT_CHECK: i32 = 275;
    /// NOT NULL constraint failed.
    pub const CONSTRAINT_NOTNULL: i32 = 1299;
    /// PRIMARY KEY constraint failed.
    pub const CONSTRAINT_PRIMARYKEY: i32 = 1555;
    /// A trigger's RAISE.
    pub const CONSTRAINT_TRIGGER: i32 = 1811;
    /// UNIQUE constraint failed.
    pub const CONSTRAINT_UNIQUE: i32 = 2067;
    /// Datatype mismatch.
    pub const MISMATCH: i32 = 20;
    /// Library used incorrectly.
    pub const MISUSE: i32 = 21;
    /// Bind parameter out of range.
    pub const RANGE: i32 = 25;
}

/// A failure inside the storage layer, carrying the SQLite result code it maps to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    /// The SQLite result code (primary or extended).
    pub code: i32,
    /// What went wrong, in SQLite's words where SQLite has words for it.
    pub message: String,
}

impl StorageError {
    /// An error with `code` and `message`.
    pub fn new(code: i32, message: impl Into<String>) -> StorageError {
        StorageError {
            code,
            message: message.into(),
        }
    }

    /// SQLITE_CORRUPT naming what is wrong.
    pub fn corrupt(message: impl Into<String>) -> StorageError {
        StorageError::new(code::CORRUPT, message)
    }
}

/// A result of a storage call.
pub type StorageResult<T> = Result<T, StorageError>;

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnMode {
    /// Reads only; never conflicts, never waits.
    Read,
    /// Takes the single exclusive-writer lock (autocommit writes, `BEGIN IMMEDIATE`).
    Write,
    /// `BEGIN CONCURRENT`: snapshot isolation with row-level conflicts.
    Concurrent,
}

/// How one key column of an index orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyColumn {
    /// The collation of text values.
    pub collation: Collation,
    /// Whether the column sorts descending.
    pub desc: bool,
}

/// How the keys of an index order: one entry per declared key column. Entries past
/// `columns.len()` (the trailing rowid) compare BINARY ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyInfo {
    /// The key columns, in key order.
    pub columns: Vec<KeyColumn>,
}

impl KeyInfo {
    /// Compares two keys (or key prefixes) column by column over their common length.
    pub fn compare_prefix(&self, a: &[Value], b: &[Value]) -> Ordering {
        for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
            let column = self.columns.get(i).copied().unwrap_or_default();
            let ordering = compare_values(x, y, column.collation);
            let ordering = if column.desc {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

/// A key with the [`KeyInfo`] that orders it, usable in ordered collections. When one key is
/// a prefix of the other, `bias` of the shorter one decides: `Less` puts it before all keys it
/// prefixes, `Greater` after them, `Equal` compares by length.
#[derive(Debug, Clone)]
pub struct OrderedKey {
    /// The key values.
    pub values: Vec<Value>,
    /// How keys order.
    pub info: Arc<KeyInfo>,
    /// Where a prefix sorts relative to the keys it prefixes.
    pub bias: Ordering,
}

impl OrderedKey {
    /// A full key (no bias).
    pub fn new(values: Vec<Value>, info: Arc<KeyInfo>) -> OrderedKey {
        OrderedKey {
            values,
            info,
            bias: Ordering::Equal,
        }
    }
}

impl PartialEq for OrderedKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for OrderedKey {}

impl PartialOrd for OrderedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        order_keys(
            &self.info,
            &self.values,
            self.bias,
            &other.values,
            other.bias,
        )
    }
}

/// The order of two keys with their biases under `info`, as [`OrderedKey`] orders them.
pub fn order_keys(
    info: &KeyInfo,
    a: &[Value],
    a_bias: Ordering,
    b: &[Value],
    b_bias: Ordering,
) -> Ordering {
    match info.compare_prefix(a, b) {
        Ordering::Equal => {}
        other => return other,
    }
    match a.len().cmp(&b.len()) {
        Ordering::Equal => a_bias.cmp(&b_bias),
        Ordering::Less if a_bias != Ordering::Equal => a_bias,
        Ordering::Greater if b_bias != Ordering::Equal => b_bias.reverse(),
        by_length => by_length,
    }
}

/// What a checkpoint did, as `PRAGMA wal_checkpoint` reports it: (busy, log, checkpointed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointReport {
    /// The checkpoint could not finish because readers still need older pages.
    pub busy: bool,
    /// Frames in the WAL (-1 when the database has no WAL).
    pub log_frames: i64,
    /// Frames copied into the database file (-1 when the database has no WAL).
    pub checkpointed_frames: i64,
}

/// The page-level numbers of a database file, as the PRAGMAs of the same names report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// `PRAGMA page_size`.
    pub page_size: u32,
    /// `PRAGMA page_count`.
    pub page_count: u32,
    /// `PRAGMA freelist_count`.
    pub freelist_count: u32,
}

/// A database: the source of transactions.
pub trait Store: Send + Sync {
    /// Begins a transaction.
    fn begin(&self, mode: TxnMode) -> StorageResult<Box<dyn Txn>>;
    /// Runs a checkpoint (`PRAGMA wal_checkpoint(mode)`). Default: no WAL, `(0, -1, -1)`.
    fn checkpoint(&self, mode: CheckpointMode) -> StorageResult<CheckpointReport> {
        let _ = mode;
        Ok(CheckpointReport {
            busy: false,
            log_frames: -1,
            checkpointed_frames: -1,
        })
    }
    /// `PRAGMA journal_mode`. Default: `memory`, as SQLite says for in-memory databases.
    fn journal_mode(&self) -> &'static str {
        "memory"
    }
    /// How long a writer waits for the write lock, in milliseconds. Default: 0.
    fn busy_timeout(&self) -> u64 {
        0
    }
    /// Sets the busy timeout (`PRAGMA busy_timeout = ms`). Default: ignored.
    fn set_busy_timeout(&self, ms: u64) {
        let _ = ms;
    }
    /// `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL. Default: 2.
    fn synchronous(&self) -> u8 {
        2
    }
    /// Sets `PRAGMA synchronous` (3, EXTRA, syncs as FULL). Default: ignored (nothing to sync).
    fn set_synchronous(&self, level: u8) {
        let _ = level;
    }
}

/// One transaction over a [`Store`]. Dropping it without commit rolls it back.
pub trait Txn: Send {
    /// Whether this transaction may write.
    fn is_writer(&self) -> bool;
    /// Upgrades a read transaction to a writer (SQLite's deferred-to-write step); BUSY when
    /// another writer holds the lock.
    fn begin_write(&mut self) -> StorageResult<()>;
    /// A cursor over the rowid table rooted at `root`, positioned nowhere.
    fn table_cursor(&self, root: u32) -> StorageResult<Box<dyn TableCursor>>;
    /// A cursor over the index rooted at `root`, ordered by `key`.
    fn index_cursor(&self, root: u32, key: &KeyInfo) -> StorageResult<Box<dyn IndexCursor>>;
    /// Inserts or replaces the row `rowid` of table `root`.
    fn insert_row(&self, root: u32, rowid: i64, values: &[Value]) -> StorageResult<()>;
    /// Inserts or replaces the row `rowid` of table `root`, taking the values and leaving
    /// `values` empty, its buffer kept for the caller's next row (a store that keeps values
    /// as they are can move these in). Default: [`Txn::insert_row`].
    fn insert_row_owned(
        &self,
        root: u32,
        rowid: i64,
        values: &mut Vec<Value>,
    ) -> StorageResult<()> {
        self.insert_row(root, rowid, values)?;
        values.clear();
        Ok(())
    }
    /// Whether table `root` has a row `rowid`. Default: a seek of a fresh cursor.
    fn contains_row(&self, root: u32, rowid: i64) -> StorageResult<bool> {
        self.table_cursor(root)?.seek(rowid)
    }
    /// Deletes the row `rowid` of table `root` (no error when it is absent).
    fn delete_row(&self, root: u32, rowid: i64) -> StorageResult<()>;
    /// Inserts the entry `key` (key columns then rowid) into index `root`.
    fn insert_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()>;
    /// Deletes the entry `key` (key columns then rowid) from index `root`.
    fn delete_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()>;
    /// Creates an empty rowid table and returns its root page.
    fn create_table(&self) -> StorageResult<u32>;
    /// Creates an empty index and returns its root page.
    fn create_index(&self) -> StorageResult<u32>;
    /// Drops the tree rooted at `root`, freeing its pages.
    fn drop_tree(&self, root: u32) -> StorageResult<()>;
    /// Deletes every row or entry of the tree rooted at `root`, keeping the tree.
    fn clear_tree(&self, root: u32) -> StorageResult<()>;
    /// The largest rowid in table `root`, or 0 when it is empty.
    fn max_rowid(&self, root: u32) -> StorageResult<i64>;
    /// The schema cookie (database header offset 40).
    fn schema_cookie(&self) -> StorageResult<u32>;
    /// Sets the schema cookie.
    fn set_schema_cookie(&self, cookie: u32) -> StorageResult<()>;
    /// The user version (database header offset 60).
    fn user_version(&self) -> StorageResult<i32>;
    /// Sets the user version.
    fn set_user_version(&self, version: i32) -> StorageResult<()>;
    /// Marks the current state; returns the mark's depth (1 for the first open mark).
    fn savepoint(&self) -> StorageResult<usize>;
    /// Undoes every write after mark `depth`, keeping the mark.
    fn rollback_to_savepoint(&self, depth: usize) -> StorageResult<()>;
    /// Forgets mark `depth` and those after it, keeping their writes.
    fn release_savepoint(&self, depth: usize) -> StorageResult<()>;
    /// Makes the transaction's writes durable and visible.
    fn commit(self: Box<Self>) -> StorageResult<()>;
    /// Discards the transaction's writes.
    fn rollback(self: Box<Self>) -> StorageResult<()>;
    /// Page size, page count and freelist size as this transaction sees them; `None` for a
    /// store without pages. Default: `None`.
    fn page_info(&self) -> StorageResult<Option<PageInfo>> {
        Ok(None)
    }
    /// Checks the structure of the file: the trees rooted at `trees` (index trees with the
    /// key order to verify), the freelist, and that every page is used exactly once; at most
    /// `max_errors` messages in `PRAGMA integrity_check`'s words. Default: nothing to check.
    fn check_integrity(
        &self,
        trees: &[(u32, Option<KeyInfo>)],
        max_errors: usize,
    ) -> StorageResult<Vec<String>> {
        let _ = (trees, max_errors);
        Ok(Vec::new())
    }
}

/// A cursor over a rowid table. A fresh cursor is positioned nowhere (`valid()` false).
pub trait TableCursor: Send {
    /// Moves to the first row; false when the table is empty.
    fn first(&mut self) -> StorageResult<bool>;
    /// Moves to the last row; false when the table is empty.
    fn last(&mut self) -> StorageResult<bool>;
    /// Moves to the next row; false past the end.
    fn next(&mut self) -> StorageResult<bool>;
    /// Moves to the previous row; false before the start.
    fn prev(&mut self) -> StorageResult<bool>;
    /// Moves to row `rowid`; false (and invalid) when there is none.
    fn seek(&mut self, rowid: i64) -> StorageResult<bool>;
    /// Moves to the first row with rowid `>= rowid`; false when there is none.
    fn seek_ge(&mut self, rowid: i64) -> StorageResult<bool>;
    /// Moves to the last row with rowid `<= rowid`; false when there is none.
    fn seek_le(&mut self, rowid: i64) -> StorageResult<bool>;
    /// Whether the cursor is on a row.
    fn valid(&self) -> bool;
    /// The current row's rowid.
    fn rowid(&self) -> StorageResult<i64>;
    /// Column `index` of the current row (NULL past the row's stored width, as SQLite reads
    /// rows written before an ADD COLUMN).
    fn column(&mut self, index: usize) -> StorageResult<Value>;
    /// Column `index` of the current row when it is an INTEGER; None for any other storage
    /// class (the filters' integer fast path, which then reads the value again through
    /// [`TableCursor::column`]). A store may answer without building a [`Value`].
    fn column_integer(&mut self, index: usize) -> StorageResult<Option<i64>> {
        Ok(match self.column(index)? {
            Value::Integer(i) => Some(i),
            _ => None,
        })
    }
    /// Every stored column of the current row.
    fn row(&mut self) -> StorageResult<Vec<Value>>;
}

/// A cursor over an index. A fresh cursor is positioned nowhere (`valid()` false).
pub trait IndexCursor: Send {
    /// Moves to the first entry; false when the index is empty.
    fn first(&mut self) -> StorageResult<bool>;
    /// Moves to the last entry; false when the index is empty.
    fn last(&mut self) -> StorageResult<bool>;
    /// Moves to the next entry; false past the end.
    fn next(&mut self) -> StorageResult<bool>;
    /// Moves to the previous entry; false before the start.
    fn prev(&mut self) -> StorageResult<bool>;
    /// Moves to the first entry whose key is `>=` the prefix (`>` when `inclusive` is false).
    fn seek_ge(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool>;
    /// Moves to the last entry whose key is `<=` the prefix (`<` when `inclusive` is false).
    fn seek_le(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool>;
    /// Whether the cursor is on an entry.
    fn valid(&self) -> bool;
    /// The current entry's key: the key columns, then the rowid.
    fn key(&mut self) -> StorageResult<&[Value]>;
    /// How the current entry's key compares with `prefix` over their common length, in
    /// the order of `info` (as [`KeyInfo::compare_prefix`] of [`IndexCursor::key`]). A
    /// store may answer from the stored entry without decoding it.
    fn compare_key(&mut self, info: &KeyInfo, prefix: &[Value]) -> StorageResult<Ordering> {
        Ok(info.compare_prefix(self.key()?, prefix))
    }
    /// The current entry's rowid (its last key value), None when that is not an integer.
    fn entry_rowid(&mut self) -> StorageResult<Option<i64>> {
        Ok(key_rowid(self.key()?))
    }
}

/// The rowid of an index entry's decoded `key` (its last value), None when that is not an
/// integer.
pub(crate) fn key_rowid(key: &[Value]) -> Option<i64> {
    match key.last() {
        Some(Value::Integer(r)) => Some(*r),
        _ => None,
    }
}
