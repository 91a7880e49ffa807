//! Torn tails: every truncation and every flipped byte in the last frames of a WAL recovers to
//! the last intact commit, never to part of a transaction.
#![allow(clippy::unwrap_used)]

mod common;

use common::{database_image, MemFile};
use concur_wal::{ByteOrder, SyncMode, Wal, WalConfig, FRAME_HEADER_SIZE, WAL_HEADER_SIZE};
use std::collections::BTreeMap;
use std::sync::Arc;

const PS: usize = 512;
const FRAME: usize = FRAME_HEADER_SIZE + PS;

/// The transactions written: pages per commit.
const COMMITS: [&[u32]; 4] = [&[1, 2], &[2, 3, 4], &[1, 5], &[3, 6, 7]];

/// A page image that differs in every word from the other commits' images of the same page.
fn image(commit: usize, pgno: u32) -> Vec<u8> {
    (0..PS)
        .map(|i| (i as u32 * 31 + pgno * 7 + commit as u32 * 101) as u8)
        .collect()
}

/// The WAL bytes after all commits, and for each commit its last frame and database image.
struct Written {
    bytes: Vec<u8>,
    states: Vec<(u64, Vec<u8>)>,
}

fn write_all(order: ByteOrder) -> Written {
    let file = Arc::new(MemFile::default());
    let config = WalConfig {
        checksum_order: order,
        ..WalConfig::new(SyncMode::Full)
    };
    let wal = Wal::open_with(file.clone(), PS as u32, config).unwrap();
    let mut pages: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut states = vec![(0, Vec::new())];
    for (c, pgnos) in COMMITS.iter().enumerate() {
        let images: Vec<(u32, Vec<u8>)> = pgnos.iter().map(|&p| (p, image(c, p))).collect();
        let refs: Vec<(u32, &[u8])> = images.iter().map(|(p, i)| (*p, i.as_slice())).collect();
        pages.extend(images.clone());
        let db_pages = *pages.keys().last().unwrap();
        let base = wal.begin_read();
        let snap = wal.commit(&base, &refs, db_pages).unwrap();
        wal.end_read(&base);
        let full: Vec<u8> = (1..=db_pages)
            .flat_map(|p| pages.get(&p).cloned().unwrap_or_else(|| vec![0; PS]))
            .collect();
        states.push((snap.mark, full));
    }
    Written {
        bytes: file.contents(),
        states,
    }
}

/// Opens `bytes` as a WAL and checks it recovered exactly the state ending at frame `want`.
fn check_recovers_to(written: &Written, bytes: Vec<u8>, want: u64, what: &str) {
    let wal = Wal::open(Arc::new(MemFile::with(bytes)), PS as u32, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), want, "{what}");
    let (_, state) = written.states.iter().find(|(end, _)| *end == want).unwrap();
    let snapshot = wal.begin_read();
    let db = MemFile::default();
    let pages = (state.len() / PS) as u32;
    assert_eq!(snapshot.db_pages, (pages > 0).then_some(pages), "{what}");
    assert_eq!(
        &database_image(&wal, &snapshot, &db, pages),
        state,
        "{what}"
    );
    wal.end_read(&snapshot);
}

/// The last commit that ends at or before frame `frames` (whole frames present).
fn last_commit_within(written: &Written, frames: u64) -> u64 {
    written
        .states
        .iter()
        .map(|(end, _)| *end)
        .filter(|&end| end <= frames)
        .max()
        .unwrap()
}

/// Byte offsets covering the last two commits' frames.
fn tail_range(written: &Written) -> std::ops::Range<usize> {
    let second_last = written.states[written.states.len() - 3].0 as usize;
    WAL_HEADER_SIZE + second_last * FRAME..written.bytes.len()
}

fn truncation_at_every_offset(order: ByteOrder) {
    let written = write_all(order);
    for len in tail_range(&written).chain([written.bytes.len()]) {
        let whole = ((len - WAL_HEADER_SIZE) / FRAME) as u64;
        let want = last_commit_within(&written, whole);
        check_recovers_to(
            &written,
            written.bytes[..len].to_vec(),
            want,
            &format!("len {len}"),
        );
    }
}

fn flipped_byte_anywhere_in_the_tail(order: ByteOrder) {
    let written = write_all(order);
    for at in tail_range(&written) {
        let mut bytes = written.bytes.clone();
        bytes[at] ^= 1 << (at % 8);
        let frame = ((at - WAL_HEADER_SIZE) / FRAME) as u64 + 1;
        let want = last_commit_within(&written, frame - 1);
        check_recovers_to(&written, bytes, want, &format!("flip at {at}"));
    }
}

#[test]
fn truncation_lands_on_the_last_intact_commit_little_endian() {
    truncation_at_every_offset(ByteOrder::Little);
}

#[test]
fn truncation_lands_on_the_last_intact_commit_big_endian() {
    truncation_at_every_offset(ByteOrder::Big);
}

#[test]
fn a_flipped_byte_ends_the_log_before_its_transaction_little_endian() {
    flipped_byte_anywhere_in_the_tail(ByteOrder::Little);
}

#[test]
fn a_flipped_byte_ends_the_log_before_its_transaction_big_endian() {
    flipped_byte_anywhere_in_the_tail(ByteOrder::Big);
}

#[test]
fn a_damaged_header_makes_the_wal_empty() {
    let written = write_all(ByteOrder::NATIVE);
    for at in 0..WAL_HEADER_SIZE {
        let mut bytes = written.bytes.clone();
        bytes[at] ^= 0x10;
        check_recovers_to(&written, bytes, 0, &format!("header byte {at}"));
    }
}

#[test]
fn commits_after_a_torn_tail_replace_it() {
    let written = write_all(ByteOrder::NATIVE);
    // Cut in the middle of the last commit's second frame.
    let cut = written.bytes.len() - FRAME - FRAME / 2;
    let file = Arc::new(MemFile::with(written.bytes[..cut].to_vec()));
    let wal = Wal::open(file.clone(), PS as u32, SyncMode::Full).unwrap();
    let recovered = wal.max_frame();
    assert_eq!(recovered, written.states[3].0);
    let page = image(9, 2);
    let base = wal.begin_read();
    wal.commit(&base, &[(2, &page)], 5).unwrap();
    wal.end_read(&base);
    drop(wal);
    let wal = Wal::open(file, PS as u32, SyncMode::Full).unwrap();
    assert_eq!(wal.max_frame(), recovered + 1);
    let snapshot = wal.begin_read();
    assert_eq!(
        common::read_page(&wal, &snapshot, &MemFile::default(), 2),
        page
    );
    wal.end_read(&snapshot);
}
