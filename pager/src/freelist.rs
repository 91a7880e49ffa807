//! The freelist as SQLite lays it out: a chain of trunk pages, each listing leaf pages (format
//! in the crate essay). Allocation takes from it before growing the file.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::header::{be32, put_be32, DbHeader};
use crate::page::{PageBuf, PageNo, PageSource, PageWriter};
use crate::tx::WriteTx;

/// The byte offset SQLite's lock byte range starts at (1 GiB); the page holding it is never
/// used for data.
const PENDING_BYTE: u64 = 0x4000_0000;
/// The largest page count SQLite allows by default (`SQLITE_MAX_PAGE_COUNT`).
const MAX_PAGE_COUNT: u32 = 0xFFFF_FFFE;

/// The page that holds the pending byte, for pages of `page_size` bytes.
pub fn pending_byte_page(page_size: usize) -> PageNo {
    u32::try_from(PENDING_BYTE / page_size.max(1) as u64 + 1).unwrap_or(PageNo::MAX)
}

/// The most leaves a trunk may hold before the file counts as corrupt (`usable/4 - 2`).
pub fn max_leaves(usable_size: usize) -> u32 {
    (usable_size / 4).saturating_sub(2) as u32
}

/// The most leaves the pager puts on a trunk (`usable/4 - 8`, as SQLite does so that very old
/// readers, which had an off-by-six bug, still read the file).
pub fn safe_leaves(usable_size: usize) -> u32 {
    (usable_size / 4).saturating_sub(8) as u32
}

/// Walks the whole freelist from `trunk`, checking every trunk and leaf is a page of the
/// database, appears once, and that there are exactly `count` of them. Returns them in chain
/// order (each trunk followed by its leaves). Reads at most `page_count` pages: a cycle or a
/// chain longer than `count` stops the walk with CORRUPT naming the page.
pub fn check<S: PageSource + ?Sized>(src: &S, trunk: PageNo, count: u32) -> Result<Vec<PageNo>> {
    let page_count = src.page_count();
    let pending = pending_byte_page(src.page_size());
    let limit = max_leaves(src.usable_size());
    let mut seen: HashSet<PageNo> = HashSet::new();
    let mut pages = Vec::new();
    let in_range = |p: PageNo| p >= 2 && p <= page_count && p != pending;
    let mut next = trunk;
    while next != 0 {
        let t = next;
        if !in_range(t) {
            return Err(Error::corrupt(t, "freelist trunk page out of range"));
        }
        if !seen.insert(t) {
            return Err(Error::corrupt(t, "freelist trunk chain has a cycle"));
        }
        if pages.len() as u64 >= count as u64 {
            return Err(Error::corrupt(t, "freelist longer than the header's count"));
        }
        pages.push(t);
        let image = src.page(t)?;
        let leaves = be32(&image, 4);
        if leaves > limit {
            return Err(Error::corrupt(
                t,
                format!("freelist trunk has {leaves} leaves"),
            ));
        }
        for i in 0..leaves as usize {
            let leaf = be32(&image, 8 + 4 * i);
            if !in_range(leaf) {
                return Err(Error::corrupt(
                    t,
                    format!("freelist leaf {leaf} out of range"),
                ));
            }
            if !seen.insert(leaf) {
                return Err(Error::corrupt(
                    t,
                    format!("freelist leaf {leaf} listed twice"),
                ));
            }
            pages.push(leaf);
        }
        next = be32(&image, 0);
    }
    if pages.len() as u64 != count as u64 {
        return Err(Error::corrupt(
            1,
            format!("freelist holds {} pages, header says {count}", pages.len()),
        ));
    }
    Ok(pages)
}

/// Takes a page: a leaf of the first trunk, else the trunk itself, else a new page at the end
/// (skipping the pending-byte page). An empty database gets page 1 with a fresh header.
pub(crate) fn allocate(tx: &mut WriteTx) -> Result<PageNo> {
    let page_size = tx.page_size();
    if tx.page_count == 0 {
        let mut page = PageBuf::zeroed(page_size);
        let size = u32::try_from(page_size).map_err(|_| Error::Misuse("page size"))?;
        DbHeader::new(size).write(&mut page);
        tx.page_count = 1;
        tx.freelist_trunk = 0;
        tx.freelist_count = 0;
        tx.set_page(1, page);
        tx.mark_allocated(1);
        return Ok(1);
    }
    let pgno = if tx.freelist_count > 0 {
        take_from_freelist(tx)?
    } else {
        let mut next = tx.page_count.checked_add(1).ok_or(Error::Full)?;
        if next == pending_byte_page(page_size) {
            next = next.checked_add(1).ok_or(Error::Full)?;
        }
        if next > MAX_PAGE_COUNT {
            return Err(Error::Full);
        }
        tx.page_count = next;
        next
    };
    if !tx.mark_allocated(pgno) {
        return Err(Error::corrupt(
            pgno,
            "freelist hands out a page already in use",
        ));
    }
    tx.set_page(pgno, PageBuf::zeroed(page_size));
    Ok(pgno)
}

/// Removes one page from the freelist and returns it.
fn take_from_freelist(tx: &mut WriteTx) -> Result<PageNo> {
    let trunk = tx.freelist_trunk;
    let page_count = tx.page_count;
    let pending = pending_byte_page(tx.page_size());
    let in_range = |p: PageNo| p >= 2 && p <= page_count && p != pending;
    if !in_range(trunk) {
        return Err(Error::corrupt(
            if trunk == 0 { 1 } else { trunk },
            "freelist trunk page out of range",
        ));
    }
    let image = tx.page(trunk)?;
    let next = be32(&image, 0);
    let leaves = be32(&image, 4);
    if leaves > max_leaves(tx.usable_size()) {
        return Err(Error::corrupt(
            trunk,
            format!("freelist trunk has {leaves} leaves"),
        ));
    }
    if (tx.freelist_count as u64) < leaves as u64 + 1 {
        return Err(Error::corrupt(
            1,
            "freelist count smaller than its first trunk holds",
        ));
    }
    if leaves == 0 {
        if next != 0 && (!in_range(next) || next == trunk) {
            return Err(Error::corrupt(
                trunk,
                format!("next freelist trunk {next} invalid"),
            ));
        }
        tx.freelist_trunk = next;
        tx.freelist_count -= 1;
        return Ok(trunk);
    }
    let at = 8 + 4 * (leaves as usize - 1);
    let leaf = be32(&image, at);
    if !in_range(leaf) || leaf == trunk {
        return Err(Error::corrupt(
            trunk,
            format!("freelist leaf {leaf} out of range"),
        ));
    }
    let page = tx.page_mut(trunk)?;
    put_be32(page, 4, leaves - 1);
    put_be32(page, at, 0);
    tx.freelist_count -= 1;
    Ok(leaf)
}

/// Puts `pgno` on the freelist: as a leaf of the first trunk when it has room for another
/// (SQLite's `usable/4 - 8` limit), else as the new first trunk.
pub(crate) fn free(tx: &mut WriteTx, pgno: PageNo) -> Result<()> {
    let page_count = tx.page_count;
    let pending = pending_byte_page(tx.page_size());
    if pgno < 2 || pgno > page_count || pgno == pending {
        return Err(Error::corrupt(pgno, "freeing a page that cannot be free"));
    }
    tx.unmark_allocated(pgno);
    let trunk = tx.freelist_trunk;
    if tx.freelist_count > 0 && trunk != 0 {
        if trunk == pgno {
            return Err(Error::corrupt(pgno, "page freed twice"));
        }
        if trunk < 2 || trunk > page_count {
            return Err(Error::corrupt(trunk, "freelist trunk page out of range"));
        }
        let leaves = be32(&tx.page(trunk)?, 4);
        if leaves > max_leaves(tx.usable_size()) {
            return Err(Error::corrupt(
                trunk,
                format!("freelist trunk has {leaves} leaves"),
            ));
        }
        if leaves < safe_leaves(tx.usable_size()) {
            let page = tx.page_mut(trunk)?;
            put_be32(page, 4, leaves + 1);
            put_be32(page, 8 + 4 * leaves as usize, pgno);
            tx.freelist_count += 1;
            return Ok(());
        }
    }
    let mut page = PageBuf::zeroed(tx.page_size());
    put_be32(&mut page, 0, if tx.freelist_count > 0 { trunk } else { 0 });
    tx.set_page(pgno, page);
    tx.freelist_trunk = pgno;
    tx.freelist_count += 1;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_byte_page_is_the_page_holding_offset_2_pow_30() {
        assert_eq!(pending_byte_page(512), 2_097_153);
        assert_eq!(pending_byte_page(4096), 262_145);
        assert_eq!(pending_byte_page(65536), 16_385);
    }

    #[test]
    fn trunk_limits_follow_sqlite() {
        assert_eq!(max_leaves(4096), 1022);
        assert_eq!(safe_leaves(4096), 1016);
        assert_eq!(safe_leaves(480), 112);
    }
}
