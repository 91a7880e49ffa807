//! Runs one workload of the SQL bench in a loop on one engine, without criterion, for a
//! profiler: `perf record -g target/release/examples/sql_profile insert_100k concur 3`, or
//! `valgrind --tool=callgrind` for exact instruction counts.
//!
//! `cargo build --release -p concur-benches --example sql_profile`; arguments: the workload
//! (`point_select`, `scan_filter`, `insert_100k`, `group_by`, `indexed_join`), the engine
//! (`concur` or `sqlite`) and the number of iterations. Prints the time per iteration.
//! With `SQL_PROFILE_DIR=DIR` set, both engines run on database files in DIR (SQLite in WAL
//! mode at synchronous=FULL, as the bench's `file` backend) instead of in memory.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use concur_benches::sql::{
    load_concur, load_sqlite, t_row, GROUP_BY, INDEXED_JOIN, INSERT, INSERT_ROWS, POINT_SELECT,
    ROWS, SCAN_FILTER, SCHEMA,
};

/// Point selects per iteration of `point_select`.
const POINT_SELECTS: i64 = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map_or("insert_100k", String::as_str);
    let engine = args.get(2).map_or("concur", String::as_str);
    let iterations: u32 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1);
    let start = Instant::now();
    match engine {
        "concur" => concur(workload, iterations),
        "sqlite" => sqlite(workload, iterations),
        other => panic!("unknown engine {other}"),
    }
    println!(
        "{workload} on {engine}: {:?} per iteration (loading included)",
        start.elapsed() / iterations.max(1)
    );
}

/// The query and parameters of a read workload.
fn query_of(workload: &str) -> (&'static str, (i64, i64)) {
    match workload {
        "scan_filter" => (SCAN_FILTER, (0, 0)),
        "group_by" => (GROUP_BY, (0, 0)),
        "indexed_join" => (INDEXED_JOIN, (1, 100)),
        other => panic!("unknown workload {other}"),
    }
}

/// Where the databases live: a directory for files, or `None` for memory.
fn file_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("SQL_PROFILE_DIR").map(std::path::PathBuf::from)
}

/// A fresh concur database for one run.
fn concur_database() -> concur::Database {
    match file_dir() {
        Some(dir) => {
            let path = dir.join("profile-concur.db");
            let _ = std::fs::remove_file(&path);
            concur::Database::open(path).unwrap()
        }
        None => concur::Database::open_in_memory().unwrap(),
    }
}

/// A fresh SQLite connection for one run.
fn sqlite_connection() -> rusqlite::Connection {
    match file_dir() {
        Some(dir) => {
            let path = dir.join("profile-sqlite.db");
            let _ = std::fs::remove_file(&path);
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL")
                .unwrap();
            conn
        }
        None => rusqlite::Connection::open_in_memory().unwrap(),
    }
}

fn concur(workload: &str, iterations: u32) {
    if workload == "insert_100k" {
        for _ in 0..iterations {
            let db = concur_database();
            let conn = db.connect();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch("BEGIN").unwrap();
            let mut ins = conn.prepare(INSERT).unwrap();
            for i in 1..=INSERT_ROWS {
                ins.execute(t_row(i)).unwrap();
            }
            drop(ins);
            conn.execute_batch("COMMIT").unwrap();
        }
        return;
    }
    let db = concur_database();
    let conn = load_concur(&db).unwrap();
    if workload == "point_select" {
        for _ in 0..iterations {
            for i in 0..POINT_SELECTS {
                let mut stmt = conn.prepare(POINT_SELECT).unwrap();
                let mut rows = stmt.query(((i * 7) % ROWS + 1,)).unwrap();
                let row = rows.next().unwrap().unwrap();
                std::hint::black_box(row.get::<String>(2).unwrap());
            }
        }
        return;
    }
    let (sql, params) = query_of(workload);
    let mut stmt = conn.prepare(sql).unwrap();
    for _ in 0..iterations {
        let mut rows = if sql.contains('?') {
            stmt.query(params).unwrap()
        } else {
            stmt.query(()).unwrap()
        };
        while let Some(row) = rows.next().unwrap() {
            std::hint::black_box(row.values());
        }
    }
}

fn sqlite(workload: &str, iterations: u32) {
    if workload == "insert_100k" {
        for _ in 0..iterations {
            let conn = sqlite_connection();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch("BEGIN").unwrap();
            let mut ins = conn.prepare(INSERT).unwrap();
            for i in 1..=INSERT_ROWS {
                ins.execute(t_row(i)).unwrap();
            }
            drop(ins);
            conn.execute_batch("COMMIT").unwrap();
        }
        return;
    }
    let conn = sqlite_connection();
    load_sqlite(&conn).unwrap();
    if workload == "point_select" {
        for _ in 0..iterations {
            for i in 0..POINT_SELECTS {
                let mut stmt = conn.prepare_cached(POINT_SELECT).unwrap();
                let mut rows = stmt.query(((i * 7) % ROWS + 1,)).unwrap();
                let row = rows.next().unwrap().unwrap();
                std::hint::black_box(row.get::<_, String>(2).unwrap());
            }
        }
        return;
    }
    let (sql, params) = query_of(workload);
    let mut stmt = conn.prepare(sql).unwrap();
    let width = stmt.column_count();
    for _ in 0..iterations {
        let mut rows = if sql.contains('?') {
            stmt.query(params).unwrap()
        } else {
            stmt.query(()).unwrap()
        };
        while let Some(row) = rows.next().unwrap() {
            for i in 0..width {
                std::hint::black_box(row.get::<_, rusqlite::types::Value>(i).unwrap());
            }
        }
    }
}
