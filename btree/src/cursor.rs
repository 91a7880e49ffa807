//! Cursors: ordered reads of one B-tree.
//!
//! A cursor keeps the path from the root to its current entry as a stack of frames. On a leaf
//! frame `idx` is the current cell; on an interior frame below the top it is the child the
//! path went through. Index trees also keep entries on interior pages, so there the top frame
//! may be an interior page positioned on cell `idx`. In-order traversal of an index tree is
//! child 0, cell 0, child 1, cell 1, ..., right-most child.

use std::cmp::Ordering;

use concur_pager::{PageNo, PageRef, PageSource};

use crate::cell::CellInfo;
use crate::error::{Error, Result};
use crate::overflow::read_payload;
use crate::page::{BtreePage, CheckedHeader, PageKind};
use crate::record::{decode_record, decode_short_record_into, KeyInfo, RecordFields};
use crate::tree::MAX_DEPTH;
use crate::value::Value;

/// How a seek positions the cursor relative to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekOp {
    /// On an entry equal to the key, or nowhere.
    Eq,
    /// On the first entry at or after the key.
    Ge,
    /// On the first entry after the key.
    Gt,
    /// On the last entry at or before the key.
    Le,
    /// On the last entry before the key.
    Lt,
}

/// One page on the cursor's path.
struct Frame {
    /// The page number.
    pgno: PageNo,
    /// The page image.
    data: PageRef,
    /// The page's header, checked when the page was pushed.
    header: CheckedHeader,
    /// Cell index (top frame) or child index (frames below).
    idx: usize,
}

impl Frame {
    /// The frame's page.
    #[inline]
    fn page(&self) -> BtreePage<'_> {
        self.header.page(self.pgno, &self.data)
    }
}

/// The payload of a cursor's current entry: still on its page when it has no overflow
/// (reading it copies nothing), else gathered from the overflow chain.
#[derive(Debug, Clone)]
pub enum Payload {
    /// `len` bytes at `start` of a page image.
    Local {
        /// The page image (kept alive by this reference).
        page: PageRef,
        /// Where the payload starts.
        start: usize,
        /// Its length.
        len: usize,
    },
    /// A payload that spilled to overflow pages, read whole.
    Owned(Vec<u8>),
}

impl Payload {
    /// The payload's bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match self {
            Payload::Local { page, start, len } => &page[*start..*start + *len],
            Payload::Owned(bytes) => bytes,
        }
    }
}

/// A read cursor over the B-tree rooted at `root`. `S` is where pages come from: usually a
/// borrowed transaction (`&ReadTx`, `&WriteTx`), or an owned handle for a cursor that must
/// outlive any one borrow (the SQL layer's cursors share their transaction this way).
///
/// A cursor keeps the page images of its path, and from its second move from the root on
/// those of the last pages it visited (`RECENT_PAGES`), and reuses them when a move passes
/// through the same pages again. An owner whose source can change between calls (a handle on a
/// write transaction that writes meanwhile) must call [`Cursor::clear`] after a change,
/// before moving the cursor.
pub struct Cursor<S: PageSource> {
    /// Where pages come from.
    src: S,
    /// The root page.
    root: PageNo,
    /// Usable bytes per page (fixed for the life of a transaction).
    usable: usize,
    /// The path to the current entry; empty when the cursor is at no entry.
    stack: Vec<Frame>,
    /// During a move from the root: the path the cursor was on, whose pages the new path
    /// takes instead of fetching them again where the two paths share them (the root and
    /// upper levels, for a run of seeks such as a join's). Allocated only when a move first
    /// needs it: a seek rewrites the path in place, so a cursor that only seeks (a point
    /// query's) never does.
    old_path: Vec<Frame>,
    /// The page count last read from `src`: a child beyond it is checked against a fresh
    /// count before it is called out of range (a write transaction grows the file), so most
    /// moves need not ask the source.
    known_pages: PageNo,
    /// Moves from the root so far (counted up to 2).
    moves: u8,
    /// Pages fetched by earlier moves, with their checked headers, by page number modulo
    /// [`RECENT_PAGES`]. Empty until the second move from the root: a cursor that seeks once
    /// (a point query's) allocates nothing, while a run of seeks into a small tree (a join's
    /// inner side) fetches and parses each of its pages once.
    recent: Vec<Option<(PageNo, PageRef, CheckedHeader)>>,
}

/// How many pages a cursor remembers beyond its path: the leaves of a table of some ten
/// thousand short rows, with room for the pages of the table's indexes among them (a
/// slot is its page number modulo this, and a table and its index fill pages in turns).
const RECENT_PAGES: usize = 64;

/// What a seek looks for.
#[derive(Clone, Copy)]
enum Target<'k> {
    /// A rowid, in a table tree.
    Rowid(i64),
    /// A key (or a prefix of the stored keys), in an index tree ordered by the `KeyInfo`.
    Key(&'k [Value], &'k KeyInfo),
}

/// Orders the key of cell `i` of index page `page` against `key`.
fn compare_cell_key<S: PageSource>(
    src: &S,
    page: &BtreePage,
    i: usize,
    key: &[Value],
    info: &KeyInfo,
) -> Result<Ordering> {
    match page.local_index_payload(i) {
        Some(local) => info
            .compare_record(local, key)
            .map_err(|e| e.on_page(page.pgno)),
        None => compare_spilled_key(src, page, i, key, info),
    }
}

/// [`compare_cell_key`] for a cell whose payload is not wholly on the page, or is malformed
/// (which parsing the cell reports).
#[cold]
fn compare_spilled_key<S: PageSource>(
    src: &S,
    page: &BtreePage,
    i: usize,
    key: &[Value],
    info: &KeyInfo,
) -> Result<Ordering> {
    let cell = page.cell(i)?;
    let ord = if cell.overflow == 0 {
        let local = &page.data[cell.local_offset..cell.local_offset + cell.local_size];
        info.compare_record(local, key)
    } else {
        let payload = read_payload(src, page.pgno, page.data, &cell)?;
        info.compare_record(&payload, key)
    };
    ord.map_err(|e| e.on_page(page.pgno))
}

impl<S: PageSource> Cursor<S> {
    /// A cursor on the tree at `root`, not yet positioned.
    pub fn new(src: S, root: PageNo) -> Self {
        let usable = src.usable_size();
        Cursor {
            src,
            root,
            usable,
            stack: Vec::with_capacity(4),
            old_path: Vec::new(),
            known_pages: 0,
            moves: 0,
            recent: Vec::new(),
        }
    }

    /// The top frame; MISUSE when the cursor is at no entry.
    fn top(&self) -> Result<&Frame> {
        // Not `ok_or`: that builds (and drops) the error on every call.
        match self.stack.last() {
            Some(top) => Ok(top),
            None => Err(Error::Misuse("cursor not positioned")),
        }
    }

    /// Pushes page `pgno` (named by the current top, or the root) onto the stack.
    fn push(&mut self, pgno: PageNo) -> Result<PageKind> {
        let parent = self.stack.last().map_or(0, |f| f.pgno);
        // Page 1 is only ever a root.
        let lowest = if self.stack.is_empty() { 1 } else { 2 };
        if pgno > self.known_pages {
            self.known_pages = self.src.page_count();
        }
        if pgno < lowest || pgno > self.known_pages {
            return Err(Error::corrupt(
                parent,
                format!("child page {pgno} out of range"),
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(Error::corrupt(parent, "tree too deep (cycle?)"));
        }
        let (data, header) = match self.old_path.get(self.stack.len()) {
            Some(old) if old.pgno == pgno => (PageRef::clone(&old.data), old.header),
            _ => self.fetch(pgno)?,
        };
        let kind = header.kind;
        if let Some(top) = self.stack.last() {
            let parent_kind = top.header.kind;
            if parent_kind.is_leaf() || parent_kind.is_table() != kind.is_table() {
                return Err(Error::corrupt(pgno, "page type does not match its parent"));
            }
        }
        self.stack.push(Frame {
            pgno,
            data,
            header,
            idx: 0,
        });
        Ok(kind)
    }

    /// Page `pgno` and its checked header: remembered from an earlier move, or read from the
    /// source (and remembered, from the second move on).
    fn fetch(&mut self, pgno: PageNo) -> Result<(PageRef, CheckedHeader)> {
        let slot = pgno as usize % RECENT_PAGES;
        if let Some(Some((known, data, header))) = self.recent.get(slot) {
            if *known == pgno {
                return Ok((PageRef::clone(data), *header));
            }
        }
        let data = self.src.page(pgno)?;
        let header = BtreePage::parse(pgno, &data, self.usable)?.checked();
        if self.recent.is_empty() && self.moves >= 2 {
            self.recent.resize(RECENT_PAGES, None);
        }
        if let Some(entry) = self.recent.get_mut(slot) {
            *entry = Some((pgno, PageRef::clone(&data), header));
        }
        Ok((data, header))
    }

    /// The top frame's page type and cell count.
    fn top_info(&self) -> Result<(PageKind, usize)> {
        let top = self.top()?;
        Ok((top.header.kind, top.header.cell_count))
    }

    /// The child the top (interior) frame's idx points to.
    fn top_child(&self) -> Result<PageNo> {
        let top = self.top()?;
        top.page().child(top.idx)
    }

    /// Sets the top frame's cell or child index.
    fn set_top_idx(&mut self, idx: usize) {
        if let Some(top) = self.stack.last_mut() {
            top.idx = idx;
        }
    }

    /// Descends from the top frame's current child to its left-most leaf.
    fn descend_leftmost(&mut self) -> Result<()> {
        loop {
            let (kind, _) = self.top_info()?;
            if kind.is_leaf() {
                self.set_top_idx(0);
                return Ok(());
            }
            let child = self.top_child()?;
            self.push(child)?;
        }
    }

    /// Descends from the top frame's current child to its right-most leaf entry.
    fn descend_rightmost(&mut self) -> Result<()> {
        loop {
            let (kind, count) = self.top_info()?;
            if kind.is_leaf() {
                self.set_top_idx(count);
                return Ok(());
            }
            self.set_top_idx(count);
            let child = self.top_child()?;
            self.push(child)?;
        }
    }

    /// Leaves the cursor at no entry, letting go of the pages of its path and those it
    /// remembers (which a change to the source may have made old).
    pub fn clear(&mut self) {
        self.stack.clear();
        self.old_path.clear();
        self.recent.clear();
    }

    /// Starts a move from the root: the current path becomes the one to reuse pages from.
    fn restart(&mut self) {
        self.moves = self.moves.saturating_add(1).min(2);
        self.old_path.clear();
        std::mem::swap(&mut self.stack, &mut self.old_path);
    }

    /// True when the cursor is on an entry.
    pub fn is_valid(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.idx < f.header.cell_count)
    }

    /// Moves to the first entry; false if the tree is empty.
    pub fn first(&mut self) -> Result<bool> {
        self.restart();
        self.push(self.root)?;
        self.descend_leftmost()?;
        self.old_path.clear();
        self.settle_forward()
    }

    /// Moves to the last entry; false if the tree is empty.
    pub fn last(&mut self) -> Result<bool> {
        self.restart();
        self.push(self.root)?;
        self.descend_rightmost()?;
        self.old_path.clear();
        self.step_back()
    }

    /// If the top frame is past its last cell, moves forward to the next entry.
    fn settle_forward(&mut self) -> Result<bool> {
        loop {
            let Some(top) = self.stack.last() else {
                return Ok(false);
            };
            let (kind, count) = self.top_info()?;
            let idx = top.idx;
            if idx < count && (kind.is_leaf() || !kind.is_table()) {
                return Ok(true);
            }
            if !kind.is_leaf() && idx < count {
                // A table interior frame: go down the next child.
                let child = self.top_child()?;
                self.push(child)?;
                self.descend_leftmost()?;
                continue;
            }
            // Past the end of this page: pop and advance the parent past this child.
            self.stack.pop();
            let Some(parent) = self.stack.last() else {
                return Ok(false);
            };
            let (pkind, pcount) = self.top_info()?;
            let pidx = parent.idx;
            if !pkind.is_table() && pidx < pcount {
                // Index tree: the parent's cell pidx comes next.
                return Ok(true);
            }
            if pidx < pcount {
                self.set_top_idx(pidx + 1);
                let child = self.top_child()?;
                self.push(child)?;
                self.descend_leftmost()?;
            } else {
                self.set_top_idx(pcount);
            }
        }
    }

    /// Moves to the entry before the top frame's idx (which may be one past the end).
    fn step_back(&mut self) -> Result<bool> {
        loop {
            let Some(top) = self.stack.last() else {
                return Ok(false);
            };
            let (kind, _) = self.top_info()?;
            let idx = top.idx;
            if kind.is_leaf() {
                if idx > 0 {
                    self.set_top_idx(idx - 1);
                    return Ok(true);
                }
            } else {
                // Positioned on interior cell idx (index tree): the entries before it are in
                // child idx.
                let child = self.top_child()?;
                self.push(child)?;
                self.descend_rightmost()?;
                continue;
            }
            // At the start of a leaf: climb until a parent has something before us.
            loop {
                self.stack.pop();
                let Some(parent) = self.stack.last() else {
                    return Ok(false);
                };
                let pidx = parent.idx;
                let (pkind, _) = self.top_info()?;
                if pidx == 0 {
                    continue;
                }
                if pkind.is_table() {
                    self.set_top_idx(pidx - 1);
                    let child = self.top_child()?;
                    self.push(child)?;
                    self.descend_rightmost()?;
                    break;
                }
                self.set_top_idx(pidx - 1);
                return Ok(true);
            }
        }
    }

    /// The common step of [`Cursor::next`], inline: to the next cell of the same leaf.
    /// False, without moving, when there is none (the step then needs `next`).
    #[inline]
    pub fn next_in_leaf(&mut self) -> bool {
        if let Some(top) = self.stack.last_mut() {
            if top.header.kind.is_leaf() && top.idx + 1 < top.header.cell_count {
                top.idx += 1;
                return true;
            }
        }
        false
    }

    /// Moves to the next entry; false (and no entry) past the last.
    #[allow(clippy::should_implement_trait)] // fallible and positional, not an Iterator
    pub fn next(&mut self) -> Result<bool> {
        if self.next_in_leaf() {
            return Ok(true);
        }
        if !self.is_valid() {
            return Ok(false);
        }
        let (kind, _) = self.top_info()?;
        if kind.is_leaf() {
            let idx = self.stack.last().map_or(0, |f| f.idx);
            self.set_top_idx(idx + 1);
            return self.settle_forward();
        }
        // On an interior index cell: the next entry is the left-most of the next child.
        let idx = self.stack.last().map_or(0, |f| f.idx);
        self.set_top_idx(idx + 1);
        let child = self.top_child()?;
        self.push(child)?;
        self.descend_leftmost()?;
        self.settle_forward()
    }

    /// Moves to the previous entry; false (and no entry) before the first.
    pub fn prev(&mut self) -> Result<bool> {
        if !self.is_valid() {
            return Ok(false);
        }
        let ok = self.step_back()?;
        if !ok {
            self.stack.clear();
        }
        Ok(ok)
    }

    /// Seeks `target`: each page is searched by [`BtreePage::rowid_search`] or
    /// [`BtreePage::index_search`], which read the keys in place.
    fn seek_by(&mut self, target: Target, op: SeekOp) -> Result<bool> {
        // The descent starts from the root again, but keeps each frame of the current path
        // that it passes through (as `restart` and `push` would reuse its page), rewriting
        // only the frames below the first page where the paths part.
        self.moves = self.moves.saturating_add(1).min(2);
        self.old_path.clear();
        if self.stack.first().is_none_or(|f| f.pgno != self.root) {
            self.stack.clear();
            self.push(self.root)?;
        }
        // Gt and Le look for the first entry strictly after the key; the others for the first
        // entry at or after it.
        let strict = matches!(op, SeekOp::Gt | SeekOp::Le);
        // Whether the rowid search of the last page met the rowid: on the leaf, that the
        // entry there is the one sought.
        let mut met = false;
        let mut depth = 0;
        loop {
            let Some(frame) = self.stack.get_mut(depth) else {
                return Err(Error::Misuse("cursor not positioned"));
            };
            let page = frame.page();
            let lo = match target {
                Target::Rowid(rowid) => {
                    let (lo, hit) = page.rowid_search(rowid, strict)?;
                    met = hit;
                    lo
                }
                Target::Key(key, info) => page.index_search(
                    strict,
                    |local| {
                        info.compare_record(local, key)
                            .map_err(|e| e.on_page(page.pgno))
                    },
                    |i| compare_spilled_key(&self.src, &page, i, key, info),
                )?,
            };
            let kind = page.kind;
            let child = if kind.is_leaf() {
                None
            } else {
                Some(page.child(lo)?)
            };
            frame.idx = lo;
            let Some(child) = child else {
                self.stack.truncate(depth + 1);
                break;
            };
            depth += 1;
            if self.stack.get(depth).is_none_or(|f| f.pgno != child) {
                self.stack.truncate(depth);
                self.push(child)?;
            }
        }
        let found = self.settle_forward()?;
        match op {
            SeekOp::Ge | SeekOp::Gt => Ok(found),
            SeekOp::Eq => {
                let top = self.stack.last();
                let equal = match (top, target) {
                    (Some(_), Target::Rowid(_)) if found => met,
                    (Some(top), Target::Key(key, info)) if found => {
                        compare_cell_key(&self.src, &top.page(), top.idx, key, info)?
                            == Ordering::Equal
                    }
                    _ => false,
                };
                if !equal {
                    self.stack.clear();
                }
                Ok(equal)
            }
            SeekOp::Le | SeekOp::Lt => {
                if !found {
                    return self.last();
                }
                let ok = self.step_back()?;
                if !ok {
                    self.stack.clear();
                }
                Ok(ok)
            }
        }
    }

    /// Seeks a table tree by rowid.
    pub fn seek_rowid(&mut self, rowid: i64, op: SeekOp) -> Result<bool> {
        self.seek_by(Target::Rowid(rowid), op)
    }

    /// Seeks an index tree by `key` (possibly a prefix of the stored keys: every entry with
    /// that prefix compares equal), ordered by `info`.
    pub fn seek_key(&mut self, key: &[Value], info: &KeyInfo, op: SeekOp) -> Result<bool> {
        self.seek_by(Target::Key(key, info), op)
    }

    /// The current cell and its page.
    fn current(&self) -> Result<(&Frame, CellInfo)> {
        let top = self.top()?;
        let cell = top.page().cell(top.idx)?;
        Ok((top, cell))
    }

    /// The current entry's rowid (table trees).
    pub fn rowid(&self) -> Result<i64> {
        Ok(self.current()?.1.rowid)
    }

    /// The current entry's payload (a table row's record, or an index key), overflow
    /// included.
    pub fn payload(&self) -> Result<Vec<u8>> {
        let (top, cell) = self.current()?;
        read_payload(&self.src, top.pgno, &top.data, &cell)
    }

    /// The current entry's payload without copying it when it lies on one page.
    pub fn payload_ref(&self) -> Result<Payload> {
        let (top, cell) = self.current()?;
        self.payload_of(top, &cell)
    }

    /// The current entry's rowid (table trees) and payload, from one reading of its cell.
    pub fn entry(&self) -> Result<(i64, Payload)> {
        let (top, cell) = self.current()?;
        Ok((cell.rowid, self.payload_of(top, &cell)?))
    }

    /// The current entry's rowid (table trees) and, when its payload lies wholly on the
    /// current page, where: the `(start, len)` of those bytes within [`Cursor::page_bytes`].
    /// `None` for a payload that spills to overflow pages (read it with
    /// [`Cursor::payload_ref`]). Reading a row this way copies nothing and takes no
    /// reference on the page.
    pub fn entry_span(&self) -> Result<(i64, Option<(usize, usize)>)> {
        let (top, cell) = self.current()?;
        if cell.overflow != 0 {
            return Ok((cell.rowid, None));
        }
        if cell.local_offset + cell.local_size > top.data.len() {
            return Err(Error::corrupt(top.pgno, "payload past the page end"));
        }
        Ok((cell.rowid, Some((cell.local_offset, cell.local_size))))
    }

    /// [`Cursor::entry_span`] for the common entry of a table scan, a leaf cell whose
    /// payload lies on its page: the rowid, the payload's offset and the payload itself.
    /// `None` for any other entry (or none), which `entry_span` then reads or reports.
    #[inline]
    pub fn local_table_entry(&self) -> Option<(i64, usize, &[u8])> {
        let top = self.stack.last()?;
        let (rowid, start, len) = top.header.local_table_leaf_cell(&top.data, top.idx)?;
        Some((rowid, start, top.data.get(start..start + len)?))
    }

    /// The current entry's payload when the cursor is on an index cell whose payload lies
    /// on its page (the common entry of an index scan), read in place. `None` for any other
    /// entry (or none), which [`Cursor::record_into`] then reads.
    #[inline]
    pub fn local_index_payload(&self) -> Option<&[u8]> {
        let top = self.stack.last()?;
        top.page().local_index_payload(top.idx)
    }

    /// Where [`Cursor::local_index_payload`] lies in [`Cursor::page_bytes`], for a caller
    /// that reads it again while the cursor stays.
    #[inline]
    pub fn local_index_payload_range(&self) -> Option<std::ops::Range<usize>> {
        let top = self.stack.last()?;
        top.page().local_index_payload_range(top.idx)
    }

    /// The image of the page the cursor is on; `None` when it is at no entry.
    #[inline]
    pub fn page_bytes(&self) -> Option<&[u8]> {
        self.stack.last().map(|top| &top.data[..])
    }

    /// The payload of `cell` of the page of `top`.
    fn payload_of(&self, top: &Frame, cell: &CellInfo) -> Result<Payload> {
        if cell.overflow == 0 {
            let end = cell.local_offset + cell.local_size;
            if end > top.data.len() {
                return Err(Error::corrupt(top.pgno, "payload past the page end"));
            }
            return Ok(Payload::Local {
                page: PageRef::clone(&top.data),
                start: cell.local_offset,
                len: cell.local_size,
            });
        }
        Ok(Payload::Owned(read_payload(
            &self.src, top.pgno, &top.data, cell,
        )?))
    }

    /// The current entry's payload decoded as a record into `out` (emptied first), which
    /// keeps its allocation from entry to entry.
    pub fn record_into(&self, out: &mut Vec<Value>) -> Result<()> {
        out.clear();
        let pgno = self.stack.last().map_or(0, |f| f.pgno);
        // An index entry's key is read in place; any other entry through its payload.
        let payload;
        let bytes = match self.local_index_payload() {
            Some(bytes) => bytes,
            None => {
                payload = self.payload_ref()?;
                payload.bytes()
            }
        };
        if decode_short_record_into(bytes, out) {
            return Ok(());
        }
        for value in RecordFields::new(bytes).map_err(|e| e.on_page(pgno))? {
            out.push(value.map_err(|e| e.on_page(pgno))?.to_value());
        }
        Ok(())
    }

    /// The current entry's payload decoded as a record.
    pub fn record(&self) -> Result<Vec<Value>> {
        let pgno = self.stack.last().map_or(0, |f| f.pgno);
        decode_record(self.payload_ref()?.bytes()).map_err(|e| e.on_page(pgno))
    }
}
