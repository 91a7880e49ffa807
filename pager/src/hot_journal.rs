//! Rolling back a hot rollback journal (`<db>-journal`) that a crashed SQLite left behind, the
//! way SQLite does before it reads a rollback-mode database.
//!
//! A journal is one or more segments, each starting at a sector boundary:
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | magic `d9 d5 05 f9 20 a1 63 d7` |
//! | 8 | 4 | nRec: records in this segment (`0xFFFFFFFF`: up to the end of the file) |
//! | 12 | 4 | checksum nonce |
//! | 16 | 4 | database size in pages before the transaction (first segment counts) |
//! | 20 | 4 | sector size (the header is padded to it) |
//! | 24 | 4 | page size |
//!
//! Each record holds a page's content from before the transaction:
//!
//! | size | field |
//! | --- | --- |
//! | 4 | page number |
//! | page size | original page image |
//! | 4 | checksum: nonce + the bytes at page size - 200, - 400, ... (> 0) |
//!
//! Rollback writes every record back until the first record that is cut short or fails its
//! checksum, truncates the file to the original size, syncs, and deletes the journal. A
//! journal that is empty or starts with a zero byte (zeroed by `journal_mode=PERSIST` after a
//! commit) is not hot.

use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::file::File;
use crate::freelist::pending_byte_page;
use crate::header::{be32, valid_page_size};

/// The 8 bytes a journal segment header starts with.
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// What a rollback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HotJournalRollback {
    /// Page images written back into the database file.
    pub pages_restored: u64,
    /// The database size in pages after the rollback.
    pub db_pages: u32,
}

/// The checksum SQLite stores after a journaled page image.
pub fn journal_checksum(nonce: u32, image: &[u8]) -> u32 {
    let mut sum = nonce;
    let mut i = image.len() as isize - 200;
    while i > 0 {
        sum = sum.wrapping_add(image.get(i as usize).copied().unwrap_or(0) as u32);
        i -= 200;
    }
    sum
}

/// Reads exactly `buf.len()` bytes at `offset`; `false` when the file ends first.
fn read_exact(file: &std::fs::File, buf: &mut [u8], offset: u64) -> Result<bool> {
    match file.read_exact_at(buf, offset) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::from_io(e)),
    }
}

/// Rolls back the hot journal at `journal_path` into `db`, if there is one. Returns `None`
/// when there is nothing to roll back. A hot journal on a read-only open is READONLY (the
/// file cannot be made consistent); a malformed segment header is CORRUPT.
pub fn rollback_hot_journal(
    db: &dyn File,
    journal_path: &Path,
    read_only: bool,
) -> Result<Option<HotJournalRollback>> {
    let journal = match std::fs::File::open(journal_path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::from_io(e)),
    };
    let size = journal.metadata().map_err(Error::from_io)?.len();
    let mut first = [0u8; 1];
    if size == 0 || !read_exact(&journal, &mut first, 0)? || first[0] == 0 || db.size()? == 0 {
        return Ok(None);
    }
    if read_only {
        return Err(Error::ReadOnly);
    }
    let mut report = HotJournalRollback::default();
    let mut original_pages: Option<u32> = None;
    let mut page_size_seen = 0u64;
    let mut offset = 0u64;
    'segments: loop {
        let mut header = [0u8; 28];
        if !read_exact(&journal, &mut header, offset)? || header[..8] != JOURNAL_MAGIC {
            break;
        }
        let mut records = be32(&header, 8);
        let nonce = be32(&header, 12);
        let db_pages = be32(&header, 16);
        let sector = be32(&header, 20);
        let page_size = be32(&header, 24);
        if !valid_page_size(page_size)
            || !(32..=65536).contains(&sector)
            || !sector.is_power_of_two()
        {
            return Err(Error::corrupt(0, "hot journal header is malformed"));
        }
        let (sector, page_size) = (sector as u64, page_size as u64);
        page_size_seen = page_size;
        original_pages.get_or_insert(db_pages);
        let mut at = offset + sector;
        if records == u32::MAX {
            records = u32::try_from(size.saturating_sub(at) / (page_size + 8)).unwrap_or(0);
        }
        let pending = pending_byte_page(page_size as usize);
        let mut record = vec![0u8; page_size as usize + 8];
        for _ in 0..records {
            if !read_exact(&journal, &mut record, at)? {
                break 'segments;
            }
            let pgno = be32(&record, 0);
            let image = &record[4..4 + page_size as usize];
            let stored = be32(&record, 4 + page_size as usize);
            if pgno == 0 || pgno == pending || journal_checksum(nonce, image) != stored {
                break 'segments;
            }
            db.write_at(image, (pgno as u64 - 1) * page_size)?;
            report.pages_restored += 1;
            at += page_size + 8;
        }
        // The next segment starts at the next sector boundary.
        offset = at.div_ceil(sector) * sector;
        if offset >= size {
            break;
        }
    }
    if let Some(pages) = original_pages {
        db.set_len(pages as u64 * page_size_seen)?;
        report.db_pages = pages;
    }
    db.sync()?;
    std::fs::remove_file(journal_path).map_err(Error::from_io)?;
    tracing::info!(
        "rolled back hot journal {}: {} pages restored",
        journal_path.display(),
        report.pages_restored
    );
    Ok(Some(report))
}
