//! The columnar modes: column, table, box and markdown.
//!
//! Every cell is first turned into display lines: a tab advances to the next multiple of 8
//! columns, any other control character ends the line (`\r\n` counts as one break), and with
//! `--wrap N` a line is cut after N characters (at a word boundary with `--wordwrap on`). A row
//! whose cells span several lines becomes several display rows; when any row does, rows are
//! separated by a rule (a blank line in column mode). Widths count characters, not bytes.
//! Headers are centred in table, box and markdown modes, left-aligned in column mode, and
//! shown in column mode only when headers are on.
//!
//! ```text
//! column      table              box                 markdown
//! a   b       +---+---+          ┌───┬───┐           | a | b |
//! --  --      | a | b |          │ a │ b │           |---|---|
//! 1   x       +---+---+          ├───┼───┤           | 1 | x |
//!             | 1 | x |          │ 1 │ x │
//!             +---+---+          └───┴───┘
//! ```

use std::io::{self, Write};

use super::engine::Value;
use super::output::{sql_literal, value_text};
use super::settings::{Mode, Settings};

/// Characters in `text`: bytes that do not continue a UTF-8 sequence.
fn char_width(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b & 0xc0 != 0x80).count()
}

/// Cuts the first display line from `text`: returns the line and the rest, if any.
fn display_line(text: &[u8], max_width: usize, word_wrap: bool) -> (Vec<u8>, Option<&[u8]>) {
    let limit = if max_width == 0 {
        usize::MAX
    } else {
        max_width
    };
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    let (mut i, mut n) = (0usize, 0usize);
    while n < limit {
        let b = at(i);
        if b >= b' ' {
            n += 1;
            i += 1;
            while at(i) & 0xc0 == 0x80 {
                i += 1;
            }
        } else if b == b'\t' {
            loop {
                n += 1;
                if n % 8 == 0 || n >= limit {
                    break;
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut k = i;
    if n >= limit && word_wrap {
        let half = i / 2;
        let mut back = i;
        while back > half && !at(back - 1).is_ascii_whitespace() {
            back -= 1;
        }
        if back <= half {
            back = i;
            while back > half
                && (at(back - 1).is_ascii_alphanumeric() == at(back).is_ascii_alphanumeric()
                    || at(back) & 0xc0 == 0x80)
            {
                back -= 1;
            }
        }
        if back > half {
            k = back;
            i = back;
            while at(i) == b' ' {
                i += 1;
            }
        }
    }
    let rest = if n >= limit && at(i) >= b' ' {
        text.get(i..)
    } else if at(i) == b'\r' && at(i + 1) == b'\n' {
        text.get(i + 2..).filter(|r| !r.is_empty())
    } else if at(i) == 0 || at(i + 1) == 0 {
        None
    } else {
        text.get(i + 1..)
    };
    // Build the line: the first k input bytes with tabs expanded.
    let mut line = Vec::with_capacity(k);
    let (mut j, mut col) = (0usize, 0usize);
    while j < k {
        let b = at(j);
        if b >= b' ' {
            col += 1;
            line.push(b);
            j += 1;
            while j < k && at(j) & 0xc0 == 0x80 {
                line.push(at(j));
                j += 1;
            }
        } else if b == b'\t' {
            loop {
                col += 1;
                line.push(b' ');
                if col % 8 == 0 || col >= limit {
                    break;
                }
            }
            j += 1;
        } else {
            break;
        }
    }
    (line, rest)
}

/// Writes `text` left-aligned in `width` characters.
fn padded(out: &mut dyn Write, text: &[u8], width: usize) -> io::Result<()> {
    out.write_all(text)?;
    let used = char_width(text);
    out.write_all(" ".repeat(width.saturating_sub(used)).as_bytes())
}

/// Writes `text` centred in `width` characters.
fn centred(out: &mut dyn Write, text: &[u8], width: usize) -> io::Result<()> {
    let gap = width.saturating_sub(char_width(text));
    out.write_all(" ".repeat(gap / 2).as_bytes())?;
    out.write_all(text)?;
    out.write_all(" ".repeat(gap.div_ceil(2)).as_bytes())
}

/// A rule of `-` for table and markdown modes: `+-----+----+`.
fn ascii_rule(out: &mut dyn Write, widths: &[usize], joint: &str) -> io::Result<()> {
    out.write_all(joint.as_bytes())?;
    for w in widths {
        out.write_all("-".repeat(w + 2).as_bytes())?;
        out.write_all(joint.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// A rule of box-drawing characters: `left ─── middle ─── right`.
fn box_rule(
    out: &mut dyn Write,
    widths: &[usize],
    left: &str,
    middle: &str,
    right: &str,
) -> io::Result<()> {
    out.write_all(left.as_bytes())?;
    for (i, w) in widths.iter().enumerate() {
        out.write_all("─".repeat(w + 2).as_bytes())?;
        out.write_all(if i + 1 == widths.len() { right } else { middle }.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Prints gathered rows in a columnar mode.
pub fn print(
    out: &mut dyn Write,
    settings: &Settings,
    columns: &[String],
    rows: &[Vec<Value>],
) -> io::Result<()> {
    let options = settings.column_options;
    let ncol = columns.len();
    if ncol == 0 {
        return Ok(());
    }
    let headers: Vec<Vec<u8>> = columns
        .iter()
        .map(|c| display_line(c.as_bytes(), options.wrap, options.word_wrap).0)
        .collect();
    // Display rows; `ends_row` marks the last display line of a result row.
    let mut lines: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut ends_row: Vec<bool> = Vec::new();
    let mut multi_line = false;
    for row in rows {
        let mut texts: Vec<Option<Vec<u8>>> = (0..ncol)
            .map(|i| {
                let value = row.get(i).unwrap_or(&Value::Null);
                Some(if options.quote {
                    sql_literal(value, false)
                } else {
                    value_text(value).unwrap_or_else(|| settings.null_value.as_bytes().to_vec())
                })
            })
            .collect();
        loop {
            let mut cells = Vec::with_capacity(ncol);
            let mut more = false;
            for text in texts.iter_mut() {
                let current = text.take().unwrap_or_default();
                let (line, rest) = display_line(&current, options.wrap, options.word_wrap);
                if let Some(rest) = rest {
                    *text = Some(rest.to_vec());
                    more = true;
                }
                cells.push(line);
            }
            lines.push(cells);
            ends_row.push(!more);
            if !more {
                break;
            }
            multi_line = true;
        }
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| char_width(h)).collect();
    for cells in &lines {
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(char_width(cell));
        }
    }
    let mode = settings.mode;
    let (column_sep, row_end, row_start) = match mode {
        Mode::Column => ("  ", "\n", ""),
        Mode::Box => (" │ ", " │\n", "│ "),
        _ => (" | ", " |\n", "| "),
    };
    match mode {
        Mode::Column if settings.headers => {
            for (i, h) in headers.iter().enumerate() {
                padded(out, h, widths[i])?;
                out.write_all(if i + 1 == ncol { b"\n" } else { b"  " })?;
            }
            for (i, w) in widths.iter().enumerate() {
                out.write_all("-".repeat(*w).as_bytes())?;
                out.write_all(if i + 1 == ncol { b"\n" } else { b"  " })?;
            }
        }
        Mode::Table | Mode::Markdown | Mode::Box => {
            if mode == Mode::Table {
                ascii_rule(out, &widths, "+")?;
            } else if mode == Mode::Box {
                box_rule(out, &widths, "┌", "┬", "┐")?;
            }
            out.write_all(row_start.as_bytes())?;
            for (i, h) in headers.iter().enumerate() {
                centred(out, h, widths[i])?;
                out.write_all(if i + 1 == ncol { row_end } else { column_sep }.as_bytes())?;
            }
            match mode {
                Mode::Table => ascii_rule(out, &widths, "+")?,
                Mode::Box => box_rule(out, &widths, "├", "┼", "┤")?,
                _ => ascii_rule(out, &widths, "|")?,
            }
        }
        _ => {}
    }
    for (index, cells) in lines.iter().enumerate() {
        out.write_all(row_start.as_bytes())?;
        for (i, cell) in cells.iter().enumerate() {
            padded(out, cell, widths[i])?;
            out.write_all(if i + 1 == ncol { row_end } else { column_sep }.as_bytes())?;
        }
        if multi_line && ends_row[index] && index + 1 < lines.len() {
            match mode {
                Mode::Table => ascii_rule(out, &widths, "+")?,
                Mode::Box => box_rule(out, &widths, "├", "┼", "┤")?,
                Mode::Column => out.write_all(b"\n")?,
                _ => {}
            }
        }
    }
    match mode {
        Mode::Table => ascii_rule(out, &widths, "+"),
        Mode::Box => box_rule(out, &widths, "└", "┴", "┘"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_expand_and_newlines_split() {
        let (line, rest) = display_line(b"tab\there", 0, false);
        assert_eq!(line, b"tab     here");
        assert!(rest.is_none());
        let (line, rest) = display_line(b"new\nline", 0, false);
        assert_eq!(line, b"new");
        assert_eq!(rest, Some(&b"line"[..]));
        let (line, rest) = display_line(b"ab\r\n", 0, false);
        assert_eq!(line, b"ab");
        assert!(rest.is_none());
    }

    #[test]
    fn wrap_cuts_long_lines() {
        let (line, rest) = display_line(b"abcdefgh", 3, false);
        assert_eq!(line, b"abc");
        assert_eq!(rest, Some(&b"defgh"[..]));
    }
}
