//! Placeholder contract; the pager helper replaces this file with the real modules.
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A page number. Page 1 is the first page of the file; 0 means "no page".
pub type PageNo = u32;

/// Errors of the pager.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O call failed (SQLITE_IOERR).
    #[error("disk I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file content is malformed (SQLITE_CORRUPT). `page` names the page (0 = file-level).
    #[error("database disk image is malformed: page {page}: {reason}")]
    Corrupt { page: PageNo, reason: String },
    /// The disk is full (SQLITE_FULL).
    #[error("database or disk is full")]
    Full,
    /// A write was attempted on a read-only pager (SQLITE_READONLY).
    #[error("attempt to write a readonly database")]
    ReadOnly,
    /// A previous write or sync failed; writes are refused until reopen (SQLITE_IOERR).
    #[error("database is in the error state after a failed write; reopen it")]
    Poisoned,
    /// The file is not a database (SQLITE_NOTADB).
    #[error("file is not a database")]
    NotADatabase,
    /// Another process holds the database lock (SQLITE_BUSY).
    #[error("database is locked by another process")]
    Locked,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One page image, exactly `page_size` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PageBuf(Box<[u8]>);

impl PageBuf {
    /// A zeroed page of `size` bytes.
    pub fn zeroed(size: usize) -> Self {
        PageBuf(vec![0; size].into_boxed_slice())
    }
}
impl Deref for PageBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}
impl DerefMut for PageBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}
impl std::fmt::Debug for PageBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PageBuf({} bytes)", self.0.len())
    }
}

/// A shared, immutable page image as read by a transaction.
pub type PageRef = Arc<PageBuf>;

/// Read access to a consistent set of pages: implemented by [`ReadTx`] and [`WriteTx`].
pub trait PageSource {
    /// The page `pgno` (1-based). CORRUPT if `pgno` is 0 or past the page count.
    fn page(&self, pgno: PageNo) -> Result<PageRef>;
    /// The database size in pages, as this transaction sees it.
    fn page_count(&self) -> u32;
    /// The page size in bytes.
    fn page_size(&self) -> usize;
    /// Usable bytes per page (page size minus the reserved bytes of header byte 20).
    fn usable_size(&self) -> usize;
}

/// Write access within one write transaction: implemented by [`WriteTx`].
///
/// Rules the pager keeps for its callers:
/// - `allocate` on an empty database returns page 1 with the 100-byte header already filled in
///   (page size, WAL mode bytes 18/19 = 2, UTF-8, schema format 4, fractions 64/32/32); the rest
///   of page 1 is zero and belongs to the caller (the B-tree layer puts `sqlite_schema` there).
/// - `allocate` otherwise takes a page from the freelist (a leaf of the first trunk, or the trunk
///   itself when it has no leaves) before it grows the file; the page it returns is zeroed.
/// - `free` puts a page on the freelist; freeing page 1 or a page past the end is CORRUPT.
/// - The pager owns header fields 24..40 and 92..100 (change counter, page count, freelist, version
///   valid-for) and keeps them right at commit; the caller may change the others through
///   [`DbHeader`] on page 1 (schema cookie, user version, ...).
pub trait PageWriter: PageSource {
    /// A writable image of page `pgno`, copied from the committed image on first write.
    fn page_mut(&mut self, pgno: PageNo) -> Result<&mut PageBuf>;
    /// Allocates a page (freelist first, then growth). The returned page is zeroed and dirty.
    fn allocate(&mut self) -> Result<PageNo>;
    /// Returns page `pgno` to the freelist.
    fn free(&mut self, pgno: PageNo) -> Result<()>;
}

/// The 100-byte SQLite database header, field by field (byte offsets in the comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbHeader {
    /// 16..18: page size in bytes, 512..=65536, a power of two (stored as 1 for 65536).
    pub page_size: u32,
    /// 18: file format write version: 1 legacy (rollback journal), 2 WAL.
    pub write_version: u8,
    /// 19: file format read version: 1 legacy, 2 WAL.
    pub read_version: u8,
    /// 20: bytes reserved at the end of each page.
    pub reserved_bytes: u8,
    /// 24..28: file change counter.
    pub change_counter: u32,
    /// 28..32: database size in pages (valid when `version_valid_for == change_counter`).
    pub page_count: u32,
    /// 32..36: first freelist trunk page (0 if none).
    pub freelist_trunk: PageNo,
    /// 36..40: total number of freelist pages.
    pub freelist_count: u32,
    /// 40..44: schema cookie, bumped on every schema change.
    pub schema_cookie: u32,
    /// 44..48: schema format number (4).
    pub schema_format: u32,
    /// 48..52: suggested cache size.
    pub default_cache_size: u32,
    /// 52..56: largest root page for auto-vacuum (0: off).
    pub autovacuum_top_root: u32,
    /// 56..60: text encoding: 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
    pub text_encoding: u32,
    /// 60..64: `PRAGMA user_version`.
    pub user_version: u32,
    /// 64..68: incremental vacuum flag.
    pub incremental_vacuum: u32,
    /// 68..72: `PRAGMA application_id`.
    pub application_id: u32,
    /// 92..96: change counter value at which `page_count` was last valid.
    pub version_valid_for: u32,
    /// 96..100: SQLITE_VERSION_NUMBER of the last writer.
    pub sqlite_version: u32,
}

/// The 16 bytes every SQLite database starts with.
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The version number concur writes at header offset 96 (it writes files as SQLite 3.40.1 would).
pub const SQLITE_VERSION_NUMBER: u32 = 3_040_001;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl DbHeader {
    /// The header size in bytes.
    pub const SIZE: usize = 100;

    /// A header for a new, empty WAL-mode database with the given page size.
    pub fn new(page_size: u32) -> Self {
        DbHeader {
            page_size,
            write_version: 2,
            read_version: 2,
            reserved_bytes: 0,
            change_counter: 1,
            page_count: 1,
            freelist_trunk: 0,
            freelist_count: 0,
            schema_cookie: 0,
            schema_format: 4,
            default_cache_size: 0,
            autovacuum_top_root: 0,
            text_encoding: 1,
            user_version: 0,
            incremental_vacuum: 0,
            application_id: 0,
            version_valid_for: 1,
            sqlite_version: SQLITE_VERSION_NUMBER,
        }
    }

    /// Decodes the header from the first 100 bytes of `bytes`, checking what SQLite checks.
    pub fn read(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < Self::SIZE || &bytes[..16] != MAGIC {
            return Err(Error::NotADatabase);
        }
        let raw_size = u16::from_be_bytes([bytes[16], bytes[17]]) as u32;
        let page_size = if raw_size == 1 { 65536 } else { raw_size };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(Error::Corrupt {
                page: 1,
                reason: format!("invalid page size {raw_size}"),
            });
        }
        let header = DbHeader {
            page_size,
            write_version: bytes[18],
            read_version: bytes[19],
            reserved_bytes: bytes[20],
            change_counter: be32(bytes, 24),
            page_count: be32(bytes, 28),
            freelist_trunk: be32(bytes, 32),
            freelist_count: be32(bytes, 36),
            schema_cookie: be32(bytes, 40),
            schema_format: be32(bytes, 44),
            default_cache_size: be32(bytes, 48),
            autovacuum_top_root: be32(bytes, 52),
            text_encoding: be32(bytes, 56),
            user_version: be32(bytes, 60),
            incremental_vacuum: be32(bytes, 64),
            application_id: be32(bytes, 68),
            version_valid_for: be32(bytes, 92),
            sqlite_version: be32(bytes, 96),
        };
        if header.read_version > 2 {
            return Err(Error::ReadOnly);
        }
        if page_size - (header.reserved_bytes as u32) < 480 {
            return Err(Error::Corrupt {
                page: 1,
                reason: format!("{} reserved bytes leave too little", header.reserved_bytes),
            });
        }
        Ok(header)
    }

    /// Encodes the header into the first 100 bytes of `bytes`.
    pub fn write(&self, bytes: &mut [u8]) {
        let b = &mut bytes[..Self::SIZE];
        b[..16].copy_from_slice(MAGIC);
        let raw_size = if self.page_size == 65536 {
            1
        } else {
            self.page_size as u16
        };
        b[16..18].copy_from_slice(&raw_size.to_be_bytes());
        b[18] = self.write_version;
        b[19] = self.read_version;
        b[20] = self.reserved_bytes;
        b[21] = 64;
        b[22] = 32;
        b[23] = 32;
        let words = [
            (24, self.change_counter),
            (28, self.page_count),
            (32, self.freelist_trunk),
            (36, self.freelist_count),
            (40, self.schema_cookie),
            (44, self.schema_format),
            (48, self.default_cache_size),
            (52, self.autovacuum_top_root),
            (56, self.text_encoding),
            (60, self.user_version),
            (64, self.incremental_vacuum),
            (68, self.application_id),
            (92, self.version_valid_for),
            (96, self.sqlite_version),
        ];
        for (at, v) in words {
            b[at..at + 4].copy_from_slice(&v.to_be_bytes());
        }
        b[72..92].fill(0);
    }

    /// Usable bytes per page.
    pub fn usable_size(&self) -> usize {
        (self.page_size - self.reserved_bytes as u32) as usize
    }
}

/// A file as the storage layers see it: positioned I/O, batches, sync. Implemented by the std
/// backend (pread/pwrite/fdatasync), the io_uring backend and an in-memory file.
pub trait File: Send + Sync {
    /// Reads into `buf` at `offset`; returns the bytes read, fewer than `buf.len()` only at EOF.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize>;
    /// Writes all of `buf` at `offset`.
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()>;
    /// Writes every `(offset, bytes)` pair, then syncs if `sync`; the io_uring backend submits
    /// the writes and the sync as one batch (the sync linked after the writes).
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()>;
    /// Makes every completed write durable (fdatasync).
    fn sync(&self) -> Result<()>;
    /// The file size in bytes.
    fn size(&self) -> Result<u64>;
    /// Truncates or extends the file to `len` bytes.
    fn set_len(&self, len: u64) -> Result<()>;
}

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
}
