//! Window definitions: `OVER (...)` and the `WINDOW` clause, with frame specifications.

use super::{Keyword, Parser, Result};
use crate::ast::{FrameBound, FrameExclude, FrameSpec, FrameUnit, WindowDef};
use crate::lexer::TokenKind;

impl Parser<'_> {
    /// Parses a window definition after its `(`, through the closing `)`.
    pub(super) fn window_def_body(&mut self) -> Result<WindowDef> {
        let token = self.peek();
        let base = match token.kind {
            TokenKind::Keyword(
                Keyword::Partition | Keyword::Order | Keyword::Range | Keyword::Rows,
            )
            | TokenKind::Keyword(Keyword::Groups) => None,
            _ if Self::is_name(token, false) => Some(self.name()?),
            _ => None,
        };
        let mut partition_by = Vec::new();
        if self.at_kw(Keyword::Partition) {
            self.advance();
            self.expect_kw(Keyword::By)?;
            partition_by = self.expr_list()?;
        }
        let mut order_by = Vec::new();
        if self.at_kw(Keyword::Order) {
            self.advance();
            self.expect_kw(Keyword::By)?;
            order_by = self.ordering_terms()?;
        }
        let unit = match self.peek().kind {
            TokenKind::Keyword(Keyword::Rows) => Some(FrameUnit::Rows),
            TokenKind::Keyword(Keyword::Range) => Some(FrameUnit::Range),
            TokenKind::Keyword(Keyword::Groups) => Some(FrameUnit::Groups),
            _ => None,
        };
        let frame = match unit {
            Some(unit) => {
                self.advance();
                let (start, end) = if self.eat_kw(Keyword::Between) {
                    let start = self.frame_bound()?;
                    self.expect_kw(Keyword::And)?;
                    (start, Some(self.frame_bound()?))
                } else {
                    (self.frame_bound()?, None)
                };
                let exclude = if self.eat_kw(Keyword::Exclude) {
                    let token = self.advance();
                    Some(match token.kind {
                        TokenKind::Keyword(Keyword::No) => {
                            self.expect_kw(Keyword::Others)?;
                            FrameExclude::NoOthers
                        }
                        TokenKind::Keyword(Keyword::Current) => {
                            self.expect_kw(Keyword::Row)?;
                            FrameExclude::CurrentRow
                        }
                        TokenKind::Keyword(Keyword::Group) => FrameExclude::Group,
                        TokenKind::Keyword(Keyword::Ties) => FrameExclude::Ties,
                        _ => return Err(self.error_at(token)),
                    })
                } else {
                    None
                };
                Some(FrameSpec {
                    unit,
                    start,
                    end,
                    exclude,
                })
            }
            None => None,
        };
        self.expect(TokenKind::RParen)?;
        Ok(WindowDef {
            base,
            partition_by,
            order_by,
            frame,
        })
    }

    /// Parses one frame bound.
    fn frame_bound(&mut self) -> Result<FrameBound> {
        if self.at_kw(Keyword::Unbounded) {
            self.advance();
            let token = self.advance();
            return match token.kind {
                TokenKind::Keyword(Keyword::Preceding) => Ok(FrameBound::UnboundedPreceding),
                TokenKind::Keyword(Keyword::Following) => Ok(FrameBound::UnboundedFollowing),
                _ => Err(self.error_at(token)),
            };
        }
        if self.at_kw(Keyword::Current) && self.nth_is_kw(1, Keyword::Row) {
            self.advance();
            self.advance();
            return Ok(FrameBound::CurrentRow);
        }
        let e = Box::new(self.expr()?);
        let token = self.advance();
        match token.kind {
            TokenKind::Keyword(Keyword::Preceding) => Ok(FrameBound::Preceding(e)),
            TokenKind::Keyword(Keyword::Following) => Ok(FrameBound::Following(e)),
            _ => Err(self.error_at(token)),
        }
    }
}
