//! The table-valued function `generate_series`.
//!
//! The bundled SQLite (3.46) that rusqlite links has no `generate_series` (it is an
//! extension), so the oracle is twofold:
//! - the sequence itself (values and the hidden start/stop/step columns, every sign of
//!   step) is compared with SQLite evaluating the recursive CTE that series.c's rules
//!   (3.42 and later) describe: START, START+STEP, ... while not past STOP, STEP 0 as 1;
//! - joins, hidden-column constraints in WHERE, NULL and missing arguments and errors are
//!   compared with the `sqlite3` shell (3.40.1), whose built-in series agrees with 3.46
//!   for non-negative steps.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::{concur_lines, shell_rows, Pair};

/// Every (start, stop, step) of the grid gives the rows of the CTE model, hidden columns
/// included, in the same order.
#[test]
fn sequences_follow_the_recursive_cte_model() {
    let mut pair = Pair::new();
    let values = [-7i64, -3, -1, 0, 1, 2, 5, 10];
    let steps = [
        None,
        Some(-4i64),
        Some(-3),
        Some(-1),
        Some(0),
        Some(1),
        Some(2),
        Some(7),
    ];
    let mut compared = 0;
    for start in values {
        for stop in values {
            for step in steps {
                let (args, s) = match step {
                    Some(s) => (format!("{start}, {stop}, {s}"), s),
                    None => (format!("{start}, {stop}"), 1),
                };
                let s = if s == 0 { 1 } else { s };
                let ours = pair
                    .ours
                    .query(
                        &format!("SELECT value, start, stop, step FROM generate_series({args})"),
                        &[],
                    )
                    .unwrap()
                    .1;
                let model = format!(
                    "WITH RECURSIVE s(value) AS (SELECT {start} WHERE ({s} > 0 AND {start} <= {stop}) \
                     OR ({s} < 0 AND {start} >= {stop}) UNION ALL SELECT value + {s} FROM s \
                     WHERE ({s} > 0 AND value + {s} <= {stop}) OR ({s} < 0 AND value + {s} >= {stop})) \
                     SELECT value, {start}, {stop}, {s} FROM s"
                );
                let theirs = feature_support::sqlite_rows(&pair.theirs, &model)
                    .unwrap()
                    .1;
                assert_eq!(ours, theirs, "generate_series({args})");
                compared += ours.len();
            }
        }
    }
    assert!(compared > 500, "only {compared} rows compared");
}

/// Without STOP the series runs to 4294967295; LIMIT stops it early.
#[test]
fn missing_stop_runs_to_the_32_bit_limit() {
    let mut pair = Pair::new();
    let rows = pair
        .ours
        .query(
            "SELECT value FROM generate_series(4294967290) ORDER BY value DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .1;
    let theirs = feature_support::sqlite_rows(&pair.theirs, "SELECT 0xffffffff")
        .unwrap()
        .1;
    assert_eq!(rows, theirs);
    for q in [
        "SELECT value FROM generate_series(20) LIMIT 10",
        "SELECT max(value) FROM generate_series(4294967290)",
    ] {
        assert_eq!(concur_lines("", q), shell_rows("", q), "{q}");
    }
}

/// Queries whose answer is the same in every SQLite since 3.40, compared with the shell.
#[test]
fn joins_constraints_and_arguments_match_the_shell() {
    let setup = "CREATE TABLE t(n INTEGER, name TEXT); \
                 INSERT INTO t VALUES (2, 'two'), (0, 'zero'), (3, 'three'), (NULL, 'none')";
    let queries = [
        "SELECT * FROM generate_series(1, 5)",
        "SELECT value FROM generate_series(1, 10, 3)",
        "SELECT value, start, stop, step FROM generate_series(2, 9, 3)",
        "SELECT value FROM generate_series(1, 3, 0)",
        "SELECT value FROM generate_series(5, 1)",
        "SELECT count(*) FROM generate_series(1, NULL)",
        "SELECT count(*) FROM generate_series(NULL)",
        "SELECT count(*) FROM generate_series(1, 5, NULL)",
        "SELECT value FROM generate_series('3', 4.9)",
        "SELECT value FROM generate_series WHERE start = 1 AND stop = 5",
        "SELECT value FROM generate_series WHERE stop = 3 AND start = -2",
        "SELECT value FROM generate_series WHERE start = 1 AND stop = 9 AND step = 4",
        "SELECT count(*) FROM generate_series WHERE start = 1 AND stop = NULL",
        "SELECT value FROM generate_series(1, 5) WHERE step = 2",
        "SELECT value FROM generate_series(1, 3) WHERE stop = 2",
        "SELECT value FROM generate_series(1, 3) WHERE start = 1",
        "SELECT value FROM generate_series(1, 10) WHERE value % 3 = 0",
        "SELECT value FROM generate_series(1, 5) WHERE value > 2 AND value < 5",
        "SELECT value FROM generate_series(1, 10, 3) ORDER BY value DESC",
        "SELECT s.value FROM generate_series(1, 3) AS s",
        "SELECT value FROM main.generate_series(1, 2)",
        "SELECT a.value, b.value FROM generate_series(1, 3) a, generate_series(1, a.value) b",
        "SELECT count(*) FROM generate_series(1, 3) a JOIN generate_series(1, 3) b ON b.value = a.value",
        "SELECT x.value, y.value FROM generate_series(1, 3) x \
         LEFT JOIN generate_series(2, 4) y ON x.value = y.value ORDER BY 1",
        "SELECT n, value FROM t, generate_series(1, t.n) ORDER BY n, value",
        "SELECT n, value FROM generate_series(1, t.n), t ORDER BY n, value",
        "SELECT n, value FROM t LEFT JOIN generate_series(1, t.n) ON 1 ORDER BY n, value",
        "SELECT name, (SELECT sum(value) FROM generate_series(1, t.n)) FROM t ORDER BY name",
        "SELECT name FROM t WHERE n IN (SELECT value FROM generate_series(1, 2)) ORDER BY 1",
        "SELECT sum(value), count(*) FROM generate_series(1, 100000)",
        "SELECT value FROM generate_series()",
        "SELECT value FROM generate_series",
        "SELECT value FROM generate_series WHERE stop = 5",
        "SELECT value FROM generate_series(1, 5, 1, 1)",
        "SELECT value FROM generate_series(1, 10, 4), generate_series(1, 1)",
        "SELECT value FROM no_such_function(1)",
    ];
    for q in queries {
        assert_eq!(concur_lines(setup, q), shell_rows(setup, q), "{q}");
    }
}

/// EXPLAIN shows the series loop.
#[test]
fn explain_lists_the_series_loop() {
    let mut pair = Pair::new();
    let (_, rows) = pair
        .ours
        .query("EXPLAIN SELECT value FROM generate_series(1, 3)", &[])
        .unwrap();
    let opcodes: Vec<String> = rows.iter().map(|r| format!("{:?}", r[1])).collect();
    assert!(opcodes.iter().any(|o| o.contains("VFilter")), "{opcodes:?}");
}
