//! Fuzz whole statements: any text runs as SQL on a fresh in-memory database that already has
//! a small schema (two tables with rows of every storage class, a unique and a partial index,
//! a view and a trigger), and every statement either succeeds or fails with a typed error,
//! never a panic. After the run the connection must still answer a query, whatever state the
//! statements left it in (open transaction, savepoints, dropped tables).
//!
//! Inputs that would run without end or allocate without bound are skipped, because SQLite
//! does the same with them and no answer is wrong there: recursive CTEs, and texts with a
//! number of more than six digits (zeroblob(1e9), printf widths, huge LIMITs over joins).
//! Each statement is stepped for at most [`MAX_ROWS`] rows.
//!
//! Build and run (fuzz/README.md gives the flags for when cargo-fuzz is not installed):
//! `cargo +nightly fuzz run statements -- -dict=sql.dict` from `fuzz/`.

#![no_main]

use std::sync::Arc;

use concur_btree::Value;
use concur_vm::parser::Parser;
use concur_vm::{Connection, MemStore};
use libfuzzer_sys::fuzz_target;

/// Statements run per input.
const MAX_STATEMENTS: usize = 8;
/// Rows stepped per statement.
const MAX_ROWS: usize = 200;

/// The schema and rows every input starts from.
const SETUP: &str = "
    CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x', c REAL, d BLOB,
                    e ANY CHECK (e IS NOT 'bad'));
    CREATE TABLE t2(x INT UNIQUE, y TEXT COLLATE NOCASE, z);
    CREATE INDEX t1_bc ON t1(b, c DESC);
    CREATE INDEX t2_z ON t2(z) WHERE z > 0;
    CREATE VIEW v1 AS SELECT a, b, x, y FROM t1 LEFT JOIN t2 ON t2.x = t1.a;
    CREATE TRIGGER tr1 AFTER INSERT ON t1 BEGIN INSERT INTO t2(x, y, z) VALUES (NEW.a + 1000, NEW.b, 1); END;
    INSERT INTO t1 VALUES (1, 'one', 1.5, x'00ff', NULL), (2, 'Two', -0.0, NULL, 9223372036854775807),
                          (3, '', NULL, x'', 'text'), (-5, 'neg', 1e300, zeroblob(3), -9223372036854775808);
    INSERT INTO t2 VALUES (1, 'ONE', 10), (2, 'two', -1), (NULL, NULL, NULL), (4, 'Four', 'z');
";

/// Whether `sql` is one of the inputs skipped as unbounded (see the module docs).
fn unbounded(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    if lower.contains("recursive") {
        return true;
    }
    let mut digits = 0;
    for c in sql.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 6 {
                return true;
            }
        } else {
            digits = 0;
        }
    }
    // Exponents also make big numbers.
    lower.contains("e+") || lower.contains("e9") || lower.contains("e8") || lower.contains("e7")
}

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    if sql.len() > 2000 || unbounded(sql) {
        return;
    }
    let mut conn = Connection::new(Arc::new(MemStore::new()));
    if let Err(e) = conn.execute_batch(SETUP) {
        panic!("setup failed: {e}");
    }
    let texts: Vec<&str> = Parser::new(sql)
        .take(MAX_STATEMENTS)
        .map_while(Result::ok)
        .filter_map(|parsed| sql.get(parsed.span.start..parsed.span.end))
        .collect();
    for text in texts {
        let Ok(mut stmt) = conn.prepare(text) else {
            continue;
        };
        // Bind something to every parameter so that parameters are exercised too.
        for i in 1..=stmt.parameter_count() {
            let value = match i % 4 {
                0 => Value::Integer(i as i64),
                1 => Value::Text(format!("p{i}")),
                2 => Value::Null,
                _ => Value::Blob(vec![i as u8; i]),
            };
            if let Err(e) = stmt.bind(i, value) {
                panic!("binding parameter {i} of {}: {e}", stmt.parameter_count());
            }
        }
        for _ in 0..MAX_ROWS {
            match conn.step(&mut stmt) {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        conn.reset(&mut stmt);
    }
    // The connection must still work.
    let _ = conn.execute_batch("ROLLBACK");
    if let Err(e) = conn.query("SELECT count(*) FROM sqlite_schema", &[]) {
        panic!("connection unusable after the input: {e}");
    }
});
