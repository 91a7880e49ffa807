//! B-tree layer against SQLite on the same work: 1M rows with 100-byte payloads inserted in
//! rowid order and in random order (one transaction each), a full cursor scan, and point seeks.
//! concur runs its B-tree over an in-memory pager; SQLite runs `:memory:` with the same rows as
//! `INSERT INTO t(rowid, v)`, so both sides pay for encoding records and balancing pages.
//!
//! `cargo bench -p concur-benches --bench btree` (set `CONCUR_BENCH_ROWS` for fewer rows).
#![allow(clippy::unwrap_used)]

use concur_btree::{create_tree, encode_record, table_insert, Cursor, SeekOp, TreeKind, Value};
use concur_pager::{Pager, PagerOptions};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::time::Duration;

fn rows() -> u64 {
    std::env::var("CONCUR_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// A deterministic permutation of 1..=n (multiplication by a unit modulo n, then +1).
fn shuffled(n: u64) -> Vec<i64> {
    let mut step = 2_654_435_761 % n;
    while gcd(step, n) != 1 {
        step += 1;
    }
    (0..n).map(|i| ((i * step) % n + 1) as i64).collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn payload(rowid: i64) -> Vec<u8> {
    (0..100).map(|i| (rowid as u8).wrapping_add(i)).collect()
}

/// A fresh in-memory database with one table; returns the pager and the table's root.
fn concur_db() -> (Pager, u32) {
    let pager = Pager::open_in_memory(PagerOptions {
        cache_pages: 100_000,
        ..PagerOptions::default()
    })
    .unwrap();
    let mut tx = pager.begin_write().unwrap();
    concur_btree::create_database(&mut tx).unwrap();
    let root = create_tree(&mut tx, TreeKind::Table).unwrap();
    tx.commit().unwrap();
    (pager, root)
}

fn concur_insert(pager: &Pager, root: u32, keys: &[i64]) {
    let mut tx = pager.begin_write().unwrap();
    for &k in keys {
        let record = encode_record(&[Value::Null, Value::Blob(payload(k))]).unwrap();
        table_insert(&mut tx, root, k, &record).unwrap();
    }
    tx.commit().unwrap();
}

fn sqlite_db() -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA cache_size=-400000; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)")
        .unwrap();
    conn
}

fn sqlite_insert(conn: &mut rusqlite::Connection, keys: &[i64]) {
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare_cached("INSERT INTO t(id, v) VALUES (?1, ?2)")
            .unwrap();
        for &k in keys {
            stmt.execute(rusqlite::params![k, payload(k)]).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn inserts(c: &mut Criterion) {
    let n = rows();
    let sequential: Vec<i64> = (1..=n as i64).collect();
    let random = shuffled(n);
    let mut group = c.benchmark_group("insert");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n));
    for (name, keys) in [("sequential", &sequential), ("random", &random)] {
        group.bench_function(format!("concur/{name}"), |b| {
            b.iter_batched(
                concur_db,
                |(p, root)| concur_insert(&p, root, keys),
                BatchSize::PerIteration,
            )
        });
        group.bench_function(format!("sqlite/{name}"), |b| {
            b.iter_batched(
                sqlite_db,
                |mut conn| sqlite_insert(&mut conn, keys),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn reads(c: &mut Criterion) {
    let n = rows();
    let keys = shuffled(n);
    let (pager, root) = concur_db();
    concur_insert(&pager, root, &keys);
    let mut conn = sqlite_db();
    sqlite_insert(&mut conn, &keys);

    let record_len = encode_record(&[Value::Null, Value::Blob(payload(1))])
        .unwrap()
        .len();
    let mut group = c.benchmark_group("scan");
    group.sample_size(10).throughput(Throughput::Elements(n));
    group.bench_function("concur", |b| {
        b.iter(|| {
            let read = pager.begin_read().unwrap();
            let mut cursor = Cursor::new(&read, root);
            let (mut ok, mut bytes) = (cursor.first().unwrap(), 0usize);
            while ok {
                bytes += cursor.payload().unwrap().len();
                ok = cursor.next().unwrap();
            }
            assert_eq!(bytes as u64, n * record_len as u64);
        })
    });
    group.bench_function("sqlite", |b| {
        b.iter(|| {
            let mut stmt = conn.prepare_cached("SELECT v FROM t").unwrap();
            let mut rows = stmt.query([]).unwrap();
            let mut bytes = 0usize;
            while let Some(row) = rows.next().unwrap() {
                bytes += row.get_ref(0).unwrap().as_blob().unwrap().len();
            }
            assert_eq!(bytes as u64, n * 100);
        })
    });
    group.finish();

    let probes: Vec<i64> = keys.iter().step_by(97).copied().take(10_000).collect();
    let mut group = c.benchmark_group("seek");
    group.throughput(Throughput::Elements(probes.len() as u64));
    group.bench_function("concur", |b| {
        b.iter(|| {
            let read = pager.begin_read().unwrap();
            let mut cursor = Cursor::new(&read, root);
            for &k in &probes {
                assert!(cursor.seek_rowid(k, SeekOp::Eq).unwrap());
                assert_eq!(cursor.payload().unwrap().len(), record_len);
            }
        })
    });
    group.bench_function("sqlite", |b| {
        b.iter(|| {
            let mut stmt = conn
                .prepare_cached("SELECT v FROM t WHERE id = ?1")
                .unwrap();
            for &k in &probes {
                let len: usize = stmt
                    .query_row([k], |r| Ok(r.get_ref(0)?.as_blob()?.len()))
                    .unwrap();
                assert_eq!(len, 100);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, inserts, reads);
criterion_main!(benches);
