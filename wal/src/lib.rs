//! # The write-ahead log
//!
//! (essay follows)

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
