//! The portable backend: pread/pwrite/fdatasync through `std::os::unix::fs::FileExt`.

use crate::error::{Error, Result};
use crate::file::{pread_full, pwrite_all, File};

/// A file accessed with positioned reads and writes and `fdatasync`.
#[derive(Debug)]
pub struct StdFile {
    /// The open file (holding the advisory lock, if one was taken).
    file: ::std::fs::File,
    /// Writes are refused with READONLY.
    read_only: bool,
}

impl StdFile {
    /// Wraps an open file.
    pub fn new(file: ::std::fs::File, read_only: bool) -> Self {
        StdFile { file, read_only }
    }

    /// READONLY when this file was opened for reading only.
    fn check_writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }
}

impl File for StdFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        pread_full(&self.file, buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        self.check_writable()?;
        pwrite_all(&self.file, buf, offset)
    }

    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()> {
        self.check_writable()?;
        for (offset, bytes) in writes {
            pwrite_all(&self.file, bytes, *offset)?;
        }
        if sync {
            self.sync()?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.check_writable()?;
        self.file.sync_data().map_err(Error::from_io)
    }

    fn size(&self) -> Result<u64> {
        Ok(self.file.metadata().map_err(Error::from_io)?.len())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        self.check_writable()?;
        self.file.set_len(len).map_err(Error::from_io)
    }
}
