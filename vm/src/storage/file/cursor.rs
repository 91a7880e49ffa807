//! Cursors of a [`super::FileStore`] transaction: B-tree cursors that survive writes of their
//! own transaction by re-seeking their last key (see the module essay, "Cursors under writes").

use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

use concur_btree::{self as btree, Payload, RecordLayout, SeekOp, Value, ValueRef};

use super::{btree_error, lock, PagesHandle, TxnPages};
use crate::storage::{code, IndexCursor, KeyInfo, StorageError, StorageResult, TableCursor};

/// The write generation of a transaction: bumped by each of its writes, read by its cursors
/// once per step without taking the transaction's lock.
#[derive(Clone)]
struct Writes(Arc<AtomicU64>);

impl Writes {
    /// The counter of the transaction behind `state`.
    fn of(state: &Arc<Mutex<TxnPages>>) -> StorageResult<Writes> {
        Ok(Writes(lock(state)?.generation.clone()))
    }

    /// The generation now.
    fn now(&self) -> u64 {
        self.0.load(AtomicOrdering::Acquire)
    }
}

/// One step of a B-tree cursor, forward or back.
fn step(cursor: &mut btree::Cursor<PagesHandle>, forward: bool) -> StorageResult<bool> {
    if forward {
        cursor.next().map_err(btree_error)
    } else {
        cursor.prev().map_err(btree_error)
    }
}

/// Where the record of the row under a table cursor is.
enum Record {
    /// On the cursor's current page: `len` bytes at `start` (the common case, which reads
    /// the page in place).
    OnPage { start: usize, len: usize },
    /// Gathered from its overflow pages.
    Spilled(Payload),
    /// Nowhere: the cursor is on no row, or the row was deleted since the cursor moved to
    /// it.
    Gone,
}

/// The row under a table cursor: where its record is and the layout of the record, read
/// only as far as the columns asked for.
struct CurrentRow {
    /// Whether `record` and `layout` describe the current row (after writes, the row is
    /// found again first).
    loaded: bool,
    /// The row's record.
    record: Record,
    /// Where the values read so far lie in the record.
    layout: RecordLayout,
}

impl CurrentRow {
    /// Notes where the record of the row `cursor` is on lies (`span` as
    /// [`btree::Cursor::entry_span`] gives it), to be loaded on first use.
    fn locate(
        &mut self,
        cursor: &btree::Cursor<PagesHandle>,
        span: Option<(usize, usize)>,
    ) -> StorageResult<()> {
        self.loaded = false;
        self.record = match span {
            Some((start, len)) => Record::OnPage { start, len },
            None => Record::Spilled(cursor.payload_ref().map_err(btree_error)?),
        };
        Ok(())
    }

    /// Reads the header size of the record, once per row.
    fn load(&mut self, cursor: &btree::Cursor<PagesHandle>) -> StorageResult<()> {
        if !self.loaded {
            match record_bytes(&self.record, cursor)? {
                Some(bytes) => self.layout.start(bytes).map_err(btree_error)?,
                None => self.layout.clear(),
            }
            self.loaded = true;
        }
        Ok(())
    }

    /// Value `index` of the loaded row; NULL past the record's end (a column added by
    /// ALTER TABLE ADD COLUMN, or a deleted row).
    #[inline]
    fn value(&mut self, cursor: &btree::Cursor<PagesHandle>, index: usize) -> StorageResult<Value> {
        let Some(bytes) = record_bytes(&self.record, cursor)? else {
            return Ok(Value::Null);
        };
        let value = self.layout.value(bytes, index).map_err(btree_error)?;
        Ok(value.map_or(Value::Null, ValueRef::to_value))
    }

    /// Value `index` of the loaded row when it is an integer.
    fn integer(
        &mut self,
        cursor: &btree::Cursor<PagesHandle>,
        index: usize,
    ) -> StorageResult<Option<i64>> {
        let Some(bytes) = record_bytes(&self.record, cursor)? else {
            return Ok(None);
        };
        self.layout.integer(bytes, index).map_err(btree_error)
    }

    /// All values of the loaded row.
    fn values(&mut self, cursor: &btree::Cursor<PagesHandle>) -> StorageResult<Vec<Value>> {
        let Some(bytes) = record_bytes(&self.record, cursor)? else {
            return Ok(Vec::new());
        };
        let len = self.layout.len(bytes).map_err(btree_error)?;
        (0..len).map(|i| self.value(cursor, i)).collect()
    }
}

/// The bytes of `record`, of the row `cursor` is on; `None` for a row that is gone.
#[inline]
fn record_bytes<'a>(
    record: &'a Record,
    cursor: &'a btree::Cursor<PagesHandle>,
) -> StorageResult<Option<&'a [u8]>> {
    match record {
        Record::OnPage { start, len } => cursor
            .page_bytes()
            .and_then(|page| page.get(*start..*start + *len))
            .map(Some)
            .ok_or_else(|| StorageError::new(code::INTERNAL, "row moved off its page")),
        Record::Spilled(payload) => Ok(Some(payload.bytes())),
        Record::Gone => Ok(None),
    }
}

/// A cursor over a rowid table.
pub(crate) struct FileTableCursor {
    /// The transaction's pages (for what it knows about the end of the table).
    state: Arc<Mutex<TxnPages>>,
    /// The table's root page.
    root: u32,
    /// The transaction's write generation.
    writes: Writes,
    /// The B-tree cursor.
    cursor: btree::Cursor<PagesHandle>,
    /// The write generation the cursor last positioned in.
    generation: u64,
    /// The current row's rowid; `None` when the cursor is on no row.
    rowid: Option<i64>,
    /// The current row, read on first use.
    row: CurrentRow,
}

impl FileTableCursor {
    /// A cursor on the table rooted at `root`, positioned nowhere.
    pub(crate) fn new(state: Arc<Mutex<TxnPages>>, root: u32) -> StorageResult<FileTableCursor> {
        let writes = Writes::of(&state)?;
        let cursor = btree::Cursor::new(PagesHandle(state.clone()), root);
        Ok(FileTableCursor {
            state,
            root,
            writes,
            cursor,
            generation: 0,
            rowid: None,
            row: CurrentRow {
                loaded: false,
                record: Record::Gone,
                layout: RecordLayout::new(),
            },
        })
    }

    /// Records where a move left the cursor.
    #[inline]
    fn settle(&mut self, found: bool) -> StorageResult<bool> {
        self.generation = self.writes.now();
        self.row.loaded = false;
        if found {
            // The common row, read without the general cell parse.
            if let Some((rowid, start, record)) = self.cursor.local_table_entry() {
                self.row.record = Record::OnPage {
                    start,
                    len: record.len(),
                };
                self.rowid = Some(rowid);
                // Its header is read now, while the cell is at hand: a scan reads a column
                // of nearly every row it visits.
                self.row.loaded = self.row.layout.start(record).is_ok();
                return Ok(true);
            }
        }
        self.settle_any(found)
    }

    /// [`FileTableCursor::settle`] for every kind of entry, or none.
    fn settle_any(&mut self, found: bool) -> StorageResult<bool> {
        self.row.record = Record::Gone;
        self.rowid = None;
        if found && self.cursor.is_valid() {
            let (rowid, span) = self.cursor.entry_span().map_err(btree_error)?;
            self.row.locate(&self.cursor, span)?;
            self.rowid = Some(rowid);
        }
        Ok(self.rowid.is_some())
    }

    /// Whether a write happened since the cursor positioned.
    fn stale(&self) -> bool {
        self.writes.now() != self.generation
    }

    /// Before a move from the root: after writes, the pages the cursor holds may be old
    /// images, which its seeks must not reuse.
    fn forget_if_stale(&mut self) {
        if self.stale() {
            self.cursor.clear();
        }
    }

    /// Steps forward (or back) from `rowid` after writes moved the tree under the cursor:
    /// re-seek it, and step only if it is still there.
    fn step_from(&mut self, rowid: i64, forward: bool) -> StorageResult<bool> {
        self.cursor.clear();
        let op = if forward { SeekOp::Ge } else { SeekOp::Le };
        if !self.cursor.seek_rowid(rowid, op).map_err(btree_error)? {
            return Ok(false);
        }
        if self.cursor.rowid().map_err(btree_error)? != rowid {
            // The row is gone; the seek already landed on its neighbour.
            return Ok(true);
        }
        step(&mut self.cursor, forward)
    }

    /// Moves to the neighbouring row.
    fn advance(&mut self, forward: bool) -> StorageResult<bool> {
        let Some(rowid) = self.rowid else {
            return Ok(false);
        };
        let found = if self.stale() {
            self.step_from(rowid, forward)?
        } else {
            step(&mut self.cursor, forward)?
        };
        self.settle(found)
    }

    /// Loads the current row if it is not loaded yet (a loaded row is always on a rowid). The
    /// check is inline: a scan's column reads after the first find the row loaded.
    #[inline]
    fn load_row(&mut self) -> StorageResult<()> {
        if self.row.loaded {
            return Ok(());
        }
        self.reload_row()
    }

    /// [`FileTableCursor::load_row`] for a row not loaded: re-found first if writes happened
    /// since the cursor moved (a row deleted meanwhile reads as all NULL).
    fn reload_row(&mut self) -> StorageResult<()> {
        let Some(rowid) = self.rowid else {
            return Err(StorageError::new(code::MISUSE, "cursor is not on a row"));
        };
        if self.stale() {
            self.cursor.clear();
            let present = self
                .cursor
                .seek_rowid(rowid, SeekOp::Eq)
                .map_err(btree_error)?;
            self.generation = self.writes.now();
            if present {
                let (_, span) = self.cursor.entry_span().map_err(btree_error)?;
                self.row.locate(&self.cursor, span)?;
            } else {
                self.row.record = Record::Gone;
            }
        }
        self.row.load(&self.cursor)
    }
}

impl TableCursor for FileTableCursor {
    fn first(&mut self) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self.cursor.first().map_err(btree_error)?;
        self.settle(found)
    }

    fn last(&mut self) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self.cursor.last().map_err(btree_error)?;
        self.settle(found)
    }

    fn next(&mut self) -> StorageResult<bool> {
        // The common step, to the next cell of the same leaf with no write since the cursor
        // moved, without the calls of the general one.
        if self.rowid.is_some() && !self.stale() && self.cursor.next_in_leaf() {
            return self.settle(true);
        }
        self.advance(true)
    }

    fn prev(&mut self) -> StorageResult<bool> {
        self.advance(false)
    }

    fn seek(&mut self, rowid: i64) -> StorageResult<bool> {
        self.forget_if_stale();
        // The append shortcut: only a transaction that wrote has hints (and a skipped
        // shortcut only costs a search).
        if self.writes.now() != 0 && lock(&self.state)?.past_last_rowid(self.root, rowid) {
            self.cursor.clear();
            return self.settle(false);
        }
        let found = self
            .cursor
            .seek_rowid(rowid, SeekOp::Eq)
            .map_err(btree_error)?;
        self.settle(found)
    }

    fn seek_ge(&mut self, rowid: i64) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self
            .cursor
            .seek_rowid(rowid, SeekOp::Ge)
            .map_err(btree_error)?;
        self.settle(found)
    }

    fn seek_le(&mut self, rowid: i64) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self
            .cursor
            .seek_rowid(rowid, SeekOp::Le)
            .map_err(btree_error)?;
        self.settle(found)
    }

    fn valid(&self) -> bool {
        self.rowid.is_some()
    }

    fn rowid(&self) -> StorageResult<i64> {
        self.rowid
            .ok_or_else(|| StorageError::new(code::MISUSE, "cursor is not on a row"))
    }

    fn column(&mut self, index: usize) -> StorageResult<Value> {
        self.load_row()?;
        self.row.value(&self.cursor, index)
    }

    fn column_integer(&mut self, index: usize) -> StorageResult<Option<i64>> {
        self.load_row()?;
        self.row.integer(&self.cursor, index)
    }

    fn row(&mut self) -> StorageResult<Vec<Value>> {
        self.load_row()?;
        self.row.values(&self.cursor)
    }
}

/// A cursor over an index.
///
/// In a reading transaction an entry's key is decoded only when asked for: an index loop
/// compares entries with its bound ([`IndexCursor::compare_key`]) and reads their rowids
/// ([`IndexCursor::entry_rowid`]) from the stored records. In a writing one it is decoded
/// as the cursor lands, because a write may change the tree before the next step, which
/// then re-seeks the key it was on.
pub(crate) struct FileIndexCursor {
    /// The transaction's write generation.
    writes: Writes,
    /// The B-tree cursor.
    cursor: btree::Cursor<PagesHandle>,
    /// How keys order.
    info: btree::KeyInfo,
    /// The write generation the cursor last positioned in.
    generation: u64,
    /// Whether the cursor is on an entry.
    on_entry: bool,
    /// Whether keys are decoded as the cursor lands (the transaction writes).
    eager: bool,
    /// Where the current entry's record lies on the cursor's page, when it lies wholly
    /// there and is not decoded yet.
    local: Option<std::ops::Range<usize>>,
    /// The current entry's key (key columns, then rowid), once decoded.
    key: Option<Vec<Value>>,
    /// A key buffer to decode the next entry into.
    spare: Vec<Value>,
}

impl FileIndexCursor {
    /// A cursor on the index rooted at `root`, ordered by `info`, positioned nowhere.
    pub(crate) fn new(
        state: Arc<Mutex<TxnPages>>,
        root: u32,
        info: btree::KeyInfo,
    ) -> StorageResult<FileIndexCursor> {
        let writes = Writes::of(&state)?;
        let eager = matches!(lock(&state)?.pages, Some(super::Pages::Write(_)));
        let cursor = btree::Cursor::new(PagesHandle(state), root);
        Ok(FileIndexCursor {
            writes,
            cursor,
            info,
            generation: 0,
            on_entry: false,
            eager,
            local: None,
            key: None,
            spare: Vec::new(),
        })
    }

    /// Records where a move left the cursor.
    fn settle(&mut self, found: bool) -> StorageResult<bool> {
        self.generation = self.writes.now();
        if let Some(key) = self.key.take() {
            self.spare = key;
        }
        self.on_entry = found && self.cursor.is_valid();
        self.local = None;
        if self.on_entry {
            if self.eager {
                self.decode()?;
            } else {
                self.local = self.cursor.local_index_payload_range();
            }
        }
        Ok(self.on_entry)
    }

    /// The current entry's record, on the page, while it is not decoded.
    fn local_record(&self) -> Option<&[u8]> {
        self.cursor.page_bytes()?.get(self.local.clone()?)
    }

    /// Decodes the current entry's key into `key`, if it is not decoded yet.
    fn decode(&mut self) -> StorageResult<&[Value]> {
        if !self.on_entry {
            return Err(StorageError::new(code::MISUSE, "cursor is not on an entry"));
        }
        if self.key.is_none() {
            let mut key = std::mem::take(&mut self.spare);
            self.cursor.record_into(&mut key).map_err(btree_error)?;
            self.key = Some(key);
        }
        Ok(self.key.as_deref().unwrap_or_default())
    }

    /// Moves to the neighbouring entry, re-seeking the current key first when writes
    /// happened since the cursor moved.
    fn advance(&mut self, forward: bool) -> StorageResult<bool> {
        if !self.on_entry {
            return Ok(false);
        }
        let found = if self.writes.now() != self.generation {
            let key = self.decode()?.to_vec();
            self.cursor.clear();
            let op = if forward { SeekOp::Ge } else { SeekOp::Le };
            if !self
                .cursor
                .seek_key(&key, &self.info, op)
                .map_err(btree_error)?
            {
                false
            } else {
                let here = self.cursor.record().map_err(btree_error)?;
                if self.info.compare_full(&here, &key) == Ordering::Equal {
                    step(&mut self.cursor, forward)?
                } else {
                    // The entry is gone; the seek already landed on its neighbour.
                    true
                }
            }
        } else {
            step(&mut self.cursor, forward)?
        };
        self.settle(found)
    }

    /// Before a move from the root: after writes, the pages the cursor holds may be old
    /// images, which its seeks must not reuse.
    fn forget_if_stale(&mut self) {
        if self.writes.now() != self.generation {
            self.cursor.clear();
        }
    }

    /// Seeks with `op` on `prefix`.
    fn seek(&mut self, prefix: &[Value], op: SeekOp) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self
            .cursor
            .seek_key(prefix, &self.info, op)
            .map_err(btree_error)?;
        self.settle(found)
    }
}

impl IndexCursor for FileIndexCursor {
    fn first(&mut self) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self.cursor.first().map_err(btree_error)?;
        self.settle(found)
    }

    fn last(&mut self) -> StorageResult<bool> {
        self.forget_if_stale();
        let found = self.cursor.last().map_err(btree_error)?;
        self.settle(found)
    }

    fn next(&mut self) -> StorageResult<bool> {
        self.advance(true)
    }

    fn prev(&mut self) -> StorageResult<bool> {
        self.advance(false)
    }

    fn seek_ge(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool> {
        self.seek(prefix, if inclusive { SeekOp::Ge } else { SeekOp::Gt })
    }

    fn seek_le(&mut self, prefix: &[Value], inclusive: bool) -> StorageResult<bool> {
        self.seek(prefix, if inclusive { SeekOp::Le } else { SeekOp::Lt })
    }

    fn valid(&self) -> bool {
        self.on_entry
    }

    fn key(&mut self) -> StorageResult<&[Value]> {
        self.decode()
    }

    fn compare_key(&mut self, info: &KeyInfo, prefix: &[Value]) -> StorageResult<Ordering> {
        if self.key.is_none() {
            if let Some(record) = self.local_record() {
                return self
                    .info
                    .compare_record(record, prefix)
                    .map_err(btree_error);
            }
        }
        Ok(info.compare_prefix(self.decode()?, prefix))
    }

    fn entry_rowid(&mut self) -> StorageResult<Option<i64>> {
        if self.key.is_none() {
            if let Some(record) = self.local_record() {
                return btree::record_last_integer(record).map_err(btree_error);
            }
        }
        Ok(crate::storage::key_rowid(self.decode()?))
    }
}
