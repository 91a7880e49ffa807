//! The command line: `concur [OPTIONS] [FILE] [SQL...]`, parsed as sqlite3 parses it.

use super::settings::{Mode, Settings};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The database file; `None` means a new in-memory database.
    pub file: Option<String>,
    /// SQL statements and dot-commands given after the file, run in order before exiting.
    pub commands: Vec<String>,
    /// `-cmd` arguments, run before standard input is read.
    pub init_commands: Vec<String>,
    /// Open the database read-only.
    pub readonly: bool,
    /// Print the version and exit.
    pub version: bool,
    /// Print the usage text and exit.
    pub help: bool,
}

/// The outcome of parsing the command line.
#[derive(Debug)]
pub enum Parsed {
    /// Run the shell with these options and display settings.
    Run(Options, Settings),
    /// The command line is wrong: print this message and exit with status 1.
    Invalid(String),
}

/// The usage text printed by `-help`.
pub const USAGE: &str = "\
Usage: concur [OPTIONS] FILENAME [SQL]
FILENAME is the name of a concur (SQLite 3 format) database. A new database is created
if the file does not previously exist. With no FILENAME, an in-memory database is used.
OPTIONS include:
   -bail                stop after hitting an error
   -box                 set output mode to 'box'
   -cmd COMMAND         run \"COMMAND\" before reading stdin
   -column              set output mode to 'column'
   -csv                 set output mode to 'csv'
   -echo                print inputs before execution
   -[no]header          turn headers on or off
   -help                show this message
   -json                set output mode to 'json'
   -line                set output mode to 'line'
   -list                set output mode to 'list'
   -markdown            set output mode to 'markdown'
   -newline SEP         set output row separator. Default: '\\n'
   -nullvalue TEXT      set text string for NULL values. Default ''
   -quote               set output mode to 'quote'
   -readonly            open the database read-only
   -separator SEP       set output column separator. Default: '|'
   -table               set output mode to 'table'
   -tabs                set output mode to 'tabs'
   -version             show the version
";

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Parsed {
    let mut options = Options::default();
    let mut settings = Settings::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if !arg.starts_with('-') || arg == "-" {
            if options.file.is_none() {
                options.file = Some(arg.clone());
            } else {
                options.commands.push(arg.clone());
            }
            continue;
        }
        // sqlite3 accepts `--opt` as `-opt`.
        let name = arg.strip_prefix("--").unwrap_or(&arg[1..]);
        let mut value = |what: &str| match args.next() {
            Some(v) => Ok(v.clone()),
            None => Err(format!("Error: missing argument to {what}")),
        };
        let result: Result<(), String> = (|| {
            match name {
                "bail" => settings.bail = true,
                "echo" => settings.echo = true,
                "header" => {
                    settings.headers = true;
                    settings.headers_chosen = true;
                }
                "noheader" => {
                    settings.headers = false;
                    settings.headers_chosen = true;
                }
                // As in sqlite3, the command-line modes set the mode and few separators.
                "csv" => {
                    settings.mode = Mode::Csv;
                    settings.column_separator = ",".to_string();
                }
                "json" => settings.mode = Mode::Json,
                "line" => settings.mode = Mode::Line,
                "list" => settings.mode = Mode::List,
                "box" => settings.mode = Mode::Box,
                "table" => settings.mode = Mode::Table,
                "markdown" => settings.mode = Mode::Markdown,
                "column" => settings.mode = Mode::Column,
                "quote" => settings.set_mode(Mode::Quote, None, Default::default()),
                "ascii" => settings.set_mode(Mode::Ascii, None, Default::default()),
                "tabs" => settings.set_tabs(),
                "readonly" => options.readonly = true,
                "version" => options.version = true,
                "help" => options.help = true,
                "batch" => {}
                "cmd" => options.init_commands.push(value(arg)?),
                "separator" => settings.column_separator = value(arg)?,
                "newline" => settings.row_separator = value(arg)?,
                "nullvalue" => settings.null_value = value(arg)?,
                _ => {
                    return Err(format!(
                        "concur: Error: unknown option: {arg}\nUse -help for a list of options."
                    ))
                }
            }
            Ok(())
        })();
        if let Err(message) = result {
            return Parsed::Invalid(message);
        }
    }
    Parsed::Run(options, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn file_then_sql_then_options_anywhere() {
        let Parsed::Run(options, settings) = parse(&strings(&[
            "-csv",
            "db.sqlite",
            "select 1",
            "-header",
            ".tables",
        ])) else {
            panic!("rejected");
        };
        assert_eq!(options.file.as_deref(), Some("db.sqlite"));
        assert_eq!(options.commands, vec!["select 1", ".tables"]);
        assert_eq!(settings.mode, Mode::Csv);
        assert!(settings.headers);
    }

    #[test]
    fn unknown_options_and_missing_values_are_rejected() {
        assert!(matches!(parse(&strings(&["-nope"])), Parsed::Invalid(_)));
        assert!(matches!(parse(&strings(&["-cmd"])), Parsed::Invalid(_)));
    }
}
