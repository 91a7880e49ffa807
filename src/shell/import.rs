//! `.import FILE TABLE`: loading CSV into a table.
//!
//! Fields are read per RFC 4180, as sqlite3 reads them: a field in double quotes may hold the
//! separators and `""` for a quote; a row ends at the row separator (`\n`, with a `\r` before
//! it dropped). The separators come from the output mode: `,` in csv mode (or with `--csv`),
//! `|` in list mode. When TABLE does not exist, the first row names its columns, all TEXT;
//! otherwise every row is data. A short row is filled with NULLs and a long one cut, each
//! with a warning naming the file and line. The rows go in inside one transaction when none
//! is open. When standard error is a terminal and the file is large, a progress line counts up.

use std::io::Read;

use super::engine::ErrorPhase;
use super::keywords::quote_name;
use super::output::quoted_str;
use super::session::{results, DotOutcome, Session};
use super::settings::Mode;

/// Files at least this large get a progress line on a terminal.
const PROGRESS_MIN_BYTES: usize = 1 << 20;

/// A CSV reader over the whole file.
struct CsvReader<'t> {
    /// The file's bytes.
    text: &'t [u8],
    /// Read position.
    at: usize,
    /// Column separator.
    column: u8,
    /// Row separator.
    row: u8,
    /// Line number of the current position (1-based).
    line: usize,
}

impl<'t> CsvReader<'t> {
    /// Reads one row; `None` at the end of the file.
    fn next_row(&mut self) -> Option<Vec<Option<String>>> {
        if self.at >= self.text.len() {
            return None;
        }
        let mut fields = Vec::new();
        loop {
            let mut field = Vec::new();
            let quoted = self.text.get(self.at) == Some(&b'"');
            let mut ended_row = false;
            if quoted {
                self.at += 1;
                loop {
                    match self.text.get(self.at) {
                        None => break,
                        Some(b'"') if self.text.get(self.at + 1) == Some(&b'"') => {
                            field.push(b'"');
                            self.at += 2;
                        }
                        Some(b'"') => {
                            self.at += 1;
                            break;
                        }
                        Some(&b) => {
                            if b == b'\n' {
                                self.line += 1;
                            }
                            field.push(b);
                            self.at += 1;
                        }
                    }
                }
                // Anything after the closing quote up to the separator is kept, as sqlite3 does.
                while let Some(&b) = self.text.get(self.at) {
                    if b == self.column || b == self.row {
                        break;
                    }
                    field.push(b);
                    self.at += 1;
                }
            } else {
                while let Some(&b) = self.text.get(self.at) {
                    if b == self.column || b == self.row {
                        break;
                    }
                    field.push(b);
                    self.at += 1;
                }
            }
            match self.text.get(self.at) {
                Some(&b) if b == self.column => self.at += 1,
                Some(_) => {
                    self.at += 1;
                    self.line += 1;
                    ended_row = true;
                }
                None => ended_row = true,
            }
            if self.row == b'\n' && !quoted && field.last() == Some(&b'\r') {
                field.pop();
            }
            fields.push(Some(String::from_utf8_lossy(&field).into_owned()));
            if ended_row {
                return Some(fields);
            }
        }
    }
}

/// The help sqlite3 3.40.1 prints after a wrong `.import` command.
const IMPORT_HELP: &str = "\
.import FILE TABLE       Import data from FILE into TABLE
   Options:
     --ascii               Use \\037 and \\036 as column and row separators
     --csv                 Use , and \\n as column and row separators
     --skip N              Skip the first N rows of input
     --schema S            Target table to be S.TABLE
     -v                    \"Verbose\" - increase auxiliary output
   Notes:
     *  If TABLE does not exist, it is created.  The first row of input
        determines the column names.
     *  If neither --csv or --ascii are used, the input mode is derived
        from the \".mode\" output mode
     *  If FILE begins with \"|\" then it is a command that generates the
        input text.
";

impl Session<'_> {
    /// Reports a wrong `.import` command as sqlite3 does: `ERROR: PROBLEM Usage:` and the
    /// command's help, on the results stream.
    fn import_usage(&mut self, problem: &str) -> DotOutcome {
        let out = results(&mut self.output_file, self.streams.stdout);
        let _ = write!(out, "ERROR: {problem}Usage:\n{IMPORT_HELP}");
        DotOutcome::Failed
    }

    /// `.import ?--csv? ?--skip N? FILE TABLE`
    pub fn import_command(&mut self, args: &[String]) -> DotOutcome {
        let mut csv = false;
        let mut skip = 0usize;
        let mut positional = Vec::new();
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            match arg.trim_start_matches('-') {
                "csv" if arg.starts_with('-') => csv = true,
                "skip" if arg.starts_with('-') => {
                    i += 1;
                    skip = args.get(i).and_then(|n| n.parse().ok()).unwrap_or(0);
                }
                _ if arg.starts_with('-') => {
                    // sqlite3 names `--opt` as `-opt`.
                    let shown = arg.strip_prefix('-').filter(|a| a.starts_with('-'));
                    let shown = shown.unwrap_or(arg);
                    return self.import_usage(&format!("unknown option: \"{shown}\".  "));
                }
                _ if positional.len() == 2 => {
                    return self.import_usage(&format!("extra argument: \"{arg}\".  "));
                }
                _ => positional.push(arg.clone()),
            }
            i += 1;
        }
        let (file, table) = match positional.as_slice() {
            [file, table] => (file, table),
            [] => return self.import_usage("missing FILE argument. "),
            _ => return self.import_usage("missing TABLE argument. "),
        };
        let (column, row) = if csv {
            (b',', b'\n')
        } else {
            if self.settings.mode == Mode::Csv && self.settings.row_separator == "\r\n" {
                // sqlite3 switches csv mode's output row separator to the input one.
                self.settings.row_separator = "\n".to_string();
            }
            let (c, r) = (
                &self.settings.column_separator,
                &self.settings.row_separator,
            );
            match (c.as_bytes(), r.as_bytes()) {
                ([c], [r]) => (*c, *r),
                ([], _) | (_, []) => {
                    self.error_line("Error: non-null separators required for import");
                    return DotOutcome::Failed;
                }
                _ => {
                    self.error_line("Error: multi-character separators not allowed for import");
                    return DotOutcome::Failed;
                }
            }
        };
        let mut bytes = Vec::new();
        if std::fs::File::open(file)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .is_err()
        {
            self.error_line(&format!("Error: cannot open \"{file}\""));
            return DotOutcome::Failed;
        }
        let mut reader = CsvReader {
            text: &bytes,
            at: 0,
            column,
            row,
            line: 1,
        };
        for _ in 0..skip {
            reader.next_row();
        }
        let quoted_table = quote_name(table);
        // Does the table exist? Preparing a query on it tells.
        let existing = self.ensure_open().ok().and_then(|()| {
            let conn = self.current_conn()?;
            let prepared = conn
                .prepare(&format!("SELECT * FROM {quoted_table}"))
                .ok()?;
            prepared.statement.map(|s| s.column_names().len())
        });
        let width = match existing {
            Some(width) => width,
            None => {
                let Some(header) = reader.next_row() else {
                    self.error_line(&format!("Error: empty file: {file}"));
                    return DotOutcome::Failed;
                };
                let columns: Vec<String> = header
                    .iter()
                    .map(|f| format!("{} TEXT", quote_name(f.as_deref().unwrap_or(""))))
                    .collect();
                let create = format!("CREATE TABLE {quoted_table}(\n{})", columns.join(", "));
                if let Err(error) = self.query(&create) {
                    self.error_line(&format!(
                        "CREATE TABLE {quoted_table}(...) failed: {}",
                        error.message
                    ));
                    return DotOutcome::Failed;
                }
                header.len()
            }
        };
        if width == 0 {
            return DotOutcome::Continue;
        }
        let begin = self.current_conn().is_some_and(|c| c.is_autocommit());
        if begin {
            let _ = self.query("BEGIN");
        }
        let show_progress = self.streams.stderr_is_terminal && bytes.len() >= PROGRESS_MIN_BYTES;
        let mut last_percent = None;
        let mut failed = false;
        loop {
            let line = reader.line;
            let Some(mut fields) = reader.next_row() else {
                break;
            };
            if fields.len() == 1
                && fields.first().is_some_and(|f| f.as_deref() == Some(""))
                && width > 1
            {
                // A blank line.
                continue;
            }
            if fields.len() < width {
                self.error_line(&format!(
                    "{file}:{line}: expected {width} columns but found {} - filling the rest with NULL",
                    fields.len()
                ));
                fields.resize(width, None);
            } else if fields.len() > width {
                self.error_line(&format!(
                    "{file}:{line}: expected {width} columns but found {} - extras ignored",
                    fields.len()
                ));
                fields.truncate(width);
            }
            let values: Vec<String> = fields
                .iter()
                .map(|f| match f {
                    Some(text) => quoted_str(text),
                    None => "NULL".to_string(),
                })
                .collect();
            let insert = format!("INSERT INTO {quoted_table} VALUES({})", values.join(","));
            if let Err(error) = self.query(&insert) {
                let kind = if error.phase == ErrorPhase::Prepare {
                    ""
                } else {
                    "INSERT failed: "
                };
                self.error_line(&format!("{file}:{line}: {kind}{}", error.message));
                failed = true;
            }
            if show_progress {
                let percent = reader.at * 100 / bytes.len().max(1);
                if last_percent != Some(percent) {
                    last_percent = Some(percent);
                    let bar = "#".repeat(percent / 2);
                    let _ = write!(self.streams.stderr, "\rimporting [{bar:<50}] {percent:>3}%");
                    let _ = self.streams.stderr.flush();
                }
            }
        }
        if show_progress {
            let _ = writeln!(self.streams.stderr);
        }
        if begin {
            let _ = self.query("COMMIT");
        }
        if failed {
            DotOutcome::Failed
        } else {
            DotOutcome::Continue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, column: u8) -> Vec<Vec<Option<String>>> {
        let mut reader = CsvReader {
            text: text.as_bytes(),
            at: 0,
            column,
            row: b'\n',
            line: 1,
        };
        std::iter::from_fn(|| reader.next_row()).collect()
    }

    #[test]
    fn rfc4180_fields() {
        let got = rows("a,b\r\n\"x,\"\"y\"\"\",\"multi\nline\"\n3,\n", b',');
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            got,
            vec![
                vec![s("a"), s("b")],
                vec![s("x,\"y\""), s("multi\nline")],
                vec![s("3"), s("")],
            ]
        );
    }
}
