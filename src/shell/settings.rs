//! The shell's display settings: output mode, separators, headers, NULL text and switches.

/// How query results are printed (`.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One `name = value` line per column, records separated by a blank line.
    Line,
    /// Aligned columns under a dashed header rule.
    Column,
    /// Values separated by the column separator (`|`); `.mode tabs` is this with a tab.
    List,
    /// RFC 4180 CSV with `\r\n` row ends.
    Csv,
    /// One `INSERT INTO <table>` statement per row.
    Insert,
    /// Values as SQL literals, separated by commas.
    Quote,
    /// Values separated by ASCII unit and record separators.
    Ascii,
    /// A JSON array of objects.
    Json,
    /// A Markdown pipe table.
    Markdown,
    /// A table drawn with `+`, `-` and `|`.
    Table,
    /// A table drawn with Unicode box characters.
    Box,
    /// Nothing is printed.
    Off,
}

impl Mode {
    /// The name `.show` and `.mode` print.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Line => "line",
            Mode::Column => "column",
            Mode::List => "list",
            Mode::Csv => "csv",
            Mode::Insert => "insert",
            Mode::Quote => "quote",
            Mode::Ascii => "ascii",
            Mode::Json => "json",
            Mode::Markdown => "markdown",
            Mode::Table => "table",
            Mode::Box => "box",
            Mode::Off => "off",
        }
    }

    /// True for the modes that gather all rows to size their columns.
    pub fn is_columnar(self) -> bool {
        matches!(
            self,
            Mode::Column | Mode::Markdown | Mode::Table | Mode::Box
        )
    }
}

/// Options of the columnar modes (`.mode box --wrap 30 --quote`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColumnOptions {
    /// Wrap cells wider than this many characters; 0 means no wrapping.
    pub wrap: usize,
    /// Wrap at word boundaries rather than mid-word.
    pub word_wrap: bool,
    /// Show values as SQL literals.
    pub quote: bool,
}

/// Everything that shapes the shell's output and run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The output mode.
    pub mode: Mode,
    /// Print column names (`.headers`).
    pub headers: bool,
    /// True once `.headers` or `-header`/`-noheader` chose, so `.mode column` leaves it alone.
    pub headers_chosen: bool,
    /// Text printed for NULL (`.nullvalue`).
    pub null_value: String,
    /// Text between columns (`.separator`).
    pub column_separator: String,
    /// Text after each row.
    pub row_separator: String,
    /// Table named in insert mode, already quoted when it must be.
    pub insert_table: String,
    /// Options of the columnar modes.
    pub column_options: ColumnOptions,
    /// Print each input before running it (`.echo`).
    pub echo: bool,
    /// Stop at the first error (`.bail`).
    pub bail: bool,
    /// Print timings after each statement (`.timer`).
    pub timer: bool,
    /// Print change counts after each statement (`.changes`).
    pub changes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::List,
            headers: false,
            headers_chosen: false,
            null_value: String::new(),
            column_separator: "|".to_string(),
            row_separator: "\n".to_string(),
            insert_table: "\"table\"".to_string(),
            column_options: ColumnOptions::default(),
            echo: false,
            bail: false,
            timer: false,
            changes: false,
        }
    }
}

impl Settings {
    /// Switches to `mode` as sqlite3's `.mode` does, including its effect on separators.
    /// `table` names the insert-mode table.
    pub fn set_mode(&mut self, mode: Mode, table: Option<&str>, options: ColumnOptions) {
        match mode {
            Mode::Line => self.row_separator = "\n".to_string(),
            Mode::Column => {
                if !self.headers_chosen {
                    self.headers = true;
                }
                self.row_separator = "\n".to_string();
                self.column_options = options;
            }
            Mode::List => {
                self.column_separator = "|".to_string();
                self.row_separator = "\n".to_string();
            }
            Mode::Csv => {
                self.column_separator = ",".to_string();
                self.row_separator = "\r\n".to_string();
            }
            Mode::Insert => {
                self.insert_table = super::keywords::quote_name_if_needed(table.unwrap_or("table"));
            }
            Mode::Quote => {
                self.column_separator = ",".to_string();
                self.row_separator = "\n".to_string();
            }
            Mode::Ascii => {
                self.column_separator = "\x1f".to_string();
                self.row_separator = "\x1e".to_string();
            }
            Mode::Markdown | Mode::Table | Mode::Box => self.column_options = options,
            Mode::Json | Mode::Off => {}
        }
        self.mode = mode;
    }

    /// `.mode tabs`: list mode with a tab between columns; the row separator stays.
    pub fn set_tabs(&mut self) {
        self.mode = Mode::List;
        self.column_separator = "\t".to_string();
    }
}
