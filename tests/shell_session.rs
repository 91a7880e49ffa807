//! The shell on concur's own engine, driven as programs drive it: through a pipe, one
//! statement at a time; `.connection` interleaving two transactions on one database; and
//! `.dump` output of a concur database loaded by the real `sqlite3`, which must hold the
//! same data as SQLite itself makes from the same statements.

use std::io::{self, BufRead, Cursor, Read, Write};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use concur::shell::{self, ConcurEngine, Streams};

/// The reading end of an in-process pipe: bytes arrive as the test sends them.
struct PipeReader {
    chunks: Receiver<Vec<u8>>,
    buffer: Vec<u8>,
    at: usize,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for PipeReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at >= self.buffer.len() {
            // A closed sender is the end of input.
            self.buffer = self.chunks.recv().unwrap_or_default();
            self.at = 0;
        }
        Ok(&self.buffer[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at += n;
    }
}

/// The writing end of an in-process pipe: each flush sends what was written.
struct PipeWriter {
    sink: Sender<Vec<u8>>,
    pending: Vec<u8>,
}

impl Write for PipeWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let _ = self.sink.send(std::mem::take(&mut self.pending));
        }
        Ok(())
    }
}

#[test]
fn a_program_reads_each_answer_before_sending_the_next_statement() {
    let (to_shell, shell_in) = channel::<Vec<u8>>();
    let (shell_out, from_shell) = channel::<Vec<u8>>();
    let shell = std::thread::spawn(move || {
        let mut stdin = PipeReader {
            chunks: shell_in,
            buffer: Vec::new(),
            at: 0,
        };
        let mut stdout = PipeWriter {
            sink: shell_out,
            pending: Vec::new(),
        };
        let mut stderr = Vec::new();
        let code = shell::run(
            &ConcurEngine,
            &[],
            Streams {
                stdin: &mut stdin,
                stdout: &mut stdout,
                stderr: &mut stderr,
                stdin_is_terminal: false,
                stderr_is_terminal: false,
                editor: None,
            },
        );
        (code, stderr)
    });
    let ask = |statement: &str| -> String {
        to_shell.send(statement.as_bytes().to_vec()).unwrap();
        let answer = from_shell
            .recv_timeout(Duration::from_secs(20))
            .expect("no answer");
        String::from_utf8(answer).unwrap()
    };
    to_shell.send(b"create table t(x);\n".to_vec()).unwrap();
    assert_eq!(
        ask("insert into t values (41);\nselect x + 1 from t;\n"),
        "42\n"
    );
    assert_eq!(
        ask("insert into t values (1); select count(*) from t;\n"),
        "2\n"
    );
    // A statement split over two writes is answered once it is complete.
    to_shell.send(b"select sum(x)\n".to_vec()).unwrap();
    assert!(from_shell.recv_timeout(Duration::from_millis(200)).is_err());
    assert_eq!(ask("from t;\n"), "42\n");
    assert_eq!(ask(".mode csv\nselect 'a b', 2;\n"), "\"a b\",2\r\n");
    drop(to_shell);
    let (code, stderr) = shell.join().unwrap();
    assert_eq!(code, 0, "stderr: {}", String::from_utf8_lossy(&stderr));
}

fn run_script(args: &[String], script: &str) -> (String, String, i32) {
    let mut stdin = Cursor::new(script.as_bytes().to_vec());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = shell::run(
        &ConcurEngine,
        args,
        Streams {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdin_is_terminal: false,
            stderr_is_terminal: false,
            editor: None,
        },
    );
    (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
        code,
    )
}

/// Two connections of one in-memory database, switched with `.connection`, each with its own
/// transaction state. Connection 1 opens a transaction and writes; connection 0 then opens
/// its own, and its write fails with SQLITE_BUSY (`database is locked`, as two SQLite
/// connections without a busy timeout do) while connection 1 holds the write lock; after
/// connection 1 commits, connection 0's transaction (still open) writes and commits, and both
/// connections see every row. What a connection sees of the other's uncommitted rows is not
/// asserted: concur's in-memory store does not isolate connections yet (the file-backed store
/// will). (`sqlite3` 3.40.1 cannot be the oracle here: its `.connection` opens a new
/// in-memory database rather than the same one.)
#[test]
fn connection_interleaves_two_transactions_on_one_database() {
    let script = "\
create table t(x);
insert into t values(1);
.connection 1
begin;
insert into t values(2);
select count(*) from t;
.connection 0
begin;
insert into t values(3);
.connection 1
commit;
.connection 0
insert into t values(3);
commit;
select count(*), sum(x) from t;
.connection 1
select count(*), sum(x) from t;
.connection 0
.connection
.connection close 1
.connection
.connection 10
";
    let (out, err, code) = run_script(&[], script);
    let expected = "2\n3|6\n3|6\nACTIVE 0: :memory:\n       1: :memory:\nACTIVE 0: :memory:\n";
    assert_eq!(out, expected, "stderr: {err}");
    assert_eq!(
        err,
        "Runtime error near line 9: database is locked (5)\n\
         Usage: .connection [close] [CONNECTION-NUMBER]\n"
    );
    assert_eq!(code, 1);
    // Each connection keeps its own transaction state: COMMIT fails on the connection that
    // has none open, BEGIN fails on the one that has.
    let (out, err, code) = run_script(
        &[],
        ".connection 1\nbegin;\n.connection 0\ncommit;\nbegin;\n.connection 1\nbegin;\ncommit;\n.connection 0\ncommit;\n",
    );
    assert_eq!(out, "");
    assert_eq!(
        err,
        "Runtime error near line 4: cannot commit - no transaction is active\n\
         Runtime error near line 7: cannot start a transaction within a transaction\n"
    );
    assert_eq!(code, 1);
}

#[test]
fn timer_prints_a_run_time_line_per_statement() {
    let (out, _, code) = run_script(&[], ".timer on\nselect 1;\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1");
    assert!(lines[1].starts_with("Run Time: real "), "{out}");
    assert!(
        lines[1].contains(" user ") && lines[1].contains(" sys "),
        "{out}"
    );
    assert_eq!(code, 0);
}

#[test]
fn import_reads_csv_and_warns_about_ragged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "a,b\n1,\"x,\"\"y\"\"\"\n2\n3,4,5\n\"multi\nline\",z\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let script = format!(
        ".mode csv\n.import {csv} t\n.mode quote\nselect * from t;\n.import {csv} t\nselect count(*) from t;\n"
    );
    let (out, err, code) = run_script(&[], &script);
    assert_eq!(
        out, "'1','x,\"y\"'\n'2',NULL\n'3','4'\n'multi\nline','z'\n9\n",
        "stderr: {err}"
    );
    assert!(
        err.contains(&format!(
            "{csv}:3: expected 2 columns but found 1 - filling the rest with NULL"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{csv}:4: expected 2 columns but found 3 - extras ignored"
        )),
        "{err}"
    );
    assert_eq!(code, 0);
}

/// Every row of the schema and of the test's tables, as text, from a SQLite connection.
fn everything(c: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "select type, name, tbl_name, sql from sqlite_schema order by name",
        "select id, quote(i), quote(r), quote(s), quote(b), quote(n), typeof(r) from t order by id",
        "select quote(\"a b\"), c from \"odd name\" order by c",
        "select * from sqlite_sequence",
    ] {
        let mut stmt = c.prepare(sql).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}

#[test]
fn dump_output_loads_into_sqlite3_with_the_same_data() {
    let setup = "\
create table t(id integer primary key, i, r, s, b, n);
insert into t values(1, 42, 0.1, 'it''s', x'00ff10', NULL);
insert into t values(2, -9223372036854775808, 1e301, 'two
lines\r', x'', 1);
insert into t values(3, 9223372036854775807, -0.0, '', 'text', 2.5);
insert into t values(4, 1, 3.0, 'ünïcödé', zeroblob(3), 1e-300);
insert into t values(5, 0.1 + 0.2, 1.0 / 3, 'tab\there', x'0a0d', 123456789012345678);
insert into t values(6, 9007199254740993, 1e308 * 10, -1e308 * 10, 'a''''b', -4.5e-7);
create table \"odd name\"(\"a b\", c integer primary key autoincrement);
insert into \"odd name\"(\"a b\") values('x'), (NULL);
create index ti on t(s);
create view v as select id from t;
create trigger tr after insert on t begin select 1; end;
";
    // The dump comes from a concur (in-memory) database made by the setup.
    let (dump, err, code) = run_script(&[], &format!("{setup}.dump\n"));
    assert_eq!((err.as_str(), code), ("", 0));
    assert!(dump.starts_with("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"));
    assert!(dump.ends_with("COMMIT;\n"));
    // sqlite3 loads it into a file ...
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let mut sqlite3 = std::process::Command::new("/usr/bin/sqlite3")
        .arg(&copy)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("/usr/bin/sqlite3 is needed for this test");
    sqlite3
        .stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let loaded = sqlite3.wait_with_output().unwrap();
    assert!(loaded.status.success());
    assert_eq!(String::from_utf8_lossy(&loaded.stderr), "");
    // ... which must hold what SQLite itself makes of the same setup.
    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    oracle.execute_batch(setup).unwrap();
    let copy = rusqlite::Connection::open(&copy).unwrap();
    assert_eq!(everything(&copy), everything(&oracle));
    assert_eq!(everything(&oracle).len(), 6 + 6 + 2 + 1);
}

#[test]
fn binary_parses_options_and_runs_command_line_sql() {
    let bin = env!("CARGO_BIN_EXE_concur");
    let version = std::process::Command::new(bin)
        .arg("-version")
        .output()
        .unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("concur "));
    let help = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stderr).starts_with("Usage: concur [OPTIONS]"));
    let bad = std::process::Command::new(bin)
        .arg("-frobnicate")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown option: -frobnicate"));
    let sql = std::process::Command::new(bin)
        .arg(":memory:")
        .arg("select 1")
        .output()
        .unwrap();
    assert_eq!(sql.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&sql.stdout), "1\n");
}

/// The same interleaving on a database file, where connections are isolated: a reader does
/// not see another connection's uncommitted row, and sees it once it is committed.
#[test]
fn connection_on_a_file_isolates_uncommitted_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shell.db").display().to_string();
    let script = "\
pragma busy_timeout = 0;
create table t(x);
insert into t values(1);
.connection 1
begin;
insert into t values(2);
select count(*) from t;
.connection 0
select count(*) from t;
insert into t values(3);
.connection 1
commit;
.connection 0
select count(*), sum(x) from t;
";
    let (out, err, code) = run_script(&[path], script);
    assert_eq!(out, "0\n2\n1\n2|3\n", "stderr: {err}");
    assert_eq!(err, "Runtime error near line 10: database is locked (5)\n");
    assert_eq!(code, 1);
}
