//! Literal values and type names: integers (with SQLite's overflow-to-REAL rule), reals, blobs,
//! and `VARCHAR(10)`-style type names kept as written.

use super::{Keyword, ParseError, Parser, Position, Result};
use crate::ast::{Literal, TypeName};
use crate::lexer::{Token, TokenKind};

impl Parser<'_> {
    /// Parses a type name (possibly empty, as in `CAST(x AS)`): words, then an optional
    /// `(n)` or `(n, m)`.
    pub(super) fn type_name(&mut self) -> Result<Option<TypeName>> {
        let first = self.peek();
        if !Self::is_type_word(first) {
            return Ok(None);
        }
        let mut last = first;
        while Self::is_type_word(self.peek()) {
            last = self.advance();
        }
        let name = self
            .sql
            .get(first.span.start..last.span.end)
            .unwrap_or("")
            .to_string();
        let mut args = Vec::new();
        if self.eat(TokenKind::LParen) {
            args.push(self.signed_number_text()?);
            if self.eat(TokenKind::Comma) {
                args.push(self.signed_number_text()?);
            }
            self.expect(TokenKind::RParen)?;
        }
        Ok(Some(TypeName { name, args }))
    }

    /// Whether `token` can be a word of a type name.
    fn is_type_word(token: Token) -> bool {
        match token.kind {
            TokenKind::Id | TokenKind::String => true,
            TokenKind::Keyword(Keyword::Generated) => false,
            TokenKind::Keyword(k) => k.is_fallback_id(),
            _ => false,
        }
    }

    /// Parses `[+|-] number` and returns its text as written.
    fn signed_number_text(&mut self) -> Result<String> {
        let start = self.peek();
        if matches!(start.kind, TokenKind::Plus | TokenKind::Minus) {
            self.advance();
        }
        let number = self.peek();
        if !matches!(number.kind, TokenKind::Integer | TokenKind::Float) {
            return Err(self.error_at(number));
        }
        self.advance();
        Ok(self
            .sql
            .get(start.span.start..number.span.end)
            .unwrap_or("")
            .to_string())
    }

    /// The value of an integer token; decimal values past i64 become REAL as in SQLite.
    #[inline(never)]
    pub(super) fn integer_literal(&self, token: Token, negate: bool) -> Result<Literal> {
        let text = self.text(token);
        let hex_digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .filter(|digits| !digits.is_empty());
        if let Some(hex) = hex_digits {
            let value = u64::from_str_radix(hex, 16).map_err(|_| ParseError::HexTooBig {
                literal: text.to_string(),
                position: Position::locate(self.sql, token.span.start),
            })?;
            let value = value as i64;
            return Ok(Literal::Integer(if negate {
                value.wrapping_neg()
            } else {
                value
            }));
        }
        let literal = match text.parse::<i64>() {
            Ok(v) => Literal::Integer(if negate { -v } else { v }),
            Err(_) if negate && text == "9223372036854775808" => Literal::Integer(i64::MIN),
            Err(_) => {
                let v = self.real_value(token);
                Literal::Real(if negate { -v } else { v })
            }
        };
        Ok(literal)
    }

    /// The value of a real token (or an integer token too large for i64), read as SQLite's
    /// `sqlite3AtoF` reads it (not always the nearest double: see `value::numeric`).
    pub(super) fn real_value(&self, token: Token) -> f64 {
        crate::value::numeric::parse_real(self.text(token).as_bytes()).0
    }

    /// The bytes of a blob token `x'..'`.
    pub(super) fn blob_value(&self, token: Token) -> Vec<u8> {
        let text = self.text(token);
        let hex = text.get(2..text.len().saturating_sub(1)).unwrap_or("");
        hex.as_bytes()
            .chunks(2)
            .map(|pair| {
                let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                let hi = pair.first().copied().map_or(0, digit);
                let lo = pair.get(1).copied().map_or(0, digit);
                hi << 4 | lo
            })
            .collect()
    }
}
