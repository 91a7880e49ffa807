//! Any byte string as a database file: decoding the header, reading pages and walking,
//! allocating from and freeing onto the freelist must return errors, never panic or hang.
#![no_main]

use std::sync::Arc;

use concur_pager::{
    freelist, DbHeader, MemFile, MemJournal, PageSource, PageWriter, Pager, PagerOptions,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = DbHeader::read(data);
    let file = Arc::new(MemFile::with_bytes(data.to_vec()));
    let options = PagerOptions {
        cache_pages: 4,
        ..PagerOptions::default()
    };
    let Ok(pager) = Pager::with_journal(file, Arc::new(MemJournal::new()), options) else {
        return;
    };
    if let Ok(read) = pager.begin_read() {
        for p in 1..=read.page_count().min(64) {
            let _ = read.page(p);
        }
        if let Ok(h) = read.header() {
            let _ = freelist::check(&read, h.freelist_trunk, h.freelist_count);
        }
    }
    if let Ok(mut tx) = pager.begin_write() {
        let mut got = Vec::new();
        for _ in 0..8 {
            match tx.allocate() {
                Ok(p) => got.push(p),
                Err(_) => break,
            }
        }
        for p in got {
            let _ = tx.free(p);
        }
        let _ = tx.commit();
    }
});
