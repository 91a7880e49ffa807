//! # The pager
//!
//! The pager turns a SQLite 3 database file into numbered, fixed-size pages that transactions
//! read and write. It knows the 100-byte database header and the freelist; it does not know
//! B-trees (the `btree` crate does) or the WAL format (the `wal` crate does: it implements
//! [`Journal`], and `mvcc` plugs it in with [`Pager::with_journal`]).
//!
//! ## Layers
//!
//! ```text
//!   ReadTx / WriteTx      snapshot + page count; WriteTx: dirty pages, allocate/free, commit
//!        |
//!   Pager                 one per database; cache, writer slot, checkpoint, error state
//!     |        \
//!   PageCache   Journal   newest committed page versions (WAL / MemJournal), snapshots
//!     |        /
//!   File                  StdFile (pread/pwrite/fdatasync) | UringFile (io_uring) | MemFile
//! ```
//!
//! A page read goes: is the page dirty in this write transaction? Else does the journal hold a
//! version visible to the snapshot ([`Journal::find_page`])? Then that frame, else the
//! database file. Both sources go through the cache.
//!
//! ## Contract used by the layers above
//!
//! - [`Pager`] is cheap to clone (an `Arc` inside) and shared by every thread of one database.
//! - [`Pager::begin_read`] returns a [`ReadTx`]: a consistent snapshot of the database (pages and
//!   page count) for as long as it lives, whatever writers commit meanwhile.
//! - [`Pager::begin_write`] returns a [`WriteTx`]; at most one exists at a time (the call waits).
//!   It sees its own dirty pages, allocates pages from the freelist before growing the file,
//!   frees pages onto the freelist, and commits all its dirty pages through the [`Journal`]
//!   atomically, or rolls back by dropping them.
//!   [`Pager::try_begin_write`] returns `None` instead of waiting.
//! - Both implement [`PageSource`], which is all a B-tree reader needs.
//! - Page numbers start at 1. Page 1 holds the 100-byte [`DbHeader`] at its start.
//!
//! ## The database header (page 1, bytes 0..100, integers big-endian)
//!
//! | offset | size | field | pager's rule |
//! | --- | --- | --- | --- |
//! | 0 | 16 | `"SQLite format 3\0"` | else NOTADB |
//! | 16 | 2 | page size; 1 means 65536 | power of two 512..=65536, else CORRUPT |
//! | 18 | 1 | write version: 1 rollback, 2 WAL | set to 2 by every commit |
//! | 19 | 1 | read version: 1 rollback, 2 WAL | > 2 refuses to open (READONLY); set to 2 |
//! | 20 | 1 | reserved bytes per page | usable size = page size - this, at least 480 |
//! | 21..24 | 3 | payload fractions 64, 32, 32 | written as such |
//! | 24 | 4 | file change counter | +1 per commit |
//! | 28 | 4 | database size in pages | trusted only if nonzero and 92 == 24, else file size |
//! | 32 | 4 | first freelist trunk page | owned by the pager |
//! | 36 | 4 | freelist page count | owned by the pager |
//! | 40 | 4 | schema cookie | caller's |
//! | 44 | 4 | schema format (4) | caller's |
//! | 48 | 4 | default cache size | caller's |
//! | 52 | 4 | largest auto-vacuum root (0) | caller's |
//! | 56 | 4 | text encoding (1 UTF-8) | caller's |
//! | 60 | 4 | user version | caller's |
//! | 64 | 4 | incremental vacuum | caller's |
//! | 68 | 4 | application id | caller's |
//! | 72 | 20 | reserved, zero | zeroed |
//! | 92 | 4 | version-valid-for | = change counter at every commit |
//! | 96 | 4 | SQLITE_VERSION_NUMBER | 3040001 |
//!
//! ## The freelist
//!
//! Unused pages form a chain of *trunk* pages; header field 32 names the first, field 36
//! counts every page on the list (trunks and leaves).
//!
//! | offset in a trunk | size | content |
//! | --- | --- | --- |
//! | 0 | 4 | next trunk page (0: last) |
//! | 4 | 4 | L, the number of leaf page numbers that follow |
//! | 8 | 4 * L | leaf page numbers |
//!
//! A trunk may hold at most `usable/4 - 2` leaves (more is CORRUPT). Leaf pages' content is
//! meaningless. Following SQLite (`freePage2`):
//!
//! - **free(P)**: if the first trunk has fewer than `usable/4 - 8` leaves, P is appended to it
//!   as a leaf (the old versions of SQLite had an off-by-six bug; staying 6 short keeps them
//!   safe). Otherwise P becomes the new first trunk (next = old first trunk, L = 0).
//! - **allocate**: the last leaf of the first trunk; when that trunk has no leaves, the trunk
//!   itself (the next trunk becomes the first); when the list is empty, page count + 1,
//!   skipping the page that holds the pending byte at offset 2^30, which SQLite never uses.
//!
//! The first write transaction of a pager walks the whole list ([`freelist::check`]): every
//! page in range, none twice (cycles), exactly the header's count; otherwise CORRUPT naming the
//! page. After that the pager trusts the list it maintains itself, and still refuses to hand
//! out a page twice in one transaction.
//!
//! ## Transactions: states and invariants
//!
//! ```text
//!   Pager ──begin_read──▶ ReadTx (snapshot S registered) ──drop──▶ end_read(S)
//!   Pager ──begin_write─▶ [wait for writer slot] ─▶ WriteTx (snapshot = latest, registered)
//!        WriteTx ──commit──▶ Journal::commit(S, dirty, page count) ─▶ slot freed
//!        WriteTx ──rollback / drop──▶ dirty pages discarded ─▶ slot freed
//!   any failed journal write or checkpoint ─▶ poisoned: begin_write/commit/checkpoint fail
//! ```
//!
//! - A snapshot is registered with the journal for the whole life of the transaction; the
//!   journal never writes into the database file a page that a registered snapshot reads from
//!   the file, so a transaction's view never changes.
//! - At most one [`WriteTx`] exists; it starts from the latest commit, so `Journal::commit`
//!   always extends the latest snapshot.
//! - Dirty pages are `Arc`s changed copy-on-write: a [`PageRef`] handed out earlier keeps the
//!   image it was read as.
//! - Every commit writes page 1 with the pager-owned header fields right.
//!
//! ## The in-memory journal
//!
//! [`MemJournal`] numbers committed page images as frames 1, 2, 3, ... like the WAL; a
//! snapshot is the last frame of a commit (its *mark*). A checkpoint copies, for each page,
//! the newest frame at or below the oldest registered mark into the file (so no registered
//! reader sees a file page change under it), and, once every frame is copied and no reader is
//! registered, starts a new generation with no frames. `Full`/`Restart`/`Truncate` report
//! `busy` when readers kept them from finishing; none of them waits.
//!
//! ## Cache
//!
//! A CLOCK cache of `cache_pages` images ([`PageCache`]) keyed by page number and origin: a
//! journal frame ([`FrameKey`], immutable, so always valid) or the database file in a *file
//! epoch*. [`Pager::checkpoint`] increments the epoch before the journal writes the file and,
//! afterwards, re-keys the old epoch's images to the new one except for the pages written.
//! A transaction reads the epoch after registering its snapshot, and so only ever meets file
//! images that are right for it: images of pages a checkpoint rewrote are either under an
//! epoch it does not use, or of pages its snapshot reads from frames. Evicted images live on
//! in the transactions holding them.
//!
//! ## Files
//!
//! [`open_file`] opens with [`Backend::Auto`] (io_uring when a ring can be created, else std),
//! takes an exclusive `flock` (a second open, in this process or another, fails with
//! [`Error::Locked`]) and maps ENOSPC to [`Error::Full`]. [`File::write_batch`] on io_uring
//! submits every write and a drained fdatasync with one system call.
//!
//! [`Pager::open`] first rolls back a hot rollback journal (`<db>-journal`) left by a crashed
//! SQLite, as SQLite would ([`rollback_hot_journal`]; format in `hot_journal.rs`). It then
//! pairs the file with a [`MemJournal`]: commits stay in memory until a
//! checkpoint (or the last handle's drop) writes them into the file. Durable commits come from
//! the WAL journal, plugged in with [`Pager::with_journal`].

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cache;
mod error;
mod file;
pub mod freelist;
mod hash;
mod header;
mod hot_journal;
mod journal;
mod mem_journal;
mod page;
mod pager;
mod savepoint;
mod tx;

pub use cache::{CacheKey, CacheStats, PageCache, PageOrigin};
pub use error::{Error, Result};
#[cfg(target_os = "linux")]
pub use file::UringFile;
pub use file::{io_uring_available, open_file, Backend, File, MemFile, OpenFlags, StdFile};
pub use hash::{PageHasher, PageMap, PageSet};
pub use header::{valid_page_size, DbHeader, MAGIC, SQLITE_VERSION_NUMBER};
pub use hot_journal::{journal_checksum, rollback_hot_journal, HotJournalRollback};
pub use journal::{CheckpointMode, CheckpointResult, FrameKey, Journal, JournalSnapshot};
pub use mem_journal::MemJournal;
pub use page::{PageBuf, PageNo, PageRef, PageSource, PageWriter};
pub use pager::{Pager, PagerOptions};
pub use tx::{ReadTx, WriteTx};
