//! Files made by SQLite open and read; files the pager changed pass SQLite's integrity check;
//! corrupt files give CORRUPT or NOTADB, never a panic.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use concur_pager::{
    freelist, Backend, CheckpointMode, DbHeader, Error, PageSource, PageWriter, Pager, PagerOptions,
};
use rusqlite::Connection;

/// A rollback-mode database with a table of `rows` rows of 200 bytes, and optionally a
/// dropped table whose pages are on the freelist.
fn sqlite_db(dir: &Path, page_size: u32, rows: u32, with_freelist: bool) -> PathBuf {
    let path = dir.join(format!("s{page_size}.db"));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size={page_size}; PRAGMA journal_mode=DELETE;
         CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);
         CREATE INDEX tv ON t(v);"
    ))
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..rows {
        conn.execute("INSERT INTO t VALUES (?1, randomblob(200))", [i])
            .unwrap();
    }
    tx.commit().unwrap();
    if with_freelist {
        conn.execute_batch(
            "CREATE TABLE junk(v BLOB);
             INSERT INTO junk SELECT randomblob(300) FROM t;
             DROP TABLE junk;",
        )
        .unwrap();
    }
    path
}

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Std];
    if concur_pager::io_uring_available() {
        all.push(Backend::IoUring);
    }
    all
}

fn options(backend: Backend, cache_pages: usize) -> PagerOptions {
    PagerOptions {
        backend,
        cache_pages,
        ..PagerOptions::default()
    }
}

fn integrity(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sqlite_files_open_and_every_page_reads() {
    let dir = tempfile::tempdir().unwrap();
    for page_size in [512u32, 65536] {
        let path = sqlite_db(dir.path(), page_size, 600, true);
        let raw = std::fs::read(&path).unwrap();
        assert_eq!(raw[18], 1, "rollback mode");
        for backend in backends() {
            let pager = Pager::open(&path, options(backend, 4)).unwrap();
            assert_eq!(pager.page_size(), page_size as usize);
            let read = pager.begin_read().unwrap();
            assert_eq!(read.page_count() as usize * page_size as usize, raw.len());
            for p in 1..=read.page_count() {
                let at = (p as usize - 1) * page_size as usize;
                assert!(
                    read.page(p).unwrap()[..] == raw[at..at + page_size as usize],
                    "page {p} of the {page_size}-byte file differs"
                );
            }
            let header = read.header().unwrap();
            assert!(header.freelist_count > 0);
            let free =
                freelist::check(&read, header.freelist_trunk, header.freelist_count).unwrap();
            assert_eq!(free.len() as u32, header.freelist_count);
        }
    }
}

#[test]
fn pages_freed_by_the_pager_pass_sqlites_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_db(dir.path(), 4096, 300, false);
    let (pages_before, rows_before): (u32, u32) = {
        let conn = Connection::open(&path).unwrap();
        let pages = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let rows = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        (pages, rows)
    };
    // 1500 pages: more than one trunk holds (4096/4 - 8 = 1016 leaves).
    {
        let pager = Pager::open(&path, PagerOptions::default()).unwrap();
        let mut tx = pager.begin_write().unwrap();
        let pages: Vec<u32> = (0..1500).map(|_| tx.allocate().unwrap()).collect();
        for &p in &pages {
            tx.page_mut(p).unwrap().fill(0xAB);
        }
        tx.commit().unwrap();
        let mut tx = pager.begin_write().unwrap();
        for &p in &pages {
            tx.free(p).unwrap();
        }
        tx.commit().unwrap();
        assert!(!pager.checkpoint(CheckpointMode::Truncate).unwrap().busy);
    }
    let raw = std::fs::read(&path).unwrap();
    let header = DbHeader::read(&raw).unwrap();
    assert_eq!((header.write_version, header.read_version), (2, 2));
    assert_eq!(header.page_count, pages_before + 1500);
    assert_eq!(header.freelist_count, 1500);
    assert_eq!(header.version_valid_for, header.change_counter);
    assert_eq!(integrity(&path), "ok");
    let conn = Connection::open(&path).unwrap();
    let free: u32 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(free, 1500);
    let rows: u32 = conn
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, rows_before);
    // SQLite reuses the freelist the pager wrote.
    conn.execute_batch("INSERT INTO t SELECT id + 100000, randomblob(3000) FROM t;")
        .unwrap();
    let pages_after: u32 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pages_after, pages_before + 1500);
    drop(conn);
    assert_eq!(integrity(&path), "ok");
}

#[test]
fn the_pager_reuses_a_freelist_sqlite_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_db(dir.path(), 1024, 200, true);
    let pager = Pager::open(&path, PagerOptions::default()).unwrap();
    let mut tx = pager.begin_write().unwrap();
    let count = tx.page_count();
    let free = tx.header().unwrap().freelist_count;
    assert!(free > 10);
    let taken: Vec<u32> = (0..free).map(|_| tx.allocate().unwrap()).collect();
    assert_eq!(tx.page_count(), count, "all from the freelist");
    assert_eq!(tx.header().unwrap().freelist_count, 0);
    assert_eq!(tx.allocate().unwrap(), count + 1, "then the file grows");
    tx.free(count + 1).unwrap();
    for p in taken {
        tx.free(p).unwrap();
    }
    tx.commit().unwrap();
    drop(pager);
    assert_eq!(integrity(&path), "ok");
}

/// Opens `path` and tries everything a user would, returning the first error.
fn exercise(path: &Path) -> Result<(), Error> {
    let pager = Pager::open(path, options(Backend::Std, 4))?;
    {
        let read = pager.begin_read()?;
        for p in 1..=read.page_count() {
            read.page(p)?;
        }
    }
    let mut tx = pager.begin_write()?;
    let p = tx.allocate()?;
    tx.free(p)?;
    tx.commit()
}

#[test]
fn corrupt_files_give_corrupt_or_notadb() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(sqlite_db(dir.path(), 1024, 200, true)).unwrap();
    let header = DbHeader::read(&good).unwrap();
    let trunk = header.freelist_trunk as usize;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    // Cut inside the last page: the header's page count is valid, so the last page is short.
    let path = write("trunc.db", &good[..good.len() - 700]);
    let last = (good.len() / 1024) as u32;
    match exercise(&path) {
        Err(Error::Corrupt { page, .. }) => assert_eq!(page, last),
        other => panic!("truncated file: {other:?}"),
    }
    // With the page count invalid (valid-for != change counter), the file size counts.
    let mut stale = good[..good.len() - 700].to_vec();
    stale[92..96].copy_from_slice(&0u32.to_be_bytes());
    let pager = Pager::open(write("stale.db", &stale), PagerOptions::default()).unwrap();
    assert_eq!(pager.begin_read().unwrap().page_count(), last - 1);
    drop(pager);

    let mut zeroed = good.clone();
    zeroed[..1024].fill(0);
    assert!(matches!(
        exercise(&write("zero.db", &zeroed)),
        Err(Error::NotADatabase)
    ));
    assert!(matches!(
        exercise(&write("tiny.db", &good[..50])),
        Err(Error::NotADatabase)
    ));

    let mut cycle = good.clone();
    let t = (trunk - 1) * 1024;
    cycle[t..t + 4].copy_from_slice(&(trunk as u32).to_be_bytes());
    cycle[36..40].copy_from_slice(&(header.freelist_count + 5).to_be_bytes());
    match exercise(&write("cycle.db", &cycle)) {
        Err(Error::Corrupt { page, .. }) => assert_eq!(page, trunk as u32),
        other => panic!("freelist cycle: {other:?}"),
    }

    let mut past = good.clone();
    let beyond = header.page_count + 40;
    past[32..36].copy_from_slice(&beyond.to_be_bytes());
    match exercise(&write("past.db", &past)) {
        Err(Error::Corrupt { page, .. }) => assert_eq!(page, beyond),
        other => panic!("trunk past the end: {other:?}"),
    }

    let mut leaf = good.clone();
    leaf[t + 8..t + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    match exercise(&write("leaf.db", &leaf)) {
        Err(Error::Corrupt { page, .. }) => assert_eq!(page, trunk as u32),
        other => panic!("leaf past the end: {other:?}"),
    }

    let mut many = good.clone();
    many[t + 4..t + 8].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(matches!(
        exercise(&write("many.db", &many)),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn mangled_headers_and_freelists_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(sqlite_db(dir.path(), 512, 60, true)).unwrap();
    let trunk = DbHeader::read(&good).unwrap().freelist_trunk as usize;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let path = dir.path().join("fuzz.db");
    let mut outcomes = [0usize; 2];
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 4 {
            let at = if next() % 2 == 0 {
                16 + (next() % 84) as usize
            } else {
                (trunk - 1) * 512 + (next() % 64) as usize
            };
            bytes[at] = next() as u8;
        }
        std::fs::write(&path, &bytes).unwrap();
        outcomes[exercise(&path).is_ok() as usize] += 1;
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn a_second_pager_on_the_same_file_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let first = Pager::open(&path, PagerOptions::default()).unwrap();
    let second = Pager::open(&path, PagerOptions::default());
    assert!(matches!(second, Err(Error::Locked)));
    drop(first);
    Pager::open(&path, PagerOptions::default()).unwrap();
}

#[test]
fn commits_reach_the_file_at_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("close.db");
    {
        let pager = Pager::open(&path, PagerOptions::default()).unwrap();
        let mut tx = pager.begin_write().unwrap();
        tx.allocate().unwrap();
        let p = tx.allocate().unwrap();
        tx.page_mut(p).unwrap()[7] = 7;
        tx.commit().unwrap();
    }
    let pager = Pager::open(&path, PagerOptions::default()).unwrap();
    let read = pager.begin_read().unwrap();
    assert_eq!(read.page_count(), 2);
    assert_eq!(read.page(2).unwrap()[7], 7);
}

#[test]
fn a_leftover_wal_is_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE t(x); INSERT INTO t VALUES (1);",
    )
    .unwrap();
    // `conn` stays open, so the -wal file holds the commits.
    assert!(matches!(
        Pager::open(&path, PagerOptions::default()),
        Err(Error::Misuse(_))
    ));
    drop(conn);
    // A clean close checkpoints and removes the WAL; then the file opens.
    let pager = Pager::open(&path, PagerOptions::default()).unwrap();
    assert_eq!(
        pager.begin_read().unwrap().header().unwrap().write_version,
        2
    );
}
