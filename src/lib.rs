//! concur: an embedded SQL database with SQLite's file format and concurrent writers.
//!
//! See [`Database`] for the API; the `concur` binary is a `sqlite3`-style shell ([`shell`]).

mod database;
mod error;
mod params;
pub mod shell;
mod storage;

pub use concur_btree::{Text, Value};
pub use database::{Connection, Database, Row, Rows, Statement, Transaction};
pub use error::{Error, Result};
pub use params::{FromValue, Params, ToValue};
