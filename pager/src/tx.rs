//! Read and write transactions: a journal snapshot, the page count it implies, and (for the
//! writer) the dirty pages and the pager-owned header fields.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::cache::{CacheKey, PageOrigin};
use crate::error::{Error, Result};
use crate::freelist;
use crate::hash::{PageMap, PageSet};
use crate::header::{DbHeader, SQLITE_VERSION_NUMBER};
use crate::journal::JournalSnapshot;
use crate::page::{PageBuf, PageNo, PageRef, PageSource, PageWriter};
use crate::pager::Shared;
use crate::savepoint::{Counts, Savepoints, UndoStep};

/// A registered journal snapshot and the file epoch it reads in; ends the snapshot on drop.
pub(crate) struct View {
    /// The pager.
    pub(crate) shared: Arc<Shared>,
    /// What this transaction sees of the journal.
    pub(crate) snapshot: JournalSnapshot,
    /// The file epoch its file images are cached under.
    epoch: u64,
}

impl Drop for View {
    fn drop(&mut self) {
        self.shared.journal.end_read(&self.snapshot);
    }
}

impl View {
    /// Registers a snapshot at the latest commit. The epoch is read after the snapshot is
    /// registered (the order the cache's correctness argument needs; see the essay).
    fn begin(shared: Arc<Shared>) -> Result<View> {
        let snapshot = shared.journal.begin_read()?;
        let epoch = shared.file_epoch.load(Ordering::SeqCst);
        Ok(View {
            shared,
            snapshot,
            epoch,
        })
    }

    /// The page count of this snapshot: the journal's, else the file header's when valid,
    /// else the whole pages in the file.
    fn page_count(&self) -> Result<u32> {
        if let Some(pages) = self.snapshot.db_pages {
            return Ok(pages);
        }
        let size = self.shared.db.size()?;
        if size == 0 {
            return Ok(0);
        }
        let page1 = self.read_file_page(1)?;
        let header = DbHeader::read(&page1)?;
        let whole_pages = u32::try_from(size / self.shared.page_size as u64).unwrap_or(u32::MAX);
        Ok(header.trusted_page_count().unwrap_or(whole_pages))
    }

    /// Page `pgno` as this snapshot sees it, bounded by `page_count`.
    fn read(&self, pgno: PageNo, page_count: u32) -> Result<PageRef> {
        if pgno == 0 {
            return Err(Error::corrupt(0, "page number 0"));
        }
        if pgno > page_count {
            return Err(Error::corrupt(
                pgno,
                format!("page past the end of the database ({page_count} pages)"),
            ));
        }
        let shared = &self.shared;
        if let Some(frame) = shared.journal.find_page(&self.snapshot, pgno)? {
            let key = CacheKey {
                pgno,
                origin: PageOrigin::Frame(frame),
            };
            if let Some(page) = shared.cache.get(&key) {
                return Ok(page);
            }
            let mut buf = PageBuf::zeroed(shared.page_size);
            shared.journal.read_frame(frame, &mut buf)?;
            let page = Arc::new(buf);
            shared.cache.insert(key, Arc::clone(&page));
            return Ok(page);
        }
        self.read_file_page(pgno)
    }

    /// Page `pgno` from the database file (through the cache), CORRUPT on a short read.
    fn read_file_page(&self, pgno: PageNo) -> Result<PageRef> {
        let shared = &self.shared;
        let key = CacheKey {
            pgno,
            origin: PageOrigin::File(self.epoch),
        };
        if let Some(page) = shared.cache.get(&key) {
            return Ok(page);
        }
        let mut buf = PageBuf::zeroed(shared.page_size);
        let offset = (pgno as u64 - 1) * shared.page_size as u64;
        let n = shared.db.read_at(&mut buf, offset)?;
        if n < buf.len() {
            return Err(Error::corrupt(
                pgno,
                format!("short read: {n} of {} bytes", buf.len()),
            ));
        }
        let page = Arc::new(buf);
        shared.cache.insert(key, Arc::clone(&page));
        Ok(page)
    }
}

/// A consistent, read-only view of the database (pages and page count) for as long as it
/// lives, whatever writers commit meanwhile.
pub struct ReadTx {
    /// The snapshot.
    view: View,
    /// The database size in pages at the snapshot.
    page_count: u32,
}

impl ReadTx {
    /// Begins at the latest commit.
    pub(crate) fn begin(shared: Arc<Shared>) -> Result<ReadTx> {
        let view = View::begin(shared)?;
        let page_count = view.page_count()?;
        Ok(ReadTx { view, page_count })
    }

    /// The database header as of this snapshot. CORRUPT/NOTADB when page 1 is malformed;
    /// CORRUPT when the database is empty.
    pub fn header(&self) -> Result<DbHeader> {
        DbHeader::read(&self.page(1)?)
    }

    /// The journal snapshot this transaction reads.
    pub fn snapshot(&self) -> JournalSnapshot {
        self.view.snapshot
    }

    /// The page count (same as [`PageSource::page_count`], usable inside the crate).
    pub(crate) fn page_count_now(&self) -> u32 {
        self.page_count
    }
}

impl PageSource for ReadTx {
    fn page(&self, pgno: PageNo) -> Result<PageRef> {
        self.view.read(pgno, self.page_count)
    }
    fn page_count(&self) -> u32 {
        self.page_count
    }
    fn page_size(&self) -> usize {
        self.view.shared.page_size
    }
    fn usable_size(&self) -> usize {
        self.view.shared.usable_size
    }
}

/// Holds the pager's single writer slot; frees it on drop.
struct WriterSlot {
    /// The pager whose slot this is.
    shared: Arc<Shared>,
}

impl WriterSlot {
    /// Waits until no write transaction exists, then takes the slot.
    fn acquire(shared: Arc<Shared>) -> WriterSlot {
        let mut busy = shared.writer.lock();
        while *busy {
            shared.writer_done.wait(&mut busy);
        }
        *busy = true;
        drop(busy);
        WriterSlot { shared }
    }
}

impl WriterSlot {
    /// Takes the slot if it is free.
    fn try_acquire(shared: Arc<Shared>) -> Option<WriterSlot> {
        let mut busy = shared.writer.lock();
        if *busy {
            return None;
        }
        *busy = true;
        drop(busy);
        Some(WriterSlot { shared })
    }
}

impl Drop for WriterSlot {
    fn drop(&mut self) {
        *self.shared.writer.lock() = false;
        self.shared.writer_done.notify_one();
    }
}

/// The one write transaction of a pager: reads the latest commit plus its own dirty pages,
/// allocates and frees pages, and commits all dirty pages through the journal at once.
/// Dropping it without [`WriteTx::commit`] rolls back.
pub struct WriteTx {
    /// The snapshot this transaction started from (the latest commit).
    view: View,
    /// Pages changed by this transaction, by page number (commit order).
    pub(crate) dirty: PageMap<PageNo, PageRef>,
    /// The database size in pages, with this transaction's growth.
    pub(crate) page_count: u32,
    /// Header field 32: first freelist trunk page.
    pub(crate) freelist_trunk: PageNo,
    /// Header field 36: freelist pages.
    pub(crate) freelist_count: u32,
    /// Pages handed out by `allocate` in this transaction (a freelist that hands out one twice
    /// is corrupt).
    allocated: PageSet<PageNo>,
    /// Savepoint marks and the undo log behind them.
    savepoints: Savepoints,
    /// The writer slot, released last.
    _slot: WriterSlot,
}

impl WriteTx {
    /// Waits for the writer slot and begins at the latest commit.
    pub(crate) fn begin(shared: Arc<Shared>) -> Result<WriteTx> {
        if shared.read_only {
            return Err(Error::ReadOnly);
        }
        if shared.poisoned.load(Ordering::SeqCst) {
            return Err(Error::Poisoned);
        }
        let slot = WriterSlot::acquire(Arc::clone(&shared));
        Self::begin_in_slot(shared, slot)
    }

    /// Begins at once if no other write transaction exists, else returns `None`.
    pub(crate) fn try_begin(shared: Arc<Shared>) -> Result<Option<WriteTx>> {
        if shared.read_only {
            return Err(Error::ReadOnly);
        }
        if shared.poisoned.load(Ordering::SeqCst) {
            return Err(Error::Poisoned);
        }
        match WriterSlot::try_acquire(Arc::clone(&shared)) {
            Some(slot) => Self::begin_in_slot(shared, slot).map(Some),
            None => Ok(None),
        }
    }

    /// Begins holding the writer slot.
    fn begin_in_slot(shared: Arc<Shared>, slot: WriterSlot) -> Result<WriteTx> {
        let view = View::begin(shared)?;
        let page_count = view.page_count()?;
        let mut tx = WriteTx {
            view,
            dirty: PageMap::default(),
            page_count,
            freelist_trunk: 0,
            freelist_count: 0,
            allocated: PageSet::default(),
            savepoints: Savepoints::default(),
            _slot: slot,
        };
        if page_count > 0 {
            let header = DbHeader::read(&tx.page(1)?)?;
            tx.freelist_trunk = header.freelist_trunk;
            tx.freelist_count = header.freelist_count;
            if header.write_version > 2 {
                // SQLite: a file written by a newer format may be read but not written.
                return Err(Error::ReadOnly);
            }
            let shared = &tx.view.shared;
            if !shared.freelist_checked.load(Ordering::SeqCst) {
                freelist::check(&tx, tx.freelist_trunk, tx.freelist_count)?;
                tx.view
                    .shared
                    .freelist_checked
                    .store(true, Ordering::SeqCst);
            }
        }
        Ok(tx)
    }

    /// The database header as this transaction would commit it (its page count and freelist).
    pub fn header(&self) -> Result<DbHeader> {
        let mut header = DbHeader::read(&self.page(1)?)?;
        header.page_count = self.page_count;
        header.freelist_trunk = self.freelist_trunk;
        header.freelist_count = self.freelist_count;
        Ok(header)
    }

    /// The journal snapshot this transaction started from.
    pub fn snapshot(&self) -> JournalSnapshot {
        self.view.snapshot
    }

    /// Pages changed so far.
    pub fn dirty_count(&self) -> usize {
        self.dirty.len()
    }

    /// Commits every dirty page through the journal as one commit, with the header's change
    /// counter bumped, version-valid-for equal to it, page count and freelist fields set, and
    /// bytes 18/19 set to 2 (WAL). A transaction that changed nothing commits nothing. A
    /// failed journal write poisons the pager.
    pub fn commit(mut self) -> Result<()> {
        if self.dirty.is_empty() {
            return Ok(());
        }
        let shared = Arc::clone(&self.view.shared);
        if shared.poisoned.load(Ordering::SeqCst) {
            return Err(Error::Poisoned);
        }
        let (page_count, trunk, count) =
            (self.page_count, self.freelist_trunk, self.freelist_count);
        let page1 = self.page_mut(1)?;
        let mut header = DbHeader::read(page1)?;
        header.change_counter = header.change_counter.wrapping_add(1);
        header.version_valid_for = header.change_counter;
        header.page_count = page_count;
        header.freelist_trunk = trunk;
        header.freelist_count = count;
        header.sqlite_version = SQLITE_VERSION_NUMBER;
        header.write_version = 2;
        header.read_version = 2;
        header.write(page1);
        let mut pages: Vec<(PageNo, &[u8])> = self
            .dirty
            .iter()
            .map(|(pgno, page)| (*pgno, &page[..]))
            .collect();
        // Frames go out in page order, as SQLite writes them.
        pages.sort_unstable_by_key(|&(pgno, _)| pgno);
        match shared
            .journal
            .commit(&self.view.snapshot, &pages, page_count)
        {
            Ok(_) => Ok(()),
            Err(e) => {
                if matches!(e, Error::Io(_) | Error::Full) {
                    shared.poisoned.store(true, Ordering::SeqCst);
                }
                Err(e)
            }
        }
    }

    /// Discards every change (the same as dropping the transaction).
    pub fn rollback(self) {}

    /// Checks `pgno` is a page of this transaction's database.
    fn check_in_range(&self, pgno: PageNo) -> Result<()> {
        if pgno == 0 {
            return Err(Error::corrupt(0, "page number 0"));
        }
        if pgno > self.page_count {
            return Err(Error::corrupt(
                pgno,
                format!(
                    "page past the end of the database ({} pages)",
                    self.page_count
                ),
            ));
        }
        Ok(())
    }

    /// Makes `pgno` dirty with `image` (no read of its old content).
    pub(crate) fn set_page(&mut self, pgno: PageNo, image: PageBuf) {
        self.savepoints
            .before_page_change(pgno, || self.dirty.get(&pgno).cloned());
        self.dirty.insert(pgno, Arc::new(image));
    }

    /// Records `pgno` as handed out by this transaction; false if it already was.
    pub(crate) fn mark_allocated(&mut self, pgno: PageNo) -> bool {
        let added = self.allocated.insert(pgno);
        if added {
            self.savepoints.log(UndoStep::Allocated(pgno));
        }
        added
    }

    /// Records `pgno` as no longer in use by this transaction (it was freed).
    pub(crate) fn unmark_allocated(&mut self, pgno: PageNo) {
        if self.allocated.remove(&pgno) {
            self.savepoints.log(UndoStep::Unallocated(pgno));
        }
    }

    /// The scalar state a savepoint restores.
    fn counts(&self) -> Counts {
        Counts {
            page_count: self.page_count,
            freelist_trunk: self.freelist_trunk,
            freelist_count: self.freelist_count,
        }
    }

    /// Opens a savepoint and returns its depth (1 for the first open one). Changes after it
    /// can be undone with [`WriteTx::rollback_to_savepoint`]; see `savepoint.rs`.
    pub fn savepoint(&mut self) -> usize {
        let counts = self.counts();
        self.savepoints.open(counts)
    }

    /// The number of open savepoints.
    pub fn savepoint_depth(&self) -> usize {
        self.savepoints.depth()
    }

    /// Undoes every change made after savepoint `depth` (pages, allocations, freelist, page
    /// count); the savepoint stays open. MISUSE when no such savepoint is open.
    pub fn rollback_to_savepoint(&mut self, depth: usize) -> Result<()> {
        let (steps, counts) = self
            .savepoints
            .rollback_to(depth)
            .ok_or(Error::Misuse("no such savepoint"))?;
        for step in steps.into_iter().rev() {
            match step {
                UndoStep::Page(pgno, Some(image)) => {
                    self.dirty.insert(pgno, image);
                }
                UndoStep::Page(pgno, None) => {
                    self.dirty.remove(&pgno);
                }
                UndoStep::Allocated(pgno) => {
                    self.allocated.remove(&pgno);
                }
                UndoStep::Unallocated(pgno) => {
                    self.allocated.insert(pgno);
                }
            }
        }
        self.page_count = counts.page_count;
        self.freelist_trunk = counts.freelist_trunk;
        self.freelist_count = counts.freelist_count;
        Ok(())
    }

    /// Closes savepoint `depth` and those opened after it, keeping their changes. MISUSE
    /// when no such savepoint is open.
    pub fn release_savepoint(&mut self, depth: usize) -> Result<()> {
        if self.savepoints.release(depth) {
            Ok(())
        } else {
            Err(Error::Misuse("no such savepoint"))
        }
    }
}

impl PageSource for WriteTx {
    fn page(&self, pgno: PageNo) -> Result<PageRef> {
        if let Some(page) = self.dirty.get(&pgno) {
            return Ok(Arc::clone(page));
        }
        self.check_in_range(pgno)?;
        self.view.read(pgno, self.page_count)
    }
    fn page_count(&self) -> u32 {
        self.page_count
    }
    fn page_size(&self) -> usize {
        self.view.shared.page_size
    }
    fn usable_size(&self) -> usize {
        self.view.shared.usable_size
    }
}

impl PageWriter for WriteTx {
    fn page_mut(&mut self, pgno: PageNo) -> Result<&mut PageBuf> {
        self.savepoints
            .before_page_change(pgno, || self.dirty.get(&pgno).cloned());
        if !self.dirty.contains_key(&pgno) {
            let page = self.page(pgno)?;
            self.dirty.insert(pgno, page);
        }
        match self.dirty.get_mut(&pgno) {
            Some(page) => Ok(Arc::make_mut(page)),
            None => Err(Error::corrupt(pgno, "dirty page vanished")),
        }
    }

    fn allocate(&mut self) -> Result<PageNo> {
        freelist::allocate(self)
    }

    fn free(&mut self, pgno: PageNo) -> Result<()> {
        freelist::free(self, pgno)
    }
}
