//! The SQL engine against SQLite on the same statements, in one run: concur through its Rust
//! API (`concur::Database`), SQLite through rusqlite (bundled), each on the same schema and
//! rows, reading every result value into Rust on both sides.
//!
//! | workload | statement | per iteration |
//! | --- | --- | --- |
//! | `point_select` | `SELECT grp, a, b FROM t WHERE id = ?1` | prepare (cached on both sides) + bind + step one row |
//! | `scan_filter` | `SELECT id, a, b FROM t WHERE a % 7 = 3` over 10k rows | one full scan, ~1.4k rows out |
//! | `insert_100k` | `INSERT INTO t VALUES (?1, ?2, ?3, ?4)` reused | 100k rows in one transaction into a fresh table |
//! | `group_by` | `SELECT grp, count(*), sum(a), max(b) FROM t GROUP BY grp` | 10k rows into 100 groups |
//! | `indexed_join` | `c JOIN o ON o.cust = c.id WHERE c.id BETWEEN ?1 AND ?2` | 100 customers, 1000 rows out via an index on `o(cust)` |
//!
//! Every workload runs once per [`Backend`]: a pair of functions making a fresh concur database
//! and a fresh SQLite connection in a scratch directory. `memory` is concur's in-memory store
//! against SQLite `:memory:`; `file` is concur on a database file against SQLite on one in WAL
//! mode at `synchronous=FULL`.
//!
//! After criterion's own report the bench prints a table of the median time per iteration of
//! both engines and their ratio concur / SQLite (below 1 means concur is faster), and then the
//! paired ratio: after criterion has measured both engines of a workload, 21 rounds each time
//! a batch of about 100 ms on one engine and then on the other, the first in turn. The table
//! gives the median of those rounds' ratios and their interquartile range. Criterion measures
//! one engine for seconds before the other, and on a shared machine the load changes in
//! between; within a round it does not, so the paired ratio is the one to quote.
//!
//! `cargo bench -p concur-benches --bench sql` (a few minutes; criterion's filter arguments work,
//! e.g. `-- group_by`).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use concur_benches::sql::{
    load_concur, load_sqlite, scan_filter_rows, t_row, GROUP_BY, INDEXED_JOIN, INSERT, INSERT_ROWS,
    POINT_SELECT, ROWS, SCAN_FILTER, SCHEMA,
};
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

/// Samples per benchmark (criterion's minimum is 10).
const SAMPLES: usize = 10;

/// One storage setup that both engines run on.
struct Backend {
    /// Name in benchmark ids and the ratio table.
    name: &'static str,
    /// A fresh, empty concur database; may keep files in the given empty directory.
    concur: fn(&Path) -> concur::Database,
    /// A fresh, empty SQLite connection; may keep files in the given empty directory.
    sqlite: fn(&Path) -> rusqlite::Connection,
}

/// The backends every workload runs on.
const BACKENDS: &[Backend] = &[
    Backend {
        name: "memory",
        concur: |_| concur::Database::open_in_memory().unwrap(),
        sqlite: |_| rusqlite::Connection::open_in_memory().unwrap(),
    },
    // A database file in WAL mode at synchronous=FULL on both sides.
    Backend {
        name: "file",
        concur: |dir| concur::Database::open(dir.join("concur.db")).unwrap(),
        sqlite: |dir| {
            let conn = rusqlite::Connection::open(dir.join("sqlite.db")).unwrap();
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
                .unwrap();
            conn
        },
    },
];

/// Which benchmark a sample belongs to: workload, backend, engine.
type Key = (String, String, String);

/// Nanoseconds per iteration of every sample, by benchmark, in the order they ran.
static RESULTS: Mutex<Vec<(Key, Vec<f64>)>> = Mutex::new(Vec::new());

/// Rounds of the paired measurement that follows criterion's for each workload and backend.
const PAIRED_ROUNDS: usize = 21;

/// How long one engine's batch of a paired round runs, roughly. Shorter batches start too
/// often on caches that the other engine has just filled: at 20 ms, group_by's paired ratio
/// came out 1.17 against criterion's 0.68, at 200 ms 0.90 against 0.88.
const PAIRED_BATCH: Duration = Duration::from_millis(100);

/// The concur / SQLite ratios of the paired rounds, by workload and backend.
static PAIRED: Mutex<Vec<(Pair, Vec<f64>)>> = Mutex::new(Vec::new());

/// Which workload and backend a paired measurement belongs to.
type Pair = (String, String);

/// Registers `engine`'s benchmark in `group`: `run(iters)` returns the time of `iters`
/// iterations, and every sample is kept for the ratio table.
fn bench(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    workload: &str,
    backend: &str,
    engine: &str,
    run: &mut impl FnMut(u64) -> Duration,
) {
    let key = (
        workload.to_string(),
        backend.to_string(),
        engine.to_string(),
    );
    group.bench_function(engine, |b| {
        b.iter_custom(|iters| {
            let elapsed = run(iters);
            let per_iter = elapsed.as_nanos() as f64 / iters.max(1) as f64;
            let mut results = RESULTS.lock().unwrap();
            match results.iter_mut().find(|(k, _)| *k == key) {
                Some((_, samples)) => samples.push(per_iter),
                None => results.push((key.clone(), vec![per_iter])),
            }
            elapsed
        })
    });
}

/// Runs criterion's benchmark of both engines, then the paired measurement: rounds that each
/// time a batch of `concur` and a batch of `sqlite` back to back, the first in turn, and keep
/// the ratio of the two. A shared machine's load shifts over the seconds that criterion
/// spends on one engine before it starts the other; within a round both engines see the same
/// load, so the median of the rounds' ratios is the figure to trust. Skipped unless
/// criterion's filter let both engines run.
fn compare(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    workload: &str,
    backend: &str,
    mut concur: impl FnMut(u64) -> Duration,
    mut sqlite: impl FnMut(u64) -> Duration,
) {
    bench(group, workload, backend, "concur", &mut concur);
    bench(group, workload, backend, "sqlite", &mut sqlite);
    let per_iter = {
        let results = RESULTS.lock().unwrap();
        let last = |engine: &str| {
            results
                .iter()
                .find(|((w, b, e), _)| w == workload && b == backend && e == engine)
                .and_then(|(_, samples)| samples.last().copied())
        };
        match (last("concur"), last("sqlite")) {
            (Some(a), Some(b)) => a.max(b),
            _ => return,
        }
    };
    let iters = ((PAIRED_BATCH.as_nanos() as f64 / per_iter.max(1.0)) as u64).max(1);
    let mut ratios = Vec::with_capacity(PAIRED_ROUNDS);
    for round in 0..PAIRED_ROUNDS {
        let (a, b) = if round % 2 == 0 {
            let a = concur(iters);
            (a, sqlite(iters))
        } else {
            let b = sqlite(iters);
            (concur(iters), b)
        };
        if !b.is_zero() {
            ratios.push(a.as_secs_f64() / b.as_secs_f64());
        }
    }
    ratios.sort_by(f64::total_cmp);
    PAIRED
        .lock()
        .unwrap()
        .push(((workload.to_string(), backend.to_string()), ratios));
}

/// Times `f` run `iters` times.
fn repeat(iters: u64, mut f: impl FnMut(u64)) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        f(i);
    }
    start.elapsed()
}

/// `point_select`: prepare (through each engine's statement cache), bind, one row.
fn point_select(c: &mut Criterion, backend: &Backend) {
    let sql = POINT_SELECT;
    let mut group = c.benchmark_group(format!("point_select/{}", backend.name));
    group.sample_size(SAMPLES);

    let concur_dir = tempfile::tempdir().unwrap();
    let db = (backend.concur)(concur_dir.path());
    let concur = load_concur(&db).unwrap();
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = (backend.sqlite)(sqlite_dir.path());
    load_sqlite(&sqlite).unwrap();
    compare(
        &mut group,
        "point_select",
        backend.name,
        |iters| {
            repeat(iters, |i| {
                let id = (i as i64 * 7) % ROWS + 1;
                let mut stmt = concur.prepare(sql).unwrap();
                let mut rows = stmt.query((id,)).unwrap();
                let row = rows.next().unwrap().unwrap();
                let (g, a, b): (i64, i64, String) = (
                    row.get(0).unwrap(),
                    row.get(1).unwrap(),
                    row.get(2).unwrap(),
                );
                std::hint::black_box((g, a, b));
            })
        },
        |iters| {
            repeat(iters, |i| {
                let id = (i as i64 * 7) % ROWS + 1;
                let mut stmt = sqlite.prepare_cached(sql).unwrap();
                let mut rows = stmt.query((id,)).unwrap();
                let row = rows.next().unwrap().unwrap();
                let (g, a, b): (i64, i64, String) = (
                    row.get(0).unwrap(),
                    row.get(1).unwrap(),
                    row.get(2).unwrap(),
                );
                std::hint::black_box((g, a, b));
            })
        },
    );
    group.finish();
}

/// Runs a prepared query on both engines and reads every row.
fn query_workload(
    c: &mut Criterion,
    backend: &Backend,
    workload: &str,
    sql: &str,
    params: (i64, i64),
    expected_rows: usize,
) {
    let mut group = c.benchmark_group(format!("{workload}/{}", backend.name));
    group.sample_size(SAMPLES);
    let uses = sql.matches('?').count();

    let concur_dir = tempfile::tempdir().unwrap();
    let db = (backend.concur)(concur_dir.path());
    let concur = load_concur(&db).unwrap();
    let mut concur_stmt = concur.prepare(sql).unwrap();
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = (backend.sqlite)(sqlite_dir.path());
    load_sqlite(&sqlite).unwrap();
    let mut sqlite_stmt = sqlite.prepare(sql).unwrap();
    let width = sqlite_stmt.column_count();
    compare(
        &mut group,
        workload,
        backend.name,
        |iters| {
            repeat(iters, |_| {
                let mut rows = match uses {
                    0 => concur_stmt.query(()).unwrap(),
                    _ => concur_stmt.query(params).unwrap(),
                };
                let mut n = 0;
                while let Some(row) = rows.next().unwrap() {
                    for v in row.values() {
                        std::hint::black_box(v);
                    }
                    n += 1;
                }
                assert_eq!(n, expected_rows);
            })
        },
        |iters| {
            repeat(iters, |_| {
                let mut rows = match uses {
                    0 => sqlite_stmt.query(()).unwrap(),
                    _ => sqlite_stmt.query(params).unwrap(),
                };
                let mut n = 0;
                while let Some(row) = rows.next().unwrap() {
                    for i in 0..width {
                        let v: rusqlite::types::Value = row.get(i).unwrap();
                        std::hint::black_box(v);
                    }
                    n += 1;
                }
                assert_eq!(n, expected_rows);
            })
        },
    );
    group.finish();
}

/// `insert_100k`: 100k rows in one transaction through one prepared INSERT, into a fresh
/// database each iteration (making it is not timed).
fn insert_100k(c: &mut Criterion, backend: &Backend) {
    let sql = INSERT;
    let rows: Vec<(i64, i64, i64, String)> = (1..=INSERT_ROWS).map(t_row).collect();
    let mut group = c.benchmark_group(format!("insert_100k/{}", backend.name));
    group.sample_size(SAMPLES);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));

    compare(
        &mut group,
        "insert_100k",
        backend.name,
        |iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let db = (backend.concur)(dir.path());
                let conn = db.connect();
                conn.execute_batch(SCHEMA).unwrap();
                let start = Instant::now();
                conn.execute_batch("BEGIN").unwrap();
                {
                    let mut ins = conn.prepare(sql).unwrap();
                    for (id, grp, a, b) in &rows {
                        ins.execute((*id, *grp, *a, b.as_str())).unwrap();
                    }
                }
                conn.execute_batch("COMMIT").unwrap();
                total += start.elapsed();
            }
            total
        },
        |iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let conn = (backend.sqlite)(dir.path());
                conn.execute_batch(SCHEMA).unwrap();
                let start = Instant::now();
                conn.execute_batch("BEGIN").unwrap();
                {
                    let mut ins = conn.prepare(sql).unwrap();
                    for (id, grp, a, b) in &rows {
                        ins.execute((*id, *grp, *a, b.as_str())).unwrap();
                    }
                }
                conn.execute_batch("COMMIT").unwrap();
                total += start.elapsed();
            }
            total
        },
    );
    group.finish();
}

/// Every workload on every backend.
fn benches(c: &mut Criterion) {
    for backend in BACKENDS {
        point_select(c, backend);
        query_workload(
            c,
            backend,
            "scan_filter",
            SCAN_FILTER,
            (0, 0),
            scan_filter_rows(),
        );
        insert_100k(c, backend);
        query_workload(c, backend, "group_by", GROUP_BY, (0, 0), 100);
        query_workload(c, backend, "indexed_join", INDEXED_JOIN, (1, 100), 1000);
    }
}

/// Prints the ratio table from the recorded samples.
fn print_ratios() {
    let results = RESULTS.lock().unwrap();
    let median = |engine: &str, workload: &str, backend: &str| -> Option<f64> {
        let (_, samples) = results
            .iter()
            .find(|((w, b, e), _)| w == workload && b == backend && e == engine)?;
        // The last SAMPLES calls are criterion's measurement; earlier ones are its warm-up.
        let mut tail: Vec<f64> = samples[samples.len().saturating_sub(SAMPLES)..].to_vec();
        tail.sort_by(f64::total_cmp);
        tail.get(tail.len() / 2).copied()
    };
    let mut seen = Vec::new();
    for ((workload, backend, _), _) in results.iter() {
        if !seen.contains(&(workload, backend)) {
            seen.push((workload, backend));
        }
    }
    println!();
    let paired = PAIRED.lock().unwrap();
    println!(
        "{:<14} {:<8} {:>14} {:>14} {:>8} {:>8} {:>13}",
        "workload", "backend", "concur", "sqlite", "ratio", "paired", "paired IQR"
    );
    for (workload, backend) in seen {
        let concur = median("concur", workload, backend);
        let sqlite = median("sqlite", workload, backend);
        let show = |v: Option<f64>| v.map_or("-".to_string(), format_ns);
        let ratio = match (concur, sqlite) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
            _ => "-".to_string(),
        };
        let rounds = paired
            .iter()
            .find(|((w, b), _)| w == workload && b == backend)
            .map(|(_, ratios)| ratios.as_slice())
            .filter(|ratios| !ratios.is_empty());
        let (mid, spread) = match rounds {
            Some(r) => (
                format!("{:.2}x", r[r.len() / 2]),
                format!("{:.2}-{:.2}x", r[r.len() / 4], r[r.len() * 3 / 4]),
            ),
            None => ("-".to_string(), "-".to_string()),
        };
        println!(
            "{workload:<14} {backend:<8} {:>14} {:>14} {ratio:>8} {mid:>8} {spread:>13}",
            show(concur),
            show(sqlite)
        );
    }
}

/// A duration in nanoseconds, in a readable unit.
fn format_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    print_ratios();
}
