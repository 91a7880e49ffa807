//! Which storage a database file runs on.

use std::path::Path;
use std::sync::Arc;

use concur_mvcc::StorageOptions;
use concur_vm::storage::FileStore;
use concur_vm::Store;

use crate::error::{Error, Result};

/// Opens the store for the database file at `path`: the file and its SQLite WAL, through the
/// pager and the B-tree layer.
pub(crate) fn open_file(path: &Path, read_only: bool) -> Result<Arc<dyn Store>> {
    let options = StorageOptions {
        read_only,
        ..StorageOptions::default()
    };
    let store = FileStore::open(path, &options).map_err(|e| Error::Open {
        // A file that cannot be opened at all is SQLITE_CANTOPEN, as in SQLite.
        code: if e.code == concur_vm::storage::code::IOERR {
            14
        } else {
            e.code
        },
        message: format!("{}: {e}", path.display()),
    })?;
    Ok(Arc::new(store))
}
