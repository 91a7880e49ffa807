//! Property tests: random operations against a `BTreeMap` model.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeMap;

use common::{MemPager, Rng};
use concur_btree::*;

fn payload_for(rng: &mut Rng, max: u64) -> Vec<u8> {
    encode_record(&values_for(rng, max)).unwrap()
}

/// A row of one blob, mostly short, sometimes up to `max` bytes.
fn values_for(rng: &mut Rng, max: u64) -> Vec<Value> {
    let len = match rng.below(10) {
        0 => rng.below(max),
        1..=3 => rng.below(200),
        _ => rng.below(40),
    } as usize;
    let byte = rng.next() as u8;
    let blob: Vec<u8> = (0..len).map(|i| byte.wrapping_add(i as u8)).collect();
    vec![Value::Blob(blob)]
}

fn check_table(pager: &MemPager, root: u32, model: &BTreeMap<i64, Vec<u8>>) {
    let src: &dyn concur_pager::PageSource = pager;
    let mut c = Cursor::new(src, root);
    let mut got = Vec::new();
    let mut ok = c.first().unwrap();
    while ok {
        got.push((c.rowid().unwrap(), c.payload().unwrap()));
        ok = c.next().unwrap();
    }
    let want: Vec<_> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "forward scan differs");
    // Backward scan.
    let mut back = Vec::new();
    let mut ok = c.last().unwrap();
    while ok {
        back.push(c.rowid().unwrap());
        ok = c.prev().unwrap();
    }
    back.reverse();
    assert_eq!(back, model.keys().copied().collect::<Vec<_>>());
}

fn table_ops(page_size: usize, ops: usize, seed: u64) -> MemPager {
    let mut pager = MemPager::new(page_size);
    create_database(&mut pager).unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut model = BTreeMap::new();
    let mut rng = Rng(seed);
    for step in 0..ops {
        let key = rng.below(2000) as i64 - 300;
        match rng.below(10) {
            0..=3 => {
                let p = payload_for(&mut rng, page_size as u64 * 3);
                table_insert(&mut pager, root, key, &p).unwrap();
                model.insert(key, p);
            }
            4 => {
                let p = payload_for(&mut rng, page_size as u64 * 3);
                let updated = table_update(&mut pager, root, key, &p).unwrap();
                assert_eq!(updated, model.contains_key(&key), "step {step}");
                if updated {
                    model.insert(key, p);
                }
            }
            5..=7 => {
                let deleted = table_delete(&mut pager, root, key).unwrap();
                assert_eq!(deleted, model.remove(&key).is_some(), "step {step}");
            }
            _ => {
                let mut c = Cursor::new(&pager, root);
                let op = [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt]
                    [rng.below(5) as usize];
                let found = c.seek_rowid(key, op).unwrap();
                let want = match op {
                    SeekOp::Eq => model.get_key_value(&key),
                    SeekOp::Ge => model.range(key..).next(),
                    SeekOp::Gt => model.range(key + 1..).next(),
                    SeekOp::Le => model.range(..=key).next_back(),
                    SeekOp::Lt => model.range(..key).next_back(),
                };
                assert_eq!(found, want.is_some(), "step {step} {op:?} {key}");
                if let Some((k, v)) = want {
                    assert_eq!(c.rowid().unwrap(), *k, "step {step} {op:?} {key}");
                    assert_eq!(&c.payload().unwrap(), v);
                }
            }
        }
        if step % 500 == 0 {
            check_table(&pager, root, &model);
        }
    }
    check_table(&pager, root, &model);
    assert_fill(&pager, root);
    let schema = encode_record(&[
        Value::Text("table".into()),
        Value::Text("t".into()),
        Value::Text("t".into()),
        Value::Integer(root as i64),
        Value::Text("CREATE TABLE t(v)".into()),
    ])
    .unwrap();
    table_insert(&mut pager, SCHEMA_ROOT, 1, &schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    pager.dump(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    eprintln!(
        "pages {} free {} rows {}",
        pager.count,
        pager.free.len(),
        model.len()
    );
    let mut stmt = conn
        .prepare("SELECT rowid, v FROM t ORDER BY rowid")
        .unwrap();
    let rows: Vec<(i64, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let want: Vec<(i64, Vec<u8>)> = model
        .iter()
        .map(|(k, v)| match &decode_record(v).unwrap()[0] {
            Value::Blob(b) => (*k, b.clone()),
            _ => unreachable!(),
        })
        .collect();
    assert!(rows == want, "sqlite reads different rows");
    pager
}

#[test]
fn table_tree_matches_a_btreemap_model() {
    table_ops(512, 6000, 0x1234_5678);
    table_ops(1024, 4000, 99);
}

fn random_value(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::Null,
        1 => Value::Integer(rng.below(50) as i64 - 25),
        2 => Value::Real((rng.below(100) as f64) / 4.0 - 12.0),
        3 | 4 => {
            let words = ["apple", "Apple", "APPLE", "b", "B ", "zeta", "Zeta"];
            let mut s = words[rng.below(words.len() as u64) as usize].to_string();
            if rng.below(8) == 0 {
                s.push_str(&"x".repeat(rng.below(1500) as usize));
            }
            Value::Text(s.into())
        }
        _ => Value::Blob((0..rng.below(6)).map(|i| i as u8).collect()),
    }
}

fn sorted_entries(rows: &BTreeMap<i64, Value>, info: &KeyInfo) -> Vec<Vec<Value>> {
    let mut entries: Vec<Vec<Value>> = rows
        .iter()
        .map(|(r, k)| vec![k.clone(), Value::Integer(*r)])
        .collect();
    entries.sort_by(|a, b| info.compare_full(a, b));
    entries
}

fn index_ops(page_size: usize, ops: usize, seed: u64) {
    let info = KeyInfo {
        columns: vec![KeyColumn {
            collation: Collation::NoCase,
            descending: true,
        }],
    };
    let mut pager = MemPager::new(page_size);
    create_database(&mut pager).unwrap();
    let table = create_tree(&mut pager, TreeKind::Table).unwrap();
    let index = create_tree(&mut pager, TreeKind::Index).unwrap();
    let mut rows: BTreeMap<i64, Value> = BTreeMap::new();
    let mut rng = Rng(seed);
    for step in 0..ops {
        let rowid = rng.below(600) as i64 + 1;
        match rng.below(10) {
            0..=5 => {
                let k = random_value(&mut rng);
                if let Some(old) = rows.get(&rowid) {
                    let old_entry = encode_record(&[old.clone(), Value::Integer(rowid)]).unwrap();
                    assert!(index_delete(&mut pager, index, &info, &old_entry).unwrap());
                }
                let row = encode_record(&[k.clone(), Value::Integer(step as i64)]).unwrap();
                table_insert(&mut pager, table, rowid, &row).unwrap();
                let entry = encode_record(&[k.clone(), Value::Integer(rowid)]).unwrap();
                index_insert(&mut pager, index, &info, &entry).unwrap();
                rows.insert(rowid, k);
            }
            6..=7 => {
                let had = rows.remove(&rowid);
                assert_eq!(
                    table_delete(&mut pager, table, rowid).unwrap(),
                    had.is_some()
                );
                if let Some(old) = had {
                    let old_entry = encode_record(&[old, Value::Integer(rowid)]).unwrap();
                    assert!(
                        index_delete(&mut pager, index, &info, &old_entry).unwrap(),
                        "step {step}"
                    );
                }
            }
            _ => {
                let probe = [random_value(&mut rng)];
                let entries = sorted_entries(&rows, &info);
                let op = [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt]
                    [rng.below(5) as usize];
                let lt = entries.partition_point(|e| info.compare(e, &probe).is_lt());
                let le = entries.partition_point(|e| info.compare(e, &probe).is_le());
                let want = match op {
                    SeekOp::Eq => (lt < le).then_some(lt),
                    SeekOp::Ge => (lt < entries.len()).then_some(lt),
                    SeekOp::Gt => (le < entries.len()).then_some(le),
                    SeekOp::Le => le.checked_sub(1),
                    SeekOp::Lt => lt.checked_sub(1),
                };
                let mut c = Cursor::new(&pager, index);
                let found = c.seek_key(&probe, &info, op).unwrap();
                assert_eq!(found, want.is_some(), "step {step} {op:?} {probe:?}");
                if let Some(i) = want {
                    assert_eq!(c.record().unwrap(), entries[i], "step {step} {op:?}");
                }
            }
        }
        if step % 400 == 0 || step + 1 == ops {
            let entries = sorted_entries(&rows, &info);
            let mut c = Cursor::new(&pager, index);
            let mut got = Vec::new();
            let mut ok = c.first().unwrap();
            while ok {
                got.push(c.record().unwrap());
                ok = c.next().unwrap();
            }
            assert!(got == entries, "index scan differs at step {step}");
            let mut back = Vec::new();
            let mut ok = c.last().unwrap();
            while ok {
                back.push(c.record().unwrap());
                ok = c.prev().unwrap();
            }
            back.reverse();
            assert!(
                back == entries,
                "backward index scan differs at step {step}"
            );
        }
    }
    let ddl = [
        ("table", "t", table, "CREATE TABLE t(k, v)"),
        (
            "index",
            "i",
            index,
            "CREATE INDEX i ON t(k COLLATE NOCASE DESC)",
        ),
    ];
    for (n, (ty, name, root, sql)) in ddl.iter().enumerate() {
        let rec = encode_record(&[
            Value::Text(ty.to_string().into()),
            Value::Text(name.to_string().into()),
            Value::Text("t".into()),
            Value::Integer(*root as i64),
            Value::Text(sql.to_string().into()),
        ])
        .unwrap();
        table_insert(&mut pager, SCHEMA_ROOT, n as i64 + 1, &rec).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    pager.dump(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM t INDEXED BY i WHERE k IS NOT NULL OR k IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n as usize, rows.len());
    let reloaded = MemPager::load(&path);
    let trees = [
        TreeCheck { root: 1, key: None },
        TreeCheck {
            root: table,
            key: None,
        },
        TreeCheck {
            root: index,
            key: Some(info.clone()),
        },
    ];
    assert_eq!(check_integrity(&reloaded, &trees), Vec::<String>::new());
}

#[test]
fn index_tree_matches_a_sorted_model() {
    index_ops(512, 5000, 7);
    index_ops(4096, 3000, 8);
}

/// Balancing keeps pages reasonably full: the tree's non-root pages are on average at least
/// 45% used (SQLite's own trees after random churn sit around 60-70%).
fn assert_fill(pager: &MemPager, root: u32) {
    use concur_pager::PageSource;
    let (mut used, mut pages) = (0usize, 0usize);
    let mut stack = vec![root];
    while let Some(pgno) = stack.pop() {
        let data = pager.page(pgno).unwrap();
        let page = BtreePage::parse(pgno, &data, pager.page_size).unwrap();
        if !page.kind.is_leaf() {
            stack.extend((0..=page.cell_count).map(|i| page.child(i).unwrap()));
        }
        if pgno != root {
            pages += 1;
            used += pager.page_size - page.free_space().unwrap();
        }
    }
    let fill = used as f64 / (pages * pager.page_size) as f64;
    assert!(fill > 0.45, "average fill {fill:.2} over {pages} pages");
}

/// Appends with an `AppendHint` kept between inserts (and dropped on deletes, as its
/// contract asks) build exactly the pages that plain inserts build, and the rows the model
/// holds; so do hinted inserts of values whose records are built in their cells
/// (`table_insert_values_hinted`), spilled ones included.
#[test]
fn hinted_appends_build_the_same_tree_as_plain_inserts() {
    for (page_size, seed) in [(512, 7u64), (1024, 0xfeed), (4096, 3)] {
        let mut plain = MemPager::new(page_size);
        let mut hinted = MemPager::new(page_size);
        let mut valued = MemPager::new(page_size);
        create_database(&mut plain).unwrap();
        create_database(&mut hinted).unwrap();
        create_database(&mut valued).unwrap();
        let root = create_tree(&mut plain, TreeKind::Table).unwrap();
        assert_eq!(create_tree(&mut hinted, TreeKind::Table).unwrap(), root);
        assert_eq!(create_tree(&mut valued, TreeKind::Table).unwrap(), root);
        let mut hint = None;
        let mut value_hint = None;
        let mut model = BTreeMap::new();
        let mut rng = Rng(seed);
        let mut next = 1i64;
        let mut hinted_inserts = 0;
        for step in 0..5000 {
            let values = values_for(&mut rng, page_size as u64 * 3);
            let p = encode_record(&values).unwrap();
            match rng.below(20) {
                // Mostly appends in rowid order, with gaps.
                0..=15 => {
                    next += 1 + rng.below(3) as i64;
                    hinted_inserts += usize::from(hint.is_some());
                    table_insert(&mut plain, root, next, &p).unwrap();
                    table_insert_hinted(&mut hinted, root, next, &p, &mut hint).unwrap();
                    table_insert_values_hinted(&mut valued, root, next, &values, &mut value_hint)
                        .unwrap();
                    model.insert(next, p);
                }
                // A rowid inside the tree (new or replacing) through the hinted call.
                16..=17 => {
                    let key = rng.below(next as u64 + 1) as i64;
                    table_insert(&mut plain, root, key, &p).unwrap();
                    table_insert_hinted(&mut hinted, root, key, &p, &mut hint).unwrap();
                    table_insert_values_hinted(&mut valued, root, key, &values, &mut value_hint)
                        .unwrap();
                    model.insert(key, p);
                }
                // A delete, which drops the hint.
                _ => {
                    let key = rng.below(next as u64 + 1) as i64;
                    let a = table_delete(&mut plain, root, key).unwrap();
                    let b = table_delete(&mut hinted, root, key).unwrap();
                    assert_eq!(table_delete(&mut valued, root, key).unwrap(), b);
                    hint = None;
                    value_hint = None;
                    assert_eq!(a, b, "step {step}");
                    assert_eq!(a, model.remove(&key).is_some(), "step {step}");
                }
            }
            if let Some(h) = &hint {
                assert_eq!(Some(h.last_rowid()), model.keys().next_back().copied());
            }
        }
        assert!(
            hinted_inserts > 1000,
            "the hint was used {hinted_inserts} times"
        );
        assert_eq!(plain.count, hinted.count, "page counts differ");
        assert_eq!(plain.count, valued.count, "page counts differ");
        for pgno in 1..=plain.count {
            let a = plain.pages.get(&pgno).map(|p| p.to_vec());
            let b = hinted.pages.get(&pgno).map(|p| p.to_vec());
            let c = valued.pages.get(&pgno).map(|p| p.to_vec());
            assert!(a == b, "page {pgno} differs (page size {page_size})");
            assert!(
                a == c,
                "page {pgno} of the valued tree differs (page size {page_size})"
            );
        }
        check_table(&hinted, root, &model);
        let checks = [
            TreeCheck { root: 1, key: None },
            TreeCheck { root, key: None },
        ];
        assert_eq!(check_integrity(&hinted, &checks), Vec::<String>::new());
    }
}
