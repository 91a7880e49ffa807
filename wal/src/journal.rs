//! [`Wal`] as the pager's [`Journal`].

use crate::wal::Wal;
use concur_pager::{
    CheckpointMode, CheckpointResult, File, FrameKey, Journal, JournalSnapshot, PageNo, Result,
};

impl Journal for Wal {
    fn begin_read(&self) -> Result<JournalSnapshot> {
        Ok(Wal::begin_read(self))
    }

    fn end_read(&self, snapshot: &JournalSnapshot) {
        Wal::end_read(self, snapshot)
    }

    fn find_page(&self, snapshot: &JournalSnapshot, pgno: PageNo) -> Result<Option<FrameKey>> {
        Ok(Wal::find_page(self, snapshot, pgno)?)
    }

    fn read_frame(&self, key: FrameKey, buf: &mut [u8]) -> Result<()> {
        Ok(Wal::read_frame(self, key, buf)?)
    }

    fn commit(
        &self,
        base: &JournalSnapshot,
        pages: &[(PageNo, &[u8])],
        db_pages: u32,
    ) -> Result<JournalSnapshot> {
        Ok(Wal::commit(self, base, pages, db_pages)?)
    }

    fn checkpoint(
        &self,
        mode: CheckpointMode,
        db: &dyn File,
    ) -> Result<(CheckpointResult, Vec<PageNo>)> {
        Ok(Wal::checkpoint(self, mode, db)?)
    }
}
