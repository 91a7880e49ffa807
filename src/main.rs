//! The `concur` command-line shell. See [`concur::shell`] for what it does.
//!
//! The SQL engine is not part of the root crate yet, so this binary plugs in an engine that
//! declines to open databases: `-version` and `-help` work, anything that needs SQL reports
//! "concur: SQL engine not available yet".

use std::io::{self, IsTerminal};

use concur::shell::{self, Engine, EngineDb, EngineError, ErrorPhase, Streams};

/// Stands in for concur's SQL engine until the root crate has one.
struct NoEngine;

impl Engine for NoEngine {
    fn open(&self, _path: &str, _readonly: bool) -> Result<Box<dyn EngineDb>, EngineError> {
        Err(EngineError::new(
            ErrorPhase::Open,
            "concur: SQL engine not available yet",
        ))
    }

    fn version(&self) -> String {
        format!(
            "concur {} (SQL engine not available yet)",
            env!("CARGO_PKG_VERSION")
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
    let mut stdin = stdin.lock();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    let stderr_is_terminal = stderr.is_terminal();
    let status = shell::run(
        &NoEngine,
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
