//! Test doubles shared by the integration tests: an in-memory pager that can write itself
//! out as a SQLite file (rollback mode, so sqlite3 reads it alone) and load one back.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use concur_pager::{DbHeader, Error, PageBuf, PageNo, PageRef, PageSource, PageWriter, Result};

/// Pages in a map, with a naive freelist.
pub struct MemPager {
    pub page_size: usize,
    pub pages: HashMap<PageNo, PageRef>,
    pub count: u32,
    pub free: Vec<PageNo>,
    /// Bytes reserved at the end of each page (header byte 20).
    pub reserved: usize,
}

impl MemPager {
    pub fn new(page_size: usize) -> Self {
        MemPager {
            page_size,
            pages: HashMap::new(),
            count: 0,
            free: Vec::new(),
            reserved: 0,
        }
    }

    /// A pager whose pages keep `reserved` bytes unused at their end.
    pub fn with_reserved(page_size: usize, reserved: usize) -> Self {
        MemPager {
            reserved,
            ..MemPager::new(page_size)
        }
    }

    /// Writes the database as a SQLite file: header fields, freelist trunk pages, all pages.
    pub fn dump(&self, path: &Path) {
        let usable = self.page_size - self.reserved;
        let mut pages: Vec<PageBuf> = (1..=self.count)
            .map(|p| match self.pages.get(&p) {
                Some(b) => (**b).clone(),
                None => PageBuf::zeroed(self.page_size),
            })
            .collect();
        // Freelist: trunks chained, each holding up to usable/4 - 2 leaves.
        let per_trunk = usable / 4 - 2;
        let mut free = self.free.clone();
        free.sort_unstable();
        let mut trunks: Vec<(PageNo, Vec<PageNo>)> = Vec::new();
        let mut rest = free.as_slice();
        while let Some((&trunk, tail)) = rest.split_first() {
            let n = tail.len().min(per_trunk);
            trunks.push((trunk, tail[..n].to_vec()));
            rest = &tail[n..];
        }
        for (i, (trunk, leaves)) in trunks.iter().enumerate() {
            let next = trunks.get(i + 1).map_or(0, |t| t.0);
            let b = &mut pages[*trunk as usize - 1];
            b.fill(0);
            b[0..4].copy_from_slice(&next.to_be_bytes());
            b[4..8].copy_from_slice(&(leaves.len() as u32).to_be_bytes());
            for (j, leaf) in leaves.iter().enumerate() {
                b[8 + 4 * j..12 + 4 * j].copy_from_slice(&leaf.to_be_bytes());
            }
        }
        let mut header = DbHeader::read(&pages[0]).unwrap();
        header.write_version = 1;
        header.read_version = 1;
        header.page_count = self.count;
        header.change_counter = header.change_counter.max(1);
        header.version_valid_for = header.change_counter;
        header.freelist_trunk = trunks.first().map_or(0, |t| t.0);
        header.freelist_count = free.len() as u32;
        if header.schema_cookie == 0 {
            header.schema_cookie = 1;
        }
        header.write(&mut pages[0]);
        let bytes: Vec<u8> = pages.iter().flat_map(|p| p.iter().copied()).collect();
        std::fs::write(path, bytes).unwrap();
    }

    /// Loads a SQLite database file (its freelist becomes this pager's freelist).
    pub fn load(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let header = DbHeader::read(&bytes).unwrap();
        let page_size = header.page_size as usize;
        let count = (bytes.len() / page_size) as u32;
        let mut pager = MemPager::with_reserved(page_size, usize::from(header.reserved_bytes));
        pager.count = count;
        for p in 1..=count {
            let at = (p as usize - 1) * page_size;
            let mut buf = PageBuf::zeroed(page_size);
            buf.copy_from_slice(&bytes[at..at + page_size]);
            pager.pages.insert(p, Arc::new(buf));
        }
        let mut trunk = header.freelist_trunk;
        while trunk != 0 {
            let b = pager.pages[&trunk].clone();
            pager.free.push(trunk);
            let n = u32::from_be_bytes([b[4], b[5], b[6], b[7]]) as usize;
            for j in 0..n {
                let at = 8 + 4 * j;
                pager
                    .free
                    .push(u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
            }
            trunk = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        }
        pager
    }
}

impl PageSource for MemPager {
    fn page(&self, pgno: PageNo) -> Result<PageRef> {
        if pgno == 0 || pgno > self.count {
            return Err(Error::Corrupt {
                page: pgno,
                reason: "page out of range".into(),
            });
        }
        Ok(self
            .pages
            .get(&pgno)
            .cloned()
            .unwrap_or_else(|| Arc::new(PageBuf::zeroed(self.page_size))))
    }
    fn page_count(&self) -> u32 {
        self.count
    }
    fn page_size(&self) -> usize {
        self.page_size
    }
    fn usable_size(&self) -> usize {
        self.page_size - self.reserved
    }
}

impl PageWriter for MemPager {
    fn page_mut(&mut self, pgno: PageNo) -> Result<&mut PageBuf> {
        if pgno == 0 || pgno > self.count {
            return Err(Error::Corrupt {
                page: pgno,
                reason: "page out of range".into(),
            });
        }
        let size = self.page_size;
        let entry = self
            .pages
            .entry(pgno)
            .or_insert_with(|| Arc::new(PageBuf::zeroed(size)));
        Ok(Arc::make_mut(entry))
    }
    fn allocate(&mut self) -> Result<PageNo> {
        if self.count == 0 {
            self.count = 1;
            let mut buf = PageBuf::zeroed(self.page_size);
            let mut header = DbHeader::new(self.page_size as u32);
            header.reserved_bytes = self.reserved as u8;
            header.write(&mut buf);
            self.pages.insert(1, Arc::new(buf));
            return Ok(1);
        }
        let pgno = match self.free.pop() {
            Some(p) => p,
            None => {
                self.count += 1;
                self.count
            }
        };
        self.pages
            .insert(pgno, Arc::new(PageBuf::zeroed(self.page_size)));
        Ok(pgno)
    }
    fn free(&mut self, pgno: PageNo) -> Result<()> {
        if pgno <= 1 || pgno > self.count || self.free.contains(&pgno) {
            return Err(Error::Corrupt {
                page: pgno,
                reason: "bad free".into(),
            });
        }
        self.free.push(pgno);
        Ok(())
    }
}

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
