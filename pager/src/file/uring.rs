//! The io_uring backend: a batch of page writes is submitted with one `io_uring_enter`, and the
//! fdatasync that follows is submitted in the same batch with `IOSQE_IO_DRAIN`, so the kernel
//! starts it only after every write before it has completed. (Linking the writes with
//! `IOSQE_IO_LINK` would order them among themselves and cancel the sync after a short write;
//! draining keeps the writes parallel and the sync last.) Single reads and writes use
//! pread/pwrite: one request gains nothing from a ring.

use ::std::os::fd::AsRawFd;

use io_uring::{opcode, squeue, types, IoUring};
use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::file::{pread_full, pwrite_all, File};

/// Submission queue entries per ring; a larger batch is submitted in chunks of this size.
const RING_ENTRIES: u32 = 256;
/// The `user_data` of the sync request (writes carry their index in the chunk).
const SYNC_TAG: u64 = u64::MAX;

/// A file whose batched writes go through an io_uring ring.
pub struct UringFile {
    /// The open file (holding the advisory lock, if one was taken).
    file: ::std::fs::File,
    /// Writes are refused with READONLY.
    read_only: bool,
    /// The ring; one batch at a time. `None` after the ring failed: the file then works like
    /// the std backend.
    ring: Mutex<Option<IoUring>>,
}

impl ::std::fmt::Debug for UringFile {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct("UringFile")
            .field("file", &self.file)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl UringFile {
    /// Wraps an open file and creates its ring.
    pub fn new(file: ::std::fs::File, read_only: bool) -> Result<Self> {
        let ring = IoUring::new(RING_ENTRIES).map_err(Error::Io)?;
        Ok(UringFile {
            file,
            read_only,
            ring: Mutex::new(Some(ring)),
        })
    }

    /// READONLY when this file was opened for reading only.
    fn check_writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Submits one chunk of writes (and the sync when `sync`) and reaps every completion.
    /// Returns the first error; short writes are finished with pwrite by the caller through
    /// `short` (index in chunk, bytes already written).
    fn submit_chunk(
        &self,
        ring: &mut IoUring,
        chunk: &[(u64, &[u8])],
        sync: bool,
        short: &mut Vec<(usize, usize)>,
    ) -> Result<()> {
        let fd = types::Fd(self.file.as_raw_fd());
        let mut expected = 0usize;
        for (i, (offset, bytes)) in chunk.iter().enumerate() {
            let len = u32::try_from(bytes.len())
                .map_err(|_| Error::Misuse("a single write larger than 4 GiB"))?;
            let entry = opcode::Write::new(fd, bytes.as_ptr(), len)
                .offset(*offset)
                .build()
                .user_data(i as u64);
            // SAFETY: the entry points into `bytes`, borrowed from the caller for the whole of
            // `write_batch`; this function reaps every submitted entry's completion before it
            // returns (the loop below never exits early once anything is submitted), so the
            // kernel never touches the buffer after the borrow ends. The chunk is smaller
            // than the queue, so the push cannot overflow.
            let pushed = unsafe { ring.submission().push(&entry) };
            if pushed.is_err() {
                return Err(Error::Misuse("io_uring submission queue overflow"));
            }
            expected += 1;
        }
        if sync {
            let entry = opcode::Fsync::new(fd)
                .flags(types::FsyncFlags::DATASYNC)
                .build()
                .flags(squeue::Flags::IO_DRAIN)
                .user_data(SYNC_TAG);
            // SAFETY: an fsync entry references no memory; capacity as above.
            let pushed = unsafe { ring.submission().push(&entry) };
            if pushed.is_err() {
                return Err(Error::Misuse("io_uring submission queue overflow"));
            }
            expected += 1;
        }
        // Submit. Until this succeeds nothing is in flight; on a hard failure the caller drops
        // the ring, so the queued entries are never submitted.
        loop {
            match ring.submit_and_wait(expected) {
                Ok(_) => break,
                Err(e) if retryable(&e) => continue,
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let mut first_error: Option<Error> = None;
        let mut reaped = 0usize;
        while reaped < expected {
            let mut progressed = false;
            for cqe in ring.completion() {
                progressed = true;
                reaped += 1;
                let res = cqe.result();
                if res < 0 {
                    let err = Error::from_io(::std::io::Error::from_raw_os_error(-res));
                    first_error.get_or_insert(err);
                    continue;
                }
                let tag = cqe.user_data();
                if tag == SYNC_TAG {
                    continue;
                }
                let index = usize::try_from(tag).unwrap_or(usize::MAX);
                let written = usize::try_from(res).unwrap_or(0);
                if let Some((_, bytes)) = chunk.get(index) {
                    if written < bytes.len() {
                        short.push((index, written));
                    }
                }
            }
            if !progressed {
                // Entries are in flight and reference the caller's buffers: wait for them
                // whatever happens (a live ring fails a wait only transiently).
                if let Err(e) = ring.submitter().submit_and_wait(1) {
                    if !retryable(&e) {
                        ::std::thread::yield_now();
                    }
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Errors of `io_uring_enter` after which the call is simply repeated.
fn retryable(err: &::std::io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EINTR) | Some(libc::EAGAIN) | Some(libc::EBUSY)
    )
}

impl File for UringFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        pread_full(&self.file, buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        self.check_writable()?;
        pwrite_all(&self.file, buf, offset)
    }

    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()> {
        self.check_writable()?;
        let mut guard = self.ring.lock();
        let Some(ring) = guard.as_mut() else {
            for (offset, bytes) in writes {
                pwrite_all(&self.file, bytes, *offset)?;
            }
            return if sync { self.sync() } else { Ok(()) };
        };
        let per_chunk = (RING_ENTRIES - 1) as usize;
        let chunks = writes.len().div_ceil(per_chunk).max(1);
        let mut any_short = false;
        for c in 0..chunks {
            let start = c * per_chunk;
            let end = (start + per_chunk).min(writes.len());
            let chunk = writes.get(start..end).unwrap_or(&[]);
            let last = c + 1 == chunks;
            let mut short = Vec::new();
            if let Err(e) = self.submit_chunk(ring, chunk, sync && last, &mut short) {
                if !ring.submission().is_empty() {
                    // Entries were queued but never submitted: the ring is unusable, and they
                    // point at the caller's buffers. Drop it so they can never be submitted.
                    *guard = None;
                }
                return Err(e);
            }
            for (index, written) in short {
                if let Some((offset, bytes)) = chunk.get(index) {
                    any_short = true;
                    pwrite_all(&self.file, &bytes[written..], offset + written as u64)?;
                }
            }
        }
        if sync && any_short {
            self.sync()?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.check_writable()?;
        self.file.sync_data().map_err(Error::from_io)
    }

    fn size(&self) -> Result<u64> {
        Ok(self.file.metadata().map_err(Error::from_io)?.len())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        self.check_writable()?;
        self.file.set_len(len).map_err(Error::from_io)
    }
}
