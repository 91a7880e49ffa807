//! # SQL functions: the built-in scalar and aggregate functions of SQLite
//!
//! A function is found by name (ASCII case-insensitive) and argument count in a
//! [`FunctionRegistry`]; SQLite reports a call whose name exists with another arity as
//! "wrong number of arguments to function NAME()", and an unknown name as "no such function:
//! NAME". Each scalar function is a plain Rust function from argument values to a result
//! value; the few that need the connection (`changes()`, `last_insert_rowid()`, `random()`,
//! `'now'` in the date functions) reach it through the [`FuncContext`] trait, which the
//! executor implements. Aggregates are [`Accumulator`] objects: `step` once per row, then
//! `finalize`.
//!
//! | file | functions |
//! | --- | --- |
//! | [`core`] | abs, coalesce, ifnull, nullif, iif, typeof, min/max (scalar), sign, round, random, randomblob, zeroblob, hex, unhex, quote, changes, total_changes, last_insert_rowid, likely, unlikely |
//! | [`text`] | length, octet_length, lower, upper, substr/substring, trim/ltrim/rtrim, replace, instr, char, unicode, soundex, concat, concat_ws |
//! | [`pattern`] | like (with ESCAPE), glob |
//! | [`printf`] | printf/format, SQLite's own printf |
//! | [`datetime`] | date, time, datetime, julianday, unixepoch, strftime |
//! | [`series`] | the table-valued generate_series |
//! | [`aggregate`] | count, sum, total, avg, min, max, group_concat, string_agg, DISTINCT |
//!
//! Errors carry SQLite's own message text, so that a statement fails with the same words.
//!
//! ## How the executor calls them
//!
//! ```text
//! registry.find(name, n_args)?              -> FoundFunction::Scalar(f) | ::Aggregate(a)
//! (f.body)(&mut FuncCall { context, collation }, &args)?        one value per call
//! let mut acc = a.kind.accumulator(collation);                 one per group
//! if distinct { acc = Box::new(Distinct::new(acc, collation)) }
//! acc.step(&row_args)?; ...; acc.finalize()?
//! ```
//!
//! `f.deterministic` is false for functions whose result may change between calls with the
//! same arguments (`random`, `changes`, the date functions because of `'now'`); those must not
//! be constant-folded. The executor also owns the operators (see [`crate::value`]): `LIKE` and
//! `GLOB` call [`pattern::like`] and [`pattern::glob`] (or the `like`/`glob` functions).

pub mod aggregate;
pub mod core;
pub mod datetime;
mod error;
pub mod pattern;
pub mod printf;
pub mod registry;
pub mod series;
pub mod text;

pub use aggregate::{Accumulator, AggregateKind, Distinct};
pub use error::FuncError;
pub use registry::{
    AggregateFunction, Arity, FoundFunction, FuncCall, FuncContext, FunctionRegistry,
    ScalarFunction,
};
