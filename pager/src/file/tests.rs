//! The same suite over every backend.

use super::*;

fn open(dir: &tempfile::TempDir, name: &str, backend: Backend) -> Box<dyn File> {
    open_file(&dir.path().join(name), backend, OpenFlags::default()).unwrap()
}

fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Std];
    if io_uring_available() {
        all.push(Backend::IoUring);
    }
    eprintln!("file backends under test: {all:?}");
    all
}

fn positioned_io_round_trips(file: &dyn File) {
    assert_eq!(file.size().unwrap(), 0);
    file.write_at(b"hello", 10).unwrap();
    assert_eq!(file.size().unwrap(), 15);
    let mut buf = [0xFFu8; 20];
    assert_eq!(file.read_at(&mut buf, 0).unwrap(), 15, "short only at EOF");
    assert_eq!(&buf[..10], &[0; 10]);
    assert_eq!(&buf[10..15], b"hello");
    assert_eq!(file.read_at(&mut buf, 100).unwrap(), 0);
    file.set_len(12).unwrap();
    assert_eq!(file.size().unwrap(), 12);
    file.sync().unwrap();
}

fn batches_land_in_place(file: &dyn File) {
    // More writes than one ring submission holds, out of order, with a sync.
    let pages: Vec<Vec<u8>> = (0..300u32).map(|i| vec![(i % 251) as u8; 512]).collect();
    let mut writes: Vec<(u64, &[u8])> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u64 * 512, &p[..]))
        .collect();
    writes.reverse();
    file.write_batch(&writes, true).unwrap();
    file.write_batch(&[], true).unwrap();
    file.write_batch(&[(3 * 512, &[7u8; 512][..])], false)
        .unwrap();
    assert_eq!(file.size().unwrap(), 300 * 512);
    let mut buf = vec![0u8; 512];
    for i in 0..300u64 {
        file.read_at(&mut buf, i * 512).unwrap();
        let want = if i == 3 { 7 } else { (i % 251) as u8 };
        assert!(buf.iter().all(|&b| b == want), "page {i}");
    }
}

#[test]
fn every_backend_passes_the_file_suite() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        positioned_io_round_trips(&*open(&dir, "a", backend));
        batches_land_in_place(&*open(&dir, "b", backend));
    }
    positioned_io_round_trips(&MemFile::new());
    batches_land_in_place(&MemFile::new());
}

#[test]
fn a_second_open_of_a_locked_file_fails_with_locked() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(&dir, "db", backend);
        let again = open_file(&dir.path().join("db"), backend, OpenFlags::default());
        assert!(matches!(again, Err(Error::Locked)), "{backend:?}");
        assert_eq!(
            Error::Locked.to_string(),
            "database is locked by another process"
        );
        drop(first);
        open(&dir, "db", backend);
    }
}

#[test]
fn read_only_files_refuse_writes() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(&dir, "db", backend));
        let flags = OpenFlags {
            read_only: true,
            ..OpenFlags::default()
        };
        let file = open_file(&dir.path().join("db"), backend, flags).unwrap();
        assert!(matches!(file.write_at(b"x", 0), Err(Error::ReadOnly)));
        assert!(matches!(
            file.write_batch(&[(0, b"x")], true),
            Err(Error::ReadOnly)
        ));
    }
}

#[test]
fn no_space_left_is_full() {
    let err = Error::from_io(::std::io::Error::from_raw_os_error(libc::ENOSPC));
    assert!(matches!(err, Error::Full));
    assert_eq!(err.sqlite_code(), 13);
}

#[test]
fn auto_backend_opens_and_works() {
    let dir = tempfile::tempdir().unwrap();
    positioned_io_round_trips(&*open(&dir, "auto", Backend::Auto));
}
