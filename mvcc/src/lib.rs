//! # The MVCC layer (first step: the assembled storage stack)
//!
//! This crate will hold the multi-version row store, `BEGIN CONCURRENT`, the logical log, recovery
//! and the checkpointer (see `../shared/design.md`). Today it does the one job it already owns:
//! assembling the storage stack that everything above reads and writes through.
//!
//! ```text
//!   app.db      <- pager (std or io_uring File, exclusive advisory lock, page cache, freelist)
//!   app.db-wal  <- wal::Wal, plugged into the pager as its Journal
//! ```
//!
//! [`open_storage`] opens (or creates) the database file with an exclusive lock, opens and
//! recovers its WAL by SQLite's rules, and returns a [`Pager`] whose commits go to the WAL as
//! frames. [`close_storage`] checkpoints the WAL fully into the database file and truncates it,
//! so that after a clean close `app.db` alone is complete.

mod stack;

pub use concur_wal::SyncMode;
pub use stack::{
    close_storage, open_storage, open_storage_on, open_storage_with_wal, StorageOptions,
};

/// Errors of the storage stack.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error of the pager (I/O, corruption, locking, ...).
    #[error(transparent)]
    Pager(#[from] concur_pager::Error),
    /// An error of the WAL.
    #[error(transparent)]
    Wal(#[from] concur_wal::Error),
    /// A checkpoint at close could not backfill everything because a reader held it back.
    #[error("database is busy: the WAL could not be checkpointed")]
    Busy,
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
