//! The SQL layer: SQL text -> tokens -> AST -> plan -> bytecode program -> execution.
//!
//! # Parsing
//!
//! SQL text becomes a typed syntax tree in two hand-written steps, both following SQLite's own
//! sources (`tokenize.c`, `parse.y`) so that what SQLite accepts, concur accepts, and what
//! SQLite rejects fails with SQLite's message at SQLite's offset.
//!
//! **Lexer** ([`lexer`]). A byte cursor hands out [`lexer::Token`]s: a kind and a byte span.
//! It never fails; text that is no token (an unterminated string, `!`, `123abc`, `x'0'`)
//! becomes an `Illegal` token that the parser reports as `unrecognized token: "..."`.
//!
//! | text | token |
//! | --- | --- |
//! | `abc`, `"a b"`, `[a b]`, `` `a` `` | identifier (quotes removed by the parser, `""` undoubled) |
//! | `'it''s'` | string |
//! | `x'0aFF'` | blob (even number of hex digits) |
//! | `42`, `0x2A` | integer; `9223372036854775808` and up read as REAL, hex wider than 64 bits is an error |
//! | `1.5`, `.5`, `1e9` | real |
//! | `?`, `?7`, `:a`, `@a`, `$a` | parameter |
//! | `-- ...`, `/* ... */` | skipped |
//!
//! **Keywords.** SQLite has 147 keywords, but its grammar lets most of them *fall back* to
//! being identifiers wherever the keyword cannot continue a rule: a column may be called
//! `key`, `value`, `replace`, `action` or `temp`, and `replace(...)` is a function call.
//! [`parser::Keyword::is_fallback_id`] is SQLite's `%fallback ID` list; the join words
//! (`LEFT`, `NATURAL`, ...) may also name things. A recursive-descent parser gets the same
//! effect by trying a keyword's grammatical meaning first and reading it as a name otherwise.
//!
//! **Parser** ([`parser`]). One function per grammar rule. Expressions use precedence
//! climbing over SQLite's operator table, loosest first:
//!
//! | power | operators |
//! | --- | --- |
//! | 1 | `OR` |
//! | 2 | `AND` |
//! | 3 | prefix `NOT` |
//! | 4 | `=` `==` `!=` `<>` `IS [NOT] [DISTINCT FROM]` `[NOT] IN` `[NOT] LIKE/GLOB/MATCH/REGEXP` `[NOT] BETWEEN` `ISNULL` `NOTNULL` `NOT NULL` |
//! | 5 | `<` `<=` `>` `>=` |
//! | 6 | `&` `\|` `<<` `>>` |
//! | 7 | `+` `-` |
//! | 8 | `*` `/` `%` |
//! | 9 | `\|\|` `->` `->>` |
//! | 10 | postfix `COLLATE` |
//! | 11 | prefix `-` `+` `~` |
//!
//! All binary operators are left-associative (`a = b IS c` is `(a = b) IS c`). `BETWEEN` is
//! the one place where an LALR grammar and precedence climbing part ways: SQLite shifts every
//! operator but `AND` into the lower bound (`x BETWEEN 1 IS NULL AND 3` has the bound
//! `1 IS NULL`), while the upper bound binds at power 5 (`a BETWEEN 1 AND 2 AND b` ends at the
//! second `AND`). `LIKE`'s pattern and its `ESCAPE` operand both take operators of power 5
//! and up (SQLite gives the whole `LIKE ... ESCAPE` rule `LIKE`'s precedence).
//! `-9223372036854775808` is folded to the integer `i64::MIN`, as SQLite does.
//! A test has SQLite evaluate 40,000 random unparenthesized expressions both as written and
//! as concur groups them (printed with full parentheses); the values must agree.
//!
//! **Parameters** are numbered as `sqlite3_bind_parameter_index` sees them: `?` takes one more
//! than the largest index so far, `?N` is N (1 to 32766), and a named parameter takes the next
//! index at its first appearance and keeps it. [`parser::ParsedStatement::parameters`] lists
//! the names by index.
//!
//! **Limits.** An expression tree may be 1000 deep (SQLite's `SQLITE_MAX_EXPR_DEPTH`; a leaf
//! has height 1): `Expression tree is too large (maximum depth 1000)`. Each parse function
//! returns the height of what it built, so a left-deep chain `1+1+...+1` is measured without
//! recursion. Recursion itself is bounded by the depth count and by a stack budget
//! ([`parser::STACK_BUDGET`], measured from stack addresses, so it holds whatever the build's
//! frame sizes): 100,000 nested parentheses or subqueries give an error, never a stack
//! overflow, on a 2 MiB thread.
//!
//! **Statements and spans.** [`parser::Parser`] walks a text of several statements, yielding
//! each with its span (first token to last, without the `;`, which is what `sqlite_schema`
//! stores for CREATE statements) and the offset where the next one begins.
//! [`parser::complete_statement`] is `sqlite3_complete`: whether a buffer ends a statement,
//! minding strings, comments and `CREATE TRIGGER ... BEGIN ... END`.
//!
//! **Printing.** Every node implements `Display`, printing SQL that parses back to an equal
//! tree (operands are parenthesized unless atomic, keywords used as names are quoted). The
//! test suite checks this on every statement of the sqllogictest corpus.
//!
//! **Errors** ([`parser::ParseError`]) carry SQLite's wording (`near "X": syntax error`,
//! `incomplete input`, `unrecognized token: "X"`, ...) and a [`parser::Position`]: byte offset
//! (equal to `sqlite3_error_offset`), line and column.

pub mod ast;
pub mod error;
pub mod exec;
pub mod func;
pub mod lexer;
pub mod parser;
pub mod program;
pub mod schema;
pub mod session;
pub mod storage;
pub mod value;

pub use error::{Error, Result};
pub use session::{Connection, Statement};
pub use storage::{MemStore, Store};
