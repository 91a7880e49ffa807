//! The API's error: every failure carries a SQLite result code.

use concur_vm::storage::code;

/// An error of the concur API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error of the SQL engine or the storage below it, with its SQLite code.
    #[error(transparent)]
    Sql(#[from] concur_vm::Error),
    /// `query_row` found no row.
    #[error("query returned no rows")]
    QueryReturnedNoRows,
    /// `Row::get` named a column the row does not have.
    #[error("column index {0} out of range")]
    InvalidColumnIndex(usize),
    /// `Row::get` asked for a type the value cannot convert to.
    #[error("cannot read a {found} value as {wanted}")]
    InvalidType {
        /// The Rust type asked for.
        wanted: &'static str,
        /// The SQL storage class found.
        found: &'static str,
    },
    /// `Row::get` asked for a `String`, but the text's bytes are not UTF-8 (SQLite does not
    /// check what it stores as text; read such a value as `Vec<u8>`).
    #[error("text is not valid UTF-8: {0}")]
    InvalidUtf8(std::str::Utf8Error),
    /// A named parameter that the statement does not have.
    #[error("no such parameter: {0}")]
    InvalidParameterName(String),
    /// More parameters than the statement has.
    #[error("parameter index {0} out of range")]
    InvalidParameterIndex(usize),
    /// The database could not be opened: `code` is the cause's SQLite code (5 BUSY when
    /// another process holds it, 26 NOTADB, 11 CORRUPT, 10 IOERR, 14 CANTOPEN, ...).
    #[error("{message}")]
    Open {
        /// The SQLite result code of the cause.
        code: i32,
        /// What went wrong, naming the file.
        message: String,
    },
}

impl Error {
    /// The SQLite result code (primary and extended): 1 ERROR, 5 BUSY, 517 BUSY_SNAPSHOT, 19
    /// CONSTRAINT, 2067 CONSTRAINT_UNIQUE, 11 CORRUPT, 10 IOERR, 13 FULL, 18 TOOBIG, 21 MISUSE,
    /// 25 RANGE, 14 CANTOPEN, ...
    pub fn code(&self) -> i32 {
        match self {
            Error::Sql(e) => e.code(),
            Error::QueryReturnedNoRows => code::ERROR,
            Error::InvalidColumnIndex(_) | Error::InvalidParameterIndex(_) => 25,
            Error::InvalidType { .. } | Error::InvalidUtf8(_) => 20,
            Error::InvalidParameterName(_) => code::ERROR,
            Error::Open { code, .. } => *code,
        }
    }

    /// True for a write conflict under snapshot isolation (SQLITE_BUSY_SNAPSHOT).
    pub fn is_conflict(&self) -> bool {
        self.code() == code::BUSY_SNAPSHOT
    }
}

/// The API's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
