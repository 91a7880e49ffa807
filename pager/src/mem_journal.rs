//! [`MemJournal`]: a journal that keeps committed page images in memory as numbered frames, the
//! way the WAL keeps them in the `-wal` file, with the same snapshot and checkpoint rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::file::File;
use crate::journal::{CheckpointMode, CheckpointResult, FrameKey, Journal, JournalSnapshot};
use crate::page::PageNo;

/// One committed page image.
#[derive(Debug)]
struct MemFrame {
    /// The page it is an image of.
    pgno: PageNo,
    /// The image, shared with checkpoints in progress.
    image: Arc<[u8]>,
}

/// Everything behind the journal's lock.
#[derive(Debug, Default)]
struct MemState {
    /// Bumped on every reset, so frame numbers of different incarnations never alias.
    generation: u64,
    /// Frame `n` (1-based) is `frames[n - 1]`.
    frames: Vec<MemFrame>,
    /// For each page, the frames holding it, ascending.
    index: HashMap<PageNo, Vec<u64>>,
    /// For each commit, its last frame and the database size after it.
    commits: BTreeMap<u64, u32>,
    /// Frames `1..=backfilled` have been copied into the database file.
    backfilled: u64,
    /// Registered snapshots: `(generation, mark)` -> how many readers hold it.
    readers: BTreeMap<(u64, u64), usize>,
    /// The length of the frames' images.
    page_size: Option<u32>,
}

impl MemState {
    /// The snapshot of the latest commit.
    fn latest(&self) -> JournalSnapshot {
        let mark = self.frames.len() as u64;
        JournalSnapshot {
            mark,
            generation: self.generation,
            db_pages: self.commits.get(&mark).copied(),
        }
    }

    /// The last frame a checkpoint may copy now: no registered reader may see the database
    /// file change under it, so nothing past the oldest reader's mark (and nothing at all
    /// while a reader of an older generation still reads the file alone).
    fn backfill_limit(&self) -> u64 {
        let mut limit = self.frames.len() as u64;
        for &(generation, mark) in self.readers.keys() {
            if generation != self.generation {
                return self.backfilled;
            }
            limit = limit.min(mark);
        }
        limit.max(self.backfilled)
    }
}

/// A journal in memory with WAL semantics: numbered frames, snapshots as frame marks, and a
/// checkpoint that copies the newest image of each page no reader still needs into the
/// database file, then starts a new generation once everything is copied and nobody reads.
#[derive(Debug, Default)]
pub struct MemJournal {
    /// Frames, index, readers.
    state: Mutex<MemState>,
    /// Serialises checkpoints (the state lock is not held while pages are written).
    checkpointing: Mutex<()>,
}

impl MemJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Frames currently held (all generations' old frames are gone after a reset).
    pub fn frame_count(&self) -> u64 {
        self.state.lock().frames.len() as u64
    }

    /// Readers currently registered.
    pub fn reader_count(&self) -> usize {
        self.state.lock().readers.values().sum()
    }
}

impl Journal for MemJournal {
    fn begin_read(&self) -> Result<JournalSnapshot> {
        let mut state = self.state.lock();
        let snapshot = state.latest();
        *state
            .readers
            .entry((snapshot.generation, snapshot.mark))
            .or_insert(0) += 1;
        Ok(snapshot)
    }

    fn end_read(&self, snapshot: &JournalSnapshot) {
        let mut state = self.state.lock();
        let key = (snapshot.generation, snapshot.mark);
        if let Some(count) = state.readers.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                state.readers.remove(&key);
            }
        }
    }

    fn find_page(&self, snapshot: &JournalSnapshot, pgno: PageNo) -> Result<Option<FrameKey>> {
        let state = self.state.lock();
        if snapshot.generation != state.generation {
            return Ok(None);
        }
        let Some(frames) = state.index.get(&pgno) else {
            return Ok(None);
        };
        let visible = frames.partition_point(|&f| f <= snapshot.mark);
        Ok(visible
            .checked_sub(1)
            .and_then(|i| frames.get(i))
            .map(|&frame| FrameKey {
                generation: state.generation,
                frame,
            }))
    }

    fn read_frame(&self, key: FrameKey, buf: &mut [u8]) -> Result<()> {
        let state = self.state.lock();
        let frame = (key.generation == state.generation)
            .then(|| key.frame.checked_sub(1))
            .flatten()
            .and_then(|i| state.frames.get(usize::try_from(i).ok()?));
        let Some(frame) = frame else {
            return Err(Error::corrupt(
                0,
                format!(
                    "journal frame {} of generation {} is gone",
                    key.frame, key.generation
                ),
            ));
        };
        if frame.image.len() != buf.len() {
            return Err(Error::corrupt(
                frame.pgno,
                "journal frame has another page size",
            ));
        }
        buf.copy_from_slice(&frame.image);
        Ok(())
    }

    fn commit(
        &self,
        base: &JournalSnapshot,
        pages: &[(PageNo, &[u8])],
        db_pages: u32,
    ) -> Result<JournalSnapshot> {
        let mut state = self.state.lock();
        let latest = state.latest();
        if base.generation != latest.generation || base.mark != latest.mark {
            return Err(Error::Misuse(
                "journal commit on a snapshot that is not the latest",
            ));
        }
        for (pgno, image) in pages {
            if let Some(size) = state.page_size {
                if size as usize != image.len() {
                    return Err(Error::Misuse("journal commit with pages of another size"));
                }
            }
            state.page_size = u32::try_from(image.len()).ok();
            state.frames.push(MemFrame {
                pgno: *pgno,
                image: Arc::from(*image),
            });
            let frame = state.frames.len() as u64;
            state.index.entry(*pgno).or_default().push(frame);
        }
        let mark = state.frames.len() as u64;
        state.commits.insert(mark, db_pages);
        Ok(state.latest())
    }

    fn checkpoint(
        &self,
        mode: CheckpointMode,
        db: &dyn File,
    ) -> Result<(CheckpointResult, Vec<PageNo>)> {
        let _one_at_a_time = self.checkpointing.lock();
        // Plan under the lock: the newest image of each page in (backfilled, limit].
        let (limit, plan, db_pages, page_size) = {
            let state = self.state.lock();
            let limit = state.backfill_limit();
            let mut newest: BTreeMap<PageNo, Arc<[u8]>> = BTreeMap::new();
            let from = usize::try_from(state.backfilled).unwrap_or(usize::MAX);
            let to = usize::try_from(limit).unwrap_or(usize::MAX);
            for frame in state.frames.get(from..to).unwrap_or(&[]) {
                newest.insert(frame.pgno, Arc::clone(&frame.image));
            }
            let db_pages = state.commits.get(&limit).copied();
            (limit, newest, db_pages, state.page_size.unwrap_or(0) as u64)
        };
        // Write without the lock: readers that begin meanwhile see a mark >= limit, so they
        // read these pages from frames, never from the file being written.
        if !plan.is_empty() {
            let writes: Vec<(u64, &[u8])> = plan
                .iter()
                .map(|(pgno, image)| (((*pgno as u64).saturating_sub(1)) * page_size, &image[..]))
                .collect();
            db.write_batch(&writes, true)?;
        }
        let mut state = self.state.lock();
        if limit > state.backfilled {
            state.backfilled = limit;
        }
        let total = state.frames.len() as u64;
        let complete = state.backfilled == total;
        if complete && total > 0 {
            if let Some(pages) = db_pages {
                let want = pages as u64 * page_size;
                if db.size()? > want {
                    db.set_len(want)?;
                    db.sync()?;
                }
            }
        }
        let mut reset = false;
        if complete && total > 0 && state.readers.is_empty() {
            state.generation += 1;
            state.frames.clear();
            state.index.clear();
            state.commits.clear();
            state.backfilled = 0;
            reset = true;
        }
        let busy = match mode {
            CheckpointMode::Passive => false,
            CheckpointMode::Full => !complete,
            CheckpointMode::Restart | CheckpointMode::Truncate => {
                !complete || (total > 0 && !reset)
            }
        };
        let result = CheckpointResult {
            busy,
            log_frames: total,
            backfilled_frames: if reset { total } else { state.backfilled },
        };
        Ok((result, plan.into_keys().collect()))
    }

    fn page_size(&self) -> Option<u32> {
        self.state.lock().page_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::MemFile;

    fn page(byte: u8) -> Vec<u8> {
        vec![byte; 512]
    }

    #[test]
    fn snapshots_see_the_newest_frame_at_or_below_their_mark() {
        let j = MemJournal::new();
        let s0 = j.begin_read().unwrap();
        assert_eq!((s0.mark, s0.db_pages), (0, None));
        let s1 = j.commit(&s0, &[(1, &page(1)), (2, &page(2))], 2).unwrap();
        let s2 = j.commit(&s1, &[(2, &page(22))], 3).unwrap();
        assert_eq!(
            (s1.mark, s1.db_pages, s2.mark, s2.db_pages),
            (2, Some(2), 3, Some(3))
        );
        assert_eq!(j.find_page(&s0, 2).unwrap(), None);
        let k1 = j.find_page(&s1, 2).unwrap().unwrap();
        let k2 = j.find_page(&s2, 2).unwrap().unwrap();
        assert_eq!((k1.frame, k2.frame), (2, 3));
        let mut buf = page(0);
        j.read_frame(k1, &mut buf).unwrap();
        assert_eq!(buf[0], 2);
        assert!(matches!(
            j.commit(&s1, &[(3, &page(3))], 3),
            Err(Error::Misuse(_))
        ));
        j.end_read(&s0);
        assert_eq!(j.reader_count(), 0);
    }

    #[test]
    fn checkpoint_stops_at_the_oldest_reader_and_resets_when_idle() {
        let j = MemJournal::new();
        let db = MemFile::new();
        let base = j.begin_read().unwrap();
        let s1 = j.commit(&base, &[(1, &page(1))], 1).unwrap();
        j.end_read(&base);
        let reader = j.begin_read().unwrap();
        assert_eq!(reader, s1);
        j.commit(&s1, &[(1, &page(9)), (2, &page(2))], 2).unwrap();
        let (r, written) = j.checkpoint(CheckpointMode::Full, &db).unwrap();
        assert!(r.busy);
        assert_eq!((r.log_frames, r.backfilled_frames), (3, 1));
        assert_eq!(written, vec![1]);
        assert_eq!(
            db.to_vec(),
            page(1),
            "the reader's version, not the newer one"
        );
        j.end_read(&reader);
        let (r, written) = j.checkpoint(CheckpointMode::Truncate, &db).unwrap();
        assert!(!r.busy);
        assert_eq!(written, vec![1, 2]);
        assert_eq!(db.to_vec(), [page(9), page(2)].concat());
        assert_eq!(j.frame_count(), 0);
        let fresh = j.begin_read().unwrap();
        assert_eq!((fresh.generation, fresh.mark, fresh.db_pages), (1, 0, None));
        assert_eq!(j.find_page(&fresh, 1).unwrap(), None);
    }
}
