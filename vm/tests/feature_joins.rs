//! RIGHT and FULL OUTER JOIN in any position of a join chain, against SQLite (rusqlite,
//! bundled 3.46): every query's rows must agree value by value.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod feature_support;

use feature_support::Pair;

const SETUP: &str = "
    CREATE TABLE a(x INTEGER, ay TEXT);
    CREATE TABLE b(x INTEGER PRIMARY KEY, by TEXT);
    CREATE TABLE c(x INTEGER, cy TEXT);
    CREATE TABLE d(x, dy);
    CREATE INDEX cx ON c(x);
    INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (2, 'a2b'), (NULL, 'anull'), (7, 'a7');
    INSERT INTO b VALUES (2, 'b2'), (3, 'b3'), (4, 'b4'), (7, 'b7');
    INSERT INTO c VALUES (3, 'c3'), (4, 'c4'), (5, 'c5'), (NULL, 'cnull'), (1, 'c1');
    INSERT INTO d VALUES (5, 'd5'), (6, 'd6'), ('1', 'dtext');
";

#[test]
fn right_and_full_joins_in_any_position_match_sqlite() {
    let mut pair = Pair::new();
    pair.setup(SETUP);
    let joins = ["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"];
    let mut compared = 0;
    // Every pair of operators in a three-table chain, with and without WHERE.
    for first in joins {
        for second in joins {
            for filter in [
                "",
                "WHERE a.ay IS NOT 'a2'",
                "WHERE c.x > 1 OR c.x IS NULL",
                "WHERE b.by IS NULL",
            ] {
                let sql = format!(
                    "SELECT a.ay, b.by, c.cy FROM a {first} b ON b.x = a.x \
                     {second} c ON c.x = b.x {filter} ORDER BY 1, 2, 3"
                );
                pair.check(&sql);
                compared += 1;
            }
        }
    }
    // Four tables: the outer join last, in the middle, twice; ON terms on earlier tables.
    for sql in [
        "SELECT * FROM a JOIN b ON b.x = a.x JOIN c ON c.x = a.x RIGHT JOIN d ON d.x = c.x ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        "SELECT * FROM a LEFT JOIN b ON b.x = a.x FULL JOIN c ON c.x = a.x FULL JOIN d ON d.x = c.x ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        "SELECT * FROM a, b RIGHT JOIN c ON c.x = b.x AND a.x = b.x ORDER BY 1, 2, 3, 4, 5, 6",
        "SELECT a.ay, d.dy FROM a RIGHT JOIN b ON b.x = a.x RIGHT JOIN c ON c.x = b.x RIGHT JOIN d ON d.x = c.x ORDER BY 1, 2",
        "SELECT a.ay, c.cy FROM a FULL JOIN c ON c.x = a.x AND c.cy <> 'c1' ORDER BY 1, 2",
        "SELECT count(*), count(a.x), count(c.x) FROM a FULL JOIN b ON b.x = a.x FULL JOIN c ON c.x = b.x",
        "SELECT b.x, group_concat(c.cy) FROM a RIGHT JOIN b ON b.x = a.x LEFT JOIN c ON c.x = b.x GROUP BY b.x ORDER BY 1",
        "SELECT DISTINCT b.by FROM a JOIN b ON 1 RIGHT JOIN c ON c.x = b.x ORDER BY 1",
        "SELECT a.ay, s.x FROM a RIGHT JOIN (SELECT x FROM c WHERE x > 2) AS s ON s.x = a.x ORDER BY 1, 2",
        "SELECT a.x, b.x, ay, by FROM a RIGHT JOIN b USING (x) ORDER BY 1, 2, 3",
        "SELECT a.ay, b.by FROM a RIGHT JOIN b ON b.x = a.x WHERE a.x IS NULL ORDER BY 1, 2",
        "SELECT a.ay, b.by FROM a RIGHT JOIN b ON b.x = a.x ORDER BY 2 LIMIT 2 OFFSET 1",
    ] {
        pair.check(sql);
        compared += 1;
    }
    assert!(compared > 70);
}
