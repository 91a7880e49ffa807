//! The same commit / recover / checkpoint cycle over every file backend.
#![allow(clippy::unwrap_used)]

mod common;

use common::{database_image, StdFile};
use concur_pager::{CheckpointMode, File};
use concur_wal::{SyncMode, Wal};
use std::path::Path;
use std::sync::Arc;

const PS: usize = 4096;

type Opener = fn(&Path) -> Arc<dyn File>;

/// Every backend to run, by name.
fn backends() -> Vec<(&'static str, Opener)> {
    vec![("test std file", |path| Arc::new(StdFile::open(path)))]
}

fn image(version: u32, pgno: u32) -> Vec<u8> {
    (0..PS)
        .map(|i| (i as u32 ^ version.wrapping_mul(7) ^ pgno.wrapping_mul(131)) as u8)
        .collect()
}

fn cycle(name: &str, open: Opener) {
    let dir = tempfile::tempdir().unwrap();
    let wal_path = dir.path().join("b.db-wal");
    let db_path = dir.path().join("b.db");
    let mut state: Vec<Vec<u8>> = Vec::new();
    {
        let wal = Wal::open(open(&wal_path), PS as u32, SyncMode::Full).unwrap();
        for version in 1..=20u32 {
            let pgnos: Vec<u32> = (1..=version % 7 + 1)
                .map(|i| (i * version) % 30 + 1)
                .collect();
            let images: Vec<(u32, Vec<u8>)> =
                pgnos.iter().map(|&p| (p, image(version, p))).collect();
            for (p, i) in &images {
                if state.len() < *p as usize {
                    state.resize(*p as usize, vec![0; PS]);
                }
                state[*p as usize - 1] = i.clone();
            }
            let refs: Vec<(u32, &[u8])> = images.iter().map(|(p, i)| (*p, i.as_slice())).collect();
            let base = wal.begin_read();
            wal.commit(&base, &refs, state.len() as u32).unwrap();
            wal.end_read(&base);
        }
    }
    let want: Vec<u8> = state.concat();
    // Recovery sees every commit.
    let wal = Wal::open(open(&wal_path), PS as u32, SyncMode::Full).unwrap();
    let db = open(&db_path);
    let snapshot = wal.begin_read();
    let pages = snapshot.db_pages.unwrap();
    assert_eq!(
        database_image(&wal, &snapshot, db.as_ref(), pages),
        want,
        "{name}"
    );
    wal.end_read(&snapshot);
    // A checkpoint writes exactly that state into the database file and empties the WAL.
    let (result, _) = wal
        .checkpoint(CheckpointMode::Truncate, db.as_ref())
        .unwrap();
    assert!(!result.busy, "{name}");
    assert_eq!(std::fs::read(&db_path).unwrap(), want, "{name}");
    assert_eq!(std::fs::metadata(&wal_path).unwrap().len(), 0, "{name}");
}

#[test]
fn every_backend_commits_recovers_and_checkpoints() {
    for (name, open) in backends() {
        cycle(name, open);
    }
}
