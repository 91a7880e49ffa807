//! ALTER TABLE RENAME COLUMN and DROP COLUMN against SQLite (rusqlite, bundled): the
//! stored CREATE texts in sqlite_schema must be byte for byte SQLite's, the rows must read
//! back the same, and refused statements must fail with SQLite's message.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::Pair;

/// A schema whose objects all name column `b` of `t`.
const SCHEMA: &str = "
    CREATE TABLE t(a INTEGER PRIMARY KEY, \"b\" TEXT UNIQUE CHECK(b <> 'x'), c UNIQUE,
                   d REFERENCES t(b), e, f, CONSTRAINT ck CHECK (e > 0 AND t.e < 100));
    CREATE INDEX ti ON t(e, b COLLATE nocase) WHERE b > 'a';
    CREATE TABLE u(x REFERENCES t(b), y, b);
    CREATE VIEW v AS SELECT t.b, t.e AS ee, q.b AS qb FROM t, t AS q;
    CREATE VIEW w AS SELECT b FROM u;
    CREATE VIEW w2 AS SELECT t.b, u.b FROM t, u WHERE t.b = u.b;
    CREATE VIEW w3 AS SELECT b, e FROM t WHERE b > 1 ORDER BY b;
    CREATE TRIGGER tr AFTER UPDATE OF b ON t WHEN new.b <> 'q' BEGIN
      INSERT INTO u VALUES (new.b, old.e, 1);
      UPDATE t SET b = b || 'z' WHERE b = 'none';
    END;
    INSERT INTO t VALUES (1, 'p', 2, NULL, 5, 6), (2, 'r', 3, 'p', 7, 8);
    INSERT INTO u VALUES ('p', 1, 'p');
";

/// Every object that names the column is rewritten, token by token, as SQLite does.
#[test]
fn rename_column_rewrites_every_object_as_sqlite() {
    let mut pair = Pair::new();
    pair.setup(SCHEMA);
    for step in [
        "ALTER TABLE t RENAME COLUMN b TO bee",
        "ALTER TABLE t RENAME bee TO \"select\"",
        "ALTER TABLE t RENAME COLUMN \"select\" TO [Mixed Case]",
        "ALTER TABLE t RENAME COLUMN \"MIXED CASE\" TO plain",
        "ALTER TABLE u RENAME COLUMN b TO ub",
        "ALTER TABLE t RENAME COLUMN e TO `ee2`",
    ] {
        assert_eq!(pair.batch(step), None, "{step}");
        pair.check_schema();
    }
    pair.check_rows("SELECT * FROM t ORDER BY a");
    pair.check_rows("SELECT * FROM v ORDER BY 1, 2, 3");
    pair.check_rows("SELECT * FROM w3");
    // The renamed objects still work: the trigger fires, the index is used and kept.
    pair.setup("UPDATE t SET plain = 'y' WHERE a = 2");
    pair.check_rows("SELECT * FROM t ORDER BY a");
    pair.check_rows("SELECT * FROM u ORDER BY 1, 2, 3");
    pair.check_rows("SELECT a FROM t WHERE ee2 = 7 AND plain > 'a'");
    pair.check("PRAGMA integrity_check");
}

/// Spacing, comments and quoting styles survive a rename.
#[test]
fn rename_keeps_the_text_around_the_name() {
    let mut pair = Pair::new();
    pair.setup(
        "CREATE TABLE s(  [k] INT /* key */ ,`v`  TEXT DEFAULT 'v', w AS (v || 'k'),
                        PRIMARY KEY (k), UNIQUE (v COLLATE nocase, w));
         CREATE INDEX si ON s(k DESC, v);
         CREATE VIEW sv(x, y) AS SELECT k, v FROM s WHERE k > 0;",
    );
    for step in [
        "ALTER TABLE s RENAME k TO key2",
        "ALTER TABLE s RENAME COLUMN v TO v2",
        "ALTER TABLE s RENAME COLUMN key2 TO k",
    ] {
        assert_eq!(pair.batch(step), None, "{step}");
        pair.check_schema();
    }
}

/// Refused renames fail with SQLite's message and change nothing.
#[test]
fn rename_errors_match_sqlite() {
    let mut pair = Pair::new();
    pair.setup(SCHEMA);
    for bad in [
        "ALTER TABLE t RENAME COLUMN zz TO y",
        "ALTER TABLE t RENAME COLUMN e TO c",
        "ALTER TABLE t RENAME COLUMN e TO B",
        "ALTER TABLE v RENAME COLUMN b TO z",
        "ALTER TABLE sqlite_schema RENAME COLUMN sql TO z",
        "ALTER TABLE sqlite_nope RENAME COLUMN sql TO z",
        "ALTER TABLE nope RENAME COLUMN a TO z",
    ] {
        assert!(pair.batch(bad).is_some(), "{bad} should fail");
    }
    pair.check_schema();
    // Renaming to the same name in another letter case is allowed.
    assert_eq!(pair.batch("ALTER TABLE t RENAME COLUMN f TO F"), None);
    pair.check_schema();
}

/// DROP COLUMN cuts the definition out exactly as SQLite and removes the values.
#[test]
fn drop_column_cuts_the_text_and_the_rows_as_sqlite() {
    let mut pair = Pair::new();
    pair.setup(SCHEMA);
    pair.setup(
        "CREATE TABLE m(p, q VARCHAR(10) NOT NULL DEFAULT 'q', r,  s REAL, CHECK (p <> 0));
         INSERT INTO m VALUES (1, 'a', 2.5, 3), (2, 'b', NULL, x'00');
         CREATE INDEX mp ON m(p);",
    );
    for step in [
        "ALTER TABLE t DROP COLUMN f",
        "ALTER TABLE t DROP COLUMN d",
        "ALTER TABLE m DROP COLUMN q",
        "ALTER TABLE m DROP s",
        "ALTER TABLE u DROP COLUMN x",
        "ALTER TABLE m DROP COLUMN r",
    ] {
        assert_eq!(pair.batch(step), None, "{step}");
        pair.check_schema();
        pair.check_rows("SELECT * FROM t ORDER BY a");
        pair.check_rows("SELECT * FROM m ORDER BY p");
    }
    pair.setup("INSERT INTO m VALUES (3)");
    pair.check_rows("SELECT p FROM m WHERE p >= 2 ORDER BY p");
    pair.check("PRAGMA integrity_check");
}

/// Refused drops fail with SQLite's message and change nothing.
#[test]
fn drop_column_errors_match_sqlite() {
    let mut pair = Pair::new();
    pair.setup(SCHEMA);
    pair.setup(
        "CREATE TABLE p(a, b, c, UNIQUE(a, b));
         CREATE INDEX pc ON p(c);
         CREATE TABLE q1(k, l, m AS (k + 1));
         CREATE TABLE q2(k, l, FOREIGN KEY(l) REFERENCES p(a));
         CREATE TABLE one(only_column);
         CREATE TABLE tv(g, h);
         CREATE TRIGGER tvt AFTER INSERT ON tv BEGIN SELECT new.h; END;",
    );
    for bad in [
        "ALTER TABLE t DROP COLUMN a",
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE t DROP COLUMN c",
        "ALTER TABLE t DROP COLUMN e",
        "ALTER TABLE t DROP COLUMN zz",
        "ALTER TABLE u DROP COLUMN b",
        "ALTER TABLE v DROP COLUMN b",
        "ALTER TABLE nope DROP COLUMN b",
        "ALTER TABLE sqlite_master DROP COLUMN sql",
        "ALTER TABLE p DROP COLUMN a",
        "ALTER TABLE p DROP COLUMN c",
        "ALTER TABLE q1 DROP COLUMN k",
        "ALTER TABLE q2 DROP COLUMN l",
        "ALTER TABLE one DROP COLUMN only_column",
        "ALTER TABLE tv DROP COLUMN h",
    ] {
        assert!(pair.batch(bad).is_some(), "{bad} should fail");
    }
    pair.check_schema();
    pair.check_rows("SELECT * FROM t ORDER BY a");
    // A generated column may go.
    assert_eq!(pair.batch("ALTER TABLE q1 DROP COLUMN m"), None);
    pair.check_schema();
}

/// An ALTER inside a transaction is undone by ROLLBACK.
#[test]
fn alter_rolls_back_with_its_transaction() {
    let mut pair = Pair::new();
    pair.setup(SCHEMA);
    pair.setup(
        "BEGIN; ALTER TABLE t RENAME COLUMN b TO bb; ALTER TABLE t DROP COLUMN f; ROLLBACK;",
    );
    pair.check_schema();
    pair.check_rows("SELECT * FROM t ORDER BY a");
}
