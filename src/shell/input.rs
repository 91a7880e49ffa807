//! Reading the shell's input line by line, and tracking where a statement ends.

use std::io::{self, BufRead, Write};

/// A source of input lines.
pub trait LineSource {
    /// Reads the next line without its line ending (`\n` or `\r\n`), showing `prompt` first
    /// when the source is a terminal. `Ok(None)` at the end of input.
    fn read_line(&mut self, prompt: &str) -> io::Result<Option<String>>;

    /// Records a complete input in the line-editing history (no-op where there is none).
    fn add_history(&mut self, _entry: &str) {}
}

/// Lines from a reader (a pipe, a file): no prompt, no editing. Bytes that are not UTF-8 are
/// replaced with U+FFFD.
pub struct ReaderLines<'r> {
    /// The reader.
    reader: &'r mut dyn BufRead,
}

impl<'r> ReaderLines<'r> {
    /// Lines from `reader`.
    pub fn new(reader: &'r mut dyn BufRead) -> Self {
        ReaderLines { reader }
    }
}

impl LineSource for ReaderLines<'_> {
    fn read_line(&mut self, _prompt: &str) -> io::Result<Option<String>> {
        let mut bytes = Vec::new();
        if self.reader.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(None);
        }
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// Lines typed at a terminal without line editing: the prompt is written to `prompt_out`.
pub struct PromptedLines<'r> {
    /// The terminal's input.
    lines: ReaderLines<'r>,
    /// Where prompts go.
    prompt_out: &'r mut dyn Write,
}

impl<'r> PromptedLines<'r> {
    /// Prompted lines from `reader`, prompts written to `prompt_out`.
    pub fn new(reader: &'r mut dyn BufRead, prompt_out: &'r mut dyn Write) -> Self {
        PromptedLines {
            lines: ReaderLines::new(reader),
            prompt_out,
        }
    }
}

impl LineSource for PromptedLines<'_> {
    fn read_line(&mut self, prompt: &str) -> io::Result<Option<String>> {
        self.prompt_out.write_all(prompt.as_bytes())?;
        self.prompt_out.flush()?;
        self.lines.read_line(prompt)
    }
}

/// Where the scan of the gathered input stands (sqlite3's "quick scan").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Within {
    /// Ordinary text.
    Plain,
    /// A string or quoted identifier closed by this byte.
    Quoted(u8),
    /// A `/* ... */` comment.
    BlockComment,
}

/// Tracks, line by line, whether the gathered input is blank and whether it ends with `;`
/// outside quotes and comments; only then does the shell ask [`super::complete::is_complete`].
#[derive(Debug, Clone, Copy)]
pub struct LineScan {
    /// Inside a quote or comment at the end of the last line.
    within: Within,
    /// Something other than whitespace and comments was seen.
    has_text: bool,
    /// The last such thing was a `;`.
    ends_with_semicolon: bool,
}

impl Default for LineScan {
    fn default() -> Self {
        LineScan {
            within: Within::Plain,
            has_text: false,
            ends_with_semicolon: false,
        }
    }
}

impl LineScan {
    /// Feeds one more line.
    pub fn feed(&mut self, line: &str) {
        let bytes = line.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match self.within {
                Within::Quoted(close) => {
                    if b == close {
                        self.within = Within::Plain;
                    }
                    i += 1;
                }
                Within::BlockComment => {
                    if b == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        self.within = Within::Plain;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                Within::Plain => match b {
                    b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c' => i += 1,
                    b'-' if bytes.get(i + 1) == Some(&b'-') => break,
                    b'/' if bytes.get(i + 1) == Some(&b'*') => {
                        self.within = Within::BlockComment;
                        i += 2;
                    }
                    b'\'' | b'"' | b'`' | b'[' => {
                        self.within = Within::Quoted(if b == b'[' { b']' } else { b });
                        self.has_text = true;
                        self.ends_with_semicolon = false;
                        i += 1;
                    }
                    b';' => {
                        self.has_text = true;
                        self.ends_with_semicolon = true;
                        i += 1;
                    }
                    _ => {
                        self.has_text = true;
                        self.ends_with_semicolon = false;
                        i += 1;
                    }
                },
            }
        }
    }

    /// Nothing but whitespace and finished comments so far.
    pub fn is_blank(&self) -> bool {
        self.within == Within::Plain && !self.has_text
    }

    /// The input ends with `;` outside quotes and comments.
    pub fn ends_with_semicolon(&self) -> bool {
        self.within == Within::Plain && self.ends_with_semicolon
    }

    /// Not inside a quote or comment.
    pub fn is_plain(&self) -> bool {
        self.within == Within::Plain
    }

    /// Holds something other than whitespace and comments.
    pub fn has_text(&self) -> bool {
        self.has_text
    }
}

/// True for a line that is only `/` or `go` (any case): sqlite3 reads it as `;`.
pub fn is_terminator_line(line: &str) -> bool {
    let word = line.trim();
    word == "/" || word.eq_ignore_ascii_case("go")
}
