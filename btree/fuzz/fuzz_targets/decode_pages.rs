//! Any bytes as a database image: open it, read `sqlite_schema`, walk every tree forwards and
//! backwards, decode every record, and run the integrity checker. Anything may fail with an
//! error; nothing may panic or hang.
#![no_main]

use concur_btree::{check_database, read_schema, Cursor};
use concur_pager::{MemFile, MemJournal, Pager, PagerOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let file = Arc::new(MemFile::with_bytes(data.to_vec()));
    let Ok(pager) = Pager::with_journal(file, Arc::new(MemJournal::new()), PagerOptions::default())
    else {
        return;
    };
    let Ok(read) = pager.begin_read() else { return };
    let _ = check_database(&read);
    let Ok(schema) = read_schema(&read) else { return };
    for (_, entry) in schema.iter().take(64) {
        let mut cursor = Cursor::new(&read, entry.root);
        let mut steps = 0;
        let mut ok = cursor.first().unwrap_or(false);
        while ok && steps < 10_000 {
            let _ = cursor.record();
            ok = cursor.next().unwrap_or(false);
            steps += 1;
        }
        let mut ok = cursor.last().unwrap_or(false);
        while ok && steps < 20_000 {
            let _ = cursor.payload();
            ok = cursor.prev().unwrap_or(false);
            steps += 1;
        }
    }
});
