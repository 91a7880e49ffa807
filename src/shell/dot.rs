//! Dot-commands: `.mode`, `.headers`, `.open`, `.connection`, ...
//!
//! A dot-command is a line starting with `.` when no SQL is being gathered. Its words are
//! split as sqlite3 splits them: on whitespace, with `'...'` and `"..."` quoting, and with
//! C escapes (`\t`, `\n`, `\\`, `\NNN` octal) resolved outside single quotes. A command name
//! may be shortened to any prefix (`.mo csv`); the first command in sqlite3's order wins.

use std::fs::File;
use std::io::{BufReader, BufWriter};

use super::input::ReaderLines;
use super::session::{results, DotOutcome, Origin, Session, CONNECTION_SLOTS};
use super::settings::{ColumnOptions, Mode};

/// The dot-commands, in the order a shortened name is matched against them.
const COMMANDS: &[&str] = &[
    "bail",
    "changes",
    "connection",
    "dump",
    "echo",
    "exit",
    "headers",
    "help",
    "import",
    "indexes",
    "indices",
    "mode",
    "nullvalue",
    "open",
    "output",
    "quit",
    "read",
    "schema",
    "separator",
    "show",
    "tables",
    "timer",
    "version",
];

/// The text `.help` prints.
const HELP: &str = "\
.bail on|off             Stop after hitting an error.  Default OFF
.changes on|off          Show number of rows changed by SQL
.connection [close] [#]  Open or close a connection to the same database
.dump ?PATTERN ...?      Render database content as SQL
.echo on|off             Turn command echo on or off
.exit ?CODE?             Exit this program with return-code CODE
.headers on|off          Turn display of headers on or off
.help                    Show this message
.import FILE TABLE       Import data from FILE into TABLE (CSV)
.indexes ?TABLE?         Show names of indexes
.mode MODE ?OPTIONS?     Set output mode: box column csv insert json line list
                         markdown quote table tabs ascii off
.nullvalue STRING        Use STRING in place of NULL values
.open ?FILE?             Close existing database and reopen FILE
.output ?FILE?           Send output to FILE or stdout if FILE is omitted
.quit                    Exit this program
.read FILE               Read input from FILE
.schema ?PATTERN?        Show the CREATE statements matching PATTERN
.separator COL ?ROW?     Change the column and row separators
.show                    Show the current values for various settings
.tables ?TABLE?          List names of tables matching LIKE pattern TABLE
.timer on|off            Turn SQL timer on or off
.version                 Show source, library and compiler versions
";

/// Resolves C escapes in `text`: `\a \b \t \n \v \f \r \" \' \\` and `\NNN` octal.
fn resolve_backslashes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&c) = bytes.get(i) else {
            out.push(b);
            break;
        };
        i += 1;
        match c {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'v' => out.push(11),
            b'f' => out.push(12),
            b'r' => out.push(b'\r'),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(u8::try_from(value & 0xff).unwrap_or(0));
            }
            other => out.push(other),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a dot-command line into words (the leading `.` removed from the first).
pub fn split_words(line: &str) -> Vec<String> {
    let line = line.strip_prefix('.').unwrap_or(line);
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let Some(&first) = bytes.get(i) else { break };
        if first == b'\'' || first == b'"' {
            i += 1;
            let start = i;
            while let Some(&b) = bytes.get(i) {
                if b == first {
                    break;
                }
                if b == b'\\' && first == b'"' && bytes.get(i + 1).is_some() {
                    i += 1;
                }
                i += 1;
            }
            let word = line.get(start..i).unwrap_or("");
            words.push(if first == b'"' {
                resolve_backslashes(word)
            } else {
                word.to_string()
            });
            i += 1;
        } else {
            let start = i;
            while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                i += 1;
            }
            words.push(resolve_backslashes(line.get(start..i).unwrap_or("")));
        }
    }
    words
}

/// sqlite3's reading of a yes/no word; `None` when it is not one.
fn boolean(word: &str) -> Option<bool> {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "on" | "yes" | "true" => Some(true),
        "off" | "no" | "false" => Some(false),
        _ => lower.parse::<i64>().ok().map(|n| n != 0),
    }
}

/// `text` as a C string literal, as `.show` prints separators.
fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

impl Session<'_> {
    /// Runs a dot-command given on the command line or with `-cmd`.
    pub fn dot_command(&mut self, line: &str) -> DotOutcome {
        self.dot_command_in(line, Origin::Script)
    }

    /// Prints `message` and a newline to standard error.
    pub fn error_line(&mut self, message: &str) {
        let _ = writeln!(self.streams.stderr, "{message}");
        let _ = self.streams.stderr.flush();
    }

    /// Reads a yes/no argument, warning as sqlite3 does when it is neither.
    fn switch(&mut self, word: &str) -> bool {
        boolean(word).unwrap_or_else(|| {
            self.error_line(&format!(
                "ERROR: Not a boolean value: \"{word}\". Assuming \"no\"."
            ));
            false
        })
    }

    /// Runs one dot-command line read from input of the given origin.
    pub fn dot_command_in(&mut self, line: &str, _origin: Origin) -> DotOutcome {
        let words = split_words(line);
        let Some(given) = words.first() else {
            return DotOutcome::Continue;
        };
        let name = if given.is_empty() {
            None
        } else {
            COMMANDS
                .iter()
                .find(|c| c.starts_with(given.as_str()))
                .copied()
        };
        let args = words.get(1..).unwrap_or_default();
        let usage = |this: &mut Self, text: &str| {
            this.error_line(&format!("Usage: {text}"));
            DotOutcome::Failed
        };
        let outcome = match (name, args) {
            (Some("bail"), [value]) => {
                self.settings.bail = self.switch(value);
                DotOutcome::Continue
            }
            (Some("bail"), _) => usage(self, ".bail on|off"),
            (Some("changes"), [value]) => {
                self.settings.changes = self.switch(value);
                DotOutcome::Continue
            }
            (Some("changes"), _) => usage(self, ".changes on|off"),
            (Some("echo"), [value]) => {
                self.settings.echo = self.switch(value);
                DotOutcome::Continue
            }
            (Some("echo"), _) => usage(self, ".echo on|off"),
            (Some("timer"), [value]) => {
                self.settings.timer = self.switch(value);
                DotOutcome::Continue
            }
            (Some("timer"), _) => usage(self, ".timer on|off"),
            (Some("headers"), [value]) => {
                self.settings.headers = self.switch(value);
                self.settings.headers_chosen = true;
                DotOutcome::Continue
            }
            (Some("headers"), _) => usage(self, ".headers on|off"),
            (Some("nullvalue"), [value]) => {
                self.settings.null_value = value.clone();
                DotOutcome::Continue
            }
            (Some("nullvalue"), _) => usage(self, ".nullvalue STRING"),
            (Some("separator"), [column]) => {
                self.settings.column_separator = column.clone();
                DotOutcome::Continue
            }
            (Some("separator"), [column, row]) => {
                self.settings.column_separator = column.clone();
                self.settings.row_separator = row.clone();
                DotOutcome::Continue
            }
            (Some("separator"), _) => usage(self, ".separator COL ?ROW?"),
            (Some("mode"), _) => self.mode_command(args),
            (Some("exit"), [code, ..]) => {
                // sqlite3 reads the code's leading digits; a nonzero one ends the process.
                let digits: String = code
                    .char_indices()
                    .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && c == '-'))
                    .map(|(_, c)| c)
                    .collect();
                let status = digits.parse::<i32>().unwrap_or(0);
                if status != 0 {
                    self.exit_status = Some(status);
                }
                DotOutcome::Quit
            }
            (Some("exit" | "quit"), _) => DotOutcome::Quit,
            (Some("help"), _) => {
                let out = results(&mut self.output_file, self.streams.stdout);
                let _ = out.write_all(HELP.as_bytes());
                DotOutcome::Continue
            }
            (Some("version"), _) => {
                let version = self.engine.version();
                let out = results(&mut self.output_file, self.streams.stdout);
                let _ = writeln!(out, "{version}");
                DotOutcome::Continue
            }
            (Some("show"), _) => self.show_command(),
            (Some("open"), _) => self.open_command(args),
            (Some("output"), _) => self.output_command(args),
            (Some("read"), [file]) => self.read_command(file),
            (Some("read"), _) => usage(self, ".read FILE"),
            (Some("connection"), _) => self.connection_command(args),
            (Some("tables"), _) => self.tables_command(args, false),
            (Some("indexes" | "indices"), _) => self.tables_command(args, true),
            (Some("schema"), _) => self.schema_command(args),
            (Some("dump"), _) => self.dump_command(args),
            (Some("import"), _) => self.import_command(args),
            _ => {
                self.error_line(&format!(
                    "Error: unknown command or invalid arguments:  \"{given}\". Enter \".help\" for help"
                ));
                DotOutcome::Failed
            }
        };
        self.flush();
        outcome
    }

    /// `.mode ?MODE? ?TABLE? ?--wrap N? ?--wordwrap on|off? ?--ww? ?--quote|--noquote?`
    fn mode_command(&mut self, args: &[String]) -> DotOutcome {
        let mut mode_word: Option<String> = None;
        let mut table: Option<String> = None;
        // `.mode` starts from sqlite3's defaults for the columnar modes: wrap at 60.
        let mut options = ColumnOptions {
            wrap: 60,
            ..ColumnOptions::default()
        };
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let option = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
            match (option, args.get(i + 1)) {
                (Some("wrap"), Some(n)) => {
                    options.wrap = n.parse::<i64>().map_or(0, |n| n.unsigned_abs() as usize);
                    i += 1;
                }
                (Some("ww"), _) => options.word_wrap = true,
                (Some("wordwrap"), Some(v)) => {
                    options.word_wrap = boolean(v).unwrap_or(false);
                    i += 1;
                }
                (Some("quote"), _) => options.quote = true,
                (Some("noquote"), _) => options.quote = false,
                _ if mode_word.is_none() => {
                    if arg == "qbox" {
                        mode_word = Some("box".to_string());
                        options = ColumnOptions {
                            wrap: 60,
                            word_wrap: false,
                            quote: true,
                        };
                    } else {
                        mode_word = Some(arg.clone());
                    }
                }
                _ if table.is_none() => table = Some(arg.clone()),
                _ => {
                    self.error_line(&format!("extra argument: \"{arg}\""));
                    return DotOutcome::Failed;
                }
            }
            i += 1;
        }
        let word = match mode_word {
            Some(word) => word,
            None => {
                let line = self.mode_description();
                let out = results(&mut self.output_file, self.streams.stdout);
                let _ = writeln!(out, "current output mode: {line}");
                self.settings.mode.name().to_string()
            }
        };
        // sqlite3 matches a prefix of the mode name, in this order.
        let candidates: &[(&str, Option<Mode>)] = &[
            ("lines", Some(Mode::Line)),
            ("columns", Some(Mode::Column)),
            ("list", Some(Mode::List)),
            ("csv", Some(Mode::Csv)),
            ("tabs", None),
            ("insert", Some(Mode::Insert)),
            ("quote", Some(Mode::Quote)),
            ("ascii", Some(Mode::Ascii)),
            ("markdown", Some(Mode::Markdown)),
            ("table", Some(Mode::Table)),
            ("box", Some(Mode::Box)),
            ("off", Some(Mode::Off)),
            ("json", Some(Mode::Json)),
        ];
        match candidates
            .iter()
            .find(|(name, _)| !word.is_empty() && name.starts_with(&word))
        {
            Some((_, Some(mode))) => self.settings.set_mode(*mode, table.as_deref(), options),
            Some((_, None)) => self.settings.set_tabs(),
            None => {
                self.error_line(
                    "Error: mode should be one of: ascii box column csv html insert json line list \
                     markdown qbox quote table tabs tcl",
                );
                return DotOutcome::Failed;
            }
        }
        DotOutcome::Continue
    }

    /// The mode as `.mode` and `.show` describe it.
    fn mode_description(&self) -> String {
        let s = &self.settings;
        if s.mode.is_columnar() {
            let o = s.column_options;
            format!(
                "{} --wrap {} --wordwrap {} --{}quote",
                s.mode.name(),
                o.wrap,
                if o.word_wrap { "on" } else { "off" },
                if o.quote { "" } else { "no" }
            )
        } else {
            s.mode.name().to_string()
        }
    }

    /// `.show`
    fn show_command(&mut self) -> DotOutcome {
        let on_off = |b: bool| if b { "on" } else { "off" };
        let s = &self.settings;
        let output = self
            .output_file
            .as_ref()
            .map_or_else(|| "stdout".to_string(), |(name, _)| name.clone());
        let lines = [
            ("echo", on_off(s.echo).to_string()),
            ("eqp", "off".to_string()),
            ("explain", "auto".to_string()),
            ("headers", on_off(s.headers).to_string()),
            ("mode", self.mode_description()),
            ("nullvalue", c_string(&s.null_value)),
            ("output", output),
            ("colseparator", c_string(&s.column_separator)),
            ("rowseparator", c_string(&s.row_separator)),
            ("stats", "off".to_string()),
            ("width", String::new()),
            ("filename", self.db_path.clone()),
        ];
        let out = results(&mut self.output_file, self.streams.stdout);
        for (label, value) in lines {
            let _ = writeln!(out, "{label:>12}: {value}");
        }
        DotOutcome::Continue
    }

    /// `.open ?--new? ?--readonly? ?FILE?`
    fn open_command(&mut self, args: &[String]) -> DotOutcome {
        let mut file: Option<&String> = None;
        let mut readonly = false;
        let mut fresh = false;
        for arg in args {
            match arg.trim_start_matches('-') {
                "readonly" if arg.starts_with('-') => readonly = true,
                "new" if arg.starts_with('-') => fresh = true,
                _ if arg.starts_with('-') => {
                    self.error_line(&format!("unknown option: {arg}"));
                    return DotOutcome::Failed;
                }
                _ if file.is_none() => file = Some(arg),
                _ => {
                    self.error_line(&format!("extra argument: \"{arg}\""));
                    return DotOutcome::Failed;
                }
            }
        }
        for slot in self.connections.iter_mut() {
            *slot = None;
        }
        self.db = None;
        self.current = 0;
        self.db_path = file.cloned().unwrap_or_else(|| ":memory:".to_string());
        self.readonly = readonly;
        if fresh && self.db_path != ":memory:" {
            let _ = std::fs::remove_file(&self.db_path);
        }
        match self.ensure_open() {
            Ok(()) => DotOutcome::Continue,
            Err(error) => {
                let message = format!(
                    "Error: unable to open database \"{}\": {}",
                    self.db_path, error.message
                );
                self.error_line(&message);
                DotOutcome::Failed
            }
        }
    }

    /// `.output ?FILE?`
    fn output_command(&mut self, args: &[String]) -> DotOutcome {
        self.flush();
        match args {
            [] => {
                self.output_file = None;
                DotOutcome::Continue
            }
            [name] if name == "stdout" => {
                self.output_file = None;
                DotOutcome::Continue
            }
            [name] => match File::create(name) {
                Ok(file) => {
                    self.output_file = Some((name.clone(), BufWriter::new(file)));
                    DotOutcome::Continue
                }
                Err(_) => {
                    self.output_file = None;
                    self.error_line(&format!("Error: cannot open \"{name}\""));
                    self.error_line(&format!("Error: cannot write to \"{name}\""));
                    DotOutcome::Failed
                }
            },
            _ => {
                self.error_line("Usage: .output ?FILE?");
                DotOutcome::Failed
            }
        }
    }

    /// `.read FILE`
    fn read_command(&mut self, name: &str) -> DotOutcome {
        let file = match File::open(name) {
            Ok(file) => file,
            Err(_) => {
                self.error_line(&format!("Error: cannot open \"{name}\""));
                return DotOutcome::Failed;
            }
        };
        let mut reader = BufReader::new(file);
        let mut lines = ReaderLines::new(&mut reader);
        if self.process_lines(&mut lines, Origin::Script, false) > 0 {
            DotOutcome::Failed
        } else {
            DotOutcome::Continue
        }
    }

    /// `.connection ?close? ?N?`
    fn connection_command(&mut self, args: &[String]) -> DotOutcome {
        let slot = |word: &str| word.parse::<usize>().ok().filter(|n| *n < CONNECTION_SLOTS);
        match args {
            [] => {
                let lines: Vec<String> = self
                    .connections
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_some())
                    .map(|(i, _)| {
                        let marker = if i == self.current {
                            "ACTIVE"
                        } else {
                            "      "
                        };
                        format!("{marker} {i}: {}", self.db_path)
                    })
                    .collect();
                let out = results(&mut self.output_file, self.streams.stdout);
                for line in lines {
                    let _ = writeln!(out, "{line}");
                }
                DotOutcome::Continue
            }
            [n] if slot(n).is_some() => {
                let previous = self.current;
                self.current = slot(n).unwrap_or(0);
                if let Err(error) = self.ensure_open() {
                    self.current = previous;
                    self.error_line(&format!("Error: {}", error.message));
                    return DotOutcome::Failed;
                }
                DotOutcome::Continue
            }
            [close, n] if close == "close" && slot(n).is_some() => {
                let n = slot(n).unwrap_or(0);
                if n == self.current {
                    self.error_line("Error: cannot close the active connection");
                    return DotOutcome::Failed;
                }
                if let Some(entry) = self.connections.get_mut(n) {
                    *entry = None;
                }
                DotOutcome::Continue
            }
            _ => {
                self.error_line("Usage: .connection [close] [CONNECTION-NUMBER]");
                DotOutcome::Failed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_with_quotes_and_escapes() {
        assert_eq!(split_words(".separator \\t"), vec!["separator", "\t"]);
        assert_eq!(split_words(".nullvalue 'a b'"), vec!["nullvalue", "a b"]);
        assert_eq!(
            split_words(".nullvalue \"x\\\"y\""),
            vec!["nullvalue", "x\"y"]
        );
        assert_eq!(split_words(".sep \\054"), vec!["sep", ","]);
    }

    #[test]
    fn booleans_read_like_sqlite() {
        assert_eq!(boolean("ON"), Some(true));
        assert_eq!(boolean("no"), Some(false));
        assert_eq!(boolean("2"), Some(true));
        assert_eq!(boolean("maybe"), None);
    }
}
