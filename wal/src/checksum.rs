//! SQLite's WAL checksum: two 32-bit sums over 32-bit words, cumulative across frames.

/// How the checksum reads 32-bit words; chosen by the magic number in the WAL header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Words are little-endian: magic 0x377f0682 (what SQLite writes on x86 and ARM).
    Little,
    /// Words are big-endian: magic 0x377f0683.
    Big,
}

impl ByteOrder {
    /// The byte order of this machine, which is what SQLite writes.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// The WAL magic number that announces this order.
    pub fn magic(self) -> u32 {
        match self {
            ByteOrder::Little => 0x377f_0682,
            ByteOrder::Big => 0x377f_0683,
        }
    }

    /// The order a magic number announces, or `None` if it is not a WAL magic.
    pub fn from_magic(magic: u32) -> Option<ByteOrder> {
        match magic {
            0x377f_0682 => Some(ByteOrder::Little),
            0x377f_0683 => Some(ByteOrder::Big),
            _ => None,
        }
    }

    fn word(self, bytes: [u8; 4]) -> u32 {
        match self {
            ByteOrder::Little => u32::from_le_bytes(bytes),
            ByteOrder::Big => u32::from_be_bytes(bytes),
        }
    }
}

/// The running checksum pair `(s0, s1)`.
pub type Checksum = (u32, u32);

/// Extends `seed` over `data`, eight bytes (two words `x0`, `x1`) at a time:
/// `s0 += x0 + s1; s1 += x1 + s0`, all wrapping. `data.len()` is a multiple of 8 for every
/// input SQLite defines (24 header bytes, 8 frame-header bytes, a page); a shorter tail would be
/// ignored.
pub fn extend(order: ByteOrder, seed: Checksum, data: &[u8]) -> Checksum {
    let (mut s0, mut s1) = seed;
    for pair in data.chunks_exact(8) {
        let x0 = order.word([pair[0], pair[1], pair[2], pair[3]]);
        let x1 = order.word([pair[4], pair[5], pair[6], pair[7]]);
        s0 = s0.wrapping_add(x0).wrapping_add(s1);
        s1 = s1.wrapping_add(x1).wrapping_add(s0);
    }
    (s0, s1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_from_the_essay() {
        // Words 1, 2, 3, 4 big-endian: (1, 3) after the first pair, then
        // s0 = 1 + 3 + 3 = 7, s1 = 3 + 4 + 7 = 14.
        let data = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4];
        assert_eq!(extend(ByteOrder::Big, (0, 0), &data), (7, 14));
        // The same bytes read little-endian are the words 2^24, 2^25, 3*2^24, 2^26.
        let le = extend(ByteOrder::Little, (0, 0), &data);
        assert_eq!(le, (7 << 24, 14 << 24));
    }

    #[test]
    fn cumulative_over_split_input() {
        let data: Vec<u8> = (0..64u8).map(|b| b.wrapping_mul(37)).collect();
        let whole = extend(ByteOrder::Little, (5, 9), &data);
        let first = extend(ByteOrder::Little, (5, 9), &data[..24]);
        assert_eq!(extend(ByteOrder::Little, first, &data[24..]), whole);
    }

    #[test]
    fn sums_wrap_instead_of_overflowing() {
        let data = [0xff; 16];
        let sum = extend(ByteOrder::Big, (u32::MAX, u32::MAX), &data);
        assert_ne!(sum, (0, 0));
    }

    #[test]
    fn magic_round_trips() {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            assert_eq!(ByteOrder::from_magic(order.magic()), Some(order));
        }
        assert_eq!(ByteOrder::from_magic(0x377f_0684), None);
    }
}
