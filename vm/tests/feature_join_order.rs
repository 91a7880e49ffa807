//! The order of an inner join's loops is chosen by cost, as SQLite's planner chooses it:
//! a table searched by its rowid or an index runs inside the one that supplies the key,
//! whatever the FROM order, and the right side of a CROSS JOIN stays inside its left side.
//! Where the order shows in the answer (a REAL -2^63 meets an integer rowid: `=` matches
//! them, a rowid search does not) the rows must be SQLite's.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::{concur_lines, Pair};

const SETUP: &str = "
    CREATE TABLE t0(c0 INTEGER PRIMARY KEY);
    CREATE TABLE t1(c0 REAL, c1 TEXT);
    CREATE TABLE t2(k INTEGER, v TEXT);
    CREATE INDEX t2k ON t2(k);
    INSERT INTO t0 VALUES (-9223372036854775808), (1), (2), (4);
    INSERT INTO t1 VALUES (-9.2233720368547758e18, 'a'), (1.0, 'b'), (3, 'c'), (4, 'd');
    INSERT INTO t2 VALUES (1, 'one'), (4, 'four'), (-9223372036854775808, 'min');
";

#[test]
fn a_rowid_search_runs_inside_the_table_that_gives_its_key() {
    let mut pair = Pair::new();
    pair.setup(SETUP);
    for sql in [
        // SQLite scans t1 and searches t0 by rowid, which does not take -2^63 as REAL.
        "SELECT a.c0, b.c1 FROM t0 AS a JOIN t1 AS b ON a.c0 = b.c0 ORDER BY 2",
        "SELECT a.c0, b.c1 FROM t0 AS a, t1 AS b WHERE b.c0 = a.c0 ORDER BY 2",
        "SELECT count(*) FROM t0 AS a JOIN t1 AS b ON a.rowid = b.c0",
        // Three tables: t1 outermost, t0 by rowid, t2 by its index.
        "SELECT a.c0, b.c1, c.v FROM t2 AS c JOIN t0 AS a ON c.k = a.c0 JOIN t1 AS b ON a.c0 = b.c0 ORDER BY 2, 3",
        // CROSS JOIN keeps t0 outside, so `=` compares every pair and -2^63 matches.
        "SELECT a.c0, b.c1 FROM t0 AS a CROSS JOIN t1 AS b ON a.c0 = b.c0 ORDER BY 2",
        "SELECT a.c0, b.c1 FROM t1 AS b CROSS JOIN t0 AS a ON a.c0 = b.c0 ORDER BY 2",
    ] {
        pair.check(sql);
    }
    let rows = pair.check("SELECT b.c1 FROM t0 AS a CROSS JOIN t1 AS b ON a.c0 = b.c0 ORDER BY 1");
    assert_eq!(rows.len(), 3, "CROSS JOIN compares every pair");
    let rows = pair.check("SELECT b.c1 FROM t0 AS a JOIN t1 AS b ON a.c0 = b.c0 ORDER BY 1");
    assert_eq!(rows.len(), 2, "the rowid search does not find -2^63");
}

/// The table whose loop is outermost: the one the program's first loop start (a `Rewind`
/// or a seek) moves.
fn outer_table(setup: &str, query: &str) -> String {
    let lines = concur_lines(setup, &format!("EXPLAIN {query}")).unwrap();
    let fields: Vec<Vec<&str>> = lines.iter().map(|l| l.split('|').collect()).collect();
    let rewind = fields
        .iter()
        .find(|f| {
            f.get(1)
                .is_some_and(|op| op.starts_with("Rewind") || op.starts_with("Seek"))
        })
        .unwrap_or_else(|| panic!("no loop start in {lines:?}"));
    let cursor = rewind[2];
    fields
        .iter()
        .find(|f| f.get(1) == Some(&"OpenRead") && f.get(2) == Some(&cursor))
        .map(|f| f[5].to_string())
        .unwrap_or_else(|| panic!("no OpenRead of cursor {cursor} in {lines:?}"))
}

#[test]
fn the_scanned_table_is_the_one_without_a_usable_key() {
    let setup = "
        CREATE TABLE c(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE o(id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER);
        CREATE INDEX o_cust ON o(cust);
        CREATE TABLE n(x, y);
    ";
    // Either FROM order: o is scanned, c searched by rowid.
    for query in [
        "SELECT c.name, o.amount FROM c JOIN o ON o.cust = c.id",
        "SELECT c.name, o.amount FROM o JOIN c ON o.cust = c.id",
    ] {
        assert_eq!(outer_table(setup, query), "o", "{query}");
    }
    // The unindexed table goes outside the indexed one, in either FROM order.
    for query in [
        "SELECT * FROM o JOIN n ON o.cust = n.x",
        "SELECT * FROM n JOIN o ON o.cust = n.x",
    ] {
        assert_eq!(outer_table(setup, query), "n", "{query}");
    }
    // A rowid range on c makes c the outer loop. (SQLite carries the range over to
    // o.cust through `o.cust = c.id` and searches o first; concur does not derive terms.)
    assert_eq!(
        outer_table(
            setup,
            "SELECT * FROM o JOIN c ON o.cust = c.id WHERE c.id BETWEEN 1 AND 100"
        ),
        "c"
    );
    // CROSS JOIN keeps FROM order.
    assert_eq!(
        outer_table(setup, "SELECT * FROM o CROSS JOIN n ON o.cust = n.x"),
        "o"
    );
}

#[test]
fn large_joins_still_agree_with_sqlite() {
    let mut pair = Pair::new();
    let mut setup = String::new();
    for i in 0..10 {
        setup.push_str(&format!(
            "CREATE TABLE j{i}(id INTEGER PRIMARY KEY, next INTEGER, tag TEXT);
             INSERT INTO j{i} VALUES (1, 2, 'a{i}'), (2, 3, 'b{i}'), (3, 1, 'c{i}');"
        ));
    }
    pair.setup(&setup);
    // A chain of 5 (searched over every order) and one of 10 (ordered greedily), FROM
    // order reversed so that the planner must move loops.
    for n in [5, 10] {
        let from: Vec<String> = (0..n).rev().map(|i| format!("j{i}")).collect();
        let links: Vec<String> = (1..n)
            .map(|i| format!("j{i}.id = j{}.next", i - 1))
            .collect();
        let sql = format!(
            "SELECT j0.tag, j{}.tag FROM {} WHERE {} AND j0.id > 1 ORDER BY 1, 2",
            n - 1,
            from.join(", "),
            links.join(" AND ")
        );
        pair.check_rows(&sql);
    }
}
