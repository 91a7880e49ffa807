//! Fuzz the SQL parser: any text either parses or gives a typed error, never a panic or a
//! stack overflow; whatever parses prints back as SQL that parses to the same tree; and
//! `complete_statement` never panics.
//!
//! Run with `cargo +nightly fuzz run parse` from the workspace root.

#![no_main]

use concur_vm::parser::{complete_statement, parse_statement, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let _ = complete_statement(sql);
    for parsed in Parser::new(sql) {
        let Ok(parsed) = parsed else {
            break;
        };
        assert!(parsed.span.start <= parsed.span.end && parsed.end <= sql.len());
        let printed = parsed.statement.to_string();
        match parse_statement(&printed) {
            Ok(again) => assert_eq!(again, parsed.statement, "printed as {printed}"),
            // Printing can only add nesting (parentheses); that may cross the depth limit.
            Err(e) => assert!(
                matches!(
                    e,
                    concur_vm::parser::ParseError::TooDeep { .. }
                        | concur_vm::parser::ParseError::StackOverflow { .. }
                ),
                "printed as {printed}: {e}"
            ),
        }
    }
});
