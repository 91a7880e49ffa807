//! Cursors of a [`super::FileStore`] transaction: B-tree cursors that survive writes of their
//! own transaction by re-seeking their last key (see the module essay, "Cursors under writes").

use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

use concur_btree::{self as btree, SeekOp, Value};

use super::{btree_error, lock, PagesHandle, TxnPages};
use crate::storage::{code, IndexCursor, StorageError, StorageResult, TableCursor};

/// The transaction's write generation now.
fn generation(state: &Mutex<TxnPages>) -> StorageResult<u64> {
    Ok(lock(state)?.generation)
}

/// One step of a B-tree cursor, forward or back.
fn step(cursor: &mut btree::Cursor<PagesHandle>, forward: bool) -> StorageResult<bool> {
    if forward {
        cursor.next().map_err(btree_error)
    } else {
        cursor.prev().map_err(btree_error)
    }
}

/// A cursor over a rowid table.
pub(crate) struct FileTableCursor {
    /// The transaction's pages (for the write generation).
    state: Arc<Mutex<TxnPages>>,
    /// The B-tree cursor.
    cursor: btree::Cursor<PagesHandle>,
    /// The write generation the cursor last positioned in.
    generation: u64,
    /// The current row's rowid; `None` when the cursor is on no row.
    rowid: Option<i64>,
    /// The current row, decoded on first use.
    row: Option<Vec<Value>>,
}

impl FileTableCursor {
    /// A cursor on the table rooted at `root`, positioned nowhere.
    pub(crate) fn new(state: Arc<Mutex<TxnPages>>, root: u32) -> FileTableCursor {
        let cursor = btree::Cursor::new(PagesHandle(state.clone()), root);
        FileTableCursor {
            state,
            cursor,
            generation: 0,
            rowid: None,
            row: None,
        }
    }

    /// Records where a move left the cursor.
    fn settle(&mut self, found: bool) -> StorageResult<bool> {
        self.generation = generation(&self.state)?;
        self.row = None;
        self.rowid = if found && self.cursor.is_valid() {
            Some(self.cursor.rowid().map_err(btree_error)?)
        } else {
            None
        };
        Ok(self.rowid.is_some())
    }

    /// Whether a write happened since the cursor positioned.
    fn stale(&self) -> StorageResult<bool> {
        Ok(generation(&self.state)? != self.generation)
    }

    /// Steps forward (or back) from `rowid` after writes moved the tree under the cursor:
    /// re-seek it, and step only if it is still there.
    fn step_from(&mut self, rowid: i64, forward: bool) -> StorageResult<bool> {
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
        let found = if self.stale()? {
            self.step_from(rowid, forward)?
        } else {
            step(&mut self.cursor, forward)?
        };
        self.settle(found)
    }

    /// The current row, decoded (re-found first if writes happened since the cursor moved;
    /// a row deleted meanwhile reads as all NULL).
    fn current_row(&mut self) -> StorageResult<&[Value]> {
        let Some(rowid) = self.rowid else {
            return Err(StorageError::new(code::MISUSE, "cursor is not on a row"));
        };
        if self.row.is_none() {
            let mut present = true;
            if self.stale()? {
                present = self
                    .cursor
                    .seek_rowid(rowid, SeekOp::Eq)
                    .map_err(btree_error)?;
                self.generation = generation(&self.state)?;
            }
            self.row = Some(if present {
                self.cursor.record().map_err(btree_error)?
            } else {
                Vec::new()
            });
        }
        Ok(self.row.as_deref().unwrap_or_default())
    }
}

impl TableCursor for FileTableCursor {
    fn first(&mut self) -> StorageResult<bool> {
        let found = self.cursor.first().map_err(btree_error)?;
        self.settle(found)
    }

    fn last(&mut self) -> StorageResult<bool> {
        let found = self.cursor.last().map_err(btree_error)?;
        self.settle(found)
    }

    fn next(&mut self) -> StorageResult<bool> {
        self.advance(true)
    }

    fn prev(&mut self) -> StorageResult<bool> {
        self.advance(false)
    }

    fn seek(&mut self, rowid: i64) -> StorageResult<bool> {
        let found = self
            .cursor
            .seek_rowid(rowid, SeekOp::Eq)
            .map_err(btree_error)?;
        self.settle(found)
    }

    fn seek_ge(&mut self, rowid: i64) -> StorageResult<bool> {
        let found = self
            .cursor
            .seek_rowid(rowid, SeekOp::Ge)
            .map_err(btree_error)?;
        self.settle(found)
    }

    fn seek_le(&mut self, rowid: i64) -> StorageResult<bool> {
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
        Ok(self
            .current_row()?
            .get(index)
            .cloned()
            .unwrap_or(Value::Null))
    }

    fn row(&mut self) -> StorageResult<Vec<Value>> {
        Ok(self.current_row()?.to_vec())
    }
}

/// A cursor over an index.
pub(crate) struct FileIndexCursor {
    /// The transaction's pages (for the write generation).
    state: Arc<Mutex<TxnPages>>,
    /// The B-tree cursor.
    cursor: btree::Cursor<PagesHandle>,
    /// How keys order.
    info: btree::KeyInfo,
    /// The write generation the cursor last positioned in.
    generation: u64,
    /// The current entry's key (key columns, then rowid); `None` when on no entry.
    key: Option<Vec<Value>>,
}

impl FileIndexCursor {
    /// A cursor on the index rooted at `root`, ordered by `info`, positioned nowhere.
    pub(crate) fn new(
        state: Arc<Mutex<TxnPages>>,
        root: u32,
        info: btree::KeyInfo,
    ) -> FileIndexCursor {
        let cursor = btree::Cursor::new(PagesHandle(state.clone()), root);
        FileIndexCursor {
            state,
            cursor,
            info,
            generation: 0,
            key: None,
        }
    }

    /// Records where a move left the cursor.
    fn settle(&mut self, found: bool) -> StorageResult<bool> {
        self.generation = generation(&self.state)?;
        self.key = if found && self.cursor.is_valid() {
            Some(self.cursor.record().map_err(btree_error)?)
        } else {
            None
        };
        Ok(self.key.is_some())
    }

    /// Moves to the neighbouring entry, re-seeking the current key first when writes
    /// happened since the cursor moved.
    fn advance(&mut self, forward: bool) -> StorageResult<bool> {
        let Some(key) = self.key.take() else {
            return Ok(false);
        };
        let found = if generation(&self.state)? != self.generation {
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

    /// Seeks with `op` on `prefix`.
    fn seek(&mut self, prefix: &[Value], op: SeekOp) -> StorageResult<bool> {
        let found = self
            .cursor
            .seek_key(prefix, &self.info, op)
            .map_err(btree_error)?;
        self.settle(found)
    }
}

impl IndexCursor for FileIndexCursor {
    fn first(&mut self) -> StorageResult<bool> {
        let found = self.cursor.first().map_err(btree_error)?;
        self.settle(found)
    }

    fn last(&mut self) -> StorageResult<bool> {
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
        self.key.is_some()
    }

    fn key(&self) -> StorageResult<&[Value]> {
        self.key
            .as_deref()
            .ok_or_else(|| StorageError::new(code::MISUSE, "cursor is not on an entry"))
    }
}
