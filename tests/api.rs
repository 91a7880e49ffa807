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

#[test]
fn bound_texts_and_blobs_are_stored_whole_however_often_they_are_read() {
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect();
    conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b BLOB, c TEXT)")
        .unwrap();
    // Each parameter read once: the engine may move the bound values into the row.
    let mut once = conn
        .prepare("INSERT INTO t(id, a, b) VALUES (?1, ?2, ?3)")
        .unwrap();
    for i in 1..=3i64 {
        once.execute((i, format!("text {i}"), vec![i as u8; 3]))
            .unwrap();
    }
    // `?2` read twice, `?1` as the rowid, several rows, and RETURNING reading `?2` again.
    conn.execute("INSERT INTO t VALUES (?1, ?2, NULL, ?2)", (4, "twice"))
        .unwrap();
    conn.execute("INSERT INTO t(id, a) VALUES (5, ?1), (6, ?1)", ("shared",))
        .unwrap();
    let mut returning = conn
        .prepare("INSERT INTO t(id, a) VALUES (7, ?1) RETURNING ?1, a")
        .unwrap();
    let mut rows = returning.query(("kept",)).unwrap();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<String>(0).unwrap(), "kept");
    assert_eq!(row.get::<String>(1).unwrap(), "kept");
    drop(rows);
    let mut all = conn
        .prepare("SELECT id, a, b, c FROM t ORDER BY id")
        .unwrap();
    let mut rows = all.query(()).unwrap();
    let mut seen = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        seen.push(row.values().to_vec());
    }
    let text = |s: &str| Value::Text(s.into());
    let expected = vec![
        vec![
            Value::Integer(1),
            text("text 1"),
            Value::Blob(vec![1; 3]),
            Value::Null,
        ],
        vec![
            Value::Integer(2),
            text("text 2"),
            Value::Blob(vec![2; 3]),
            Value::Null,
        ],
        vec![
            Value::Integer(3),
            text("text 3"),
            Value::Blob(vec![3; 3]),
            Value::Null,
        ],
        vec![Value::Integer(4), text("twice"), Value::Null, text("twice")],
        vec![Value::Integer(5), text("shared"), Value::Null, Value::Null],
        vec![Value::Integer(6), text("shared"), Value::Null, Value::Null],
        vec![Value::Integer(7), text("kept"), Value::Null, Value::Null],
    ];
    assert_eq!(seen, expected);
    // A failed execution does not lose the bindings of the next one.
    assert!(once.execute((1, "dup", vec![0u8])).is_err());
    once.execute((8, "after the failure", vec![8u8])).unwrap();
    let a: String = conn
        .query_row("SELECT a FROM t WHERE id = 8", (), |r| r.get(0))
        .unwrap();
    assert_eq!(a, "after the failure");
}
