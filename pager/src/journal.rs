//! The [`Journal`] trait: where committed pages go and where readers find the newest version of
//! a page. The WAL implements it in production; [`crate::MemJournal`] in tests and for
//! in-memory databases.

use crate::error::Result;
use crate::file::File;
use crate::page::PageNo;

/// What a reader of the journal sees: fixed when the read transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalSnapshot {
    /// The journal's position: for the WAL, the index of the last commit frame visible
    /// (0: nothing in the WAL is visible).
    pub mark: u64,
    /// Which incarnation of the journal `mark` counts in (the WAL's checkpoint sequence and
    /// salt change on every reset), so frame numbers never alias across resets.
    pub generation: u64,
    /// The database size in pages at this snapshot, when the journal holds a commit that says so;
    /// `None`: take it from the database file's header.
    pub db_pages: Option<u32>,
}

/// Names one stored page version inside the journal; stable for the journal's generation, so the
/// pager's cache can key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameKey {
    /// The journal generation the frame belongs to.
    pub generation: u64,
    /// The frame index (1-based in the WAL).
    pub frame: u64,
}

/// How a checkpoint behaves towards readers and the WAL, as SQLite's modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointMode {
    /// Backfill what no reader still needs; never wait.
    Passive,
    /// Wait for readers until every frame can be backfilled.
    Full,
    /// As Full, then wait until the WAL can be restarted from the beginning.
    Restart,
    /// As Restart, and truncate the WAL file to zero bytes.
    Truncate,
}

/// What a checkpoint did, as `PRAGMA wal_checkpoint` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckpointResult {
    /// True when the checkpoint could not finish because of readers or a writer (SQLITE_BUSY).
    pub busy: bool,
    /// Frames in the WAL (-1 in SQLite when not in WAL mode; 0 here).
    pub log_frames: u64,
    /// Frames now backfilled into the database file.
    pub backfilled_frames: u64,
}

/// Where committed pages go and where readers find the newest version of a page: the WAL in
/// production, an in-memory journal in tests.
///
/// The pager relies on these rules:
/// - a snapshot registered by `begin_read` keeps reading the same page images until
///   `end_read`: a checkpoint never writes into the database file a page that a registered
///   snapshot reads from the file;
/// - every checkpoint of a journal plugged into a [`crate::Pager`] goes through
///   [`crate::Pager::checkpoint`], so the pager can keep its cache of file pages right.
pub trait Journal: Send + Sync {
    /// Starts a read snapshot at the latest commit and registers it, so that no checkpoint
    /// overwrites what it still reads. Must be paired with [`Journal::end_read`].
    fn begin_read(&self) -> Result<JournalSnapshot>;
    /// Releases a snapshot taken by `begin_read`.
    fn end_read(&self, snapshot: &JournalSnapshot);
    /// The newest version of `pgno` visible in `snapshot`, or `None` to read the database file.
    fn find_page(&self, snapshot: &JournalSnapshot, pgno: PageNo) -> Result<Option<FrameKey>>;
    /// Reads the page image stored at `key` into `buf` (page-size bytes).
    fn read_frame(&self, key: FrameKey, buf: &mut [u8]) -> Result<()>;
    /// Appends one transaction's dirty pages, atomically, as the new latest commit; `db_pages` is
    /// the database size after it. `base` must be the latest snapshot (the caller holds the
    /// pager's write lock). Syncs according to the journal's sync mode. Returns the snapshot of
    /// the new commit.
    fn commit(
        &self,
        base: &JournalSnapshot,
        pages: &[(PageNo, &[u8])],
        db_pages: u32,
    ) -> Result<JournalSnapshot>;
    /// Copies committed pages into the database file `db` as `mode` allows and reports what it
    /// did. Returns the pages it wrote to `db`, so the pager can drop their cached file images.
    fn checkpoint(
        &self,
        mode: CheckpointMode,
        db: &dyn File,
    ) -> Result<(CheckpointResult, Vec<PageNo>)>;
    /// The page size of the frames this journal holds, when it knows one (the WAL header says
    /// it). The pager asks when the database file is still empty, so a database whose first
    /// commit is only in the journal opens with the right page size. Default: `None`.
    fn page_size(&self) -> Option<u32> {
        None
    }
}
