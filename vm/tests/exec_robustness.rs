//! Robustness: thousands of mangled statements run against a populated database; every one
//! must come back as a row set or a typed error, never a panic.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::sync::Arc;

use concur_vm::{Connection, MemStore};

/// Statements whose tokens get shuffled, dropped and duplicated.
const SEEDS: &[&str] = &[
    "SELECT a, b FROM t1 WHERE a > 3 ORDER BY b DESC LIMIT 2 OFFSET 1",
    "SELECT t1.a, count(*) FROM t1 LEFT JOIN t2 ON t1.a = t2.x GROUP BY t1.a HAVING count(*) > 0",
    "INSERT INTO t1(a, b) SELECT x, y FROM t2 WHERE x IN (1, 2, 3)",
    "UPDATE t1 SET b = b || 'x' WHERE a IN (SELECT x FROM t2) RETURNING *",
    "DELETE FROM t2 WHERE x = (SELECT max(a) FROM t1)",
    "WITH c(n) AS (SELECT a FROM t1 WHERE a < 3) SELECT n, (SELECT count(*) FROM c) FROM c",
    "SELECT DISTINCT b FROM t1 UNION SELECT y FROM t2 EXCEPT SELECT 'q' ORDER BY 1",
    "INSERT INTO t2 VALUES(1, 'z') ON CONFLICT(x) DO UPDATE SET y = excluded.y",
    "SELECT CASE WHEN a THEN b ELSE -a END, CAST(b AS INTEGER), a BETWEEN 1 AND 3 FROM t1",
    "CREATE INDEX IF NOT EXISTS i1 ON t1(b, a)",
    "SELECT * FROM v1 NATURAL JOIN t2 WHERE EXISTS (SELECT 1 FROM t1 WHERE t1.a = v1.a)",
];

#[test]
fn mangled_statements_never_panic() {
    let mut c = Connection::new(Arc::new(MemStore::new()));
    c.execute_batch(
        "CREATE TABLE t1(a INTEGER, b TEXT);
         CREATE TABLE t2(x INTEGER PRIMARY KEY, y TEXT UNIQUE);
         CREATE VIEW v1 AS SELECT a, b AS y FROM t1;
         INSERT INTO t1 VALUES(1, 'a'), (2, 'b'), (3, NULL), (4, 'd');
         INSERT INTO t2 VALUES(1, 'a'), (3, 'c');",
    )
    .unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ran = 0;
    for round in 0..3000 {
        let seed = SEEDS[round % SEEDS.len()];
        let mut words: Vec<&str> = seed.split(' ').collect();
        for _ in 0..(1 + next() % 3) {
            let n = words.len() as u64;
            let i = (next() % n) as usize;
            match next() % 4 {
                0 => {
                    words.remove(i);
                }
                1 => {
                    let w = words[i];
                    words.insert(i, w);
                }
                2 => {
                    let j = ((next() % n) as usize).min(words.len() - 1);
                    words.swap(i, j);
                }
                _ => {
                    let j = (next() % n) as usize;
                    let w = words[j.min(words.len() - 1)];
                    words[i] = w;
                }
            }
            if words.is_empty() {
                words.push("SELECT");
            }
        }
        let sql = words.join(" ");
        let _ = c.query(&sql, &[]);
        ran += 1;
    }
    assert_eq!(ran, 3000);
    // The database is still usable and consistent afterwards.
    let (_, rows) = c.query("SELECT count(*) FROM t2", &[]).unwrap();
    assert_eq!(rows.len(), 1);
}
