//! [`Pager`]: opens a database file with a journal, hands out read and write transactions, and
//! runs checkpoints.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use crate::cache::{CacheStats, PageCache};
use crate::error::{Error, Result};
use crate::file::{open_file, Backend, File, MemFile, OpenFlags};
use crate::header::{valid_page_size, DbHeader};
use crate::hot_journal::rollback_hot_journal;
use crate::journal::{CheckpointMode, CheckpointResult, Journal};
use crate::mem_journal::MemJournal;
use crate::tx::{ReadTx, WriteTx};

/// How a [`Pager`] opens its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagerOptions {
    /// Page size in bytes of a new database (an existing file keeps its own). Default 4096.
    pub page_size: u32,
    /// Pages the cache holds. Default 2000.
    pub cache_pages: usize,
    /// The I/O backend of [`Pager::open`]. Default [`Backend::Auto`].
    pub backend: Backend,
    /// Refuse write transactions and checkpoints (READONLY); open the file read-only.
    pub read_only: bool,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: 4096,
            cache_pages: 2000,
            backend: Backend::Auto,
            read_only: false,
        }
    }
}

/// State shared by the pager's clones and its transactions.
pub(crate) struct Shared {
    /// The database file.
    pub(crate) db: Arc<dyn File>,
    /// Where commits go and where readers find pages newer than the file's.
    pub(crate) journal: Arc<dyn Journal>,
    /// Page images by page and origin.
    pub(crate) cache: PageCache,
    /// Bytes per page.
    pub(crate) page_size: usize,
    /// Bytes per page minus the reserved bytes.
    pub(crate) usable_size: usize,
    /// Write transactions and checkpoints are refused.
    pub(crate) read_only: bool,
    /// True while a [`WriteTx`] exists.
    pub(crate) writer: Mutex<bool>,
    /// Signalled when the write transaction ends.
    pub(crate) writer_done: Condvar,
    /// Set when a commit or checkpoint failed to write: writes are refused until reopen.
    pub(crate) poisoned: AtomicBool,
    /// Counts checkpoints that may write the database file; cached file images carry the
    /// epoch they were read in (see the crate essay, "Cache").
    pub(crate) file_epoch: AtomicU64,
    /// The freelist was walked and found sound (done by the first write transaction).
    pub(crate) freelist_checked: AtomicBool,
    /// Serialises checkpoints.
    pub(crate) checkpointing: Mutex<()>,
    /// Checkpoint the journal into the file when the last handle goes (the pager made the
    /// journal itself and nothing else would).
    checkpoint_on_close: bool,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.checkpoint_on_close && !self.read_only && !self.poisoned.load(Ordering::SeqCst) {
            if let Err(e) = self.journal.checkpoint(CheckpointMode::Truncate, &*self.db) {
                tracing::warn!("checkpoint at close failed: {e}");
            }
        }
    }
}

/// The pager of one database: cheap to clone (an `Arc` inside), `Send + Sync`, shared by every
/// thread of the database.
#[derive(Clone)]
pub struct Pager {
    /// Everything.
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Pager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("page_size", &self.shared.page_size)
            .field("read_only", &self.shared.read_only)
            .finish()
    }
}

impl Pager {
    /// Opens (or creates) the database file at `path`, locked exclusively, rolls back a hot
    /// rollback journal `<path>-journal` if SQLite left one (MISUSE if a non-empty `-wal`
    /// file is present: that needs the WAL journal), and pairs the file with an in-memory
    /// journal ([`MemJournal`]): commits live in memory until [`Pager::checkpoint`] (or the
    /// last handle's drop) writes them into the file. The WAL replaces the journal through
    /// [`Pager::with_journal`].
    pub fn open(path: impl AsRef<Path>, options: PagerOptions) -> Result<Pager> {
        let flags = OpenFlags {
            read_only: options.read_only,
            create: !options.read_only,
            lock: true,
        };
        let path = path.as_ref();
        let db: Arc<dyn File> = Arc::from(open_file(path, options.backend, flags)?);
        // A WAL left by SQLite holds commits newer than the file: reading past it would show
        // stale pages, and checkpointing our own commits under it would let SQLite replay
        // older frames over them. Only the WAL journal (`with_journal`) may open such a file.
        let mut wal_path = path.as_os_str().to_owned();
        wal_path.push("-wal");
        if std::fs::metadata(&wal_path).is_ok_and(|m| m.len() > 0) {
            return Err(Error::Misuse(
                "the database has a non-empty -wal file; open it with the WAL journal",
            ));
        }
        let mut journal_path = path.as_os_str().to_owned();
        journal_path.push("-journal");
        rollback_hot_journal(&*db, Path::new(&journal_path), options.read_only)?;
        Self::build(db, Arc::new(MemJournal::new()), options, true)
    }

    /// A database that lives only in memory ([`MemFile`] and [`MemJournal`]).
    pub fn open_in_memory(options: PagerOptions) -> Result<Pager> {
        Self::build(
            Arc::new(MemFile::new()),
            Arc::new(MemJournal::new()),
            options,
            false,
        )
    }

    /// A pager over an already open database file and a journal (the WAL, plugged in by the
    /// layer that assembles the storage stack). The caller has taken the file lock.
    pub fn with_journal(
        db: Arc<dyn File>,
        journal: Arc<dyn Journal>,
        options: PagerOptions,
    ) -> Result<Pager> {
        Self::build(db, journal, options, false)
    }

    /// Reads the page size and reserved bytes and assembles the shared state.
    fn build(
        db: Arc<dyn File>,
        journal: Arc<dyn Journal>,
        options: PagerOptions,
        checkpoint_on_close: bool,
    ) -> Result<Pager> {
        let file_size = db.size()?;
        let (page_size, usable_size) = if file_size > 0 {
            let mut bytes = [0u8; DbHeader::SIZE];
            let n = db.read_at(&mut bytes, 0)?;
            let header = DbHeader::read(bytes.get(..n).unwrap_or(&[]))?;
            (header.page_size, header.usable_size())
        } else {
            let size = journal.page_size().unwrap_or(options.page_size);
            if !valid_page_size(size) {
                return Err(Error::Misuse(
                    "page size must be a power of two from 512 to 65536",
                ));
            }
            (size, size as usize)
        };
        let shared = Shared {
            db,
            journal,
            cache: PageCache::new(options.cache_pages),
            page_size: page_size as usize,
            usable_size,
            read_only: options.read_only,
            writer: Mutex::new(false),
            writer_done: Condvar::new(),
            poisoned: AtomicBool::new(false),
            file_epoch: AtomicU64::new(0),
            freelist_checked: AtomicBool::new(false),
            checkpointing: Mutex::new(()),
            checkpoint_on_close,
        };
        let mut pager = Pager {
            shared: Arc::new(shared),
        };
        // The file may be empty while the journal already holds page 1 (a WAL whose first
        // commit was never checkpointed): take the reserved bytes from there.
        if file_size == 0 {
            let reserved = {
                let tx = pager.begin_read()?;
                if tx.page_count_now() > 0 {
                    let header = tx.header()?;
                    if header.page_size != page_size {
                        return Err(Error::corrupt(1, "page size differs from the journal's"));
                    }
                    Some(header.usable_size())
                } else {
                    None
                }
            };
            if let (Some(usable), Some(shared)) = (reserved, Arc::get_mut(&mut pager.shared)) {
                shared.usable_size = usable;
            }
        }
        Ok(pager)
    }

    /// Begins a read transaction at the latest commit.
    pub fn begin_read(&self) -> Result<ReadTx> {
        ReadTx::begin(Arc::clone(&self.shared))
    }

    /// Begins the write transaction, waiting while another one is open.
    pub fn begin_write(&self) -> Result<WriteTx> {
        WriteTx::begin(Arc::clone(&self.shared))
    }

    /// Begins the write transaction if no other one is open, else returns `None` at once.
    pub fn try_begin_write(&self) -> Result<Option<WriteTx>> {
        WriteTx::try_begin(Arc::clone(&self.shared))
    }

    /// Copies committed pages from the journal into the database file as `mode` allows, and
    /// forgets the cached file images of the pages it wrote.
    pub fn checkpoint(&self, mode: CheckpointMode) -> Result<CheckpointResult> {
        let shared = &self.shared;
        if shared.read_only {
            return Err(Error::ReadOnly);
        }
        if shared.poisoned.load(Ordering::SeqCst) {
            return Err(Error::Poisoned);
        }
        let _one_at_a_time = shared.checkpointing.lock();
        // Readers that begin from now on key file images by the new epoch; see the essay.
        let from = shared.file_epoch.fetch_add(1, Ordering::SeqCst);
        match shared.journal.checkpoint(mode, &*shared.db) {
            Ok((result, written)) => {
                shared.cache.advance_file_epoch(from, from + 1, &written);
                Ok(result)
            }
            Err(e) => {
                if matches!(e, Error::Io(_) | Error::Full) {
                    shared.poisoned.store(true, Ordering::SeqCst);
                }
                Err(e)
            }
        }
    }

    /// The page size in bytes.
    pub fn page_size(&self) -> usize {
        self.shared.page_size
    }

    /// Usable bytes per page.
    pub fn usable_size(&self) -> usize {
        self.shared.usable_size
    }

    /// True when this pager refuses writes.
    pub fn is_read_only(&self) -> bool {
        self.shared.read_only
    }

    /// The journal.
    pub fn journal(&self) -> &Arc<dyn Journal> {
        &self.shared.journal
    }

    /// The database file.
    pub fn db_file(&self) -> &Arc<dyn File> {
        &self.shared.db
    }

    /// The cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.shared.cache.stats()
    }
}
