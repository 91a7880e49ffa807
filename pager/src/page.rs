//! Page numbers, page images and the two traits the B-tree layer reads and writes pages through.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::error::Result;

/// A page number. Page 1 is the first page of the file; 0 means "no page".
pub type PageNo = u32;

/// One page image, exactly `page_size` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PageBuf(Box<[u8]>);

impl PageBuf {
    /// A zeroed page of `size` bytes.
    pub fn zeroed(size: usize) -> Self {
        PageBuf(vec![0; size].into_boxed_slice())
    }
}

impl From<Vec<u8>> for PageBuf {
    fn from(bytes: Vec<u8>) -> Self {
        PageBuf(bytes.into_boxed_slice())
    }
}

impl Deref for PageBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for PageBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl std::fmt::Debug for PageBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PageBuf({} bytes)", self.0.len())
    }
}

/// A shared, immutable page image as read by a transaction.
pub type PageRef = Arc<PageBuf>;

/// Read access to a consistent set of pages: implemented by [`crate::ReadTx`] and
/// [`crate::WriteTx`].
pub trait PageSource {
    /// The page `pgno` (1-based). CORRUPT if `pgno` is 0 or past the page count.
    fn page(&self, pgno: PageNo) -> Result<PageRef>;
    /// The database size in pages, as this transaction sees it.
    fn page_count(&self) -> u32;
    /// The page size in bytes.
    fn page_size(&self) -> usize;
    /// Usable bytes per page (page size minus the reserved bytes of header byte 20).
    fn usable_size(&self) -> usize;
}

/// A borrowed source reads the same pages, so code generic over `S: PageSource` takes both
/// owned handles and `&tx`.
impl<T: PageSource + ?Sized> PageSource for &T {
    fn page(&self, pgno: PageNo) -> Result<PageRef> {
        (**self).page(pgno)
    }
    fn page_count(&self) -> u32 {
        (**self).page_count()
    }
    fn page_size(&self) -> usize {
        (**self).page_size()
    }
    fn usable_size(&self) -> usize {
        (**self).usable_size()
    }
}

/// Write access within one write transaction: implemented by [`crate::WriteTx`].
///
/// Rules the pager keeps for its callers:
/// - `allocate` on an empty database returns page 1 with the 100-byte header already filled in
///   (page size, WAL mode bytes 18/19 = 2, UTF-8, schema format 4, fractions 64/32/32); the rest
///   of page 1 is zero and belongs to the caller (the B-tree layer puts `sqlite_schema` there).
/// - `allocate` otherwise takes a page from the freelist (a leaf of the first trunk, or the trunk
///   itself when it has no leaves) before it grows the file; the page it returns is zeroed.
/// - `free` puts a page on the freelist; freeing page 1 or a page past the end is CORRUPT.
/// - The pager owns header fields 24..40 and 92..100 (change counter, page count, freelist, version
///   valid-for) and keeps them right at commit; the caller may change the others through
///   [`crate::DbHeader`] on page 1 (schema cookie, user version, ...).
pub trait PageWriter: PageSource {
    /// A writable image of page `pgno`, copied from the committed image on first write.
    fn page_mut(&mut self, pgno: PageNo) -> Result<&mut PageBuf>;
    /// Allocates a page (freelist first, then growth). The returned page is zeroed and dirty.
    fn allocate(&mut self) -> Result<PageNo>;
    /// Returns page `pgno` to the freelist.
    fn free(&mut self, pgno: PageNo) -> Result<()>;
}
