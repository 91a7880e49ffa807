//! B-tree pages: the page header, the cell pointer array, freeblocks and the cell content
//! area; reading them with every offset checked, and changing them in place.

use std::cmp::Ordering;

use concur_pager::PageNo;

use crate::cell::{parse_cell, CellInfo};
use crate::error::{Error, Result};
use crate::varint::{read_varint, read_varint_inline};

/// A page's layout as a search of it needs it ([`BtreePage::pointer_array`]).
struct PointerArray<'a> {
    /// The usable area of the page image.
    area: &'a [u8],
    /// The cell pointer array, one pointer per cell, so that a probe below the cell count
    /// indexes it without a check.
    cells: &'a [[u8; 2]],
    /// Where the array ends: no cell starts before it.
    end: usize,
}

/// How many interpolated guesses [`BtreePage::rowid_search`] makes before it halves.
/// One finds the cell on a page of consecutive rowids; the second mostly settles an
/// interior page, whose rowids are the last of each child and so are spaced out.
const ROWID_GUESSES: usize = 2;

/// The four B-tree page types (the page header's first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// 0x02: interior page of an index B-tree.
    IndexInterior,
    /// 0x05: interior page of a table B-tree.
    TableInterior,
    /// 0x0a: leaf page of an index B-tree.
    IndexLeaf,
    /// 0x0d: leaf page of a table B-tree.
    TableLeaf,
}

impl PageKind {
    /// The page type for header byte `b`.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            2 => Some(PageKind::IndexInterior),
            5 => Some(PageKind::TableInterior),
            10 => Some(PageKind::IndexLeaf),
            13 => Some(PageKind::TableLeaf),
            _ => None,
        }
    }

    /// The header byte for this page type.
    pub fn byte(self) -> u8 {
        match self {
            PageKind::IndexInterior => 2,
            PageKind::TableInterior => 5,
            PageKind::IndexLeaf => 10,
            PageKind::TableLeaf => 13,
        }
    }

    /// True for leaf pages.
    pub fn is_leaf(self) -> bool {
        matches!(self, PageKind::IndexLeaf | PageKind::TableLeaf)
    }

    /// True for table (rowid) B-tree pages.
    pub fn is_table(self) -> bool {
        matches!(self, PageKind::TableInterior | PageKind::TableLeaf)
    }

    /// The page header's size: 8 bytes for leaves, 12 for interior pages.
    #[inline]
    pub fn header_size(self) -> usize {
        if self.is_leaf() {
            8
        } else {
            12
        }
    }

    /// The interior kind of the same tree type.
    pub fn interior(self) -> Self {
        if self.is_table() {
            PageKind::TableInterior
        } else {
            PageKind::IndexInterior
        }
    }

    /// The leaf kind of the same tree type.
    pub fn leaf(self) -> Self {
        if self.is_table() {
            PageKind::TableLeaf
        } else {
            PageKind::IndexLeaf
        }
    }
}

/// Where the B-tree page header starts: 100 on page 1 (after the database header), else 0.
pub fn header_offset(pgno: PageNo) -> usize {
    if pgno == 1 {
        100
    } else {
        0
    }
}

/// A B-tree page, validated enough that its cells can be located safely.
#[derive(Debug, Clone, Copy)]
pub struct BtreePage<'a> {
    /// The page number (for error messages).
    pub pgno: PageNo,
    /// The whole page image.
    pub data: &'a [u8],
    /// Usable bytes of the page.
    pub usable: usize,
    /// Offset of the page header (100 on page 1).
    pub hdr: usize,
    /// The page type.
    pub kind: PageKind,
    /// Number of cells.
    pub cell_count: usize,
    /// Offset of the first freeblock, 0 if none.
    pub first_freeblock: usize,
    /// Start of the cell content area.
    pub content_start: usize,
    /// Fragmented free bytes within the content area.
    pub fragmented: usize,
    /// Interior pages: the right-most child.
    pub right_child: PageNo,
}

/// The header fields of a page that [`BtreePage::parse`] has checked, without the image:
/// what a cursor keeps for each page on its path, so that a step within a page does not
/// parse and check the header again.
#[derive(Debug, Clone, Copy)]
pub struct CheckedHeader {
    /// Usable bytes of the page.
    usable: usize,
    /// Offset of the page header.
    hdr: usize,
    /// The page type.
    pub kind: PageKind,
    /// Number of cells.
    pub cell_count: usize,
    /// Offset of the first freeblock.
    first_freeblock: usize,
    /// Start of the cell content area.
    content_start: usize,
    /// Fragmented free bytes.
    fragmented: usize,
    /// Interior pages: the right-most child.
    right_child: PageNo,
}

impl CheckedHeader {
    /// The page again, over `data`, which must be the image this header was read from.
    #[inline]
    pub fn page<'a>(&self, pgno: PageNo, data: &'a [u8]) -> BtreePage<'a> {
        BtreePage {
            pgno,
            data,
            usable: self.usable,
            hdr: self.hdr,
            kind: self.kind,
            cell_count: self.cell_count,
            first_freeblock: self.first_freeblock,
            content_start: self.content_start,
            fragmented: self.fragmented,
            right_child: self.right_child,
        }
    }

    /// Cell `i` of the table leaf `data` (the image this header was read from) when its
    /// payload lies wholly on the page: its rowid and where its record lies (start, length).
    /// `None` for anything else (another page kind, an overflowing or malformed cell), which
    /// [`BtreePage::cell`] then reads or reports. A scan's step reads its row through here,
    /// without building the page; its checks are those of the general parse's fast path
    /// (`cell::parse_local_table_leaf_cell`), with the varints read inline.
    #[inline]
    pub fn local_table_leaf_cell(&self, data: &[u8], i: usize) -> Option<(i64, usize, usize)> {
        if self.kind != PageKind::TableLeaf || i >= self.cell_count {
            return None;
        }
        let area = data.get(..self.usable)?;
        let pointers = self.hdr + PageKind::TableLeaf.header_size();
        let at = pointers + 2 * i;
        let offset = usize::from(u16::from_be_bytes([*area.get(at)?, *area.get(at + 1)?]));
        if offset < pointers + 2 * self.cell_count {
            return None;
        }
        let cell = area.get(offset..)?;
        let (payload_size, a) = read_varint_inline(cell)?;
        let (rowid, b) = read_varint_inline(cell.get(a..)?)?;
        if payload_size > crate::cell::max_local(self.usable, PageKind::TableLeaf) as u64 {
            return None;
        }
        let len = payload_size as usize;
        if (a + b + len).max(4) > cell.len() {
            return None;
        }
        Some((rowid as i64, offset + a + b, len))
    }
}

/// The rowid of the table cell at `offset` of `area` (a leaf cell when `leaf`): after the
/// payload size of a leaf cell (most take one byte), after the child page number of an
/// interior one. `None` when it runs past the end.
#[inline(always)]
fn rowid_of_cell(area: &[u8], offset: usize, leaf: bool) -> Option<i64> {
    // The common cell, away from the page's end: a one-byte payload size (leaf) or the
    // child pointer (interior), then a rowid of one or two bytes, read from a window of
    // fixed size with a single bounds check.
    if let Some(window) = area.get(offset..offset + 8) {
        let window: &[u8; 8] = window.try_into().ok()?;
        let at = match (leaf, window[0] < 0x80) {
            (false, _) => 4,
            (true, true) => 1,
            (true, false) => 8,
        };
        if let (Some(&a), Some(&b)) = (window.get(at), window.get(at + 1)) {
            if a < 0x80 {
                return Some(i64::from(a));
            }
            if b < 0x80 {
                return Some((i64::from(a & 0x7f) << 7) | i64::from(b));
            }
        }
    }
    rowid_of_any_cell(area, offset, leaf)
}

/// Where the payload of the index cell whose payload size is at `at` in `area` lies, when
/// it is at most `max_local` bytes (so lies wholly on the page) and within `area`.
#[inline(always)]
fn local_payload_range(area: &[u8], at: usize, max_local: u64) -> Option<std::ops::Range<usize>> {
    let (size, n) = read_varint_inline(area.get(at..)?)?;
    if size > max_local {
        return None;
    }
    let start = at + n;
    let end = start + size as usize;
    (end <= area.len()).then_some(start..end)
}

/// The payload that [`local_payload_range`] places.
#[inline(always)]
fn local_payload_at(area: &[u8], at: usize, max_local: u64) -> Option<&[u8]> {
    area.get(local_payload_range(area, at, max_local)?)
}

/// [`rowid_of_cell`] for any cell.
fn rowid_of_any_cell(area: &[u8], offset: usize, leaf: bool) -> Option<i64> {
    let rowid_at = if !leaf {
        offset + 4
    } else if area.get(offset).is_some_and(|&b| b < 0x80) {
        offset + 1
    } else {
        // Continuation bytes, then its last byte.
        let size = area.get(offset..).unwrap_or(&[]);
        offset + size.iter().take(8).take_while(|&&b| b & 0x80 != 0).count() + 1
    };
    read_varint(area.get(rowid_at..)?).map(|(rowid, _)| rowid as i64)
}

#[inline]
fn be16(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> BtreePage<'a> {
    /// Decodes and checks the page header of page `pgno`.
    pub fn parse(pgno: PageNo, data: &'a [u8], usable: usize) -> Result<Self> {
        let bad = |what: String| Error::corrupt(pgno, what);
        let hdr = header_offset(pgno);
        if data.len() < usable || usable < 480 {
            return Err(bad(format!(
                "page of {} bytes, usable {usable}",
                data.len()
            )));
        }
        let kind = PageKind::from_byte(data[hdr])
            .ok_or_else(|| bad(format!("bad page type {}", data[hdr])))?;
        let mut page = BtreePage {
            pgno,
            data,
            usable,
            hdr,
            kind,
            cell_count: be16(data, hdr + 3),
            first_freeblock: be16(data, hdr + 1),
            content_start: be16(data, hdr + 5),
            fragmented: usize::from(data[hdr + 7]),
            right_child: 0,
        };
        if page.content_start == 0 {
            page.content_start = 65536;
        }
        if !kind.is_leaf() {
            page.right_child = be32(data, hdr + 8);
        }
        let array_end = page.cell_array_end();
        if array_end > page.content_start || page.content_start > usable {
            return Err(bad(format!(
                "{} cells and content start {} do not fit",
                page.cell_count, page.content_start
            )));
        }
        Ok(page)
    }

    /// The checked header, to rebuild this page later without parsing it again.
    pub fn checked(&self) -> CheckedHeader {
        CheckedHeader {
            usable: self.usable,
            hdr: self.hdr,
            kind: self.kind,
            cell_count: self.cell_count,
            first_freeblock: self.first_freeblock,
            content_start: self.content_start,
            fragmented: self.fragmented,
            right_child: self.right_child,
        }
    }

    /// Offset just past the cell pointer array.
    #[inline]
    pub fn cell_array_end(&self) -> usize {
        self.hdr + self.kind.header_size() + 2 * self.cell_count
    }

    /// The offset of cell `i`, checked to lie in the content area.
    #[inline]
    pub fn cell_offset(&self, i: usize) -> Result<usize> {
        if i >= self.cell_count {
            return Err(self.bad_cell_pointer(i, None));
        }
        let at = self.hdr + self.kind.header_size() + 2 * i;
        let offset = be16(self.data, at);
        if offset < self.cell_array_end() || offset >= self.usable {
            return Err(self.bad_cell_pointer(i, Some(offset)));
        }
        Ok(offset)
    }

    /// The error for cell `i`, which does not exist or whose pointer is `offset`, out of
    /// range (kept out of line: the checks above run on every cell access).
    #[cold]
    fn bad_cell_pointer(&self, i: usize, offset: Option<usize>) -> Error {
        match offset {
            None => Error::corrupt(self.pgno, format!("no cell {i}")),
            Some(offset) => Error::corrupt(
                self.pgno,
                format!("cell pointer {i} = {offset} out of range"),
            ),
        }
    }

    /// Decodes cell `i`.
    pub fn cell(&self, i: usize) -> Result<CellInfo> {
        let offset = self.cell_offset(i)?;
        parse_cell(self.data, self.usable, self.kind, self.pgno, offset)
    }

    /// The bytes of cell `i` as it lies on the page.
    pub fn cell_bytes(&self, i: usize) -> Result<&'a [u8]> {
        let offset = self.cell_offset(i)?;
        let info = parse_cell(self.data, self.usable, self.kind, self.pgno, offset)?;
        Ok(&self.data[offset..offset + info.size])
    }

    /// Child `i` of an interior page: the left child of cell `i`, or the right-most child for
    /// `i == cell_count`.
    pub fn child(&self, i: usize) -> Result<PageNo> {
        if i == self.cell_count {
            return Ok(self.right_child);
        }
        if self.kind.is_leaf() {
            return Err(Error::corrupt(self.pgno, "a leaf page has no children"));
        }
        // An interior cell starts with its left child's page number.
        let at = self.cell_offset(i)?;
        match self.data[..self.usable].get(at..at + 4) {
            Some(b) => Ok(be32(b, 0)),
            None => Err(Error::corrupt(
                self.pgno,
                format!("cell at offset {at}: child pointer past page end"),
            )),
        }
    }

    /// The search of a rowid seek on a table page: the first cell whose rowid is at least
    /// `rowid` (greater than it when `strict`), or `cell_count`. In an interior page that
    /// cell's child holds the rowid. A probe that meets the rowid itself ends the search
    /// (rowids are unique), as SQLite's moveto does, and is reported by the returned flag.
    ///
    /// Rowids are mostly dense, so the search interpolates before it halves: from the
    /// rowids at the ends of the range still open it guesses where `rowid` lies, which on a
    /// page of consecutive rowids is the cell itself. After `ROWID_GUESSES` guesses, or
    /// when the rowids span too wide a range to divide cheaply, it halves what is left, so
    /// a page of uneven rowids costs a few probes more than a plain binary search and no
    /// worse. Each probed rowid is read in place, with the page's layout worked out once.
    pub fn rowid_search(&self, rowid: i64, strict: bool) -> Result<(usize, bool)> {
        let leaf = self.table_leaf()?;
        let layout = self.pointer_array()?;
        let cells = layout.cells;
        let key = |i: usize| self.probe_rowid(&layout, leaf, i);
        let met = |i: usize| Ok((if strict { i + 1 } else { i }, true));
        let Some(last) = cells.len().checked_sub(1) else {
            return Ok((0, false));
        };
        let (mut below, mut below_key) = (0, key(0)?);
        match below_key.cmp(&rowid) {
            Ordering::Equal => return met(0),
            Ordering::Greater => return Ok((0, false)),
            Ordering::Less => {}
        }
        // Rowids are distinct integers, so the cell `d` places after the first holds at least
        // the first rowid plus `d`. With `d` the distance from the first rowid to `rowid`,
        // that cell bounds the search from above, and on a page of consecutive rowids it is
        // the cell sought. Past the page, the last cell bounds it.
        let distance = rowid.wrapping_sub(below_key) as u64;
        let mut above = usize::try_from(distance).map_or(last, |d| d.min(last));
        let mut above_key = key(above)?;
        if above_key < rowid && above < last {
            // Only on a corrupt page, whose rowids are out of order.
            (below, below_key) = (above, above_key);
            (above, above_key) = (last, key(last)?);
        }
        match above_key.cmp(&rowid) {
            Ordering::Equal => return met(above),
            Ordering::Less => return Ok((cells.len(), false)),
            Ordering::Greater => {}
        }
        // From here the rowid at `below` is less than `rowid` and the one at `above` greater
        // (each was compared, whatever a corrupt page holds), so the cell sought lies in
        // `below + 1..=above`.
        for _ in 0..ROWID_GUESSES {
            let open = above - below;
            if open <= 1 {
                return Ok((above, false));
            }
            // Both differences are positive and fit a u64; a span past u32 would overflow
            // the product with `open`.
            let span = above_key.wrapping_sub(below_key) as u64;
            if span > u64::from(u32::MAX) {
                break;
            }
            let into = rowid.wrapping_sub(below_key) as u64;
            let step = usize::try_from(into * open as u64 / span).unwrap_or(open);
            let guess = (below + step).clamp(below + 1, above - 1);
            let guessed = key(guess)?;
            match guessed.cmp(&rowid) {
                Ordering::Equal => return met(guess),
                Ordering::Less => (below, below_key) = (guess, guessed),
                Ordering::Greater => (above, above_key) = (guess, guessed),
            }
        }
        let (mut lo, mut hi) = (below + 1, above);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match key(mid)?.cmp(&rowid) {
                Ordering::Equal => return met(mid),
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
            }
        }
        Ok((lo, false))
    }

    /// The search of a key seek on an index page: the first cell whose key is at least the
    /// one sought (greater than it when `strict`), or `cell_count`; in an interior page that
    /// cell's child holds the key. `compare` orders a cell's payload, when it lies wholly on
    /// the page, against the key sought; `compare_spilled` orders cell `i` whose payload
    /// spills to overflow pages. The page's layout is worked out once, not per probe.
    pub fn index_search(
        &self,
        strict: bool,
        mut compare: impl FnMut(&[u8]) -> Result<Ordering>,
        mut compare_spilled: impl FnMut(usize) -> Result<Ordering>,
    ) -> Result<usize> {
        let Some(skip) = self.payload_size_at() else {
            return Err(Error::corrupt(self.pgno, "a key seek met a table page"));
        };
        let layout = self.pointer_array()?;
        let max_local = crate::cell::max_local(self.usable, self.kind) as u64;
        let (mut lo, mut hi) = (0, layout.cells.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let offset = self.probe_offset(&layout, mid)?;
            let ord = match local_payload_at(layout.area, offset + skip, max_local) {
                Some(payload) => compare(payload)?,
                None => compare_spilled(mid)?,
            };
            let after = if strict {
                ord == Ordering::Greater
            } else {
                ord != Ordering::Less
            };
            if after {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Ok(lo)
    }

    /// The page's layout for a search of it, worked out once per search, not per probe as
    /// `cell_offset` would (which costs a rowid seek about 6% more).
    #[inline(always)]
    fn pointer_array(&self) -> Result<PointerArray<'a>> {
        let data: &'a [u8] = self.data;
        let area = &data[..self.usable.min(data.len())];
        let pointers = self.hdr + self.kind.header_size();
        let array_end = pointers + 2 * self.cell_count;
        let Some(array) = area.get(pointers..array_end) else {
            return Err(self.bad_cell_pointer(self.cell_count.saturating_sub(1), None));
        };
        let (cells, _) = array.as_chunks::<2>();
        Ok(PointerArray {
            area,
            cells,
            end: array_end,
        })
    }

    /// Where cell `i` starts, read from the pointer array of `layout` and checked to lie in
    /// the cell content area; `i` is below the cell count.
    #[inline(always)]
    fn probe_offset(&self, layout: &PointerArray, i: usize) -> Result<usize> {
        let offset = usize::from(u16::from_be_bytes(layout.cells[i]));
        if offset < layout.end || offset >= self.usable {
            return Err(self.bad_cell_pointer(i, Some(offset)));
        }
        Ok(offset)
    }

    /// The rowid of cell `i` for [`BtreePage::rowid_search`], given the page's `layout`;
    /// `i` is below the cell count.
    #[inline(always)]
    fn probe_rowid(&self, layout: &PointerArray, leaf: bool, i: usize) -> Result<i64> {
        let offset = self.probe_offset(layout, i)?;
        rowid_of_cell(layout.area, offset, leaf).ok_or_else(|| self.rowid_past_end(offset))
    }

    /// How far into an index cell its payload size lies: after the child page number on an
    /// interior page. None for a table page.
    #[inline(always)]
    fn payload_size_at(&self) -> Option<usize> {
        match self.kind {
            PageKind::IndexLeaf => Some(0),
            PageKind::IndexInterior => Some(4),
            PageKind::TableLeaf | PageKind::TableInterior => None,
        }
    }

    /// The payload of cell `i` of an index page (leaf or interior) when it lies wholly on
    /// the page, read in place; `None` for a table page, a payload that spills or a
    /// malformed cell, which [`BtreePage::cell`] then reads or reports. A key seek's probes
    /// read their keys through here.
    #[inline]
    pub fn local_index_payload(&self, i: usize) -> Option<&'a [u8]> {
        let data: &'a [u8] = self.data;
        data.get(self.local_index_payload_range(i)?)
    }

    /// Where [`BtreePage::local_index_payload`] lies in the page image, for a caller that
    /// reads it again later from the same image.
    #[inline]
    pub fn local_index_payload_range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let offset = self.cell_offset(i).ok()? + self.payload_size_at()?;
        let area = &self.data[..self.data.len().min(self.usable)];
        local_payload_range(
            area,
            offset,
            crate::cell::max_local(self.usable, self.kind) as u64,
        )
    }

    /// The rowid of cell `i` of a table page, read without decoding the rest of the cell
    /// (what a seek's binary search compares).
    #[inline]
    pub fn cell_rowid(&self, i: usize) -> Result<i64> {
        let leaf = self.table_leaf()?;
        let at = self.cell_offset(i)?;
        let area = &self.data[..self.usable.min(self.data.len())];
        rowid_of_cell(area, at, leaf).ok_or_else(|| self.rowid_past_end(at))
    }

    /// Whether a table page is a leaf; CORRUPT for an index page (which has no rowids).
    #[inline]
    fn table_leaf(&self) -> Result<bool> {
        match self.kind {
            PageKind::TableLeaf => Ok(true),
            PageKind::TableInterior => Ok(false),
            PageKind::IndexInterior | PageKind::IndexLeaf => {
                Err(Error::corrupt(self.pgno, "an index page has no rowids"))
            }
        }
    }

    /// The error for a cell at `at` whose rowid runs past the page end.
    #[cold]
    fn rowid_past_end(&self, at: usize) -> Error {
        Error::corrupt(
            self.pgno,
            format!("cell at offset {at}: rowid past page end"),
        )
    }

    /// The freeblock list as `(offset, size)` pairs, checked: ascending, in bounds, at least
    /// 4 bytes each, not overlapping.
    pub fn freeblocks(&self) -> Result<Vec<(usize, usize)>> {
        let mut out = Vec::new();
        self.each_freeblock(|offset, size| out.push((offset, size)))?;
        Ok(out)
    }

    /// Calls `f(offset, size)` for each freeblock, in list order, checked as
    /// [`BtreePage::freeblocks`] checks them.
    fn each_freeblock(&self, mut f: impl FnMut(usize, usize)) -> Result<()> {
        let mut next = self.first_freeblock;
        let mut min = self.content_start;
        while next != 0 {
            if next < min || next + 4 > self.usable {
                return Err(Error::corrupt(
                    self.pgno,
                    format!("freeblock at {next} out of order"),
                ));
            }
            let size = be16(self.data, next + 2);
            if size < 4 || next + size > self.usable {
                return Err(Error::corrupt(
                    self.pgno,
                    format!("freeblock at {next} size {size}"),
                ));
            }
            f(next, size);
            min = next + size;
            next = be16(self.data, next);
        }
        Ok(())
    }

    /// Free bytes: the gap between the pointer array and the content area, plus freeblocks,
    /// plus fragments.
    pub fn free_space(&self) -> Result<usize> {
        let mut blocks = 0;
        self.each_freeblock(|_, size| blocks += size)?;
        Ok(self.content_start - self.cell_array_end() + blocks + self.fragmented)
    }
}

fn put16(b: &mut [u8], at: usize, v: usize) {
    b[at..at + 2].copy_from_slice(&(v as u16).to_be_bytes());
}

/// Writes page `pgno` from scratch: header of `kind`, `cells` packed at the end of the usable
/// area in order, no freeblocks. The caller has checked that they fit.
pub fn write_page(
    data: &mut [u8],
    pgno: PageNo,
    usable: usize,
    kind: PageKind,
    cells: &[Vec<u8>],
    right_child: PageNo,
) {
    let hdr = header_offset(pgno);
    let mut content = usable;
    let mut ptr = hdr + kind.header_size();
    data[hdr..usable].fill(0);
    for cell in cells {
        content -= cell.len();
        data[content..content + cell.len()].copy_from_slice(cell);
        put16(data, ptr, content);
        ptr += 2;
    }
    data[hdr] = kind.byte();
    put16(data, hdr + 1, 0);
    put16(data, hdr + 3, cells.len());
    put16(data, hdr + 5, if content == 65536 { 0 } else { content });
    data[hdr + 7] = 0;
    if !kind.is_leaf() {
        data[hdr + 8..hdr + 12].copy_from_slice(&right_child.to_be_bytes());
    }
}

/// Bytes that `cells` need on a page of `kind` (pointer array included, header excluded).
pub fn cells_space(cells: &[Vec<u8>]) -> usize {
    cells.iter().map(|c| c.len() + 2).sum()
}

/// Repacks the cells of a page to the end of the content area, removing freeblocks and
/// fragments (SQLite's defragmentPage).
pub fn defragment(data: &mut [u8], pgno: PageNo, usable: usize) -> Result<()> {
    let page = BtreePage::parse(pgno, data, usable)?;
    let kind = page.kind;
    let right = page.right_child;
    let cells = (0..page.cell_count)
        .map(|i| page.cell_bytes(i).map(<[u8]>::to_vec))
        .collect::<Result<Vec<_>>>()?;
    if page.hdr + kind.header_size() + cells_space(&cells) > usable {
        return Err(Error::corrupt(pgno, "cells overlap"));
    }
    write_page(data, pgno, usable, kind, &cells, right);
    Ok(())
}

/// Inserts `cell` as cell number `idx` of the page in place, taking space from a freeblock,
/// the gap, or, after defragmenting, the gap. Returns false (page unchanged) if the page does
/// not have room.
pub fn insert_cell(
    data: &mut [u8],
    pgno: PageNo,
    usable: usize,
    idx: usize,
    cell: &[u8],
) -> Result<bool> {
    let page = BtreePage::parse(pgno, data, usable)?;
    let need = cell.len();
    if idx > page.cell_count {
        return Err(Error::Misuse("cell index past the end"));
    }
    if page.free_space()? < need + 2 {
        return Ok(false);
    }
    let hdr = page.hdr;
    let (kind, count) = (page.kind, page.cell_count);
    let gap = page.content_start - page.cell_array_end();
    let mut at = None;
    if page.first_freeblock == 0 && gap >= need + 2 {
        // The common case: no freeblocks, and room in the gap.
        let start = page.content_start - need;
        put16(data, hdr + 5, start);
        at = Some(start);
    } else if gap >= 2 && page.fragmented <= 57 {
        // First fit in the freeblock list.
        let mut prev_link = hdr + 1;
        for (offset, size) in page.freeblocks()? {
            if size >= need {
                let rest = size - need;
                if rest < 4 {
                    // Take the whole block; the remainder becomes fragmented bytes.
                    let next = be16(data, offset);
                    put16(data, prev_link, next);
                    data[hdr + 7] += rest as u8;
                    at = Some(offset);
                } else {
                    // Keep the block's front, take its tail.
                    put16(data, offset + 2, rest);
                    at = Some(offset + rest);
                }
                break;
            }
            prev_link = offset;
        }
    }
    let at = match at {
        Some(a) => a,
        None => {
            if gap < need + 2 {
                defragment(data, pgno, usable)?;
            }
            let page = BtreePage::parse(pgno, data, usable)?;
            if page.content_start < page.cell_array_end() + need + 2 {
                // The header's free-space accounting lied (bogus fragment count or blocks).
                return Err(Error::corrupt(pgno, "free space does not add up"));
            }
            let start = page.content_start - need;
            put16(data, hdr + 5, start);
            start
        }
    };
    data[at..at + need].copy_from_slice(cell);
    // Open a slot in the pointer array.
    let slot = hdr + kind.header_size() + 2 * idx;
    let end = hdr + kind.header_size() + 2 * count;
    data.copy_within(slot..end, slot + 2);
    put16(data, slot, at);
    put16(data, hdr + 3, count + 1);
    Ok(true)
}

/// Removes cell `idx` from the page in place; its bytes join the freeblock list (coalesced
/// with neighbours) or the gap when they border it.
pub fn drop_cell(data: &mut [u8], pgno: PageNo, usable: usize, idx: usize) -> Result<()> {
    let page = BtreePage::parse(pgno, data, usable)?;
    let offset = page.cell_offset(idx)?;
    let size = page.cell(idx)?.size;
    let hdr = page.hdr;
    let mut blocks = page.freeblocks()?;
    let mut fragmented = page.fragmented;
    let mut content_start = page.content_start;
    // Close the pointer array slot.
    let (slot, end, count) = (
        hdr + page.kind.header_size() + 2 * idx,
        page.cell_array_end(),
        page.cell_count,
    );
    data.copy_within(slot + 2..end, slot);
    put16(data, hdr + 3, count - 1);
    // Merge the freed range into the sorted block list.
    blocks.push((offset, size));
    blocks.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (o, s) in blocks {
        if let Some(last) = merged.last_mut() {
            let last_end = last.0 + last.1;
            if o >= last_end && o - last_end <= 3 && o - last_end <= fragmented {
                // Absorb the fragment between two blocks, as SQLite does.
                fragmented -= o - last_end;
                last.1 = o + s - last.0;
                continue;
            }
        }
        merged.push((o, s));
    }
    if let Some(&(o, s)) = merged.first() {
        if o == content_start {
            content_start += s;
            merged.remove(0);
        }
    }
    let mut link = hdr + 1;
    for &(o, s) in &merged {
        put16(data, link, o);
        put16(data, o + 2, s);
        link = o;
    }
    put16(data, link, 0);
    put16(
        data,
        hdr + 5,
        if content_start == 65536 {
            0
        } else {
            content_start
        },
    );
    data[hdr + 7] = fragmented as u8;
    Ok(())
}

/// Initialises an empty B-tree page of `kind`.
pub fn init_page(data: &mut [u8], pgno: PageNo, usable: usize, kind: PageKind) {
    write_page(data, pgno, usable, kind, &[], 0);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cell(n: u8, len: usize) -> Vec<u8> {
        // A table leaf cell: payload size, rowid, payload.
        let mut c = vec![(len - 2) as u8, n];
        c.resize(len, n);
        c
    }

    #[test]
    fn drop_then_insert_reuses_freeblocks() {
        let mut data = vec![0u8; 512];
        init_page(&mut data, 2, 512, PageKind::TableLeaf);
        for i in 0..5 {
            assert!(insert_cell(&mut data, 2, 512, i, &cell(i as u8, 20)).unwrap());
        }
        drop_cell(&mut data, 2, 512, 1).unwrap();
        drop_cell(&mut data, 2, 512, 2).unwrap();
        let page = BtreePage::parse(2, &data, 512).unwrap();
        assert_eq!(page.freeblocks().unwrap().len(), 2);
        assert_eq!(page.free_space().unwrap(), 512 - 8 - 3 * 22);
        assert!(insert_cell(&mut data, 2, 512, 1, &cell(9, 18)).unwrap());
        let page = BtreePage::parse(2, &data, 512).unwrap();
        assert_eq!(page.fragmented, 2);
        assert_eq!(page.cell(1).unwrap().rowid, 9);
        assert_eq!(page.free_space().unwrap(), 512 - 8 - 3 * 22 - 20);
        defragment(&mut data, 2, 512).unwrap();
        let page = BtreePage::parse(2, &data, 512).unwrap();
        assert_eq!((page.fragmented, page.first_freeblock), (0, 0));
        let rowids: Vec<i64> = (0..4).map(|i| page.cell(i).unwrap().rowid).collect();
        assert_eq!(rowids, vec![0, 9, 2, 4]);
    }

    /// A table page of `kind` whose cells hold `rowids`, in order.
    fn table_page(kind: PageKind, rowids: &[i64]) -> Vec<u8> {
        let mut data = vec![0u8; 4096];
        init_page(&mut data, 2, 4096, kind);
        for (i, &rowid) in rowids.iter().enumerate() {
            let mut cell = Vec::new();
            if kind == PageKind::TableLeaf {
                crate::varint::write_varint(&mut cell, 1);
                crate::varint::write_varint(&mut cell, rowid as u64);
                cell.push(0);
            } else {
                cell.extend_from_slice(&(i as u32 + 3).to_be_bytes());
                crate::varint::write_varint(&mut cell, rowid as u64);
            }
            assert!(insert_cell(&mut data, 2, 4096, i, &cell).unwrap());
        }
        data
    }

    #[test]
    fn rowid_search_finds_what_a_linear_search_finds() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut random_rowids = |n: usize, spread: u64| {
            let mut rowids: Vec<i64> = (0..n).map(|_| (random() % spread) as i64).collect();
            rowids.sort_unstable();
            rowids.dedup();
            rowids
        };
        let layouts: Vec<Vec<i64>> = vec![
            vec![],
            vec![7],
            (1..=300).collect(),
            (0..250).map(|i| i64::MIN + i).collect(),
            (0..250).map(|i| i64::MAX - 249 + i).collect(),
            (1..=30).map(|i| i * 300).collect(),
            (-120..120).map(|i| i * 3 + i % 2).collect(),
            (1..=200).chain([1 << 40, i64::MAX]).collect(),
            [i64::MIN].into_iter().chain(1..=200).collect(),
            [i64::MIN, -1, 0, 1, i64::MAX].to_vec(),
            (1..=100)
                .chain(5_000..5_100)
                .chain([1 << 31, (1 << 32) + 7])
                .collect(),
            random_rowids(300, 1_000),
            random_rowids(250, 1 << 40),
            random_rowids(250, u64::MAX),
        ];
        for rowids in &layouts {
            for kind in [PageKind::TableLeaf, PageKind::TableInterior] {
                let data = table_page(kind, rowids);
                let page = BtreePage::parse(2, &data, 4096).unwrap();
                let mut probes = vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
                for &rowid in rowids {
                    probes.extend([rowid.wrapping_sub(1), rowid, rowid.wrapping_add(1)]);
                }
                for rowid in probes {
                    for strict in [false, true] {
                        let at =
                            rowids
                                .partition_point(|&r| if strict { r <= rowid } else { r < rowid });
                        let expected = (at, rowids.contains(&rowid));
                        assert_eq!(
                            page.rowid_search(rowid, strict).unwrap(),
                            expected,
                            "rowid {rowid}, strict {strict}, {kind:?} of {} rowids from {:?}",
                            rowids.len(),
                            rowids.first()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn rowid_search_of_a_page_out_of_order_answers_without_panicking() {
        // A corrupt page may hold rowids in any order: the search must still end, in bounds.
        let rowids: Vec<i64> = (0..200).map(|i| (i * 7919) % 401 - 200).collect();
        let data = table_page(PageKind::TableLeaf, &rowids);
        let page = BtreePage::parse(2, &data, 4096).unwrap();
        for rowid in -250..250 {
            for strict in [false, true] {
                let (at, _) = page.rowid_search(rowid, strict).unwrap();
                assert!(at <= rowids.len());
            }
        }
    }

    #[test]
    fn bad_page_type_and_pointers_are_corrupt() {
        let mut data = vec![0u8; 512];
        data[0] = 7;
        assert_eq!(
            BtreePage::parse(3, &data, 512).unwrap_err().corrupt_page(),
            Some(3)
        );
        init_page(&mut data, 3, 512, PageKind::TableLeaf);
        data[3..5].copy_from_slice(&1u16.to_be_bytes());
        data[8..10].copy_from_slice(&600u16.to_be_bytes());
        let page = BtreePage::parse(3, &data, 512).unwrap();
        assert!(page.cell(0).unwrap_err().is_corrupt());
    }
}
