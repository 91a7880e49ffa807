//! Oracle tests against SQLite itself: files this layer writes pass SQLite's integrity check
//! and read back exactly; files SQLite writes read back exactly here.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{MemPager, Rng};
use concur_btree::*;

/// Converts a rusqlite value into ours.
fn from_sqlite(v: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::Integer(i),
        V::Real(r) => Value::Real(r),
        V::Text(s) => Value::Text(s.into()),
        V::Blob(b) => Value::Blob(b),
    }
}

/// Every row of `sql`'s result, as our values.
fn sqlite_rows(path: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i).map(from_sqlite))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows.join("\n")
}

/// Reads every entry of a tree with a cursor: (rowid or 0, record).
fn scan(src: &MemPager, root: u32, table: bool) -> Vec<(i64, Vec<Value>)> {
    let mut c = Cursor::new(src, root);
    let mut out = Vec::new();
    let mut ok = c.first().unwrap();
    while ok {
        let rowid = if table { c.rowid().unwrap() } else { 0 };
        out.push((rowid, c.record().unwrap()));
        ok = c.next().unwrap();
    }
    out
}

/// Root page of the schema object `name`.
fn root_of(src: &MemPager, name: &str) -> u32 {
    scan(src, SCHEMA_ROOT, true)
        .into_iter()
        .find(|(_, r)| r[1] == Value::Text(name.into()))
        .map(|(_, r)| match r[3] {
            Value::Integer(p) => p as u32,
            _ => panic!("no root"),
        })
        .unwrap()
}

fn blob(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn sqlite_files_read_back_exactly_at_every_page_size() {
    for page_size in [512usize, 1024, 4096, 65536] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA page_size={page_size}; PRAGMA journal_mode=DELETE;
                 CREATE TABLE t(a, b, c);
                 CREATE INDEX tb ON t(b COLLATE NOCASE, c DESC);
                 CREATE TABLE u(x); PRAGMA synchronous=OFF; BEGIN;"
            ))
            .unwrap();
            let mut ins = conn
                .prepare("INSERT INTO t(rowid, a, b, c) VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            for i in 0..600i64 {
                let a: rusqlite::types::Value = match i % 5 {
                    0 => rusqlite::types::Value::Null,
                    1 => rusqlite::types::Value::Integer(i * 1_000_003 - 7_000_000_000),
                    2 => rusqlite::types::Value::Real(i as f64 / 7.0),
                    3 => rusqlite::types::Value::Blob(blob((i as usize * 37) % 9000, i as u8)),
                    _ => rusqlite::types::Value::Text("é".repeat(i as usize % 300)),
                };
                let b = ["Alpha", "alpha", "BETA", "gamma ", "x"][i as usize % 5]
                    .repeat(1 + i as usize % 4);
                ins.execute(rusqlite::params![i * 3 - 100, a, b, i % 17])
                    .unwrap();
            }
            conn.execute_batch(
                "DELETE FROM t WHERE rowid % 7 = 0;
                 UPDATE t SET c = c + 100 WHERE rowid % 5 = 1;
                 INSERT INTO u VALUES (zeroblob(300000));
                 INSERT INTO u VALUES (x'');
                 COMMIT;",
            )
            .unwrap();
        }
        let pager = MemPager::load(&path);
        assert_eq!(pager.page_size, page_size);
        let t = root_of(&pager, "t");
        let got: Vec<Vec<Value>> = scan(&pager, t, true)
            .into_iter()
            .map(|(r, mut v)| {
                v.insert(0, Value::Integer(r));
                v
            })
            .collect();
        let want = sqlite_rows(&path, "SELECT rowid, a, b, c FROM t ORDER BY rowid");
        assert_eq!(got.len(), want.len());
        assert!(got == want, "table t differs at page size {page_size}");
        let u = root_of(&pager, "u");
        let got: Vec<Vec<Value>> = scan(&pager, u, true).into_iter().map(|(_, v)| v).collect();
        assert_eq!(got, sqlite_rows(&path, "SELECT x FROM u ORDER BY rowid"));
        // The index in SQLite's own order.
        let info = KeyInfo {
            columns: vec![
                KeyColumn {
                    collation: Collation::NoCase,
                    descending: false,
                },
                KeyColumn {
                    collation: Collation::Binary,
                    descending: true,
                },
            ],
        };
        let tb = root_of(&pager, "tb");
        let got: Vec<Vec<Value>> = scan(&pager, tb, false)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let want = sqlite_rows(
            &path,
            "SELECT b, c, rowid FROM t ORDER BY b COLLATE NOCASE, c DESC, rowid",
        );
        assert!(got == want, "index differs at page size {page_size}");
        // Seeks.
        let mut c = Cursor::new(&pager, t);
        assert!(c.seek_rowid(-97, SeekOp::Eq).unwrap());
        assert!(
            !c.seek_rowid(-91, SeekOp::Eq).unwrap(),
            "rowid -91 was deleted"
        );
        assert!(c.seek_rowid(-91, SeekOp::Ge).unwrap());
        assert_eq!(c.rowid().unwrap(), -88);
        assert!(c.seek_rowid(-91, SeekOp::Le).unwrap());
        assert_eq!(c.rowid().unwrap(), -94);
        let mut c = Cursor::new(&pager, tb);
        assert!(c
            .seek_key(&[Value::Text("BETABETA".into())], &info, SeekOp::Ge)
            .unwrap());
        assert_eq!(c.record().unwrap()[0], Value::Text("BETABETA".into()));
        let trees = [
            TreeCheck { root: 1, key: None },
            TreeCheck { root: t, key: None },
            TreeCheck { root: u, key: None },
            TreeCheck {
                root: tb,
                key: Some(info),
            },
        ];
        assert_eq!(check_integrity(&pager, &trees), Vec::<String>::new());
    }
}

/// A small database writer for the tests: tables with indexes, kept consistent.
struct Db {
    pager: MemPager,
    /// (name, root, sql, indexes: (name, root, columns, key))
    tables: Vec<Table>,
    schema_rowid: i64,
}

struct Table {
    name: String,
    root: u32,
    indexes: Vec<Index>,
    rows: BTreeMap<i64, Vec<Value>>,
}

struct Index {
    root: u32,
    columns: Vec<usize>,
    key: KeyInfo,
}

impl Db {
    fn new(page_size: usize) -> Self {
        Self::with_pager(MemPager::new(page_size))
    }

    fn with_pager(mut pager: MemPager) -> Self {
        create_database(&mut pager).unwrap();
        Db {
            pager,
            tables: Vec::new(),
            schema_rowid: 0,
        }
    }

    fn schema_row(&mut self, ty: &str, name: &str, table: &str, root: u32, sql: &str) {
        self.schema_rowid += 1;
        let rec = encode_record(&[
            Value::Text(ty.into()),
            Value::Text(name.into()),
            Value::Text(table.into()),
            Value::Integer(root as i64),
            Value::Text(sql.into()),
        ])
        .unwrap();
        table_insert(&mut self.pager, SCHEMA_ROOT, self.schema_rowid, &rec).unwrap();
    }

    fn create_table(&mut self, name: &str, columns: &str) -> usize {
        let root = create_tree(&mut self.pager, TreeKind::Table).unwrap();
        self.schema_row(
            "table",
            name,
            name,
            root,
            &format!("CREATE TABLE {name}({columns})"),
        );
        self.tables.push(Table {
            name: name.into(),
            root,
            indexes: Vec::new(),
            rows: BTreeMap::new(),
        });
        self.tables.len() - 1
    }

    fn create_index(
        &mut self,
        t: usize,
        name: &str,
        spec: &str,
        columns: Vec<usize>,
        key: KeyInfo,
    ) {
        let root = create_tree(&mut self.pager, TreeKind::Index).unwrap();
        let table = self.tables[t].name.clone();
        self.schema_row(
            "index",
            name,
            &table,
            root,
            &format!("CREATE INDEX {name} ON {table}({spec})"),
        );
        self.tables[t].indexes.push(Index { root, columns, key });
    }

    fn entry(index: &Index, rowid: i64, row: &[Value]) -> Vec<u8> {
        let mut values: Vec<Value> = index.columns.iter().map(|&c| row[c].clone()).collect();
        values.push(Value::Integer(rowid));
        encode_record(&values).unwrap()
    }

    fn delete(&mut self, t: usize, rowid: i64) -> bool {
        let table = &mut self.tables[t];
        let Some(old) = table.rows.remove(&rowid) else {
            assert!(!table_delete(&mut self.pager, table.root, rowid).unwrap());
            return false;
        };
        for index in &table.indexes {
            let e = Self::entry(index, rowid, &old);
            assert!(index_delete(&mut self.pager, index.root, &index.key, &e).unwrap());
        }
        assert!(table_delete(&mut self.pager, table.root, rowid).unwrap());
        true
    }

    fn upsert(&mut self, t: usize, rowid: i64, row: Vec<Value>) {
        let table = &mut self.tables[t];
        if let Some(old) = table.rows.get(&rowid) {
            for index in &table.indexes {
                let e = Self::entry(index, rowid, old);
                assert!(index_delete(&mut self.pager, index.root, &index.key, &e).unwrap());
            }
        }
        table_insert(
            &mut self.pager,
            table.root,
            rowid,
            &encode_record(&row).unwrap(),
        )
        .unwrap();
        for index in &table.indexes {
            let e = Self::entry(index, rowid, &row);
            index_insert(&mut self.pager, index.root, &index.key, &e).unwrap();
        }
        table.rows.insert(rowid, row);
    }

    /// Dumps the file and checks it with SQLite: integrity, and every table's rows.
    fn verify_with_sqlite(&self, path: &Path) {
        self.pager.dump(path);
        assert_eq!(integrity(path), "ok");
        for table in &self.tables {
            let got = sqlite_rows(
                path,
                &format!("SELECT rowid, * FROM {} ORDER BY rowid", table.name),
            );
            let want: Vec<Vec<Value>> = table
                .rows
                .iter()
                .map(|(r, row)| {
                    let mut v = vec![Value::Integer(*r)];
                    v.extend(row.iter().cloned());
                    v
                })
                .collect();
            assert_eq!(got.len(), want.len(), "table {}", table.name);
            assert!(got == want, "table {} differs", table.name);
        }
        let reloaded = MemPager::load(path);
        let mut trees = vec![TreeCheck { root: 1, key: None }];
        for table in &self.tables {
            trees.push(TreeCheck {
                root: table.root,
                key: None,
            });
            for index in &table.indexes {
                trees.push(TreeCheck {
                    root: index.root,
                    key: Some(index.key.clone()),
                });
            }
        }
        assert_eq!(check_integrity(&reloaded, &trees), Vec::<String>::new());
    }
}

fn random_row(rng: &mut Rng, big: bool) -> Vec<Value> {
    let a = match rng.below(6) {
        0 => Value::Null,
        1 => Value::Integer(rng.next() as i64 >> rng.below(64)),
        2 => Value::Real((rng.below(1_000_000) as f64 - 500_000.0) / 8.0),
        3 => Value::Text(
            format!(
                "Row {} {}",
                rng.below(100),
                "ä".repeat(rng.below(40) as usize)
            )
            .into(),
        ),
        4 => Value::Blob(blob(rng.below(3000) as usize, rng.next() as u8)),
        _ => Value::Blob(Vec::new()),
    };
    let len = if big {
        1 << 20
    } else {
        rng.below(5000) as usize
    };
    let b = Value::Blob(blob(len, rng.next() as u8));
    let words = ["Kiwi", "kiwi", "KIWI", "lime", "Lime  ", "mango"];
    let c = Value::Text((words[rng.below(6) as usize].repeat(1 + rng.below(3) as usize)).into());
    vec![a, b, c]
}

#[test]
fn files_written_here_pass_sqlite_integrity_check_and_read_back() {
    for (page_size, seed) in [(512usize, 1u64), (4096, 2), (65536, 3)] {
        let mut db = Db::new(page_size);
        let t1 = db.create_table("t1", "a, b, c");
        db.create_index(t1, "t1a", "a", vec![0], KeyInfo::binary(1));
        db.create_index(
            t1,
            "t1ca",
            "c COLLATE NOCASE DESC, a",
            vec![2, 0],
            KeyInfo {
                columns: vec![
                    KeyColumn {
                        collation: Collation::NoCase,
                        descending: true,
                    },
                    KeyColumn::default(),
                ],
            },
        );
        db.create_index(
            t1,
            "t1cr",
            "c COLLATE RTRIM",
            vec![2],
            KeyInfo {
                columns: vec![KeyColumn {
                    collation: Collation::RTrim,
                    descending: false,
                }],
            },
        );
        let t2 = db.create_table("t2", "x, y, z");
        db.create_index(t2, "t2y", "y", vec![1], KeyInfo::binary(1));
        let mut rng = Rng(seed);
        let ops = if page_size == 512 { 1500 } else { 700 };
        for step in 0..ops {
            let t = if rng.below(3) == 0 { t2 } else { t1 };
            let rowid = rng.below(300) as i64 - 20;
            match rng.below(10) {
                0..=5 => {
                    let row = random_row(&mut rng, step == 100 || step == 400);
                    db.upsert(t, rowid, row);
                }
                _ => {
                    db.delete(t, rowid);
                }
            }
        }
        // Blobs from 0 bytes to 1 MiB in one table.
        for (i, len) in [0usize, 1, 100, 4000, 70_000, 1 << 20]
            .into_iter()
            .enumerate()
        {
            db.upsert(
                t2,
                10_000 + i as i64,
                vec![
                    Value::Blob(blob(len, 9)),
                    Value::Integer(len as i64),
                    Value::Null,
                ],
            );
        }
        let dir = tempfile::tempdir().unwrap();
        db.verify_with_sqlite(&dir.path().join("w.db"));
    }
}

#[test]
fn deleting_every_row_collapses_the_tree_and_frees_its_pages() {
    let mut db = Db::new(1024);
    let t = db.create_table("t", "a, b, c");
    db.create_index(t, "ta", "a", vec![0], KeyInfo::binary(1));
    let mut rng = Rng(42);
    for rowid in 0..800 {
        let row = random_row(&mut rng, false);
        db.upsert(t, rowid, row);
    }
    let grown = db.pager.count;
    assert!(grown > 100);
    let mut order: Vec<i64> = (0..800).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for rowid in order {
        assert!(db.delete(t, rowid));
    }
    // Pages in use: page 1, the table root, the index root.
    assert_eq!(db.pager.count as usize - db.pager.free.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.db");
    db.verify_with_sqlite(&path);
    // SQLite keeps writing the file (reusing our freelist), and we read what it wrote.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let pages_before = db.pager.count as i64;
    let free_before = db.pager.free.len() as i64;
    conn.execute_batch(
        "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
         INSERT INTO t SELECT i, randomblob(i * 3), 'row ' || i FROM n; COMMIT;",
    )
    .unwrap();
    assert_eq!(integrity(&path), "ok");
    let freelist: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    assert!(freelist < free_before - 100, "SQLite reused our freelist");
    assert_eq!(pages, pages_before, "the file did not grow");
    drop(conn);
    let pager = MemPager::load(&path);
    let got = scan(&pager, root_of(&pager, "t"), true);
    let want = sqlite_rows(&path, "SELECT rowid, a, b, c FROM t ORDER BY rowid");
    assert_eq!(got.len(), 500);
    let got: Vec<Vec<Value>> = got
        .into_iter()
        .map(|(r, mut v)| {
            v.insert(0, Value::Integer(r));
            v
        })
        .collect();
    assert!(got == want);
    let index = scan(&pager, root_of(&pager, "ta"), false);
    assert_eq!(index.len(), 500);
}

#[test]
fn clear_and_drop_free_every_page() {
    let mut db = Db::new(512);
    let t = db.create_table("t", "a, b, c");
    db.create_index(t, "ta", "a", vec![0], KeyInfo::binary(1));
    let mut rng = Rng(5);
    for rowid in 0..300 {
        let row = random_row(&mut rng, false);
        db.upsert(t, rowid, row);
    }
    let extra = create_tree(&mut db.pager, TreeKind::Table).unwrap();
    for rowid in 0..200 {
        table_insert(
            &mut db.pager,
            extra,
            rowid,
            &encode_record(&[Value::Blob(blob(900, 1))]).unwrap(),
        )
        .unwrap();
    }
    drop_tree(&mut db.pager, extra).unwrap();
    let index_root = db.tables[t].indexes[0].root;
    clear_tree(&mut db.pager, index_root).unwrap();
    clear_tree(&mut db.pager, db.tables[t].root).unwrap();
    db.tables[t].rows.clear();
    assert_eq!(db.pager.count as usize - db.pager.free.len(), 3);
    assert!(drop_tree(&mut db.pager, SCHEMA_ROOT).is_err());
    let dir = tempfile::tempdir().unwrap();
    db.verify_with_sqlite(&dir.path().join("c.db"));
}

#[test]
fn reserved_bytes_at_the_page_end_are_left_alone() {
    let mut db = Db::with_pager(MemPager::with_reserved(1024, 40));
    let t = db.create_table("t", "a, b, c");
    db.create_index(t, "tc", "c", vec![2], KeyInfo::binary(1));
    let mut rng = Rng(11);
    for step in 0..600 {
        let rowid = rng.below(200) as i64;
        if rng.below(4) == 0 {
            db.delete(t, rowid);
        } else {
            let row = random_row(&mut rng, step == 50);
            db.upsert(t, rowid, row);
        }
    }
    // No page was written past its usable area.
    for (pgno, page) in &db.pager.pages {
        assert!(
            page[1024 - 40..].iter().all(|&b| b == 0),
            "page {pgno} touched its reserved bytes"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    db.verify_with_sqlite(&path);
    assert_eq!(MemPager::load(&path).reserved, 40);
}
