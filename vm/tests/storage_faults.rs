//! Storage failures in the middle of SQL work: a transaction and a checkpoint run over a
//! database file and a WAL file that fail on command (an I/O error once, or a full disk from
//! then on), at every I/O operation in turn. Each failure must reach the caller as IOERR or
//! FULL, never as a panic; and the files, opened again as a crash would leave them (with
//! every write that was made, or with only what was synced), must pass
//! `PRAGMA integrity_check` and hold exactly the state before the transaction or the state
//! after it: the state after it whenever COMMIT reported success.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use concur_btree::Value;
use concur_mvcc::StorageOptions;
use concur_pager::{File, MemFile};
use concur_vm::storage::FileStore;
use concur_vm::{Connection, MemStore};

/// Linux's `EIO` and `ENOSPC`.
const EIO: i32 = 5;
const ENOSPC: i32 = 28;
/// SQLite's IOERR and FULL.
const IOERR: i32 = 10;
const FULL: i32 = 13;

/// When the files fail: I/O operations (reads excepted) are counted across both files, and
/// operation `fail_at` fails, with those after it too when `sticky`.
struct Plan {
    ops: AtomicU64,
    fail_at: AtomicU64,
    sticky: bool,
    errno: i32,
    fired: AtomicBool,
}

impl Plan {
    fn new(errno: i32, sticky: bool) -> Arc<Plan> {
        Arc::new(Plan {
            ops: AtomicU64::new(0),
            fail_at: AtomicU64::new(u64::MAX),
            sticky,
            errno,
            fired: AtomicBool::new(false),
        })
    }

    /// Makes operation `k` from now the failing one.
    fn arm(&self, k: u64) {
        self.ops.store(0, Ordering::SeqCst);
        self.fail_at.store(k, Ordering::SeqCst);
    }

    /// Counts one operation; the injected error if it is to fail.
    fn check(&self) -> concur_pager::Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst);
        let at = self.fail_at.load(Ordering::SeqCst);
        if n == at || (self.sticky && n > at) {
            self.fired.store(true, Ordering::SeqCst);
            return Err(concur_pager::Error::from_io(
                std::io::Error::from_raw_os_error(self.errno),
            ));
        }
        Ok(())
    }
}

/// A file in memory that fails by its plan, and remembers what its last successful sync
/// made durable.
struct FaultyFile {
    volatile: MemFile,
    durable: Mutex<Vec<u8>>,
    plan: Arc<Plan>,
}

impl FaultyFile {
    fn new(plan: &Arc<Plan>) -> Arc<FaultyFile> {
        Arc::new(FaultyFile {
            volatile: MemFile::new(),
            durable: Mutex::new(Vec::new()),
            plan: plan.clone(),
        })
    }

    /// Records the content as durable (a successful sync).
    fn mark_durable(&self) {
        *self.durable.lock().unwrap() = self.volatile.to_vec();
    }

    /// The content a crash leaves: every write made, or only what was synced.
    fn after_crash(&self, synced_only: bool) -> Vec<u8> {
        if synced_only {
            self.durable.lock().unwrap().clone()
        } else {
            self.volatile.to_vec()
        }
    }
}

impl File for FaultyFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> concur_pager::Result<usize> {
        self.volatile.read_at(buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> concur_pager::Result<()> {
        self.plan.check()?;
        self.volatile.write_at(buf, offset)
    }

    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> concur_pager::Result<()> {
        if let Err(e) = self.plan.check() {
            // A batch that fails may have written part of itself: its first half lands.
            for (offset, bytes) in &writes[..writes.len() / 2] {
                self.volatile.write_at(bytes, *offset)?;
            }
            return Err(e);
        }
        self.volatile.write_batch(writes, false)?;
        if sync {
            self.mark_durable();
        }
        Ok(())
    }

    fn sync(&self) -> concur_pager::Result<()> {
        self.plan.check()?;
        self.mark_durable();
        Ok(())
    }

    fn size(&self) -> concur_pager::Result<u64> {
        self.volatile.size()
    }

    fn set_len(&self, len: u64) -> concur_pager::Result<()> {
        self.plan.check()?;
        self.volatile.set_len(len)
    }
}

/// A small page cache, so that a transaction spills pages before it commits.
fn options() -> StorageOptions {
    StorageOptions {
        cache_pages: 16,
        ..StorageOptions::default()
    }
}

/// The schema and rows every run starts from.
const BASE: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, v TEXT)",
    "CREATE INDEX t_g ON t(g)",
    "INSERT INTO t SELECT value, value % 10, printf('%d-', value) || \
     replace(hex(zeroblob(100 + value % 30 * 70)), '00', 'ab') FROM generate_series(1, 60)",
];

/// The transaction under test (rows long enough to overflow), then a checkpoint.
const WORK: &[&str] = &[
    "BEGIN",
    "INSERT INTO t SELECT value, value % 10, printf('%d-', value) || \
     replace(hex(zeroblob(100 + value % 30 * 70)), '00', 'cd') FROM generate_series(61, 260)",
    "UPDATE t SET v = v || 'x', g = g + 1 WHERE id % 3 = 0",
    "DELETE FROM t WHERE id % 7 = 0",
    "COMMIT",
    "PRAGMA wal_checkpoint(TRUNCATE)",
];

/// What the table holds, in rowid order.
const CONTENT: &str = "SELECT id, g, v FROM t ORDER BY id";

fn rows(conn: &mut Connection, sql: &str) -> Vec<Vec<Value>> {
    conn.query(sql, &[])
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"))
        .1
}

/// The table before and after the transaction, as a store that never fails has it.
fn expected_states() -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    let mut conn = Connection::new(Arc::new(MemStore::new()));
    for sql in BASE {
        conn.execute(sql, &[]).unwrap();
    }
    let before = rows(&mut conn, CONTENT);
    for sql in &WORK[..WORK.len() - 1] {
        conn.execute(sql, &[]).unwrap();
    }
    (before, rows(&mut conn, CONTENT))
}

/// Whether `code` (extended or not) is IOERR or FULL.
fn is_storage_failure(code: i32) -> bool {
    matches!(code & 0xff, IOERR | FULL)
}

/// What one faulted run left: the crash images of both files, and whether COMMIT succeeded.
struct Outcome {
    fired: bool,
    committed: bool,
    images: [(Vec<u8>, Vec<u8>); 2],
}

/// Runs the base (without faults) and then the work with operation `k` failing.
fn run_with_fault(
    errno: i32,
    sticky: bool,
    k: u64,
    states: &(Vec<Vec<Value>>, Vec<Vec<Value>>),
) -> Outcome {
    let plan = Plan::new(errno, sticky);
    let db = FaultyFile::new(&plan);
    let wal = FaultyFile::new(&plan);
    let store = FileStore::open_on(db.clone(), wal.clone(), &options()).unwrap();
    let mut conn = Connection::new(Arc::new(store));
    for sql in BASE {
        conn.execute(sql, &[]).unwrap();
    }
    db.mark_durable();
    wal.mark_durable();
    plan.arm(k);
    let mut committed = false;
    let mut failed = false;
    for sql in WORK {
        match conn.query(sql, &[]) {
            Ok(_) => committed |= *sql == "COMMIT" && !failed,
            Err(e) => {
                assert!(
                    is_storage_failure(e.code()) || (failed && e.code() & 0xff == 1),
                    "fault at op {k} (errno {errno}): `{sql}` failed with code {}: {e}",
                    e.code()
                );
                // A failed statement inside the transaction may have ended it; the rest of
                // the script then runs outside one (and COMMIT finds none: code 1).
                failed = true;
            }
        }
    }
    // The open connection still answers reads with a whole state, or with a storage error.
    match conn.query(CONTENT, &[]) {
        Ok((_, now)) => assert!(
            now == states.0 || now == states.1,
            "fault at op {k} (errno {errno}): the open connection reads a partial state"
        ),
        Err(e) => assert!(is_storage_failure(e.code()), "read failed with {e}"),
    }
    let images = [false, true]
        .map(|synced_only| (db.after_crash(synced_only), wal.after_crash(synced_only)));
    // Closing over failing files reports nothing and must not panic.
    drop(conn);
    Outcome {
        fired: plan.fired.load(Ordering::SeqCst),
        committed,
        images,
    }
}

/// Opens a crash image and checks it: intact, one whole state, and writable.
fn check_image(
    (db, wal): &(Vec<u8>, Vec<u8>),
    outcome: &Outcome,
    states: &(Vec<Vec<Value>>, Vec<Vec<Value>>),
    what: &str,
) {
    let db: Arc<dyn File> = Arc::new(MemFile::with_bytes(db.clone()));
    let wal: Arc<dyn File> = Arc::new(MemFile::with_bytes(wal.clone()));
    let store = FileStore::open_on(db, wal, &options())
        .unwrap_or_else(|e| panic!("{what}: reopening failed: {e}"));
    let mut conn = Connection::new(Arc::new(store));
    let ok = vec![vec![Value::Text("ok".into())]];
    let mut read = |sql: &str| {
        conn.query(sql, &[])
            .unwrap_or_else(|e| panic!("{what}: `{sql}` failed: {e}"))
            .1
    };
    assert_eq!(read("PRAGMA integrity_check"), ok, "{what}");
    let now = read(CONTENT);
    if outcome.committed {
        assert!(now == states.1, "{what}: a reported commit was lost");
    } else {
        assert!(
            now == states.0 || now == states.1,
            "{what}: a partial transaction survived"
        );
    }
    conn.execute("INSERT INTO t VALUES (1000, 0, 'after')", &[])
        .unwrap_or_else(|e| panic!("{what}: the reopened database refuses a write: {e}"));
    assert_eq!(rows(&mut conn, "PRAGMA integrity_check"), ok, "{what}");
}

/// Fails every operation of the work in turn, with `errno`, once or from then on.
fn fail_each_operation(errno: i32, sticky: bool) {
    let states = expected_states();
    assert_ne!(states.0, states.1);
    let mut k = 0;
    loop {
        let outcome = run_with_fault(errno, sticky, k, &states);
        for (image, synced_only) in outcome.images.iter().zip([false, true]) {
            let what = format!("fault at op {k} (errno {errno}, synced only: {synced_only})");
            check_image(image, &outcome, &states, &what);
        }
        if !outcome.fired {
            // The work needed fewer operations: every one of them has failed once.
            assert!(outcome.committed, "an unfaulted run must commit");
            assert!(k > 3, "the work does I/O ({k} operations)");
            break;
        }
        k += 1;
        assert!(k < 10_000, "the work never finishes");
    }
}

#[test]
fn an_io_error_at_any_write_or_sync_loses_nothing() {
    fail_each_operation(EIO, false);
}

#[test]
fn a_full_disk_from_any_write_on_loses_nothing() {
    fail_each_operation(ENOSPC, true);
}
