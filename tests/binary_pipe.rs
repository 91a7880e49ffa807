//! The `concur` binary driven through pipes, as scripts and other programs drive `sqlite3`:
//! one statement at a time, each answer read before the next statement is sent.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[test]
fn each_statement_is_answered_before_the_next_is_sent() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_concur"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "CREATE TABLE t(id INTEGER PRIMARY KEY, v);").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut ask = |sql: &str, line: &mut String| {
        writeln!(stdin, "{sql}").unwrap();
        stdin.flush().unwrap();
        line.clear();
        stdout.read_line(line).unwrap();
        line.trim_end().to_string()
    };
    assert_eq!(
        ask(
            "INSERT INTO t(v) VALUES ('a'), (2.5), (x'ff'); SELECT count(*) FROM t;",
            &mut line
        ),
        "3"
    );
    assert_eq!(
        ask("SELECT typeof(v) FROM t WHERE id = 2;", &mut line),
        "real"
    );
    assert_eq!(ask("SELECT v || '!' FROM t WHERE id = 1;", &mut line), "a!");
    assert_eq!(
        ask("SELECT 1e301, -0.0, 9223372036854775807 + 1;", &mut line),
        "1.0e+301|0.0|9.22337203685478e+18"
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn a_failed_statement_prints_an_error_line_and_sets_the_exit_status() {
    let output = Command::new(env!("CARGO_BIN_EXE_concur"))
        .arg(":memory:")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"SELECT * FROM nope;\nSELECT 42;\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "42\n");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Parse error near line 1: no such table: nope\n"
    );
    assert_eq!(output.status.code(), Some(1));
}
