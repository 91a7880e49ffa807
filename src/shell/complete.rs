//! When is a statement complete?
//!
//! The shell runs the text it has gathered once it holds whole statements, with SQLite's rule
//! (`sqlite3_complete`): the text ends with a `;` that is outside string literals, quoted
//! identifiers and comments, and that does not sit inside the body of a `CREATE TRIGGER`, whose
//! statements end with `;` too and whose own end is `END;`.
//!
//! The text is read as a stream of coarse tokens, and a small automaton follows them:
//!
//! | state      | `;`        | CREATE  | TEMP/TEMPORARY | TRIGGER | EXPLAIN | END   | other  |
//! | ---------- | ---------- | ------- | -------------- | ------- | ------- | ----- | ------ |
//! | Start      | Start      | Create  | Normal         | Normal  | Explain | Normal| Normal |
//! | Normal     | Start      | Normal  | Normal         | Normal  | Normal  | Normal| Normal |
//! | Explain    | Start      | Create  | Normal         | Normal  | Normal  | Normal| Explain|
//! | Create     | Start      | Normal  | Create         | Trigger | Normal  | Normal| Normal |
//! | Trigger    | Semi       | Trigger | Trigger        | Trigger | Trigger | Trigger| Trigger|
//! | Semi       | Semi       | Trigger | Trigger        | Trigger | Trigger | End   | Trigger|
//! | End        | Start      | Trigger | Trigger        | Trigger | Trigger | Trigger| Trigger|
//!
//! Whitespace and comments leave the state as it is. The text is complete when the automaton
//! is in `Start` after at least one `;`. An unterminated string, quoted identifier or block
//! comment leaves the text incomplete.

/// The automaton's states (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing seen yet.
    Empty,
    /// Just after a statement's closing `;`.
    Start,
    /// Inside an ordinary statement.
    Normal,
    /// After a leading EXPLAIN.
    Explain,
    /// After CREATE (and perhaps TEMP).
    Create,
    /// Inside a trigger body.
    Trigger,
    /// After a `;` inside a trigger body.
    Semi,
    /// After `; END` inside a trigger body.
    End,
}

/// The coarse tokens the automaton reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `;`
    Semi,
    /// The keyword CREATE.
    Create,
    /// TEMP or TEMPORARY.
    Temp,
    /// The keyword TRIGGER.
    Trigger,
    /// The keyword EXPLAIN.
    Explain,
    /// The keyword END.
    End,
    /// Anything else that is not whitespace or a comment.
    Other,
}

impl State {
    /// The state after reading `token`.
    fn next(self, token: Token) -> State {
        use State::*;
        match (self, token) {
            (Trigger, Token::Semi) | (Semi, Token::Semi) => Semi,
            (Semi, Token::End) => End,
            (End, Token::Semi) => Start,
            (Trigger | Semi | End, _) => Trigger,
            (_, Token::Semi) => Start,
            (Empty | Start | Explain, Token::Create) => Create,
            (Empty | Start, Token::Explain) => Explain,
            (Explain, Token::Other) => Explain,
            (Create, Token::Temp) => Create,
            (Create, Token::Trigger) => Trigger,
            _ => Normal,
        }
    }
}

/// Reads the coarse tokens of `sql`, calling `visit(token, end)` with the byte offset just
/// past each one. Returns false when the text ends inside a string, quoted identifier or block
/// comment.
fn tokens(sql: &str, mut visit: impl FnMut(Token, usize) -> bool) -> bool {
    let bytes = sql.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let Some(close) = sql.get(i + 2..).and_then(|rest| rest.find("*/")) else {
                    return false;
                };
                i += 2 + close + 2;
            }
            b'\'' | b'"' | b'`' | b'[' => {
                let close = if byte == b'[' { b']' } else { byte };
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => return false,
                        Some(&b) if b == close => {
                            // A doubled quote inside '...', "..." or `...` is an escaped quote.
                            if byte != b'[' && bytes.get(j + 1) == Some(&close) {
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                if !visit(Token::Other, i) {
                    return true;
                }
            }
            b';' => {
                i += 1;
                if !visit(Token::Semi, i) {
                    return true;
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                let start = i;
                while bytes.get(i).is_some_and(|&b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
                }) {
                    i += 1;
                }
                let word = sql.get(start..i).unwrap_or("");
                let token = if word.eq_ignore_ascii_case("create") {
                    Token::Create
                } else if word.eq_ignore_ascii_case("temp")
                    || word.eq_ignore_ascii_case("temporary")
                {
                    Token::Temp
                } else if word.eq_ignore_ascii_case("trigger") {
                    Token::Trigger
                } else if word.eq_ignore_ascii_case("explain") {
                    Token::Explain
                } else if word.eq_ignore_ascii_case("end") {
                    Token::End
                } else {
                    Token::Other
                };
                if !visit(token, i) {
                    return true;
                }
            }
            _ => {
                i += 1;
                if !visit(Token::Other, i) {
                    return true;
                }
            }
        }
    }
    true
}

/// True when `sql` ends with a complete statement (`sqlite3_complete`).
pub fn is_complete(sql: &str) -> bool {
    let mut state = State::Empty;
    let closed = tokens(sql, |token, _| {
        state = state.next(token);
        true
    });
    closed && state == State::Start
}

/// The length in bytes of the first complete statement in `sql`, its `;` included, or `None`
/// when no statement in it is complete yet.
pub fn first_statement_len(sql: &str) -> Option<usize> {
    let mut state = State::Empty;
    let mut end = None;
    tokens(sql, |token, at| {
        state = state.next(token);
        if state == State::Start {
            end = Some(at);
            return false;
        }
        true
    });
    end
}

/// True when `sql` holds no statement: only whitespace, comments and `;`.
pub fn is_blank_statement(sql: &str) -> bool {
    let mut blank = true;
    let closed = tokens(sql, |token, _| {
        if token != Token::Semi {
            blank = false;
            return false;
        }
        true
    });
    closed && blank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_outside_quotes_and_comments_complete() {
        assert!(is_complete("select 1;"));
        assert!(is_complete("select 1; -- trailing"));
        assert!(is_complete("select ';';"));
        assert!(!is_complete("select ';"));
        assert!(!is_complete("select 1"));
        assert!(!is_complete("select 1 /* ; */"));
        assert!(!is_complete("select 1 /* ;"));
        assert!(!is_complete("select \"a;"));
        assert!(is_complete("select [a;b];"));
        assert!(is_complete("select 'it''s';"));
        assert!(!is_complete("  "));
        assert!(is_complete(";"));
    }

    #[test]
    fn trigger_bodies_end_with_end() {
        let body = "create trigger tr after insert on t begin insert into u values(1);";
        assert!(!is_complete(body));
        assert!(!is_complete(&format!("{body} end")));
        assert!(is_complete(&format!("{body} end;")));
        assert!(is_complete(
            "create temp trigger tr after insert on t begin select 1; end;"
        ));
        assert!(is_complete(
            "explain create trigger x after insert on t begin select 1; end;"
        ));
        // CREATE TABLE named "end" is not a trigger.
        assert!(is_complete("create table trigger_log(x);"));
    }

    #[test]
    fn first_statement_is_found() {
        assert_eq!(first_statement_len("select 1; select 2;"), Some(9));
        assert_eq!(first_statement_len("select 'a;b'"), None);
        let trigger = "create trigger t after insert on t begin select 1; end; select 2;";
        assert_eq!(first_statement_len(trigger), Some(trigger.len() - 10));
    }
}
