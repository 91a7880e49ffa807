//! Expressions: a precedence-climbing parser with SQLite's operator table.
//!
//! Binding power, loosest first (SQLite's `parse.y` `%left`/`%right` lines):
//!
//! | power | operators |
//! | --- | --- |
//! | 1 | `OR` |
//! | 2 | `AND` |
//! | 3 | `NOT` (prefix) |
//! | 4 | `=` `==` `!=` `<>` `IS [NOT]` `IN` `LIKE` `GLOB` `MATCH` `REGEXP` `BETWEEN` `ISNULL` `NOTNULL` `NOT NULL` |
//! | 5 | `<` `<=` `>` `>=` |
//! | 6 | `&` `\|` `<<` `>>` |
//! | 7 | `+` `-` |
//! | 8 | `*` `/` `%` |
//! | 9 | `\|\|` `->` `->>` |
//! | 10 | `COLLATE` (postfix) |
//! | 11 | `-` `+` `~` (prefix) |
//!
//! `LIKE`'s pattern and `ESCAPE` operand both take operators of power 5 and up. The lower
//! bound of `BETWEEN` is the exception to precedence climbing: it takes every operator but a top-level
//! `AND` (see [`Parser::between_low`]).
//!
//! Every parse function returns the tree's height beside the tree, so a left-deep chain such as
//! `1+1+...+1` is caught at SQLite's depth limit without recursion.

use super::{Keyword, ParseError, Parser, Position, Result, MAX_EXPR_DEPTH, MAX_VARIABLE_NUMBER};
use crate::ast::{
    BinaryOp, ColumnRef, Expr, FunctionArgs, FunctionCall, LikeOp, Literal, Name, Over,
    RaiseAction, UnaryOp,
};
use crate::lexer::{unquote, Token, TokenKind};

/// Binding power of `OR`.
const OR: u8 = 1;
/// Binding power of `AND`.
const AND: u8 = 2;
/// Binding power of prefix `NOT`.
const NOT: u8 = 3;
/// Binding power of the equality-level operators.
const EQUALITY: u8 = 4;
/// Binding power of `<`, `<=`, `>`, `>=`.
const COMPARISON: u8 = 5;
/// Binding power of the bitwise operators.
const BITWISE: u8 = 6;
/// Binding power of `+` and `-`.
const ADDITIVE: u8 = 7;
/// Binding power of `*`, `/`, `%`.
const MULTIPLICATIVE: u8 = 8;
/// Binding power of `||`, `->`, `->>`.
const CONCAT: u8 = 9;
/// Binding power of postfix `COLLATE`.
const COLLATE: u8 = 10;
/// Binding power of prefix `-`, `+`, `~`.
const UNARY: u8 = 11;

/// An expression with its tree height.
type Sized = (Expr, u32);

/// What one step of the operator loop did.
enum Infix {
    /// An operator was applied: the new tree and its height.
    Applied(Expr, u32),
    /// No operator binds here: the tree as it was, and its height.
    Stop(Expr, u32),
}

/// The binary operator and its power for a token, if it is a plain binary operator.
fn binary_operator(kind: TokenKind) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        TokenKind::Keyword(Keyword::Or) => (BinaryOp::Or, OR),
        TokenKind::Keyword(Keyword::And) => (BinaryOp::And, AND),
        TokenKind::Eq => (BinaryOp::Eq, EQUALITY),
        TokenKind::Ne => (BinaryOp::Ne, EQUALITY),
        TokenKind::Lt => (BinaryOp::Lt, COMPARISON),
        TokenKind::Le => (BinaryOp::Le, COMPARISON),
        TokenKind::Gt => (BinaryOp::Gt, COMPARISON),
        TokenKind::Ge => (BinaryOp::Ge, COMPARISON),
        TokenKind::BitAnd => (BinaryOp::BitAnd, BITWISE),
        TokenKind::BitOr => (BinaryOp::BitOr, BITWISE),
        TokenKind::LShift => (BinaryOp::ShiftLeft, BITWISE),
        TokenKind::RShift => (BinaryOp::ShiftRight, BITWISE),
        TokenKind::Plus => (BinaryOp::Add, ADDITIVE),
        TokenKind::Minus => (BinaryOp::Subtract, ADDITIVE),
        TokenKind::Star => (BinaryOp::Multiply, MULTIPLICATIVE),
        TokenKind::Slash => (BinaryOp::Divide, MULTIPLICATIVE),
        TokenKind::Rem => (BinaryOp::Remainder, MULTIPLICATIVE),
        TokenKind::Concat => (BinaryOp::Concat, CONCAT),
        _ => return None,
    })
}

/// The pattern operator a keyword spells.
fn like_operator(kind: TokenKind) -> Option<LikeOp> {
    match kind {
        TokenKind::Keyword(Keyword::Like) => Some(LikeOp::Like),
        TokenKind::Keyword(Keyword::Glob) => Some(LikeOp::Glob),
        TokenKind::Keyword(Keyword::Match) => Some(LikeOp::Match),
        TokenKind::Keyword(Keyword::Regexp) => Some(LikeOp::Regexp),
        _ => None,
    }
}

impl Parser<'_> {
    /// Parses an expression.
    pub(super) fn expr(&mut self) -> Result<Expr> {
        Ok(self.expr_bp(0)?.0)
    }

    /// Parses a comma-separated list of expressions (at least one).
    pub(super) fn expr_list(&mut self) -> Result<Vec<Expr>> {
        let mut list = vec![self.expr()?];
        while self.eat(TokenKind::Comma) {
            list.push(self.expr()?);
        }
        Ok(list)
    }

    /// Checks a new node's height against the limit.
    fn height(&mut self, height: u32) -> Result<u32> {
        if height > MAX_EXPR_DEPTH {
            let token = self.peek();
            return Err(ParseError::TooDeep {
                max: MAX_EXPR_DEPTH,
                position: Position::locate(self.sql, token.span.start),
            });
        }
        Ok(height)
    }

    /// Parses an expression whose operators all bind tighter than `min`.
    fn expr_bp(&mut self, min: u8) -> Result<Sized> {
        self.enter()?;
        let result = self.expr_bp_inner(min, false);
        self.leave();
        result
    }

    /// Parses the lower bound of `BETWEEN`: any expression, except that an `AND` at its own
    /// top level ends it. (In SQLite's LALR grammar nothing can be reduced before the
    /// `BETWEEN`'s `AND`, so every other operator is shifted into the bound: `x BETWEEN 1 IS
    /// NULL AND 3` has the bound `1 IS NULL`.)
    fn between_low(&mut self) -> Result<Sized> {
        self.enter()?;
        let result = self.expr_bp_inner(0, true);
        self.leave();
        result
    }

    /// The body of [`Parser::expr_bp`]: a primary expression, then operators while they bind
    /// tighter than `min` (and, with `stop_at_and`, until an `AND`).
    fn expr_bp_inner(&mut self, min: u8, stop_at_and: bool) -> Result<Sized> {
        let (mut lhs, mut h) = self.prefix()?;
        loop {
            if stop_at_and && self.at_kw(Keyword::And) {
                return Ok((lhs, h));
            }
            match self.infix(lhs, h, min)? {
                Infix::Applied(e, eh) => (lhs, h) = (e, eh),
                Infix::Stop(e, eh) => return Ok((e, eh)),
            }
        }
    }

    /// Applies the next infix or postfix operator to `lhs` if it binds tighter than `min`.
    /// Kept out of line so the recursion's repeated frames stay small.
    #[inline(never)]
    fn infix(&mut self, lhs: Expr, h: u32, min: u8) -> Result<Infix> {
        let token = self.peek();
        if let Some((op, power)) = binary_operator(token.kind) {
            if power <= min {
                return Ok(Infix::Stop(lhs, h));
            }
            self.advance();
            let (rhs, rh) = self.expr_bp(power)?;
            let h = self.height(h.max(rh) + 1)?;
            if op == BinaryOp::And && (is_literal_zero(&lhs) || is_literal_zero(&rhs)) {
                // SQLite's `sqlite3ExprAnd`: an AND with the integer literal 0 on either side
                // is 0 as it is parsed, so the other side is never resolved (`WHERE nosuch
                // AND 0` names no missing column).
                return Ok(Infix::Applied(Expr::Literal(Literal::Integer(0)), 1));
            }
            let e = Expr::Binary {
                op,
                left: Box::new(lhs),
                right: Box::new(rhs),
            };
            return Ok(Infix::Applied(e, h));
        }
        match token.kind {
            TokenKind::Ptr => {
                if CONCAT <= min {
                    return Ok(Infix::Stop(lhs, h));
                }
                self.advance();
                let op = if self.text(token) == "->>" {
                    BinaryOp::LongArrow
                } else {
                    BinaryOp::Arrow
                };
                let (rhs, rh) = self.expr_bp(CONCAT)?;
                let h = self.height(h.max(rh) + 1)?;
                let e = Expr::Binary {
                    op,
                    left: Box::new(lhs),
                    right: Box::new(rhs),
                };
                Ok(Infix::Applied(e, h))
            }
            TokenKind::Keyword(Keyword::Collate) => {
                if COLLATE <= min {
                    return Ok(Infix::Stop(lhs, h));
                }
                self.advance();
                let collation = self.collation_name()?;
                let h = self.height(h + 1)?;
                let e = Expr::Collate {
                    expr: Box::new(lhs),
                    collation,
                };
                Ok(Infix::Applied(e, h))
            }
            _ => {
                if EQUALITY <= min {
                    return Ok(Infix::Stop(lhs, h));
                }
                match self.equality_postfix(lhs, h)? {
                    Ok((e, eh)) => Ok(Infix::Applied(e, eh)),
                    Err(unchanged) => Ok(Infix::Stop(unchanged, h)),
                }
            }
        }
    }

    /// Parses the name after `COLLATE` (an identifier or string).
    #[inline(never)]
    fn collation_name(&mut self) -> Result<Name> {
        let token = self.peek();
        match token.kind {
            TokenKind::Id | TokenKind::String => {
                self.advance();
                Ok(self.name_value(token))
            }
            TokenKind::Keyword(k) if k.is_fallback_id() => {
                self.advance();
                Ok(self.name_value(token))
            }
            _ => Err(self.error_at(token)),
        }
    }

    /// Tries the equality-level operators that are not plain binary ones (`IS`, `IN`,
    /// `LIKE`, `BETWEEN`, `ISNULL`, `NOT ...`). Gives `lhs` back untouched when none is next.
    #[inline(never)]
    fn equality_postfix(&mut self, lhs: Expr, h: u32) -> Result<Result<Sized, Expr>> {
        let token = self.peek();
        let negated = token.kind == TokenKind::Keyword(Keyword::Not);
        let op_token = if negated { self.peek_nth(1) } else { token };
        let lhs = Box::new(lhs);
        let result = match op_token.kind {
            TokenKind::Keyword(Keyword::Isnull) if !negated => {
                self.advance();
                (Expr::IsNull(lhs), h + 1)
            }
            TokenKind::Keyword(Keyword::Notnull) if !negated => {
                self.advance();
                (Expr::NotNull(lhs), h + 1)
            }
            TokenKind::Keyword(Keyword::Null) if negated => {
                self.advance();
                self.advance();
                (Expr::NotNull(lhs), h + 1)
            }
            TokenKind::Keyword(Keyword::Is) if !negated => {
                self.advance();
                let mut is_not = self.eat_kw(Keyword::Not);
                if self.at_kw(Keyword::Distinct) {
                    self.advance();
                    self.expect_kw(Keyword::From)?;
                    is_not = !is_not;
                }
                let (rhs, rh) = self.expr_bp(EQUALITY)?;
                let op = if is_not {
                    BinaryOp::IsNot
                } else {
                    BinaryOp::Is
                };
                (
                    Expr::Binary {
                        op,
                        left: lhs,
                        right: Box::new(rhs),
                    },
                    h.max(rh) + 1,
                )
            }
            TokenKind::Keyword(Keyword::Between) => {
                if negated {
                    self.advance();
                }
                self.advance();
                let (low, lh) = self.between_low()?;
                self.expect_kw(Keyword::And)?;
                let (high, hh) = self.expr_bp(EQUALITY)?;
                (
                    Expr::Between {
                        negated,
                        expr: lhs,
                        low: Box::new(low),
                        high: Box::new(high),
                    },
                    h.max(lh).max(hh) + 1,
                )
            }
            TokenKind::Keyword(Keyword::In) => {
                if negated {
                    self.advance();
                }
                self.advance();
                self.in_rhs(negated, lhs, h)?
            }
            kind => match like_operator(kind) {
                Some(op) => {
                    if negated {
                        self.advance();
                    }
                    self.advance();
                    let (pattern, ph) = self.expr_bp(EQUALITY)?;
                    let mut height = h.max(ph) + 1;
                    let escape = if self.eat_kw(Keyword::Escape) {
                        let (e, eh) = self.expr_bp(EQUALITY)?;
                        height = height.max(eh + 1);
                        Some(Box::new(e))
                    } else {
                        None
                    };
                    (
                        Expr::Like {
                            negated,
                            op,
                            expr: lhs,
                            pattern: Box::new(pattern),
                            escape,
                        },
                        height,
                    )
                }
                None => return Ok(Err(*lhs)),
            },
        };
        let height = self.height(result.1)?;
        Ok(Ok((result.0, height)))
    }

    /// Parses what follows `IN`: a list, a subquery, a table or a table-valued function.
    #[inline(never)]
    fn in_rhs(&mut self, negated: bool, lhs: Box<Expr>, h: u32) -> Result<Sized> {
        if self.eat(TokenKind::LParen) {
            if self.at_select_start() {
                let select = self.select()?;
                self.expect(TokenKind::RParen)?;
                return Ok((
                    Expr::InSelect {
                        negated,
                        expr: lhs,
                        select: Box::new(select),
                    },
                    h + 1,
                ));
            }
            let mut list = Vec::new();
            let mut height = h;
            if !self.eat(TokenKind::RParen) {
                loop {
                    let (e, eh) = self.expr_bp(0)?;
                    height = height.max(eh);
                    list.push(e);
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::RParen)?;
            }
            return Ok((
                Expr::InList {
                    negated,
                    expr: lhs,
                    list,
                },
                height + 1,
            ));
        }
        let table = self.qualified_name()?;
        let args = if self.eat(TokenKind::LParen) {
            let args = if self.at(TokenKind::RParen) {
                Vec::new()
            } else {
                self.expr_list()?
            };
            self.expect(TokenKind::RParen)?;
            Some(args)
        } else {
            None
        };
        Ok((
            Expr::InTable {
                negated,
                expr: lhs,
                table,
                args,
            },
            h + 1,
        ))
    }

    /// Whether the current token is of `kind`.
    pub(super) fn at(&mut self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    /// Whether a parenthesized select starts here (`SELECT`, `VALUES` or `WITH`).
    pub(super) fn at_select_start(&mut self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Keyword(Keyword::Select | Keyword::Values | Keyword::With)
        )
    }

    /// Parses a primary expression with its prefix operators. The cases live in functions of
    /// their own so that this frame, which recursion repeats, stays small.
    fn prefix(&mut self) -> Result<Sized> {
        let token = self.peek();
        match token.kind {
            TokenKind::Integer
            | TokenKind::Float
            | TokenKind::String
            | TokenKind::Blob
            | TokenKind::Variable => self.literal_expr(token),
            TokenKind::Minus | TokenKind::Plus | TokenKind::BitNot => self.unary_expr(token),
            TokenKind::LParen => self.paren_expr(),
            TokenKind::Keyword(k) => self.keyword_prefix(token, k),
            TokenKind::Id => self.identifier_expr(token),
            _ => Err(self.error_at(token)),
        }
    }

    /// Parses a literal or parameter token.
    #[inline(never)]
    fn literal_expr(&mut self, token: Token) -> Result<Sized> {
        self.advance();
        let expr = match token.kind {
            TokenKind::Integer => Expr::Literal(self.integer_literal(token, false)?),
            TokenKind::Float => Expr::Literal(Literal::Real(self.real_value(token))),
            TokenKind::String => Expr::Literal(Literal::String(unquote(self.text(token), '\''))),
            TokenKind::Blob => Expr::Literal(Literal::Blob(self.blob_value(token))),
            _ => self.variable(token)?,
        };
        Ok((expr, 1))
    }

    /// Parses `-x`, `+x` or `~x` (and the literal `-9223372036854775808`).
    #[inline(never)]
    fn unary_expr(&mut self, token: Token) -> Result<Sized> {
        self.advance();
        let next = self.peek();
        if token.kind == TokenKind::Minus
            && next.kind == TokenKind::Integer
            && self.text(next) == "9223372036854775808"
        {
            self.advance();
            return Ok((Expr::Literal(Literal::Integer(i64::MIN)), 1));
        }
        let op = match token.kind {
            TokenKind::Minus => UnaryOp::Negate,
            TokenKind::Plus => UnaryOp::Plus,
            _ => UnaryOp::BitNot,
        };
        let (operand, h) = self.expr_bp(UNARY)?;
        let h = self.height(h + 1)?;
        Ok((
            Expr::Unary {
                op,
                operand: Box::new(operand),
            },
            h,
        ))
    }

    /// Parses `(expr)`, a row value `(a, b)` or a scalar subquery.
    #[inline(never)]
    fn paren_expr(&mut self) -> Result<Sized> {
        self.advance();
        if self.at_select_start() {
            return self.subquery_expr();
        }
        let (first, mut h) = self.expr_bp(0)?;
        if self.eat(TokenKind::RParen) {
            return Ok((first, h));
        }
        let mut row = vec![first];
        while self.eat(TokenKind::Comma) {
            let (e, eh) = self.expr_bp(0)?;
            h = h.max(eh);
            row.push(e);
        }
        self.expect(TokenKind::RParen)?;
        let h = self.height(h + 1)?;
        Ok((Expr::Row(row), h))
    }

    /// Parses a scalar subquery after its `(`.
    #[inline(never)]
    fn subquery_expr(&mut self) -> Result<Sized> {
        let select = Box::new(self.select()?);
        self.expect(TokenKind::RParen)?;
        Ok((Expr::Subquery(select), 1))
    }

    /// Parses a primary expression that starts with a keyword.
    #[inline(never)]
    fn keyword_prefix(&mut self, token: Token, k: Keyword) -> Result<Sized> {
        let next = self.peek_nth(1).kind;
        let literal = match k {
            Keyword::Null => Some(Literal::Null),
            Keyword::CurrentTime => Some(Literal::CurrentTime),
            Keyword::CurrentDate => Some(Literal::CurrentDate),
            Keyword::CurrentTimestamp => Some(Literal::CurrentTimestamp),
            _ => None,
        };
        if let Some(literal) = literal {
            self.advance();
            return Ok((Expr::Literal(literal), 1));
        }
        match k {
            Keyword::Not => {
                self.advance();
                let (operand, h) = self.expr_bp(NOT - 1)?;
                let h = self.height(h + 1)?;
                Ok((
                    Expr::Unary {
                        op: UnaryOp::Not,
                        operand: Box::new(operand),
                    },
                    h,
                ))
            }
            Keyword::Exists => {
                self.advance();
                self.expect(TokenKind::LParen)?;
                let select = self.select()?;
                self.expect(TokenKind::RParen)?;
                Ok((Expr::Exists(Box::new(select)), 1))
            }
            Keyword::Case => self.case_expr(),
            Keyword::Cast if next == TokenKind::LParen => {
                self.advance();
                self.advance();
                let (expr, h) = self.expr_bp(0)?;
                self.expect_kw(Keyword::As)?;
                let type_name = self.type_name()?;
                self.expect(TokenKind::RParen)?;
                let h = self.height(h + 1)?;
                Ok((
                    Expr::Cast {
                        expr: Box::new(expr),
                        type_name,
                    },
                    h,
                ))
            }
            Keyword::Raise if next == TokenKind::LParen => {
                self.advance();
                self.advance();
                self.raise()
            }
            Keyword::Indexed => self.identifier_expr(token),
            k if k.is_fallback_id() || k.is_join_word() => self.identifier_expr(token),
            _ => Err(self.error_at(token)),
        }
    }

    /// Parses `RAISE(` ... `)` after its parenthesis.
    #[inline(never)]
    fn raise(&mut self) -> Result<Sized> {
        let token = self.advance();
        let action = match token.kind {
            TokenKind::Keyword(Keyword::Ignore) => RaiseAction::Ignore,
            TokenKind::Keyword(Keyword::Rollback) => RaiseAction::Rollback,
            TokenKind::Keyword(Keyword::Abort) => RaiseAction::Abort,
            TokenKind::Keyword(Keyword::Fail) => RaiseAction::Fail,
            _ => return Err(self.error_at(token)),
        };
        let mut h = 1;
        let message = if action == RaiseAction::Ignore {
            None
        } else {
            self.expect(TokenKind::Comma)?;
            let (m, mh) = self.expr_bp(0)?;
            h = mh + 1;
            Some(Box::new(m))
        };
        self.expect(TokenKind::RParen)?;
        Ok((Expr::Raise { action, message }, h))
    }

    /// Parses `CASE ... END`.
    #[inline(never)]
    fn case_expr(&mut self) -> Result<Sized> {
        self.advance();
        let mut h = 0;
        let operand = if self.at_kw(Keyword::When) {
            None
        } else {
            let (e, eh) = self.expr_bp(0)?;
            h = eh;
            Some(Box::new(e))
        };
        let mut when_then = Vec::new();
        while self.eat_kw(Keyword::When) {
            let (w, wh) = self.expr_bp(0)?;
            self.expect_kw(Keyword::Then)?;
            let (t, th) = self.expr_bp(0)?;
            h = h.max(wh).max(th);
            when_then.push((w, t));
        }
        if when_then.is_empty() {
            return Err(self.unexpected());
        }
        let else_expr = if self.eat_kw(Keyword::Else) {
            let (e, eh) = self.expr_bp(0)?;
            h = h.max(eh);
            Some(Box::new(e))
        } else {
            None
        };
        self.expect_kw(Keyword::End)?;
        let h = self.height(h + 1)?;
        Ok((
            Expr::Case {
                operand,
                when_then,
                else_expr,
            },
            h,
        ))
    }

    /// Parses an expression that starts with a name: a column reference, a function call, or
    /// `TRUE`/`FALSE`.
    #[inline(never)]
    fn identifier_expr(&mut self, token: Token) -> Result<Sized> {
        self.advance();
        let first = self.name_value(token);
        match self.peek().kind {
            TokenKind::LParen => self.function_call(first),
            TokenKind::Dot => self.qualified_column(first),
            _ => {
                let text = self.text(token);
                if token.kind == TokenKind::Id {
                    if text.eq_ignore_ascii_case("true") {
                        return Ok((Expr::Literal(Literal::Bool(true)), 1));
                    }
                    if text.eq_ignore_ascii_case("false") {
                        return Ok((Expr::Literal(Literal::Bool(false)), 1));
                    }
                }
                Ok((
                    Expr::Column {
                        column: ColumnRef {
                            schema: None,
                            table: None,
                            column: first,
                        },
                        double_quoted: text.starts_with('"'),
                    },
                    1,
                ))
            }
        }
    }

    /// Parses `.b` or `.b.c` after the name `first` of a column reference.
    #[inline(never)]
    fn qualified_column(&mut self, first: Name) -> Result<Sized> {
        self.advance();
        let second = self.name()?;
        let column = if self.eat(TokenKind::Dot) {
            let third = self.name()?;
            ColumnRef {
                schema: Some(first),
                table: Some(second),
                column: third,
            }
        } else {
            ColumnRef {
                schema: None,
                table: Some(first),
                column: second,
            }
        };
        Ok((
            Expr::Column {
                column,
                double_quoted: false,
            },
            1,
        ))
    }

    /// Parses a function call's arguments, `FILTER` and `OVER`, after the name.
    #[inline(never)]
    fn function_call(&mut self, name: Name) -> Result<Sized> {
        let (args, h) = self.function_args()?;
        self.expect(TokenKind::RParen)?;
        let mut call = Box::new(FunctionCall {
            name,
            args,
            filter: None,
            over: None,
        });
        let h = self.function_suffix(&mut call, h)?;
        let h = self.height(h + 1)?;
        Ok((Expr::Function(call), h))
    }

    /// Parses `FILTER (WHERE ...)` and `OVER ...` after a call's arguments into `call`;
    /// returns the height so far.
    #[inline(never)]
    fn function_suffix(&mut self, call: &mut FunctionCall, mut h: u32) -> Result<u32> {
        if self.at_kw(Keyword::Filter) && self.peek_nth(1).kind == TokenKind::LParen {
            self.advance();
            self.advance();
            self.expect_kw(Keyword::Where)?;
            let (e, eh) = self.expr_bp(0)?;
            h = h.max(eh);
            self.expect(TokenKind::RParen)?;
            call.filter = Some(Box::new(e));
        }
        if self.at_kw(Keyword::Over) {
            let next = self.peek_nth(1);
            if next.kind == TokenKind::LParen {
                self.advance();
                self.advance();
                call.over = Some(Over::Window(Box::new(self.window_def_body()?)));
            } else if Self::is_name(next, false) {
                self.advance();
                call.over = Some(Over::Named(self.name()?));
            }
        }
        Ok(h)
    }

    /// Parses `(` and the arguments of a function call, up to (not including) the `)`.
    #[inline(never)]
    fn function_args(&mut self) -> Result<(FunctionArgs, u32)> {
        self.expect(TokenKind::LParen)?;
        let mut h = 0;
        if self.eat(TokenKind::Star) {
            return Ok((FunctionArgs::Star, h));
        }
        let distinct = if self.eat_kw(Keyword::Distinct) {
            true
        } else {
            self.eat_kw(Keyword::All);
            false
        };
        let mut args = Vec::new();
        if !self.at(TokenKind::RParen) {
            loop {
                let (e, eh) = self.expr_bp(0)?;
                h = h.max(eh);
                args.push(e);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        Ok((FunctionArgs::List { distinct, args }, h))
    }

    /// Numbers a parameter as SQLite does: `?` takes the next index, `?N` is N, and a named
    /// parameter takes the next index at its first appearance and keeps it.
    #[inline(never)]
    fn variable(&mut self, token: Token) -> Result<Expr> {
        let text = self.text(token);
        let sql = self.sql;
        let position = || Position::locate(sql, token.span.start);
        let index = if text == "?" {
            self.parameters.push(None);
            self.parameters.len()
        } else if let Some(digits) = text.strip_prefix('?') {
            let n = digits
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_VARIABLE_NUMBER).contains(n))
                .ok_or_else(|| ParseError::VariableNumber {
                    max: MAX_VARIABLE_NUMBER,
                    position: position(),
                })? as usize;
            if self.parameters.len() < n {
                self.parameters.resize(n, None);
            }
            if let Some(slot) = self.parameters.get_mut(n - 1) {
                if slot.is_none() {
                    *slot = Some(text.to_string());
                    self.parameter_names.insert(text.to_string(), n);
                }
            }
            n
        } else if let Some(&i) = self.parameter_names.get(text) {
            i
        } else {
            self.parameters.push(Some(text.to_string()));
            let index = self.parameters.len();
            self.parameter_names.insert(text.to_string(), index);
            index
        };
        if index > MAX_VARIABLE_NUMBER as usize {
            return Err(ParseError::TooManyVariables {
                position: position(),
            });
        }
        Ok(Expr::Variable {
            index: index as u32,
            name: text.to_string(),
        })
    }
}

/// Whether `e` is the integer literal 0 as written (`0`, `00`, `0x0`), which SQLite marks
/// as always false when it parses it (not `-0`, `+0` or `0.0`).
fn is_literal_zero(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Literal::Integer(0)))
}
