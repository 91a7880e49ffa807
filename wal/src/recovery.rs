//! Recovery: rebuilding the frame index from the WAL file, as SQLite does when it rebuilds the
//! `-shm` file.

use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::header::{check_frame, WalHeader, FRAME_HEADER_SIZE, WAL_HEADER_SIZE};
use crate::index::FrameIndex;
use concur_pager::{File, PageNo};

/// Frames read per call while scanning.
const SCAN_FRAMES: u64 = 64;

/// What recovery found in a WAL file.
#[derive(Debug, Default)]
pub struct Recovered {
    /// The WAL header, when it was intact.
    pub header: Option<WalHeader>,
    /// The last valid commit frame (0: none).
    pub max_frame: u64,
    /// The checksum through `max_frame` (the header's when it is 0).
    pub checksum: Checksum,
    /// Every frame up to `max_frame`, by page.
    pub index: FrameIndex,
    /// The database size recorded by the commit frame `max_frame`.
    pub db_pages: Option<u32>,
}

/// Reads `file` from the start: the header, then frames until the first one that is cut short,
/// carries other salts, has page number 0 or breaks the checksum chain. Only frames up to the
/// last valid commit frame count; the ones after it are an unfinished transaction.
pub fn recover(file: &dyn File, page_size: u32) -> Result<Recovered> {
    let size = file.size()?;
    let mut head = [0u8; WAL_HEADER_SIZE];
    if size < WAL_HEADER_SIZE as u64 || read_full(file, &mut head, 0)? < WAL_HEADER_SIZE {
        return Ok(Recovered::default());
    }
    let Some(header) = WalHeader::decode(&head)? else {
        return Ok(Recovered::default());
    };
    let frame_size = FRAME_HEADER_SIZE as u64 + u64::from(header.page_size);
    let mut found = Recovered {
        header: Some(header),
        checksum: header.checksum(),
        ..Recovered::default()
    };
    let mut running = found.checksum;
    let mut pending: Vec<(PageNo, u64)> = Vec::new();
    let whole_frames = (size - WAL_HEADER_SIZE as u64) / frame_size;
    let last_frame = whole_frames.min(u64::from(u32::MAX));
    let mut buf = Vec::new();
    let mut next = 1u64;
    'scan: while next <= last_frame {
        let count = SCAN_FRAMES.min(last_frame - next + 1);
        let len = usize::try_from(count * frame_size).map_err(|_| Error::Full)?;
        buf.resize(len, 0);
        let offset = WAL_HEADER_SIZE as u64 + (next - 1) * frame_size;
        let got = read_full(file, &mut buf, offset)?;
        for (i, frame) in buf[..got].chunks_exact(frame_size as usize).enumerate() {
            let number = next + i as u64;
            let Some((decoded, sum)) = check_frame(&header, running, frame) else {
                break 'scan;
            };
            running = sum;
            pending.push((decoded.pgno, number));
            if decoded.commit_size != 0 {
                for (pgno, at) in pending.drain(..) {
                    found.index.add_frame(pgno, at);
                }
                found.index.add_commit(number, decoded.commit_size);
                found.max_frame = number;
                found.checksum = sum;
                found.db_pages = Some(decoded.commit_size);
            }
        }
        if got < len {
            break;
        }
        next += count;
    }
    if found.max_frame > 0 && header.page_size != page_size {
        return Err(Error::PageSizeMismatch {
            wal: header.page_size,
            database: page_size,
        });
    }
    tracing::debug!(
        frames = found.max_frame,
        discarded = pending.len(),
        "recovered WAL"
    );
    Ok(found)
}

/// Reads as much of `buf` as the file holds at `offset`; returns the bytes read.
pub fn read_full(file: &dyn File, buf: &mut [u8], offset: u64) -> Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = file.read_at(&mut buf[done..], offset + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}
