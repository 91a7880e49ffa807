//! The B-tree layer's error type.

use concur_pager::PageNo;

/// Errors of the B-tree layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pager failed (I/O, a page past the end, a full disk, ...).
    #[error(transparent)]
    Pager(#[from] concur_pager::Error),
    /// A page, cell, overflow chain or record is malformed (SQLITE_CORRUPT). `page` names the
    /// page where the damage was seen (0 while a record is decoded away from its page).
    #[error("database disk image is malformed: page {page}: {reason}")]
    Corrupt {
        /// The page on which the malformed structure was found.
        page: PageNo,
        /// What was wrong with it.
        reason: String,
    },
    /// A record, key or payload is larger than the layer accepts (SQLITE_TOOBIG).
    #[error("string or blob too big")]
    TooBig,
    /// The caller asked for something the layer does not allow (SQLITE_MISUSE).
    #[error("B-tree misuse: {0}")]
    Misuse(&'static str),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A CORRUPT error on page `page`.
    pub fn corrupt(page: PageNo, reason: impl Into<String>) -> Self {
        Error::Corrupt {
            page,
            reason: reason.into(),
        }
    }

    /// Names `page` in a CORRUPT error that was raised without one (record decoding).
    pub fn on_page(self, page: PageNo) -> Self {
        match self {
            Error::Corrupt { page: 0, reason } => Error::Corrupt { page, reason },
            other => other,
        }
    }

    /// The SQLite primary result code: CORRUPT 11, TOOBIG 18, MISUSE 21, and the pager's
    /// IOERR 10, FULL 13, READONLY 8, NOTADB 26, BUSY 5.
    pub fn sqlite_code(&self) -> i32 {
        use concur_pager::Error as P;
        match self {
            Error::Corrupt { .. } | Error::Pager(P::Corrupt { .. }) => 11,
            Error::TooBig => 18,
            Error::Misuse(_) => 21,
            Error::Pager(P::Io(_) | P::Poisoned) => 10,
            Error::Pager(P::Full) => 13,
            Error::Pager(P::ReadOnly) => 8,
            Error::Pager(P::NotADatabase) => 26,
            Error::Pager(P::Locked) => 5,
            // Variants the pager may add later: plain SQLITE_ERROR until mapped.
            #[allow(unreachable_patterns)]
            _ => 1,
        }
    }

    /// True for SQLITE_CORRUPT, whether raised here or by the pager.
    pub fn is_corrupt(&self) -> bool {
        matches!(
            self,
            Error::Corrupt { .. } | Error::Pager(concur_pager::Error::Corrupt { .. })
        )
    }

    /// The page named by a CORRUPT error.
    pub fn corrupt_page(&self) -> Option<PageNo> {
        match self {
            Error::Corrupt { page, .. }
            | Error::Pager(concur_pager::Error::Corrupt { page, .. }) => Some(*page),
            _ => None,
        }
    }
}
