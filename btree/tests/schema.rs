//! `sqlite_schema` on page 1 and cursor edge cases.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::MemPager;
use concur_btree::*;

fn schema_record(name: &str, root: u32) -> Vec<u8> {
    SchemaEntry {
        kind: "table".into(),
        name: name.into(),
        table_name: name.into(),
        root,
        sql: Some(format!("CREATE TABLE {name}(a, b)")),
    }
    .to_record()
    .unwrap()
}

#[test]
fn page_one_splits_and_shrinks_with_many_tables() {
    let mut pager = MemPager::new(512);
    create_database(&mut pager).unwrap();
    let mut roots = Vec::new();
    for i in 0..150i64 {
        let name = format!("table_number_{i}");
        let root = create_tree(&mut pager, TreeKind::Table).unwrap();
        table_insert(&mut pager, SCHEMA_ROOT, i + 1, &schema_record(&name, root)).unwrap();
        let row = encode_record(&[Value::Integer(i), Value::Text(name.clone().into())]).unwrap();
        table_insert(&mut pager, root, 1, &row).unwrap();
        roots.push((name, root));
    }
    // Page 1 is now an interior page; its header still sits after the database header.
    let data = concur_pager::PageSource::page(&pager, 1).unwrap();
    assert_eq!(
        BtreePage::parse(1, &data, 512).unwrap().kind,
        PageKind::TableInterior
    );
    drop(data);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.db");
    pager.dump(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let b: String = conn
        .query_row("SELECT b FROM table_number_77", [], |r| r.get(0))
        .unwrap();
    assert_eq!(b, "table_number_77");
    drop(conn);
    // Drop all but three tables: page 1 becomes a leaf again.
    for (i, (_, root)) in roots.iter().enumerate().skip(3) {
        assert!(table_delete(&mut pager, SCHEMA_ROOT, i as i64 + 1).unwrap());
        drop_tree(&mut pager, *root).unwrap();
    }
    let data = concur_pager::PageSource::page(&pager, 1).unwrap();
    assert_eq!(
        BtreePage::parse(1, &data, 512).unwrap().kind,
        PageKind::TableLeaf
    );
    drop(data);
    assert_eq!(pager.count as usize - pager.free.len(), 4);
    pager.dump(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
    let entries = read_schema(&pager).unwrap();
    let names: Vec<&str> = entries.iter().map(|(_, e)| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["table_number_0", "table_number_1", "table_number_2"]
    );
    assert_eq!(entries[1].1.root, roots[1].1);
    assert_eq!(check_database(&MemPager::load(&path)), Vec::<String>::new());
}

#[test]
fn cursor_on_empty_and_single_entry_trees() {
    let mut pager = MemPager::new(1024);
    create_database(&mut pager).unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut c = Cursor::new(&pager, root);
    assert!(!c.first().unwrap());
    assert!(!c.last().unwrap());
    assert!(!c.is_valid());
    assert!(!c.next().unwrap());
    for op in [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt] {
        assert!(!c.seek_rowid(5, op).unwrap(), "{op:?}");
    }
    assert!(!table_update(&mut pager, root, 5, &[1, 0]).unwrap());
    table_insert(
        &mut pager,
        root,
        5,
        &encode_record(&[Value::Integer(9)]).unwrap(),
    )
    .unwrap();
    let mut c = Cursor::new(&pager, root);
    assert!(c.first().unwrap());
    assert_eq!(
        (c.rowid().unwrap(), c.record().unwrap()),
        (5, vec![Value::Integer(9)])
    );
    assert!(!c.prev().unwrap());
    assert!(!c.is_valid());
    assert!(c.seek_rowid(5, SeekOp::Le).unwrap());
    assert!(!c.seek_rowid(5, SeekOp::Lt).unwrap());
    assert!(!c.seek_rowid(5, SeekOp::Gt).unwrap());
    assert!(c.seek_rowid(i64::MIN, SeekOp::Gt).unwrap());
    assert!(c.seek_rowid(i64::MAX, SeekOp::Le).unwrap());
    // Wrong tree type is corrupt, not a wrong answer.
    let index = create_tree(&mut pager, TreeKind::Index).unwrap();
    assert!(table_insert(&mut pager, index, 1, &[1, 0])
        .unwrap_err()
        .is_corrupt());
}

#[test]
fn negative_and_extreme_rowids_sort_as_integers() {
    let mut pager = MemPager::new(512);
    create_database(&mut pager).unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let keys = [i64::MIN, -1, 0, 1, i64::MAX, -300, 1 << 40];
    for k in keys {
        table_insert(
            &mut pager,
            root,
            k,
            &encode_record(&[Value::Integer(k)]).unwrap(),
        )
        .unwrap();
    }
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    let mut c = Cursor::new(&pager, root);
    let mut got = Vec::new();
    let mut ok = c.first().unwrap();
    while ok {
        got.push(c.rowid().unwrap());
        ok = c.next().unwrap();
    }
    assert_eq!(got, sorted);
}
