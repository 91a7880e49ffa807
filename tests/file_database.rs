//! Database files: what concur writes, SQLite reads and checks clean, and what SQLite writes,
//! concur reads and changes. Transactions, savepoints, locking, the freelist, the storage
//! PRAGMAs and bad files, all on real files through the pager, the B-trees and the WAL.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use concur::{Database, Text, Value};

/// A fresh directory and a database path inside it.
fn db_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    (dir, path)
}

/// The path of the WAL beside `db`.
fn wal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// SQLite's verdict on a file.
fn sqlite_integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows.join("\n")
}

/// Every row of `sql` as concur values.
fn rows(conn: &concur::Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let mut rows = stmt.query(()).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        out.push(row.values().to_vec());
    }
    out
}

/// Every row of `sql` read by SQLite, as concur values.
fn sqlite_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let mut rows = stmt.query([]).unwrap();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        out.push(
            (0..n)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(v) => Value::Integer(v),
                    rusqlite::types::ValueRef::Real(v) => Value::Real(v),
                    rusqlite::types::ValueRef::Text(t) => Value::Text(Text::from_bytes(t.to_vec())),
                    rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                })
                .collect(),
        );
    }
    out
}

/// One statement's single integer.
fn int(conn: &concur::Connection, sql: &str) -> i64 {
    conn.query_row(sql, (), |r| r.get(0)).unwrap()
}

/// A table of every storage class: small and overflowing texts and blobs, edge integers.
const SETUP: &str = "
    CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b BLOB, c REAL, d);
    CREATE INDEX t_a ON t(a COLLATE NOCASE DESC, d);
    CREATE UNIQUE INDEX t_c ON t(c);
    INSERT INTO t VALUES (1, 'one', x'01', 1.5, 9223372036854775807);
    INSERT INTO t VALUES (2, 'TWO', zeroblob(10000), -0.25, -9223372036854775808);
    INSERT INTO t VALUES (3, NULL, NULL, NULL, NULL);
    INSERT INTO t(a, b, c, d) VALUES (printf('%.*c', 9000, 'x'), randomblob(5000), 3e300, 'text');
";

#[test]
fn a_database_written_by_concur_is_read_by_sqlite_and_checks_clean() {
    let (_dir, path) = db_path();
    let ours = {
        let db = Database::open(&path).unwrap();
        let conn = db.connect();
        conn.execute_batch(SETUP).unwrap();
        conn.execute_batch(
            "UPDATE t SET a = upper(a) WHERE id = 1; DELETE FROM t WHERE id = 3;
             INSERT INTO t(a, c) SELECT 'r' || id, id * 1000 FROM t;",
        )
        .unwrap();
        rows(&conn, "SELECT * FROM t ORDER BY id")
    };
    // A clean close checkpoints everything into the file and removes the WAL.
    assert!(!wal_of(&path).exists(), "the WAL outlived a clean close");
    assert_eq!(sqlite_integrity(&path), "ok");
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(sqlite_rows(&sqlite, "SELECT * FROM t ORDER BY id"), ours);
    // SQLite finds the rows through concur's indexes too.
    assert_eq!(
        sqlite_rows(
            &sqlite,
            "SELECT id FROM t INDEXED BY t_a WHERE a = 'two' COLLATE NOCASE"
        ),
        vec![vec![Value::Integer(2)]]
    );
    let mode: String = sqlite
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_reopened_database_has_every_committed_row_and_the_schema() {
    let (_dir, path) = db_path();
    let before = {
        let db = Database::open(&path).unwrap();
        let conn = db.connect();
        conn.execute_batch(SETUP).unwrap();
        conn.execute_batch("BEGIN; INSERT INTO t(a) VALUES ('lost'); ROLLBACK;")
            .unwrap();
        rows(&conn, "SELECT * FROM t ORDER BY id")
    };
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    assert_eq!(rows(&conn, "SELECT * FROM t ORDER BY id"), before);
    assert_eq!(int(&conn, "SELECT count(*) FROM t WHERE a = 'lost'"), 0);
    // The unique index came back with its table.
    let err = conn
        .execute("INSERT INTO t(c) VALUES (1.5)", ())
        .unwrap_err();
    assert_eq!(err.code(), 2067, "{err}");
}

#[test]
fn committed_rows_survive_a_crash_before_any_checkpoint() {
    let (dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    conn.execute_batch(SETUP).unwrap();
    let committed = rows(&conn, "SELECT * FROM t ORDER BY id");
    conn.execute_batch("BEGIN; INSERT INTO t(a) VALUES ('uncommitted');")
        .unwrap();
    // A crash: the files as they are now, while the database is still open.
    let crashed = dir.path().join("crashed.db");
    std::fs::copy(&path, &crashed).unwrap();
    std::fs::copy(wal_of(&path), wal_of(&crashed)).unwrap();
    // SQLite recovers the WAL and sees exactly the committed rows.
    assert_eq!(sqlite_integrity(&crashed), "ok");
    let sqlite = rusqlite::Connection::open(&crashed).unwrap();
    assert_eq!(
        sqlite_rows(&sqlite, "SELECT * FROM t ORDER BY id"),
        committed
    );
    drop(sqlite);
    // So does concur.
    let copy = Database::open(&crashed).unwrap();
    assert_eq!(
        rows(&copy.connect(), "SELECT * FROM t ORDER BY id"),
        committed
    );
    conn.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn files_written_by_sqlite_in_either_journal_mode_are_read_and_written() {
    for mode in ["DELETE", "WAL"] {
        let (_dir, path) = db_path();
        {
            let sqlite = rusqlite::Connection::open(&path).unwrap();
            sqlite
                .execute_batch(&format!("PRAGMA journal_mode={mode};"))
                .unwrap();
            sqlite.execute_batch(SETUP).unwrap();
            sqlite
                .execute_batch(
                    "CREATE VIEW v AS SELECT id, a FROM t WHERE id < 3;
                     CREATE TABLE log(x);
                     CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.id); END;",
                )
                .unwrap();
        }
        let expected = {
            let sqlite = rusqlite::Connection::open(&path).unwrap();
            sqlite_rows(&sqlite, "SELECT * FROM t ORDER BY id")
        };
        {
            let db = Database::open(&path).unwrap();
            let conn = db.connect();
            assert_eq!(
                rows(&conn, "SELECT * FROM t ORDER BY id"),
                expected,
                "{mode}"
            );
            assert_eq!(
                rows(&conn, "SELECT id FROM t WHERE a = 'two' COLLATE NOCASE"),
                vec![vec![Value::Integer(2)]],
                "{mode}: NOCASE index seek"
            );
            assert_eq!(int(&conn, "SELECT count(*) FROM v"), 2);
            conn.execute("INSERT INTO t(a, c) VALUES ('five', 5.0)", ())
                .unwrap();
            assert_eq!(int(&conn, "SELECT count(*) FROM log"), 1, "{mode}: trigger");
            let check: String = conn
                .query_row("PRAGMA integrity_check", (), |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok");
        }
        assert_eq!(sqlite_integrity(&path), "ok", "{mode}");
        let sqlite = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(
            sqlite_rows(&sqlite, "SELECT c FROM t WHERE a = 'five'"),
            vec![vec![Value::Real(5.0)]]
        );
    }
}

/// Text that SQLite stored without being UTF-8 keeps its bytes when concur reads it and
/// rewrites its row, inside and outside an index; `String` refuses it with a typed error and
/// `Vec<u8>` reads it.
#[test]
fn text_that_is_not_utf8_keeps_its_bytes_through_concur() {
    let (_dir, path) = db_path();
    let broken = b"a\xffb\x80".to_vec();
    {
        let sqlite = rusqlite::Connection::open(&path).unwrap();
        sqlite
            .execute_batch(
                "CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT, n INTEGER);
                 CREATE INDEX t_s ON t(s);
                 INSERT INTO t VALUES (1, CAST(x'61ff6280' AS TEXT), 1);",
            )
            .unwrap();
    }
    {
        let db = Database::open(&path).unwrap();
        let conn = db.connect();
        conn.execute("UPDATE t SET n = n + 1", ()).unwrap();
        conn.execute("INSERT INTO t SELECT 2, s || s, 0 FROM t", ())
            .unwrap();
        let bytes: Vec<u8> = conn
            .query_row("SELECT s FROM t WHERE id = 1", (), |r| r.get(0))
            .unwrap();
        assert_eq!(bytes, broken);
        let err = conn
            .query_row("SELECT s FROM t WHERE id = 1", (), |r| r.get::<String>(0))
            .unwrap_err();
        assert!(matches!(err, concur::Error::InvalidUtf8(_)), "{err:?}");
        assert_eq!(err.code(), 20);
        assert_eq!(
            rows(&conn, "SELECT hex(s), length(s) FROM t ORDER BY id"),
            vec![
                vec![Value::Text("61FF6280".into()), Value::Integer(4)],
                vec![Value::Text("61FF628061FF6280".into()), Value::Integer(8)],
            ]
        );
    }
    assert_eq!(sqlite_integrity(&path), "ok");
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let mut doubled = broken.clone();
    doubled.extend_from_slice(&broken);
    assert_eq!(
        sqlite_rows(&sqlite, "SELECT s, n FROM t INDEXED BY t_s ORDER BY s"),
        vec![
            vec![Value::Text(Text::from_bytes(broken)), Value::Integer(2)],
            vec![Value::Text(Text::from_bytes(doubled)), Value::Integer(0)],
        ]
    );
}

#[test]
fn a_second_open_of_the_same_file_is_refused_as_locked() {
    let (_dir, path) = db_path();
    let _db = Database::open(&path).unwrap();
    let err = Database::open(&path).err().unwrap();
    assert_eq!(err.code(), 5, "{err}");
    assert!(err.to_string().contains("locked"), "{err}");
}

#[test]
fn a_failed_statement_undoes_only_itself_and_savepoints_roll_back() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE u(k INTEGER UNIQUE, pad TEXT)")
        .unwrap();
    conn.execute_batch("BEGIN").unwrap();
    conn.execute(
        "INSERT INTO u SELECT value, printf('%.*c', 3000, 'p') FROM (SELECT 1 AS value UNION ALL SELECT 2)",
        (),
    )
    .unwrap();
    // Rows 3..=40 go in before 1 collides: the statement must take all of them back.
    let err = conn
        .execute(
            "INSERT INTO u WITH RECURSIVE c(x) AS (SELECT 3 UNION ALL SELECT x + 1 FROM c WHERE x < 40)
             SELECT x, printf('%.*c', 3000, 'q') FROM c UNION ALL SELECT 1, 'dup'",
            (),
        )
        .unwrap_err();
    assert_eq!(err.code(), 2067, "{err}");
    assert_eq!(int(&conn, "SELECT count(*) FROM u"), 2);
    conn.execute_batch(
        "SAVEPOINT a; INSERT INTO u VALUES (50, zeroblob(20000)); SAVEPOINT b; DELETE FROM u;",
    )
    .unwrap();
    assert_eq!(int(&conn, "SELECT count(*) FROM u"), 0);
    conn.execute_batch("ROLLBACK TO b").unwrap();
    assert_eq!(int(&conn, "SELECT count(*) FROM u"), 3);
    conn.execute_batch("ROLLBACK TO a").unwrap();
    assert_eq!(int(&conn, "SELECT count(*) FROM u"), 2);
    conn.execute_batch("RELEASE a; COMMIT").unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", (), |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    drop(db);
    assert_eq!(sqlite_integrity(&path), "ok");
}

#[test]
fn readers_keep_their_snapshot_and_a_second_writer_gets_busy() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let writer = db.connect();
    let reader = db.connect();
    let other = db.connect();
    writer
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        .unwrap();
    other.execute_batch("PRAGMA busy_timeout = 50").unwrap();
    reader.execute_batch("BEGIN").unwrap();
    assert_eq!(int(&reader, "SELECT count(*) FROM t"), 1);
    writer
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (2)")
        .unwrap();
    // The writer holds the write lock: another writer waits out its busy timeout.
    let err = other.execute("INSERT INTO t VALUES (3)", ()).unwrap_err();
    assert_eq!(err.code(), 5, "{err}");
    writer.execute_batch("COMMIT").unwrap();
    // The reader's transaction still sees the database as it began...
    assert_eq!(int(&reader, "SELECT count(*) FROM t"), 1);
    // ...and cannot write on top of a snapshot that is no longer the latest.
    let err = reader.execute("INSERT INTO t VALUES (4)", ()).unwrap_err();
    assert_eq!(err.code(), 517, "{err}");
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(int(&reader, "SELECT count(*) FROM t"), 2);
    other.execute("INSERT INTO t VALUES (3)", ()).unwrap();
    assert_eq!(int(&reader, "SELECT count(*) FROM t"), 3);
}

#[test]
fn writer_threads_take_turns_and_lose_nothing() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    db.connect()
        .execute_batch("CREATE TABLE t(thread, n)")
        .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let conn = db.connect();
                for n in 0..50 {
                    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                    conn.execute("INSERT INTO t VALUES (?1, ?2)", (t, n))
                        .unwrap();
                    conn.execute("INSERT INTO t VALUES (?1, ?2)", (t, -n))
                        .unwrap();
                    conn.execute_batch("COMMIT").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let conn = db.connect();
    assert_eq!(int(&conn, "SELECT count(*) FROM t"), 400);
    assert_eq!(int(&conn, "SELECT count(DISTINCT thread) FROM t"), 4);
    drop(conn);
    drop(db);
    assert_eq!(sqlite_integrity(&path), "ok");
}

#[test]
fn deleted_pages_go_to_the_freelist_and_are_reused() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE big(id INTEGER PRIMARY KEY, payload BLOB)")
        .unwrap();
    let fill = "INSERT INTO big(payload) SELECT zeroblob(6000) FROM
                (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200) SELECT x FROM c)";
    conn.execute(fill, ()).unwrap();
    let grown = int(&conn, "PRAGMA page_count");
    conn.execute("DELETE FROM big", ()).unwrap();
    let free = int(&conn, "PRAGMA freelist_count");
    assert!(free > 200, "only {free} pages freed");
    assert_eq!(int(&conn, "PRAGMA page_count"), grown);
    for _ in 0..3 {
        conn.execute(fill, ()).unwrap();
        conn.execute("DELETE FROM big", ()).unwrap();
    }
    // Three more rounds of the same volume fit in the pages freed by the first.
    assert_eq!(int(&conn, "PRAGMA page_count"), grown);
    let ours = (
        int(&conn, "PRAGMA page_size"),
        int(&conn, "PRAGMA page_count"),
        int(&conn, "PRAGMA freelist_count"),
    );
    drop(conn);
    drop(db);
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let theirs = |p: &str| -> i64 { sqlite.query_row(p, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        ours,
        (
            theirs("PRAGMA page_size"),
            theirs("PRAGMA page_count"),
            theirs("PRAGMA freelist_count")
        )
    );
    assert_eq!(sqlite_integrity(&path), "ok");
}

#[test]
fn wal_checkpoint_reports_and_truncates() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)")
        .unwrap();
    assert!(std::fs::metadata(wal_of(&path)).unwrap().len() > 0);
    let mut stmt = conn.prepare("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let mut result = stmt.query(()).unwrap();
    let row = result.next().unwrap().unwrap().values().to_vec();
    drop(result);
    assert_eq!(stmt.column_names(), ["busy", "log", "checkpointed"]);
    assert_eq!(row[0], Value::Integer(0));
    assert_eq!(row[1], row[2]);
    drop(stmt);
    assert_eq!(std::fs::metadata(wal_of(&path)).unwrap().len(), 0);
    assert_eq!(int(&conn, "SELECT sum(x) FROM t"), 3);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", (), |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn bad_files_give_typed_errors_not_panics() {
    let (dir, path) = db_path();
    std::fs::write(
        &path,
        b"this is not a database, just text that is long enough to have a header",
    )
    .unwrap();
    let err = Database::open(&path).err().unwrap();
    assert_eq!(err.code(), 26, "{err}");

    // A real database with a B-tree page overwritten: opening works, reading the damaged
    // table fails with CORRUPT, and integrity_check reports the damage.
    let good = dir.path().join("good.db");
    {
        let sqlite = rusqlite::Connection::open(&good).unwrap();
        sqlite
            .execute_batch(
                "CREATE TABLE t(x); INSERT INTO t SELECT randomblob(500) FROM
                 (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100) SELECT n FROM c);",
            )
            .unwrap();
    }
    let mut bytes = std::fs::read(&good).unwrap();
    let page_size = 4096;
    for b in &mut bytes[3 * page_size..4 * page_size] {
        *b = 0x5A;
    }
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, &bytes).unwrap();
    let db = Database::open(&damaged).unwrap();
    let conn = db.connect();
    let err = conn
        .query_row("SELECT count(*), sum(length(x)) FROM t", (), |r| {
            r.get::<i64>(0)
        })
        .unwrap_err();
    assert_eq!(err.code(), 11, "{err}");
    let report = rows(&conn, "PRAGMA integrity_check");
    assert_ne!(report, vec![vec![Value::Text("ok".into())]]);
    drop(conn);
    drop(db);

    // A truncated file: no panic, a typed error where pages are missing.
    let truncated = dir.path().join("truncated.db");
    std::fs::write(
        &truncated,
        &std::fs::read(&good).unwrap()[..2 * page_size + 100],
    )
    .unwrap();
    match Database::open(&truncated) {
        Ok(db) => {
            let err = db
                .connect()
                .query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0))
                .unwrap_err();
            assert_eq!(err.code(), 11, "{err}");
        }
        Err(err) => assert_eq!(err.code(), 11, "{err}"),
    }
}

#[test]
fn synchronous_and_busy_timeout_are_settable() {
    let (_dir, path) = db_path();
    let db = Database::open(&path).unwrap();
    let conn = db.connect();
    assert_eq!(int(&conn, "PRAGMA synchronous"), 2, "FULL by default");
    for (set, level) in [("OFF", 0), ("normal", 1), ("2", 2), ("0", 0)] {
        conn.execute_batch(&format!("PRAGMA synchronous = {set}"))
            .unwrap();
        assert_eq!(int(&conn, "PRAGMA synchronous"), level, "{set}");
    }
    // Commits at synchronous=OFF are still commits.
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        .unwrap();
    assert_eq!(int(&conn, "PRAGMA busy_timeout"), 5000);
    assert_eq!(int(&conn, "PRAGMA busy_timeout = 250"), 250);
    assert_eq!(int(&db.connect(), "PRAGMA busy_timeout"), 250);
    drop(conn);
    drop(db);
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(
        sqlite_rows(&sqlite, "SELECT x FROM t"),
        vec![vec![Value::Integer(1)]]
    );
}

#[test]
fn rowid_order_appends_fill_pages_as_sqlite_does() {
    let (dir, path) = db_path();
    let fill = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
                INSERT INTO t(v) SELECT printf('%.*c', 40 + value % 30, 'v') FROM
                  (WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 20000)
                   SELECT value FROM s);";
    let ours = {
        let db = Database::open(&path).unwrap();
        let conn = db.connect();
        conn.execute_batch(fill).unwrap();
        int(&conn, "PRAGMA page_count")
    };
    assert_eq!(sqlite_integrity(&path), "ok");
    let theirs_path = dir.path().join("sqlite.db");
    let sqlite = rusqlite::Connection::open(&theirs_path).unwrap();
    sqlite.execute_batch(fill).unwrap();
    let theirs: i64 = sqlite
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    // Appends leave full leaves behind them (SQLite's balance_quick), not half-full ones.
    assert!(
        ours * 10 <= theirs * 11,
        "concur used {ours} pages where SQLite used {theirs}"
    );
}
