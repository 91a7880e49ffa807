//! Fixed bugs, against SQLite (rusqlite, bundled): CREATE INDEX on expressions and
//! partial indexes over tables that already hold rows.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::Pair;

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
