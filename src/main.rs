//! The `concur` command-line shell. See [`concur::shell`] for what it does.

use std::io::{self, IsTerminal};

use concur::shell::{self, ConcurEngine, Streams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
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
            editor: None,
        },
    );
    std::process::exit(status);
}
