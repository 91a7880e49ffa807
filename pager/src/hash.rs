//! A hasher for maps keyed by page numbers and frame numbers.
//!
//! The page cache and the WAL's frame index are probed on every page fetch. Their keys are
//! small integers chosen by the database, not by an attacker, so the standard library's
//! SipHash (built to resist hash flooding) costs more than it buys here. This hasher mixes
//! each integer with one rotate, xor and multiply by an odd constant, which spreads the bits
//! of consecutive page numbers over the high bits that the hash table uses.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hasher for integer keys (see the module essay).
#[derive(Debug, Default, Clone, Copy)]
pub struct PageHasher(u64);

/// An odd constant with well-mixed bits (the fractional part of the golden ratio).
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;

impl PageHasher {
    /// Folds one word into the state.
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MIX);
    }
}

impl Hasher for PageHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }
}

/// A hash map with integer-like keys, hashed by [`PageHasher`].
pub type PageMap<K, V> = HashMap<K, V, BuildHasherDefault<PageHasher>>;

/// A hash set of integer-like keys, hashed by [`PageHasher`].
pub type PageSet<K> = HashSet<K, BuildHasherDefault<PageHasher>>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_page_numbers_differ_in_their_high_bits() {
        let top = |n: u32| {
            let mut h = PageHasher::default();
            h.write_u32(n);
            h.finish() >> 57
        };
        let tags: HashSet<u64> = (1..=64).map(top).collect();
        // hashbrown keys its control bytes on the top 7 bits: consecutive pages must not
        // all collide there.
        assert!(tags.len() > 32, "only {} distinct tags", tags.len());
    }

    #[test]
    fn a_page_map_behaves_as_a_map() {
        let mut map: PageMap<u32, u32> = PageMap::default();
        for i in 0..10_000 {
            map.insert(i, i * 2);
        }
        assert_eq!(map.len(), 10_000);
        assert!((0..10_000).all(|i| map.get(&i) == Some(&(i * 2))));
        assert_eq!(map.get(&10_000), None);
    }
}
