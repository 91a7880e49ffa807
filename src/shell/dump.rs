//! Schema listings (`.tables`, `.indexes`, `.schema`) and `.dump`.
//!
//! Everything here is written as SQL the engine runs against `sqlite_schema`, as sqlite3's
//! own shell does, so it works on any engine that answers those queries. `.dump` prints:
//!
//! ```text
//! PRAGMA foreign_keys=OFF;
//! BEGIN TRANSACTION;
//! CREATE TABLE t(a,b);                 -- each table, in sqlite_schema order,
//! INSERT INTO t VALUES(1,'x');         -- followed by its rows (insert mode)
//! DELETE FROM sqlite_sequence;         -- sqlite_sequence comes last among tables
//! INSERT INTO sqlite_sequence VALUES('t',3);
//! CREATE INDEX i ON t(b);              -- then indexes, triggers and views
//! COMMIT;
//! ```
//!
//! `.dump PATTERN ...` keeps the tables, indexes, triggers and views whose names match one
//! of the LIKE patterns (`\` escapes `%` and `_`), as sqlite3 does; the rest of the layout is
//! the same. Its `--` options are refused.
//!
//! A table whose CREATE statement starts with a quoted name is written as
//! `CREATE TABLE IF NOT EXISTS`, and a statement ending in a comment gets its `;` on a line
//! of its own, both as sqlite3 does.

use super::complete::is_complete;
use super::engine::{EngineError, ErrorPhase, Value};
use super::keywords::{quote_name, quote_name_if_needed};
use super::output::{quoted_str, ResultPrinter};
use super::session::{results, DotOutcome, Session};
use super::settings::{Mode, Settings};

/// The text of a value that should be text (NULL and blobs read as empty or lossy text).
fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => super::real::format_real(*r),
        Value::Text(t) => t.to_string_lossy().into_owned(),
        Value::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// `sql` followed by `tail`, as sqlite3's `printSchemaLine` writes a schema entry.
fn schema_line(sql: &str, tail: &str) -> String {
    let mut sql = sql.to_string();
    let mut tail = tail.to_string();
    if tail.starts_with(';') && (sql.contains("/*") || sql.contains("--")) {
        for terminator in ["", "*/", "\n"] {
            let candidate = format!("{sql}{terminator};");
            if is_complete(&candidate) {
                sql = candidate;
                tail.remove(0);
                break;
            }
        }
    }
    let quoted_table = sql.len() > 13
        && sql.get(..13).is_some_and(|p| p == "CREATE TABLE ")
        && matches!(sql.as_bytes().get(13), Some(b'\'' | b'"'));
    if quoted_table {
        format!(
            "CREATE TABLE IF NOT EXISTS {}{tail}",
            sql.get(13..).unwrap_or("")
        )
    } else {
        format!("{sql}{tail}")
    }
}

impl Session<'_> {
    /// Runs `sql` on the current connection and returns all its rows.
    pub fn query(&mut self, sql: &str) -> Result<Vec<Vec<Value>>, EngineError> {
        self.ensure_open()?;
        let conn = self
            .current_conn()
            .ok_or_else(|| EngineError::new(ErrorPhase::Open, "no connection"))?;
        let prepared = conn.prepare(sql)?;
        let mut rows = Vec::new();
        if let Some(mut statement) = prepared.statement {
            while let Some(row) = statement.step()? {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// Runs `sql`, printing an `Error:` line on failure.
    fn query_or_report(&mut self, sql: &str) -> Option<Vec<Vec<Value>>> {
        match self.query(sql) {
            Ok(rows) => Some(rows),
            Err(error) => {
                self.error_line(&format!("Error: {}", error.message));
                None
            }
        }
    }

    /// `.tables ?PATTERN?` and `.indexes ?TABLE?`: names in columns 80 characters wide.
    pub fn tables_command(&mut self, args: &[String], indexes: bool) -> DotOutcome {
        let pattern = match args {
            [] => "%".to_string(),
            [p] => p.clone(),
            _ => {
                let usage = if indexes {
                    ".indexes ?LIKE-PATTERN?"
                } else {
                    ".tables ?TABLE?"
                };
                self.error_line(&format!("Usage: {usage}"));
                return DotOutcome::Failed;
            }
        };
        let pattern = quoted_str(&pattern);
        let sql = if indexes {
            format!(
                "SELECT name FROM sqlite_schema WHERE type='index' AND tbl_name LIKE {pattern} \
                 ORDER BY 1"
            )
        } else {
            format!(
                "SELECT name FROM sqlite_schema WHERE type IN ('table','view') \
                 AND name NOT LIKE 'sqlite_%' AND name LIKE {pattern} ORDER BY 1"
            )
        };
        let Some(rows) = self.query_or_report(&sql) else {
            return DotOutcome::Failed;
        };
        let names: Vec<String> = rows
            .iter()
            .map(|r| r.first().map(text_of).unwrap_or_default())
            .collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        let per_line = (80 / (width + 2)).max(1);
        let lines = names.len().div_ceil(per_line);
        let out = results(&mut self.output_file, self.streams.stdout);
        for line in 0..lines {
            let mut text = String::new();
            for (k, name) in names.iter().enumerate().skip(line).step_by(lines) {
                if k >= lines {
                    text.push_str("  ");
                }
                text.push_str(&format!("{name:<width$}"));
            }
            let _ = writeln!(out, "{text}");
        }
        DotOutcome::Continue
    }

    /// `.schema ?PATTERN?`
    pub fn schema_command(&mut self, args: &[String]) -> DotOutcome {
        let filter = match args {
            [] => String::new(),
            [p] => {
                let is_glob = p.contains(['*', '?', '[']);
                let literal = quoted_str(&p.to_lowercase());
                if is_glob {
                    format!(" AND lower(tbl_name) GLOB {literal}")
                } else {
                    format!(" AND lower(tbl_name) LIKE {literal} ESCAPE '\\'")
                }
            }
            _ => {
                self.error_line("Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?");
                return DotOutcome::Failed;
            }
        };
        let sql = format!(
            "SELECT sql, type, name FROM sqlite_schema WHERE sql NOT NULL{filter} ORDER BY rowid"
        );
        let Some(rows) = self.query_or_report(&sql) else {
            return DotOutcome::Failed;
        };
        let mut text = String::new();
        for row in rows {
            let sql = row.first().map(text_of).unwrap_or_default();
            let kind = row.get(1).map(text_of).unwrap_or_default();
            let name = row.get(2).map(text_of).unwrap_or_default();
            let mut entry = sql.clone();
            if kind == "view"
                && sql
                    .get(..12)
                    .is_some_and(|p| p.eq_ignore_ascii_case("CREATE VIEW "))
            {
                if let Some(columns) = self.view_columns(&name) {
                    entry = format!("{sql}\n/* {columns} */");
                }
            }
            text.push_str(&schema_line(&entry, ";\n"));
        }
        let out = results(&mut self.output_file, self.streams.stdout);
        let _ = out.write_all(text.as_bytes());
        DotOutcome::Continue
    }

    /// `name(col1,col2)` for a view, from `PRAGMA table_info`.
    fn view_columns(&mut self, name: &str) -> Option<String> {
        let sql = format!("PRAGMA table_info({})", quoted_str(name));
        let rows = self.query(&sql).ok()?;
        let mut text = quote_name_if_needed(name);
        let mut separator = "(";
        for row in rows {
            text.push_str(separator);
            separator = ",";
            text.push_str(&quote_name_if_needed(
                &row.get(1).map(text_of).unwrap_or_default(),
            ));
        }
        text.push(')');
        Some(text)
    }

    /// `.dump ?PATTERN ...?`: the database as SQL that sqlite3 loads. With patterns, only
    /// the tables, indexes, triggers and views whose names match one of them (LIKE, `\`
    /// escapes), as sqlite3 filters.
    pub fn dump_command(&mut self, args: &[String]) -> DotOutcome {
        if let Some(option) = args.iter().find(|a| a.starts_with('-')) {
            self.error_line(&format!(
                "Error: .dump option {option} is not supported (only name patterns are)"
            ));
            return DotOutcome::Failed;
        }
        let filter = if args.is_empty() {
            "true".to_string()
        } else {
            args.iter()
                .map(|pattern| format!("name LIKE {} ESCAPE '\\'", quoted_str(pattern)))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let mut text = String::from("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
        let out = results(&mut self.output_file, self.streams.stdout);
        let _ = out.write_all(text.as_bytes());
        text.clear();
        let tables = match self.query(&format!(
            "SELECT name, type, sql FROM sqlite_schema WHERE ({filter}) AND type=='table' \
             AND sql NOT NULL ORDER BY tbl_name='sqlite_sequence', rowid"
        )) {
            Ok(rows) => rows,
            Err(error) => {
                self.error_line(&format!("Error: {}", error.message));
                return DotOutcome::Failed;
            }
        };
        let mut errors = 0;
        for row in tables {
            let name = row.first().map(text_of).unwrap_or_default();
            let sql = row.get(2).map(text_of).unwrap_or_default();
            let out = results(&mut self.output_file, self.streams.stdout);
            if name == "sqlite_sequence" {
                let _ = out.write_all(b"DELETE FROM sqlite_sequence;\n");
            } else if name.starts_with("sqlite_stat") {
                let _ = out.write_all(b"ANALYZE sqlite_schema;\n");
            } else if name.starts_with("sqlite_") {
                continue;
            } else {
                let _ = out.write_all(schema_line(&sql, ";\n").as_bytes());
            }
            if self.dump_rows(&name).is_err() {
                errors += 1;
            }
        }
        let others = self
            .query(&format!(
                "SELECT sql FROM sqlite_schema WHERE ({filter}) AND sql NOT NULL \
                 AND type IN ('index','trigger','view') ORDER BY rowid"
            ))
            .unwrap_or_else(|_| {
                errors += 1;
                Vec::new()
            });
        let out = results(&mut self.output_file, self.streams.stdout);
        for row in others {
            let sql = row.first().map(text_of).unwrap_or_default();
            let _ = out.write_all(sql.as_bytes());
            let _ = out.write_all(if sql.contains("--") { b"\n;\n" } else { b";\n" });
        }
        let _ = out.write_all(if errors > 0 {
            b"ROLLBACK; -- due to errors\n"
        } else {
            b"COMMIT;\n"
        });
        DotOutcome::Continue
    }

    /// Prints one table's rows as INSERT statements.
    fn dump_rows(&mut self, table: &str) -> Result<(), EngineError> {
        let info = self.query(&format!("PRAGMA table_info({})", quoted_str(table)))?;
        let columns: Vec<String> = info
            .iter()
            .map(|r| quote_name_if_needed(&r.get(1).map(text_of).unwrap_or_default()))
            .collect();
        if columns.is_empty() {
            return Ok(());
        }
        let select = format!("SELECT {} FROM {}", columns.join(","), quote_name(table));
        let rows = self.query(&select)?;
        let settings = Settings {
            mode: Mode::Insert,
            headers: false,
            insert_table: quote_name_if_needed(table),
            ..Settings::default()
        };
        let out = results(&mut self.output_file, self.streams.stdout);
        let mut printer = ResultPrinter::new(&settings, columns);
        for row in rows {
            printer
                .row(out, row)
                .map_err(|e| EngineError::new(ErrorPhase::Step, e.to_string()))?;
        }
        printer
            .finish(out)
            .map_err(|e| EngineError::new(ErrorPhase::Step, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lines_like_sqlite() {
        assert_eq!(
            schema_line("CREATE TABLE t(a)", ";\n"),
            "CREATE TABLE t(a);\n"
        );
        assert_eq!(
            schema_line("CREATE TABLE \"x y\"(a)", ";\n"),
            "CREATE TABLE IF NOT EXISTS \"x y\"(a);\n"
        );
        assert_eq!(
            schema_line("CREATE TABLE t(a) -- c", ";\n"),
            "CREATE TABLE t(a) -- c\n;\n"
        );
    }
}
