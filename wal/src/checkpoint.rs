//! Checkpoints: backfilling committed frames into the database file, and resetting the WAL.

use crate::error::{Error, Result};
use crate::recovery::read_full;
use crate::wal::{SyncMode, Wal, WalState};
use concur_pager::{CheckpointMode, CheckpointResult, File, PageNo};
use parking_lot::MutexGuard;
use std::time::Instant;

/// Pages copied per write batch during a backfill.
const BACKFILL_BATCH: usize = 64;

impl Wal {
    /// Runs a checkpoint in `mode` against the database file `db` and reports it as
    /// `PRAGMA wal_checkpoint` does; also returns the pages written to `db`.
    ///
    /// - PASSIVE copies the newest frame of each page up to the oldest running reader's mark
    ///   and never waits.
    /// - FULL first waits (up to the busy timeout, holding off new commits) until no reader
    ///   needs an older state, then copies everything; `busy` if readers were still there.
    /// - RESTART does FULL, then waits until no reader reads the WAL and resets it, so the next
    ///   commit starts at frame 1 under new salts.
    /// - TRUNCATE does RESTART and truncates the WAL file to 0 bytes; it reports 0 frames.
    pub fn checkpoint(
        &self,
        mode: CheckpointMode,
        db: &dyn File,
    ) -> Result<(CheckpointResult, Vec<PageNo>)> {
        let _checkpointer = self.checkpointer.lock();
        let _writer = (mode != CheckpointMode::Passive).then(|| self.writer.lock());
        let deadline = Instant::now() + self.config.busy_timeout;
        let mut st = self.lock_state();
        if st.poisoned {
            return Err(Error::Poisoned);
        }
        if mode != CheckpointMode::Passive {
            while backfill_blocked(&st, self.frames.read().max_frame) && Instant::now() < deadline {
                self.reader_left.wait_until(&mut st, deadline);
            }
        }
        let max = self.frames.read().max_frame;
        let from = st.backfilled;
        let safe = st.oldest_reader().map_or(max, |mark| mark.min(max));
        let mut written = Vec::new();
        if safe > from {
            let frames = self.frames.read();
            let db_pages = frames.index.db_pages_at(safe);
            let mut work = frames.index.newest_between(from, safe);
            drop(frames);
            if let Some(limit) = db_pages {
                work.retain(|&(pgno, _)| pgno <= limit);
            }
            // Frames 1..=safe stay put while we copy: a reset needs backfilled == max_frame,
            // and only this checkpoint (we hold its lock) moves `backfilled`.
            drop(st);
            if let Err(error) =
                self.backfill(&work, db, (safe == max).then_some(db_pages).flatten())
            {
                self.lock_state().poisoned = true;
                return Err(error);
            }
            written = work.into_iter().map(|(pgno, _)| pgno).collect();
            st = self.lock_state();
            st.backfilled = safe;
            tracing::debug!(from, to = safe, pages = written.len(), "backfilled WAL");
        }
        let mut result = CheckpointResult {
            busy: false,
            log_frames: max,
            backfilled_frames: st.backfilled,
        };
        if mode == CheckpointMode::Passive {
            return Ok((result, written));
        }
        result.busy = st.backfilled < self.frames.read().max_frame;
        if result.busy || mode == CheckpointMode::Full {
            return Ok((result, written));
        }
        while st.readers_in_wal() && Instant::now() < deadline {
            self.reader_left.wait_until(&mut st, deadline);
        }
        if st.readers_in_wal() {
            result.busy = true;
            return Ok((result, written));
        }
        st.reset(&mut self.frames.write());
        if mode == CheckpointMode::Truncate {
            // Under the state lock: no commit can write a new header before the file is empty.
            if let Err(error) = self.truncate_file() {
                st.poisoned = true;
                return Err(error);
            }
            result.log_frames = 0;
            result.backfilled_frames = 0;
        }
        Ok((result, written))
    }

    /// Copies each `(page, frame)` of `work` into `db`, in batches, after making the WAL
    /// durable; then sets the database size to `db_pages` when given, and syncs `db`.
    fn backfill(&self, work: &[(PageNo, u64)], db: &dyn File, db_pages: Option<u32>) -> Result<()> {
        let syncs = self.sync_mode() != SyncMode::Off;
        if syncs {
            self.file.sync()?;
        }
        let page_size = self.page_size as usize;
        let mut images = vec![0u8; page_size * BACKFILL_BATCH.min(work.len())];
        for batch in work.chunks(BACKFILL_BATCH) {
            for (&(_, frame), image) in batch.iter().zip(images.chunks_exact_mut(page_size)) {
                let offset = self.frame_offset(frame) + crate::header::FRAME_HEADER_SIZE as u64;
                if read_full(self.file.as_ref(), image, offset)? < page_size {
                    return Err(concur_pager::Error::Corrupt {
                        page: 0,
                        reason: format!("WAL frame {frame} is cut short"),
                    }
                    .into());
                }
            }
            let writes: Vec<(u64, &[u8])> = batch
                .iter()
                .zip(images.chunks_exact(page_size))
                .map(|(&(pgno, _), image)| ((u64::from(pgno) - 1) * page_size as u64, image))
                .collect();
            db.write_batch(&writes, false)?;
        }
        if let Some(pages) = db_pages {
            db.set_len(u64::from(pages) * page_size as u64)?;
        }
        if syncs {
            db.sync()?;
        }
        Ok(())
    }

    /// Empties the WAL file (TRUNCATE mode).
    fn truncate_file(&self) -> Result<()> {
        self.file.set_len(0)?;
        if self.sync_mode() != SyncMode::Off {
            self.file.sync()?;
        }
        Ok(())
    }
}

/// True while some reader holds a mark below the last commit and there is something to copy:
/// a FULL checkpoint cannot finish until such readers end.
fn backfill_blocked(st: &MutexGuard<'_, WalState>, max_frame: u64) -> bool {
    st.backfilled < max_frame && st.oldest_reader().is_some_and(|mark| mark < max_frame)
}
