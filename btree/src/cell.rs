//! Cells: the four cell layouts and where a payload spills to overflow pages.

use concur_pager::PageNo;

use crate::error::{Error, Result};
use crate::page::PageKind;
use crate::varint::{read_varint, write_varint};

/// The largest payload kept entirely on the page: `X` in the file-format document.
pub fn max_local(usable: usize, kind: PageKind) -> usize {
    if kind == PageKind::TableLeaf {
        usable - 35
    } else {
        (usable - 12) * 64 / 255 - 23
    }
}

/// The smallest local part of a payload that spills: `M`.
pub fn min_local(usable: usize) -> usize {
    (usable - 12) * 32 / 255 - 23
}

/// How many bytes of a `payload`-byte payload are stored on the page itself.
pub fn local_size(usable: usize, kind: PageKind, payload: u64) -> usize {
    let max = max_local(usable, kind);
    if payload <= max as u64 {
        return payload as usize;
    }
    let min = min_local(usable) as u64;
    let k = min + (payload - min) % (usable as u64 - 4);
    if k <= max as u64 {
        k as usize
    } else {
        min as usize
    }
}

/// A cell decoded from a page: where its parts lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellInfo {
    /// Interior cells: the child page holding keys at or below this cell's key.
    pub left_child: PageNo,
    /// Table cells: the rowid (the key).
    pub rowid: i64,
    /// Leaf and index cells: the total payload size.
    pub payload_size: u64,
    /// Offset of the payload's first byte within the page.
    pub local_offset: usize,
    /// Bytes of payload stored on the page.
    pub local_size: usize,
    /// The first overflow page, 0 if the payload fits on the page.
    pub overflow: PageNo,
    /// Bytes the cell occupies on the page (at least 4, as SQLite allocates).
    pub size: usize,
}

/// Decodes the cell starting at `offset` of `page` (whose usable part is `page[..usable]`),
/// checking that every byte of it lies within the usable area.
#[inline]
pub fn parse_cell(
    page: &[u8],
    usable: usize,
    kind: PageKind,
    pgno: PageNo,
    offset: usize,
) -> Result<CellInfo> {
    if kind == PageKind::TableLeaf {
        if let Some(info) = parse_local_table_leaf_cell(page, usable, offset) {
            return Ok(info);
        }
    }
    parse_any_cell(page, usable, kind, pgno, offset)
}

/// The common cell of a scan: a table leaf cell whose payload fits on the page, read
/// without building error messages. `None` for any other (or a malformed) cell, which
/// [`parse_any_cell`] then reads, or reports.
#[inline]
pub(crate) fn parse_local_table_leaf_cell(
    page: &[u8],
    usable: usize,
    offset: usize,
) -> Option<CellInfo> {
    let limit = page.len().min(usable);
    let area = page.get(offset..limit)?;
    let (payload_size, a) = read_varint(area)?;
    let (rowid, b) = read_varint(area.get(a..)?)?;
    if payload_size > max_local(usable, PageKind::TableLeaf) as u64 {
        return None;
    }
    let local_size = payload_size as usize;
    let size = (a + b + local_size).max(4);
    if size > area.len() {
        return None;
    }
    Some(CellInfo {
        left_child: 0,
        rowid: rowid as i64,
        payload_size,
        local_offset: offset + a + b,
        local_size,
        overflow: 0,
        size,
    })
}

/// [`parse_cell`] for every layout, with a CORRUPT error naming what is wrong.
fn parse_any_cell(
    page: &[u8],
    usable: usize,
    kind: PageKind,
    pgno: PageNo,
    offset: usize,
) -> Result<CellInfo> {
    let bad = |what: &str| Error::corrupt(pgno, format!("cell at offset {offset}: {what}"));
    let limit = page.len().min(usable);
    let area = &page[..limit];
    let mut pos = offset;
    let mut info = CellInfo {
        left_child: 0,
        rowid: 0,
        payload_size: 0,
        local_offset: 0,
        local_size: 0,
        overflow: 0,
        size: 0,
    };
    if !kind.is_leaf() {
        let b = area
            .get(pos..pos + 4)
            .ok_or_else(|| bad("child pointer past page end"))?;
        info.left_child = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        pos += 4;
    }
    if kind != PageKind::TableInterior {
        let (n, len) = read_varint(area.get(pos..).unwrap_or(&[]))
            .ok_or_else(|| bad("payload size past page end"))?;
        info.payload_size = n;
        pos += len;
    }
    if kind.is_table() {
        let (r, len) = read_varint(area.get(pos..).unwrap_or(&[]))
            .ok_or_else(|| bad("rowid past page end"))?;
        info.rowid = r as i64;
        pos += len;
    }
    if kind == PageKind::TableInterior {
        info.size = (pos - offset).max(4);
        return Ok(info);
    }
    info.local_offset = pos;
    info.local_size = local_size(usable, kind, info.payload_size);
    pos += info.local_size;
    if info.local_size as u64 != info.payload_size {
        let b = area
            .get(pos..pos + 4)
            .ok_or_else(|| bad("overflow pointer past page end"))?;
        info.overflow = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        pos += 4;
    }
    info.size = (pos - offset).max(4);
    if offset + info.size > limit {
        return Err(bad("cell runs past the usable area"));
    }
    Ok(info)
}

/// Builds the on-page bytes of a cell whose payload's local part is `local` and whose
/// overflow chain (if any) starts at `overflow`. `left_child` is used by interior kinds,
/// `rowid` by table kinds. The result is padded to 4 bytes, SQLite's smallest cell.
pub fn build_cell(
    kind: PageKind,
    left_child: PageNo,
    rowid: i64,
    payload_size: u64,
    local: &[u8],
    overflow: PageNo,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(local.len() + 24);
    if !kind.is_leaf() {
        out.extend_from_slice(&left_child.to_be_bytes());
    }
    if kind != PageKind::TableInterior {
        write_varint(&mut out, payload_size);
    }
    if kind.is_table() {
        write_varint(&mut out, rowid as u64);
    }
    out.extend_from_slice(local);
    if overflow != 0 {
        out.extend_from_slice(&overflow.to_be_bytes());
    }
    while out.len() < 4 {
        out.push(0);
    }
    out
}

/// Rewrites an index cell from a leaf to an interior cell with child `left_child`, or back
/// (`left_child == None`), keeping its payload and overflow pointer.
pub fn convert_index_cell(
    cell: &[u8],
    usable: usize,
    left_child: Option<PageNo>,
) -> Result<Vec<u8>> {
    let from = if left_child.is_some() {
        PageKind::IndexLeaf
    } else {
        PageKind::IndexInterior
    };
    let info = parse_cell(cell, usable, from, 0, 0)?;
    let local = &cell[info.local_offset..info.local_offset + info.local_size];
    let (to, child) = match left_child {
        Some(c) => (PageKind::IndexInterior, c),
        None => (PageKind::IndexLeaf, 0),
    };
    Ok(build_cell(
        to,
        child,
        0,
        info.payload_size,
        local,
        info.overflow,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_match_the_file_format_for_4096() {
        assert_eq!(max_local(4096, PageKind::TableLeaf), 4061);
        assert_eq!(max_local(4096, PageKind::IndexLeaf), 1002);
        assert_eq!(min_local(4096), 489);
        assert_eq!(local_size(4096, PageKind::TableLeaf, 4061), 4061);
        // P = 4062: K = 489 + (4062-489) % 4092 = 4062 > X, so M.
        assert_eq!(local_size(4096, PageKind::TableLeaf, 4062), 489);
        // P = 4092 + 489 + 10: K = 499 <= X.
        assert_eq!(local_size(4096, PageKind::TableLeaf, 4092 + 499), 499);
    }

    #[test]
    fn cells_round_trip() {
        let cell = build_cell(PageKind::TableLeaf, 0, 300, 3, b"abc", 0);
        let mut page = vec![0u8; 512];
        page[100..100 + cell.len()].copy_from_slice(&cell);
        let info = parse_cell(&page, 512, PageKind::TableLeaf, 2, 100).unwrap();
        assert_eq!((info.rowid, info.payload_size, info.size), (300, 3, 6));
        let small = build_cell(PageKind::TableLeaf, 0, 1, 0, b"", 0);
        assert_eq!(small.len(), 4);
    }

    #[test]
    fn cell_past_the_end_is_corrupt() {
        let mut page = vec![0u8; 512];
        page[510] = 0x7f; // payload size 127 at offset 510
        let err = parse_cell(&page, 512, PageKind::IndexLeaf, 9, 510).unwrap_err();
        assert_eq!(err.corrupt_page(), Some(9));
    }
}
