//! `complete_statement`: does a buffer end with a whole statement?
//!
//! The shell reads lines until this says yes, then runs the buffer. A `;` ends a statement
//! unless it sits inside a string, a quoted identifier, a comment, or the body of a
//! `CREATE [TEMP] TRIGGER ... BEGIN ... END`. This is SQLite's `sqlite3_complete` state
//! machine over the lexer's tokens:
//!
//! | state \ token | `;` | space | other | EXPLAIN | CREATE | TEMP | TRIGGER | END |
//! | --- | --- | --- | --- | --- | --- | --- | --- | --- |
//! | 0 invalid | 1 | 0 | 2 | 3 | 4 | 2 | 2 | 2 |
//! | 1 start | 1 | 1 | 2 | 3 | 4 | 2 | 2 | 2 |
//! | 2 normal | 1 | 2 | 2 | 2 | 2 | 2 | 2 | 2 |
//! | 3 explain | 1 | 3 | 3 | 2 | 4 | 2 | 2 | 2 |
//! | 4 create | 1 | 4 | 2 | 2 | 2 | 4 | 5 | 2 |
//! | 5 trigger | 6 | 5 | 5 | 5 | 5 | 5 | 5 | 5 |
//! | 6 semi | 6 | 6 | 5 | 5 | 5 | 5 | 5 | 7 |
//! | 7 end | 1 | 7 | 5 | 5 | 5 | 5 | 5 | 5 |
//!
//! The buffer is complete when the machine ends in state 1.

use super::Keyword;
use crate::lexer::{Lexer, TokenKind};

/// The transition table above, by state then token class.
const TRANSITIONS: [[u8; 8]; 8] = [
    [1, 0, 2, 3, 4, 2, 2, 2],
    [1, 1, 2, 3, 4, 2, 2, 2],
    [1, 2, 2, 2, 2, 2, 2, 2],
    [1, 3, 3, 2, 4, 2, 2, 2],
    [1, 4, 2, 2, 2, 4, 5, 2],
    [6, 5, 5, 5, 5, 5, 5, 5],
    [6, 6, 5, 5, 5, 5, 5, 7],
    [1, 7, 5, 5, 5, 5, 5, 5],
];

/// Whether `sql` ends with a complete statement terminated by `;` (trailing whitespace and
/// comments allowed). An unterminated string, identifier or block comment is incomplete.
pub fn complete_statement(sql: &str) -> bool {
    let mut lexer = Lexer::new(sql);
    let mut state = 0usize;
    loop {
        let token = lexer.next_token();
        let class = match token.kind {
            TokenKind::Eof if lexer.ended_in_open_comment() => return false,
            TokenKind::Eof => break,
            TokenKind::Semi => 0,
            TokenKind::Illegal => {
                let first = sql.as_bytes().get(token.span.start).copied();
                if matches!(first, Some(b'\'' | b'"' | b'`' | b'[')) {
                    return false;
                }
                2
            }
            TokenKind::Keyword(Keyword::Explain) => 3,
            TokenKind::Keyword(Keyword::Create) => 4,
            TokenKind::Keyword(Keyword::Temp | Keyword::Temporary) => 5,
            TokenKind::Keyword(Keyword::Trigger) => 6,
            TokenKind::Keyword(Keyword::End) => 7,
            _ => 2,
        };
        state = TRANSITIONS
            .get(state)
            .and_then(|row| row.get(class))
            .copied()
            .unwrap_or(2) as usize;
    }
    state == 1
}

#[cfg(test)]
mod tests {
    use super::complete_statement;

    #[test]
    fn a_semicolon_completes_a_statement() {
        assert!(complete_statement("SELECT 1;"));
        assert!(complete_statement("SELECT 1; -- trailing comment"));
        assert!(!complete_statement("SELECT 1"));
        assert!(!complete_statement(""));
    }

    #[test]
    fn semicolons_in_strings_and_comments_do_not_count() {
        assert!(!complete_statement("SELECT ';"));
        assert!(!complete_statement("SELECT 1 /* ; "));
        assert!(!complete_statement("SELECT \"a;"));
        assert!(complete_statement("SELECT 'a;b';"));
        assert!(complete_statement("SELECT '/*';"));
    }

    #[test]
    fn trigger_bodies_need_their_end() {
        let head = "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;";
        assert!(!complete_statement(head));
        assert!(!complete_statement(&format!("{head} END")));
        assert!(complete_statement(&format!("{head} END;")));
        assert!(complete_statement(
            "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM y; END;"
        ));
    }
}
