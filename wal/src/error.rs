//! The WAL's error type and its mapping onto the pager's.

use concur_pager::PageNo;

/// Everything that can go wrong in the WAL layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The underlying file failed (the pager's I/O error, SQLITE_IOERR).
    #[error(transparent)]
    File(#[from] concur_pager::Error),
    /// The page size is not a power of two in 512..=65536 (SQLITE_MISUSE).
    #[error("invalid page size {0}")]
    PageSize(u32),
    /// The WAL header is valid but names another page size than the database (SQLITE_CORRUPT).
    #[error("WAL page size {wal} does not match the database page size {database}")]
    PageSizeMismatch {
        /// Page size in the WAL header.
        wal: u32,
        /// Page size of the database the WAL was opened for.
        database: u32,
    },
    /// The WAL header is intact but carries a format version other than 3007000
    /// (SQLITE_CANTOPEN in SQLite).
    #[error("unsupported WAL format version {0}")]
    Version(u32),
    /// A commit was given a base snapshot that is not the latest commit (SQLITE_MISUSE: the
    /// caller must hold the write lock across its transaction).
    #[error("commit base is not the latest snapshot (mark {mark}, latest {latest})")]
    StaleBase {
        /// The mark of the base snapshot given.
        mark: u64,
        /// The latest commit frame.
        latest: u64,
    },
    /// A frame was asked for that is not part of the current WAL (SQLITE_MISUSE or CORRUPT).
    #[error("frame {frame} of generation {generation} is not in the WAL")]
    NoSuchFrame {
        /// Generation of the frame key.
        generation: u64,
        /// Frame number of the frame key.
        frame: u64,
    },
    /// A page handed to commit is malformed: page number 0 or a wrong image size (SQLITE_MISUSE).
    #[error("page {pgno}: image of {len} bytes cannot be committed")]
    BadPage {
        /// The page number given.
        pgno: PageNo,
        /// The image length given.
        len: usize,
    },
    /// A commit gave a database size of 0 pages, which the commit frame cannot record (its size
    /// field 0 means "not a commit") (SQLITE_MISUSE).
    #[error("a commit must leave the database at least one page long")]
    EmptyCommit,
    /// A commit would make the WAL longer than SQLite can index (2^32 - 1 frames).
    #[error("the WAL is full")]
    Full,
    /// An earlier write or sync failed; the WAL refuses writes until it is reopened.
    #[error("the WAL is in the error state after a failed write; reopen it")]
    Poisoned,
}

/// The WAL's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for concur_pager::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::File(inner) => inner,
            Error::Poisoned => concur_pager::Error::Poisoned,
            Error::Full => concur_pager::Error::Full,
            other => concur_pager::Error::Corrupt {
                page: 0,
                reason: other.to_string(),
            },
        }
    }
}
