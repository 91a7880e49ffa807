//! concur: an embedded SQL database with SQLite's file format and concurrent writers.

pub mod shell;
