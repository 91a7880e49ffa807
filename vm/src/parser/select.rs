//! SELECT: WITH, compound operators, cores, result columns, FROM and joins, ORDER BY, LIMIT.

use super::{Keyword, Parser, Result};
use crate::ast::{
    CommonTableExpr, CompoundOp, FromClause, Indexed, Join, JoinConstraint, JoinOperator, Limit,
    Name, NullsOrder, OrderingTerm, ResultColumn, Select, SelectClause, SelectCore, SortOrder,
    SourceText, TableOrSubquery, With,
};
use crate::lexer::{Token, TokenKind};

impl Parser<'_> {
    /// Parses a full SELECT, including a leading WITH.
    pub(super) fn select(&mut self) -> Result<Select> {
        self.check_stack()?;
        self.select_inner()
    }

    /// The body of [`Parser::select`].
    fn select_inner(&mut self) -> Result<Select> {
        let with = if self.at_kw(Keyword::With) {
            Some(self.with_clause()?)
        } else {
            None
        };
        let mut select = self.select_body()?;
        select.with = with;
        Ok(select)
    }

    /// Parses a SELECT after its WITH clause: cores, ORDER BY, LIMIT.
    ///
    /// As in SQLite's grammar, ORDER BY and LIMIT belong to the last `SELECT` core (so they
    /// cannot follow a trailing `VALUES`), and before a compound operator they are an error.
    pub(super) fn select_body(&mut self) -> Result<Select> {
        let mut core = self.select_core()?;
        let mut first = None;
        let mut compounds = Vec::new();
        let mut pending_op: Option<CompoundOp> = None;
        loop {
            let (order_by, limit) = if matches!(core, SelectCore::Select(_)) {
                self.order_by_and_limit()?
            } else {
                (Vec::new(), None)
            };
            match pending_op {
                None => first = Some(core),
                Some(op) => compounds.push((op, core)),
            }
            let token = self.peek();
            let op = match token.kind {
                TokenKind::Keyword(Keyword::Union) => {
                    self.advance();
                    if self.eat_kw(Keyword::All) {
                        CompoundOp::UnionAll
                    } else {
                        CompoundOp::Union
                    }
                }
                TokenKind::Keyword(Keyword::Intersect) => {
                    self.advance();
                    CompoundOp::Intersect
                }
                TokenKind::Keyword(Keyword::Except) => {
                    self.advance();
                    CompoundOp::Except
                }
                _ => {
                    let first = first.ok_or_else(|| self.error_at(token))?;
                    return Ok(Select {
                        with: None,
                        first,
                        compounds,
                        order_by,
                        limit,
                    });
                }
            };
            let clause = if !order_by.is_empty() {
                Some("ORDER BY")
            } else if limit.is_some() {
                Some("LIMIT")
            } else {
                None
            };
            if let Some(clause) = clause {
                let name = match op {
                    CompoundOp::Union => "UNION",
                    CompoundOp::UnionAll => "UNION ALL",
                    CompoundOp::Intersect => "INTERSECT",
                    CompoundOp::Except => "EXCEPT",
                };
                return Err(self.invalid(
                    token,
                    format!("{clause} clause should come after {name} not before"),
                ));
            }
            pending_op = Some(op);
            core = self.select_core()?;
        }
    }

    /// Parses `ORDER BY ...` and `LIMIT ...`, each if present.
    fn order_by_and_limit(&mut self) -> Result<(Vec<OrderingTerm>, Option<Limit>)> {
        let order_by = if self.at_kw(Keyword::Order) {
            self.advance();
            self.expect_kw(Keyword::By)?;
            self.ordering_terms()?
        } else {
            Vec::new()
        };
        let limit = if self.eat_kw(Keyword::Limit) {
            let first = self.expr()?;
            if self.eat_kw(Keyword::Offset) {
                Some(Limit {
                    count: first,
                    offset: Some(self.expr()?),
                })
            } else if self.eat(TokenKind::Comma) {
                Some(Limit {
                    count: self.expr()?,
                    offset: Some(first),
                })
            } else {
                Some(Limit {
                    count: first,
                    offset: None,
                })
            }
        } else {
            None
        };
        Ok((order_by, limit))
    }

    /// Parses `WITH [RECURSIVE] cte, ...`.
    pub(super) fn with_clause(&mut self) -> Result<With> {
        self.expect_kw(Keyword::With)?;
        let recursive = self.eat_kw(Keyword::Recursive);
        let mut ctes = Vec::new();
        loop {
            let name = self.name()?;
            let columns = if self.at(TokenKind::LParen) {
                self.name_list_in_parens()?
            } else {
                Vec::new()
            };
            self.expect_kw(Keyword::As)?;
            let materialized = if self.eat_kw(Keyword::Materialized) {
                Some(true)
            } else if self.at_kw(Keyword::Not) && self.nth_is_kw(1, Keyword::Materialized) {
                self.advance();
                self.advance();
                Some(false)
            } else {
                None
            };
            self.expect(TokenKind::LParen)?;
            let select = Box::new(self.select()?);
            self.expect(TokenKind::RParen)?;
            ctes.push(CommonTableExpr {
                name,
                columns,
                materialized,
                select,
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Ok(With { recursive, ctes })
    }

    /// Parses one core: `SELECT ...` or `VALUES ...`.
    fn select_core(&mut self) -> Result<SelectCore> {
        if self.eat_kw(Keyword::Values) {
            let mut rows = Vec::new();
            loop {
                self.expect(TokenKind::LParen)?;
                rows.push(self.expr_list()?);
                self.expect(TokenKind::RParen)?;
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            return Ok(SelectCore::Values(rows));
        }
        self.expect_kw(Keyword::Select)?;
        let distinct = if self.eat_kw(Keyword::Distinct) {
            true
        } else {
            self.eat_kw(Keyword::All);
            false
        };
        let columns = self.result_columns()?;
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
        let mut group_by = Vec::new();
        if self.at_kw(Keyword::Group) {
            self.advance();
            self.expect_kw(Keyword::By)?;
            group_by = self.expr_list()?;
        }
        let having = if self.eat_kw(Keyword::Having) {
            Some(self.expr()?)
        } else {
            None
        };
        let mut windows = Vec::new();
        if self.at_kw(Keyword::Window) && Self::is_name(self.peek_nth(1), false) {
            self.advance();
            loop {
                let name = self.name()?;
                self.expect_kw(Keyword::As)?;
                self.expect(TokenKind::LParen)?;
                windows.push((name, self.window_def_body()?));
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        Ok(SelectCore::Select(Box::new(SelectClause {
            distinct,
            columns,
            from,
            where_clause,
            group_by,
            having,
            windows,
        })))
    }

    /// Parses result columns (also used by RETURNING).
    pub(super) fn result_columns(&mut self) -> Result<Vec<ResultColumn>> {
        let mut columns = Vec::new();
        loop {
            if self.eat(TokenKind::Star) {
                columns.push(ResultColumn::Star);
            } else if Self::is_name(self.peek(), true)
                && self.peek_nth(1).kind == TokenKind::Dot
                && self.peek_nth(2).kind == TokenKind::Star
            {
                let table = self.name()?;
                self.advance();
                self.advance();
                columns.push(ResultColumn::TableStar(table));
            } else {
                let start = self.peek().span.start;
                let expr = self.expr()?;
                let text = SourceText(self.sql.get(start..self.prev_end).map(str::to_string));
                let alias = self.alias()?;
                columns.push(ResultColumn::Expr { expr, alias, text });
            }
            if !self.eat(TokenKind::Comma) {
                return Ok(columns);
            }
        }
    }

    /// Parses `AS name` or an implicit alias (an identifier, string or fallback keyword).
    pub(super) fn alias(&mut self) -> Result<Option<Name>> {
        if self.eat_kw(Keyword::As) {
            return Ok(Some(self.name()?));
        }
        let token = self.peek();
        let window_clause = token.kind == TokenKind::Keyword(Keyword::Window)
            && Self::is_name(self.peek_nth(1), false)
            && self.nth_is_kw(2, Keyword::As);
        if Self::is_implicit_alias(token) && !window_clause {
            self.advance();
            return Ok(Some(self.name_value(token)));
        }
        Ok(None)
    }

    /// Whether `token` can be an alias written without `AS` (SQLite's `ids`).
    fn is_implicit_alias(token: Token) -> bool {
        match token.kind {
            TokenKind::Id | TokenKind::String => true,
            TokenKind::Keyword(k) => k.is_fallback_id(),
            _ => false,
        }
    }

    /// Parses ORDER BY terms.
    pub(super) fn ordering_terms(&mut self) -> Result<Vec<OrderingTerm>> {
        let mut terms = Vec::new();
        loop {
            let expr = self.expr()?;
            let order = if self.eat_kw(Keyword::Asc) {
                Some(SortOrder::Asc)
            } else if self.eat_kw(Keyword::Desc) {
                Some(SortOrder::Desc)
            } else {
                None
            };
            let nulls = if self.eat_kw(Keyword::Nulls) {
                if self.eat_kw(Keyword::First) {
                    Some(NullsOrder::First)
                } else {
                    self.expect_kw(Keyword::Last)?;
                    Some(NullsOrder::Last)
                }
            } else {
                None
            };
            terms.push(OrderingTerm { expr, order, nulls });
            if !self.eat(TokenKind::Comma) {
                return Ok(terms);
            }
        }
    }

    /// Parses a FROM clause (after `FROM`).
    pub(super) fn join_clause(&mut self) -> Result<FromClause> {
        let first = self.table_or_subquery()?;
        let mut joins = Vec::new();
        let token = self.peek();
        if (self.at_kw(Keyword::On) && !self.nth_is_kw(1, Keyword::Conflict))
            || self.at_kw(Keyword::Using)
        {
            let word = self.text(token).to_ascii_uppercase();
            return Err(self.invalid(token, format!("a JOIN clause is required before {word}")));
        }
        while let Some(operator) = self.join_operator()? {
            let table = self.table_or_subquery()?;
            let constraint = self.join_constraint()?;
            joins.push(Join {
                operator,
                table,
                constraint,
            });
        }
        Ok(FromClause { first, joins })
    }

    /// Parses `ON expr` or `USING (names)`, if present. `ON CONFLICT` belongs to an upsert.
    fn join_constraint(&mut self) -> Result<Option<JoinConstraint>> {
        if self.at_kw(Keyword::On) && !self.nth_is_kw(1, Keyword::Conflict) {
            self.advance();
            return Ok(Some(JoinConstraint::On(self.expr()?)));
        }
        if self.eat_kw(Keyword::Using) {
            return Ok(Some(JoinConstraint::Using(self.name_list_in_parens()?)));
        }
        Ok(None)
    }

    /// Parses a join operator, if one is next.
    fn join_operator(&mut self) -> Result<Option<JoinOperator>> {
        if self.eat(TokenKind::Comma) {
            return Ok(Some(JoinOperator::Comma));
        }
        // SQLite's grammar: `JOIN`, or a join word followed by up to two names, then `JOIN`;
        // sqlite3JoinType then gives the words meaning, and rejects unknown words and a few
        // combinations.
        let start = self.peek();
        let mut words = Vec::new();
        match start.kind {
            TokenKind::Keyword(Keyword::Join) => {}
            TokenKind::Keyword(k) if k.is_join_word() => {
                words.push(self.advance());
                while words.len() < 3 && Self::is_name(self.peek(), true) {
                    words.push(self.advance());
                }
            }
            _ => return Ok(None),
        }
        self.expect_kw(Keyword::Join)?;
        let (mut natural, mut left, mut right, mut outer, mut inner, mut cross) =
            (false, false, false, false, false, false);
        let mut known = true;
        for word in &words {
            match word.kind {
                TokenKind::Keyword(Keyword::Natural) => natural = true,
                TokenKind::Keyword(Keyword::Left) => (left, outer) = (true, true),
                TokenKind::Keyword(Keyword::Right) => (right, outer) = (true, true),
                TokenKind::Keyword(Keyword::Full) => (left, right, outer) = (true, true, true),
                TokenKind::Keyword(Keyword::Outer) => outer = true,
                TokenKind::Keyword(Keyword::Inner) => inner = true,
                TokenKind::Keyword(Keyword::Cross) => (inner, cross) = (true, true),
                _ => known = false,
            }
        }
        if !known || (inner && outer) || (outer && !left && !right) {
            let names: Vec<&str> = words.iter().map(|&w| self.text(w)).collect();
            return Err(self.invalid(start, format!("unknown join type: {}", names.join(" "))));
        }
        let operator = match (left, right) {
            (true, true) => JoinOperator::Full { natural },
            (true, false) => JoinOperator::Left { natural },
            (false, true) => JoinOperator::Right { natural },
            (false, false) if cross && !natural => JoinOperator::Cross,
            (false, false) => JoinOperator::Inner { natural },
        };
        Ok(Some(operator))
    }

    /// Parses one item of a FROM clause.
    fn table_or_subquery(&mut self) -> Result<TableOrSubquery> {
        self.check_stack()?;
        self.table_or_subquery_inner()
    }

    /// The body of [`Parser::table_or_subquery`].
    fn table_or_subquery_inner(&mut self) -> Result<TableOrSubquery> {
        if self.eat(TokenKind::LParen) {
            if self.at_select_start() {
                let select = Box::new(self.select()?);
                self.expect(TokenKind::RParen)?;
                let alias = self.alias()?;
                return Ok(TableOrSubquery::Subquery { select, alias });
            }
            let from = Box::new(self.join_clause()?);
            self.expect(TokenKind::RParen)?;
            let alias = self.alias()?;
            return Ok(TableOrSubquery::Nested { from, alias });
        }
        let name = self.qualified_name()?;
        if self.eat(TokenKind::LParen) {
            let args = if self.at(TokenKind::RParen) {
                Vec::new()
            } else {
                self.expr_list()?
            };
            self.expect(TokenKind::RParen)?;
            let alias = self.alias()?;
            return Ok(TableOrSubquery::Function { name, args, alias });
        }
        let alias = self.alias()?;
        let indexed = self.indexed()?;
        Ok(TableOrSubquery::Table {
            name,
            alias,
            indexed,
        })
    }

    /// Parses `INDEXED BY name` or `NOT INDEXED`, if present.
    pub(super) fn indexed(&mut self) -> Result<Option<Indexed>> {
        if self.eat_kw(Keyword::Indexed) {
            self.expect_kw(Keyword::By)?;
            return Ok(Some(Indexed::By(self.name()?)));
        }
        if self.at_kw(Keyword::Not) && self.nth_is_kw(1, Keyword::Indexed) {
            self.advance();
            self.advance();
            return Ok(Some(Indexed::NotIndexed));
        }
        Ok(None)
    }
}
