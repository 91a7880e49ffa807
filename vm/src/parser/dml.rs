//! INSERT, UPDATE and DELETE, with upsert and RETURNING.

use super::{Keyword, Parser, Result};
use crate::ast::{
    ConflictResolution, Delete, IndexedColumn, Insert, InsertSource, Name, QualifiedName,
    ResultColumn, SetClause, SortOrder, Update, Upsert, UpsertAction, With,
};
use crate::lexer::TokenKind;

impl Parser<'_> {
    /// Parses `INSERT ...` or `REPLACE ...` (the WITH clause already read).
    pub(super) fn insert(&mut self, with: Option<With>) -> Result<Insert> {
        let or_conflict = if self.eat_kw(Keyword::Replace) {
            Some(ConflictResolution::Replace)
        } else {
            self.expect_kw(Keyword::Insert)?;
            self.or_conflict()?
        };
        self.expect_kw(Keyword::Into)?;
        let table = self.qualified_name()?;
        let alias = if self.eat_kw(Keyword::As) {
            Some(self.name()?)
        } else {
            None
        };
        let columns = if self.at(TokenKind::LParen) {
            self.name_list_in_parens()?
        } else {
            Vec::new()
        };
        let source = if self.at_kw(Keyword::Default) {
            self.advance();
            self.expect_kw(Keyword::Values)?;
            InsertSource::DefaultValues
        } else {
            InsertSource::Select(Box::new(self.select()?))
        };
        let mut upsert = Vec::new();
        while self.at_kw(Keyword::On) {
            self.advance();
            self.expect_kw(Keyword::Conflict)?;
            upsert.push(self.upsert()?);
        }
        let returning = self.returning()?;
        Ok(Insert {
            with,
            or_conflict,
            table,
            alias,
            columns,
            source,
            upsert,
            returning,
        })
    }

    /// Parses an upsert clause after `ON CONFLICT`.
    fn upsert(&mut self) -> Result<Upsert> {
        let mut target = Vec::new();
        let mut target_where = None;
        if self.eat(TokenKind::LParen) {
            target = self.indexed_columns()?;
            self.expect(TokenKind::RParen)?;
            if self.eat_kw(Keyword::Where) {
                target_where = Some(self.expr()?);
            }
        }
        self.expect_kw(Keyword::Do)?;
        let action = if self.eat_kw(Keyword::Nothing) {
            UpsertAction::Nothing
        } else {
            self.expect_kw(Keyword::Update)?;
            self.expect_kw(Keyword::Set)?;
            let sets = self.set_clauses()?;
            let where_clause = if self.eat_kw(Keyword::Where) {
                Some(self.expr()?)
            } else {
                None
            };
            UpsertAction::Update { sets, where_clause }
        };
        Ok(Upsert {
            target,
            target_where,
            action,
        })
    }

    /// Parses `expr [ASC|DESC], ...` (index columns, key columns, upsert targets).
    pub(super) fn indexed_columns(&mut self) -> Result<Vec<IndexedColumn>> {
        let mut columns = Vec::new();
        loop {
            let expr = self.expr()?;
            let order = if self.eat_kw(Keyword::Asc) {
                Some(SortOrder::Asc)
            } else if self.eat_kw(Keyword::Desc) {
                Some(SortOrder::Desc)
            } else {
                None
            };
            columns.push(IndexedColumn { expr, order });
            if !self.eat(TokenKind::Comma) {
                return Ok(columns);
            }
        }
    }

    /// Parses `OR ROLLBACK|ABORT|FAIL|IGNORE|REPLACE`, if present.
    fn or_conflict(&mut self) -> Result<Option<ConflictResolution>> {
        if self.eat_kw(Keyword::Or) {
            Ok(Some(self.conflict_resolution()?))
        } else {
            Ok(None)
        }
    }

    /// Parses one conflict resolution keyword.
    pub(super) fn conflict_resolution(&mut self) -> Result<ConflictResolution> {
        let token = self.peek();
        let resolution = match token.kind {
            TokenKind::Keyword(Keyword::Rollback) => ConflictResolution::Rollback,
            TokenKind::Keyword(Keyword::Abort) => ConflictResolution::Abort,
            TokenKind::Keyword(Keyword::Fail) => ConflictResolution::Fail,
            TokenKind::Keyword(Keyword::Ignore) => ConflictResolution::Ignore,
            TokenKind::Keyword(Keyword::Replace) => ConflictResolution::Replace,
            _ => return Err(self.error_at(token)),
        };
        self.advance();
        Ok(resolution)
    }

    /// Parses `RETURNING columns`, if present.
    fn returning(&mut self) -> Result<Vec<ResultColumn>> {
        if self.eat_kw(Keyword::Returning) {
            self.result_columns()
        } else {
            Ok(Vec::new())
        }
    }

    /// Parses `col = expr, (a, b) = expr, ...`.
    fn set_clauses(&mut self) -> Result<Vec<SetClause>> {
        let mut sets = Vec::new();
        loop {
            let columns = if self.at(TokenKind::LParen) {
                self.name_list_in_parens()?
            } else {
                vec![self.name()?]
            };
            self.expect(TokenKind::Eq)?;
            let value = self.expr()?;
            sets.push(SetClause { columns, value });
            if !self.eat(TokenKind::Comma) {
                return Ok(sets);
            }
        }
    }

    /// Parses the target of UPDATE and DELETE: `[schema.]name [AS alias]`.
    fn target_table(&mut self) -> Result<(QualifiedName, Option<Name>)> {
        let table = self.qualified_name()?;
        let alias = if self.eat_kw(Keyword::As) {
            Some(self.name()?)
        } else {
            None
        };
        Ok((table, alias))
    }

    /// Parses `UPDATE ...` (the WITH clause already read).
    pub(super) fn update(&mut self, with: Option<With>) -> Result<Update> {
        self.expect_kw(Keyword::Update)?;
        let or_conflict = self.or_conflict()?;
        let (table, alias) = self.target_table()?;
        let indexed = self.indexed()?;
        self.expect_kw(Keyword::Set)?;
        let sets = self.set_clauses()?;
        let from = if self.eat_kw(Keyword::From) {
            Some(self.join_clause()?)
        } else {
            None
        };
        let where_clause = if self.eat_kw(Keyword::Where) {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Update {
            with,
            or_conflict,
            table,
            alias,
            indexed,
            sets,
            from,
            where_clause,
            returning,
        })
    }

    /// Parses `DELETE FROM ...` (the WITH clause already read).
    pub(super) fn delete(&mut self, with: Option<With>) -> Result<Delete> {
        self.expect_kw(Keyword::Delete)?;
        self.expect_kw(Keyword::From)?;
        let (table, alias) = self.target_table()?;
        let indexed = self.indexed()?;
        let where_clause = if self.eat_kw(Keyword::Where) {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Delete {
            with,
            table,
            alias,
            indexed,
            where_clause,
            returning,
        })
    }
}
