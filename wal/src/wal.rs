//! The [`Wal`]: open and recover, read snapshots, and appending commits.

use crate::checksum::{ByteOrder, Checksum};
use crate::error::{Error, Result};
use crate::header::{encode_frame, valid_page_size, WalHeader, FRAME_HEADER_SIZE, WAL_HEADER_SIZE};
use crate::index::FrameIndex;
use crate::recovery::{read_full, recover};
use concur_pager::{File, FrameKey, JournalSnapshot, PageNo};
use parking_lot::{Condvar, Mutex, MutexGuard, RwLock};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::Duration;

/// When the WAL calls fsync, as `PRAGMA synchronous` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// No fsync at all: a power loss may lose or tear recent commits and checkpoints.
    Off,
    /// fsync the WAL before each backfill and the database after it; commits are not synced
    /// one by one, so a power loss may lose the latest commits (never tear them).
    Normal,
    /// As `Normal`, and every commit's frames are written and fsynced in one batch before the
    /// commit returns.
    #[default]
    Full,
}

impl SyncMode {
    /// The mode's number in `PRAGMA synchronous` (0 OFF, 1 NORMAL, 2 FULL).
    pub fn level(self) -> u8 {
        match self {
            SyncMode::Off => 0,
            SyncMode::Normal => 1,
            SyncMode::Full => 2,
        }
    }

    /// The mode with `PRAGMA synchronous` number `level`; 3 (EXTRA) syncs as FULL.
    pub fn from_level(level: u8) -> Option<SyncMode> {
        match level {
            0 => Some(SyncMode::Off),
            1 => Some(SyncMode::Normal),
            2 | 3 => Some(SyncMode::Full),
            _ => None,
        }
    }
}

/// How a [`Wal`] behaves; fixed when it is opened, except the sync mode
/// ([`Wal::set_sync_mode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalConfig {
    /// When to fsync.
    pub sync: SyncMode,
    /// Checksum word order of the headers this WAL writes (a recovered WAL keeps its own order
    /// until it is reset).
    pub checksum_order: ByteOrder,
    /// How long a FULL, RESTART or TRUNCATE checkpoint waits for readers before it reports busy.
    pub busy_timeout: Duration,
}

impl WalConfig {
    /// SQLite's choices: the host's byte order, no busy wait, and the given sync mode.
    pub fn new(sync: SyncMode) -> Self {
        WalConfig {
            sync,
            checksum_order: ByteOrder::NATIVE,
            busy_timeout: Duration::ZERO,
        }
    }
}

/// A SQLite write-ahead log over one file, with its frame index in memory.
///
/// Shared by every thread of a database (`Send + Sync`); readers, one writer and one
/// checkpointer run at the same time. The locks, always taken in this order:
/// `checkpointer`, then `writer`, then `state`, then `frames`. Page lookups take only a read
/// lock on `frames`. No file I/O happens under `state` except the WAL truncation of a TRUNCATE
/// checkpoint.
pub struct Wal {
    /// The `-wal` file.
    pub(crate) file: Arc<dyn File>,
    /// Database page size in bytes; every frame holds one page of this size.
    pub(crate) page_size: u32,
    /// Sync policy (as opened), byte order, busy timeout.
    pub(crate) config: WalConfig,
    /// The sync policy now: a [`SyncMode::level`], changed by `PRAGMA synchronous`.
    pub(crate) sync: AtomicU8,
    /// Readers, backfill progress and the header: what begin/end of reads, commits and
    /// checkpoints coordinate on.
    pub(crate) state: Mutex<WalState>,
    /// The committed frames: what page lookups read. Changed only with `state` also held.
    pub(crate) frames: RwLock<FrameTable>,
    /// Signalled whenever a reader ends, for checkpoints that wait.
    pub(crate) reader_left: Condvar,
    /// Held by the appending writer (and by FULL/RESTART/TRUNCATE checkpoints).
    pub(crate) writer: Mutex<()>,
    /// Held by a running checkpoint: one at a time.
    pub(crate) checkpointer: Mutex<()>,
}

/// The shared state of a [`Wal`], under its mutex.
#[derive(Debug)]
pub(crate) struct WalState {
    /// The header the frames in the file were written under (`None`: no valid header yet).
    pub header: Option<WalHeader>,
    /// The cumulative checksum through frame `max_frame`.
    pub checksum: Checksum,
    /// Frames `1..=backfilled` are copied into the database file.
    pub backfilled: u64,
    /// The database size in pages after the latest commit, when one is known.
    pub db_pages: Option<u32>,
    /// Running readers: read mark -> how many readers hold it. Mark 0 readers read only the
    /// database file (they began when the WAL was wholly backfilled).
    pub readers: BTreeMap<u64, usize>,
    /// A write or sync failed: no more writes until the WAL is reopened.
    pub poisoned: bool,
}

impl WalState {
    /// The smallest read mark of a running reader.
    pub fn oldest_reader(&self) -> Option<u64> {
        self.readers.keys().next().copied()
    }

    /// True when some running reader reads frames of the WAL (read mark above 0).
    pub fn readers_in_wal(&self) -> bool {
        self.readers
            .keys()
            .next_back()
            .is_some_and(|&mark| mark > 0)
    }

    /// Forgets every frame, so that the next commit starts a new generation at frame 1.
    /// Only allowed when everything is backfilled and no reader reads the WAL.
    pub fn reset(&mut self, frames: &mut FrameTable) {
        frames.max_frame = 0;
        frames.index.clear();
        self.backfilled = 0;
    }
}

/// The committed frames of the current generation, under the [`Wal`]'s read-write lock.
#[derive(Debug)]
pub(crate) struct FrameTable {
    /// Bumped whenever a new header (new salts) is written; frame keys carry it.
    pub generation: u64,
    /// The last commit frame (0: the WAL holds nothing; the next commit writes a new header).
    pub max_frame: u64,
    /// Frames by page, commits by frame.
    pub index: FrameIndex,
}

impl Wal {
    /// Opens the WAL in `file` for a database of `page_size` bytes per page and recovers its
    /// committed frames, with SQLite's defaults (see [`WalConfig::new`]).
    pub fn open(file: Arc<dyn File>, page_size: u32, sync: SyncMode) -> Result<Wal> {
        Wal::open_with(file, page_size, WalConfig::new(sync))
    }

    /// Opens and recovers the WAL in `file` with the given configuration. An empty or
    /// invalid file is an empty WAL; its header is written with the first commit.
    pub fn open_with(file: Arc<dyn File>, page_size: u32, config: WalConfig) -> Result<Wal> {
        if !valid_page_size(page_size) {
            return Err(Error::PageSize(page_size));
        }
        let found = recover(file.as_ref(), page_size)?;
        let frames = FrameTable {
            generation: 1,
            max_frame: found.max_frame,
            index: found.index,
        };
        let state = WalState {
            header: found.header,
            checksum: found.checksum,
            backfilled: 0,
            db_pages: found.db_pages,
            readers: BTreeMap::new(),
            poisoned: false,
        };
        Ok(Wal {
            file,
            page_size,
            config,
            sync: AtomicU8::new(config.sync.level()),
            state: Mutex::new(state),
            frames: RwLock::new(frames),
            reader_left: Condvar::new(),
            writer: Mutex::new(()),
            checkpointer: Mutex::new(()),
        })
    }

    /// The page size named by the WAL header in `file`, when the header is intact: what a
    /// database whose file is still empty (its first commits only in the WAL) must be opened
    /// with.
    pub fn header_page_size(file: &dyn File) -> Result<Option<u32>> {
        let mut head = [0u8; WAL_HEADER_SIZE];
        if read_full(file, &mut head, 0)? < WAL_HEADER_SIZE {
            return Ok(None);
        }
        Ok(WalHeader::decode(&head)?.map(|header| header.page_size))
    }

    /// The page size of the database this WAL belongs to.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The configuration the WAL was opened with, with the sync mode now.
    pub fn config(&self) -> WalConfig {
        WalConfig {
            sync: self.sync_mode(),
            ..self.config
        }
    }

    /// When the WAL fsyncs now.
    pub fn sync_mode(&self) -> SyncMode {
        SyncMode::from_level(self.sync.load(AtomicOrdering::Relaxed)).unwrap_or_default()
    }

    /// Changes when the WAL fsyncs, from the next commit or checkpoint on.
    pub fn set_sync_mode(&self, mode: SyncMode) {
        self.sync.store(mode.level(), AtomicOrdering::Relaxed);
    }

    /// The last commit frame: the number of valid frames in the WAL.
    pub fn max_frame(&self) -> u64 {
        self.frames.read().max_frame
    }

    /// How many frames are backfilled into the database file.
    pub fn backfilled(&self) -> u64 {
        self.state.lock().backfilled
    }

    /// Starts a read snapshot at the latest commit and registers its read mark, so that no
    /// checkpoint overwrites a database page the snapshot still reads. End it with
    /// [`Wal::end_read`].
    pub fn begin_read(&self) -> JournalSnapshot {
        let mut st = self.state.lock();
        let frames = self.frames.read();
        let mark = if st.backfilled == frames.max_frame {
            0
        } else {
            frames.max_frame
        };
        *st.readers.entry(mark).or_default() += 1;
        JournalSnapshot {
            mark,
            generation: frames.generation,
            db_pages: st.db_pages,
        }
    }

    /// Ends a snapshot begun by [`Wal::begin_read`] and wakes waiting checkpoints.
    pub fn end_read(&self, snapshot: &JournalSnapshot) {
        let mut st = self.state.lock();
        if let Some(count) = st.readers.get_mut(&snapshot.mark) {
            *count -= 1;
            if *count == 0 {
                st.readers.remove(&snapshot.mark);
            }
        }
        drop(st);
        self.reader_left.notify_all();
    }

    /// The frame holding the newest version of `pgno` at or below the snapshot's mark, or
    /// `None` when the database file has the version the snapshot sees.
    pub fn find_page(&self, snapshot: &JournalSnapshot, pgno: PageNo) -> Result<Option<FrameKey>> {
        if snapshot.mark == 0 {
            return Ok(None);
        }
        let frames = self.frames.read();
        if snapshot.generation != frames.generation || snapshot.mark > frames.max_frame {
            return Err(Error::NoSuchFrame {
                generation: snapshot.generation,
                frame: snapshot.mark,
            });
        }
        Ok(frames
            .index
            .newest(pgno, snapshot.mark)
            .map(|frame| FrameKey {
                generation: snapshot.generation,
                frame,
            }))
    }

    /// Reads the page image of frame `key` into `buf` (`page_size` bytes).
    pub fn read_frame(&self, key: FrameKey, buf: &mut [u8]) -> Result<()> {
        {
            let frames = self.frames.read();
            if key.generation != frames.generation || key.frame == 0 || key.frame > frames.max_frame
            {
                return Err(Error::NoSuchFrame {
                    generation: key.generation,
                    frame: key.frame,
                });
            }
        }
        if buf.len() != self.page_size as usize {
            return Err(Error::BadPage {
                pgno: 0,
                len: buf.len(),
            });
        }
        let offset = self.frame_offset(key.frame) + FRAME_HEADER_SIZE as u64;
        if read_full(self.file.as_ref(), buf, offset)? < buf.len() {
            return Err(concur_pager::Error::Corrupt {
                page: 0,
                reason: format!("WAL frame {} is cut short", key.frame),
            }
            .into());
        }
        Ok(())
    }

    /// Appends one transaction: a frame per page, the last a commit frame recording `db_pages`.
    /// `base` must be the latest snapshot. With [`SyncMode::Full`] the frames and the fsync go
    /// to the file as one batch. Returns the snapshot of the new commit (not registered as a
    /// reader). When the WAL is wholly backfilled and no reader reads it, it is first reset:
    /// the commit goes to frame 1 under a new header with new salts.
    pub fn commit(
        &self,
        base: &JournalSnapshot,
        pages: &[(PageNo, &[u8])],
        db_pages: u32,
    ) -> Result<JournalSnapshot> {
        if db_pages == 0 && !pages.is_empty() {
            return Err(Error::EmptyCommit);
        }
        for &(pgno, image) in pages {
            if pgno == 0 || image.len() != self.page_size as usize {
                return Err(Error::BadPage {
                    pgno,
                    len: image.len(),
                });
            }
        }
        let _writer = self.writer.lock();
        let mut st = self.state.lock();
        if st.poisoned {
            return Err(Error::Poisoned);
        }
        let mut frames = self.frames.write();
        let latest = base.generation == frames.generation
            && (base.mark == frames.max_frame
                || (base.mark == 0 && st.backfilled == frames.max_frame));
        if !latest {
            return Err(Error::StaleBase {
                mark: base.mark,
                latest: frames.max_frame,
            });
        }
        if pages.is_empty() {
            return Ok(*base);
        }
        if frames.max_frame > 0 && st.backfilled == frames.max_frame && !st.readers_in_wal() {
            st.reset(&mut frames);
        }
        let new_header = (frames.max_frame == 0).then(|| match st.header {
            Some(old) => old.next(self.config.checksum_order),
            None => WalHeader::first(self.config.checksum_order, self.page_size),
        });
        let Some(header) = new_header.or(st.header) else {
            return Err(Error::NoSuchFrame {
                generation: frames.generation,
                frame: frames.max_frame,
            });
        };
        let first = frames.max_frame + 1;
        let last = frames.max_frame + pages.len() as u64;
        if last > u64::from(u32::MAX) {
            return Err(Error::Full);
        }
        let mut sum = match new_header {
            Some(h) => h.checksum(),
            None => st.checksum,
        };
        // Build the frames without holding the locks; readers keep going meanwhile.
        drop(frames);
        drop(st);
        let frame_size = FRAME_HEADER_SIZE + self.page_size as usize;
        let mut frames = vec![0u8; frame_size * pages.len()];
        for (i, (&(pgno, image), out)) in pages
            .iter()
            .zip(frames.chunks_exact_mut(frame_size))
            .enumerate()
        {
            let commit_size = if i + 1 == pages.len() { db_pages } else { 0 };
            sum = encode_frame(&header, sum, pgno, commit_size, image, out);
        }
        let header_bytes = header.encode();
        let mut writes: Vec<(u64, &[u8])> = Vec::with_capacity(2);
        if new_header.is_some() {
            writes.push((0, &header_bytes));
        }
        writes.push((self.frame_offset(first), &frames));
        let sync = self.sync_mode() == SyncMode::Full;
        if let Err(error) = self.file.write_batch(&writes, sync) {
            self.state.lock().poisoned = true;
            return Err(error.into());
        }
        let mut st = self.state.lock();
        let mut frames = self.frames.write();
        if new_header.is_some() {
            st.header = Some(header);
            frames.generation += 1;
        }
        for (i, &(pgno, _)) in pages.iter().enumerate() {
            frames.index.add_frame(pgno, first + i as u64);
        }
        frames.index.add_commit(last, db_pages);
        frames.max_frame = last;
        st.checksum = sum;
        st.db_pages = Some(db_pages);
        Ok(JournalSnapshot {
            mark: last,
            generation: frames.generation,
            db_pages: Some(db_pages),
        })
    }

    /// The file offset of frame `frame` (1-based).
    pub(crate) fn frame_offset(&self, frame: u64) -> u64 {
        let frame_size = FRAME_HEADER_SIZE as u64 + u64::from(self.page_size);
        WAL_HEADER_SIZE as u64 + (frame - 1) * frame_size
    }

    /// Locks the shared state (for the checkpoint module).
    pub(crate) fn lock_state(&self) -> MutexGuard<'_, WalState> {
        self.state.lock()
    }
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.state.lock();
        let frames = self.frames.read();
        f.debug_struct("Wal")
            .field("page_size", &self.page_size)
            .field("config", &self.config)
            .field("max_frame", &frames.max_frame)
            .field("backfilled", &st.backfilled)
            .field("generation", &frames.generation)
            .finish()
    }
}
