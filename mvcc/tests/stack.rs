//! The assembled storage stack (pager + SQLite WAL + B-trees) on real files, checked by SQLite.
#![allow(clippy::unwrap_used)]

use concur_btree::{
    create_tree, encode_record, table_delete, table_insert, Cursor, TreeKind, Value, SCHEMA_ROOT,
};
use concur_mvcc::{close_storage, open_storage, StorageOptions};
use concur_pager::{io_uring_available, Backend, PageSource, PageWriter, Pager};
use std::path::Path;

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Std];
    if io_uring_available() {
        all.push(Backend::IoUring);
    }
    all
}

fn options(backend: Backend) -> StorageOptions {
    StorageOptions {
        backend,
        ..StorageOptions::default()
    }
}

/// Creates `CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)` and returns its root page.
fn create_table(pager: &Pager) -> u32 {
    let mut tx = pager.begin_write().unwrap();
    // open_storage wrote page 1 of the new database already.
    assert_eq!(tx.page_count(), 1);
    let root = create_tree(&mut tx, TreeKind::Table).unwrap();
    let row = [
        Value::Text("table".into()),
        Value::Text("t".into()),
        Value::Text("t".into()),
        Value::Integer(root.into()),
        Value::Text("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)".into()),
    ];
    table_insert(&mut tx, SCHEMA_ROOT, 1, &encode_record(&row).unwrap()).unwrap();
    // Every schema change bumps the cookie, as SQLite does.
    let page1 = tx.page_mut(1).unwrap();
    page1[40..44].copy_from_slice(&1u32.to_be_bytes());
    tx.commit().unwrap();
    root
}

/// The blob stored in row `id` of round `round`: large enough for a long overflow chain.
fn blob(round: u32, id: i64) -> Vec<u8> {
    let len = 10_000 + (id as usize * 997) % 20_000;
    (0..len)
        .map(|i| (i as u32 ^ round ^ id as u32) as u8)
        .collect()
}

fn insert_rows(pager: &Pager, root: u32, round: u32, ids: std::ops::Range<i64>) {
    let mut tx = pager.begin_write().unwrap();
    for id in ids {
        let record = encode_record(&[Value::Null, Value::Blob(blob(round, id))]).unwrap();
        table_insert(&mut tx, root, id, &record).unwrap();
    }
    tx.commit().unwrap();
}

fn sqlite_rows(path: &Path) -> (String, Vec<(i64, Vec<u8>)>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn.prepare("SELECT id, v FROM t ORDER BY id").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (check, rows)
}

#[test]
fn overflow_churn_through_the_wal_reuses_freed_pages() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("churn.db");
        let pager = open_storage(&path, &options(backend)).unwrap();
        let root = create_table(&pager);
        let mut sizes = Vec::new();
        for round in 0..12 {
            insert_rows(&pager, root, round, 1..41);
            let mut tx = pager.begin_write().unwrap();
            for id in 1..41 {
                assert!(table_delete(&mut tx, root, id).unwrap());
            }
            tx.commit().unwrap();
            let read = pager.begin_read().unwrap();
            let header = read.header().unwrap();
            sizes.push((read.page_count(), header.freelist_count));
        }
        // After the first round the file holds every page the churn needs: from then on each
        // round takes its pages from the freelist, and the file does not grow.
        let (first_size, first_free) = sizes[0];
        assert!(
            first_free > 200,
            "{backend:?}: deleted chains must be freed: {sizes:?}"
        );
        for &(size, _) in &sizes[1..] {
            assert_eq!(size, first_size, "{backend:?}: file grew: {sizes:?}");
        }
        // A last round stays, and SQLite reads exactly it after a clean close.
        insert_rows(&pager, root, 99, 1..41);
        close_storage(&pager).unwrap();
        drop(pager);
        let wal = std::fs::metadata(dir.path().join("churn.db-wal")).unwrap();
        assert_eq!(wal.len(), 0, "a clean close truncates the WAL");
        let (check, rows) = sqlite_rows(&path);
        assert_eq!(check, "ok");
        let expected: Vec<_> = (1..41).map(|id| (id, blob(99, id))).collect();
        assert_eq!(rows, expected, "{backend:?}");
    }
}

#[test]
fn sqlite_reads_commits_left_in_the_wal_and_concur_reopens_them() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("left.db");
        let pager = open_storage(&path, &options(backend)).unwrap();
        let root = create_table(&pager);
        insert_rows(&pager, root, 1, 1..30);
        insert_rows(&pager, root, 2, 30..60);
        // No close: the commits live only in the WAL, as after a crash.
        drop(pager);
        assert!(
            std::fs::metadata(dir.path().join("left.db-wal"))
                .unwrap()
                .len()
                > 0
        );

        // concur recovers the WAL and sees both commits.
        let pager = open_storage(&path, &options(backend)).unwrap();
        let read = pager.begin_read().unwrap();
        let mut cursor = Cursor::new(&read, root);
        let mut seen = Vec::new();
        let mut ok = cursor.first().unwrap();
        while ok {
            seen.push(cursor.rowid().unwrap());
            ok = cursor.next().unwrap();
        }
        assert_eq!(seen, (1..60).collect::<Vec<_>>(), "{backend:?}");
        drop(cursor);
        drop(read);
        drop(pager);

        // sqlite3 reads the database with its WAL, not yet backfilled.
        let (check, rows) = sqlite_rows(&path);
        assert_eq!(check, "ok");
        let expected: Vec<_> = (1..30)
            .map(|id| (id, blob(1, id)))
            .chain((30..60).map(|id| (id, blob(2, id))))
            .collect();
        assert_eq!(rows, expected, "{backend:?}");
    }
}

#[test]
fn a_second_open_of_the_same_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let first = open_storage(&path, &StorageOptions::default()).unwrap();
    let second = open_storage(&path, &StorageOptions::default());
    let Err(err) = second else {
        panic!("the second open must fail")
    };
    assert!(err.to_string().contains("locked"), "{err}");
    drop(first);
    assert!(open_storage(&path, &StorageOptions::default()).is_ok());
}
