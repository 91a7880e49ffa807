//! Bad input: malformed pages, cells, overflow chains, trees and records give a typed
//! CORRUPT error naming the page (never a panic), and the integrity check reports them.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{MemPager, Rng};
use concur_btree::*;
use concur_pager::{PageSource, PageWriter};

/// A database with one table (root 2) of `rows` rows, some with overflow.
fn table_db(rows: i64) -> (MemPager, u32) {
    let mut pager = MemPager::new(512);
    create_database(&mut pager).unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    for r in 0..rows {
        let len = if r % 10 == 0 { 1500 } else { 30 };
        let rec = encode_record(&[Value::Integer(r), Value::Blob(vec![r as u8; len])]).unwrap();
        table_insert(&mut pager, root, r, &rec).unwrap();
    }
    (pager, root)
}

/// Scans the whole tree forward, returning the first error.
fn scan_all(src: &MemPager, root: u32) -> Result<usize> {
    let mut c = Cursor::new(src, root);
    let mut n = 0;
    let mut ok = c.first()?;
    while ok {
        c.payload()?;
        n += 1;
        ok = c.next()?;
    }
    Ok(n)
}

fn root_page(pager: &MemPager, root: u32) -> BtreePage<'static> {
    let data: &'static [u8] = Box::leak(pager.page(root).unwrap().to_vec().into_boxed_slice());
    BtreePage::parse(root, data, 512).unwrap()
}

fn trees(root: u32) -> Vec<TreeCheck> {
    vec![
        TreeCheck { root: 1, key: None },
        TreeCheck { root, key: None },
    ]
}

#[test]
fn cell_pointer_past_the_page_end_is_corrupt_on_that_page() {
    let (mut pager, root) = table_db(200);
    let leaf = root_page(&pager, root).child(0).unwrap();
    let page = pager.page_mut(leaf).unwrap();
    page[8..10].copy_from_slice(&600u16.to_be_bytes());
    let err = scan_all(&pager, root).unwrap_err();
    assert_eq!(err.corrupt_page(), Some(leaf), "{err}");
    assert_eq!(err.sqlite_code(), 11);
    let err = table_insert(&mut pager, root, 0, &[1, 0]).unwrap_err();
    assert_eq!(err.corrupt_page(), Some(leaf));
    let messages = check_integrity(&pager, &trees(root));
    assert!(
        messages.iter().any(|m| m.contains(&format!("page {leaf}"))),
        "{messages:?}"
    );
}

#[test]
fn bad_page_type_is_corrupt_on_that_page() {
    let (mut pager, root) = table_db(200);
    let child = root_page(&pager, root).child(1).unwrap();
    pager.page_mut(child).unwrap()[0] = 0x0a; // an index leaf inside a table tree
    let err = scan_all(&pager, root).unwrap_err();
    assert_eq!(err.corrupt_page(), Some(child), "{err}");
    pager.page_mut(child).unwrap()[0] = 0x42;
    let err = scan_all(&pager, root).unwrap_err();
    assert_eq!(err.corrupt_page(), Some(child), "{err}");
    assert!(!check_integrity(&pager, &trees(root)).is_empty());
}

#[test]
fn tree_cycle_is_corrupt_not_a_hang() {
    let (mut pager, root) = table_db(200);
    let page = root_page(&pager, root);
    let hdr = page.hdr;
    // Point the root's right-most child back at the root.
    pager.page_mut(root).unwrap()[hdr + 8..hdr + 12].copy_from_slice(&root.to_be_bytes());
    assert!(scan_all(&pager, root).unwrap_err().is_corrupt());
    let mut c = Cursor::new(&pager, root);
    assert!(c.seek_rowid(199, SeekOp::Eq).unwrap_err().is_corrupt());
    assert!(table_insert(&mut pager, root, 500, &[1, 0])
        .unwrap_err()
        .is_corrupt());
    let messages = check_integrity(&pager, &trees(root));
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("2nd reference to page {root}"))),
        "{messages:?}"
    );
}

/// The first overflow page of row 0 (which has 1500 bytes of payload).
fn first_overflow(pager: &MemPager, root: u32) -> (u32, u32) {
    let mut c = Cursor::new(pager, root);
    assert!(c.seek_rowid(0, SeekOp::Eq).unwrap());
    let leaf = root_page(pager, root).child(0).unwrap();
    let data = pager.page(leaf).unwrap();
    let page = BtreePage::parse(leaf, &data, 512).unwrap();
    (leaf, page.cell(0).unwrap().overflow)
}

#[test]
fn overflow_page_out_of_range_is_corrupt_naming_the_referring_page() {
    let (mut pager, root) = table_db(200);
    let (_, first) = first_overflow(&pager, root);
    let bogus = pager.count + 10;
    pager.page_mut(first).unwrap()[0..4].copy_from_slice(&bogus.to_be_bytes());
    let mut c = Cursor::new(&pager, root);
    assert!(c.seek_rowid(0, SeekOp::Eq).unwrap());
    let err = c.payload().unwrap_err();
    assert_eq!(err.corrupt_page(), Some(first), "{err}");
    let messages = check_integrity(&pager, &trees(root));
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("invalid page number {bogus}"))),
        "{messages:?}"
    );
    // Deleting the row must not free pages that do not exist.
    assert!(table_delete(&mut pager, root, 0).unwrap_err().is_corrupt());
}

#[test]
fn overflow_cycle_is_reported_and_reads_terminate() {
    let (mut pager, root) = table_db(200);
    let (_, first) = first_overflow(&pager, root);
    pager.page_mut(first).unwrap()[0..4].copy_from_slice(&first.to_be_bytes());
    let mut c = Cursor::new(&pager, root);
    assert!(c.seek_rowid(0, SeekOp::Eq).unwrap());
    // The reader stops after the expected number of pages.
    assert_eq!(c.payload().unwrap().len(), decode_len(&pager, root));
    let messages = check_integrity(&pager, &trees(root));
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("2nd reference to page {first}"))),
        "{messages:?}"
    );
}

fn decode_len(pager: &MemPager, root: u32) -> usize {
    let (leaf, _) = first_overflow(pager, root);
    let data = pager.page(leaf).unwrap();
    BtreePage::parse(leaf, &data, 512)
        .unwrap()
        .cell(0)
        .unwrap()
        .payload_size as usize
}

#[test]
fn lying_record_header_is_corrupt_naming_the_page() {
    let (mut pager, root) = table_db(200);
    let leaf = root_page(&pager, root).child(0).unwrap();
    let data = pager.page(leaf).unwrap();
    let page = BtreePage::parse(leaf, &data, 512).unwrap();
    let info = page.cell(1).unwrap();
    let at = info.local_offset;
    // Serial type for column 2: a blob far longer than the record.
    pager.page_mut(leaf).unwrap()[at + 2] = 0x7e;
    let mut c = Cursor::new(&pager, root);
    assert!(c.seek_rowid(1, SeekOp::Eq).unwrap());
    let err = c.record().unwrap_err();
    assert_eq!(err.corrupt_page(), Some(leaf), "{err}");
}

#[test]
fn random_byte_damage_never_panics_and_is_caught_by_the_checker() {
    let (base, root) = table_db(300);
    let index_info = KeyInfo::binary(1);
    let mut rng = Rng(0xdead_beef);
    // B-tree pages (as opposed to overflow pages): damage aimed at headers and pointers.
    let tree_pages: Vec<u32> = (2..=base.count)
        .filter(|&p| [5u8, 13].contains(&base.page(p).unwrap()[0]))
        .collect();
    let mut caught = 0;
    for _ in 0..1000 {
        let mut pager = MemPager {
            page_size: base.page_size,
            pages: base.pages.clone(),
            count: base.count,
            free: base.free.clone(),
            reserved: 0,
        };
        for _ in 0..1 + rng.below(3) {
            let (pgno, at) = if rng.below(2) == 0 {
                let p = tree_pages[rng.below(tree_pages.len() as u64) as usize];
                (p, rng.below(40) as usize)
            } else {
                (
                    2 + rng.below(u64::from(pager.count) - 1) as u32,
                    rng.below(512) as usize,
                )
            };
            let byte = rng.next() as u8;
            pager.page_mut(pgno).unwrap()[at] = byte;
        }
        let messages = check_integrity(&pager, &trees(root));
        let scanned = scan_all(&pager, root);
        if messages.is_empty() {
            assert!(
                scanned.is_ok(),
                "checker passed a tree the cursor rejects: {scanned:?}"
            );
        } else {
            caught += 1;
        }
        // Backward scans, seeks, index-style seeks and writes: any result but a panic.
        let mut c = Cursor::new(&pager, root);
        if let Ok(mut ok) = c.last() {
            let mut guard = 0;
            while ok && guard < 10_000 {
                ok = c.prev().unwrap_or(false);
                guard += 1;
            }
        }
        let _ = c.seek_rowid(rng.below(300) as i64, SeekOp::Le);
        let _ = c.seek_key(&[Value::Integer(3)], &index_info, SeekOp::Ge);
        let _ = c.record();
        for _ in 0..5 {
            let r = rng.below(320) as i64;
            let _ = table_insert(
                &mut pager,
                root,
                r,
                &encode_record(&[Value::Blob(vec![1; 700])]).unwrap(),
            );
            let _ = table_delete(&mut pager, root, rng.below(300) as i64);
        }
        let _ = check_database(&pager);
        let _ = clear_tree(&mut pager, root);
    }
    assert!(
        caught > 300,
        "only {caught} of 1000 damaged files were flagged"
    );
}

#[test]
fn random_damage_to_an_index_tree_never_panics() {
    let info = KeyInfo::binary(2);
    let entry = |k: u64| {
        let text = format!("key-{k:05}-{}", "z".repeat((k % 7 * 40) as usize));
        encode_record(&[Value::Text(text.into()), Value::Integer(k as i64)]).unwrap()
    };
    let mut base = MemPager::new(512);
    create_database(&mut base).unwrap();
    let root = create_tree(&mut base, TreeKind::Index).unwrap();
    for k in 0..400 {
        index_insert(&mut base, root, &info, &entry(k * 7 % 400)).unwrap();
    }
    let index_trees = vec![
        TreeCheck { root: 1, key: None },
        TreeCheck {
            root,
            key: Some(info.clone()),
        },
    ];
    assert_eq!(check_integrity(&base, &index_trees), Vec::<String>::new());
    let mut rng = Rng(0x5eed);
    let mut caught = 0;
    for _ in 0..600 {
        let mut pager = MemPager {
            page_size: base.page_size,
            pages: base.pages.clone(),
            count: base.count,
            free: base.free.clone(),
            reserved: 0,
        };
        for _ in 0..1 + rng.below(3) {
            let pgno = 2 + rng.below(u64::from(pager.count) - 1) as u32;
            let span = if rng.below(2) == 0 { 40 } else { 512 };
            let at = rng.below(span) as usize;
            let byte = rng.next() as u8;
            pager.page_mut(pgno).unwrap()[at] = byte;
        }
        if !check_integrity(&pager, &index_trees).is_empty() {
            caught += 1;
        }
        let mut c = Cursor::new(&pager, root);
        if let Ok(mut ok) = c.first() {
            let mut guard = 0;
            while ok && guard < 10_000 {
                let _ = c.record();
                ok = c.next().unwrap_or(false);
                guard += 1;
            }
        }
        let probe = [Value::Text(format!("key-{:05}", rng.below(400)).into())];
        let _ = c.seek_key(&probe, &info, SeekOp::Le);
        for _ in 0..5 {
            let _ = index_delete(&mut pager, root, &info, &entry(rng.below(400)));
            let _ = index_insert(&mut pager, root, &info, &entry(rng.below(500)));
        }
        let _ = drop_tree(&mut pager, root);
    }
    assert!(
        caught > 100,
        "only {caught} of 600 damaged files were flagged"
    );
}

#[test]
fn overlong_claimed_payload_is_corrupt_and_flagged() {
    let (mut pager, root) = table_db(200);
    let leaf = root_page(&pager, root).child(0).unwrap();
    let data = pager.page(leaf).unwrap();
    let offset = BtreePage::parse(leaf, &data, 512)
        .unwrap()
        .cell_offset(0)
        .unwrap();
    drop(data);
    // Row 0 (1500+ bytes, a 2-byte size varint) now claims 15779 bytes, which keeps the same
    // 39 bytes local (K > X, so M) but needs 31 overflow pages: its chain is too short.
    assert_eq!(local_size(512, PageKind::TableLeaf, 15779), 39);
    pager.page_mut(leaf).unwrap()[offset..offset + 2].copy_from_slice(&[0xfb, 0x23]);
    let mut c = Cursor::new(&pager, root);
    assert!(c.seek_rowid(0, SeekOp::Eq).unwrap());
    assert!(c.payload().unwrap_err().is_corrupt());
    assert!(!check_integrity(&pager, &trees(root)).is_empty());
}
