//! Parse errors, worded as SQLite words them, each with the position of the offending token.

/// Where in the SQL text an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Byte offset from the start of the text.
    pub offset: usize,
    /// Line number, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` in `sql`.
    pub fn locate(sql: &str, offset: usize) -> Position {
        let offset = offset.min(sql.len());
        let before = sql.get(..offset).unwrap_or(sql);
        let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) as u32 + 1;
        Position {
            offset,
            line,
            column,
        }
    }
}

/// Why SQL text failed to parse. `Display` gives SQLite's message; [`ParseError::position`]
/// gives where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A token that cannot appear where it does.
    #[error("near \"{near}\": syntax error")]
    Syntax {
        /// The token's text.
        near: String,
        /// Where the token starts.
        position: Position,
    },
    /// The text ended in the middle of a statement.
    #[error("incomplete input")]
    Incomplete {
        /// The end of the text.
        position: Position,
    },
    /// Text that is no token: an unterminated string, a stray character, `123abc`.
    #[error("unrecognized token: \"{token}\"")]
    UnrecognizedToken {
        /// The text.
        token: String,
        /// Where it starts.
        position: Position,
    },
    /// An expression nested deeper than SQLite's limit.
    #[error("Expression tree is too large (maximum depth {max})")]
    TooDeep {
        /// The limit.
        max: u32,
        /// Where the limit was crossed.
        position: Position,
    },
    /// Nesting so deep that the parser's recursion would exhaust its stack budget.
    #[error("parser stack overflow")]
    StackOverflow {
        /// Where the budget ran out.
        position: Position,
    },
    /// `?N` with N out of range.
    #[error("variable number must be between ?1 and ?{max}")]
    VariableNumber {
        /// The largest allowed number.
        max: u32,
        /// Where the parameter is.
        position: Position,
    },
    /// More parameters than the limit.
    #[error("too many SQL variables")]
    TooManyVariables {
        /// Where the parameter past the limit is.
        position: Position,
    },
    /// A hexadecimal literal wider than 64 bits.
    #[error("hex literal too big: {literal}")]
    HexTooBig {
        /// The literal as written.
        literal: String,
        /// Where it is.
        position: Position,
    },
    /// Some other rule of the grammar, in SQLite's words (`unknown join type: ...`).
    #[error("{message}")]
    Invalid {
        /// The message.
        message: String,
        /// Where the offending token is.
        position: Position,
    },
}

impl ParseError {
    /// Where in the text the error was found.
    pub fn position(&self) -> Position {
        match self {
            ParseError::Syntax { position, .. }
            | ParseError::Incomplete { position }
            | ParseError::UnrecognizedToken { position, .. }
            | ParseError::TooDeep { position, .. }
            | ParseError::StackOverflow { position }
            | ParseError::VariableNumber { position, .. }
            | ParseError::TooManyVariables { position }
            | ParseError::HexTooBig { position, .. }
            | ParseError::Invalid { position, .. } => *position,
        }
    }
}
