//! The SQL layer: SQL text -> tokens -> AST -> plan -> bytecode program -> execution.
//!
//! # Parsing
//!
//! (essay to come)

pub mod ast;
pub mod lexer;
pub mod parser;
