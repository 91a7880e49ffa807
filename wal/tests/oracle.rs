//! Oracle tests against SQLite itself: concur's WAL read by SQLite, SQLite's WAL read by concur.
#![allow(clippy::unwrap_used)]

mod common;

use common::{database_image, StdFile};
use concur_pager::{CheckpointMode, File};
use concur_wal::{ByteOrder, SyncMode, Wal, WalConfig};
use rusqlite::Connection;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

const PS: usize = 1024;

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Creates a rollback-mode database at `path` with rows `1..=rows` of table t.
fn make_db(path: &Path, rows: i64) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size={PS}; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
         CREATE INDEX t_v ON t(v);"
    ))
    .unwrap();
    insert_rows(&conn, 1..=rows);
}

fn insert_rows(conn: &Connection, ids: std::ops::RangeInclusive<i64>) {
    conn.execute_batch("BEGIN").unwrap();
    for id in ids {
        conn.execute("INSERT INTO t VALUES (?1, ?2)", (id, row_text(id)))
            .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
}

fn row_text(id: i64) -> String {
    format!("row {id} {}", "x".repeat((id % 50) as usize))
}

/// Every row of t, in id order.
fn rows(conn: &Connection) -> Vec<(i64, String)> {
    let mut stmt = conn.prepare("SELECT id, v FROM t ORDER BY id").unwrap();
    stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn expected(ids: std::ops::RangeInclusive<i64>) -> Vec<(i64, String)> {
    ids.map(|id| (id, row_text(id))).collect()
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", (), |r| r.get(0))
        .unwrap()
}

/// The pages of `new` that differ from `old` (or lie past its end), with WAL-mode header bytes.
fn changed_pages(old: &[u8], new: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, page) in new.chunks(PS).enumerate() {
        let mut page = page.to_vec();
        if i == 0 {
            page[18] = 2;
            page[19] = 2;
        }
        if old.get(i * PS..(i + 1) * PS) != Some(&page[..]) {
            out.push((i as u32 + 1, page));
        }
    }
    out
}

fn set_wal_mode(db: &Path) {
    let mut bytes = std::fs::read(db).unwrap();
    bytes[18] = 2;
    bytes[19] = 2;
    std::fs::write(db, bytes).unwrap();
}

/// Builds images A (rows 1..=40), B (1..=150) and C (B minus some rows, plus 151..=220) with
/// SQLite in rollback mode, and returns their bytes.
fn three_states(dir: &Path) -> [Vec<u8>; 3] {
    let a = dir.join("a.db");
    make_db(&a, 40);
    let b = dir.join("b.db");
    std::fs::copy(&a, &b).unwrap();
    insert_rows(&Connection::open(&b).unwrap(), 41..=150);
    let c = dir.join("c.db");
    std::fs::copy(&b, &c).unwrap();
    let conn = Connection::open(&c).unwrap();
    conn.execute("DELETE FROM t WHERE id BETWEEN 10 AND 30", ())
        .unwrap();
    insert_rows(&conn, 151..=220);
    drop(conn);
    [a, b, c].map(|p| std::fs::read(p).unwrap())
}

fn expected_c() -> Vec<(i64, String)> {
    expected(1..=220)
        .into_iter()
        .filter(|(id, _)| !(10..=30).contains(id))
        .collect()
}

/// concur appends B and C as two commits onto A's WAL; SQLite opens A and must see C.
fn concur_writes_sqlite_reads(order: ByteOrder) {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = three_states(dir.path());
    let db_path = dir.path().join("app.db");
    std::fs::write(&db_path, &a).unwrap();
    set_wal_mode(&db_path);
    let file = Arc::new(StdFile::open(&wal_path(&db_path)));
    let config = WalConfig {
        checksum_order: order,
        ..WalConfig::new(SyncMode::Full)
    };
    let wal = Wal::open_with(file, PS as u32, config).unwrap();
    let mut previous = std::fs::read(&db_path).unwrap();
    for next in [&b, &c] {
        let pages = changed_pages(&previous, next);
        let refs: Vec<(u32, &[u8])> = pages.iter().map(|(p, i)| (*p, i.as_slice())).collect();
        let base = wal.begin_read();
        wal.commit(&base, &refs, (next.len() / PS) as u32).unwrap();
        wal.end_read(&base);
        previous = next.clone();
        previous[18] = 2;
        previous[19] = 2;
    }
    drop(wal);
    assert!(std::fs::metadata(wal_path(&db_path)).unwrap().len() > 0);
    let conn = Connection::open(&db_path).unwrap();
    assert_eq!(rows(&conn), expected_c());
    assert_eq!(integrity(&conn), "ok");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", (), |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn sqlite_reads_a_little_endian_wal_written_by_concur() {
    concur_writes_sqlite_reads(ByteOrder::Little);
}

#[test]
fn sqlite_reads_a_big_endian_wal_written_by_concur() {
    concur_writes_sqlite_reads(ByteOrder::Big);
}

#[test]
fn sqlite_reads_the_database_after_concur_backfills_it() {
    backfill_then_sqlite_reads(true);
}

#[test]
fn sqlite_reads_a_wal_that_concur_restarted_over_old_frames() {
    backfill_then_sqlite_reads(false);
}

/// Commits B, backfills it (PASSIVE), commits C (which restarts the WAL at frame 1 under new
/// salts, over B's frames); then either TRUNCATE-checkpoints and has SQLite read the database
/// file alone, or leaves C in the WAL for SQLite to recover.
fn backfill_then_sqlite_reads(truncate: bool) {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = three_states(dir.path());
    let db_path = dir.path().join("app.db");
    std::fs::write(&db_path, &a).unwrap();
    set_wal_mode(&db_path);
    let wal_file = wal_path(&db_path);
    let wal = Wal::open(
        Arc::new(StdFile::open(&wal_file)),
        PS as u32,
        SyncMode::Normal,
    )
    .unwrap();
    let db = StdFile::open(&db_path);
    let mut previous = std::fs::read(&db_path).unwrap();
    for (i, next) in [&b, &c].into_iter().enumerate() {
        let mut pages = changed_pages(&previous, next);
        if i == 0 && !truncate {
            // Repeat B's pages (newest wins) so that B's frames outnumber C's and stale frames
            // of the old generation remain after C's.
            let once = pages.clone();
            while pages.len() <= changed_pages(&b, &c).len() {
                pages.extend(once.iter().cloned());
            }
        }
        let refs: Vec<(u32, &[u8])> = pages.iter().map(|(p, i)| (*p, i.as_slice())).collect();
        let base = wal.begin_read();
        wal.commit(&base, &refs, (next.len() / PS) as u32).unwrap();
        wal.end_read(&base);
        previous = next.to_vec();
        previous[18] = 2;
        previous[19] = 2;
        if i == 0 {
            // A passive checkpoint between the commits; the second commit restarts the WAL.
            let (result, _) = wal.checkpoint(CheckpointMode::Passive, &db).unwrap();
            assert_eq!(result.log_frames, result.backfilled_frames);
        }
    }
    if !truncate {
        assert_eq!(wal.max_frame(), changed_pages(&b, &c).len() as u64);
        drop(wal);
        let frames_in_file = (std::fs::metadata(&wal_file).unwrap().len() - 32) / (24 + PS as u64);
        assert!(
            frames_in_file > changed_pages(&b, &c).len() as u64,
            "stale B frames remain"
        );
        let conn = Connection::open(&db_path).unwrap();
        assert_eq!(rows(&conn), expected_c());
        assert_eq!(integrity(&conn), "ok");
        return;
    }
    let (result, _) = wal.checkpoint(CheckpointMode::Truncate, &db).unwrap();
    assert!(!result.busy);
    drop(wal);
    assert_eq!(std::fs::metadata(&wal_file).unwrap().len(), 0);
    // The database file alone is C, in WAL mode.
    assert_eq!(std::fs::read(&db_path).unwrap(), previous);
    std::fs::remove_file(&wal_file).unwrap();
    let conn = Connection::open(&db_path).unwrap();
    assert_eq!(rows(&conn), expected_c());
    assert_eq!(integrity(&conn), "ok");
}

/// Rebuilds the database that the WAL next to `db_path` (recovered by concur) describes, writes
/// it as a rollback-mode file, and opens it with SQLite.
fn recovered_by_concur(db_path: &Path, out: &Path) -> (Connection, u64) {
    let wal = Wal::open(
        Arc::new(StdFile::open(&wal_path(db_path))),
        PS as u32,
        SyncMode::Full,
    )
    .unwrap();
    let db = StdFile::open(db_path);
    let snapshot = wal.begin_read();
    let pages = snapshot
        .db_pages
        .unwrap_or((db.size().unwrap() / PS as u64) as u32);
    let mut image = database_image(&wal, &snapshot, &db, pages);
    wal.end_read(&snapshot);
    image[18] = 1;
    image[19] = 1;
    std::fs::write(out, image).unwrap();
    (Connection::open(out).unwrap(), wal.max_frame())
}

fn open_wal_mode(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size={PS}; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v);"
    ))
    .unwrap();
    conn
}

#[test]
fn concur_recovers_the_wal_of_a_leaked_sqlite_connection() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let conn = open_wal_mode(&live);
    for chunk in 0..6 {
        insert_rows(&conn, chunk * 50 + 1..=chunk * 50 + 50);
    }
    conn.execute("UPDATE t SET v = 'changed' WHERE id % 7 = 0", ())
        .unwrap();
    // An unfinished transaction large enough to spill uncommitted frames into the WAL.
    conn.execute_batch("PRAGMA cache_size=2; BEGIN").unwrap();
    for id in 1000..1400 {
        conn.execute("INSERT INTO t VALUES (?1, ?2)", (id, row_text(id)))
            .unwrap();
    }
    // Crash image: copy both files while the connection is still open, then leak it.
    let crash = dir.path().join("crash.db");
    std::fs::copy(&live, &crash).unwrap();
    std::fs::copy(wal_path(&live), wal_path(&crash)).unwrap();
    std::mem::forget(conn);

    let (conn, max_frame) = recovered_by_concur(&crash, &dir.path().join("image.db"));
    let frame_size = (24 + PS) as u64;
    let wal_len = std::fs::metadata(wal_path(&crash)).unwrap().len();
    assert!(
        wal_len > 32 + max_frame * frame_size,
        "uncommitted frames are in the WAL"
    );
    let want: Vec<(i64, String)> = expected(1..=300)
        .into_iter()
        .map(|(id, v)| (id, if id % 7 == 0 { "changed".into() } else { v }))
        .collect();
    assert_eq!(rows(&conn), want);
    assert_eq!(integrity(&conn), "ok");
}

#[test]
fn concur_recovers_the_wal_of_a_killed_sqlite3_shell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.db");
    let mut child = Command::new("sqlite3")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut script = format!(
        "PRAGMA page_size={PS}; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v);\n"
    );
    for id in 1..=120 {
        script.push_str(&format!(
            "INSERT INTO t VALUES ({id}, '{}');\n",
            row_text(id)
        ));
    }
    script.push_str("DELETE FROM t WHERE id > 100;\n");
    script.push_str("PRAGMA cache_size=2; BEGIN;\n");
    for id in 500..800 {
        script.push_str(&format!(
            "INSERT INTO t VALUES ({id}, '{}');\n",
            row_text(id)
        ));
    }
    script.push_str("SELECT 'ready';\n");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "ready" {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "sqlite3 ended early"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);

    let (conn, max_frame) = recovered_by_concur(&path, &dir.path().join("image.db"));
    assert!(max_frame > 0);
    assert_eq!(rows(&conn), expected(1..=100));
    assert_eq!(integrity(&conn), "ok");
}
