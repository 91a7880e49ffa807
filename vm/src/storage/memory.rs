//! `MemStore`: an in-memory [`Store`] over ordered maps (a table's rows in runs of up to 64,
//! see [`rows`]), for tests and `open_in_memory` until the MVCC store is plugged in.
//!
//! All trees live in one map behind a mutex. A writing transaction holds the store's single
//! writer lock and writes in place, recording an undo log; savepoints are positions in that
//! log, rollback replays it backwards. Readers of other transactions see a writer's changes
//! before commit (no isolation between connections): this store exists to exercise the
//! executor, not to model concurrency.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeSet, VecDeque};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard};

use concur_btree::Value;

use self::rows::Rows;
use super::{
    code, order_keys, IndexCursor, KeyInfo, StorageError, StorageResult, Store, TableCursor, Txn,
    TxnMode,
};

mod rows;

/// A stored row: shared so cursors can hold it without copying, in one allocation.
type Row = Arc<[Value]>;

/// An index entry (key columns, then rowid) with the order of its index, usable in a
/// `BTreeSet`. The values are shared, like a [`Row`], so that cursors and the undo log hold
/// an entry without copying it; the key info is shared by all entries of one index.
#[derive(Debug, Clone)]
struct Entry {
    /// The key values.
    values: Arc<[Value]>,
    /// How keys order.
    info: Arc<KeyInfo>,
    /// Where a probe prefix sorts relative to the keys it prefixes (`Equal` for an entry);
    /// see [`super::OrderedKey`].
    bias: Ordering,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
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

/// The entries of an index.
type Entries = BTreeSet<Entry>;

/// The entry `key` of `entries`, sharing the key info of the entries already there when it
/// is the same (it always is: one index has one key order).
fn entry(entries: &Entries, key: &[Value], info: &KeyInfo) -> Entry {
    let info = match entries.first() {
        Some(first) if *first.info == *info => first.info.clone(),
        _ => Arc::new(info.clone()),
    };
    Entry {
        values: Arc::from(key),
        info,
        bias: Ordering::Equal,
    }
}

/// One tree of the store.
#[derive(Debug, Clone)]
enum Tree {
    /// A rowid table.
    Table(Rows),
    /// An index: entries ordered by their key info.
    Index(Entries),
}

/// One step of the undo log.
#[derive(Debug)]
enum Undo {
    /// Row `rowid` of `root` held `old` (None: it did not exist).
    Row {
        /// The table.
        root: u32,
        /// The row.
        rowid: i64,
        /// Its previous value.
        old: Option<Row>,
    },
    /// An index entry was inserted (`inserted`) or deleted.
    Entry {
        /// The index.
        root: u32,
        /// The entry.
        key: Entry,
        /// True when the write inserted it.
        inserted: bool,
    },
    /// A tree was created, dropped or cleared; `old` is its previous content.
    Tree {
        /// The tree.
        root: u32,
        /// Its previous content (None: it did not exist).
        old: Option<Tree>,
    },
    /// The schema cookie held this value.
    Cookie(u32),
    /// The user version held this value.
    UserVersion(i32),
}

/// The shared state of a [`MemStore`].
#[derive(Debug)]
struct State {
    /// Every tree by root page.
    trees: Trees,
    /// The root the next created tree gets.
    next_root: u32,
    /// The schema cookie.
    cookie: u32,
    /// The user version.
    user_version: i32,
    /// The transaction holding the writer lock.
    writer: Option<u64>,
}

/// The trees of a store, indexed by root page. Roots are handed out in order from 2 (1 is
/// `sqlite_schema`), so a vector finds a tree without hashing.
#[derive(Debug, Default)]
struct Trees(Vec<Option<Tree>>);

impl Trees {
    /// The tree at `root`.
    fn get(&self, root: u32) -> Option<&Tree> {
        self.0.get(root as usize).and_then(Option::as_ref)
    }

    /// The tree at `root`, to change.
    fn get_mut(&mut self, root: u32) -> Option<&mut Tree> {
        self.0.get_mut(root as usize).and_then(Option::as_mut)
    }

    /// Places `tree` at `root` (a root the store handed out); returns the tree it replaces.
    fn insert(&mut self, root: u32, tree: Tree) -> Option<Tree> {
        let at = root as usize;
        if self.0.len() <= at {
            self.0.resize_with(at + 1, || None);
        }
        self.0[at].replace(tree)
    }

    /// Removes the tree at `root`.
    fn remove(&mut self, root: u32) -> Option<Tree> {
        self.0.get_mut(root as usize).and_then(Option::take)
    }
}

/// An in-memory database.
#[derive(Debug, Clone)]
pub struct MemStore {
    /// The shared state.
    state: Arc<Mutex<State>>,
    /// The id source for transactions.
    ids: Arc<AtomicU64>,
    /// Counts writes; a cursor's read-ahead is good while it has not moved.
    writes: Arc<AtomicU64>,
}

impl Default for MemStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemStore {
    /// An empty database holding only the empty `sqlite_schema` table at root 1.
    pub fn new() -> MemStore {
        let mut trees = Trees::default();
        trees.insert(1, Tree::Table(Rows::new()));
        MemStore {
            state: Arc::new(Mutex::new(State {
                trees,
                next_root: 2,
                cookie: 0,
                user_version: 0,
                writer: None,
            })),
            ids: Arc::new(AtomicU64::new(1)),
            writes: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// Locks the state; a poisoned lock (a panic elsewhere) is an internal error.
fn lock(state: &Mutex<State>) -> StorageResult<MutexGuard<'_, State>> {
    state
        .lock()
        .map_err(|_| StorageError::new(code::INTERNAL, "store lock poisoned"))
}

impl Store for MemStore {
    fn begin(&self, mode: TxnMode) -> StorageResult<Box<dyn Txn>> {
        let id = self.ids.fetch_add(1, AtomicOrdering::Relaxed);
        let mut txn = MemTxn {
            state: self.state.clone(),
            id,
            writes: self.writes.clone(),
            writer: false,
            undo: RefCell::new(Vec::new()),
            marks: RefCell::new(Vec::new()),
        };
        if mode != TxnMode::Read {
            txn.begin_write()?;
        }
        Ok(Box::new(txn))
    }
}

/// A transaction of a [`MemStore`].
#[derive(Debug)]
struct MemTxn {
    /// The shared state.
    state: Arc<Mutex<State>>,
    /// This transaction's id (the writer lock's owner).
    id: u64,
    /// The store's write counter.
    writes: Arc<AtomicU64>,
    /// Whether it holds the writer lock.
    writer: bool,
    /// Undo steps of every write, oldest first. (A transaction belongs to one thread at a
    /// time, `Txn` is `Send` but not `Sync`: a cell suffices for the `&self` methods.)
    undo: RefCell<Vec<Undo>>,
    /// Savepoint marks: undo log lengths.
    marks: RefCell<Vec<usize>>,
}

impl MemTxn {
    /// Locks the state for a write, recording `undo`.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut State) -> StorageResult<(T, Option<Undo>)>,
    ) -> StorageResult<T> {
        if !self.writer {
            return Err(StorageError::new(
                code::READONLY,
                "attempt to write in a read transaction",
            ));
        }
        let mut state = lock(&self.state)?;
        // Counted before the change, under the lock: a cursor that reads the new count
        // afterwards and refills sees the change.
        self.writes.fetch_add(1, AtomicOrdering::Release);
        let (result, undo) = f(&mut state)?;
        if let Some(undo) = undo {
            self.undo
                .try_borrow_mut()
                .map_err(|_| StorageError::new(code::INTERNAL, "undo log in use"))?
                .push(undo);
        }
        Ok(result)
    }

    /// Undoes the log down to `length` entries.
    fn undo_to(&self, length: usize) -> StorageResult<()> {
        let mut state = lock(&self.state)?;
        self.writes.fetch_add(1, AtomicOrdering::Release);
        let mut undo = self
            .undo
            .try_borrow_mut()
            .map_err(|_| StorageError::new(code::INTERNAL, "undo log in use"))?;
        while undo.len() > length {
            let Some(step) = undo.pop() else { break };
            match step {
                Undo::Row { root, rowid, old } => {
                    if let Some(Tree::Table(rows)) = state.trees.get_mut(root) {
                        match old {
                            Some(row) => rows.insert(rowid, row),
                            None => rows.remove(rowid),
                        };
                    }
                }
                Undo::Entry {
                    root,
                    key,
                    inserted,
                } => {
                    if let Some(Tree::Index(entries)) = state.trees.get_mut(root) {
                        if inserted {
                            entries.remove(&key);
                        } else {
                            entries.insert(key);
                        }
                    }
                }
                Undo::Tree { root, old } => match old {
                    Some(tree) => {
                        state.trees.insert(root, tree);
                    }
                    None => {
                        state.trees.remove(root);
                    }
                },
                Undo::Cookie(c) => state.cookie = c,
                Undo::UserVersion(v) => state.user_version = v,
            }
        }
        Ok(())
    }

    /// Releases the writer lock.
    fn finish(&mut self) {
        if self.writer {
            if let Ok(mut state) = self.state.lock() {
                if state.writer == Some(self.id) {
                    state.writer = None;
                }
            }
            self.writer = false;
        }
    }
}

impl Drop for MemTxn {
    fn drop(&mut self) {
        if self.writer {
            let _ = self.undo_to(0);
        }
        self.finish();
    }
}

/// The table tree `root` of `state`.
fn table(state: &mut State, root: u32) -> StorageResult<&mut Rows> {
    match state.trees.get_mut(root) {
        Some(Tree::Table(rows)) => Ok(rows),
        _ => Err(StorageError::corrupt(format!(
            "no table tree at root {root}"
        ))),
    }
}

/// The index tree `root` of `state`; an empty tree created as a table becomes an index.
fn index(state: &mut State, root: u32) -> StorageResult<&mut Entries> {
    match state.trees.get_mut(root) {
        Some(Tree::Index(entries)) => Ok(entries),
        _ => Err(StorageError::corrupt(format!(
            "no index tree at root {root}"
        ))),
    }
}

impl Txn for MemTxn {
    fn is_writer(&self) -> bool {
        self.writer
    }

    fn begin_write(&mut self) -> StorageResult<()> {
        if self.writer {
            return Ok(());
        }
        let mut state = lock(&self.state)?;
        if state.writer.is_some() {
            return Err(StorageError::new(code::BUSY, "database is locked"));
        }
        state.writer = Some(self.id);
        self.writer = true;
        Ok(())
    }

    fn table_cursor(&self, root: u32) -> StorageResult<Box<dyn TableCursor>> {
        table(&mut *lock(&self.state)?, root)?;
        Ok(Box::new(MemTableCursor {
            state: self.state.clone(),
            writes: self.writes.clone(),
            root,
            current: None,
            ahead: VecDeque::new(),
            ahead_forward: true,
            ahead_writes: 0,
            batch: 0,
        }))
    }

    fn index_cursor(&self, root: u32, key: &KeyInfo) -> StorageResult<Box<dyn IndexCursor>> {
        index(&mut *lock(&self.state)?, root)?;
        Ok(Box::new(MemIndexCursor {
            state: self.state.clone(),
            writes: self.writes.clone(),
            root,
            info: Arc::new(key.clone()),
            current: None,
            ahead: VecDeque::new(),
            ahead_forward: true,
            ahead_writes: 0,
            batch: 0,
        }))
    }

    fn insert_row(&self, root: u32, rowid: i64, values: &[Value]) -> StorageResult<()> {
        self.write(|state| {
            let old = table(state, root)?.insert(rowid, Arc::from(values));
            Ok(((), Some(Undo::Row { root, rowid, old })))
        })
    }

    fn insert_row_owned(
        &self,
        root: u32,
        rowid: i64,
        values: &mut Vec<Value>,
    ) -> StorageResult<()> {
        self.write(|state| {
            let row: Arc<[Value]> = values.drain(..).collect();
            let old = table(state, root)?.insert(rowid, row);
            Ok(((), Some(Undo::Row { root, rowid, old })))
        })
    }

    fn contains_row(&self, root: u32, rowid: i64) -> StorageResult<bool> {
        let mut state = lock(&self.state)?;
        let rows = table(&mut state, root)?;
        // Past the last rowid (an append, the usual insert) there is nothing to search.
        if rows.last_rowid().is_none_or(|last| last < rowid) {
            return Ok(false);
        }
        Ok(rows.contains(rowid))
    }

    fn delete_row(&self, root: u32, rowid: i64) -> StorageResult<()> {
        self.write(|state| {
            let old = table(state, root)?.remove(rowid);
            let undo = old.map(|row| Undo::Row {
                root,
                rowid,
                old: Some(row),
            });
            Ok(((), undo))
        })
    }

    fn insert_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()> {
        self.write(|state| {
            let entries = index(state, root)?;
            let key = entry(entries, key, info);
            let inserted = entries.insert(key.clone());
            let undo = inserted.then_some(Undo::Entry {
                root,
                key,
                inserted: true,
            });
            Ok(((), undo))
        })
    }

    fn delete_index(&self, root: u32, key: &[Value], info: &KeyInfo) -> StorageResult<()> {
        self.write(|state| {
            let entries = index(state, root)?;
            let key = entry(entries, key, info);
            let removed = entries.take(&key);
            let undo = removed.map(|key| Undo::Entry {
                root,
                key,
                inserted: false,
            });
            Ok(((), undo))
        })
    }

    fn create_table(&self) -> StorageResult<u32> {
        self.write(|state| {
            let root = state.next_root;
            state.next_root += 1;
            state.trees.insert(root, Tree::Table(Rows::new()));
            Ok((root, Some(Undo::Tree { root, old: None })))
        })
    }

    fn create_index(&self) -> StorageResult<u32> {
        self.write(|state| {
            let root = state.next_root;
            state.next_root += 1;
            state.trees.insert(root, Tree::Index(BTreeSet::new()));
            Ok((root, Some(Undo::Tree { root, old: None })))
        })
    }

    fn drop_tree(&self, root: u32) -> StorageResult<()> {
        self.write(|state| {
            let old = state.trees.remove(root);
            Ok(((), Some(Undo::Tree { root, old })))
        })
    }

    fn clear_tree(&self, root: u32) -> StorageResult<()> {
        self.write(|state| {
            let Some(tree) = state.trees.get_mut(root) else {
                return Err(StorageError::corrupt(format!("no tree at root {root}")));
            };
            let empty = match tree {
                Tree::Table(_) => Tree::Table(Rows::new()),
                Tree::Index(_) => Tree::Index(BTreeSet::new()),
            };
            let old = std::mem::replace(tree, empty);
            Ok((
                (),
                Some(Undo::Tree {
                    root,
                    old: Some(old),
                }),
            ))
        })
    }

    fn max_rowid(&self, root: u32) -> StorageResult<i64> {
        let mut state = lock(&self.state)?;
        Ok(table(&mut state, root)?.last_rowid().unwrap_or(0))
    }

    fn schema_cookie(&self) -> StorageResult<u32> {
        Ok(lock(&self.state)?.cookie)
    }

    fn set_schema_cookie(&self, cookie: u32) -> StorageResult<()> {
        self.write(|state| {
            let old = std::mem::replace(&mut state.cookie, cookie);
            Ok(((), Some(Undo::Cookie(old))))
        })
    }

    fn user_version(&self) -> StorageResult<i32> {
        Ok(lock(&self.state)?.user_version)
    }

    fn set_user_version(&self, version: i32) -> StorageResult<()> {
        self.write(|state| {
            let old = std::mem::replace(&mut state.user_version, version);
            Ok(((), Some(Undo::UserVersion(old))))
        })
    }

    fn savepoint(&self) -> StorageResult<usize> {
        let length = self
            .undo
            .try_borrow_mut()
            .map_err(|_| StorageError::new(code::INTERNAL, "undo log in use"))?
            .len();
        let mut marks = self
            .marks
            .try_borrow_mut()
            .map_err(|_| StorageError::new(code::INTERNAL, "savepoint marks in use"))?;
        marks.push(length);
        Ok(marks.len())
    }

    fn rollback_to_savepoint(&self, depth: usize) -> StorageResult<()> {
        let length = {
            let mut marks = self
                .marks
                .try_borrow_mut()
                .map_err(|_| StorageError::new(code::INTERNAL, "savepoint marks in use"))?;
            marks.truncate(depth);
            match marks.last() {
                Some(length) if depth > 0 => *length,
                _ => return Err(StorageError::new(code::MISUSE, "no such savepoint")),
            }
        };
        self.undo_to(length)
    }

    fn release_savepoint(&self, depth: usize) -> StorageResult<()> {
        let mut marks = self
            .marks
            .try_borrow_mut()
            .map_err(|_| StorageError::new(code::INTERNAL, "savepoint marks in use"))?;
        // The undo log stays whole: a full rollback still needs it. (Shrinking its spare
        // capacity here reallocated the whole log after every statement of a transaction.)
        marks.truncate(depth.saturating_sub(1));
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> StorageResult<()> {
        if let Ok(mut undo) = self.undo.try_borrow_mut() {
            undo.clear();
        }
        self.finish();
        Ok(())
    }

    fn rollback(mut self: Box<Self>) -> StorageResult<()> {
        if self.writer {
            self.undo_to(0)?;
        }
        self.finish();
        Ok(())
    }
}

/// A cursor over a table of a [`MemStore`]. Each move re-finds its place from the current
/// rowid, so writes under it are harmless; to spare a descent of the tree per row, a move
/// in a scan reads the next rows ahead in one range walk and serves them while the store's
/// write counter says nothing was written since.
struct MemTableCursor {
    /// The shared state.
    state: Arc<Mutex<State>>,
    /// The store's write counter.
    writes: Arc<AtomicU64>,
    /// The table.
    root: u32,
    /// The current row.
    current: Option<(i64, Row)>,
    /// Rows read ahead, in the order the cursor will visit them.
    ahead: VecDeque<(i64, Row)>,
    /// Whether `ahead` runs forward (`next`) or backward (`prev`).
    ahead_forward: bool,
    /// The write count when `ahead` was read.
    ahead_writes: u64,
    /// How many rows or entries the last read-ahead asked for: a seek starts at
    /// [`AHEAD_MIN`], each refill of the same scan doubles it.
    batch: usize,
}

/// Rows read ahead by the first move of a scan; each refill doubles it up to [`AHEAD_MAX`]
/// (so that the short scans of a join's inner loop, one per outer row, read little more than
/// they visit).
const AHEAD_MIN: usize = 4;
/// The most rows read ahead at once.
const AHEAD_MAX: usize = 128;

impl MemTableCursor {
    /// Moves to the first row from `bound` on (`forward`) or the last up to it, and reads up
    /// to `ahead` more rows in that direction.
    fn place(&mut self, bound: Bound<i64>, forward: bool, ahead: usize) -> StorageResult<bool> {
        let state = lock(&self.state)?;
        self.ahead_writes = self.writes.load(AtomicOrdering::Acquire);
        let rows = match state.trees.get(self.root) {
            Some(Tree::Table(rows)) => rows,
            _ => {
                return Err(StorageError::corrupt(format!(
                    "no table tree at root {}",
                    self.root
                )))
            }
        };
        self.ahead.clear();
        self.ahead_forward = forward;
        self.batch = ahead;
        if forward {
            self.ahead
                .extend(rows.ascending(bound).take(ahead + 1).cloned());
        } else {
            self.ahead
                .extend(rows.descending(bound).take(ahead + 1).cloned());
        }
        self.current = self.ahead.pop_front();
        Ok(self.current.is_some())
    }

    /// Moves one row on in `forward` direction: from the read-ahead when it is still good,
    /// else by a fresh walk from the current rowid.
    fn step(&mut self, forward: bool) -> StorageResult<bool> {
        let Some((rowid, _)) = self.current else {
            return Ok(false);
        };
        if self.ahead_forward == forward
            && self.ahead_writes == self.writes.load(AtomicOrdering::Acquire)
        {
            if let Some(row) = self.ahead.pop_front() {
                self.current = Some(row);
                return Ok(true);
            }
        }
        let ahead = (self.batch * 2).clamp(AHEAD_MIN, AHEAD_MAX);
        self.place(Bound::Excluded(rowid), forward, ahead)
    }

    /// The current row or an error.
    fn current(&self) -> StorageResult<&(i64, Row)> {
        self.current
            .as_ref()
            .ok_or_else(|| StorageError::new(code::MISUSE, "cursor is not on a row"))
    }
}

impl TableCursor for MemTableCursor {
    fn first(&mut self) -> StorageResult<bool> {
        self.place(Bound::Unbounded, true, AHEAD_MIN)
    }

    fn last(&mut self) -> StorageResult<bool> {
        self.place(Bound::Unbounded, false, AHEAD_MIN)
    }

    fn next(&mut self) -> StorageResult<bool> {
        self.step(true)
    }

    fn prev(&mut self) -> StorageResult<bool> {
        self.step(false)
    }

    fn seek(&mut self, rowid: i64) -> StorageResult<bool> {
        let state = lock(&self.state)?;
        self.ahead.clear();
        self.batch = 0;
        self.current = match state.trees.get(self.root) {
            Some(Tree::Table(rows)) => rows.get(rowid).map(|row| (rowid, row.clone())),
            _ => {
                return Err(StorageError::corrupt(format!(
                    "no table tree at root {}",
                    self.root
                )))
            }
        };
        Ok(self.current.is_some())
    }

    fn seek_ge(&mut self, rowid: i64) -> StorageResult<bool> {
        self.place(Bound::Included(rowid), true, AHEAD_MIN)
    }

    fn seek_le(&mut self, rowid: i64) -> StorageResult<bool> {
        self.place(Bound::Included(rowid), false, AHEAD_MIN)
    }

    fn valid(&self) -> bool {
        self.current.is_some()
    }

    fn rowid(&self) -> StorageResult<i64> {
        Ok(self.current()?.0)
    }

    fn column(&mut self, index: usize) -> StorageResult<Value> {
        Ok(self.current()?.1.get(index).cloned().unwrap_or(Value::Null))
    }

    fn row(&mut self) -> StorageResult<Vec<Value>> {
        Ok(self.current()?.1.to_vec())
    }
}

/// A cursor over an index of a [`MemStore`]. Like [`MemTableCursor`], each move re-finds
/// its place from the current entry, and a move in a scan reads the next entries ahead in
/// one range walk, served while the store's write counter says nothing was written since.
struct MemIndexCursor {
    /// The shared state.
    state: Arc<Mutex<State>>,
    /// The store's write counter.
    writes: Arc<AtomicU64>,
    /// The index.
    root: u32,
    /// How keys order.
    info: Arc<KeyInfo>,
    /// The current entry.
    current: Option<Arc<[Value]>>,
    /// Entries read ahead, in the order the cursor will visit them.
    ahead: VecDeque<Arc<[Value]>>,
    /// Whether `ahead` runs forward (`next`) or backward (`prev`).
    ahead_forward: bool,
    /// The write count when `ahead` was read.
    ahead_writes: u64,
    /// How many rows or entries the last read-ahead asked for: a seek starts at
    /// [`AHEAD_MIN`], each refill of the same scan doubles it.
    batch: usize,
}

impl MemIndexCursor {
    /// A probe for `prefix` sorting before (`Less`) or after (`Greater`) its group, or at
    /// the entry itself (`Equal`).
    fn probe(&self, prefix: &[Value], bias: Ordering) -> Entry {
        Entry {
            values: Arc::from(prefix),
            info: self.info.clone(),
            bias,
        }
    }

    /// Moves to the first entry within `range`, from the front (`forward`) or the back, and
    /// reads up to `ahead` more entries in that direction.
    fn place(
        &mut self,
        range: (Bound<Entry>, Bound<Entry>),
        forward: bool,
        ahead: usize,
    ) -> StorageResult<bool> {
        let mut state = lock(&self.state)?;
        self.ahead_writes = self.writes.load(AtomicOrdering::Acquire);
        let entries = index(&mut state, self.root)?;
        let found = entries.range(range).map(|e| e.values.clone());
        self.ahead.clear();
        self.ahead_forward = forward;
        self.batch = ahead;
        if forward {
            self.ahead.extend(found.take(ahead + 1));
        } else {
            self.ahead.extend(found.rev().take(ahead + 1));
        }
        self.current = self.ahead.pop_front();
        Ok(self.current.is_some())
    }

    /// Moves one entry on in `forward` direction: from the read-ahead when it is still
    /// good, else by a fresh walk from the current entry.
    fn step(&mut self, forward: bool) -> StorageResult<bool> {
        let Some(key) = self.current.take() else {
            return Ok(false);
        };
        if self.ahead_forward == forward
            && self.ahead_writes == self.writes.load(AtomicOrdering::Acquire)
        {
            if let Some(next) = self.ahead.pop_front() {
                self.current = Some(next);
                return Ok(true);
            }
        }
        let ahead = (self.batch * 2).clamp(AHEAD_MIN, AHEAD_MAX);
        let key = Entry {
            values: key,
            info: self.info.clone(),
            bias: Ordering::Equal,
        };
        if forward {
            self.place((Bound::Excluded(key), Bound::Unbounded), true, ahead)
        } else {
            self.place((Bound::Unbounded, Bound::Excluded(key)), false, ahead)
        }
    }
}

impl IndexCursor for MemIndexCursor {
    fn first(&mut self) -> StorageResult<bool> {
        self.place((Bound::Unbounded, Bound::Unbounded), true, AHEAD_MIN)
    }

    fn last(&mut self) -> StorageResult<bool> {
        self.place((Bound::Unbounded, Bound::Unbounded), false, AHEAD_MIN)
    }

    fn next(&mut self) -> StorageResult<bool> {
        self.step(true)
    }

    fn prev(&mut self) -> StorageResult<bool> {
        self.step(false)
    }

    fn seek_ge(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool> {
        let bias = if inclusive {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        let probe = self.probe(prefix, bias);
        self.place((Bound::Included(probe), Bound::Unbounded), true, AHEAD_MIN)
    }

    fn seek_le(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool> {
        let bias = if inclusive {
            Ordering::Greater
        } else {
            Ordering::Less
        };
        let probe = self.probe(prefix, bias);
        self.place((Bound::Unbounded, Bound::Included(probe)), false, AHEAD_MIN)
    }

    fn valid(&self) -> bool {
        self.current.is_some()
    }

    fn key(&mut self) -> StorageResult<&[Value]> {
        self.current
            .as_deref()
            .ok_or_else(|| StorageError::new(code::MISUSE, "cursor is not on an entry"))
    }
}
