//! Overflow chains: the part of a payload that does not fit on its B-tree page.
//!
//! Each overflow page holds a 4-byte big-endian pointer to the next page (0 on the last)
//! followed by `usable - 4` bytes of payload. A chain for a payload of `P` bytes with `L` bytes
//! local has exactly `ceil((P - L) / (usable - 4))` pages; readers stop there, so a cycle or an
//! overlong chain can never loop.

use concur_pager::{PageNo, PageSource, PageWriter};

use crate::cell::{build_cell, local_size, CellInfo};
use crate::error::{Error, Result};
use crate::page::PageKind;

/// The number of overflow pages a payload of `payload` bytes with `local` bytes on the page
/// needs.
pub fn chain_len(usable: usize, payload: u64, local: usize) -> u64 {
    (payload - local as u64).div_ceil(usable as u64 - 4)
}

/// Checks that `next`, named by page `from`, is a page that can be an overflow page.
fn check_link<S: PageSource + ?Sized>(src: &S, from: PageNo, next: PageNo) -> Result<()> {
    if next < 2 || next > src.page_count() {
        return Err(Error::corrupt(
            from,
            format!("overflow page {next} out of range"),
        ));
    }
    Ok(())
}

/// Reads the whole payload of a cell of page `pgno` (`page` is its image): the local bytes
/// then the overflow chain.
pub fn read_payload<S: PageSource + ?Sized>(
    src: &S,
    pgno: PageNo,
    page: &[u8],
    info: &CellInfo,
) -> Result<Vec<u8>> {
    let usable = src.usable_size();
    let total = usize::try_from(info.payload_size).map_err(|_| Error::TooBig)?;
    // A chain longer than the file is a lie; checking first also bounds the allocation.
    let pages = chain_len(usable, info.payload_size, info.local_size);
    if total > crate::record::MAX_RECORD_LEN || pages > u64::from(src.page_count()) {
        return Err(Error::corrupt(pgno, format!("payload of {total} bytes")));
    }
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&page[info.local_offset..info.local_offset + info.local_size]);
    let mut next = info.overflow;
    let mut from = pgno;
    while out.len() < total {
        check_link(src, from, next)?;
        let ovfl = src.page(next)?;
        let take = (total - out.len()).min(usable - 4);
        let bytes = ovfl
            .get(4..4 + take)
            .ok_or_else(|| Error::corrupt(next, "short overflow page"))?;
        out.extend_from_slice(bytes);
        from = next;
        next = u32::from_be_bytes([ovfl[0], ovfl[1], ovfl[2], ovfl[3]]);
    }
    Ok(out)
}

/// Frees the overflow chain of a cell (nothing if it has none).
pub fn free_chain<W: PageWriter + ?Sized>(w: &mut W, pgno: PageNo, info: &CellInfo) -> Result<()> {
    if info.overflow == 0 {
        return Ok(());
    }
    let pages = chain_len(w.usable_size(), info.payload_size, info.local_size);
    if pages > u64::from(w.page_count()) {
        return Err(Error::corrupt(pgno, "overflow chain longer than the file"));
    }
    let (mut from, mut next) = (pgno, info.overflow);
    for _ in 0..pages {
        check_link(w, from, next)?;
        let ovfl = w.page(next)?;
        let following = u32::from_be_bytes([ovfl[0], ovfl[1], ovfl[2], ovfl[3]]);
        w.free(next)?;
        from = next;
        next = following;
    }
    Ok(())
}

/// Builds a cell of `kind` for `payload`, writing the part that does not fit on the page to
/// a new overflow chain.
pub fn make_cell<W: PageWriter + ?Sized>(
    w: &mut W,
    kind: PageKind,
    left_child: PageNo,
    rowid: i64,
    payload: &[u8],
) -> Result<Vec<u8>> {
    if payload.len() > crate::record::MAX_RECORD_LEN {
        return Err(Error::TooBig);
    }
    let usable = w.usable_size();
    let local = local_size(usable, kind, payload.len() as u64);
    let rest = &payload[local..];
    let mut first = 0;
    if !rest.is_empty() {
        // Allocate the chain front to back, linking each page to the next.
        let chunks: Vec<&[u8]> = rest.chunks(usable - 4).collect();
        let mut pages = Vec::with_capacity(chunks.len());
        for _ in 0..chunks.len() {
            pages.push(w.allocate()?);
        }
        for (i, chunk) in chunks.iter().enumerate() {
            let next = pages.get(i + 1).copied().unwrap_or(0);
            let data = w.page_mut(pages[i])?;
            data[..4].copy_from_slice(&next.to_be_bytes());
            data[4..4 + chunk.len()].copy_from_slice(chunk);
            data[4 + chunk.len()..].fill(0);
        }
        first = pages[0];
    }
    Ok(build_cell(
        kind,
        left_child,
        rowid,
        payload.len() as u64,
        &payload[..local],
        first,
    ))
}
