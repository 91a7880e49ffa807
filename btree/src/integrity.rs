//! The integrity check: walks the whole file the way `PRAGMA integrity_check` does and
//! reports every problem it finds as a message, never failing on a malformed page.
//!
//! It verifies each tree's structure (page types, cell bounds, freeblocks and fragment counts,
//! equal leaf depth), key order (rowids always; index keys when the caller gives their
//! [`KeyInfo`]), overflow chain lengths, the freelist, and that every page of the file is used
//! exactly once.

use std::cmp::Ordering;

use concur_pager::{DbHeader, PageNo, PageSource};

use crate::overflow::{chain_len, read_payload};
use crate::page::BtreePage;
use crate::record::{decode_record, KeyInfo};
use crate::schema::{read_schema, SCHEMA_ROOT};
use crate::tree::MAX_DEPTH;
use crate::value::Value;

/// SQLite stops after this many messages by default.
pub const MAX_MESSAGES: usize = 100;

/// One tree to check.
#[derive(Debug, Clone)]
pub struct TreeCheck {
    /// Its root page.
    pub root: PageNo,
    /// For index trees whose key order should be verified: how keys sort.
    pub key: Option<KeyInfo>,
}

/// A key bound while descending: rowids for tables, decoded records for indexes.
#[derive(Clone)]
enum Key {
    /// A table key.
    Rowid(i64),
    /// An index key.
    Record(Vec<Value>),
}

/// The walker's state.
struct Checker<'a, S: PageSource + ?Sized> {
    /// The pages.
    src: &'a S,
    /// How many times each page was reached (index = page number).
    uses: Vec<u8>,
    /// Problems found.
    messages: Vec<String>,
}

impl<S: PageSource + ?Sized> Checker<'_, S> {
    fn report(&mut self, message: String) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(message);
        }
    }

    /// Marks `pgno` as used; false (and a message) if it is out of range or already used.
    fn mark(&mut self, pgno: PageNo, context: &str) -> bool {
        if pgno == 0 || pgno as usize >= self.uses.len() {
            self.report(format!("{context}invalid page number {pgno}"));
            return false;
        }
        let uses = &mut self.uses[pgno as usize];
        *uses = uses.saturating_add(1);
        if *uses > 1 {
            self.report(format!("{context}2nd reference to page {pgno}"));
            return false;
        }
        true
    }

    fn check_freelist(&mut self, header: &DbHeader) {
        let per_trunk = (self.src.usable_size() / 4).saturating_sub(2);
        let mut trunk = header.freelist_trunk;
        let mut seen = 0u64;
        let limit = u64::from(self.src.page_count());
        while trunk != 0 && seen <= limit {
            if !self.mark(trunk, "Freelist: ") {
                break;
            }
            seen += 1;
            let Ok(data) = self.src.page(trunk) else {
                self.report(format!("Freelist: cannot read page {trunk}"));
                break;
            };
            let be = |at: usize| {
                u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
            };
            let n = be(4) as usize;
            if n > per_trunk {
                self.report(format!("freelist leaf count too big on page {trunk}"));
                break;
            }
            for j in 0..n {
                let leaf = be(8 + 4 * j);
                self.mark(leaf, "Freelist: ");
                seen += 1;
            }
            trunk = be(0);
        }
        if seen != u64::from(header.freelist_count) {
            self.report(format!(
                "Freelist: size is {seen} but should be {}",
                header.freelist_count
            ));
        }
    }

    /// Checks the tree page `pgno` and its subtree; returns the subtree's depth. Keys must lie
    /// in `(lower, upper]` for tables and between the bounds for indexes.
    fn check_page(
        &mut self,
        pgno: PageNo,
        depth: usize,
        table: bool,
        key: Option<&KeyInfo>,
        lower: Option<Key>,
        upper: Option<Key>,
    ) -> Option<usize> {
        if depth > MAX_DEPTH {
            self.report(format!("Page {pgno}: tree too deep"));
            return None;
        }
        let usable = self.src.usable_size();
        let data = match self.src.page(pgno) {
            Ok(d) => d,
            Err(e) => {
                self.report(format!("Page {pgno}: {e}"));
                return None;
            }
        };
        let page = match BtreePage::parse(pgno, &data, usable) {
            Ok(p) => p,
            Err(e) => {
                self.report(format!(
                    "Page {pgno}: btreeInitPage() returns error code 11 ({e})"
                ));
                return None;
            }
        };
        if page.kind.is_table() != table {
            self.report(format!("Page {pgno}: page type does not match its tree"));
            return None;
        }
        let here = format!("On tree page {pgno} ");
        // Byte usage map of the content area.
        let mut used = vec![false; usable];
        let mut overlap = false;
        let mut claim = |from: usize, len: usize, used: &mut Vec<bool>| {
            for b in used.iter_mut().skip(from).take(len) {
                if *b {
                    overlap = true;
                }
                *b = true;
            }
        };
        let mut child_depth: Option<usize> = None;
        let mut prev = lower.clone();
        for i in 0..page.cell_count {
            let cell = match page.cell(i) {
                Ok(c) => c,
                Err(e) => {
                    self.report(format!("{here}cell {i}: {e}"));
                    return None;
                }
            };
            let offset = page.cell_offset(i).unwrap_or(0);
            claim(offset, cell.size, &mut used);
            // The cell's key.
            let this = if table {
                Some(Key::Rowid(cell.rowid))
            } else {
                match read_payload(self.src, pgno, &data, &cell) {
                    Ok(p) => decode_record(&p).ok().map(Key::Record),
                    Err(_) => None,
                }
            };
            if !table && this.is_none() {
                self.report(format!("{here}cell {i}: unreadable index key"));
            }
            // Overflow chain.
            if cell.overflow != 0 {
                self.check_overflow(pgno, i, &cell);
            }
            // Key order.
            if let (Some(a), Some(b)) = (&prev, &this) {
                if !in_order(a, b, key) {
                    match b {
                        Key::Rowid(r) => {
                            self.report(format!("{here}cell {i}: Rowid {r} out of order"))
                        }
                        Key::Record(_) => {
                            self.report(format!("{here}cell {i}: index key out of order"))
                        }
                    }
                }
            }
            if !page.kind.is_leaf() {
                let child = cell.left_child;
                if self.mark(child, &here) {
                    let d =
                        self.check_page(child, depth + 1, table, key, prev.clone(), this.clone());
                    match (child_depth, d) {
                        (None, Some(d)) => child_depth = Some(d),
                        (Some(a), Some(b)) if a != b => {
                            self.report(format!("{here}cell {i}: Child page depth differs"))
                        }
                        _ => {}
                    }
                }
            }
            if this.is_some() {
                prev = this;
            }
        }
        // The last key must not pass the upper bound (a table key may equal it).
        if let (Some(last), Some(bound)) = (&prev, &upper) {
            if page.kind.is_leaf() || !table {
                let fine = match (last, bound) {
                    (Key::Rowid(r), Key::Rowid(u)) => r <= u,
                    _ => in_order(last, bound, key),
                };
                if !fine {
                    self.report(format!("{here}: key out of order with its parent"));
                }
            }
        }
        if !page.kind.is_leaf() {
            let child = page.right_child;
            if self.mark(child, &here) {
                let d = self.check_page(child, depth + 1, table, key, prev.clone(), upper);
                if let (Some(a), Some(b)) = (child_depth, d) {
                    if a != b {
                        self.report(format!("{here}: Child page depth differs"));
                    }
                }
                child_depth = child_depth.or(d);
            }
        }
        // Freeblocks and fragments.
        match page.freeblocks() {
            Ok(blocks) => {
                for (o, s) in blocks {
                    claim(o, s, &mut used);
                }
            }
            Err(e) => self.report(format!("{here}: {e}")),
        }
        if overlap {
            self.report(format!("Multiple uses for byte of page {pgno}"));
        } else {
            let free = used[page.content_start.min(usable)..]
                .iter()
                .filter(|b| !**b)
                .count();
            if free != page.fragmented {
                self.report(format!(
                    "Fragmentation of {free} bytes reported as {} on page {pgno}",
                    page.fragmented
                ));
            }
        }
        Some(child_depth.map_or(0, |d| d + 1))
    }

    fn check_overflow(&mut self, pgno: PageNo, i: usize, cell: &crate::cell::CellInfo) {
        let usable = self.src.usable_size();
        let expected = chain_len(usable, cell.payload_size, cell.local_size);
        let context = format!("On tree page {pgno} cell {i}: ");
        let mut next = cell.overflow;
        let mut n = 0u64;
        while next != 0 && n < expected {
            if !self.mark(next, &context) {
                return;
            }
            n += 1;
            match self.src.page(next) {
                Ok(d) => next = u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
                Err(e) => {
                    self.report(format!("{context}{e}"));
                    return;
                }
            }
        }
        if n != expected || next != 0 {
            self.report(format!(
                "{context}overflow list length is {n} but should be {expected}"
            ));
        }
    }
}

/// True when key `b` may follow `a` (strictly greater; index keys unchecked without a
/// [`KeyInfo`]).
fn in_order(a: &Key, b: &Key, info: Option<&KeyInfo>) -> bool {
    match (a, b) {
        (Key::Rowid(x), Key::Rowid(y)) => x < y,
        (Key::Record(x), Key::Record(y)) => match info {
            Some(info) => info.compare_full(x, y) == Ordering::Less,
            None => true,
        },
        _ => false,
    }
}

/// Checks the given trees, the freelist and page accounting; an empty list means "ok".
pub fn check_integrity<S: PageSource + ?Sized>(src: &S, trees: &[TreeCheck]) -> Vec<String> {
    let mut checker = Checker {
        src,
        uses: vec![0; src.page_count() as usize + 1],
        messages: Vec::new(),
    };
    match src
        .page(1)
        .map_err(crate::Error::from)
        .and_then(|p| Ok(DbHeader::read(&p)?))
    {
        Ok(header) => checker.check_freelist(&header),
        Err(e) => checker.report(format!("Page 1: {e}")),
    }
    for tree in trees {
        if !checker.mark(tree.root, "") {
            continue;
        }
        let table = match src.page(tree.root) {
            Ok(d) => {
                BtreePage::parse(tree.root, &d, src.usable_size()).is_ok_and(|p| p.kind.is_table())
            }
            Err(_) => true,
        };
        checker.check_page(tree.root, 0, table, tree.key.as_ref(), None, None);
    }
    for pgno in 1..checker.uses.len() {
        if checker.uses[pgno] == 0 {
            checker.report(format!("Page {pgno} is never used"));
        }
    }
    checker.messages
}

/// Checks the whole database: `sqlite_schema` and every tree whose root it names (index key
/// order is not checked, since collations come from the schema's SQL).
pub fn check_database<S: PageSource + ?Sized>(src: &S) -> Vec<String> {
    let mut trees = vec![TreeCheck {
        root: SCHEMA_ROOT,
        key: None,
    }];
    let mut messages = Vec::new();
    match read_schema(src) {
        Ok(rows) => {
            trees.extend(
                rows.into_iter()
                    .filter(|(_, e)| e.root > 0)
                    .map(|(_, e)| TreeCheck {
                        root: e.root,
                        key: None,
                    }),
            )
        }
        Err(e) => messages.push(format!("sqlite_schema: {e}")),
    }
    messages.extend(check_integrity(src, &trees));
    messages
}
