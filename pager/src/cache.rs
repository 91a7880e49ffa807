//! The page cache: a fixed number of page images, keyed by page number and by where the image
//! came from, evicted with the CLOCK algorithm.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::hash::PageMap;
use crate::journal::FrameKey;
use crate::page::{PageNo, PageRef};

/// Where a cached image came from. A journal frame never changes, so its key is final; the
/// database file changes at checkpoints, so its images carry the file epoch they were read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageOrigin {
    /// A frame of the journal.
    Frame(FrameKey),
    /// The database file, as it stood in the given file epoch (see [`crate::Pager`]).
    File(u64),
}

/// A cache key: the page and the origin of its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The page number.
    pub pgno: PageNo,
    /// Where the image came from.
    pub origin: PageOrigin,
}

/// One slot of the clock.
#[derive(Debug)]
struct Slot {
    /// The key of the image in this slot.
    key: CacheKey,
    /// The image.
    page: PageRef,
    /// Set on every hit; the clock hand clears it and evicts slots found clear.
    referenced: bool,
}

/// The slots and the clock hand.
#[derive(Debug, Default)]
struct Clock {
    /// Where each cached key lives in `slots`.
    map: PageMap<CacheKey, usize>,
    /// At most `capacity` slots.
    slots: Vec<Slot>,
    /// The next slot the hand looks at.
    hand: usize,
}

/// Cache counters, for tests and `PRAGMA`-style reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// The most images the cache holds.
    pub capacity: usize,
    /// Images held now.
    pub len: usize,
    /// Lookups that found their image.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
    /// Images evicted to make room.
    pub evictions: u64,
}

/// A bounded map from [`CacheKey`] to page image with CLOCK (second-chance) eviction. One
/// mutex guards it; a lookup is a hash probe and a flag store, so the critical sections are
/// short. Images are `Arc`s: an evicted image lives on in the transactions still holding it.
#[derive(Debug)]
pub struct PageCache {
    /// The most images held (at least 1).
    capacity: usize,
    /// The clock.
    clock: Mutex<Clock>,
    /// Lookups that hit.
    hits: AtomicU64,
    /// Lookups that missed.
    misses: AtomicU64,
    /// Evictions.
    evictions: AtomicU64,
}

impl PageCache {
    /// An empty cache of `capacity` pages (0 is taken as 1).
    pub fn new(capacity: usize) -> Self {
        PageCache {
            capacity: capacity.max(1),
            clock: Mutex::new(Clock::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    /// The cached image for `key`, marking it recently used.
    pub fn get(&self, key: &CacheKey) -> Option<PageRef> {
        let mut clock = self.clock.lock();
        let found = clock.map.get(key).copied();
        match found.and_then(|i| clock.slots.get_mut(i)) {
            Some(slot) => {
                slot.referenced = true;
                let page = PageRef::clone(&slot.page);
                drop(clock);
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(page)
            }
            None => {
                drop(clock);
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Caches `page` under `key`, evicting the first slot the clock hand finds unreferenced
    /// when the cache is full.
    pub fn insert(&self, key: CacheKey, page: PageRef) {
        let mut clock = self.clock.lock();
        if let Some(&i) = clock.map.get(&key) {
            if let Some(slot) = clock.slots.get_mut(i) {
                slot.page = page;
                slot.referenced = true;
            }
            return;
        }
        let slot = Slot {
            key,
            page,
            referenced: false,
        };
        if clock.slots.len() < self.capacity {
            clock.slots.push(slot);
            let i = clock.slots.len() - 1;
            clock.map.insert(key, i);
            return;
        }
        // Full: sweep. Each slot is passed at most twice, so this ends within 2 * capacity.
        let len = clock.slots.len();
        let mut victim = clock.hand % len;
        for _ in 0..2 * len {
            let i = clock.hand % len;
            clock.hand = (i + 1) % len;
            match clock.slots.get_mut(i) {
                Some(s) if s.referenced => s.referenced = false,
                _ => {
                    victim = i;
                    break;
                }
            }
        }
        if let Some(old) = clock.slots.get_mut(victim) {
            let old_key = std::mem::replace(old, slot).key;
            clock.map.remove(&old_key);
            clock.map.insert(key, victim);
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Re-keys the images read from the file in epoch `from` to epoch `to`, dropping those of
    /// `written` pages (their file image changed between the epochs).
    pub fn advance_file_epoch(&self, from: u64, to: u64, written: &[PageNo]) {
        let written: std::collections::HashSet<PageNo> = written.iter().copied().collect();
        let mut clock = self.clock.lock();
        let Clock { map, slots, .. } = &mut *clock;
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot.key.origin != PageOrigin::File(from) {
                continue;
            }
            let newer = CacheKey {
                pgno: slot.key.pgno,
                origin: PageOrigin::File(to),
            };
            // An image of the new epoch may already be there (a reader that began after the
            // epoch moved); keep that one and let this slot age out.
            if written.contains(&slot.key.pgno) || map.contains_key(&newer) {
                slot.referenced = false;
                continue;
            }
            map.remove(&slot.key);
            slot.key = newer;
            map.insert(newer, i);
        }
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            capacity: self.capacity,
            len: self.clock.lock().slots.len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageBuf;
    use std::sync::Arc;

    fn key(pgno: PageNo) -> CacheKey {
        CacheKey {
            pgno,
            origin: PageOrigin::File(0),
        }
    }

    fn page(byte: u8) -> PageRef {
        let mut p = PageBuf::zeroed(512);
        p[0] = byte;
        Arc::new(p)
    }

    #[test]
    fn holds_at_most_capacity_and_keeps_hot_pages() {
        let cache = PageCache::new(4);
        for p in 1..=4 {
            cache.insert(key(p), page(p as u8));
        }
        assert!(cache.get(&key(1)).is_some());
        for p in 5..=20 {
            cache.insert(key(p), page(p as u8));
            assert!(cache.get(&key(1)).is_some(), "page 1 is used every time");
        }
        let stats = cache.stats();
        assert_eq!(stats.len, 4);
        assert_eq!(stats.evictions, 16);
        assert_eq!(cache.get(&key(20)).unwrap()[0], 20);
        assert!(cache.get(&key(5)).is_none());
    }

    #[test]
    fn epoch_advance_drops_written_pages_and_keeps_the_rest() {
        let cache = PageCache::new(8);
        cache.insert(key(1), page(1));
        cache.insert(key(2), page(2));
        cache.advance_file_epoch(0, 1, &[2]);
        let at = |pgno, epoch| CacheKey {
            pgno,
            origin: PageOrigin::File(epoch),
        };
        assert_eq!(cache.get(&at(1, 1)).unwrap()[0], 1);
        assert!(cache.get(&at(2, 1)).is_none());
        assert!(cache.get(&at(1, 0)).is_none());
    }
}
