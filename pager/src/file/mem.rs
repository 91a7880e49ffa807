//! A file held in memory: the database file of an in-memory database, and the test double.

use parking_lot::RwLock;

use crate::error::{Error, Result};
use crate::file::File;

/// A growable byte vector behind a lock, with the [`File`] interface.
#[derive(Debug, Default)]
pub struct MemFile {
    /// The file content.
    bytes: RwLock<Vec<u8>>,
}

impl MemFile {
    /// An empty file.
    pub fn new() -> Self {
        Self::default()
    }

    /// A file holding `bytes`.
    pub fn with_bytes(bytes: Vec<u8>) -> Self {
        MemFile {
            bytes: RwLock::new(bytes),
        }
    }

    /// A copy of the whole content.
    pub fn to_vec(&self) -> Vec<u8> {
        self.bytes.read().clone()
    }
}

/// The offset as an in-memory index, or FULL when it cannot be one.
fn index(offset: u64, len: usize) -> Result<(usize, usize)> {
    let start = usize::try_from(offset).map_err(|_| Error::Full)?;
    let end = start.checked_add(len).ok_or(Error::Full)?;
    Ok((start, end))
}

impl File for MemFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        let bytes = self.bytes.read();
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(avail) = bytes.get(start..) else {
            return Ok(0);
        };
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        Ok(n)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        let (start, end) = index(offset, buf.len())?;
        let mut bytes = self.bytes.write();
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[start..end].copy_from_slice(buf);
        Ok(())
    }

    fn write_batch(&self, writes: &[(u64, &[u8])], _sync: bool) -> Result<()> {
        for (offset, buf) in writes {
            self.write_at(buf, *offset)?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        Ok(())
    }

    fn size(&self) -> Result<u64> {
        Ok(self.bytes.read().len() as u64)
    }

    fn set_len(&self, len: u64) -> Result<()> {
        let len = usize::try_from(len).map_err(|_| Error::Full)?;
        self.bytes.write().resize(len, 0);
        Ok(())
    }
}
