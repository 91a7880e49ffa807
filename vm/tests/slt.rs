//! A sqllogictest runner over `../shared/sqllogictest/test/` (relative to the workspace
//! root; CI keeps it at `<repo>/../shared`).
//!
//! Records: `statement ok|error`, `query <types> <nosort|rowsort|valuesort> [label]` with
//! results listed one value per line or as `N values hashing to <md5>`, `skipif`/`onlyif`
//! (this runner is `sqlite`), `halt`, `hash-threshold`. Values are rendered as the reference
//! runner renders them: by the column's type letter, `I` as `%d` of the integer value, `R` as
//! `%.3f`, `T` as text with `(empty)` for '' and `@` for control characters, NULL as `NULL`.
//!
//! By default every `.test` file of the corpus runs and must pass every record that is not
//! marked for another engine; `SLT_FILES` (comma-separated paths under the test directory)
//! picks files instead; `SLT_STORE=file` runs them on database files instead of in memory.
//! Per-file counts and times are printed (`-- --nocapture`).
//!
//! `SLT_ENGINE=sqlite` runs the same records through SQLite itself (rusqlite, bundled) in the
//! same harness instead of concur, which gives the time to compare with:
//! `SLT_ENGINE=sqlite cargo test --release -p concur-vm --test slt -- --nocapture`.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use concur_btree::Value;
use concur_mvcc::StorageOptions;
use concur_vm::storage::FileStore;
use concur_vm::{Connection, MemStore, Store};

/// The corpus directory.
fn corpus() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent()?.to_path_buf();
    [
        root.join("../shared/sqllogictest/test"),
        PathBuf::from("/work/shared/sqllogictest/test"),
    ]
    .into_iter()
    .find(|c| c.is_dir())
}

/// MD5 (RFC 1321), for hashed results.
fn md5(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32)
        .collect();
    let (mut a0, mut b0, mut c0, mut d0) =
        (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Renders a value as the reference runner does for type letter `t`.
fn render(v: &Value, t: char) -> String {
    if matches!(v, Value::Null) {
        return "NULL".to_string();
    }
    match t {
        'I' => format!("{}", concur_vm::value::numeric::to_integer(v)),
        // The reference runner formats with sqlite3_mprintf, whose `%.3f` keeps at most 16
        // significant digits.
        'R' => {
            let r = concur_vm::value::numeric::to_real(v);
            concur_vm::func::printf::printf(b"%.3f", &[Value::Real(r)])
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        }
        _ => {
            let s = concur_vm::value::value_to_text(v);
            if s.is_empty() {
                "(empty)".to_string()
            } else {
                // Byte by byte, as sqllogictest.c rewrites the C string.
                s.as_bytes()
                    .iter()
                    .map(|&b| {
                        if (b' '..=b'~').contains(&b) {
                            char::from(b)
                        } else {
                            '@'
                        }
                    })
                    .collect()
            }
        }
    }
}

/// What the runner needs from an engine; errors are only told apart from success.
trait Engine {
    /// Runs every statement of `sql`.
    fn execute_batch(&mut self, sql: &str) -> Result<(), String>;
    /// Runs one query and returns its rows.
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Value>>, String>;
}

impl Engine for Connection {
    fn execute_batch(&mut self, sql: &str) -> Result<(), String> {
        Connection::execute_batch(self, sql).map_err(|e| e.to_string())
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Value>>, String> {
        Connection::query(self, sql, &[])
            .map(|(_, rows)| rows)
            .map_err(|e| e.to_string())
    }
}

impl Engine for rusqlite::Connection {
    fn execute_batch(&mut self, sql: &str) -> Result<(), String> {
        rusqlite::Connection::execute_batch(self, sql).map_err(|e| e.to_string())
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Value>>, String> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.prepare(sql).map_err(|e| e.to_string())?;
        let width = stmt.column_count();
        let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            let mut values = Vec::with_capacity(width);
            for k in 0..width {
                values.push(match row.get_ref(k).map_err(|e| e.to_string())? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Integer(i),
                    ValueRef::Real(r) => Value::Real(r),
                    ValueRef::Text(t) => Value::Text(concur_btree::Text::from_bytes(t.to_vec())),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}

/// A fresh database of the engine `SLT_ENGINE` names (concur by default), in memory or for
/// concur on `kind` File at `path`.
fn engine(kind: StoreKind, path: &Path) -> Box<dyn Engine> {
    if std::env::var("SLT_ENGINE").as_deref() == Ok("sqlite") {
        return Box::new(rusqlite::Connection::open_in_memory().expect("SQLite in memory"));
    }
    let store: Arc<dyn Store> = match kind {
        StoreKind::Memory => Arc::new(MemStore::new()),
        StoreKind::File => Arc::new(FileStore::open(path, &StorageOptions::default()).unwrap()),
    };
    Box::new(Connection::new(store))
}

/// Counts of one file.
#[derive(Debug, Default)]
struct Outcome {
    /// Records that passed.
    passed: usize,
    /// Records that failed.
    failed: usize,
    /// Records skipped (other engines).
    skipped: usize,
    /// The first few failures.
    failures: Vec<String>,
}

/// Where a test file's database lives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    /// The in-memory store.
    Memory,
    /// A database file with its WAL, through the pager and B-trees.
    File,
}

/// Runs one file on a fresh database of `kind`.
fn run_file(path: &Path, kind: StoreKind) -> Outcome {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let mut conn = engine(kind, &dir.path().join("slt.db"));
    let mut out = Outcome::default();
    let mut _threshold = 0usize;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let mut skip = false;
        let mut header = line;
        while header.starts_with("skipif") || header.starts_with("onlyif") {
            let engine = header.split_whitespace().nth(1).unwrap_or("");
            if header.starts_with("skipif") && engine == "sqlite" {
                skip = true;
            }
            if header.starts_with("onlyif") && engine != "sqlite" {
                skip = true;
            }
            i += 1;
            header = lines.get(i).map_or("", |l| l.trim_end());
        }
        let words: Vec<&str> = header.split_whitespace().collect();
        let line_no = i + 1;
        i += 1;
        match words.first().copied() {
            Some("halt") => {
                if skip {
                    continue;
                }
                break;
            }
            Some("hash-threshold") => {
                _threshold = words.get(1).and_then(|w| w.parse().ok()).unwrap_or(0);
            }
            Some("statement") => {
                let mut sql = Vec::new();
                while i < lines.len() && !lines[i].trim().is_empty() {
                    sql.push(lines[i]);
                    i += 1;
                }
                if skip {
                    out.skipped += 1;
                    continue;
                }
                let sql = sql.join("\n");
                let result = conn.execute_batch(&sql);
                let expect_ok = words.get(1) == Some(&"ok");
                if result.is_ok() == expect_ok {
                    out.passed += 1;
                } else {
                    out.failed += 1;
                    if out.failures.len() < 10 {
                        out.failures.push(format!(
                            "line {line_no}: statement {}: {:?}\n  {sql}",
                            words.get(1).unwrap_or(&""),
                            result.err()
                        ));
                    }
                }
            }
            Some("query") => {
                let types: Vec<char> = words.get(1).map_or(Vec::new(), |t| t.chars().collect());
                let sort = words.get(2).copied().unwrap_or("nosort");
                let mut sql = Vec::new();
                while i < lines.len() && lines[i].trim() != "----" && !lines[i].trim().is_empty() {
                    sql.push(lines[i]);
                    i += 1;
                }
                let mut expected = Vec::new();
                if i < lines.len() && lines[i].trim() == "----" {
                    i += 1;
                    while i < lines.len() && !lines[i].trim().is_empty() {
                        expected.push(lines[i].trim_end().to_string());
                        i += 1;
                    }
                }
                if skip {
                    out.skipped += 1;
                    continue;
                }
                let sql = sql.join("\n");
                let began = std::time::Instant::now();
                let result = conn.query(&sql);
                if began.elapsed().as_secs_f64() > 0.5 {
                    eprintln!(
                        "  slow ({:.1}s) line {line_no}: {sql}",
                        began.elapsed().as_secs_f64()
                    );
                }
                let verdict = match result {
                    // The reference output of a query that fails is empty.
                    Err(_) if expected.is_empty() => Ok(()),
                    Err(e) => Err(format!("error: {e}")),
                    Ok(rows) => {
                        let width = types.len().max(1);
                        let mut rendered: Vec<Vec<String>> = rows
                            .iter()
                            .map(|r| {
                                r.iter()
                                    .enumerate()
                                    .map(|(k, v)| render(v, types.get(k).copied().unwrap_or('T')))
                                    .collect()
                            })
                            .collect();
                        if rows.first().is_some_and(|r| r.len() != width) {
                            Err(format!("wrong column count {}", rows[0].len()))
                        } else {
                            if sort == "rowsort" {
                                rendered.sort();
                            }
                            let mut values: Vec<String> = rendered.into_iter().flatten().collect();
                            if sort == "valuesort" {
                                values.sort();
                            }
                            let hashed =
                                expected.len() == 1 && expected[0].contains("values hashing to");
                            if hashed {
                                let mut blob = String::new();
                                for v in &values {
                                    blob.push_str(v);
                                    blob.push('\n');
                                }
                                let got = format!(
                                    "{} values hashing to {}",
                                    values.len(),
                                    md5(blob.as_bytes())
                                );
                                if got == expected[0] {
                                    Ok(())
                                } else {
                                    Err(format!("got {got}, want {}", expected[0]))
                                }
                            } else if values == expected {
                                Ok(())
                            } else {
                                Err(format!(
                                    "got {:?}, want {:?}",
                                    &values[..values.len().min(12)],
                                    &expected[..expected.len().min(12)]
                                ))
                            }
                        }
                    }
                };
                match verdict {
                    Ok(()) => out.passed += 1,
                    Err(why) => {
                        out.failed += 1;
                        if out.failures.len() < 10 {
                            out.failures.push(format!("line {line_no}: {why}\n  {sql}"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if kind == StoreKind::File {
        // The file must be one SQLite itself accepts: concur's own check, then SQLite's on
        // the file as the last handle left it (checkpointed, WAL removed).
        match conn.query("PRAGMA integrity_check") {
            Ok(rows) if rows == vec![vec![Value::Text("ok".into())]] => {}
            other => {
                out.failed += 1;
                out.failures
                    .push(format!("concur integrity_check: {other:?}"));
            }
        }
        drop(conn);
        let sqlite = rusqlite::Connection::open(dir.path().join("slt.db")).unwrap();
        let verdict: String = sqlite
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap_or_else(|e| e.to_string());
        if verdict != "ok" {
            out.failed += 1;
            out.failures
                .push(format!("sqlite3 integrity_check: {verdict}"));
        }
    }
    out
}

/// Every `.test` file under `dir`, sorted.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "test") {
            out.push(p);
        }
    }
}

#[test]
fn md5_matches_rfc_1321() {
    assert_eq!(md5(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(md5(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        md5(b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
        "57edf4a22be3c955ac49da2e2107b67a"
    );
}

/// Runs `selected` on stores of `kind`; panics naming the files that failed.
fn run_all(dir: &Path, selected: &[PathBuf], kind: StoreKind) {
    let mut broken = Vec::new();
    let corpus_started = std::time::Instant::now();
    for path in selected {
        let started = std::time::Instant::now();
        let out = run_file(path, kind);
        let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        eprintln!(
            "{name}: {} passed, {} failed, {} skipped ({:.1}s)",
            out.passed,
            out.failed,
            out.skipped,
            started.elapsed().as_secs_f64()
        );
        for f in &out.failures {
            eprintln!("  {f}");
        }
        if out.failed > 0 {
            broken.push(name);
        }
    }
    eprintln!(
        "{} files in {:.1}s on {}",
        selected.len(),
        corpus_started.elapsed().as_secs_f64(),
        std::env::var("SLT_ENGINE").unwrap_or_else(|_| "concur".to_string())
    );
    assert!(broken.is_empty(), "files that must pass failed: {broken:?}");
}

/// A part of the corpus on database files (the whole corpus runs in memory below; set
/// `SLT_STORE=file` to run it all on files): every statement goes through the pager, the
/// B-trees and the WAL, and each file's database is checked by the integrity checker after.
#[test]
fn sqllogictest_on_database_files() {
    let Some(dir) = corpus() else {
        eprintln!("sqllogictest corpus not found; skipping");
        return;
    };
    let mut selected = vec![
        dir.join("select1.test"),
        dir.join("index/delete/10/slt_good_0.test"),
    ];
    files_under(&dir.join("evidence"), &mut selected);
    run_all(&dir, &selected, StoreKind::File);
}

#[test]
fn sqllogictest_corpus() {
    let Some(dir) = corpus() else {
        eprintln!("sqllogictest corpus not found; skipping");
        return;
    };
    let kind = match std::env::var("SLT_STORE").as_deref() {
        Ok("file") => StoreKind::File,
        _ => StoreKind::Memory,
    };
    let selected: Vec<PathBuf> = match std::env::var("SLT_FILES") {
        Ok(list) if list == "all" => {
            let mut all = Vec::new();
            files_under(&dir, &mut all);
            all
        }
        Ok(list) => list.split(',').map(|f| dir.join(f.trim())).collect(),
        Err(_) => {
            let mut all = Vec::new();
            files_under(&dir, &mut all);
            all
        }
    };
    run_all(&dir, &selected, kind);
}
