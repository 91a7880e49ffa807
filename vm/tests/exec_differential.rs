//! Differential test against SQLite (rusqlite, bundled 3.46): a seeded generator makes a
//! random schema, random data and random statements (DML of every form, queries,
//! transactions and savepoints, CREATE/DROP INDEX), and each statement runs on concur and on
//! SQLite. They must agree on the rows (value by value; see `differential/compare.rs` for
//! where SQLite leaves a choice), on the error (by result code), on `changes()`,
//! `last_insert_rowid()` and autocommit after it; every few statements the whole content of
//! every table and the schema must agree exactly.
//!
//! Longer runs: `CONCUR_DIFF_SEEDS=1..200` (a list of seeds or ranges) and
//! `CONCUR_DIFF_STATEMENTS=5000` (per seed). A mismatch reports the seed and statement number;
//! `CONCUR_DIFF_DUMP=run.sql` then writes the statements of that run up to the failing one, to
//! replay in `sqlite3`, and `CONCUR_DIFF_TRACE=1` prints each statement as it runs.
//! Every run is repeated on each store (the in-memory store and the B-tree file store over a
//! temporary file; in the CI run, the file store repeats the first few seeds only);
//! `CONCUR_DIFF_STORE=memory` or `=file` runs one of them.

#![allow(clippy::unwrap_used)] // Tests may unwrap.

mod differential;

use std::sync::Arc;

use concur_mvcc::{StorageOptions, SyncMode};
use concur_vm::storage::FileStore;
use concur_vm::{Connection, MemStore, Store};

use differential::compare::{check_rows, check_table, show_rows};
use differential::engines::{codes_agree, run_concur, run_sqlite, Outcome, Run};
use differential::rng::Rng;
use differential::schema::{self, Schema};
use differential::select::Shape;
use differential::statements::{Generator, Statement, ROWID_CEILING};

/// A fresh, empty store, with the temporary directory its files live in (removed when the
/// run is dropped, after the store).
type FreshStore = (Arc<dyn Store>, Option<tempfile::TempDir>);

/// Makes a fresh, empty store.
type StoreFactory = Box<dyn Fn() -> FreshStore>;

/// A B-tree file store over a new database file in a new temporary directory. fsync is off:
/// durability is not what this test checks, and syncing would dominate its run time.
fn file_store() -> FreshStore {
    let dir = tempfile::tempdir().unwrap();
    let options = StorageOptions {
        sync: SyncMode::Off,
        ..StorageOptions::default()
    };
    let store = FileStore::open(dir.path().join("diff.db"), &options).unwrap();
    (Arc::new(store), Some(dir))
}

/// The stores every run is repeated on. A new backend is one more line here.
fn stores() -> Vec<(&'static str, StoreFactory)> {
    vec![
        (
            "memory",
            Box::new(|| (Arc::new(MemStore::new()) as Arc<dyn Store>, None)),
        ),
        ("file", Box::new(file_store)),
    ]
}

/// Seeds of the CI run.
const DEFAULT_SEEDS: &[u64] = &[1, 2, 3, 0x5eed_1234_abcd_0001, 0, 4, 5, 6, 7, 8];

/// How many of the CI seeds (from the front) the file store repeats: a statement costs it
/// about twice what it costs the memory store, and the CI run is kept near twice its
/// memory-only time. `CONCUR_DIFF_SEEDS` runs every listed seed on every store.
const FILE_STORE_CI_SEEDS: usize = 5;

/// Statements per seed in the CI run.
const DEFAULT_STATEMENTS: usize = 1500;

/// Statements between full comparisons of every table (`CONCUR_DIFF_CHECK_EVERY` overrides,
/// `1` finds the statement that made the stored state diverge).
const CHECK_EVERY: usize = 25;

/// The seeds to run: `CONCUR_DIFF_SEEDS` (`7`, `1,5,9`, `1..100`) or the CI seeds.
fn seeds() -> Vec<u64> {
    let Ok(text) = std::env::var("CONCUR_DIFF_SEEDS") else {
        return DEFAULT_SEEDS.to_vec();
    };
    let number = |s: &str| -> u64 {
        let s = s.trim();
        match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
            None => s.parse().unwrap(),
        }
    };
    let mut out = Vec::new();
    for part in text.split(',') {
        match part.split_once("..") {
            Some((a, b)) => out.extend(number(a)..number(b)),
            None => out.push(number(part)),
        }
    }
    out
}

/// The number of statements per seed: `CONCUR_DIFF_STATEMENTS` or the CI default.
fn statements_per_seed() -> usize {
    std::env::var("CONCUR_DIFF_STATEMENTS")
        .map_or(DEFAULT_STATEMENTS, |s| s.trim().parse().unwrap())
}

#[test]
fn random_statements_agree_with_sqlite() {
    let n = statements_per_seed();
    let only = std::env::var("CONCUR_DIFF_STORE").ok();
    for (store, make) in stores() {
        if only.as_deref().is_some_and(|name| name != store) {
            continue;
        }
        let mut list = seeds();
        if store == "file" && std::env::var_os("CONCUR_DIFF_SEEDS").is_none() {
            list.truncate(FILE_STORE_CI_SEEDS);
        }
        for seed in list {
            let (backend, dir) = make();
            let mut run = Differential::new(seed, store, backend, dir);
            run.go(n);
        }
    }
}

/// SQL shortened for a report: long literals cut.
fn short_sql(sql: &str) -> String {
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            out.push(c);
            continue;
        }
        let mut lit = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    lit.push_str("''");
                }
                Some('\'') | None => break,
                Some(ch) => lit.push(ch),
            }
        }
        if lit.chars().count() > 60 {
            let head: String = lit.chars().take(20).collect();
            out.push_str(&format!("'{head}...<{} chars>'", lit.chars().count()));
        } else {
            out.push_str(&format!("'{lit}'"));
        }
    }
    out
}

/// An outcome for a report.
fn show_run(run: &Run) -> String {
    let what = match &run.outcome {
        Outcome::Rows(rows) => format!("{} rows\n    {}", rows.len(), show_rows(rows)),
        Outcome::Error { code, message } => format!("error {code}: {message}"),
    };
    format!(
        "{what}\n    changes {} total_changes {} last_insert_rowid {} autocommit {}",
        run.changes, run.total_changes, run.last_rowid, run.autocommit
    )
}

/// One seeded run on one store.
struct Differential {
    /// The seed.
    seed: u64,
    /// The store's name.
    store: &'static str,
    /// concur.
    ours: Connection,
    /// SQLite.
    theirs: rusqlite::Connection,
    /// The statement generator.
    generator: Generator,
    /// Every statement run so far, for `CONCUR_DIFF_DUMP`.
    script: Vec<String>,
    /// Whether to print each statement.
    trace: bool,
    /// The temporary directory of a file store (declared last: dropped after the store).
    _dir: Option<tempfile::TempDir>,
}

impl Differential {
    /// A run with a random schema created on both engines.
    fn new(
        seed: u64,
        store: &'static str,
        backend: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
    ) -> Differential {
        let mut rng = Rng::new(seed);
        let mut model = Schema::default();
        let mut ddl = Vec::new();
        for i in 0..rng.range(2, 4) {
            let (table, sql) = schema::table(&mut rng, &format!("t{i}"));
            model.tables.push(table);
            ddl.push(sql);
        }
        let mut run = Differential {
            seed,
            store,
            ours: Connection::new(backend),
            theirs: rusqlite::Connection::open_in_memory().unwrap(),
            generator: Generator::new(seed, model),
            script: Vec::new(),
            trace: std::env::var_os("CONCUR_DIFF_TRACE").is_some(),
            _dir: dir,
        };
        for sql in ddl {
            run.step(Statement {
                sql,
                shape: Shape::default(),
            });
        }
        run
    }

    /// Fails the test with everything needed to reproduce.
    fn fail(&self, what: &str, sql: &str, ours: &Run, theirs: &Run) -> ! {
        let n = self.script.len();
        if let Some(path) = std::env::var_os("CONCUR_DIFF_DUMP") {
            let text: String = self.script.iter().map(|s| format!("{s};\n")).collect();
            std::fs::write(path, text).unwrap();
        }
        panic!(
            "concur and SQLite disagree ({what})\n  seed {seed} (store {store}), statement {n}:\n  {sql}\n  concur: {}\n  sqlite: {}\n  reproduce: CONCUR_DIFF_STORE={store} CONCUR_DIFF_SEEDS={seed} CONCUR_DIFF_STATEMENTS={n} CONCUR_DIFF_DUMP=run.sql cargo test -p concur-vm --test exec_differential",
            show_run(ours),
            show_run(theirs),
            seed = self.seed,
            store = self.store,
            sql = short_sql(sql),
        );
    }

    /// Runs one statement on both engines and compares; returns SQLite's run.
    fn step(&mut self, stmt: Statement) -> Run {
        if self.trace {
            eprintln!("[{}] {}", self.script.len(), short_sql(&stmt.sql));
        }
        self.script.push(stmt.sql.clone());
        let ours = run_concur(&mut self.ours, &stmt.sql);
        let theirs = run_sqlite(&self.theirs, &stmt.sql);
        let verdict = match (&ours.outcome, &theirs.outcome) {
            (Outcome::Rows(a), Outcome::Rows(b)) => check_rows(a, b, &stmt.shape),
            (Outcome::Error { code: a, .. }, Outcome::Error { code: b, .. }) => {
                if codes_agree(*a, *b) {
                    Ok(())
                } else {
                    Err("different error codes".into())
                }
            }
            (Outcome::Rows(_), Outcome::Error { .. }) => Err("only SQLite failed".into()),
            (Outcome::Error { .. }, Outcome::Rows(_)) => Err("only concur failed".into()),
        };
        let verdict = verdict.and_then(|()| {
            if ours.changes != theirs.changes {
                Err("changes() differs".to_string())
            } else if ours.total_changes != theirs.total_changes {
                Err("total_changes() differs".to_string())
            } else if ours.last_rowid != theirs.last_rowid {
                Err("last_insert_rowid() differs".to_string())
            } else if ours.autocommit != theirs.autocommit {
                Err("autocommit differs".to_string())
            } else {
                Ok(())
            }
        });
        if let Err(what) = verdict {
            self.fail(&what, &stmt.sql, &ours, &theirs);
        }
        theirs
    }

    /// A query both engines must answer identically (stored values, compared exactly).
    fn check_exact(&mut self, sql: &str) {
        let ours = run_concur(&mut self.ours, sql);
        let theirs = run_sqlite(&self.theirs, sql);
        let verdict = match (&ours.outcome, &theirs.outcome) {
            (Outcome::Rows(a), Outcome::Rows(b)) => check_table(a, b),
            _ => Err("the check query failed".into()),
        };
        if let Err(what) = verdict {
            self.fail(&format!("stored state: {what}"), sql, &ours, &theirs);
        }
    }

    /// Compares every table's rows, the schema and the change counters.
    fn check_all(&mut self) {
        let names: Vec<String> = self
            .generator
            .schema
            .tables
            .iter()
            .map(|t| t.name.clone())
            .collect();
        for name in names {
            self.check_exact(&format!("SELECT rowid, * FROM {name} ORDER BY rowid"));
        }
        self.check_exact("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name");
        self.check_exact("SELECT total_changes(), changes(), last_insert_rowid()");
    }

    /// Refreshes the generator's view of the database from SQLite.
    fn refresh(&mut self, counts: bool) {
        let g = &mut self.generator;
        g.in_txn = !self.theirs.is_autocommit();
        if !g.in_txn {
            g.savepoints.clear();
        }
        let mut stmt = self
            .theirs
            .prepare_cached(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL",
            )
            .unwrap();
        g.schema.live = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for (i, t) in g.schema.tables.iter().enumerate() {
            let (min, max): (Option<i64>, Option<i64>) = self
                .theirs
                .query_row(
                    &format!("SELECT min(rowid), max(rowid) FROM {}", t.name),
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            if max.is_some_and(|m| m > i64::MAX - ROWID_CEILING) {
                g.max_rowid[i] = i64::MAX;
            }
            g.holds_min_rowid[i] = min == Some(i64::MIN);
        }
        if counts {
            for (i, t) in g.schema.tables.iter().enumerate() {
                let (n, max): (i64, Option<i64>) = self
                    .theirs
                    .query_row(
                        &format!("SELECT count(*), max(rowid) FROM {}", t.name),
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap();
                g.rows[i] = n;
                if g.max_rowid[i] != i64::MAX {
                    g.max_rowid[i] = max.unwrap_or(0).clamp(0, 1 << 40);
                }
            }
        }
    }

    /// Seeds the tables, then runs `n` random statements, checking all state as it goes.
    fn go(&mut self, n: usize) {
        let every = std::env::var("CONCUR_DIFF_CHECK_EVERY")
            .map_or(CHECK_EVERY, |s| s.trim().parse().unwrap());
        for _ in 0..8 * self.generator.schema.tables.len() {
            let stmt = match self.generator.rowid_cleanup() {
                Some(cleanup) => cleanup,
                None => self.generator.insert(),
            };
            self.step(stmt);
            self.refresh(false);
        }
        self.refresh(true);
        for i in 0..n {
            let stmt = self.generator.next();
            let sql = stmt.sql.clone();
            let theirs = self.step(stmt);
            if matches!(theirs.outcome, Outcome::Rows(_)) {
                self.generator.note_success(&sql);
            }
            self.refresh(i % 10 == 0);
            if i % every == every - 1 {
                self.check_all();
            }
        }
        if !self.theirs.is_autocommit() {
            self.step(Statement {
                sql: "COMMIT".into(),
                shape: Shape::default(),
            });
        }
        self.check_all();
    }
}
