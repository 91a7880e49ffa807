//! Commits, snapshots, checkpoints and resets against in-memory files.
#![allow(clippy::unwrap_used)]

mod common;

use common::{read_page, MemFile};
use concur_pager::{CheckpointMode, File, JournalSnapshot};
use concur_wal::{Error, SyncMode, Wal, WalConfig, WAL_HEADER_SIZE};
use std::sync::Arc;
use std::time::Duration;

const PS: u32 = 512;

fn page(fill: u8) -> Vec<u8> {
    vec![fill; PS as usize]
}

fn new_wal(sync: SyncMode) -> (Arc<MemFile>, Wal) {
    let file = Arc::new(MemFile::default());
    let wal = Wal::open(file.clone(), PS, sync).unwrap();
    (file, wal)
}

/// Commits `pages` (page number, fill byte) on the latest snapshot.
fn commit(wal: &Wal, pages: &[(u32, u8)], db_pages: u32) -> JournalSnapshot {
    let base = wal.begin_read();
    let images: Vec<(u32, Vec<u8>)> = pages.iter().map(|&(p, f)| (p, page(f))).collect();
    let refs: Vec<(u32, &[u8])> = images.iter().map(|(p, i)| (*p, i.as_slice())).collect();
    let snap = wal.commit(&base, &refs, db_pages).unwrap();
    wal.end_read(&base);
    snap
}

#[test]
fn a_commit_is_visible_to_later_snapshots_only() {
    let (_, wal) = new_wal(SyncMode::Full);
    let db = MemFile::with(page(0).repeat(3));
    let before = wal.begin_read();
    assert_eq!(before.mark, 0);
    let snap = commit(&wal, &[(1, 1), (3, 1)], 3);
    assert_eq!((snap.mark, snap.db_pages), (2, Some(3)));
    let after = wal.begin_read();
    assert_eq!(after.mark, 2);
    assert_eq!(read_page(&wal, &after, &db, 1), page(1));
    assert_eq!(read_page(&wal, &after, &db, 2), page(0));
    assert_eq!(read_page(&wal, &before, &db, 1), page(0));
    commit(&wal, &[(1, 2)], 3);
    assert_eq!(read_page(&wal, &after, &db, 1), page(1));
    let latest = wal.begin_read();
    assert_eq!(read_page(&wal, &latest, &db, 1), page(2));
    assert_eq!(read_page(&wal, &latest, &db, 3), page(1));
    for s in [before, after, latest] {
        wal.end_read(&s);
    }
}

#[test]
fn full_sync_writes_frames_and_fsync_as_one_batch() {
    let (file, wal) = new_wal(SyncMode::Full);
    commit(&wal, &[(1, 1), (2, 1), (3, 1)], 3);
    commit(&wal, &[(2, 2)], 3);
    // First commit: header + frames in one synced batch; second: frames in one synced batch.
    assert_eq!(*file.batches.lock(), vec![(2, true), (1, true)]);
    let (file, wal) = new_wal(SyncMode::Normal);
    commit(&wal, &[(1, 1)], 1);
    assert_eq!(*file.batches.lock(), vec![(2, false)]);
    assert_eq!(*file.syncs.lock(), 0);
    let db = MemFile::default();
    wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!((*file.syncs.lock(), *db.syncs.lock()), (1, 1));
    let (file, wal) = new_wal(SyncMode::Off);
    commit(&wal, &[(1, 1)], 1);
    wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!(*file.syncs.lock(), 0);
}

#[test]
fn reopening_recovers_every_commit() {
    let (file, wal) = new_wal(SyncMode::Full);
    commit(&wal, &[(1, 1), (2, 1)], 2);
    commit(&wal, &[(2, 2), (3, 2)], 3);
    drop(wal);
    let wal = Wal::open(file.clone(), PS, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), 4);
    let snap = wal.begin_read();
    assert_eq!(snap.db_pages, Some(3));
    let db = MemFile::default();
    assert_eq!(read_page(&wal, &snap, &db, 2), page(2));
    assert_eq!(read_page(&wal, &snap, &db, 1), page(1));
    wal.end_read(&snap);
    // Appending after recovery continues the checksum chain.
    commit(&wal, &[(1, 3)], 3);
    drop(wal);
    let wal = Wal::open(file, PS, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), 5);
}

#[test]
fn bad_input_gives_typed_errors() {
    let (_, wal) = new_wal(SyncMode::Full);
    let base = wal.begin_read();
    let short = vec![0u8; 100];
    assert!(matches!(
        wal.commit(&base, &[(1, &short)], 1),
        Err(Error::BadPage { pgno: 1, len: 100 })
    ));
    let ok = page(1);
    assert!(matches!(
        wal.commit(&base, &[(0, &ok)], 1),
        Err(Error::BadPage { pgno: 0, .. })
    ));
    assert!(matches!(
        wal.commit(&base, &[(1, &ok)], 0),
        Err(Error::EmptyCommit)
    ));
    wal.commit(&base, &[(1, &ok)], 1).unwrap();
    // The old base is no longer the latest.
    assert!(matches!(
        wal.commit(&base, &[(1, &ok)], 1),
        Err(Error::StaleBase { mark: 0, latest: 1 })
    ));
    let mut buf = page(0);
    let key = concur_pager::FrameKey {
        generation: 99,
        frame: 1,
    };
    assert!(matches!(
        wal.read_frame(key, &mut buf),
        Err(Error::NoSuchFrame { .. })
    ));
    assert!(matches!(
        Wal::open(Arc::new(MemFile::default()), 1000, SyncMode::Full),
        Err(Error::PageSize(1000))
    ));
    wal.end_read(&base);
}

#[test]
fn the_header_names_the_page_size() {
    let (file, wal) = new_wal(SyncMode::Full);
    assert_eq!(Wal::header_page_size(file.as_ref()).unwrap(), None);
    commit(&wal, &[(1, 1)], 1);
    assert_eq!(Wal::header_page_size(file.as_ref()).unwrap(), Some(PS));
}

#[test]
fn a_wal_of_another_page_size_is_rejected() {
    let (file, wal) = new_wal(SyncMode::Full);
    commit(&wal, &[(1, 1)], 1);
    drop(wal);
    assert!(matches!(
        Wal::open(file, 1024, SyncMode::Full),
        Err(Error::PageSizeMismatch {
            wal: 512,
            database: 1024
        })
    ));
}

#[test]
fn passive_checkpoint_stops_at_the_oldest_reader() {
    let (_, wal) = new_wal(SyncMode::Full);
    let db = MemFile::with(page(0).repeat(2));
    commit(&wal, &[(1, 1), (2, 1)], 2);
    let reader = wal.begin_read();
    commit(&wal, &[(1, 2)], 2);
    commit(&wal, &[(2, 3)], 2);
    let (result, pages) = wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert!(!result.busy);
    assert_eq!((result.log_frames, result.backfilled_frames), (4, 2));
    assert_eq!(pages, vec![1, 2]);
    assert_eq!(db.contents(), [page(1), page(1)].concat());
    // The reader still sees its snapshot.
    assert_eq!(read_page(&wal, &reader, &db, 1), page(1));
    wal.end_read(&reader);
    let (result, pages) = wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!((result.log_frames, result.backfilled_frames), (4, 4));
    assert_eq!(pages, vec![1, 2]);
    assert_eq!(db.contents(), [page(2), page(3)].concat());
}

fn wal_with_timeout(timeout: Duration) -> Arc<Wal> {
    let config = WalConfig {
        busy_timeout: timeout,
        ..WalConfig::new(SyncMode::Full)
    };
    Arc::new(Wal::open_with(Arc::new(MemFile::default()), PS, config).unwrap())
}

#[test]
fn full_checkpoint_reports_busy_while_a_reader_holds_an_old_snapshot() {
    let wal = wal_with_timeout(Duration::from_millis(20));
    let db = MemFile::default();
    commit(&wal, &[(1, 1)], 1);
    let reader = wal.begin_read();
    commit(&wal, &[(1, 2)], 1);
    let (result, _) = wal.checkpoint(CheckpointMode::Full, &db).unwrap();
    assert!(result.busy);
    assert_eq!((result.log_frames, result.backfilled_frames), (2, 1));
    wal.end_read(&reader);
}

#[test]
fn full_checkpoint_waits_for_the_reader_to_end() {
    let wal = wal_with_timeout(Duration::from_secs(10));
    let db = MemFile::default();
    commit(&wal, &[(1, 1)], 1);
    let reader = wal.begin_read();
    commit(&wal, &[(1, 2)], 1);
    let started = std::time::Instant::now();
    let ender = {
        let wal = wal.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            wal.end_read(&reader);
        })
    };
    let (result, _) = wal.checkpoint(CheckpointMode::Full, &db).unwrap();
    ender.join().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert!(!result.busy);
    assert_eq!((result.log_frames, result.backfilled_frames), (2, 2));
    assert_eq!(db.contents(), page(2));
}

#[test]
fn restart_makes_the_next_commit_start_over_with_new_salts() {
    let (file, wal) = new_wal(SyncMode::Full);
    let db = MemFile::default();
    commit(&wal, &[(1, 1), (2, 1)], 2);
    let old_header = file.contents()[..WAL_HEADER_SIZE].to_vec();
    let (result, _) = wal.checkpoint(CheckpointMode::Restart, &db).unwrap();
    assert!(!result.busy);
    assert_eq!((result.log_frames, result.backfilled_frames), (2, 2));
    assert_eq!(wal.max_frame(), 0);
    let reader = wal.begin_read();
    assert_eq!(reader.mark, 0);
    let snap = commit(&wal, &[(2, 5)], 2);
    assert_eq!(snap.mark, 1);
    assert!(snap.generation > reader.generation);
    let new_header = file.contents()[..WAL_HEADER_SIZE].to_vec();
    // Checkpoint sequence + 1, salt-1 + 1, salt-2 new.
    let word = |b: &[u8], at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap());
    assert_eq!(word(&new_header, 12), word(&old_header, 12) + 1);
    assert_eq!(word(&new_header, 16), word(&old_header, 16).wrapping_add(1));
    assert_ne!(word(&new_header, 20), word(&old_header, 20));
    // The old reader reads the database file; the new one sees frame 1.
    assert_eq!(read_page(&wal, &reader, &db, 2), page(1));
    let latest = wal.begin_read();
    assert_eq!(read_page(&wal, &latest, &db, 2), page(5));
    wal.end_read(&reader);
    wal.end_read(&latest);
    // The stale second frame of the old generation is not recovered.
    drop(wal);
    let wal = Wal::open(file, PS, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), 1);
}

#[test]
fn a_fully_backfilled_wal_restarts_at_the_next_commit() {
    let (_, wal) = new_wal(SyncMode::Full);
    let db = MemFile::default();
    commit(&wal, &[(1, 1)], 1);
    commit(&wal, &[(1, 2)], 1);
    wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!(wal.max_frame(), 2);
    let snap = commit(&wal, &[(1, 3)], 1);
    assert_eq!(snap.mark, 1);
    // A reader that reads the WAL keeps the WAL from restarting.
    wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    let reader = wal.begin_read();
    assert_eq!(reader.mark, 0);
    let snap = commit(&wal, &[(1, 4)], 1);
    assert_eq!(snap.mark, 1);
    let in_wal = wal.begin_read();
    assert_eq!(in_wal.mark, 1);
    let (result, pages) = wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!(
        (result.backfilled_frames, pages.len()),
        (0, 0),
        "mark-0 reader blocks"
    );
    let snap = commit(&wal, &[(1, 5)], 1);
    assert_eq!(snap.mark, 2, "reader at mark 1 blocks the restart");
    wal.end_read(&reader);
    wal.end_read(&in_wal);
}

#[test]
fn truncate_empties_the_wal_file_and_reports_zero() {
    let (file, wal) = new_wal(SyncMode::Full);
    let db = MemFile::default();
    commit(&wal, &[(1, 1), (2, 1), (3, 1)], 3);
    let (result, pages) = wal.checkpoint(CheckpointMode::Truncate, &db).unwrap();
    assert!(!result.busy);
    assert_eq!((result.log_frames, result.backfilled_frames), (0, 0));
    assert_eq!(pages, vec![1, 2, 3]);
    assert_eq!(file.size().unwrap(), 0);
    assert_eq!(db.size().unwrap(), 3 * PS as u64);
    let snap = commit(&wal, &[(1, 9)], 3);
    assert_eq!(snap.mark, 1);
    drop(wal);
    let wal = Wal::open(file, PS, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), 1);
}

#[test]
fn backfill_shrinks_the_database_to_the_committed_size() {
    let (_, wal) = new_wal(SyncMode::Full);
    let db = MemFile::with(page(0).repeat(5));
    commit(&wal, &[(1, 1), (2, 1)], 2);
    wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
    assert_eq!(db.contents(), [page(1), page(1)].concat());
}

/// A file whose writes fail once `fail` is set.
struct FailingFile {
    inner: MemFile,
    fail: std::sync::atomic::AtomicBool,
}

impl File for FailingFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> concur_pager::Result<usize> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> concur_pager::Result<()> {
        self.inner.write_at(buf, offset)
    }
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> concur_pager::Result<()> {
        if self.fail.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(std::io::Error::other("injected write failure").into());
        }
        self.inner.write_batch(writes, sync)
    }
    fn sync(&self) -> concur_pager::Result<()> {
        self.inner.sync()
    }
    fn size(&self) -> concur_pager::Result<u64> {
        self.inner.size()
    }
    fn set_len(&self, len: u64) -> concur_pager::Result<()> {
        self.inner.set_len(len)
    }
}

#[test]
fn a_failed_write_refuses_every_later_write_until_reopen() {
    let file = Arc::new(FailingFile {
        inner: MemFile::default(),
        fail: false.into(),
    });
    let wal = Wal::open(file.clone(), PS, SyncMode::Full).unwrap();
    commit(&wal, &[(1, 1)], 1);
    file.fail.store(true, std::sync::atomic::Ordering::Relaxed);
    let base = wal.begin_read();
    let image = page(2);
    assert!(matches!(
        wal.commit(&base, &[(1, &image)], 1),
        Err(Error::File(concur_pager::Error::Io(_)))
    ));
    file.fail.store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(matches!(
        wal.commit(&base, &[(1, &image)], 1),
        Err(Error::Poisoned)
    ));
    assert!(matches!(
        wal.checkpoint(CheckpointMode::Passive, &MemFile::default()),
        Err(Error::Poisoned)
    ));
    // Reading committed frames still works, and the pager sees the poisoned state.
    let db = MemFile::default();
    assert_eq!(read_page(&wal, &base, &db, 1), page(1));
    let as_pager: concur_pager::Error = Error::Poisoned.into();
    assert!(matches!(as_pager, concur_pager::Error::Poisoned));
    wal.end_read(&base);
    drop(wal);
    let wal = Wal::open(file, PS, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), 1);
    commit(&wal, &[(1, 3)], 1);
}
