//! Opening the pager over a database file and its SQLite-format WAL.

use crate::{Error, Result};
use concur_pager::{
    open_file, Backend, CheckpointMode, DbHeader, File, OpenFlags, Pager, PagerOptions,
};
use concur_wal::{SyncMode, Wal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to open a database's storage.
#[derive(Debug, Clone)]
pub struct StorageOptions {
    /// The I/O backend for both files.
    pub backend: Backend,
    /// When the WAL fsyncs (`PRAGMA synchronous`).
    pub sync: SyncMode,
    /// The page size of a new database (an existing one keeps its own).
    pub page_size: u32,
    /// The page cache capacity in pages.
    pub cache_pages: usize,
    /// Open without write access.
    pub read_only: bool,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            backend: Backend::Auto,
            sync: SyncMode::Full,
            page_size: 4096,
            cache_pages: 2000,
            read_only: false,
        }
    }
}

/// The WAL's path beside the database file: `app.db` -> `app.db-wal`.
fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Opens (creating if needed) the database at `path` with its WAL, recovering the WAL by SQLite's
/// rules, and returns the pager that reads and writes through it.
pub fn open_storage(path: impl AsRef<Path>, options: &StorageOptions) -> Result<Pager> {
    Ok(open_storage_with_wal(path, options)?.0)
}

/// As [`open_storage`], and also returns the WAL itself, for what only the WAL knows (its sync
/// mode, which `PRAGMA synchronous` changes).
pub fn open_storage_with_wal(
    path: impl AsRef<Path>,
    options: &StorageOptions,
) -> Result<(Pager, Arc<Wal>)> {
    let path = path.as_ref();
    let flags = OpenFlags {
        read_only: options.read_only,
        create: !options.read_only,
        lock: true,
    };
    let db: Arc<dyn File> = Arc::from(open_file(path, options.backend, flags)?);
    let open_wal = || {
        let wal_flags = OpenFlags {
            lock: false,
            ..flags
        };
        let file = open_file(&wal_path(path), options.backend, wal_flags)?;
        Ok(Arc::from(file))
    };
    open_storage_on(db, open_wal, options)
}

/// As [`open_storage_with_wal`], over a database file that is already open (and locked, if
/// it needs to be) and a WAL file that `open_wal` opens once the database file has been
/// checked: files of another kind, such as a test harness's files that fail on command.
pub fn open_storage_on(
    db: Arc<dyn File>,
    open_wal: impl FnOnce() -> Result<Arc<dyn File>>,
    options: &StorageOptions,
) -> Result<(Pager, Arc<Wal>)> {
    // An existing database decides the page size; the WAL's frames must match it.
    let mut first = [0u8; DbHeader::SIZE];
    let page_size = match db.read_at(&mut first, 0)? {
        0 if options.read_only => return Err(concur_pager::Error::NotADatabase.into()),
        0 => {
            write_first_page(db.as_ref(), options.page_size)?;
            options.page_size
        }
        n if n < DbHeader::SIZE => return Err(concur_pager::Error::NotADatabase.into()),
        _ => DbHeader::read(&first)?.page_size,
    };
    let wal = Wal::open(open_wal()?, page_size, options.sync)?;
    let pager_options = PagerOptions {
        page_size,
        cache_pages: options.cache_pages,
        backend: options.backend,
        read_only: options.read_only,
    };
    let wal = Arc::new(wal);
    let journal: Arc<dyn concur_pager::Journal> = wal.clone();
    Ok((Pager::with_journal(db, journal, pager_options)?, wal))
}

/// Writes page 1 of a new, empty database straight into the database file: the header (WAL
/// mode) and an empty `sqlite_schema` table leaf at offset 100. SQLite deletes the WAL of a
/// zero-byte database file when it opens it, so the first commit must never live only in the
/// WAL; with page 1 on disk, `sqlite3` sees a WAL-mode database and reads the WAL.
fn write_first_page(db: &dyn File, page_size: u32) -> Result<()> {
    if !concur_pager::valid_page_size(page_size) {
        return Err(
            concur_pager::Error::Misuse("page size must be a power of two in 512..=65536").into(),
        );
    }
    let mut page = vec![0u8; page_size as usize];
    DbHeader::new(page_size).write(&mut page);
    let leaf = &mut page[DbHeader::SIZE..];
    leaf[0] = 0x0d; // table leaf; freeblock 0, 0 cells, no fragments
                    // Cell content starts at the end of the page (0 stands for 65536).
    let content_start = if page_size == 65536 {
        0
    } else {
        page_size as u16
    };
    leaf[5..7].copy_from_slice(&content_start.to_be_bytes());
    db.write_batch(&[(0, &page)], true)?;
    Ok(())
}

/// Checkpoints everything in the WAL into the database file and truncates the WAL, as a clean
/// close does. Busy if a reader still holds back part of the WAL.
pub fn close_storage(pager: &Pager) -> Result<()> {
    let result = pager.checkpoint(CheckpointMode::Truncate)?;
    if result.busy {
        return Err(Error::Busy);
    }
    Ok(())
}
