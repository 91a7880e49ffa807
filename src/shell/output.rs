//! Printing one statement's result rows in the current output mode.
//!
//! A [`ResultPrinter`] is made per statement. The row-at-a-time modes (list, csv, line, quote,
//! insert, json, ascii) print each row as it arrives; the columnar modes (column, table, box,
//! markdown) gather the rows and print them at [`ResultPrinter::finish`], since column widths
//! depend on every value. Headers are printed with the first row, so a statement that returns
//! no rows prints nothing, as in `sqlite3`.
//!
//! Values are rendered as `sqlite3_column_text` renders them: integers in decimal, REALs with
//! `%!.15g` (see [`super::real`]), text as it is and blobs as their raw bytes, both up to a
//! first NUL byte (the C shell prints them as C strings). Quote, insert and json modes write
//! SQL or JSON literals instead.

use std::io::{self, Write};

use super::columnar;
use super::engine::Value;
use super::keywords::quote_name_if_needed;
use super::real::{format_real, format_real_exact, format_real_json, format_real_quote};
use super::settings::{Mode, Settings};

/// The bytes of `bytes` before the first NUL.
fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => bytes.get(..end).unwrap_or(bytes),
        None => bytes,
    }
}

/// A value as `sqlite3_column_text` gives it, cut at a first NUL; `None` for NULL.
pub fn value_text(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string().into_bytes()),
        Value::Real(r) => Some(format_real(*r).into_bytes()),
        Value::Text(t) => Some(until_nul(t.as_bytes()).to_vec()),
        Value::Blob(b) => Some(until_nul(b).to_vec()),
    }
}

/// `text` as an SQL string literal, `'` doubled.
pub fn quoted_string(text: &[u8]) -> Vec<u8> {
    concur_vm::value::render::string_literal(text)
}

/// [`quoted_string`] of a Rust string, for SQL the shell writes.
pub fn quoted_str(text: &str) -> String {
    String::from_utf8_lossy(&quoted_string(text.as_bytes())).into_owned()
}

/// The first of `candidates`, else `\(N)` for the first N that does not occur in `text`.
fn unused_marker(text: &[u8], candidates: &[&str]) -> String {
    let occurs = |marker: &str| text.windows(marker.len()).any(|w| w == marker.as_bytes());
    for candidate in candidates {
        if !occurs(candidate) {
            return (*candidate).to_string();
        }
    }
    let mut n = 0u64;
    loop {
        let marker = format!("\\({n})");
        if !occurs(&marker) {
            return marker;
        }
        n += 1;
    }
}

/// `text` as an SQL literal that survives line-based reading: newlines and carriage returns
/// are written as markers and put back with `replace(..., char(10))`, as sqlite3's insert
/// mode and `.dump` do.
pub fn quoted_escaped_string(text: &[u8]) -> Vec<u8> {
    let text = until_nul(text);
    let has_nl = text.contains(&b'\n');
    let has_cr = text.contains(&b'\r');
    if !has_nl && !has_cr {
        return quoted_string(text);
    }
    let nl = if has_nl {
        unused_marker(text, &["\\n", "\\012"])
    } else {
        String::new()
    };
    let cr = if has_cr {
        unused_marker(text, &["\\r", "\\015"])
    } else {
        String::new()
    };
    let mut out = Vec::new();
    if has_nl {
        out.extend_from_slice(b"replace(");
    }
    if has_cr {
        out.extend_from_slice(b"replace(");
    }
    out.push(b'\'');
    for &b in text {
        match b {
            b'\'' => out.extend_from_slice(b"''"),
            b'\n' => out.extend_from_slice(nl.as_bytes()),
            b'\r' => out.extend_from_slice(cr.as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
    if has_cr {
        out.extend_from_slice(format!(",'{cr}',char(13))").as_bytes());
    }
    if has_nl {
        out.extend_from_slice(format!(",'{nl}',char(10))").as_bytes());
    }
    out
}

/// Lower-case hex of `bytes` in `X'..'`.
fn blob_literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(bytes.len() * 2 + 3);
    out.push_str("X'");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out.push('\'');
    out.into_bytes()
}

/// A value as an SQL literal (quote mode); `escape_lines` selects insert mode's handling of
/// newlines in text.
pub fn sql_literal(value: &Value, escape_lines: bool) -> Vec<u8> {
    match value {
        Value::Null => b"NULL".to_vec(),
        Value::Integer(i) => i.to_string().into_bytes(),
        Value::Real(r) if escape_lines => format_real_exact(*r).into_bytes(),
        Value::Real(r) => format_real_quote(*r).into_bytes(),
        Value::Text(t) if escape_lines => quoted_escaped_string(t.as_bytes()),
        Value::Text(t) => quoted_string(until_nul(t.as_bytes())),
        Value::Blob(b) => blob_literal(b),
    }
}

/// `bytes` as a JSON string: `\` and `"` escaped, control bytes as `\b \f \n \r \t \u00XX`,
/// other bytes as they are.
pub fn json_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => {
                out.push(b'\\');
                out.push(b);
            }
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// True when CSV output must quote `text`: it is empty, holds a control byte, space, `"`, `'`,
/// a byte at or above 0x7f, or the column separator.
fn csv_needs_quotes(text: &[u8], separator: &str) -> bool {
    text.is_empty()
        || text
            .iter()
            .any(|&b| b <= b' ' || b == b'"' || b == b'\'' || b >= 0x7f)
        || (!separator.is_empty()
            && text
                .windows(separator.len())
                .any(|w| w == separator.as_bytes()))
}

/// One CSV field.
fn csv_field(text: &[u8], separator: &str) -> Vec<u8> {
    if !csv_needs_quotes(text, separator) {
        return text.to_vec();
    }
    concur_vm::value::render::quoted_with(text, b'"')
}

/// Prints the rows of one statement.
pub struct ResultPrinter<'s> {
    /// The display settings in force.
    settings: &'s Settings,
    /// The statement's column names.
    columns: Vec<String>,
    /// Rows printed (or gathered) so far.
    rows: usize,
    /// Rows held back by the columnar modes.
    gathered: Vec<Vec<Value>>,
}

impl<'s> ResultPrinter<'s> {
    /// A printer for a statement with these result columns.
    pub fn new(settings: &'s Settings, columns: Vec<String>) -> Self {
        ResultPrinter {
            settings,
            columns,
            rows: 0,
            gathered: Vec::new(),
        }
    }

    /// Prints (or gathers) one row.
    pub fn row(&mut self, out: &mut dyn Write, values: Vec<Value>) -> io::Result<()> {
        let s = self.settings;
        let first = self.rows == 0;
        self.rows += 1;
        let null = s.null_value.as_bytes();
        match s.mode {
            Mode::Off => {}
            Mode::Column | Mode::Markdown | Mode::Table | Mode::Box => self.gathered.push(values),
            Mode::List | Mode::Ascii => {
                if first && s.headers {
                    let names = self.columns.join(&s.column_separator);
                    out.write_all(names.as_bytes())?;
                    out.write_all(s.row_separator.as_bytes())?;
                }
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.write_all(s.column_separator.as_bytes())?;
                    }
                    out.write_all(value_text(value).as_deref().unwrap_or(null))?;
                }
                out.write_all(s.row_separator.as_bytes())?;
            }
            Mode::Csv => {
                if first && s.headers {
                    for (i, name) in self.columns.iter().enumerate() {
                        if i > 0 {
                            out.write_all(s.column_separator.as_bytes())?;
                        }
                        out.write_all(&csv_field(name.as_bytes(), &s.column_separator))?;
                    }
                    out.write_all(s.row_separator.as_bytes())?;
                }
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.write_all(s.column_separator.as_bytes())?;
                    }
                    match value_text(value) {
                        Some(text) => out.write_all(&csv_field(&text, &s.column_separator))?,
                        None => out.write_all(null)?,
                    }
                }
                out.write_all(s.row_separator.as_bytes())?;
            }
            Mode::Line => {
                let width = self
                    .columns
                    .iter()
                    .map(String::len)
                    .max()
                    .unwrap_or(0)
                    .max(5);
                if !first {
                    out.write_all(s.row_separator.as_bytes())?;
                }
                for (name, value) in self.columns.iter().zip(&values) {
                    out.write_all(format!("{name:>width$} = ").as_bytes())?;
                    out.write_all(value_text(value).as_deref().unwrap_or(null))?;
                    out.write_all(s.row_separator.as_bytes())?;
                }
            }
            Mode::Quote => {
                if first && s.headers {
                    for (i, name) in self.columns.iter().enumerate() {
                        if i > 0 {
                            out.write_all(s.column_separator.as_bytes())?;
                        }
                        out.write_all(&quoted_string(name.as_bytes()))?;
                    }
                    out.write_all(s.row_separator.as_bytes())?;
                }
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.write_all(s.column_separator.as_bytes())?;
                    }
                    out.write_all(&sql_literal(value, false))?;
                }
                out.write_all(s.row_separator.as_bytes())?;
            }
            Mode::Insert => {
                out.write_all(format!("INSERT INTO {}", s.insert_table).as_bytes())?;
                if s.headers {
                    let names: Vec<String> = self
                        .columns
                        .iter()
                        .map(|c| quote_name_if_needed(c))
                        .collect();
                    out.write_all(format!("({})", names.join(",")).as_bytes())?;
                }
                for (i, value) in values.iter().enumerate() {
                    out.write_all(if i > 0 { b"," } else { b" VALUES(" })?;
                    out.write_all(&sql_literal(value, true))?;
                }
                out.write_all(b");\n")?;
            }
            Mode::Json => {
                out.write_all(if first { b"[{" } else { b",\n{" })?;
                for (i, (name, value)) in self.columns.iter().zip(&values).enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(&json_string(until_nul(name.as_bytes())))?;
                    out.write_all(b":")?;
                    match value {
                        Value::Null => out.write_all(b"null")?,
                        Value::Integer(v) => out.write_all(v.to_string().as_bytes())?,
                        Value::Real(r) => out.write_all(format_real_json(*r).as_bytes())?,
                        Value::Text(t) => out.write_all(&json_string(until_nul(t.as_bytes())))?,
                        Value::Blob(b) => out.write_all(&json_string(b))?,
                    }
                }
                out.write_all(b"}")?;
            }
        }
        Ok(())
    }

    /// Ends the statement's output: closes the JSON array, prints the gathered columnar rows.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let s = self.settings;
        match s.mode {
            Mode::Json if self.rows > 0 => out.write_all(b"]\n"),
            mode if mode.is_columnar() && !self.gathered.is_empty() => {
                columnar::print(out, s, &self.columns, &self.gathered)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_mode_escapes_line_breaks() {
        let text = quoted_escaped_string(b"a\r\nb");
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10))"
        );
        let text = quoted_escaped_string(b"x\\ny\nz");
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "replace('x\\ny\\012z','\\012',char(10))"
        );
    }

    #[test]
    fn csv_quotes_like_sqlite() {
        assert_eq!(csv_field(b"plain", ","), b"plain");
        assert_eq!(csv_field(b"a b", ","), b"\"a b\"");
        assert_eq!(csv_field(b"", ","), b"\"\"");
        assert_eq!(csv_field(b"say \"hi\"", ","), b"\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(b"a,b", ","), b"\"a,b\"");
    }
}
