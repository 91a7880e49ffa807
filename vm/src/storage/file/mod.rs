//! `FileStore`: the [`Store`] over a real database file, its SQLite-format WAL and the B-tree
//! layer, with SQLite's own transaction model (many readers, one writer).
//!
//! ```text
//!   FileStore ── Pager (app.db + app.db-wal, see concur_mvcc::open_storage)
//!     └─ FileTxn ── Arc<Mutex<TxnPages>>: a ReadTx, or the one WriteTx
//!          ├─ FileTableCursor / FileIndexCursor: a btree::Cursor over a PagesHandle
//!          └─ writes: btree::table_insert / index_insert / ... on the WriteTx
//! ```
//!
//! ## Transactions
//!
//! - A read transaction is a pager [`ReadTx`]: a snapshot of the last commit for as long as it
//!   lives. It never waits and never blocks a writer.
//! - A write transaction holds the pager's single [`WriteTx`]. Taking it waits up to the busy
//!   timeout (polling; SQLite's busy handler does the same), then fails with BUSY.
//! - A read transaction that wants to write (a deferred `BEGIN` followed by an `INSERT`) takes
//!   the writer slot and then checks that nothing committed since its snapshot (the header's
//!   change counter, bumped by every commit, is unchanged); otherwise it fails with
//!   BUSY_SNAPSHOT and stays a reader, as SQLite does in WAL mode.
//! - `BEGIN CONCURRENT` runs as an exclusive writer here: row-level concurrency belongs to the
//!   MVCC store, which is not built yet.
//! - Savepoints are the write transaction's page undo log (`concur_pager` `savepoint.rs`).
//!   Marks opened while the transaction only read are opened on the write transaction when it
//!   upgrades, at its start, which is exactly the state they marked.
//! - Commit writes the dirty pages as WAL frames (fsynced at `synchronous=FULL`). After commits
//!   have written [`AUTOCHECKPOINT_PAGES`] pages, the committing thread runs a PASSIVE
//!   checkpoint, as SQLite's `wal_autocheckpoint` does.
//!
//! ## Cursors under writes
//!
//! A cursor keeps the pages of its path (copy-on-write images, so they never change under
//! it) and the key it is on. Every write bumps the transaction's *generation*; a cursor that
//! sees a generation other than the one it positioned in re-seeks its key before it moves,
//! so it continues from its last key however the tree was rebalanced meanwhile.
//!
//! ## Fast paths
//!
//! - Cursors decode only the columns asked for (`btree::RecordLayout`), reading a row that
//!   fits on its page in place on the page the B-tree cursor holds (`Cursor::entry_span`):
//!   a step takes no page reference and copies nothing; only a row that spills to overflow
//!   pages is gathered into a buffer. They reuse the pages of their previous path when a seek
//!   passes through them again, and from their second seek on the last 64 pages they fetched
//!   (a join's inner side then parses each page of a small table once); after a write they
//!   forget both, as above.
//! - A filter on integers reads them straight from the record (`column_integer`), without a
//!   `Value`.
//! - In a reading transaction an index cursor decodes an entry's key only when asked for
//!   it: an index loop compares the entry with its bound (`IndexCursor::compare_key`) and
//!   reads its rowid (`IndexCursor::entry_rowid`) from the record on the page. A writing
//!   transaction's index cursor decodes each key as it lands, since it may have to re-seek
//!   that key after a write.
//! - A scan's step reads the common table-leaf cell (payload on its page) without the general
//!   cell parse (`Cursor::local_table_entry`); index entries and a key seek's probes read
//!   their keys in place the same way (`BtreePage::index_search`, which works out the
//!   page's layout once per page, not per probe); a rowid seek searches each page with
//!   `BtreePage::rowid_search`, which interpolates: rowids are mostly dense, so the cell
//!   the sought rowid's distance from the page's first rowid names is, on a page of
//!   consecutive rowids, the cell itself, and two guesses from the ends of the range still
//!   open usually settle an interior page before it halves what is left.
//! - A new row's record is written straight into its cell
//!   (`btree::table_insert_values_hinted`).
//! - A read transaction keeps its last fetched pages in a small direct-mapped table
//!   (`TxnPages::recent`): a snapshot's pages never change, so refetching one skips the WAL
//!   index and the page cache.
//! - Rowid-order inserts keep a `btree::AppendHint` per table: the next append goes straight to
//!   the right-most leaf, and "does this rowid exist?" past the last rowid needs no search.
//!   Any other write to the table and every savepoint rollback drop the hint.
//! - The schema cookie is read once per transaction (and a writing connection asks for it
//!   once per transaction too, see the session essay).
//!
//! ## Closing
//!
//! When the last handle goes, the WAL is checkpointed into the database file, truncated and
//! deleted, so `app.db` alone is complete and `sqlite3` finds no `-wal` file.
//! [`FileStore::open_on`] builds the same store over files the caller opened (the fault
//! tests' files that fail on command); closing it checkpoints and truncates them the same
//! way, with no file to delete.

mod appends;
mod cursor;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use concur_btree::{self as btree, TreeKind, Value};
use concur_mvcc::StorageOptions;
use concur_pager::{
    CheckpointMode, DbHeader, File, PageMap, PageRef, PageSource, PageWriter, Pager, ReadTx,
    WriteTx,
};

use super::{
    code, CheckpointReport, IndexCursor, KeyInfo, PageInfo, StorageError, StorageResult, Store,
    TableCursor, Txn, TxnMode,
};
use appends::AppendHints;
use cursor::{FileIndexCursor, FileTableCursor};

/// Pages written by commits after which the committing thread checkpoints (SQLite's default
/// `wal_autocheckpoint` is 1000 frames).
pub const AUTOCHECKPOINT_PAGES: u64 = 1000;

/// The busy timeout a new store starts with, in milliseconds (rusqlite's default).
pub const DEFAULT_BUSY_TIMEOUT_MS: u64 = 5000;

/// Maps a pager error to a storage error with its SQLite code.
pub(crate) fn pager_error(e: concur_pager::Error) -> StorageError {
    StorageError::new(e.sqlite_code(), e.to_string())
}

/// Maps a B-tree error to a storage error with its SQLite code.
pub(crate) fn btree_error(e: btree::Error) -> StorageError {
    match e {
        btree::Error::Pager(e) => pager_error(e),
        btree::Error::Corrupt { .. } => StorageError::corrupt(e.to_string()),
        btree::Error::TooBig => StorageError::new(code::TOOBIG, "string or blob too big"),
        btree::Error::Misuse(_) => StorageError::new(code::MISUSE, e.to_string()),
    }
}

/// Maps a storage-stack error to a storage error with its SQLite code.
fn stack_error(e: concur_mvcc::Error) -> StorageError {
    match e {
        concur_mvcc::Error::Pager(e) => pager_error(e),
        concur_mvcc::Error::Wal(e) => pager_error(e.into()),
        concur_mvcc::Error::Busy => StorageError::new(code::BUSY, e.to_string()),
    }
}

/// Converts the SQL layer's key order into the B-tree layer's.
pub(crate) fn btree_key_info(info: &KeyInfo) -> btree::KeyInfo {
    btree::KeyInfo {
        columns: info
            .columns
            .iter()
            .map(|c| btree::KeyColumn {
                collation: c.collation.to_btree(),
                descending: c.desc,
            })
            .collect(),
    }
}

/// The state every transaction of one store shares.
struct Shared {
    /// The pager over the database file and its WAL.
    pager: Pager,
    /// The WAL (for its sync mode).
    wal: Arc<concur_wal::Wal>,
    /// The database file's path (the WAL is beside it); `None` for files opened by the
    /// caller ([`FileStore::open_on`]).
    path: Option<PathBuf>,
    /// How long a writer waits for the writer slot, in milliseconds.
    busy_timeout_ms: AtomicU64,
    /// Pages committed since the last checkpoint.
    pages_since_checkpoint: AtomicU64,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.pager.is_read_only() {
            return;
        }
        match concur_mvcc::close_storage(&self.pager) {
            Ok(()) => {
                // Everything is in the database file and the WAL is empty: remove it, as
                // sqlite3 does when its last connection closes.
                if let Some(path) = &self.path {
                    let mut wal = path.clone().into_os_string();
                    wal.push("-wal");
                    let _ = std::fs::remove_file(PathBuf::from(wal));
                }
            }
            // No caller is left to receive the error; the WAL stays and the next open
            // recovers from it.
            Err(e) => tracing::warn!("checkpoint at close failed: {e}"),
        }
    }
}

/// A database file with its WAL, as a [`Store`].
#[derive(Clone)]
pub struct FileStore {
    /// The shared state.
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.shared.path {
            Some(path) => write!(f, "FileStore({})", path.display()),
            None => write!(f, "FileStore(<open files>)"),
        }
    }
}

impl FileStore {
    /// Opens (creating it if needed, unless read-only) the database at `path`.
    pub fn open(path: impl AsRef<Path>, options: &StorageOptions) -> StorageResult<FileStore> {
        let path = path.as_ref();
        let stack = concur_mvcc::open_storage_with_wal(path, options).map_err(stack_error)?;
        FileStore::assemble(stack, Some(path.to_path_buf()))
    }

    /// A store over a database file and its WAL file that the caller opened (and locked, if
    /// they need to be); an empty `db` becomes a new database. Closing it checkpoints into
    /// `db` and truncates `wal`, as closing a database at a path does.
    pub fn open_on(
        db: Arc<dyn File>,
        wal: Arc<dyn File>,
        options: &StorageOptions,
    ) -> StorageResult<FileStore> {
        let stack = concur_mvcc::open_storage_on(db, || Ok(wal), options).map_err(stack_error)?;
        FileStore::assemble(stack, None)
    }

    /// The store over an opened pager and WAL: refuses UTF-16 databases.
    fn assemble(
        (pager, wal): (Pager, Arc<concur_wal::Wal>),
        path: Option<PathBuf>,
    ) -> StorageResult<FileStore> {
        let read = pager.begin_read().map_err(pager_error)?;
        if read.page_count() > 0 {
            let header = read.header().map_err(pager_error)?;
            if header.text_encoding > 1 {
                return Err(StorageError::new(
                    code::ERROR,
                    "UTF-16 databases are not supported (text encoding is not UTF-8)",
                ));
            }
        }
        drop(read);
        Ok(FileStore {
            shared: Arc::new(Shared {
                pager,
                wal,
                path,
                busy_timeout_ms: AtomicU64::new(DEFAULT_BUSY_TIMEOUT_MS),
                pages_since_checkpoint: AtomicU64::new(0),
            }),
        })
    }

    /// The pager underneath (for tests and tools).
    pub fn pager(&self) -> &Pager {
        &self.shared.pager
    }
}

/// Takes the writer slot, waiting up to the busy timeout.
fn acquire_writer(shared: &Shared) -> StorageResult<WriteTx> {
    let timeout = Duration::from_millis(shared.busy_timeout_ms.load(AtomicOrdering::Relaxed));
    let start = Instant::now();
    let mut pause = Duration::from_micros(50);
    loop {
        if let Some(tx) = shared.pager.try_begin_write().map_err(pager_error)? {
            return Ok(tx);
        }
        if start.elapsed() >= timeout {
            return Err(StorageError::new(code::BUSY, "database is locked"));
        }
        std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
        pause = (pause * 2).min(Duration::from_millis(5));
    }
}

impl Store for FileStore {
    fn begin(&self, mode: TxnMode) -> StorageResult<Box<dyn Txn>> {
        let writer = mode != TxnMode::Read;
        let pages = match mode {
            TxnMode::Read => Pages::Read(self.shared.pager.begin_read().map_err(pager_error)?),
            TxnMode::Write | TxnMode::Concurrent => {
                if self.shared.pager.is_read_only() {
                    return Err(StorageError::new(
                        code::READONLY,
                        "attempt to write a readonly database",
                    ));
                }
                Pages::Write(acquire_writer(&self.shared)?)
            }
        };
        Ok(Box::new(FileTxn {
            shared: self.shared.clone(),
            state: Arc::new(Mutex::new(TxnPages {
                pages: Some(pages),
                generation: Arc::new(AtomicU64::new(0)),
                read_marks: 0,
                max_rowids: PageMap::default(),
                appends: AppendHints::default(),
                schema_cookie: None,
                recent: std::array::from_fn(|_| None),
            })),
            writer,
        }))
    }

    fn checkpoint(&self, mode: CheckpointMode) -> StorageResult<CheckpointReport> {
        let result = self.shared.pager.checkpoint(mode).map_err(pager_error)?;
        if !result.busy {
            self.shared
                .pages_since_checkpoint
                .store(0, AtomicOrdering::Relaxed);
        }
        Ok(CheckpointReport {
            busy: result.busy,
            log_frames: i64::try_from(result.log_frames).unwrap_or(i64::MAX),
            checkpointed_frames: i64::try_from(result.backfilled_frames).unwrap_or(i64::MAX),
        })
    }

    fn journal_mode(&self) -> &'static str {
        "wal"
    }

    fn busy_timeout(&self) -> u64 {
        self.shared.busy_timeout_ms.load(AtomicOrdering::Relaxed)
    }

    fn set_busy_timeout(&self, ms: u64) {
        self.shared
            .busy_timeout_ms
            .store(ms, AtomicOrdering::Relaxed);
    }

    fn synchronous(&self) -> u8 {
        self.shared.wal.sync_mode().level()
    }

    fn set_synchronous(&self, level: u8) {
        if let Some(mode) = concur_mvcc::SyncMode::from_level(level) {
            self.shared.wal.set_sync_mode(mode);
        }
    }
}

/// The pages a transaction reads and writes.
enum Pages {
    /// A read snapshot.
    Read(ReadTx),
    /// The one write transaction.
    Write(WriteTx),
}

/// A transaction's pages and what its cursors need to know about its writes.
pub(crate) struct TxnPages {
    /// The pager transaction; `None` only while it is being replaced or after it ended.
    pages: Option<Pages>,
    /// Bumped by every write; cursors re-seek when it moved since they positioned. Cursors
    /// read it without taking the transaction's lock, once per step.
    pub(crate) generation: Arc<AtomicU64>,
    /// Savepoints opened while the transaction only read.
    read_marks: usize,
    /// The largest rowid of tables this transaction asked about, kept right by its writes
    /// (new rowids come from here instead of a descent to the right-most leaf per insert).
    /// Emptied by savepoint rollbacks, which may take rows back. None for an empty table,
    /// whose first new rowid is 1, unlike a table whose largest is 0 or below, whose next is
    /// that plus 1.
    max_rowids: PageMap<u32, Option<i64>>,
    /// Where the last append to each table went (`btree::AppendHint`), so that rowid-order
    /// inserts go straight to the right-most leaf. Dropped by any other write to the table
    /// and by savepoint rollbacks: a hint is trusted, so it must describe the tree exactly.
    appends: AppendHints,
    /// The schema cookie as this transaction last read or wrote it (asked before every
    /// statement). Forgotten by savepoint rollbacks.
    schema_cookie: Option<u32>,
    /// A read transaction's recently fetched pages, direct-mapped by page number: a
    /// snapshot's pages never change, so a cursor's next fetch of a page it (or another
    /// cursor of the transaction) had a moment ago skips the WAL index and the page cache.
    recent: [Option<(u32, PageRef)>; RECENT_PAGES],
}

/// Slots of [`TxnPages::recent`].
const RECENT_PAGES: usize = 32;

impl TxnPages {
    /// The pages as a source for reads.
    fn source(&self) -> StorageResult<&dyn PageSource> {
        match &self.pages {
            Some(Pages::Read(tx)) => Ok(tx),
            Some(Pages::Write(tx)) => Ok(tx),
            None => Err(StorageError::new(code::MISUSE, "transaction has ended")),
        }
    }

    /// Whether `rowid` is known to lie past the last row of table `root` (the usual probe
    /// before an append, answered without a search when the table has an append hint).
    pub(crate) fn past_last_rowid(&self, root: u32, rowid: i64) -> bool {
        self.appends
            .get(root)
            .is_some_and(|hint| rowid > hint.last_rowid())
    }

    /// Tells cursors that the trees may have changed under them.
    fn bump_generation(&self) {
        self.generation.fetch_add(1, AtomicOrdering::Release);
    }

    /// The write transaction; READONLY for a reader. Counts as a write for cursors.
    fn writer(&mut self) -> StorageResult<&mut WriteTx> {
        match &mut self.pages {
            Some(Pages::Write(tx)) => {
                self.generation.fetch_add(1, AtomicOrdering::Release);
                Ok(tx)
            }
            Some(Pages::Read(_)) => Err(StorageError::new(
                code::READONLY,
                "attempt to write in a read transaction",
            )),
            None => Err(StorageError::new(code::MISUSE, "transaction has ended")),
        }
    }
}

/// Locks a transaction's pages; a poisoned lock (a panic elsewhere) is an internal error.
pub(crate) fn lock(state: &Mutex<TxnPages>) -> StorageResult<MutexGuard<'_, TxnPages>> {
    state
        .lock()
        .map_err(|_| StorageError::new(code::INTERNAL, "transaction lock poisoned"))
}

/// A page source that reads through a transaction's shared pages: what cursors walk.
#[derive(Clone)]
pub(crate) struct PagesHandle(pub(crate) Arc<Mutex<TxnPages>>);

/// Maps a storage error back into the pager's error type for [`PageSource`].
fn as_pager_error(e: StorageError) -> concur_pager::Error {
    if e.code == code::CORRUPT {
        concur_pager::Error::corrupt(0, e.message)
    } else {
        concur_pager::Error::Misuse("transaction unavailable")
    }
}

impl PageSource for PagesHandle {
    fn page(&self, pgno: u32) -> concur_pager::Result<PageRef> {
        let mut guard = lock(&self.0).map_err(as_pager_error)?;
        let state = &mut *guard;
        let Some(Pages::Read(tx)) = &state.pages else {
            return state.source().map_err(as_pager_error)?.page(pgno);
        };
        let slot = &mut state.recent[pgno as usize % RECENT_PAGES];
        if let Some((cached, page)) = slot {
            if *cached == pgno {
                return Ok(PageRef::clone(page));
            }
        }
        let page = tx.page(pgno)?;
        *slot = Some((pgno, PageRef::clone(&page)));
        Ok(page)
    }
    fn page_count(&self) -> u32 {
        lock(&self.0)
            .ok()
            .and_then(|s| s.source().ok().map(|p| p.page_count()))
            .unwrap_or(0)
    }
    fn page_size(&self) -> usize {
        lock(&self.0)
            .ok()
            .and_then(|s| s.source().ok().map(|p| p.page_size()))
            .unwrap_or(0)
    }
    fn usable_size(&self) -> usize {
        lock(&self.0)
            .ok()
            .and_then(|s| s.source().ok().map(|p| p.usable_size()))
            .unwrap_or(0)
    }
}

/// A transaction of a [`FileStore`].
struct FileTxn {
    /// The store.
    shared: Arc<Shared>,
    /// The pages, shared with this transaction's cursors.
    state: Arc<Mutex<TxnPages>>,
    /// Whether the pages are a write transaction's (asked before every statement, so
    /// kept here rather than read under the lock).
    writer: bool,
}

impl FileTxn {
    /// Runs `f` on the write transaction.
    fn write<T>(&self, f: impl FnOnce(&mut WriteTx) -> StorageResult<T>) -> StorageResult<T> {
        let mut state = lock(&self.state)?;
        f(state.writer()?)
    }

    /// Runs `f` on the pages for reading.
    fn read<T>(&self, f: impl FnOnce(&dyn PageSource) -> StorageResult<T>) -> StorageResult<T> {
        let state = lock(&self.state)?;
        f(state.source()?)
    }

    /// The database header as this transaction sees it.
    fn header(&self) -> StorageResult<DbHeader> {
        self.read(|src| {
            if src.page_count() == 0 {
                return Ok(DbHeader::new(src.page_size() as u32));
            }
            let page = src.page(1).map_err(pager_error)?;
            DbHeader::read(&page).map_err(pager_error)
        })
    }

    /// Changes header fields on page 1.
    fn update_header(&self, change: impl FnOnce(&mut DbHeader)) -> StorageResult<()> {
        // Page 1 is also the schema table's root: its hint would no longer be exact.
        lock(&self.state)?.appends.remove(1);
        self.write(|tx| {
            let page = tx.page_mut(1).map_err(pager_error)?;
            let mut header = DbHeader::read(page).map_err(pager_error)?;
            change(&mut header);
            header.write(page);
            Ok(())
        })
    }

    /// Takes the pager transaction out, ending this transaction for its cursors.
    fn take_pages(&self) -> StorageResult<Option<Pages>> {
        Ok(lock(&self.state)?.pages.take())
    }
}

impl Txn for FileTxn {
    fn is_writer(&self) -> bool {
        self.writer
    }

    fn begin_write(&mut self) -> StorageResult<()> {
        let mut state = lock(&self.state)?;
        let Some(Pages::Read(read)) = &state.pages else {
            return match state.pages {
                Some(_) => Ok(()),
                None => Err(StorageError::new(code::MISUSE, "transaction has ended")),
            };
        };
        if self.shared.pager.is_read_only() {
            return Err(StorageError::new(
                code::READONLY,
                "attempt to write a readonly database",
            ));
        }
        let seen = match read.page_count() {
            0 => None,
            _ => Some(read.header().map_err(pager_error)?.change_counter),
        };
        let mut write = acquire_writer(&self.shared)?;
        let now = match write.page_count() {
            0 => None,
            _ => Some(write.header().map_err(pager_error)?.change_counter),
        };
        if seen != now {
            return Err(StorageError::new(
                code::BUSY_SNAPSHOT,
                "database is locked (another connection wrote since this transaction began)",
            ));
        }
        for _ in 0..state.read_marks {
            write.savepoint();
        }
        state.read_marks = 0;
        state.pages = Some(Pages::Write(write));
        state.recent = std::array::from_fn(|_| None);
        state.schema_cookie = None;
        state.bump_generation();
        drop(state);
        self.writer = true;
        Ok(())
    }

    fn table_cursor(&self, root: u32) -> StorageResult<Box<dyn TableCursor>> {
        Ok(Box::new(FileTableCursor::new(self.state.clone(), root)?))
    }

    fn index_cursor(&self, root: u32, key: &KeyInfo) -> StorageResult<Box<dyn IndexCursor>> {
        Ok(Box::new(FileIndexCursor::new(
            self.state.clone(),
            root,
            btree_key_info(key),
        )?))
    }

    fn insert_row(&self, root: u32, rowid: i64, values: &[Value]) -> StorageResult<()> {
        let mut guard = lock(&self.state)?;
        let state = &mut *guard;
        let mut hint = state.appends.take(root);
        btree::table_insert_values_hinted(state.writer()?, root, rowid, values, &mut hint)
            .map_err(btree_error)?;
        if let Some(hint) = hint {
            state.appends.put(root, hint);
        }
        if let Some(max) = state.max_rowids.get_mut(&root) {
            *max = Some(max.map_or(rowid, |m| m.max(rowid)));
        }
        Ok(())
    }

    fn contains_row(&self, root: u32, rowid: i64) -> StorageResult<bool> {
        let state = lock(&self.state)?;
        if state.past_last_rowid(root, rowid) {
            return Ok(false);
        }
        let mut cursor = btree::Cursor::new(state.source()?, root);
        cursor
            .seek_rowid(rowid, btree::SeekOp::Eq)
            .map_err(btree_error)
    }

    fn delete_row(&self, root: u32, rowid: i64) -> StorageResult<()> {
        let mut state = lock(&self.state)?;
        state.appends.remove(root);
        btree::table_delete(state.writer()?, root, rowid).map_err(btree_error)?;
        if state.max_rowids.get(&root) == Some(&Some(rowid)) {
            state.max_rowids.remove(&root);
        }
        Ok(())
    }

    fn insert_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()> {
        let record = btree::encode_record(key).map_err(btree_error)?;
        let info = btree_key_info(info);
        self.write(|tx| btree::index_insert(tx, root, &info, &record).map_err(btree_error))
    }

    fn delete_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()> {
        let record = btree::encode_record(key).map_err(btree_error)?;
        let info = btree_key_info(info);
        self.write(|tx| {
            btree::index_delete(tx, root, &info, &record)
                .map(|_| ())
                .map_err(btree_error)
        })
    }

    fn create_table(&self) -> StorageResult<u32> {
        self.write(|tx| btree::create_tree(tx, TreeKind::Table).map_err(btree_error))
    }

    fn create_index(&self) -> StorageResult<u32> {
        self.write(|tx| btree::create_tree(tx, TreeKind::Index).map_err(btree_error))
    }

    fn drop_tree(&self, root: u32) -> StorageResult<()> {
        let mut state = lock(&self.state)?;
        state.max_rowids.remove(&root);
        state.appends.remove(root);
        btree::drop_tree(state.writer()?, root).map_err(btree_error)
    }

    fn clear_tree(&self, root: u32) -> StorageResult<()> {
        let mut state = lock(&self.state)?;
        state.max_rowids.remove(&root);
        state.appends.remove(root);
        btree::clear_tree(state.writer()?, root).map_err(btree_error)
    }

    fn max_rowid(&self, root: u32) -> StorageResult<i64> {
        if let Some(max) = lock(&self.state)?.max_rowids.get(&root) {
            return Ok(max.unwrap_or(0));
        }
        let mut cursor = btree::Cursor::new(PagesHandle(self.state.clone()), root);
        let max = if cursor.last().map_err(btree_error)? {
            Some(cursor.rowid().map_err(btree_error)?)
        } else {
            None
        };
        lock(&self.state)?.max_rowids.insert(root, max);
        Ok(max.unwrap_or(0))
    }

    fn schema_cookie(&self) -> StorageResult<u32> {
        let mut state = lock(&self.state)?;
        if let Some(cookie) = state.schema_cookie {
            return Ok(cookie);
        }
        // Read the four bytes (header offset 40) instead of decoding the whole header,
        // which was checked when the store opened.
        let src = state.source()?;
        let cookie = if src.page_count() == 0 {
            0
        } else {
            let page = src.page(1).map_err(pager_error)?;
            match page.get(40..44) {
                Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                None => return Err(StorageError::corrupt("page 1 is shorter than the header")),
            }
        };
        state.schema_cookie = Some(cookie);
        Ok(cookie)
    }

    fn set_schema_cookie(&self, cookie: u32) -> StorageResult<()> {
        self.update_header(|h| h.schema_cookie = cookie)?;
        lock(&self.state)?.schema_cookie = Some(cookie);
        Ok(())
    }

    fn user_version(&self) -> StorageResult<i32> {
        Ok(self.header()?.user_version as i32)
    }

    fn set_user_version(&self, version: i32) -> StorageResult<()> {
        self.update_header(|h| h.user_version = version as u32)
    }

    fn savepoint(&self) -> StorageResult<usize> {
        let mut guard = lock(&self.state)?;
        let state = &mut *guard;
        match &mut state.pages {
            Some(Pages::Write(tx)) => Ok(tx.savepoint()),
            Some(Pages::Read(_)) => {
                state.read_marks += 1;
                Ok(state.read_marks)
            }
            None => Err(StorageError::new(code::MISUSE, "transaction has ended")),
        }
    }

    fn rollback_to_savepoint(&self, depth: usize) -> StorageResult<()> {
        let mut guard = lock(&self.state)?;
        let state = &mut *guard;
        state.bump_generation();
        state.max_rowids.clear();
        state.appends.clear();
        state.schema_cookie = None;
        match &mut state.pages {
            Some(Pages::Write(tx)) => tx.rollback_to_savepoint(depth).map_err(pager_error),
            Some(Pages::Read(_)) if depth >= 1 && depth <= state.read_marks => {
                state.read_marks = depth;
                Ok(())
            }
            _ => Err(StorageError::new(code::MISUSE, "no such savepoint")),
        }
    }

    fn release_savepoint(&self, depth: usize) -> StorageResult<()> {
        let mut guard = lock(&self.state)?;
        let state = &mut *guard;
        match &mut state.pages {
            Some(Pages::Write(tx)) => tx.release_savepoint(depth).map_err(pager_error),
            Some(Pages::Read(_)) if depth >= 1 && depth <= state.read_marks => {
                state.read_marks = depth - 1;
                Ok(())
            }
            _ => Err(StorageError::new(code::MISUSE, "no such savepoint")),
        }
    }

    fn commit(self: Box<Self>) -> StorageResult<()> {
        let Some(Pages::Write(tx)) = self.take_pages()? else {
            return Ok(());
        };
        let pages = tx.dirty_count() as u64;
        tx.commit().map_err(pager_error)?;
        let since = self
            .shared
            .pages_since_checkpoint
            .fetch_add(pages, AtomicOrdering::Relaxed)
            + pages;
        if since >= AUTOCHECKPOINT_PAGES {
            // A PASSIVE checkpoint never waits; what readers still need stays in the WAL.
            if let Ok(result) = self.shared.pager.checkpoint(CheckpointMode::Passive) {
                if !result.busy && result.backfilled_frames == result.log_frames {
                    self.shared
                        .pages_since_checkpoint
                        .store(0, AtomicOrdering::Relaxed);
                }
            }
        }
        Ok(())
    }

    fn rollback(self: Box<Self>) -> StorageResult<()> {
        drop(self.take_pages()?);
        Ok(())
    }

    fn page_info(&self) -> StorageResult<Option<PageInfo>> {
        self.read(|src| {
            let freelist_count = if src.page_count() == 0 {
                0
            } else {
                let page = src.page(1).map_err(pager_error)?;
                DbHeader::read(&page).map_err(pager_error)?.freelist_count
            };
            Ok(Some(PageInfo {
                page_size: src.page_size() as u32,
                page_count: src.page_count(),
                freelist_count,
            }))
        })
    }

    fn check_integrity(
        &self,
        trees: &[(u32, Option<KeyInfo>)],
        max_errors: usize,
    ) -> StorageResult<Vec<String>> {
        let checks: Vec<btree::TreeCheck> = trees
            .iter()
            .map(|(root, key)| btree::TreeCheck {
                root: *root,
                key: key.as_ref().map(btree_key_info),
            })
            .collect();
        self.read(|src| {
            let mut messages = btree::check_integrity(src, &checks);
            messages.truncate(max_errors);
            Ok(messages)
        })
    }
}
