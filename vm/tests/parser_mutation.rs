//! Differential test against SQLite's parser: take real statements, delete, double or swap one
//! token at a time, and check that concur rejects exactly the mutants SQLite rejects as syntax
//! errors.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use concur_vm::lexer::{Lexer, TokenKind};
use concur_vm::parser::parse;

/// Statements to mutate: queries and DML, whose names SQLite resolves only after parsing.
const SEEDS: &[&str] = &[
    "SELECT DISTINCT a, t.b AS x, count(*) FROM t AS u LEFT JOIN v ON u.a = v.a WHERE a > 1 GROUP BY a HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 3 OFFSET 1",
    "SELECT CASE WHEN a BETWEEN 1 AND 2 THEN CAST(b AS INTEGER) ELSE x'00' END FROM t",
    "SELECT a NOT LIKE 'x%' ESCAPE '!', b IS NOT NULL, c NOT IN (1, 2), d IN (SELECT e FROM f) FROM t",
    "SELECT * FROM (SELECT 1 AS x) s, generate_series(1, 10) g NATURAL JOIN w USING (x)",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c",
    "SELECT sum(a) FILTER (WHERE a > 0) OVER (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
    "SELECT 1 UNION SELECT 2 EXCEPT SELECT 3 ORDER BY 1",
    "VALUES (1, 2), (3, 4)",
    "INSERT OR REPLACE INTO t(a, b) VALUES (1, 2), (3, -4) ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE b > 0 RETURNING a",
    "INSERT INTO t SELECT a, b FROM u WHERE a = ?1",
    "INSERT INTO t DEFAULT VALUES",
    "UPDATE OR IGNORE t SET a = 1, (b, c) = (2, 3) FROM u WHERE t.id = u.id RETURNING *",
    "DELETE FROM t INDEXED BY i WHERE a = :x AND b = @y",
    "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a) AND NOT b",
    "SELECT - - 1, ~ 2, + 3, 'a' || 'b' COLLATE nocase, a -> '$.b', c ->> 'd'",
    "CREATE TABLE IF NOT EXISTS n1 (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, v REAL DEFAULT -1.5, w VARCHAR(10) COLLATE nocase CHECK (w != ''), p INTEGER REFERENCES parent(id) ON DELETE CASCADE, CONSTRAINT pk UNIQUE (name, v) ON CONFLICT REPLACE, FOREIGN KEY (p) REFERENCES q(r)) WITHOUT ROWID",
    "CREATE TEMP TABLE n2 AS SELECT 1 AS x",
    "CREATE UNIQUE INDEX IF NOT EXISTS i1 ON t (a COLLATE nocase DESC, b + 1) WHERE a IS NOT NULL",
    "CREATE VIEW v1(x, y) AS SELECT a, b FROM t",
    "CREATE TRIGGER tr1 BEFORE UPDATE OF a ON tt FOR EACH ROW WHEN new.a > 1 BEGIN UPDATE u SET x = new.a; DELETE FROM u WHERE x = 0; SELECT RAISE(ABORT, 'no'); END",
    "ALTER TABLE tt RENAME COLUMN a TO b",
    "ALTER TABLE tt ADD COLUMN c TEXT DEFAULT 'x'",
    "PRAGMA main.cache_size = -2000",
    "BEGIN IMMEDIATE TRANSACTION",
    "ROLLBACK TRANSACTION TO SAVEPOINT s",
    "DROP TABLE IF EXISTS main.t",
    "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = ?",
];

/// Whether SQLite's parser rejects `sql`. (`2 columns assigned 1 values` is raised while
/// parsing, before a syntax error later in the text can be seen; concur reports the syntax
/// error, and leaves the count check to name resolution. `unknown join type` and `unknown table
/// option` are parse-time errors in both.)
fn sqlite_rejects_syntax(conn: &rusqlite::Connection, sql: &str) -> bool {
    match conn.prepare(sql) {
        Ok(_) => false,
        Err(e) => {
            let msg = e.to_string();
            msg.contains("syntax error")
                || msg.contains("incomplete input")
                || msg.contains("unrecognized token")
                || msg.contains("columns assigned")
                || msg.contains("unknown join type")
                || msg.contains("unknown table option")
        }
    }
}

/// Token spans of `sql`.
fn token_spans(sql: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut lexer = Lexer::new(sql);
    loop {
        let token = lexer.next_token();
        if token.kind == TokenKind::Eof {
            return spans;
        }
        spans.push((token.span.start, token.span.end));
    }
}

/// Every mutant of `seed` that deletes one token, doubles one token, or swaps two neighbours.
fn mutants(seed: &str) -> Vec<String> {
    let spans = token_spans(seed);
    let mut out = Vec::new();
    for (i, &(start, end)) in spans.iter().enumerate() {
        let token = &seed[start..end];
        out.push(format!("{}{}", &seed[..start], &seed[end..]));
        out.push(format!("{} {token}{}", &seed[..end], &seed[end..]));
        if let Some(&(next_start, next_end)) = spans.get(i + 1) {
            let next = &seed[next_start..next_end];
            out.push(format!(
                "{}{next} {token}{}",
                &seed[..start],
                &seed[next_end..]
            ));
        }
    }
    out
}

/// A sample of `statement ok` / `query` SQL texts from the sqllogictest corpus, if present.
fn corpus_sample() -> Vec<String> {
    let root = std::path::Path::new("/work/shared/sqllogictest/test");
    let mut files = Vec::new();
    for dir in [root.to_path_buf(), root.join("evidence")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        files.extend(
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "test")),
        );
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if line.starts_with("statement ok") || line.starts_with("query") {
                let sql: Vec<&str> = lines
                    .by_ref()
                    .take_while(|l| !l.trim().is_empty() && *l != "----")
                    .collect();
                let sql = sql.join(" ");
                let upper = sql.to_ascii_uppercase();
                if [
                    "SELECT", "INSERT", "UPDATE", "DELETE", "VALUES", "WITH", "REPLACE",
                ]
                .iter()
                .any(|k| upper.starts_with(k))
                    && !sql.contains(';')
                {
                    out.push(sql);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    // About 400 statements: every evidence file's statements are varied, the big select
    // files are repetitive.
    let step = (out.len() / 400).max(1);
    out.into_iter().step_by(step).collect()
}

#[test]
fn token_mutants_get_the_same_verdict_as_from_sqlite() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    // The table triggers and ALTER name must exist, or SQLite stops before parsing the rest.
    conn.execute_batch("CREATE TABLE tt(a, b)").unwrap();
    let mut mismatches = Vec::new();
    let mut count = 0;
    let seeds: Vec<String> = SEEDS
        .iter()
        .map(|s| s.to_string())
        .chain(corpus_sample())
        .collect();
    for seed in &seeds {
        for mutant in mutants(seed) {
            count += 1;
            let ours = parse(&mutant).is_err();
            let theirs = sqlite_rejects_syntax(&conn, &mutant);
            if ours != theirs {
                mismatches.push(format!(
                    "{mutant}\n  ours: {}, SQLite: {}",
                    if ours { "rejects" } else { "accepts" },
                    if theirs { "rejects" } else { "accepts" }
                ));
            }
        }
    }
    eprintln!("{count} mutants of {} statements", seeds.len());
    assert!(count > 1000);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(40)].join("\n")
    );
}
