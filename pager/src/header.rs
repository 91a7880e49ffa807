//! The 100-byte database header at the start of page 1 (byte table in the crate essay).

use crate::error::{Error, Result};
use crate::page::PageNo;

/// The 100-byte SQLite database header, field by field (byte offsets in the comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbHeader {
    /// 16..18: page size in bytes, 512..=65536, a power of two (stored as 1 for 65536).
    pub page_size: u32,
    /// 18: file format write version: 1 legacy (rollback journal), 2 WAL.
    pub write_version: u8,
    /// 19: file format read version: 1 legacy, 2 WAL.
    pub read_version: u8,
    /// 20: bytes reserved at the end of each page.
    pub reserved_bytes: u8,
    /// 24..28: file change counter.
    pub change_counter: u32,
    /// 28..32: database size in pages (valid when `version_valid_for == change_counter`).
    pub page_count: u32,
    /// 32..36: first freelist trunk page (0 if none).
    pub freelist_trunk: PageNo,
    /// 36..40: total number of freelist pages.
    pub freelist_count: u32,
    /// 40..44: schema cookie, bumped on every schema change.
    pub schema_cookie: u32,
    /// 44..48: schema format number (4).
    pub schema_format: u32,
    /// 48..52: suggested cache size.
    pub default_cache_size: u32,
    /// 52..56: largest root page for auto-vacuum (0: off).
    pub autovacuum_top_root: u32,
    /// 56..60: text encoding: 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
    pub text_encoding: u32,
    /// 60..64: `PRAGMA user_version`.
    pub user_version: u32,
    /// 64..68: incremental vacuum flag.
    pub incremental_vacuum: u32,
    /// 68..72: `PRAGMA application_id`.
    pub application_id: u32,
    /// 92..96: change counter value at which `page_count` was last valid.
    pub version_valid_for: u32,
    /// 96..100: SQLITE_VERSION_NUMBER of the last writer.
    pub sqlite_version: u32,
}

/// The 16 bytes every SQLite database starts with.
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The version number concur writes at header offset 96 (it writes files as SQLite 3.40.1 would).
pub const SQLITE_VERSION_NUMBER: u32 = 3_040_001;

/// The big-endian u32 at `at`, or 0 when `bytes` is too short (callers check lengths first).
pub(crate) fn be32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// Stores `value` big-endian at `at`; does nothing when `bytes` is too short.
pub(crate) fn put_be32(bytes: &mut [u8], at: usize, value: u32) {
    if let Some(slot) = bytes.get_mut(at..at + 4) {
        slot.copy_from_slice(&value.to_be_bytes());
    }
}

/// True when `size` is a page size SQLite accepts: a power of two in 512..=65536.
pub fn valid_page_size(size: u32) -> bool {
    (512..=65536).contains(&size) && size.is_power_of_two()
}

impl DbHeader {
    /// The header size in bytes.
    pub const SIZE: usize = 100;

    /// A header for a new, empty WAL-mode database with the given page size.
    pub fn new(page_size: u32) -> Self {
        DbHeader {
            page_size,
            write_version: 2,
            read_version: 2,
            reserved_bytes: 0,
            change_counter: 1,
            page_count: 1,
            freelist_trunk: 0,
            freelist_count: 0,
            schema_cookie: 0,
            schema_format: 4,
            default_cache_size: 0,
            autovacuum_top_root: 0,
            text_encoding: 1,
            user_version: 0,
            incremental_vacuum: 0,
            application_id: 0,
            version_valid_for: 1,
            sqlite_version: SQLITE_VERSION_NUMBER,
        }
    }

    /// Decodes the header from the first 100 bytes of `bytes`, checking what SQLite checks:
    /// the magic string (else NOTADB), the page size, the read version and the reserved bytes.
    pub fn read(bytes: &[u8]) -> Result<Self> {
        let Some(b) = bytes.get(..Self::SIZE) else {
            return Err(Error::NotADatabase);
        };
        if &b[..16] != MAGIC {
            return Err(Error::NotADatabase);
        }
        let raw_size = u16::from_be_bytes([b[16], b[17]]) as u32;
        let page_size = if raw_size == 1 { 65536 } else { raw_size };
        if !valid_page_size(page_size) {
            return Err(Error::corrupt(1, format!("invalid page size {raw_size}")));
        }
        let header = DbHeader {
            page_size,
            write_version: b[18],
            read_version: b[19],
            reserved_bytes: b[20],
            change_counter: be32(b, 24),
            page_count: be32(b, 28),
            freelist_trunk: be32(b, 32),
            freelist_count: be32(b, 36),
            schema_cookie: be32(b, 40),
            schema_format: be32(b, 44),
            default_cache_size: be32(b, 48),
            autovacuum_top_root: be32(b, 52),
            text_encoding: be32(b, 56),
            user_version: be32(b, 60),
            incremental_vacuum: be32(b, 64),
            application_id: be32(b, 68),
            version_valid_for: be32(b, 92),
            sqlite_version: be32(b, 96),
        };
        if header.read_version > 2 {
            return Err(Error::ReadOnly);
        }
        if page_size - (header.reserved_bytes as u32) < 480 {
            return Err(Error::corrupt(
                1,
                format!("{} reserved bytes leave too little", header.reserved_bytes),
            ));
        }
        Ok(header)
    }

    /// Encodes the header into the first 100 bytes of `bytes` (which must be at least that
    /// long: a page image always is; a shorter slice is left untouched).
    pub fn write(&self, bytes: &mut [u8]) {
        debug_assert!(bytes.len() >= Self::SIZE, "header slice too short");
        let Some(b) = bytes.get_mut(..Self::SIZE) else {
            return;
        };
        b[..16].copy_from_slice(MAGIC);
        let raw_size = if self.page_size == 65536 {
            1
        } else {
            self.page_size as u16
        };
        b[16..18].copy_from_slice(&raw_size.to_be_bytes());
        b[18] = self.write_version;
        b[19] = self.read_version;
        b[20] = self.reserved_bytes;
        b[21] = 64;
        b[22] = 32;
        b[23] = 32;
        let words = [
            (24, self.change_counter),
            (28, self.page_count),
            (32, self.freelist_trunk),
            (36, self.freelist_count),
            (40, self.schema_cookie),
            (44, self.schema_format),
            (48, self.default_cache_size),
            (52, self.autovacuum_top_root),
            (56, self.text_encoding),
            (60, self.user_version),
            (64, self.incremental_vacuum),
            (68, self.application_id),
            (92, self.version_valid_for),
            (96, self.sqlite_version),
        ];
        for (at, v) in words {
            put_be32(b, at, v);
        }
        b[72..92].fill(0);
    }

    /// Usable bytes per page.
    pub fn usable_size(&self) -> usize {
        self.page_size.saturating_sub(self.reserved_bytes as u32) as usize
    }

    /// The page count SQLite trusts: the header's when it is valid (nonzero and
    /// `version_valid_for == change_counter`), else `None` (use the file size).
    pub fn trusted_page_count(&self) -> Option<u32> {
        (self.page_count != 0 && self.version_valid_for == self.change_counter)
            .then_some(self.page_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_every_field() {
        let mut h = DbHeader::new(65536);
        h.write_version = 1;
        h.read_version = 1;
        h.reserved_bytes = 8;
        h.change_counter = 0x0102_0304;
        h.page_count = 77;
        h.freelist_trunk = 5;
        h.freelist_count = 9;
        h.schema_cookie = 3;
        h.default_cache_size = 2000;
        h.autovacuum_top_root = 0;
        h.text_encoding = 2;
        h.user_version = 42;
        h.incremental_vacuum = 1;
        h.application_id = 0xdead_beef;
        h.version_valid_for = 0x0102_0304;
        let mut page = vec![0xAAu8; 512];
        h.write(&mut page);
        assert_eq!(&page[16..18], &[0, 1], "65536 is stored as 1");
        assert_eq!(page[21..24], [64, 32, 32]);
        assert!(page[72..92].iter().all(|&b| b == 0));
        assert_eq!(page[100], 0xAA, "bytes after the header untouched");
        assert_eq!(DbHeader::read(&page).unwrap(), h);
        assert_eq!(h.usable_size(), 65536 - 8);
        assert_eq!(h.trusted_page_count(), Some(77));
    }

    #[test]
    fn bad_headers_are_typed_errors() {
        assert!(matches!(
            DbHeader::read(&[0u8; 100]),
            Err(Error::NotADatabase)
        ));
        assert!(matches!(
            DbHeader::read(&[0u8; 10]),
            Err(Error::NotADatabase)
        ));
        let mut page = vec![0u8; 512];
        DbHeader::new(4096).write(&mut page);
        page[16..18].copy_from_slice(&1000u16.to_be_bytes());
        assert!(matches!(
            DbHeader::read(&page),
            Err(Error::Corrupt { page: 1, .. })
        ));
        DbHeader::new(512).write(&mut page);
        page[20] = 40;
        assert!(matches!(
            DbHeader::read(&page),
            Err(Error::Corrupt { page: 1, .. })
        ));
    }

    #[test]
    fn page_count_is_trusted_only_when_valid_for_matches() {
        let mut h = DbHeader::new(4096);
        h.page_count = 10;
        h.change_counter = 3;
        h.version_valid_for = 2;
        assert_eq!(h.trusted_page_count(), None);
        h.version_valid_for = 3;
        assert_eq!(h.trusted_page_count(), Some(10));
        h.page_count = 0;
        assert_eq!(h.trusted_page_count(), None);
    }
}
