//! The Rust API as the design shows it.
#![allow(clippy::unwrap_used)]

use concur::{Database, Value};

#[test]
fn execute_query_row_prepare_and_typed_gets() {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, r REAL, b BLOB)")
        .unwrap();
    assert_eq!(
        conn.execute(
            "INSERT INTO t(v, r, b) VALUES (?1, ?2, ?3)",
            ("hi", 1.5, vec![1u8, 2])
        )
        .unwrap(),
        1
    );
    assert_eq!(conn.last_insert_rowid(), 1);
    conn.execute("INSERT INTO t(v) VALUES (?1)", (None::<String>,))
        .unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t", (), |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let mut stmt = conn
        .prepare("SELECT id, v, r, b FROM t WHERE id >= ?1 ORDER BY id")
        .unwrap();
    let mut rows = stmt.query((1,)).unwrap();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 1);
    assert_eq!(row.get::<String>(1).unwrap(), "hi");
    assert_eq!(row.get::<f64>(2).unwrap(), 1.5);
    assert_eq!(row.get::<Vec<u8>>(3).unwrap(), vec![1, 2]);
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
    assert!(row.get::<String>(1).is_err(), "NULL is not a String");
    assert!(rows.next().unwrap().is_none());
}

#[test]
fn errors_carry_sqlite_codes() {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE t(a UNIQUE)").unwrap();
    conn.execute("INSERT INTO t VALUES (1)", ()).unwrap();
    let err = conn.execute("INSERT INTO t VALUES (1)", ()).unwrap_err();
    assert_eq!(err.code(), 2067, "SQLITE_CONSTRAINT_UNIQUE: {err}");
    assert!(!err.is_conflict());
    let err = conn.execute("SELEC 1", ()).unwrap_err();
    assert_eq!(err.code(), 1);
    assert!(err.to_string().contains("near \"SELEC\""), "{err}");
    let err = conn.execute("SELECT ?1", (1, 2)).unwrap_err();
    assert_eq!(err.code(), 25, "{err}");
}

#[test]
fn a_transaction_guard_rolls_back_on_drop() {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE t(a)").unwrap();
    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (1)", ()).unwrap();
    }
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t", (), |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (?1)", [Value::Integer(7)])
        .unwrap();
    tx.commit().unwrap();
    let v: i64 = conn.query_row("SELECT a FROM t", (), |r| r.get(0)).unwrap();
    assert_eq!(v, 7);
}
