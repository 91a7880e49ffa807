//! The pager's one error type and the SQLite result code of each variant.

use crate::page::PageNo;

/// Errors of the pager.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O call failed (SQLITE_IOERR).
    #[error("disk I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file content is malformed (SQLITE_CORRUPT). `page` names the page (0 = file-level).
    #[error("database disk image is malformed: page {page}: {reason}")]
    Corrupt {
        /// The page found malformed (0 when the problem is not in one page).
        page: PageNo,
        /// What is wrong with it.
        reason: String,
    },
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
    /// The caller passed a value the pager cannot use (SQLITE_MISUSE), e.g. a page size that is
    /// not a power of two between 512 and 65536.
    #[error("bad parameter or other API misuse: {0}")]
    Misuse(&'static str),
}

/// The pager's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A CORRUPT error naming `page`.
    pub fn corrupt(page: PageNo, reason: impl Into<String>) -> Self {
        Error::Corrupt {
            page,
            reason: reason.into(),
        }
    }

    /// The primary SQLite result code of this error (SQLITE_IOERR = 10, SQLITE_CORRUPT = 11, ...).
    pub fn sqlite_code(&self) -> i32 {
        match self {
            Error::Io(_) | Error::Poisoned => 10,
            Error::Corrupt { .. } => 11,
            Error::Full => 13,
            Error::ReadOnly => 8,
            Error::NotADatabase => 26,
            Error::Locked => 5,
            Error::Misuse(_) => 21,
        }
    }

    /// Maps an I/O error to the pager's error, turning "no space left on device" into
    /// [`Error::Full`].
    pub fn from_io(err: std::io::Error) -> Self {
        if err.raw_os_error() == Some(libc::ENOSPC) {
            Error::Full
        } else {
            Error::Io(err)
        }
    }
}
