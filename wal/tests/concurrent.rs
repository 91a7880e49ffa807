//! Readers keep their snapshot while a writer commits and checkpoints run, on real threads.
#![allow(clippy::unwrap_used)]

mod common;

use common::{read_page, MemFile};
use concur_pager::{CheckpointMode, File};
use concur_wal::{SyncMode, Wal};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

const PS: usize = 512;
const PAGES: u32 = 8;
const COMMITS: u64 = 300;

/// Commit `version` writes page 1 and every page p with (version + p) % 3 == 0.
fn written_by(version: u64, pgno: u32) -> bool {
    version == 0 || pgno == 1 || matches!((version + u64::from(pgno)) % 3, 0)
}

/// The version of `pgno` in the state after commit `version`.
fn version_of(version: u64, pgno: u32) -> u64 {
    (0..=version)
        .rev()
        .find(|&v| written_by(v, pgno))
        .unwrap_or(0)
}

fn image(version: u64, pgno: u32) -> Vec<u8> {
    let mut page: Vec<u8> = (0..PS)
        .map(|i| (i as u64 ^ version.wrapping_mul(13) ^ u64::from(pgno)) as u8)
        .collect();
    page[..8].copy_from_slice(&version.to_le_bytes());
    page
}

fn run(sync: SyncMode) {
    let initial: Vec<u8> = (1..=PAGES).flat_map(|p| image(0, p)).collect();
    let db = Arc::new(MemFile::with(initial));
    let wal = Arc::new(Wal::open(Arc::new(MemFile::default()), PS as u32, sync).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let snapshots_checked = Arc::new(AtomicU64::new(0));
    let overlapped = Arc::new(AtomicU64::new(0));
    let committed = Arc::new(AtomicU64::new(0));
    let backfilled_pages = Arc::new(AtomicU64::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut version = 0;
            // Keep committing until the readers and the checkpointer have both had their
            // turns (a loaded machine may not schedule them at first), within a bound that
            // lets the assertions below report a checkpointer that never backfills.
            while version < COMMITS
                || snapshots_checked.load(Ordering::Relaxed) < 200
                || (version < 100 * COMMITS && backfilled_pages.load(Ordering::Relaxed) == 0)
            {
                version += 1;
                let images: Vec<(u32, Vec<u8>)> = (1..=PAGES)
                    .filter(|&p| written_by(version, p))
                    .map(|p| (p, image(version, p)))
                    .collect();
                let refs: Vec<(u32, &[u8])> =
                    images.iter().map(|(p, i)| (*p, i.as_slice())).collect();
                let base = wal.begin_read();
                wal.commit(&base, &refs, PAGES).unwrap();
                wal.end_read(&base);
                committed.store(version, Ordering::Release);
            }
            done.store(true, Ordering::Release);
        });
        scope.spawn(|| {
            let mut round = 0u64;
            while !done.load(Ordering::Acquire) {
                let mode = match round % 10 {
                    9 => CheckpointMode::Restart,
                    5 => CheckpointMode::Full,
                    _ => CheckpointMode::Passive,
                };
                let (result, pages) = wal.checkpoint(mode, db.as_ref()).unwrap();
                assert!(result.backfilled_frames <= result.log_frames);
                backfilled_pages.fetch_add(pages.len() as u64, Ordering::Relaxed);
                round += 1;
                std::thread::yield_now();
            }
        });
        for _ in 0..3 {
            scope.spawn(|| {
                let mut last_seen = 0;
                while !done.load(Ordering::Acquire) {
                    let snapshot = wal.begin_read();
                    let page1 = read_page(&wal, &snapshot, db.as_ref(), 1);
                    let version = u64::from_le_bytes(page1[..8].try_into().unwrap());
                    assert!(version >= last_seen, "snapshots move forward");
                    last_seen = version;
                    for _pass in 0..3 {
                        for pgno in 1..=PAGES {
                            let page = read_page(&wal, &snapshot, db.as_ref(), pgno);
                            assert_eq!(
                                page,
                                image(version_of(version, pgno), pgno),
                                "page {pgno} in snapshot of version {version}"
                            );
                        }
                        std::thread::yield_now();
                    }
                    if committed.load(Ordering::Acquire) > version {
                        overlapped.fetch_add(1, Ordering::Relaxed);
                    }
                    wal.end_read(&snapshot);
                    snapshots_checked.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert!(snapshots_checked.load(Ordering::Relaxed) >= 200);
    assert!(
        overlapped.load(Ordering::Relaxed) > 0,
        "commits ran during snapshots"
    );
    assert!(
        backfilled_pages.load(Ordering::Relaxed) > 0,
        "checkpoints ran meanwhile"
    );
    let last = committed.load(Ordering::Acquire);
    let (result, _) = wal.checkpoint(CheckpointMode::Full, db.as_ref()).unwrap();
    assert!(!result.busy);
    let want: Vec<u8> = (1..=PAGES)
        .flat_map(|p| image(version_of(last, p), p))
        .collect();
    assert_eq!(db.contents(), want);
    assert_eq!(db.size().unwrap(), u64::from(PAGES) * PS as u64);
}

#[test]
fn readers_keep_their_snapshot_during_commits_and_checkpoints() {
    run(SyncMode::Full);
}

#[test]
fn readers_keep_their_snapshot_without_syncs() {
    run(SyncMode::Off);
}
