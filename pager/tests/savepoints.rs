//! Savepoints inside a write transaction: rolling back to a mark restores exactly the pages,
//! page count and freelist the transaction had at the mark, against a model that snapshots
//! the whole visible state at every mark.
#![allow(clippy::unwrap_used)]

use concur_pager::{DbHeader, Error, PageSource, PageWriter, Pager, PagerOptions, WriteTx};

/// Everything a write transaction shows: each page's bytes and the header it would commit.
#[derive(Debug, PartialEq)]
struct Image {
    /// Page contents, page 1 first.
    pages: Vec<Vec<u8>>,
    /// Page count, freelist trunk and freelist count.
    header: (u32, u32, u32),
}

fn image(tx: &WriteTx) -> Image {
    let header = tx.header().unwrap();
    let pages = (1..=tx.page_count())
        .map(|p| tx.page(p).unwrap().to_vec())
        .collect();
    Image {
        pages,
        header: (
            header.page_count,
            header.freelist_trunk,
            header.freelist_count,
        ),
    }
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn pager() -> Pager {
    let pager = Pager::open_in_memory(PagerOptions {
        page_size: 512,
        cache_pages: 64,
        ..PagerOptions::default()
    })
    .unwrap();
    let mut tx = pager.begin_write().unwrap();
    assert_eq!(tx.allocate().unwrap(), 1);
    for _ in 0..20 {
        let p = tx.allocate().unwrap();
        tx.page_mut(p).unwrap()[0] = p as u8;
    }
    for p in [5, 9, 13] {
        tx.free(p).unwrap();
    }
    tx.commit().unwrap();
    pager
}

/// Pages this transaction may still write or free: in range, not page 1, not on the freelist.
fn live_pages(tx: &WriteTx, freed: &[u32]) -> Vec<u32> {
    (2..=tx.page_count())
        .filter(|p| !freed.contains(p))
        .collect()
}

#[test]
fn random_writes_allocations_and_frees_roll_back_to_the_mark_exactly() {
    for seed in 1..=40u64 {
        let pager = pager();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut tx = pager.begin_write().unwrap();
        // Pages free in the committed state or freed by this transaction; never written.
        let mut freed: Vec<u32> = vec![5, 9, 13];
        let mut marks: Vec<(Image, Vec<u32>)> = Vec::new();
        for _ in 0..200 {
            match rng.below(10) {
                0 if marks.len() < 4 => {
                    let depth = tx.savepoint();
                    marks.push((image(&tx), freed.clone()));
                    assert_eq!(depth, marks.len());
                }
                1 if !marks.is_empty() => {
                    let depth = 1 + rng.below(marks.len() as u64) as usize;
                    tx.rollback_to_savepoint(depth).unwrap();
                    marks.truncate(depth);
                    let (want, want_freed) = marks.last().unwrap();
                    assert_eq!(&image(&tx), want, "seed {seed}: rollback to {depth}");
                    freed = want_freed.clone();
                }
                2 if !marks.is_empty() => {
                    let depth = 1 + rng.below(marks.len() as u64) as usize;
                    tx.release_savepoint(depth).unwrap();
                    marks.truncate(depth - 1);
                }
                3 | 4 => {
                    let p = tx.allocate().unwrap();
                    freed.retain(|&f| f != p);
                    tx.page_mut(p).unwrap()[1] = rng.below(256) as u8;
                }
                5 => {
                    let live = live_pages(&tx, &freed);
                    if let Some(&p) = live.get(rng.below(live.len().max(1) as u64) as usize) {
                        tx.free(p).unwrap();
                        freed.push(p);
                    }
                }
                _ => {
                    let live = live_pages(&tx, &freed);
                    if let Some(&p) = live.get(rng.below(live.len().max(1) as u64) as usize) {
                        let at = 2 + rng.below(500) as usize;
                        tx.page_mut(p).unwrap()[at] = rng.below(256) as u8;
                    }
                }
            }
        }
        assert_eq!(tx.savepoint_depth(), marks.len());
        let last = image(&tx);
        tx.commit().unwrap();
        // What committed is what the transaction showed last.
        let mut check = pager.begin_write().unwrap();
        let committed = image(&check);
        assert_eq!(committed.header, last.header, "seed {seed}");
        assert_eq!(committed.pages[1..], last.pages[1..], "seed {seed}");
        // And the freelist it committed is sound: reusing all of it hands out no page twice.
        let free_count = DbHeader::read(&check.page(1).unwrap())
            .unwrap()
            .freelist_count;
        for _ in 0..free_count {
            check.allocate().unwrap();
        }
        assert_eq!(check.header().unwrap().freelist_count, 0);
    }
}

#[test]
fn a_page_allocated_after_a_mark_can_be_allocated_again_after_rollback() {
    let pager = pager();
    let mut tx = pager.begin_write().unwrap();
    let depth = tx.savepoint();
    let first = tx.allocate().unwrap();
    tx.rollback_to_savepoint(depth).unwrap();
    assert_eq!(tx.allocate().unwrap(), first);
}

#[test]
fn rollback_to_keeps_the_mark_and_release_forgets_it() {
    let pager = pager();
    let mut tx = pager.begin_write().unwrap();
    let before = tx.page(2).unwrap()[0];
    let depth = tx.savepoint();
    tx.page_mut(2).unwrap()[0] = 0xAA;
    tx.rollback_to_savepoint(depth).unwrap();
    assert_eq!(tx.page(2).unwrap()[0], before);
    // The mark is still open: a second round trip works the same.
    tx.page_mut(2).unwrap()[0] = 0xBB;
    tx.rollback_to_savepoint(depth).unwrap();
    assert_eq!(tx.page(2).unwrap()[0], before);
    tx.page_mut(2).unwrap()[0] = 0xCC;
    tx.release_savepoint(depth).unwrap();
    assert_eq!(tx.savepoint_depth(), 0);
    assert!(matches!(
        tx.rollback_to_savepoint(depth),
        Err(Error::Misuse(_))
    ));
    assert_eq!(tx.page(2).unwrap()[0], 0xCC);
    assert!(matches!(tx.release_savepoint(1), Err(Error::Misuse(_))));
}
