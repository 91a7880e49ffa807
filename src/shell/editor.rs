//! Line editing and history at a terminal, as `sqlite3` has them with readline.
//!
//! When standard input is a terminal, the binary reads lines through [`TerminalEditor`]:
//! cursor movement, word and line editing, and a history that Up/Down and Ctrl-R search. Each
//! complete input (a statement, possibly over several lines, or a dot-command) becomes one
//! history entry. The history is kept in a file across runs, as `sqlite3` keeps
//! `~/.sqlite_history`: `$CONCUR_HISTORY` when set (an empty value turns the file off), else
//! `~/.concur_history`; at most [`HISTORY_SIZE`] entries are kept.
//!
//! Ctrl-C abandons the line being typed (the shell gets an empty line and goes on) and Ctrl-D
//! on an empty line ends the input, as in `sqlite3`.
//!
//! The editing itself is rustyline's: a terminal line editor needs raw-mode terminal control,
//! which in Rust means `unsafe` calls into libc; a maintained crate keeps that out of concur.

use std::io;
use std::path::{Path, PathBuf};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

use super::input::LineSource;

/// How many entries the history keeps (sqlite3 keeps 100 by default; readline's own default
/// is unlimited).
pub const HISTORY_SIZE: usize = 1000;

/// Where the history file lives: `override_path` (`$CONCUR_HISTORY`) when given, an empty one
/// meaning no file; else `.concur_history` in `home`; else none.
pub fn history_path(override_path: Option<&str>, home: Option<&Path>) -> Option<PathBuf> {
    match override_path {
        Some("") => None,
        Some(path) => Some(PathBuf::from(path)),
        None => home.map(|h| h.join(".concur_history")),
    }
}

/// What one call to the editor gave: a line, an abandoned line (Ctrl-C), the end of input, or
/// a failure.
pub fn line_from(result: Result<String, ReadlineError>) -> io::Result<Option<String>> {
    match result {
        Ok(line) => Ok(Some(line)),
        Err(ReadlineError::Interrupted) => Ok(Some(String::new())),
        Err(ReadlineError::Eof) => Ok(None),
        Err(ReadlineError::Io(error)) => Err(error),
        Err(other) => Err(io::Error::other(other.to_string())),
    }
}

/// A line editor over the terminal, with history saved to a file.
pub struct TerminalEditor {
    /// rustyline's editor (no completion or hints).
    editor: Editor<(), DefaultHistory>,
    /// The history file, if any.
    history_file: Option<PathBuf>,
}

impl TerminalEditor {
    /// An editor whose history is loaded from `history_file` (a missing file is an empty
    /// history).
    pub fn new(history_file: Option<PathBuf>) -> io::Result<TerminalEditor> {
        let config = Config::builder()
            .max_history_size(HISTORY_SIZE)
            .map_err(|e| io::Error::other(e.to_string()))?
            .auto_add_history(false)
            .build();
        let mut editor =
            Editor::with_config(config).map_err(|e| io::Error::other(e.to_string()))?;
        if let Some(path) = &history_file {
            if path.exists() {
                editor
                    .load_history(path)
                    .map_err(|e| io::Error::other(e.to_string()))?;
            }
        }
        Ok(TerminalEditor {
            editor,
            history_file,
        })
    }

    /// Writes the history to its file.
    pub fn save_history(&mut self) -> io::Result<()> {
        match &self.history_file {
            Some(path) => self
                .editor
                .save_history(path)
                .map_err(|e| io::Error::other(e.to_string())),
            None => Ok(()),
        }
    }

    /// The history entries, oldest first.
    pub fn history(&self) -> Vec<String> {
        self.editor.history().iter().cloned().collect()
    }
}

impl LineSource for TerminalEditor {
    fn read_line(&mut self, prompt: &str) -> io::Result<Option<String>> {
        line_from(self.editor.readline(prompt))
    }

    fn add_history(&mut self, entry: &str) {
        // rustyline skips an entry equal to the previous one, as readline setups usually do.
        let _ = self.editor.add_history_entry(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_file_is_chosen_like_sqlite3s() {
        let home = Path::new("/home/u");
        assert_eq!(
            history_path(None, Some(home)),
            Some(PathBuf::from("/home/u/.concur_history"))
        );
        assert_eq!(
            history_path(Some("/tmp/h"), Some(home)),
            Some(PathBuf::from("/tmp/h"))
        );
        assert_eq!(history_path(Some(""), Some(home)), None);
        assert_eq!(history_path(None, None), None);
    }

    #[test]
    fn ctrl_c_abandons_the_line_and_ctrl_d_ends_input() {
        assert_eq!(
            line_from(Ok("select 1;".into())).ok(),
            Some(Some("select 1;".into()))
        );
        assert_eq!(
            line_from(Err(ReadlineError::Interrupted)).ok(),
            Some(Some(String::new()))
        );
        assert_eq!(line_from(Err(ReadlineError::Eof)).ok(), Some(None));
        assert!(line_from(Err(ReadlineError::Io(io::Error::other("gone")))).is_err());
    }

    #[test]
    fn history_survives_a_restart_through_its_file() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("history");
        let mut editor = TerminalEditor::new(Some(file.clone())).expect("editor");
        editor.add_history(".tables");
        editor.add_history("select 1\nfrom t;");
        editor.add_history("select 1\nfrom t;");
        editor.save_history().expect("save");
        let reopened = TerminalEditor::new(Some(file)).expect("editor");
        assert_eq!(reopened.history(), vec![".tables", "select 1\nfrom t;"]);
        let none = TerminalEditor::new(None).expect("editor");
        assert!(none.history().is_empty());
    }
}
