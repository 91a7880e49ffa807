//! The recursive-descent parser: tokens in, [`Statement`]s out.
//!
//! [`Parser`] walks a text of several statements one at a time (it is an iterator), which is
//! how `execute_batch`, `.read` and the shell split their input; [`complete_statement`] tells the
//! shell whether a buffer holds a whole statement yet. The grammar is SQLite's `parse.y`, read
//! top-down; see the crate docs for how precedence and keyword fallback carry over.

mod complete;
mod control;
mod dml;
mod error;
mod expr;
mod keyword;
mod literal;
mod schema;
mod select;
mod window;

use std::collections::{HashMap, VecDeque};

pub use complete::complete_statement;
pub use error::{ParseError, Position};
pub use keyword::Keyword;

use crate::ast::{Name, QualifiedName, Statement};
use crate::lexer::{identifier_value, unquote, Lexer, Span, Token, TokenKind};

/// SQLite's default limit on expression depth (`SQLITE_MAX_EXPR_DEPTH`).
pub const MAX_EXPR_DEPTH: u32 = 1000;

/// SQLite's default limit on parameter numbers (`SQLITE_MAX_VARIABLE_NUMBER`).
pub const MAX_VARIABLE_NUMBER: u32 = 32766;

/// How many bytes of stack the parser lets its recursion take before it gives up with
/// [`ParseError::StackOverflow`]. Rust threads get 2 MiB by default; this leaves the caller
/// 512 KiB. (About 1 KiB per nesting level in a test build, so SQLite's depth limit of 1000 is
/// reached first for expressions.)
pub const STACK_BUDGET: usize = 1536 << 10;

/// A result of parsing.
pub type Result<T, E = ParseError> = std::result::Result<T, E>;

/// One parsed statement with where it sits in the text and the parameters it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStatement {
    /// The statement.
    pub statement: Statement,
    /// Its text from the first token to the last, without the `;`.
    pub span: Span,
    /// Offset just past the terminating `;` (or the end of the text): where the next
    /// statement's text begins.
    pub end: usize,
    /// The parameters by index: `parameters[i]` is the name of parameter `i + 1` (`None` for
    /// a nameless `?`). Its length is the statement's parameter count.
    pub parameters: Vec<Option<String>>,
}

/// Parses every statement of `sql`.
pub fn parse(sql: &str) -> Result<Vec<ParsedStatement>> {
    Parser::new(sql).collect()
}

/// Parses `sql`, which must hold exactly one statement (a trailing `;` is allowed).
pub fn parse_statement(sql: &str) -> Result<Statement> {
    let mut parser = Parser::new(sql);
    let first = parser.next().transpose()?;
    let Some(first) = first else {
        return Err(ParseError::Incomplete {
            position: Position::locate(sql, sql.len()),
        });
    };
    if let Some(next) = parser.next().transpose()? {
        return Err(ParseError::Invalid {
            message: "more than one statement".to_string(),
            position: Position::locate(sql, next.span.start),
        });
    }
    Ok(first.statement)
}

/// A parser over a text of zero or more statements, yielding them in order. After an error it
/// yields nothing more.
pub struct Parser<'a> {
    /// The whole SQL text.
    sql: &'a str,
    /// The token source.
    lexer: Lexer<'a>,
    /// Tokens read ahead of the current position; the front is the current token.
    ahead: VecDeque<Token>,
    /// End offset of the last consumed token.
    prev_end: usize,
    /// Current recursion depth of expressions and selects.
    depth: u32,
    /// Parameter names of the statement being parsed, by index.
    parameters: Vec<Option<String>>,
    /// The index of each named parameter seen so far in the statement.
    parameter_names: HashMap<String, usize>,
    /// Whether an error ended the walk.
    failed: bool,
    /// Stack address at the start of the current statement, to measure recursion by.
    stack_base: usize,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `sql`.
    pub fn new(sql: &'a str) -> Self {
        Parser {
            sql,
            lexer: Lexer::new(sql),
            ahead: VecDeque::new(),
            prev_end: 0,
            depth: 0,
            parameters: Vec::new(),
            parameter_names: HashMap::new(),
            failed: false,
            stack_base: 0,
        }
    }

    /// Parses the next statement, skipping empty ones; `Ok(None)` at the end of the text.
    pub fn next_statement(&mut self) -> Result<Option<ParsedStatement>> {
        if self.failed {
            return Ok(None);
        }
        let result = self.statement_with_span();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Parses one statement with its terminator.
    fn statement_with_span(&mut self) -> Result<Option<ParsedStatement>> {
        while self.peek().kind == TokenKind::Semi {
            self.advance();
        }
        if self.peek().kind == TokenKind::Eof {
            return Ok(None);
        }
        self.parameters.clear();
        self.parameter_names.clear();
        self.depth = 0;
        self.stack_base = stack_address();
        let start = self.peek().span.start;
        let statement = self.statement()?;
        let span = Span {
            start,
            end: self.prev_end,
        };
        let end = match self.peek().kind {
            TokenKind::Semi => self.advance().span.end,
            TokenKind::Eof => self.sql.len(),
            _ => return Err(self.unexpected()),
        };
        Ok(Some(ParsedStatement {
            statement,
            span,
            end,
            parameters: std::mem::take(&mut self.parameters),
        }))
    }

    // ---- token access ----

    /// The token `n` places ahead of the current one (0 is the current one).
    fn peek_nth(&mut self, n: usize) -> Token {
        while self.ahead.len() <= n {
            let token = self.lexer.next_token();
            self.ahead.push_back(token);
        }
        self.ahead.get(n).copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            span: Span {
                start: self.sql.len(),
                end: self.sql.len(),
            },
        })
    }

    /// The current token.
    fn peek(&mut self) -> Token {
        self.peek_nth(0)
    }

    /// Consumes and returns the current token (never moves past the end).
    fn advance(&mut self) -> Token {
        let token = self.peek();
        if token.kind != TokenKind::Eof {
            self.ahead.pop_front();
            self.prev_end = token.span.end;
        }
        token
    }

    /// The text of `token`.
    fn text(&self, token: Token) -> &'a str {
        self.sql.get(token.span.start..token.span.end).unwrap_or("")
    }

    /// Whether the current token is keyword `k`.
    fn at_kw(&mut self, k: Keyword) -> bool {
        self.peek().kind == TokenKind::Keyword(k)
    }

    /// Whether the token `n` ahead is keyword `k`.
    fn nth_is_kw(&mut self, n: usize, k: Keyword) -> bool {
        self.peek_nth(n).kind == TokenKind::Keyword(k)
    }

    /// Consumes keyword `k` if it is next.
    fn eat_kw(&mut self, k: Keyword) -> bool {
        if self.at_kw(k) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Consumes keyword `k` or fails.
    fn expect_kw(&mut self, k: Keyword) -> Result<Token> {
        if self.at_kw(k) {
            Ok(self.advance())
        } else {
            Err(self.unexpected())
        }
    }

    /// Consumes a token of `kind` if it is next.
    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.peek().kind == kind {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Consumes a token of `kind` or fails.
    fn expect(&mut self, kind: TokenKind) -> Result<Token> {
        if self.peek().kind == kind {
            Ok(self.advance())
        } else {
            Err(self.unexpected())
        }
    }

    /// Whether the current token is a bare identifier spelling `word` (not a keyword).
    fn at_word(&mut self, word: &str) -> bool {
        let token = self.peek();
        token.kind == TokenKind::Id && self.text(token).eq_ignore_ascii_case(word)
    }

    // ---- errors ----

    /// The error for the current token being out of place.
    fn unexpected(&mut self) -> ParseError {
        let token = self.peek();
        self.error_at(token)
    }

    /// The error for `token` being out of place.
    fn error_at(&self, token: Token) -> ParseError {
        let position = Position::locate(self.sql, token.span.start);
        match token.kind {
            TokenKind::Eof => ParseError::Incomplete { position },
            TokenKind::Illegal => ParseError::UnrecognizedToken {
                token: self.text(token).to_string(),
                position,
            },
            _ => ParseError::Syntax {
                near: self.text(token).to_string(),
                position,
            },
        }
    }

    /// An [`ParseError::Invalid`] at `token`.
    fn invalid(&self, token: Token, message: String) -> ParseError {
        ParseError::Invalid {
            message,
            position: Position::locate(self.sql, token.span.start),
        }
    }

    /// Enters one level of expression recursion, failing past [`MAX_EXPR_DEPTH`] levels.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            let token = self.peek();
            return Err(ParseError::TooDeep {
                max: MAX_EXPR_DEPTH,
                position: Position::locate(self.sql, token.span.start),
            });
        }
        self.check_stack()
    }

    /// Fails once recursion has taken more than [`STACK_BUDGET`] bytes of stack. Frame sizes
    /// vary with the build, so counting bytes is what keeps any input from overflowing it.
    fn check_stack(&mut self) -> Result<()> {
        if self.stack_base.abs_diff(stack_address()) > STACK_BUDGET {
            let token = self.peek();
            return Err(ParseError::StackOverflow {
                position: Position::locate(self.sql, token.span.start),
            });
        }
        Ok(())
    }

    /// Leaves one level of recursion.
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- names ----

    /// Whether `token` can be a name (SQLite's `nm`): an identifier, a keyword that falls back
    /// to one, a join word, or (when `strings` is set) a string literal.
    fn is_name(token: Token, strings: bool) -> bool {
        match token.kind {
            TokenKind::Id => true,
            TokenKind::String => strings,
            TokenKind::Keyword(k) => k.is_fallback_id() || k.is_join_word(),
            _ => false,
        }
    }

    /// The value of a name token.
    fn name_value(&self, token: Token) -> Name {
        let text = self.text(token);
        match token.kind {
            TokenKind::String => Name(unquote(text, '\'')),
            _ => Name(identifier_value(text)),
        }
    }

    /// Parses a name (`nm`): identifier, fallback keyword, join word or string.
    fn name(&mut self) -> Result<Name> {
        let token = self.peek();
        if Self::is_name(token, true) {
            self.advance();
            Ok(self.name_value(token))
        } else {
            Err(self.error_at(token))
        }
    }

    /// Parses `[schema.]name`.
    fn qualified_name(&mut self) -> Result<QualifiedName> {
        let first = self.name()?;
        if self.peek().kind == TokenKind::Dot {
            self.advance();
            let name = self.name()?;
            Ok(QualifiedName {
                schema: Some(first),
                name,
            })
        } else {
            Ok(QualifiedName {
                schema: None,
                name: first,
            })
        }
    }

    /// Parses `(name, name, ...)`.
    fn name_list_in_parens(&mut self) -> Result<Vec<Name>> {
        self.expect(TokenKind::LParen)?;
        let mut names = vec![self.name()?];
        while self.eat(TokenKind::Comma) {
            names.push(self.name()?);
        }
        self.expect(TokenKind::RParen)?;
        Ok(names)
    }

    /// Parses `IF NOT EXISTS` if present.
    fn if_not_exists(&mut self) -> Result<bool> {
        if self.at_kw(Keyword::If) && self.nth_is_kw(1, Keyword::Not) {
            self.advance();
            self.advance();
            self.expect_kw(Keyword::Exists)?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Parses `IF EXISTS` if present.
    fn if_exists(&mut self) -> Result<bool> {
        if self.at_kw(Keyword::If) && self.nth_is_kw(1, Keyword::Exists) {
            self.advance();
            self.advance();
            Ok(true)
        } else {
            Ok(false)
        }
    }

    // ---- statements ----

    /// Parses one statement (no terminator).
    fn statement(&mut self) -> Result<Statement> {
        let token = self.peek();
        let TokenKind::Keyword(k) = token.kind else {
            return Err(self.error_at(token));
        };
        match k {
            Keyword::Explain => {
                self.advance();
                let query_plan = if self.at_kw(Keyword::Query) {
                    self.advance();
                    self.expect_kw(Keyword::Plan)?;
                    true
                } else {
                    false
                };
                if self.at_kw(Keyword::Explain) {
                    return Err(self.unexpected());
                }
                let statement = Box::new(self.statement()?);
                Ok(Statement::Explain {
                    query_plan,
                    statement,
                })
            }
            Keyword::Select | Keyword::Values => Ok(Statement::Select(Box::new(self.select()?))),
            Keyword::With => self.with_statement(),
            Keyword::Insert | Keyword::Replace => {
                Ok(Statement::Insert(Box::new(self.insert(None)?)))
            }
            Keyword::Update => Ok(Statement::Update(Box::new(self.update(None)?))),
            Keyword::Delete => Ok(Statement::Delete(Box::new(self.delete(None)?))),
            Keyword::Create => self.create(),
            Keyword::Drop => self.drop(),
            Keyword::Alter => self.alter_table(),
            _ => self.control_statement(),
        }
    }

    /// Parses a statement that opens with `WITH`: a SELECT, INSERT, UPDATE or DELETE.
    fn with_statement(&mut self) -> Result<Statement> {
        let with = self.with_clause()?;
        match self.peek().kind {
            TokenKind::Keyword(Keyword::Select | Keyword::Values) => {
                let mut select = self.select_body()?;
                select.with = Some(with);
                Ok(Statement::Select(Box::new(select)))
            }
            TokenKind::Keyword(Keyword::Insert | Keyword::Replace) => {
                Ok(Statement::Insert(Box::new(self.insert(Some(with))?)))
            }
            TokenKind::Keyword(Keyword::Update) => {
                Ok(Statement::Update(Box::new(self.update(Some(with))?)))
            }
            TokenKind::Keyword(Keyword::Delete) => {
                Ok(Statement::Delete(Box::new(self.delete(Some(with))?)))
            }
            _ => Err(self.unexpected()),
        }
    }
}

/// The address of a local of this call's frame: a measure of how deep the stack is.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

impl Iterator for Parser<'_> {
    type Item = Result<ParsedStatement>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_statement().transpose()
    }
}
