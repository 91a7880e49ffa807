//! The SQL layer's error: every failure of preparing or running a statement.

use crate::func::FuncError;
use crate::parser::ParseError;
use crate::storage::{code, StorageError};

/// A failure of the SQL layer, carrying SQLite's message and result code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The SQL text does not parse.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// A function call failed.
    #[error("{0}")]
    Func(#[from] FuncError),
    /// The storage layer failed.
    #[error("{0}")]
    Storage(#[from] StorageError),
    /// A constraint failed (`UNIQUE constraint failed: t.a`, ...).
    #[error("{message}")]
    Constraint {
        /// The extended result code (`CONSTRAINT_UNIQUE`, ...).
        code: i32,
        /// SQLite's message.
        message: String,
    },
    /// Any other failure, with SQLite's message (`no such table: t`, ...).
    #[error("{message}")]
    Sql {
        /// The result code (usually `ERROR`).
        code: i32,
        /// SQLite's message.
        message: String,
    },
}

impl Error {
    /// A generic `SQLITE_ERROR` with `message`.
    pub fn msg(message: impl Into<String>) -> Error {
        Error::Sql {
            code: code::ERROR,
            message: message.into(),
        }
    }

    /// An error with a specific result code.
    pub fn with_code(code: i32, message: impl Into<String>) -> Error {
        Error::Sql {
            code,
            message: message.into(),
        }
    }

    /// The SQLite result code (primary or extended).
    pub fn code(&self) -> i32 {
        match self {
            Error::Parse(_) => code::ERROR,
            Error::Func(FuncError::TooBig) => code::TOOBIG,
            Error::Func(_) => code::ERROR,
            Error::Storage(e) => e.code,
            Error::Constraint { code, .. } | Error::Sql { code, .. } => *code,
        }
    }
}

/// A result of the SQL layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
