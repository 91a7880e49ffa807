//! Covering-index reads: when an index holds every column a query reads from a table,
//! the loop reads the index alone. The oracle is SQLite twice over: its EXPLAIN QUERY
//! PLAN says `COVERING INDEX` for exactly the loops where concur's EXPLAIN opens no table
//! cursor, and both engines return the same rows.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use concur_btree::Value;
use feature_support::Pair;

const SETUP: &str = "
    CREATE TABLE t(a INTEGER, b TEXT, c REAL, d BLOB, e);
    CREATE INDEX tab ON t(a, b);
    CREATE UNIQUE INDEX tc ON t(c);
    CREATE INDEX te ON t(e COLLATE nocase DESC);
    CREATE TABLE u(k INTEGER PRIMARY KEY, x INTEGER, y);
    CREATE INDEX ux ON u(x);
    INSERT INTO t SELECT i % 7, 'b' || (i % 5), i * 1.5, x'01', CASE WHEN i % 3 = 0 THEN 'E' ELSE 'e' END
    FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) SELECT i FROM n);
    INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL);
    INSERT INTO u SELECT i, i % 7, 'y' || i
    FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) SELECT i FROM n);
";

/// Whether concur's EXPLAIN of `sql` opens a cursor on table `table`.
fn opens_table(pair: &mut Pair, sql: &str, table: &str) -> bool {
    let (_, rows) = pair.ours.query(&format!("EXPLAIN {sql}"), &[]).unwrap();
    rows.iter().any(|r| {
        r.get(1) == Some(&Value::Text("OpenRead".into()))
            && r.get(5) == Some(&Value::Text(table.into()))
    })
}

/// Whether SQLite's query plan for `sql` reads table `table` through a covering index.
fn sqlite_covers(pair: &Pair, sql: &str, table: &str) -> bool {
    let (_, rows) =
        feature_support::sqlite_rows(&pair.theirs, &format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    rows.iter().any(|r| match r.get(3) {
        Some(Value::Text(detail)) => {
            let detail = detail.to_string_lossy();
            (detail.starts_with(&format!("SEARCH {table} "))
                || detail.starts_with(&format!("SCAN {table} ")))
                && detail.contains("COVERING INDEX")
        }
        _ => false,
    })
}

/// Index loops whose needs the index holds never open the table; others do; and every
/// query answers as SQLite.
#[test]
fn covered_loops_read_the_index_alone() {
    let mut pair = Pair::new();
    pair.setup(SETUP);
    // (query, table, covered)
    let cases = [
        ("SELECT a, b FROM t WHERE a = 3 ORDER BY b", "t", true),
        ("SELECT b, rowid FROM t WHERE a = 3 AND b > 'b1' ORDER BY b", "t", true),
        ("SELECT a, b FROM t WHERE a > 4 ORDER BY a, b", "t", true),
        ("SELECT count(*), a FROM t WHERE a >= 2 AND a < 5 GROUP BY a", "t", true),
        ("SELECT a, b FROM t WHERE a IN (1, 5, 9) ORDER BY a, b", "t", true),
        ("SELECT c FROM t WHERE c > 80 ORDER BY c", "t", true),
        ("SELECT c, rowid FROM t WHERE c = 15", "t", true),
        ("SELECT a, b, c FROM t WHERE a = 3 ORDER BY c", "t", false),
        ("SELECT d FROM t WHERE c = 15", "t", false),
        ("SELECT * FROM t WHERE a = 2 ORDER BY rowid", "t", false),
        ("SELECT u.k, u.x FROM u WHERE u.x = 4", "u", true),
        ("SELECT u.y FROM u WHERE u.x = 4", "u", false),
        (
            "SELECT t.c, u.k FROM t JOIN u ON u.x = t.a WHERE t.c < 20 ORDER BY 1, 2",
            "u",
            true,
        ),
        (
            "SELECT t.c, u.k FROM t LEFT JOIN u ON u.x = t.a AND u.k > 10 WHERE t.c < 30 ORDER BY 1, 2",
            "u",
            true,
        ),
        (
            "SELECT a, (SELECT count(*) FROM u WHERE u.x = t.a) FROM t WHERE a = 2 ORDER BY b",
            "t",
            true,
        ),
        (
            "SELECT a, (SELECT count(*) FROM u WHERE u.x = t.c) FROM t WHERE a = 2 ORDER BY b",
            "t",
            false,
        ),
    ];
    for (sql, table, covered) in cases {
        assert_eq!(
            sqlite_covers(&pair, sql, table),
            covered,
            "SQLite's plan for {sql}"
        );
        assert_eq!(
            !opens_table(&mut pair, sql, table),
            covered,
            "concur's plan for {sql}"
        );
        pair.check_rows(sql);
    }
}

/// Covered reads see NULLs, collations and later writes like table reads do.
#[test]
fn covered_reads_agree_after_writes() {
    let mut pair = Pair::new();
    pair.setup(SETUP);
    let queries = [
        "SELECT a, b FROM t WHERE a = 3 ORDER BY b",
        "SELECT a, b FROM t WHERE a IS NULL",
        "SELECT e FROM t WHERE e = 'e' COLLATE nocase ORDER BY 1",
        "SELECT c FROM t WHERE c BETWEEN 10 AND 20 ORDER BY c",
    ];
    for step in [
        "UPDATE t SET b = 'changed' WHERE a = 3 AND b = 'b2'",
        "DELETE FROM t WHERE c < 12",
        "INSERT INTO t(a, b, c) VALUES (3, 'new', 1000.5), (NULL, 'n', 1001)",
    ] {
        pair.setup(step);
        for q in queries {
            pair.check(q);
        }
    }
}
