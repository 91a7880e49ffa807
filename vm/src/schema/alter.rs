//! `ALTER TABLE ... RENAME COLUMN` and `ALTER TABLE ... DROP COLUMN`: editing the stored
//! CREATE texts token by token, as SQLite's `alter.c` does.
//!
//! SQLite never reprints a schema object: it finds the tokens that name the column and
//! splices the new name in, so comments, spacing and letter case survive. This module does
//! the same over the lexer's tokens.
//!
//! ## Which tokens name the column
//!
//! | object | tokens renamed |
//! | --- | --- |
//! | the table itself | the column definition's name; the column in CHECK and generated-column expressions, in PRIMARY KEY / UNIQUE / FOREIGN KEY lists, and in `REFERENCES t(...)` lists that point at the table itself |
//! | another table | `REFERENCES t(...)` lists that point at the table |
//! | an index on the table | the column in its key list and WHERE clause |
//! | a view or trigger | `t.col`, `alias.col` (and `NEW.col`/`OLD.col`, `UPDATE OF col` in a trigger on the table), and a bare `col` when the table is named in the text and no other table named there has a column of that name |
//!
//! SQLite resolves names in views and triggers fully; the last row is an approximation of
//! that resolution over tokens, exact for the usual one-table and qualified cases.
//!
//! A replacement is the bare new name, unless the ALTER statement quoted it or the replaced
//! token was quoted: then it is `"new"` (SQLite's rule in `renameEditSql`).
//!
//! ## DROP COLUMN's edit
//!
//! The column's definition is cut from its first token to the first token of the next
//! column; the last column is cut from the comma before it to the end of the column
//! definitions (the comma before the first table constraint, or the closing parenthesis),
//! exactly SQLite's `sqlite_drop_column()`.

use std::sync::Arc;

use super::ddl::{bump_cookie, rewrite_schema_row};
use super::{Schema, Table};
use crate::error::{Error, Result};
use crate::lexer::{identifier_value, Lexer, TokenKind};
use crate::parser::Keyword;
use crate::storage::Txn;

/// One token with its text.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    /// The kind.
    kind: TokenKind,
    /// Offset of the first byte.
    start: usize,
    /// Offset one past the last byte.
    end: usize,
    /// The text.
    text: &'a str,
}

/// The tokens of `sql`, without the end marker.
fn tokens(sql: &str) -> Vec<Tok<'_>> {
    let mut lexer = Lexer::new(sql);
    let mut out = Vec::new();
    loop {
        let t = lexer.next_token();
        if t.kind == TokenKind::Eof {
            return out;
        }
        out.push(Tok {
            kind: t.kind,
            start: t.span.start,
            end: t.span.end,
            text: sql.get(t.span.start..t.span.end).unwrap_or(""),
        });
    }
}

/// The name a token spells when it can be an identifier.
fn name_of(t: &Tok<'_>) -> Option<String> {
    match t.kind {
        TokenKind::Id => Some(identifier_value(t.text)),
        TokenKind::Keyword(k) if k.is_fallback_id() => Some(t.text.to_string()),
        _ => None,
    }
}

/// Whether token `t` spells `name` (ASCII case-insensitive).
fn spells(t: Option<&Tok<'_>>, name: &str) -> bool {
    t.and_then(name_of)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// Whether token `t` is keyword `k`.
fn is_kw(t: Option<&Tok<'_>>, k: Keyword) -> bool {
    t.is_some_and(|t| t.kind == TokenKind::Keyword(k))
}

/// The index of the parenthesis closing the one at `open`.
fn closing(toks: &[Tok<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// What a RENAME COLUMN changes: table `table`'s column `old` becomes `new`.
pub struct ColumnRename<'a> {
    /// The table.
    pub table: &'a str,
    /// The column's current name.
    pub old: &'a str,
    /// Its new name.
    pub new: &'a str,
    /// Whether the ALTER statement wrote the new name quoted.
    pub quoted: bool,
}

impl ColumnRename<'_> {
    /// The text replacing token `original`.
    fn replacement(&self, original: &str) -> String {
        let bare = original
            .as_bytes()
            .first()
            .is_some_and(|b| crate::lexer::is_id_char(*b));
        if self.quoted || !bare {
            format!("\"{}\"", self.new.replace('"', "\"\""))
        } else {
            self.new.to_string()
        }
    }

    /// `sql` with the tokens at `hits` replaced.
    fn splice(&self, sql: &str, toks: &[Tok<'_>], mut hits: Vec<usize>) -> Option<String> {
        if hits.is_empty() {
            return None;
        }
        hits.sort_unstable();
        hits.dedup();
        let mut out = String::with_capacity(sql.len() + 16);
        let mut at = 0;
        for i in hits {
            let t = toks.get(i)?;
            out.push_str(sql.get(at..t.start)?);
            out.push_str(&self.replacement(t.text));
            at = t.end;
        }
        out.push_str(sql.get(at..)?);
        Some(out)
    }

    /// The new text of schema object `sql` of kind `kind` (None: unchanged).
    pub fn edit(&self, schema: &Schema, kind: &str, sql: &str) -> Option<String> {
        let toks = tokens(sql);
        let hits = match kind {
            "table" => self.table_hits(&toks),
            "index" => self.index_hits(&toks),
            "view" | "trigger" => self.query_hits(schema, kind, &toks),
            _ => Vec::new(),
        };
        self.splice(sql, &toks, hits)
    }

    /// Tokens naming the column inside an expression between `from` and `to`.
    fn expression_hits(&self, toks: &[Tok<'_>], from: usize, to: usize, out: &mut Vec<usize>) {
        for i in from..to.min(toks.len()) {
            let t = &toks[i];
            if !spells(Some(t), self.old) {
                continue;
            }
            let next = toks.get(i + 1).map(|t| t.kind);
            if matches!(next, Some(TokenKind::LParen) | Some(TokenKind::Dot)) {
                continue;
            }
            let prev = i.checked_sub(1).and_then(|p| toks.get(p));
            if is_kw(prev, Keyword::Collate) {
                continue;
            }
            if prev.is_some_and(|p| p.kind == TokenKind::Dot) {
                let qualifier = i.checked_sub(2).and_then(|p| toks.get(p));
                if !spells(qualifier, self.table) {
                    continue;
                }
            }
            out.push(i);
        }
    }

    /// Tokens of a CREATE TABLE text that name the column.
    fn table_hits(&self, toks: &[Tok<'_>]) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(open) = toks.iter().position(|t| t.kind == TokenKind::LParen) else {
            return out;
        };
        let own = (0..open).rev().find_map(|i| name_of(&toks[i]));
        let own = own.is_some_and(|n| n.eq_ignore_ascii_case(self.table));
        let close = closing(toks, open);
        let mut i = open + 1;
        let mut element_start = true;
        let mut in_constraints = false;
        while i < close {
            let t = &toks[i];
            match t.kind {
                TokenKind::Comma => {
                    element_start = true;
                    i += 1;
                    continue;
                }
                TokenKind::Keyword(
                    Keyword::Constraint
                    | Keyword::Primary
                    | Keyword::Unique
                    | Keyword::Check
                    | Keyword::Foreign,
                ) if element_start => in_constraints = true,
                _ if element_start && !in_constraints => {
                    if own && spells(Some(t), self.old) {
                        out.push(i);
                    }
                    element_start = false;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            element_start = false;
            match t.kind {
                TokenKind::Keyword(Keyword::Constraint | Keyword::Collate) => i += 2,
                TokenKind::Keyword(Keyword::References) => {
                    let target = spells(toks.get(i + 1), self.table);
                    if toks.get(i + 2).map(|t| t.kind) == Some(TokenKind::LParen) {
                        let end = closing(toks, i + 2);
                        if target {
                            for k in i + 3..end {
                                if spells(toks.get(k), self.old) {
                                    out.push(k);
                                }
                            }
                        }
                        i = end + 1;
                    } else {
                        i += 2;
                    }
                }
                TokenKind::LParen => {
                    let end = closing(toks, i);
                    if own {
                        self.expression_hits(toks, i + 1, end, &mut out);
                    }
                    i = end + 1;
                }
                _ => i += 1,
            }
        }
        out
    }

    /// Tokens of a CREATE INDEX text that name the column.
    fn index_hits(&self, toks: &[Tok<'_>]) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(on) = toks.iter().position(|t| is_kw(Some(t), Keyword::On)) else {
            return out;
        };
        if spells(toks.get(on + 1), self.table) {
            self.expression_hits(toks, on + 2, toks.len(), &mut out);
        }
        out
    }

    /// Tokens of a CREATE VIEW or CREATE TRIGGER text that name the column.
    fn query_hits(&self, schema: &Schema, kind: &str, toks: &[Tok<'_>]) -> Vec<usize> {
        let mut out = Vec::new();
        // Where the query or trigger body starts, and the trigger's own table.
        let (body, trigger_on_table) = if kind == "view" {
            let Some(as_at) = toks.iter().position(|t| is_kw(Some(t), Keyword::As)) else {
                return out;
            };
            (as_at + 1, false)
        } else {
            let on = toks.iter().position(|t| is_kw(Some(t), Keyword::On));
            let Some(on) = on else { return out };
            let on_table = spells(toks.get(on + 1), self.table);
            if on_table {
                // `UPDATE OF a, b ON t`.
                if let Some(of) = toks[..on].iter().position(|t| is_kw(Some(t), Keyword::Of)) {
                    for k in of + 1..on {
                        if spells(toks.get(k), self.old) {
                            out.push(k);
                        }
                    }
                }
            }
            (on + 2, on_table)
        };
        // A trigger's WHEN clause sees only NEW and OLD; each body statement sees its own
        // tables. A view is one statement.
        let mut pieces = Vec::new();
        if kind == "trigger" {
            let begin = (body..toks.len()).find(|i| is_kw(toks.get(*i), Keyword::Begin));
            let Some(begin) = begin else { return out };
            if trigger_on_table {
                pieces.push((body, begin, true));
            }
            let mut from = begin + 1;
            for (i, t) in toks.iter().enumerate().skip(begin + 1) {
                if t.kind == TokenKind::Semi {
                    pieces.push((from, i, false));
                    from = i + 1;
                }
            }
        } else {
            pieces.push((body, toks.len(), false));
        }
        for (from, to, only_new_old) in pieces {
            self.statement_hits(
                schema,
                toks,
                from,
                to,
                trigger_on_table,
                only_new_old,
                &mut out,
            );
        }
        out
    }

    /// Tokens naming the column in one statement (tokens `from..to`) of a view or trigger.
    #[allow(clippy::too_many_arguments)]
    fn statement_hits(
        &self,
        schema: &Schema,
        toks: &[Tok<'_>],
        from: usize,
        to: usize,
        trigger_on_table: bool,
        only_new_old: bool,
        out: &mut Vec<usize>,
    ) {
        let body = from;
        // Tables the text names, and the aliases the renamed table goes by.
        let mut qualifiers: Vec<String> = if only_new_old {
            Vec::new()
        } else {
            vec![self.table.to_string()]
        };
        if trigger_on_table {
            qualifiers.push("new".to_string());
            qualifiers.push("old".to_string());
        }
        let mut named_here = false;
        let mut others_have_column = false;
        for i in body..to {
            let Some(name) = name_of(&toks[i]) else {
                continue;
            };
            if toks.get(i + 1).map(|t| t.kind) == Some(TokenKind::Dot) {
                continue;
            }
            if name.eq_ignore_ascii_case(self.table) {
                named_here = true;
                let alias_at = if is_kw(toks.get(i + 1), Keyword::As) {
                    i + 2
                } else {
                    i + 1
                };
                if let Some(alias) = toks.get(alias_at).filter(|t| t.kind == TokenKind::Id) {
                    qualifiers.push(identifier_value(alias.text));
                }
            } else if let Some(other) = schema.table(&name) {
                if other.column_index(self.old).is_some() {
                    others_have_column = true;
                }
            }
        }
        if only_new_old {
            named_here = false;
        }
        for i in body..to {
            let t = &toks[i];
            if !spells(Some(t), self.old) {
                continue;
            }
            let next = toks.get(i + 1).map(|t| t.kind);
            if matches!(next, Some(TokenKind::LParen) | Some(TokenKind::Dot)) {
                continue;
            }
            let prev = i.checked_sub(1).and_then(|p| toks.get(p));
            let after_word = [
                Keyword::Collate,
                Keyword::As,
                Keyword::From,
                Keyword::Join,
                Keyword::Into,
                Keyword::Table,
            ]
            .iter()
            .any(|k| is_kw(prev, *k));
            if after_word {
                continue;
            }
            if prev.is_some_and(|p| p.kind == TokenKind::Dot) {
                let qualifier = i.checked_sub(2).and_then(|p| toks.get(p));
                if qualifiers.iter().any(|q| spells(qualifier, q)) {
                    out.push(i);
                }
            } else if named_here && !others_have_column {
                out.push(i);
            }
        }
    }
}

/// Whether token `at` sits in the column list of a `FOREIGN KEY (...)` clause.
fn in_foreign_key_list(toks: &[Tok<'_>], at: usize) -> bool {
    let mut i = at;
    while i > 0 {
        i -= 1;
        match toks[i].kind {
            TokenKind::LParen => {
                return i >= 2
                    && is_kw(toks.get(i - 1), Keyword::Key)
                    && is_kw(toks.get(i - 2), Keyword::Foreign);
            }
            TokenKind::Comma | TokenKind::Id => {}
            TokenKind::Keyword(k) if k.is_fallback_id() => {}
            _ => return false,
        }
    }
    false
}

/// Where DROP COLUMN cuts a CREATE TABLE text to remove column number `column`: the byte
/// range to delete, or None when the text has no such column definition.
pub fn drop_column_cut(sql: &str, column: usize) -> Option<(usize, usize)> {
    let toks = tokens(sql);
    let open = toks.iter().position(|t| t.kind == TokenKind::LParen)?;
    let close = closing(&toks, open);
    // First token of each column definition, and where the definitions end.
    let mut starts = Vec::new();
    let mut end_of_columns = toks.get(close)?.start;
    let mut i = open + 1;
    let mut element_start = true;
    while i < close {
        let t = &toks[i];
        if element_start {
            let constraint = matches!(
                t.kind,
                TokenKind::Keyword(
                    Keyword::Constraint
                        | Keyword::Primary
                        | Keyword::Unique
                        | Keyword::Check
                        | Keyword::Foreign
                )
            );
            if constraint {
                // The comma before the first table constraint.
                end_of_columns = toks.get(i - 1)?.start;
                break;
            }
            starts.push(i);
            element_start = false;
        }
        match t.kind {
            TokenKind::Comma => element_start = true,
            TokenKind::LParen => {
                i = closing(&toks, i);
            }
            _ => {}
        }
        i += 1;
    }
    let first = *starts.get(column)?;
    match starts.get(column + 1) {
        Some(next) => Some((toks[first].start, toks[*next].start)),
        None => {
            // Back to the comma before the column.
            let comma = (open..first)
                .rev()
                .find(|k| toks[*k].kind == TokenKind::Comma)?;
            Some((toks[comma].start, end_of_columns))
        }
    }
}

/// The table `name` names, or SQLite's error for a missing table, a view (`doing` says
/// what ALTER wanted: "rename columns of", "drop column from") or an internal table.
fn alterable(schema: &Schema, name: &str, doing: &str) -> Result<Arc<Table>> {
    if name.eq_ignore_ascii_case("sqlite_schema") || name.eq_ignore_ascii_case("sqlite_master") {
        return Err(Error::msg("table sqlite_master may not be altered"));
    }
    if let Some(view) = schema.view(name) {
        return Err(Error::msg(format!("cannot {doing} view \"{}\"", view.name)));
    }
    let table = schema
        .table(name)
        .ok_or_else(|| Error::msg(format!("no such table: {name}")))?;
    if table.name.len() >= 7 && table.name[..7].eq_ignore_ascii_case("sqlite_") {
        return Err(Error::msg(format!(
            "table {} may not be altered",
            table.name
        )));
    }
    Ok(table)
}

/// `ALTER TABLE t RENAME COLUMN old TO new`: rewrites every CREATE text that names the
/// column; `quoted` says whether the statement quoted the new name.
pub fn rename_column(
    txn: &dyn Txn,
    schema: &Schema,
    table_name: &str,
    old: &str,
    new: &str,
    quoted: bool,
) -> Result<()> {
    let table = alterable(schema, table_name, "rename columns of")?;
    let Some(column) = table.column_index(old) else {
        return Err(Error::msg(format!("no such column: \"{old}\"")));
    };
    if table.column_index(new).is_some_and(|other| other != column) {
        return Err(Error::msg(format!(
            "error in table {} after rename: duplicate column name: {new}",
            table.name
        )));
    }
    let rename = ColumnRename {
        table: &table.name,
        old: &table.columns[column].name,
        new,
        quoted,
    };
    for row in &schema.rows {
        let Some(sql) = &row.sql else { continue };
        if let Some(edited) = rename.edit(schema, &row.kind, sql) {
            rewrite_schema_row(txn, row, &row.name, &row.table_name, Some(&edited))?;
        }
    }
    check_reload(txn, "after rename")?;
    bump_cookie(txn)
}

/// Reloads the catalog after an ALTER; a CREATE text that no longer builds fails the
/// statement as SQLite's `renameTestSchema` does.
fn check_reload(txn: &dyn Txn, when: &str) -> Result<()> {
    let reloaded = Schema::load(txn)?;
    for row in &reloaded.rows {
        let Some(sql) = &row.sql else { continue };
        if row.kind != "table" {
            continue;
        }
        if let Ok(crate::ast::Statement::CreateTable(create)) = crate::parser::parse_statement(sql)
        {
            if let Err(e) = Table::from_create(&create, row.root, sql) {
                return Err(Error::msg(format!(
                    "error in table {} {when}: {e}",
                    row.name
                )));
            }
        }
    }
    Ok(())
}

/// `ALTER TABLE t DROP COLUMN c`: refuses PRIMARY KEY and UNIQUE columns, the only column,
/// and columns that an index, CHECK, view or trigger still names; then cuts the column's
/// definition out of the CREATE text and its value out of every row.
pub fn drop_column(txn: &dyn Txn, schema: &Schema, table_name: &str, name: &str) -> Result<()> {
    let table = alterable(schema, table_name, "drop column from")?;
    let Some(column) = table.column_index(name) else {
        return Err(Error::msg(format!("no such column: \"{name}\"")));
    };
    let shown = &table.columns[column].name;
    if table.columns[column].primary_key {
        return Err(Error::msg(format!(
            "cannot drop PRIMARY KEY column: \"{shown}\""
        )));
    }
    let unique = schema.indexes_of(&table.name).iter().any(|i| {
        i.sql.is_none() && i.unique && i.columns.len() == 1 && i.columns[0].column == Some(column)
    });
    if unique {
        return Err(Error::msg(format!(
            "cannot drop UNIQUE column: \"{shown}\""
        )));
    }
    if table.columns.len() <= 1 {
        return Err(Error::msg(format!(
            "cannot drop column \"{shown}\": no other columns exist"
        )));
    }
    let Some((cut_from, cut_to)) = drop_column_cut(&table.sql, column) else {
        return Err(Error::msg("malformed CREATE TABLE text"));
    };
    let new_sql = format!("{}{}", &table.sql[..cut_from], &table.sql[cut_to..]);
    // Anything else that still names the column fails the statement.
    let probe = ColumnRename {
        table: &table.name,
        old: shown,
        new: shown,
        quoted: false,
    };
    let missing = format!("no such column: {shown}");
    let new_tokens = tokens(&new_sql);
    let left = probe.table_hits(&new_tokens);
    if let Some(first) = left.first() {
        let why = if in_foreign_key_list(&new_tokens, *first) {
            format!("unknown column \"{shown}\" in foreign key definition")
        } else {
            missing
        };
        return Err(Error::msg(format!(
            "error in table {} after drop column: {why}",
            table.name
        )));
    }
    for row in &schema.rows {
        let Some(sql) = &row.sql else { continue };
        let toks = tokens(sql);
        let hits = match row.kind.as_str() {
            "index" => probe.index_hits(&toks),
            "view" | "trigger" => probe.query_hits(schema, &row.kind, &toks),
            _ => continue,
        };
        if let Some(first) = hits.first() {
            // A qualified reference is reported as written: `new.c`, `t.c`.
            let qualifier = first
                .checked_sub(2)
                .filter(|q| toks.get(q + 1).is_some_and(|t| t.kind == TokenKind::Dot))
                .and_then(|q| toks.get(q))
                .and_then(name_of);
            let why = match qualifier {
                Some(q) => format!("no such column: {q}.{shown}"),
                None => missing,
            };
            return Err(Error::msg(format!(
                "error in {} {} after drop column: {why}",
                row.kind, row.name
            )));
        }
    }
    let Some(row) = schema
        .rows
        .iter()
        .find(|r| r.kind == "table" && r.name.eq_ignore_ascii_case(&table.name))
    else {
        return Err(Error::msg(format!("no such table: {table_name}")));
    };
    rewrite_schema_row(txn, row, &row.name, &row.table_name, Some(&new_sql))?;
    let mut rows = txn.table_cursor(table.root)?;
    let mut more = rows.first()?;
    while more {
        let rowid = rows.rowid()?;
        let mut values = rows.row()?;
        if column < values.len() {
            values.remove(column);
            txn.insert_row(table.root, rowid, &values)?;
        }
        more = rows.next()?;
    }
    check_reload(txn, "after drop column")?;
    bump_cookie(txn)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn cut(sql: &str, column: usize) -> String {
        let (a, b) = drop_column_cut(sql, column).unwrap();
        format!("{}{}", &sql[..a], &sql[b..])
    }

    #[test]
    fn drop_cuts_as_sqlite_does() {
        assert_eq!(cut("CREATE TABLE t(a, b, c)", 1), "CREATE TABLE t(a, c)");
        assert_eq!(cut("CREATE TABLE t(a, b, c)", 2), "CREATE TABLE t(a, b)");
        assert_eq!(
            cut("CREATE TABLE t(a INT, b VARCHAR(3), PRIMARY KEY(a))", 1),
            "CREATE TABLE t(a INT, PRIMARY KEY(a))"
        );
        assert_eq!(
            cut("CREATE TABLE t(a CHECK(a>0),  b)", 0),
            "CREATE TABLE t(b)"
        );
    }

    #[test]
    fn rename_keeps_quotes_and_spacing() {
        let schema = Schema::default();
        let r = ColumnRename {
            table: "t",
            old: "a",
            new: "z",
            quoted: false,
        };
        assert_eq!(
            r.edit(
                &schema,
                "table",
                "CREATE TABLE t(\"a\" INT CHECK(a > 0), b REFERENCES t(a))"
            )
            .unwrap(),
            "CREATE TABLE t(\"z\" INT CHECK(z > 0), b REFERENCES t(z))"
        );
        assert_eq!(
            r.edit(
                &schema,
                "index",
                "CREATE INDEX i ON t(b, a COLLATE nocase) WHERE a>1"
            )
            .unwrap(),
            "CREATE INDEX i ON t(b, z COLLATE nocase) WHERE z>1"
        );
    }
}
