//! Transactions over an in-memory database: snapshots, rollback, own writes, bounds, the
//! writer slot, the bounded cache and freelist reuse.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use concur_pager::{
    CheckpointMode, DbHeader, Error, MemFile, MemJournal, PageSource, PageWriter, Pager,
    PagerOptions,
};

fn small(page_size: u32, cache_pages: usize) -> PagerOptions {
    PagerOptions {
        page_size,
        cache_pages,
        ..PagerOptions::default()
    }
}

/// Allocates `n` pages after page 1, stamping each with its own number.
fn fill(pager: &Pager, n: u32) {
    let mut tx = pager.begin_write().unwrap();
    if tx.page_count() == 0 {
        assert_eq!(tx.allocate().unwrap(), 1);
    }
    for _ in 0..n {
        let p = tx.allocate().unwrap();
        tx.page_mut(p).unwrap()[..4].copy_from_slice(&p.to_be_bytes());
    }
    tx.commit().unwrap();
}

fn stamp(src: &impl PageSource, pgno: u32) -> u32 {
    let page = src.page(pgno).unwrap();
    u32::from_be_bytes([page[0], page[1], page[2], page[3]])
}

#[test]
fn pager_is_clone_send_sync() {
    fn assert_all<T: Clone + Send + Sync + 'static>() {}
    assert_all::<Pager>();
    fn assert_send<T: Send>() {}
    assert_send::<concur_pager::ReadTx>();
    assert_send::<concur_pager::WriteTx>();
}

#[test]
fn first_allocation_is_page_one_with_a_wal_header() {
    let pager = Pager::open_in_memory(small(1024, 16)).unwrap();
    assert_eq!(pager.begin_read().unwrap().page_count(), 0);
    let mut tx = pager.begin_write().unwrap();
    assert_eq!(tx.allocate().unwrap(), 1);
    let header = DbHeader::read(&tx.page(1).unwrap()).unwrap();
    assert_eq!(header.page_size, 1024);
    assert_eq!((header.write_version, header.read_version), (2, 2));
    assert!(tx.page(1).unwrap()[100..].iter().all(|&b| b == 0));
    tx.commit().unwrap();
    let read = pager.begin_read().unwrap();
    let header = read.header().unwrap();
    assert_eq!(header.page_count, 1);
    assert_eq!(header.change_counter, header.version_valid_for);
    assert_eq!(
        header.change_counter, 2,
        "new header says 1, the commit bumps it"
    );
}

#[test]
fn a_reader_keeps_its_snapshot_while_a_writer_commits() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 3);
    let before = pager.begin_read().unwrap();
    let mut tx = pager.begin_write().unwrap();
    tx.page_mut(2).unwrap()[..4].copy_from_slice(&99u32.to_be_bytes());
    let grown = tx.allocate().unwrap();
    assert_eq!(grown, 5);
    assert_eq!(stamp(&tx, 2), 99, "the writer sees its own change");
    assert_eq!(stamp(&before, 2), 2, "uncommitted changes are invisible");
    tx.commit().unwrap();
    let after = pager.begin_read().unwrap();
    assert_eq!(stamp(&before, 2), 2);
    assert_eq!(before.page_count(), 4);
    assert!(matches!(
        before.page(5),
        Err(Error::Corrupt { page: 5, .. })
    ));
    assert_eq!(stamp(&after, 2), 99);
    assert_eq!(after.page_count(), 5);
    // A checkpoint may not overwrite what `before` reads from the file.
    pager.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(stamp(&before, 2), 2);
    drop(before);
    drop(after);
    let r = pager.checkpoint(CheckpointMode::Truncate).unwrap();
    assert!(!r.busy);
    let last = pager.begin_read().unwrap();
    assert_eq!(
        stamp(&last, 2),
        99,
        "read from the file after the checkpoint"
    );
    assert_eq!(last.page_count(), 5);
}

#[test]
fn rollback_and_drop_discard_changes() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 2);
    let mut tx = pager.begin_write().unwrap();
    tx.page_mut(2).unwrap()[0] = 0xEE;
    tx.allocate().unwrap();
    tx.rollback();
    let mut tx = pager.begin_write().unwrap();
    tx.free(3).unwrap();
    drop(tx);
    let read = pager.begin_read().unwrap();
    assert_eq!(stamp(&read, 2), 2);
    assert_eq!(read.page_count(), 3);
    assert_eq!(read.header().unwrap().freelist_count, 0);
}

#[test]
fn page_zero_and_pages_past_the_end_are_corrupt() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 1);
    let read = pager.begin_read().unwrap();
    assert!(matches!(read.page(0), Err(Error::Corrupt { page: 0, .. })));
    assert!(matches!(read.page(3), Err(Error::Corrupt { page: 3, .. })));
    let mut tx = pager.begin_write().unwrap();
    assert!(matches!(
        tx.page_mut(3),
        Err(Error::Corrupt { page: 3, .. })
    ));
    assert!(matches!(tx.free(1), Err(Error::Corrupt { page: 1, .. })));
    assert!(matches!(tx.free(9), Err(Error::Corrupt { page: 9, .. })));
}

#[test]
fn page_refs_are_copy_on_write() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 1);
    let mut tx = pager.begin_write().unwrap();
    let old = tx.page(2).unwrap();
    tx.page_mut(2).unwrap()[0] = 0x55;
    let mid = tx.page(2).unwrap();
    tx.page_mut(2).unwrap()[0] = 0x66;
    assert_eq!(old[0], 0);
    assert_eq!(mid[0], 0x55);
    assert_eq!(tx.page(2).unwrap()[0], 0x66);
}

#[test]
fn one_writer_at_a_time() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 1);
    let tx = pager.begin_write().unwrap();
    let other = pager.clone();
    let waiter = std::thread::spawn(move || {
        let mut tx = other.begin_write().unwrap();
        let p = tx.allocate().unwrap();
        tx.commit().unwrap();
        p
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(!waiter.is_finished(), "the second writer waits");
    let mut tx = tx;
    assert_eq!(tx.allocate().unwrap(), 3);
    tx.commit().unwrap();
    assert_eq!(
        waiter.join().unwrap(),
        4,
        "it starts from the first's commit"
    );
}

#[test]
fn a_database_much_larger_than_the_cache_reads_right() {
    let pager = Pager::open_in_memory(small(512, 8)).unwrap();
    for _ in 0..10 {
        fill(&pager, 100);
    }
    let check = |pager: &Pager| {
        let read = pager.begin_read().unwrap();
        assert_eq!(read.page_count(), 1001);
        for round in 0..2 {
            for p in 2..=1001 {
                assert_eq!(stamp(&read, p), p, "round {round}");
            }
        }
        assert!(pager.cache_stats().len <= 8);
    };
    check(&pager); // pages in journal frames
    pager.checkpoint(CheckpointMode::Truncate).unwrap();
    check(&pager); // pages in the file
    let stats = pager.cache_stats();
    assert_eq!(stats.capacity, 8);
    assert!(stats.evictions > 1000, "{stats:?}");
}

#[test]
fn allocate_and_free_the_same_volume_keeps_the_page_count() {
    let pager = Pager::open_in_memory(small(512, 32)).unwrap();
    fill(&pager, 1);
    let mut count_after_first = None;
    for round in 0..6 {
        let mut tx = pager.begin_write().unwrap();
        let pages: Vec<u32> = (0..300).map(|_| tx.allocate().unwrap()).collect();
        tx.commit().unwrap();
        let mut tx = pager.begin_write().unwrap();
        for p in pages {
            tx.free(p).unwrap();
        }
        let header = tx.header().unwrap();
        assert_eq!(header.freelist_count, 300);
        let count = tx.page_count();
        tx.commit().unwrap();
        match count_after_first {
            None => count_after_first = Some(count),
            Some(c) => assert_eq!(count, c, "round {round}"),
        }
        if round % 2 == 1 {
            pager.checkpoint(CheckpointMode::Passive).unwrap();
        }
    }
    assert_eq!(count_after_first, Some(302));
    let read = pager.begin_read().unwrap();
    let header = read.header().unwrap();
    let pages =
        concur_pager::freelist::check(&read, header.freelist_trunk, header.freelist_count).unwrap();
    assert_eq!(pages.len(), 300);
}

#[test]
fn freelist_fills_trunks_to_sqlites_limit() {
    // 512-byte pages: a trunk takes 512/4 - 8 = 120 leaves before the next free page becomes
    // a new trunk.
    let pager = Pager::open_in_memory(small(512, 32)).unwrap();
    fill(&pager, 130);
    let mut tx = pager.begin_write().unwrap();
    for p in 2..=123 {
        tx.free(p).unwrap();
    }
    let header = tx.header().unwrap();
    assert_eq!(
        header.freelist_trunk, 123,
        "page 2 is the first trunk, 123 the second"
    );
    let first = tx.page(2).unwrap();
    assert_eq!(
        u32::from_be_bytes([first[4], first[5], first[6], first[7]]),
        120
    );
    let second = tx.page(123).unwrap();
    assert_eq!(&second[..8], &[0, 0, 0, 2, 0, 0, 0, 0]);
    // Allocation takes the empty trunk first, then leaves of the next.
    assert_eq!(tx.allocate().unwrap(), 123);
    assert_eq!(tx.allocate().unwrap(), 122);
    assert_eq!(tx.header().unwrap().freelist_count, 120);
    assert!(
        tx.page(122).unwrap().iter().all(|&b| b == 0),
        "allocated pages are zeroed"
    );
}

#[test]
fn with_journal_plugs_in_any_journal() {
    let db = Arc::new(MemFile::new());
    let journal = Arc::new(MemJournal::new());
    let pager = Pager::with_journal(db.clone(), journal.clone(), small(4096, 16)).unwrap();
    fill(&pager, 2);
    assert_eq!(journal.frame_count(), 3);
    assert_eq!(
        db.to_vec().len(),
        0,
        "nothing in the file before a checkpoint"
    );
    let r = pager.checkpoint(CheckpointMode::Truncate).unwrap();
    assert_eq!((r.busy, r.log_frames, r.backfilled_frames), (false, 3, 3));
    assert_eq!(db.to_vec().len(), 3 * 4096);
    assert_eq!(journal.frame_count(), 0);
    drop(pager);
    // A new pager over the same file sees the committed pages.
    let pager = Pager::with_journal(db, Arc::new(MemJournal::new()), small(512, 16)).unwrap();
    assert_eq!(pager.page_size(), 4096, "the file's page size wins");
    assert_eq!(stamp(&pager.begin_read().unwrap(), 3), 3);
}

#[test]
fn a_checkpoint_with_an_old_reader_reports_busy_for_restart() {
    let pager = Pager::open_in_memory(small(512, 16)).unwrap();
    fill(&pager, 1);
    let old = pager.begin_read().unwrap();
    fill(&pager, 1);
    let r = pager.checkpoint(CheckpointMode::Restart).unwrap();
    assert!(r.busy);
    assert_eq!(
        r.backfilled_frames, 2,
        "the first commit (2 frames) is backfilled"
    );
    assert_eq!(old.page_count(), 2);
    drop(old);
    assert!(!pager.checkpoint(CheckpointMode::Restart).unwrap().busy);
}

#[test]
fn readers_and_a_writer_run_side_by_side() {
    let pager = Pager::open_in_memory(small(512, 16)).unwrap();
    fill(&pager, 4);
    let writer = {
        let pager = pager.clone();
        std::thread::spawn(move || {
            for i in 1..=200u32 {
                let mut tx = pager.begin_write().unwrap();
                for p in 2..=5 {
                    tx.page_mut(p).unwrap()[4..8].copy_from_slice(&i.to_be_bytes());
                }
                tx.commit().unwrap();
                if i % 50 == 0 {
                    pager.checkpoint(CheckpointMode::Passive).unwrap();
                }
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let pager = pager.clone();
            std::thread::spawn(move || {
                for _ in 0..300 {
                    let tx = pager.begin_read().unwrap();
                    let versions: Vec<[u8; 4]> = (2..=5)
                        .map(|p| tx.page(p).unwrap()[4..8].try_into().unwrap())
                        .collect();
                    assert!(versions.windows(2).all(|w| w[0] == w[1]), "torn snapshot");
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
}

#[test]
fn read_only_pagers_refuse_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.db");
    {
        let pager = Pager::open(&path, PagerOptions::default()).unwrap();
        fill(&pager, 2);
    }
    let options = PagerOptions {
        read_only: true,
        ..PagerOptions::default()
    };
    let pager = Pager::open(&path, options).unwrap();
    assert_eq!(stamp(&pager.begin_read().unwrap(), 3), 3);
    assert!(matches!(pager.begin_write(), Err(Error::ReadOnly)));
    assert!(matches!(
        pager.checkpoint(CheckpointMode::Passive),
        Err(Error::ReadOnly)
    ));
}

#[test]
fn bad_page_sizes_are_misuse() {
    for size in [0, 100, 1000, 131072] {
        assert!(matches!(
            Pager::open_in_memory(small(size, 8)),
            Err(Error::Misuse(_))
        ));
    }
}

/// A file whose writes fail once `fail` is set.
struct FailingFile {
    inner: MemFile,
    fail: std::sync::atomic::AtomicBool,
}

impl FailingFile {
    fn check(&self) -> concur_pager::Result<()> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            Err(Error::Io(std::io::Error::other("injected write failure")))
        } else {
            Ok(())
        }
    }
}

impl concur_pager::File for FailingFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> concur_pager::Result<usize> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> concur_pager::Result<()> {
        self.check()?;
        self.inner.write_at(buf, offset)
    }
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> concur_pager::Result<()> {
        self.check()?;
        self.inner.write_batch(writes, sync)
    }
    fn sync(&self) -> concur_pager::Result<()> {
        self.check()
    }
    fn size(&self) -> concur_pager::Result<u64> {
        self.inner.size()
    }
    fn set_len(&self, len: u64) -> concur_pager::Result<()> {
        self.check()?;
        self.inner.set_len(len)
    }
}

#[test]
fn a_failed_checkpoint_write_poisons_the_pager() {
    use concur_pager::File;
    let file = Arc::new(FailingFile {
        inner: MemFile::new(),
        fail: false.into(),
    });
    let pager =
        Pager::with_journal(file.clone(), Arc::new(MemJournal::new()), small(512, 8)).unwrap();
    fill(&pager, 2);
    file.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(matches!(
        pager.checkpoint(CheckpointMode::Full),
        Err(Error::Io(_))
    ));
    assert!(matches!(pager.begin_write(), Err(Error::Poisoned)));
    assert!(matches!(
        pager.checkpoint(CheckpointMode::Full),
        Err(Error::Poisoned)
    ));
    // Reads still work from the journal.
    assert_eq!(stamp(&pager.begin_read().unwrap(), 3), 3);
    assert_eq!(file.size().unwrap(), 0);
}

#[test]
fn try_begin_write_does_not_wait() {
    let pager = Pager::open_in_memory(small(512, 8)).unwrap();
    let tx = pager.try_begin_write().unwrap().unwrap();
    assert!(pager.try_begin_write().unwrap().is_none());
    drop(tx);
    assert!(pager.try_begin_write().unwrap().is_some());
}

#[test]
fn checkpoints_that_reset_the_journal_never_show_readers_stale_file_pages() {
    // A four-page cache and a restart every few commits: readers keep meeting file images
    // cached in older epochs and must never use them once the file changed.
    let pager = Pager::open_in_memory(small(512, 4)).unwrap();
    fill(&pager, 6);
    let writer = {
        let pager = pager.clone();
        std::thread::spawn(move || {
            for i in 1..=300u32 {
                let mut tx = pager.begin_write().unwrap();
                for p in 2..=7 {
                    tx.page_mut(p).unwrap()[4..8].copy_from_slice(&i.to_be_bytes());
                }
                tx.commit().unwrap();
                if i % 7 == 0 {
                    pager.checkpoint(CheckpointMode::Restart).unwrap();
                }
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let pager = pager.clone();
            std::thread::spawn(move || {
                let mut last = 0u32;
                for _ in 0..400 {
                    let tx = pager.begin_read().unwrap();
                    let versions: Vec<u32> = (2..=7)
                        .map(|p| {
                            let page = tx.page(p).unwrap();
                            u32::from_be_bytes(page[4..8].try_into().unwrap())
                        })
                        .collect();
                    assert!(versions.windows(2).all(|w| w[0] == w[1]), "{versions:?}");
                    assert!(
                        versions[0] >= last,
                        "went back from {last} to {}",
                        versions[0]
                    );
                    last = versions[0];
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    let tx = pager.begin_read().unwrap();
    assert_eq!(
        u32::from_be_bytes(tx.page(7).unwrap()[4..8].try_into().unwrap()),
        300
    );
}

#[test]
fn a_checkpoint_replaces_cached_file_images_of_the_pages_it_wrote() {
    let pager = Pager::open_in_memory(small(512, 64)).unwrap();
    fill(&pager, 2);
    pager.checkpoint(CheckpointMode::Truncate).unwrap();
    // Pages 2 and 3 now come from the file, and get cached as file images.
    let read = pager.begin_read().unwrap();
    assert_eq!((stamp(&read, 2), stamp(&read, 3)), (2, 3));
    drop(read);
    let mut tx = pager.begin_write().unwrap();
    tx.page_mut(2).unwrap()[..4].copy_from_slice(&20u32.to_be_bytes());
    tx.commit().unwrap();
    let misses = pager.cache_stats().misses;
    pager.checkpoint(CheckpointMode::Truncate).unwrap();
    let read = pager.begin_read().unwrap();
    assert_eq!(
        read.snapshot().mark,
        0,
        "the journal was reset: pages come from the file"
    );
    assert_eq!(
        stamp(&read, 2),
        20,
        "not the image cached before the checkpoint"
    );
    assert_eq!(stamp(&read, 3), 3);
    // Page 3's image survived the checkpoint; pages 1 and 2 were re-read.
    assert_eq!(pager.cache_stats().misses - misses, 2);
}
