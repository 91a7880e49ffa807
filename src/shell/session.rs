//! A shell session: the open database, its connections, the settings, and the run loop.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::time::Instant;

use super::complete::is_complete;
use super::engine::{Engine, EngineConn, EngineDb, EngineError, ErrorPhase};
use super::input::{is_terminator_line, LineScan, LineSource, ReaderLines};
use super::options::Options;
use super::output::ResultPrinter;
use super::settings::Settings;
use super::Streams;

/// How many connections `.connection` can address (0 through 9, as in sqlite3).
pub const CONNECTION_SLOTS: usize = 10;

/// The prompt for a new statement.
const PROMPT: &str = "concur> ";
/// The prompt for a statement's next line.
const CONTINUATION_PROMPT: &str = "   ...> ";

/// What a dot-command asks of the loop that read it.
#[derive(Debug, PartialEq, Eq)]
pub enum DotOutcome {
    /// Carry on.
    Continue,
    /// The command failed (its error line is already printed).
    Failed,
    /// `.quit` / `.exit`: stop reading input.
    Quit,
}

/// Where an input block came from, which shapes its error lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A script (standard input that is not a terminal, or `.read`): errors name the line.
    Script,
    /// A terminal: errors without line numbers.
    Terminal,
}

/// A failed SQL run: the engine's error and the statement text it belongs to.
pub struct SqlFailure {
    /// The engine's error.
    pub error: EngineError,
    /// The text from the failing statement's start, for the `^--- error here` context.
    pub statement: String,
}

/// The shell's state across inputs.
pub struct Session<'a> {
    /// The engine that opens databases.
    pub engine: &'a dyn Engine,
    /// The open database, once opened.
    pub db: Option<Box<dyn EngineDb>>,
    /// The database's file name (`:memory:` when none).
    pub db_path: String,
    /// Opened read-only.
    pub readonly: bool,
    /// Connections by number; slot 0 is the one every session starts with.
    pub connections: Vec<Option<Box<dyn EngineConn>>>,
    /// The connection statements run on.
    pub current: usize,
    /// Display settings and switches.
    pub settings: Settings,
    /// `.output FILE`: results go here instead of standard output.
    pub output_file: Option<(String, BufWriter<File>)>,
    /// The status `.exit CODE` asked for (a nonzero CODE), which ends the run at once.
    pub exit_status: Option<i32>,
    /// The command-line options.
    options: Options,
    /// Standard input, while no loop is reading it.
    stdin: Option<&'a mut dyn BufRead>,
    /// The output streams and terminal facts of this run.
    pub streams: Sinks<'a>,
}

/// The output side of a run's streams.
pub struct Sinks<'a> {
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Standard input is a terminal.
    pub stdin_is_terminal: bool,
    /// Standard error is a terminal.
    pub stderr_is_terminal: bool,
    /// The line editor, when there is one and no loop is using it.
    pub editor: Option<&'a mut dyn LineSource>,
}

/// Picks the stream results go to: the `.output` file, else standard output.
pub fn results<'w>(
    file: &'w mut Option<(String, BufWriter<File>)>,
    stdout: &'w mut dyn Write,
) -> &'w mut dyn Write {
    match file {
        Some((_, f)) => f,
        None => stdout,
    }
}

/// The statement text with a marker under the byte at `offset`, as sqlite3 shows it.
fn error_context(statement: &str, offset: usize) -> String {
    let mut text = statement.as_bytes();
    let mut offset = offset.min(text.len());
    while offset > 50 {
        offset -= 1;
        text = text.get(1..).unwrap_or_default();
        while text.first().is_some_and(|b| b & 0xc0 == 0x80) {
            text = text.get(1..).unwrap_or_default();
            offset = offset.saturating_sub(1);
        }
    }
    let mut len = text.len().min(78);
    while len > 0 && text.get(len).is_some_and(|b| b & 0xc0 == 0x80) {
        len -= 1;
    }
    let code: Vec<u8> = text
        .get(..len)
        .unwrap_or_default()
        .iter()
        .map(|&b| {
            if b.is_ascii_whitespace() || b == 0x0b {
                b' '
            } else {
                b
            }
        })
        .collect();
    let code = String::from_utf8_lossy(&code);
    if offset < 25 {
        format!("\n  {code}\n  {}^--- error here", " ".repeat(offset))
    } else {
        format!("\n  {code}\n  {}error here ---^", " ".repeat(offset - 14))
    }
}

impl SqlFailure {
    /// The message after the phase word: the engine's message, ` (CODE)` when the code is
    /// above 1, and the error context when the offset is known.
    fn detail(&self) -> String {
        let mut text = self.error.message.clone();
        if self.error.code > 1 {
            text.push_str(&format!(" ({})", self.error.code));
        }
        if let Some(offset) = self.error.offset {
            text.push_str(&error_context(&self.statement, offset));
        }
        text
    }
}

impl<'a> Session<'a> {
    /// A session that has not opened its database yet.
    pub fn new(
        engine: &'a dyn Engine,
        options: Options,
        settings: Settings,
        streams: Streams<'a>,
    ) -> Self {
        let mut connections = Vec::with_capacity(CONNECTION_SLOTS);
        connections.resize_with(CONNECTION_SLOTS, || None);
        Session {
            engine,
            db: None,
            db_path: options
                .file
                .clone()
                .unwrap_or_else(|| ":memory:".to_string()),
            readonly: options.readonly,
            connections,
            current: 0,
            settings,
            output_file: None,
            exit_status: None,
            options,
            stdin: Some(streams.stdin),
            streams: Sinks {
                stdout: streams.stdout,
                stderr: streams.stderr,
                stdin_is_terminal: streams.stdin_is_terminal,
                stderr_is_terminal: streams.stderr_is_terminal,
                editor: streams.editor,
            },
        }
    }

    /// Runs the whole session and returns the exit status.
    pub fn run(mut self) -> i32 {
        if let Err(error) = self.ensure_open() {
            let _ = writeln!(
                self.streams.stderr,
                "Error: unable to open database \"{}\": {}",
                self.db_path, error.message
            );
            return 1;
        }
        for command in std::mem::take(&mut self.options.init_commands) {
            let failed = if command.starts_with('.') {
                match self.dot_command(&command) {
                    DotOutcome::Quit => {
                        self.flush();
                        return self.exit_status.unwrap_or(0);
                    }
                    DotOutcome::Failed => true,
                    DotOutcome::Continue => false,
                }
            } else {
                self.run_command_line_sql(&command).is_some()
            };
            if failed && self.settings.bail {
                return 1;
            }
        }
        let commands = std::mem::take(&mut self.options.commands);
        if !commands.is_empty() {
            for command in commands {
                if command.starts_with('.') {
                    match self.dot_command(&command) {
                        DotOutcome::Quit => {
                            self.flush();
                            return self.exit_status.unwrap_or(0);
                        }
                        DotOutcome::Failed => return 1,
                        DotOutcome::Continue => {}
                    }
                } else if let Some(code) = self.run_command_line_sql(&command) {
                    return code;
                }
            }
            self.flush();
            return 0;
        }
        let errors = if self.streams.stdin_is_terminal {
            let _ = writeln!(
                self.streams.stdout,
                "{}\nEnter \".help\" for usage hints.",
                self.engine.version()
            );
            if self.options.file.is_none() {
                let _ = writeln!(
                    self.streams.stdout,
                    "Connected to a transient in-memory database.\n\
                     Use \".open FILENAME\" to reopen on a persistent database."
                );
            }
            let errors = match self.streams.editor.take() {
                Some(editor) => self.process_lines(editor, Origin::Terminal, false),
                None => self.process_stdin(Origin::Terminal, true),
            };
            let _ = writeln!(self.streams.stdout);
            errors
        } else {
            self.process_stdin(Origin::Script, false)
        };
        self.flush();
        self.exit_status.unwrap_or(i32::from(errors > 0))
    }
}

impl Session<'_> {
    /// Reads standard input to its end.
    fn process_stdin(&mut self, origin: Origin, show_prompt: bool) -> usize {
        let Some(stdin) = self.stdin.take() else {
            return 0;
        };
        let mut lines = ReaderLines::new(&mut *stdin);
        let errors = self.process_lines(&mut lines, origin, show_prompt);
        self.stdin = Some(stdin);
        errors
    }

    /// Reads `source` to its end (or `.quit`), running what it holds; returns the number of
    /// failed statements and dot-commands. `show_prompt` writes prompts to standard output.
    pub fn process_lines(
        &mut self,
        source: &mut dyn LineSource,
        origin: Origin,
        show_prompt: bool,
    ) -> usize {
        let mut errors = 0;
        let mut gathered = String::new();
        let mut scan = LineScan::default();
        let mut line_number = 0usize;
        let mut start_line = 0usize;
        loop {
            let prompt = if gathered.is_empty() {
                PROMPT
            } else {
                CONTINUATION_PROMPT
            };
            if show_prompt {
                let _ = self.streams.stdout.write_all(prompt.as_bytes());
                let _ = self.streams.stdout.flush();
            }
            let mut line = match source.read_line(prompt) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(error) => {
                    let _ = writeln!(self.streams.stderr, "Error: reading input: {error}");
                    errors += 1;
                    break;
                }
            };
            line_number += 1;
            if scan.is_plain() && is_terminator_line(&line) && {
                let mut probe = gathered.clone();
                probe.push(';');
                is_complete(&probe)
            } {
                line = ";".to_string();
            }
            scan.feed(&line);
            if scan.is_blank() && gathered.is_empty() {
                self.echo(&line);
                scan = LineScan::default();
                continue;
            }
            if gathered.is_empty() && (line.starts_with('.') || line.starts_with('#')) {
                self.echo(&line);
                if line.starts_with('.') {
                    source.add_history(&line);
                    match self.dot_command_in(&line, origin) {
                        DotOutcome::Quit => return errors,
                        // A `.exit CODE` inside a `.read` file ends every loop.
                        _ if self.exit_status.is_some() => return errors,
                        DotOutcome::Failed => errors += 1,
                        DotOutcome::Continue => {}
                    }
                }
                scan = LineScan::default();
                if errors > 0 && self.settings.bail {
                    break;
                }
                continue;
            }
            if gathered.is_empty() {
                gathered.push_str(line.trim_start());
                start_line = line_number;
            } else {
                gathered.push('\n');
                gathered.push_str(&line);
            }
            if scan.ends_with_semicolon() && is_complete(&gathered) {
                source.add_history(&gathered);
                if self.run_block(&gathered, origin, start_line) {
                    errors += 1;
                }
                gathered.clear();
                scan = LineScan::default();
                if errors > 0 && self.settings.bail {
                    break;
                }
            } else if scan.is_blank() {
                self.echo(&gathered);
                gathered.clear();
                scan = LineScan::default();
            }
        }
        let stopped = errors > 0 && self.settings.bail;
        let has_statement = scan.has_text() || !scan.is_plain();
        if !gathered.is_empty() && has_statement && !stopped {
            source.add_history(&gathered);
            if self.run_block(&gathered, origin, start_line) {
                errors += 1;
            }
        }
        errors
    }

    /// Prints `text` to the results stream when `.echo` is on.
    fn echo(&mut self, text: &str) {
        if self.settings.echo {
            let out = results(&mut self.output_file, self.streams.stdout);
            let _ = out.write_all(text.as_bytes());
            let _ = out.write_all(b"\n");
        }
    }

    /// Flushes the results stream.
    pub fn flush(&mut self) {
        let _ = results(&mut self.output_file, self.streams.stdout).flush();
    }

    /// Opens the database and connection 0 if they are not open yet.
    pub fn ensure_open(&mut self) -> Result<(), EngineError> {
        if self.db.is_none() {
            self.db = Some(self.engine.open(&self.db_path, self.readonly)?);
        }
        let slot = self.current;
        if self.connections.get(slot).is_some_and(Option::is_none) {
            let db = self
                .db
                .as_ref()
                .ok_or_else(|| EngineError::new(ErrorPhase::Open, "no database is open"))?;
            let conn = db.connect()?;
            if let Some(entry) = self.connections.get_mut(slot) {
                *entry = Some(conn);
            }
        }
        Ok(())
    }

    /// Runs one gathered block of SQL from an input stream, with echo, timer, change counts
    /// and the error line. Returns true when it failed.
    fn run_block(&mut self, sql: &str, origin: Origin, start_line: usize) -> bool {
        if self.settings.echo {
            self.echo(sql);
        }
        let started = Instant::now();
        let cpu_before = cpu_times();
        let result = self.execute(sql);
        if self.settings.timer {
            let elapsed = started.elapsed().as_secs_f64();
            let (user, sys) = match (cpu_before, cpu_times()) {
                (Some((u0, s0)), Some((u1, s1))) => (u1 - u0, s1 - s0),
                _ => (0.0, 0.0),
            };
            let out = results(&mut self.output_file, self.streams.stdout);
            let _ = writeln!(
                out,
                "Run Time: real {elapsed:.3} user {user:.6} sys {sys:.6}"
            );
        }
        match result {
            Ok(()) => {
                if self.settings.changes {
                    let (changes, total) = self
                        .current_conn()
                        .map_or((0, 0), |c| (c.changes(), c.total_changes()));
                    let out = results(&mut self.output_file, self.streams.stdout);
                    let _ = writeln!(out, "changes: {changes}   total_changes: {total}");
                }
                self.flush();
                false
            }
            Err(failure) => {
                self.flush();
                let kind = match failure.error.phase {
                    ErrorPhase::Prepare => "Parse error",
                    ErrorPhase::Step => "Runtime error",
                    ErrorPhase::Open => "Error",
                };
                let detail = failure.detail();
                let _ = match origin {
                    Origin::Script => writeln!(
                        self.streams.stderr,
                        "{kind} near line {start_line}: {detail}"
                    ),
                    Origin::Terminal => writeln!(self.streams.stderr, "{kind}: {detail}"),
                };
                let _ = self.streams.stderr.flush();
                true
            }
        }
    }

    /// Runs SQL given on the command line; on failure prints `Error: in prepare, ...` and
    /// returns the exit status (the SQLite result code).
    fn run_command_line_sql(&mut self, sql: &str) -> Option<i32> {
        let result = self.execute(sql);
        self.flush();
        match result {
            Ok(()) => None,
            Err(failure) => {
                let phase = match failure.error.phase {
                    ErrorPhase::Prepare => "in prepare, ",
                    ErrorPhase::Step => "stepping, ",
                    ErrorPhase::Open => "",
                };
                let _ = writeln!(self.streams.stderr, "Error: {phase}{}", failure.detail());
                Some(failure.error.code.max(1))
            }
        }
    }

    /// The current connection, if open.
    pub fn current_conn(&mut self) -> Option<&mut Box<dyn EngineConn>> {
        self.connections
            .get_mut(self.current)
            .and_then(Option::as_mut)
    }

    /// Runs every statement in `sql` on the current connection, printing results; stops at
    /// the first failure.
    pub fn execute(&mut self, sql: &str) -> Result<(), SqlFailure> {
        self.ensure_open().map_err(|error| SqlFailure {
            error,
            statement: String::new(),
        })?;
        let Session {
            connections,
            current,
            settings,
            output_file,
            streams,
            ..
        } = self;
        let Some(conn) = connections.get_mut(*current).and_then(Option::as_mut) else {
            return Ok(());
        };
        let out = results(output_file, streams.stdout);
        let mut rest = sql;
        while !rest.is_empty() {
            let prepared = conn.prepare(rest).map_err(|error| SqlFailure {
                error,
                statement: rest.to_string(),
            })?;
            let used = prepared.used;
            if let Some(mut statement) = prepared.statement {
                let mut printer = ResultPrinter::new(settings, statement.column_names());
                let outcome = loop {
                    match statement.step() {
                        Ok(Some(row)) => {
                            if let Err(error) = printer.row(out, row) {
                                break Err(io_failure(error));
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(error) => {
                            break Err(SqlFailure {
                                error,
                                statement: String::new(),
                            })
                        }
                    }
                };
                let finished = printer.finish(out).map_err(io_failure);
                let _ = out.flush();
                outcome?;
                finished?;
            }
            if used == 0 {
                break;
            }
            rest = rest.get(used..).unwrap_or("").trim_start();
        }
        Ok(())
    }
}

/// A write failure on the results stream, reported like an engine error.
fn io_failure(error: io::Error) -> SqlFailure {
    SqlFailure {
        error: EngineError::new(ErrorPhase::Step, format!("writing output: {error}")),
        statement: String::new(),
    }
}

/// User and system CPU seconds of this process, where the platform tells them.
fn cpu_times() -> Option<(f64, f64)> {
    // /proc/self/stat fields 14 and 15 are utime and stime in clock ticks (100 per second on
    // Linux unless configured otherwise).
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let sys: f64 = fields.get(12)?.parse().ok()?;
    Some((user / 100.0, sys / 100.0))
}
