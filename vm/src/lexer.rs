//! The SQL tokenizer: bytes of SQL text in, tokens with byte spans out.
//!
//! The lexer follows SQLite's `tokenize.c` token by token. It never fails: text it cannot read
//! becomes a [`TokenKind::Illegal`] token, and the parser reports it as SQLite does
//! (`unrecognized token: "..."`). Whitespace and comments (`-- ...` to the end of the line,
//! `/* ... */`, an unterminated block comment runs to the end of the text) are skipped.

use crate::parser::Keyword;

/// A half-open byte range `start..end` of the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span covering both `self` and `other` (and everything between).
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// What a token is; its text is the SQL text under its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword of SQLite's list (some may still serve as identifiers).
    Keyword(Keyword),
    /// A bare identifier, or one quoted with `""`, `[]` or backticks.
    Id,
    /// A string literal in single quotes.
    String,
    /// A blob literal `x'..'`.
    Blob,
    /// An integer literal, decimal or `0x` hexadecimal.
    Integer,
    /// A real literal (`1.5`, `.5`, `1e10`).
    Float,
    /// A parameter: `?`, `?N`, `:name`, `@name`, `$name`.
    Variable,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `;`
    Semi,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Rem,
    /// `=` or `==`
    Eq,
    /// `!=` or `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `~`
    BitNot,
    /// `||`
    Concat,
    /// `->` or `->>`
    Ptr,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// Text that is no token (unterminated string, stray `!`, `123abc`, ...).
    Illegal,
    /// The end of the text.
    Eof,
}

/// One token: its kind and where it sits in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Its bytes in the SQL text.
    pub span: Span,
}

/// Whether `b` may appear inside a bare identifier (SQLite's `IdChar`).
pub fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Whether `b` may start a bare identifier.
fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// A cursor over SQL text that hands out one token at a time.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    /// The whole SQL text.
    text: &'a [u8],
    /// Offset of the next unread byte.
    pos: usize,
    /// Whether the last comment skipped was a `/*` never closed.
    open_comment: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `sql`.
    pub fn new(sql: &'a str) -> Self {
        Lexer {
            text: sql.as_bytes(),
            pos: 0,
            open_comment: false,
        }
    }

    /// A lexer at byte `offset` of `sql`.
    pub fn at(sql: &'a str, offset: usize) -> Self {
        Lexer {
            text: sql.as_bytes(),
            pos: offset.min(sql.len()),
            open_comment: false,
        }
    }

    /// The byte at `i`, or 0 past the end.
    fn byte(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            let b = self.byte(self.pos);
            if self.pos >= self.text.len() {
                return;
            }
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                self.pos += 1;
            } else if b == b'-' && self.byte(self.pos + 1) == b'-' {
                while self.pos < self.text.len() && self.byte(self.pos) != b'\n' {
                    self.pos += 1;
                }
            } else if b == b'/' && self.byte(self.pos + 1) == b'*' {
                self.pos += 2;
                loop {
                    if self.pos >= self.text.len() {
                        self.open_comment = true;
                        return;
                    }
                    if self.byte(self.pos) == b'*' && self.byte(self.pos + 1) == b'/' {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                return;
            }
        }
    }

    /// Whether the text ended inside a `/* ...` comment that was never closed.
    pub fn ended_in_open_comment(&self) -> bool {
        self.open_comment
    }

    /// The next token; [`TokenKind::Eof`] (repeatedly) at the end of the text.
    pub fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let kind = self.scan();
        Token {
            kind,
            span: Span {
                start,
                end: self.pos,
            },
        }
    }

    /// Reads one token starting at `self.pos` (not trivia) and returns its kind.
    fn scan(&mut self) -> TokenKind {
        let start = self.pos;
        if start >= self.text.len() {
            return TokenKind::Eof;
        }
        let b = self.byte(start);
        let next = self.byte(start + 1);
        let (kind, len) = match b {
            b'(' => (TokenKind::LParen, 1),
            b')' => (TokenKind::RParen, 1),
            b';' => (TokenKind::Semi, 1),
            b'+' => (TokenKind::Plus, 1),
            b'-' if next == b'>' && self.byte(start + 2) == b'>' => (TokenKind::Ptr, 3),
            b'-' if next == b'>' => (TokenKind::Ptr, 2),
            b'-' => (TokenKind::Minus, 1),
            b'*' => (TokenKind::Star, 1),
            b'/' => (TokenKind::Slash, 1),
            b'%' => (TokenKind::Rem, 1),
            b'=' if next == b'=' => (TokenKind::Eq, 2),
            b'=' => (TokenKind::Eq, 1),
            b'<' if next == b'=' => (TokenKind::Le, 2),
            b'<' if next == b'>' => (TokenKind::Ne, 2),
            b'<' if next == b'<' => (TokenKind::LShift, 2),
            b'<' => (TokenKind::Lt, 1),
            b'>' if next == b'=' => (TokenKind::Ge, 2),
            b'>' if next == b'>' => (TokenKind::RShift, 2),
            b'>' => (TokenKind::Gt, 1),
            b'!' if next == b'=' => (TokenKind::Ne, 2),
            b'!' => (TokenKind::Illegal, 1),
            b'|' if next == b'|' => (TokenKind::Concat, 2),
            b'|' => (TokenKind::BitOr, 1),
            b',' => (TokenKind::Comma, 1),
            b'&' => (TokenKind::BitAnd, 1),
            b'~' => (TokenKind::BitNot, 1),
            b'.' if next.is_ascii_digit() => return self.scan_number(),
            b'.' => (TokenKind::Dot, 1),
            b'0'..=b'9' => return self.scan_number(),
            b'\'' => return self.scan_quoted(b'\'', TokenKind::String),
            b'"' => return self.scan_quoted(b'"', TokenKind::Id),
            b'`' => return self.scan_quoted(b'`', TokenKind::Id),
            b'[' => {
                let mut i = start + 1;
                while i < self.text.len() && self.byte(i) != b']' {
                    i += 1;
                }
                if i >= self.text.len() {
                    self.pos = self.text.len();
                    return TokenKind::Illegal;
                }
                self.pos = i + 1;
                return TokenKind::Id;
            }
            b'?' => {
                let mut i = start + 1;
                while self.byte(i).is_ascii_digit() {
                    i += 1;
                }
                self.pos = i;
                return TokenKind::Variable;
            }
            b':' | b'@' | b'$' | b'#' => {
                let mut i = start + 1;
                while i < self.text.len() && is_id_char(self.byte(i)) {
                    i += 1;
                }
                self.pos = i;
                return if i == start + 1 {
                    TokenKind::Illegal
                } else {
                    TokenKind::Variable
                };
            }
            b'x' | b'X' if next == b'\'' => return self.scan_blob(),
            b if is_id_start(b) => {
                let mut i = start + 1;
                while i < self.text.len() && is_id_char(self.byte(i)) {
                    i += 1;
                }
                self.pos = i;
                let word = &self.text[start..i];
                return match Keyword::from_bytes(word) {
                    Some(k) => TokenKind::Keyword(k),
                    None => TokenKind::Id,
                };
            }
            _ => {
                // A stray byte; keep a multi-byte character whole so spans stay on char
                // boundaries.
                let mut i = start + 1;
                while i < self.text.len() && (self.byte(i) & 0xC0) == 0x80 {
                    i += 1;
                }
                (TokenKind::Illegal, i - start)
            }
        };
        self.pos = start + len;
        kind
    }

    /// Reads a quoted token closed by `quote`, where a doubled quote stands for one.
    fn scan_quoted(&mut self, quote: u8, kind: TokenKind) -> TokenKind {
        let mut i = self.pos + 1;
        loop {
            if i >= self.text.len() {
                self.pos = self.text.len();
                return TokenKind::Illegal;
            }
            if self.byte(i) == quote {
                if self.byte(i + 1) == quote {
                    i += 2;
                    continue;
                }
                self.pos = i + 1;
                return kind;
            }
            i += 1;
        }
    }

    /// Reads `x'..'`: an even number of hex digits, else an illegal token.
    fn scan_blob(&mut self) -> TokenKind {
        let mut i = self.pos + 2;
        while self.byte(i).is_ascii_hexdigit() {
            i += 1;
        }
        let digits = i - (self.pos + 2);
        if self.byte(i) != b'\'' || digits & 1 != 0 {
            while i < self.text.len() && self.byte(i) != b'\'' {
                i += 1;
            }
            self.pos = (i + 1).min(self.text.len());
            return TokenKind::Illegal;
        }
        self.pos = i + 1;
        TokenKind::Blob
    }

    /// Reads a numeric literal; trailing identifier characters make it illegal (`123abc`).
    fn scan_number(&mut self) -> TokenKind {
        let start = self.pos;
        let mut i = start;
        let mut kind = TokenKind::Integer;
        if self.byte(i) == b'0'
            && matches!(self.byte(i + 1), b'x' | b'X')
            && self.byte(i + 2).is_ascii_hexdigit()
        {
            i += 2;
            while self.byte(i).is_ascii_hexdigit() {
                i += 1;
            }
        } else {
            while self.byte(i).is_ascii_digit() {
                i += 1;
            }
            if self.byte(i) == b'.' {
                kind = TokenKind::Float;
                i += 1;
                while self.byte(i).is_ascii_digit() {
                    i += 1;
                }
            }
            if matches!(self.byte(i), b'e' | b'E')
                && (self.byte(i + 1).is_ascii_digit()
                    || (matches!(self.byte(i + 1), b'+' | b'-')
                        && self.byte(i + 2).is_ascii_digit()))
            {
                kind = TokenKind::Float;
                i += 2;
                while self.byte(i).is_ascii_digit() {
                    i += 1;
                }
            }
        }
        while i < self.text.len() && is_id_char(self.byte(i)) {
            kind = TokenKind::Illegal;
            i += 1;
        }
        self.pos = i;
        kind
    }
}

/// The value of an identifier token: quotes removed and doubled quotes undone.
pub fn identifier_value(text: &str) -> String {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'[') => text
            .get(1..text.len().saturating_sub(1))
            .unwrap_or("")
            .to_string(),
        Some(&q @ (b'"' | b'`' | b'\'')) => unquote(text, q as char),
        _ => text.to_string(),
    }
}

/// Removes the surrounding `quote` characters and undoubles inner ones.
pub fn unquote(text: &str, quote: char) -> String {
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    let mut doubled = String::with_capacity(2);
    doubled.push(quote);
    doubled.push(quote);
    inner.replace(&doubled, &quote.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<TokenKind> {
        let mut lexer = Lexer::new(sql);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token();
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn operators_take_the_longest_match() {
        use TokenKind::*;
        assert_eq!(
            kinds("<= <> << < >= >> > == = != || | -> ->> -"),
            vec![Le, Ne, LShift, Lt, Ge, RShift, Gt, Eq, Eq, Ne, Concat, BitOr, Ptr, Ptr, Minus]
        );
    }

    #[test]
    fn numbers_strings_blobs_and_illegal_text() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 1.5 .5 1e10 1e 0x1F 'a''b' x'0A' x'0' 'open"),
            vec![Integer, Float, Float, Float, Illegal, Integer, String, Blob, Illegal, Illegal]
        );
        assert_eq!(kinds("123abc !"), vec![Illegal, Illegal]);
    }

    #[test]
    fn comments_are_skipped() {
        use TokenKind::*;
        assert_eq!(kinds("a -- c\n b /* x */ c /* open"), vec![Id, Id, Id]);
    }

    #[test]
    fn quoted_identifiers_are_unquoted() {
        assert_eq!(identifier_value("\"a\"\"b\""), "a\"b");
        assert_eq!(identifier_value("[a b]"), "a b");
        assert_eq!(identifier_value("`x`"), "x");
        assert_eq!(identifier_value("plain"), "plain");
    }
}
