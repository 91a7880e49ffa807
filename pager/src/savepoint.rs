//! Savepoints inside a write transaction: an undo log of page images.
//!
//! SQL needs to undo part of a transaction: a statement that fails undoes exactly its own
//! changes (statement atomicity), and `ROLLBACK TO` undoes everything after a `SAVEPOINT`.
//! SQLite keeps a *statement journal* of the original images of the pages a statement
//! touches; this is the same idea over the write transaction's dirty map.
//!
//! ```text
//!   marks:  [ m1 (undo len 0, counts) | m2 (undo len 3, counts) ]
//!   undo:   [ p7 was clean | p9 was img@a | alloc 12 | p7 was img@b | free 4 ]
//!                                          ^-- m2 starts here
//! ```
//!
//! - Opening a mark records the undo log's length and the transaction's scalar state (page
//!   count, freelist trunk and count), and starts a new *generation*.
//! - The first time a page is about to change in a generation, its image before the change is
//!   logged: `None` when it was not dirty (it reads from the snapshot again once undone), else
//!   the dirty image (an `Arc`, so logging costs no copy; the write that follows copies on
//!   write). Later changes to the same page in the same generation log nothing.
//! - Changes to the set of pages allocated in this transaction are logged too, so a page
//!   handed out after a mark and rolled back can be handed out again.
//! - Rolling back to mark `d` replays the log backwards to the mark's length and restores its
//!   scalars; the mark stays, and a new generation starts so later writes log again.
//! - Releasing mark `d` forgets it and the marks after it; their log entries stay, because an
//!   outer mark's rollback still needs them. With no mark left the log is dropped.
//!
//! With no mark open nothing is logged: a transaction that never uses savepoints pays nothing.

use crate::hash::PageMap;
use crate::page::{PageNo, PageRef};

/// One undo step.
#[derive(Debug)]
pub(crate) enum UndoStep {
    /// Page `pgno`'s dirty image before a change (`None`: it was not dirty).
    Page(PageNo, Option<PageRef>),
    /// `pgno` was added to the allocated set.
    Allocated(PageNo),
    /// `pgno` was removed from the allocated set.
    Unallocated(PageNo),
}

/// The transaction state a mark restores besides pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// The database size in pages.
    pub(crate) page_count: u32,
    /// The first freelist trunk page.
    pub(crate) freelist_trunk: PageNo,
    /// The freelist page count.
    pub(crate) freelist_count: u32,
}

/// One open savepoint.
#[derive(Debug)]
struct Mark {
    /// The undo log's length when the mark was opened.
    undo_len: usize,
    /// The scalar state then.
    counts: Counts,
}

/// The savepoint marks and undo log of one write transaction.
#[derive(Debug, Default)]
pub(crate) struct Savepoints {
    /// Open marks, oldest first.
    marks: Vec<Mark>,
    /// Undo steps, oldest first.
    undo: Vec<UndoStep>,
    /// The generation in which each page's image was last logged.
    logged: PageMap<PageNo, u64>,
    /// The current generation; bumped by every mark and rollback.
    generation: u64,
}

impl Savepoints {
    /// Whether any mark is open (and so changes must be logged).
    pub(crate) fn active(&self) -> bool {
        !self.marks.is_empty()
    }

    /// Opens a mark; returns its depth (1 for the first).
    pub(crate) fn open(&mut self, counts: Counts) -> usize {
        self.marks.push(Mark {
            undo_len: self.undo.len(),
            counts,
        });
        self.generation += 1;
        self.marks.len()
    }

    /// Logs page `pgno`'s image before a change, once per generation. `current` gives the
    /// dirty image, looked up only when the page needs logging.
    pub(crate) fn before_page_change(
        &mut self,
        pgno: PageNo,
        current: impl FnOnce() -> Option<PageRef>,
    ) {
        if !self.active() {
            return;
        }
        if self.logged.insert(pgno, self.generation) != Some(self.generation) {
            self.undo.push(UndoStep::Page(pgno, current()));
        }
    }

    /// Logs a change to the allocated set.
    pub(crate) fn log(&mut self, step: UndoStep) {
        if self.active() {
            self.undo.push(step);
        }
    }

    /// Takes the undo steps after mark `depth` (newest last) and its counts, keeping the mark;
    /// `None` when there is no such mark.
    pub(crate) fn rollback_to(&mut self, depth: usize) -> Option<(Vec<UndoStep>, Counts)> {
        if depth == 0 || depth > self.marks.len() {
            return None;
        }
        self.marks.truncate(depth);
        let mark = self.marks.last()?;
        let counts = mark.counts;
        let steps = self.undo.split_off(mark.undo_len);
        self.generation += 1;
        Some((steps, counts))
    }

    /// Forgets mark `depth` and those after it; false when there is no such mark.
    pub(crate) fn release(&mut self, depth: usize) -> bool {
        if depth == 0 || depth > self.marks.len() {
            return false;
        }
        self.marks.truncate(depth - 1);
        if self.marks.is_empty() {
            self.undo = Vec::new();
            self.logged.clear();
        }
        true
    }

    /// The number of open marks.
    pub(crate) fn depth(&self) -> usize {
        self.marks.len()
    }
}
