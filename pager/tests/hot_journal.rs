//! A hot rollback journal that SQLite left mid-transaction is rolled back at open, to the same
//! bytes SQLite's own rollback produces.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use concur_pager::{journal_checksum, Error, PageSource, Pager, PagerOptions};
use rusqlite::Connection;

fn copy_pair(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    let mut j = to.as_os_str().to_owned();
    j.push("-journal");
    let mut fj = from.as_os_str().to_owned();
    fj.push("-journal");
    std::fs::copy(&fj, &j).unwrap();
}

#[test]
fn a_crashed_sqlite_transaction_is_rolled_back_like_sqlite_does() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    {
        let conn = Connection::open(&live).unwrap();
        conn.execute_batch(
            "PRAGMA page_size=1024; PRAGMA journal_mode=DELETE;
             CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1500)
             INSERT INTO t SELECT i, randomblob(200) FROM n;",
        )
        .unwrap();
    }
    let original = std::fs::read(&live).unwrap();
    let ours = dir.path().join("ours.db");
    let theirs = dir.path().join("theirs.db");
    {
        let conn = Connection::open(&live).unwrap();
        // A one-page cache makes SQLite spill changed pages into the database file (after
        // syncing their originals to the journal) while the transaction is still open.
        conn.execute_batch(
            "PRAGMA cache_size=1; BEGIN IMMEDIATE;
             UPDATE t SET v = randomblob(300) WHERE id % 3 = 0;
             INSERT INTO t SELECT id + 5000, randomblob(500) FROM t WHERE id < 300;",
        )
        .unwrap();
        // "Crash": copy the files as they are now.
        copy_pair(&live, &ours);
        copy_pair(&live, &theirs);
        conn.execute_batch("ROLLBACK").unwrap();
    }
    let crashed = std::fs::read(&ours).unwrap();
    assert_ne!(
        crashed, original,
        "the crash image must hold spilled changes"
    );
    // SQLite's rollback (the oracle).
    {
        let conn = Connection::open(&theirs).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1500);
    }
    assert_eq!(std::fs::read(&theirs).unwrap(), original);
    // Ours.
    {
        let pager = Pager::open(&ours, PagerOptions::default()).unwrap();
        let read = pager.begin_read().unwrap();
        assert_eq!(read.page_count() as usize * 1024, original.len());
        for p in 1..=read.page_count() {
            let at = (p as usize - 1) * 1024;
            assert!(
                read.page(p).unwrap()[..] == original[at..at + 1024],
                "page {p}"
            );
        }
    }
    assert_eq!(std::fs::read(&ours).unwrap(), original);
    assert!(!dir.path().join("ours.db-journal").exists());
    let conn = Connection::open(&ours).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn zeroed_or_empty_journals_are_not_hot_and_torn_records_stop_playback() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    {
        let pager = Pager::open(&path, PagerOptions::default()).unwrap();
        let mut tx = pager.begin_write().unwrap();
        use concur_pager::PageWriter;
        tx.allocate().unwrap();
        let p = tx.allocate().unwrap();
        tx.page_mut(p).unwrap()[0] = 1;
        tx.commit().unwrap();
    }
    let journal = dir.path().join("j.db-journal");
    // Zeroed header (journal_mode=PERSIST after a commit): ignored and kept.
    std::fs::write(&journal, vec![0u8; 2048]).unwrap();
    drop(Pager::open(&path, PagerOptions::default()).unwrap());
    assert!(journal.exists());
    // A journal restoring page 2 to 0x22..., then a torn record for page 1.
    let mut j = vec![0u8; 512];
    j[..8].copy_from_slice(&[0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
    j[8..12].copy_from_slice(&2u32.to_be_bytes());
    j[12..16].copy_from_slice(&77u32.to_be_bytes());
    j[16..20].copy_from_slice(&2u32.to_be_bytes());
    j[20..24].copy_from_slice(&512u32.to_be_bytes());
    j[24..28].copy_from_slice(&4096u32.to_be_bytes());
    let image = vec![0x22u8; 4096];
    j.extend_from_slice(&2u32.to_be_bytes());
    j.extend_from_slice(&image);
    j.extend_from_slice(&journal_checksum(77, &image).to_be_bytes());
    j.extend_from_slice(&1u32.to_be_bytes());
    j.extend_from_slice(&[0u8; 4096]);
    j.extend_from_slice(&12345u32.to_be_bytes()); // wrong checksum: page 1 stays
    std::fs::write(&journal, &j).unwrap();
    let read_only = PagerOptions {
        read_only: true,
        ..PagerOptions::default()
    };
    assert!(matches!(
        Pager::open(&path, read_only),
        Err(Error::ReadOnly)
    ));
    let pager = Pager::open(&path, PagerOptions::default()).unwrap();
    assert!(!journal.exists());
    let read = pager.begin_read().unwrap();
    assert!(read.page(2).unwrap().iter().all(|&b| b == 0x22));
    assert_eq!(
        read.header().unwrap().page_count,
        2,
        "page 1 was not overwritten"
    );
}
