//! Test-only files and helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use concur_pager::{File, JournalSnapshot, Result};
use concur_wal::Wal;
use parking_lot::Mutex;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// A `pager::File` over `std::fs::File` with pread/pwrite (stands in for the pager's std
/// backend until it lands).
pub struct StdFile(pub std::fs::File);

impl StdFile {
    /// Opens (creating if needed) `path` for reading and writing.
    pub fn open(path: &Path) -> StdFile {
        StdFile(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .unwrap(),
        )
    }
}

impl File for StdFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.0.read_at(&mut buf[done..], offset + done as u64)?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        Ok(self.0.write_all_at(buf, offset)?)
    }
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()> {
        for &(offset, bytes) in writes {
            self.write_at(bytes, offset)?;
        }
        if sync {
            self.sync()?;
        }
        Ok(())
    }
    fn sync(&self) -> Result<()> {
        Ok(self.0.sync_data()?)
    }
    fn size(&self) -> Result<u64> {
        Ok(self.0.metadata()?.len())
    }
    fn set_len(&self, len: u64) -> Result<()> {
        Ok(self.0.set_len(len)?)
    }
}

/// An in-memory file that counts its syncs and batches.
#[derive(Default)]
pub struct MemFile {
    /// The file's bytes.
    pub bytes: Mutex<Vec<u8>>,
    /// How many times `sync` (or a syncing batch) ran.
    pub syncs: Mutex<usize>,
    /// Each batch written: (number of writes, synced).
    pub batches: Mutex<Vec<(usize, bool)>>,
}

impl MemFile {
    /// A file holding `bytes`.
    pub fn with(bytes: Vec<u8>) -> MemFile {
        MemFile {
            bytes: Mutex::new(bytes),
            ..MemFile::default()
        }
    }
    /// A copy of the contents.
    pub fn contents(&self) -> Vec<u8> {
        self.bytes.lock().clone()
    }
}

impl File for MemFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        let bytes = self.bytes.lock();
        let start = (offset as usize).min(bytes.len());
        let n = buf.len().min(bytes.len() - start);
        buf[..n].copy_from_slice(&bytes[start..start + n]);
        Ok(n)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        let mut bytes = self.bytes.lock();
        let end = offset as usize + buf.len();
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[offset as usize..end].copy_from_slice(buf);
        Ok(())
    }
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()> {
        for &(offset, bytes) in writes {
            self.write_at(bytes, offset)?;
        }
        self.batches.lock().push((writes.len(), sync));
        if sync {
            self.sync()?;
        }
        Ok(())
    }
    fn sync(&self) -> Result<()> {
        *self.syncs.lock() += 1;
        Ok(())
    }
    fn size(&self) -> Result<u64> {
        Ok(self.bytes.lock().len() as u64)
    }
    fn set_len(&self, len: u64) -> Result<()> {
        self.bytes.lock().resize(len as usize, 0);
        Ok(())
    }
}

/// Reads page `pgno` as `snapshot` sees it: from its WAL frame, else from the database file.
pub fn read_page(wal: &Wal, snapshot: &JournalSnapshot, db: &dyn File, pgno: u32) -> Vec<u8> {
    let mut page = vec![0u8; wal.page_size() as usize];
    match wal.find_page(snapshot, pgno).unwrap() {
        Some(key) => wal.read_frame(key, &mut page).unwrap(),
        None => {
            let offset = u64::from(pgno - 1) * wal.page_size() as u64;
            db.read_at(&mut page, offset).unwrap();
        }
    }
    page
}

/// The whole database image `snapshot` sees, `db_pages` pages long.
pub fn database_image(
    wal: &Wal,
    snapshot: &JournalSnapshot,
    db: &dyn File,
    db_pages: u32,
) -> Vec<u8> {
    let mut image = Vec::new();
    for pgno in 1..=db_pages {
        image.extend_from_slice(&read_page(wal, snapshot, db, pgno));
    }
    image
}
