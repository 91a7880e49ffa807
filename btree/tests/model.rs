//! Property tests: random operations against a `BTreeMap` model.

mod common;

use std::collections::BTreeMap;

use common::{MemPager, Rng};
use concur_btree::*;

fn payload_for(rng: &mut Rng, max: u64) -> Vec<u8> {
    let len = match rng.below(10) {
        0 => rng.below(max),
        1..=3 => rng.below(200),
        _ => rng.below(40),
    } as usize;
    let byte = rng.next() as u8;
    (0..len).map(|i| byte.wrapping_add(i as u8)).collect()
}

fn check_table(pager: &MemPager, root: u32, model: &BTreeMap<i64, Vec<u8>>) {
    let mut c = Cursor::new(pager, root);
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
            0..=4 => {
                let p = payload_for(&mut rng, page_size as u64 * 3);
                table_insert(&mut pager, root, key, &p).unwrap();
                model.insert(key, p);
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
    pager
}

#[test]
fn table_tree_matches_a_btreemap_model() {
    table_ops(512, 6000, 0x1234_5678);
    table_ops(1024, 4000, 99);
}
