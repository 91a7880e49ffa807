//! The pieces of the differential test against SQLite: a seeded generator of schemas, data and
//! statements ([`schema`], [`values`], [`expr`], [`select`], [`statements`]), the two engines
//! behind one interface ([`engines`]), and the rules by which their answers must agree
//! ([`compare`]).

#![allow(dead_code, clippy::unwrap_used)]

pub mod compare;
pub mod engines;
pub mod expr;
pub mod rng;
pub mod schema;
pub mod select;
pub mod statements;
pub mod values;
