//! Balancing: keeping every page within its bounds after an insert or a delete.
//!
//! Work happens on [`Node`]s, in-memory copies of a page's cells that may overflow. A node
//! that overflows, or a non-root node that is less than a third full, is rebalanced with up to
//! two neighbours under the same parent (SQLite's balance_nonroot): their cells and the
//! dividers between them are pooled, packed left to right into as few pages as hold them,
//! evened out right to left, and the parent's dividers are replaced. The parent may then need
//! balancing in turn. The root never moves: when it overflows its content goes to a new child
//! (balance_deeper); when it is an interior page with no cells and its only child fits, the
//! child's content moves up (balance_shallower).

use std::ops::Range;

use concur_pager::{PageNo, PageSource, PageWriter};

use crate::cell::{build_cell, convert_index_cell, parse_cell};
use crate::error::{Error, Result};
use crate::page::{cells_space, header_offset, write_page, BtreePage, PageKind};

/// An in-memory copy of a B-tree page, free to overflow while it is being balanced.
#[derive(Debug, Clone)]
pub struct Node {
    /// The page this node is stored on.
    pub pgno: PageNo,
    /// The page type.
    pub kind: PageKind,
    /// The cells, exactly as stored on a page (padded to 4 bytes).
    pub cells: Vec<Vec<u8>>,
    /// Interior nodes: the right-most child.
    pub right: PageNo,
}

impl Node {
    /// Copies page `pgno` into a node.
    pub fn load<S: PageSource + ?Sized>(src: &S, pgno: PageNo) -> Result<Node> {
        let data = src.page(pgno)?;
        let page = BtreePage::parse(pgno, &data, src.usable_size())?;
        let cells = (0..page.cell_count)
            .map(|i| page.cell_bytes(i).map(<[u8]>::to_vec))
            .collect::<Result<Vec<_>>>()?;
        Ok(Node {
            pgno,
            kind: page.kind,
            cells,
            right: page.right_child,
        })
    }

    /// Bytes available for cells and pointers on this node's page.
    fn capacity(&self, usable: usize) -> usize {
        usable - header_offset(self.pgno) - self.kind.header_size()
    }

    /// True when the cells fit on the page.
    pub fn fits(&self, usable: usize) -> bool {
        cells_space(&self.cells) <= self.capacity(usable)
    }

    /// True when more than two thirds of the page would be free (SQLite's trigger for
    /// balancing a non-root page after a delete).
    pub fn underfull(&self, usable: usize) -> bool {
        let used = cells_space(&self.cells);
        used <= self.capacity(usable) && self.capacity(usable) - used > usable * 2 / 3
    }

    /// Child `i`: the left child of cell `i`, or the right-most child.
    fn child(&self, i: usize) -> PageNo {
        match self.cells.get(i) {
            Some(c) => u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
            None => self.right,
        }
    }

    /// Writes the node to its page; the caller has checked that it fits.
    pub fn store<W: PageWriter + ?Sized>(&self, w: &mut W) -> Result<()> {
        let usable = w.usable_size();
        let data = w.page_mut(self.pgno)?;
        write_page(data, self.pgno, usable, self.kind, &self.cells, self.right);
        Ok(())
    }
}

/// Sets the 4-byte child pointer at the start of an interior cell.
fn set_child(cell: &mut [u8], child: PageNo) {
    cell[..4].copy_from_slice(&child.to_be_bytes());
}

/// Settles a modified node and everything above it. `path[k]` is `(page, child index)` of the
/// page at depth `k` on the way down to `node`, which sits at depth `path.len()`. `pending` is
/// an ancestor (depth, node) that was modified too and is settled when the walk reaches it.
pub fn balance_up<W: PageWriter + ?Sized>(
    w: &mut W,
    path: &[(PageNo, usize)],
    mut node: Node,
    mut pending: Option<(usize, Node)>,
) -> Result<()> {
    let usable = w.usable_size();
    let mut level = path.len();
    loop {
        if level == 0 {
            return balance_root(w, node);
        }
        if node.fits(usable) && !node.underfull(usable) {
            node.store(w)?;
            match pending.take() {
                Some((l, n)) => {
                    level = l;
                    node = n;
                    continue;
                }
                None => return Ok(()),
            }
        }
        let (parent_pgno, child_idx) = path[level - 1];
        let mut parent = match pending.take() {
            Some((l, n)) if l == level - 1 => n,
            other => {
                pending = other;
                Node::load(w, parent_pgno)?
            }
        };
        balance_nonroot(w, &mut parent, child_idx, node)?;
        node = parent;
        level -= 1;
    }
}

/// Settles the root node: deeper while it overflows, shallower while it is an empty interior
/// page whose only child fits in it.
fn balance_root<W: PageWriter + ?Sized>(w: &mut W, mut root: Node) -> Result<()> {
    let usable = w.usable_size();
    for _ in 0..64 {
        if !root.fits(usable) {
            let child_pgno = w.allocate()?;
            let child = Node {
                pgno: child_pgno,
                kind: root.kind,
                cells: std::mem::take(&mut root.cells),
                right: root.right,
            };
            root.kind = root.kind.interior();
            root.right = child_pgno;
            balance_nonroot(w, &mut root, 0, child)?;
            continue;
        }
        if !root.kind.is_leaf() && root.cells.is_empty() {
            let child = Node::load(w, root.right)?;
            if child.kind.is_table() != root.kind.is_table() {
                return Err(Error::corrupt(root.pgno, "child of another tree type"));
            }
            let moved = Node {
                pgno: root.pgno,
                kind: child.kind,
                cells: child.cells,
                right: child.right,
            };
            if moved.fits(usable) {
                w.free(child.pgno)?;
                root = moved;
                continue;
            }
        }
        return root.store(w);
    }
    Err(Error::corrupt(root.pgno, "root does not settle"))
}

/// Rebalances `child` (the parent's child number `child_idx`, already modified in memory)
/// with up to two siblings, rewriting their pages and the dividers in `parent`.
pub fn balance_nonroot<W: PageWriter + ?Sized>(
    w: &mut W,
    parent: &mut Node,
    child_idx: usize,
    child: Node,
) -> Result<()> {
    let usable = w.usable_size();
    let n_children = parent.cells.len() + 1;
    let (first, last) = if n_children <= 3 {
        (0, n_children - 1)
    } else {
        let first = child_idx.saturating_sub(1).min(n_children - 3);
        (first, first + 2)
    };
    let kind = child.kind;
    let mut child = Some(child);
    let mut siblings = Vec::with_capacity(3);
    for i in first..=last {
        let sibling = if i == child_idx {
            child.take().ok_or(Error::Misuse("child index"))?
        } else {
            let pgno = parent.child(i);
            if pgno < 2 || pgno == parent.pgno || pgno > w.page_count() {
                return Err(Error::corrupt(
                    parent.pgno,
                    format!("child page {pgno} invalid"),
                ));
            }
            Node::load(w, pgno)?
        };
        if sibling.kind != kind {
            return Err(Error::corrupt(
                sibling.pgno,
                "sibling pages of different types",
            ));
        }
        siblings.push(sibling);
    }
    // Pool the cells and the dividers between the siblings.
    let mut items: Vec<Vec<u8>> = Vec::new();
    let count = siblings.len();
    for (j, sibling) in siblings.iter_mut().enumerate() {
        items.append(&mut sibling.cells);
        if j + 1 < count {
            let divider = &parent.cells[first + j];
            match kind {
                PageKind::TableLeaf => {}
                PageKind::IndexLeaf => items.push(convert_index_cell(divider, usable, None)?),
                _ => {
                    let mut d = divider.clone();
                    set_child(&mut d, sibling.right);
                    items.push(d);
                }
            }
        }
    }
    let final_right = siblings.last().map_or(0, |s| s.right);
    let promote = kind != PageKind::TableLeaf;
    let pages = distribute(&items, promote, usable - kind.header_size(), parent.pgno)?;
    // Reuse the siblings' pages, allocate more if needed, free what is left over.
    let old: Vec<PageNo> = siblings.iter().map(|s| s.pgno).collect();
    let mut pgnos = Vec::with_capacity(pages.len());
    for j in 0..pages.len() {
        pgnos.push(match old.get(j) {
            Some(&p) => p,
            None => w.allocate()?,
        });
    }
    for &p in old.iter().skip(pages.len()) {
        w.free(p)?;
    }
    let mut dividers = Vec::with_capacity(pages.len());
    for (j, range) in pages.iter().enumerate() {
        let is_last = j + 1 == pages.len();
        let right = if kind.is_leaf() {
            0
        } else if is_last {
            final_right
        } else {
            let d = &items[range.end];
            u32::from_be_bytes([d[0], d[1], d[2], d[3]])
        };
        // Written straight from the pooled cells (no copy into a node first).
        let data = w.page_mut(pgnos[j])?;
        write_page(data, pgnos[j], usable, kind, &items[range.clone()], right);
        if !is_last {
            dividers.push(match kind {
                PageKind::TableLeaf => {
                    let last_cell = items[..range.end]
                        .last()
                        .ok_or_else(|| Error::corrupt(parent.pgno, "empty page in balance"))?;
                    let rowid = parse_cell(last_cell, usable, kind, pgnos[j], 0)?.rowid;
                    build_cell(PageKind::TableInterior, pgnos[j], rowid, 0, &[], 0)
                }
                PageKind::IndexLeaf => {
                    convert_index_cell(&items[range.end], usable, Some(pgnos[j]))?
                }
                _ => {
                    let mut d = items[range.end].clone();
                    set_child(&mut d, pgnos[j]);
                    d
                }
            });
        }
    }
    // Replace the old dividers with the new ones.
    let last_pgno = pgnos.last().copied().unwrap_or(0);
    parent.cells.drain(first..last);
    match parent.cells.get_mut(first) {
        Some(cell) => set_child(cell, last_pgno),
        None => parent.right = last_pgno,
    }
    parent.cells.splice(first..first, dividers);
    Ok(())
}

/// Splits `items` into page ranges that each fit in `cap` bytes. With `promote`, the item
/// after each range (but the last) is the divider that goes up to the parent.
fn distribute(
    items: &[Vec<u8>],
    promote: bool,
    cap: usize,
    parent: PageNo,
) -> Result<Vec<Range<usize>>> {
    let size = |i: usize| items[i].len() + 2;
    let n = items.len();
    let mut pages: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        let mut used = 0;
        while i < n && used + size(i) <= cap {
            used += size(i);
            i += 1;
        }
        if i == n {
            pages.push(start..n);
            break;
        }
        if i == start {
            return Err(Error::corrupt(parent, "cell larger than a page"));
        }
        pages.push(start..i);
        if promote {
            if i + 1 == n {
                // The divider would be the last item: promote the one before it instead.
                if let Some(last) = pages.last_mut() {
                    last.end -= 1;
                }
                pages.push(i..n);
                break;
            }
            i += 1;
        }
    }
    // Even out neighbours from the right, moving cells while the right page stays smaller.
    for j in (1..pages.len()).rev() {
        let mut left: usize = pages[j - 1].clone().map(size).sum();
        let mut right: usize = pages[j].clone().map(size).sum();
        while pages[j - 1].len() > 1 {
            let le = pages[j - 1].end;
            let (gain, loss) = if promote {
                (size(le), size(le - 1))
            } else {
                (size(le - 1), size(le - 1))
            };
            if right + gain > cap || right + gain > left - loss {
                break;
            }
            right += gain;
            left -= loss;
            pages[j - 1].end -= 1;
            pages[j].start -= 1;
        }
    }
    Ok(pages)
}
