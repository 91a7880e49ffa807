//! The `concur` command-line shell. See [`concur::shell`] for what it does.
//!
//! At a terminal, lines are read through the line editor with its history file
//! ([`concur::shell::editor`]); otherwise standard input is read as it is.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use concur::shell::editor::{history_path, TerminalEditor};
use concur::shell::input::LineSource;
use concur::shell::{self, ConcurEngine, Streams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
    let mut editor = if stdin_is_terminal {
        let override_path = std::env::var("CONCUR_HISTORY").ok();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        // Without a working editor the shell still runs, with a plain prompt.
        TerminalEditor::new(history_path(override_path.as_deref(), home.as_deref())).ok()
    } else {
        None
    };
    let mut stdin = stdin.lock();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    let stderr_is_terminal = stderr.is_terminal();
    let status = shell::run(
        &ConcurEngine,
        &args,
        Streams {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdin_is_terminal,
            stderr_is_terminal,
            editor: editor.as_mut().map(|e| e as &mut dyn LineSource),
        },
    );
    if let Some(editor) = editor.as_mut() {
        let _ = editor.save_history();
    }
    std::process::exit(status);
}
