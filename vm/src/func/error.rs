//! The error of a function call.

/// A function failed; the message is SQLite's own for the same failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FuncError {
    /// Integer arithmetic inside a function overflowed (`abs(-9223372036854775808)`, `sum`).
    #[error("integer overflow")]
    IntegerOverflow,
    /// The name exists, but not with this many arguments.
    #[error("wrong number of arguments to function {name}()")]
    WrongArgumentCount {
        /// The function's name as written in the call.
        name: String,
    },
    /// No function has this name.
    #[error("no such function: {name}")]
    NoSuchFunction {
        /// The function's name as written in the call.
        name: String,
    },
    /// A result would pass SQLite's length limit (1,000,000,000 bytes).
    #[error("string or blob too big")]
    TooBig,
    /// A function-specific failure, such as a bad ESCAPE clause.
    #[error("{0}")]
    Message(String),
}

/// SQLite's default limit on the length of a string or blob (`SQLITE_MAX_LENGTH`).
pub const MAX_LENGTH: usize = 1_000_000_000;
