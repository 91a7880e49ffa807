//! Which storage a database file runs on.

use std::path::Path;
use std::sync::Arc;

use concur_vm::Store;

use crate::error::{Error, Result};

/// Opens the store for the database file at `path`.
pub(crate) fn open_file(path: &Path, read_only: bool) -> Result<Arc<dyn Store>> {
    let _ = read_only;
    Err(Error::Open(format!(
        "{}: file databases are not wired to the SQL engine yet (use :memory:)",
        path.display()
    )))
}
