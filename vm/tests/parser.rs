//! The parser as a specification: precedence, literals, parameters, statements, errors and
//! limits, checked against SQLite itself (through rusqlite) where SQLite can say.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use concur_vm::ast::{
    ColumnConstraint, CreateTableBody, Expr, InsertSource, JoinOperator, Literal, ResultColumn,
    SelectCore, Statement, TableOrSubquery, TransactionMode, TriggerTime, UpsertAction,
};
use concur_vm::parser::{complete_statement, parse, parse_statement, ParseError, Parser};

/// The first result column of `SELECT <expr>`.
fn expr(text: &str) -> Expr {
    let Statement::Select(select) = parse_statement(&format!("SELECT {text}")).unwrap() else {
        panic!("not a select");
    };
    let SelectCore::Select(core) = select.first else {
        panic!("not a core");
    };
    match core.columns.into_iter().next() {
        Some(ResultColumn::Expr { expr, .. }) => expr,
        other => panic!("unexpected column {other:?}"),
    }
}

/// `expr` printed back fully parenthesized: the tree's shape as text.
fn shape(text: &str) -> String {
    expr(text).to_string()
}

#[test]
fn operators_bind_with_sqlites_precedence() {
    let cases = [
        ("a OR b AND c", "a OR (b AND c)"),
        ("a AND b OR c", "(a AND b) OR c"),
        ("NOT a = b", "NOT (a = b)"),
        ("NOT a AND b", "(NOT a) AND b"),
        ("a = b < c", "a = (b < c)"),
        ("a < b = c", "(a < b) = c"),
        ("a = b IS c", "(a = b) IS c"),
        ("a < b & c", "a < (b & c)"),
        ("a & b + c", "a & (b + c)"),
        ("a | b << c", "(a | b) << c"),
        ("a + b * c", "a + (b * c)"),
        ("a - b - c", "(a - b) - c"),
        ("a * b || c", "a * (b || c)"),
        ("a || b -> c", "(a || b) -> c"),
        ("a ->> b || c", "(a ->> b) || c"),
        ("-a || b", "(-a) || b"),
        ("-a * b", "(-a) * b"),
        ("~a + 1", "(~a) + 1"),
        ("a || b COLLATE nocase", "a || (b COLLATE nocase)"),
        ("-a COLLATE nocase", "(-a) COLLATE nocase"),
        ("a BETWEEN b AND c AND d", "(a BETWEEN b AND c) AND d"),
        ("a BETWEEN b + 1 AND c * 2", "a BETWEEN (b + 1) AND (c * 2)"),
        ("a NOT BETWEEN 1 AND 2", "a NOT BETWEEN 1 AND 2"),
        ("a LIKE b || 'x' ESCAPE '!'", "a LIKE (b || 'x') ESCAPE '!'"),
        ("a NOT GLOB b AND c", "(a NOT GLOB b) AND c"),
        ("a = 1 IN (1, 2)", "(a = 1) IN (1, 2)"),
        ("a NOT IN (SELECT 1)", "a NOT IN (SELECT 1)"),
        ("a IN t", "a IN t"),
        ("a IN main.t", "a IN main.t"),
        ("a IN generate_series(1, 3)", "a IN generate_series(1, 3)"),
        ("a IN ()", "a IN ()"),
        ("a IS NOT NULL", "a IS NOT NULL"),
        ("a IS NOT DISTINCT FROM b", "a IS b"),
        ("a IS DISTINCT FROM b", "a IS NOT b"),
        ("a NOT NULL", "a NOTNULL"),
        ("a ISNULL OR b NOTNULL", "(a ISNULL) OR (b NOTNULL)"),
        ("a == b <> c != d", "((a = b) != c) != d"),
        ("NOT NOT a", "NOT (NOT a)"),
        ("NOT EXISTS (SELECT 1)", "NOT EXISTS (SELECT 1)"),
        ("(a, b) = (1, 2)", "(a, b) = (1, 2)"),
        ("x MATCH y", "x MATCH y"),
        ("x REGEXP y", "x REGEXP y"),
    ];
    for (input, expected) in cases {
        assert_eq!(shape(input), expected, "{input}");
    }
}

#[test]
fn literals_read_as_sqlite_reads_them() {
    assert_eq!(
        expr("-9223372036854775808"),
        Expr::Literal(Literal::Integer(i64::MIN))
    );
    assert_eq!(
        expr("9223372036854775807"),
        Expr::Literal(Literal::Integer(i64::MAX))
    );
    assert_eq!(
        expr("9223372036854775808"),
        Expr::Literal(Literal::Real(2f64.powi(63)))
    );
    assert_eq!(expr("0x10"), Expr::Literal(Literal::Integer(16)));
    assert_eq!(
        expr("0xFFFFFFFFFFFFFFFF"),
        Expr::Literal(Literal::Integer(-1))
    );
    assert_eq!(expr("1.5e3"), Expr::Literal(Literal::Real(1500.0)));
    assert_eq!(expr(".5"), Expr::Literal(Literal::Real(0.5)));
    assert_eq!(
        expr("'it''s'"),
        Expr::Literal(Literal::String("it's".into()))
    );
    assert_eq!(expr("x'00Ff'"), Expr::Literal(Literal::Blob(vec![0, 255])));
    assert_eq!(expr("NULL"), Expr::Literal(Literal::Null));
    assert_eq!(expr("TRUE"), Expr::Literal(Literal::Bool(true)));
    assert_eq!(expr("false"), Expr::Literal(Literal::Bool(false)));
    assert_eq!(
        expr("CURRENT_TIMESTAMP"),
        Expr::Literal(Literal::CurrentTimestamp)
    );
    assert!(matches!(
        parse("SELECT 0x1FFFFFFFFFFFFFFFF"),
        Err(ParseError::HexTooBig { .. })
    ));
}

#[test]
fn identifiers_may_be_quoted_or_be_non_reserved_keywords() {
    let sql = "CREATE TABLE \"my table\" ([key] TEXT, `value` INT, replace, action, temp, \
               'quoted' REAL, key2 DOUBLE PRECISION, v VARCHAR(10), d DECIMAL(10, -2))";
    let Statement::CreateTable(table) = parse_statement(sql).unwrap() else {
        panic!();
    };
    assert_eq!(table.name.name.as_str(), "my table");
    let CreateTableBody::Columns { columns, .. } = table.body else {
        panic!();
    };
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["key", "value", "replace", "action", "temp", "quoted", "key2", "v", "d"]
    );
    let types: Vec<String> = columns
        .iter()
        .map(|c| {
            c.type_name
                .as_ref()
                .map_or(String::new(), |t| t.to_string())
        })
        .collect();
    assert_eq!(
        types,
        [
            "TEXT",
            "INT",
            "",
            "",
            "",
            "REAL",
            "DOUBLE PRECISION",
            "VARCHAR(10)",
            "DECIMAL(10, -2)"
        ]
    );
    // Keywords as column references and function names.
    // (The printer quotes every keyword it prints as a name.)
    assert_eq!(shape("key + value"), "`key` + value");
    assert_eq!(
        shape("replace(a, 'x', 'y')"),
        "\"replace\"('a', 'x', 'y')".replace("'a'", "a")
    );
    assert_eq!(shape("left + right"), "`left` + `right`");
}

#[test]
fn parameters_are_numbered_like_sqlite_numbers_them() {
    let sql = "SELECT ?, ?5, ?, :a, @b, :a, $c, ?2";
    let ours = parse(sql).unwrap().remove(0).parameters;
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let stmt = conn.prepare(sql).unwrap();
    assert_eq!(ours.len(), stmt.parameter_count());
    for (i, name) in ours.iter().enumerate() {
        assert_eq!(
            name.as_deref(),
            stmt.parameter_name(i + 1),
            "parameter {}",
            i + 1
        );
    }
    let Statement::Select(select) = parse_statement("SELECT :x, ?, :x").unwrap() else {
        panic!();
    };
    let SelectCore::Select(core) = select.first else {
        panic!();
    };
    let indexes: Vec<u32> = core
        .columns
        .iter()
        .map(|c| match c {
            ResultColumn::Expr {
                expr: Expr::Variable { index, .. },
                ..
            } => *index,
            _ => 0,
        })
        .collect();
    assert_eq!(indexes, [1, 2, 1]);
}

#[test]
fn parameter_numbers_are_limited() {
    for sql in ["SELECT ?0", "SELECT ?32767"] {
        let err = parse(sql).unwrap_err();
        assert_eq!(
            err.to_string(),
            "variable number must be between ?1 and ?32766"
        );
    }
    assert!(parse("SELECT ?32766").is_ok());
}

/// Statements that must parse, that SQLite accepts syntactically, and that print back to the
/// same tree.
const VALID: &[&str] = &[
    "SELECT DISTINCT a, t.*, b AS x, c y, * FROM t",
    "SELECT ALL a FROM t AS u INDEXED BY i WHERE a > 1",
    "SELECT a FROM t NOT INDEXED",
    "SELECT * FROM (SELECT 1 AS x) AS s, generate_series(1, 10) g",
    "SELECT * FROM a JOIN b ON a.x = b.x INNER JOIN c USING (x) CROSS JOIN d",
    "SELECT * FROM a LEFT JOIN b ON 1 LEFT OUTER JOIN c ON 1 NATURAL JOIN d",
    "SELECT * FROM a RIGHT JOIN b ON 1 FULL OUTER JOIN c ON 1 NATURAL LEFT JOIN e",
    "SELECT * FROM (a JOIN b ON 1) AS j, c",
    "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1 ORDER BY 2 DESC, a COLLATE nocase ASC NULLS LAST",
    "SELECT a FROM t ORDER BY a NULLS FIRST LIMIT 10 OFFSET 5",
    "SELECT a FROM t LIMIT 5, 10",
    "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5 ORDER BY 1",
    "VALUES (1, 2), (3, 4)",
    "SELECT * FROM (VALUES (1), (2))",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c",
    "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
    "SELECT count(DISTINCT a), count(*) FILTER (WHERE a > 1), group_concat(a, ',') FROM t",
    "SELECT row_number() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t",
    "SELECT sum(a) OVER w FROM t WINDOW w AS (ORDER BY b RANGE 2 PRECEDING EXCLUDE TIES)",
    "SELECT CAST(a AS INTEGER), CAST(b AS VARCHAR(10)), CASE a WHEN 1 THEN 'x' ELSE 'y' END, CASE WHEN a THEN b END FROM t",
    "SELECT EXISTS (SELECT 1), (SELECT max(a) FROM t), a NOT LIKE 'x%' ESCAPE '\\' FROM t",
    "SELECT main.t.a, t.b, \"c\", [d], `e` FROM main.t",
    "SELECT CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP, x'ABCD', -1.5e-3, 0x7fffffffffffffff",
    "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
    "INSERT OR REPLACE INTO main.t(a, b) SELECT a, b FROM u",
    "INSERT OR IGNORE INTO t DEFAULT VALUES",
    "INSERT OR ABORT INTO t(a) VALUES (1)",
    "INSERT OR FAIL INTO t(a) VALUES (1)",
    "INSERT OR ROLLBACK INTO t(a) VALUES (1)",
    "REPLACE INTO t(a) VALUES (1)",
    "INSERT INTO t(a, b) VALUES (1, 2) ON CONFLICT (a) WHERE b > 0 DO UPDATE SET b = excluded.b WHERE t.b < 5 ON CONFLICT DO NOTHING RETURNING *, a + 1 AS n",
    "INSERT INTO t SELECT * FROM u WHERE true ON CONFLICT DO NOTHING",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
    "UPDATE t SET a = 1, (b, c) = (2, 3) WHERE d = 4 RETURNING a",
    "UPDATE OR IGNORE t AS x INDEXED BY i SET a = u.a FROM u WHERE x.id = u.id",
    "DELETE FROM t WHERE a = 1 RETURNING *",
    "DELETE FROM main.t AS x NOT INDEXED",
    "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL ON CONFLICT FAIL UNIQUE, v REAL DEFAULT -1.5, w DEFAULT 'x' COLLATE nocase CHECK (w != ''), p INTEGER REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED, g INT GENERATED ALWAYS AS (id * 2) STORED, h AS (id + 1))",
    "CREATE TABLE IF NOT EXISTS t (a, b, c DEFAULT (1 + 2), d DEFAULT CURRENT_TIMESTAMP, e DEFAULT abc, CONSTRAINT pk PRIMARY KEY (a DESC, b), UNIQUE (c) ON CONFLICT REPLACE, CHECK (a > 0), FOREIGN KEY (b) REFERENCES p(x) ON DELETE SET DEFAULT) WITHOUT ROWID, STRICT",
    "CREATE TEMP TABLE t AS SELECT 1 AS x",
    "CREATE TEMPORARY TABLE t (a PRIMARY KEY DESC ON CONFLICT ROLLBACK, b NULL, c DEFAULT -9223372036854775808, d DEFAULT +5)",
    "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (a COLLATE nocase DESC, b + 1) WHERE a IS NOT NULL",
    "CREATE INDEX i ON t (a)",
    "CREATE VIEW IF NOT EXISTS v(x, y) AS SELECT a, b FROM t",
    "CREATE TEMP VIEW v AS SELECT 1",
    "CREATE TRIGGER IF NOT EXISTS tr BEFORE UPDATE OF a, b ON t FOR EACH ROW WHEN new.a > 1 BEGIN UPDATE u SET x = new.a; INSERT INTO log VALUES (old.a); DELETE FROM u WHERE x = 0; SELECT RAISE(ABORT, 'no'); END",
    "CREATE TEMP TRIGGER tr INSTEAD OF INSERT ON v BEGIN SELECT RAISE(IGNORE); END",
    "CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END",
    "CREATE VIRTUAL TABLE f USING fts5(a, b, tokenize = 'porter')",
    "DROP TABLE IF EXISTS main.t",
    "DROP INDEX i",
    "DROP VIEW IF EXISTS v",
    "DROP TRIGGER tr",
    "REINDEX",
    "REINDEX main.i",
    "ALTER TABLE t RENAME TO u",
    "ALTER TABLE t RENAME COLUMN a TO b",
    "ALTER TABLE t RENAME a TO b",
    "ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'x'",
    "ALTER TABLE t ADD d INT",
    "ALTER TABLE t DROP COLUMN c",
    "ALTER TABLE t DROP c",
    "BEGIN",
    "BEGIN DEFERRED TRANSACTION",
    "BEGIN IMMEDIATE",
    "BEGIN EXCLUSIVE TRANSACTION",
    "COMMIT",
    "END TRANSACTION",
    "ROLLBACK",
    "ROLLBACK TRANSACTION TO SAVEPOINT s",
    "ROLLBACK TO s",
    "SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "RELEASE s",
    "PRAGMA journal_mode = WAL",
    "PRAGMA main.cache_size = -2000",
    "PRAGMA table_info(t)",
    "PRAGMA foreign_keys = ON",
    "PRAGMA integrity_check",
    "EXPLAIN SELECT 1",
    "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = ?",
    "VACUUM",
    "VACUUM INTO 'backup.db'",
    "ANALYZE",
    "ANALYZE main.t",
    "ATTACH DATABASE 'x.db' AS aux",
    "ATTACH 'x.db' AS aux",
    "DETACH DATABASE aux",
    "DETACH aux",
    "SELECT a->'$.b', a->>'$.c' FROM t",
    "SELECT * FROM t WHERE (a, b) IN (SELECT x, y FROM u) AND c NOT IN (1, 2, 3)",
];

#[test]
fn every_statement_kind_parses_and_prints_back() {
    for sql in VALID {
        let parsed = match parse_statement(sql) {
            Ok(s) => s,
            Err(e) => panic!("{sql}: {e} at {:?}", e.position()),
        };
        let printed = parsed.to_string();
        let again = parse_statement(&printed)
            .unwrap_or_else(|e| panic!("{sql}\nprinted as {printed}\nfails: {e}"));
        assert_eq!(parsed, again, "{sql}\nprinted as {printed}");
    }
}

#[test]
fn sqlite_finds_no_syntax_error_in_the_valid_statements() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    for sql in VALID {
        if let Err(rusqlite::Error::SqlInputError { msg, .. }) = conn.prepare(sql) {
            panic!("SQLite rejects {sql}: {msg}");
        }
    }
}

#[test]
fn statements_keep_their_details() {
    let Statement::Insert(insert) =
        parse_statement("REPLACE INTO t VALUES (1) ON CONFLICT DO NOTHING").unwrap()
    else {
        panic!();
    };
    assert_eq!(
        insert.or_conflict,
        Some(concur_vm::ast::ConflictResolution::Replace)
    );
    assert!(matches!(insert.source, InsertSource::Select(_)));
    assert_eq!(insert.upsert[0].action, UpsertAction::Nothing);

    assert_eq!(
        parse_statement("BEGIN CONCURRENT").unwrap(),
        Statement::Begin(TransactionMode::Concurrent)
    );

    let Statement::Select(select) =
        parse_statement("SELECT * FROM a NATURAL LEFT OUTER JOIN b, c").unwrap()
    else {
        panic!();
    };
    let SelectCore::Select(core) = select.first else {
        panic!();
    };
    let from = core.from.unwrap();
    assert_eq!(from.joins[0].operator, JoinOperator::Left { natural: true });
    assert_eq!(from.joins[1].operator, JoinOperator::Comma);
    assert!(matches!(from.first, TableOrSubquery::Table { .. }));

    let Statement::CreateTrigger(trigger) =
        parse_statement("CREATE TRIGGER t INSTEAD OF DELETE ON v BEGIN DELETE FROM x; END")
            .unwrap()
    else {
        panic!();
    };
    assert_eq!(trigger.time, Some(TriggerTime::InsteadOf));
    assert_eq!(trigger.body.len(), 1);

    let Statement::CreateTable(table) =
        parse_statement("CREATE TABLE t(a INTEGER PRIMARY KEY DESC AUTOINCREMENT)").unwrap()
    else {
        panic!();
    };
    let CreateTableBody::Columns { columns, .. } = table.body else {
        panic!();
    };
    assert!(matches!(
        columns[0].constraints[0].constraint,
        ColumnConstraint::PrimaryKey {
            autoincrement: true,
            ..
        }
    ));
}

#[test]
fn a_text_of_several_statements_splits_where_each_ends() {
    let sql = "SELECT 1; ;SELECT 2 ;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\n-- done\nSELECT 3";
    let statements = parse(sql).unwrap();
    assert_eq!(statements.len(), 4);
    let texts: Vec<&str> = statements
        .iter()
        .map(|s| &sql[s.span.start..s.span.end])
        .collect();
    assert_eq!(
        texts,
        [
            "SELECT 1",
            "SELECT 2",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END",
            "SELECT 3"
        ]
    );
    assert_eq!(&sql[statements[0].end..statements[1].end], " ;SELECT 2 ;");
    assert_eq!(statements[3].end, sql.len());

    // Statements before a bad one still come out, then the error, then nothing.
    let mut parser = Parser::new("SELECT 1; SELECT FROM; SELECT 3;");
    assert!(parser.next().unwrap().is_ok());
    assert!(parser.next().unwrap().is_err());
    assert!(parser.next().is_none());

    assert!(complete_statement("SELECT 1;\n"));
    assert!(!complete_statement(
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;"
    ));
}

/// Bad statements whose message and offset must equal SQLite's.
const SYNTAX_ERRORS: &[&str] = &[
    "SELECT 1 +;",
    "SELEC 1",
    "SELECT 1\n  FROM t WHERE x = = 1",
    "SELECT 'abc",
    "SELECT !",
    "SELECT 12abc",
    "SELECT x'0'",
    "SELECT 0x1FFFFFFFFFFFFFFFF",
    "SELECT ?0",
    "INSERT INTO t VALUES (1,)",
    "CREATE TABLE t (a INT,)",
    "SELECT * FROM t WHERE a IN (1, 2",
    "UPDATE t SET WHERE a = 1",
    "DELETE t WHERE a = 1",
    "SELECT a FROM t GROUP a",
    "SELECT * FROM t ORDER BY",
    "CREATE INDEX ON t(a)",
    "SELECT CASE END",
    "SELECT 1 SELECT 2",
    "DROP t",
    "SELECT a FROM t WHERE a == 'x' AND ORDER BY a",
    "SELECT \"unterminated",
    "SELECT [unterminated",
    "EXPLAIN EXPLAIN SELECT 1",
    "SELECT (1, 2",
];

#[test]
fn syntax_errors_match_sqlites_message_and_offset() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    for sql in SYNTAX_ERRORS {
        let ours = parse(sql).unwrap_err();
        match conn.prepare(sql) {
            Err(rusqlite::Error::SqlInputError { msg, offset, .. }) => {
                assert_eq!(ours.to_string(), msg, "{sql}");
                assert_eq!(ours.position().offset as i32, offset, "{sql}");
            }
            Err(other) => assert_eq!(ours.to_string(), other.to_string(), "{sql}"),
            Ok(_) => panic!("SQLite accepts {sql}"),
        }
    }
}

#[test]
fn error_positions_have_line_and_column() {
    let err = parse("SELECT 1;\nSELECT a,\n  b FROM t WHERE WHERE").unwrap_err();
    assert_eq!(err.to_string(), "near \"WHERE\": syntax error");
    let p = err.position();
    assert_eq!((p.line, p.column), (3, 18));
    assert_eq!(p.offset, "SELECT 1;\nSELECT a,\n  b FROM t WHERE ".len());
}

#[test]
fn semantic_rules_of_the_grammar_give_sqlites_messages() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t(a); CREATE TABLE u(a);")
        .unwrap();
    for sql in [
        "SELECT * FROM t ON 1",
        "SELECT * FROM t INNER OUTER JOIN u",
        "SELECT * FROM t OUTER JOIN u",
        "CREATE TABLE x(a) WITHOUT foo",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM main.u; END",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u INDEXED BY i SET a = 1; END",
    ] {
        let ours = parse(sql).unwrap_err();
        let theirs = conn.prepare(sql).err().unwrap();
        assert!(
            theirs.to_string().contains(&ours.to_string()),
            "{sql}: ours {ours}, SQLite {theirs}"
        );
    }
}

/// Runs `f` on a thread with a 2 MiB stack, as the test harness's threads have.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    on_small_stack(|| {
        let n = 100_000;
        let inputs = [
            format!("SELECT {}1{}", "(".repeat(n), ")".repeat(n)),
            format!("SELECT {}", "(".repeat(n)),
            format!("SELECT {}1", "~".repeat(n)),
            format!("SELECT {}1", "NOT ".repeat(n)),
            format!("SELECT {}1", "- ".repeat(n)),
            format!("SELECT {}1", "1+".repeat(n)),
            format!("SELECT {}1", "abs(".repeat(n)),
            format!("SELECT {}", "(SELECT ".repeat(n)),
            format!("SELECT * FROM {}", "(".repeat(n)),
            format!("SELECT * FROM {}", "(SELECT * FROM ".repeat(n)),
            format!("SELECT {}", "CASE WHEN 1 THEN ".repeat(n)),
            format!("SELECT 1 IN {}", "(1 IN ".repeat(n)),
        ];
        for sql in inputs {
            // Expressions stop at SQLite's depth limit; nested selects stop when the parser's
            // stack budget runs out (SQLite's own parser reports a stack overflow there too).
            let err = parse(&sql).unwrap_err();
            assert!(
                matches!(
                    err,
                    ParseError::TooDeep { max: 1000, .. } | ParseError::StackOverflow { .. }
                ),
                "{}...: {err}",
                &sql[..40]
            );
        }
    });
}

#[test]
fn the_depth_limit_is_sqlites() {
    on_small_stack(|| {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for n in [998, 999, 1000, 1001] {
            for sql in [
                format!("SELECT {}1", "1+".repeat(n)),
                format!("SELECT {}1", "~".repeat(n)),
                format!("SELECT {}1{}", "abs(".repeat(n), ")".repeat(n)),
            ] {
                let theirs = conn.prepare(&sql).err().map(|e| e.to_string());
                let ours = parse(&sql).err().map(|e| e.to_string());
                assert_eq!(ours, theirs, "{n}: {}", &sql[..20]);
            }
        }
    });
}

#[test]
fn every_prefix_of_every_statement_parses_or_fails_cleanly() {
    // Cutting a valid statement anywhere (at any character) must give a statement or a typed
    // error, and anything that parses must print back to the same tree.
    on_small_stack(|| {
        for sql in VALID {
            for (cut, _) in sql.char_indices() {
                let prefix = &sql[..cut];
                if let Ok(statements) = parse(prefix) {
                    for s in statements {
                        let printed = s.statement.to_string();
                        assert_eq!(parse_statement(&printed).unwrap(), s.statement, "{prefix}");
                    }
                }
                let _ = complete_statement(prefix);
            }
        }
    });
}

#[test]
fn spliced_statements_never_panic() {
    // Joins the head of one statement to the tail of another: mostly garbage, often deeply
    // wrong, never a panic.
    on_small_stack(|| {
        for (i, a) in VALID.iter().enumerate() {
            let b = VALID[(i * 7 + 3) % VALID.len()];
            for (cut_a, _) in a.char_indices().step_by(5) {
                for (cut_b, _) in b.char_indices().step_by(11) {
                    let text = format!("{}{}", &a[..cut_a], &b[cut_b..]);
                    let _ = parse(&text).map(|v| v.len());
                }
            }
        }
    });
}

/// Whether SQLite's parser rejects `sql` (as opposed to accepting it, or failing later for a
/// missing table or other meaning).
fn sqlite_rejects_syntax(conn: &rusqlite::Connection, sql: &str) -> bool {
    match conn.prepare(sql) {
        Ok(_) => false,
        Err(e) => {
            let msg = e.to_string();
            msg.contains("syntax error")
                || msg.contains("incomplete input")
                || msg.contains("unrecognized token")
        }
    }
}

#[test]
fn tricky_statements_are_accepted_or_rejected_as_sqlite_does() {
    let cases = [
        "SELECT count(*) filter FROM t",
        "SELECT 1 over",
        "SELECT 1 window",
        "SELECT a window FROM t WINDOW w AS (ORDER BY a)",
        "SELECT 1 AS",
        "SELECT a FROM t AS",
        "SELECT * FROM t LIMIT 1 OFFSET",
        "SELECT * FROM t ORDER BY a ASC DESC",
        "SELECT 1 + + - ~ 2",
        "SELECT NOT NOT NOT 1",
        "SELECT 1 NOT NULL",
        "SELECT 1 IS NOT DISTINCT 2",
        "SELECT 'a' || 'b' COLLATE",
        "SELECT CAST(1 AS)",
        "SELECT CAST(1)",
        "SELECT (SELECT 1 UNION SELECT 2)",
        "SELECT * FROM (SELECT 1) JOIN (SELECT 2) USING (a)",
        "SELECT * FROM a, b ON 1",
        "SELECT * FROM a NATURAL CROSS JOIN b",
        "SELECT * FROM a LEFT RIGHT JOIN b",
        "SELECT x.* FROM x",
        "SELECT *.a FROM x",
        "SELECT a.b.c.d FROM x",
        "SELECT 1 FROM t GROUP BY 1 HAVING 1 WINDOW w AS ()",
        "SELECT DISTINCT ALL 1",
        "SELECT ALL DISTINCT 1",
        "SELECT f(DISTINCT)",
        "SELECT f(*, 1)",
        "SELECT f() FILTER (WHERE 1) OVER ()",
        "SELECT f() OVER (ROWS 1 PRECEDING)",
        "SELECT f() OVER (ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)",
        "SELECT CASE WHEN 1 THEN 2",
        "SELECT CASE 1 END",
        "SELECT 1 IN (SELECT 1, 2)",
        "SELECT 1 BETWEEN 2",
        "SELECT 1 LIKE 2 ESCAPE",
        "SELECT x'ab' x'cd'",
        "SELECT 1e5e5",
        "SELECT 0x",
        "SELECT 1.2.3",
        "SELECT $",
        "SELECT :",
        "SELECT @1",
        "SELECT ?a",
        "VALUES ()",
        "VALUES (1), ()",
        "INSERT INTO t VALUES",
        "INSERT INTO t DEFAULT VALUES RETURNING *",
        "INSERT INTO t (a) DEFAULT VALUES",
        "INSERT INTO t SELECT 1 ON CONFLICT DO NOTHING",
        "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 1, b = 2 WHERE 1",
        "INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE",
        "UPDATE t SET a = 1 FROM u, v WHERE 1 RETURNING a, b",
        "UPDATE t SET (a) = (1)",
        "UPDATE t x SET a = 1",
        "DELETE FROM t x",
        "DELETE FROM t LIMIT 1",
        "CREATE TABLE nt",
        "CREATE TABLE nt ()",
        "CREATE TABLE nt (a, PRIMARY KEY (a) UNIQUE (a))",
        "CREATE TABLE nt (a, PRIMARY KEY (a), b)",
        "CREATE TABLE nt (a INT NOT NULL DEFAULT 1 PRIMARY KEY UNIQUE CHECK (a) COLLATE x REFERENCES p)",
        "CREATE TABLE nt (a VARCHAR(1, 2, 3))",
        "CREATE TABLE nt (a VARCHAR(-1))",
        "CREATE TABLE nt (a UNSIGNED BIG INT)",
        "CREATE TABLE nt (a DEFAULT -'x')",
        "CREATE TABLE nt (a DEFAULT f())",
        "CREATE TABLE nt (a CONSTRAINT)",
        "CREATE TABLE nt (a CONSTRAINT c)",
        "CREATE TABLE nt (a) WITHOUT ROWID,",
        "CREATE TABLE nt (\"a\" 'TEXT', 'b')",
        "CREATE TABLE 'quoted' (a)",
        "CREATE TEMP INDEX i ON t(a)",
        "CREATE INDEX i ON t",
        "CREATE INDEX i ON main.t(a)",
        "CREATE VIEW v AS VALUES (1)",
        "CREATE TRIGGER tr INSERT ON t BEGIN END",
        "CREATE TRIGGER tr INSERT ON t BEGIN SELECT 1 END",
        "CREATE TRIGGER tr UPDATE OF a ON t WHEN 1 BEGIN SELECT 1; END",
        "DROP TABLE",
        "DROP TABLE IF EXISTS",
        "ALTER TABLE t ADD COLUMN",
        "ALTER TABLE t RENAME",
        "BEGIN TRANSACTION x",
        "COMMIT TRANSACTION x",
        "ROLLBACK TO",
        "SAVEPOINT",
        "PRAGMA",
        "PRAGMA x =",
        "PRAGMA x = -y",
        "PRAGMA x('a')",
        "EXPLAIN",
        "EXPLAIN QUERY SELECT 1",
        "ATTACH 'x' AS y KEY 'k'",
        "VACUUM main INTO 'x'",
        "WITH x AS (SELECT 1)",
        "WITH x AS (SELECT 1) VALUES (1)",
        "WITH RECURSIVE x(a, b) AS NOT MATERIALIZED (SELECT 1, 2) DELETE FROM t",
        "SELECT 1 UNION",
        "SELECT 1 UNION ALL VALUES (2) ORDER BY 1 LIMIT 1",
        "VALUES (1) ORDER BY 1",
        "VALUES (1) LIMIT 1",
        "SELECT replace FROM replace",
        "SELECT key, value, action, temp, offset, first, last, no FROM t",
        "SELECT left FROM t",
        "SELECT * FROM t left",
        "SELECT rowid, _rowid_, oid FROM t",
        "SELECT \"a\"\"b\", [a]]b], `a``b` FROM t",
        "SELECT 1 -- comment",
        "SELECT /* comment */ 1",
        "SELECT 1 /* open comment",
    ];
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    // Tables the statements name, so SQLite's parser does not stop early at a missing one.
    conn.execute_batch(
        "CREATE TABLE t(a, b); CREATE TABLE u(a, b); CREATE TABLE v(a, b); \
         CREATE TABLE x(a, b); CREATE TABLE a(a, b); CREATE TABLE b(a, b); \
         CREATE TABLE p(a, b); CREATE TABLE \"replace\"(a);",
    )
    .unwrap();
    let mut mismatches = Vec::new();
    for sql in cases {
        let ours = parse(sql);
        let theirs = sqlite_rejects_syntax(&conn, sql);
        if ours.is_err() != theirs {
            mismatches.push(format!(
                "{sql}: ours {:?}, SQLite {}",
                ours.err().map(|e| e.to_string()),
                if theirs { "rejects" } else { "accepts" }
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    for (sql, message) in [
        (
            "SELECT 1 ORDER BY 1 UNION SELECT 2",
            "ORDER BY clause should come after UNION not before",
        ),
        (
            "SELECT 1 LIMIT 1 EXCEPT SELECT 2",
            "LIMIT clause should come after EXCEPT not before",
        ),
    ] {
        assert_eq!(parse(sql).unwrap_err().to_string(), message);
        assert_eq!(conn.prepare(sql).err().unwrap().to_string(), message);
    }
}

#[test]
fn at_most_32766_parameters_as_in_sqlite() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    for n in [32766usize, 32767] {
        let sql = format!("SELECT 1 WHERE 1 IN ({})", vec!["?"; n].join(","));
        let ours = parse(&sql).map(|s| s[0].parameters.len());
        let theirs = conn.prepare(&sql).map(|s| s.parameter_count());
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), "too many SQL variables");
                assert!(b.to_string().starts_with("too many SQL variables"));
            }
            (a, b) => panic!("{n}: ours ok {}, SQLite ok {}", a.is_ok(), b.is_ok()),
        }
    }
}
