//! Times `File::write_batch` of N pages plus fdatasync on each backend.
//!
//! `cargo run -p concur-pager --example batch_write -- [pages] [rounds] [dir]`
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use concur_pager::{io_uring_available, open_file, Backend, OpenFlags};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pages: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = match args.get(3) {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir(),
    };
    let images: Vec<Vec<u8>> = (0..pages).map(|i| vec![i as u8; 4096]).collect();
    let mut backends = vec![Backend::Std];
    if io_uring_available() {
        backends.push(Backend::IoUring);
    }
    for backend in backends {
        let path = dir.join(format!("concur-batch-{backend:?}.db"));
        let _ = std::fs::remove_file(&path);
        let file = open_file(&path, backend, OpenFlags::default()).unwrap();
        let writes: Vec<(u64, &[u8])> = images
            .iter()
            .enumerate()
            .map(|(i, p)| (i as u64 * 4096, &p[..]))
            .collect();
        file.write_batch(&writes, true).unwrap();
        let start = Instant::now();
        for _ in 0..rounds {
            file.write_batch(&writes, true).unwrap();
        }
        let per = start.elapsed() / rounds as u32;
        println!("{backend:?}: {pages} pages x 4096 B + fdatasync: {per:?} per batch");
        drop(file);
        let _ = std::fs::remove_file(&path);
    }
}
