//! The frame index: which frames hold which page, and where the commits are.
//!
//! This is the in-memory counterpart of SQLite's `-shm` hash tables. Frames are numbered from 1
//! in the order they were appended; only frames up to the last commit frame are ever added, so
//! every frame the index knows is committed.

use concur_pager::{PageMap, PageNo};

/// Page number to frames, and the commit frames with the database size each recorded.
#[derive(Debug, Default)]
pub struct FrameIndex {
    /// For each page in the WAL, the frames that hold it, ascending.
    pages: PageMap<PageNo, Vec<u64>>,
    /// Every commit frame, ascending, with the database size in pages after that commit.
    commits: Vec<(u64, u32)>,
}

impl FrameIndex {
    /// Records that `frame` holds `pgno`. Frames are added in ascending order.
    pub fn add_frame(&mut self, pgno: PageNo, frame: u64) {
        self.pages.entry(pgno).or_default().push(frame);
    }

    /// Records that `frame` is a commit frame after which the database has `db_pages` pages.
    pub fn add_commit(&mut self, frame: u64, db_pages: u32) {
        self.commits.push((frame, db_pages));
    }

    /// The newest frame holding `pgno` at or below `mark`.
    pub fn newest(&self, pgno: PageNo, mark: u64) -> Option<u64> {
        let frames = self.pages.get(&pgno)?;
        let below = frames.partition_point(|&f| f <= mark);
        below.checked_sub(1).and_then(|i| frames.get(i)).copied()
    }

    /// The database size recorded by the commit frame `mark`, if `mark` is one.
    pub fn db_pages_at(&self, mark: u64) -> Option<u32> {
        let i = self.commits.binary_search_by_key(&mark, |&(f, _)| f).ok()?;
        self.commits.get(i).map(|&(_, pages)| pages)
    }

    /// For every page with a frame in `(after, upto]`, the newest such frame, sorted by page
    /// number: the work list of a backfill.
    pub fn newest_between(&self, after: u64, upto: u64) -> Vec<(PageNo, u64)> {
        let mut out: Vec<(PageNo, u64)> = self
            .pages
            .iter()
            .filter_map(|(&pgno, frames)| {
                let below = frames.partition_point(|&f| f <= upto);
                let newest = *frames.get(below.checked_sub(1)?)?;
                (newest > after).then_some((pgno, newest))
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Forgets everything (the WAL was reset).
    pub fn clear(&mut self) {
        self.pages.clear();
        self.commits.clear();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> FrameIndex {
        let mut index = FrameIndex::default();
        // Commit 1: frames 1 (page 1), 2 (page 2). Commit 2: frames 3 (page 2), 4 (page 5).
        for (frame, pgno) in [(1, 1), (2, 2), (3, 2), (4, 5)] {
            index.add_frame(pgno, frame);
        }
        index.add_commit(2, 2);
        index.add_commit(4, 5);
        index
    }

    #[test]
    fn newest_respects_the_mark() {
        let index = sample();
        assert_eq!(index.newest(2, 2), Some(2));
        assert_eq!(index.newest(2, 4), Some(3));
        assert_eq!(index.newest(5, 2), None);
        assert_eq!(index.newest(5, 4), Some(4));
        assert_eq!(index.newest(1, 0), None);
        assert_eq!(index.newest(9, 4), None);
    }

    #[test]
    fn commit_sizes_are_found_by_frame() {
        let index = sample();
        assert_eq!(index.db_pages_at(2), Some(2));
        assert_eq!(index.db_pages_at(4), Some(5));
        assert_eq!(index.db_pages_at(3), None);
    }

    #[test]
    fn backfill_list_takes_the_newest_frame_in_range() {
        let index = sample();
        assert_eq!(index.newest_between(0, 4), vec![(1, 1), (2, 3), (5, 4)]);
        assert_eq!(index.newest_between(0, 2), vec![(1, 1), (2, 2)]);
        assert_eq!(index.newest_between(2, 4), vec![(2, 3), (5, 4)]);
        assert!(index.newest_between(4, 4).is_empty());
    }
}
