//! Commit throughput (1, 10, 100 pages per commit) and checkpoint throughput (MB/s).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::StdFile;
use concur_pager::CheckpointMode;
use concur_wal::{SyncMode, Wal};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PS: usize = 4096;

/// Opens a fresh WAL and database file in `dir`.
fn fresh(dir: &std::path::Path, sync: SyncMode) -> (Wal, StdFile) {
    let wal_path = dir.join("bench.db-wal");
    let db_path = dir.join("bench.db");
    let _ = std::fs::remove_file(&wal_path);
    let _ = std::fs::remove_file(&db_path);
    let wal = Wal::open(Arc::new(StdFile::open(&wal_path)), PS as u32, sync).unwrap();
    (wal, StdFile::open(&db_path))
}

fn commit_pages(wal: &Wal, images: &[(u32, Vec<u8>)]) {
    let refs: Vec<(u32, &[u8])> = images.iter().map(|(p, i)| (*p, i.as_slice())).collect();
    let base = wal.begin_read();
    wal.commit(&base, &refs, 1000).unwrap();
    wal.end_read(&base);
}

fn commits(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for (name, sync) in [("normal", SyncMode::Normal), ("full", SyncMode::Full)] {
        let mut group = c.benchmark_group(format!("commit/{name}"));
        for pages in [1u32, 10, 100] {
            group.throughput(Throughput::Elements(u64::from(pages)));
            let images: Vec<(u32, Vec<u8>)> = (1..=pages).map(|p| (p, vec![p as u8; PS])).collect();
            group.bench_with_input(BenchmarkId::from_parameter(pages), &images, |b, images| {
                let (wal, db) = fresh(dir.path(), sync);
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for i in 0..iters {
                        // Keep the WAL small, outside the timed part.
                        if i % 256 == 255 {
                            wal.checkpoint(CheckpointMode::Truncate, &db).unwrap();
                        }
                        let started = Instant::now();
                        commit_pages(&wal, images);
                        spent += started.elapsed();
                    }
                    spent
                });
            });
        }
        group.finish();
    }
}

fn checkpoints(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let pages = 1000u32;
    let mut group = c.benchmark_group("checkpoint");
    group.throughput(Throughput::Bytes(u64::from(pages) * PS as u64));
    for (name, sync) in [("normal", SyncMode::Normal), ("off", SyncMode::Off)] {
        group.bench_function(BenchmarkId::new("passive_1000_pages", name), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let (wal, db) = fresh(dir.path(), sync);
                    for chunk in (1..=pages).collect::<Vec<_>>().chunks(100) {
                        let images: Vec<(u32, Vec<u8>)> =
                            chunk.iter().map(|&p| (p, vec![p as u8; PS])).collect();
                        commit_pages(&wal, &images);
                    }
                    let started = Instant::now();
                    let (result, _) = wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
                    spent += started.elapsed();
                    assert_eq!(result.backfilled_frames, u64::from(pages));
                }
                spent
            });
        });
    }
    group.finish();
}

fn recovery(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _db) = fresh(dir.path(), SyncMode::Off);
    for chunk in (1..=1000u32).collect::<Vec<_>>().chunks(10) {
        let images: Vec<(u32, Vec<u8>)> = chunk.iter().map(|&p| (p, vec![p as u8; PS])).collect();
        commit_pages(&wal, &images);
    }
    drop(wal);
    let mut group = c.benchmark_group("recovery");
    group.throughput(Throughput::Bytes(1000 * (PS as u64 + 24)));
    group.bench_function("open_1000_frames", |b| {
        b.iter(|| {
            let file = Arc::new(StdFile::open(&dir.path().join("bench.db-wal")));
            let wal = Wal::open(file, PS as u32, SyncMode::Off).unwrap();
            assert_eq!(wal.max_frame(), 1000);
        });
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
}

criterion_group! {
    name = benches;
    config = config();
    targets = commits, checkpoints, recovery
}
criterion_main!(benches);
