//! Every `statement ok` and `query` record of the sqllogictest corpus parses.
//!
//! The corpus (`/work/shared/sqllogictest/test`, or `$SQLLOGICTEST_DIR`) is SQLite's own
//! sqllogictest suite: records are a header line (`statement ok`, `statement error`,
//! `query <types> <sort> [label]`), optionally preceded by `skipif <engine>` / `onlyif <engine>`
//! lines, followed by SQL up to a blank line or `----`. Records meant for other engines are
//! skipped; each remaining SQL text must parse (a few records hold two statements), and each
//! statement printed back as SQL must parse to the same tree.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::path::{Path, PathBuf};

use concur_vm::parser::{parse, Parser};

/// One record's SQL with where it came from.
struct Record {
    /// The file.
    file: PathBuf,
    /// The line of the record header.
    line: usize,
    /// Whether the record expects an error.
    expects_error: bool,
    /// The SQL text.
    sql: String,
}

/// Collects the records of one file that apply to SQLite.
fn records(file: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut skip = false;
    while i < lines.len() {
        let line = lines[i].trim_end();
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("skipif"), Some(engine)) => {
                skip |= engine == "sqlite";
                i += 1;
            }
            (Some("onlyif"), Some(engine)) => {
                skip |= engine != "sqlite";
                i += 1;
            }
            (Some("halt"), _) => {
                if !skip {
                    return out;
                }
                skip = false;
                i += 1;
            }
            (Some(kind @ ("statement" | "query")), what) => {
                let header = i;
                i += 1;
                let start = i;
                while i < lines.len() && !lines[i].trim().is_empty() && lines[i] != "----" {
                    i += 1;
                }
                let sql = lines[start..i].join("\n");
                if lines.get(i) == Some(&"----") {
                    while i < lines.len() && !lines[i].trim().is_empty() {
                        i += 1;
                    }
                }
                if !skip {
                    out.push(Record {
                        file: file.to_path_buf(),
                        line: header + 1,
                        expects_error: kind == "statement" && what == Some("error"),
                        sql,
                    });
                }
                skip = false;
            }
            _ => {
                if line.trim().is_empty() {
                    skip = false;
                }
                i += 1;
            }
        }
    }
    out
}

/// All `.test` files under `dir`.
fn test_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            test_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "test") {
            out.push(path);
        }
    }
}

/// The corpus directory, if present on this machine.
fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SQLLOGICTEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/sqllogictest/test"));
    dir.is_dir().then_some(dir)
}

#[test]
fn every_sqllogictest_statement_parses() {
    let Some(dir) = corpus_dir() else {
        eprintln!("sqllogictest corpus not found; set SQLLOGICTEST_DIR");
        return;
    };
    let mut files = Vec::new();
    test_files(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty());
    let mut parsed = 0usize;
    let mut failures = Vec::new();
    for file in &files {
        for record in records(file) {
            if record.expects_error {
                continue;
            }
            match parse(&record.sql) {
                Ok(statements) if !statements.is_empty() => {
                    parsed += statements.len();
                    for statement in statements {
                        let printed = statement.statement.to_string();
                        match parse(&printed) {
                            Ok(again) if again.len() == 1 && again[0].statement == statement.statement => {}
                            other => failures.push(format!(
                                "{}:{}: printed form does not parse back the same: {printed:?} -> {:?}",
                                record.file.display(),
                                record.line,
                                other.map(|v| v.into_iter().map(|p| p.statement).collect::<Vec<_>>())
                            )),
                        }
                    }
                }
                Ok(_) => failures.push(format!(
                    "{}:{}: no statement in {:?}",
                    record.file.display(),
                    record.line,
                    record.sql
                )),
                Err(e) => failures.push(format!(
                    "{}:{}: {e} at {:?} in {:?}",
                    record.file.display(),
                    record.line,
                    e.position(),
                    record.sql
                )),
            }
        }
    }
    eprintln!("parsed {parsed} statements from {} files", files.len());
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    assert!(parsed > 10_000, "only {parsed} statements found");
}

#[test]
fn statement_error_records_that_sqlite_rejects_at_parse_time_fail_to_parse() {
    // The corpus's `statement error` records that rusqlite cannot even prepare as a syntax
    // error must fail in our parser too.
    let Some(dir) = corpus_dir() else {
        return;
    };
    let mut files = Vec::new();
    test_files(&dir.join("evidence"), &mut files);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let mut checked = 0;
    for file in &files {
        for record in records(file) {
            if !record.expects_error {
                continue;
            }
            let sqlite_syntax_error = match conn.prepare(&record.sql) {
                Err(rusqlite::Error::SqlInputError { msg, .. }) => {
                    msg.contains("syntax error") || msg.contains("incomplete input")
                }
                _ => false,
            };
            if sqlite_syntax_error {
                checked += 1;
                let ours: Result<Vec<_>, _> = Parser::new(&record.sql).collect();
                assert!(
                    ours.is_err(),
                    "{}:{} parsed but SQLite says syntax error: {:?}",
                    record.file.display(),
                    record.line,
                    record.sql
                );
            }
        }
    }
    eprintln!("{checked} syntax-error records checked");
}
