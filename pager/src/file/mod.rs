//! The [`File`] trait and its three backends: std (pread/pwrite/fdatasync), io_uring (batched
//! writes with a drained fsync) and memory.

mod lock;
mod mem;
mod std;
#[cfg(target_os = "linux")]
mod uring;

use ::std::path::Path;
use ::std::sync::OnceLock;

use crate::error::{Error, Result};

pub use self::mem::MemFile;
pub use self::std::StdFile;
#[cfg(target_os = "linux")]
pub use self::uring::UringFile;

/// A file as the storage layers see it: positioned I/O, batches, sync. Implemented by the std
/// backend (pread/pwrite/fdatasync), the io_uring backend and an in-memory file.
pub trait File: Send + Sync {
    /// Reads into `buf` at `offset`; returns the bytes read, fewer than `buf.len()` only at EOF.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize>;
    /// Writes all of `buf` at `offset`.
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()>;
    /// Writes every `(offset, bytes)` pair, then syncs if `sync`; the io_uring backend submits
    /// the writes and the sync as one batch (the sync ordered after the writes).
    fn write_batch(&self, writes: &[(u64, &[u8])], sync: bool) -> Result<()>;
    /// Makes every completed write durable (fdatasync).
    fn sync(&self) -> Result<()>;
    /// The file size in bytes.
    fn size(&self) -> Result<u64>;
    /// Truncates or extends the file to `len` bytes.
    fn set_len(&self, len: u64) -> Result<()>;
}

/// Which I/O backend [`open_file`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// io_uring when a ring can be created on this machine, else std.
    #[default]
    Auto,
    /// pread/pwrite/fdatasync through `std::os::unix::fs::FileExt`.
    Std,
    /// io_uring (Linux only); opening fails when no ring can be created.
    IoUring,
}

/// How [`open_file`] opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFlags {
    /// Open for reading only (writes fail with READONLY).
    pub read_only: bool,
    /// Create the file when it does not exist (ignored when `read_only`).
    pub create: bool,
    /// Take the exclusive advisory lock (flock `LOCK_EX | LOCK_NB`); fail with
    /// [`Error::Locked`] when another open file description holds it.
    pub lock: bool,
}

impl Default for OpenFlags {
    /// Read-write, create if missing, locked: how a database file is opened.
    fn default() -> Self {
        OpenFlags {
            read_only: false,
            create: true,
            lock: true,
        }
    }
}

/// Opens `path` with `backend`. With `flags.lock` the file is locked exclusively for as long as
/// the returned handle lives: a second open of the same file, in this process or another,
/// fails with [`Error::Locked`].
pub fn open_file(path: &Path, backend: Backend, flags: OpenFlags) -> Result<Box<dyn File>> {
    let file = open_std_file(path, flags)?;
    match backend {
        Backend::Std => Ok(Box::new(StdFile::new(file, flags.read_only))),
        Backend::IoUring => open_uring(file, flags.read_only),
        Backend::Auto => {
            if io_uring_available() {
                open_uring(file, flags.read_only)
            } else {
                Ok(Box::new(StdFile::new(file, flags.read_only)))
            }
        }
    }
}

/// True when this process can create an io_uring ring (probed once).
pub fn io_uring_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(probe_io_uring)
}

#[cfg(target_os = "linux")]
fn probe_io_uring() -> bool {
    io_uring::IoUring::new(2).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn probe_io_uring() -> bool {
    false
}

#[cfg(target_os = "linux")]
fn open_uring(file: ::std::fs::File, read_only: bool) -> Result<Box<dyn File>> {
    Ok(Box::new(UringFile::new(file, read_only)?))
}

#[cfg(not(target_os = "linux"))]
fn open_uring(_file: ::std::fs::File, _read_only: bool) -> Result<Box<dyn File>> {
    Err(Error::Io(::std::io::Error::new(
        ::std::io::ErrorKind::Unsupported,
        "io_uring is only available on Linux",
    )))
}

/// Opens the OS file and takes the lock when asked.
fn open_std_file(path: &Path, flags: OpenFlags) -> Result<::std::fs::File> {
    let mut options = ::std::fs::OpenOptions::new();
    options.read(true);
    if !flags.read_only {
        options.write(true).create(flags.create);
    }
    let file = options.open(path).map_err(Error::from_io)?;
    if flags.lock {
        lock::lock_exclusive(&file)?;
    }
    Ok(file)
}

/// Writes all of `buf` at `offset` with pwrite, mapping ENOSPC to FULL.
fn pwrite_all(file: &::std::fs::File, buf: &[u8], offset: u64) -> Result<()> {
    use ::std::os::unix::fs::FileExt;
    file.write_all_at(buf, offset).map_err(Error::from_io)
}

/// Reads at `offset` until `buf` is full or EOF; returns the bytes read.
fn pread_full(file: &::std::fs::File, buf: &mut [u8], offset: u64) -> Result<usize> {
    use ::std::os::unix::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == ::std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::from_io(e)),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests;
