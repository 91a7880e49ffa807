//! Fixed bugs, against SQLite (rusqlite, bundled): CREATE INDEX on expressions and
//! partial indexes over tables that already hold rows, and others.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::{concur_lines, shell_rows, Pair};

/// Expression and partial indexes build over existing rows, refuse duplicates of a
/// UNIQUE one as SQLite does, and stay consistent through later writes.
#[test]
fn expression_and_partial_indexes_build_over_existing_rows() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a INTEGER, b TEXT, c);
         INSERT INTO t VALUES (1, 'Ab', 10), (2, 'ab', NULL), (3, 'cd', 30), (4, NULL, 40);",
    );
    for step in [
        "CREATE INDEX tl ON t(lower(b))",
        "CREATE INDEX tp ON t(a) WHERE c IS NOT NULL",
        "CREATE INDEX tm ON t(a + c, b COLLATE nocase DESC) WHERE a > 1",
        "CREATE UNIQUE INDEX tu ON t(lower(b))",
        "CREATE UNIQUE INDEX tu2 ON t(a * 2) WHERE b IS NOT NULL",
        "CREATE UNIQUE INDEX tu3 ON t(b) WHERE a > 1",
        "INSERT INTO t VALUES (5, 'EF', 50)",
        "INSERT INTO t VALUES (6, 'ef', 60)",
        "INSERT INTO t VALUES (7, 'ab', 70)",
        "UPDATE t SET b = 'zz' WHERE a = 1",
        "DELETE FROM t WHERE a = 3",
    ] {
        pair.batch(step);
        pair.check_schema();
        pair.check_rows("SELECT * FROM t ORDER BY a");
        pair.check("SELECT a FROM t WHERE lower(b) = 'ab' ORDER BY a");
        pair.check("SELECT a FROM t WHERE c IS NOT NULL AND a > 1 ORDER BY a");
    }
}

/// changes() counts only the rows the statement itself wrote; total_changes() also those
/// its triggers wrote.
#[test]
fn changes_leave_out_trigger_rows_and_total_changes_keeps_them() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b);
         CREATE TABLE log(what, n);
         CREATE TRIGGER ti AFTER INSERT ON t BEGIN
           INSERT INTO log VALUES ('insert', new.a);
           INSERT INTO log VALUES ('again', new.a);
         END;
         CREATE TRIGGER tu BEFORE UPDATE ON t BEGIN UPDATE log SET n = n + 1; END;
         CREATE TRIGGER td AFTER DELETE ON t BEGIN DELETE FROM log WHERE n = old.a; END;",
    );
    for step in [
        "INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')",
        "UPDATE t SET b = 'w' WHERE a < 3",
        "DELETE FROM t WHERE a = 2",
        "INSERT OR REPLACE INTO t VALUES (1, 'r')",
        "UPDATE t SET b = 'none' WHERE a > 100",
    ] {
        pair.setup(step);
        pair.check_rows("SELECT changes(), total_changes(), last_insert_rowid()");
        pair.check_rows("SELECT count(*), sum(n) FROM log");
    }
}

/// A result column without an alias is named by its text as the statement wrote it: case,
/// spaces, comments and literal forms kept (SQLite's `sqlite3ExprListSetSpan`), also through
/// a subquery and a view.
#[test]
fn an_unaliased_result_column_is_named_by_its_written_text() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b);
         INSERT INTO t VALUES (1, 'x');
         CREATE VIEW v AS SELECT a  +  1, cast(b as text), x'0A' FROM t;",
    );
    pair.check_rows(
        "SELECT x'80', 1.50, 'a'  ||  'b', CAST(1 as text), -- c\n a /* c */ + 1 FROM t",
    );
    pair.check_rows("SELECT a, t.b, \"a\", (a), coalesce(a,b)   FROM t");
    pair.check_rows("SELECT * FROM (SELECT a * 2, upper( b ) FROM t)");
    pair.check_rows("SELECT * FROM v");
    pair.check_rows("SELECT a   IS NOT NULL FROM t UNION SELECT 2 ORDER BY 1");
}

/// INDEXED BY leaves a table only the named index, as SQLite's `whereLoopAddBtree` probes
/// nothing else: terms on other indexes or on the rowid filter a scan of it, and an index
/// that does not cover the statement is scanned with a lookup per row. NOT INDEXED leaves the
/// rowid paths. Rows come in the order of the path taken, so the order shows it.
#[test]
fn indexed_by_reads_only_the_named_index() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, c);
         CREATE INDEX ta ON t(a);
         CREATE INDEX tb ON t(b);
         INSERT INTO t VALUES (1, 3, 'z', 1), (2, 1, 'y', 2), (3, 2, 'x', 3), (4, 1, 'w', 4);",
    );
    for query in [
        "SELECT id FROM t INDEXED BY ta",
        "SELECT id, c FROM t INDEXED BY tb WHERE c > 0",
        "SELECT id FROM t INDEXED BY tb WHERE a > 0",
        "SELECT id FROM t INDEXED BY tb WHERE a = 1",
        "SELECT id FROM t INDEXED BY ta WHERE a = 1",
        "SELECT id FROM t INDEXED BY tb WHERE id >= 2",
        "SELECT id FROM t INDEXED BY tb WHERE id IN (1, 3, 4)",
        "SELECT id FROM t INDEXED BY tb WHERE id = 3",
        "SELECT id FROM t NOT INDEXED WHERE a = 1",
        "SELECT id FROM t NOT INDEXED WHERE id = 2",
        "SELECT x.id, y.id FROM t y INDEXED BY tb, t x WHERE x.a = y.a",
    ] {
        pair.check_rows(query);
    }
    pair.batch("UPDATE t INDEXED BY tb SET c = c * 10 WHERE a = 1");
    pair.batch("DELETE FROM t INDEXED BY ta WHERE b > 'x'");
    pair.check_rows("SELECT * FROM t ORDER BY id");
    pair.check_error("SELECT id FROM t INDEXED BY nope");
}

/// UPDATE and DELETE take INDEXED BY and NOT INDEXED as SELECT does, and refuse an index the
/// table does not have.
#[test]
fn update_and_delete_take_index_hints() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b);
         CREATE INDEX ta ON t(a);
         INSERT INTO t VALUES (1, 3, 'z'), (2, 1, 'y'), (3, 2, 'x');",
    );
    for step in [
        "DELETE FROM t INDEXED BY nope",
        "UPDATE t INDEXED BY nope SET a = 1",
        "UPDATE t INDEXED BY ta SET b = b || '!' WHERE a < 3",
        "UPDATE t NOT INDEXED SET a = a + 1 WHERE a = 2",
        "UPDATE t INDEXED BY ta SET b = 'f' FROM (SELECT 1 AS one) WHERE a = one",
        "DELETE FROM t NOT INDEXED WHERE a = 3",
        "DELETE FROM t INDEXED BY ta WHERE id = 1",
    ] {
        pair.batch(step);
        pair.check_rows("SELECT * FROM t ORDER BY id");
    }
}

/// `+x` is not the column x to the planner (SQLite's TK_UPLUS is not a TK_COLUMN): a term on
/// it drives no rowid or index seek, so it compares as written (a REAL equal to a rowid
/// that a seek key would not convert still matches), rows come in scan order, and ORDER BY
/// `+x` sorts instead of reading an index.
#[test]
fn unary_plus_keeps_a_column_from_the_planner() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, c INTEGER);
         CREATE INDEX tc ON t(c);
         INSERT INTO t VALUES (-9223372036854775808, -9.223372036854775808e18, 3),
                              (5, 5.0, 1), (7, 7.5, 2);",
    );
    for query in [
        "SELECT id FROM t WHERE +id = -9.223372036854775808e18",
        "SELECT id FROM t WHERE +c > 0",
        "SELECT id FROM t WHERE +c IN (1, 3)",
        "SELECT id FROM t ORDER BY +c",
        "SELECT id FROM t WHERE c > 0",
        "SELECT a.id, b.id FROM t a, t b WHERE a.r = b.id",
    ] {
        pair.check_rows(query);
    }
    pair.check("SELECT id FROM t WHERE id = -9.223372036854775808e18");
    pair.check("SELECT id FROM t WHERE +c = '1'");
}

/// An AND with the integer literal 0 on either side is 0 as SQLite parses it
/// (`sqlite3ExprAnd`), so names on the other side are never looked up; `0.0`, `-0` and
/// FALSE do not count.
#[test]
fn and_with_literal_zero_is_false_before_names_resolve() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(c0, c1); CREATE TABLE u(c0);
         INSERT INTO t VALUES (1, 2); INSERT INTO u VALUES (1);",
    );
    pair.check_rows(
        "SELECT (nosuch AND 0), (0 AND nosuch), (nosuch AND (0)), (1 AND 0x0), 5 and 00",
    );
    pair.check("SELECT 1 FROM t WHERE nosuch AND 0");
    pair.check_error("SELECT nosuch AND 0.0");
    pair.check_error("SELECT nosuch AND -0");
    pair.check_error("SELECT nosuch AND FALSE");
    pair.check("SELECT * FROM t JOIN u ON (c0 = 1 AND 0)");
    pair.batch("UPDATE t SET c1 = 3 FROM u AS f WHERE f.rowid = t.rowid AND (c1 <= c0 AND 0)");
    pair.check_rows("SELECT * FROM t");
}

/// A cached statement is compiled again when the catalog changed, also when ROLLBACK TO
/// brought the schema cookie back and later DDL reused it for other contents (the program
/// compiled before would skip or touch indexes that are no longer there).
#[test]
fn a_cached_statement_follows_the_catalog_through_rollback_to() {
    let mut pair = Pair::new();
    pair.setup("CREATE TABLE t(a); CREATE INDEX i1 ON t(a)");
    // `check` prepares through the connection's statement cache.
    for step in [
        "BEGIN",
        "SAVEPOINT s",
        "DROP INDEX i1",
        "INSERT INTO t VALUES (1)",
        "ROLLBACK TO s",
        "CREATE INDEX i2 ON t(a)",
        "INSERT INTO t VALUES (1)",
        "COMMIT",
    ] {
        pair.check(step);
    }
    pair.check_rows("PRAGMA integrity_check");
    pair.check_rows("SELECT a FROM t INDEXED BY i1 WHERE a = 1");
    pair.check_rows("SELECT a FROM t INDEXED BY i2 WHERE a >= 1");
}

/// An operator's value carries an explicit COLLATE of its operands (the left one first), as
/// SQLite's `sqlite3ExprCollSeq` walks the tree, so a CASE whose WHEN holds one compares,
/// sorts and drops duplicates under it.
#[test]
fn a_collate_inside_an_operator_reaches_a_case_value() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b);
         INSERT INTO t VALUES (1, 'x'), (2, 'x '), (3, 'X'), (4, 'y');",
    );
    for query in [
        "SELECT CASE WHEN (a < b COLLATE RTRIM OR 0) THEN b END FROM t EXCEPT SELECT 'y'",
        "SELECT DISTINCT CASE WHEN NOT (b COLLATE NOCASE = 'q') THEN b END FROM t",
        "SELECT CASE WHEN a + (b COLLATE NOCASE) THEN b ELSE b END AS v FROM t ORDER BY v, a",
        "SELECT a FROM t WHERE CASE WHEN a < b COLLATE RTRIM THEN b END = 'x' ORDER BY a",
    ] {
        pair.check_rows(query);
    }
}

/// A correlated subquery seeks by a key that reads the enclosing query's row (fixed while
/// the subquery runs), as SQLite does, instead of scanning: the answers show it where a
/// seek and a comparison differ (a REAL -2^63 names no rowid to a seek, but equals rowid
/// -2^63 to `=`).
#[test]
fn a_correlated_subquery_seeks_by_the_outer_row() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, r, k);
         CREATE TABLE u(id INTEGER PRIMARY KEY, k);
         CREATE INDEX uk ON u(k);
         INSERT INTO t VALUES (1, -9.223372036854775808e18, 'a'), (2, 3.0, 'b'), (3, 4, 'c');
         INSERT INTO u VALUES (-9223372036854775808, 'a'), (3, 'b'), (4, 'b');",
    );
    for query in [
        "SELECT t.id, (SELECT count(*) FROM u WHERE u.id = t.r) FROM t ORDER BY t.id",
        "SELECT t.id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.id = t.r) ORDER BY t.id",
        "SELECT t.id, (SELECT group_concat(u.id) FROM u WHERE u.k = t.k) FROM t ORDER BY t.id",
        "SELECT t.id FROM t WHERE t.r IN (SELECT u.id FROM u WHERE u.k >= t.k) ORDER BY t.id",
    ] {
        pair.check_rows(query);
    }
}

/// Bare columns of an aggregate query come from the row a min() or max() took its value
/// from (the last such call decides; a NULL before any value does not skip), else from the
/// group's first row, as SQLite's `updateAccumulator` captures them.
#[test]
fn bare_columns_come_from_the_min_or_max_row_else_the_first() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE u(k, v, w);
         INSERT INTO u VALUES (1, 'x', NULL), (1, 'y', NULL), (1, 'z', NULL),
                              (2, 'p', 5), (2, 'q', 3), (2, 'r', 3);
         CREATE TABLE t(c1 TEXT COLLATE NOCASE);
         INSERT INTO t VALUES ('a'), ('A'), ('b');",
    );
    for query in [
        "SELECT v, count(*) FROM u",
        "SELECT k, v, min(w) FROM u GROUP BY k ORDER BY k",
        "SELECT k, v, max(w) FROM u GROUP BY k ORDER BY k",
        "SELECT v, min(w) FROM u",
        "SELECT k, v, min(w), max(w) FROM u GROUP BY k ORDER BY k",
        "SELECT k, v, count(*) FROM u GROUP BY k ORDER BY k",
        "SELECT k, v, sum(w) FROM u GROUP BY k ORDER BY k",
        "SELECT k, v, min(w) FILTER (WHERE v > 'p') FROM u GROUP BY k ORDER BY k",
        "SELECT k, v FROM u GROUP BY k HAVING min(w) > 0",
        "SELECT c1, count(*) FROM t GROUP BY 1 ORDER BY 1",
        "SELECT c1, count(*), max(rowid) FROM t GROUP BY 1 ORDER BY 1",
    ] {
        pair.check_rows(query);
    }
}

/// Differential seed 124: `UPDATE t SET c = c` over a text that spills to overflow pages, on
/// a column with a CHECK constraint, keeps the text. The bundled SQLite 3.46.0 stores junk
/// there (its `length(c0)` reads 0 after the update), so the oracle here is the `sqlite3`
/// shell (3.40.1), which keeps the value as concur does.
#[test]
fn setting_a_long_text_to_itself_under_a_check_keeps_it() {
    let setup = "CREATE TABLE t0(c0 BLOB CHECK(c0 IS NULL OR c0 <> 'a '));
                 INSERT INTO t0 VALUES ('x'), (printf('%.*c', 5000, 'a')), (3);";
    let query =
        "SELECT rowid, length(c0), hex(substr(c0, 1, 3)), typeof(c0) FROM t0 ORDER BY rowid";
    for update in [
        "UPDATE t0 SET c0 = c0;",
        "UPDATE t0 SET c0 = c0 COLLATE RTRIM;",
        "UPDATE t0 SET c0 = +c0 WHERE rowid = 2;",
    ] {
        let setup = format!("{setup} {update}");
        let ours = concur_lines(&setup, query);
        assert_eq!(ours, shell_rows(&setup, query), "{update}");
        assert_eq!(ours.unwrap()[1], "2|5000|616161|text", "{update}");
    }
}

/// A function that compares (min, max, nullif, instr, replace) takes the collation of its
/// leftmost argument that has one: a COLLATE, or a column even when it is BINARY, also
/// through unary plus, CAST and parentheses; not one of a later argument.
#[test]
fn a_call_compares_under_the_collation_of_its_leftmost_argument_that_has_one() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(b, n COLLATE NOCASE, r COLLATE RTRIM);
         INSERT INTO t VALUES ('abc', 'abc', 'abc'), ('ABC', 'ABC', 'ABC ');",
    );
    for call in [
        "min('Abc ', n)",
        "max('Abc ', n)",
        "min(b, 'Abc ' COLLATE NOCASE)",
        "min('Abc ', b, n)",
        "min('Abc ', n, b)",
        "min('Abc ', +n)",
        "min('Abc ', CAST(n AS TEXT))",
        "min('Abc ', (n))",
        "min('Abc ', n || '')",
        "min('Abc ' COLLATE BINARY, n)",
        "min('ABC', r)",
        "max('ABC', r, n)",
        "nullif('ABC', n)",
        "nullif(b, n)",
        "instr('xABC', n)",
        "replace('xABC', n, '-')",
    ] {
        pair.check(&format!("SELECT {call} FROM t ORDER BY rowid"));
    }
}

/// A term that a rowid or index equality seek enforces is not tested again per row, as in
/// SQLite: its key is evaluated once (a `random()` key finds its row), and a NULL key finds
/// no row although the index holds NULL entries, on either side of a join.
#[test]
fn a_term_the_seek_enforces_is_evaluated_once_and_a_null_key_finds_nothing() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b TEXT COLLATE NOCASE);
         CREATE INDEX ta ON t(a);
         CREATE INDEX tb ON t(b);
         INSERT INTO t VALUES (1, 0, 'x'), (2, 1, 'Y'), (3, 2, NULL), (4, NULL, 'z'), (5, NULL, NULL);
         CREATE TABLE p(x, y TEXT);
         INSERT INTO p VALUES (NULL, NULL), (1, 'y'), (2, 'Z'), ('1', 'X');",
    );
    // Each key names exactly one row, whatever random() returns.
    for _ in 0..20 {
        pair.check("SELECT count(*) FROM t WHERE id = abs(random()) % 3 + 1");
        pair.check("SELECT count(*) FROM t WHERE a = abs(random()) % 3");
    }
    for query in [
        "SELECT id FROM t WHERE a = NULL",
        "SELECT id FROM t WHERE a = (SELECT NULL)",
        "SELECT id FROM t WHERE a IS NULL ORDER BY id",
        "SELECT id FROM t WHERE b = 'y'",
        "SELECT id FROM t WHERE b = 'Y' COLLATE BINARY",
        "SELECT id FROM t WHERE a = '1'",
        "SELECT id FROM t WHERE a = 1.0",
        "SELECT id FROM t WHERE id = '2'",
        "SELECT id FROM t WHERE id = 2.5",
        "SELECT p.x, t.id FROM p JOIN t ON t.a = p.x ORDER BY 1, 2",
        "SELECT p.x, t.id FROM p LEFT JOIN t ON t.a = p.x ORDER BY 1, 2",
        "SELECT p.x, t.id FROM p LEFT JOIN t ON 1 WHERE t.a = p.x ORDER BY 1, 2",
        "SELECT p.y, t.id FROM p JOIN t ON t.b = p.y ORDER BY 1, 2",
        "SELECT p.y, t.id FROM p LEFT JOIN t ON t.b = p.y ORDER BY 1, 2",
        "SELECT p.x, t.id FROM p JOIN t ON t.id = p.x ORDER BY 1, 2",
        "SELECT p.x, t.id FROM p LEFT JOIN t ON t.id = p.x ORDER BY 1, 2",
    ] {
        pair.check(query);
    }
}

/// A range on a descending index column seeks from its upper bound (the column's largest
/// values come first) and rows arrive in index order, as SQLite visits them; of equally
/// good indexes the newest is taken, as SQLite does, which decides the order an UPDATE
/// meets its rows (and so which row's failure an OR FAIL keeps the changes before).
#[test]
fn a_descending_index_serves_ranges_and_the_newest_equal_index_is_taken() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b NOT NULL);
         CREATE INDEX tu ON t(a);
         CREATE INDEX td ON t(a DESC);
         CREATE INDEX tb ON t(b, a DESC);
         INSERT INTO t VALUES (1, 1), (2, 2), (3, 3), (NULL, 4), ('x', 5), (2.5, 6), (4, 7);",
    );
    for query in [
        "SELECT group_concat(b) FROM t WHERE a < 3",
        "SELECT group_concat(b) FROM t WHERE a <= 3",
        "SELECT group_concat(b) FROM t WHERE a > 1",
        "SELECT group_concat(b) FROM t WHERE a >= 2 AND a < 4",
        "SELECT group_concat(b) FROM t WHERE a > 2 AND a <= 'x'",
        "SELECT group_concat(b) FROM t WHERE a < 'y'",
        "SELECT group_concat(a) FROM t WHERE b = 3 AND a > 2",
        "SELECT group_concat(a) FROM t WHERE b = 7 AND a <= 4",
    ] {
        pair.check(query);
    }
    // The rows in index order, the largest `a` first: the row of 2.5 fails before the rows
    // of 2 and 1 change, so changes() counts none.
    pair.batch("UPDATE OR FAIL t SET b = CASE WHEN a = 2.5 THEN NULL ELSE b + 10 END WHERE a < 3");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT * FROM t ORDER BY rowid");
}

/// A partial index whose condition the terms imply serves the loop, as in SQLite: a seek
/// when a term gives a key, else a full scan of the index (preferred to a scan of the
/// table), which decides the order an UPDATE meets its rows. Terms that do not imply the
/// condition (IS, OR, NOT IN (), a term of another table) leave the table scan.
#[test]
fn a_partial_index_the_terms_imply_serves_seeks_and_scans() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b NOT NULL, c);
         CREATE INDEX tp ON t(b DESC) WHERE a IS NOT NULL;
         CREATE INDEX tq ON t(c) WHERE a NOTNULL AND c IS NOT NULL;
         INSERT INTO t VALUES (1, 5, 1), (NULL, 4, 2), (3, 3, 3), (4, 2, NULL), (NULL, 1, 5), (2, 6, 6);
         CREATE TABLE u(x);
         INSERT INTO u VALUES (1), (NULL), (3);",
    );
    for query in [
        "SELECT group_concat(rowid) FROM t WHERE a",
        "SELECT group_concat(rowid) FROM t WHERE NOT a",
        "SELECT group_concat(rowid) FROM t WHERE a > 1",
        "SELECT group_concat(rowid) FROM t WHERE a + 1 > 2 AND b > 2",
        "SELECT group_concat(rowid) FROM t WHERE a BETWEEN 1 AND 3",
        "SELECT group_concat(rowid) FROM t WHERE a IN (1, 3, 4)",
        "SELECT group_concat(rowid) FROM t WHERE a NOT IN ()",
        "SELECT group_concat(rowid) FROM t WHERE a IS 3",
        "SELECT group_concat(rowid) FROM t WHERE a > 1 OR b = 4",
        "SELECT group_concat(rowid) FROM t WHERE a = 1 AND c > 0",
        "SELECT group_concat(rowid) FROM t WHERE c > 0 AND a < 9",
        "SELECT group_concat(t.rowid) FROM u JOIN t ON t.a = u.x",
        "SELECT group_concat(t.rowid) FROM u LEFT JOIN t ON t.a = u.x",
        "SELECT count(*), sum(t.rowid) FROM u LEFT JOIN t ON 1 WHERE t.a > 0",
    ] {
        pair.check(query);
    }
    // The scan of tp meets b = 6, 5, 3, 2 in that order: the row of a = 3 (b = 3) fails
    // after two rows changed and before the row of b = 2 does.
    pair.batch("UPDATE OR FAIL t SET b = CASE WHEN a = 3 THEN NULL ELSE b + 10 END WHERE a > 0");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT * FROM t ORDER BY rowid");
}

/// A partial index also serves a loop whose terms state its condition, as SQLite's
/// `sqlite3ExprImpliesExpr` finds: a term that is the condition's part itself (however the
/// table is named, and commuted when the column is on the right), or one side of a part
/// that is an OR. A different constant, operator, collation or class of literal is not the
/// same term; loops left of a RIGHT JOIN do not count. The index's order shows in
/// `group_concat`.
#[test]
fn a_partial_index_serves_terms_that_state_its_condition() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b INTEGER, c TEXT COLLATE NOCASE);
         CREATE INDEX tb ON t(a) WHERE b > 5;
         CREATE INDEX tc ON t(a DESC) WHERE c = 'x' OR c = 'y';
         CREATE INDEX tl ON t(b) WHERE lower(c) LIKE 'z%' AND a IS NOT NULL;
         INSERT INTO t VALUES (9, 6, 'x'), (7, 9, 'X'), (8, 1, 'y'), (2, 2, 'za'), (5, 7, 'Zb'),
                              (1, 8, 'x'), (6, 3, 'zc'), (4, 10, 'y');
         CREATE TABLE u(v);
         INSERT INTO u VALUES (1), (4), (9);",
    );
    for query in [
        "SELECT group_concat(rowid) FROM t WHERE b > 5",
        "SELECT group_concat(rowid) FROM t WHERE 5 < b",
        "SELECT group_concat(t.rowid) FROM t WHERE t.b > 5 AND a > 2",
        "SELECT group_concat(q.rowid) FROM t AS q WHERE q.b > 5",
        "SELECT group_concat(rowid) FROM t WHERE a = 7 AND b > 5",
        "SELECT group_concat(rowid) FROM t WHERE c = 'x'",
        "SELECT group_concat(rowid) FROM t WHERE c = 'y' AND b < 9",
        "SELECT group_concat(rowid) FROM t WHERE lower(c) LIKE 'z%' AND a > 0",
        // Not the condition: another constant, operator, class or collation.
        "SELECT group_concat(rowid) FROM t WHERE b > 6",
        "SELECT group_concat(rowid) FROM t WHERE b >= 5",
        "SELECT group_concat(rowid) FROM t WHERE b > 5.0",
        "SELECT group_concat(rowid) FROM t WHERE c = 'x' COLLATE BINARY",
        "SELECT group_concat(rowid) FROM t WHERE lower(c) LIKE 'z%'",
        // Joins.
        "SELECT group_concat(t.rowid) FROM u CROSS JOIN t ON t.b > 5 AND t.a > u.v",
        "SELECT group_concat(t.rowid) FROM u LEFT JOIN t ON t.b > 5 AND t.a > u.v",
        "SELECT group_concat(t.rowid), group_concat(u.v) FROM t RIGHT JOIN u ON t.b > 5 AND t.a = u.v",
    ] {
        pair.check(query);
    }
    // The index's order decides which row an UPDATE OR FAIL stops on.
    pair.batch("UPDATE OR FAIL t SET a = CASE WHEN a = 7 THEN NULL ELSE a + 20 END WHERE b > 5");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT * FROM t ORDER BY rowid");
}

/// NOCASE compares texts up to the first NUL, then only by length, as SQLite's
/// `sqlite3StrNICmp` stops there: `'0.0' || char(0) || 'A'` equals `'0.0' || char(0, 0)`
/// (differential memory seed 995), in comparisons, sorting, grouping, DISTINCT and indexes.
#[test]
fn nocase_compares_texts_up_to_their_first_nul() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(s TEXT COLLATE NOCASE, n);
         CREATE INDEX ts ON t(s);
         INSERT INTO t VALUES ('0.0' || char(0) || 'A', 1), ('0.0' || char(0, 0), 2), ('0.0' || char(0), 3),
                              ('0.0', 4), ('0.0' || char(0) || 'b', 5), ('0.0A', 6), ('0.0a' || char(0) || 'z', 7);",
    );
    for query in [
        "SELECT group_concat(n) FROM (SELECT n FROM t ORDER BY s, n)",
        "SELECT group_concat(n) FROM (SELECT n FROM t ORDER BY s DESC, n)",
        "SELECT count(*) FROM (SELECT DISTINCT s FROM t)",
        "SELECT count(DISTINCT s) FROM t",
        "SELECT group_concat(c) FROM (SELECT count(*) AS c FROM t GROUP BY s ORDER BY min(n))",
        "SELECT group_concat(n) FROM t WHERE s = '0.0' || char(0) || 'Q'",
        "SELECT group_concat(n) FROM t WHERE s > '0.0' || char(0) ORDER BY n",
        "SELECT group_concat(a.n || '=' || b.n) FROM t AS a JOIN t AS b ON a.s = b.s AND a.n < b.n",
    ] {
        pair.check(query);
    }
}

/// Of two partial indexes the terms imply, a full scan takes the one whose entries SQLite
/// estimates narrower from the declared types (its scan costs `15 * szIdxRow / szTabRow`),
/// whatever their column counts or ages; only among equally wide ones the newest. The
/// index's order shows in `group_concat` and in the row an UPDATE OR IGNORE changes first
/// (differential memory seed 955).
#[test]
fn a_partial_index_scan_takes_the_narrowest_implied_index() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a INTEGER, b TEXT, c INTEGER, d BIGINT, e VARCHAR(100) UNIQUE);
         CREATE INDEX narrow ON t(c, d) WHERE a IS NOT NULL;
         CREATE INDEX wide ON t(b, e) WHERE a IS NOT NULL;
         CREATE INDEX wider ON t(e) WHERE a IS NOT NULL;
         INSERT INTO t VALUES (1, 'b', 30, 1, 'x'), (2, 'c', 10, 1, 'y'), (NULL, 'a', 20, 1, 'z'),
                              (4, 'a', 40, 1, 'w'), (5, 'd', 0, 1, 'v');",
    );
    for query in [
        "SELECT group_concat(rowid) FROM t WHERE a > 0",
        "SELECT group_concat(rowid) FROM t WHERE a IS NOT NULL",
        "SELECT group_concat(e) FROM t WHERE a + 1 > 0",
    ] {
        pair.check(query);
    }
    pair.batch("UPDATE OR IGNORE t SET e = 'same' WHERE a > 0");
    pair.check_rows("SELECT * FROM t ORDER BY rowid");
}

/// `rowid IN (SELECT ...)` looks each distinct value up, as SQLite's plan does: a value
/// names a rowid only where SQLite's `OP_SeekRowid` would take it for one, so a REAL of
/// -2^63 finds no row (a comparison would call it equal to i64::MIN), and '3', 3 and 3.0
/// find their row once. Writes through such a WHERE meet the same rows.
#[test]
fn a_rowid_in_subquery_looks_up_each_distinct_value() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(v);
         INSERT INTO t(rowid, v) VALUES (-9223372036854775808, 'min'), (3, 'three'), (4, 'four'),
                                        (4503599627370496, 'big');
         CREATE TABLE s(k, w);
         INSERT INTO s VALUES (-9223372036854775808.0, 1), (3.0, 5), (4.5, 7), ('4', 8), ('3', 9),
                              (3, 1), (NULL, 2), ('x', 3), (4503599627370496.0, 4);",
    );
    for query in [
        "SELECT group_concat(rowid || ':' || v, ' ') FROM t WHERE rowid IN (SELECT k FROM s)",
        "SELECT group_concat(v) FROM t AS x WHERE x.rowid IN (SELECT k FROM s WHERE k <= w)",
        "SELECT group_concat(v) FROM t WHERE rowid IN (SELECT k FROM s WHERE 0)",
        "SELECT group_concat(v) FROM t WHERE rowid IN (SELECT k FROM s) AND v > 'm'",
        "SELECT count(*) FROM t AS a JOIN t AS b ON b.rowid IN (SELECT k FROM s)",
        // On a LEFT JOIN's right side a WHERE term still tests the NULL row.
        "SELECT count(*) FROM s LEFT JOIN t ON t.v > s.w WHERE t.rowid IN (SELECT k FROM s WHERE 0)",
        "SELECT count(*) FROM s LEFT JOIN t ON t.rowid IN (SELECT k FROM s WHERE 0)",
        "SELECT group_concat(t.v) FROM s LEFT JOIN t ON t.rowid IN (SELECT k FROM s) AND s.w = 5",
        "SELECT group_concat(v) FROM t WHERE rowid NOT IN (SELECT k FROM s WHERE k IS NOT NULL)",
    ] {
        pair.check(query);
    }
    pair.batch("UPDATE t SET v = v || '!' WHERE rowid IN (SELECT k FROM s)");
    pair.check("SELECT changes()");
    pair.batch("DELETE FROM t WHERE rowid IN (SELECT k FROM s WHERE w > 4)");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT rowid, v FROM t ORDER BY rowid");
}

/// The REAL -2^63 equals the integer i64::MIN when the two are compared, but SQLite's rowid
/// lookup takes no REAL at or beyond ±2^63 for a rowid and finds nothing: which one a query
/// meets depends on its plan. concur answers as SQLite does for each plan, where both pick
/// the same plan. (The differential generator deletes a row at rowid i64::MIN again at once,
/// as SQLite's plan is not concur's in every join; see `Generator::rowid_cleanup`.)
#[test]
fn a_real_of_minus_two_to_the_63_meets_rowid_i64_min_only_when_compared() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(v);
         INSERT INTO t(rowid, v) VALUES (-9223372036854775808, 'min'), (-9223372036854775807, 'next'),
                                        (1, 'one');
         CREATE TABLE s(k);
         INSERT INTO s VALUES (-9.2233720368547758e18);",
    );
    for query in [
        // Looked up: nothing.
        "SELECT count(*) FROM t WHERE rowid = -9.2233720368547758e18",
        "SELECT count(*) FROM t WHERE rowid IN (-9.2233720368547758e18, 1)",
        "SELECT count(*) FROM t WHERE rowid = (SELECT k FROM s)",
        // Compared: equal.
        "SELECT count(*) FROM t WHERE +rowid = -9.2233720368547758e18",
        "SELECT count(*) FROM t WHERE rowid + 0 = -9.2233720368547758e18",
        "SELECT count(*) FROM t WHERE rowid = -9.2233720368547758e18 OR v = 'none'",
        "SELECT group_concat(v) FROM t WHERE rowid <= -9.2233720368547758e18",
        "SELECT group_concat(v) FROM t WHERE rowid > -9.2233720368547758e18",
        "SELECT group_concat(v) FROM t WHERE rowid BETWEEN -9.2233720368547758e18 AND 0",
    ] {
        pair.check(query);
    }
}

/// `column IS NULL` and `column IS x` seek an index as an equality does, finding the NULL
/// entries when the key is NULL, as SQLite's WO_IS and WO_ISNULL terms do; a WHERE term on
/// the right of a LEFT JOIN does not (it also tests the NULL row). Rows come in the order of
/// the index SQLite picks, which decides which row an UPDATE OR IGNORE reaches first.
#[test]
fn is_and_is_null_terms_seek_an_index_in_its_order() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a, b, c, UNIQUE(b, c));
         CREATE INDEX ta ON t(a COLLATE NOCASE);
         INSERT INTO t(rowid, a, b, c) VALUES (1, 'x', NULL, 9), (2, NULL, NULL, NULL), (3, 'X', 2, 1),
                                              (4, NULL, NULL, 3), (5, 'y', 2, NULL), (6, NULL, 7, 0);
         CREATE TABLE s(x);
         INSERT INTO s VALUES (NULL), (2), (5);
         CREATE TABLE u(k PRIMARY KEY, b, c, UNIQUE(b, c));
         INSERT INTO u(rowid, k, b, c) VALUES (1, NULL, NULL, 5), (2, NULL, NULL, NULL), (3, NULL, NULL, 1);",
    );
    for query in [
        "SELECT rowid FROM t WHERE b IS NULL",
        "SELECT rowid FROM t WHERE b IS NULL AND c IS NULL",
        "SELECT rowid FROM t WHERE b IS NULL AND c = 3",
        "SELECT rowid FROM t WHERE b IS 2",
        "SELECT rowid FROM t WHERE b IS (SELECT NULL)",
        "SELECT rowid FROM t WHERE a IS NULL",
        "SELECT rowid FROM t WHERE a IS 'X'",
        "SELECT rowid FROM t WHERE a COLLATE NOCASE IS 'X'",
        "SELECT s.x, t.rowid FROM s JOIN t ON t.b IS s.x",
        "SELECT s.x, t.rowid FROM s LEFT JOIN t ON t.b IS s.x",
        "SELECT s.x, t.rowid FROM s LEFT JOIN t ON t.c = s.x WHERE t.b IS NULL",
    ] {
        pair.check(query);
    }
    pair.batch("UPDATE OR IGNORE u SET k = 'key' WHERE b IS NULL");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT rowid, k FROM u ORDER BY rowid");
}

/// The scan that finds an UPDATE's or DELETE's rows reads a rowid range through an index on
/// the rowid alias when SQLite's planner would: the index holds every column the WHERE
/// clause reads and is narrower than the table. The rows then come in that index's order,
/// which decides where OR FAIL stops and which row OR IGNORE keeps.
#[test]
fn a_rowid_range_of_an_update_reads_a_narrower_index_on_the_rowid_alias_in_its_order() {
    let mut pair = Pair::new();
    let setup = "CREATE TABLE t(c0 INTEGER PRIMARY KEY, c1, c2 TEXT, c3 UNIQUE);
         CREATE UNIQUE INDEX t_desc ON t(c0 DESC);
         INSERT INTO t VALUES (1, 1, 'a', 10), (2, 2, 'b', 20), (3, 3, 'c', 30), (4, 4, 'd', 40),
                              (5, 5, 'e', 50);
         CREATE TABLE w(c0 INTEGER PRIMARY KEY, c1 UNIQUE);
         CREATE INDEX w_both ON w(c0, c1);
         INSERT INTO w VALUES (1, 1), (2, 2), (3, 3);";
    pair.setup(setup);
    // OR FAIL keeps the rows updated before the failing one: from the top in index order.
    for (statement, check) in [
        (
            "UPDATE OR FAIL t SET c3 = 99 WHERE rowid BETWEEN 2 AND 4",
            "SELECT c0, c3 FROM t ORDER BY c0",
        ),
        (
            "UPDATE OR FAIL t SET c3 = c1 + 100 WHERE rowid > 1 AND c0 < 5",
            "SELECT c0, c3 FROM t ORDER BY c0",
        ),
        (
            "UPDATE OR IGNORE t SET c3 = 7 WHERE rowid >= 2",
            "SELECT c0, c3 FROM t ORDER BY c0",
        ),
        // The WHERE clause reads c2, which the index lacks: the table's rowid range, in
        // rowid order.
        (
            "UPDATE OR FAIL t SET c3 = 98 WHERE rowid > 1 AND c2 <> 'z'",
            "SELECT c0, c3 FROM t ORDER BY c0",
        ),
        // An index as wide as the table: the rowid range again.
        (
            "UPDATE OR FAIL w SET c1 = 9 WHERE rowid > 1",
            "SELECT c0, c1 FROM w ORDER BY c0",
        ),
    ] {
        pair.batch(statement);
        pair.check("SELECT changes()");
        pair.check_rows(check);
    }
}

/// `x IN (SELECT ...)` of an uncorrelated subquery probes its values in order (a binary
/// search of them under the comparison's affinity and collation, built once per run of the
/// subquery) and answers as SQLite does: NULL when it finds nothing and the values hold a
/// NULL, or when `x` is NULL; a correlated subquery is searched row by row as it runs again.
#[test]
fn an_in_subquery_probes_its_values_as_sqlite_compares_them() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(i INTEGER, s TEXT COLLATE NOCASE, r REAL, b BLOB, n);
         INSERT INTO t VALUES (1, 'a', 1.5, x'01', NULL), (2, 'B', 2.0, x'02', 3), (NULL, NULL, NULL, NULL, 'x'),
                              (3, 'c ', -0.0, x'', 2.0), (10, '10', 10.0, '10', '10');
         CREATE TABLE u(v, k);
         INSERT INTO u VALUES (1, 1), ('2', 1), ('b', 2), (2.0, 2), (NULL, 3), (x'01', 3), ('10', 4), (0, 4);
         CREATE TABLE w(v);
         INSERT INTO w VALUES (2), ('A'), ('c'), (10);",
    );
    for query in [
        "SELECT group_concat(coalesce(i IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(i NOT IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(i IN (SELECT v FROM w), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(s IN (SELECT v FROM w), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(s IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(r IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(b IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(n IN (SELECT v FROM u), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(n IN (SELECT CAST(v AS TEXT) FROM w), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(s IN (SELECT v COLLATE BINARY FROM w), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(i IN (SELECT v FROM u WHERE 0), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(i IN (SELECT v FROM u WHERE u.k = t.i), 'null'), ' ') FROM t",
        "SELECT group_concat(coalesce(n NOT IN (SELECT v FROM u WHERE u.k > t.i), 'null'), ' ') FROM t",
        "SELECT count(*) FROM t WHERE i IN (SELECT v FROM u) OR s IN (SELECT v FROM w)",
        "SELECT (SELECT count(*) FROM u WHERE u.v IN (SELECT v FROM w) AND u.k <= t.i) FROM t",
    ] {
        pair.check(query);
    }
}

/// An OR of equalities on one column seeks each distinct value, as SQLite's rewrite of it
/// into an IN list does (`exprAnalyzeOrTerm`): the rows come in the order of the values,
/// once each, and a REAL of -2^63 finds no rowid. Equalities under another collation than
/// the index's, or mixed with other terms, leave the OR a filter.
#[test]
fn an_or_of_equalities_on_one_column_seeks_like_an_in_list() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c TEXT COLLATE NOCASE);
         CREATE INDEX tb ON t(b);
         CREATE INDEX tc ON t(c);
         INSERT INTO t VALUES (-9223372036854775808, 5, 'x'), (1, 3, 'A'), (2, 1, 'a'), (3, 3, 'b'),
                              (4, '3', 'B'), (5, 2.0, 'c');",
    );
    for query in [
        "SELECT group_concat(a) FROM t WHERE a = 3 OR a = 1",
        "SELECT group_concat(a) FROM t WHERE a = 3 OR 1 = a OR a = 3 OR a = '2'",
        "SELECT group_concat(a) FROM t WHERE a = -9.2233720368547758e18 OR a = 2",
        "SELECT group_concat(a) FROM t WHERE b = 3 OR b = 2",
        "SELECT group_concat(a) FROM t WHERE b = '3' OR b = 1",
        "SELECT group_concat(a) FROM t WHERE c = 'a' OR c = 'B'",
        "SELECT group_concat(a) FROM t WHERE c = 'a' OR b = 3",
        "SELECT group_concat(a) FROM t WHERE a = NULL OR a = 4",
        "SELECT group_concat(a) FROM t WHERE (a = 5 OR a = 2) AND b > 1",
    ] {
        pair.check(query);
    }
}

/// The rowid, also under its INTEGER PRIMARY KEY name, has no collation (it is no column to
/// SQLite): a compound, a call or a comparison takes the other operand's.
#[test]
fn the_rowid_has_no_collation_of_its_own() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE a(x); INSERT INTO a VALUES (1), (2);
         CREATE TABLE b(y COLLATE NOCASE); INSERT INTO b VALUES ('A'), ('a'), ('B');
         CREATE TABLE c(id INTEGER PRIMARY KEY COLLATE NOCASE, v);
         INSERT INTO c VALUES (1, 'A'), (2, 'b');",
    );
    for query in [
        "SELECT count(*) FROM (SELECT rowid FROM a UNION SELECT y FROM b)",
        "SELECT count(*) FROM (SELECT x FROM a UNION SELECT y FROM b)",
        "SELECT count(*) FROM (SELECT id FROM c UNION SELECT y FROM b)",
        "SELECT count(*) FROM (SELECT c.rowid FROM c UNION SELECT y FROM b)",
        "SELECT min(rowid, y) FROM b ORDER BY 1",
        "SELECT max('a', id, v) FROM c ORDER BY 1",
    ] {
        pair.check(query);
    }
}

/// A column of a compound subquery takes the affinity of its leftmost arm that has one, as
/// SQLite 3.46 does (a first arm of literals no longer leaves it without), so a REAL arm
/// makes the literals' integers reals when they are read back; another arm's text or
/// numbers still make it BLOB.
#[test]
fn a_compound_column_takes_the_affinity_of_its_leftmost_arm_that_has_one() {
    let mut pair = Pair::new();
    pair.setup("CREATE TABLE t(r REAL, i INTEGER, s TEXT); INSERT INTO t VALUES (2.5, 3, 'x');");
    for query in [
        "SELECT typeof(b), b FROM (SELECT 5 AS b UNION SELECT r FROM t) ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT 5 AS b UNION ALL SELECT r FROM t) ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT 5 AS b UNION SELECT i FROM t UNION SELECT r FROM t) ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT 5 AS b UNION SELECT s FROM t UNION SELECT r FROM t) ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT '5' AS b UNION SELECT 7 UNION SELECT r FROM t) ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT 7 AS b UNION SELECT r FROM t UNION SELECT 's') ORDER BY 2",
        "SELECT typeof(b), b FROM (SELECT 7 AS b UNION SELECT CAST(r AS REAL) FROM t) ORDER BY 2",
        "SELECT 1, 5 FROM t UNION SELECT 'x', r FROM t ORDER BY 2 COLLATE RTRIM",
        "SELECT 1, 5 FROM t UNION SELECT 'x', r FROM t ORDER BY 1 COLLATE RTRIM",
    ] {
        pair.check_rows(query);
    }
}

/// An upsert whose row collides with one existing row on both the rowid and the target
/// UNIQUE column takes its ON CONFLICT action (the target is checked first, as SQLite
/// defers the rowid check), instead of failing on the rowid.
#[test]
fn an_upsert_colliding_on_the_rowid_and_its_target_takes_its_action() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, u UNIQUE, v);
         INSERT INTO t VALUES (8, 3, 'a'), (9, 4, 'b');",
    );
    for step in [
        "INSERT INTO t VALUES (8, 3, 'c') ON CONFLICT(u) DO UPDATE SET v = excluded.v",
        "INSERT INTO t VALUES (8, 3, 'd') ON CONFLICT(u) DO NOTHING",
        "INSERT INTO t VALUES (8, 3, 'e') ON CONFLICT(u) DO UPDATE SET id = 11",
        "INSERT INTO t VALUES (9, 4, 'f') ON CONFLICT(u) DO UPDATE SET id = x'c3bf'",
        "INSERT INTO t VALUES (9, 3, 'g') ON CONFLICT(u) DO UPDATE SET v = 'h'",
        "INSERT OR REPLACE INTO t VALUES (9, 4, 'i')",
    ] {
        pair.batch(step);
        pair.check_rows("SELECT * FROM t ORDER BY id");
    }
}

/// An ON CONFLICT target without COLLATE names the newest UNIQUE index over its columns,
/// whatever its collation, as SQLite walks its index list newest first; conflicts on the
/// other indexes take the statement's resolution (REPLACE here).
#[test]
fn an_upsert_target_names_the_newest_matching_unique_index() {
    for order in [
        "CREATE UNIQUE INDEX ia ON t(c COLLATE RTRIM); CREATE UNIQUE INDEX ib ON t(c);",
        "CREATE UNIQUE INDEX ib ON t(c); CREATE UNIQUE INDEX ia ON t(c COLLATE RTRIM);",
    ] {
        let mut pair = Pair::new();
        pair.setup(&format!(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, c TEXT); {order}
             INSERT INTO t VALUES (1, ' '), (2, 'a');"
        ));
        pair.batch("INSERT OR REPLACE INTO t VALUES (5, '  ') ON CONFLICT(c) DO NOTHING");
        pair.check("SELECT changes()");
        pair.check_rows("SELECT * FROM t ORDER BY id");
        pair.batch("INSERT OR REPLACE INTO t VALUES (6, 'a ') ON CONFLICT(c) DO UPDATE SET id = 7");
        pair.check_rows("SELECT * FROM t ORDER BY id");
    }
}

/// UPDATE ... FROM updates each target row once, with the last of the joined rows that
/// match it, and meets the target rows in rowid order (SQLite collects them in an
/// ephemeral table keyed by the rowid): so changes() counts rows, not matches, and an
/// UPDATE OR FAIL stops at the same row (seed 392).
#[test]
fn update_from_writes_each_row_once_in_rowid_order() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, u UNIQUE, v);
         INSERT INTO t VALUES (5, 50, 'a'), (11, 110, 'b'), (13, 130, 'c');
         CREATE TABLE s(k INTEGER PRIMARY KEY, x);
         INSERT INTO s VALUES (13, 'p'), (11, 'q'), (5, 'r'), (12, 's');",
    );
    for step in [
        // Two FROM rows for every target row: the last one (in join order) wins.
        "UPDATE t SET v = s.x FROM s WHERE s.k > 10",
        // The join meets 13, 11, 5; rowid order stops at 11, after 5 was written.
        "UPDATE OR FAIL t SET u = 7 FROM s WHERE s.k = t.id",
    ] {
        pair.batch(step);
        pair.check("SELECT changes()");
        pair.check_rows("SELECT * FROM t ORDER BY id");
    }
}

/// An UPDATE that SQLite runs in one pass meets its rows in the order of the index its
/// WHERE scans, so OR IGNORE keeps the first row of that order, not the lowest rowid
/// (seed 88).
#[test]
fn a_one_pass_update_meets_rows_in_index_order() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, u UNIQUE, k);
         CREATE INDEX tk ON t(k);
         INSERT INTO t VALUES (6, 60, 5), (12, 120, 1), (14, 140, 26);",
    );
    pair.batch("UPDATE OR IGNORE t SET u = 7 WHERE k BETWEEN 0 AND 30");
    pair.check("SELECT changes()");
    pair.check_rows("SELECT * FROM t ORDER BY id");
}

/// RETURNING makes SQLite's UPDATE collect its rows first (it codes RETURNING as a trigger,
/// which rules out the one-pass update), so the rows are met in rowid order and an
/// UPDATE OR FAIL stops on the same row and constraint as SQLite's (seed 326).
#[test]
fn an_update_with_returning_meets_rows_in_rowid_order() {
    for returning in ["", " RETURNING rowid"] {
        let mut pair = Pair::new();
        pair.setup(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, u UNIQUE, k);
             CREATE INDEX tk ON t(k);
             INSERT INTO t VALUES (6, 60, 5), (12, 120, 1), (14, 140, 26);",
        );
        let message = pair.batch(&format!(
            "UPDATE OR FAIL t SET u = 7 WHERE k BETWEEN 0 AND 30{returning}"
        ));
        assert!(message.is_some(), "the second row must collide");
        pair.check("SELECT changes()");
        pair.check_rows("SELECT * FROM t ORDER BY id");
    }
}

/// A function's value takes the collation of its leftmost argument with an explicit
/// COLLATE, even when an earlier argument is a column with its own collation (SQLite's
/// `sqlite3ExprCollSeq` follows the first argument marked `EP_Collate`); so GROUP BY,
/// ORDER BY and comparisons of the call use it (seed 466).
#[test]
fn a_call_carries_the_collation_of_its_first_explicit_collate() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(c COLLATE RTRIM, k);
         INSERT INTO t VALUES ('a', 1), ('a ', 2), ('A', 3), (NULL, 4);",
    );
    pair.check_rows("SELECT coalesce(c, c COLLATE NOCASE), count(*) FROM t GROUP BY 1 ORDER BY 1");
    pair.check_rows("SELECT k, coalesce(c, k COLLATE NOCASE) = 'A' FROM t ORDER BY k");
    pair.check_rows("SELECT k FROM t ORDER BY coalesce(c, c COLLATE NOCASE), k");
    // Without an explicit COLLATE the call's value is BINARY.
    pair.check_rows("SELECT coalesce(c, k), count(*) FROM t GROUP BY 1 ORDER BY 1");
}

/// `excluded.*` holds the proposed row as SQLite holds it when it finds the conflict: the
/// columns' affinities are applied before the CHECK constraints and the first UNIQUE index,
/// but not before the rowid's check (seed 177).
#[test]
fn excluded_values_have_the_affinities_applied_before_the_failing_check() {
    for (schema, conflict) in [
        (
            "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, u UNIQUE)",
            "id",
        ),
        (
            "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL CHECK(r IS NOT 'x'), u UNIQUE)",
            "id",
        ),
        (
            "CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, u UNIQUE)",
            "u",
        ),
    ] {
        let mut pair = Pair::new();
        pair.setup(&format!("{schema}; INSERT INTO t VALUES (31, 18.25, 1);"));
        pair.batch(&format!(
            "INSERT INTO t VALUES (31, '7.0', 1) ON CONFLICT({conflict}) \
             DO UPDATE SET r = min(excluded.r, r), u = typeof(excluded.r)"
        ));
        pair.check_rows("SELECT id, r, typeof(r), u FROM t");
    }
}

/// An IN list that seeks an index meets each row once, even when two of its values are
/// equal under the index's collation (seed 481).
#[test]
fn an_in_list_seek_drops_values_equal_under_the_index_collation() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE t(c COLLATE NOCASE, d COLLATE RTRIM, e);
         CREATE INDEX tc ON t(c); CREATE INDEX td ON t(d); CREATE INDEX te ON t(e);
         INSERT INTO t VALUES ('ABC', 'a', 'x'), ('b', 'b ', 'X'), ('abc', 'c', 'y');",
    );
    pair.check_rows("SELECT rowid FROM t WHERE c IN ('ABC', 'abc', 'Abc') ORDER BY 1");
    pair.check_rows("SELECT count(*) FROM t WHERE d IN ('b', 'b ', 'b  ')");
    pair.check_rows("SELECT rowid FROM t WHERE e IN ('x', 'X', 'x') ORDER BY 1");
}
