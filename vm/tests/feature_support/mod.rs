//! Shared oracle for the feature tests: the same SQL runs on concur and on SQLite
//! (rusqlite, bundled 3.46); rows must agree value by value and in order, column names
//! must agree, and a statement that fails on one must fail on the other with the same
//! message.

#![allow(clippy::unwrap_used, dead_code)] // Tests may unwrap; not every test uses every helper.

use std::sync::Arc;

use concur_btree::Value;
use concur_vm::{Connection, MemStore};

/// Both engines, side by side.
pub struct Pair {
    /// concur.
    pub ours: Connection,
    /// SQLite.
    pub theirs: rusqlite::Connection,
}

/// A SQLite value as concur's.
fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    match v {
        rusqlite::types::ValueRef::Null => Value::Null,
        rusqlite::types::ValueRef::Integer(i) => Value::Integer(i),
        rusqlite::types::ValueRef::Real(r) => Value::Real(r),
        rusqlite::types::ValueRef::Text(t) => {
            Value::Text(concur_btree::Text::from_bytes(t.to_vec()))
        }
        rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// The message of a SQLite error, without rusqlite's decoration.
fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// Column names and rows of `sql` on SQLite, or its error message.
pub fn sqlite_rows(
    db: &rusqlite::Connection,
    sql: &str,
) -> Result<(Vec<String>, Vec<Vec<Value>>), String> {
    let mut stmt = db.prepare(sql).map_err(|e| sqlite_message(&e))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| sqlite_message(&e))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| sqlite_message(&e))? {
        out.push(
            (0..n)
                .map(|i| from_sqlite(row.get_ref(i).unwrap()))
                .collect(),
        );
    }
    Ok((names, out))
}

impl Pair {
    /// Two empty in-memory databases.
    pub fn new() -> Pair {
        Pair {
            ours: Connection::new(Arc::new(MemStore::new())),
            theirs: rusqlite::Connection::open_in_memory().unwrap(),
        }
    }

    /// Runs `sql` (one or more statements) on both; both must succeed.
    pub fn setup(&mut self, sql: &str) {
        self.theirs
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("sqlite rejected setup {sql}: {e}"));
        self.ours
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("concur rejected setup {sql}: {e}"));
    }

    /// Runs `sql` (one or more statements) on both; both succeed, or both fail with the
    /// same message. Returns the message when they failed.
    pub fn batch(&mut self, sql: &str) -> Option<String> {
        let theirs = self
            .theirs
            .execute_batch(sql)
            .map_err(|e| sqlite_message(&e));
        let ours = self.ours.execute_batch(sql).map_err(|e| e.to_string());
        match (&ours, &theirs) {
            (Ok(()), Ok(())) => None,
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{sql}: messages differ");
                Some(a.clone())
            }
            _ => panic!("{sql}\nconcur: {ours:?}\nsqlite: {theirs:?}"),
        }
    }

    /// Runs query `sql` on both and compares names and rows (in order), or the error
    /// messages. Returns the rows (empty on error).
    pub fn check(&mut self, sql: &str) -> Vec<Vec<Value>> {
        let theirs = sqlite_rows(&self.theirs, sql);
        let ours = self.ours.query(sql, &[]).map_err(|e| e.to_string());
        match (ours, theirs) {
            (Ok((our_names, a)), Ok((their_names, b))) => {
                assert_eq!(our_names, their_names, "{sql}: column names differ");
                assert_eq!(a, b, "{sql}: rows differ");
                a
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{sql}: messages differ");
                Vec::new()
            }
            (ours, theirs) => panic!("{sql}\nconcur: {ours:?}\nsqlite: {theirs:?}"),
        }
    }

    /// Like [`Pair::check`], but the query must succeed with at least one row.
    pub fn check_rows(&mut self, sql: &str) -> Vec<Vec<Value>> {
        let rows = self.check(sql);
        assert!(!rows.is_empty(), "{sql}: expected rows");
        rows
    }

    /// Like [`Pair::check`], but the query must fail; returns the message.
    pub fn check_error(&mut self, sql: &str) -> String {
        let theirs = sqlite_rows(&self.theirs, sql);
        let ours = self.ours.query(sql, &[]).map_err(|e| e.to_string());
        match (ours, theirs) {
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{sql}: messages differ");
                a
            }
            (ours, theirs) => {
                panic!("{sql}: expected errors\nconcur: {ours:?}\nsqlite: {theirs:?}")
            }
        }
    }

    /// The stored schema (type, name, tbl_name, sql) on both must agree.
    pub fn check_schema(&mut self) {
        self.check("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name");
    }
}

/// Prints what SQLite and concur return for each line of `$PROBE` (a scratch aid).
pub fn probe(pair: &mut Pair, sql: &str) {
    println!("sql: {sql}");
    println!("  sqlite: {:?}", sqlite_rows(&pair.theirs, sql));
    println!(
        "  concur: {:?}",
        pair.ours.query(sql, &[]).map_err(|e| e.to_string())
    );
}

/// Runs `setup` and then `query` in the `sqlite3` shell (3.40.1, which has
/// `generate_series` built in, where the bundled library has not) on an empty in-memory
/// database: the output lines in list mode, or the error message of the query.
pub fn shell_rows(setup: &str, query: &str) -> Result<Vec<String>, String> {
    use std::io::Write;
    let mut child = std::process::Command::new("sqlite3")
        .args(["-batch", "-bail", ":memory:"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the sqlite3 shell must be installed (.ci/run installs it)");
    let script = format!("{setup};\n{query};\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !stderr.trim().is_empty() {
        let first = stderr.lines().next().unwrap_or("");
        // "Parse error near line 2: msg", "Runtime error near line 2: msg", "Error: msg".
        let first = match first.find(" near line ") {
            Some(at) => first[at..].split_once(": ").map_or(first, |(_, m)| m),
            None => first,
        };
        let message = first
            .trim_start_matches("Error: ")
            .trim_start_matches("Parse error: ")
            .trim_start_matches("in prepare, ")
            .trim_start_matches("stepping, ");
        let message = message.split(" (").next().unwrap_or(message);
        return Err(message.to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// concur's rows of `query` after `setup`, printed as the shell's list mode prints
/// integers, texts and NULLs; or its error message.
pub fn concur_lines(setup: &str, query: &str) -> Result<Vec<String>, String> {
    let mut conn = Connection::new(Arc::new(MemStore::new()));
    if !setup.is_empty() {
        conn.execute_batch(setup).unwrap();
    }
    let (_, rows) = conn.query(query, &[]).map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| match v {
                    Value::Null => String::new(),
                    Value::Integer(i) => i.to_string(),
                    Value::Text(t) => t.to_string_lossy().into_owned(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect())
}
