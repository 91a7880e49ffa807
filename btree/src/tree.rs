//! Changing B-trees: insert, delete and update in table and index trees.

use std::cmp::Ordering;

use concur_pager::{PageNo, PageSource, PageWriter};

use crate::balance::{balance_up, Node};
use crate::cell::{build_cell, convert_index_cell, max_local};
use crate::error::{Error, Result};
use crate::overflow::{free_chain, make_cell, read_payload};
use crate::page::{drop_cell, header_offset, insert_cell, BtreePage, PageKind};
use crate::record::{decode_record, encode_record, KeyInfo, RecordSize};
use crate::value::Value;
use crate::varint::write_varint;

/// The deepest tree this layer follows; deeper means a cycle or a corrupt file.
pub const MAX_DEPTH: usize = 40;

/// Where a search for a key ended.
struct Descent {
    /// `(page, child index)` of every interior page passed, root first.
    path: Vec<(PageNo, usize)>,
    /// The page where the search stopped (a leaf, or an interior page holding the key).
    pgno: PageNo,
    /// Index of the first cell at or after the key on that page.
    idx: usize,
    /// True when the cell at `idx` holds exactly the key.
    found: bool,
    /// True when the search went down the right-most child of every interior page and
    /// stopped past the last cell of the leaf: the key is greater than every key in the tree.
    past_end: bool,
}

/// Checks that `child`, named by `parent`, may be visited.
fn check_child<S: PageSource + ?Sized>(
    src: &S,
    parent: PageNo,
    child: PageNo,
    depth: usize,
) -> Result<()> {
    if child < 2 || child > src.page_count() {
        return Err(Error::corrupt(
            parent,
            format!("child page {child} out of range"),
        ));
    }
    if depth >= MAX_DEPTH {
        return Err(Error::corrupt(parent, "tree too deep (cycle?)"));
    }
    Ok(())
}

/// Descends from `root` to where `cmp` (which compares a cell's key with the searched key)
/// says the key belongs. Stops early on an interior page when `stop_on_interior` and the key
/// is there (index trees only).
fn descend<S, F>(src: &S, root: PageNo, table: bool, mut cmp: F) -> Result<Descent>
where
    S: PageSource + ?Sized,
    F: FnMut(&BtreePage, usize) -> Result<Ordering>,
{
    let usable = src.usable_size();
    let mut path = Vec::new();
    let mut pgno = root;
    let mut rightmost = true;
    loop {
        let data = src.page(pgno)?;
        let page = BtreePage::parse(pgno, &data, usable)?;
        if page.kind.is_table() != table {
            return Err(Error::corrupt(pgno, "page of the wrong tree type"));
        }
        // Binary search for the first cell whose key is >= the searched key.
        let (mut lo, mut hi) = (0, page.cell_count);
        let mut found = false;
        while lo < hi {
            let mid = (lo + hi) / 2;
            match cmp(&page, mid)? {
                Ordering::Less => lo = mid + 1,
                Ordering::Equal => {
                    hi = mid;
                    found = true;
                }
                Ordering::Greater => hi = mid,
            }
        }
        let found = found && lo < page.cell_count && cmp(&page, lo)? == Ordering::Equal;
        rightmost &= lo == page.cell_count;
        if page.kind.is_leaf() || (found && !table) {
            return Ok(Descent {
                path,
                pgno,
                idx: lo,
                found,
                past_end: rightmost && page.kind.is_leaf(),
            });
        }
        let child = page.child(lo)?;
        check_child(src, pgno, child, path.len() + 1)?;
        path.push((pgno, lo));
        pgno = child;
    }
}

/// Descends a table tree to the leaf position of `rowid`.
fn descend_table<S: PageSource + ?Sized>(src: &S, root: PageNo, rowid: i64) -> Result<Descent> {
    descend(src, root, true, |page, i| {
        Ok(page.cell_rowid(i)?.cmp(&rowid))
    })
}

/// Descends an index tree to `key` (a complete key, compared with [`KeyInfo::compare_full`]).
fn descend_index<S: PageSource + ?Sized>(
    src: &S,
    root: PageNo,
    info: &KeyInfo,
    key: &[Value],
) -> Result<Descent> {
    descend(src, root, false, |page, i| {
        let cell = page.cell(i)?;
        let ord = if cell.overflow == 0 {
            let local = &page.data[cell.local_offset..cell.local_offset + cell.local_size];
            info.compare_record_full(local, key)
        } else {
            let payload = read_payload(src, page.pgno, page.data, &cell)?;
            info.compare_record_full(&payload, key)
        };
        ord.map_err(|e| e.on_page(page.pgno))
    })
}

/// Puts `cell` at position `idx` of leaf `pgno` (replacing the cell there when `replace`),
/// then balances. True when the cell fitted on the leaf and no page but the leaf changed.
fn place_in_leaf<W: PageWriter + ?Sized>(
    w: &mut W,
    d: &Descent,
    cell: &[u8],
    replace: bool,
) -> Result<bool> {
    let usable = w.usable_size();
    if replace {
        remove_cell(w, d.pgno, d.idx)?;
    }
    let placed = insert_cell(w.page_mut(d.pgno)?, d.pgno, usable, d.idx, cell)?;
    if placed && (!replace || d.path.is_empty()) {
        // A plain insert that fitted cannot leave the page underfull.
        return Ok(true);
    }
    if !placed && !replace && balance_quick(w, d, cell)? {
        return Ok(false);
    }
    let mut node = Node::load(w, d.pgno)?;
    if !placed {
        node.cells.insert(d.idx, cell.to_vec());
    } else if !node.underfull(usable) {
        return Ok(true);
    }
    balance_up(w, &d.path, node, None)?;
    Ok(false)
}

/// SQLite's `balance_quick`: a row appended past the end of the right-most leaf of a table
/// (the usual rowid-order insert) that does not fit goes alone onto a new right-most leaf,
/// with the old leaf's last rowid as the new divider. The full leaf stays full, as SQLite
/// leaves it, instead of being evened out with its siblings on every split; returns false
/// (nothing done) when the insert is not such an append.
fn balance_quick<W: PageWriter + ?Sized>(w: &mut W, d: &Descent, cell: &[u8]) -> Result<bool> {
    let usable = w.usable_size();
    let Some(&(parent_pgno, child_idx)) = d.path.last() else {
        return Ok(false);
    };
    let last_rowid = {
        let data = w.page(d.pgno)?;
        let leaf = BtreePage::parse(d.pgno, &data, usable)?;
        if leaf.kind != PageKind::TableLeaf || d.idx != leaf.cell_count || leaf.cell_count == 0 {
            return Ok(false);
        }
        leaf.cell(leaf.cell_count - 1)?.rowid
    };
    let (parent_count, parent_right) = {
        let data = w.page(parent_pgno)?;
        let parent = BtreePage::parse(parent_pgno, &data, usable)?;
        (parent.cell_count, parent.right_child)
    };
    if child_idx != parent_count || parent_right != d.pgno {
        return Ok(false);
    }
    let new_leaf = w.allocate()?;
    Node {
        pgno: new_leaf,
        kind: PageKind::TableLeaf,
        cells: vec![cell.to_vec()],
        right: 0,
    }
    .store(w)?;
    let divider = build_cell(PageKind::TableInterior, d.pgno, last_rowid, 0, &[], 0);
    let page = w.page_mut(parent_pgno)?;
    if insert_cell(page, parent_pgno, usable, parent_count, &divider)? {
        // The divider fitted: point the parent's right-most child at the new leaf.
        let at = header_offset(parent_pgno) + 8;
        page[at..at + 4].copy_from_slice(&new_leaf.to_be_bytes());
        return Ok(true);
    }
    let mut parent = Node::load(w, parent_pgno)?;
    parent.cells.push(divider);
    parent.right = new_leaf;
    balance_up(w, &d.path[..d.path.len() - 1], parent, None)?;
    Ok(true)
}

/// Frees the overflow chain of cell `idx` of page `pgno` and drops the cell in place.
fn remove_cell<W: PageWriter + ?Sized>(w: &mut W, pgno: PageNo, idx: usize) -> Result<()> {
    let usable = w.usable_size();
    let info = {
        let data = w.page(pgno)?;
        BtreePage::parse(pgno, &data, usable)?.cell(idx)?
    };
    free_chain(w, pgno, &info)?;
    drop_cell(w.page_mut(pgno)?, pgno, usable, idx)
}

/// Inserts the row `rowid` with record `payload` into the table tree at `root`, replacing
/// the row with that rowid if there is one.
pub fn table_insert<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    rowid: i64,
    payload: &[u8],
) -> Result<()> {
    table_insert_hinted(w, root, rowid, payload, &mut None)
}

/// Where the last row of a table tree lies: the right-most leaf and the path of right-most
/// children down to it, as the last append found them. A writer appending rows in rowid
/// order keeps it between inserts (see [`table_insert_hinted`]) so that an append goes
/// straight to the leaf instead of searching from the root; SQLite's cursors keep the same
/// "at the last entry" state for the same reason.
#[derive(Debug, Clone)]
pub struct AppendHint {
    /// `(page, child index)` of the interior pages from the root down.
    path: Vec<(PageNo, usize)>,
    /// The right-most leaf.
    leaf: PageNo,
    /// The number of cells on that leaf.
    cells: usize,
    /// The largest rowid in the tree.
    last_rowid: i64,
    /// The buffer the last append built its cell in, kept for the next one.
    cell: Vec<u8>,
}

impl AppendHint {
    /// The largest rowid in the tree: a row with a greater rowid does not exist.
    pub fn last_rowid(&self) -> i64 {
        self.last_rowid
    }
}

/// [`table_insert`] with an [`AppendHint`] for the tree at `root`. A rowid past the hint's
/// last rowid goes straight to the hinted leaf; afterwards `hint` describes the tree again
/// when the insert was an append that fitted on its leaf, and is `None` otherwise.
///
/// The hint must come from an earlier call on the same tree in the same write transaction
/// with no other change to that tree in between (the caller drops it on any other write to
/// the tree and on savepoint rollbacks): it is trusted, not checked.
pub fn table_insert_hinted<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    rowid: i64,
    payload: &[u8],
    hint: &mut Option<AppendHint>,
) -> Result<()> {
    let d = descend_hinted(w, root, rowid, hint)?;
    let cell = make_cell(w, PageKind::TableLeaf, 0, rowid, payload)?;
    place_hinted(w, d, &cell, rowid, hint)
}

/// Where row `rowid` goes: past the end of the leaf `hint` names when the row comes after
/// its last, else found from the root. Takes the hint.
fn descend_hinted<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    rowid: i64,
    hint: &mut Option<AppendHint>,
) -> Result<Descent> {
    Ok(match hint.take() {
        // The hint is trusted (see `table_insert_hinted`): its leaf is not read again.
        Some(h) if rowid > h.last_rowid => Descent {
            idx: h.cells,
            path: h.path,
            pgno: h.leaf,
            found: false,
            past_end: true,
        },
        _ => descend_table(w, root, rowid)?,
    })
}

/// [`table_insert_hinted`] of the row whose record is that of `values`: a record that fits
/// on the page is written straight into its cell (one buffer, no copy of the record).
pub fn table_insert_values_hinted<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    rowid: i64,
    values: &[Value],
    hint: &mut Option<AppendHint>,
) -> Result<()> {
    let size = RecordSize::of(values)?;
    if size.total > max_local(w.usable_size(), PageKind::TableLeaf) {
        let record = encode_record(values)?;
        return table_insert_hinted(w, root, rowid, &record, hint);
    }
    // The cell is built in the buffer the last append kept in the hint.
    let mut cell = hint
        .as_mut()
        .map(|h| std::mem::take(&mut h.cell))
        .unwrap_or_default();
    cell.clear();
    cell.reserve(size.total + 18);
    let d = descend_hinted(w, root, rowid, hint)?;
    write_varint(&mut cell, size.total as u64);
    write_varint(&mut cell, rowid as u64);
    size.write(values, &mut cell);
    // SQLite allocates at least four bytes to a cell.
    cell.resize(cell.len().max(4), 0);
    place_hinted(w, d, &cell, rowid, hint)?;
    if let Some(h) = hint {
        h.cell = cell;
    }
    Ok(())
}

/// Places `cell` (row `rowid`) where `d` found its place, and keeps the append hint when
/// the row went past the end of its leaf and fitted there.
fn place_hinted<W: PageWriter + ?Sized>(
    w: &mut W,
    d: Descent,
    cell: &[u8],
    rowid: i64,
    hint: &mut Option<AppendHint>,
) -> Result<()> {
    let fitted = place_in_leaf(w, &d, cell, d.found)?;
    if fitted && d.past_end {
        *hint = Some(AppendHint {
            path: d.path,
            leaf: d.pgno,
            cells: d.idx + 1,
            last_rowid: rowid,
            cell: Vec::new(),
        });
    }
    Ok(())
}

/// Replaces the record of the existing row `rowid`; false (and nothing written) when the row
/// does not exist. (`table_insert` is the upsert.)
pub fn table_update<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    rowid: i64,
    payload: &[u8],
) -> Result<bool> {
    let d = descend_table(w, root, rowid)?;
    if !d.found {
        return Ok(false);
    }
    let cell = make_cell(w, PageKind::TableLeaf, 0, rowid, payload)?;
    place_in_leaf(w, &d, &cell, true)?;
    Ok(true)
}

/// Deletes the row `rowid` from the table tree at `root`; false if there was none.
pub fn table_delete<W: PageWriter + ?Sized>(w: &mut W, root: PageNo, rowid: i64) -> Result<bool> {
    let d = descend_table(w, root, rowid)?;
    if !d.found {
        return Ok(false);
    }
    remove_cell(w, d.pgno, d.idx)?;
    settle_after_delete(w, &d.path, d.pgno)?;
    Ok(true)
}

/// Balances a leaf from which a cell was removed, if it became underfull.
fn settle_after_delete<W: PageWriter + ?Sized>(
    w: &mut W,
    path: &[(PageNo, usize)],
    pgno: PageNo,
) -> Result<()> {
    if path.is_empty() {
        return Ok(());
    }
    let usable = w.usable_size();
    let free = {
        let data = w.page(pgno)?;
        BtreePage::parse(pgno, &data, usable)?.free_space()?
    };
    // The same test as `Node::underfull`, without copying the cells.
    if free > usable * 2 / 3 {
        balance_up(w, path, Node::load(w, pgno)?, None)?;
    }
    Ok(())
}

/// Inserts the index entry `record` (an encoded record: indexed columns then rowid) into the
/// index tree at `root`, whose keys sort by `info`. An entry that compares equal is replaced.
pub fn index_insert<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    info: &KeyInfo,
    record: &[u8],
) -> Result<()> {
    let key = decode_record(record)?;
    let mut d = descend_index(w, root, info, &key)?;
    if d.found {
        let data = w.page(d.pgno)?;
        let leaf = BtreePage::parse(d.pgno, &data, w.usable_size())?
            .kind
            .is_leaf();
        if !leaf {
            delete_found(w, d)?;
            d = descend_index(w, root, info, &key)?;
        }
    }
    let cell = make_cell(w, PageKind::IndexLeaf, 0, 0, record)?;
    place_in_leaf(w, &d, &cell, d.found)?;
    Ok(())
}

/// Deletes the index entry equal to `record` from the index tree at `root`; false if absent.
pub fn index_delete<W: PageWriter + ?Sized>(
    w: &mut W,
    root: PageNo,
    info: &KeyInfo,
    record: &[u8],
) -> Result<bool> {
    let key = decode_record(record)?;
    let d = descend_index(w, root, info, &key)?;
    if !d.found {
        return Ok(false);
    }
    delete_found(w, d)?;
    Ok(true)
}

/// Deletes the index entry a descent found. An entry on an interior page is replaced by its
/// predecessor, the last entry of the left subtree's right-most leaf, as SQLite does.
fn delete_found<W: PageWriter + ?Sized>(w: &mut W, d: Descent) -> Result<()> {
    let usable = w.usable_size();
    let interior = {
        let data = w.page(d.pgno)?;
        let page = BtreePage::parse(d.pgno, &data, usable)?;
        (!page.kind.is_leaf())
            .then(|| page.cell(d.idx))
            .transpose()?
    };
    let Some(old) = interior else {
        remove_cell(w, d.pgno, d.idx)?;
        return settle_after_delete(w, &d.path, d.pgno);
    };
    // Walk to the right-most leaf of the left subtree.
    let mut path = d.path;
    let level = path.len();
    path.push((d.pgno, d.idx));
    let mut pgno = old.left_child;
    loop {
        check_child(w, path[path.len() - 1].0, pgno, path.len())?;
        let data = w.page(pgno)?;
        let page = BtreePage::parse(pgno, &data, usable)?;
        if page.kind.is_table() {
            return Err(Error::corrupt(pgno, "table page in an index tree"));
        }
        if page.kind.is_leaf() {
            break;
        }
        path.push((pgno, page.cell_count));
        pgno = page.right_child;
    }
    let mut leaf = Node::load(w, pgno)?;
    let predecessor = leaf
        .cells
        .pop()
        .ok_or_else(|| Error::corrupt(pgno, "empty leaf under an interior cell"))?;
    let mut holder = Node::load(w, d.pgno)?;
    free_chain(w, d.pgno, &old)?;
    holder.cells[d.idx] = convert_index_cell(&predecessor, usable, Some(old.left_child))?;
    balance_up(w, &path, leaf, Some((level, holder)))
}
