//! CREATE TABLE/INDEX/VIEW/TRIGGER/VIRTUAL TABLE, DROP and ALTER TABLE.

use super::{Keyword, Parser, Result};
use crate::ast::{
    AlterTableAction, ColumnConstraint, ColumnDef, ConflictResolution, CreateIndex, CreateTable,
    CreateTableBody, CreateTrigger, CreateView, Expr, ForeignKeyAction, ForeignKeyClause, Literal,
    NamedColumnConstraint, NamedTableConstraint, ObjectKind, SortOrder, Statement, TableConstraint,
    TriggerEvent, TriggerTime, UnaryOp,
};
use crate::lexer::{unquote, TokenKind};

impl Parser<'_> {
    /// Parses a statement that starts with `CREATE`.
    pub(super) fn create(&mut self) -> Result<Statement> {
        self.expect_kw(Keyword::Create)?;
        let temporary = self.eat_kw(Keyword::Temp) || self.eat_kw(Keyword::Temporary);
        let token = self.peek();
        match token.kind {
            TokenKind::Keyword(Keyword::Table) => {
                self.advance();
                Ok(Statement::CreateTable(Box::new(
                    self.create_table(temporary)?,
                )))
            }
            TokenKind::Keyword(Keyword::View) => {
                self.advance();
                let if_not_exists = self.if_not_exists()?;
                let name = self.qualified_name()?;
                let columns = if self.at(TokenKind::LParen) {
                    self.name_list_in_parens()?
                } else {
                    Vec::new()
                };
                self.expect_kw(Keyword::As)?;
                let select = Box::new(self.select()?);
                Ok(Statement::CreateView(Box::new(CreateView {
                    temporary,
                    if_not_exists,
                    name,
                    columns,
                    select,
                })))
            }
            TokenKind::Keyword(Keyword::Trigger) => {
                self.advance();
                Ok(Statement::CreateTrigger(Box::new(
                    self.create_trigger(temporary)?,
                )))
            }
            TokenKind::Keyword(Keyword::Unique | Keyword::Index) if !temporary => {
                let unique = self.eat_kw(Keyword::Unique);
                self.expect_kw(Keyword::Index)?;
                let if_not_exists = self.if_not_exists()?;
                let name = self.qualified_name()?;
                self.expect_kw(Keyword::On)?;
                let table = self.name()?;
                self.expect(TokenKind::LParen)?;
                let columns = self.indexed_columns()?;
                self.expect(TokenKind::RParen)?;
                let where_clause = if self.eat_kw(Keyword::Where) {
                    Some(self.expr()?)
                } else {
                    None
                };
                Ok(Statement::CreateIndex(Box::new(CreateIndex {
                    unique,
                    if_not_exists,
                    name,
                    table,
                    columns,
                    where_clause,
                })))
            }
            TokenKind::Keyword(Keyword::Virtual) if !temporary => {
                self.advance();
                self.expect_kw(Keyword::Table)?;
                self.create_virtual_table()
            }
            _ => Err(self.error_at(token)),
        }
    }

    /// Parses `CREATE VIRTUAL TABLE` after `TABLE`.
    fn create_virtual_table(&mut self) -> Result<Statement> {
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        self.expect_kw(Keyword::Using)?;
        let module = self.name()?;
        let mut args = Vec::new();
        if self.eat(TokenKind::LParen) {
            let mut depth = 0usize;
            let mut start = self.peek().span.start;
            loop {
                let token = self.peek();
                match token.kind {
                    TokenKind::Eof => return Err(self.error_at(token)),
                    TokenKind::LParen => depth += 1,
                    TokenKind::RParen if depth == 0 => {
                        let arg = self.sql.get(start..self.prev_end.max(start)).unwrap_or("");
                        if !arg.trim().is_empty() {
                            args.push(arg.trim().to_string());
                        }
                        self.advance();
                        break;
                    }
                    TokenKind::RParen => depth -= 1,
                    TokenKind::Comma if depth == 0 => {
                        let arg = self.sql.get(start..self.prev_end.max(start)).unwrap_or("");
                        args.push(arg.trim().to_string());
                        self.advance();
                        start = self.peek().span.start;
                        continue;
                    }
                    _ => {}
                }
                self.advance();
            }
        }
        Ok(Statement::CreateVirtualTable {
            if_not_exists,
            name,
            module,
            args,
        })
    }

    /// Parses `CREATE TABLE` after `TABLE`.
    fn create_table(&mut self, temporary: bool) -> Result<CreateTable> {
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        if self.eat_kw(Keyword::As) {
            let select = Box::new(self.select()?);
            return Ok(CreateTable {
                temporary,
                if_not_exists,
                name,
                body: CreateTableBody::AsSelect(select),
            });
        }
        self.expect(TokenKind::LParen)?;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        loop {
            if self.at_table_constraint() {
                break;
            }
            columns.push(self.column_def()?);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        if !self.at(TokenKind::RParen) {
            loop {
                constraints.push(self.table_constraint()?);
                if self.at(TokenKind::RParen) {
                    break;
                }
                self.eat(TokenKind::Comma);
            }
        }
        self.expect(TokenKind::RParen)?;
        let mut without_rowid = false;
        let mut strict = false;
        // Table options: `WITHOUT nm` or `nm`, comma-separated; the grammar takes any name and
        // only ROWID (after WITHOUT) and STRICT mean something.
        let mut first_option = true;
        loop {
            let without = self.eat_kw(Keyword::Without);
            if !without && !Self::is_name(self.peek(), true) {
                if first_option {
                    break;
                }
                return Err(self.unexpected());
            }
            let token = self.peek();
            let word = self.name()?;
            if without && word.matches("rowid") {
                without_rowid = true;
            } else if !without && word.matches("strict") {
                strict = true;
            } else {
                let written = self.text(token);
                return Err(self.invalid(token, format!("unknown table option: {written}")));
            }
            if !self.eat(TokenKind::Comma) {
                break;
            }
            first_option = false;
        }
        Ok(CreateTable {
            temporary,
            if_not_exists,
            name,
            body: CreateTableBody::Columns {
                columns,
                constraints,
                without_rowid,
                strict,
            },
        })
    }

    /// Whether a table constraint starts here.
    fn at_table_constraint(&mut self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Keyword(
                Keyword::Constraint
                    | Keyword::Primary
                    | Keyword::Unique
                    | Keyword::Check
                    | Keyword::Foreign
            )
        )
    }

    /// Parses a column definition: name, type, constraints.
    pub(super) fn column_def(&mut self) -> Result<ColumnDef> {
        let name = self.name()?;
        let type_name = self.type_name()?;
        let mut constraints = Vec::new();
        loop {
            let constraint_name = if self.eat_kw(Keyword::Constraint) {
                Some(self.name()?)
            } else {
                None
            };
            // `CONSTRAINT name` with nothing after it is accepted (and means nothing).
            let Some(constraint) = self.column_constraint()? else {
                break;
            };
            constraints.push(NamedColumnConstraint {
                name: constraint_name,
                constraint,
            });
        }
        Ok(ColumnDef {
            name,
            type_name,
            constraints,
        })
    }

    /// Parses `ON CONFLICT resolution`, if present.
    fn conflict_clause(&mut self) -> Result<Option<ConflictResolution>> {
        if self.at_kw(Keyword::On) && self.nth_is_kw(1, Keyword::Conflict) {
            self.advance();
            self.advance();
            Ok(Some(self.conflict_resolution()?))
        } else {
            Ok(None)
        }
    }

    /// Parses one column constraint, if one is next.
    fn column_constraint(&mut self) -> Result<Option<ColumnConstraint>> {
        let token = self.peek();
        let constraint = match token.kind {
            TokenKind::Keyword(Keyword::Primary) => {
                self.advance();
                self.expect_kw(Keyword::Key)?;
                let order = if self.eat_kw(Keyword::Asc) {
                    Some(SortOrder::Asc)
                } else if self.eat_kw(Keyword::Desc) {
                    Some(SortOrder::Desc)
                } else {
                    None
                };
                let conflict = self.conflict_clause()?;
                let autoincrement = self.eat_kw(Keyword::Autoincrement);
                ColumnConstraint::PrimaryKey {
                    order,
                    conflict,
                    autoincrement,
                }
            }
            TokenKind::Keyword(Keyword::Not) => {
                self.advance();
                self.expect_kw(Keyword::Null)?;
                ColumnConstraint::NotNull {
                    conflict: self.conflict_clause()?,
                }
            }
            TokenKind::Keyword(Keyword::Null) => {
                self.advance();
                self.conflict_clause()?;
                ColumnConstraint::Null
            }
            TokenKind::Keyword(Keyword::Unique) => {
                self.advance();
                ColumnConstraint::Unique {
                    conflict: self.conflict_clause()?,
                }
            }
            TokenKind::Keyword(Keyword::Check) => {
                self.advance();
                self.expect(TokenKind::LParen)?;
                let expr = self.expr()?;
                self.expect(TokenKind::RParen)?;
                ColumnConstraint::Check(expr)
            }
            TokenKind::Keyword(Keyword::Default) => {
                self.advance();
                ColumnConstraint::Default(self.default_value()?)
            }
            TokenKind::Keyword(Keyword::Collate) => {
                self.advance();
                ColumnConstraint::Collate(self.name()?)
            }
            TokenKind::Keyword(Keyword::References) => {
                self.advance();
                ColumnConstraint::References(self.foreign_key_clause()?)
            }
            TokenKind::Keyword(Keyword::Generated | Keyword::As) => {
                if self.eat_kw(Keyword::Generated) {
                    self.expect_kw(Keyword::Always)?;
                }
                self.expect_kw(Keyword::As)?;
                self.expect(TokenKind::LParen)?;
                let expr = self.expr()?;
                self.expect(TokenKind::RParen)?;
                let stored = if self.at_word("stored") {
                    self.advance();
                    true
                } else {
                    if self.at_word("virtual") || self.at_kw(Keyword::Virtual) {
                        self.advance();
                    }
                    false
                };
                ColumnConstraint::Generated { expr, stored }
            }
            _ => return Ok(None),
        };
        Ok(Some(constraint))
    }

    /// Parses the value after `DEFAULT`.
    fn default_value(&mut self) -> Result<Expr> {
        let token = self.peek();
        match token.kind {
            TokenKind::LParen => {
                self.advance();
                let expr = self.expr()?;
                self.expect(TokenKind::RParen)?;
                Ok(expr)
            }
            TokenKind::Plus | TokenKind::Minus => {
                self.advance();
                let number = self.peek();
                if token.kind == TokenKind::Minus
                    && number.kind == TokenKind::Integer
                    && self.text(number) == "9223372036854775808"
                {
                    self.advance();
                    return Ok(Expr::Literal(Literal::Integer(i64::MIN)));
                }
                let operand = Box::new(self.default_term()?);
                let op = if token.kind == TokenKind::Minus {
                    UnaryOp::Negate
                } else {
                    UnaryOp::Plus
                };
                Ok(Expr::Unary { op, operand })
            }
            TokenKind::Id => {
                self.advance();
                let text = self.text(token);
                if text.eq_ignore_ascii_case("true") {
                    return Ok(Expr::Literal(Literal::Bool(true)));
                }
                if text.eq_ignore_ascii_case("false") {
                    return Ok(Expr::Literal(Literal::Bool(false)));
                }
                Ok(Expr::Literal(Literal::String(self.name_value(token).0)))
            }
            TokenKind::Keyword(k)
                if k.is_fallback_id()
                    && !matches!(
                        k,
                        Keyword::CurrentTime | Keyword::CurrentDate | Keyword::CurrentTimestamp
                    ) =>
            {
                self.advance();
                Ok(Expr::Literal(Literal::String(self.text(token).to_string())))
            }
            _ => self.default_term(),
        }
    }

    /// Parses a literal term: number, string, blob, NULL, CURRENT_*.
    fn default_term(&mut self) -> Result<Expr> {
        let token = self.peek();
        let literal = match token.kind {
            TokenKind::Integer => self.integer_literal(token, false)?,
            TokenKind::Float => Literal::Real(self.real_value(token)),
            TokenKind::String => Literal::String(unquote(self.text(token), '\'')),
            TokenKind::Blob => Literal::Blob(self.blob_value(token)),
            TokenKind::Keyword(Keyword::Null) => Literal::Null,
            TokenKind::Keyword(Keyword::CurrentTime) => Literal::CurrentTime,
            TokenKind::Keyword(Keyword::CurrentDate) => Literal::CurrentDate,
            TokenKind::Keyword(Keyword::CurrentTimestamp) => Literal::CurrentTimestamp,
            _ => return Err(self.error_at(token)),
        };
        self.advance();
        Ok(Expr::Literal(literal))
    }

    /// Parses `REFERENCES` ... after the keyword.
    fn foreign_key_clause(&mut self) -> Result<ForeignKeyClause> {
        let table = self.name()?;
        let columns = if self.at(TokenKind::LParen) {
            self.name_list_in_parens()?
        } else {
            Vec::new()
        };
        let mut clause = ForeignKeyClause {
            table,
            columns,
            on_delete: None,
            on_update: None,
            match_name: None,
            deferred: false,
        };
        loop {
            if self.at_kw(Keyword::On) && !self.nth_is_kw(1, Keyword::Conflict) {
                self.advance();
                let event = self.advance();
                let action = self.foreign_key_action()?;
                match event.kind {
                    TokenKind::Keyword(Keyword::Delete) => clause.on_delete = Some(action),
                    TokenKind::Keyword(Keyword::Update) => clause.on_update = Some(action),
                    TokenKind::Keyword(Keyword::Insert) => {}
                    _ => return Err(self.error_at(event)),
                }
            } else if self.eat_kw(Keyword::Match) {
                clause.match_name = Some(self.name()?);
            } else {
                break;
            }
        }
        let not = self.at_kw(Keyword::Not) && self.nth_is_kw(1, Keyword::Deferrable);
        if not {
            self.advance();
        }
        if self.eat_kw(Keyword::Deferrable) {
            let mut deferred = false;
            if self.eat_kw(Keyword::Initially) {
                if self.eat_kw(Keyword::Deferred) {
                    deferred = true;
                } else {
                    self.expect_kw(Keyword::Immediate)?;
                }
            }
            clause.deferred = deferred && !not;
        }
        Ok(clause)
    }

    /// Parses a foreign key action.
    fn foreign_key_action(&mut self) -> Result<ForeignKeyAction> {
        let token = self.advance();
        match token.kind {
            TokenKind::Keyword(Keyword::Set) => {
                if self.eat_kw(Keyword::Null) {
                    Ok(ForeignKeyAction::SetNull)
                } else {
                    self.expect_kw(Keyword::Default)?;
                    Ok(ForeignKeyAction::SetDefault)
                }
            }
            TokenKind::Keyword(Keyword::Cascade) => Ok(ForeignKeyAction::Cascade),
            TokenKind::Keyword(Keyword::Restrict) => Ok(ForeignKeyAction::Restrict),
            TokenKind::Keyword(Keyword::No) => {
                self.expect_kw(Keyword::Action)?;
                Ok(ForeignKeyAction::NoAction)
            }
            _ => Err(self.error_at(token)),
        }
    }

    /// Parses one table constraint.
    fn table_constraint(&mut self) -> Result<NamedTableConstraint> {
        let name = if self.eat_kw(Keyword::Constraint) {
            Some(self.name()?)
        } else {
            None
        };
        let token = self.peek();
        let constraint = match token.kind {
            TokenKind::Keyword(Keyword::Primary) => {
                self.advance();
                self.expect_kw(Keyword::Key)?;
                self.expect(TokenKind::LParen)?;
                let columns = self.indexed_columns()?;
                let autoincrement = self.eat_kw(Keyword::Autoincrement);
                self.expect(TokenKind::RParen)?;
                TableConstraint::PrimaryKey {
                    columns,
                    autoincrement,
                    conflict: self.conflict_clause()?,
                }
            }
            TokenKind::Keyword(Keyword::Unique) => {
                self.advance();
                self.expect(TokenKind::LParen)?;
                let columns = self.indexed_columns()?;
                self.expect(TokenKind::RParen)?;
                TableConstraint::Unique {
                    columns,
                    conflict: self.conflict_clause()?,
                }
            }
            TokenKind::Keyword(Keyword::Check) => {
                self.advance();
                self.expect(TokenKind::LParen)?;
                let expr = self.expr()?;
                self.expect(TokenKind::RParen)?;
                self.conflict_clause()?;
                TableConstraint::Check(expr)
            }
            TokenKind::Keyword(Keyword::Foreign) => {
                self.advance();
                self.expect_kw(Keyword::Key)?;
                let columns = self.name_list_in_parens()?;
                self.expect_kw(Keyword::References)?;
                TableConstraint::ForeignKey {
                    columns,
                    clause: self.foreign_key_clause()?,
                }
            }
            _ => return Err(self.error_at(token)),
        };
        Ok(NamedTableConstraint { name, constraint })
    }

    /// Parses `CREATE TRIGGER` after `TRIGGER`.
    fn create_trigger(&mut self, temporary: bool) -> Result<CreateTrigger> {
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let time = if self.eat_kw(Keyword::Before) {
            Some(TriggerTime::Before)
        } else if self.eat_kw(Keyword::After) {
            Some(TriggerTime::After)
        } else if self.at_kw(Keyword::Instead) {
            self.advance();
            self.expect_kw(Keyword::Of)?;
            Some(TriggerTime::InsteadOf)
        } else {
            None
        };
        let token = self.advance();
        let event = match token.kind {
            TokenKind::Keyword(Keyword::Delete) => TriggerEvent::Delete,
            TokenKind::Keyword(Keyword::Insert) => TriggerEvent::Insert,
            TokenKind::Keyword(Keyword::Update) => {
                let mut columns = Vec::new();
                if self.eat_kw(Keyword::Of) {
                    columns.push(self.name()?);
                    while self.eat(TokenKind::Comma) {
                        columns.push(self.name()?);
                    }
                }
                TriggerEvent::Update(columns)
            }
            _ => return Err(self.error_at(token)),
        };
        self.expect_kw(Keyword::On)?;
        let table = self.qualified_name()?;
        let for_each_row = if self.eat_kw(Keyword::For) {
            self.expect_kw(Keyword::Each)?;
            self.expect_kw(Keyword::Row)?;
            true
        } else {
            false
        };
        let when = if self.eat_kw(Keyword::When) {
            Some(self.expr()?)
        } else {
            None
        };
        self.expect_kw(Keyword::Begin)?;
        let mut body = Vec::new();
        loop {
            let token = self.peek();
            let statement = match token.kind {
                TokenKind::Keyword(Keyword::Update) => {
                    Statement::Update(Box::new(self.update(None)?))
                }
                TokenKind::Keyword(Keyword::Insert | Keyword::Replace) => {
                    Statement::Insert(Box::new(self.insert(None)?))
                }
                TokenKind::Keyword(Keyword::Delete) => {
                    Statement::Delete(Box::new(self.delete(None)?))
                }
                TokenKind::Keyword(Keyword::Select | Keyword::Values | Keyword::With) => {
                    self.with_statement_or_select()?
                }
                _ => return Err(self.error_at(token)),
            };
            // SQLite's rules for trigger steps: the target is in the trigger's schema.
            let (qualified, indexed) = match &statement {
                Statement::Insert(s) => (s.table.schema.is_some(), false),
                Statement::Update(s) => (s.table.schema.is_some(), s.indexed.is_some()),
                Statement::Delete(s) => (s.table.schema.is_some(), s.indexed.is_some()),
                _ => (false, false),
            };
            if qualified {
                return Err(self.invalid(
                    token,
                    "qualified table names are not allowed on INSERT, UPDATE, and DELETE \
                     statements within triggers"
                        .to_string(),
                ));
            }
            if indexed {
                return Err(self.invalid(
                    token,
                    "the INDEXED BY clause is not allowed on UPDATE or DELETE statements \
                     within triggers"
                        .to_string(),
                ));
            }
            body.push(statement);
            self.expect(TokenKind::Semi)?;
            if self.eat_kw(Keyword::End) {
                break;
            }
        }
        Ok(CreateTrigger {
            temporary,
            if_not_exists,
            name,
            time,
            event,
            table,
            for_each_row,
            when,
            body,
        })
    }

    /// Parses a SELECT, or a WITH-prefixed statement, inside a trigger body.
    fn with_statement_or_select(&mut self) -> Result<Statement> {
        if self.at_kw(Keyword::With) {
            self.with_statement()
        } else {
            Ok(Statement::Select(Box::new(self.select()?)))
        }
    }

    /// Parses `DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] name`.
    pub(super) fn drop(&mut self) -> Result<Statement> {
        self.expect_kw(Keyword::Drop)?;
        let token = self.advance();
        let kind = match token.kind {
            TokenKind::Keyword(Keyword::Table) => ObjectKind::Table,
            TokenKind::Keyword(Keyword::Index) => ObjectKind::Index,
            TokenKind::Keyword(Keyword::View) => ObjectKind::View,
            TokenKind::Keyword(Keyword::Trigger) => ObjectKind::Trigger,
            _ => return Err(self.error_at(token)),
        };
        let if_exists = self.if_exists()?;
        let name = self.qualified_name()?;
        Ok(Statement::Drop {
            kind,
            if_exists,
            name,
        })
    }

    /// Parses `ALTER TABLE name action`.
    pub(super) fn alter_table(&mut self) -> Result<Statement> {
        self.expect_kw(Keyword::Alter)?;
        self.expect_kw(Keyword::Table)?;
        let table = self.qualified_name()?;
        let token = self.advance();
        let action = match token.kind {
            TokenKind::Keyword(Keyword::Rename) => {
                if self.eat_kw(Keyword::To) {
                    AlterTableAction::RenameTable(self.name()?)
                } else {
                    self.eat_kw(Keyword::Column);
                    let old = self.name()?;
                    self.expect_kw(Keyword::To)?;
                    let new = self.name()?;
                    AlterTableAction::RenameColumn { old, new }
                }
            }
            TokenKind::Keyword(Keyword::Add) => {
                self.eat_kw(Keyword::Column);
                AlterTableAction::AddColumn(self.column_def()?)
            }
            TokenKind::Keyword(Keyword::Drop) => {
                self.eat_kw(Keyword::Column);
                AlterTableAction::DropColumn(self.name()?)
            }
            _ => return Err(self.error_at(token)),
        };
        Ok(Statement::AlterTable {
            table,
            action: Box::new(action),
        })
    }
}
