//! Golden tests: every `tests/shell/NAME.sql` is fed to the concur shell, on concur's own SQL
//! engine (the one the `concur` binary runs), on standard input, with the arguments in
//! `NAME.args` (one per line) if present, and its standard output, standard error and exit status must equal
//! `NAME.out`, `NAME.err` and `NAME.code`, which `tests/shell/regen.sh` records from
//! `sqlite3` 3.40.1 on the same input.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use concur::shell::{self, ConcurEngine, Streams};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shell")
}

/// Runs the shell on `script` with `args`; returns (stdout, stderr, status).
fn run_shell(args: &[String], script: &[u8]) -> (Vec<u8>, Vec<u8>, i32) {
    let mut stdin = Cursor::new(script.to_vec());
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
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
    (stdout, stderr, code)
}

/// Describes the first difference between two outputs.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let a = String::from_utf8_lossy(actual);
    for (n, (el, al)) in e.split('\n').zip(a.split('\n')).enumerate() {
        if el != al {
            return format!("line {}:\n  expected {el:?}\n  actual   {al:?}", n + 1);
        }
    }
    format!(
        "lengths differ: expected {} lines, got {}",
        e.split('\n').count(),
        a.split('\n').count()
    )
}

#[test]
fn golden_scripts_match_sqlite3_byte_for_byte() {
    let dir = golden_dir();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 10,
        "golden scripts missing from {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for script in &scripts {
        let read = |ext: &str| std::fs::read(script.with_extension(ext)).unwrap_or_default();
        let args: Vec<String> = String::from_utf8(read("args"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.replace("@DIR@", dir.to_str().unwrap()))
            .collect();
        let (out, err, code) = run_shell(&args, &std::fs::read(script).unwrap());
        let name = script.file_name().unwrap().to_string_lossy().into_owned();
        let expected_code: i32 = String::from_utf8(read("code"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        if out != read("out") {
            failures.push(format!(
                "{name} stdout {}",
                first_difference(&read("out"), &out)
            ));
        }
        if err != read("err") {
            failures.push(format!(
                "{name} stderr {}",
                first_difference(&read("err"), &err)
            ));
        }
        if code != expected_code {
            failures.push(format!(
                "{name} exit status {code}, expected {expected_code}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `.dump`'s options (`--data-only`, `--newlines`, ...) are not implemented: the shell says
/// so and prints no partial dump, where sqlite3 would run them.
#[test]
fn dump_options_are_refused_with_a_message() {
    let script = b"CREATE TABLE t(a); INSERT INTO t VALUES (1);\n.dump --data-only t\n.dump t\n";
    let (out, err, _) = run_shell(&[], script);
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(".dump option --data-only is not supported"),
        "stderr: {err}"
    );
    // Only the second .dump printed, and in full.
    let out = String::from_utf8_lossy(&out);
    assert_eq!(
        out.matches("BEGIN TRANSACTION;").count(),
        1,
        "stdout: {out}"
    );
    assert!(out.contains("INSERT INTO t VALUES(1);"), "stdout: {out}");
}
