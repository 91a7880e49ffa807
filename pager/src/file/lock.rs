//! The exclusive advisory lock on a database file (flock, so it also excludes a second open
//! in the same process: flock locks belong to the open file description).

use ::std::os::fd::AsRawFd;

use crate::error::{Error, Result};

/// Takes `LOCK_EX | LOCK_NB` on `file`; [`Error::Locked`] when someone else holds it. The lock
/// is released when the file is closed.
pub(super) fn lock_exclusive(file: &::std::fs::File) -> Result<()> {
    loop {
        // SAFETY: flock takes a file descriptor and an integer; the descriptor is valid for
        // the duration of the call because `file` is borrowed. No memory is passed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            return Ok(());
        }
        let err = ::std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Err(Error::Locked),
            _ => return Err(Error::Io(err)),
        }
    }
}
