//! The 32-byte WAL header and the 24-byte frame header.

use crate::checksum::{self, ByteOrder, Checksum};
use crate::error::{Error, Result};
use concur_pager::PageNo;

/// Size of the WAL header in bytes.
pub const WAL_HEADER_SIZE: usize = 32;
/// Size of a frame header in bytes.
pub const FRAME_HEADER_SIZE: usize = 24;
/// The only WAL format version SQLite has defined (3.7.0).
pub const WAL_VERSION: u32 = 3_007_000;

fn be32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// The WAL header: written once per generation, at offset 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalHeader {
    /// Word order of every checksum in the file (magic at 0..4).
    pub order: ByteOrder,
    /// Database page size in bytes (8..12).
    pub page_size: u32,
    /// Checkpoint sequence number, bumped at every WAL reset (12..16).
    pub checkpoint_seq: u32,
    /// Salt-1 and salt-2 (16..24); every frame of this generation repeats them.
    pub salt: [u32; 2],
}

impl WalHeader {
    /// The checksum of bytes 0..24, which seeds the first frame's checksum.
    pub fn checksum(&self) -> Checksum {
        let bytes = self.encode();
        (be32(&bytes, 24), be32(&bytes, 28))
    }

    /// The header as written to disk, checksum included.
    pub fn encode(&self) -> [u8; WAL_HEADER_SIZE] {
        let mut b = [0u8; WAL_HEADER_SIZE];
        let words = [
            self.order.magic(),
            WAL_VERSION,
            self.page_size,
            self.checkpoint_seq,
            self.salt[0],
            self.salt[1],
        ];
        for (i, word) in words.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
        }
        let (c0, c1) = checksum::extend(self.order, (0, 0), &b[..24]);
        b[24..28].copy_from_slice(&c0.to_be_bytes());
        b[28..32].copy_from_slice(&c1.to_be_bytes());
        b
    }

    /// Decodes a header as SQLite's recovery does: `Ok(None)` when the magic, the page size or
    /// the checksum is wrong (the WAL is then treated as empty), an error when an intact header
    /// carries an unknown format version.
    pub fn decode(bytes: &[u8]) -> Result<Option<WalHeader>> {
        if bytes.len() < WAL_HEADER_SIZE {
            return Ok(None);
        }
        let Some(order) = ByteOrder::from_magic(be32(bytes, 0)) else {
            return Ok(None);
        };
        let page_size = be32(bytes, 8);
        if !valid_page_size(page_size) {
            return Ok(None);
        }
        let sum = checksum::extend(order, (0, 0), &bytes[..24]);
        if sum != (be32(bytes, 24), be32(bytes, 28)) {
            return Ok(None);
        }
        let version = be32(bytes, 4);
        if version != WAL_VERSION {
            return Err(Error::Version(version));
        }
        Ok(Some(WalHeader {
            order,
            page_size,
            checkpoint_seq: be32(bytes, 12),
            salt: [be32(bytes, 16), be32(bytes, 20)],
        }))
    }

    /// The header of the next generation: checkpoint sequence + 1, salt-1 + 1, a fresh random
    /// salt-2 (SQLite's rule), in `order`.
    pub fn next(&self, order: ByteOrder) -> WalHeader {
        WalHeader {
            order,
            page_size: self.page_size,
            checkpoint_seq: self.checkpoint_seq.wrapping_add(1),
            salt: [self.salt[0].wrapping_add(1), random_u32()],
        }
    }

    /// A first header for a WAL that never had a valid one: sequence 0, random salts.
    pub fn first(order: ByteOrder, page_size: u32) -> WalHeader {
        WalHeader {
            order,
            page_size,
            checkpoint_seq: 0,
            salt: [random_u32(), random_u32()],
        }
    }
}

/// True for the page sizes SQLite allows: powers of two from 512 to 65536.
pub fn valid_page_size(page_size: u32) -> bool {
    (512..=65536).contains(&page_size) && page_size.is_power_of_two()
}

/// The 24-byte header in front of every page image in the WAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The database page this frame holds (0..4).
    pub pgno: PageNo,
    /// For a commit frame, the database size in pages after the commit; 0 otherwise (4..8).
    pub commit_size: u32,
    /// The salts of the WAL header this frame was written under (8..16).
    pub salt: [u32; 2],
    /// The cumulative checksum through this frame (16..24).
    pub checksum: Checksum,
}

impl FrameHeader {
    /// Encodes the header.
    pub fn encode(&self) -> [u8; FRAME_HEADER_SIZE] {
        let mut b = [0u8; FRAME_HEADER_SIZE];
        let words = [
            self.pgno,
            self.commit_size,
            self.salt[0],
            self.salt[1],
            self.checksum.0,
            self.checksum.1,
        ];
        for (i, word) in words.iter().enumerate() {
            b[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
        }
        b
    }

    /// Decodes the header fields without judging them.
    pub fn decode(bytes: &[u8]) -> FrameHeader {
        FrameHeader {
            pgno: be32(bytes, 0),
            commit_size: be32(bytes, 4),
            salt: [be32(bytes, 8), be32(bytes, 12)],
            checksum: (be32(bytes, 16), be32(bytes, 20)),
        }
    }
}

/// Writes one frame (header and page) into `out` and returns the checksum through it.
/// `out` is `FRAME_HEADER_SIZE + page.len()` bytes.
pub fn encode_frame(
    header: &WalHeader,
    seed: Checksum,
    pgno: PageNo,
    commit_size: u32,
    page: &[u8],
    out: &mut [u8],
) -> Checksum {
    let mut first8 = [0u8; 8];
    first8[..4].copy_from_slice(&pgno.to_be_bytes());
    first8[4..].copy_from_slice(&commit_size.to_be_bytes());
    let sum = checksum::extend(header.order, seed, &first8);
    let sum = checksum::extend(header.order, sum, page);
    let frame = FrameHeader {
        pgno,
        commit_size,
        salt: header.salt,
        checksum: sum,
    };
    out[..FRAME_HEADER_SIZE].copy_from_slice(&frame.encode());
    out[FRAME_HEADER_SIZE..].copy_from_slice(page);
    sum
}

/// Checks one frame as SQLite's recovery does: the salts match the header, the page number is
/// not 0, and the checksum continues `seed`. Returns the decoded header and the new checksum.
pub fn check_frame(
    header: &WalHeader,
    seed: Checksum,
    frame: &[u8],
) -> Option<(FrameHeader, Checksum)> {
    if frame.len() != FRAME_HEADER_SIZE + header.page_size as usize {
        return None;
    }
    let decoded = FrameHeader::decode(frame);
    if decoded.salt != header.salt || decoded.pgno == 0 {
        return None;
    }
    let sum = checksum::extend(header.order, seed, &frame[..8]);
    let sum = checksum::extend(header.order, sum, &frame[FRAME_HEADER_SIZE..]);
    (sum == decoded.checksum).then_some((decoded, sum))
}

/// A random 32-bit value for salts, from the standard library's per-process random hash keys
/// mixed with the clock and a counter (salts need to differ, not to be secret).
fn random_u32() -> u32 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    hasher.write_u128(nanos);
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish() as u32
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_in_both_orders() {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let header = WalHeader {
                order,
                page_size: 4096,
                checkpoint_seq: 7,
                salt: [0x1234_5678, 0x9abc_def0],
            };
            let bytes = header.encode();
            assert_eq!(WalHeader::decode(&bytes).unwrap(), Some(header));
        }
    }

    #[test]
    fn worked_example_header_checksum() {
        let header = WalHeader {
            order: ByteOrder::Big,
            page_size: 4096,
            checkpoint_seq: 0,
            salt: [1, 2],
        };
        assert_eq!(header.checksum(), (0x1604_e6d8, 0xbcdd_ce93));
        let bytes = header.encode();
        assert_eq!(
            &bytes[24..],
            &[0x16, 0x04, 0xe6, 0xd8, 0xbc, 0xdd, 0xce, 0x93]
        );
    }

    #[test]
    fn damaged_header_reads_as_no_header() {
        let header = WalHeader::first(ByteOrder::Big, 1024);
        for at in [0, 8, 16, 24, 31] {
            let mut bytes = header.encode();
            bytes[at] ^= 0x40;
            assert_eq!(WalHeader::decode(&bytes).unwrap(), None, "byte {at}");
        }
        assert_eq!(WalHeader::decode(&header.encode()[..31]).unwrap(), None);
    }

    #[test]
    fn unknown_version_with_valid_checksum_is_an_error() {
        let header = WalHeader::first(ByteOrder::Little, 4096);
        let mut bytes = header.encode();
        bytes[4..8].copy_from_slice(&3_007_001u32.to_be_bytes());
        let (c0, c1) = checksum::extend(ByteOrder::Little, (0, 0), &bytes[..24]);
        bytes[24..28].copy_from_slice(&c0.to_be_bytes());
        bytes[28..32].copy_from_slice(&c1.to_be_bytes());
        assert!(matches!(
            WalHeader::decode(&bytes),
            Err(Error::Version(3_007_001))
        ));
    }

    #[test]
    fn frames_chain_and_reject_foreign_salts() {
        let header = WalHeader::first(ByteOrder::Little, 512);
        let page = vec![0xabu8; 512];
        let mut frame = vec![0u8; FRAME_HEADER_SIZE + 512];
        let seed = header.checksum();
        let sum = encode_frame(&header, seed, 3, 9, &page, &mut frame);
        let (decoded, checked) = check_frame(&header, seed, &frame).unwrap();
        assert_eq!((decoded.pgno, decoded.commit_size, checked), (3, 9, sum));
        assert!(check_frame(&header, (0, 0), &frame).is_none());
        let other = header.next(ByteOrder::Little);
        assert!(check_frame(&other, seed, &frame).is_none());
    }
}
