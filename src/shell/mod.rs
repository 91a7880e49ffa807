//! The `concur` shell: a `sqlite3`-compatible command-line front end.
//!
//! `concur [OPTIONS] [FILE] [SQL...]` opens FILE (a new in-memory database without one), runs
//! the SQL and dot-commands given on the command line and exits, or else reads statements from
//! standard input as they arrive: statements may span lines, several may share a line, and
//! comments are allowed. Anyone who knows `sqlite3` 3.40.1 should find every behaviour here
//! where they expect it; the golden tests in `tests/shell/` compare the two byte for byte.
//!
//! # Layout
//!
//! | file            | concept                                                          |
//! | --------------- | ---------------------------------------------------------------- |
//! | `engine.rs`     | the traits the shell drives: [`Engine`], [`EngineDb`], [`EngineConn`] |
//! | `options.rs`    | the command line                                                 |
//! | `input.rs`      | reading lines; knowing when the gathered text may be complete    |
//! | `editor.rs`     | line editing and the history file at a terminal                  |
//! | `complete.rs`   | `sqlite3_complete`: does the text end with a whole statement?    |
//! | `session.rs`    | the run loop: gathering input, running SQL, error lines          |
//! | `dot.rs`        | dot-commands                                                     |
//! | `settings.rs`   | output mode, separators, switches                                |
//! | `output.rs`     | printing rows in the row-at-a-time modes                         |
//! | `columnar.rs`   | printing rows in column, table, box and markdown modes           |
//! | `real.rs`       | REALs as `%!.15g`                                                |
//! | `dump.rs`       | `.dump`, as SQL that `sqlite3` loads                             |
//! | `import.rs`     | `.import`, RFC 4180 CSV                                          |
//! | `keywords.rs`   | when a name needs quotes                                         |
//! | `locate.rs`     | which token an error points at (`^--- error here`)               |
//!
//! # Input
//!
//! Lines are gathered until the text ends with a `;` outside quotes and comments and
//! [`complete::is_complete`] agrees (so a `CREATE TRIGGER` body is gathered up to its `END;`);
//! the gathered block is then run statement by statement. A line that is only `/` or `go`
//! ends a statement as `;` would. A line starting with `.` when nothing is gathered is a
//! dot-command; one starting with `#` is a comment. At the end of input, gathered text that is
//! not blank runs even without its `;`.
//!
//! # Errors
//!
//! As in `sqlite3` 3.40.1, a failing statement prints one line to standard error, worded by
//! where it failed and where the input came from:
//!
//! | input                      | prepare failed                      | step failed                           |
//! | -------------------------- | ----------------------------------- | ------------------------------------- |
//! | script (stdin, `.read`)    | `Parse error near line N: MSG`      | `Runtime error near line N: MSG (CODE)` |
//! | terminal                   | `Parse error: MSG`                  | `Runtime error: MSG (CODE)`           |
//! | command-line SQL           | `Error: in prepare, MSG`            | `Error: stepping, MSG (CODE)`         |
//!
//! N is the line where the failing block began, and ` (CODE)` is the primary SQLite result
//! code when it is above 1. When the engine knows the offending token's offset, two more lines
//! show the statement with a `^--- error here` marker. Dot-command errors start with `Error:`.
//! The run goes on after an error unless `-bail`/`.bail on`; the exit status is 1 when any
//! statement or dot-command failed (command-line SQL exits at its first failure with the
//! SQLite result code, as `sqlite3` does).
//!
//! # Output
//!
//! Output is flushed after every statement, so a program driving the shell through a pipe
//! can read each answer before it sends the next statement.

mod columnar;
pub mod complete;
mod concur_engine;
mod dot;
mod dump;
pub mod editor;
pub mod engine;
mod import;
pub mod input;
mod keywords;
mod locate;
mod options;
pub mod output;
pub mod real;
mod session;
pub mod settings;

use std::io::{BufRead, Write};

pub use concur_engine::ConcurEngine;
pub use engine::{
    Engine, EngineConn, EngineDb, EngineError, EngineStatement, ErrorPhase, Prepared, Value,
};
pub use real::format_real;

/// The streams a shell run reads and writes, and whether they are terminals.
pub struct Streams<'a> {
    /// Standard input.
    pub stdin: &'a mut dyn BufRead,
    /// Standard output: query results.
    pub stdout: &'a mut dyn Write,
    /// Standard error: error lines, usage, progress.
    pub stderr: &'a mut dyn Write,
    /// Standard input is a terminal: prompt, banner, error lines without line numbers.
    pub stdin_is_terminal: bool,
    /// Standard error is a terminal: `.import` shows a progress bar.
    pub stderr_is_terminal: bool,
    /// Lines typed at the terminal, with line editing, when the binary has an editor; `None`
    /// reads plain lines from `stdin` with a prompt.
    pub editor: Option<&'a mut dyn input::LineSource>,
}

/// Runs the shell with the command-line arguments `args` (program name excluded) and returns
/// the process exit status.
pub fn run<'a>(engine: &'a dyn Engine, args: &[String], streams: Streams<'a>) -> i32 {
    match options::parse(args) {
        options::Parsed::Invalid(message) => {
            let _ = writeln!(streams.stderr, "{message}");
            1
        }
        options::Parsed::Run(options, settings) => {
            if options.help {
                let _ = streams.stderr.write_all(options::USAGE.as_bytes());
                return 0;
            }
            if options.version {
                let _ = writeln!(streams.stdout, "{}", engine.version());
                return 0;
            }
            session::Session::new(engine, options, settings, streams).run()
        }
    }
}
