//! Transaction control, PRAGMA, and the maintenance statements (VACUUM, ANALYZE, REINDEX,
//! ATTACH, DETACH).

use super::{Keyword, Parser, Result};
use crate::ast::{Literal, PragmaValue, Statement, TransactionMode};
use crate::lexer::{unquote, TokenKind};

impl Parser<'_> {
    /// Parses the statements that are neither queries, DML nor DDL.
    pub(super) fn control_statement(&mut self) -> Result<Statement> {
        let token = self.advance();
        let TokenKind::Keyword(k) = token.kind else {
            return Err(self.error_at(token));
        };
        match k {
            Keyword::Begin => {
                let mode = match self.peek().kind {
                    TokenKind::Keyword(Keyword::Deferred) => Some(TransactionMode::Deferred),
                    TokenKind::Keyword(Keyword::Immediate) => Some(TransactionMode::Immediate),
                    TokenKind::Keyword(Keyword::Exclusive) => Some(TransactionMode::Exclusive),
                    _ if self.at_word("concurrent") => Some(TransactionMode::Concurrent),
                    _ => None,
                };
                if mode.is_some() {
                    self.advance();
                }
                self.transaction_name()?;
                Ok(Statement::Begin(mode.unwrap_or(TransactionMode::Deferred)))
            }
            Keyword::Commit | Keyword::End => {
                self.transaction_name()?;
                Ok(Statement::Commit)
            }
            Keyword::Rollback => {
                self.transaction_name()?;
                let savepoint = if self.eat_kw(Keyword::To) {
                    self.eat_kw(Keyword::Savepoint);
                    Some(self.name()?)
                } else {
                    None
                };
                Ok(Statement::Rollback { savepoint })
            }
            Keyword::Savepoint => Ok(Statement::Savepoint(self.name()?)),
            Keyword::Release => {
                if self.at_kw(Keyword::Savepoint) && Self::is_name(self.peek_nth(1), true) {
                    self.advance();
                }
                Ok(Statement::Release(self.name()?))
            }
            Keyword::Pragma => self.pragma(),
            Keyword::Vacuum => {
                let schema = if Self::is_name(self.peek(), true) && !self.at_kw(Keyword::Into) {
                    Some(self.name()?)
                } else {
                    None
                };
                let into = if self.eat_kw(Keyword::Into) {
                    Some(self.expr()?)
                } else {
                    None
                };
                Ok(Statement::Vacuum { schema, into })
            }
            Keyword::Analyze | Keyword::Reindex => {
                let name = if Self::is_name(self.peek(), true) {
                    Some(self.qualified_name()?)
                } else {
                    None
                };
                Ok(if k == Keyword::Analyze {
                    Statement::Analyze(name)
                } else {
                    Statement::Reindex(name)
                })
            }
            Keyword::Attach => {
                if self.at_kw(Keyword::Database) && !self.nth_is_kw(1, Keyword::As) {
                    self.advance();
                }
                let file = self.expr()?;
                self.expect_kw(Keyword::As)?;
                let schema = self.expr()?;
                let key = if self.at_word("key") || self.at_kw(Keyword::Key) {
                    self.advance();
                    Some(self.expr()?)
                } else {
                    None
                };
                Ok(Statement::Attach { file, schema, key })
            }
            Keyword::Detach => {
                if self.at_kw(Keyword::Database)
                    && !matches!(self.peek_nth(1).kind, TokenKind::Semi | TokenKind::Eof)
                {
                    self.advance();
                }
                Ok(Statement::Detach(self.expr()?))
            }
            _ => Err(self.error_at(token)),
        }
    }

    /// Parses `[TRANSACTION [name]]`.
    fn transaction_name(&mut self) -> Result<()> {
        if self.eat_kw(Keyword::Transaction) && Self::is_name(self.peek(), false) {
            if self.at_kw(Keyword::To) {
                return Ok(());
            }
            self.name()?;
        }
        Ok(())
    }

    /// Parses `PRAGMA` after the keyword.
    fn pragma(&mut self) -> Result<Statement> {
        let name = self.qualified_name()?;
        let value = if self.eat(TokenKind::Eq) {
            Some(self.pragma_value()?)
        } else if self.eat(TokenKind::LParen) {
            let value = self.pragma_value()?;
            self.expect(TokenKind::RParen)?;
            Some(value)
        } else {
            None
        };
        Ok(Statement::Pragma { name, value })
    }

    /// Parses a pragma value: a signed number, a name, a keyword or a string.
    fn pragma_value(&mut self) -> Result<PragmaValue> {
        let token = self.peek();
        match token.kind {
            TokenKind::Plus | TokenKind::Minus => {
                self.advance();
                let number = self.peek();
                let negate = token.kind == TokenKind::Minus;
                let literal = match number.kind {
                    TokenKind::Integer => self.integer_literal(number, negate)?,
                    TokenKind::Float => {
                        let v = self.real_value(number);
                        Literal::Real(if negate { -v } else { v })
                    }
                    _ => return Err(self.error_at(number)),
                };
                self.advance();
                Ok(PragmaValue::Literal(literal))
            }
            TokenKind::Integer => {
                self.advance();
                Ok(PragmaValue::Literal(self.integer_literal(token, false)?))
            }
            TokenKind::Float => {
                self.advance();
                Ok(PragmaValue::Literal(Literal::Real(self.real_value(token))))
            }
            TokenKind::String => {
                self.advance();
                Ok(PragmaValue::Literal(Literal::String(unquote(
                    self.text(token),
                    '\'',
                ))))
            }
            TokenKind::Keyword(Keyword::On | Keyword::Delete | Keyword::Default) => {
                self.advance();
                Ok(PragmaValue::Name(crate::ast::Name(
                    self.text(token).to_string(),
                )))
            }
            _ => Ok(PragmaValue::Name(self.name()?)),
        }
    }
}
