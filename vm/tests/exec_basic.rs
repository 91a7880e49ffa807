//! End-to-end statements through the in-memory store: each test states one behaviour.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use concur_btree::Value;
use concur_vm::{Connection, MemStore};

fn conn() -> Connection {
    Connection::new(Arc::new(MemStore::new()))
}

fn rows(c: &mut Connection, sql: &str) -> Vec<Vec<Value>> {
    c.query(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}")).1
}

fn ints(c: &mut Connection, sql: &str) -> Vec<i64> {
    rows(c, sql)
        .into_iter()
        .flatten()
        .map(|v| match v {
            Value::Integer(i) => i,
            other => panic!("{sql}: not an integer: {other:?}"),
        })
        .collect()
}

#[test]
fn create_insert_select_with_where_and_order() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES(3,'c'),(1,'a'),(2,'b');",
    )
    .unwrap();
    assert_eq!(
        ints(&mut c, "SELECT a FROM t WHERE a > 1 ORDER BY a DESC"),
        vec![3, 2]
    );
    assert_eq!(ints(&mut c, "SELECT count(*) FROM t"), vec![3]);
}

#[test]
fn integer_primary_key_is_the_rowid_and_seeks() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v); INSERT INTO t(v) VALUES('x'),('y');",
    )
    .unwrap();
    assert_eq!(ints(&mut c, "SELECT id FROM t WHERE id = 2"), vec![2]);
    assert_eq!(ints(&mut c, "SELECT rowid FROM t ORDER BY 1"), vec![1, 2]);
    let err = c.execute("INSERT INTO t VALUES(1, 'z')", &[]).unwrap_err();
    assert_eq!(err.to_string(), "UNIQUE constraint failed: t.id");
    assert_eq!(err.code(), 1555);
}

#[test]
fn unique_index_violation_undoes_only_the_statement() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a UNIQUE, b NOT NULL); BEGIN; INSERT INTO t VALUES(1, 1);")
        .unwrap();
    let err = c
        .execute("INSERT INTO t VALUES(2, 2), (1, 3)", &[])
        .unwrap_err();
    assert_eq!(err.to_string(), "UNIQUE constraint failed: t.a");
    assert_eq!(err.code(), 2067);
    let err = c.execute("INSERT INTO t VALUES(5, NULL)", &[]).unwrap_err();
    assert_eq!(err.to_string(), "NOT NULL constraint failed: t.b");
    c.execute_batch("COMMIT").unwrap();
    assert_eq!(ints(&mut c, "SELECT a FROM t"), vec![1]);
}

#[test]
fn index_seek_finds_rows_and_explain_shows_it() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);")
        .unwrap();
    for i in 0..50 {
        c.execute(
            "INSERT INTO t VALUES(?1, ?2)",
            &[Value::Integer(i % 10), Value::Integer(i)],
        )
        .unwrap();
    }
    assert_eq!(
        ints(&mut c, "SELECT b FROM t WHERE a = 3 ORDER BY b"),
        vec![3, 13, 23, 33, 43]
    );
    assert_eq!(
        ints(&mut c, "SELECT count(*) FROM t WHERE a >= 8"),
        vec![10]
    );
    let listing = rows(&mut c, "EXPLAIN SELECT b FROM t WHERE a = 3");
    assert!(listing.iter().any(|r| r[1] == Value::Text("SeekGE".into())));
}

#[test]
fn joins_aggregates_subqueries_and_compounds() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE a(x, y); CREATE TABLE b(x, z);
         INSERT INTO a VALUES(1,10),(2,20),(3,30);
         INSERT INTO b VALUES(1,100),(1,101),(3,300);",
    )
    .unwrap();
    assert_eq!(
        ints(
            &mut c,
            "SELECT a.x, count(b.z) FROM a LEFT JOIN b ON a.x = b.x GROUP BY a.x"
        ),
        vec![1, 2, 2, 0, 3, 1]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT y FROM a WHERE x IN (SELECT x FROM b) ORDER BY y"
        ),
        vec![10, 30]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT (SELECT max(z) FROM b WHERE b.x = a.x) FROM a WHERE x <> 2"
        ),
        vec![101, 300]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT x FROM a UNION SELECT x FROM b ORDER BY 1 DESC"
        ),
        vec![3, 2, 1]
    );
    assert_eq!(
        ints(&mut c, "SELECT x FROM a EXCEPT SELECT x FROM b"),
        vec![2]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT DISTINCT x FROM b ORDER BY x LIMIT 1 OFFSET 1"
        ),
        vec![3]
    );
}

#[test]
fn update_and_delete_maintain_indexes() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(a, b); CREATE INDEX tb ON t(b);
         INSERT INTO t VALUES(1,'x'),(2,'y'),(3,'x');
         UPDATE t SET b = 'z' WHERE a = 1;
         DELETE FROM t WHERE b = 'y';",
    )
    .unwrap();
    assert_eq!(c.changes(), 1);
    assert_eq!(ints(&mut c, "SELECT a FROM t WHERE b = 'x'"), vec![3]);
    assert_eq!(ints(&mut c, "SELECT a FROM t WHERE b = 'z'"), vec![1]);
    assert_eq!(ints(&mut c, "SELECT count(*) FROM t"), vec![2]);
}

#[test]
fn transactions_and_savepoints_follow_sqlite() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a)").unwrap();
    assert_eq!(
        c.execute_batch("COMMIT").unwrap_err().to_string(),
        "cannot commit - no transaction is active"
    );
    c.execute_batch("BEGIN; INSERT INTO t VALUES(1); SAVEPOINT s; INSERT INTO t VALUES(2);")
        .unwrap();
    assert_eq!(
        c.execute_batch("BEGIN").unwrap_err().to_string(),
        "cannot start a transaction within a transaction"
    );
    c.execute_batch("ROLLBACK TO s; RELEASE s; COMMIT;")
        .unwrap();
    assert_eq!(ints(&mut c, "SELECT a FROM t"), vec![1]);
    c.execute_batch("BEGIN; INSERT INTO t VALUES(9); ROLLBACK;")
        .unwrap();
    assert_eq!(ints(&mut c, "SELECT count(*) FROM t"), vec![1]);
}

#[test]
fn views_and_schema_rows_are_like_sqlite() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(a PRIMARY KEY, b UNIQUE); CREATE VIEW v AS SELECT a*2 AS d FROM t;
         INSERT INTO t VALUES(1, 2), (3, 4);",
    )
    .unwrap();
    assert_eq!(ints(&mut c, "SELECT d FROM v ORDER BY d"), vec![2, 6]);
    let names: Vec<Vec<Value>> = rows(&mut c, "SELECT type, name, sql IS NULL FROM sqlite_schema");
    assert_eq!(
        names,
        vec![
            vec![
                Value::Text("table".into()),
                Value::Text("t".into()),
                Value::Integer(0)
            ],
            vec![
                Value::Text("index".into()),
                Value::Text("sqlite_autoindex_t_1".into()),
                Value::Integer(1)
            ],
            vec![
                Value::Text("index".into()),
                Value::Text("sqlite_autoindex_t_2".into()),
                Value::Integer(1)
            ],
            vec![
                Value::Text("view".into()),
                Value::Text("v".into()),
                Value::Integer(0)
            ],
        ]
    );
}

#[test]
fn recursive_cte_counts_and_stops_at_its_limit() {
    let mut c = conn();
    assert_eq!(
        ints(
            &mut c,
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT x FROM n"
        ),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        ints(
            &mut c,
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x * 2 FROM n LIMIT 4) SELECT sum(x) FROM n"
        ),
        vec![15]
    );
    assert_eq!(
        ints(&mut c, "WITH t(a) AS (SELECT 7) SELECT a FROM t"),
        vec![7]
    );
}

#[test]
fn current_timestamp_is_text_of_now() {
    let mut c = conn();
    let r = rows(
        &mut c,
        "SELECT length(CURRENT_TIMESTAMP), length(CURRENT_DATE)",
    );
    assert_eq!(r, vec![vec![Value::Integer(19), Value::Integer(10)]]);
}

#[test]
fn triggers_fire_with_new_and_old_rows() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v);
         CREATE TABLE log(what, id, old_v, new_v);
         CREATE TRIGGER ti AFTER INSERT ON t BEGIN
           INSERT INTO log VALUES('ins', new.id, NULL, new.v);
         END;
         CREATE TRIGGER tu BEFORE UPDATE OF v ON t WHEN old.v <> new.v BEGIN
           INSERT INTO log VALUES('upd', old.id, old.v, new.v);
         END;
         CREATE TRIGGER td AFTER DELETE ON t BEGIN
           INSERT INTO log VALUES('del', old.id, old.v, NULL);
         END;
         INSERT INTO t(v) VALUES(10), (20);
         UPDATE t SET v = 11 WHERE id = 1;
         UPDATE t SET v = 20 WHERE id = 2;
         DELETE FROM t WHERE id = 2;",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut c,
            "SELECT what, id, old_v, new_v FROM log ORDER BY rowid"
        ),
        vec![
            vec![
                Value::Text("ins".into()),
                Value::Integer(1),
                Value::Null,
                Value::Integer(10)
            ],
            vec![
                Value::Text("ins".into()),
                Value::Integer(2),
                Value::Null,
                Value::Integer(20)
            ],
            vec![
                Value::Text("upd".into()),
                Value::Integer(1),
                Value::Integer(10),
                Value::Integer(11)
            ],
            vec![
                Value::Text("del".into()),
                Value::Integer(2),
                Value::Integer(20),
                Value::Null
            ],
        ]
    );
    c.execute_batch(
        "CREATE TRIGGER guard BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no deletes'); END;",
    )
    .unwrap();
    let err = c.execute("DELETE FROM t", &[]).unwrap_err();
    assert_eq!(err.to_string(), "no deletes");
    assert_eq!(ints(&mut c, "SELECT count(*) FROM t"), vec![1]);
}

#[test]
fn returning_reports_the_written_rows() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    assert_eq!(
        rows(&mut c, "INSERT INTO t(v) VALUES(5), ('x') RETURNING id, v"),
        vec![
            vec![Value::Integer(1), Value::Text("5".into())],
            vec![Value::Integer(2), Value::Text("x".into())],
        ]
    );
    assert_eq!(
        rows(&mut c, "UPDATE t SET v = v || '!' WHERE id = 2 RETURNING *"),
        vec![vec![Value::Integer(2), Value::Text("x!".into())]]
    );
    assert_eq!(
        rows(&mut c, "DELETE FROM t WHERE id = 1 RETURNING v"),
        vec![vec![Value::Text("5".into())]]
    );
    assert_eq!(ints(&mut c, "SELECT count(*) FROM t"), vec![1]);
}

#[test]
fn upsert_updates_the_conflicting_row_with_excluded_values() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER, hits INTEGER DEFAULT 0);
         INSERT INTO kv(k, v) VALUES('a', 1);
         INSERT INTO kv(k, v) VALUES('a', 5), ('b', 2)
           ON CONFLICT(k) DO UPDATE SET v = excluded.v, hits = hits + 1;
         INSERT INTO kv(k, v) VALUES('b', 9) ON CONFLICT DO NOTHING;
         INSERT INTO kv(k, v) VALUES('b', 3) ON CONFLICT(k) DO UPDATE SET v = excluded.v WHERE excluded.v > 100;",
    )
    .unwrap();
    assert_eq!(
        rows(&mut c, "SELECT k, v, hits FROM kv ORDER BY k"),
        vec![
            vec![
                Value::Text("a".into()),
                Value::Integer(5),
                Value::Integer(1)
            ],
            vec![
                Value::Text("b".into()),
                Value::Integer(2),
                Value::Integer(0)
            ],
        ]
    );
}

#[test]
fn deep_expressions_and_bad_sql_give_errors_not_crashes() {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let mut c = conn();
            let chain = vec!["1"; 998].join("+");
            let r = ints(&mut c, &format!("SELECT {chain}"));
            assert_eq!(r, vec![998]);
            let nested = format!("SELECT {}1{}", "(".repeat(990), ")".repeat(990));
            assert_eq!(ints(&mut c, &nested), vec![1]);
            let subs = format!("SELECT {}1{}", "(SELECT ".repeat(200), ")".repeat(200));
            assert_eq!(ints(&mut c, &subs), vec![1]);
            for bad in [
                "SELECT * FROM nowhere",
                "SELECT x",
                "SELEC 1",
                "INSERT INTO t VALUES(1)",
            ] {
                assert!(c.query(bad, &[]).is_err(), "{bad}");
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn right_join_null_extends_the_left_table() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE a(x, y); CREATE TABLE b(x, z);
         INSERT INTO a VALUES(1, 10), (2, 20);
         INSERT INTO b VALUES(2, 200), (3, 300);",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut c,
            "SELECT a.y, b.z FROM a RIGHT JOIN b ON a.x = b.x ORDER BY b.z"
        ),
        vec![
            vec![Value::Integer(20), Value::Integer(200)],
            vec![Value::Null, Value::Integer(300)],
        ]
    );
    assert_eq!(
        rows(
            &mut c,
            "SELECT * FROM a RIGHT JOIN b ON a.x = b.x WHERE b.x = 3"
        ),
        vec![vec![
            Value::Null,
            Value::Null,
            Value::Integer(3),
            Value::Integer(300)
        ]]
    );
}

#[test]
fn order_by_from_rowid_or_index_order_needs_no_sorter() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b); CREATE INDEX ta ON t(a);")
        .unwrap();
    for (id, a) in [(5, 3), (1, 9), (3, 1), (4, 3), (2, 7)] {
        c.execute(
            "INSERT INTO t VALUES(?1, ?2, 0)",
            &[Value::Integer(id), Value::Integer(a)],
        )
        .unwrap();
    }
    let has_sort = |c: &mut Connection, sql: &str| {
        rows(c, &format!("EXPLAIN {sql}"))
            .iter()
            .any(|r| r[1] == Value::Text("SorterSort".into()))
    };
    let q1 = "SELECT id FROM t ORDER BY id DESC LIMIT 3";
    assert_eq!(ints(&mut c, q1), vec![5, 4, 3]);
    assert!(!has_sort(&mut c, q1));
    let q2 = "SELECT a, id FROM t ORDER BY a";
    assert_eq!(ints(&mut c, q2), vec![1, 3, 3, 4, 3, 5, 7, 2, 9, 1]);
    assert!(!has_sort(&mut c, q2));
    let q3 = "SELECT id FROM t WHERE a = 3 ORDER BY b";
    assert!(has_sort(&mut c, q3));
    assert_eq!(
        ints(&mut c, "SELECT id FROM t WHERE a > 2 ORDER BY a LIMIT 2"),
        vec![4, 5]
    );
}

#[test]
fn alter_table_renames_and_adds_columns() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(a UNIQUE); INSERT INTO t VALUES(1), (2);
         ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7;
         ALTER TABLE t RENAME TO u;
         INSERT INTO u(a) VALUES(3);",
    )
    .unwrap();
    assert_eq!(
        ints(&mut c, "SELECT a, b FROM u ORDER BY a"),
        vec![1, 7, 2, 7, 3, 7]
    );
    assert!(c.query("SELECT * FROM t", &[]).is_err());
    let err = c.execute("INSERT INTO u(a) VALUES(1)", &[]).unwrap_err();
    assert_eq!(err.to_string(), "UNIQUE constraint failed: u.a");
    assert_eq!(
        rows(
            &mut c,
            "SELECT name FROM sqlite_schema WHERE type = 'index'"
        ),
        vec![vec![Value::Text("sqlite_autoindex_u_1".into())]]
    );
}

#[test]
fn in_lists_seek_the_rowid_or_an_index_once_per_distinct_value() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT); CREATE INDEX ta ON t(a);
         INSERT INTO t VALUES(1, 'x'), (2, 'y'), (3, 'x'), (4, '5');",
    )
    .unwrap();
    assert_eq!(
        ints(
            &mut c,
            "SELECT id FROM t WHERE id IN (3, 1, 3, '2', 9) ORDER BY id"
        ),
        vec![1, 2, 3]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT id FROM t WHERE a IN ('x', 'x', 5) ORDER BY id"
        ),
        vec![1, 3, 4]
    );
    let listing = rows(&mut c, "EXPLAIN SELECT id FROM t WHERE a IN ('x', 'z')");
    assert!(listing.iter().any(|r| r[1] == Value::Text("SeekGE".into())));
}

#[test]
fn update_from_takes_values_from_the_joined_table() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE stock(item TEXT PRIMARY KEY, qty INTEGER);
         CREATE TABLE sales(item TEXT, sold INTEGER);
         INSERT INTO stock VALUES('a', 10), ('b', 20), ('c', 30);
         INSERT INTO sales VALUES('a', 3), ('c', 5);
         UPDATE stock SET qty = qty - s.sold FROM sales AS s WHERE s.item = stock.item;",
    )
    .unwrap();
    assert_eq!(c.changes(), 2);
    assert_eq!(
        ints(&mut c, "SELECT qty FROM stock ORDER BY item"),
        vec![7, 20, 25]
    );
}

#[test]
fn full_join_keeps_unmatched_rows_of_both_sides() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE a(x, y); CREATE TABLE b(x, z);
         INSERT INTO a VALUES(1, 10), (2, 20);
         INSERT INTO b VALUES(2, 200), (3, 300);",
    )
    .unwrap();
    assert_eq!(
        rows(
            &mut c,
            "SELECT a.y, b.z FROM a FULL JOIN b ON a.x = b.x ORDER BY coalesce(a.x, b.x)"
        ),
        vec![
            vec![Value::Integer(10), Value::Null],
            vec![Value::Integer(20), Value::Integer(200)],
            vec![Value::Null, Value::Integer(300)],
        ]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT count(*) FROM a FULL OUTER JOIN b ON a.x = b.x WHERE b.z IS NOT NULL"
        ),
        vec![2]
    );
}

#[test]
fn or_fail_keeps_earlier_rows_and_or_rollback_ends_the_transaction() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a UNIQUE); INSERT INTO t VALUES(1);")
        .unwrap();
    assert!(c
        .execute("INSERT OR FAIL INTO t VALUES(2), (1), (3)", &[])
        .is_err());
    assert_eq!(ints(&mut c, "SELECT a FROM t ORDER BY a"), vec![1, 2]);
    assert!(c
        .execute("INSERT OR ABORT INTO t VALUES(4), (1)", &[])
        .is_err());
    assert_eq!(ints(&mut c, "SELECT a FROM t ORDER BY a"), vec![1, 2]);
    c.execute_batch("BEGIN; INSERT INTO t VALUES(5);").unwrap();
    assert!(c
        .execute("INSERT OR ROLLBACK INTO t VALUES(1)", &[])
        .is_err());
    assert!(c.is_autocommit());
    assert_eq!(ints(&mut c, "SELECT a FROM t ORDER BY a"), vec![1, 2]);
}

#[test]
fn instead_of_triggers_make_views_writable() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);
         CREATE VIEW v AS SELECT id, upper(name) AS loud FROM t;
         CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN
           INSERT INTO t VALUES(new.id, lower(new.loud));
         END;
         CREATE TRIGGER vu INSTEAD OF UPDATE ON v BEGIN
           UPDATE t SET name = lower(new.loud) WHERE id = old.id;
         END;
         CREATE TRIGGER vd INSTEAD OF DELETE ON v BEGIN
           DELETE FROM t WHERE id = old.id;
         END;
         INSERT INTO v VALUES(1, 'ANN'), (2, 'BOB');
         UPDATE v SET loud = 'BEA' WHERE id = 2;
         DELETE FROM v WHERE loud = 'ANN';",
    )
    .unwrap();
    assert_eq!(
        rows(&mut c, "SELECT id, name FROM t"),
        vec![vec![Value::Integer(2), Value::Text("bea".into())]]
    );
    let err = c
        .execute("CREATE VIEW w AS SELECT 1 AS x", &[])
        .and_then(|_| c.execute("DELETE FROM w", &[]));
    assert_eq!(
        err.unwrap_err().to_string(),
        "cannot modify w because it is a view"
    );
}

#[test]
fn a_leading_with_clause_is_in_scope_for_insert_update_and_delete() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(x);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5)
         INSERT INTO t SELECT x FROM c;
         WITH d(y) AS (SELECT 2) DELETE FROM t WHERE x IN (SELECT y FROM d);
         WITH u(z) AS (SELECT 10) UPDATE t SET x = x + (SELECT z FROM u) WHERE x = 5;",
    )
    .unwrap();
    assert_eq!(
        ints(&mut c, "SELECT x FROM t ORDER BY x"),
        vec![1, 3, 4, 15]
    );
}

#[test]
fn start_reports_prepare_errors_and_leaves_runtime_errors_to_step() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a)").unwrap();
    // Unknown names fail while the statement is started, as SQLite fails them in prepare.
    let mut missing = c.prepare("SELECT * FROM nope").unwrap();
    assert_eq!(
        c.start(&mut missing).unwrap_err().to_string(),
        "no such table: nope"
    );
    let mut column = c.prepare("SELECT nope FROM t").unwrap();
    assert_eq!(
        c.start(&mut column).unwrap_err().to_string(),
        "no such column: nope"
    );
    // An overflow is found only by running: start succeeds, the first step fails.
    let mut overflow = c.prepare("SELECT abs(-9223372036854775808)").unwrap();
    c.start(&mut overflow).unwrap();
    assert_eq!(
        c.step(&mut overflow).unwrap_err().to_string(),
        "integer overflow"
    );
    // Starting twice is harmless and the rows are still all there.
    c.execute_batch("INSERT INTO t VALUES(1),(2)").unwrap();
    let mut select = c.prepare("SELECT a FROM t ORDER BY a").unwrap();
    c.start(&mut select).unwrap();
    c.start(&mut select).unwrap();
    assert_eq!(c.step(&mut select).unwrap(), Some(vec![Value::Integer(1)]));
    assert_eq!(c.step(&mut select).unwrap(), Some(vec![Value::Integer(2)]));
    assert_eq!(c.step(&mut select).unwrap(), None);
    assert!(c.is_autocommit());
}

#[test]
fn schema_rows_store_create_text_as_sqlite_does() {
    let statements = [
        "create  table  if not exists  t(a integer primary key, b unique) /* c */ ",
        "create table \"odd name\"(x)",
        "create table c(x) -- trailing\n",
        "create unique index   if not exists ux on t(b)",
        "create index i on t(a, b)",
        "create view  v as select 1, b from t",
        "create trigger  tr after insert on t begin select 1; end",
    ];
    let mut c = conn();
    let sqlite = rusqlite::Connection::open_in_memory().unwrap();
    for sql in statements {
        c.execute_batch(&format!("{sql};")).unwrap();
        sqlite.execute_batch(&format!("{sql};")).unwrap();
    }
    let query = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name";
    let ours: Vec<String> = rows(&mut c, query)
        .into_iter()
        .map(|r| format!("{r:?}"))
        .collect();
    let mut stmt = sqlite.prepare(query).unwrap();
    let theirs: Vec<String> = stmt
        .query_map([], |r| {
            let cell = |i: usize| -> Value {
                match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => {
                        Value::Text(concur_btree::Text::from_bytes(t.to_vec()))
                    }
                    _ => Value::Null,
                }
            };
            Ok(format!("{:?}", vec![cell(0), cell(1), cell(2), cell(3)]))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn autoincrement_keeps_sqlite_sequence_as_sqlite_does() {
    let script = [
        "create table t(a integer primary key autoincrement, b unique)",
        "create table u(id integer primary key autoincrement, v)",
        "insert into t values(5, 1)",
        "insert into t(b) values(2)",
        "delete from t",
        "insert into t(b) values(3)",
        "insert into t values(-7, 9)",
        "insert into u(v) values('x'), ('y')",
        "update sqlite_sequence set seq = 100 where name = 't'",
        "insert into t(b) values(4)",
        "create table plain(id integer primary key, v)",
        "insert into plain(v) values(1)",
    ];
    let queries = [
        "select type, name, tbl_name, sql from sqlite_schema order by rowid",
        "select rowid, name, seq from sqlite_sequence order by rowid",
        "select id, v from u order by id",
    ];
    let mut c = conn();
    let sqlite = rusqlite::Connection::open_in_memory().unwrap();
    let snapshot = |c: &mut Connection, sqlite: &rusqlite::Connection| {
        for query in queries {
            assert_eq!(rows(c, query), sqlite_rows(sqlite, query), "{query}");
        }
    };
    // The first two statements create both tables; compare after each statement from there.
    for (n, sql) in script.into_iter().enumerate() {
        c.execute_batch(sql).unwrap();
        sqlite.execute_batch(sql).unwrap();
        if n == 0 {
            continue;
        }
        snapshot(&mut c, &sqlite);
        assert_eq!(
            rows(&mut c, "select a, b from t order by a"),
            sqlite_rows(&sqlite, "select a, b from t order by a")
        );
    }
    c.execute_batch("drop table t").unwrap();
    sqlite.execute_batch("drop table t").unwrap();
    snapshot(&mut c, &sqlite);
}

/// The rows SQLite gives for `query` (integers, text and NULL only).
fn sqlite_rows(sqlite: &rusqlite::Connection, query: &str) -> Vec<Vec<Value>> {
    let mut stmt = sqlite.prepare(query).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Integer(v) => Value::Integer(v),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(concur_btree::Text::from_bytes(t.to_vec()))
                }
                rusqlite::types::ValueRef::Null => Value::Null,
                other => panic!("{other:?}"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn table_info_of_a_view_lists_its_result_columns() {
    let setup = "create table t(a, b); create view v as select 1, b as bee, a + 1 from t; \
                 create view w(x, y) as select a, b from t;";
    let mut c = conn();
    c.execute_batch(setup).unwrap();
    let sqlite = rusqlite::Connection::open_in_memory().unwrap();
    sqlite.execute_batch(setup).unwrap();
    // The type column is left out: SQLite derives it from the expressions' affinity, which
    // concur does not report for views yet.
    for view in ["v", "w"] {
        let query = format!(
            "select cid, name, \"notnull\", dflt_value, pk from pragma_table_info('{view}')"
        );
        let ours: Vec<Vec<Value>> = rows(&mut c, &format!("pragma table_info({view})"))
            .into_iter()
            .map(|mut r| {
                r.remove(2);
                r
            })
            .collect();
        assert_eq!(ours, sqlite_rows(&sqlite, &query), "{view}");
    }
}

#[test]
fn a_new_rowid_follows_a_negative_largest_rowid() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (-1); INSERT INTO t VALUES (NULL), (NULL);")
        .unwrap();
    assert_eq!(ints(&mut c, "SELECT id FROM t ORDER BY id"), vec![-1, 0, 1]);
}

#[test]
fn between_seeks_a_rowid_or_index_range_and_still_filters() {
    let mut c = conn();
    c.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT); CREATE INDEX ta ON t(a);
         INSERT INTO t VALUES(1, 10, 'x'), (2, 20, 'y'), (3, 30, 'z'), (4, NULL, 'w');",
    )
    .unwrap();
    assert_eq!(
        ints(
            &mut c,
            "SELECT id FROM t WHERE id BETWEEN 2 AND '3' ORDER BY id"
        ),
        vec![2, 3]
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT id FROM t WHERE a BETWEEN 15 AND 30 ORDER BY id"
        ),
        vec![2, 3]
    );
    assert_eq!(
        ints(&mut c, "SELECT id FROM t WHERE id BETWEEN 3 AND 2"),
        Vec::<i64>::new()
    );
    assert_eq!(
        ints(
            &mut c,
            "SELECT id FROM t WHERE id NOT BETWEEN 2 AND 3 ORDER BY id"
        ),
        vec![1, 4]
    );
    let listing = rows(&mut c, "EXPLAIN SELECT b FROM t WHERE id BETWEEN ?1 AND ?2");
    assert!(listing
        .iter()
        .any(|r| r[1] == Value::Text("SeekRowidRange".into())));
    let listing = rows(&mut c, "EXPLAIN SELECT b FROM t WHERE a BETWEEN ?1 AND ?2");
    assert!(listing.iter().any(|r| r[1] == Value::Text("SeekGE".into())));
}

#[test]
fn a_connection_with_finalized_statements_moves_to_another_thread() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES(1), (2);")
        .unwrap();
    for _ in 0..2 {
        let mut stmt = c.prepare("SELECT a FROM t ORDER BY a").unwrap();
        assert_eq!(c.step(&mut stmt).unwrap(), Some(vec![Value::Integer(1)]));
        c.finalize(&mut stmt);
    }
    let moved = std::thread::spawn(move || ints(&mut c, "SELECT a FROM t ORDER BY a"));
    assert_eq!(moved.join().unwrap(), vec![1, 2]);
}

#[test]
fn a_statement_prepared_again_starts_unbound_on_the_state_a_finalized_one_left() {
    let mut c = conn();
    c.execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES(1), (2), (3);")
        .unwrap();
    let sql = "SELECT count(*), ?1 FROM t WHERE a >= coalesce(?1, 0)";
    let mut first = c.prepare(sql).unwrap();
    first.bind(1, Value::Integer(2)).unwrap();
    assert_eq!(
        c.step(&mut first).unwrap(),
        Some(vec![Value::Integer(2), Value::Integer(2)])
    );
    // Finalized mid-run, with its cursor open and its aggregate part-way.
    c.finalize(&mut first);
    // The next statement of the same text takes that state and those parameter slots:
    // its parameter reads as NULL, as in a fresh SQLite statement, and its count starts at 0.
    for _ in 0..2 {
        let mut again = c.prepare(sql).unwrap();
        assert_eq!(
            c.step(&mut again).unwrap(),
            Some(vec![Value::Integer(3), Value::Null])
        );
        assert_eq!(c.step(&mut again).unwrap(), None);
        again.bind(1, Value::Integer(3)).unwrap();
        c.reset(&mut again);
        assert_eq!(
            c.step(&mut again).unwrap(),
            Some(vec![Value::Integer(1), Value::Integer(3)])
        );
        c.finalize(&mut again);
    }
}

#[test]
fn bindings_outlive_an_execution_unless_bound_for_one() {
    let mut c = conn();
    c.execute("CREATE TABLE t(a TEXT)", &[]).unwrap();
    let mut stmt = c.prepare("INSERT INTO t VALUES (?1)").unwrap();
    stmt.bind(1, Value::Text("kept".into())).unwrap();
    // As in SQLite, a reset keeps the bindings: the same text is stored twice.
    while c.step(&mut stmt).unwrap().is_some() {}
    c.reset(&mut stmt);
    while c.step(&mut stmt).unwrap().is_some() {}
    c.reset(&mut stmt);
    // Bound for one execution, the value may move into the row; the row is whole.
    stmt.bind(1, Value::Text("moved".into())).unwrap();
    stmt.bind_for_one_execution();
    while c.step(&mut stmt).unwrap().is_some() {}
    c.reset(&mut stmt);
    let texts: Vec<Vec<Value>> = rows(&mut c, "SELECT a FROM t ORDER BY rowid");
    let text = |s: &str| vec![Value::Text(s.into())];
    assert_eq!(texts, vec![text("kept"), text("kept"), text("moved")]);
    // The next execution after that one copies again.
    stmt.bind(1, Value::Text("again".into())).unwrap();
    while c.step(&mut stmt).unwrap().is_some() {}
    c.reset(&mut stmt);
    while c.step(&mut stmt).unwrap().is_some() {}
    assert_eq!(
        ints(&mut c, "SELECT count(*) FROM t WHERE a = 'again'"),
        vec![2]
    );
}
