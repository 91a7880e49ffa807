//! # The write-ahead log
//!
//! This crate is SQLite's write-ahead log (WAL), byte for byte: the pager appends each
//! transaction's dirty pages to `app.db-wal` as frames, readers find the newest committed
//! version of a page there (or in the database file), and a checkpoint copies ("backfills")
//! committed pages into `app.db`. Because the file format and the checksums are SQLite's, stock
//! `sqlite3` opening `app.db` after concur closes (or crashes) recovers the same commits, and
//! concur recovers a WAL that `sqlite3` left behind. [`Wal`] implements the pager's
//! [`concur_pager::Journal`] trait; `mvcc` plugs it in when it assembles the storage stack.
//!
//! concur is one process holding an exclusive lock on the database, so the WAL index that
//! SQLite keeps in the shared-memory `-shm` file lives in memory here ([`Wal`]'s frame index)
//! and no `-shm` file is written. `sqlite3` rebuilds its `-shm` from the WAL file alone.
//!
//! ## The WAL file
//!
//! A 32-byte header, then frames. Every integer is a big-endian u32.
//!
//! | offset | size | WAL header field |
//! | ------ | ---- | ----------------------------------------------------------------------- |
//! | 0      | 4    | magic: `0x377f0682` (checksum words little-endian) or `0x377f0683` (big) |
//! | 4      | 4    | format version, always 3007000                                           |
//! | 8      | 4    | database page size (65536 is stored as 65536)                            |
//! | 12     | 4    | checkpoint sequence number, +1 at every reset                            |
//! | 16     | 4    | salt-1: +1 at every reset                                                |
//! | 20     | 4    | salt-2: random at every reset                                            |
//! | 24     | 4    | checksum-1 over bytes 0..24                                              |
//! | 28     | 4    | checksum-2 over bytes 0..24                                              |
//!
//! Frame `n` (1-based) starts at `32 + (n - 1) * (24 + page_size)`:
//!
//! | offset | size      | frame field                                                      |
//! | ------ | --------- | ---------------------------------------------------------------- |
//! | 0      | 4         | page number                                                      |
//! | 4      | 4         | commit frames: database size in pages after the commit; else 0   |
//! | 8      | 4         | salt-1, copied from the header                                   |
//! | 12     | 4         | salt-2, copied from the header                                   |
//! | 16     | 4         | checksum-1, cumulative through this frame                        |
//! | 20     | 4         | checksum-2, cumulative through this frame                        |
//! | 24     | page size | the page image                                                   |
//!
//! A transaction is a run of frames whose last one is a commit frame (nonzero size field).
//!
//! ## The checksum
//!
//! Two u32 sums `(s0, s1)` run over the data as 32-bit words `x[0], x[1], ...`, read in the byte
//! order the magic announces, two words at a time, with wrapping addition:
//!
//! ```text
//! s0 += x[i]   + s1
//! s1 += x[i+1] + s0
//! ```
//!
//! The header's checksum starts from `(0, 0)` over its first 24 bytes. Frame 1 continues from
//! the header's checksum over its first 8 bytes (page number, commit size) and then its page
//! image; frame `n` continues from frame `n - 1`'s. A frame is therefore valid only if every
//! frame before it is. Worked example, big-endian, page size 4096, sequence 0, salts 1 and 2:
//!
//! ```text
//! words          0x377f0683  3007000      4096        0           1           2
//! after pair 1   s0 = 0x377f0683          s1 = 0x37ace89b
//! after pair 2   s0 = 0x6f2bff1e          s1 = 0xa6d8e7b9
//! after pair 3   s0 = 0x1604e6d8          s1 = 0xbcddce93   -> header bytes 24..32
//! ```
//!
//! SQLite writes its host's order (little-endian on x86 and ARM); so does concur by default
//! ([`ByteOrder::NATIVE`], changeable in [`WalConfig`]). Both orders are read.
//!
//! ## Recovery
//!
//! [`Wal::open`] reads the header; a short file or a header with a bad magic, page size or
//! checksum is an empty WAL (an intact header with another version is an error, as in SQLite).
//! Then frames are read in order until the first one that is cut short, carries other salts,
//! has page number 0 or breaks the checksum chain. Frames count only up to the last valid
//! commit frame: the frames after it are a transaction that never committed. Salts make frames
//! left over from an earlier generation (before a reset) invalid even when they are intact.
//!
//! ## Frame index and read snapshots
//!
//! The frame index maps each page to the ascending list of frames holding it, and each commit
//! frame to the database size it recorded. A read snapshot is a *read mark*: the last commit
//! frame when the reader began. Page `p` as the snapshot sees it is the newest frame of `p` at
//! or below the mark, else the database file's page. Two counters describe the WAL:
//! `max_frame` (last commit frame) and `backfilled` (frames `1..=backfilled` are copied into
//! the database file).
//!
//! - `begin_read` registers the mark `max_frame`, or mark 0 when `backfilled == max_frame`
//!   (everything is in the database file, so the reader never looks at the WAL; SQLite's read
//!   lock 0). Readers are counted per mark under the state mutex; page lookups
//!   (`find_page`, `read_frame`) take only a read lock on the frame table.
//! - Invariant: no reader's mark lies below `backfilled`, except mark-0 readers, and while a
//!   mark-0 reader runs nothing more is backfilled. So a database page never changes under a
//!   reader that reads it from the file.
//!
//! ## Writer
//!
//! One writer at a time (the caller holds the pager's write lock; the WAL also serialises
//! commits itself). A commit:
//!
//! 1. checks that its base snapshot is the latest commit;
//! 2. if the WAL is wholly backfilled and no reader has a mark above 0, resets it: the commit
//!    goes to frame 1 under a new header (sequence + 1, new salts), which makes every old frame
//!    invalid; the generation number in [`concur_pager::FrameKey`] changes with the header;
//! 3. encodes its frames, the last one a commit frame, continuing the checksum chain;
//! 4. writes header (if new) and frames with one `write_batch`, with the fsync linked in the
//!    same batch under [`SyncMode::Full`] (one io_uring submission);
//! 5. publishes: adds the frames to the index and moves `max_frame`. Readers that began before
//!    keep their marks and never see the new frames.
//!
//! A failed write or sync poisons the WAL: every later commit and checkpoint fails until reopen.
//!
//! ## Checkpoint
//!
//! One checkpoint at a time. Let `safe` be the smallest mark of a running reader, or
//! `max_frame` if none. A checkpoint copies, for every page with a frame in
//! `(backfilled, safe]`, the newest such frame into the database file (pages past the database
//! size at `safe` are skipped), after syncing the WAL; if `safe == max_frame` it then sets the
//! database file's length to that commit's size; it syncs the database file and sets
//! `backfilled = safe`. The modes are SQLite's:
//!
//! | mode     | waits for readers                  | then                                         |
//! | -------- | ---------------------------------- | -------------------------------------------- |
//! | PASSIVE  | never                              | copies up to `safe`                          |
//! | FULL     | until none holds an older mark     | copies everything; `busy` if it could not    |
//! | RESTART  | as FULL, then until none uses WAL  | resets the WAL (next commit at frame 1)      |
//! | TRUNCATE | as RESTART                         | also truncates the WAL file to 0 bytes       |
//!
//! FULL, RESTART and TRUNCATE hold off commits while they run and wait at most the busy timeout
//! of [`WalConfig`] (default 0, as SQLite without a busy handler). The result reports frames in
//! the WAL and frames backfilled as `PRAGMA wal_checkpoint` does (TRUNCATE reports 0 and 0).
//!
//! ## Sync modes
//!
//! [`SyncMode`] is defined here (the pager has none): `Off` never fsyncs; `Normal` fsyncs the
//! WAL before each backfill and the database file after it; `Full` also fsyncs every commit.
//!
//! ## Page allocation
//!
//! The WAL never allocates pages: it stores whatever images the pager commits. Allocation from
//! the freelist before growing the file is the pager's rule and holds unchanged in WAL mode.

#![warn(missing_docs)]

mod checkpoint;
mod checksum;
mod error;
mod header;
mod index;
mod journal;
mod recovery;
mod wal;

pub use checksum::{ByteOrder, Checksum};
pub use error::{Error, Result};
pub use header::{FrameHeader, WalHeader, FRAME_HEADER_SIZE, WAL_HEADER_SIZE, WAL_VERSION};
pub use wal::{SyncMode, Wal, WalConfig};
