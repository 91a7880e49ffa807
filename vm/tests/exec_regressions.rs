//! Behaviours the differential test (`exec_differential.rs`) found concur getting wrong, one
//! test each. Every script runs on concur and on SQLite (rusqlite, bundled); each statement
//! must give the same rows, or an error with the same code, and the same `changes()`.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use concur_btree::Value;
use concur_vm::{Connection, MemStore};

/// What one statement gave: rows or an error code, and `changes()` after it.
type Answer = (Result<Vec<Vec<Value>>, i32>, i64);

/// Runs `sql` on concur.
fn ours(conn: &mut Connection, sql: &str) -> Answer {
    let result = conn.query(sql, &[]).map(|(_, rows)| rows).map_err(|e| {
        let code = e.code();
        if code > 0xff {
            code
        } else {
            code & 0xff
        }
    });
    (result, conn.changes())
}

/// Runs `sql` on SQLite; errors give the extended code if concur's is extended.
fn theirs(db: &rusqlite::Connection, sql: &str) -> Answer {
    let result = (|| {
        let mut stmt = db.prepare(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut r = Vec::new();
            for i in 0..n {
                r.push(match row.get::<_, rusqlite::types::Value>(i)? {
                    rusqlite::types::Value::Null => Value::Null,
                    rusqlite::types::Value::Integer(i) => Value::Integer(i),
                    rusqlite::types::Value::Real(f) => Value::Real(f),
                    rusqlite::types::Value::Text(t) => Value::Text(t.into()),
                    rusqlite::types::Value::Blob(b) => Value::Blob(b),
                });
            }
            out.push(r);
        }
        Ok::<_, rusqlite::Error>(out)
    })()
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
        rusqlite::Error::SqlInputError { error, .. } => error.extended_code,
        _ => -1,
    });
    (result, db.changes() as i64)
}

/// Runs every statement of `script` (one per line) on both engines; they must agree.
/// Returns concur's answers.
fn agree(script: &str) -> Vec<Answer> {
    let mut conn = Connection::new(Arc::new(MemStore::new()));
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let mut answers = Vec::new();
    for sql in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let a = ours(&mut conn, sql);
        let mut b = theirs(&db, sql);
        if let (Err(x), Err(y)) = (&a.0, &mut b.0) {
            if *x <= 0xff {
                *y &= 0xff;
            }
        }
        assert_eq!(a, b, "{sql}");
        answers.push(a);
    }
    answers
}

#[test]
fn default_values_fills_every_column_with_its_default() {
    let answers = agree(
        "CREATE TABLE t(a INT NOT NULL DEFAULT 6, b, c TEXT DEFAULT ('x' || 1))
         INSERT INTO t DEFAULT VALUES
         SELECT rowid, a, b, c FROM t",
    );
    assert_eq!(
        answers[2].0,
        Ok(vec![vec![
            Value::Integer(1),
            Value::Integer(6),
            Value::Null,
            Value::Text("x1".into())
        ]])
    );
}

#[test]
fn compound_order_by_ordinal_may_carry_a_collation() {
    let answers = agree(
        "CREATE TABLE t(a TEXT)
         INSERT INTO t VALUES ('b'), ('A'), ('c')
         SELECT a FROM t UNION SELECT 'B' ORDER BY 1 COLLATE NOCASE DESC
         SELECT a FROM t UNION ALL SELECT 'a' ORDER BY 1 COLLATE BINARY",
    );
    let text = |s: &str| vec![Value::Text(s.into())];
    assert_eq!(
        answers[3].0,
        Ok(vec![text("A"), text("a"), text("b"), text("c")])
    );
}

#[test]
fn a_failed_statement_counts_only_the_changes_it_keeps() {
    let answers = agree(
        "CREATE TABLE t(a UNIQUE)
         INSERT INTO t VALUES (1), (2), (3)
         UPDATE OR FAIL t SET a = 5 - a WHERE a < 3
         SELECT total_changes(), changes()
         INSERT INTO t VALUES (5), (2)
         SELECT total_changes(), changes(), count(*) FROM t",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    // OR FAIL kept the first row's change and counts it; the aborted INSERT counts none.
    assert_eq!(answers[3].0, ints(&[4, 1]));
    assert_eq!(answers[2].1, 1);
    assert_eq!(answers[4].1, 0);
    assert_eq!(answers[5].0, ints(&[4, 0, 3]));
}

#[test]
fn partial_and_expression_indexes_fill_from_existing_rows() {
    let answers = agree(
        "CREATE TABLE t(a, b)
         INSERT INTO t VALUES (1, 'x'), (-2, 'Y'), (3, NULL), (4, 'y')
         CREATE INDEX tp ON t(b) WHERE a > 0
         SELECT a FROM t WHERE b = 'x' AND a > 0
         CREATE UNIQUE INDEX tl ON t(lower(b))
         CREATE UNIQUE INDEX tu ON t(lower(b)) WHERE a > 0
         INSERT INTO t VALUES (5, 'X')
         INSERT INTO t VALUES (-5, 'X')
         SELECT count(*) FROM t WHERE lower(b) = 'x'",
    );
    assert_eq!(answers[3].0, Ok(vec![vec![Value::Integer(1)]]));
    // lower(b) repeats 'y' over all rows, but not among the rows with a > 0.
    assert_eq!(answers[4].0, Err(2067));
    assert_eq!(answers[6].0, Err(2067));
    assert_eq!(answers[8].0, Ok(vec![vec![Value::Integer(2)]]));
}

#[test]
fn upsert_do_update_returns_the_updated_row() {
    let answers = agree(
        "CREATE TABLE t(k UNIQUE, v)
         INSERT INTO t VALUES (1, 'a')
         INSERT INTO t VALUES (1, 'b'), (2, 'c') ON CONFLICT(k) DO UPDATE SET v = v || excluded.v RETURNING rowid, k, v",
    );
    let row =
        |r: i64, k: i64, v: &str| vec![Value::Integer(r), Value::Integer(k), Value::Text(v.into())];
    assert_eq!(answers[2].0, Ok(vec![row(1, 1, "ab"), row(2, 2, "c")]));
}

#[test]
fn schema_rows_store_create_text_as_sqlite_rebuilds_it() {
    let answers = agree(
        "create table if not exists main.t(a, b)
         CREATE  UNIQUE INDEX IF NOT EXISTS \"i x\" ON t(a) WHERE a > 0
         create view IF not exists v as select a from t
         CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END
         SELECT name, sql FROM sqlite_schema ORDER BY name",
    );
    let Ok(rows) = &answers[4].0 else {
        panic!("schema query failed")
    };
    assert_eq!(rows[1][1], Value::Text("CREATE TABLE t(a, b)".into()));
}

#[test]
fn upsert_clauses_handle_only_the_constraints_they_name() {
    let answers = agree(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a UNIQUE, b UNIQUE, c NOT NULL)
         INSERT INTO t VALUES (1, 'a1', 'b1', 0), (2, 'a2', 'b2', 0)
         INSERT INTO t VALUES (3, 'a1', 'b9', 0) ON CONFLICT(b) DO UPDATE SET c = c + 1
         INSERT OR IGNORE INTO t VALUES (3, 'a1', 'b9', 0) ON CONFLICT(b) DO UPDATE SET c = c + 1
         INSERT INTO t VALUES (3, 'a1', 'b2', 0) ON CONFLICT(b) DO UPDATE SET c = c + 10
         INSERT INTO t VALUES (4, 'a4', 'b4', NULL) ON CONFLICT DO NOTHING
         INSERT INTO t VALUES (1, 'a8', 'b8', 0) ON CONFLICT(a) DO NOTHING ON CONFLICT(id) DO UPDATE SET c = 100
         INSERT INTO t VALUES (5, 'a2', 'b5', 0) ON CONFLICT(id) DO NOTHING ON CONFLICT DO UPDATE SET c = 7
         INSERT INTO t VALUES (6, 'x', 'y', 0) ON CONFLICT(c) DO NOTHING
         SELECT * FROM t ORDER BY id",
    );
    // A conflict on `a` is not the ON CONFLICT(b) clause's: the statement's ABORT (or IGNORE).
    assert_eq!(answers[2].0, Err(2067));
    assert_eq!(answers[3].1, 0);
    // DO NOTHING covers uniqueness only; NOT NULL still fails.
    assert_eq!(answers[5].0, Err(1299));
    assert_eq!(answers[8].0, Err(1));
    let row = |id: i64, a: &str, b: &str, c: i64| {
        vec![
            Value::Integer(id),
            Value::Text(a.into()),
            Value::Text(b.into()),
            Value::Integer(c),
        ]
    };
    assert_eq!(
        answers[9].0,
        Ok(vec![row(1, "a1", "b1", 100), row(2, "a2", "b2", 7)])
    );
}

#[test]
fn unique_constraints_are_checked_newest_first() {
    let answers = agree(
        "CREATE TABLE t(a PRIMARY KEY, b UNIQUE, c)
         INSERT INTO t VALUES (1, 1, 1)
         INSERT INTO t VALUES (1, 1, 2)
         CREATE UNIQUE INDEX tc ON t(c)
         INSERT INTO t VALUES (1, 1, 1)
         CREATE TABLE u(a UNIQUE ON CONFLICT REPLACE, b UNIQUE)
         INSERT INTO u VALUES (1, 1), (2, 2)
         INSERT INTO u VALUES (1, 2)
         SELECT * FROM u",
    );
    // The UNIQUE on b (created after the PRIMARY KEY's index) fails first: code 2067, not
    // 1555; then the newer index on c.
    assert_eq!(answers[2].0, Err(2067));
    assert_eq!(answers[4].0, Err(2067));
    assert_eq!(answers[7].0, Err(2067));
}

#[test]
fn like_and_glob_operators_stop_at_the_first_nul() {
    let answers = agree(
        "SELECT x'ff0041' LIKE '_', x'610062' LIKE 'a', x'610062' GLOB 'a*b', 'a' LIKE x'610062'",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[0].0, ints(&[1, 1, 0, 1]));
}

#[test]
fn or_replace_puts_the_default_in_place_of_a_null_in_a_not_null_column() {
    let answers = agree(
        "CREATE TABLE t(a INT NOT NULL DEFAULT 6, b NOT NULL, c NOT NULL DEFAULT NULL)
         INSERT OR REPLACE INTO t VALUES (NULL, 1, 1)
         INSERT OR REPLACE INTO t VALUES (1, NULL, 1)
         INSERT OR REPLACE INTO t VALUES (1, 1, NULL)
         UPDATE OR REPLACE t SET a = NULL
         SELECT a, b, c FROM t",
    );
    assert_eq!(answers[2].0, Err(1299));
    assert_eq!(answers[3].0, Err(1299));
    assert_eq!(
        answers[5].0,
        Ok(vec![vec![
            Value::Integer(6),
            Value::Integer(1),
            Value::Integer(1)
        ]])
    );
}

#[test]
fn group_by_ordinal_may_carry_a_collation() {
    let answers = agree(
        "CREATE TABLE t(a)
         INSERT INTO t VALUES ('x'), ('X'), ('y')
         SELECT count(*) FROM t GROUP BY 1 COLLATE NOCASE
         SELECT upper(a), count(*) FROM t GROUP BY 1 COLLATE NOCASE ORDER BY 2
         SELECT a FROM t GROUP BY 2 COLLATE NOCASE",
    );
    assert_eq!(answers[4].0, Err(1));
    let Ok(rows) = &answers[3].0 else {
        panic!("GROUP BY 1 COLLATE NOCASE failed")
    };
    assert_eq!(rows.len(), 2);
}

#[test]
fn upsert_target_collations_must_match_the_index() {
    let answers = agree(
        "CREATE TABLE t(a COLLATE NOCASE, b)
         CREATE UNIQUE INDEX ta ON t(a)
         CREATE UNIQUE INDEX tb ON t(b COLLATE RTRIM)
         INSERT INTO t VALUES (1, 1) ON CONFLICT(a) DO NOTHING
         INSERT INTO t VALUES (1, 1) ON CONFLICT(a COLLATE NOCASE) DO NOTHING
         INSERT INTO t VALUES (1, 1) ON CONFLICT(a COLLATE BINARY) DO NOTHING
         INSERT INTO t VALUES (1, 1) ON CONFLICT(b) DO NOTHING
         INSERT INTO t VALUES (1, 1) ON CONFLICT(b COLLATE RTRIM) DO NOTHING
         CREATE TABLE u(id INTEGER PRIMARY KEY, c)
         CREATE UNIQUE INDEX uc ON u(c, id)
         INSERT INTO u VALUES (1, 1) ON CONFLICT(c, id) DO NOTHING
         INSERT INTO u VALUES (1, 1) ON CONFLICT(id) DO NOTHING",
    );
    // An explicit COLLATE must be the index's; a bare column matches any.
    assert_eq!(answers[5].0, Err(1));
    assert_eq!(answers[6].0, Ok(vec![]));
    assert_eq!(answers[7].0, Ok(vec![]));
    // The INTEGER PRIMARY KEY in a target is the rowid, which no index column matches.
    assert_eq!(answers[10].0, Err(1));
    assert_eq!(answers[11].0, Ok(vec![]));
}

#[test]
fn a_negated_real_literal_is_a_constant_so_minus_zero_stays_negative() {
    let answers = agree(
        "SELECT -0.0, -(0.0), -x FROM (SELECT 0.0 AS x)
         CREATE TABLE t(a)
         INSERT INTO t VALUES (-0.0)
         SELECT a, 1 / a FROM t",
    );
    let Ok(rows) = &answers[0].0 else {
        panic!("select failed")
    };
    let bits: Vec<u64> = rows[0]
        .iter()
        .map(|v| match v {
            Value::Real(r) => r.to_bits(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bits, vec![(-0.0f64).to_bits(), (-0.0f64).to_bits(), 0]);
    let Ok(rows) = &answers[3].0 else {
        panic!("select failed")
    };
    assert!(matches!(rows[0][0], Value::Real(r) if r.is_sign_negative()));
}

#[test]
fn simple_case_compares_with_the_affinity_and_collation_of_equals() {
    let answers = agree(
        "CREATE TABLE t(a TEXT, b INTEGER, c COLLATE NOCASE)
         INSERT INTO t VALUES ('40', '7', 'x')
         SELECT CASE a WHEN 40 THEN 'hit' ELSE 'miss' END, CASE b WHEN '7' THEN 'hit' END, CASE c WHEN 'X' THEN 'hit' END, CASE 40 WHEN a THEN 'hit' END FROM t",
    );
    let text = |s: &str| Value::Text(s.into());
    assert_eq!(
        answers[2].0,
        Ok(vec![vec![
            text("hit"),
            text("hit"),
            text("hit"),
            text("hit")
        ]])
    );
}

#[test]
fn update_or_ignore_reports_only_the_rows_it_changed() {
    let answers = agree(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v UNIQUE)
         INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')
         UPDATE OR IGNORE t SET id = 1 RETURNING id, v
         UPDATE OR IGNORE t SET v = 'c' WHERE id < 3 RETURNING id
         SELECT * FROM t ORDER BY id",
    );
    let text = |s: &str| Value::Text(s.into());
    assert_eq!(answers[2].0, Ok(vec![vec![Value::Integer(1), text("a")]]));
    assert_eq!(answers[2].1, 1);
    assert_eq!(answers[3].0, Ok(vec![]));
    assert_eq!(answers[3].1, 0);
}

#[test]
fn in_subquery_combines_the_affinities_of_both_sides() {
    let answers = agree(
        "CREATE TABLE l(b BLOB, t TEXT, n)
         CREATE TABLE r(i INTEGER, s TEXT)
         INSERT INTO l VALUES ('6', '6', '6')
         INSERT INTO r VALUES (6, '6')
         SELECT b IN (SELECT i FROM r), t IN (SELECT i FROM r), n IN (SELECT i FROM r), n IN (SELECT s FROM r), b IN (SELECT s FROM r), 6 IN (SELECT s FROM r) FROM l",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[4].0, ints(&[1, 1, 1, 1, 1, 1]));
}

#[test]
fn negative_ordinals_in_group_by_and_order_by_are_out_of_range() {
    let answers = agree(
        "CREATE TABLE t(a)
         INSERT INTO t VALUES (1), (2)
         SELECT count(*) FROM t GROUP BY -3
         SELECT a FROM t ORDER BY -1
         SELECT a FROM t UNION SELECT 3 ORDER BY -1
         SELECT a FROM t ORDER BY +1 DESC
         SELECT count(*) FROM t GROUP BY 41517124551
         SELECT a FROM t ORDER BY -41517124551, 1",
    );
    assert_eq!(answers[2].0, Err(1));
    assert_eq!(answers[3].0, Err(1));
    assert_eq!(answers[4].0, Err(1));
    assert_eq!(
        answers[5].0,
        Ok(vec![vec![Value::Integer(2)], vec![Value::Integer(1)]])
    );
    // Integers wider than 32 bits are constants, not ordinals.
    assert_eq!(answers[6].0, Ok(vec![vec![Value::Integer(2)]]));
}

#[test]
fn distinct_and_compounds_compare_under_the_result_columns_collations() {
    // Counted, since which of equal values represents them is SQLite's choice.
    let answers = agree(
        "CREATE TABLE t(a DOUBLE, b COLLATE NOCASE)
         CREATE TABLE u(c)
         INSERT INTO t VALUES ('', 'x'), (' ', 'X'), (4, 'y')
         INSERT INTO u VALUES ('Y'), ('z')
         SELECT count(*) FROM (SELECT DISTINCT a COLLATE RTRIM FROM t)
         SELECT count(*) FROM (SELECT DISTINCT b FROM t)
         SELECT count(*) FROM (SELECT a COLLATE RTRIM FROM t UNION SELECT 5)
         SELECT count(*) FROM (SELECT c FROM u UNION SELECT b FROM t)
         SELECT count(*) FROM (SELECT 'Z' UNION SELECT b FROM t UNION SELECT c FROM u)
         SELECT count(*) FROM (SELECT b FROM t INTERSECT SELECT c FROM u)
         SELECT count(*) FROM (SELECT b FROM t EXCEPT SELECT c FROM u)",
    );
    let count = |i: usize| answers[i].0.clone();
    let n = |k: i64| Ok(vec![vec![Value::Integer(k)]]);
    assert_eq!(count(4), n(2));
    assert_eq!(count(5), n(2));
    assert_eq!(count(6), n(3));
    // The leftmost arm with a collation decides: `c` is BINARY; `'Z'` has none, so NOCASE
    // comes from `b`.
    assert_eq!(count(7), n(5));
    assert_eq!(count(8), n(3));
    assert_eq!(count(9), n(1));
    assert_eq!(count(10), n(1));
}

#[test]
fn an_index_serves_a_comparison_only_under_its_own_collation() {
    // A REAL or NUMERIC column still holds text; the join compares under the left column's
    // collation, so the BINARY index on the right side cannot find the row.
    let answers = agree(
        "CREATE TABLE a(x COLLATE RTRIM, y COLLATE NOCASE)
         CREATE TABLE b(r REAL, n NUMERIC)
         CREATE INDEX br ON b(r)
         CREATE INDEX bn ON b(n DESC)
         INSERT INTO a VALUES ('a', 'b')
         INSERT INTO b VALUES ('a  ', 'B')
         SELECT a.x FROM a JOIN b ON a.x = b.r
         SELECT a.y FROM a JOIN b ON a.y = b.n
         SELECT a.y FROM a JOIN b ON a.y IN (b.n)
         SELECT count(*) FROM b WHERE r = 'a' COLLATE RTRIM
         SELECT count(*) FROM b WHERE n COLLATE NOCASE IN ('b', 'c')",
    );
    let one = |s: &str| Ok(vec![vec![Value::Text(s.into())]]);
    assert_eq!(answers[6].0, one("a"));
    assert_eq!(answers[7].0, one("b"));
    assert_eq!(answers[9].0, Ok(vec![vec![Value::Integer(1)]]));
    assert_eq!(answers[10].0, Ok(vec![vec![Value::Integer(1)]]));
}

#[test]
fn a_table_holding_the_largest_rowid_takes_new_rows_at_random_free_rowids() {
    // The rowids themselves are random, so only their properties are compared.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)
         INSERT INTO t VALUES (9223372036854775806, 0)
         INSERT INTO t(b) VALUES (1), (2), (3)
         SELECT count(*), count(DISTINCT a), min(a) > 0, max(a) FROM t
         CREATE TABLE s(a INTEGER PRIMARY KEY AUTOINCREMENT, b)
         INSERT INTO s VALUES (9223372036854775807, 0)
         INSERT INTO s(b) VALUES (1)
         SELECT count(*) FROM s",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[2].1, 3);
    assert_eq!(answers[3].0, ints(&[4, 4, 1, i64::MAX]));
    // AUTOINCREMENT never reuses a rowid: the table is full.
    assert_eq!(answers[6].0, Err(13));
}

#[test]
fn or_fail_without_a_statement_journal_keeps_rows_written_before_any_error() {
    // INSERT/UPDATE OR FAIL run without a statement journal in SQLite, so inside a
    // transaction a datatype mismatch after the first row leaves that row, counted as no
    // change; ABORT (the default) undoes the statement.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)
         BEGIN
         INSERT OR FAIL INTO t VALUES (1, 'x'), ('y', 'y'), (3, 'z')
         SELECT changes(), total_changes(), count(*) FROM t
         INSERT INTO t VALUES (4, 'x'), ('y', 'y')
         UPDATE OR FAIL t SET a = CASE a WHEN 1 THEN 10 ELSE 'q' END
         SELECT a, b FROM t ORDER BY a
         COMMIT
         INSERT OR FAIL INTO t VALUES (5, 'x'), ('y', 'y')
         SELECT count(*) FROM t",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[2].1, 0);
    assert_eq!(answers[3].0, ints(&[0, 0, 1]));
    assert_eq!(
        answers[6].0,
        Ok(vec![vec![Value::Integer(10), Value::Text("x".into())]])
    );
    // In autocommit the failed statement's transaction rolls back whole.
    assert_eq!(answers[9].0, ints(&[1]));
}

#[test]
fn a_real_names_a_rowid_only_when_it_is_an_integer_within_2_pow_51() {
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)
         INSERT INTO t VALUES (-9223372036854775808, 'min'), (3, 'three'), (1152921504606846976, 'big')
         SELECT b FROM t WHERE a = -9.2233720368547758e18
         SELECT b FROM t WHERE a IS -9.2233720368547758e18
         SELECT b FROM t WHERE rowid = 1.152921504606846976e18
         SELECT b FROM t WHERE a = 3.0
         UPDATE t SET b = 'x' WHERE -9.2233720368547758e18 IS a",
    );
    assert_eq!(answers[2].0, Ok(vec![]));
    assert_eq!(answers[5].0, Ok(vec![vec![Value::Text("three".into())]]));
    assert_eq!(answers[6].1, 0);
}

#[test]
fn or_fail_that_calls_a_function_has_a_statement_journal() {
    // A function call (here in a CHECK) makes SQLite give the statement a journal, so the
    // failed OR FAIL statement is undone whole after all.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b CHECK(length(b) < 9))
         BEGIN
         INSERT OR FAIL INTO t VALUES (1, 'x'), ('y', 'y')
         INSERT OR FAIL INTO t VALUES (2, 'x'), (abs(-3), 'y'), ('z', 'z')
         SELECT count(*) FROM t
         COMMIT",
    );
    assert_eq!(answers[4].0, Ok(vec![vec![Value::Integer(0)]]));
}

#[test]
fn rowid_is_null_after_a_left_join_finds_the_unmatched_rows() {
    let answers = agree(
        "CREATE TABLE a(x)
         CREATE TABLE b(y)
         INSERT INTO a VALUES (1), (2)
         INSERT INTO b VALUES (1)
         SELECT a.x FROM a LEFT JOIN b ON a.x = b.y WHERE b.rowid IS NULL
         SELECT a.x FROM a, b WHERE b.rowid IS 1 ORDER BY 1",
    );
    assert_eq!(answers[4].0, Ok(vec![vec![Value::Integer(2)]]));
}

#[test]
fn upsert_excluded_values_carry_the_column_affinity() {
    let answers = agree(
        "CREATE TABLE t(c0 INTEGER PRIMARY KEY DESC UNIQUE, c1 FLOAT)
         INSERT INTO t VALUES (0, 1)
         INSERT INTO t VALUES (-0.0, '-2.0') ON CONFLICT(c0) DO UPDATE SET c1 = substr(excluded.c0, 2, 3)
         SELECT c0, c1, typeof(c1) FROM t",
    );
    assert_eq!(answers[3].0.as_ref().map(Vec::len), Ok(1));
}

#[test]
fn failed_single_row_inserts_without_a_statement_journal_leave_the_transaction_usable() {
    // A single-row INSERT runs without a statement savepoint; every way it can fail
    // (NOT NULL, CHECK, UNIQUE on the rowid and on an index, a bad rowid) must fail before
    // it writes, so the transaction keeps exactly the rows written before it.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b NOT NULL, c UNIQUE, d CHECK(d < 10))
         CREATE INDEX t_b ON t(b)
         BEGIN
         INSERT INTO t VALUES (1, 'one', 10, 1)
         INSERT INTO t VALUES (2, NULL, 20, 2)
         INSERT INTO t VALUES (3, 'three', 30, 99)
         INSERT INTO t VALUES (1, 'dup', 40, 3)
         INSERT INTO t VALUES (4, 'four', 10, 4)
         INSERT INTO t VALUES ('x', 'bad rowid', 50, 5)
         INSERT INTO t VALUES (5, 'five', 50, 5)
         SELECT a, b, c, d FROM t ORDER BY a
         SELECT b FROM t INDEXED BY t_b WHERE b > '' ORDER BY b
         COMMIT
         SELECT count(*) FROM t",
    );
    assert_eq!(answers[13].0, Ok(vec![vec![Value::Integer(2)]]));
}

#[test]
fn unary_plus_drops_the_operand_affinity_but_keeps_its_collation() {
    let answers = agree(
        "CREATE TABLE t(n NUMERIC, i INT, s TEXT COLLATE NOCASE)
         INSERT INTO t VALUES (19, 1, 'abc')
         CREATE INDEX t_i ON t(i)
         SELECT +n = '19', n = '19', '19' = +n, +s = 'ABC' FROM t
         SELECT count(*) FROM t WHERE +i = '1'
         SELECT a FROM (SELECT +n AS a FROM t) WHERE a = '19'",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[3].0, ints(&[0, 1, 0, 1]));
    assert_eq!(answers[4].0, ints(&[0]));
}

#[test]
fn subquery_columns_with_one_name_are_all_reached_by_position() {
    let answers = agree(
        "CREATE TABLE t(a INT, b INT)
         INSERT INTO t VALUES (1, 2)
         SELECT * FROM (SELECT a, b AS a FROM t)
         SELECT \"a:1\" FROM (SELECT a, b AS a, 3 AS A FROM t)
         CREATE VIEW v AS SELECT a, b a FROM t
         SELECT * FROM v
         WITH c AS (SELECT b a, a FROM t) SELECT * FROM c",
    );
    let ints = |v: &[i64]| Ok(vec![v.iter().map(|&i| Value::Integer(i)).collect()]);
    assert_eq!(answers[2].0, ints(&[1, 2]));
    assert_eq!(answers[3].0, ints(&[2]));
}

#[test]
fn a_compound_subquery_column_takes_its_affinity_from_every_arm() {
    // The first arm's affinity, unless a later arm may give text (for a numeric affinity)
    // or a number (for TEXT); a REAL column reads back integers as reals.
    let answers = agree(
        "CREATE TABLE t(r REAL, n NUMERIC, s TEXT)
         INSERT INTO t VALUES (NULL, 19, '7')
         SELECT * FROM (SELECT r FROM t WHERE r IS NOT NULL UNION ALL SELECT n FROM t)
         SELECT * FROM (SELECT r, r AS q FROM t WHERE 0 UNION ALL SELECT n, 1 FROM t)
         SELECT * FROM (SELECT r FROM t WHERE 0 UNION ALL SELECT '19')
         SELECT * FROM (SELECT r x FROM t WHERE 0 UNION ALL SELECT '19') WHERE x = 19
         SELECT * FROM (SELECT s x FROM t UNION ALL SELECT 5) WHERE x = 7
         SELECT * FROM (SELECT CAST(n AS REAL) FROM t WHERE 0 UNION ALL SELECT n FROM t)",
    );
    assert_eq!(answers[2].0, Ok(vec![vec![Value::Real(19.0)]]));
    assert_eq!(
        answers[3].0,
        Ok(vec![vec![Value::Real(19.0), Value::Real(1.0)]])
    );
    assert_eq!(answers[7].0, Ok(vec![vec![Value::Integer(19)]]));
}

#[test]
fn in_and_scalar_subqueries_of_a_compound_compare_with_its_last_arm_affinity() {
    let answers = agree(
        "CREATE TABLE t(n NUMERIC, b BLOB)
         INSERT INTO t VALUES (19, x'01')
         SELECT '19' IN (SELECT n FROM t UNION SELECT b FROM t)
         SELECT '19' IN (SELECT b FROM t UNION SELECT n FROM t)
         SELECT '19' = (SELECT n FROM t UNION ALL SELECT 5)",
    );
    assert_eq!(answers[3].0, Ok(vec![vec![Value::Integer(1)]]));
}

#[test]
fn a_compound_ordered_with_collate_reads_its_rows_back_as_a_subquery() {
    // SQLite runs `a UNION b ORDER BY x COLLATE c` as `SELECT * FROM (a UNION b) ORDER BY
    // ...`: REAL columns give reals, and other terms sort by the first arm's collation.
    let answers = agree(
        "CREATE TABLE t0(r DOUBLE)
         CREATE TABLE t1(n NUMERIC, s TEXT COLLATE NOCASE)
         INSERT INTO t1 VALUES (19, 'b'), (3, 'C'), (4, 'd')
         SELECT r FROM t0 UNION SELECT n FROM t1 ORDER BY 1 COLLATE BINARY
         SELECT r FROM t0 UNION SELECT n FROM t1 ORDER BY 1
         SELECT 'a', 0 UNION SELECT s, 0 FROM t1 ORDER BY 2 COLLATE BINARY, 1",
    );
    assert_eq!(
        answers[5].0.as_ref().map(|rows| rows[0][0].clone()),
        Ok(Value::Text("C".into()))
    );
    assert_eq!(
        answers[3].0,
        Ok(vec![
            vec![Value::Real(3.0)],
            vec![Value::Real(4.0)],
            vec![Value::Real(19.0)]
        ])
    );
}

#[test]
fn a_rowid_in_list_finds_each_row_once() {
    // The keys take INTEGER affinity before duplicates go, so '2', 2.0 and 2 are one key.
    let answers = agree(
        "CREATE TABLE t(a, b)
         INSERT INTO t VALUES (1, 11), (2, 12), (3, 13)
         SELECT b FROM t WHERE rowid IN ('2', 2)
         SELECT b FROM t WHERE rowid IN ('2', 2.0, 2, ' 2', NULL, 'x', 2.5, '3') ORDER BY b",
    );
    assert_eq!(answers[2].0, Ok(vec![vec![Value::Integer(12)]]));
}

#[test]
fn excluded_columns_compare_without_affinity_or_collation() {
    // SQLite reads `excluded.x` as a bare register: a TEXT column's '0' is not equal to 0
    // and is greater than 2 (no TEXT affinity applied to the other operand), and an RTRIM
    // column's value compares under BINARY.
    let answers = agree(
        "CREATE TABLE t(a BIGINT PRIMARY KEY COLLATE RTRIM, b VARCHAR(20) UNIQUE, c)
         INSERT INTO t VALUES (4, '0', NULL)
         INSERT INTO t VALUES ('x', 0, 2) ON CONFLICT(b) DO UPDATE SET c = (excluded.b >= 2) || (excluded.b BETWEEN 2 AND 'A') || (excluded.b < 'A') || (excluded.b = 0)
         SELECT c FROM t
         INSERT INTO t VALUES ('x', 0, 2) ON CONFLICT(b) DO UPDATE SET c = (excluded.a = 'x ') || (b >= 2) || (b = 0)
         SELECT c FROM t
         INSERT OR IGNORE INTO t VALUES ('y', 0, 2) ON CONFLICT(b) DO UPDATE SET c = 7 WHERE excluded.b NOT BETWEEN 2 AND 'A'
         SELECT c FROM t",
    );
    assert_eq!(answers[3].0, Ok(vec![vec![Value::Text("1110".into())]]));
    assert_eq!(answers[5].0, Ok(vec![vec![Value::Text("001".into())]]));
    assert_eq!(answers[6].1, 0);
}

#[test]
fn a_failing_do_update_aborts_the_whole_statement_whatever_its_or_clause() {
    // The DO UPDATE of an upsert runs under ABORT: INSERT OR FAIL (or OR IGNORE) keeps none
    // of the rows it inserted before the failure, and counts no change.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)
         INSERT INTO t VALUES (1, 0), (2, 0)
         INSERT OR FAIL INTO t VALUES (5, 1), (6, 1), (1, 1) ON CONFLICT(a) DO UPDATE SET a = 2
         SELECT count(*) FROM t
         INSERT OR IGNORE INTO t VALUES (5, 1), (1, 1) ON CONFLICT(a) DO UPDATE SET a = 2
         SELECT count(*) FROM t
         INSERT OR FAIL INTO t VALUES (5, 1), (2, 1)
         SELECT count(*) FROM t",
    );
    assert_eq!(answers[2].1, 0);
    assert_eq!(answers[3].0, Ok(vec![vec![Value::Integer(2)]]));
    assert_eq!(answers[5].0, Ok(vec![vec![Value::Integer(2)]]));
    // Without an upsert, OR FAIL keeps the row before the failure.
    assert_eq!(answers[7].0, Ok(vec![vec![Value::Integer(3)]]));
}

#[test]
fn update_visits_rows_in_rowid_order_when_it_changes_the_index_it_scans() {
    // SQLite updates rows as its scan finds them, unless the scan reads an index the
    // statement changes: then it collects the rowids first and visits them in ascending
    // order. OR FAIL shows the order: it keeps the rows updated before the failing one.
    let answers = agree(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c)
         INSERT INTO t VALUES (1, 30, 'x'), (2, 10, 'xx'), (3, 20, 'y')
         UPDATE OR FAIL t SET b = length(c) WHERE b > 5
         SELECT a, b FROM t ORDER BY a
         CREATE TABLE u(a INTEGER PRIMARY KEY, b, c UNIQUE)
         CREATE INDEX ub ON u(b)
         INSERT INTO u VALUES (1, 30, 1), (2, 10, 2), (3, 20, 3)
         UPDATE OR FAIL u SET c = 9 WHERE b > 5
         SELECT a, c FROM u ORDER BY a",
    );
    let ints = |rows: &[[i64; 2]]| {
        Ok(rows
            .iter()
            .map(|r| r.iter().map(|&i| Value::Integer(i)).collect())
            .collect())
    };
    assert_eq!(answers[3].0, ints(&[[1, 1], [2, 2], [3, 20]]));
    // Through the untouched index ub, in b order: row 2 first, then row 3 fails.
    assert_eq!(answers[8].0, ints(&[[1, 1], [2, 9], [3, 3]]));
}

#[test]
fn an_in_list_reads_the_narrowest_index_its_column_leads() {
    // Of two indexes led by `a`, SQLite's cost model picks the narrower one, tac; the UPDATE
    // then visits rows in its order (c DESC: rows 2, 3, 1) and OR FAIL stops at row 3.
    let answers = agree(
        "CREATE TABLE t(a, b, c, UNIQUE(b, a))
         CREATE INDEX tabc ON t(a, b, c)
         CREATE INDEX tac ON t(a, c DESC)
         INSERT INTO t VALUES (0, 1, 'x'), (0, 2, 'z'), (0, 3, 'y')
         UPDATE OR FAIL t SET b = 9 WHERE a IN (0, 5)
         SELECT rowid, b FROM t ORDER BY rowid",
    );
    let ints = |rows: &[[i64; 2]]| {
        Ok(rows
            .iter()
            .map(|r| r.iter().map(|&i| Value::Integer(i)).collect())
            .collect())
    };
    assert_eq!(answers[4].1, 1);
    assert_eq!(answers[5].0, ints(&[[1, 1], [2, 9], [3, 3]]));
}

#[test]
fn a_value_carries_only_an_explicit_collate_of_its_operands() {
    // As SQLite's `sqlite3ExprCollSeq`: a function, CASE or aggregate takes the collation
    // of an argument written with COLLATE, `||` no column's, CAST looks through to its
    // operand, and a scalar subquery has none; UNION drops duplicates under it.
    let answers = agree(
        "CREATE TABLE t(a TEXT, n TEXT COLLATE NOCASE)
         INSERT INTO t VALUES ('x', 'a'), ('x ', 'A'), ('X', 'b')
         SELECT 'x' UNION SELECT upper(a COLLATE RTRIM) FROM t
         SELECT n || '' FROM t UNION SELECT 'A'
         SELECT CAST(n AS TEXT) FROM t UNION SELECT 'A'
         SELECT CASE WHEN 1 THEN a COLLATE NOCASE END FROM t UNION SELECT 'X'
         SELECT max(a COLLATE NOCASE) FROM t UNION SELECT 'X '
         SELECT min(n) FROM t WHERE a = 'X' UNION SELECT 'B'
         SELECT (SELECT n FROM t LIMIT 1) UNION SELECT 'A'
         SELECT (SELECT n COLLATE NOCASE FROM t LIMIT 1) = 'A'",
    );
    let count = |i: usize| answers[i].0.as_ref().map(Vec::len);
    assert_eq!(count(2), Ok(2));
    assert_eq!(count(3), Ok(3));
    assert_eq!(count(4), Ok(2));
    assert_eq!(count(5), Ok(2));
    assert_eq!(count(6), Ok(1));
    assert_eq!(count(7), Ok(2));
    assert_eq!(count(8), Ok(2));
    assert_eq!(answers[9].0, Ok(vec![vec![Value::Integer(0)]]));
}

#[test]
fn a_compound_read_back_as_a_subquery_sorts_its_reals_not_its_integers() {
    // A UNION whose ORDER BY has a COLLATE runs as `SELECT * FROM (compound) ORDER BY ...`:
    // a REAL column's integers are reals before the sort, so two large integers that round
    // to one real tie on that key and the next key orders them.
    let answers = agree(
        "CREATE TABLE t(a REAL)
         CREATE TABLE u(b INTEGER)
         INSERT INTO t VALUES (1.5)
         INSERT INTO u VALUES (9223372036854774814), (9223372036854774807)
         SELECT a, 0 FROM t UNION SELECT b, b FROM u ORDER BY 1 COLLATE BINARY DESC, 2",
    );
    let big = 9.223_372_036_854_775e18;
    assert_eq!(
        answers[4].0,
        Ok(vec![
            vec![Value::Real(big), Value::Integer(9_223_372_036_854_774_807)],
            vec![Value::Real(big), Value::Integer(9_223_372_036_854_774_814)],
            vec![Value::Real(1.5), Value::Integer(0)],
        ])
    );
}

#[test]
fn text_near_dbl_max_reads_as_sqlite_reads_it() {
    // SQLite 3.46 reads '1.797693134862315708e+308' (quote() of DBL_MAX) as infinity: its
    // `long double` scaling lands just above DBL_MAX, and it compares before it rounds. The
    // same holds for a literal in SQL text.
    let answers = agree(
        "CREATE TABLE t(a REAL, b INTEGER)
         INSERT INTO t VALUES (1.7976931348623157e308, NULL)
         UPDATE t SET b = quote(a)
         SELECT a, b, b > a, CAST(quote(a) AS REAL) = a FROM t
         SELECT 1.797693134862315708e+308, 179769313486231570e291",
    );
    assert_eq!(
        answers[3].0,
        Ok(vec![vec![
            Value::Real(f64::MAX),
            Value::Real(f64::INFINITY),
            Value::Integer(1),
            Value::Integer(0)
        ]])
    );
    assert_eq!(
        answers[4].0,
        Ok(vec![vec![
            Value::Real(f64::INFINITY),
            Value::Real(f64::MAX)
        ]])
    );
}

#[test]
fn a_using_column_of_a_right_or_full_join_means_the_row_that_is_there() {
    // Unqualified, a USING column is the left item's after an inner or LEFT join, the right
    // item's after a RIGHT join and coalesce() of both after a FULL join; `*` and `t.*` name
    // it that way too, and a later USING compares with the coalesce of every earlier item's.
    let answers = agree(
        "CREATE TABLE a(x INTEGER, y INTEGER, p TEXT)
         CREATE TABLE b(x INTEGER, y INTEGER, q TEXT)
         CREATE TABLE c(x TEXT, r TEXT)
         INSERT INTO a VALUES (1, 1, 'a1'), (2, 2, 'a2'), (NULL, 5, 'an')
         INSERT INTO b VALUES (2, 2, 'b2'), (3, 3, 'b3'), (2, 9, 'b29')
         INSERT INTO c VALUES ('2', 'c2'), ('4', 'c4'), ('3', 'c3')
         SELECT * FROM a FULL JOIN b USING (x) ORDER BY x, q
         SELECT x, a.x, b.x FROM a RIGHT JOIN b USING (x) ORDER BY q
         SELECT x FROM a FULL JOIN b USING (x) WHERE x = 3
         SELECT a.*, b.* FROM a FULL JOIN b USING (x) ORDER BY p, q
         SELECT * FROM a NATURAL FULL JOIN b ORDER BY x, y
         SELECT x, count(*) FROM a FULL JOIN b USING (x) GROUP BY x ORDER BY x
         SELECT * FROM a FULL JOIN b USING (x) FULL JOIN c USING (x) ORDER BY x, q
         SELECT * FROM a LEFT JOIN b USING (x) FULL JOIN c USING (x) ORDER BY x, q
         SELECT x FROM a RIGHT JOIN b USING (x) RIGHT JOIN c USING (x) ORDER BY 1
         SELECT * FROM a, b FULL JOIN c USING (x)",
    );
    assert_eq!(
        answers[8].0,
        Ok(vec![vec![Value::Integer(3)]]),
        "x of b's unmatched row 3"
    );
    assert!(answers[15].0.is_err(), "x is in two earlier items");
}

#[test]
fn a_full_scan_reads_a_narrower_covering_index_as_sqlite_does() {
    // SQLite scans a covering index instead of the table when it estimates the index's
    // entries narrower than the rows, so rows (and what aggregates see) come in index order.
    // Of two covering indexes the narrower wins; a partial index, a column the index lacks,
    // an ORDER BY rowid or NOT INDEXED keeps the table scan.
    let answers = agree(
        "CREATE TABLE t(a INTEGER, b TEXT, c VARCHAR(100), d BLOB)
         CREATE INDEX t_ab ON t(a, b)
         CREATE INDEX t_b ON t(b)
         CREATE INDEX t_c ON t(c) WHERE c > ''
         INSERT INTO t VALUES (3, 'x', 'c1', x'01'), (1, 'z', 'c2', x'02'), (2, 'y', 'c3', NULL)
         INSERT INTO t VALUES (NULL, 'w', 'c4', x'04'), (2, 'a', NULL, x'05')
         SELECT group_concat(b) FROM t
         SELECT a, b FROM t
         SELECT rowid, b FROM t
         SELECT b, d FROM t
         SELECT c FROM t
         SELECT b FROM t ORDER BY rowid
         SELECT (SELECT group_concat(a) FROM t), b FROM t WHERE a > 1
         SELECT count(*), total(a) FROM t
         SELECT group_concat(b) FROM t NOT INDEXED
         SELECT a, b FROM t INDEXED BY t_ab",
    );
    assert_ne!(answers[6].0, answers[15].0, "NOT INDEXED scans the table");
    assert_eq!(
        answers[6].0,
        Ok(vec![vec![Value::Text("a,w,x,y,z".into())]]),
        "b in the order of t_b"
    );
}

#[test]
fn an_index_as_wide_as_the_rows_leaves_the_scan_on_the_table() {
    // SQLite counts an index entry as its columns plus the rowid, times four, like a row
    // (`estimateIndexWidth`): an index on the one TEXT column of a table whose other column
    // is its INTEGER PRIMARY KEY is exactly as wide as the rows, so the scan stays on the
    // table. The order is seen by sum(), which fails only when an intermediate sum overflows.
    let answers = agree(
        "CREATE TABLE t(k INTEGER PRIMARY KEY, s TEXT)
         CREATE INDEX t_s ON t(s)
         INSERT INTO t VALUES (9223372036854775000, 'a'), (1000, 'b'), (-9223372036854775000, 'c')
         SELECT k FROM t
         SELECT sum(k) FROM t
         SELECT group_concat(s) FROM t
         SELECT s FROM t",
    );
    assert_eq!(
        answers[4].0,
        Ok(vec![vec![Value::Integer(1000)]]),
        "sum in rowid order"
    );
}
