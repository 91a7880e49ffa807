//! Differential test against SQLite (rusqlite, bundled): random tables and random queries
//! run on both engines; results must agree value by value (reals to 1e-12 relative), and a
//! statement that fails on one must fail on the other.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::sync::Arc;

use concur_btree::Value;
use concur_vm::{Connection, MemStore};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn literal(rng: &mut Rng) -> String {
    match rng.below(9) {
        0 => "NULL".into(),
        1 => format!("'{}'", rng.pick(&["a", "b", "B", "abc", "", "10", " 7"])),
        2 => format!("{}.5", rng.below(20) as i64 - 10),
        3 => rng
            .pick(&["9223372036854775807", "-9223372036854775808", "0"])
            .into(),
        4 => "x'00ff'".into(),
        _ => format!("{}", rng.below(20) as i64 - 5),
    }
}

fn from_sqlite(v: rusqlite::types::Value) -> Value {
    match v {
        rusqlite::types::Value::Null => Value::Null,
        rusqlite::types::Value::Integer(i) => Value::Integer(i),
        rusqlite::types::Value::Real(r) => Value::Real(r),
        rusqlite::types::Value::Text(t) => Value::Text(t),
        rusqlite::types::Value::Blob(b) => Value::Blob(b),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
        _ => a == b,
    }
}

fn sqlite_query(db: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        let mut r = Vec::new();
        for i in 0..n {
            r.push(match row.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(String::from_utf8_lossy(t).into_owned())
                }
                other => from_sqlite(other.into()),
            });
        }
        out.push(r);
    }
    Ok(out)
}

#[test]
fn random_queries_agree_with_sqlite() {
    for seed in [
        0x5eed_1234_abcd_0001,
        0x0dd5_eed5_0000_0002,
        0x1234_5678_9abc_def1,
    ] {
        run_seed(seed);
    }
}

/// One seeded run: 60 inserts, 2000 queries.
fn run_seed(seed: u64) {
    let mut rng = Rng(seed);
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let mut conn = Connection::new(Arc::new(MemStore::new()));
    let setup = [
        "CREATE TABLE t1(a INTEGER, b TEXT, c REAL, d)",
        "CREATE TABLE t2(a INTEGER PRIMARY KEY, b NUMERIC, c TEXT COLLATE NOCASE)",
        "CREATE INDEX t1a ON t1(a)",
        "CREATE INDEX t2c ON t2(c)",
    ];
    for s in setup {
        db.execute_batch(s).unwrap();
        conn.execute_batch(s).unwrap();
    }
    for i in 0..60 {
        let table = if i % 2 == 0 { "t1" } else { "t2" };
        let sql = if table == "t1" {
            format!(
                "INSERT INTO t1 VALUES({}, {}, {}, {})",
                literal(&mut rng),
                literal(&mut rng),
                literal(&mut rng),
                literal(&mut rng)
            )
        } else {
            format!(
                "INSERT OR IGNORE INTO t2 VALUES({}, {}, {})",
                rng.below(40),
                literal(&mut rng),
                literal(&mut rng)
            )
        };
        let ours = conn.execute_batch(&sql).is_ok();
        let theirs = db.execute_batch(&sql).is_ok();
        assert_eq!(ours, theirs, "{sql}");
    }
    let columns = ["a", "b", "c"];
    let ops = ["=", "<", ">=", "<>", "IS", "IS NOT"];
    let mut compared = 0;
    for _ in 0..2000 {
        let col = rng.pick(&columns);
        let col2 = rng.pick(&columns);
        let op = rng.pick(&ops);
        let lit = literal(&mut rng);
        let sql = match rng.below(10) {
            8 => format!(
                "SELECT a, b FROM t1 WHERE a IN ({lit}, {}, {}) ORDER BY 1, 2",
                literal(&mut rng),
                literal(&mut rng)
            ),
            9 => format!(
                "SELECT a, c FROM t2 WHERE {} IN ({lit}, {}) ORDER BY 1",
                rng.pick(&["a", "c", "rowid"]),
                literal(&mut rng)
            ),
            0 => format!("SELECT a, b, c FROM t1 WHERE {col} {op} {lit} ORDER BY 1, 2, 3"),
            1 => format!("SELECT a, b, c FROM t2 WHERE {col} {op} {lit} ORDER BY 1"),
            2 => format!(
                "SELECT t1.a, t2.a FROM t1 JOIN t2 ON t1.{col} {op} t2.{col2} ORDER BY 1, 2"
            ),
            3 => format!(
                "SELECT {col}, count(*), sum(a), min(b), max(c) FROM t1 GROUP BY {col} ORDER BY 1"
            ),
            4 => format!("SELECT {col} {} {lit} FROM t2 ORDER BY a", rng.pick(&["+", "*", "||", "/", "%", "<"])),
            5 => format!(
                "SELECT a FROM t1 WHERE {col} IN (SELECT {col2} FROM t2 WHERE a > {}) ORDER BY 1",
                rng.below(30)
            ),
            6 => format!(
                "SELECT t2.a, t1.b FROM t2 LEFT JOIN t1 ON t1.a = t2.a AND t1.{col} {op} {lit} ORDER BY 1, 2"
            ),
            _ => format!(
                "SELECT DISTINCT {col} FROM t1 UNION SELECT {col2} FROM t2 ORDER BY 1 LIMIT {}",
                rng.below(10)
            ),
        };
        let ours = conn
            .query(&sql, &[])
            .map(|(_, r)| r)
            .map_err(|e| e.to_string());
        let theirs = sqlite_query(&db, &sql);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.len(), b.len(), "{sql}\nours {a:?}\ntheirs {b:?}");
                for (x, y) in a.iter().zip(b) {
                    assert!(
                        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
                        "{sql}\nours {x:?}\ntheirs {y:?}"
                    );
                }
                compared += 1;
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{sql}\nours {ours:?}\ntheirs {theirs:?}"),
        }
    }
    assert!(compared > 1500, "only {compared} queries compared");
}
