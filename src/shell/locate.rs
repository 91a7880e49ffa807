//! Where in a statement an error points, for the `^--- error here` marker.
//!
//! `sqlite3` 3.40.1 shows the statement with a marker when `sqlite3_error_offset` knows the
//! offending token. Besides syntax errors (whose offset concur's parser reports), SQLite
//! records an offset for a handful of name-resolution errors, pointing at the expression or
//! name that failed:
//!
//! | message                                        | the marker is under                      |
//! | ---------------------------------------------- | ---------------------------------------- |
//! | `no such column: X`, `ambiguous column name: X` | the first reference `X` (`t.X` as a whole); none in an ON clause |
//! | `no such function: F`                           | the first call `F(`                      |
//! | `wrong number of arguments to function F()`     | the first call `F(`                      |
//! | `table T already exists`, `view V ...`, `trigger R ...` | the name after `CREATE ... [IF NOT EXISTS]` |
//!
//! concur's compiler does not carry token positions into its errors yet, so the shell finds
//! the token from the message: it scans the statement's tokens for the first reference that
//! matches the named column or function. SQLite resolves names in the order they appear in
//! most statements (result columns, then FROM, WHERE, GROUP BY, HAVING, ORDER BY), so the
//! first textual match is the one it reports. Messages of any other kind get no marker, as in
//! 3.40.1 (`no such table`, `index ... already exists`, ...).

use concur_vm::lexer::{Lexer, Token, TokenKind};
use concur_vm::parser::Keyword;

/// The byte offset in `sql` that the error `message` points at, if SQLite reports one.
pub fn error_offset(sql: &str, message: &str) -> Option<usize> {
    let tokens = tokens(sql);
    if let Some(name) = message
        .strip_prefix("no such column: ")
        .or_else(|| message.strip_prefix("ambiguous column name: "))
    {
        // SQLite 3.40 moves ON terms into the WHERE clause and loses their position there.
        return column_reference(sql, &tokens, name).filter(|&at| !in_on_clause(&tokens, at));
    }
    if let Some(name) = message.strip_prefix("no such function: ").or_else(|| {
        message
            .strip_prefix("wrong number of arguments to function ")
            .and_then(|rest| rest.strip_suffix("()"))
    }) {
        return function_call(sql, &tokens, name);
    }
    for kind in ["table ", "view ", "trigger "] {
        if message
            .strip_prefix(kind)
            .is_some_and(|rest| rest.ends_with(" already exists"))
        {
            return created_name(&tokens);
        }
    }
    None
}

/// The tokens of `sql` up to its end.
fn tokens(sql: &str) -> Vec<Token> {
    let mut lexer = Lexer::new(sql);
    let mut out = Vec::new();
    loop {
        let token = lexer.next_token();
        if token.kind == TokenKind::Eof {
            return out;
        }
        out.push(token);
    }
}

/// The name a token spells, unquoted, when it can name a column or function.
fn name_of<'s>(sql: &'s str, token: &Token) -> Option<std::borrow::Cow<'s, str>> {
    let text = sql.get(token.span.start..token.span.end)?;
    match token.kind {
        TokenKind::Keyword(_) => Some(text.into()),
        TokenKind::Id => {
            let bytes = text.as_bytes();
            let (first, last) = (*bytes.first()?, *bytes.last()?);
            let quoted = matches!((first, last), (b'"', b'"') | (b'`', b'`') | (b'[', b']'));
            if quoted && text.len() >= 2 {
                let inner = text.get(1..text.len() - 1)?;
                Some(match first {
                    b'"' => inner.replace("\"\"", "\"").into(),
                    b'`' => inner.replace("``", "`").into(),
                    _ => inner.into(),
                })
            } else {
                Some(text.into())
            }
        }
        _ => None,
    }
}

/// The kind of token at `i`, or `Eof` outside the list.
fn kind_at(tokens: &[Token], i: usize) -> TokenKind {
    tokens.get(i).map_or(TokenKind::Eof, |t| t.kind)
}

/// The first reference to the column `name` (`c`, `t.c` or `s.t.c`): a dotted chain of names
/// equal to its parts, not itself part of a longer chain and not a function call.
fn column_reference(sql: &str, tokens: &[Token], name: &str) -> Option<usize> {
    let parts: Vec<&str> = name.split('.').collect();
    let span = parts.len().checked_mul(2)?.checked_sub(1)?;
    (0..tokens.len()).find_map(|start| {
        if start > 0 && kind_at(tokens, start - 1) == TokenKind::Dot {
            return None;
        }
        let end = start + span;
        if matches!(kind_at(tokens, end), TokenKind::Dot | TokenKind::LParen) {
            return None;
        }
        let matches = parts.iter().enumerate().all(|(n, part)| {
            let at = start + 2 * n;
            let dot_ok = n == 0 || kind_at(tokens, at - 1) == TokenKind::Dot;
            dot_ok
                && tokens
                    .get(at)
                    .and_then(|t| name_of(sql, t))
                    .is_some_and(|text| text.eq_ignore_ascii_case(part))
        });
        if matches {
            tokens.get(start).map(|t| t.span.start)
        } else {
            None
        }
    })
}

/// Whether the token at byte `at` belongs to a join's ON clause: the nearest clause keyword
/// before it is ON.
fn in_on_clause(tokens: &[Token], at: usize) -> bool {
    tokens
        .iter()
        .rev()
        .filter(|t| t.span.start < at)
        .find_map(|t| match t.kind {
            TokenKind::Keyword(Keyword::On) => Some(true),
            TokenKind::Keyword(
                Keyword::Select
                | Keyword::From
                | Keyword::Where
                | Keyword::Group
                | Keyword::Having
                | Keyword::Order
                | Keyword::Join
                | Keyword::Using
                | Keyword::Set
                | Keyword::Values,
            ) => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

/// The first call `name(`.
fn function_call(sql: &str, tokens: &[Token], name: &str) -> Option<usize> {
    tokens.iter().enumerate().find_map(|(i, token)| {
        let called = kind_at(tokens, i + 1) == TokenKind::LParen
            && name_of(sql, token).is_some_and(|text| text.eq_ignore_ascii_case(name));
        called.then_some(token.span.start)
    })
}

/// The name token of a `CREATE [TEMP] TABLE|VIEW|TRIGGER [IF NOT EXISTS] name` statement.
fn created_name(tokens: &[Token]) -> Option<usize> {
    let keyword = |i: usize| match kind_at(tokens, i) {
        TokenKind::Keyword(k) => Some(k),
        _ => None,
    };
    if keyword(0) != Some(Keyword::Create) {
        return None;
    }
    let mut i = 1;
    while matches!(keyword(i), Some(Keyword::Temp | Keyword::Temporary)) {
        i += 1;
    }
    if !matches!(
        keyword(i),
        Some(Keyword::Table | Keyword::View | Keyword::Trigger)
    ) {
        return None;
    }
    i += 1;
    if keyword(i) == Some(Keyword::If)
        && keyword(i + 1) == Some(Keyword::Not)
        && keyword(i + 2) == Some(Keyword::Exists)
    {
        i += 3;
    }
    tokens.get(i).map(|t| t.span.start)
}

#[cfg(test)]
mod tests {
    use super::error_offset;

    #[test]
    fn columns_functions_and_created_names_are_found() {
        let at = |sql: &str, message: &str| error_offset(sql, message);
        assert_eq!(
            at("select a, nope from t", "no such column: nope"),
            Some(10)
        );
        assert_eq!(
            at("select x.nope, nope from t", "no such column: nope"),
            Some(15)
        );
        assert_eq!(
            at("select [t].[zz] from t", "no such column: t.zz"),
            Some(7)
        );
        assert_eq!(at("select nope(1), nope", "no such column: nope"), Some(16));
        assert_eq!(
            at(
                "select 1 + ABS(1, 2)",
                "wrong number of arguments to function abs()"
            ),
            Some(11)
        );
        assert_eq!(at("select f (1)", "no such function: f"), Some(7));
        assert_eq!(
            at(
                "create temp view if not exists v as select 1",
                "view v already exists"
            ),
            Some(31)
        );
        assert_eq!(at("create index i on t(a)", "index i already exists"), None);
        assert_eq!(at("select * from nope", "no such table: nope"), None);
        assert_eq!(at("select 1", "no such column: main.x.a"), None);
        assert_eq!(
            at("select 1 from t join u on nope", "no such column: nope"),
            None
        );
    }
}
